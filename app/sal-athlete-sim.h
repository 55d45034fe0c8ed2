/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Banister's impulse-response fitness–fatigue model:
 *   fitness_t = fitness_{t-1}·e^(−1/τ1) + w_{t-1}
 *   fatigue_t = fatigue_{t-1}·e^(−1/τ2) + w_{t-1}
 *   p_t       = p0 + k1·fitness_t − k2·fatigue_t
 * where w is the daily training load. */
typedef struct {
  double p0;        /* baseline performance (arbitrary units, ~100) */
  double k1, tau1;  /* fitness gain and decay (days) */
  double k2, tau2;  /* fatigue gain and decay (days) */
} SalIrParams;

/* Model performance for days 0..n_days-1 from the loads of the days before. */
void sal_ir_predict (const SalIrParams *params, const double *load, int n_days, double *out_perf);

typedef struct {
  guint32     seed;
  int         n_days;
  SalIrParams params;          /* the athlete's true parameters */
  double      test_noise_sd;   /* noise on performance tests */
  double      rhr_baseline;    /* resting heart rate when fresh, bpm */
  double     *load;            /* daily training load (0 on rest days) */
  double     *performance;     /* true, noise-free p_t */
  double     *test;            /* measured performance on test days, NAN otherwise */
  double     *resting_hr;      /* bpm */
  double     *sleep_h;
  double     *soreness;        /* 1..10 */
} SalAthleteSim;

/* A simulated athlete: periodised training (build and recovery weeks, hard,
 * easy and rest days, the odd missed day), individual parameters, and
 * wellness series that respond to fatigue. A performance test every
 * `test_every` days (e.g. 2 or 7). Deterministic from the seed. */
SalAthleteSim *sal_athlete_simulate (guint32 seed, int n_days, int test_every);
void           sal_athlete_sim_free (SalAthleteSim *sim);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SalAthleteSim, sal_athlete_sim_free)

G_END_DECLS
