/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-import"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "sal-gpx.h"
#include "sal-import-util.h"
#include "sal-xml.h"

typedef struct {
  SalXmlTrack t;            /* first: the state is sal_xml_track_read's user_data */
  SalWorkout *trk;          /* the open <trk> */
} GpxState;

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
  GpxState *st = user_data;
  const char *el = sal_xml_path_up (path, 0);

  if (path->depth == 1)
    {
      if (strcmp (el, "gpx") != 0)
        {
          g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_UNSUPPORTED,
                       _("%s: not a GPX file (the root element is <%s>, not <gpx>)"), st->t.name,
                       el);
          return FALSE;
        }
    }
  else if (path->depth == 2 && strcmp (el, "trk") == 0)
    {
      g_clear_pointer (&st->trk, sal_workout_free);
      st->trk = sal_workout_new ();
    }
  else if (strcmp (el, "trkpt") == 0 && st->trk != NULL && path->depth == 4)
    {
      g_autofree char *lat = sal_xml_attr (attrs, n_attrs, "lat");
      g_autofree char *lon = sal_xml_attr (attrs, n_attrs, "lon");

      if (!sal_xml_track_begin_point (&st->t, path->line, error))
        return FALSE;
      if (lat == NULL || lon == NULL || !sal_import_parse_double (lat, &st->t.point.lat_deg)
          || !sal_import_parse_double (lon, &st->t.point.lon_deg))
        {
          g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_MALFORMED,
                       _("%s: line %ld: track point without a valid lat and lon"), st->t.name,
                       path->line);
          return FALSE;
        }
      if (!sal_import_coords_valid (st->t.point.lat_deg, st->t.point.lon_deg))
        {
          g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_INVALID,
                       _("%s: line %ld: impossible coordinates (latitude %s, longitude %s)"),
                       st->t.name, path->line, lat, lon);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
end_point (GpxState *st, GError **error)
{
  SalSample *s = &st->t.point;
  GArray *samples = st->trk->samples;

  st->t.in_point = FALSE;
  if (st->t.point_time == NULL || st->t.point_time[0] == '\0')
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_INVALID,
                   _("%s: line %ld: track point without a time; Salient needs times to "
                     "import a workout"), st->t.name, st->t.point_line);
      return FALSE;
    }
  if (!sal_xml_track_end_point (&st->t, samples, error))
    return FALSE;
  g_array_append_val (samples, *s);
  return TRUE;
}

static gboolean
end_track (GpxState *st, GError **error)
{
  SalWorkout *w = g_steal_pointer (&st->trk);

  if (w->samples->len == 0)
    {
      sal_workout_free (w);
      return TRUE;
    }
  if (st->t.out->len >= st->t.max_workouts)
    {
      sal_workout_free (w);
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_TOO_LARGE,
                   _("%s: more than %u tracks, the most allowed"), st->t.name, st->t.max_workouts);
      return FALSE;
    }
  w->source = g_strdup (st->t.name);
  sal_import_complete_summary (w);
  g_ptr_array_add (st->t.out, w);
  return TRUE;
}

static gboolean
on_end (gpointer user_data, const SalXmlPath *path, const char *text, GError **error)
{
  GpxState *st = user_data;
  const char *el = sal_xml_path_up (path, 0), *parent = sal_xml_path_up (path, 1);

  if (st->t.in_point)
    {
      SalSample *s = &st->t.point;

      if (strcmp (el, "trkpt") == 0 && path->depth == 4)
        return end_point (st, error);
      if (strcmp (parent, "trkpt") == 0)
        {
          if (strcmp (el, "ele") == 0)
            return sal_xml_number (st->t.name, path, text, &s->elevation_m, error);
          if (strcmp (el, "time") == 0)
            {
              g_free (st->t.point_time);
              st->t.point_time = g_strdup (text);
            }
          else if (strcmp (el, "speed") == 0)      /* GPX 1.0 */
            return sal_xml_number (st->t.name, path, text, &s->speed_mps, error);
          return TRUE;
        }
      if (!sal_xml_path_has (path, "extensions"))
        return TRUE;
      /* Garmin TrackPointExtension hr/cad/speed; PowerExtension, <power> or <Watts> */
      if (strcmp (el, "hr") == 0)
        return sal_xml_number (st->t.name, path, text, &s->heart_rate_bpm, error);
      if (strcmp (el, "cad") == 0)
        return sal_xml_number (st->t.name, path, text, &s->cadence_rpm, error);
      if (strcmp (el, "speed") == 0)
        return sal_xml_number (st->t.name, path, text, &s->speed_mps, error);
      if (strcmp (el, "PowerInWatts") == 0 || strcmp (el, "power") == 0
          || strcmp (el, "Watts") == 0)
        return sal_xml_number (st->t.name, path, text, &s->power_w, error);
      return TRUE;
    }
  if (st->trk == NULL)
    return TRUE;
  if (path->depth == 2 && strcmp (el, "trk") == 0)
    return end_track (st, error);
  if (path->depth == 3 && text[0] != '\0')
    {
      if (strcmp (el, "name") == 0)
        set_str (&st->trk->title, text);
      else if (strcmp (el, "desc") == 0)
        set_str (&st->trk->notes, text);
      else if (strcmp (el, "type") == 0)
        set_str (&st->trk->sport, sal_import_sport_id (text));
    }
  return TRUE;
}

