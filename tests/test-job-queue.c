/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include "sal-blas.h"
#include "sal-error.h"
#include "sal-job-queue.h"

/* Test helpers -------------------------------------------------------------- */

static GThread *main_thread;

/* Iterates the default context until *flag is set; fails after `seconds`. */
static void
wait_for (gboolean *flag, double seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (!g_atomic_int_get (flag))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("timed out after %.0f s", seconds);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (200);
    }
}

static void
on_finished_set_flag (SalJob *job, gboolean *flag)
{
  g_assert_true (g_thread_self () == main_thread);
  *flag = TRUE;
}

static void
wait_finished (SalJob *job, double seconds)
{
  gboolean done = sal_job_is_finished (job);
  gulong id = g_signal_connect (job, "finished", G_CALLBACK (on_finished_set_flag), &done);

  wait_for (&done, seconds);
  g_signal_handler_disconnect (job, id);
}

static void
on_state_running (SalJob *job, GParamSpec *pspec, gboolean *flag)
{
  if (sal_job_get_state (job) != SAL_JOB_STATE_QUEUED)
    *flag = TRUE;
}

static void
wait_running (SalJob *job)
{
  gboolean running = sal_job_get_state (job) != SAL_JOB_STATE_QUEUED;
  gulong id = g_signal_connect (job, "notify::state", G_CALLBACK (on_state_running), &running);

  wait_for (&running, 30);
  g_signal_handler_disconnect (job, id);
}

/* Drains the deliveries a disposed queue's workers left on the context. */
static void
drain_context (void)
{
  for (int i = 0; i < 50; i++)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (1000);
    }
}

/* Work functions ------------------------------------------------------------- */

/* Inputs of most test jobs: copied per run, as the queue promises. */
typedef struct {
  int         value;
  int         busy_ms;     /* how long to run, polling cancel every ~1 ms */
  gboolean    fail;
  gint       *gate;        /* when set: wait until *gate != 0 (polling cancel) */
  GMutex     *order_lock;  /* when set: append `value` to *order */
  GArray     *order;
  gint       *runs;        /* when set: incremented each run */
} Inputs;

static Inputs *
inputs_new (int value)
{
  Inputs *in = g_new0 (Inputs, 1);

  in->value = value;
  return in;
}

static gpointer
inputs_copy (gpointer src)
{
  return g_memdup2 (src, sizeof (Inputs));
}

static gpointer
work_func (SalJob *job, gpointer data, GCancellable *cancellable, GError **error)
{
  Inputs *in = data;
  gint64 end;

  g_assert_true (g_thread_self () != main_thread);
  if (in->runs != NULL)
    g_atomic_int_inc (in->runs);
  while (in->gate != NULL && g_atomic_int_get (in->gate) == 0)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      g_usleep (500);
    }
  if (in->order_lock != NULL)
    {
      g_mutex_lock (in->order_lock);
      g_array_append_val (in->order, in->value);
      g_mutex_unlock (in->order_lock);
    }
  end = g_get_monotonic_time () + in->busy_ms * 1000;
  while (g_get_monotonic_time () < end)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      g_usleep (1000);
    }
  if (in->fail)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "input %d is not acceptable", in->value);
      return NULL;
    }
  in->value *= 2;  /* the copy is ours to change */
  return g_bytes_new (&in->value, sizeof in->value);
}

static SalJob *
job_new (const char *title, SalJobPriority priority, Inputs *in)
{
  return sal_job_new ("test", title, priority, G_TYPE_BYTES, work_func,
                      in, inputs_copy, g_free);
}

static int
result_value (SalJob *job)
{
  GBytes *bytes = sal_job_get_result (job);
  int v;

  g_assert_nonnull (bytes);
  g_assert_cmpuint (g_bytes_get_size (bytes), ==, sizeof v);
  memcpy (&v, g_bytes_get_data (bytes, NULL), sizeof v);
  return v;
}

/* Tests ------------------------------------------------------------------------- */

