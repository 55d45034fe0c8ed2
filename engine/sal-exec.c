/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-engine"

/* The engine's thread team: a run that may use N threads owns N - 1 workers
 * that sleep on a condition variable between parallel loops; the calling
 * thread takes the first range itself. Posting a loop allocates nothing. */

#include "sal-plan-private.h"

struct _SalThreadTeam {
  int           n_threads;     /* including the caller */
  GThread     **workers;
  GMutex        lock;
  GCond         wake;
  GCond         done;
  guint64       generation;    /* bumped per loop */
  int           n_ranges;      /* ranges of the current loop */
  int           pending;       /* worker ranges not finished */
  int64_t       n;
  SalRangeFunc  fn;
  gpointer      data;
  gboolean      quit;
};

typedef struct {
  SalThreadTeam *team;
  int            index;        /* 1 .. n_threads - 1 */
} Worker;

static __thread gboolean in_worker;

static void
range_of (int64_t n, int parts, int k, int64_t *i0, int64_t *i1)
{
  *i0 = n * k / parts;
  *i1 = n * (k + 1) / parts;
}

static gpointer
worker_main (gpointer data)
{
  Worker *w = data;
  SalThreadTeam *team = w->team;
  guint64 seen = 0;

  in_worker = TRUE;
  g_mutex_lock (&team->lock);
  for (;;)
    {
      while (!team->quit && team->generation == seen)
        g_cond_wait (&team->wake, &team->lock);
      if (team->quit)
        break;
      seen = team->generation;
      if (w->index < team->n_ranges)
        {
          int64_t i0, i1;
          range_of (team->n, team->n_ranges, w->index, &i0, &i1);
          g_mutex_unlock (&team->lock);
          if (i1 > i0)
            team->fn (i0, i1, team->data);
          g_mutex_lock (&team->lock);
          if (--team->pending == 0)
            g_cond_signal (&team->done);
        }
    }
  g_mutex_unlock (&team->lock);
  g_free (w);
  return NULL;
}

int
sal_exec_default_threads (void)
{
  /* Cached: g_get_num_processors reads /sys on every call, and a run with
   * one thread (no team) asks again on every execute. */
  static gsize cached = 0;

  if (g_once_init_enter (&cached))
    g_once_init_leave (&cached, (gsize) MAX (1, (int) g_get_num_processors () - 1));
  return (int) cached;
}

SalThreadTeam *
sal_thread_team_new (int n_threads)
{
  SalThreadTeam *team = g_new0 (SalThreadTeam, 1);

  team->n_threads = MAX (1, n_threads);
  g_mutex_init (&team->lock);
  g_cond_init (&team->wake);
  g_cond_init (&team->done);
  team->workers = g_new0 (GThread *, team->n_threads);
  for (int i = 1; i < team->n_threads; i++)
    {
      Worker *w = g_new0 (Worker, 1);
      w->team = team;
      w->index = i;
      team->workers[i] = g_thread_new ("sal-engine", worker_main, w);
    }
  return team;
}

void
sal_thread_team_free (SalThreadTeam *team)
{
  if (team == NULL)
    return;
  g_mutex_lock (&team->lock);
  team->quit = TRUE;
  g_cond_broadcast (&team->wake);
  g_mutex_unlock (&team->lock);
  for (int i = 1; i < team->n_threads; i++)
    g_thread_join (team->workers[i]);
  g_free (team->workers);
  g_mutex_clear (&team->lock);
  g_cond_clear (&team->wake);
  g_cond_clear (&team->done);
  g_free (team);
}

void
sal_exec_parallel_for (const SalExecCtx *ctx, int64_t n, SalRangeFunc fn, gpointer data)
{
  SalThreadTeam *team = ctx != NULL ? ctx->runner : NULL;
  int parts;
  int64_t i0, i1;

  if (n <= 0)
    return;
  parts = team != NULL && !in_worker ? MIN (team->n_threads, ctx->n_threads) : 1;
  if (parts > n)
    parts = (int) n;
  if (parts <= 1)
    {
      fn (0, n, data);
      return;
    }

  g_mutex_lock (&team->lock);
  team->n = n;
  team->fn = fn;
  team->data = data;
  team->n_ranges = parts;
  team->pending = parts - 1;
  team->generation++;
  g_cond_broadcast (&team->wake);
  g_mutex_unlock (&team->lock);

  range_of (n, parts, 0, &i0, &i1);
  fn (i0, i1, data);

  g_mutex_lock (&team->lock);
  while (team->pending > 0)
    g_cond_wait (&team->done, &team->lock);
  g_mutex_unlock (&team->lock);
}
