/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Salient's FIT decoder against files from Garmin's own encoder
 * (@garmin/fitsdk), files from an independent Python encoder (compressed
 * timestamps, big-endian, 12-byte header), chains, gpsbabel's course file and
 * the malformed corpus. tools/make-import-fixtures.sh also cross-checks these
 * files against npm fit-file-parser. */

#include "config.h"

#include "import-test-util.h"
#include "sal-fit.h"

/* Checks a workout holding track 1 as FIT stores it (semicircles, 1/5 m). */
static void
check_run (const SalWorkout *w, gboolean session)
{
  g_assert_cmpstr (w->sport, ==, session ? "running" : "other");
  g_assert_cmpuint (w->samples->len, ==, 120);
  for (int i = 0; i < 120; i++)
    {
      const SalSample *s = sample_at (w, i);

      check_track1_point (s, i, 1e-6, 0.1001, TRUE);
      g_assert_cmpfloat_with_epsilon (s->distance_m, 3.2 * i, 0.006);
      g_assert_cmpfloat_with_epsilon (s->speed_mps, 3.0 + (i % 5) * 0.1, 1e-9);
    }
  g_assert_cmpint (w->start_ms, ==, T0_MS);
  g_assert_cmpfloat (w->duration_s, ==, 119);
  g_assert_cmpfloat_with_epsilon (w->distance_m, 380.8, 1e-9);
  g_assert_cmpfloat (w->avg_hr_bpm, ==, 140);   /* the session's rounded figure */
  g_assert_cmpfloat (w->max_hr_bpm, ==, 159);
}

static void
test_fitsdk_run (void)
{
  g_autoptr(GPtrArray) ws = import_ok ("import", "fitsdk-run.fit", SAL_FILE_FORMAT_FIT);
  const SalWorkout *w;
  const SalLap *l;

  g_assert_cmpuint (ws->len, ==, 1);
  w = g_ptr_array_index (ws, 0);
  check_run (w, TRUE);
  g_assert_cmpuint (w->laps->len, ==, 2);
  l = &g_array_index (w->laps, SalLap, 1);
  g_assert_cmpint (l->start_ms, ==, T0_MS + 60000);
  g_assert_cmpfloat (l->duration_s, ==, 59);
  g_assert_cmpfloat_with_epsilon (l->distance_m, 188.8, 1e-9);
  g_assert_cmpfloat (l->avg_hr_bpm, ==, 143);
  g_assert_cmpfloat (l->max_hr_bpm, ==, 159);
}

static void
test_developer_fields (void)
{
  g_autoptr(GPtrArray) ws = import_ok ("import", "fitsdk-devfields.fit", SAL_FILE_FORMAT_FIT);

  g_assert_cmpuint (ws->len, ==, 1);
  check_run (g_ptr_array_index (ws, 0), TRUE);
}

static void
test_multisport (void)
{
  g_autoptr(GPtrArray) ws = import_ok ("import", "fitsdk-multisport.fit", SAL_FILE_FORMAT_FIT);
  const SalWorkout *ride;

  g_assert_cmpuint (ws->len, ==, 2);
  check_run (g_ptr_array_index (ws, 0), TRUE);
  ride = g_ptr_array_index (ws, 1);
  g_assert_cmpstr (ride->sport, ==, "cycling");
  g_assert_cmpuint (ride->samples->len, ==, 60);
  g_assert_cmpint (ride->start_ms, ==, T1_MS);
  g_assert_cmpfloat (ride->duration_s, ==, 118);
  for (int j = 0; j < 60; j++)
    {
      const SalSample *s = sample_at (ride, j);
      g_assert_cmpint (s->time_ms, ==, T1_MS + j * 2000);
      g_assert_cmpfloat (s->power_w, ==, t2_power (j));
      g_assert_cmpfloat_with_epsilon (s->lat_deg, t2_lat (j), 1e-6);
    }
}

/* Files from our Python encoder: record-header variants fitsdk never writes. */
static void
test_variants (void)
{
  const char *names[] = { "fit-compressed.fit", "fit-bigendian.fit", "fit-header12.fit" };

  for (guint k = 0; k < G_N_ELEMENTS (names); k++)
    {
      g_autoptr(GPtrArray) ws = import_ok ("import", names[k], SAL_FILE_FORMAT_FIT);

      g_assert_cmpuint (ws->len, ==, 1);
      check_run (g_ptr_array_index (ws, 0), TRUE);
    }
}

static void
test_chained (void)
{
  g_autoptr(GPtrArray) ws = import_ok ("import", "fit-chained.fit", SAL_FILE_FORMAT_FIT);

  g_assert_cmpuint (ws->len, ==, 3);
  check_run (g_ptr_array_index (ws, 0), TRUE);
  check_run (g_ptr_array_index (ws, 1), TRUE);
  g_assert_cmpstr (((SalWorkout *) g_ptr_array_index (ws, 2))->sport, ==, "cycling");
  /* all or nothing: a damaged second file loses the first too */
  expect_error ("malformed", "fit-chained-second-bad.fit", SAL_IMPORT_ERROR_MALFORMED, "CRC");
}

