/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Readiness: the features the Fitness workspace shows for a day, the
 * next-day readiness score they predict, the "athletes" data source of the
 * readiness recipe, and fine-tuning the shipped readiness model on one
 * person's own history.
 *
 * Features of day t (known in the evening of day t), from
 * sal_daily_load_series (τ_ctl = 42, τ_atl = 7):
 *   acute_load      ATL_t, the 7-day exponentially weighted load
 *   chronic_load    CTL_t, the 42-day exponentially weighted load
 *   acwr            EWMA_7 / EWMA_28 of the daily loads
 *   monotony        mean / SD of the last 7 days' loads
 *   sleep_h         hours slept the night before day t
 *   soreness        1..10, reported on day t
 *   rhr_delta       resting HR of day t minus the mean of the 28 days before (bpm)
 *   days_since_hard days since the last hard session, 0 when day t was hard,
 *                   capped at 14; a session is hard when its load is at least
 *                   1.5 × the mean load of the training days (load > 0) of the
 *                   28 days before (and there were at least 3 of them)
 * A day has features from day 28 on (the baselines need four weeks) and when
 * every ratio is defined.
 *
 * Readiness of day t+1: tomorrow's performance against the athlete's own level
 * and spread over the four weeks up to day t,
 *   readiness = clamp (5 + 2 · (p_{t+1} − mean(p_{t−27..t})) / sd(p_{t−27..t}), 0, 10)
 * (sd at least 0.5 % of the mean): 5 is "as usual", 7 one usual spread better,
 * 3 one spread worse. Scaling by the athlete's own spread makes the score
 * comparable between people whose form swings more or less. The
 * shipped model learns it from the simulator's true performance; a person's
 * fine-tuning uses the performance of their impulse-response fit
 * (sal-ir-fit.h) to their tests, which is defined on every day and is not
 * inflated by the tests' noise. */

#include <glib.h>
#include "sal-model.h"

G_BEGIN_DECLS

#define SAL_READINESS_N_FEATURES 8
#define SAL_READINESS_WARMUP_DAYS 28
#define SAL_READINESS_HARD_FACTOR 1.5
#define SAL_READINESS_POINTS_PER_SD 2.0
#define SAL_READINESS_MIN_SPREAD 0.005  /* the spread's floor, relative to the level */

extern const char *const sal_readiness_feature_names[SAL_READINESS_N_FEATURES];

/* A person's daily series: index = day; NAN for a missing value. */
typedef struct {
  int           n_days;
  const double *load;        /* 0 on rest days */
  const double *sleep_h;
  const double *soreness;
  const double *resting_hr;
  const double *test;        /* performance test results, NAN on days without one */
} SalDailySeries;

/* Features of every day into out[n_days × 8]; valid[t] says whether day t has them. */
void   sal_readiness_features (const SalDailySeries *s, float *out, gboolean *valid);
/* The readiness of day t+1 from a performance series (NAN where p is missing);
 * out[t] is NAN when not defined. With `min_points` > 1 the level needs that
 * many values in its four weeks (tests are sparse). */
void   sal_readiness_targets  (const double *perf, int n_days, int min_points, double *out);

/* Fine-tuning fits the person's impulse-response model to their tests (at
 * least 6) and derives readiness targets from it, then calibrates the shipped
 * model's score on the person's days (readiness ≈ c · score + a) by ridge
 * regression pulled toward c = 1, a = 0. The pull is chosen on the person's
 * own later days: the first (1 − val_fraction) of the examples fit, the rest
 * are scored against the person's test results (not the fit's targets), and
 * the strongest pull ("keep the shipped weights") wins unless a weaker one
 * predicts those tests 5 % better; the chosen pull is then refitted on all
 * examples. On simulated athletes from the training population this mostly
 * keeps the shipped model (it already fits them); refitting the whole last
 * layer instead made later weeks worse. */
typedef struct {
  double  val_fraction;   /* default 0.25 */
  int     min_examples;   /* default 12: refuse to fine-tune on less */
} SalReadinessTuneOptions;

typedef struct {
  int    n_days;          /* days of history given */
  int    n_tests;         /* performance tests in it */
  int    n_examples;      /* days with features and a next-day readiness target */
  double ir_rmse;         /* residual of the impulse-response fit to the tests */
  int    first_day;       /* first and last example day (0-based) */
  int    last_day;
  double lambda;          /* the chosen pull; INFINITY = the shipped weights were kept */
  double mae_before;      /* the shipped model on the person's examples */
  double mae_after;       /* the fine-tuned model on them */
  char  *summary;         /* one translated sentence: how much history it rests on */
} SalReadinessTuneReport;

void      sal_readiness_tune_options_init (SalReadinessTuneOptions *o);
void      sal_readiness_tune_report_clear (SalReadinessTuneReport *r);
/* A fine-tuned copy of `shipped` (which stays unchanged): same features, same
 * raw-input interface, provenance extended with the fine-tuning's figures. */
SalModel *sal_readiness_finetune (SalModel *shipped, const SalDailySeries *s,
                                  const SalReadinessTuneOptions *options,
                                  SalReadinessTuneReport *report, GError **error);

/* Predicted readiness for each valid day's features (NAN elsewhere). */
gboolean  sal_readiness_predict (SalModel *model, const SalDailySeries *s, double *out,
                                 GError **error);

G_END_DECLS
