/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Job service benchmark (built, not run as a test):
 *   - cancel latency: from sal_job_cancel on the main thread to the job's "finished"
 *     signal there, for a job made of ~1 ms sgemm steps (goal ≤ 50 ms);
 *   - main-loop stalls: a 16 ms heartbeat's longest lateness while heavy jobs keep
 *     every worker busy, against the same heartbeat with no job (goal < 16 ms).
 * Usage: bench-jobs [--trials N] [--seconds S] */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "sal-blas.h"
#include "sal-job-queue.h"

typedef struct {
  int n;
} Heavy;

static gpointer
heavy_func (SalJob *job, gpointer data, GCancellable *cancellable, GError **error)
{
  Heavy *h = data;
  g_autofree float *a = g_new (float, (gsize) h->n * h->n);
  g_autofree float *b = g_new (float, (gsize) h->n * h->n);
  g_autofree float *c = g_new0 (float, (gsize) h->n * h->n);
  guint64 steps = 0;

  for (int i = 0; i < h->n * h->n; i++)
    {
      a[i] = (float) (i % 7) * 0.01f;
      b[i] = (float) (i % 5) * 0.01f;
    }
  for (;;)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      sal_sgemm (FALSE, FALSE, h->n, h->n, h->n, 1.0f, a, h->n, b, h->n, 0.0f, c, h->n);
      steps++;
      sal_job_report_progress (job, (double) (steps % 1000) / 1000.0, NULL);
    }
}

static SalJob *
heavy_job_new (int n)
{
  Heavy *h = g_new0 (Heavy, 1);

  h->n = n;
  return sal_job_new ("bench", "heavy", SAL_JOB_PRIORITY_BATCH, G_TYPE_NONE, heavy_func,
                      h, NULL, g_free);
}

static void
on_finished (SalJob *job, gint64 *when)
{
  *when = g_get_monotonic_time ();
}

static void
iterate_for (gint64 usec)
{
  gint64 end = g_get_monotonic_time () + usec;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (200);
    }
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

/* Time of one sgemm step of size n, in ms (median of 9). */
static double
step_ms (int n)
{
  g_autofree float *a = g_new0 (float, (gsize) n * n);
  g_autofree float *b = g_new0 (float, (gsize) n * n);
  g_autofree float *c = g_new0 (float, (gsize) n * n);
  double t[9];

  for (int r = 0; r < 9; r++)
    {
      gint64 t0 = g_get_monotonic_time ();
      sal_sgemm (FALSE, FALSE, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
      t[r] = (g_get_monotonic_time () - t0) / 1000.0;
    }
  qsort (t, 9, sizeof t[0], cmp_double);
  return t[4];
}

static void
bench_cancel (SalJobQueue *queue, int trials, int n)
{
  g_autofree double *lat = g_new (double, trials);
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);

  for (int i = 0; i < trials; i++)
    {
      g_autoptr(SalJob) job = heavy_job_new (n);
      gint64 finished = 0, t0;

      g_signal_connect (job, "finished", G_CALLBACK (on_finished), &finished);
      sal_job_queue_push (queue, job);
      while (sal_job_get_state (job) != SAL_JOB_STATE_RUNNING)
        g_main_context_iteration (NULL, TRUE);
      iterate_for (g_rand_int_range (rand, 20, 120) * 1000);
      t0 = g_get_monotonic_time ();
      sal_job_cancel (job);
      while (finished == 0)
        g_main_context_iteration (NULL, TRUE);
      lat[i] = (finished - t0) / 1000.0;
      g_assert (sal_job_get_state (job) == SAL_JOB_STATE_CANCELLED);
    }
  qsort (lat, trials, sizeof lat[0], cmp_double);
  printf ("cancel latency (%d trials, %dx%d sgemm steps of %.2f ms): median %.2f ms, "
          "max %.2f ms (goal <= 50 ms)\n",
          trials, n, n, step_ms (n), lat[trials / 2], lat[trials - 1]);
}

typedef struct {
  gint64 last;
  gint64 longest;
  guint  ticks;
} Heartbeat;

static gboolean
heartbeat_tick (gpointer data)
{
  Heartbeat *hb = data;
  gint64 now = g_get_monotonic_time ();

  if (hb->last != 0)
    hb->longest = MAX (hb->longest, now - hb->last);
  hb->last = now;
  hb->ticks++;
  return G_SOURCE_CONTINUE;
}

/* Longest lateness of a 16 ms heartbeat (gap beyond 16 ms), in ms. */
static double
heartbeat (SalJobQueue *queue, double seconds, guint n_jobs, int n, guint *ticks)
{
  g_autoptr(GPtrArray) jobs = g_ptr_array_new_with_free_func (g_object_unref);
  Heartbeat hb = { 0 };
  gint64 end;
  guint id;

  for (guint i = 0; i < n_jobs; i++)
    {
      SalJob *job = heavy_job_new (n);
      g_ptr_array_add (jobs, job);
      sal_job_queue_push (queue, job);
      while (sal_job_get_state (job) == SAL_JOB_STATE_QUEUED
             && i < sal_job_queue_get_max_threads (queue))
        g_main_context_iteration (NULL, TRUE);
    }
  id = g_timeout_add (16, heartbeat_tick, &hb);
  end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);
  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
  for (guint i = 0; i < jobs->len; i++)
    {
      SalJob *job = g_ptr_array_index (jobs, i);
      gint64 finished = sal_job_is_finished (job) ? 1 : 0;
      g_signal_connect (job, "finished", G_CALLBACK (on_finished), &finished);
      sal_job_cancel (job);
      while (finished == 0)
        g_main_context_iteration (NULL, TRUE);
    }
  sal_job_queue_clear_finished (queue);
  *ticks = hb.ticks;
  return MAX (0.0, hb.longest / 1000.0 - 16.0);
}

int
main (int argc, char **argv)
{
  g_autoptr(SalJobQueue) queue = NULL;
  int trials = 30;
  double seconds = 3.0;
  double idle, busy, busy_all;
  guint ticks_idle, ticks_busy, ticks_all;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--trials") && i + 1 < argc)
        {
          trials = atoi (argv[++i]);
          trials = MAX (trials, 1);
        }
      else if (g_str_equal (argv[i], "--seconds") && i + 1 < argc)
        {
          seconds = g_ascii_strtod (argv[++i], NULL);
          seconds = MAX (seconds, 0.5);
        }
      else
        {
          fprintf (stderr, "usage: bench-jobs [--trials N] [--seconds S]\n");
          return 2;
        }
    }

  queue = sal_job_queue_new (0);
  printf ("cores %u, worker threads %u (niced)\n", g_get_num_processors (),
          sal_job_queue_get_max_threads (queue));
  bench_cancel (queue, trials, 384);
  sal_job_queue_clear_finished (queue);

  idle = heartbeat (queue, seconds, 0, 384, &ticks_idle);
  busy = heartbeat (queue, seconds, sal_job_queue_get_max_threads (queue), 384, &ticks_busy);
  /* Also with as many workers as cores: the main thread then competes for a core. */
  sal_job_queue_set_max_threads (queue, g_get_num_processors ());
  busy_all = heartbeat (queue, seconds, g_get_num_processors (), 384, &ticks_all);
  printf ("16 ms heartbeat, longest lateness: idle %.2f ms (%u ticks); heavy jobs on the "
          "default workers %.2f ms (%u ticks); on every core %.2f ms (%u ticks) "
          "(goal < 16 ms)\n",
          idle, ticks_idle, busy, ticks_busy, busy_all, ticks_all);
  return 0;
}
