/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Store benchmark (not a test): prints figures, each with a peer measured in the same run.
 *   bench-store [N_WORKOUTS [N_NOTES]]      defaults 100000 and 10000
 * 1. Import of N_WORKOUTS workouts written as a summary CSV, parsed and stored in one
 *    transaction (duplicate detection and audit included); peer: the same rows inserted
 *    with bare prepared INSERTs in one transaction into the same schema.
 * 2. Full-text search over N_NOTES generated clinical notes: p50/p95 of 500 queries;
 *    peer: the same queries as LIKE '%word%' scans.
 * 3. A GPX track of 10,000 points: parsed and stored, then read back. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sal-csv.h"
#include "sal-gpx.h"
#include "sal-notegen.h"
#include "sal-store-private.h"
#include "sal-test-util.h"

static const char * const sports[] = { "running", "cycling", "walking", "swimming" };

static GPtrArray *
make_workouts (guint n)
{
  GPtrArray *workouts = g_ptr_array_new_with_free_func ((GDestroyNotify) sal_workout_free);
  GRand *rand = g_rand_new_with_seed (7);

  for (guint i = 0; i < n; i++)
    {
      SalWorkout *w = sal_workout_new ();

      g_free (w->sport);
      w->sport = g_strdup (sports[i % G_N_ELEMENTS (sports)]);
      w->title = g_strdup_printf ("Session %u", i);
      w->start_ms = 1400000000000LL + (gint64) i * 6 * 3600 * 1000;
      w->duration_s = g_rand_double_range (rand, 900, 7200);
      w->distance_m = w->duration_s * g_rand_double_range (rand, 2, 8);
      w->avg_hr_bpm = g_rand_double_range (rand, 110, 165);
      w->max_hr_bpm = w->avg_hr_bpm + 15;
      w->rpe = g_rand_int_range (rand, 1, 11);
      g_ptr_array_add (workouts, w);
    }
  g_rand_free (rand);
  return workouts;
}

static double
seconds_since (gint64 t0)
{
  return (g_get_monotonic_time () - t0) / 1e6;
}

static double
peer_insert (const char *path, GPtrArray *workouts)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 t0;

  /* Same schema, same pragmas: the store made this file. */
  sal_store_unref (sal_store_open (path, NULL));
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sqlite3_exec (db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; "
                    "PRAGMA secure_delete = ON; PRAGMA foreign_keys = ON", NULL, NULL, NULL);
  t0 = g_get_monotonic_time ();
  sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
  sqlite3_prepare_v2 (db, "INSERT INTO workouts (sport, title, start_ms, duration_s, distance_m, "
                          "avg_hr_bpm, max_hr_bpm, rpe, fingerprint, created_ms) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', 0)", -1, &stmt, NULL);
  for (guint i = 0; i < workouts->len; i++)
    {
      SalWorkout *w = workouts->pdata[i];

      sqlite3_reset (stmt);
      sqlite3_bind_text (stmt, 1, w->sport, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, w->title, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 3, w->start_ms);
      sqlite3_bind_double (stmt, 4, w->duration_s);
      sqlite3_bind_double (stmt, 5, w->distance_m);
      sqlite3_bind_double (stmt, 6, w->avg_hr_bpm);
      sqlite3_bind_double (stmt, 7, w->max_hr_bpm);
      sqlite3_bind_double (stmt, 8, w->rpe);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
    }
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_exec (db, "COMMIT", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  return seconds_since (t0);
}

