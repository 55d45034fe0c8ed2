/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-job"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "sal-job-private.h"

G_DEFINE_FINAL_TYPE (SalJob, sal_job, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (SalJobPriority, sal_job_priority,
  G_DEFINE_ENUM_VALUE (SAL_JOB_PRIORITY_INTERACTIVE, "interactive"),
  G_DEFINE_ENUM_VALUE (SAL_JOB_PRIORITY_BATCH, "batch"))

G_DEFINE_ENUM_TYPE (SalJobState, sal_job_state,
  G_DEFINE_ENUM_VALUE (SAL_JOB_STATE_QUEUED, "queued"),
  G_DEFINE_ENUM_VALUE (SAL_JOB_STATE_RUNNING, "running"),
  G_DEFINE_ENUM_VALUE (SAL_JOB_STATE_DONE, "done"),
  G_DEFINE_ENUM_VALUE (SAL_JOB_STATE_FAILED, "failed"),
  G_DEFINE_ENUM_VALUE (SAL_JOB_STATE_CANCELLED, "cancelled"),
  G_DEFINE_ENUM_VALUE (SAL_JOB_STATE_INTERRUPTED, "interrupted"))

enum {
  PROP_0,
  PROP_ID,
  PROP_KIND,
  PROP_TITLE,
  PROP_PRIORITY,
  PROP_STATE,
  PROP_PROGRESS,
  PROP_STATUS,
  PROP_ERROR_MESSAGE,
  PROP_START_TIME,
  PROP_END_TIME,
  PROP_ATTEMPT,
  N_PROPS
};

enum {
  FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* Core -------------------------------------------------------------------- */

SalJobCore *
sal_job_core_ref (SalJobCore *core)
{
  g_atomic_ref_count_inc (&core->ref);
  return core;
}

void
sal_job_core_unref (SalJobCore *core)
{
  if (!g_atomic_ref_count_dec (&core->ref))
    return;
  g_assert (g_queue_is_empty (&core->pending[0]) && g_queue_is_empty (&core->pending[1]));
  g_mutex_clear (&core->mutex);
  g_main_context_unref (core->context);
  g_free (core);
}

void
sal_job_core_deliver (SalJobCore    *core,
                      GSourceFunc    func,
                      gpointer       data,
                      GDestroyNotify destroy)
{
  g_autoptr(GSource) source = NULL;

  if (g_thread_self () == core->owner)
    {
      func (data);
      if (destroy != NULL)
        destroy (data);
      return;
    }
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, func, data, destroy);
  g_source_set_static_name (source, "[salient] job delivery");
  g_source_attach (source, core->context);
}

/* Helpers ------------------------------------------------------------------ */

static gpointer
result_copy (GType type, gpointer result)
{
  if (result == NULL)
    return NULL;
  if (g_type_is_a (type, G_TYPE_OBJECT))
    return g_object_ref (result);
  if (G_TYPE_IS_BOXED (type))
    return g_boxed_copy (type, result);
  return NULL;
}

static void
result_free (GType type, gpointer result)
{
  if (result == NULL)
    return;
  if (g_type_is_a (type, G_TYPE_OBJECT))
    g_object_unref (result);
  else if (G_TYPE_IS_BOXED (type))
    g_boxed_free (type, result);
}

static void
set_status (SalJob *self, const char *status)
{
  if (g_strcmp0 (self->status, status) == 0)
    return;
  g_free (self->status);
  self->status = g_strdup (status);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}

static void
set_progress (SalJob *self, double progress)
{
  if (self->progress == progress)
    return;
  self->progress = progress;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS]);
}

