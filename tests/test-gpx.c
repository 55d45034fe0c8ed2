/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The GPX reader and writer against the hand-written reference tracks, the
 * same tracks rewritten by gpsbabel, and the malformed corpus. */

#include "config.h"

#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

#include "import-test-util.h"
#include "sal-gpx.h"
#include "sal-test-util.h"

static void
check_source_tracks (GPtrArray *ws, gboolean power, gboolean types)
{
  const SalWorkout *run, *ride;

  g_assert_cmpuint (ws->len, ==, 2);
  run = g_ptr_array_index (ws, 0);
  ride = g_ptr_array_index (ws, 1);
  g_assert_cmpstr (run->title, ==, "Morning run");
  g_assert_cmpstr (ride->title, ==, "Evening ride");
  g_assert_cmpstr (run->sport, ==, types ? "running" : "other");
  g_assert_cmpstr (ride->sport, ==, types ? "cycling" : "other");
  g_assert_cmpuint (run->samples->len, ==, 120);
  g_assert_cmpuint (ride->samples->len, ==, 60);
  for (int i = 0; i < 120; i++)
    check_track1_point (sample_at (run, i), i, 1e-9, 1e-9, power);
  for (int j = 0; j < 60; j++)
    {
      const SalSample *s = sample_at (ride, j);
      g_assert_cmpint (s->time_ms, ==, T1_MS + (gint64) j * 2000);
      g_assert_cmpfloat_with_epsilon (s->lat_deg, t2_lat (j), 1e-9);
      g_assert_cmpfloat_with_epsilon (s->lon_deg, t2_lon (j), 1e-9);
      g_assert_cmpfloat_with_epsilon (s->elevation_m, 600 + j, 1e-9);
      g_assert_cmpfloat (s->heart_rate_bpm, ==, t2_hr (j));
      g_assert_cmpfloat (s->cadence_rpm, ==, 90);
      if (power)
        g_assert_cmpfloat (s->power_w, ==, t2_power (j));
    }
  /* Summary computed from the samples (GPX has none). */
  g_assert_cmpint (run->start_ms, ==, T0_MS);
  g_assert_cmpfloat (run->duration_s, ==, 119);
  g_assert_cmpfloat_with_epsilon (run->avg_hr_bpm, 139.5, 1e-9);   /* mean of 120..159 */
  g_assert_cmpfloat (run->max_hr_bpm, ==, 159);
  g_assert_cmpfloat_with_epsilon (run->distance_m, track_length_m (run), 0.01);
  g_assert_cmpfloat_with_epsilon (run->distance_m, 1256.9, 1.0);    /* gpsbabel says 1258.3 */
  g_assert_cmpint (ride->start_ms, ==, T1_MS);
  g_assert_cmpfloat (ride->duration_s, ==, 118);
  g_assert_cmpfloat (ride->max_hr_bpm, ==, 149);
}

static void
test_source (void)
{
  g_autoptr(GPtrArray) ws = import_ok ("import", "source.gpx", SAL_FILE_FORMAT_GPX);

  check_source_tracks (ws, TRUE, TRUE);
  g_assert_cmpstr (((SalWorkout *) ws->pdata[0])->source, ==, "source.gpx");
}

/* The same tracks as gpsbabel writes them (no power, no <type>). */
static void
test_gpsbabel (void)
{
  g_autoptr(GPtrArray) ws = import_ok ("import", "gpsbabel.gpx", SAL_FILE_FORMAT_GPX);

  check_source_tracks (ws, FALSE, FALSE);
}

/* gpsbabel's reading of Garmin's FIT file, written as GPX. */
static void
test_gpsbabel_from_fit (void)
{
  g_autoptr(GPtrArray) ws = import_ok ("import", "gpsbabel-from-fit.gpx", SAL_FILE_FORMAT_GPX);
  const SalWorkout *w = g_ptr_array_index (ws, 0);

  g_assert_cmpuint (w->samples->len, ==, 120);
  for (int i = 0; i < 120; i++)
    check_track1_point (sample_at (w, i), i, 1e-6, 0.11, FALSE);
}

