/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Shared by the importer tests (header-only): fixture paths and the value
 * formulas of tools/make-import-fixtures.py. */

#include <glib.h>
#include <math.h>
#include <string.h>

#include "sal-import.h"

#define T0_MS G_GINT64_CONSTANT (1714548600000)   /* 2024-05-01T07:30:00Z */
#define T1_MS G_GINT64_CONSTANT (1714582800000)   /* 2024-05-01T17:00:00Z */

static inline char *
fixture_path (const char *dir, const char *name)
{
  return g_build_filename (g_getenv ("SALIENT_SOURCE_DIR"), "tests", "fixtures", dir, name, NULL);
}

static inline GBytes *
fixture_bytes (const char *dir, const char *name)
{
  g_autofree char *path = fixture_path (dir, name);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, &error))
    g_error ("cannot read fixture %s: %s", path, error->message);
  return g_bytes_new_take (contents, len);
}

static inline double round_to (double v, int decimals)
{
  double f = pow (10, decimals);
  return round (v * f) / f;
}

/* Track 1, point i. */
static inline double t1_lat (int i) { return round_to (47.3769 + 0.0018 * sin (2 * G_PI * i / 120), 7); }
static inline double t1_lon (int i) { return round_to (8.5417 + 0.0027 * cos (2 * G_PI * i / 120), 7); }
static inline double t1_ele (int i) { return round_to (400 + 5 * sin (i / 10.0), 1); }
static inline double t1_hr (int i) { return 120 + i % 40; }
static inline double t1_cad (int i) { return 80 + i % 10; }
static inline double t1_power (int i) { return 200 + (7 * i) % 50; }
/* Track 2, point j. */
static inline double t2_lat (int j) { return round_to (46.0 + 0.0001 * j, 7); }
static inline double t2_lon (int j) { return round_to (7.0 - 0.0002 * j, 7); }
static inline double t2_hr (int j) { return 130 + j % 20; }
static inline double t2_power (int j) { return 250 + j % 30; }

static inline const SalSample *
sample_at (const SalWorkout *w, guint i)
{
  g_assert_cmpuint (i, <, w->samples->len);
  return &g_array_index (w->samples, SalSample, i);
}

/* Checks sample k of w against track 1 point i (lat/lon/ele tolerances given). */
static inline void
check_track1_point (const SalSample *s, int i, double pos_tol, double ele_tol, gboolean power)
{
  g_assert_cmpint (s->time_ms, ==, T0_MS + (gint64) i * 1000);
  g_assert_cmpfloat_with_epsilon (s->lat_deg, t1_lat (i), pos_tol);
  g_assert_cmpfloat_with_epsilon (s->lon_deg, t1_lon (i), pos_tol);
  g_assert_cmpfloat_with_epsilon (s->elevation_m, t1_ele (i), ele_tol);
  g_assert_cmpfloat (s->heart_rate_bpm, ==, t1_hr (i));
  g_assert_cmpfloat (s->cadence_rpm, ==, t1_cad (i));
  if (power)
    g_assert_cmpfloat (s->power_w, ==, t1_power (i));
  else
    g_assert_true (isnan (s->power_w));
}

/* Great-circle length of a workout's track (an implementation apart from the app's). */
static inline double
track_length_m (const SalWorkout *w)
{
  double sum = 0;

  for (guint i = 1; i < w->samples->len; i++)
    {
      const SalSample *a = sample_at (w, i - 1), *b = sample_at (w, i);
      double p1 = a->lat_deg * G_PI / 180, p2 = b->lat_deg * G_PI / 180;
      double dl = (b->lon_deg - a->lon_deg) * G_PI / 180;
      double c = sin (p1) * sin (p2) + cos (p1) * cos (p2) * cos (dl);
      sum += 6371008.8 * acos (CLAMP (c, -1.0, 1.0));
    }
  return sum;
}

/* Every file of the malformed corpus starting with prefix must fail through
 * sal_import_file with a message that starts with its name and an empty result. */
static inline guint
check_malformed_corpus (const char *prefix)
{
  g_autofree char *dir = fixture_path ("malformed", NULL);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint count = 0;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autoptr(GError) error = NULL;
      g_auto(SalImportResult) result = { 0 };

      if (!g_str_has_prefix (name, prefix))
        continue;
      path = g_build_filename (dir, name, NULL);
      if (sal_import_file (path, NULL, &result, &error))
        g_error ("%s was accepted", name);
      g_assert_nonnull (error);
      g_assert_true (error->domain == SAL_IMPORT_ERROR);
      if (!g_str_has_prefix (error->message, name))
        g_error ("message for %s does not name the file: %s", name, error->message);
      g_assert_null (result.workouts);
      g_assert_null (result.image);
      g_test_message ("%s", error->message);
      count++;
    }
  return count;
}

/* Imports a fixture expecting failure with code and words in the message. */
static inline void
expect_error (const char *dir, const char *name, int code, const char *words)
{
  g_autofree char *path = fixture_path (dir, name);
  g_autoptr(GError) error = NULL;
  g_auto(SalImportResult) result = { 0 };

  g_assert_false (sal_import_file (path, NULL, &result, &error));
  if (error == NULL || error->domain != SAL_IMPORT_ERROR || error->code != code)
    g_error ("%s: expected error code %d, got %s", name, code,
             error != NULL ? error->message : "none");
  if (words != NULL && strstr (error->message, words) == NULL)
    g_error ("%s: message lacks “%s”: %s", name, words, error->message);
}

static inline GPtrArray *
import_ok (const char *dir, const char *name, SalFileFormat format)
{
  g_autofree char *path = fixture_path (dir, name);
  g_autoptr(GError) error = NULL;
  g_auto(SalImportResult) result = { 0 };

  if (!sal_import_file (path, NULL, &result, &error))
    g_error ("%s: %s", name, error->message);
  g_assert_cmpint (result.format, ==, format);
  return g_steal_pointer (&result.workouts);
}
