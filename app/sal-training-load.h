/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include "sal-workout.h"

G_BEGIN_DECLS

/* Training-load science for the Fitness workspace. Every ratio that has no
 * defined value (a zero or missing mean or spread) is NAN; the UI shows "—". */

typedef enum { SAL_SEX_MALE, SAL_SEX_FEMALE } SalSex;

/* Banister TRIMP for a steady effort:
 *   TRIMP = minutes × HRr × a·e^(b·HRr),  HRr = (HR − HRrest) / (HRmax − HRrest),
 *   a = 0.64, b = 1.92 for men; a = 0.86, b = 1.67 for women. HRr is clamped to [0, 1].
 * NAN when the heart rates are missing or HRmax <= HRrest. */
double sal_trimp_banister         (double minutes, double hr, double hr_rest, double hr_max, SalSex sex);
/* The same summed over samples: each sample's HR held until the next sample
 * (gaps over 60 s count as pauses and are skipped). */
double sal_trimp_banister_samples (const GArray *samples, double hr_rest, double hr_max, SalSex sex);
/* Edwards TRIMP: minutes in 50–60, 60–70, 70–80, 80–90, 90–100 % of HRmax, weighted 1..5. */
double sal_trimp_edwards_samples  (const GArray *samples, double hr_max);
/* Session-RPE load (Foster): RPE (CR-10) × minutes. */
double sal_session_rpe_load       (double rpe, double minutes);

/* One day of the daily series. */
typedef struct {
  double load;          /* sum of the day's session loads (0 on rest days) */
  double ctl;           /* fitness: CTL_t = CTL_{t−1} + (L_t − CTL_{t−1}) / τ_ctl */
  double atl;           /* fatigue: ATL_t = ATL_{t−1} + (L_t − ATL_{t−1}) / τ_atl */
  double form;          /* form_t = CTL_{t−1} − ATL_{t−1} (yesterday's fitness minus fatigue) */
  double acwr_rolling;  /* mean load of the last 7 days / mean of the last 28 days */
  double acwr_ewma;     /* EWMA_7 / EWMA_28 with λ = 2 / (N + 1) */
  double monotony;      /* mean / SD of the last 7 days' loads */
  double strain;        /* sum of the last 7 days' loads × monotony */
} SalDayLoad;

typedef struct {
  double tau_ctl;       /* days, default 42 */
  double tau_atl;       /* days, default 7 */
} SalLoadParams;

/* Fills days[0..n_days-1] from the daily loads (days with no session: 0).
 * Days before the series start count as 0 load. */
void sal_daily_load_series (const double *loads, int n_days, const SalLoadParams *params,
                            SalDayLoad *days);

/* The local calendar day (days since 1970-01-01 in `tz`) of a UTC time. */
gint64 sal_local_day (gint64 utc_ms, GTimeZone *tz);

/* Best time (seconds) to cover `distance_m` anywhere in the samples' cumulative
 * distance, interpolating inside samples; NAN when the workout is shorter. */
double sal_best_effort_s (const GArray *samples, double distance_m);

G_END_DECLS

G_BEGIN_DECLS
/* Adds each session's load to its local day: out[d] for days first_day .. first_day + n_days − 1
 * (zeroed first). Sessions outside the range are ignored; several on a day add up. */
void sal_daily_loads_accumulate (const gint64 *start_utc_ms, const double *session_load, int n_sessions,
                                 GTimeZone *tz, gint64 first_day, int n_days, double *out);
G_END_DECLS
