/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Today's readiness, suggested session and the factors' Shapley values. */
#define G_LOG_DOMAIN "sal-fitness"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "sal-fitness-jobs.h"   /* first: it includes sal-store.h with sal-job.h */
#include "sal-explain.h"
#include "sal-readiness-card.h"

#define BACKGROUND_DAYS 28
#define MIN_TESTS 6

void
sal_readiness_card_free (SalReadinessCard *card)
{
  if (card == NULL)
    return;
  g_free (card->history);
  g_free (card);
}

static void
suggest (SalReadinessCard *c, const double *load, int today)
{
  double sum = 0;
  int n = 0;

  for (int t = MAX (0, today - 27); t <= today; t++)
    if (load[t] > 0)
      sum += load[t], n++;
  {
    double l = n > 0 ? sum / n : 0;
    if (c->readiness < 3)
      c->session = "rest", c->target_load = 0;
    else if (c->readiness < 4.5)
      c->session = "easy", c->target_load = 0.6 * l;
    else if (c->readiness < 6.5)
      c->session = "moderate", c->target_load = l;
    else
      c->session = "hard", c->target_load = 1.5 * l;
  }
}

SalReadinessCard *
sal_readiness_card_compute (SalStore *store, GTimeZone *tz, gint64 today, const char *model_path,
                            GCancellable *cancellable, GError **error)
{
  g_autoptr(SalReadinessCard) c = g_new0 (SalReadinessCard, 1);
  g_autoptr(GPtrArray) workouts = NULL, wellness = NULL, tests = NULL;
  g_autoptr(SalAthlete) athlete = NULL;
  g_autoptr(SalModel) shipped = NULL, model = NULL;
  g_autoptr(SalFitnessSummary) sum = NULL;
  g_autofree double *sleep = NULL, *sore = NULL, *rhr = NULL, *test = NULL, *load = NULL;
  g_autofree float *f = NULL;
  g_autofree gboolean *valid = NULL;
  SalLoadParams params = { 42, 7 };
  SalDailySeries s;
  gint64 first = today;
  int n, t_today;
  GError *local = NULL;

  athlete = sal_store_get_athlete (store, &local);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return NULL;
    }
  workouts = sal_store_list_workouts (store, G_MININT64, (today + 2) * 86400000LL, error);
  if (workouts == NULL)
    return NULL;
  for (guint i = 0; i < workouts->len; i++)
    first = MIN (first, sal_local_day (((SalWorkout *) workouts->pdata[i])->start_ms, tz));
  n = (int) (today - first + 1);
  t_today = n - 1;
  c->n_days = workouts->len > 0 ? n : 0;
  sum = sal_fitness_summary_compute (workouts, athlete, tz, &params, first, today);
  load = g_new (double, n);
  sleep = g_new (double, n);
  sore = g_new (double, n);
  rhr = g_new (double, n);
  test = g_new (double, n);
  for (int t = 0; t < n; t++)
    {
      load[t] = sum->days[t].load;
      sleep[t] = sore[t] = rhr[t] = test[t] = NAN;
    }
  {
    g_autofree char *from = sal_day_to_string (first), *to = sal_day_to_string (today);
    wellness = sal_store_list_wellness (store, from, to, error);
    if (wellness == NULL)
      return NULL;
  }
  for (guint i = 0; i < wellness->len; i++)
    {
      SalWellness *w = wellness->pdata[i];
      gint64 d;
      if (!sal_day_from_string (w->day, &d) || d < first || d > today)
        continue;
      sleep[d - first] = w->sleep_h > 0 ? w->sleep_h : NAN;
      /* The store scores soreness 1..5, the model 1..10. */
      sore[d - first] = w->soreness > 0 ? w->soreness * 2 : NAN;
      rhr[d - first] = w->resting_hr_bpm > 0 ? w->resting_hr_bpm : NAN;
      c->n_wellness++;
    }
  /* Performance: the 5 km time trial as an index (higher is better): 120000 / seconds. */
  tests = sal_store_list_performance_tests (store, "5k-time", error);
  if (tests == NULL)
    return NULL;
  for (guint i = 0; i < tests->len; i++)
    {
      SalPerformanceTest *pt = tests->pdata[i];
      gint64 d = sal_local_day (pt->time_ms, tz);
      if (d >= first && d <= today && pt->value > 0)
        {
          test[d - first] = 120000.0 / pt->value;
          c->n_tests++;
        }
    }
  s = (SalDailySeries) { n, load, sleep, sore, rhr, test };

  shipped = sal_model_load_file (model_path, NULL, error);
  if (shipped == NULL)
    return NULL;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  if (c->n_tests >= MIN_TESTS)
    {
      SalReadinessTuneOptions o;
      SalReadinessTuneReport r = { 0 };
      g_autoptr(GError) tune_error = NULL;

      sal_readiness_tune_options_init (&o);
      model = sal_readiness_finetune (shipped, &s, &o, &r, &tune_error);
      if (model != NULL)
        {
          c->fine_tuned = TRUE;
          c->history = g_strdup (r.summary);
        }
      else
        c->history = g_strdup_printf (_("Your own model could not be fitted (%s); the shipped "
                                        "model, trained on simulated athletes, is used."),
                                      tune_error->message);
      sal_readiness_tune_report_clear (&r);
    }
  if (model == NULL)
    {
      model = sal_model_ref (shipped);
      if (c->history == NULL)
        c->history = g_strdup_printf (
          _("Based on %d days of history, %d wellness entries and %d performance tests: too "
            "little to fit a model to you (it needs at least %d tests), so this uses the shipped "
            "model trained on simulated athletes."),
          c->n_days, c->n_wellness, c->n_tests, MIN_TESTS);
    }

  f = g_new (float, (gsize) n * SAL_READINESS_N_FEATURES);
  valid = g_new (gboolean, n);
  sal_readiness_features (&s, f, valid);
  if (!valid[t_today])
    {
      g_free (c->history);
      c->history = g_strdup_printf (
        _("Not enough history for a readiness estimate: it needs four weeks of training and "
          "today’s sleep, soreness and resting heart rate (you have %d days and %d wellness "
          "entries)."), c->n_days, c->n_wellness);
      return g_steal_pointer (&c);
    }
  c->available = TRUE;
  for (int k = 0; k < SAL_READINESS_N_FEATURES; k++)
    c->factors[k] = f[(gsize) t_today * SAL_READINESS_N_FEATURES + k];

  /* The background: the person's own last 28 days with factors, before today. */
  {
    g_autoptr(SalTensor) x = sal_tensor_new_f32 (2, (int64_t[]) { 1, SAL_READINESS_N_FEATURES });
    g_autoptr(SalTensor) bg = NULL;
    g_autoptr(SalExplanation) e = NULL;
    SalExplainParams p;
    int rows[BACKGROUND_DAYS], m = 0;

    for (int t = t_today - 1; t >= 0 && m < BACKGROUND_DAYS; t--)
      if (valid[t])
        rows[m++] = t;
    if (m == 0)
      rows[m++] = t_today;
    c->n_background = m;
    bg = sal_tensor_new_f32 (2, (int64_t[]) { m, SAL_READINESS_N_FEATURES });
    for (int i = 0; i < m; i++)
      memcpy (sal_tensor_f32 (bg) + (gsize) i * SAL_READINESS_N_FEATURES,
              f + (gsize) rows[i] * SAL_READINESS_N_FEATURES,
              sizeof (float) * SAL_READINESS_N_FEATURES);
    memcpy (sal_tensor_f32 (x), f + (gsize) t_today * SAL_READINESS_N_FEATURES,
            sizeof (float) * SAL_READINESS_N_FEATURES);
    sal_explain_params_init (&p, SAL_EXPLAIN_SHAPLEY);
    p.target = 0;
    p.target_kind = SAL_TARGET_SCORE;
    p.background = bg;
    e = sal_explain (model, x, &p, error);
    if (e == NULL)
      return NULL;
    c->readiness = CLAMP (e->score, 0, 10);
    c->expected = e->expected_score;
    c->efficiency_gap = e->efficiency_gap;
    for (int k = 0; k < SAL_READINESS_N_FEATURES; k++)
      c->shapley[k] = sal_tensor_f32 (e->attribution)[k];
  }
  suggest (c, load, t_today);
  return g_steal_pointer (&c);
}