static void
set_state (SalJob *self, SalJobState state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

/* Runs on the queue's context, at most every SAL_JOB_PROGRESS_INTERVAL_US. */
static gboolean
deliver_progress (gpointer data)
{
  SalJob *self = data;
  GSource *source;
  double progress;
  g_autofree char *status = NULL;
  gboolean apply;

  g_mutex_lock (&self->lock);
  source = g_steal_pointer (&self->progress_source);
  progress = self->pending_progress;
  status = g_strdup (self->pending_status);
  apply = self->progress_dirty;
  self->progress_dirty = FALSE;
  self->last_delivery_us = g_get_monotonic_time ();
  g_mutex_unlock (&self->lock);
  g_clear_pointer (&source, g_source_unref);

  if (apply && self->state == SAL_JOB_STATE_RUNNING)
    {
      g_object_freeze_notify (G_OBJECT (self));
      set_progress (self, progress);
      if (status != NULL)
        set_status (self, status);
      g_object_thaw_notify (G_OBJECT (self));
    }
  return G_SOURCE_REMOVE;
}

/* Internal API (sal-job-private.h) ---------------------------------------- */

void
sal_job_mark_queued (SalJob *job, SalJobCore *core)
{
  g_return_if_fail (job->core == NULL);
  job->core = sal_job_core_ref (core);
  g_clear_pointer (&job->queued_time, g_date_time_unref);
  job->queued_time = g_date_time_new_now_utc ();
}

void
sal_job_set_state_running (SalJob *job, GDateTime *start)
{
  if (job->state != SAL_JOB_STATE_QUEUED)
    return;
  g_object_freeze_notify (G_OBJECT (job));
  g_clear_pointer (&job->start_time, g_date_time_unref);
  job->start_time = g_date_time_ref (start);
  g_object_notify_by_pspec (G_OBJECT (job), properties[PROP_START_TIME]);
  set_state (job, SAL_JOB_STATE_RUNNING);
  g_object_thaw_notify (G_OBJECT (job));
}

/* Takes `result` and `error`. */
void
sal_job_set_state_finished (SalJob      *job,
                            SalJobState  state,
                            gpointer     result,
                            GError      *error,
                            GDateTime   *end)
{
  GSource *source;

  g_assert (state == SAL_JOB_STATE_DONE || state == SAL_JOB_STATE_FAILED
            || state == SAL_JOB_STATE_CANCELLED);

  g_mutex_lock (&job->lock);
  job->ended = TRUE;
  source = g_steal_pointer (&job->progress_source);
  g_mutex_unlock (&job->lock);
  if (source != NULL)
    {
      g_source_destroy (source);
      g_source_unref (source);
    }

  if (sal_job_is_finished (job))
    {
      result_free (job->result_type, result);
      g_clear_error (&error);
      return;
    }

  g_object_freeze_notify (G_OBJECT (job));
  job->result = result;
  job->error = error;
  g_clear_pointer (&job->end_time, g_date_time_unref);
  job->end_time = g_date_time_ref (end);
  g_object_notify_by_pspec (G_OBJECT (job), properties[PROP_END_TIME]);
  if (error != NULL)
    g_object_notify_by_pspec (G_OBJECT (job), properties[PROP_ERROR_MESSAGE]);
  if (state == SAL_JOB_STATE_DONE)
    {
      set_progress (job, 1.0);
      set_status (job, _("Done"));
    }
  else
    set_status (job, sal_job_state_describe (state));
  set_state (job, state);
  g_object_thaw_notify (G_OBJECT (job));

  g_signal_emit (job, signals[FINISHED], 0);
}

SalJob *
sal_job_new_retry (SalJob *job)
{
  SalJob *retry;

  g_return_val_if_fail (sal_job_can_retry (job), NULL);

  retry = g_object_new (SAL_TYPE_JOB, NULL);
  retry->kind = g_strdup (job->kind);
  retry->title = g_strdup (job->title);
  retry->priority = job->priority;
  retry->result_type = job->result_type;
  retry->func = job->func;
  retry->retry_of = g_strdup (job->id);
  retry->attempt = job->attempt + 1;
  /* The inputs move: the old job is finished and will not run again. */
  retry->inputs = g_steal_pointer (&job->inputs);
  retry->inputs_copy = job->inputs_copy;
  retry->inputs_free = job->inputs_free;
  job->func = NULL;
  if (job->params != NULL)
    retry->params = g_variant_ref (job->params);
  return retry;
}

/* Public API ---------------------------------------------------------------- */

/**
 * sal_job_new:
 * @kind: a stable id of what the job does ("explain", "import", "train" …)
 * @title: a translated one-line title for the job monitor
 * @priority: interactive or batch
 * @result_type: a GObject or boxed type, or G_TYPE_NONE
 * @func: the work, run on a worker thread
 * @inputs: (transfer full): what the work needs; the job owns it
 * @inputs_copy: makes the private copy each run gets (freed with @inputs_free after
 *   the run); NULL when runs may share @inputs read-only
 * @inputs_free: frees @inputs and its copies, or NULL
 */
SalJob *
sal_job_new (const char     *kind,
             const char     *title,
             SalJobPriority  priority,
             GType           result_type,
             SalJobFunc      func,
             gpointer        inputs,
             GBoxedCopyFunc  inputs_copy,
             GDestroyNotify  inputs_free)
{
  SalJob *self;

  g_return_val_if_fail (kind != NULL && title != NULL, NULL);
  g_return_val_if_fail (func != NULL, NULL);
  g_return_val_if_fail (result_type == G_TYPE_NONE || g_type_is_a (result_type, G_TYPE_OBJECT)
                        || G_TYPE_IS_BOXED (result_type), NULL);

  self = g_object_new (SAL_TYPE_JOB, NULL);
  self->kind = g_strdup (kind);
  self->title = g_strdup (title);
  self->priority = priority;
  self->result_type = result_type;
  self->func = func;
  self->inputs = inputs;
  self->inputs_copy = inputs_copy;
  self->inputs_free = inputs_free;
  return self;
}

/* A job the store found "running" from a previous session that ended without finishing
 * it. It has no work function: retrying it goes through the kind's rebuild function
 * (sal_job_queue_register_kind) with @params. */
SalJob *
sal_job_new_interrupted (const char     *id,
                         const char     *kind,
                         const char     *title,
                         SalJobPriority  priority,
                         GVariant       *params)
{
  SalJob *self;

  g_return_val_if_fail (kind != NULL && title != NULL, NULL);

  self = g_object_new (SAL_TYPE_JOB, NULL);
  if (id != NULL)
    {
      g_free (self->id);
      self->id = g_strdup (id);
    }
  self->kind = g_strdup (kind);
  self->title = g_strdup (title);
  self->priority = priority;
  self->result_type = G_TYPE_NONE;
  self->state = SAL_JOB_STATE_INTERRUPTED;
  g_free (self->status);
  self->status = g_strdup (sal_job_state_describe (SAL_JOB_STATE_INTERRUPTED));
  if (params != NULL)
    self->params = g_variant_ref_sink (params);
  return self;
}

const char *
sal_job_get_id (SalJob *job)
{
  g_return_val_if_fail (SAL_IS_JOB (job), NULL);
  return job->id;
}

const char *
sal_job_get_kind (SalJob *job)
{
  g_return_val_if_fail (SAL_IS_JOB (job), NULL);
  return job->kind;
}

const char *
sal_job_get_title (SalJob *job)
{
  g_return_val_if_fail (SAL_IS_JOB (job), NULL);
  return job->title;
}

SalJobPriority
sal_job_get_priority (SalJob *job)
{
  g_return_val_if_fail (SAL_IS_JOB (job), SAL_JOB_PRIORITY_BATCH);
  return job->priority;
}

SalJobState
sal_job_get_state (SalJob *job)
{
  g_return_val_if_fail (SAL_IS_JOB (job), SAL_JOB_STATE_QUEUED);
  return job->state;
}

gboolean
sal_job_is_finished (SalJob *job)
{
  g_return_val_if_fail (SAL_IS_JOB (job), FALSE);
  return job->state != SAL_JOB_STATE_QUEUED && job->state != SAL_JOB_STATE_RUNNING;
}

double
sal_job_get_progress (SalJob *job)
{
  g_return_val_if_fail (SAL_IS_JOB (job), 0.0);
  return job->progress;
}

const char *
sal_job_get_status (SalJob *job)
{
  g_return_val_if_fail (SAL_IS_JOB (job), NULL);
  return job->status;
}

const char *
sal_job_get_error_message (SalJob *job)
{
  g_return_val_if_fail (SAL_IS_JOB (job), NULL);
  return job->error != NULL ? job->error->message : NULL;
}

const GError *
sal_job_get_error (SalJob *job)
{
  g_return_val_if_fail (SAL_IS_JOB (job), NULL);
  return job->error;
}

GDateTime *
sal_job_get_queued_time (SalJob *job)
{
  g_return_val_if_fail (SAL_IS_JOB (job), NULL);
  return job->queued_time;
}

GDateTime *
sal_job_get_start_time (SalJob *job)
{
  g_return_val_if_fail (SAL_IS_JOB (job), NULL);
  return job->start_time;
}

GDateTime *
sal_job_get_end_time (SalJob *job)
{
  g_return_val_if_fail (SAL_IS_JOB (job), NULL);
  return job->end_time;
}

GType
sal_job_get_result_type (SalJob *job)
{
  g_return_val_if_fail (SAL_IS_JOB (job), G_TYPE_NONE);
  return job->result_type;
}

/* Returns: (transfer none): the result of a DONE job, or NULL. */
gpointer
sal_job_get_result (SalJob *job)
{
  g_return_val_if_fail (SAL_IS_JOB (job), NULL);
  return job->result;
}

/* Returns: (transfer full): a reference (objects) or copy (boxed) of the result. */
gpointer
sal_job_dup_result (SalJob *job)
{
  g_return_val_if_fail (SAL_IS_JOB (job), NULL);
  return result_copy (job->result_type, job->result);
}

GCancellable *
sal_job_get_cancellable (SalJob *job)
{
  g_return_val_if_fail (SAL_IS_JOB (job), NULL);
  return job->cancellable;
}

/* The id of the job this one retries, or NULL for a first attempt. */
const char *
sal_job_get_retry_of (SalJob *job)
{
  g_return_val_if_fail (SAL_IS_JOB (job), NULL);
  return job->retry_of;
}

guint
sal_job_get_attempt (SalJob *job)
{
  g_return_val_if_fail (SAL_IS_JOB (job), 0);
  return job->attempt;
}

/* A serialisable description of the inputs (an a{sv} by convention), which the store
 * keeps so an interrupted job can be rebuilt after a restart. Optional. */
GVariant *
sal_job_get_params (SalJob *job)
{
  g_return_val_if_fail (SAL_IS_JOB (job), NULL);
  return job->params;
}

void
sal_job_set_params (SalJob *job, GVariant *params)
{
  g_return_if_fail (SAL_IS_JOB (job));
  g_return_if_fail (job->state == SAL_JOB_STATE_QUEUED && job->core == NULL);

  if (params != NULL)
    g_variant_ref_sink (params);
  g_clear_pointer (&job->params, g_variant_unref);
  job->params = params;
}

/* Whether sal_job_queue_retry can run this job again here: it ended without a result
 * and still has its work function (interrupted jobs are rebuilt by their kind). */
gboolean
sal_job_can_retry (SalJob *job)
{
  g_return_val_if_fail (SAL_IS_JOB (job), FALSE);
  if (job->state != SAL_JOB_STATE_FAILED && job->state != SAL_JOB_STATE_CANCELLED)
    return FALSE;
  return job->func != NULL;
}

/**
 * sal_job_report_progress:
 * @fraction: 0 … 1 (clamped; NaN ignored)
 * @status: (nullable): a short translated status text, or NULL to keep the last one
 *
 * Thread safe and cheap: call it as often as convenient. The main context sees at most
 * about ten updates a second, the latest values each time.
 */
void
sal_job_report_progress (SalJob *job, double fraction, const char *status)
{
  g_return_if_fail (SAL_IS_JOB (job));

  if (isnan (fraction))
    return;
  fraction = CLAMP (fraction, 0.0, 1.0);

  g_mutex_lock (&job->lock);
  if (job->ended || job->core == NULL)
    {
      g_mutex_unlock (&job->lock);
      return;
    }
  job->pending_progress = fraction;
  if (status != NULL && g_strcmp0 (status, job->pending_status) != 0)
    {
      g_free (job->pending_status);
      job->pending_status = g_strdup (status);
    }
  job->progress_dirty = TRUE;
  if (job->progress_source == NULL)
    {
      gint64 wait_us = job->last_delivery_us + SAL_JOB_PROGRESS_INTERVAL_US
                       - g_get_monotonic_time ();
      GSource *source;

      if (job->last_delivery_us == 0 || wait_us <= 0)
        source = g_idle_source_new ();
      else
        source = g_timeout_source_new ((guint) ((wait_us + 999) / 1000));
      g_source_set_priority (source, G_PRIORITY_DEFAULT);
      g_source_set_callback (source, deliver_progress, g_object_ref (job), g_object_unref);
      g_source_set_static_name (source, "[salient] job progress");
      job->progress_source = source;
      g_source_attach (source, job->core->context);
    }
  g_mutex_unlock (&job->lock);
}

gboolean
sal_job_cancel_func (gpointer job)
{
  return g_cancellable_is_cancelled (SAL_JOB (job)->cancellable);
}

void
sal_job_progress_func (double fraction, gpointer job)
{
  sal_job_report_progress (job, fraction, NULL);
}

static gboolean
cancel_in_owner (gpointer data)
{
  sal_job_cancel (data);
  return G_SOURCE_REMOVE;
}

/**
 * sal_job_cancel:
 *
 * A queued job leaves the queue and is CANCELLED at once; a running job has its
 * cancellable cancelled and becomes CANCELLED when its work function returns (the
 * engine polls between steps). Returns FALSE when the job had already finished.
 */
gboolean
sal_job_cancel (SalJob *job)
{
  g_autoptr(GDateTime) now = NULL;
  gboolean was_pending = FALSE;

  g_return_val_if_fail (SAL_IS_JOB (job), FALSE);

  if (job->core != NULL && g_thread_self () != job->core->owner)
    {
      /* Not on the queue's thread: cancel the running work now, the rest there. */
      g_cancellable_cancel (job->cancellable);
      sal_job_core_deliver (job->core, cancel_in_owner, g_object_ref (job), g_object_unref);
      return TRUE;
    }

  if (sal_job_is_finished (job))
    return FALSE;

  g_cancellable_cancel (job->cancellable);
  if (job->core != NULL)
    {
      g_mutex_lock (&job->core->mutex);
      if (job->in_pending)
        {
          g_queue_remove (&job->core->pending[job->priority], job);
          job->in_pending = FALSE;
          was_pending = TRUE;
        }
      g_mutex_unlock (&job->core->mutex);
    }

  if (job->core == NULL || was_pending)
    {
      now = g_date_time_new_now_utc ();
      sal_job_set_state_finished (job, SAL_JOB_STATE_CANCELLED, NULL,
                                  g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                       _("Cancelled before it started")),
                                  now);
      if (was_pending)
        g_object_unref (job);  /* the pending queue's reference */
    }
  else
    set_status (job, _("Cancelling…"));
  return TRUE;
}

