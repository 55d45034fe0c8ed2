/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-job-queue"

#include "config.h"

#include <glib/gi18n.h>
#ifdef __linux__
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include "sal-engine.h"
#include "sal-job-private.h"

/* Worker threads run at this niceness so the window stays responsive. */
#define WORKER_NICENESS 10

struct _SalJobQueue {
  GObject      parent_instance;

  SalJobCore  *core;
  GThreadPool *pool;
  GPtrArray   *jobs;        /* SalJob *, the GListModel's items, in the order added */
  GHashTable  *kinds;       /* kind → Kind * */
  guint        max_threads;
  guint        n_active;    /* jobs queued or running */
};

typedef struct {
  SalJobRebuildFunc rebuild;
  gpointer          user_data;
  GDestroyNotify    destroy;
} Kind;

/* Handed from a worker to the queue's context. */
typedef struct {
  SalJob      *job;         /* strong */
  SalJobState  state;
  gpointer     result;
  GError      *error;
  GDateTime   *time;
} Delivery;

enum {
  PROP_0,
  PROP_MAX_THREADS,
  PROP_N_ACTIVE,
  N_PROPS
};

enum {
  JOB_STATE_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SalJobQueue, sal_job_queue, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static void
kind_free (gpointer data)
{
  Kind *kind = data;

  if (kind->destroy != NULL)
    kind->destroy (kind->user_data);
  g_free (kind);
}

static void
delivery_free (gpointer data)
{
  Delivery *d = data;

  g_clear_object (&d->job);
  g_clear_error (&d->error);
  g_clear_pointer (&d->time, g_date_time_unref);
  g_free (d);
}

/* Worker side ---------------------------------------------------------------- */

static void
nice_this_thread (void)
{
  static GPrivate niced;

  if (g_private_get (&niced) != NULL)
    return;
  g_private_set (&niced, GINT_TO_POINTER (1));
#ifdef __linux__
  /* On Linux niceness is per thread; best effort (a container may forbid it). */
  (void) setpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid), WORKER_NICENESS);
  (void) prctl (PR_SET_NAME, "salient-job", 0, 0, 0);
#endif
}

static gboolean
deliver_running (gpointer data)
{
  Delivery *d = data;

  sal_job_set_state_running (d->job, d->time);
  return G_SOURCE_REMOVE;
}

static gboolean
deliver_finished (gpointer data)
{
  Delivery *d = data;
  sal_job_set_state_finished (d->job, d->state, g_steal_pointer (&d->result),
                              g_steal_pointer (&d->error), d->time);
  return G_SOURCE_REMOVE;
}

static void
worker_func (gpointer token, gpointer user_data)
{
  SalJobCore *core = user_data;
  SalJob *job = NULL;
  Delivery *d;
  gpointer inputs;
  gpointer result = NULL;
  GError *error = NULL;

  g_mutex_lock (&core->mutex);
  job = g_queue_pop_head (&core->pending[SAL_JOB_PRIORITY_INTERACTIVE]);
  if (job == NULL)
    job = g_queue_pop_head (&core->pending[SAL_JOB_PRIORITY_BATCH]);
  if (job != NULL)
    job->in_pending = FALSE;
  g_mutex_unlock (&core->mutex);
  if (job == NULL)
    return;  /* its job was cancelled while queued */

  nice_this_thread ();

  d = g_new0 (Delivery, 1);
  d->job = g_object_ref (job);
  d->time = g_date_time_new_now_utc ();
  sal_job_core_deliver (core, deliver_running, d, delivery_free);

  if (g_cancellable_set_error_if_cancelled (job->cancellable, &error))
    result = NULL;
  else
    {
      inputs = job->inputs_copy != NULL && job->inputs != NULL
               ? job->inputs_copy (job->inputs) : job->inputs;
      result = job->func (job, inputs, job->cancellable, &error);
      if (job->inputs_copy != NULL && inputs != NULL && job->inputs_free != NULL)
        job->inputs_free (inputs);
    }

  d = g_new0 (Delivery, 1);
  d->job = job;  /* the pending queue's reference, released on the queue's context */
  d->time = g_date_time_new_now_utc ();
  d->result = result;
  /* Cancelled: GIO's error, the engine's (SAL_ERROR_CANCELLED), or any failure after
   * the job was asked to stop. */
  if (error == NULL)
    d->state = SAL_JOB_STATE_DONE;
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
           || g_error_matches (error, SAL_ERROR, SAL_ERROR_CANCELLED)
           || g_cancellable_is_cancelled (job->cancellable))
    d->state = SAL_JOB_STATE_CANCELLED;
  else
    d->state = SAL_JOB_STATE_FAILED;
  if (error != NULL && result != NULL)
    {
      /* Failure wins: drop what a failing function returned anyway. */
      if (g_type_is_a (job->result_type, G_TYPE_OBJECT))
        g_object_unref (result);
      else if (G_TYPE_IS_BOXED (job->result_type))
        g_boxed_free (job->result_type, result);
      d->result = NULL;
    }
  d->error = error;
  sal_job_core_deliver (core, deliver_finished, d, delivery_free);
}

