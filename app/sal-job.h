/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Interactive jobs (a click waiting for its answer) run before batch jobs; jobs of one
 * priority run in the order they were queued. */
typedef enum {
  SAL_JOB_PRIORITY_INTERACTIVE,
  SAL_JOB_PRIORITY_BATCH,
} SalJobPriority;

/* QUEUED → RUNNING → DONE | FAILED | CANCELLED; a queued job can go straight to
 * CANCELLED. INTERRUPTED is a job the store found running after a crash: it never ran
 * in this process and can only be retried. */
typedef enum {
  SAL_JOB_STATE_QUEUED,
  SAL_JOB_STATE_RUNNING,
  SAL_JOB_STATE_DONE,
  SAL_JOB_STATE_FAILED,
  SAL_JOB_STATE_CANCELLED,
  SAL_JOB_STATE_INTERRUPTED,
} SalJobState;

GType sal_job_priority_get_type (void) G_GNUC_CONST;
GType sal_job_state_get_type    (void) G_GNUC_CONST;
#define SAL_TYPE_JOB_PRIORITY (sal_job_priority_get_type ())
#define SAL_TYPE_JOB_STATE    (sal_job_state_get_type ())

#define SAL_TYPE_JOB (sal_job_get_type ())
G_DECLARE_FINAL_TYPE (SalJob, sal_job, SAL, JOB, GObject)

/* The work, run on a worker thread. `inputs` is the job's own copy for this run (see
 * sal_job_new); the function may keep or change it only until it returns. It polls
 * `cancellable` between steps (returning a G_IO_ERROR_CANCELLED error when cancelled),
 * reports progress with sal_job_report_progress, and returns its result: a new object
 * or boxed value of the job's result type (ownership passes to the job), or NULL for
 * G_TYPE_NONE. Failure is an error set in `error`, whatever is returned. It must not
 * touch the job other than through sal_job_report_progress. */
typedef gpointer (*SalJobFunc) (SalJob       *job,
                                gpointer      inputs,
                                GCancellable *cancellable,
                                GError      **error);

SalJob       *sal_job_new                (const char     *kind,
                                          const char     *title,
                                          SalJobPriority  priority,
                                          GType           result_type,
                                          SalJobFunc      func,
                                          gpointer        inputs,
                                          GBoxedCopyFunc  inputs_copy,
                                          GDestroyNotify  inputs_free);
SalJob       *sal_job_new_interrupted    (const char     *id,
                                          const char     *kind,
                                          const char     *title,
                                          SalJobPriority  priority,
                                          GVariant       *params);

const char   *sal_job_get_id             (SalJob *job);
const char   *sal_job_get_kind           (SalJob *job);
const char   *sal_job_get_title          (SalJob *job);
SalJobPriority sal_job_get_priority      (SalJob *job);
SalJobState   sal_job_get_state          (SalJob *job);
gboolean      sal_job_is_finished        (SalJob *job);
double        sal_job_get_progress       (SalJob *job);
const char   *sal_job_get_status         (SalJob *job);
const char   *sal_job_get_error_message  (SalJob *job);
const GError *sal_job_get_error          (SalJob *job);
GDateTime    *sal_job_get_queued_time    (SalJob *job);
GDateTime    *sal_job_get_start_time     (SalJob *job);
GDateTime    *sal_job_get_end_time       (SalJob *job);
GType         sal_job_get_result_type    (SalJob *job);
gpointer      sal_job_get_result         (SalJob *job);
gpointer      sal_job_dup_result         (SalJob *job);
GCancellable *sal_job_get_cancellable    (SalJob *job);
const char   *sal_job_get_retry_of       (SalJob *job);
guint         sal_job_get_attempt        (SalJob *job);
GVariant     *sal_job_get_params         (SalJob *job);
void          sal_job_set_params         (SalJob   *job,
                                          GVariant *params);
gboolean      sal_job_can_retry          (SalJob *job);

void          sal_job_report_progress    (SalJob     *job,
                                          double      fraction,
                                          const char *status);
gboolean      sal_job_cancel             (SalJob *job);

/* Adapters for the engine's SalCancelFunc and SalProgressFunc: pass the job as
 * user_data (sal_run_set_callbacks (run, sal_job_cancel_func, sal_job_progress_func,
 * job)). Worker thread only. */
gboolean      sal_job_cancel_func        (gpointer job);
void          sal_job_progress_func      (double   fraction,
                                          gpointer job);

const char   *sal_job_state_to_string    (SalJobState state);
const char   *sal_job_state_describe     (SalJobState state);

G_END_DECLS
