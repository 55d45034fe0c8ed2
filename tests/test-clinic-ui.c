/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Clinic workspace in a real window: first-run demo cases (once), cases created,
 * renamed, deleted and restored, search over titles and notes, files opened as a case
 * (`salient FILE…`), a result reopened from the History, and the case report exported;
 * rendered to PNGs (build/tests/clinic-*.png). */
#include "config.h"

#include <string.h>

#include "sal-clinic-jobs.h"   /* first: it includes sal-store.h with sal-job.h */
#include "sal-application.h"
#include "sal-case-history.h"
#include "sal-clinic-page.h"
#include "sal-datasets.h"
#include "sal-image.h"
#include "sal-image-view.h"
#include "sal-case-images.h"
#include "sal-note-editor.h"
#include "sal-phantom.h"
#include "sal-store-once.h"
#include "sal-test-util.h"
#include "sal-ui-test.h"
#include "sal-window.h"

SAL_UI_TEST_NO_LEAK_CHECK

static SalApplication *shared_app;

typedef struct {
  SalApplication *app;
  SalWindow      *window;
  SalClinicPage  *page;
  char           *dir;
  SalStore       *store;
} Fixture;

static gboolean
page_idle_cb (gpointer page)
{
  return !sal_clinic_page_is_busy (page);
}

static void
wait_page (Fixture *f)
{
  g_assert_true (sal_ui_test_wait_until (page_idle_cb, f->page, 60000));
  sal_ui_test_wait_idle (200);
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autofree char *db = NULL;
  g_autofree char *shipped = sal_shipped_models_dir ();
  g_autoptr(GError) error = NULL;

  if (shared_app == NULL)
    shared_app = sal_ui_test_app_new ();
  f->app = shared_app;
  /* Preferences' default method, read by the Images panel when it is shown */
  g_settings_set_string (sal_application_get_settings (f->app), "default-method",
                         GPOINTER_TO_INT (data) == 2 ? "integrated-gradients" : "grad-cam");
  f->window = sal_ui_test_window_new (f->app);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1200, 760);
  f->dir = sal_test_tmpdir ();
  db = g_build_filename (f->dir, "clinic.db", NULL);
  f->store = sal_store_open (db, &error);
  g_assert_no_error (error);
  g_assert_true (sal_store_register_models_in_dir (f->store, shipped, NULL, &error));
  g_assert_no_error (error);
  if (GPOINTER_TO_INT (data) == 1)
    g_assert_cmpint (sal_store_add_case (f->store, NULL, "Own case", FALSE, &error), >, 0);
  f->page = SAL_CLINIC_PAGE (sal_ui_test_find_nth (GTK_WIDGET (f->window),
                                                   SAL_TYPE_CLINIC_PAGE, 0));
  g_assert_nonnull (f->page);
  sal_window_set_page (f->window, "clinic");
  wait_page (f);
  sal_clinic_page_set_store (f->page, f->store, sal_application_get_job_queue (f->app));
  wait_page (f);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  sal_ui_test_close_all (f->app);
  g_clear_pointer (&f->store, sal_store_unref);
  sal_test_rm_rf (f->dir);
  g_free (f->dir);
}

static guint
n_shown (Fixture *f)
{
  g_autoptr(GArray) ids = sal_clinic_page_list_shown (f->page);
  return ids->len;
}

static gint64
shown_id (Fixture *f, guint i)
{
  g_autoptr(GArray) ids = sal_clinic_page_list_shown (f->page);
  g_assert_cmpuint (i, <, ids->len);
  return g_array_index (ids, gint64, i);
}

static guint
n_cases (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) cases = sal_store_list_cases (f->store, &error);
  g_assert_no_error (error);
  return cases->len;
}

static void
activate (Fixture *f, const char *action)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), action, NULL));
  sal_ui_test_wait_idle (100);
}

static AdwMessageDialog *
wait_dialog (void)
{
  for (int i = 0; i < 100; i++)
    {
      GtkWindow *w = sal_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
      if (w != NULL)
        return ADW_MESSAGE_DIALOG (w);
      sal_ui_test_wait_idle (20);
    }
  g_error ("no dialog appeared");
}