/* Queue side ------------------------------------------------------------------ */

static void
on_job_state (SalJob *job, GParamSpec *pspec, SalJobQueue *self)
{
  if (sal_job_is_finished (job) && self->n_active > 0)
    {
      self->n_active--;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ACTIVE]);
    }
  g_signal_emit (self, signals[JOB_STATE_CHANGED], 0, job);
}

static void
append_job (SalJobQueue *self, SalJob *job)
{
  g_ptr_array_add (self->jobs, g_object_ref (job));
  g_signal_connect_object (job, "notify::state", G_CALLBACK (on_job_state), self, 0);
  g_list_model_items_changed (G_LIST_MODEL (self), self->jobs->len - 1, 0, 1);
}

guint
sal_job_queue_default_threads (void)
{
  guint n = g_get_num_processors ();

  return n > 1 ? n - 1 : 1;
}

/**
 * sal_job_queue_new:
 * @n_threads: worker threads, or 0 for sal_job_queue_default_threads()
 *
 * Uses the calling thread's thread-default main context for every notification.
 */
SalJobQueue *
sal_job_queue_new (guint n_threads)
{
  SalJobQueue *self = g_object_new (SAL_TYPE_JOB_QUEUE, NULL);

  if (n_threads != 0)
    sal_job_queue_set_max_threads (self, n_threads);
  return self;
}

guint
sal_job_queue_get_max_threads (SalJobQueue *self)
{
  g_return_val_if_fail (SAL_IS_JOB_QUEUE (self), 0);
  return self->max_threads;
}

void
sal_job_queue_set_max_threads (SalJobQueue *self, guint n_threads)
{
  g_return_if_fail (SAL_IS_JOB_QUEUE (self));

  n_threads = MAX (n_threads, 1);
  if (n_threads == self->max_threads)
    return;
  self->max_threads = n_threads;
  g_thread_pool_set_max_threads (self->pool, (int) n_threads, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_THREADS]);
}

static void
enqueue (SalJobQueue *self, SalJob *job)
{
  g_autoptr(GError) error = NULL;

  self->n_active++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ACTIVE]);

  g_mutex_lock (&self->core->mutex);
  g_queue_push_tail (&self->core->pending[job->priority], g_object_ref (job));
  job->in_pending = TRUE;
  g_mutex_unlock (&self->core->mutex);

  /* The persistence hook sees the job queued before any worker can start it. */
  g_signal_emit (self, signals[JOB_STATE_CHANGED], 0, job);

  /* One token per job: a worker takes the most urgent job when it gets a token. */
  if (!g_thread_pool_push (self->pool, GINT_TO_POINTER (1), &error))
    g_critical ("cannot start a worker thread: %s", error->message);
}

/**
 * sal_job_queue_push:
 *
 * Queues a new job (state QUEUED, never queued before) and adds it to the model.
 */
void
sal_job_queue_push (SalJobQueue *self, SalJob *job)
{
  g_return_if_fail (SAL_IS_JOB_QUEUE (self));
  g_return_if_fail (SAL_IS_JOB (job));
  g_return_if_fail (job->core == NULL && job->state == SAL_JOB_STATE_QUEUED);
  g_return_if_fail (job->func != NULL);

  sal_job_mark_queued (job, self->core);
  append_job (self, job);
  enqueue (self, job);
}

/* Lists a job that will not run here (e.g. an interrupted one restored from the store)
 * so the job monitor shows it and it can be retried. */
void
sal_job_queue_add_finished (SalJobQueue *self, SalJob *job)
{
  g_return_if_fail (SAL_IS_JOB_QUEUE (self));
  g_return_if_fail (SAL_IS_JOB (job) && sal_job_is_finished (job));
  g_return_if_fail (job->core == NULL);

  job->core = sal_job_core_ref (self->core);
  append_job (self, job);
}

