/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Daily training-load series, weekly volume and zone time from stored workouts. */
#define G_LOG_DOMAIN "sal-fitness"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sal-fitness-summary.h"

#define DEFAULT_HR_REST 60.0
#define DEFAULT_HR_MAX  190.0
#define MAX_GAP_S       60.0
#define EPOCH_JULIAN    719163   /* GDate's Julian day of 1970-01-01 */

const char *
sal_load_source_id (SalLoadSource source)
{
  switch (source)
    {
    case SAL_LOAD_SOURCE_HR_SAMPLES: return "hr-samples";
    case SAL_LOAD_SOURCE_HR_AVERAGE: return "hr-average";
    case SAL_LOAD_SOURCE_RPE:        return "rpe";
    case SAL_LOAD_SOURCE_NONE:
    default:                         return "none";
    }
}

static void
athlete_hr (const SalAthlete *a, double *rest, double *max, SalSex *sex)
{
  *rest = DEFAULT_HR_REST;
  *max = DEFAULT_HR_MAX;
  *sex = SAL_SEX_MALE;
  if (a == NULL)
    return;
  if (a->resting_hr_bpm > 0)
    *rest = a->resting_hr_bpm;
  if (a->max_hr_bpm > *rest)
    *max = a->max_hr_bpm;
  if (a->sex != NULL && g_str_equal (a->sex, "female"))
    *sex = SAL_SEX_FEMALE;
}

double
sal_workout_session_load (const SalWorkout *w, const SalAthlete *athlete, SalLoadSource *source)
{
  double rest, max, load;
  SalSex sex;
  SalLoadSource dummy;

  if (source == NULL)
    source = &dummy;
  athlete_hr (athlete, &rest, &max, &sex);
  if (w->samples != NULL && w->samples->len > 1)
    {
      load = sal_trimp_banister_samples (w->samples, rest, max, sex);
      if (!isnan (load))
        {
          *source = SAL_LOAD_SOURCE_HR_SAMPLES;
          return load;
        }
    }
  if (!isnan (w->avg_hr_bpm) && w->avg_hr_bpm > 0 && w->duration_s > 0)
    {
      load = sal_trimp_banister (w->duration_s / 60.0, w->avg_hr_bpm, rest, max, sex);
      if (!isnan (load))
        {
          *source = SAL_LOAD_SOURCE_HR_AVERAGE;
          return load;
        }
    }
  if (!isnan (w->rpe) && w->duration_s > 0)
    {
      *source = SAL_LOAD_SOURCE_RPE;
      return sal_session_rpe_load (w->rpe, w->duration_s / 60.0);
    }
  *source = SAL_LOAD_SOURCE_NONE;
  return 0;
}

void
sal_fitness_summary_free (SalFitnessSummary *s)
{
  if (s == NULL)
    return;
  g_free (s->days);
  g_free (s->n_sessions);
  g_free (s->duration_s);
  g_free (s->distance_m);
  g_free (s);
}

SalFitnessSummary *
sal_fitness_summary_compute (GPtrArray           *workouts,
                             const SalAthlete    *athlete,
                             GTimeZone           *tz,
                             const SalLoadParams *params,
                             gint64               first_day,
                             gint64               last_day)
{
  SalFitnessSummary *s = g_new0 (SalFitnessSummary, 1);
  gint64 start = first_day;
  int n_all, off;
  g_autofree double *loads = NULL;
  g_autofree SalDayLoad *all = NULL;

  g_return_val_if_fail (last_day >= first_day, s);

  /* Warm up from the first workout: CTL needs the whole history. */
  for (guint i = 0; i < workouts->len; i++)
    {
      const SalWorkout *w = g_ptr_array_index (workouts, i);
      gint64 d = sal_local_day (w->start_ms, tz);
      if (d < start)
        start = d;
    }
  n_all = (int) (last_day - start + 1);
  off = (int) (first_day - start);
  loads = g_new0 (double, n_all);
  all = g_new0 (SalDayLoad, n_all);

  s->first_day = first_day;
  s->n_days = (int) (last_day - first_day + 1);
  s->days = g_new0 (SalDayLoad, s->n_days);
  s->n_sessions = g_new0 (int, s->n_days);
  s->duration_s = g_new0 (double, s->n_days);
  s->distance_m = g_new0 (double, s->n_days);

  for (guint i = 0; i < workouts->len; i++)
    {
      const SalWorkout *w = g_ptr_array_index (workouts, i);
      gint64 d = sal_local_day (w->start_ms, tz) - start;
      int j;

      if (d < 0 || d >= n_all)
        continue;
      loads[d] += sal_workout_session_load (w, athlete, NULL);
      j = (int) d - off;
      if (j < 0)
        continue;
      s->n_sessions[j]++;
      if (!isnan (w->duration_s))
        s->duration_s[j] += w->duration_s;
      if (!isnan (w->distance_m))
        s->distance_m[j] += w->distance_m;
    }
  sal_daily_load_series (loads, n_all, params, all);
  memcpy (s->days, all + off, sizeof (SalDayLoad) * s->n_days);
  return s;
}

