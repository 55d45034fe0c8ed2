/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sal-job.h"

G_BEGIN_DECLS

/* The one job service: a shared pool of niced worker threads that runs SalJobs in
 * priority order, and a GListModel of the jobs it knows (for the job monitor).
 *
 * Threads: create and use a queue on one thread — the one whose thread-default main
 * context is the queue's context (the main thread in the programs). Notifications,
 * signals and state changes all happen there. From worker threads only
 * sal_job_report_progress and the job's GCancellable may be used; sal_job_cancel may be
 * called from any thread (elsewhere it is forwarded to the queue's context).
 *
 * Persistence: "job-state-changed" is emitted for every state a job enters
 * (queued, running, done, failed, cancelled), after the job's own properties are
 * updated, so the store can keep its jobs table in step. */
#define SAL_TYPE_JOB_QUEUE (sal_job_queue_get_type ())
G_DECLARE_FINAL_TYPE (SalJobQueue, sal_job_queue, SAL, JOB_QUEUE, GObject)

/* Rebuilds a job of `kind` from its stored params, for retrying an interrupted job
 * (one found in the store after a crash). Returns a new job or NULL with `error`. */
typedef SalJob *(*SalJobRebuildFunc) (const char *kind,
                                      GVariant   *params,
                                      gpointer    user_data,
                                      GError    **error);

guint         sal_job_queue_default_threads  (void);

SalJobQueue  *sal_job_queue_new              (guint n_threads);
guint         sal_job_queue_get_max_threads  (SalJobQueue *self);
void          sal_job_queue_set_max_threads  (SalJobQueue *self,
                                              guint        n_threads);

void          sal_job_queue_push             (SalJobQueue *self,
                                              SalJob      *job);
void          sal_job_queue_add_finished     (SalJobQueue *self,
                                              SalJob      *job);
SalJob       *sal_job_queue_retry            (SalJobQueue *self,
                                              SalJob      *job,
                                              GError     **error);
void          sal_job_queue_register_kind    (SalJobQueue      *self,
                                              const char       *kind,
                                              SalJobRebuildFunc rebuild,
                                              gpointer          user_data,
                                              GDestroyNotify    destroy);
SalJob       *sal_job_queue_lookup           (SalJobQueue *self,
                                              const char  *id);
guint         sal_job_queue_clear_finished   (SalJobQueue *self);
void          sal_job_queue_cancel_all       (SalJobQueue *self);
guint         sal_job_queue_get_n_active     (SalJobQueue *self);

void          sal_job_queue_submit_async     (SalJobQueue        *self,
                                              SalJob             *job,
                                              GCancellable       *cancellable,
                                              GAsyncReadyCallback callback,
                                              gpointer            user_data);
gpointer      sal_job_queue_submit_finish    (SalJobQueue  *self,
                                              GAsyncResult *result,
                                              GError      **error);

G_END_DECLS
