/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Clinic's notes: files in other encodings converted, binary files refused,
 * Analyse highlighting the planted evidence, De-identify previewed then applied and
 * undone. */

#include "config.h"

#include <string.h>

#include "sal-note-editor.h"
#include "sal-notegen.h"
#include "sal-store.h"
#include "sal-test-util.h"
#include "sal-ui-test.h"

typedef struct {
  char          *dir;
  SalStore      *store;
  SalJobQueue   *jobs;
  gint64         case_id;
  GtkWindow     *window;
  SalNoteEditor *editor;
  guint          n_stored;
} Fixture;

static void
on_result_stored (SalNoteEditor *editor, Fixture *f)
{
  f->n_stored++;
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autofree char *db = NULL;
  g_autofree char *models = g_build_filename (g_getenv ("SALIENT_SOURCE_DIR"), "data", "models",
                                              NULL);
  g_autoptr(GError) error = NULL;
  GtkWidget *overlay;

  f->dir = sal_test_tmpdir ();
  db = g_build_filename (f->dir, "salient.db", NULL);
  f->store = sal_store_open (db, &error);
  g_assert_no_error (error);
  g_assert_true (sal_store_register_models_in_dir (f->store, models, NULL, &error));
  f->case_id = sal_store_add_case (f->store, NULL, "Notes", FALSE, &error);
  g_assert_no_error (error);
  f->jobs = sal_job_queue_new (1);

  f->window = GTK_WINDOW (adw_window_new ());
  gtk_window_set_default_size (f->window, 1000, 700);
  overlay = adw_toast_overlay_new ();
  f->editor = SAL_NOTE_EDITOR (sal_note_editor_new ());
  adw_toast_overlay_set_child (ADW_TOAST_OVERLAY (overlay), GTK_WIDGET (f->editor));
  adw_window_set_content (ADW_WINDOW (f->window), overlay);
  g_signal_connect (f->editor, "result-stored", G_CALLBACK (on_result_stored), f);
  sal_ui_test_present (f->window);
  sal_note_editor_set_case (f->editor, f->store, f->jobs, f->case_id);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_object_add_weak_pointer (G_OBJECT (f->editor), (gpointer *) &f->editor);
  gtk_window_destroy (f->window);
  sal_ui_test_wait_idle (100);
  g_assert_null (f->editor);
  g_clear_object (&f->jobs);
  g_clear_pointer (&f->store, sal_store_unref);
  sal_test_rm_rf (f->dir);
  g_free (f->dir);
}

static gboolean
has_message_cb (gpointer data)
{
  return sal_note_editor_get_last_message (SAL_NOTE_EDITOR (data)) != NULL;
}

static guint
n_notes (Fixture *f)
{
  g_autoptr(GPtrArray) notes = sal_store_list_notes (f->store, f->case_id, NULL);

  return notes->len;
}

static void
open_bytes (Fixture *f, const char *name, const char *bytes, gssize len)
{
  g_autofree char *path = g_build_filename (f->dir, name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);

  g_assert_true (g_file_set_contents (path, bytes, len, NULL));
  sal_note_editor_open_file (f->editor, file);
  g_assert_true (sal_ui_test_wait_until (has_message_cb, f->editor, 5000));
}

static char *
editor_text (Fixture *f)
{
  GtkTextView *view = GTK_TEXT_VIEW (sal_ui_test_find_nth (GTK_WIDGET (f->editor),
                                                           GTK_TYPE_TEXT_VIEW, 0));
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter a, b;

  gtk_text_buffer_get_bounds (buffer, &a, &b);
  return gtk_text_buffer_get_text (buffer, &a, &b, FALSE);
}

static void
test_latin1 (Fixture *f, gconstpointer data)
{
  /* "Café owner, naïve to statins; 37 °C" in ISO-8859-1 */
  static const char latin1[] = "Caf\xe9 owner, na\xefve to statins; 37 \xb0" "C\r\n";
  g_autoptr(GPtrArray) notes = NULL;
  g_autofree char *text = NULL;

  open_bytes (f, "clinic-latin1.txt", latin1, sizeof latin1 - 1);
  notes = sal_store_list_notes (f->store, f->case_id, NULL);
  g_assert_cmpuint (notes->len, ==, 1);
  g_assert_cmpstr (((SalNote *) notes->pdata[0])->text, ==,
                   "Café owner, naïve to statins; 37 °C\n");
  g_assert_cmpstr (((SalNote *) notes->pdata[0])->title, ==, "clinic-latin1");
  /* the person is told the file was converted, and from what */
  g_assert_nonnull (strstr (sal_note_editor_get_last_message (f->editor), "clinic-latin1.txt"));
  g_assert_nonnull (strstr (sal_note_editor_get_last_message (f->editor), "Converted"));
  text = editor_text (f);
  g_assert_cmpstr (text, ==, "Café owner, naïve to statins; 37 °C\n");
}

