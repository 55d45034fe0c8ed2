/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "sal-store.h"
#include "sal-training-load.h"
#include "sal-workout.h"

G_BEGIN_DECLS

/* The Fitness workspace's numbers, computed from stored workouts (no GTK), shared by
 * the overview page and `salient-cli fitness summary`.
 *
 * Session load, in this order of preference:
 *   1. Banister TRIMP over the heart-rate samples, when the workout has them;
 *   2. Banister TRIMP of the average heart rate over the whole duration;
 *   3. session-RPE load = RPE × minutes;
 *   otherwise 0 (the session still counts for volume, not for load).
 * Heart-rate rest/max come from the athlete profile (defaults 60 and 190 bpm). */

typedef enum {
  SAL_LOAD_SOURCE_NONE,
  SAL_LOAD_SOURCE_HR_SAMPLES,
  SAL_LOAD_SOURCE_HR_AVERAGE,
  SAL_LOAD_SOURCE_RPE,
} SalLoadSource;

/* "none", "hr-samples", "hr-average", "rpe" */
const char *sal_load_source_id (SalLoadSource source);

double sal_workout_session_load (const SalWorkout *w, const SalAthlete *athlete,
                                 SalLoadSource *source);

typedef struct {
  gint64      first_day;      /* local day number (days since 1970-01-01) */
  int         n_days;
  SalDayLoad *days;           /* n_days */
  int        *n_sessions;     /* n_days */
  double     *duration_s;     /* n_days */
  double     *distance_m;     /* n_days */
} SalFitnessSummary;

void sal_fitness_summary_free (SalFitnessSummary *s);

/* The daily series for local days first_day .. last_day of the given workouts (which may
 * start earlier: every workout before first_day still feeds CTL/ATL, so the series is
 * warmed up by the whole history). */
SalFitnessSummary *sal_fitness_summary_compute (GPtrArray           *workouts,
                                                const SalAthlete    *athlete,
                                                GTimeZone           *tz,
                                                const SalLoadParams *params,
                                                gint64               first_day,
                                                gint64               last_day);

/* The same from the store (every workout up to last_day). */
SalFitnessSummary *sal_store_fitness_summary (SalStore            *store,
                                              GTimeZone           *tz,
                                              const SalLoadParams *params,
                                              gint64               first_day,
                                              gint64               last_day,
                                              GError             **error);

/* "YYYY-MM-DD" of a local day number, and back (FALSE on anything else). */
char     *sal_day_to_string   (gint64 day);
gboolean  sal_day_from_string (const char *s, gint64 *day);

/* Weekly volume by sport: weeks start on Monday. */
typedef struct {
  gint64  monday;             /* local day number of the week's Monday */
  double  duration_s[6];      /* by SalSportIndex */
  double  distance_m[6];
  int     n_sessions;
} SalWeekVolume;

typedef enum {
  SAL_SPORT_RUNNING, SAL_SPORT_CYCLING, SAL_SPORT_SWIMMING, SAL_SPORT_WALKING,
  SAL_SPORT_STRENGTH, SAL_SPORT_OTHER, SAL_N_SPORTS
} SalSportIndex;

SalSportIndex sal_sport_index (const char *sport);
gint64        sal_day_monday  (gint64 day);
/* Of SalWeekVolume for the n_weeks weeks ending with the week of last_day. */
GArray *sal_weekly_volume (GPtrArray *workouts, GTimeZone *tz, gint64 last_day, int n_weeks);

/* Seconds spent in each heart-rate zone (zones of the athlete, n_zones entries of out),
 * each sample's HR held until the next one (gaps over 60 s are pauses). Returns the
 * number of seconds counted. */
double sal_time_in_zones (const GArray *samples, const GArray *zones, double *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SalFitnessSummary, sal_fitness_summary_free)

G_END_DECLS
