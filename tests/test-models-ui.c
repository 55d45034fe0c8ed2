/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Models workspace in a real window: importing a model whose file lacks its labels
 * and input kind (the describe dialog stores them), refused models (a dialog names the
 * reason, nothing is added), a model's card, self-check and benchmark jobs, removal with
 * undo and removal kept while results use the model, and the job monitor on the
 * application's one queue (cancel, a failure's reason, retry, clear). Rendered to PNGs
 * (build/tests/models-*.png). */
#include "config.h"

#include "sal-fitness-jobs.h"   /* first: it includes sal-store.h with sal-job.h */
#include "sal-application.h"
#include "sal-datasets.h"
#include "sal-job-queue.h"
#include "sal-model-input.h"
#include "sal-models-page.h"
#include "sal-test-util.h"
#include "sal-ui-test.h"
#include "sal-window.h"

SAL_UI_TEST_NO_LEAK_CHECK

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

static SalModelRecord *
store_find (SalStore *store, const char *name)
{
  g_autoptr(GPtrArray) all = sal_store_list_models (store, NULL);
  for (guint i = 0; i < all->len; i++)
    {
      SalModelRecord *m = g_ptr_array_index (all, i);
      if (g_strcmp0 (m->name, name) == 0)
        return sal_store_get_model (store, m->id, NULL);
    }
  return NULL;
}

static GtkWidget *
find_named (GtkWidget *root, GType type, const char *name)
{
  GtkWidget *w;
  for (guint i = 0; (w = sal_ui_test_find_nth (root, type, i)) != NULL; i++)
    if (g_strcmp0 (gtk_widget_get_name (w), name) == 0)
      return w;
  return NULL;
}

/* Imports @file and waits for the refusal dialog; returns its body. */
static char *
import_refused (Fixture *f, const char *file)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "malformed-models", file, NULL);
  g_autoptr(GFile) gfile = g_file_new_for_path (path);
  GtkWindow *dialog;
  char *body;

  if (sal_models_page_get_last_dialog (f->page) != NULL)
    gtk_window_destroy (sal_models_page_get_last_dialog (f->page));
  g_assert_null (sal_models_page_get_last_dialog (f->page));
  sal_models_page_import_file (f->page, gfile);
  g_assert_true (sal_ui_test_wait_until (dialog_shown_cb, f->page, 20000));
  dialog = sal_models_page_get_last_dialog (f->page);
  g_assert_true (ADW_IS_MESSAGE_DIALOG (dialog));
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "Model Not Imported");
  body = g_strdup (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)));
  gtk_window_destroy (dialog);
  sal_ui_test_wait_idle (100);
  return body;
}

static gboolean
stack_settled_cb (gpointer page)
{
  GtkStack *stack = GTK_STACK (sal_ui_test_find_nth (page, GTK_TYPE_STACK, 0));
  return !gtk_stack_get_transition_running (stack);
}

/* The whole scrolled content of the page's visible view, as a person scrolling it
 * would see it. */
static void
save_view_png (Fixture *f, const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) tex = NULL;
  g_autofree char *path = sal_ui_test_build_path (name);
  GtkStack *stack = GTK_STACK (sal_ui_test_find_nth (GTK_WIDGET (f->page), GTK_TYPE_STACK, 0));
  GtkWidget *clamp;

  g_assert_true (sal_ui_test_wait_until (stack_settled_cb, f->page, 5000));
  sal_ui_test_wait_idle (200);
  clamp = sal_ui_test_find_nth (gtk_stack_get_visible_child (stack), ADW_TYPE_CLAMP, 0);
  g_assert_nonnull (clamp);
  tex = sal_ui_test_save_png (clamp, path, &error);
  g_assert_no_error (error);
}

