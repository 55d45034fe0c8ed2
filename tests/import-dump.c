/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Developer tool (not installed, not a test): imports one file with Salient's
 * importers and prints every workout, lap and sample as JSON, so
 * tools/make-import-fixtures.sh can compare the FIT decoder with an
 * independent one. Usage: import-dump FILE */

#include "config.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>

#include "sal-import.h"

static void
add_number (JsonBuilder *b, const char *key, double v)
{
  json_builder_set_member_name (b, key);
  if (isnan (v))
    json_builder_add_null_value (b);
  else
    json_builder_add_double_value (b, v);
}

int
main (int argc, char **argv)
{
  g_auto(SalImportResult) result = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  if (argc != 2)
    {
      fprintf (stderr, "usage: import-dump FILE\n");
      return 2;
    }
  if (!sal_import_file (argv[1], NULL, &result, &error))
    {
      fprintf (stderr, "import-dump: %s\n", error->message);
      return 1;
    }
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, sal_file_format_id (result.format));
  json_builder_set_member_name (b, "workouts");
  json_builder_begin_array (b);
  for (guint i = 0; result.workouts != NULL && i < result.workouts->len; i++)
    {
      const SalWorkout *w = g_ptr_array_index (result.workouts, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "sport");
      json_builder_add_string_value (b, w->sport);
      json_builder_set_member_name (b, "start_ms");
      json_builder_add_int_value (b, w->start_ms);
      add_number (b, "duration_s", w->duration_s);
      add_number (b, "distance_m", w->distance_m);
      add_number (b, "avg_hr", w->avg_hr_bpm);
      add_number (b, "max_hr", w->max_hr_bpm);
      json_builder_set_member_name (b, "laps");
      json_builder_begin_array (b);
      for (guint k = 0; k < w->laps->len; k++)
        {
          const SalLap *l = &g_array_index (w->laps, SalLap, k);
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "start_ms");
          json_builder_add_int_value (b, l->start_ms);
          add_number (b, "duration_s", l->duration_s);
          add_number (b, "distance_m", l->distance_m);
          add_number (b, "avg_hr", l->avg_hr_bpm);
          add_number (b, "max_hr", l->max_hr_bpm);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_set_member_name (b, "samples");
      json_builder_begin_array (b);
      for (guint k = 0; k < w->samples->len; k++)
        {
          const SalSample *s = &g_array_index (w->samples, SalSample, k);
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "time_ms");
          json_builder_add_int_value (b, s->time_ms);
          add_number (b, "lat", s->lat_deg);
          add_number (b, "lon", s->lon_deg);
          add_number (b, "elevation_m", s->elevation_m);
          add_number (b, "distance_m", s->distance_m);
          add_number (b, "speed_mps", s->speed_mps);
          add_number (b, "heart_rate", s->heart_rate_bpm);
          add_number (b, "cadence", s->cadence_rpm);
          add_number (b, "power", s->power_w);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, NULL);
  puts (text);
  return 0;
}
