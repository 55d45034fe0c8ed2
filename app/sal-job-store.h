/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _SalStore SalStore;
typedef struct _SalJobQueue SalJobQueue;

/* Keeps the store's jobs table in step with @queue: the one place that listens to
 * job-state-changed. Each job gets a row when queued; state, progress, error and end
 * time follow. The queue keeps a reference to @store until it is finalized. */
void  sal_job_store_attach            (SalJobQueue *queue,
                                       SalStore    *store);

/* Whether sal_job_store_attach was called for @queue (the application's one queue is
 * shared by pages; the first to get the store attaches it). */
gboolean sal_job_store_is_attached    (SalJobQueue *queue);
/* Adds the jobs the store marked interrupted (Salient stopped while they ran) to
 * @queue as finished, retryable jobs, so the monitor lists them at start. Returns how
 * many. */
guint sal_job_store_load_interrupted  (SalJobQueue *queue,
                                       SalStore    *store,
                                       GError     **error);

G_END_DECLS