static void
test_import_card (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *valid = g_test_build_filename (G_TEST_DIST, "onnx-models",
                                                  "external-weights.onnx", NULL);
  g_autoptr(GFile) valid_file = g_file_new_for_path (valid);
  g_autoptr(SalModelRecord) imported = NULL;
  g_autoptr(SalModelRecord) breast = NULL;
  g_autoptr(SalModel) model = NULL;
  g_autoptr(GPtrArray) labels = NULL;
  guint n_shipped = store_n_models (f->store);
  GtkWindow *dialog;
  GtkWidget *kind, *entry, *card;
  char *body;

  g_assert_cmpuint (n_shipped, ==, 4);
  g_assert_cmpuint (sal_models_page_get_n_models (f->page), ==, n_shipped);
  /* The monitor lists the application's one queue, shared with the other pages. */
  g_assert_true (sal_models_page_get_job_queue (f->page)
                 == sal_application_get_job_queue (f->app));

  /* A valid model whose file states neither its input kind nor its labels: validated in
   * the background, then the describe dialog asks for them. */
  sal_models_page_import_file (f->page, valid_file);
  g_assert_true (sal_ui_test_wait_until (dialog_shown_cb, f->page, 20000));
  dialog = sal_models_page_get_last_dialog (f->page);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "Describe the Model");
  g_assert_cmpuint (store_n_models (f->store), ==, n_shipped);
  kind = find_named (GTK_WIDGET (dialog), GTK_TYPE_DROP_DOWN, "input-kind");
  entry = find_named (GTK_WIDGET (dialog), GTK_TYPE_ENTRY, "labels");
  g_assert_nonnull (kind);
  g_assert_nonnull (entry);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (kind), 2);   /* measurements */
  /* Three names for two outputs: refused, nothing added. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "low, middle, high");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "import");
  sal_ui_test_wait_idle (200);
  dialog = sal_models_page_get_last_dialog (f->page);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "Model Not Imported");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)),
                            "2 output classes but 3 labels"));
  gtk_window_destroy (dialog);
  g_assert_cmpuint (store_n_models (f->store), ==, n_shipped);

  sal_models_page_import_file (f->page, valid_file);
  g_assert_true (sal_ui_test_wait_until (dialog_shown_cb, f->page, 20000));
  dialog = sal_models_page_get_last_dialog (f->page);
  kind = find_named (GTK_WIDGET (dialog), GTK_TYPE_DROP_DOWN, "input-kind");
  entry = find_named (GTK_WIDGET (dialog), GTK_TYPE_ENTRY, "labels");
  gtk_drop_down_set_selected (GTK_DROP_DOWN (kind), 2);
  gtk_editable_set_text (GTK_EDITABLE (entry), "low, high");
  sal_ui_test_wait_idle (300);
  {
    g_autofree char *png = sal_ui_test_build_path ("models-describe.png");
    g_autoptr(GdkTexture) tex = sal_ui_test_save_png (GTK_WIDGET (dialog), png, &error);
    g_assert_no_error (error);
  }
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "import");
  sal_ui_test_wait_idle (300);
  g_assert_cmpuint (store_n_models (f->store), ==, n_shipped + 1);
  g_assert_cmpuint (sal_models_page_get_n_models (f->page), ==, n_shipped + 1);
  /* Stored with the model, and what the rest of the app reads. */
  imported = store_find (f->store, "external-weights");
  g_assert_nonnull (imported);
  model = sal_model_load_with_metadata (imported->path, imported->metadata_json, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sal_model_input_kind (model), ==, SAL_INPUT_KIND_MEASUREMENTS);
  labels = sal_model_labels (model);
  g_assert_cmpuint (labels->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (labels, 0), ==, "low");

  /* Refused models: the dialog says exactly why; nothing is added. */
  body = import_refused (f, "unsupported-ops.onnx");
  g_assert_nonnull (strstr (body, "ScatterND"));
  g_assert_nonnull (strstr (body, "NonZero"));
  g_free (body);
  body = import_refused (f, "opset-99.onnx");
  g_assert_nonnull (strstr (body, "99"));
  g_free (body);
  g_assert_cmpuint (store_n_models (f->store), ==, n_shipped + 1);
  g_assert_cmpuint (sal_models_page_get_n_models (f->page), ==, n_shipped + 1);
  save_view_png (f, "models-library.png");

  /* A model card: the shipped breast-mass model's Markdown card, rendered. */
  breast = store_find (f->store, "breast-mass-risk");
  sal_models_page_open_model (f->page, breast->id);
  g_assert_true (sal_ui_test_wait_until (detail_ready_cb, f->page, 20000));
  sal_ui_test_wait_idle (200);
  card = find_named (GTK_WIDGET (f->page), GTK_TYPE_TEXT_VIEW, "model-card");
  g_assert_nonnull (card);
  g_assert_cmpint (gtk_text_buffer_get_char_count (gtk_text_view_get_buffer (GTK_TEXT_VIEW (card))),
                   >, 40);
  g_assert_nonnull (sal_ui_test_find_label (GTK_WIDGET (f->page), "SHA-256"));
  g_assert_nonnull (sal_ui_test_find_label (GTK_WIDGET (f->page), breast->sha256));
}

static gboolean
check_done_cb (gpointer page)
{
  return sal_models_page_get_check_text (page) != NULL;
}

static gboolean
bench_done_cb (gpointer page)
{
  return sal_models_page_get_bench_text (page) != NULL;
}