SalFitnessSummary *
sal_store_fitness_summary (SalStore            *store,
                           GTimeZone           *tz,
                           const SalLoadParams *params,
                           gint64               first_day,
                           gint64               last_day,
                           GError             **error)
{
  g_autoptr(GPtrArray) workouts = NULL;
  g_autoptr(SalAthlete) athlete = NULL;
  GError *local = NULL;

  if (last_day < first_day)
    {
      g_set_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_INVALID,
                   "the last day comes before the first");
      return NULL;
    }
  athlete = sal_store_get_athlete (store, &local);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return NULL;
    }
  /* A day later than last_day in UTC covers every time zone. */
  workouts = sal_store_list_workouts (store, G_MININT64, (last_day + 2) * 86400000, error);
  if (workouts == NULL)
    return NULL;
  return sal_fitness_summary_compute (workouts, athlete, tz, params, first_day, last_day);
}

char *
sal_day_to_string (gint64 day)
{
  g_autoptr(GDate) date = g_date_new_julian ((guint32) (day + EPOCH_JULIAN));
  return g_strdup_printf ("%04d-%02d-%02d", g_date_get_year (date), g_date_get_month (date),
                          g_date_get_day (date));
}

gboolean
sal_day_from_string (const char *s, gint64 *day)
{
  unsigned y, m, d;
  char tail;

  if (s == NULL || sscanf (s, "%4u-%2u-%2u%c", &y, &m, &d, &tail) != 3 || strlen (s) != 10)
    return FALSE;
  if (!g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y))
    return FALSE;
  {
    g_autoptr(GDate) date = g_date_new_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y);
    *day = (gint64) g_date_get_julian (date) - EPOCH_JULIAN;
  }
  return TRUE;
}

SalSportIndex
sal_sport_index (const char *sport)
{
  static const char * const names[] = { "running", "cycling", "swimming", "walking",
                                        "strength" };
  for (guint i = 0; sport != NULL && i < G_N_ELEMENTS (names); i++)
    if (g_str_equal (sport, names[i]))
      return (SalSportIndex) i;
  return SAL_SPORT_OTHER;
}

gint64
sal_day_monday (gint64 day)
{
  /* 1970-01-01 was a Thursday: (day + 3) mod 7 is 0 on Mondays. */
  gint64 r = (day + 3) % 7;
  if (r < 0)
    r += 7;
  return day - r;
}

GArray *
sal_weekly_volume (GPtrArray *workouts, GTimeZone *tz, gint64 last_day, int n_weeks)
{
  GArray *weeks = g_array_sized_new (FALSE, TRUE, sizeof (SalWeekVolume), n_weeks);
  gint64 first_monday = sal_day_monday (last_day) - 7 * (gint64) (n_weeks - 1);

  g_array_set_size (weeks, n_weeks);
  for (int i = 0; i < n_weeks; i++)
    g_array_index (weeks, SalWeekVolume, i).monday = first_monday + 7 * i;
  for (guint i = 0; i < workouts->len; i++)
    {
      const SalWorkout *w = g_ptr_array_index (workouts, i);
      gint64 d = sal_local_day (w->start_ms, tz);
      gint64 k;
      SalWeekVolume *v;
      SalSportIndex sport;

      if (d < first_monday || d > last_day)
        continue;
      k = (d - first_monday) / 7;
      v = &g_array_index (weeks, SalWeekVolume, k);
      sport = sal_sport_index (w->sport);
      if (!isnan (w->duration_s))
        v->duration_s[sport] += w->duration_s;
      if (!isnan (w->distance_m))
        v->distance_m[sport] += w->distance_m;
      v->n_sessions++;
    }
  return weeks;
}

double
sal_time_in_zones (const GArray *samples, const GArray *zones, double *out)
{
  double total = 0;

  for (guint z = 0; z < zones->len; z++)
    out[z] = 0;
  if (samples == NULL)
    return 0;
  for (guint i = 0; i + 1 < samples->len; i++)
    {
      const SalSample *s = &g_array_index (samples, SalSample, i);
      const SalSample *next = &g_array_index (samples, SalSample, i + 1);
      double dt = (next->time_ms - s->time_ms) / 1000.0;
      double hr = s->heart_rate_bpm;

      if (isnan (hr) || dt <= 0 || dt > MAX_GAP_S)
        continue;
      /* A zone is [low, high); below zone 1 counts in zone 1, above the top in the top. */
      for (guint z = 0; z < zones->len; z++)
        {
          const SalHrZone *zone = &g_array_index (zones, SalHrZone, z);
          if (hr < zone->high_bpm || z + 1 == zones->len)
            {
              out[z] += dt;
              total += dt;
              break;
            }
        }
    }
  return total;
}