GPtrArray *
sal_gpx_read (GBytes *bytes, const char *name, const SalImportLimits *limits, GError **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) sal_workout_free);
  GpxState st = { .t.out = out };
  gboolean ok;

  ok = sal_xml_track_read (&st.t, bytes, name, "GPX", limits, on_start, on_end, error);
  g_clear_pointer (&st.trk, sal_workout_free);
  if (!ok)
    return NULL;
  if (out->len == 0)
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_INVALID,
                   _("%s: the file holds no track with points (routes and waypoints alone "
                     "are not workouts)"), st.t.name);
      return NULL;
    }
  return g_steal_pointer (&out);
}

static void
append_escaped (GString *out, const char *text)
{
  g_autofree char *esc = g_markup_escape_text (text, -1);

  g_string_append (out, esc);
}

static void
append_number_element (GString *out, const char *indent, const char *tag, double v,
                       int decimals)
{
  if (isnan (v))
    return;
  g_string_append_printf (out, "%s<%s>", indent, tag);
  sal_import_format_double (out, v, decimals);
  g_string_append_printf (out, "</%s>\n", tag);
}

static void
write_point (GString *out, const SalSample *s)
{
  g_autofree char *time = sal_import_format_time (s->time_ms);
  gboolean tpx = !isnan (s->heart_rate_bpm) || !isnan (s->cadence_rpm) || !isnan (s->speed_mps);

  g_string_append (out, "      <trkpt lat=\"");
  sal_import_format_double (out, s->lat_deg, 7);
  g_string_append (out, "\" lon=\"");
  sal_import_format_double (out, s->lon_deg, 7);
  g_string_append (out, "\">\n");
  append_number_element (out, "        ", "ele", s->elevation_m, 2);
  g_string_append_printf (out, "        <time>%s</time>\n", time);
  if (tpx || !isnan (s->power_w))
    {
      g_string_append (out, "        <extensions>\n");
      if (!isnan (s->power_w))
        {
          g_string_append (out, "          <gpxpx:PowerExtension>\n");
          append_number_element (out, "            ", "gpxpx:PowerInWatts", round (s->power_w), 0);
          g_string_append (out, "          </gpxpx:PowerExtension>\n");
        }
      if (tpx)
        {
          g_string_append (out, "          <gpxtpx:TrackPointExtension>\n");
          append_number_element (out, "            ", "gpxtpx:hr", round (s->heart_rate_bpm), 0);
          append_number_element (out, "            ", "gpxtpx:cad", round (s->cadence_rpm), 0);
          append_number_element (out, "            ", "gpxtpx:speed", s->speed_mps, 3);
          g_string_append (out, "          </gpxtpx:TrackPointExtension>\n");
        }
      g_string_append (out, "        </extensions>\n");
    }
  g_string_append (out, "      </trkpt>\n");
}

GBytes *
sal_gpx_write (GPtrArray *workouts)
{
  GString *out = g_string_sized_new (4096);

  g_string_append (out,
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<gpx version=\"1.1\" creator=\"Salient\"\n"
    "     xmlns=\"http://www.topografix.com/GPX/1/1\"\n"
    "     xmlns:gpxtpx=\"http://www.garmin.com/xmlschemas/TrackPointExtension/v2\"\n"
    "     xmlns:gpxpx=\"http://www.garmin.com/xmlschemas/PowerExtension/v1\"\n"
    "     xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"\n"
    "     xsi:schemaLocation=\"http://www.topografix.com/GPX/1/1 "
    "http://www.topografix.com/GPX/1/1/gpx.xsd\">\n");
  for (guint i = 0; i < workouts->len; i++)
    {
      const SalWorkout *w = g_ptr_array_index (workouts, i);

      g_string_append (out, "  <trk>\n");
      if (w->title != NULL)
        {
          g_string_append (out, "    <name>");
          append_escaped (out, w->title);
          g_string_append (out, "</name>\n");
        }
      if (w->notes != NULL)
        {
          g_string_append (out, "    <desc>");
          append_escaped (out, w->notes);
          g_string_append (out, "</desc>\n");
        }
      g_string_append (out, "    <type>");
      append_escaped (out, w->sport != NULL ? w->sport : "other");
      g_string_append (out, "</type>\n    <trkseg>\n");
      for (guint k = 0; k < w->samples->len; k++)
        {
          const SalSample *s = &g_array_index (w->samples, SalSample, k);
          if (!isnan (s->lat_deg) && !isnan (s->lon_deg))
            write_point (out, s);
        }
      g_string_append (out, "    </trkseg>\n  </trk>\n");
    }
  g_string_append (out, "</gpx>\n");
  return g_string_free_to_bytes (out);
}
