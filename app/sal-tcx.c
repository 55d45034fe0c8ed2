/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-import"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "sal-import-util.h"
#include "sal-tcx.h"
#include "sal-xml.h"

typedef struct {
  SalXmlTrack t;              /* first: the state is sal_xml_track_read's user_data */
  SalWorkout *act;            /* the open <Activity> */
  gboolean    in_lap;
  SalLap      lap;
} TcxState;

static void
set_str (char **field, const char *value)
{
  g_free (*field);
  *field = g_strdup (value);
}

static gboolean
on_start (gpointer user_data, const SalXmlPath *path, const char **attrs, int n_attrs,
          GError **error)
{
  TcxState *st = user_data;
  const char *el = sal_xml_path_up (path, 0), *parent = sal_xml_path_up (path, 1);

  if (path->depth == 1)
    {
      if (strcmp (el, "TrainingCenterDatabase") != 0)
        {
          g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_UNSUPPORTED,
                       _("%s: not a TCX file (the root element is <%s>, not "
                         "<TrainingCenterDatabase>)"), st->t.name, el);
          return FALSE;
        }
    }
  else if (strcmp (el, "Activity") == 0 && strcmp (parent, "Activities") == 0)
    {
      g_autofree char *sport = sal_xml_attr (attrs, n_attrs, "Sport");

      g_clear_pointer (&st->act, sal_workout_free);
      st->act = sal_workout_new ();
      set_str (&st->act->sport, sal_import_sport_id (sport));
    }
  else if (st->act == NULL)
    return TRUE;
  else if (strcmp (el, "Lap") == 0 && strcmp (parent, "Activity") == 0)
    {
      g_autofree char *start = sal_xml_attr (attrs, n_attrs, "StartTime");

      st->lap = (SalLap) { 0, NAN, NAN, NAN, NAN };
      st->in_lap = TRUE;
      if (start != NULL && !sal_xml_time (st->t.name, path->line, start, &st->lap.start_ms, error))
        return FALSE;
    }
  else if (strcmp (el, "Trackpoint") == 0 && st->in_lap)
    {
      if (!sal_xml_track_begin_point (&st->t, path->line, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
end_point (TcxState *st, GError **error)
{
  SalSample *s = &st->t.point;
  GArray *samples = st->act->samples;

  st->t.in_point = FALSE;
  if (st->t.point_time == NULL || st->t.point_time[0] == '\0')
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_INVALID,
                   _("%s: line %ld: track point without a time"), st->t.name, st->t.point_line);
      return FALSE;
    }
  if (!sal_xml_track_end_point (&st->t, samples, error))
    return FALSE;
  if (isnan (s->lat_deg) != isnan (s->lon_deg) || !sal_import_coords_valid (s->lat_deg, s->lon_deg))
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_INVALID,
                   _("%s: line %ld: impossible coordinates (latitude %g, longitude %g)"),
                   st->t.name, st->t.point_line, s->lat_deg, s->lon_deg);
      return FALSE;
    }
  g_array_append_val (samples, *s);
  return TRUE;
}

/* Summary from laps where they say it; sal_import_complete_summary fills the rest. */
static void
summarise_laps (SalWorkout *w)
{
  double time = 0, dist = 0, hr_weighted = 0, hr_time = 0, max_hr = NAN;
  gboolean have_time = FALSE, have_dist = FALSE;

  for (guint i = 0; i < w->laps->len; i++)
    {
      const SalLap *l = &g_array_index (w->laps, SalLap, i);

      if (i == 0 && l->start_ms != 0 && w->start_ms == 0)
        w->start_ms = l->start_ms;
      if (!isnan (l->duration_s))
        {
          time += l->duration_s;
          have_time = TRUE;
        }
      if (!isnan (l->distance_m))
        {
          dist += l->distance_m;
          have_dist = TRUE;
        }
      if (!isnan (l->avg_hr_bpm) && !isnan (l->duration_s) && l->duration_s > 0)
        {
          hr_weighted += l->avg_hr_bpm * l->duration_s;
          hr_time += l->duration_s;
        }
      if (!isnan (l->max_hr_bpm))
        max_hr = isnan (max_hr) ? l->max_hr_bpm : MAX (max_hr, l->max_hr_bpm);
    }
  if (have_time)
    w->duration_s = time;
  if (have_dist)
    w->distance_m = dist;
  if (hr_time > 0)
    w->avg_hr_bpm = hr_weighted / hr_time;
  w->max_hr_bpm = max_hr;
}

