/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Benchmark (not a test): import of a 10,000-point GPX with heart rate,
 * cadence and power, median of several runs, reported against peers measured
 * in the same run on the same file: libxml2 streaming through it with no
 * handlers (the floor for Salient's SAX importer), libxml2 building a tree
 * (the floor for a DOM importer), and gpsbabel reading it when installed (a
 * separate process, start-up included).
 * Then the summary CSV reader on 100,000 workouts, against a naive split.
 * Usage: bench-import [N_POINTS] [RUNS] */

#include "config.h"

#include <glib/gstdio.h>
#include <libxml/parser.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sal-import.h"

static char *
make_gpx (guint n)
{
  GString *s = g_string_new ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<gpx version=\"1.1\" creator=\"bench-import\" xmlns=\"http://www.topografix.com/GPX/1/1\" "
    "xmlns:gpxtpx=\"http://www.garmin.com/xmlschemas/TrackPointExtension/v1\" "
    "xmlns:gpxpx=\"http://www.garmin.com/xmlschemas/PowerExtension/v1\">\n"
    "  <trk><name>Long ride</name><type>cycling</type><trkseg>\n");
  gint64 t0 = 1714548600;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (t0 + i);
      g_autofree char *time = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
      char lat[32], lon[32], ele[32];

      g_ascii_formatd (lat, sizeof lat, "%.7f", 47.0 + 0.01 * sin (i / 500.0));
      g_ascii_formatd (lon, sizeof lon, "%.7f", 8.0 + 0.00002 * i);
      g_ascii_formatd (ele, sizeof ele, "%.1f", 400 + 30 * sin (i / 700.0));
      g_string_append_printf (s,
        "    <trkpt lat=\"%s\" lon=\"%s\"><ele>%s</ele><time>%s</time><extensions>"
        "<gpxpx:PowerExtension><gpxpx:PowerInWatts>%u</gpxpx:PowerInWatts></gpxpx:PowerExtension>"
        "<gpxtpx:TrackPointExtension><gpxtpx:hr>%u</gpxtpx:hr><gpxtpx:cad>%u</gpxtpx:cad>"
        "</gpxtpx:TrackPointExtension></extensions></trkpt>\n",
        lat, lon, ele, time, 180 + i % 90, 110 + i % 50, 80 + i % 20);
    }
  g_string_append (s, "  </trkseg></trk>\n</gpx>\n");
  return g_string_free (s, FALSE);
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (double *v, int n)
{
  qsort (v, n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* CPU time of this thread in ms: less disturbed than wall time on a shared machine. */
static double
cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static gboolean
time_ours (const char *path, guint n, double *ms)
{
  g_auto(SalImportResult) result = { 0 };
  g_autoptr(GError) error = NULL;
  double t = cpu_ms ();
  const SalWorkout *w;

  if (!sal_import_file (path, NULL, &result, &error))
    {
      fprintf (stderr, "bench-import: %s\n", error->message);
      return FALSE;
    }
  *ms = cpu_ms () - t;
  w = g_ptr_array_index (result.workouts, 0);
  if (w->samples->len != n)
    {
      fprintf (stderr, "bench-import: got %u points, expected %u\n", w->samples->len, n);
      return FALSE;
    }
  return TRUE;
}

static double
time_libxml (const char *path)
{
  g_autofree char *contents = NULL;
  double t = cpu_ms ();
  gsize len;
  xmlDoc *doc;

  g_file_get_contents (path, &contents, &len, NULL);
  doc = xmlReadMemory (contents, (int) len, NULL, NULL, XML_PARSE_NONET);
  xmlFreeDoc (doc);
  return cpu_ms () - t;
}

/* libxml2 streaming through the file with no handlers: the floor for a SAX importer. */
static double
time_libxml_sax (const char *path)
{
  g_autofree char *contents = NULL;
  xmlSAXHandler sax;
  double t = cpu_ms ();
  gsize len;

  memset (&sax, 0, sizeof sax);
  sax.initialized = XML_SAX2_MAGIC;
  g_file_get_contents (path, &contents, &len, NULL);
  xmlSAXUserParseMemory (&sax, NULL, contents, (int) len);
  return cpu_ms () - t;
}

/* 100,000 workouts as a summary CSV (the store's bulk-import figure needs this reader). */
static char *
make_csv (guint n)
{
  GString *s = g_string_new ("sport,start,duration_s,distance_m,avg_hr,max_hr,rpe,notes,title\r\n");

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (1400000000 + (gint64) i * 86400 / 3);
      g_autofree char *start = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");

      g_string_append_printf (s, "%s,%s,%u,%u.%u,%u,%u,%u,\"easy, then \"\"hard\"\"\",Session %u\r\n",
                              i % 3 == 0 ? "running" : i % 3 == 1 ? "cycling" : "swimming", start,
                              1800 + i % 3600, 5000 + i % 20000, i % 10, 120 + i % 40,
                              150 + i % 40, i % 11, i);
    }
  return g_string_free (s, FALSE);
}

static volatile gsize sink;

/* The naive floor: read, split lines, split commas (no quoting rules, no checks). */
static double
time_naive_csv (const char *path)
{
  g_autofree char *contents = NULL;
  double t = cpu_ms ();
  gsize len, fields = 0;
  char **lines;

  g_file_get_contents (path, &contents, &len, NULL);
  lines = g_strsplit (contents, "\n", -1);
  for (char **l = lines; *l != NULL; l++)
    {
      char **f = g_strsplit (*l, ",", -1);
      fields += g_strv_length (f);
      g_strfreev (f);
    }
  g_strfreev (lines);
  sink = fields;   /* keep the work observable */
  return cpu_ms () - t;
}

static int
bench_csv (guint n, int runs)
{
  g_autofree char *csv = make_csv (n);
  g_autofree char *dir = g_dir_make_tmp ("salient-bench-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "bench.csv", NULL);
  double *ours = g_new (double, runs), *naive = g_new (double, runs);
  double m_ours, m_naive;

  if (dir == NULL || !g_file_set_contents (path, csv, -1, NULL))
    return 1;
  for (int r = 0; r < runs; r++)
    for (int k = 0; k < 2; k++)
      if ((k + r) % 2 == 0)
        {
          g_auto(SalImportResult) result = { 0 };
          g_autoptr(GError) error = NULL;
          double t = cpu_ms ();

          if (!sal_import_file (path, NULL, &result, &error))
            {
              fprintf (stderr, "bench-import: %s\n", error->message);
              return 1;
            }
          ours[r] = cpu_ms () - t;
          if (result.workouts->len != n)
            return 1;
        }
      else
        naive[r] = time_naive_csv (path);
  m_ours = median (ours, runs);
  m_naive = median (naive, runs);
  printf ("\nCSV import benchmark: %u workouts (%.1f MB), median of %d runs (CPU time)\n",
          n, strlen (csv) / 1e6, runs);
  printf ("  salient CSV reader (RFC 4180, checks, workouts built): %8.2f ms  (%.0f workouts/s)\n",
          m_ours, n / (m_ours / 1000.0));
  printf ("  peer: naive split on newlines and commas (no checks): %8.2f ms  ratio salient/naive = %.2f\n",
          m_naive, m_ours / m_naive);
  g_unlink (path);
  g_rmdir (dir);
  g_free (ours);
  g_free (naive);
  return 0;
}

int
main (int argc, char **argv)
{
  guint n = argc > 1 ? (guint) atoi (argv[1]) : 10000;
  int runs = argc > 2 ? atoi (argv[2]) : 11;
  g_autofree char *gpx = make_gpx (n);
  g_autofree char *dir = g_dir_make_tmp ("salient-bench-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "bench.gpx", NULL);
  g_autofree char *gpsbabel = g_find_program_in_path ("gpsbabel");
  double *ours = g_new (double, runs), *xml = g_new (double, runs), *babel = g_new (double, runs);
  double *sax = g_new (double, runs);
  double m_ours, m_xml, m_sax, m_babel = NAN;
  gsize size = strlen (gpx);

  if (n == 0 || runs <= 0 || dir == NULL || !g_file_set_contents (path, gpx, (gssize) size, NULL))
    {
      fprintf (stderr, "bench-import: bad arguments or cannot write %s\n", path);
      return 1;
    }
  xmlInitParser ();
  for (int r = 0; r < runs; r++)
    {
      /* alternate the order: the first one of a round pays for fresh pages */
      for (int k = 0; k < 3; k++)
        switch ((k + r) % 3)
          {
          case 0:
            if (!time_ours (path, n, &ours[r]))
              return 1;
            break;
          case 1:
            xml[r] = time_libxml (path);
            break;
          default:
            sax[r] = time_libxml_sax (path);
            break;
          }
      if (gpsbabel != NULL)
        {
          const char *args[] = { gpsbabel, "-t", "-i", "gpx", "-f", path, "-o", "unicsv",
                                 "-F", "/dev/null", NULL };
          int status = 0;
          gint64 t = g_get_monotonic_time ();

          g_spawn_sync (NULL, (char **) args, NULL, G_SPAWN_STDOUT_TO_DEV_NULL
                        | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, NULL);
          babel[r] = (g_get_monotonic_time () - t) / 1000.0;
        }
    }
  m_ours = median (ours, runs);
  m_xml = median (xml, runs);
  m_sax = median (sax, runs);
  if (gpsbabel != NULL)
    m_babel = median (babel, runs);

  printf ("GPX import benchmark: %u points (%.1f MB), median of %d runs\n", n, size / 1e6, runs);
  printf ("  (CPU time of the importing thread; gpsbabel: wall time of its process)\n");
  printf ("  salient import (read + parse + validate + summary): %8.2f ms  (%.0f points/s)\n",
          m_ours, n / (m_ours / 1000.0));
  printf ("  peer: libxml2 SAX pass, no handlers (streaming floor): %6.2f ms  ratio salient/SAX = %.2f\n",
          m_sax, m_ours / m_sax);
  printf ("  peer: libxml2 building a tree (a DOM importer's floor): %5.2f ms  ratio salient/tree = %.2f\n",
          m_xml, m_ours / m_xml);
  if (gpsbabel != NULL)
    printf ("  peer: gpsbabel gpx -> unicsv (own process):         %8.2f ms  ratio salient/gpsbabel = %.2f\n",
            m_babel, m_ours / m_babel);
  else
    printf ("  peer: gpsbabel not installed, skipped\n");
  g_unlink (path);
  g_rmdir (dir);
  if (bench_csv (100000, MAX (3, runs / 2)) != 0)
    return 1;
  g_free (ours);
  g_free (xml);
  g_free (babel);
  g_free (sax);
  return 0;
}
