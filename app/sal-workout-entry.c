/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Checking what a person typed for a session. */
#define G_LOG_DOMAIN "sal-fitness"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sal-fitness-summary.h"
#include "sal-workout-entry.h"
#include "sal-units.h"

G_DEFINE_QUARK (sal-workout-entry-error-quark, sal_workout_entry_error)

static gboolean
empty (const char *s)
{
  if (s == NULL)
    return TRUE;
  while (g_ascii_isspace (*s))
    s++;
  return *s == '\0';
}

/* A number; "," is accepted as the decimal mark. */
static gboolean
parse_number (const char *text, double *out)
{
  g_autofree char *s = g_strstrip (g_strdup (text));
  char *end;

  g_strdelimit (s, ",", '.');
  *out = g_ascii_strtod (s, &end);
  return *s != '\0' && *end == '\0' && isfinite (*out);
}

gboolean
sal_parse_duration (const char *text, double *seconds)
{
  g_autofree char *s = NULL;
  g_auto(GStrv) parts = NULL;
  guint n;
  double total = 0;

  if (empty (text))
    return FALSE;
  s = g_strstrip (g_strdup (text));
  parts = g_strsplit (s, ":", -1);
  n = g_strv_length (parts);
  if (n == 1)
    {
      double minutes;
      if (!parse_number (parts[0], &minutes) || minutes <= 0 || minutes > 100000)
        return FALSE;
      *seconds = round (minutes * 60);
      return TRUE;
    }
  if (n > 3)
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      guint64 v;
      if (!g_ascii_string_to_unsigned (parts[i], 10, 0, i == 0 ? 10000 : 59, &v, NULL))
        return FALSE;
      total = total * 60 + (double) v;
    }
  if (total <= 0)
    return FALSE;
  *seconds = total;
  return TRUE;
}

static gboolean
parse_hr (const char *text, const char *which, double *out, GError **error)
{
  *out = NAN;
  if (empty (text))
    return TRUE;
  if (!parse_number (text, out) || *out < 25 || *out > 250)
    {
      g_set_error (error, SAL_WORKOUT_ENTRY_ERROR, SAL_WORKOUT_ENTRY_ERROR_HEART_RATE,
                   /* TRANSLATORS: %s is "average" or "maximum" */
                   _("The %s heart rate “%s” is not a number of beats per minute between 25 "
                     "and 250"), which, text);
      return FALSE;
    }
  return TRUE;
}

/* Each line "exercise, reps × load" (× or x; load optional, in kg or, with pounds, lb).
 * A load without a unit gets the athlete's, so the note says what was lifted. */
static gboolean
check_sets (const char *sets, gboolean pounds, GString *notes, GError **error)
{
  g_auto(GStrv) lines = g_strsplit (sets, "\n", -1);
  guint n = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);
      char *comma = strrchr (line, ',');
      unsigned reps = 0;
      double load = 0;
      char x[8];

      if (*line == '\0')
        continue;
      int fields = comma != NULL ? sscanf (comma + 1, " %u %7s %lf", &reps, x, &load) : 0;

      if (comma == NULL || comma == line || fields < 1 || reps == 0
          || reps > 1000 || load < 0 || load > (pounds ? 4400 : 2000))
        {
          g_set_error (error, SAL_WORKOUT_ENTRY_ERROR, SAL_WORKOUT_ENTRY_ERROR_SETS,
                       pounds ? _("Set %u (“%s”) should read like “squat, 5 × 180”: exercise, "
                                  "repetitions and the load in lb")
                              : _("Set %u (“%s”) should read like “squat, 5 × 80”: exercise, "
                                  "repetitions and the load in kg"), n + 1, line);
          return FALSE;
        }
      g_string_append_printf (notes, "%s%s", notes->len > 0 ? "\n" : "", line);
      if (fields == 3 && !g_str_has_suffix (line, "kg") && !g_str_has_suffix (line, "lb"))
        g_string_append (notes, pounds ? " lb" : " kg");
      n++;
    }
  return TRUE;
}