void
sal_job_queue_register_kind (SalJobQueue      *self,
                             const char       *kind,
                             SalJobRebuildFunc rebuild,
                             gpointer          user_data,
                             GDestroyNotify    destroy)
{
  Kind *k;

  g_return_if_fail (SAL_IS_JOB_QUEUE (self));
  g_return_if_fail (kind != NULL && rebuild != NULL);

  k = g_new0 (Kind, 1);
  k->rebuild = rebuild;
  k->user_data = user_data;
  k->destroy = destroy;
  g_hash_table_replace (self->kinds, g_strdup (kind), k);
}

/**
 * sal_job_queue_retry:
 * @job: a FAILED, CANCELLED or INTERRUPTED job of this queue
 *
 * Queues a new run of @job with the same inputs. The new job replaces @job in the
 * model (at the same position) and records @job's id as the one it retries.
 *
 * Returns: (transfer none): the new job, or NULL with @error
 */
SalJob *
sal_job_queue_retry (SalJobQueue *self, SalJob *job, GError **error)
{
  g_autoptr(SalJob) retry = NULL;
  guint pos;

  g_return_val_if_fail (SAL_IS_JOB_QUEUE (self), NULL);
  g_return_val_if_fail (SAL_IS_JOB (job), NULL);

  if (!g_ptr_array_find (self->jobs, job, &pos))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("The job “%s” is no longer in the job list"), job->title);
      return NULL;
    }

  if (job->state == SAL_JOB_STATE_INTERRUPTED)
    {
      Kind *kind = g_hash_table_lookup (self->kinds, job->kind);

      if (kind == NULL || job->params == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                       _("The job “%s” cannot be retried: this version of Salient cannot "
                         "rebuild “%s” jobs from what was saved"), job->title, job->kind);
          return NULL;
        }
      retry = kind->rebuild (job->kind, job->params, kind->user_data, error);
      if (retry == NULL)
        return NULL;
      g_return_val_if_fail (retry->core == NULL && retry->func != NULL, NULL);
      g_free (retry->retry_of);
      retry->retry_of = g_strdup (job->id);
      retry->attempt = job->attempt + 1;
    }
  else if (sal_job_can_retry (job))
    retry = sal_job_new_retry (job);
  else
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The job “%s” cannot be retried: only failed, cancelled or interrupted "
                     "jobs can, once"), job->title);
      return NULL;
    }

  /* The new run takes the old one's row, so the monitor's row stays in place. */
  sal_job_mark_queued (retry, self->core);
  g_signal_handlers_disconnect_by_data (job, self);
  g_object_unref (g_ptr_array_index (self->jobs, pos));  /* may finalize `job` */
  job = NULL;
  g_ptr_array_index (self->jobs, pos) = g_object_ref (retry);
  g_signal_connect_object (retry, "notify::state", G_CALLBACK (on_job_state), self, 0);
  g_list_model_items_changed (G_LIST_MODEL (self), pos, 1, 1);
  enqueue (self, retry);
  return retry;
}

/* Returns: (transfer none) (nullable): the listed job with this id. */
SalJob *
sal_job_queue_lookup (SalJobQueue *self, const char *id)
{
  g_return_val_if_fail (SAL_IS_JOB_QUEUE (self), NULL);

  for (guint i = 0; i < self->jobs->len; i++)
    {
      SalJob *job = g_ptr_array_index (self->jobs, i);
      if (g_strcmp0 (job->id, id) == 0)
        return job;
    }
  return NULL;
}

/* Removes finished jobs from the model. Returns how many. */
guint
sal_job_queue_clear_finished (SalJobQueue *self)
{
  guint removed = 0;

  g_return_val_if_fail (SAL_IS_JOB_QUEUE (self), 0);

  for (guint i = self->jobs->len; i > 0; i--)
    {
      SalJob *job = g_ptr_array_index (self->jobs, i - 1);

      if (!sal_job_is_finished (job))
        continue;
      g_signal_handlers_disconnect_by_data (job, self);
      g_ptr_array_remove_index (self->jobs, i - 1);
      g_list_model_items_changed (G_LIST_MODEL (self), i - 1, 1, 0);
      removed++;
    }
  return removed;
}

void
sal_job_queue_cancel_all (SalJobQueue *self)
{
  g_autoptr(GPtrArray) jobs = NULL;

  g_return_if_fail (SAL_IS_JOB_QUEUE (self));

  jobs = g_ptr_array_copy (self->jobs, (GCopyFunc) (void (*) (void)) g_object_ref, NULL);
  g_ptr_array_set_free_func (jobs, g_object_unref);
  for (guint i = 0; i < jobs->len; i++)
    sal_job_cancel (g_ptr_array_index (jobs, i));
}

/* Jobs queued or running. */
guint
sal_job_queue_get_n_active (SalJobQueue *self)
{
  g_return_val_if_fail (SAL_IS_JOB_QUEUE (self), 0);
  return self->n_active;
}

