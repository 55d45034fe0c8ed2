/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The import entry point (format detection, dispatch, all-or-nothing) and the
 * atomic exporters, over every fixture and the whole malformed corpus. */

#include "config.h"

#include <glib/gstdio.h>

#include "import-test-util.h"
#include "sal-import-util.h"
#include "sal-csv.h"
#include "sal-fit.h"
#include "sal-gpx.h"
#include "sal-tcx.h"
#include "sal-test-util.h"

static void
test_detect (void)
{
  const struct { const char *dir, *name; SalFileFormat format; } cases[] = {
    { "import/png", "rgb8.png", SAL_FILE_FORMAT_PNG },
    { "import", "source.gpx", SAL_FILE_FORMAT_GPX },
    { "import", "gpsbabel.gpx", SAL_FILE_FORMAT_GPX },
    { "import", "gpsbabel.tcx", SAL_FILE_FORMAT_TCX },
    { "import", "handmade.tcx", SAL_FILE_FORMAT_TCX },
    { "import", "fitsdk-run.fit", SAL_FILE_FORMAT_FIT },
    { "import", "fit-header12.fit", SAL_FILE_FORMAT_FIT },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) b = fixture_bytes (cases[i].dir, cases[i].name);
      gsize len;
      const guint8 *d = g_bytes_get_data (b, &len);

      /* by content, whatever the name says */
      g_assert_cmpint (sal_import_detect_format (d, len, "renamed.txt"), ==, cases[i].format);
      g_assert_cmpint (sal_import_detect_format (d, len, NULL), ==, cases[i].format);
    }
  g_assert_cmpint (sal_import_detect_format ((const guint8 *) "sport,start\n", 12, NULL), ==,
                   SAL_FILE_FORMAT_CSV);
  g_assert_cmpint (sal_import_detect_format ((const guint8 *) "x", 1, "a.CSV"), ==,
                   SAL_FILE_FORMAT_CSV);
  g_assert_cmpint (sal_import_detect_format ((const guint8 *) "hello", 5, "notes.txt"), ==,
                   SAL_FILE_FORMAT_UNKNOWN);
  g_assert_cmpstr (sal_file_format_id (SAL_FILE_FORMAT_FIT), ==, "fit");
}

static void
test_image_and_unknown (void)
{
  g_autofree char *png = fixture_path ("import/png", "rgba16.png");
  g_autofree char *dir = sal_test_tmpdir ();
  g_autofree char *txt = g_build_filename (dir, "notes.txt", NULL);
  g_auto(SalImportResult) result = { 0 };
  g_auto(SalImportResult) nothing = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_true (sal_import_file (png, NULL, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (result.format, ==, SAL_FILE_FORMAT_PNG);
  g_assert_null (result.workouts);
  g_assert_cmpint (result.image->channels, ==, 4);
  g_assert_cmpint (result.image->bit_depth, ==, 16);

  g_assert_true (g_file_set_contents (txt, "just some words\n", -1, NULL));
  g_assert_false (sal_import_file (txt, NULL, &nothing, &error));
  g_assert_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_UNSUPPORTED);
  g_assert_true (g_str_has_prefix (error->message, "notes.txt: unknown file format"));
  g_clear_error (&error);

  g_assert_false (sal_import_file ("/nonexistent/run.gpx", NULL, &nothing, &error));
  g_assert_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_IO);
  g_assert_true (g_str_has_prefix (error->message, "run.gpx: cannot open"));
  g_clear_error (&error);

  g_assert_false (sal_import_file (dir, NULL, &nothing, &error));
  g_assert_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_IO);
  sal_test_rm_rf (dir);
}

/* The byte budget is checked before reading. */
static void
test_byte_budget (void)
{
  g_autofree char *path = fixture_path ("import", "source.gpx");
  SalImportLimits lim = { .max_bytes = 1024, .image = { .max_bytes = 1024 } };
  g_auto(SalImportResult) result = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_false (sal_import_file (path, &lim, &result, &error));
  g_assert_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_TOO_LARGE);
  g_assert_true (g_str_has_prefix (error->message, "source.gpx: the file is"));
}