const char *
sal_job_state_to_string (SalJobState state)
{
  switch (state)
    {
    case SAL_JOB_STATE_QUEUED: return "queued";
    case SAL_JOB_STATE_RUNNING: return "running";
    case SAL_JOB_STATE_DONE: return "done";
    case SAL_JOB_STATE_FAILED: return "failed";
    case SAL_JOB_STATE_CANCELLED: return "cancelled";
    case SAL_JOB_STATE_INTERRUPTED: return "interrupted";
    default: g_return_val_if_reached ("unknown");
    }
}

/* A translated word for the job monitor. */
const char *
sal_job_state_describe (SalJobState state)
{
  switch (state)
    {
    case SAL_JOB_STATE_QUEUED: return _("Waiting");
    case SAL_JOB_STATE_RUNNING: return _("Running");
    case SAL_JOB_STATE_DONE: return _("Done");
    case SAL_JOB_STATE_FAILED: return _("Failed");
    case SAL_JOB_STATE_CANCELLED: return _("Cancelled");
    case SAL_JOB_STATE_INTERRUPTED: return _("Interrupted");
    default: g_return_val_if_reached ("");
    }
}

/* GObject ------------------------------------------------------------------- */

static void
sal_job_finalize (GObject *object)
{
  SalJob *self = SAL_JOB (object);

  g_assert (self->progress_source == NULL);
  if (self->inputs != NULL && self->inputs_free != NULL)
    self->inputs_free (self->inputs);
  result_free (self->result_type, self->result);
  g_clear_pointer (&self->params, g_variant_unref);
  g_clear_object (&self->cancellable);
  g_clear_error (&self->error);
  g_clear_pointer (&self->queued_time, g_date_time_unref);
  g_clear_pointer (&self->start_time, g_date_time_unref);
  g_clear_pointer (&self->end_time, g_date_time_unref);
  g_clear_pointer (&self->core, sal_job_core_unref);
  g_mutex_clear (&self->lock);
  g_free (self->pending_status);
  g_free (self->status);
  g_free (self->id);
  g_free (self->kind);
  g_free (self->title);
  g_free (self->retry_of);

  G_OBJECT_CLASS (sal_job_parent_class)->finalize (object);
}

