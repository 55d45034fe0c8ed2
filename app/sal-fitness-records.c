/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Personal records and weekly goal progress (see sal-fitness-records.h). */
#define G_LOG_DOMAIN "sal-fitness"

#include "config.h"

#include <math.h>
#include <string.h>

#include "sal-fitness-records.h"
#include "sal-fitness-summary.h"
#include "sal-training-load.h"

const double sal_effort_distances_m[SAL_N_EFFORTS] = { 1000, 5000, 10000, 21097.5, 42195 };
const char *const sal_effort_ids[SAL_N_EFFORTS] = { "1k", "5k", "10k", "half-marathon",
                                                    "marathon" };

void
sal_workout_efforts_compute (const SalWorkout *w, SalWorkoutEfforts *out)
{
  gboolean run = sal_sport_index (w->sport) == SAL_SPORT_RUNNING;

  out->workout_id = w->id;
  for (int k = 0; k < SAL_N_EFFORTS; k++)
    out->best_s[k] = run && w->samples != NULL && w->samples->len > 1
                       ? sal_best_effort_s (w->samples, sal_effort_distances_m[k]) : NAN;
}

void
sal_personal_records_init (SalPersonalRecords *pr)
{
  memset (pr, 0, sizeof *pr);
  for (int k = 0; k < SAL_N_EFFORTS; k++)
    pr->best_s[k] = NAN;
  pr->longest_s = NAN;
  pr->most_load = NAN;
}

void
sal_personal_records_add_efforts (SalPersonalRecords *pr, const SalWorkoutEfforts *e)
{
  for (int k = 0; k < SAL_N_EFFORTS; k++)
    if (isfinite (e->best_s[k]) && e->best_s[k] > 0
        && (isnan (pr->best_s[k]) || e->best_s[k] < pr->best_s[k]))
      {
        pr->best_s[k] = e->best_s[k];
        pr->best_id[k] = e->workout_id;
      }
}

void
sal_personal_records_add_session (SalPersonalRecords *pr, const SalWorkout *w, double load)
{
  if (isfinite (w->duration_s) && w->duration_s > 0
      && (isnan (pr->longest_s) || w->duration_s > pr->longest_s))
    {
      pr->longest_s = w->duration_s;
      pr->longest_id = w->id;
    }
  if (isfinite (load) && load > 0 && (isnan (pr->most_load) || load > pr->most_load))
    {
      pr->most_load = load;
      pr->most_load_id = w->id;
    }
}

gboolean
sal_personal_records_holds (const SalPersonalRecords *pr, gint64 id)
{
  if (id == 0)
    return FALSE;
  for (int k = 0; k < SAL_N_EFFORTS; k++)
    if (pr->best_id[k] == id)
      return TRUE;
  return pr->longest_id == id || pr->most_load_id == id;
}

double
sal_goal_done (const SalGoal *g, GPtrArray *workouts, GTimeZone *tz, gint64 monday)
{
  double done = 0;

  for (guint i = 0; i < workouts->len; i++)
    {
      const SalWorkout *w = g_ptr_array_index (workouts, i);
      gint64 day = sal_local_day (w->start_ms, tz);

      if (day < monday || day > monday + 6)
        continue;
      if (g->sport != NULL && sal_sport_index (g->sport) != sal_sport_index (w->sport))
        continue;
      switch (g->kind)
        {
        case SAL_GOAL_DISTANCE:
          done += isfinite (w->distance_m) ? w->distance_m : 0;
          break;
        case SAL_GOAL_TIME:
          done += isfinite (w->duration_s) ? w->duration_s : 0;
          break;
        case SAL_GOAL_SESSIONS:
        default:
          done += 1;
          break;
        }
    }
  return done;
}