static void
bench_import (const char *dir, guint n)
{
  g_autofree char *path = g_build_filename (dir, "import.db", NULL);
  g_autofree char *peer_path = g_build_filename (dir, "peer.db", NULL);
  g_autoptr(GPtrArray) made = make_workouts (n);
  g_autoptr(GBytes) csv = sal_csv_write_summary (made);
  g_autoptr(GPtrArray) workouts = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SalStore) store = sal_store_open (path, &error);
  SalCsvLayout layout;
  guint added = 0, dups = 0;
  double parse_s, store_s, peer_s;
  gint64 t0;

  g_assert_no_error (error);
  t0 = g_get_monotonic_time ();
  workouts = sal_csv_read (csv, "bench.csv", NULL, &layout, &error);
  parse_s = seconds_since (t0);
  g_assert_no_error (error);
  g_assert_cmpuint (workouts->len, ==, n);
  printf ("import: CSV of %u workouts is %.1f MB\n", n, g_bytes_get_size (csv) / 1e6);
  t0 = g_get_monotonic_time ();
  g_assert_true (sal_store_add_workouts (store, workouts, FALSE, &added, &dups, &error));
  store_s = seconds_since (t0);
  g_assert_no_error (error);
  g_assert_cmpuint (added, ==, n);
  peer_s = peer_insert (peer_path, workouts);

  printf ("import: %u workouts: parse %.2f s + store %.2f s = %.0f workouts/s; "
          "bare INSERT peer %.2f s (store/peer time %.2f×)\n",
          n, parse_s, store_s, n / (parse_s + store_s), peer_s, store_s / peer_s);

  /* Importing the same file again finds every workout a duplicate. */
  t0 = g_get_monotonic_time ();
  g_assert_true (sal_store_add_workouts (store, workouts, FALSE, &added, &dups, &error));
  printf ("import again: %u duplicates found in %.2f s\n", dups, seconds_since (t0));
}

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
percentile (GArray *sorted, double p)
{
  guint i = (guint) ceil (p * sorted->len) - 1;

  return g_array_index (sorted, double, MIN (i, sorted->len - 1));
}

static void
bench_search (const char *dir, guint n_notes)
{
  g_autofree char *path = g_build_filename (dir, "search.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SalStore) store = sal_store_open (path, &error);
  g_autoptr(GPtrArray) words = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) queries = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) fts = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) like = g_array_new (FALSE, FALSE, sizeof (double));
  GRand *rand = g_rand_new_with_seed (11);
  gint64 case_id, t0;
  guint n_hits = 0;
  sqlite3_stmt *stmt = NULL;

  g_assert_no_error (error);
  case_id = sal_store_add_case (store, NULL, "bench", TRUE, &error);
  t0 = g_get_monotonic_time ();
  g_assert_true (sal_store_exec (store, "BEGIN", NULL, "bench"));
  for (guint i = 0; i < n_notes; i++)
    {
      g_autoptr(SalGeneratedNote) note = sal_note_generate (i + 1, SAL_NOTE_TEMPLATES_TRAIN);
      g_auto(GStrv) tokens = NULL;

      g_assert_cmpint (sal_store_add_note (store, case_id, "note", note->text, &error), >, 0);
      if (i % 20 == 0)
        {
          tokens = g_regex_split_simple ("[^A-Za-z]+", note->text, 0, 0);
          for (guint k = 0; tokens[k] != NULL; k++)
            if (strlen (tokens[k]) >= 5)
              g_ptr_array_add (words, g_ascii_strdown (tokens[k], -1));
        }
    }
  g_assert_true (sal_store_exec (store, "COMMIT", NULL, "bench"));
  printf ("search: %u notes stored in %.2f s\n", n_notes, seconds_since (t0));

  for (guint q = 0; q < 500; q++)
    {
      const char *a = words->pdata[g_rand_int_range (rand, 0, words->len)];
      const char *b = words->pdata[g_rand_int_range (rand, 0, words->len)];

      g_ptr_array_add (queries, q % 2 ? g_strdup (a) : g_strdup_printf ("%s %s", a, b));
    }

  for (guint q = 0; q < queries->len; q++)
    {
      g_autoptr(GPtrArray) hits = NULL;
      double ms;

      t0 = g_get_monotonic_time ();
      hits = sal_store_search (store, queries->pdata[q], 20, &error);
      ms = seconds_since (t0) * 1000;
      g_assert_no_error (error);
      n_hits += hits->len;
      g_array_append_val (fts, ms);
    }
  sqlite3_prepare_v2 (store->db, "SELECT id FROM notes WHERE body LIKE '%' || ?1 || '%' "
                                 "AND body LIKE '%' || ?2 || '%' LIMIT 20", -1, &stmt, NULL);
  for (guint q = 0; q < queries->len; q++)
    {
      g_auto(GStrv) parts = g_strsplit (queries->pdata[q], " ", 2);
      double ms;

      t0 = g_get_monotonic_time ();
      sqlite3_reset (stmt);
      sqlite3_bind_text (stmt, 1, parts[0], -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, parts[1] != NULL ? parts[1] : "", -1, SQLITE_STATIC);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        ;
      ms = seconds_since (t0) * 1000;
      g_array_append_val (like, ms);
    }
  sqlite3_finalize (stmt);
  g_array_sort (fts, compare_doubles);
  g_array_sort (like, compare_doubles);
  printf ("search: %u queries over %u notes: FTS p50 %.2f ms, p95 %.2f ms, max %.2f ms "
          "(%.1f hits/query); LIKE-scan peer p50 %.2f ms, p95 %.2f ms (peer/FTS p95 %.2f×; the peer does not rank)\n",
          queries->len, n_notes, percentile (fts, 0.5), percentile (fts, 0.95),
          percentile (fts, 1.0), (double) n_hits / queries->len, percentile (like, 0.5),
          percentile (like, 0.95), percentile (like, 0.95) / percentile (fts, 0.95));
  g_rand_free (rand);
}