static void
test_utf16 (Fixture *f, gconstpointer data)
{
  /* "Naïve" as UTF-16LE with its byte-order mark */
  static const char utf16[] = "\xff\xfeN\0a\0\xef\0v\0e\0";
  g_autoptr(GPtrArray) notes = NULL;

  open_bytes (f, "utf16.txt", utf16, sizeof utf16 - 1);
  notes = sal_store_list_notes (f->store, f->case_id, NULL);
  g_assert_cmpuint (notes->len, ==, 1);
  g_assert_cmpstr (((SalNote *) notes->pdata[0])->text, ==, "Naïve");
}

static void
test_binary (Fixture *f, gconstpointer data)
{
  static const char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01";
  const char *msg;

  open_bytes (f, "scan.dat", png, sizeof png - 1);
  g_assert_cmpuint (n_notes (f), ==, 0);
  msg = sal_note_editor_get_last_message (f->editor);
  g_assert_nonnull (strstr (msg, "scan.dat"));
  g_assert_nonnull (strstr (msg, "not a text file"));
}

static gboolean
idle_cb (gpointer data)
{
  return !sal_note_editor_is_busy (SAL_NOTE_EDITOR (data));
}

/* Whether a tag named prefix-* covers the character at byte offset pos of text. */
static gboolean
tagged_at (GtkTextBuffer *buffer, const char *text, gsize pos, const char *prefix)
{
  GtkTextIter it;
  g_autoptr(GSList) tags = NULL;

  gtk_text_buffer_get_iter_at_offset (buffer, &it, (int) g_utf8_pointer_to_offset (text,
                                                                                  text + pos));
  tags = gtk_text_iter_get_tags (&it);
  for (GSList *l = tags; l != NULL; l = l->next)
    {
      g_autofree char *name = NULL;

      g_object_get (l->data, "name", &name, NULL);
      if (name != NULL && g_str_has_prefix (name, prefix))
        return TRUE;
    }
  return FALSE;
}

static void
test_analyse (Fixture *f, gconstpointer data)
{
  g_autoptr(SalGeneratedNote) note = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) shot = NULL;
  g_autofree char *png = sal_ui_test_build_path ("clinic-note.png");
  GtkTextBuffer *buffer;
  const SalEvidenceSpan *span = NULL;
  guint seed;
  gsize inside = 0, tagged_inside = 0, outside = 0, tagged_outside = 0;

  /* a note with an emergency finding that is not negated */
  for (seed = 1; span == NULL; seed++)
    {
      g_clear_pointer (&note, sal_generated_note_free);
      note = sal_note_generate (seed, SAL_NOTE_TEMPLATES_TRAIN);
      for (guint i = 0; i < note->spans->len && note->label == SAL_TRIAGE_EMERGENCY; i++)
        {
          const SalEvidenceSpan *s = &g_array_index (note->spans, SalEvidenceSpan, i);
          if (!s->negated && s->level == SAL_TRIAGE_EMERGENCY)
            span = s;
        }
    }
  g_test_message ("seed %u: %.*s", seed - 1, span->end - span->start, note->text + span->start);
  g_assert_true (sal_note_editor_add_note (f->editor, "Triage", note->text, &error));
  g_assert_no_error (error);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->editor), "note.analyse", NULL));
  g_assert_true (sal_note_editor_is_busy (f->editor));
  g_assert_true (sal_ui_test_wait_until (idle_cb, f->editor, 20000));
  g_assert_cmpuint (f->n_stored, ==, 1);

  buffer = gtk_text_view_get_buffer (sal_note_editor_get_analysis_view (f->editor));
  /* the planted phrase is highlighted towards the predicted class, more densely than
   * the rest of the note */
  for (gsize p = 0; note->text[p] != '\0'; p = g_utf8_next_char (note->text + p) - note->text)
    {
      gboolean in = p >= (gsize) span->start && p < (gsize) span->end;
      gboolean t = tagged_at (buffer, note->text, p, "towards-");

      if (g_ascii_isspace (note->text[p]))
        continue;
      inside += in;
      tagged_inside += in && t;
      outside += !in;
      tagged_outside += !in && t;
    }
  g_test_message ("towards: %zu/%zu inside, %zu/%zu outside", tagged_inside, inside,
                  tagged_outside, outside);
  g_assert_cmpuint (tagged_inside, >, 0);
  g_assert_cmpfloat ((double) tagged_inside / inside, >, 2.0 * tagged_outside / MAX (outside, 1));

  sal_ui_test_wait_idle (300);
  shot = sal_ui_test_save_png (GTK_WIDGET (f->window), png, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sal_ui_test_count_colours (shot, 0, 0, gdk_texture_get_width (shot),
                                               gdk_texture_get_height (shot)), >, 50);
}