static void
compare_samples (const SalWorkout *a, const SalWorkout *b, gboolean power)
{
  g_assert_cmpuint (a->samples->len, ==, b->samples->len);
  for (guint i = 0; i < a->samples->len; i++)
    {
      const SalSample *x = sample_at (a, i), *y = sample_at (b, i);
      g_assert_cmpint (x->time_ms, ==, y->time_ms);
      g_assert_cmpfloat_with_epsilon (x->lat_deg, y->lat_deg, 5e-8);
      g_assert_cmpfloat_with_epsilon (x->lon_deg, y->lon_deg, 5e-8);
      g_assert_cmpfloat_with_epsilon (x->elevation_m, y->elevation_m, 0.005);
      g_assert_cmpfloat (x->heart_rate_bpm, ==, y->heart_rate_bpm);
      g_assert_cmpfloat (x->cadence_rpm, ==, y->cadence_rpm);
      if (power)
        g_assert_cmpfloat (x->power_w, ==, y->power_w);
    }
}

/* FIT in, every export format out, imported again: the same values. */
static void
test_export_round_trip (void)
{
  g_autoptr(GPtrArray) ws = import_ok ("import", "fitsdk-multisport.fit", SAL_FILE_FORMAT_FIT);
  g_autoptr(GPtrArray) one = g_ptr_array_new ();
  g_autofree char *dir = sal_test_tmpdir ();
  g_autofree char *gpx = g_build_filename (dir, "out.gpx", NULL);
  g_autofree char *csv = g_build_filename (dir, "out.csv", NULL);
  g_autofree char *samples = g_build_filename (dir, "samples.csv", NULL);
  g_autoptr(GError) error = NULL;
  SalExportFormat format;

  g_assert_true (sal_export_format_from_id ("gpx", &format));
  g_assert_cmpint (format, ==, SAL_EXPORT_GPX);
  g_assert_false (sal_export_format_from_id ("xlsx", &format));

  g_assert_true (sal_export_workouts (ws, SAL_EXPORT_GPX, gpx, &error));
  g_assert_no_error (error);
  {
    g_auto(SalImportResult) r = { 0 };
    g_assert_true (sal_import_file (gpx, NULL, &r, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (r.workouts->len, ==, 2);
    for (guint k = 0; k < 2; k++)
      {
        const SalWorkout *a = g_ptr_array_index (ws, k), *b = g_ptr_array_index (r.workouts, k);
        g_assert_cmpstr (a->sport, ==, b->sport);
        compare_samples (a, b, TRUE);
        g_assert_cmpint (a->start_ms, ==, b->start_ms);
        g_assert_cmpfloat (a->duration_s, ==, b->duration_s);
        g_assert_cmpfloat (a->max_hr_bpm, ==, b->max_hr_bpm);
      }
  }

  g_assert_true (sal_export_workouts (ws, SAL_EXPORT_CSV, csv, &error));
  {
    g_auto(SalImportResult) r = { 0 };
    g_assert_true (sal_import_file (csv, NULL, &r, &error));
    g_assert_no_error (error);
    g_assert_cmpint (r.format, ==, SAL_FILE_FORMAT_CSV);
    for (guint k = 0; k < 2; k++)
      {
        const SalWorkout *a = g_ptr_array_index (ws, k), *b = g_ptr_array_index (r.workouts, k);
        g_assert_cmpstr (a->sport, ==, b->sport);
        g_assert_cmpint (a->start_ms, ==, b->start_ms);
        g_assert_cmpfloat (a->duration_s, ==, b->duration_s);
        g_assert_cmpfloat_with_epsilon (a->distance_m, b->distance_m, 0.005);
        g_assert_cmpfloat (a->avg_hr_bpm, ==, b->avg_hr_bpm);
        g_assert_cmpfloat (a->max_hr_bpm, ==, b->max_hr_bpm);
      }
  }

  g_assert_false (sal_export_workouts (ws, SAL_EXPORT_CSV_SAMPLES, samples, &error));
  g_assert_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_UNSUPPORTED);
  g_clear_error (&error);
  g_assert_false (g_file_test (samples, G_FILE_TEST_EXISTS));
  g_ptr_array_add (one, g_ptr_array_index (ws, 1));
  g_assert_true (sal_export_workouts (one, SAL_EXPORT_CSV_SAMPLES, samples, &error));
  {
    g_auto(SalImportResult) r = { 0 };
    g_assert_true (sal_import_file (samples, NULL, &r, &error));
    g_assert_no_error (error);
    compare_samples (g_ptr_array_index (ws, 1), g_ptr_array_index (r.workouts, 0), TRUE);
  }
  sal_test_rm_rf (dir);
}

/* A failed export leaves the old file whole and no temporary files behind. */
static void
test_export_atomic (void)
{
  g_autoptr(GPtrArray) ws = import_ok ("import", "source.gpx", SAL_FILE_FORMAT_GPX);
  g_autofree char *dir = sal_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "keep.csv", NULL);
  g_autofree char *missing = g_build_filename (dir, "no-such-dir", "x.gpx", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) d = NULL;
  guint files = 0;

  g_assert_true (g_file_set_contents (path, "old", -1, NULL));
  g_assert_true (sal_export_workouts (ws, SAL_EXPORT_CSV, path, &error));
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_true (g_str_has_prefix (contents, "sport,start,"));
  g_assert_false (sal_export_workouts (ws, SAL_EXPORT_GPX, missing, &error));
  g_assert_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_IO);
  g_assert_true (g_str_has_prefix (error->message, "x.gpx: cannot write"));
  d = g_dir_open (dir, 0, NULL);
  while (g_dir_read_name (d) != NULL)
    files++;
  g_assert_cmpuint (files, ==, 1);
  sal_test_rm_rf (dir);
}