static void
bench_long_workout (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "long.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SalStore) store = sal_store_open (path, &error);
  g_autoptr(SalWorkout) w = sal_workout_new ();
  g_autoptr(SalWorkout) back = NULL;
  g_autoptr(GPtrArray) one = g_ptr_array_new ();
  g_autoptr(GPtrArray) parsed = NULL;
  g_autoptr(GBytes) gpx = NULL;
  gint64 t0;
  double parse_s, store_s;

  w->start_ms = 1700000000000;
  w->duration_s = 10000;
  for (int i = 0; i < 10000; i++)
    {
      SalSample s = sal_sample_empty ();

      s.time_ms = w->start_ms + i * 1000;
      s.lat_deg = 46 + i * 1e-5;
      s.lon_deg = 7 + i * 1e-5;
      s.elevation_m = 500 + sin (i / 300.0) * 50;
      s.heart_rate_bpm = 140 + (i % 20);
      s.cadence_rpm = 88;
      s.power_w = 210;
      g_array_append_val (w->samples, s);
    }
  g_ptr_array_add (one, w);
  gpx = sal_gpx_write (one);
  t0 = g_get_monotonic_time ();
  parsed = sal_gpx_read (gpx, "bench.gpx", NULL, &error);
  parse_s = seconds_since (t0);
  g_assert_no_error (error);
  g_assert_cmpuint (((SalWorkout *) parsed->pdata[0])->samples->len, ==, 10000);
  t0 = g_get_monotonic_time ();
  g_assert_cmpint (sal_store_add_workout (store, parsed->pdata[0], &error), >, 0);
  store_s = seconds_since (t0);
  t0 = g_get_monotonic_time ();
  back = sal_store_get_workout (store, ((SalWorkout *) parsed->pdata[0])->id, TRUE, &error);
  g_assert_cmpuint (back->samples->len, ==, 10000);
  printf ("GPX of 10000 points (%.1f MB): parsed in %.1f ms, stored in %.1f ms, "
          "read back in %.1f ms\n", g_bytes_get_size (gpx) / 1e6, parse_s * 1000,
          store_s * 1000, seconds_since (t0) * 1000);
}

int
main (int argc, char **argv)
{
  g_autofree char *dir = sal_test_tmpdir ();
  guint n_workouts = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 100000;
  guint n_notes = argc > 2 ? (guint) g_ascii_strtoull (argv[2], NULL, 10) : 10000;

  printf ("SQLite %s, database in %s\n", sqlite3_libversion (), dir);
  bench_import (dir, MAX (n_workouts, 1));
  bench_search (dir, MAX (n_notes, 20));
  bench_long_workout (dir);
  if (g_getenv ("SALIENT_BENCH_KEEP") == NULL)
    sal_test_rm_rf (dir);
  return 0;
}