static void
test_crc (void)
{
  /* FIT's CRC is CRC-16/ARC: check value of "123456789" is 0xBB3D */
  g_assert_cmphex (sal_fit_crc (0, (const guint8 *) "123456789", 9), ==, 0xbb3d);
  g_assert_cmphex (sal_fit_crc (sal_fit_crc (0, (const guint8 *) "1234", 4),
                                (const guint8 *) "56789", 5), ==, 0xbb3d);
}

static void
test_malformed (void)
{
  g_assert_cmpuint (check_malformed_corpus ("fit-"), >=, 15);
  expect_error ("import", "gpsbabel-course.fit", SAL_IMPORT_ERROR_UNSUPPORTED, "type 6");
  expect_error ("malformed", "fit-bad-header-crc.fit", SAL_IMPORT_ERROR_MALFORMED, "header");
  expect_error ("malformed", "fit-bad-file-crc.fit", SAL_IMPORT_ERROR_MALFORMED, "CRC");
  expect_error ("malformed", "fit-flipped-byte.fit", SAL_IMPORT_ERROR_MALFORMED, "CRC");
  expect_error ("malformed", "fit-truncated.fit", SAL_IMPORT_ERROR_MALFORMED, "truncated");
  expect_error ("malformed", "fit-huge-data-size.fit", SAL_IMPORT_ERROR_MALFORMED, "4294967280");
  expect_error ("malformed", "fit-time-backwards.fit", SAL_IMPORT_ERROR_INVALID, "record 51 goes back");
  expect_error ("malformed", "fit-impossible-lat.fit", SAL_IMPORT_ERROR_INVALID, "record 11");
  expect_error ("malformed", "fit-no-timestamp.fit", SAL_IMPORT_ERROR_MALFORMED, "without a time");
  expect_error ("malformed", "fit-data-before-definition.fit", SAL_IMPORT_ERROR_MALFORMED,
                "before its definition");
  expect_error ("malformed", "fit-bad-base-type.fit", SAL_IMPORT_ERROR_MALFORMED, "base type");
  expect_error ("malformed", "fit-cut-definition.fit", SAL_IMPORT_ERROR_MALFORMED, "cut off");
  expect_error ("malformed", "fit-not-fit.fit", SAL_IMPORT_ERROR_MALFORMED, "not a FIT file");
}

static void
test_limits (void)
{
  g_autoptr(GBytes) bytes = fixture_bytes ("import", "fitsdk-multisport.fit");
  g_autoptr(GError) error = NULL;
  SalImportLimits few = { .max_samples = 179 };
  SalImportLimits one = { .max_workouts = 1 };
  SalImportLimits small = { .max_bytes = 5000 };

  g_assert_null (sal_fit_read (bytes, "m.fit", &few, &error));
  g_assert_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_TOO_LARGE);
  g_clear_error (&error);
  g_assert_null (sal_fit_read (bytes, "m.fit", &one, &error));
  g_assert_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_TOO_LARGE);
  g_clear_error (&error);
  g_assert_null (sal_fit_read (bytes, "m.fit", &small, &error));
  g_assert_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_TOO_LARGE);
}

static void
put_crc (guint8 *d, gsize len)
{
  guint hsize = d[0];
  guint32 size = d[4] | (d[5] << 8) | (d[6] << 16) | ((guint32) d[7] << 24);
  guint16 crc;

  if ((guint64) hsize + size + 2 > len)
    return;
  crc = sal_fit_crc (0, d, hsize + size);
  d[hsize + size] = crc & 0xff;
  d[hsize + size + 1] = crc >> 8;
}

/* Damage behind a valid CRC reaches the message decoder: errors, never a crash. */
static void
test_fuzz (void)
{
  g_autoptr(GBytes) bytes = fixture_bytes ("import", "fitsdk-devfields.fit");
  gsize len;
  const guint8 *src = g_bytes_get_data (bytes, &len);
  GRand *rand = g_rand_new_with_seed (11);
  guint accepted = 0;

  for (int iter = 0; iter < 3000; iter++)
    {
      g_autofree guint8 *copy = g_memdup2 (src, len);
      g_autoptr(GBytes) b = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) ws = NULL;
      int flips = g_rand_int_range (rand, 1, 4);

      for (int f = 0; f < flips; f++)
        copy[g_rand_int_range (rand, 14, (gint32) len - 2)] = (guint8) g_rand_int (rand);
      put_crc (copy, len);
      b = g_bytes_new (copy, len);
      ws = sal_fit_read (b, "fuzz.fit", NULL, &error);
      g_assert_true ((ws == NULL) != (error == NULL));
      accepted += ws != NULL;
    }
  g_test_message ("%u of 3000 damaged files still decoded", accepted);
  g_rand_free (rand);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/app/fit/fitsdk-run", test_fitsdk_run);
  g_test_add_func ("/app/fit/developer-fields", test_developer_fields);
  g_test_add_func ("/app/fit/multisport", test_multisport);
  g_test_add_func ("/app/fit/variants", test_variants);
  g_test_add_func ("/app/fit/chained", test_chained);
  g_test_add_func ("/app/fit/crc", test_crc);
  g_test_add_func ("/app/fit/malformed", test_malformed);
  g_test_add_func ("/app/fit/limits", test_limits);
  g_test_add_func ("/app/fit/fuzz", test_fuzz);
  return g_test_run ();
}