static void
test_malformed_corpus (void)
{
  guint n = check_malformed_corpus ("");

  g_test_message ("%u malformed files refused", n);
  g_assert_cmpuint (n, >=, 69);
}

/* Every fixture imports (except gpsbabel's course FIT, refused by design). */
static void
test_all_fixtures (void)
{
  const char *dirs[] = { "import", "import/png" };

  for (guint k = 0; k < G_N_ELEMENTS (dirs); k++)
    {
      g_autofree char *dir = fixture_path (dirs[k], NULL);
      g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
      const char *name;

      while ((name = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *path = g_build_filename (dir, name, NULL);
          g_auto(SalImportResult) r = { 0 };
          g_autoptr(GError) error = NULL;
          gboolean ok;

          if (g_file_test (path, G_FILE_TEST_IS_DIR))
            continue;
          ok = sal_import_file (path, NULL, &r, &error);
          if (strcmp (name, "gpsbabel-course.fit") == 0)
            g_assert_false (ok);
          else if (!ok)
            g_error ("%s: %s", name, error->message);
          else if (r.workouts != NULL)
            for (guint i = 0; i < r.workouts->len; i++)
              {
                const SalWorkout *w = g_ptr_array_index (r.workouts, i);
                g_assert_cmpuint (w->samples->len, >, 0);
                g_assert_cmpint (w->start_ms, >, 0);
                g_assert_cmpfloat (w->duration_s, >, 0);
                g_assert_false (isnan (w->max_hr_bpm));
                g_assert_cmpstr (w->source, ==, name);
              }
        }
    }
}

/* Times as the importers read them, against GLib's own ISO 8601 parser. */
static void
test_times (void)
{
  const char *good[] = {
    "2024-05-01T07:30:00Z", "2024-05-01T07:30:00.5Z", "2024-05-01T07:30:00.123456Z",
    "2024-05-01T07:30:00+02:00", "2024-05-01T07:30:00-0330", "2024-02-29T23:59:59Z",
    "1970-01-01T00:00:00Z", "1969-12-31T23:59:59.250Z", "2099-12-31T12:00:00Z",
    "  2024-05-01T07:30:00Z ", "2024-05-01T07:30:00",
  };
  const char *bad[] = {
    "2023-02-29T10:00:00Z", "2024-13-01T10:00:00Z", "2024-05-01T24:00:00Z", "yesterday",
    "2024-05-01T07:30:00Zjunk", "", "2024-05-01T07:30:00.Z", "2024-05-01T07:30Z",
  };
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autofree char *trimmed = g_strstrip (g_strdup (good[i]));
      g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (trimmed, utc);
      gint64 ms = 0, expected;

      g_assert_nonnull (dt);
      expected = g_date_time_to_unix (dt) * 1000 + g_date_time_get_microsecond (dt) / 1000;
      if (!sal_import_parse_time (good[i], &ms))
        g_error ("“%s” refused", good[i]);
      g_assert_cmpint (ms, ==, expected);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      gint64 ms;
      if (sal_import_parse_time (bad[i], &ms))
        g_error ("“%s” accepted", bad[i]);
    }
  {
    g_autofree char *a = sal_import_format_time (T0_MS);
    g_autofree char *b = sal_import_format_time (-750);
    g_assert_cmpstr (a, ==, "2024-05-01T07:30:00Z");
    g_assert_cmpstr (b, ==, "1969-12-31T23:59:59.250Z");
  }
}

