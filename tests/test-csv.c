/* SPDX-License-Identifier: GPL-3.0-or-later */
/* RFC 4180 parsing, the summary and samples layouts, formula neutralisation
 * and the malformed corpus. */

#include "config.h"

#include "import-test-util.h"
#include "sal-csv.h"

static GPtrArray *
parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *rows = sal_csv_parse (text, strlen (text), "t.csv", 0, &error);

  g_assert_no_error (error);
  return rows;
}

static const char *
field (GPtrArray *rows, guint r, guint c)
{
  char **row = g_ptr_array_index (rows, r);

  g_assert_cmpuint (c, <, g_strv_length (row));
  return row[c];
}

static void
test_rfc4180 (void)
{
  g_autoptr(GPtrArray) a = parse ("\xef\xbb\xbf" "a,b,c\r\n"
                                  "1,\"two, with comma\",\"say \"\"hi\"\"\"\r\n"
                                  "\"multi\r\nline\",,\"\"\r\n"
                                  "last,row,no-newline");
  g_autoptr(GPtrArray) b = parse ("x,y\n\n1,2\n\n");
  g_autoptr(GPtrArray) c = parse ("x\r\"a\"\r");

  g_assert_cmpuint (a->len, ==, 4);
  g_assert_cmpstr (field (a, 0, 0), ==, "a");            /* BOM removed */
  g_assert_cmpstr (field (a, 1, 1), ==, "two, with comma");
  g_assert_cmpstr (field (a, 1, 2), ==, "say \"hi\"");
  g_assert_cmpstr (field (a, 2, 0), ==, "multi\r\nline");
  g_assert_cmpstr (field (a, 2, 1), ==, "");
  g_assert_cmpstr (field (a, 2, 2), ==, "");
  g_assert_cmpuint (g_strv_length (g_ptr_array_index (a, 2)), ==, 3);
  g_assert_cmpstr (field (a, 3, 2), ==, "no-newline");
  g_assert_cmpuint (b->len, ==, 2);                      /* blank lines skipped */
  g_assert_cmpstr (field (b, 1, 1), ==, "2");
  g_assert_cmpuint (c->len, ==, 2);                      /* old Mac line ends */
  g_assert_cmpstr (field (c, 1, 0), ==, "a");
}

static void
test_parse_errors (void)
{
  const struct { const char *text; const char *words; } cases[] = {
    { "a,b\n1,\"open\n\n", "line 2: a quoted field is never closed" },
    { "a,b\n\n\n1,\"x\"y\n", "line 4: text after a closing quote" },
    { "a,b\nok,\xc3\x28\n", "line 2, byte 4: invalid UTF-8" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) rows = sal_csv_parse (cases[i].text, strlen (cases[i].text), "e.csv",
                                                 0, &error);
      g_assert_null (rows);
      g_assert_nonnull (error);
      if (strstr (error->message, cases[i].words) == NULL)
        g_error ("“%s” lacks “%s”", error->message, cases[i].words);
    }
}

static SalWorkout *
make_workout (const char *sport, gint64 start, const char *title, const char *notes)
{
  SalWorkout *w = sal_workout_new ();

  g_free (w->sport);
  w->sport = g_strdup (sport);
  w->start_ms = start;
  w->duration_s = 3725.5;
  w->distance_m = 10234.56;
  w->avg_hr_bpm = 151.2;
  w->max_hr_bpm = 178;
  w->rpe = 7;
  w->title = g_strdup (title);
  w->notes = g_strdup (notes);
  return w;
}

