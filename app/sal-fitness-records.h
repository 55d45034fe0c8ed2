/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "sal-store.h"
#include "sal-workout.h"

G_BEGIN_DECLS

/* Personal records and weekly goal progress of the Fitness workspace (no GTK). */

/* 1 km, 5 km, 10 km, half marathon (21 097.5 m), marathon (42 195 m). */
extern const double sal_effort_distances_m[SAL_N_EFFORTS];
/* "1k", "5k", "10k", "half-marathon", "marathon" */
extern const char *const sal_effort_ids[SAL_N_EFFORTS];

/* A run's best efforts: for each distance, the shortest time over any stretch of the
 * samples' cumulative distance (sal_best_effort_s: a sliding window over distance,
 * interpolated inside samples). NAN when the run is shorter or has no samples. Only
 * running counts: a ride's "best 5 km" is not a running record. */
void sal_workout_efforts_compute (const SalWorkout *w, SalWorkoutEfforts *out);

typedef struct {
  double best_s[SAL_N_EFFORTS];     /* NAN: none yet */
  gint64 best_id[SAL_N_EFFORTS];    /* workout ids, 0: none */
  double longest_s;                 /* the longest session (any sport), by duration */
  gint64 longest_id;
  double most_load;                 /* the session with the highest load */
  gint64 most_load_id;
} SalPersonalRecords;

void sal_personal_records_init         (SalPersonalRecords *pr);
/* Ties keep the earlier record (the one added first). */
void sal_personal_records_add_efforts  (SalPersonalRecords *pr, const SalWorkoutEfforts *e);
void sal_personal_records_add_session  (SalPersonalRecords *pr, const SalWorkout *w, double load);
/* Whether workout id holds any record (the detail marks it). */
gboolean sal_personal_records_holds    (const SalPersonalRecords *pr, gint64 id);

/* A goal's amount done in the week from local day `monday` (7 days), in its SI unit
 * (metres, seconds or sessions), from the workouts (of its sport, when it has one). */
double sal_goal_done (const SalGoal *g, GPtrArray *workouts, GTimeZone *tz, gint64 monday);

G_END_DECLS
