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
  const char *name;
  guint       max_samples;
  guint       n_samples;
} TcxCtx;

static gboolean
number (TcxCtx *ctx, xmlNode *node, double *out, GError **error)
{
  g_autofree char *text = NULL;

  if (node == NULL)
    return TRUE;
  text = sal_xml_text (node);
  if (text[0] == '\0')
    return TRUE;
  if (!sal_import_parse_double (text, out))
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_MALFORMED,
                   _("%s: line %ld: <%s> holds “%s”, not a number"), ctx->name,
                   xmlGetLineNo (node), (const char *) node->name, text);
      return FALSE;
    }
  return TRUE;
}

static gboolean
time_of (TcxCtx *ctx, xmlNode *node, const char *text, gint64 *out, GError **error)
{
  if (!sal_import_parse_time (text, out))
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_MALFORMED,
                   _("%s: line %ld: “%s” is not a valid time"), ctx->name,
                   xmlGetLineNo (node), text);
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_trackpoint (TcxCtx *ctx, xmlNode *tp, SalWorkout *w, GError **error)
{
  SalSample s = sal_sample_empty ();
  xmlNode *pos = sal_xml_child (tp, "Position");
  xmlNode *ext = sal_xml_child (tp, "Extensions");
  g_autofree char *time = sal_xml_text (sal_xml_child (tp, "Time"));
  long line = xmlGetLineNo (tp);

  if (++ctx->n_samples > ctx->max_samples)
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_TOO_LARGE,
                   _("%s: more than %u track points, the most allowed"), ctx->name,
                   ctx->max_samples);
      return FALSE;
    }
  if (time[0] == '\0')
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_INVALID,
                   _("%s: line %ld: track point without a time"), ctx->name, line);
      return FALSE;
    }
  if (!time_of (ctx, tp, time, &s.time_ms, error))
    return FALSE;
  if (w->samples->len > 0
      && s.time_ms < g_array_index (w->samples, SalSample, w->samples->len - 1).time_ms)
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_INVALID,
                   _("%s: line %ld: time goes backwards (%s comes after a later point)"),
                   ctx->name, line, time);
      return FALSE;
    }
  if (pos != NULL)
    {
      if (!number (ctx, sal_xml_child (pos, "LatitudeDegrees"), &s.lat_deg, error)
          || !number (ctx, sal_xml_child (pos, "LongitudeDegrees"), &s.lon_deg, error))
        return FALSE;
      if (isnan (s.lat_deg) != isnan (s.lon_deg) || !sal_import_coords_valid (s.lat_deg, s.lon_deg))
        {
          g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_INVALID,
                       _("%s: line %ld: impossible coordinates (latitude %g, longitude %g)"),
                       ctx->name, line, s.lat_deg, s.lon_deg);
          return FALSE;
        }
    }
  if (!number (ctx, sal_xml_child (tp, "AltitudeMeters"), &s.elevation_m, error)
      || !number (ctx, sal_xml_child (tp, "DistanceMeters"), &s.distance_m, error)
      || !number (ctx, sal_xml_child (sal_xml_child (tp, "HeartRateBpm"), "Value"),
                  &s.heart_rate_bpm, error)
      || !number (ctx, sal_xml_child (tp, "Cadence"), &s.cadence_rpm, error))
    return FALSE;
  if (ext != NULL)
    {
      if (!number (ctx, sal_xml_descendant (ext, "Speed"), &s.speed_mps, error)
          || !number (ctx, sal_xml_descendant (ext, "Watts"), &s.power_w, error))
        return FALSE;
      if (isnan (s.cadence_rpm)
          && !number (ctx, sal_xml_descendant (ext, "RunCadence"), &s.cadence_rpm, error))
        return FALSE;
    }
  g_array_append_val (w->samples, s);
  return TRUE;
}