static void
answer_dialog (AdwMessageDialog *dialog, const char *response)
{
  adw_message_dialog_response (dialog, response);
  gtk_window_destroy (GTK_WINDOW (dialog));
  sal_ui_test_wait_idle (100);
}

static const char *
visible_tab (Fixture *f)
{
  AdwViewStack *stack = ADW_VIEW_STACK (sal_ui_test_find_nth (GTK_WIDGET (f->page),
                                                              ADW_TYPE_VIEW_STACK, 0));
  return adw_view_stack_get_visible_child_name (stack);
}

static char *
save_png (Fixture *f, const char *name)
{
  g_autofree char *path = sal_ui_test_build_path (name);
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) tex = NULL;

  /* let the view switcher's highlight finish its transition */
  sal_ui_test_wait_idle (600);
  tex = sal_ui_test_save_png (GTK_WIDGET (f->window), path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (tex);
  /* a real rendering, not a blank one */
  g_assert_cmpuint (sal_ui_test_count_colours (tex, 0, 0, gdk_texture_get_width (tex),
                                               gdk_texture_get_height (tex)), >, 16);
  return g_steal_pointer (&path);
}

/* ---- first run ---- */

static void
test_demo_seeded_once (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) cases = sal_store_list_cases (f->store, &error);
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) notes = NULL;
  g_autoptr(GPtrArray) images = NULL;
  gboolean done = FALSE;
  g_autofree char *png = NULL;

  /* a fresh database gets the three demo cases, each with an image, a note and rows */
  g_assert_no_error (error);
  g_assert_cmpuint (cases->len, ==, 3);
  for (guint i = 0; i < cases->len; i++)
    g_assert_true (((SalCase *) cases->pdata[i])->demo);
  images = sal_store_list_images (f->store, ((SalCase *) cases->pdata[0])->id, &error);
  notes = sal_store_list_notes (f->store, ((SalCase *) cases->pdata[0])->id, &error);
  rows = sal_store_list_measurements (f->store, ((SalCase *) cases->pdata[0])->id, &error);
  g_assert_cmpuint (images->len, ==, 1);
  g_assert_cmpuint (notes->len, ==, 1);
  g_assert_cmpuint (rows->len, ==, 30);
  g_assert_cmpuint (n_shown (f), ==, 3);
  g_assert_cmpint (sal_clinic_page_get_case (f->page), ==, shown_id (f, 0));
  g_assert_true (sal_store_once_done (f->store, "clinic-demo", &done, &error));
  g_assert_true (done);
  g_assert_nonnull (sal_ui_test_find_label (GTK_WIDGET (f->page), "Demo"));
  png = save_png (f, "clinic-demo.png");

  /* removed in one action (after a confirmation) ... */
  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (f->page)));
  activate (f, "clinic.remove-demo");
  answer_dialog (wait_dialog (), "remove");
  g_assert_cmpuint (n_cases (f), ==, 0);
  g_assert_cmpuint (n_shown (f), ==, 0);
  g_assert_cmpint (sal_clinic_page_get_case (f->page), ==, 0);
  g_assert_cmpstr (sal_clinic_page_get_last_toast (f->page), ==, "Removed the demo data");
  g_assert_nonnull (sal_ui_test_find_label (GTK_WIDGET (f->page), "No Cases"));

  /* ... and it does not come back at the next start */
  sal_clinic_page_set_store (f->page, NULL, NULL);
  sal_clinic_page_set_store (f->page, f->store, sal_application_get_job_queue (f->app));
  wait_page (f);
  g_assert_cmpuint (n_cases (f), ==, 0);
}

/* A database that already holds the user's own cases gets no demo cases, and remembers
 * that its first run is over. */
static void
test_demo_not_next_to_own_cases (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  gboolean done = FALSE;

  g_assert_cmpuint (n_cases (f), ==, 1);
  g_assert_cmpuint (n_shown (f), ==, 1);
  g_assert_true (sal_store_once_done (f->store, "clinic-demo", &done, &error));
  g_assert_true (done);
  g_assert_nonnull (sal_ui_test_find_label (GTK_WIDGET (f->page), "Own case"));
}

/* ---- cases ---- */

