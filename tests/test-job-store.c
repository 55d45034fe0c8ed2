/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The jobs table follows the job queue; interrupted jobs come back at start. */
#include "config.h"

#include "sal-fitness-jobs.h"   /* first: it includes sal-store.h with sal-job.h */
#include "sal-job-queue.h"
#include "sal-job-store.h"
#include "sal-test-util.h"

static gpointer
fail_run (SalJob *job, gpointer inputs, GCancellable *cancellable, GError **error)
{
  sal_job_report_progress (job, 0.5, NULL);
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "the input was bad");
  return NULL;
}

static gboolean
finished (SalJob *job)
{
  return sal_job_is_finished (job);
}

static void
test_follow_and_interrupted (void)
{
  g_autofree char *dir = sal_test_tmpdir ();
  g_autofree char *db = g_build_filename (dir, "jobs.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SalStore) store = sal_store_open (db, &error);
  g_autoptr(SalJobQueue) queue = sal_job_queue_new (1);
  g_autoptr(SalJob) job = sal_job_new ("test-fail", "Failing job", SAL_JOB_PRIORITY_BATCH,
                                       G_TYPE_NONE, fail_run, NULL, NULL, NULL);
  g_autoptr(GPtrArray) rows = NULL;
  SalJobRecord *r;
  gint64 running;

  g_assert_no_error (error);
  sal_job_store_attach (queue, store);
  sal_job_queue_push (queue, job);
  while (!finished (job))
    g_main_context_iteration (NULL, TRUE);
  /* Let the last state change reach the main loop. */
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
  rows = sal_store_list_jobs (store, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 1);
  r = g_ptr_array_index (rows, 0);
  g_assert_cmpstr (r->kind, ==, "test-fail");
  g_assert_cmpint (r->state, ==, SAL_JOB_FAILED);
  g_assert_cmpstr (r->error, ==, "the input was bad");
  g_assert_cmpint (r->started_ms, >, 0);
  g_assert_cmpint (r->finished_ms, >=, r->started_ms);

  /* A job left running when Salient stopped is listed as interrupted at the next start. */
  running = sal_store_add_job (store, "explain", "{\"steps\":64}", 1, &error);
  g_assert_no_error (error);
  g_assert_true (sal_store_set_job_state (store, running, SAL_JOB_RUNNING, NULL, NULL, &error));
  g_clear_pointer (&store, sal_store_unref);
  g_clear_object (&queue);
  store = sal_store_open (db, &error);
  g_assert_no_error (error);
  queue = sal_job_queue_new (1);
  g_assert_cmpuint (sal_job_store_load_interrupted (queue, store, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (queue)), ==, 1);
  {
    g_autoptr(SalJob) back = g_list_model_get_item (G_LIST_MODEL (queue), 0);
    g_assert_cmpint (sal_job_get_state (back), ==, SAL_JOB_STATE_INTERRUPTED);
    g_assert_cmpstr (sal_job_get_kind (back), ==, "explain");
  }
  g_clear_pointer (&store, sal_store_unref);
  sal_test_rm_rf (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/app/job-store/follow-and-interrupted", test_follow_and_interrupted);
  return g_test_run ();
}