static void
test_round_trip (void)
{
  g_autoptr(GPtrArray) ws = import_ok ("import", "source.gpx", SAL_FILE_FORMAT_GPX);
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GPtrArray) back = NULL;
  g_autoptr(GError) error = NULL;
  SalWorkout *w = g_ptr_array_index (ws, 0);

  /* Text that needs escaping and a non-ASCII name survive. */
  g_free (w->title);
  w->title = g_strdup ("Run <fast> & \"easy\" — Zürich 跑步");
  w->notes = g_strdup ("line one\nline two");
  out = sal_gpx_write (ws);
  back = sal_gpx_read (out, "copy.gpx", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->len, ==, 2);
  for (guint k = 0; k < 2; k++)
    {
      const SalWorkout *a = g_ptr_array_index (ws, k), *b = g_ptr_array_index (back, k);

      g_assert_cmpstr (a->title, ==, b->title);
      g_assert_cmpstr (a->notes, ==, b->notes);
      g_assert_cmpstr (a->sport, ==, b->sport);
      g_assert_cmpuint (a->samples->len, ==, b->samples->len);
      for (guint i = 0; i < a->samples->len; i++)
        {
          const SalSample *x = sample_at (a, i), *y = sample_at (b, i);
          g_assert_cmpint (x->time_ms, ==, y->time_ms);
          g_assert_cmpfloat (x->lat_deg, ==, y->lat_deg);
          g_assert_cmpfloat (x->lon_deg, ==, y->lon_deg);
          g_assert_cmpfloat (x->elevation_m, ==, y->elevation_m);
          g_assert_cmpfloat (x->heart_rate_bpm, ==, y->heart_rate_bpm);
          g_assert_cmpfloat (x->cadence_rpm, ==, y->cadence_rpm);
          g_assert_cmpfloat (x->power_w, ==, y->power_w);
        }
      g_assert_cmpfloat (a->distance_m, ==, b->distance_m);
      g_assert_cmpfloat (a->avg_hr_bpm, ==, b->avg_hr_bpm);
    }
}

static void
test_malformed (void)
{
  g_assert_cmpuint (check_malformed_corpus ("gpx-"), >=, 17);
  expect_error ("malformed", "gpx-time-backwards.gpx", SAL_IMPORT_ERROR_INVALID, "backwards");
  expect_error ("malformed", "gpx-impossible-lat.gpx", SAL_IMPORT_ERROR_INVALID, "91.5");
  expect_error ("malformed", "gpx-impossible-lon.gpx", SAL_IMPORT_ERROR_INVALID, "-181");
  expect_error ("malformed", "gpx-billion-laughs.gpx", SAL_IMPORT_ERROR_UNSUPPORTED, "DTD");
  expect_error ("malformed", "gpx-external-entity.gpx", SAL_IMPORT_ERROR_UNSUPPORTED, "DTD");
  expect_error ("malformed", "gpx-network-entity.gpx", SAL_IMPORT_ERROR_UNSUPPORTED, "DTD");
  expect_error ("malformed", "gpx-undeclared-entity.gpx", SAL_IMPORT_ERROR_MALFORMED, "xxe");
  expect_error ("malformed", "gpx-bad-utf8.gpx", SAL_IMPORT_ERROR_MALFORMED, "UTF-8");
  expect_error ("malformed", "gpx-bad-number.gpx", SAL_IMPORT_ERROR_MALFORMED, "not a number");
  expect_error ("malformed", "gpx-bad-time.gpx", SAL_IMPORT_ERROR_MALFORMED, "yesterday noon");
  expect_error ("malformed", "gpx-no-time.gpx", SAL_IMPORT_ERROR_INVALID, "without a time");
  expect_error ("malformed", "gpx-truncated.gpx", SAL_IMPORT_ERROR_MALFORMED, "XML");
  expect_error ("malformed", "gpx-wrong-root.gpx", SAL_IMPORT_ERROR_UNSUPPORTED, "<kml>");
  expect_error ("malformed", "gpx-route-only.gpx", SAL_IMPORT_ERROR_INVALID, "no track");
  expect_error ("malformed", "gpx-utf16.gpx", SAL_IMPORT_ERROR_UNSUPPORTED, "UTF-16");
}