static void
test_check_bench (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SalModelRecord) breast = store_find (f->store, "breast-mass-risk");
  GtkWidget *row;
  const char *text;

  sal_models_page_open_model (f->page, breast->id);
  g_assert_true (sal_ui_test_wait_until (detail_ready_cb, f->page, 20000));
  g_assert_null (sal_models_page_get_check_text (f->page));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "models.self-check", NULL));
  g_assert_true (sal_ui_test_wait_until (check_done_cb, f->page, 20000));
  text = sal_models_page_get_check_text (f->page);
  g_assert_true (g_str_has_prefix (text, "Passed."));
  g_assert_nonnull (strstr (text, "Batch 1 against batch 4: largest difference"));
  g_assert_nonnull (strstr (text, "reload: largest difference 0."));
  row = find_named (GTK_WIDGET (f->page), ADW_TYPE_ACTION_ROW, "self-check-row");
  g_assert_nonnull (row);
  g_assert_true (g_str_has_prefix (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "Passed."));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "models.benchmark", NULL));
  g_assert_true (sal_ui_test_wait_until (bench_done_cb, f->page, 20000));
  text = sal_models_page_get_bench_text (f->page);
  g_assert_true (g_str_has_prefix (text, "Batch 1: median "));
  g_assert_nonnull (strstr (text, "Batch 64: median "));
  g_assert_nonnull (strstr (text, "per sample"));
  row = find_named (GTK_WIDGET (f->page), ADW_TYPE_ACTION_ROW, "bench-row");
  g_assert_true (g_str_has_prefix (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)),
                                   "Batch 1: median "));
  save_view_png (f, "models-card.png");
}

static void
test_remove (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "onnx-models",
                                                 "external-weights.onnx", NULL);
  g_autofree char *sha = sal_file_sha256 (path, NULL);
  g_autofree char *used_sha = g_strnfill (64, 'c');
  guint n = store_n_models (f->store);
  float value = 0.5f;
  SalExplanationRecord e = { 0 };
  gint64 id, used;
  GtkWindow *dialog;

  id = sal_store_put_model (f->store, "tiny", path, sha, FALSE, "{}", &error);
  used = sal_store_put_model (f->store, "used", path, used_sha, FALSE, "{}", &error);
  g_assert_no_error (error);
  e.object_kind = SAL_OBJECT_CASE;
  e.object_id = 1;
  e.model_sha256 = used_sha;
  e.method = (char *) "gradient";
  e.target = (char *) "0";
  e.shape_json = (char *) "[1]";
  e.attribution = g_bytes_new (&value, sizeof value);
  g_assert_cmpint (sal_store_add_explanation (f->store, &e, &error), >, 0);
  g_bytes_unref (e.attribution);

  /* Remove, undo: back in the list and still in the store. */
  sal_models_page_open_model (f->page, id);
  g_assert_true (sal_ui_test_wait_until (detail_ready_cb, f->page, 20000));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "models.remove", NULL));
  sal_ui_test_wait_idle (100);
  g_assert_cmpuint (sal_models_page_get_n_models (f->page), ==, n + 1);
  g_assert_cmpuint (store_n_models (f->store), ==, n + 2);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "models.undo-remove", NULL));
  sal_ui_test_wait_idle (100);
  g_assert_cmpuint (sal_models_page_get_n_models (f->page), ==, n + 2);
  g_assert_cmpuint (store_n_models (f->store), ==, n + 2);

  /* Remove and let the undo time end: gone from the store. */
  sal_models_page_open_model (f->page, id);
  g_assert_true (sal_ui_test_wait_until (detail_ready_cb, f->page, 20000));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "models.remove", NULL));
  sal_models_page_commit_removals (f->page);
  sal_ui_test_wait_idle (100);
  g_assert_cmpuint (store_n_models (f->store), ==, n + 1);
  g_assert_cmpuint (sal_models_page_get_n_models (f->page), ==, n + 1);

  /* A model a stored result was made with is kept, and the dialog says how many. */
  sal_models_page_open_model (f->page, used);
  g_assert_true (sal_ui_test_wait_until (detail_ready_cb, f->page, 20000));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "models.remove", NULL));
  dialog = sal_models_page_get_last_dialog (f->page);
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "Model Kept");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)),
                            "made 1 stored result"));
  gtk_window_destroy (dialog);
  sal_models_page_commit_removals (f->page);
  g_assert_cmpuint (store_n_models (f->store), ==, n + 1);
  g_assert_cmpuint (sal_models_page_get_n_models (f->page), ==, n + 1);
}

/* A job that runs until cancelled, polling its cancellable as engine work does. */
static gpointer
slow_run (SalJob *job, gpointer inputs, GCancellable *cancellable, GError **error)
{
  for (int i = 0; i < 3000; i++)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      sal_job_report_progress (job, i / 3000.0, "Working");
      g_usleep (10 * 1000);
    }
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "not cancelled in 30 s");
  return NULL;
}

