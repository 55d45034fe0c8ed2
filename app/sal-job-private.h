/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Shared by sal-job.c and sal-job-queue.c only. */

#include "sal-job.h"
#include "sal-job-queue.h"

G_BEGIN_DECLS

/* What the queue's worker threads share with its main context. Reference counted so
 * that a job outliving its queue (held by a caller, or finishing while the queue is
 * disposed) can still reach the mutex and the context. */
typedef struct {
  gatomicrefcount ref;
  GMutex          mutex;
  GQueue          pending[2];  /* SalJob *, one strong ref each; index = priority */
  GMainContext   *context;
  GThread        *owner;       /* the thread that created the queue */
  SalJobQueue    *queue;       /* owner thread only; NULL once the queue is disposed */
} SalJobCore;

SalJobCore *sal_job_core_ref   (SalJobCore *core);
void        sal_job_core_unref (SalJobCore *core);
/* Runs func(data) on the core's context: directly on the owner thread, otherwise as an
 * idle source (never g_main_context_invoke from a worker: a worker whose thread-default
 * context is the global default could acquire it and run the callback itself). */
void        sal_job_core_deliver (SalJobCore    *core,
                                  GSourceFunc    func,
                                  gpointer       data,
                                  GDestroyNotify destroy);

struct _SalJob {
  GObject         parent_instance;

  char           *id;
  char           *kind;
  char           *title;
  char           *retry_of;
  guint           attempt;
  SalJobPriority  priority;
  GType           result_type;
  SalJobFunc      func;
  gpointer        inputs;
  GBoxedCopyFunc  inputs_copy;
  GDestroyNotify  inputs_free;
  GVariant       *params;
  GCancellable   *cancellable;

  /* The main context's view; changed only there. */
  SalJobState     state;
  double          progress;
  char           *status;
  GError         *error;
  GDateTime      *queued_time;
  GDateTime      *start_time;
  GDateTime      *end_time;
  gpointer        result;
  SalJobCore     *core;        /* set when queued */

  /* Progress from the worker, under `lock`; delivered coalesced. */
  GMutex          lock;
  double          pending_progress;
  char           *pending_status;
  gboolean        progress_dirty;
  gboolean        ended;       /* the worker returned: later reports are dropped */
  GSource        *progress_source;
  gint64          last_delivery_us;

  /* Under core->mutex: the job sits in core->pending. */
  gboolean        in_pending;
};

/* Minimum time between two progress deliveries to the main context. */
#define SAL_JOB_PROGRESS_INTERVAL_US (G_USEC_PER_SEC / 10)

void sal_job_set_state_running  (SalJob    *job,
                                 GDateTime *start);
void sal_job_set_state_finished (SalJob      *job,
                                 SalJobState  state,
                                 gpointer     result,
                                 GError      *error,
                                 GDateTime   *end);
void sal_job_mark_queued        (SalJob     *job,
                                 SalJobCore *core);
SalJob *sal_job_new_retry       (SalJob *job);

G_END_DECLS