/* ---- keyboard ---- */

static void
check_shortcuts (Fixture *f)
{
  static const struct { const char *action, *keys; } expected[] = {
    { "clinic.new-case", "<Control>n" },
    { "clinic.search", "<Control>f" },
    { "clinic.rename", "F2" },
    { "clinic.delete", "Delete" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *keys = sal_ui_test_class_shortcuts_for (GTK_WIDGET (f->page),
                                                               expected[i].action, NULL);
      g_assert_cmpstr (keys, ==, expected[i].keys);
    }
}

static void
test_case_crud_undo (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SalCase) c = NULL;
  AdwMessageDialog *dialog;
  gint64 id, other;

  check_shortcuts (f);
  g_assert_cmpuint (n_shown (f), ==, 3);

  /* Ctrl+N's action: a new case, listed first and shown */
  activate (f, "clinic.new-case");
  g_assert_cmpuint (n_cases (f), ==, 4);
  id = sal_clinic_page_get_case (f->page);
  g_assert_cmpint (id, ==, shown_id (f, 0));
  c = sal_store_get_case (f->store, id, &error);
  g_assert_cmpstr (c->title, ==, "New case");
  g_assert_false (c->demo);
  g_assert_cmpstr (visible_tab (f), ==, "images");
  g_assert_nonnull (sal_ui_test_find_label (GTK_WIDGET (f->page), "No Images"));
  g_clear_pointer (&c, sal_case_free);

  /* F2's action: rename; an empty title is refused */
  activate (f, "clinic.rename");
  dialog = wait_dialog ();
  gtk_editable_set_text (GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog)), "   ");
  answer_dialog (dialog, "rename");
  c = sal_store_get_case (f->store, id, &error);
  g_assert_cmpstr (c->title, ==, "New case");
  g_clear_pointer (&c, sal_case_free);
  activate (f, "clinic.rename");
  dialog = wait_dialog ();
  gtk_editable_set_text (GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog)),
                         "Knee MRI, left");
  answer_dialog (dialog, "rename");
  c = sal_store_get_case (f->store, id, &error);
  g_assert_cmpstr (c->title, ==, "Knee MRI, left");
  g_assert_nonnull (sal_ui_test_find_label (GTK_WIDGET (f->page), "Knee MRI, left"));
  g_clear_pointer (&c, sal_case_free);

  /* Delete: gone from the list at once, back with Undo */
  activate (f, "clinic.delete");
  g_assert_cmpuint (n_cases (f), ==, 3);
  g_assert_cmpuint (n_shown (f), ==, 3);
  g_assert_cmpint (sal_clinic_page_get_case (f->page), !=, id);
  g_assert_cmpstr (sal_clinic_page_get_last_toast (f->page), ==, "Case “Knee MRI, left” deleted");
  activate (f, "clinic.undo-delete");
  g_assert_cmpuint (n_cases (f), ==, 4);
  g_assert_cmpint (sal_clinic_page_get_case (f->page), ==, id);

  /* deleted again, and a second deletion purges the first for good */
  activate (f, "clinic.delete");
  other = sal_clinic_page_get_case (f->page);
  g_assert_cmpint (other, !=, 0);
  activate (f, "clinic.delete");
  c = sal_store_get_case (f->store, id, &error);
  g_assert_null (c);
  g_assert_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  activate (f, "clinic.undo-delete");
  g_assert_cmpint (sal_clinic_page_get_case (f->page), ==, other);
  g_assert_cmpuint (n_cases (f), ==, 3);
}