static void
test_basic (void)
{
  g_autoptr(SalJobQueue) queue = sal_job_queue_new (2);
  g_autoptr(SalJob) job = job_new ("double 21", SAL_JOB_PRIORITY_BATCH, inputs_new (21));
  g_autoptr(GBytes) dup = NULL;

  g_assert_cmpuint (sal_job_queue_get_max_threads (queue), ==, 2);
  g_assert_cmpuint (sal_job_queue_default_threads (), >=, 1);
  sal_job_queue_push (queue, job);
  g_assert_cmpint (sal_job_get_state (job), ==, SAL_JOB_STATE_QUEUED);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (queue)), ==, 1);
  g_assert_cmpuint (sal_job_queue_get_n_active (queue), ==, 1);
  wait_finished (job, 30);
  g_assert_cmpint (sal_job_get_state (job), ==, SAL_JOB_STATE_DONE);
  g_assert_cmpint (result_value (job), ==, 42);
  g_assert_cmpfloat (sal_job_get_progress (job), ==, 1.0);
  g_assert_nonnull (sal_job_get_start_time (job));
  g_assert_nonnull (sal_job_get_end_time (job));
  g_assert_cmpint (g_date_time_compare (sal_job_get_start_time (job),
                                        sal_job_get_end_time (job)), <=, 0);
  g_assert_null (sal_job_get_error_message (job));
  g_assert_cmpuint (sal_job_queue_get_n_active (queue), ==, 0);
  dup = sal_job_dup_result (job);
  g_assert_true (g_bytes_equal (dup, sal_job_get_result (job)));
  g_assert_cmpstr (sal_job_state_to_string (sal_job_get_state (job)), ==, "done");
  g_assert_false (sal_job_cancel (job));
  g_assert_false (sal_job_can_retry (job));
}

static void
test_priorities (void)
{
  g_autoptr(SalJobQueue) queue = sal_job_queue_new (1);
  g_autoptr(GPtrArray) jobs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (int));
  GMutex lock;
  gint gate = 0;
  const int expected[] = { 0, 101, 102, 103, 1, 2, 3, 4, 104 };
  Inputs *in;
  SalJob *gate_job;

  g_mutex_init (&lock);
  in = inputs_new (0);
  in->gate = &gate;
  in->order_lock = &lock;
  in->order = order;
  gate_job = job_new ("gate", SAL_JOB_PRIORITY_BATCH, in);
  g_ptr_array_add (jobs, gate_job);
  sal_job_queue_push (queue, gate_job);
  wait_running (gate_job);

  /* Batch 1..4, then interactive 101..103, then one more batch, all behind the gate. */
  for (int i = 0; i < 8; i++)
    {
      int value = i < 4 ? i + 1 : (i < 7 ? 101 + (i - 4) : 104);
      SalJobPriority p = (i >= 4 && i < 7) ? SAL_JOB_PRIORITY_INTERACTIVE : SAL_JOB_PRIORITY_BATCH;
      SalJob *job;

      in = inputs_new (value == 104 ? 104 : value);
      in->order_lock = &lock;
      in->order = order;
      job = job_new ("ordered", p, in);
      g_ptr_array_add (jobs, job);
      sal_job_queue_push (queue, job);
    }
  /* 104 is batch: it must run after the other batch jobs, FIFO. */
  g_atomic_int_set (&gate, 1);
  for (guint i = 0; i < jobs->len; i++)
    wait_finished (g_ptr_array_index (jobs, i), 30);

  g_assert_cmpuint (order->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < order->len; i++)
    g_assert_cmpint (g_array_index (order, int, i), ==, expected[i]);
  g_mutex_clear (&lock);
}

typedef struct {
  guint  deliveries;
  double last;
  gboolean decreasing;
} ProgressCount;

