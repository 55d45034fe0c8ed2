/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The TCX reader against a hand-written activity, gpsbabel's TCX output of the
 * reference tracks, and the malformed corpus. */

#include "config.h"

#include "import-test-util.h"
#include "sal-tcx.h"

static void
test_handmade (void)
{
  g_autoptr(GPtrArray) ws = import_ok ("import", "handmade.tcx", SAL_FILE_FORMAT_TCX);
  const SalWorkout *w;
  const SalLap *l0, *l1;

  g_assert_cmpuint (ws->len, ==, 1);
  w = g_ptr_array_index (ws, 0);
  g_assert_cmpstr (w->sport, ==, "running");
  g_assert_cmpstr (w->notes, ==, "Tempo run, felt good");
  g_assert_cmpint (w->start_ms, ==, T0_MS);
  g_assert_cmpuint (w->laps->len, ==, 2);
  l0 = &g_array_index (w->laps, SalLap, 0);
  l1 = &g_array_index (w->laps, SalLap, 1);
  g_assert_cmpint (l0->start_ms, ==, T0_MS);
  g_assert_cmpint (l1->start_ms, ==, T0_MS + 30000);
  g_assert_cmpfloat (l0->duration_s, ==, 30);
  g_assert_cmpfloat (l0->distance_m, ==, 96);
  g_assert_cmpfloat (l0->avg_hr_bpm, ==, 134);
  g_assert_cmpfloat (l0->max_hr_bpm, ==, 145);
  g_assert_cmpfloat (l1->max_hr_bpm, ==, 155);
  /* workout summary from the laps: times and distances add, HR time-weighted */
  g_assert_cmpfloat (w->duration_s, ==, 60);
  g_assert_cmpfloat (w->distance_m, ==, 192);
  g_assert_cmpfloat_with_epsilon (w->avg_hr_bpm, 137, 1e-9);
  g_assert_cmpfloat (w->max_hr_bpm, ==, 155);
  g_assert_cmpuint (w->samples->len, ==, 12);
  for (int k = 0; k < 12; k++)
    {
      const SalSample *s = sample_at (w, k);
      int i = 5 * k;

      check_track1_point (s, i, 1e-9, 1e-9, TRUE);
      g_assert_cmpfloat_with_epsilon (s->distance_m, round_to (3.2 * i, 1), 1e-9);
      g_assert_cmpfloat_with_epsilon (s->speed_mps, 3.0, 1e-9);
    }
}

/* gpsbabel's TCX (history mode) of the reference tracks: one activity each. */
static void
test_gpsbabel (void)
{
  g_autoptr(GPtrArray) ws = import_ok ("import", "gpsbabel.tcx", SAL_FILE_FORMAT_TCX);
  const SalWorkout *run, *ride;

  g_assert_cmpuint (ws->len, ==, 2);
  run = g_ptr_array_index (ws, 0);
  ride = g_ptr_array_index (ws, 1);
  g_assert_cmpuint (run->samples->len, ==, 120);
  g_assert_cmpuint (ride->samples->len, ==, 60);
  for (int i = 0; i < 120; i++)
    check_track1_point (sample_at (run, i), i, 1e-9, 1e-9, FALSE);
  for (int j = 0; j < 60; j++)
    g_assert_cmpfloat (sample_at (ride, j)->heart_rate_bpm, ==, t2_hr (j));
  g_assert_cmpint (run->start_ms, ==, T0_MS);
  g_assert_cmpfloat (run->duration_s, ==, 119);
  g_assert_cmpfloat_with_epsilon (run->distance_m, 1258.30, 1e-9);  /* gpsbabel's lap figure */
  g_assert_cmpfloat (run->avg_hr_bpm, ==, 140);
  g_assert_cmpfloat (run->max_hr_bpm, ==, 159);
  g_assert_cmpint (ride->start_ms, ==, T1_MS);
}