/* One result, the GIO way ------------------------------------------------------ */

typedef struct {
  SalJob       *job;
  GCancellable *cancellable;
  gulong        cancel_id;
} TaskData;

static void
task_data_free (gpointer data)
{
  TaskData *td = data;

  g_clear_object (&td->job);
  g_clear_object (&td->cancellable);
  g_free (td);
}

static void
on_task_job_finished (SalJob *job, GTask *task)
{
  TaskData *td = g_task_get_task_data (task);

  g_signal_handlers_disconnect_by_data (job, task);
  if (td->cancel_id != 0)
    g_cancellable_disconnect (td->cancellable, td->cancel_id);
  td->cancel_id = 0;
  switch (sal_job_get_state (job))
    {
    case SAL_JOB_STATE_DONE:
      g_task_return_boolean (task, TRUE);
      break;
    case SAL_JOB_STATE_FAILED:
    case SAL_JOB_STATE_CANCELLED:
      g_task_return_error (task, g_error_copy (sal_job_get_error (job)));
      break;
    default:
      g_assert_not_reached ();
    }
  g_object_unref (task);
}

static gboolean
cancel_job_cb (gpointer job)
{
  sal_job_cancel (job);
  return G_SOURCE_REMOVE;
}

static void
on_task_cancelled (GCancellable *cancellable, SalJob *job)
{
  g_autoptr(GSource) source = g_idle_source_new ();

  /* The work sees the cancel at once (nothing is connected to the job's own cancellable,
   * so this finishes nothing here); leaving the queue waits for the idle below. */
  g_cancellable_cancel (job->cancellable);
  /* Never inside the cancellable's "cancelled" emission: a queued job finishes at once,
   * finishing disconnects this handler, and g_cancellable_disconnect() waits for the
   * emission to end — a deadlock. */
  g_source_set_callback (source, cancel_job_cb, g_object_ref (job), g_object_unref);
  g_source_set_static_name (source, "[salient] job cancel");
  g_source_attach (source, job->core != NULL ? job->core->context : NULL);
}

/**
 * sal_job_queue_submit_async:
 * @job: a new job; it is pushed (and listed) like any other
 * @cancellable: (nullable): cancelling it cancels @job
 *
 * For callers that want one result: @callback runs on the queue's context when @job
 * finishes; sal_job_queue_submit_finish() gives its result.
 */
void
sal_job_queue_submit_async (SalJobQueue        *self,
                            SalJob             *job,
                            GCancellable       *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer            user_data)
{
  GTask *task;
  TaskData *td;

  g_return_if_fail (SAL_IS_JOB_QUEUE (self));
  g_return_if_fail (SAL_IS_JOB (job));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sal_job_queue_submit_async);
  g_task_set_check_cancellable (task, FALSE);
  td = g_new0 (TaskData, 1);
  td->job = g_object_ref (job);
  g_task_set_task_data (task, td, task_data_free);
  g_signal_connect (job, "finished", G_CALLBACK (on_task_job_finished), task);
  sal_job_queue_push (self, job);
  if (cancellable != NULL)
    {
      gulong id;

      /* The connection may cancel (and finish) the job at once: keep the task alive. */
      g_object_ref (task);
      id = g_cancellable_connect (cancellable, G_CALLBACK (on_task_cancelled),
                                  g_object_ref (job), g_object_unref);
      if (sal_job_is_finished (job))
        g_cancellable_disconnect (cancellable, id);
      else
        {
          td->cancellable = g_object_ref (cancellable);
          td->cancel_id = id;
        }
      g_object_unref (task);
    }
}

/* Returns: (transfer full): the job's result (new reference or copy), or NULL with
 * @error (G_IO_ERROR_CANCELLED when cancelled). A job of G_TYPE_NONE returns NULL
 * without error on success. */
gpointer
sal_job_queue_submit_finish (SalJobQueue *self, GAsyncResult *result, GError **error)
{
  SalJob *job;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;
  job = ((TaskData *) g_task_get_task_data (G_TASK (result)))->job;
  return sal_job_dup_result (job);
}

/* GListModel --------------------------------------------------------------------- */

static GType
sal_job_queue_get_item_type (GListModel *model)
{
  return SAL_TYPE_JOB;
}

static guint
sal_job_queue_get_n_items (GListModel *model)
{
  return SAL_JOB_QUEUE (model)->jobs->len;
}