static void
on_progress (SalJob *job, GParamSpec *pspec, ProgressCount *pc)
{
  g_assert_true (g_thread_self () == main_thread);
  if (sal_job_get_state (job) != SAL_JOB_STATE_RUNNING)
    return;
  pc->deliveries++;
  if (sal_job_get_progress (job) < pc->last)
    pc->decreasing = TRUE;
  pc->last = sal_job_get_progress (job);
}

static gpointer
chatty_func (SalJob *job, gpointer data, GCancellable *cancellable, GError **error)
{
  const int n = 10000;
  gint64 start = g_get_monotonic_time ();

  /* 10,000 reports spread over one second. */
  for (int i = 0; i < n; i++)
    {
      gint64 due = start + (gint64) i * G_USEC_PER_SEC / n;
      while (g_get_monotonic_time () < due)
        ;
      sal_job_report_progress (job, (double) (i + 1) / n, i < n / 2 ? "first half" : "second half");
    }
  return NULL;
}

static void
test_progress_throttled (void)
{
  g_autoptr(SalJobQueue) queue = sal_job_queue_new (1);
  g_autoptr(SalJob) job = sal_job_new ("test", "chatty", SAL_JOB_PRIORITY_INTERACTIVE,
                                       G_TYPE_NONE, chatty_func, NULL, NULL, NULL);
  ProgressCount pc = { 0 };
  double seconds;

  g_signal_connect (job, "notify::progress", G_CALLBACK (on_progress), &pc);
  sal_job_queue_push (queue, job);
  wait_finished (job, 60);
  seconds = g_date_time_difference (sal_job_get_end_time (job), sal_job_get_start_time (job))
            / (double) G_USEC_PER_SEC;
  g_test_message ("progress deliveries for 10,000 reports in %.2f s: %u", seconds, pc.deliveries);
  g_assert_cmpint (sal_job_get_state (job), ==, SAL_JOB_STATE_DONE);
  /* About ten a second: 10 or 11 for the one second the job takes on an idle machine;
   * a loaded machine may stretch the job, not the rate. */
  g_assert_cmpuint (pc.deliveries, <=, (guint) ceil (MAX (seconds, 1.0) * 10) + 2);
  g_assert_cmpuint (pc.deliveries, >=, 3);
  g_assert_false (pc.decreasing);
  g_assert_cmpfloat (pc.last, >, 0.0);
  g_assert_cmpfloat (sal_job_get_progress (job), ==, 1.0);
}

static void
test_cancel_queued (void)
{
  g_autoptr(SalJobQueue) queue = sal_job_queue_new (1);
  g_autoptr(SalJob) gate_job = NULL;
  g_autoptr(SalJob) job = NULL;
  gint gate = 0, runs = 0;
  gboolean finished = FALSE;
  Inputs *in = inputs_new (1);

  in->gate = &gate;
  gate_job = job_new ("gate", SAL_JOB_PRIORITY_BATCH, in);
  sal_job_queue_push (queue, gate_job);
  wait_running (gate_job);

  in = inputs_new (2);
  in->runs = &runs;
  job = job_new ("never runs", SAL_JOB_PRIORITY_INTERACTIVE, in);
  g_signal_connect (job, "finished", G_CALLBACK (on_finished_set_flag), &finished);
  sal_job_queue_push (queue, job);
  g_assert_true (sal_job_cancel (job));
  /* At once, without a main loop turn. */
  g_assert_cmpint (sal_job_get_state (job), ==, SAL_JOB_STATE_CANCELLED);
  g_assert_true (finished);
  g_assert_true (g_error_matches (sal_job_get_error (job), G_IO_ERROR, G_IO_ERROR_CANCELLED));
  g_assert_false (sal_job_cancel (job));

  g_atomic_int_set (&gate, 1);
  wait_finished (gate_job, 30);
  drain_context ();
  g_assert_cmpint (g_atomic_int_get (&runs), ==, 0);
  g_assert_cmpint (sal_job_get_state (gate_job), ==, SAL_JOB_STATE_DONE);
  g_assert_cmpuint (sal_job_queue_get_n_active (queue), ==, 0);
}