static gboolean
read_lap (TcxCtx *ctx, xmlNode *lap, SalWorkout *w, GError **error)
{
  SalLap l = { 0, NAN, NAN, NAN, NAN };
  g_autofree char *start = sal_xml_attr (lap, "StartTime");

  if (start != NULL && !time_of (ctx, lap, start, &l.start_ms, error))
    return FALSE;
  if (!number (ctx, sal_xml_child (lap, "TotalTimeSeconds"), &l.duration_s, error)
      || !number (ctx, sal_xml_child (lap, "DistanceMeters"), &l.distance_m, error)
      || !number (ctx, sal_xml_child (sal_xml_child (lap, "AverageHeartRateBpm"), "Value"),
                  &l.avg_hr_bpm, error)
      || !number (ctx, sal_xml_child (sal_xml_child (lap, "MaximumHeartRateBpm"), "Value"),
                  &l.max_hr_bpm, error))
    return FALSE;
  for (xmlNode *track = sal_xml_child (lap, "Track"); track != NULL;
       track = sal_xml_next (track, "Track"))
    for (xmlNode *tp = sal_xml_child (track, "Trackpoint"); tp != NULL;
         tp = sal_xml_next (tp, "Trackpoint"))
      if (!read_trackpoint (ctx, tp, w, error))
        return FALSE;
  g_array_append_val (w->laps, l);
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

static SalWorkout *
read_activity (TcxCtx *ctx, xmlNode *act, GError **error)
{
  g_autoptr(SalWorkout) w = sal_workout_new ();
  g_autofree char *sport = sal_xml_attr (act, "Sport");
  xmlNode *id = sal_xml_child (act, "Id");
  g_autofree char *notes = sal_xml_text (sal_xml_child (act, "Notes"));

  g_free (w->sport);
  w->sport = g_strdup (sal_import_sport_id (sport));
  if (notes[0] != '\0')
    w->notes = g_steal_pointer (&notes);
  if (id != NULL)
    {
      g_autofree char *text = sal_xml_text (id);
      if (!time_of (ctx, id, text, &w->start_ms, error))
        return NULL;
    }
  for (xmlNode *lap = sal_xml_child (act, "Lap"); lap != NULL; lap = sal_xml_next (lap, "Lap"))
    if (!read_lap (ctx, lap, w, error))
      return NULL;
  summarise_laps (w);
  sal_import_complete_summary (w);
  return g_steal_pointer (&w);
}

GPtrArray *
sal_tcx_read (GBytes *bytes, const char *name, const SalImportLimits *limits, GError **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) sal_workout_free);
  g_autoptr(xmlDoc) doc = NULL;
  SalImportLimits lim;
  TcxCtx ctx = { 0 };
  xmlNode *root, *acts;

  sal_import_limits_resolve (limits, &lim);
  ctx.name = name != NULL ? name : "TCX";
  ctx.max_samples = lim.max_samples;
  if (g_bytes_get_size (bytes) > lim.max_bytes)
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_TOO_LARGE,
                   _("%s: the file is larger than the %" G_GSIZE_FORMAT " bytes allowed"),
                   ctx.name, lim.max_bytes);
      return NULL;
    }
  doc = sal_xml_parse (bytes, ctx.name, "TCX", error);
  if (doc == NULL)
    return NULL;
  root = xmlDocGetRootElement (doc);
  if (!sal_xml_is (root, "TrainingCenterDatabase"))
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_UNSUPPORTED,
                   _("%s: not a TCX file (the root element is <%s>, not "
                     "<TrainingCenterDatabase>)"), ctx.name,
                   root != NULL ? (const char *) root->name : "");
      return NULL;
    }
  acts = sal_xml_child (root, "Activities");
  for (xmlNode *act = sal_xml_child (acts, "Activity"); act != NULL;
       act = sal_xml_next (act, "Activity"))
    {
      SalWorkout *w = read_activity (&ctx, act, error);

      if (w == NULL)
        return NULL;
      if (out->len >= lim.max_workouts)
        {
          sal_workout_free (w);
          g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_TOO_LARGE,
                       _("%s: more than %u activities, the most allowed"), ctx.name,
                       lim.max_workouts);
          return NULL;
        }
      w->source = g_strdup (ctx.name);
      g_ptr_array_add (out, w);
    }
  if (out->len == 0)
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_INVALID,
                   _("%s: the file holds no activity (courses and workout plans are not "
                     "imported)"), ctx.name);
      return NULL;
    }
  return g_steal_pointer (&out);
}