static gpointer
failing_run (SalJob *job, gpointer inputs, GCancellable *cancellable, GError **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "The disk is full");
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

/* The visible button labelled @label in the row titled @title. */
static GtkWidget *
row_button (GtkWidget *root, const char *title, const char *label)
{
  GtkWidget *row;
  for (guint i = 0; (row = sal_ui_test_find_nth (root, ADW_TYPE_ACTION_ROW, i)) != NULL; i++)
    if (g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), title) == 0)
      {
        GtkWidget *b;
        for (guint k = 0; (b = sal_ui_test_find_nth (row, GTK_TYPE_BUTTON, k)) != NULL; k++)
          if (gtk_widget_get_visible (b)
              && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (b)), label) == 0)
            return b;
      }
  return NULL;
}

static void
test_job_monitor (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SalJob) job = sal_job_new ("test-slow", "Slow test job",
                                       SAL_JOB_PRIORITY_BATCH, G_TYPE_NONE, slow_run,
                                       NULL, NULL, NULL);
  g_autoptr(SalJob) bad = sal_job_new ("test-fail", "Export to a full disk",
                                       SAL_JOB_PRIORITY_BATCH, G_TYPE_NONE, failing_run,
                                       NULL, NULL, NULL);
  SalJobQueue *queue = sal_models_page_get_job_queue (f->page);
  GtkWidget *cancel, *retry, *row;

  /* A failure shows its reason and can be retried. */
  sal_job_queue_push (queue, bad);
  g_assert_true (sal_ui_test_wait_until (job_finished_cb, bad, 10000));
  sal_ui_test_wait_idle (200);
  retry = row_button (GTK_WIDGET (f->page), "Export to a full disk", "_Retry");
  g_assert_nonnull (retry);
  row = gtk_widget_get_ancestor (retry, ADW_TYPE_ACTION_ROW);
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)),
                            "The disk is full"));
  g_signal_emit_by_name (retry, "clicked");
  g_assert_true (sal_ui_test_wait_until (queue_idle_cb, f->page, 10000));
  sal_ui_test_wait_idle (200);
  /* The retry ran (and failed again, for the same reason). */
  {
    gboolean found = FALSE;
    for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (queue)); i++)
      {
        g_autoptr(SalJob) j = g_list_model_get_item (G_LIST_MODEL (queue), i);
        if (g_strcmp0 (sal_job_get_retry_of (j), sal_job_get_id (bad)) == 0)
          {
            found = TRUE;
            g_assert_cmpint (sal_job_get_state (j), ==, SAL_JOB_STATE_FAILED);
            g_assert_cmpstr (sal_job_get_error_message (j), ==, "The disk is full");
          }
      }
    g_assert_true (found);
  }

  /* Cancel from the monitor's button. */
  sal_job_queue_push (queue, job);
  g_assert_true (sal_ui_test_wait_until (job_running_cb, job, 10000));
  sal_ui_test_wait_idle (200);
  cancel = row_button (GTK_WIDGET (f->page), "Slow test job", "_Cancel");
  g_assert_nonnull (cancel);
  g_signal_emit_by_name (cancel, "clicked");
  g_assert_true (sal_ui_test_wait_until (job_finished_cb, job, 10000));
  g_assert_cmpint (sal_job_get_state (job), ==, SAL_JOB_STATE_CANCELLED);
  sal_ui_test_wait_idle (300);
  g_assert_false (gtk_widget_get_visible (cancel));
  save_view_png (f, "models-jobs.png");

  /* Clear finished empties the monitor. */
  gtk_widget_activate_action (GTK_WIDGET (f->page), "models.clear-finished", NULL);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (queue)), ==, 0);
}

int
main (int argc, char **argv)
{
  g_autofree char *home = sal_test_tmpdir ();

  /* The application's own store (opened when the page is first shown) goes to a fresh
   * folder, never the user's. */
  g_setenv ("XDG_DATA_HOME", home, TRUE);
  if (!sal_ui_test_init (&argc, &argv))
    {
      g_test_skip ("no display: run under xvfb-run");
      return g_test_run ();
    }
  g_test_add ("/ui/models/import-card", Fixture, NULL, fixture_set_up, test_import_card,
              fixture_tear_down);
  g_test_add ("/ui/models/check-bench", Fixture, NULL, fixture_set_up, test_check_bench,
              fixture_tear_down);
  g_test_add ("/ui/models/remove", Fixture, NULL, fixture_set_up, test_remove,
              fixture_tear_down);
  g_test_add ("/ui/models/job-monitor", Fixture, NULL, fixture_set_up, test_job_monitor,
              fixture_tear_down);
  {
    int status = g_test_run ();
    g_clear_object (&shared_app);
    sal_test_rm_rf (home);
    return status;
  }
}