static void
test_search (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  gint64 id = sal_store_add_case (f->store, NULL, "Shoulder follow-up", FALSE, &error);

  g_assert_cmpint (id, >, 0);
  g_assert_cmpint (sal_store_add_note (f->store, id, "Consult",
                                       "Pain over the zygomatic arch after a fall.", &error), >, 0);
  sal_clinic_page_set_search (f->page, "");
  g_assert_cmpuint (n_shown (f), ==, 4);

  /* a word of a note, as a prefix */
  sal_clinic_page_set_search (f->page, "zygom");
  g_assert_cmpuint (n_shown (f), ==, 1);
  g_assert_cmpint (shown_id (f, 0), ==, id);
  g_assert_cmpint (sal_clinic_page_get_case (f->page), ==, id);
  /* a word of a title */
  sal_clinic_page_set_search (f->page, "shoulder");
  g_assert_cmpuint (n_shown (f), ==, 1);
  g_assert_cmpint (shown_id (f, 0), ==, id);
  /* nothing matches */
  sal_clinic_page_set_search (f->page, "xylophone");
  g_assert_cmpuint (n_shown (f), ==, 0);
  g_assert_nonnull (sal_ui_test_find_label (GTK_WIDGET (f->page), "No Matching Cases"));
  /* FTS syntax in the query is just text */
  sal_clinic_page_set_search (f->page, "\"zyg* OR NEAR(");
  g_assert_cmpuint (n_shown (f), ==, 0);
  sal_clinic_page_set_search (f->page, "");
  g_assert_cmpuint (n_shown (f), ==, 4);
}

/* ---- files ---- */

static char *
write_phantom_png (const char *dir, const char *name, SalPhantomKind kind)
{
  g_autoptr(SalPhantom) p = sal_phantom_generate (4242, kind);
  g_autoptr(SalImage) img = sal_image_new (p->width, p->height, 1, 16);
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  memcpy (img->pixels, p->pixels, sizeof (guint16) * p->width * p->height);
  g_assert_true (sal_image_save_png (img, path, &error));
  g_assert_no_error (error);
  return path;
}

typedef struct {
  SalStore *store;
  gint64    case_id;
} NotesOf;

static gboolean
no_pending_cb (gpointer model)
{
  return g_list_model_get_n_items (G_LIST_MODEL (model)) == 0;
}

static gboolean
case_has_note_cb (gpointer data)
{
  NotesOf *n = data;
  g_autoptr(GPtrArray) notes = sal_store_list_notes (n->store, n->case_id, NULL);
  return notes != NULL && notes->len > 0;
}

static void
test_open_files (Fixture *f, gconstpointer data)
{
  g_autofree char *png = write_phantom_png (f->dir, "slice.png", SAL_PHANTOM_WITH_LESION);
  g_autofree char *txt = g_build_filename (f->dir, "referral.txt", NULL);
  g_autofree char *bad = g_build_filename (f->dir, "broken.png", NULL);
  g_autoptr(GFile) png_file = g_file_new_for_path (png);
  g_autoptr(GFile) txt_file = g_file_new_for_path (txt);
  g_autoptr(GFile) bad_file = g_file_new_for_path (bad);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(GPtrArray) notes = NULL;
  g_autoptr(SalCase) c = NULL;
  GFile *both[] = { png_file, txt_file };
  gint64 id;

  g_assert_true (g_file_set_contents (txt, "Referral: sudden severe headache, vomiting.", -1,
                                      NULL));
  g_assert_true (g_file_set_contents (bad, "this is not a PNG", -1, NULL));

  /* as `salient FILE.png NOTE.txt` does: the window queues, the page opens a new case */
  sal_window_open_files (f->window, both, 2);
  g_assert_true (sal_ui_test_wait_until (no_pending_cb, sal_window_get_pending_files (f->window),
                                         5000));
  wait_page (f);
  g_assert_cmpuint (n_cases (f), ==, 4);
  id = sal_clinic_page_get_case (f->page);
  g_assert_cmpint (id, ==, shown_id (f, 0));
  c = sal_store_get_case (f->store, id, &error);
  g_assert_cmpstr (c->title, ==, "Imported images");
  images = sal_store_list_images (f->store, id, &error);
  g_assert_cmpuint (images->len, ==, 1);
  g_assert_cmpstr (((SalStoredImage *) images->pdata[0])->source, ==, "slice.png");
  g_assert_cmpint (((SalStoredImage *) images->pdata[0])->bit_depth, ==, 16);
  /* the note editor reads text files asynchronously */
  {
    NotesOf n = { f->store, id };
    g_assert_true (sal_ui_test_wait_until (case_has_note_cb, &n, 5000));
  }
  notes = sal_store_list_notes (f->store, id, &error);
  g_assert_cmpuint (notes->len, ==, 1);
  g_assert_nonnull (strstr (((SalNote *) notes->pdata[0])->text, "sudden severe headache"));

  /* a broken PNG: a message naming it, and nothing stored */
  sal_clinic_page_open_files (f->page, &bad_file, 1, TRUE);
  wait_page (f);
  g_assert_cmpuint (n_cases (f), ==, 4);
  g_assert_nonnull (strstr (sal_clinic_page_get_last_toast (f->page), "broken.png"));

  /* into the shown case */
  sal_clinic_page_open_files (f->page, &png_file, 1, FALSE);
  wait_page (f);
  g_clear_pointer (&images, g_ptr_array_unref);
  images = sal_store_list_images (f->store, id, &error);
  g_assert_cmpuint (images->len, ==, 2);
  g_assert_cmpuint (n_cases (f), ==, 4);
  g_assert_cmpstr (sal_clinic_page_get_last_toast (f->page), ==, "Added 1 image");
}