static void
test_cancel_running (void)
{
  g_autoptr(SalJobQueue) queue = sal_job_queue_new (1);
  g_autoptr(SalJob) job = NULL;
  Inputs *in = inputs_new (1);
  gint64 t0, elapsed;

  in->busy_ms = 60 * 1000;
  job = job_new ("long", SAL_JOB_PRIORITY_BATCH, in);
  sal_job_queue_push (queue, job);
  wait_running (job);
  g_assert_cmpint (sal_job_get_state (job), ==, SAL_JOB_STATE_RUNNING);

  t0 = g_get_monotonic_time ();
  g_assert_true (sal_job_cancel (job));
  wait_finished (job, 30);
  elapsed = g_get_monotonic_time () - t0;
  g_test_message ("running job ended %.1f ms after cancel", elapsed / 1000.0);
  g_assert_cmpint (elapsed, <, 2 * G_USEC_PER_SEC);
  g_assert_cmpint (sal_job_get_state (job), ==, SAL_JOB_STATE_CANCELLED);
  g_assert_true (g_error_matches (sal_job_get_error (job), G_IO_ERROR, G_IO_ERROR_CANCELLED));
  g_assert_null (sal_job_get_result (job));
  g_assert_true (sal_job_can_retry (job));
}

/* An engine-style loop: polls SalCancelFunc, reports through SalProgressFunc, fails
 * with the engine's own error when stopped. */
static gpointer
engine_style_func (SalJob *job, gpointer data, GCancellable *cancellable, GError **error)
{
  for (int step = 0; step < 60000; step++)
    {
      if (sal_job_cancel_func (job))
        {
          g_set_error_literal (error, SAL_ERROR, SAL_ERROR_CANCELLED, "run cancelled");
          return NULL;
        }
      sal_job_progress_func ((step + 1) / 60000.0, job);
      g_usleep (1000);
    }
  return NULL;
}

static void
test_cancel_engine_error (void)
{
  g_autoptr(SalJobQueue) queue = sal_job_queue_new (1);
  g_autoptr(SalJob) job = sal_job_new ("test", "engine", SAL_JOB_PRIORITY_BATCH, G_TYPE_NONE,
                                       engine_style_func, NULL, NULL, NULL);

  sal_job_queue_push (queue, job);
  wait_running (job);
  sal_job_cancel (job);
  wait_finished (job, 30);
  g_assert_cmpint (sal_job_get_state (job), ==, SAL_JOB_STATE_CANCELLED);
  g_assert_true (g_error_matches (sal_job_get_error (job), SAL_ERROR, SAL_ERROR_CANCELLED));
}

static void
on_hook (SalJobQueue *queue, SalJob *job, GString *log)
{
  g_assert_true (g_thread_self () == main_thread);
  g_string_append_printf (log, "%s ", sal_job_state_to_string (sal_job_get_state (job)));
}

static void
test_failure (void)
{
  g_autoptr(SalJobQueue) queue = sal_job_queue_new (1);
  g_autoptr(SalJob) job = NULL;
  g_autoptr(GString) log = g_string_new (NULL);
  Inputs *in = inputs_new (7);

  in->fail = TRUE;
  g_signal_connect (queue, "job-state-changed", G_CALLBACK (on_hook), log);
  job = job_new ("fails", SAL_JOB_PRIORITY_BATCH, in);
  sal_job_queue_push (queue, job);
  wait_finished (job, 30);
  g_assert_cmpint (sal_job_get_state (job), ==, SAL_JOB_STATE_FAILED);
  g_assert_cmpstr (sal_job_get_error_message (job), ==, "input 7 is not acceptable");
  g_assert_true (g_error_matches (sal_job_get_error (job), G_IO_ERROR, G_IO_ERROR_FAILED));
  g_assert_null (sal_job_get_result (job));
  g_assert_cmpstr (log->str, ==, "queued running failed ");
}

static gint flaky_runs;