static void
sal_job_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  SalJob *self = SAL_JOB (object);

  switch (prop_id)
    {
    case PROP_ID: g_value_set_string (value, self->id); break;
    case PROP_KIND: g_value_set_string (value, self->kind); break;
    case PROP_TITLE: g_value_set_string (value, self->title); break;
    case PROP_PRIORITY: g_value_set_enum (value, self->priority); break;
    case PROP_STATE: g_value_set_enum (value, self->state); break;
    case PROP_PROGRESS: g_value_set_double (value, self->progress); break;
    case PROP_STATUS: g_value_set_string (value, self->status); break;
    case PROP_ERROR_MESSAGE: g_value_set_string (value, sal_job_get_error_message (self)); break;
    case PROP_START_TIME: g_value_set_boxed (value, self->start_time); break;
    case PROP_END_TIME: g_value_set_boxed (value, self->end_time); break;
    case PROP_ATTEMPT: g_value_set_uint (value, self->attempt); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sal_job_class_init (SalJobClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = sal_job_finalize;
  object_class->get_property = sal_job_get_property;

  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, ro);
  properties[PROP_KIND] = g_param_spec_string ("kind", NULL, NULL, NULL, ro);
  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, ro);
  properties[PROP_PRIORITY] = g_param_spec_enum ("priority", NULL, NULL, SAL_TYPE_JOB_PRIORITY,
                                                 SAL_JOB_PRIORITY_BATCH, ro);
  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, SAL_TYPE_JOB_STATE,
                                              SAL_JOB_STATE_QUEUED, ro);
  properties[PROP_PROGRESS] = g_param_spec_double ("progress", NULL, NULL, 0.0, 1.0, 0.0, ro);
  properties[PROP_STATUS] = g_param_spec_string ("status", NULL, NULL, NULL, ro);
  properties[PROP_ERROR_MESSAGE] = g_param_spec_string ("error-message", NULL, NULL, NULL, ro);
  properties[PROP_START_TIME] = g_param_spec_boxed ("start-time", NULL, NULL, G_TYPE_DATE_TIME, ro);
  properties[PROP_END_TIME] = g_param_spec_boxed ("end-time", NULL, NULL, G_TYPE_DATE_TIME, ro);
  properties[PROP_ATTEMPT] = g_param_spec_uint ("attempt", NULL, NULL, 1, G_MAXUINT, 1, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Emitted once on the queue's context when the job reaches DONE, FAILED or CANCELLED. */
  signals[FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
sal_job_init (SalJob *self)
{
  self->id = g_uuid_string_random ();
  self->attempt = 1;
  self->state = SAL_JOB_STATE_QUEUED;
  self->cancellable = g_cancellable_new ();
  self->status = g_strdup (sal_job_state_describe (SAL_JOB_STATE_QUEUED));
  g_mutex_init (&self->lock);
}
