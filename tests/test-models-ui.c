/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Models workspace in a real window: the library with the shipped models, importing a
 * valid and a malformed model, a model's card, and a job cancelled from the monitor;
 * rendered to PNGs (build/tests/models-*.png). */
#include "config.h"

#include "sal-fitness-jobs.h"   /* first: it includes sal-store.h with sal-job.h */
#include "sal-application.h"
#include "sal-datasets.h"
#include "sal-job-queue.h"
#include "sal-models-page.h"
#include "sal-test-util.h"
#include "sal-ui-test.h"
#include "sal-window.h"

static SalApplication *shared_app;

typedef struct {
  SalApplication *app;
  SalWindow      *window;
  SalModelsPage  *page;
  char           *dir;
  SalStore       *store;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autofree char *db = NULL;
  g_autofree char *shipped = sal_shipped_models_dir ();
  g_autoptr(GError) error = NULL;

  if (shared_app == NULL)
    shared_app = sal_ui_test_app_new ();
  f->app = shared_app;
  f->window = sal_ui_test_window_new (f->app);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1000, 1100);
  f->dir = sal_test_tmpdir ();
  db = g_build_filename (f->dir, "models.db", NULL);
  f->store = sal_store_open (db, &error);
  g_assert_no_error (error);
  g_assert_true (sal_store_register_models_in_dir (f->store, shipped, NULL, &error));
  g_assert_no_error (error);
  f->page = SAL_MODELS_PAGE (sal_ui_test_find_nth (GTK_WIDGET (f->window),
                                                   SAL_TYPE_MODELS_PAGE, 0));
  g_assert_nonnull (f->page);
  sal_models_page_set_store (f->page, f->store);
  sal_window_set_page (f->window, "models");
  sal_ui_test_wait_idle (300);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  sal_ui_test_close_all (f->app);
  g_clear_pointer (&f->store, sal_store_unref);
  sal_test_rm_rf (f->dir);
  g_free (f->dir);
}

static gboolean
queue_idle_cb (gpointer page)
{
  return sal_job_queue_get_n_active (sal_models_page_get_job_queue (page)) == 0;
}

static gboolean
dialog_shown_cb (gpointer page)
{
  return sal_models_page_get_last_dialog (page) != NULL;
}

static gboolean
detail_ready_cb (gpointer page)
{
  return sal_models_page_detail_ready (page);
}

static guint
store_n_models (SalStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = sal_store_list_models (store, &error);
  g_assert_no_error (error);
  return all->len;
}

static void
test_library_import_card (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) tex = NULL;
  g_autofree char *valid = g_test_build_filename (G_TEST_DIST, "onnx-models",
                                                  "external-weights.onnx", NULL);
  g_autofree char *bad = g_test_build_filename (G_TEST_DIST, "malformed-models",
                                                "opset-99.onnx", NULL);
  g_autofree char *png_library = sal_ui_test_build_path ("models-library.png");
  g_autofree char *png_card = sal_ui_test_build_path ("models-card.png");
  g_autoptr(GFile) valid_file = g_file_new_for_path (valid);
  g_autoptr(GFile) bad_file = g_file_new_for_path (bad);
  g_autoptr(GPtrArray) models = NULL;
  guint n_shipped = store_n_models (f->store);
  GtkWindow *dialog;
  GtkWidget *card;
  gint64 card_id = 0;

  g_assert_cmpuint (n_shipped, >=, 1);
  g_assert_cmpuint (sal_models_page_get_n_models (f->page), ==, n_shipped);

  /* A valid model: validated in the background, then listed. */
  sal_models_page_import_file (f->page, valid_file);
  g_assert_true (sal_ui_test_wait_until (queue_idle_cb, f->page, 30000));
  sal_ui_test_wait_idle (300);
  g_assert_null (sal_models_page_get_last_dialog (f->page));
  g_assert_cmpuint (store_n_models (f->store), ==, n_shipped + 1);
  g_assert_cmpuint (sal_models_page_get_n_models (f->page), ==, n_shipped + 1);

  /* A malformed one: a dialog says why, nothing is added. */
  sal_models_page_import_file (f->page, bad_file);
  g_assert_true (sal_ui_test_wait_until (dialog_shown_cb, f->page, 30000));
  dialog = sal_models_page_get_last_dialog (f->page);
  g_assert_true (ADW_IS_MESSAGE_DIALOG (dialog));
  g_assert_true (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)), "99")
                 != NULL);
  g_assert_cmpuint (store_n_models (f->store), ==, n_shipped + 1);
  gtk_window_destroy (dialog);
  sal_ui_test_wait_idle (300);
  tex = sal_ui_test_save_png (GTK_WIDGET (f->page), png_library, &error);
  g_assert_no_error (error);
  g_clear_object (&tex);

  /* A model card: the shipped breast-mass model's Markdown card, rendered. */
  models = sal_store_list_models (f->store, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < models->len; i++)
    {
      SalModelRecord *m = g_ptr_array_index (models, i);
      if (card_id == 0 || g_strcmp0 (m->name, "breast-mass-risk") == 0)
        card_id = m->id;
    }
  sal_models_page_open_model (f->page, card_id);
  g_assert_true (sal_ui_test_wait_until (detail_ready_cb, f->page, 30000));
  sal_ui_test_wait_idle (300);
  card = NULL;
  for (guint i = 0; (card = sal_ui_test_find_nth (GTK_WIDGET (f->page), GTK_TYPE_TEXT_VIEW, i))
                    != NULL; i++)
    if (g_strcmp0 (gtk_widget_get_name (card), "model-card") == 0)
      break;
  g_assert_nonnull (card);
  g_assert_cmpint (gtk_text_buffer_get_char_count (gtk_text_view_get_buffer (GTK_TEXT_VIEW (card))),
                   >, 40);
  g_assert_nonnull (sal_ui_test_find_label (GTK_WIDGET (f->page), "SHA-256"));
  tex = sal_ui_test_save_png (GTK_WIDGET (f->page), png_card, &error);
  g_assert_no_error (error);
}