/* The first offending line is named: the point whose time goes backwards. */
static void
test_error_line (void)
{
  g_autoptr(GBytes) bytes = fixture_bytes ("malformed", "gpx-time-backwards.gpx");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ws = sal_gpx_read (bytes, "t.gpx", NULL, &error);
  const char *text = g_bytes_get_data (bytes, NULL);
  const char *bad = strstr (text, "<time>2024-05-01T07:20:00Z</time>");
  const char *trkpt;
  guint line = 1;
  g_autofree char *expected = NULL;

  g_assert_null (ws);
  g_assert_nonnull (bad);
  trkpt = g_strrstr_len (text, bad - text, "<trkpt");
  for (const char *p = text; p < trkpt; p++)
    line += *p == '\n';
  expected = g_strdup_printf ("t.gpx: line %u: time goes backwards", line);
  g_assert_true (g_str_has_prefix (error->message, expected));
}

static void
test_limits (void)
{
  g_autoptr(GBytes) bytes = fixture_bytes ("import", "source.gpx");
  g_autoptr(GError) error = NULL;
  SalImportLimits few_samples = { .max_samples = 150 };
  SalImportLimits few_bytes = { .max_bytes = 1000 };
  SalImportLimits one_track = { .max_workouts = 1 };
  SalImportLimits exact = { .max_samples = 180, .max_workouts = 2 };
  g_autoptr(GPtrArray) ok = NULL;

  g_assert_null (sal_gpx_read (bytes, "s.gpx", &few_samples, &error));
  g_assert_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_TOO_LARGE);
  g_clear_error (&error);
  g_assert_null (sal_gpx_read (bytes, "s.gpx", &few_bytes, &error));
  g_assert_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_TOO_LARGE);
  g_clear_error (&error);
  g_assert_null (sal_gpx_read (bytes, "s.gpx", &one_track, &error));
  g_assert_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_TOO_LARGE);
  g_clear_error (&error);
  ok = sal_gpx_read (bytes, "s.gpx", &exact, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ok->len, ==, 2);
}

/* Random damage to a valid file: an error or a result, never a crash. */
static void
test_fuzz (void)
{
  g_autoptr(GBytes) gpx = fixture_bytes ("malformed", "gpx-impossible-lat.gpx");
  gsize len;
  const guint8 *src = g_bytes_get_data (gpx, &len);
  GRand *rand = g_rand_new_with_seed (7);

  for (int iter = 0; iter < 300; iter++)
    {
      g_autofree guint8 *copy = g_memdup2 (src, len);
      g_autoptr(GBytes) b = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) ws = NULL;
      static const char pool[] = "<>&;\"'/=x0-9.\n\xff";

      for (int f = 0; f < 4; f++)
        copy[g_rand_int_range (rand, 0, (gint32) len)] = pool[g_rand_int_range (rand, 0, sizeof pool - 1)];
      b = g_bytes_new (copy, g_rand_int_range (rand, (gint32) len / 2, (gint32) len + 1));
      ws = sal_gpx_read (b, "fuzz.gpx", NULL, &error);
      g_assert_true ((ws == NULL) != (error == NULL));
    }
  g_rand_free (rand);
}

/* Declared legacy encodings are converted; CDATA and character references read
 * as text; a DTD after a comment is still refused. */
