/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A child process imports a large batch of workouts in one transaction and is killed
 * with SIGKILL at a random moment; every time, the database must reopen, pass
 * PRAGMA integrity_check, and hold each batch whole or not at all. The default suite runs
 * KILL_ITERATIONS = 10; test-store-kill-slow.c includes this file with 60. */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sal-audit.h"
#include "sal-store-private.h"
#include "sal-test-util.h"

#ifndef KILL_ITERATIONS
#define KILL_ITERATIONS 10
#endif
#define BATCH_WORKOUTS 300
#define BATCH_SAMPLES  100

static GPtrArray *
make_batch (int batch)
{
  GPtrArray *workouts = g_ptr_array_new_with_free_func ((GDestroyNotify) sal_workout_free);

  for (int i = 0; i < BATCH_WORKOUTS; i++)
    {
      SalWorkout *w = sal_workout_new ();
      gint64 start = 1500000000000LL + (gint64) (batch * BATCH_WORKOUTS + i) * 3600000LL;

      g_free (w->sport);
      w->sport = g_strdup (i % 2 ? "running" : "cycling");
      w->start_ms = start;
      w->duration_s = BATCH_SAMPLES;
      w->distance_m = 300 + i;
      w->source = g_strdup_printf ("batch-%d", batch);
      for (int k = 0; k < BATCH_SAMPLES; k++)
        {
          SalSample s = sal_sample_empty ();

          s.time_ms = start + k * 1000;
          s.lat_deg = 47.0 + k * 1e-5;
          s.lon_deg = 8.0 + i * 1e-5;
          s.heart_rate_bpm = 110 + k % 60;
          s.power_w = 150 + (k * 7) % 90;
          g_array_append_val (w->samples, s);
        }
      g_ptr_array_add (workouts, w);
    }
  return workouts;
}

/* The child: signals on `ready` just before the import's transaction, then imports. */
G_GNUC_NORETURN static void
child_import (const char *path, int batch, int ready)
{
  g_autoptr(GPtrArray) workouts = make_batch (batch);
  SalStore *store = sal_store_open (path, NULL);
  guint added = 0;

  if (store == NULL)
    _exit (3);
  if (write (ready, "x", 1) != 1)
    _exit (5);
  if (!sal_store_add_workouts (store, workouts, FALSE, &added, NULL, NULL) || added != BATCH_WORKOUTS)
    _exit (4);
  sal_store_unref (store);
  _exit (0);
}

/* Runs a child for batch; kills it delay_us after its start, or after it reached the
 * import when aim is set (delay_us < 0: lets it finish). Returns whether the child had
 * reached the import; *import_us: time from there to its end. */
static gboolean
run_child (const char *path, int batch, gint64 delay_us, gboolean aim, gboolean *finished,
           gint64 *import_us)
{
  int fds[2];
  pid_t pid;
  int status = 0;
  char byte;
  gboolean reached = FALSE;
  gint64 t_ready = 0;

  g_assert_cmpint (pipe (fds), ==, 0);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      close (fds[0]);
      child_import (path, batch, fds[1]);
    }
  close (fds[1]);
  if (aim || delay_us < 0)
    {
      reached = read (fds[0], &byte, 1) == 1;
      t_ready = g_get_monotonic_time ();
    }
  if (delay_us >= 0)
    {
      g_usleep ((gulong) delay_us);
      kill (pid, SIGKILL);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  if (import_us != NULL)
    *import_us = g_get_monotonic_time () - t_ready;
  if (!aim && delay_us >= 0)
    reached = read (fds[0], &byte, 1) == 1;
  close (fds[0]);
  *finished = WIFEXITED (status);
  if (WIFEXITED (status))
    g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  else
    g_assert_true (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL);
  return reached;
}