/* A cancelled import gives G_IO_ERROR_CANCELLED and nothing else, in every reader. */
static void
test_cancelled (void)
{
  const struct { const char *dir, *name; } files[] = {
    { "import/png", "rgb16.png" }, { "import", "source.gpx" }, { "import", "handmade.tcx" },
    { "import", "fitsdk-run.fit" },
  };
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  SalImportLimits lim = { .cancellable = cancellable };
  SalImageLimits image_lim = { .cancellable = cancellable };
  g_autoptr(GBytes) csv = g_bytes_new_static ("sport,start\nrun,2024-05-01T07:30:00Z\n", 36);

  g_cancellable_cancel (cancellable);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autoptr(GBytes) bytes = fixture_bytes (files[i].dir, files[i].name);
      g_autoptr(GError) error = NULL;
      g_auto(SalImportResult) r = { 0 };

      g_assert_false (sal_import_bytes (bytes, files[i].name, &lim, &r, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_assert_null (r.workouts);
      g_assert_null (r.image);
    }
  /* each reader checks on its own too */
  {
    g_autoptr(GBytes) png = fixture_bytes ("import/png", "rgb16.png");
    g_autoptr(GBytes) gpx = fixture_bytes ("import", "source.gpx");
    g_autoptr(GBytes) tcx = fixture_bytes ("import", "handmade.tcx");
    g_autoptr(GBytes) fit = fixture_bytes ("import", "fitsdk-run.fit");
    g_autoptr(GError) e1 = NULL, e2 = NULL, e3 = NULL, e4 = NULL, e5 = NULL;

    g_assert_null (sal_image_load_png_bytes (png, "a.png", &image_lim, &e1));
    g_assert_error (e1, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_assert_null (sal_gpx_read (gpx, "a.gpx", &lim, &e2));
    g_assert_error (e2, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_assert_null (sal_tcx_read (tcx, "a.tcx", &lim, &e3));
    g_assert_error (e3, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_assert_null (sal_fit_read (fit, "a.fit", &lim, &e4));
    g_assert_error (e4, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_assert_null (sal_csv_read (csv, "a.csv", &lim, NULL, &e5));
    g_assert_error (e5, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/app/import/detect", test_detect);
  g_test_add_func ("/app/import/times", test_times);
  g_test_add_func ("/app/import/cancelled", test_cancelled);
  g_test_add_func ("/app/import/image-and-unknown", test_image_and_unknown);
  g_test_add_func ("/app/import/byte-budget", test_byte_budget);
  g_test_add_func ("/app/import/export-round-trip", test_export_round_trip);
  g_test_add_func ("/app/import/export-atomic", test_export_atomic);
  g_test_add_func ("/app/import/malformed-corpus", test_malformed_corpus);
  g_test_add_func ("/app/import/all-fixtures", test_all_fixtures);
  return g_test_run ();
}