/* A job that runs until cancelled, polling its cancellable as engine work does. */
static gpointer
slow_run (SalJob *job, gpointer inputs, GCancellable *cancellable, GError **error)
{
  for (int i = 0; i < 3000; i++)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      sal_job_report_progress (job, i / 3000.0, NULL);
      g_usleep (10 * 1000);
    }
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "not cancelled in 30 s");
  return NULL;
}

static gboolean
job_running_cb (gpointer job)
{
  return sal_job_get_state (job) == SAL_JOB_STATE_RUNNING;
}

static gboolean
job_finished_cb (gpointer job)
{
  return sal_job_is_finished (job);
}

static void
test_job_cancel (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) tex = NULL;
  g_autofree char *png_jobs = sal_ui_test_build_path ("models-jobs.png");
  g_autoptr(SalJob) job = sal_job_new ("test-slow", "Slow test job",
                                       SAL_JOB_PRIORITY_BATCH, G_TYPE_NONE, slow_run,
                                       NULL, NULL, NULL);
  SalJobQueue *queue = sal_models_page_get_job_queue (f->page);
  GtkWidget *cancel = NULL;
  GtkWidget *w;

  sal_job_queue_push (queue, job);
  g_assert_true (sal_ui_test_wait_until (job_running_cb, job, 10000));
  sal_ui_test_wait_idle (200);
  /* Press the row's Cancel button, found by its accessible role's label. */
  for (guint i = 0; (w = sal_ui_test_find_nth (GTK_WIDGET (f->page), GTK_TYPE_BUTTON, i)) != NULL;
       i++)
    if (gtk_widget_get_visible (w) && gtk_button_get_label (GTK_BUTTON (w)) != NULL
        && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (w)), "_Cancel") == 0)
      cancel = w;
  g_assert_nonnull (cancel);
  g_signal_emit_by_name (cancel, "clicked");
  g_assert_true (sal_ui_test_wait_until (job_finished_cb, job, 10000));
  g_assert_cmpint (sal_job_get_state (job), ==, SAL_JOB_STATE_CANCELLED);
  sal_ui_test_wait_idle (300);
  g_assert_false (gtk_widget_get_visible (cancel));
  tex = sal_ui_test_save_png (GTK_WIDGET (f->page), png_jobs, &error);
  g_assert_no_error (error);

  /* Clear finished empties the monitor. */
  gtk_widget_activate_action (GTK_WIDGET (f->page), "models.clear-finished", NULL);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (queue)), ==, 0);
}

int
main (int argc, char **argv)
{
  if (!sal_ui_test_init (&argc, &argv))
    {
      g_test_skip ("no display: run under xvfb-run");
      return g_test_run ();
    }
  g_test_add ("/ui/models/library-import-card", Fixture, NULL, fixture_set_up,
              test_library_import_card, fixture_tear_down);
  g_test_add ("/ui/models/job-cancel", Fixture, NULL, fixture_set_up, test_job_cancel,
              fixture_tear_down);
  {
    int status = g_test_run ();
    g_clear_object (&shared_app);
    return status;
  }
}