static gpointer
flaky_func (SalJob *job, gpointer data, GCancellable *cancellable, GError **error)
{
  Inputs *in = data;

  if (g_atomic_int_add (&flaky_runs, 1) == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_BUSY, "busy the first time");
      return NULL;
    }
  return g_bytes_new (&in->value, sizeof in->value);
}

static SalJob *
rebuild_func (const char *kind, GVariant *params, gpointer user_data, GError **error)
{
  int value;

  g_assert_cmpstr (kind, ==, "flaky");
  if (!g_variant_lookup (params, "value", "i", &value))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "no value");
      return NULL;
    }
  (*(int *) user_data)++;
  return sal_job_new ("flaky", "rebuilt", SAL_JOB_PRIORITY_BATCH, G_TYPE_BYTES, flaky_func,
                      inputs_new (value), inputs_copy, g_free);
}

static void
test_retry (void)
{
  g_autoptr(SalJobQueue) queue = sal_job_queue_new (1);
  g_autoptr(SalJob) job = NULL;
  g_autoptr(SalJob) other = NULL;
  g_autoptr(SalJob) interrupted = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *old_id = NULL;
  SalJob *retry, *again;
  int rebuilt = 0;

  flaky_runs = 0;
  other = job_new ("before", SAL_JOB_PRIORITY_BATCH, inputs_new (1));
  sal_job_queue_push (queue, other);
  job = sal_job_new ("flaky", "flaky", SAL_JOB_PRIORITY_BATCH, G_TYPE_BYTES, flaky_func,
                     inputs_new (5), inputs_copy, g_free);
  sal_job_queue_push (queue, job);
  wait_finished (job, 30);
  g_assert_cmpint (sal_job_get_state (job), ==, SAL_JOB_STATE_FAILED);
  g_assert_true (sal_job_can_retry (job));
  old_id = g_strdup (sal_job_get_id (job));

  retry = sal_job_queue_retry (queue, job, &error);
  g_assert_no_error (error);
  g_assert_nonnull (retry);
  g_assert_true (retry != job);
  g_assert_cmpstr (sal_job_get_retry_of (retry), ==, old_id);
  g_assert_cmpuint (sal_job_get_attempt (retry), ==, 2);
  /* It took the old job's row. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (queue)), ==, 2);
  {
    g_autoptr(SalJob) row = g_list_model_get_item (G_LIST_MODEL (queue), 1);
    g_assert_true (row == retry);
  }
  g_assert_false (sal_job_can_retry (job));
  wait_finished (retry, 30);
  g_assert_cmpint (sal_job_get_state (retry), ==, SAL_JOB_STATE_DONE);
  g_assert_cmpint (result_value (retry), ==, 5);  /* same inputs */
  g_assert_cmpint (flaky_runs, ==, 2);

  /* A finished job cannot be retried, nor one no longer listed. */
  again = sal_job_queue_retry (queue, retry, &error);
  g_assert_null (again);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (sal_job_queue_retry (queue, job, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Interrupted (found in the store after a crash): rebuilt by its kind. */
  interrupted = sal_job_new_interrupted ("1234", "flaky", "from last time",
                                         SAL_JOB_PRIORITY_BATCH,
                                         g_variant_new_parsed ("{'value': <9>}"));
  g_assert_cmpint (sal_job_get_state (interrupted), ==, SAL_JOB_STATE_INTERRUPTED);
  sal_job_queue_add_finished (queue, interrupted);
  g_assert_null (sal_job_queue_retry (queue, interrupted, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);
  sal_job_queue_register_kind (queue, "flaky", rebuild_func, &rebuilt, NULL);
  g_assert_true (sal_job_queue_lookup (queue, "1234") == interrupted);
  retry = sal_job_queue_retry (queue, interrupted, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sal_job_get_retry_of (retry), ==, "1234");
  g_assert_cmpint (rebuilt, ==, 1);
  wait_finished (retry, 30);
  g_assert_cmpint (sal_job_get_state (retry), ==, SAL_JOB_STATE_DONE);
  g_assert_cmpint (result_value (retry), ==, 9);
  g_assert_null (sal_job_queue_lookup (queue, "1234"));

  g_assert_cmpuint (sal_job_queue_clear_finished (queue), ==, 3);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (queue)), ==, 0);
}

/* 500 mixed jobs ------------------------------------------------------------------ */

typedef struct {
  SalJobQueue *queue;
  SalJob      *job;   /* weak: the test drops its refs after pushing */
} CancelLater;

static gboolean
cancel_later (gpointer data)
{
  CancelLater *cl = data;

  if (cl->job != NULL)
    sal_job_cancel (cl->job);
  return G_SOURCE_REMOVE;
}

static void
cancel_later_free (gpointer data)
{
  CancelLater *cl = data;

  if (cl->job != NULL)
    g_object_remove_weak_pointer (G_OBJECT (cl->job), (gpointer *) &cl->job);
  g_free (cl);
}

typedef struct {
  guint done, failed, cancelled, other, finished;
} Tally;

static void
on_mixed_finished (SalJob *job, Tally *t)
{
  t->finished++;
  switch (sal_job_get_state (job))
    {
    case SAL_JOB_STATE_DONE:
      /* The result is the input doubled. */
      g_assert_cmpint (result_value (job) % 2, ==, 0);
      t->done++;
      break;
    case SAL_JOB_STATE_FAILED:
      g_assert_nonnull (strstr (sal_job_get_error_message (job), "not acceptable"));
      t->failed++;
      break;
    case SAL_JOB_STATE_CANCELLED: t->cancelled++; break;
    default: t->other++;
    }
}

static void
test_mixed_500 (void)
{
  SalJobQueue *queue = sal_job_queue_new (2);
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261128);
  SalJob *weak[500];
  Tally t = { 0 };
  const guint n = 500;

  g_object_add_weak_pointer (G_OBJECT (queue), (gpointer *) &queue);
  for (guint i = 0; i < n; i++)
    {
      Inputs *in = inputs_new ((int) i);
      int kind = g_rand_int_range (rand, 0, 3);  /* ok, failing, cancelled */
      SalJobPriority p = g_rand_boolean (rand) ? SAL_JOB_PRIORITY_BATCH
                                                : SAL_JOB_PRIORITY_INTERACTIVE;
      SalJob *job;

      in->fail = kind == 1;
      in->busy_ms = kind == 2 ? g_rand_int_range (rand, 5, 60) : g_rand_int_range (rand, 0, 2);
      job = job_new ("mixed", p, in);
      weak[i] = job;
      g_object_add_weak_pointer (G_OBJECT (job), (gpointer *) &weak[i]);
      g_signal_connect (job, "finished", G_CALLBACK (on_mixed_finished), &t);
      sal_job_queue_push (queue, job);
      if (kind == 2)
        {
          CancelLater *cl = g_new0 (CancelLater, 1);
          cl->queue = queue;
          cl->job = job;
          g_object_add_weak_pointer (G_OBJECT (job), (gpointer *) &cl->job);
          g_timeout_add_full (G_PRIORITY_DEFAULT, (guint) g_rand_int_range (rand, 0, 400),
                              cancel_later, cl, cancel_later_free);
        }
      g_object_unref (job);  /* the queue keeps it */
    }

  {
    gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;
    while (t.finished < n)
      {
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_main_context_iteration (NULL, TRUE);
      }
  }
  g_test_message ("500 jobs: %u done, %u failed, %u cancelled", t.done, t.failed, t.cancelled);
  g_assert_cmpuint (t.other, ==, 0);
  g_assert_cmpuint (t.done + t.failed + t.cancelled, ==, n);
  g_assert_cmpuint (t.done, >, 0);
  g_assert_cmpuint (t.failed, >, 0);
  g_assert_cmpuint (t.cancelled, >, 0);
  g_assert_cmpuint (sal_job_queue_get_n_active (queue), ==, 0);

  g_assert_cmpuint (sal_job_queue_clear_finished (queue), ==, n);
  g_object_unref (queue);
  drain_context ();
  g_assert_null (queue);
  for (guint i = 0; i < n; i++)
    g_assert_null (weak[i]);
}