static gpointer
sal_job_queue_get_item (GListModel *model, guint position)
{
  SalJobQueue *self = SAL_JOB_QUEUE (model);

  if (position >= self->jobs->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->jobs, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = sal_job_queue_get_item_type;
  iface->get_n_items = sal_job_queue_get_n_items;
  iface->get_item = sal_job_queue_get_item;
}

/* GObject -------------------------------------------------------------------------- */

static void
sal_job_queue_dispose (GObject *object)
{
  SalJobQueue *self = SAL_JOB_QUEUE (object);

  if (self->pool != NULL)
    {
      GList *left = NULL;

      /* Queued jobs are dropped (they never ran: cancelled); running ones are
       * cancelled and waited for, so no worker outlives the queue. */
      g_mutex_lock (&self->core->mutex);
      for (int p = 0; p < 2; p++)
        while (!g_queue_is_empty (&self->core->pending[p]))
          {
            SalJob *job = g_queue_pop_head (&self->core->pending[p]);
            job->in_pending = FALSE;
            left = g_list_prepend (left, job);
          }
      g_mutex_unlock (&self->core->mutex);
      for (GList *l = left; l != NULL; l = l->next)
        {
          g_cancellable_cancel (SAL_JOB (l->data)->cancellable);
          sal_job_set_state_finished (l->data, SAL_JOB_STATE_CANCELLED, NULL,
                                      g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                           _("Cancelled: Salient is closing")),
                                      g_date_time_new_now_utc ());
        }
      g_list_free_full (left, g_object_unref);
      for (guint i = 0; i < self->jobs->len; i++)
        g_cancellable_cancel (SAL_JOB (g_ptr_array_index (self->jobs, i))->cancellable);

      g_thread_pool_free (g_steal_pointer (&self->pool), TRUE, TRUE);
      self->core->queue = NULL;
      sal_job_core_unref (self->core);  /* the pool's reference */
    }

  for (guint i = 0; i < self->jobs->len; i++)
    g_signal_handlers_disconnect_by_data (g_ptr_array_index (self->jobs, i), self);
  g_ptr_array_set_size (self->jobs, 0);

  G_OBJECT_CLASS (sal_job_queue_parent_class)->dispose (object);
}

static void
sal_job_queue_finalize (GObject *object)
{
  SalJobQueue *self = SAL_JOB_QUEUE (object);

  g_ptr_array_unref (self->jobs);
  g_hash_table_unref (self->kinds);
  sal_job_core_unref (self->core);

  G_OBJECT_CLASS (sal_job_queue_parent_class)->finalize (object);
}

static void
sal_job_queue_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  SalJobQueue *self = SAL_JOB_QUEUE (object);

  switch (prop_id)
    {
    case PROP_MAX_THREADS: g_value_set_uint (value, self->max_threads); break;
    case PROP_N_ACTIVE: g_value_set_uint (value, self->n_active); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sal_job_queue_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  switch (prop_id)
    {
    case PROP_MAX_THREADS:
      sal_job_queue_set_max_threads (SAL_JOB_QUEUE (object), g_value_get_uint (value));
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sal_job_queue_class_init (SalJobQueueClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sal_job_queue_dispose;
  object_class->finalize = sal_job_queue_finalize;
  object_class->get_property = sal_job_queue_get_property;
  object_class->set_property = sal_job_queue_set_property;

  properties[PROP_MAX_THREADS] =
    g_param_spec_uint ("max-threads", NULL, NULL, 1, 1024, 1,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_N_ACTIVE] =
    g_param_spec_uint ("n-active", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The persistence hook: every state a listed job enters. */
  signals[JOB_STATE_CHANGED] =
    g_signal_new ("job-state-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, SAL_TYPE_JOB);
}

static void
sal_job_queue_init (SalJobQueue *self)
{
  g_autoptr(GError) error = NULL;

  /* OpenBLAS to one thread: parallelism comes from this pool, not from BLAS. */
  sal_engine_init ();

  self->core = g_new0 (SalJobCore, 1);
  g_atomic_ref_count_init (&self->core->ref);
  g_mutex_init (&self->core->mutex);
  g_queue_init (&self->core->pending[0]);
  g_queue_init (&self->core->pending[1]);
  self->core->context = g_main_context_ref_thread_default ();
  self->core->owner = g_thread_self ();
  self->core->queue = self;

  self->jobs = g_ptr_array_new_with_free_func (g_object_unref);
  self->kinds = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, kind_free);
  self->max_threads = sal_job_queue_default_threads ();
  /* Exclusive: our threads are niced, so they must not serve other pools (GTask's). */
  self->pool = g_thread_pool_new (worker_func, sal_job_core_ref (self->core),
                                  (int) self->max_threads, TRUE, &error);
  if (self->pool == NULL)
    g_error ("cannot create the job threads: %s", error->message);
}