/* Export then import gives the same values; formula-like text is guarded. */
static void
test_summary_round_trip (void)
{
  g_autoptr(GPtrArray) ws = g_ptr_array_new_with_free_func ((GDestroyNotify) sal_workout_free);
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GPtrArray) back = NULL;
  g_autoptr(GError) error = NULL;
  SalCsvLayout layout;
  const char *text;
  SalWorkout *plain;

  g_ptr_array_add (ws, make_workout ("running", T0_MS, "=HYPERLINK(\"http://x\",\"y\")",
                                     "felt \"great\", then\r\nslowed; 跑步"));
  g_ptr_array_add (ws, make_workout ("cycling", T0_MS + 86400123, "+1 ride", "-2 legs"));
  g_ptr_array_add (ws, make_workout ("swimming", T1_MS, "@SUM(A1)", "\tTabbed"));
  plain = make_workout ("other", T1_MS + 1000, "Plain", NULL);
  plain->avg_hr_bpm = plain->max_hr_bpm = plain->rpe = plain->distance_m = NAN;
  g_ptr_array_add (ws, plain);

  out = sal_csv_write_summary (ws);
  text = g_bytes_get_data (out, NULL);
  g_assert_true (g_str_has_prefix (text, "sport,start,duration_s,distance_m,avg_hr,max_hr,rpe,notes,title\r\n"));
  g_assert_nonnull (strstr (text, "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""));
  g_assert_nonnull (strstr (text, "\"'+1 ride\""));
  g_assert_nonnull (strstr (text, "\"'-2 legs\""));
  g_assert_nonnull (strstr (text, "\"'@SUM(A1)\""));
  g_assert_nonnull (strstr (text, "\"'\tTabbed\""));
  g_assert_nonnull (strstr (text, "running,2024-05-01T07:30:00Z,3725.5,10234.56,151.2,178,7,"));
  g_assert_nonnull (strstr (text, "2024-05-02T07:30:00.123Z"));
  g_assert_nonnull (strstr (text, "other,2024-05-01T17:00:01Z,3725.5,,,,,,Plain\r\n"));

  back = sal_csv_read (out, "w.csv", NULL, &layout, &error);
  g_assert_no_error (error);
  g_assert_cmpint (layout, ==, SAL_CSV_SUMMARY);
  g_assert_cmpuint (back->len, ==, ws->len);
  for (guint i = 0; i < ws->len; i++)
    {
      const SalWorkout *a = g_ptr_array_index (ws, i), *b = g_ptr_array_index (back, i);

      g_assert_cmpstr (a->sport, ==, b->sport);
      g_assert_cmpint (a->start_ms, ==, b->start_ms);
      g_assert_cmpfloat (a->duration_s, ==, b->duration_s);
      g_assert_cmpstr (a->title, ==, b->title);
      g_assert_cmpstr (a->notes, ==, b->notes);
      if (isnan (a->distance_m))
        g_assert_true (isnan (b->distance_m) && isnan (b->avg_hr_bpm) && isnan (b->rpe));
      else
        {
          g_assert_cmpfloat (a->distance_m, ==, b->distance_m);
          g_assert_cmpfloat (a->avg_hr_bpm, ==, b->avg_hr_bpm);
          g_assert_cmpfloat (a->max_hr_bpm, ==, b->max_hr_bpm);
          g_assert_cmpfloat (a->rpe, ==, b->rpe);
        }
    }
}

static void
test_samples_round_trip (void)
{
  g_autoptr(GPtrArray) ws = import_ok ("import", "fitsdk-run.fit", SAL_FILE_FORMAT_FIT);
  const SalWorkout *w = g_ptr_array_index (ws, 0);
  g_autoptr(GBytes) out = sal_csv_write_samples (w);
  g_autoptr(GError) error = NULL;
  SalCsvLayout layout;
  g_autoptr(GPtrArray) back = sal_csv_read (out, "s.csv", NULL, &layout, &error);
  const SalWorkout *b;

  g_assert_no_error (error);
  g_assert_cmpint (layout, ==, SAL_CSV_SAMPLES);
  g_assert_cmpuint (back->len, ==, 1);
  b = g_ptr_array_index (back, 0);
  g_assert_cmpuint (b->samples->len, ==, 120);
  for (int i = 0; i < 120; i++)
    {
      const SalSample *x = sample_at (w, i), *y = sample_at (b, i);

      g_assert_cmpint (x->time_ms, ==, y->time_ms);
      g_assert_cmpfloat_with_epsilon (x->lat_deg, y->lat_deg, 5e-8);
      g_assert_cmpfloat_with_epsilon (x->lon_deg, y->lon_deg, 5e-8);
      g_assert_cmpfloat_with_epsilon (x->elevation_m, y->elevation_m, 0.005);
      g_assert_cmpfloat_with_epsilon (x->distance_m, y->distance_m, 0.005);
      g_assert_cmpfloat_with_epsilon (x->speed_mps, y->speed_mps, 0.0005);
      g_assert_cmpfloat (x->heart_rate_bpm, ==, y->heart_rate_bpm);
      g_assert_cmpfloat (x->cadence_rpm, ==, y->cadence_rpm);
      g_assert_cmpfloat (x->power_w, ==, y->power_w);
    }
  /* a samples CSV has no summary: computed from the samples */
  g_assert_cmpint (b->start_ms, ==, T0_MS);
  g_assert_cmpfloat (b->duration_s, ==, 119);
  g_assert_cmpfloat_with_epsilon (b->distance_m, 380.8, 0.005);
  g_assert_cmpfloat_with_epsilon (b->avg_hr_bpm, 139.5, 1e-9);
  g_assert_cmpfloat (b->max_hr_bpm, ==, 159);
}

/* Columns in another order, other case, extra columns, missing optional ones. */
static void
test_columns (void)
{
  const char *text = "Title,START,Sport,extra\nEasy,2024-05-01T07:30:00+02:00,Run,zzz\n";
  g_autoptr(GBytes) bytes = g_bytes_new_static (text, strlen (text));
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ws = sal_csv_read (bytes, "c.csv", NULL, NULL, &error);
  const SalWorkout *w;

  g_assert_no_error (error);
  w = g_ptr_array_index (ws, 0);
  g_assert_cmpstr (w->title, ==, "Easy");
  g_assert_cmpstr (w->sport, ==, "running");
  g_assert_cmpint (w->start_ms, ==, T0_MS - 2 * 3600 * 1000);
  g_assert_true (isnan (w->avg_hr_bpm));
}

static void
test_malformed (void)
{
  g_assert_cmpuint (check_malformed_corpus ("csv-"), >=, 13);
  expect_error ("malformed", "csv-bad-number.csv", SAL_IMPORT_ERROR_MALFORMED,
                "line 2, column duration_s: “one hour” is not a number");
  expect_error ("malformed", "csv-bad-utf8.csv", SAL_IMPORT_ERROR_MALFORMED, "line 3");
  expect_error ("malformed", "csv-unclosed-quote.csv", SAL_IMPORT_ERROR_MALFORMED, "never closed");
  expect_error ("malformed", "csv-field-count.csv", SAL_IMPORT_ERROR_MALFORMED, "3 fields");
  expect_error ("malformed", "csv-negative-duration.csv", SAL_IMPORT_ERROR_INVALID, "duration_s");
  expect_error ("malformed", "csv-samples-time-backwards.csv", SAL_IMPORT_ERROR_INVALID,
                "line 3: time goes backwards");
  expect_error ("malformed", "csv-samples-impossible-lat.csv", SAL_IMPORT_ERROR_INVALID, "lat");
  expect_error ("malformed", "csv-unknown-columns.csv", SAL_IMPORT_ERROR_UNSUPPORTED, "start");
  expect_error ("malformed", "csv-header-only.csv", SAL_IMPORT_ERROR_INVALID, "no rows");
}

static void
test_limits (void)
{
  GString *s = g_string_new ("sport,start\n");
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  SalImportLimits few = { .max_workouts = 99 };
  SalImportLimits exact = { .max_workouts = 100 };
  g_autoptr(GPtrArray) ok = NULL;

  for (int i = 0; i < 100; i++)
    g_string_append_printf (s, "running,2024-05-%02dT07:30:00Z\n", 1 + i % 28);
  bytes = g_string_free_to_bytes (s);
  g_assert_null (sal_csv_read (bytes, "l.csv", &few, NULL, &error));
  g_assert_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_TOO_LARGE);
  g_clear_error (&error);
  ok = sal_csv_read (bytes, "l.csv", &exact, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ok->len, ==, 100);
}