/* Heavy work vs the main loop ------------------------------------------------------- */

typedef struct {
  int    n;
  int    seconds_max;
} Heavy;

/* sgemm steps (n x n x n) until cancelled or seconds_max passes; reports progress. */
static gpointer
heavy_func (SalJob *job, gpointer data, GCancellable *cancellable, GError **error)
{
  Heavy *h = data;
  g_autofree float *a = g_new (float, (gsize) h->n * h->n);
  g_autofree float *b = g_new (float, (gsize) h->n * h->n);
  g_autofree float *c = g_new0 (float, (gsize) h->n * h->n);
  gint64 start = g_get_monotonic_time ();
  gint64 end = start + (gint64) h->seconds_max * G_USEC_PER_SEC;
  guint64 steps = 0;

  for (int i = 0; i < h->n * h->n; i++)
    {
      a[i] = (float) (i % 7) * 0.01f;
      b[i] = (float) (i % 5) * 0.01f;
    }
  while (g_get_monotonic_time () < end)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      sal_sgemm (FALSE, FALSE, h->n, h->n, h->n, 1.0f, a, h->n, b, h->n, 0.0f, c, h->n);
      steps++;
      sal_job_report_progress (job, (double) (g_get_monotonic_time () - start) / (end - start),
                               NULL);
    }
  return g_bytes_new (&steps, sizeof steps);
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