static gboolean
end_activity (TcxState *st, GError **error)
{
  SalWorkout *w = g_steal_pointer (&st->act);

  if (st->t.out->len >= st->t.max_workouts)
    {
      sal_workout_free (w);
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_TOO_LARGE,
                   _("%s: more than %u activities, the most allowed"), st->t.name,
                   st->t.max_workouts);
      return FALSE;
    }
  summarise_laps (w);
  sal_import_complete_summary (w);
  w->source = g_strdup (st->t.name);
  g_ptr_array_add (st->t.out, w);
  return TRUE;
}

static gboolean
on_end (gpointer user_data, const SalXmlPath *path, const char *text, GError **error)
{
  TcxState *st = user_data;
  const char *el = sal_xml_path_up (path, 0), *parent = sal_xml_path_up (path, 1);

  if (st->act == NULL)
    return TRUE;
  if (st->t.in_point)
    {
      SalSample *s = &st->t.point;

      if (strcmp (el, "Trackpoint") == 0)
        return end_point (st, error);
      if (strcmp (parent, "Trackpoint") == 0)
        {
          if (strcmp (el, "Time") == 0)
            set_str (&st->t.point_time, text);
          else if (strcmp (el, "AltitudeMeters") == 0)
            return sal_xml_number (st->t.name, path, text, &s->elevation_m, error);
          else if (strcmp (el, "DistanceMeters") == 0)
            return sal_xml_number (st->t.name, path, text, &s->distance_m, error);
          else if (strcmp (el, "Cadence") == 0)
            return sal_xml_number (st->t.name, path, text, &s->cadence_rpm, error);
          return TRUE;
        }
      if (strcmp (parent, "Position") == 0)
        {
          if (strcmp (el, "LatitudeDegrees") == 0)
            return sal_xml_number (st->t.name, path, text, &s->lat_deg, error);
          if (strcmp (el, "LongitudeDegrees") == 0)
            return sal_xml_number (st->t.name, path, text, &s->lon_deg, error);
          return TRUE;
        }
      if (strcmp (el, "Value") == 0 && strcmp (parent, "HeartRateBpm") == 0)
        return sal_xml_number (st->t.name, path, text, &s->heart_rate_bpm, error);
      if (sal_xml_path_has (path, "Extensions"))
        {
          if (strcmp (el, "Speed") == 0)
            return sal_xml_number (st->t.name, path, text, &s->speed_mps, error);
          if (strcmp (el, "Watts") == 0)
            return sal_xml_number (st->t.name, path, text, &s->power_w, error);
          if (strcmp (el, "RunCadence") == 0 && isnan (s->cadence_rpm))
            return sal_xml_number (st->t.name, path, text, &s->cadence_rpm, error);
        }
      return TRUE;
    }
  if (st->in_lap)
    {
      if (strcmp (el, "Lap") == 0)
        {
          st->in_lap = FALSE;
          g_array_append_val (st->act->laps, st->lap);
        }
      else if (strcmp (parent, "Lap") == 0 && strcmp (el, "TotalTimeSeconds") == 0)
        return sal_xml_number (st->t.name, path, text, &st->lap.duration_s, error);
      else if (strcmp (parent, "Lap") == 0 && strcmp (el, "DistanceMeters") == 0)
        return sal_xml_number (st->t.name, path, text, &st->lap.distance_m, error);
      else if (strcmp (el, "Value") == 0 && strcmp (parent, "AverageHeartRateBpm") == 0)
        return sal_xml_number (st->t.name, path, text, &st->lap.avg_hr_bpm, error);
      else if (strcmp (el, "Value") == 0 && strcmp (parent, "MaximumHeartRateBpm") == 0)
        return sal_xml_number (st->t.name, path, text, &st->lap.max_hr_bpm, error);
      return TRUE;
    }
  if (strcmp (el, "Activity") == 0)
    return end_activity (st, error);
  if (strcmp (parent, "Activity") == 0)
    {
      if (strcmp (el, "Id") == 0 && text[0] != '\0')
        return sal_xml_time (st->t.name, path->line, text, &st->act->start_ms, error);
      if (strcmp (el, "Notes") == 0 && text[0] != '\0')
        set_str (&st->act->notes, text);
    }
  return TRUE;
}

GPtrArray *
sal_tcx_read (GBytes *bytes, const char *name, const SalImportLimits *limits, GError **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) sal_workout_free);
  TcxState st = { .t.out = out };
  gboolean ok;

  ok = sal_xml_track_read (&st.t, bytes, name, "TCX", limits, on_start, on_end, error);
  g_clear_pointer (&st.act, sal_workout_free);
  if (!ok)
    return NULL;
  if (out->len == 0)
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_INVALID,
                   _("%s: the file holds no activity (courses and workout plans are not "
                     "imported)"), st.t.name);
      return NULL;
    }
  return g_steal_pointer (&out);
}