/* A lap without summary fields: the workout summary comes from the samples. */
static void
test_summary_from_samples (void)
{
  const char *doc =
    "<?xml version=\"1.0\"?>\n"
    "<TrainingCenterDatabase xmlns=\"http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2\">"
    "<Activities><Activity Sport=\"Biking\"><Id>2024-05-01T07:30:00Z</Id><Lap StartTime=\"2024-05-01T07:30:00Z\"><Track>"
    "<Trackpoint><Time>2024-05-01T07:30:00Z</Time><DistanceMeters>0</DistanceMeters><HeartRateBpm><Value>100</Value></HeartRateBpm></Trackpoint>"
    "<Trackpoint><Time>2024-05-01T07:31:00Z</Time><DistanceMeters>500</DistanceMeters><HeartRateBpm><Value>130</Value></HeartRateBpm></Trackpoint>"
    "<Trackpoint><Time>2024-05-01T07:32:30.500Z</Time><DistanceMeters>1200.5</DistanceMeters><HeartRateBpm><Value>160</Value></HeartRateBpm></Trackpoint>"
    "</Track></Lap></Activity></Activities></TrainingCenterDatabase>\n";
  g_autoptr(GBytes) bytes = g_bytes_new_static (doc, strlen (doc));
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ws = sal_tcx_read (bytes, "indoor.tcx", NULL, &error);
  const SalWorkout *w;

  g_assert_no_error (error);
  w = g_ptr_array_index (ws, 0);
  g_assert_cmpstr (w->sport, ==, "cycling");
  g_assert_cmpint (w->start_ms, ==, T0_MS);
  g_assert_cmpfloat_with_epsilon (w->duration_s, 150.5, 1e-9);
  g_assert_cmpfloat_with_epsilon (w->distance_m, 1200.5, 1e-9);
  g_assert_cmpfloat_with_epsilon (w->avg_hr_bpm, 130, 1e-9);
  g_assert_cmpfloat (w->max_hr_bpm, ==, 160);
  g_assert_true (isnan (sample_at (w, 0)->lat_deg));
}

static void
test_malformed (void)
{
  g_assert_cmpuint (check_malformed_corpus ("tcx-"), >=, 8);
  expect_error ("malformed", "tcx-time-backwards.tcx", SAL_IMPORT_ERROR_INVALID, "backwards");
  expect_error ("malformed", "tcx-impossible-lon.tcx", SAL_IMPORT_ERROR_INVALID, "impossible");
  expect_error ("malformed", "tcx-billion-laughs.tcx", SAL_IMPORT_ERROR_UNSUPPORTED, "DTD");
  expect_error ("malformed", "tcx-external-entity.tcx", SAL_IMPORT_ERROR_UNSUPPORTED, "DTD");
  expect_error ("malformed", "tcx-bad-utf8.tcx", SAL_IMPORT_ERROR_MALFORMED, "UTF-8");
  expect_error ("malformed", "tcx-truncated.tcx", SAL_IMPORT_ERROR_MALFORMED, "XML");
  expect_error ("malformed", "tcx-no-activities.tcx", SAL_IMPORT_ERROR_INVALID, "no activity");
  expect_error ("malformed", "tcx-bad-heart-rate.tcx", SAL_IMPORT_ERROR_MALFORMED, "x1");
}

static void
test_limits (void)
{
  g_autoptr(GBytes) bytes = fixture_bytes ("import", "gpsbabel.tcx");
  g_autoptr(GError) error = NULL;
  SalImportLimits few = { .max_samples = 179 };
  SalImportLimits exact = { .max_samples = 180 };
  g_autoptr(GPtrArray) ok = NULL;

  g_assert_null (sal_tcx_read (bytes, "b.tcx", &few, &error));
  g_assert_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_TOO_LARGE);
  g_clear_error (&error);
  ok = sal_tcx_read (bytes, "b.tcx", &exact, &error);
  g_assert_no_error (error);
}

/* Random damage to a valid file: an error or a result, never a crash. */
static void
test_fuzz (void)
{
  g_autoptr(GBytes) tcx = fixture_bytes ("import", "handmade.tcx");
  gsize len;
  const guint8 *src = g_bytes_get_data (tcx, &len);
  GRand *rand = g_rand_new_with_seed (13);

  for (int iter = 0; iter < 300; iter++)
    {
      g_autofree guint8 *copy = g_memdup2 (src, len);
      g_autoptr(GBytes) b = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) ws = NULL;
      static const char pool[] = "<>&;\"'/=x0-9.:TZ\n\xc3";

      for (int f = 0; f < 4; f++)
        copy[g_rand_int_range (rand, 0, (gint32) len)] = pool[g_rand_int_range (rand, 0, sizeof pool - 1)];
      b = g_bytes_new (copy, g_rand_int_range (rand, (gint32) len / 2, (gint32) len + 1));
      ws = sal_tcx_read (b, "fuzz.tcx", NULL, &error);
      g_assert_true ((ws == NULL) != (error == NULL));
    }
  g_rand_free (rand);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/app/tcx/handmade", test_handmade);
  g_test_add_func ("/app/tcx/gpsbabel", test_gpsbabel);
  g_test_add_func ("/app/tcx/summary-from-samples", test_summary_from_samples);
  g_test_add_func ("/app/tcx/malformed", test_malformed);
  g_test_add_func ("/app/tcx/limits", test_limits);
  g_test_add_func ("/app/tcx/fuzz", test_fuzz);
  return g_test_run ();
}