static void
test_heavy_heartbeat (void)
{
  g_autoptr(SalJobQueue) queue = sal_job_queue_new (0);
  g_autoptr(SalJob) job = NULL;
  Heartbeat hb = { 0 };
  Heavy *h = g_new0 (Heavy, 1);
  guint64 steps;
  guint id;

  h->n = 256;
  h->seconds_max = 2;
  job = sal_job_new ("test", "heavy", SAL_JOB_PRIORITY_INTERACTIVE, G_TYPE_BYTES, heavy_func,
                     h, NULL, g_free);
  id = g_timeout_add (16, heartbeat_tick, &hb);
  sal_job_queue_push (queue, job);
  wait_finished (job, 60);
  g_source_remove (id);

  g_assert_cmpint (sal_job_get_state (job), ==, SAL_JOB_STATE_DONE);
  memcpy (&steps, g_bytes_get_data (sal_job_get_result (job), NULL), sizeof steps);
  g_test_message ("heavy job: %" G_GUINT64_FORMAT " sgemm steps; %u heartbeats, "
                  "longest gap %.1f ms",
                  steps, hb.ticks, hb.longest / 1000.0);
  g_assert_cmpuint (steps, >, 0);
  g_assert_cmpuint (hb.ticks, >, 10);
  g_assert_cmpint (hb.longest, <, G_USEC_PER_SEC);
}

/* The GIO way ------------------------------------------------------------------------ */

typedef struct {
  gboolean  called;
  gpointer  result;
  GError   *error;
} AsyncResult;

static void
on_submitted (GObject *source, GAsyncResult *res, gpointer data)
{
  AsyncResult *ar = data;

  g_assert_true (g_thread_self () == main_thread);
  ar->result = sal_job_queue_submit_finish (SAL_JOB_QUEUE (source), res, &ar->error);
  ar->called = TRUE;
}

static gpointer
object_func (SalJob *job, gpointer data, GCancellable *cancellable, GError **error)
{
  GObject *obj = g_object_new (G_TYPE_OBJECT, NULL);

  g_object_set_data (obj, "answer", GINT_TO_POINTER (42));
  return obj;
}

