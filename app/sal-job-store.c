/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-app"

#include "config.h"

#include <json-glib/json-glib.h>

#include "sal-fitness-jobs.h"   /* first: it includes sal-store.h with sal-job.h */
#include "sal-job-queue.h"
#include "sal-job-store.h"

typedef struct {
  SalStore   *store;
  GHashTable *rows;   /* job id (string) → store row id */
} Link;

static void
link_free (gpointer data)
{
  Link *link = data;
  sal_store_unref (link->store);
  g_hash_table_unref (link->rows);
  g_free (link);
}

static SalStoreJobState
store_state (SalJobState state)
{
  switch (state)
    {
    case SAL_JOB_STATE_QUEUED: return SAL_JOB_QUEUED;
    case SAL_JOB_STATE_RUNNING: return SAL_JOB_RUNNING;
    case SAL_JOB_STATE_DONE: return SAL_JOB_DONE;
    case SAL_JOB_STATE_FAILED: return SAL_JOB_FAILED;
    case SAL_JOB_STATE_CANCELLED: return SAL_JOB_CANCELLED;
    case SAL_JOB_STATE_INTERRUPTED: return SAL_JOB_INTERRUPTED;
    default: return SAL_JOB_FAILED;
    }
}

static void
on_state_changed (SalJobQueue *queue, SalJob *job, Link *link)
{
  g_autoptr(GError) error = NULL;
  gpointer row = g_hash_table_lookup (link->rows, sal_job_get_id (job));
  gint64 id = row != NULL ? *(gint64 *) row : 0;

  if (id == 0)
    {
      GVariant *params = sal_job_get_params (job);
      g_autofree char *json = params != NULL ? json_gvariant_serialize_data (params, NULL)
                                             : g_strdup ("{}");
      gint64 *slot;

      id = sal_store_add_job (link->store, sal_job_get_kind (job), json,
                              sal_job_get_priority (job) == SAL_JOB_PRIORITY_INTERACTIVE ? 1 : 0,
                              &error);
      if (id <= 0)
        {
          g_warning ("Could not record job %s: %s", sal_job_get_kind (job), error->message);
          return;
        }
      slot = g_new (gint64, 1);
      *slot = id;
      g_hash_table_insert (link->rows, g_strdup (sal_job_get_id (job)), slot);
    }
  if (sal_job_get_state (job) != SAL_JOB_STATE_QUEUED
      && !sal_store_set_job_state (link->store, id, store_state (sal_job_get_state (job)),
                                   sal_job_get_error_message (job), NULL, &error))
    {
      g_warning ("Could not record the state of job %s: %s", sal_job_get_kind (job),
                 error->message);
      return;
    }
  if (sal_job_is_finished (job))
    sal_store_set_job_progress (link->store, id, sal_job_get_progress (job), NULL);
}

void
sal_job_store_attach (SalJobQueue *queue, SalStore *store)
{
  Link *link;

  g_return_if_fail (SAL_IS_JOB_QUEUE (queue));
  g_return_if_fail (store != NULL);
  link = g_new0 (Link, 1);
  link->store = sal_store_ref (store);
  link->rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_object_set_data_full (G_OBJECT (queue), "sal-job-store", link, link_free);
  g_signal_connect (queue, "job-state-changed", G_CALLBACK (on_state_changed), link);
}

gboolean
sal_job_store_is_attached (SalJobQueue *queue)
{
  g_return_val_if_fail (SAL_IS_JOB_QUEUE (queue), FALSE);
  return g_object_get_data (G_OBJECT (queue), "sal-job-store") != NULL;
}

guint
sal_job_store_load_interrupted (SalJobQueue *queue, SalStore *store, GError **error)
{
  g_autoptr(GPtrArray) jobs = NULL;

  g_return_val_if_fail (SAL_IS_JOB_QUEUE (queue), 0);
  jobs = sal_store_list_jobs (store, SAL_JOB_INTERRUPTED, error);
  if (jobs == NULL)
    return 0;
  for (guint i = 0; i < jobs->len; i++)
    {
      SalJobRecord *r = g_ptr_array_index (jobs, i);
      g_autofree char *id = g_strdup_printf ("stored-%" G_GINT64_FORMAT, r->id);
      g_autoptr(GVariant) params = NULL;
      g_autoptr(SalJob) job = NULL;

      if (r->params_json != NULL)
        params = json_gvariant_deserialize_data (r->params_json, -1, NULL, NULL);
      if (params != NULL)
        g_variant_ref_sink (params);
      job = sal_job_new_interrupted (id, r->kind, r->kind,
                                     r->priority > 0 ? SAL_JOB_PRIORITY_INTERACTIVE
                                                     : SAL_JOB_PRIORITY_BATCH,
                                     params);
      sal_job_queue_add_finished (queue, job);
    }
  return jobs->len;
}