/* Random text from CSV's special characters: an error or a result, never a crash. */
static void
test_fuzz (void)
{
  static const char pool[] = ",\"\r\n'=abc019.-:TZ\xc3\xa9 ";
  GRand *rand = g_rand_new_with_seed (17);

  for (int iter = 0; iter < 500; iter++)
    {
      GString *s = g_string_new (g_rand_boolean (rand) ? "sport,start,duration_s,notes\n"
                                                       : "time,lat,lon,heart_rate\n");
      g_autoptr(GBytes) b = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) ws = NULL;
      int n = g_rand_int_range (rand, 0, 200);

      for (int i = 0; i < n; i++)
        g_string_append_c (s, pool[g_rand_int_range (rand, 0, sizeof pool - 1)]);
      b = g_string_free_to_bytes (s);
      ws = sal_csv_read (b, "fuzz.csv", NULL, NULL, &error);
      g_assert_true ((ws == NULL) != (error == NULL));
    }
  g_rand_free (rand);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/app/csv/rfc4180", test_rfc4180);
  g_test_add_func ("/app/csv/parse-errors", test_parse_errors);
  g_test_add_func ("/app/csv/summary-round-trip", test_summary_round_trip);
  g_test_add_func ("/app/csv/samples-round-trip", test_samples_round_trip);
  g_test_add_func ("/app/csv/columns", test_columns);
  g_test_add_func ("/app/csv/malformed", test_malformed);
  g_test_add_func ("/app/csv/limits", test_limits);
  g_test_add_func ("/app/csv/fuzz", test_fuzz);
  return g_test_run ();
}