static void
test_async (void)
{
  g_autoptr(SalJobQueue) queue = sal_job_queue_new (1);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  AsyncResult ar = { 0 };
  Inputs *in;
  GObject *obj;

  {
    g_autoptr(SalJob) job = sal_job_new ("test", "object", SAL_JOB_PRIORITY_INTERACTIVE,
                                         G_TYPE_OBJECT, object_func, NULL, NULL, NULL);
    sal_job_queue_submit_async (queue, job, NULL, on_submitted, &ar);
  }
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (queue)), ==, 1);  /* listed */
  wait_for (&ar.called, 30);
  g_assert_no_error (ar.error);
  obj = ar.result;
  g_assert_true (G_IS_OBJECT (obj));
  g_assert_cmpint (GPOINTER_TO_INT (g_object_get_data (obj, "answer")), ==, 42);
  g_object_add_weak_pointer (obj, (gpointer *) &obj);
  g_object_unref (ar.result);
  g_assert_nonnull (obj);  /* the job still holds it */
  sal_job_queue_clear_finished (queue);
  g_assert_null (obj);

  /* Cancelling the cancellable cancels the job. */
  memset (&ar, 0, sizeof ar);
  in = inputs_new (3);
  in->busy_ms = 60 * 1000;
  {
    g_autoptr(SalJob) job = job_new ("long", SAL_JOB_PRIORITY_BATCH, in);
    sal_job_queue_submit_async (queue, job, cancellable, on_submitted, &ar);
    wait_running (job);
  }
  g_cancellable_cancel (cancellable);
  wait_for (&ar.called, 30);
  g_assert_null (ar.result);
  g_assert_error (ar.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&ar.error);
}

static guint changes_added, changes_removed;

static void
on_items_changed (GListModel *model, guint pos, guint removed, guint added, gpointer data)
{
  changes_added += added;
  changes_removed += removed;
}

static void
test_model (void)
{
  g_autoptr(SalJobQueue) queue = sal_job_queue_new (1);
  g_autoptr(SalJob) a = job_new ("a", SAL_JOB_PRIORITY_BATCH, inputs_new (1));
  g_autoptr(SalJob) b = NULL;
  Inputs *in = inputs_new (2);

  changes_added = changes_removed = 0;
  g_signal_connect (queue, "items-changed", G_CALLBACK (on_items_changed), NULL);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (queue)) == SAL_TYPE_JOB);
  in->busy_ms = 60 * 1000;
  b = job_new ("b", SAL_JOB_PRIORITY_BATCH, in);
  sal_job_queue_push (queue, a);
  sal_job_queue_push (queue, b);
  g_assert_cmpuint (changes_added, ==, 2);
  wait_finished (a, 30);
  /* Only finished jobs go. */
  g_assert_cmpuint (sal_job_queue_clear_finished (queue), ==, 1);
  g_assert_cmpuint (changes_removed, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (queue)), ==, 1);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (queue), 1));
  sal_job_queue_cancel_all (queue);
  wait_finished (b, 30);
  g_assert_cmpint (sal_job_get_state (b), ==, SAL_JOB_STATE_CANCELLED);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  main_thread = g_thread_self ();
  g_test_add_func ("/app/job-queue/basic", test_basic);
  g_test_add_func ("/app/job-queue/priorities", test_priorities);
  g_test_add_func ("/app/job-queue/progress-throttled", test_progress_throttled);
  g_test_add_func ("/app/job-queue/cancel-queued", test_cancel_queued);
  g_test_add_func ("/app/job-queue/cancel-running", test_cancel_running);
  g_test_add_func ("/app/job-queue/cancel-engine-error", test_cancel_engine_error);
  g_test_add_func ("/app/job-queue/failure", test_failure);
  g_test_add_func ("/app/job-queue/retry", test_retry);
  g_test_add_func ("/app/job-queue/mixed-500", test_mixed_500);
  g_test_add_func ("/app/job-queue/heavy-heartbeat", test_heavy_heartbeat);
  g_test_add_func ("/app/job-queue/async", test_async);
  g_test_add_func ("/app/job-queue/model", test_model);
  return g_test_run ();
}