static void
test_deidentify (Fixture *f, gconstpointer data)
{
  static const char original[] =
    "Seen by Dr. Margaret Whitfield on 14/03/2024. Call 0161 496 0821 to book a review.\n";
  g_autoptr(GError) error = NULL;
  g_autofree char *preview_text = NULL;
  g_autofree char *after = NULL;
  g_autofree char *undone = NULL;
  g_autoptr(SalNote) stored = NULL;
  GtkWindow *dialog;
  GtkWidget *list;
  GtkTextView *view;
  guint n_rows = 0;

  g_assert_true (sal_note_editor_add_note (f->editor, "Letter", original, &error));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->editor), "note.deidentify", NULL));
  sal_ui_test_wait_idle (200);

  /* the preview lists each change and leaves the note alone until confirmed */
  dialog = sal_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (dialog);
  list = sal_ui_test_find_nth (GTK_WIDGET (dialog), GTK_TYPE_LIST_BOX, 0);
  g_assert_nonnull (list);
  for (GtkWidget *c = gtk_widget_get_first_child (list); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    {
      const char *title = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (c));

      n_rows++;
      char *next = g_strconcat (preview_text != NULL ? preview_text : "", title, "\n", NULL);

      g_free (preview_text);
      preview_text = next;
    }
  g_test_message ("%s", preview_text);
  g_assert_cmpuint (n_rows, >=, 2);
  g_assert_nonnull (strstr (preview_text, "Whitfield"));
  g_assert_nonnull (strstr (preview_text, "14/03/2024"));
  after = editor_text (f);
  g_assert_cmpstr (after, ==, original);
  g_clear_pointer (&after, g_free);

  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "apply");
  sal_ui_test_wait_idle (200);
  after = editor_text (f);
  g_assert_null (strstr (after, "Whitfield"));
  g_assert_null (strstr (after, "14/03/2024"));
  g_assert_null (strstr (after, "0161 496 0821"));
  g_assert_nonnull (strstr (after, "to book a review."));
  g_assert_true (sal_note_editor_save (f->editor, &error));
  stored = sal_store_get_note (f->store, sal_note_editor_get_note_id (f->editor), &error);
  g_assert_cmpstr (stored->text, ==, after);

  /* one step of undo brings the whole original back */
  view = GTK_TEXT_VIEW (sal_ui_test_find_nth (GTK_WIDGET (f->editor), GTK_TYPE_TEXT_VIEW, 0));
  gtk_text_buffer_undo (gtk_text_view_get_buffer (view));
  undone = editor_text (f);
  g_assert_cmpstr (undone, ==, original);
}

/* The first widget under root bound to this action. */
static GtkWidget *
find_actionable (GtkWidget *root, const char *action)
{
  if (GTK_IS_ACTIONABLE (root)
      && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (root)), action) == 0)
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_actionable (c, action);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Kiosk mode: read-only. Pending edits are written first; after that nothing is
 * written, added, de-identified or opened, and the file, paste, delete, de-identify and
 * edit buttons are gone until kiosk mode ends. */