SalWorkout *
sal_workout_from_entry (const SalWorkoutEntry *e, GTimeZone *tz, GError **error)
{
  g_autoptr(SalWorkout) w = sal_workout_new ();
  g_autoptr(GDateTime) start = NULL;
  g_autoptr(GString) notes = g_string_new (NULL);
  gint64 day;
  unsigned hh = 0, mm = 0;
  char tail;

  if (!sal_day_from_string (e->date != NULL ? e->date : "", &day))
    {
      g_set_error (error, SAL_WORKOUT_ENTRY_ERROR, SAL_WORKOUT_ENTRY_ERROR_DATE,
                   _("The date “%s” is not a date like 2024-03-31"), e->date ? e->date : "");
      return NULL;
    }
  if (!empty (e->start)
      && (sscanf (e->start, "%2u:%2u%c", &hh, &mm, &tail) != 2 || hh > 23 || mm > 59))
    {
      g_set_error (error, SAL_WORKOUT_ENTRY_ERROR, SAL_WORKOUT_ENTRY_ERROR_START,
                   _("The start time “%s” is not a time like 07:30"), e->start);
      return NULL;
    }
  {
    g_autoptr(GDate) date = g_date_new_julian ((guint32) (day + 719163));
    start = g_date_time_new (tz, g_date_get_year (date), g_date_get_month (date),
                             g_date_get_day (date), (int) hh, (int) mm, 0);
  }
  w->start_ms = g_date_time_to_unix (start) * 1000;
  if (!sal_parse_duration (e->duration, &w->duration_s))
    {
      g_set_error (error, SAL_WORKOUT_ENTRY_ERROR, SAL_WORKOUT_ENTRY_ERROR_DURATION,
                   _("The duration “%s” is not a time like 45:00 or 1:05:00 (or minutes)"),
                   e->duration ? e->duration : "");
      return NULL;
    }
  if (!empty (e->distance_km))
    {
      if (!parse_number (e->distance_km, &w->distance_m) || w->distance_m < 0
          || w->distance_m > (e->miles ? 1250 : 2000))
        {
          g_set_error (error, SAL_WORKOUT_ENTRY_ERROR, SAL_WORKOUT_ENTRY_ERROR_DISTANCE,
                       e->miles ? _("The distance “%s” is not a number of miles between 0 and "
                                    "1250")
                                : _("The distance “%s” is not a number of kilometres between 0 "
                                    "and 2000"),
                       e->distance_km);
          return NULL;
        }
      w->distance_m *= e->miles ? SAL_METRES_PER_MILE : 1000;
    }
  if (!parse_hr (e->avg_hr, _("average"), &w->avg_hr_bpm, error)
      || !parse_hr (e->max_hr, _("maximum"), &w->max_hr_bpm, error))
    return NULL;
  if (isfinite (w->avg_hr_bpm) && isfinite (w->max_hr_bpm) && w->max_hr_bpm < w->avg_hr_bpm)
    {
      g_set_error (error, SAL_WORKOUT_ENTRY_ERROR, SAL_WORKOUT_ENTRY_ERROR_HEART_RATE,
                   _("The maximum heart rate (%.0f) is below the average (%.0f)"),
                   w->max_hr_bpm, w->avg_hr_bpm);
      return NULL;
    }
  if (!isnan (e->rpe) && (e->rpe < 0 || e->rpe > 10))
    {
      g_set_error (error, SAL_WORKOUT_ENTRY_ERROR, SAL_WORKOUT_ENTRY_ERROR_RPE,
                   _("The effort (RPE) must be between 0 and 10"));
      return NULL;
    }
  w->rpe = e->rpe;
  if (!empty (e->notes))
    g_string_append (notes, e->notes);
  if (!empty (e->sets) && !check_sets (e->sets, e->pounds, notes, error))
    return NULL;
  g_free (w->sport);
  w->sport = g_strdup (empty (e->sport) ? "other" : e->sport);
  w->title = empty (e->title) ? NULL : g_strdup (e->title);
  w->notes = notes->len > 0 ? g_strdup (notes->str) : NULL;
  return g_steal_pointer (&w);
}