static void
count_batch (SalStore *store, int batch, int *n_workouts, int *n_samples)
{
  g_autofree char *source = g_strdup_printf ("batch-%d", batch);
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (store->db,
                                       "SELECT count(DISTINCT w.id), count(s.seq) FROM workouts w "
                                       "LEFT JOIN workout_samples s ON s.workout_id = w.id "
                                       "WHERE w.source = ?", -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, source, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  *n_workouts = sqlite3_column_int (stmt, 0);
  *n_samples = sqlite3_column_int (stmt, 1);
  sqlite3_finalize (stmt);
}

static void
test_sigkill (void)
{
  g_autofree char *dir = sal_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "kill.db", NULL);
  gboolean committed[3 * KILL_ITERATIONS + 1] = { FALSE };
  int it;
  guint n_mid = 0, n_committed = 0, n_killed = 0;
  gint64 t0, full_us, import_us = 0;
  gboolean finished;

  /* Calibrate: one uncut import (batch 0) gives the time spans to aim the kills at. */
  t0 = g_get_monotonic_time ();
  run_child (path, 0, -1, FALSE, &finished, &import_us);
  full_us = g_get_monotonic_time () - t0;
  g_assert_true (finished);
  committed[0] = TRUE;

  /* Until KILL_ITERATIONS children were really killed (some finish before the kill). */
  for (it = 1; n_killed < KILL_ITERATIONS; it++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SalStore) store = NULL;
      /* Most kills are aimed at the import (and a little past its end, to hit the commit);
       * every fourth falls anywhere from the child's start (opening, migration). */
      gboolean aim = it % 4 != 0;
      gint64 span = aim ? import_us * 11 / 10 : full_us * 11 / 10;
      gint64 delay = g_test_rand_int_range (0, (gint32) CLAMP (span, 1, G_MAXINT32));
      sqlite3_stmt *stmt = NULL;
      gboolean reached = run_child (path, it, delay, aim, &finished, NULL);

      g_assert_cmpint (it, <, (int) G_N_ELEMENTS (committed));
      n_killed += finished ? 0 : 1;
      /* Reopen as the app would: recovery, migrations, purge. */
      store = sal_store_open (path, &error);
      g_assert_no_error (error);
      g_assert_cmpint (sqlite3_prepare_v2 (store->db, "PRAGMA integrity_check", -1, &stmt, NULL),
                       ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
      g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "ok");
      sqlite3_finalize (stmt);

      for (int b = 0; b <= it; b++)
        {
          int n_w, n_s;

          count_batch (store, b, &n_w, &n_s);
          if (b == it)
            {
              committed[b] = n_w == BATCH_WORKOUTS;
              if (finished)
                g_assert_true (committed[b]);
              if (!finished && committed[b])
                n_committed++;
              if (reached && !committed[b] && !finished)
                n_mid++;
            }
          /* All or nothing, and nothing committed is ever lost. */
          g_assert_cmpint (n_w, ==, committed[b] ? BATCH_WORKOUTS : 0);
          g_assert_cmpint (n_s, ==, committed[b] ? BATCH_WORKOUTS * BATCH_SAMPLES : 0);
        }
      g_assert_true (sal_audit_verify (store, NULL, NULL, &error));
      g_assert_no_error (error);
    }
  it--;
  g_test_message ("%d runs: %u killed (%u during the import, %u after its commit), "
                  "import takes %.0f ms of %.0f", it, n_killed, n_mid, n_committed,
                  import_us / 1000.0, full_us / 1000.0);
  /* The kills must mostly land inside imports, or the test proves little. */
  g_assert_cmpuint (n_mid, >=, KILL_ITERATIONS / 4);
  sal_test_rm_rf (dir);
}

int
main (int argc, char **argv)
{
  g_autofree char *name = g_strdup_printf ("/app/store-kill/sigkill-%d", KILL_ITERATIONS);

  g_test_init (&argc, &argv, NULL);
  g_test_add_func (name, test_sigkill);
  return g_test_run ();
}