static void
test_kiosk (Fixture *f, gconstpointer data)
{
  static const char original[] = "Seen by Dr. Margaret Whitfield on 14/03/2024.\n";
  static const char * const actions[] = { "note.new", "note.open", "note.paste", "note.delete",
                                          "note.deidentify", "note.edit" };
  g_autoptr(GError) error = NULL;
  g_autoptr(SalNote) stored = NULL;
  GtkWidget *toolbar;
  GtkTextView *view;
  GtkTextBuffer *buffer;
  GtkTextIter end;
  gint64 id;
  guint visible_before = 0, visible_kiosk = 0, visible_after = 0;

  g_assert_true (sal_note_editor_add_note (f->editor, "Letter", original, &error));
  id = sal_note_editor_get_note_id (f->editor);
  toolbar = gtk_widget_get_parent (find_actionable (GTK_WIDGET (f->editor), "note.analyse"));
  view = GTK_TEXT_VIEW (sal_ui_test_find_nth (GTK_WIDGET (f->editor), GTK_TYPE_TEXT_VIEW, 0));
  buffer = gtk_text_view_get_buffer (view);
  for (GtkWidget *b = gtk_widget_get_first_child (toolbar); b != NULL;
       b = gtk_widget_get_next_sibling (b))
    visible_before += GTK_IS_BUTTON (b) && gtk_widget_get_visible (b);

  /* An edit pending when kiosk mode starts is written, as autosave would have. */
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_insert (buffer, &end, "Before.\n", -1);
  g_object_set (f->editor, "kiosk", TRUE, NULL);
  stored = sal_store_get_note (f->store, id, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_suffix (stored->text, "Before.\n"));
  g_clear_pointer (&stored, sal_note_free);
  g_assert_false (gtk_text_view_get_editable (view));

  /* In kiosk mode: changes never reach the store. */
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_insert (buffer, &end, "In the kiosk.\n", -1);
  g_assert_true (sal_note_editor_save (f->editor, &error));
  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    gtk_widget_activate_action (GTK_WIDGET (f->editor), actions[i], NULL);
  sal_ui_test_wait_idle (1200);   /* past the autosave delay */
  g_assert_null (sal_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_null (sal_ui_test_find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG));
  g_assert_false (sal_note_editor_add_note (f->editor, NULL, "More", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_cmpuint (n_notes (f), ==, 1);
  stored = sal_store_get_note (f->store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stored->text, ==, "Seen by Dr. Margaret Whitfield on 14/03/2024.\nBefore.\n");
  g_clear_pointer (&stored, sal_note_free);
  for (GtkWidget *b = gtk_widget_get_first_child (toolbar); b != NULL;
       b = gtk_widget_get_next_sibling (b))
    visible_kiosk += GTK_IS_BUTTON (b) && gtk_widget_get_visible (b);
  g_test_message ("toolbar buttons shown: %u, in kiosk mode %u", visible_before, visible_kiosk);
  g_assert_cmpuint (visible_kiosk, ==, 1);   /* Analyse */

  g_object_set (f->editor, "kiosk", FALSE, NULL);
  g_assert_true (gtk_text_view_get_editable (view));
  for (GtkWidget *b = gtk_widget_get_first_child (toolbar); b != NULL;
       b = gtk_widget_get_next_sibling (b))
    visible_after += GTK_IS_BUTTON (b) && gtk_widget_get_visible (b);
  g_assert_cmpuint (visible_after, ==, visible_before);
  g_assert_true (sal_note_editor_add_note (f->editor, NULL, "More", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_notes (f), ==, 2);
}

int
main (int argc, char **argv)
{
  if (!sal_ui_test_init (&argc, &argv))
    {
      g_test_skip ("no display: run under xvfb-run");
      return g_test_run ();
    }
  adw_init ();
  g_test_add ("/ui/note-editor/latin1", Fixture, NULL, fixture_setup, test_latin1,
              fixture_teardown);
  g_test_add ("/ui/note-editor/utf16", Fixture, NULL, fixture_setup, test_utf16,
              fixture_teardown);
  g_test_add ("/ui/note-editor/binary", Fixture, NULL, fixture_setup, test_binary,
              fixture_teardown);
  g_test_add ("/ui/note-editor/analyse", Fixture, NULL, fixture_setup, test_analyse,
              fixture_teardown);
  g_test_add ("/ui/note-editor/deidentify", Fixture, NULL, fixture_setup, test_deidentify,
              fixture_teardown);
  g_test_add ("/ui/note-editor/kiosk", Fixture, NULL, fixture_setup, test_kiosk,
              fixture_teardown);
  return g_test_run ();
}