/* ---- history ---- */

static gboolean
history_has_cb (gpointer data)
{
  return sal_case_history_get_n_results (SAL_CASE_HISTORY (data)) > 0;
}

static void
test_history_reopen (Fixture *f, gconstpointer data)
{
  SalCaseHistory *history = SAL_CASE_HISTORY (sal_ui_test_find_nth (GTK_WIDGET (f->page),
                                                                    SAL_TYPE_CASE_HISTORY, 0));
  SalNoteEditor *notes = SAL_NOTE_EDITOR (sal_ui_test_find_nth (GTK_WIDGET (f->page),
                                                                SAL_TYPE_NOTE_EDITOR, 0));
  g_autoptr(GError) error = NULL;
  g_autoptr(SalExplanationRecord) e = NULL;
  GtkTextBuffer *buffer;
  GtkStack *note_stack;
  gint64 id = sal_clinic_page_get_case (f->page);
  gint64 first;

  g_assert_cmpint (id, !=, 0);
  sal_clinic_page_show_case (f->page, id, "history");
  g_assert_cmpuint (sal_case_history_get_n_results (history), ==, 0);
  g_assert_nonnull (sal_ui_test_find_label (GTK_WIDGET (f->page), "No Results Yet"));

  /* analyse the case's note in the Notes tab: the History lists it at once */
  sal_clinic_page_show_case (f->page, id, "notes");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (notes), "note.analyse", NULL));
  g_assert_true (sal_ui_test_wait_until (history_has_cb, history, 60000));
  wait_page (f);
  g_assert_cmpuint (sal_case_history_get_n_results (history), ==, 1);
  first = sal_case_history_get_result_id (history, 0);
  e = sal_store_get_explanation (f->store, first, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (e->method, ==, "integrated-gradients");
  g_assert_cmpint (e->object_kind, ==, SAL_OBJECT_NOTE);

  /* back to writing, then reopen from the History: the Notes tab shows the analysis */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (notes), "note.edit", NULL));
  note_stack = NULL;
  for (guint i = 0; note_stack == NULL; i++)
    {
      GtkWidget *w = sal_ui_test_find_nth (GTK_WIDGET (notes), GTK_TYPE_STACK, i);
      g_assert_nonnull (w);
      if (gtk_stack_get_child_by_name (GTK_STACK (w), "analysis") != NULL)
        note_stack = GTK_STACK (w);
    }
  g_assert_cmpstr (gtk_stack_get_visible_child_name (note_stack), !=, "analysis");
  sal_clinic_page_show_case (f->page, id, "history");
  {
    /* the row states the provenance */
    g_autofree char *model = g_strdup_printf ("Model note-triage (%.12s)", e->model_sha256);
    GtkWidget *row = sal_ui_test_find_nth (GTK_WIDGET (history), ADW_TYPE_ACTION_ROW, 0);
    const char *subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (row));

    g_assert_nonnull (strstr (subtitle, model));
    g_assert_nonnull (strstr (subtitle, e->target));
    g_assert_nonnull (strstr (subtitle, "seed"));
    g_assert_nonnull (strstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)),
                              "Integrated Gradients"));
  }
  sal_case_history_activate (history, 0);
  sal_ui_test_wait_idle (200);
  g_assert_cmpstr (visible_tab (f), ==, "notes");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (note_stack), ==, "analysis");
  buffer = gtk_text_view_get_buffer (sal_note_editor_get_analysis_view (notes));
  g_assert_cmpint (gtk_text_tag_table_get_size (gtk_text_buffer_get_tag_table (buffer)), >, 0);
}