static void
test_encodings (void)
{
  const char latin1[] =
    "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n"
    "<gpx version=\"1.1\" xmlns=\"http://www.topografix.com/GPX/1/1\"><trk>"
    "<name>Z\xfcrich <![CDATA[<loop> & more]]> &#x4E2D;&amp;</name><trkseg>"
    "<trkpt lat=\"47.1\" lon=\"8.5\"><time>2024-05-01T07:30:00Z</time></trkpt>"
    "</trkseg></trk></gpx>\n";
  const char hidden_dtd[] =
    "\xef\xbb\xbf<?xml version=\"1.0\"?>\n<!-- a comment -->\n<?pi x?>\n"
    "<!DOCTYPE gpx SYSTEM \"http://127.0.0.1:9/gpx.dtd\">\n<gpx/>\n";
  g_autoptr(GBytes) a = g_bytes_new_static (latin1, sizeof latin1 - 1);
  g_autoptr(GBytes) b = g_bytes_new_static (hidden_dtd, sizeof hidden_dtd - 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ws = sal_gpx_read (a, "latin1.gpx", NULL, &error);
  g_autoptr(GPtrArray) none = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (((SalWorkout *) ws->pdata[0])->title, ==, "Zürich <loop> & more 中&");
  none = sal_gpx_read (b, "dtd.gpx", NULL, &error);
  g_assert_null (none);
  g_assert_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_UNSUPPORTED);
}

/* Our GPX export is valid GPX 1.1 by the Topografix schema. The schema is GPL
 * data shipped by Debian's pytrainer (DATA.md), so it is read where the
 * package puts it (or from $SALIENT_GPX_XSD) and the test skips without it. */
static void
test_schema (void)
{
  const char *xsd = g_getenv ("SALIENT_GPX_XSD");
  g_autoptr(GPtrArray) ws = import_ok ("import", "fitsdk-multisport.fit", SAL_FILE_FORMAT_FIT);
  g_autoptr(GBytes) out = NULL;
  xmlSchemaParserCtxt *pctxt;
  xmlSchema *schema;
  xmlSchemaValidCtxt *vctxt;
  xmlDoc *doc;
  gsize len;
  const char *data;
  SalWorkout *w = g_ptr_array_index (ws, 0);

  if (xsd == NULL)
    xsd = "/usr/share/pytrainer/schemas/Topografix_gpx11.xsd";
  if (!g_file_test (xsd, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("GPX 1.1 schema not installed (pytrainer, or set SALIENT_GPX_XSD)");
      return;
    }
  w->title = g_strdup ("Run <fast> & \"easy\"");
  w->notes = g_strdup ("notes");
  out = sal_gpx_write (ws);
  data = g_bytes_get_data (out, &len);
  pctxt = xmlSchemaNewParserCtxt (xsd);
  schema = xmlSchemaParse (pctxt);
  g_assert_nonnull (schema);
  vctxt = xmlSchemaNewValidCtxt (schema);
  doc = xmlReadMemory (data, (int) len, "export.gpx", NULL, XML_PARSE_NONET);
  g_assert_nonnull (doc);
  g_assert_cmpint (xmlSchemaValidateDoc (vctxt, doc), ==, 0);
  xmlFreeDoc (doc);
  xmlSchemaFreeValidCtxt (vctxt);
  xmlSchemaFree (schema);
  xmlSchemaFreeParserCtxt (pctxt);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/app/gpx/source", test_source);
  g_test_add_func ("/app/gpx/gpsbabel", test_gpsbabel);
  g_test_add_func ("/app/gpx/gpsbabel-from-fit", test_gpsbabel_from_fit);
  g_test_add_func ("/app/gpx/round-trip", test_round_trip);
  g_test_add_func ("/app/gpx/malformed", test_malformed);
  g_test_add_func ("/app/gpx/error-line", test_error_line);
  g_test_add_func ("/app/gpx/limits", test_limits);
  g_test_add_func ("/app/gpx/encodings", test_encodings);
  g_test_add_func ("/app/gpx/schema", test_schema);
  g_test_add_func ("/app/gpx/fuzz", test_fuzz);
  return g_test_run ();
}
