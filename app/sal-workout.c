/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-app"

#include "sal-workout.h"

#include <math.h>

SalWorkout *
sal_workout_new (void)
{
  SalWorkout *w = g_new0 (SalWorkout, 1);

  w->sport = g_strdup ("other");
  w->distance_m = NAN;
  w->avg_hr_bpm = NAN;
  w->max_hr_bpm = NAN;
  w->rpe = NAN;
  w->samples = g_array_new (FALSE, TRUE, sizeof (SalSample));
  w->laps = g_array_new (FALSE, TRUE, sizeof (SalLap));
  return w;
}

void
sal_workout_free (SalWorkout *w)
{
  if (w == NULL)
    return;
  g_free (w->sport);
  g_free (w->title);
  g_free (w->notes);
  g_free (w->source);
  g_array_unref (w->samples);
  g_array_unref (w->laps);
  g_free (w);
}

SalSample
sal_sample_empty (void)
{
  SalSample s = { 0, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN };

  return s;
}