/* ---- images ---- */

static guint
n_image_results (Fixture *f, gint64 image_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = sal_store_list_explanations (f->store, SAL_OBJECT_IMAGE, image_id,
                                                           &error);
  g_assert_no_error (error);
  return list->len;
}

/* Saturated pixels (an overlay colour, not the grey slice) in a rendering. */
static guint
count_coloured (GdkTexture *tex)
{
  g_autofree guint32 *px = sal_ui_test_download (tex);
  gsize n = (gsize) gdk_texture_get_width (tex) * gdk_texture_get_height (tex);
  guint count = 0;

  for (gsize i = 0; i < n; i++)
    {
      int r = (px[i] >> 16) & 0xff, g = (px[i] >> 8) & 0xff, b = px[i] & 0xff;
      if (MAX (r, MAX (g, b)) - MIN (r, MIN (g, b)) > 80)
        count++;
    }
  return count;
}

static gboolean
queue_idle_cb (gpointer queue)
{
  return sal_job_queue_get_n_active (queue) == 0;
}

static void
test_image_explain_history (Fixture *f, gconstpointer data)
{
  g_autofree char *png = write_phantom_png (f->dir, "lesion-slice.png", SAL_PHANTOM_WITH_LESION);
  g_autoptr(GFile) file = g_file_new_for_path (png);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(SalExplanationRecord) e = NULL;
  g_autoptr(GdkTexture) tex = NULL;
  g_autofree char *shot = NULL;
  SalCaseHistory *history = SAL_CASE_HISTORY (sal_ui_test_find_nth (GTK_WIDGET (f->page),
                                                                    SAL_TYPE_CASE_HISTORY, 0));
  GtkWidget *panel = sal_ui_test_find_nth (GTK_WIDGET (f->page), SAL_TYPE_CASE_IMAGES, 0);
  GtkWidget *view;
  gint64 case_id, image_id;

  /* wide enough for the Images panel with its side bar (the PNGs go in the README) */
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1480, 860);
  /* a PNG opened as a new case: the Images tab shows it */
  sal_clinic_page_open_files (f->page, &file, 1, TRUE);
  wait_page (f);
  case_id = sal_clinic_page_get_case (f->page);
  images = sal_store_list_images (f->store, case_id, &error);
  g_assert_cmpuint (images->len, ==, 1);
  image_id = ((SalStoredImage *) images->pdata[0])->id;
  g_assert_cmpstr (visible_tab (f), ==, "images");
  sal_ui_test_wait_idle (300);

  /* Explain (Ctrl+E), cancelled at once: nothing stored, and the window goes on */
  g_assert_true (gtk_widget_activate_action (panel, "images.explain", NULL));
  g_assert_true (gtk_widget_activate_action (panel, "images.cancel", NULL));
  g_assert_true (sal_ui_test_wait_until (queue_idle_cb, sal_application_get_job_queue (f->app),
                                         30000));
  sal_ui_test_wait_idle (200);
  g_assert_cmpuint (n_image_results (f, image_id), ==, 0);
  g_assert_cmpuint (sal_case_history_get_n_results (history), ==, 0);

  /* Explain to the end: the History lists it with its provenance */
  g_assert_true (gtk_widget_activate_action (panel, "images.explain", NULL));
  g_assert_true (sal_ui_test_wait_until (history_has_cb, history, 60000));
  sal_ui_test_wait_idle (300);
  g_assert_cmpuint (n_image_results (f, image_id), ==, 1);
  e = sal_store_get_explanation (f->store, sal_case_history_get_result_id (history, 0), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (e->method, ==, "integrated-gradients");
  g_assert_cmpint (e->object_id, ==, image_id);
  g_assert_nonnull (e->baseline);

  /* reopened from the History: the Images tab, with the overlay drawn */
  sal_clinic_page_show_case (f->page, case_id, "history");
  shot = save_png (f, "clinic-history.png");
  sal_case_history_activate (history, 0);
  sal_ui_test_wait_idle (500);
  g_assert_cmpstr (visible_tab (f), ==, "images");
  view = sal_ui_test_find_nth (panel, SAL_TYPE_IMAGE_VIEW, 0);
  g_assert_nonnull (view);
  tex = sal_ui_test_render (view, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_coloured (tex), >, 200);
  g_clear_pointer (&shot, g_free);
  shot = save_png (f, "clinic-overview.png");
}

