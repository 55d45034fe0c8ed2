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
  const char *name;
  guint       max_samples;
  guint       n_samples;
} GpxCtx;

/* Reads an optional number from a child element; an unparsable one is an error. */
static gboolean
child_number (GpxCtx *ctx, xmlNode *parent, xmlNode *child, double *out, GError **error)
{
  g_autofree char *text = NULL;

  if (child == NULL)
    return TRUE;
  text = sal_xml_text (child);
  if (text[0] == '\0')
    return TRUE;
  if (!sal_import_parse_double (text, out))
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_MALFORMED,
                   _("%s: line %ld: <%s> holds “%s”, not a number"), ctx->name,
                   xmlGetLineNo (child), (const char *) child->name, text);
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_extensions (GpxCtx *ctx, xmlNode *pt, SalSample *s, GError **error)
{
  xmlNode *ext = sal_xml_child (pt, "extensions");
  xmlNode *power;

  if (ext == NULL)
    return TRUE;
  if (!child_number (ctx, pt, sal_xml_descendant (ext, "hr"), &s->heart_rate_bpm, error)
      || !child_number (ctx, pt, sal_xml_descendant (ext, "cad"), &s->cadence_rpm, error)
      || !child_number (ctx, pt, sal_xml_descendant (ext, "speed"), &s->speed_mps, error))
    return FALSE;
  power = sal_xml_descendant (ext, "PowerInWatts");
  if (power == NULL)
    power = sal_xml_descendant (ext, "power");
  if (power == NULL)
    power = sal_xml_descendant (ext, "Watts");
  return child_number (ctx, pt, power, &s->power_w, error);
}

static gboolean
read_point (GpxCtx *ctx, xmlNode *pt, SalWorkout *w, GError **error)
{
  SalSample s = sal_sample_empty ();
  g_autofree char *lat = sal_xml_attr (pt, "lat");
  g_autofree char *lon = sal_xml_attr (pt, "lon");
  g_autofree char *time = NULL;
  long line = xmlGetLineNo (pt);

  if (++ctx->n_samples > ctx->max_samples)
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_TOO_LARGE,
                   _("%s: more than %u track points, the most allowed"), ctx->name,
                   ctx->max_samples);
      return FALSE;
    }
  if (lat == NULL || lon == NULL || !sal_import_parse_double (lat, &s.lat_deg)
      || !sal_import_parse_double (lon, &s.lon_deg))
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_MALFORMED,
                   _("%s: line %ld: track point without a valid lat and lon"), ctx->name, line);
      return FALSE;
    }
  if (!sal_import_coords_valid (s.lat_deg, s.lon_deg))
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_INVALID,
                   _("%s: line %ld: impossible coordinates (latitude %s, longitude %s)"),
                   ctx->name, line, lat, lon);
      return FALSE;
    }
  time = sal_xml_text (sal_xml_child (pt, "time"));
  if (time[0] == '\0')
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_INVALID,
                   _("%s: line %ld: track point without a time; Salient needs times to "
                     "import a workout"), ctx->name, line);
      return FALSE;
    }
  if (!sal_import_parse_time (time, &s.time_ms))
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_MALFORMED,
                   _("%s: line %ld: “%s” is not a valid time"), ctx->name, line, time);
      return FALSE;
    }
  if (w->samples->len > 0
      && s.time_ms < g_array_index (w->samples, SalSample, w->samples->len - 1).time_ms)
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_INVALID,
                   _("%s: line %ld: time goes backwards (%s comes after a later point)"),
                   ctx->name, line, time);
      return FALSE;
    }
  if (!child_number (ctx, pt, sal_xml_child (pt, "ele"), &s.elevation_m, error)
      || !read_extensions (ctx, pt, &s, error))
    return FALSE;
  g_array_append_val (w->samples, s);
  return TRUE;
}

static SalWorkout *
read_track (GpxCtx *ctx, xmlNode *trk, GError **error)
{
  g_autoptr(SalWorkout) w = sal_workout_new ();
  g_autofree char *type = sal_xml_text (sal_xml_child (trk, "type"));
  g_autofree char *title = sal_xml_text (sal_xml_child (trk, "name"));
  g_autofree char *desc = sal_xml_text (sal_xml_child (trk, "desc"));

  g_free (w->sport);
  w->sport = g_strdup (sal_import_sport_id (type));
  if (title[0] != '\0')
    w->title = g_steal_pointer (&title);
  if (desc[0] != '\0')
    w->notes = g_steal_pointer (&desc);
  for (xmlNode *seg = sal_xml_child (trk, "trkseg"); seg != NULL; seg = sal_xml_next (seg, "trkseg"))
    for (xmlNode *pt = sal_xml_child (seg, "trkpt"); pt != NULL; pt = sal_xml_next (pt, "trkpt"))
      if (!read_point (ctx, pt, w, error))
        return NULL;
  sal_import_complete_summary (w);
  return g_steal_pointer (&w);
}

GPtrArray *
sal_gpx_read (GBytes *bytes, const char *name, const SalImportLimits *limits, GError **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) sal_workout_free);
  g_autoptr(xmlDoc) doc = NULL;
  SalImportLimits lim;
  GpxCtx ctx = { 0 };
  xmlNode *root;

  sal_import_limits_resolve (limits, &lim);
  ctx.name = name != NULL ? name : "GPX";
  ctx.max_samples = lim.max_samples;
  if (g_bytes_get_size (bytes) > lim.max_bytes)
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_TOO_LARGE,
                   _("%s: the file is larger than the %" G_GSIZE_FORMAT " bytes allowed"),
                   ctx.name, lim.max_bytes);
      return NULL;
    }
  doc = sal_xml_parse (bytes, ctx.name, "GPX", error);
  if (doc == NULL)
    return NULL;
  root = xmlDocGetRootElement (doc);
  if (!sal_xml_is (root, "gpx"))
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_UNSUPPORTED,
                   _("%s: not a GPX file (the root element is <%s>, not <gpx>)"), ctx.name,
                   root != NULL ? (const char *) root->name : "");
      return NULL;
    }
  for (xmlNode *trk = sal_xml_child (root, "trk"); trk != NULL; trk = sal_xml_next (trk, "trk"))
    {
      SalWorkout *w = read_track (&ctx, trk, error);

      if (w == NULL)
        return NULL;
      if (w->samples->len == 0)
        {
          sal_workout_free (w);
          continue;
        }
      if (out->len >= lim.max_workouts)
        {
          sal_workout_free (w);
          g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_TOO_LARGE,
                       _("%s: more than %u tracks, the most allowed"), ctx.name,
                       lim.max_workouts);
          return NULL;
        }
      w->source = g_strdup (ctx.name);
      g_ptr_array_add (out, w);
    }
  if (out->len == 0)
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_INVALID,
                   _("%s: the file holds no track with points (routes and waypoints alone "
                     "are not workouts)"), ctx.name);
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