/* ---- report ---- */

static char *
run_tool (const char *tool, const char *arg1, const char *arg2, const char *arg3)
{
  const char *argv[] = { tool, arg1, arg2, arg3, NULL };
  char *out = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, &out, NULL, &status, NULL))
    return NULL;
  if (!g_spawn_check_wait_status (status, NULL))
    g_clear_pointer (&out, g_free);
  return out;
}

static void
test_report_export (Fixture *f, gconstpointer data)
{
  g_autofree char *pdf = g_build_filename (f->dir, "report.pdf", NULL);
  g_autofree char *bad = g_build_filename (f->dir, "no-such-folder", "report.pdf", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (pdf);
  g_autoptr(GFile) bad_file = g_file_new_for_path (bad);
  g_autofree char *contents = NULL;
  g_autofree char *text = NULL;
  g_autofree char *dir_listing = NULL;
  gsize len = 0;

  /* the Ctrl+Shift+E binding is the page's */
  {
    g_autofree char *keys = sal_ui_test_class_shortcuts_for (GTK_WIDGET (f->page),
                                                             "clinic.export", NULL);
    g_assert_cmpstr (keys, ==, "<Shift><Control>e");
  }

  sal_clinic_page_export_report (f->page, file);
  g_assert_true (sal_clinic_page_is_busy (f->page));
  wait_page (f);
  g_assert_cmpstr (sal_clinic_page_get_last_toast (f->page), ==, "Report saved as report.pdf");
  g_assert_true (g_file_get_contents (pdf, &contents, &len, NULL));
  g_assert_true (len > 1000 && memcmp (contents, "%PDF-", 5) == 0);
  text = run_tool ("pdftotext", pdf, "-", NULL);
  if (text != NULL)
    g_assert_nonnull (strstr (text, "not for diagnosis"));

  /* a folder that does not exist: a message, and no file anywhere */
  sal_clinic_page_export_report (f->page, bad_file);
  wait_page (f);
  g_assert_true (g_str_has_prefix (sal_clinic_page_get_last_toast (f->page),
                                   "The report was not saved: "));
  g_assert_false (g_file_test (bad, G_FILE_TEST_EXISTS));
}

int
main (int argc, char **argv)
{
  g_autofree char *home = NULL;
  int status;

  /* The window's page opens the default database before a test gives it its own:
   * keep that one out of the user's home. */
  home = g_dir_make_tmp ("salient-clinic-ui-XXXXXX", NULL);
  g_setenv ("XDG_DATA_HOME", home, TRUE);
  if (!sal_ui_test_init (&argc, &argv))
    {
      g_test_skip ("no display: run under xvfb-run");
      return g_test_run ();
    }
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/ui/clinic/demo-seeded-once", test_demo_seeded_once);
  g_test_add ("/ui/clinic/demo-not-next-to-own-cases", Fixture, GINT_TO_POINTER (1),
              fixture_set_up, test_demo_not_next_to_own_cases, fixture_tear_down);
  ADD ("/ui/clinic/case-crud-undo", test_case_crud_undo);
  ADD ("/ui/clinic/search", test_search);
  ADD ("/ui/clinic/open-files", test_open_files);
  ADD ("/ui/clinic/history-reopen", test_history_reopen);
  g_test_add ("/ui/clinic/image-explain-history", Fixture, GINT_TO_POINTER (2),
              fixture_set_up, test_image_explain_history, fixture_tear_down);
  ADD ("/ui/clinic/report-export", test_report_export);
#undef ADD
  status = g_test_run ();
  g_clear_object (&shared_app);
  sal_test_rm_rf (home);
  return status;
}
