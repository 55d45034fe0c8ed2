/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-ui"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "sal-note-editor.h"

#include "sal-deid.h"
#include "sal-overlay.h"

#define AUTOSAVE_MS 800

/* The Notes tab of a case: choose a note, write it (autosaved, Ctrl+Z undoes), load one
 * from a text file, analyse it with the note model (probabilities, words highlighted by
 * attribution with a legend) and de-identify it after a preview. In kiosk mode only
 * reading and Analyse remain. */
struct _SalNoteEditor
{
  AdwBin          parent_instance;

  GtkDropDown    *chooser;
  GtkWidget      *new_button;
  GtkWidget      *open_button;
  GtkWidget      *paste_button;
  GtkWidget      *delete_button;
  GtkWidget      *deid_button;
  GtkWidget      *edit_button;
  AdwStatusPage  *empty_page;
  GtkEventController *drop;
  GtkLabel       *status;
  GtkProgressBar *progress;
  GtkStack       *stack;
  GtkTextView    *editor;
  GtkTextView    *analysis_view;
  GtkBox         *probabilities;
  GtkDrawingArea *legend;
  GtkLabel       *legend_low;
  GtkLabel       *legend_high;
  GtkLabel       *caption;

  SalStore       *store;
  SalJobQueue    *jobs;
  gint64          case_id;
  GPtrArray      *notes;        /* of SalNote, as listed */
  GtkStringList  *titles;
  gint64          note_id;      /* shown in the editor; 0 none */
  guint           save_id;
  gboolean        loading;
  gboolean        dirty;
  GCancellable   *cancellable;
  gboolean        busy;
  gboolean        kiosk;        /* read-only: nothing is written, no files, no clipboard */
  SalClinicResult *result;      /* the analysis shown, or NULL */
  char           *last_message;
};

G_DEFINE_FINAL_TYPE (SalNoteEditor, sal_note_editor, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_KIOSK,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
toast (SalNoteEditor *self, const char *text)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  g_free (self->last_message);
  self->last_message = g_strdup (text);
  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (text));
  else
    g_message ("%s", text);
}

/* The one place that decides which note actions are enabled. */
static void
update_actions (SalNoteEditor *self)
{
  gboolean has_case = self->store != NULL && self->case_id != 0;
  gboolean has_note = has_case && self->note_id != 0;
  gboolean analysing = g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "analysis") == 0;
  /* Everything that writes, opens a file or reads the clipboard: not on a kiosk. */
  gboolean writable = !self->kiosk;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "note.new", writable && has_case);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "note.open", writable && has_case);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "note.paste", writable && has_case);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "note.delete",
                                 writable && has_note && !self->busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "note.analyse", has_note && !self->busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "note.cancel", self->busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "note.deidentify",
                                 writable && has_note && !self->busy && !analysing);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "note.edit",
                                 writable && has_note && analysing);
}

static const SalNote *
find_note (SalNoteEditor *self, gint64 id, guint *index)
{
  for (guint i = 0; self->notes != NULL && i < self->notes->len; i++)
    {
      const SalNote *n = self->notes->pdata[i];

      if (n->id == id)
        {
          if (index != NULL)
            *index = i;
          return n;
        }
    }
  return NULL;
}

static char *
buffer_text (GtkTextView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

/* A title from the first line, for notes that have none. */
static char *
title_from_text (const char *text)
{
  g_autofree char *line = NULL;
  const char *nl = strchr (text, '\n');
  glong n;

  line = g_strstrip (g_strndup (text, nl != NULL ? (gsize) (nl - text) : strlen (text)));
  n = g_utf8_strlen (line, -1);
  if (n == 0)
    return g_strdup (_("Untitled note"));
  if (n > 48)
    {
      g_autofree char *cut = g_utf8_substring (line, 0, 47);
      return g_strconcat (cut, "…", NULL);
    }
  return g_steal_pointer (&line);
}

gboolean
sal_note_editor_save (SalNoteEditor *self, GError **error)
{
  g_autofree char *text = NULL;
  const SalNote *n;

  g_return_val_if_fail (SAL_IS_NOTE_EDITOR (self), FALSE);
  g_clear_handle_id (&self->save_id, g_source_remove);
  if (!self->dirty || self->store == NULL || self->note_id == 0 || self->kiosk)
    return TRUE;
  text = buffer_text (self->editor);
  n = find_note (self, self->note_id, NULL);
  if (!sal_store_update_note (self->store, self->note_id, n != NULL ? n->title : NULL, text, error))
    return FALSE;
  if (n != NULL)
    {
      g_free (((SalNote *) n)->text);
      ((SalNote *) n)->text = g_steal_pointer (&text);
    }
  self->dirty = FALSE;
  gtk_label_set_text (self->status, _("Saved"));
  return TRUE;
}

static gboolean
autosave_cb (gpointer data)
{
  SalNoteEditor *self = data;
  g_autoptr(GError) error = NULL;

  self->save_id = 0;
  if (!sal_note_editor_save (self, &error))
    toast (self, error->message);
  return G_SOURCE_REMOVE;
}

static void
on_buffer_changed (SalNoteEditor *self)
{
  if (self->loading || self->note_id == 0 || self->kiosk)
    return;
  self->dirty = TRUE;
  gtk_label_set_text (self->status, _("Editing…"));
  g_clear_handle_id (&self->save_id, g_source_remove);
  self->save_id = g_timeout_add (AUTOSAVE_MS, autosave_cb, self);
}

static void
show_note (SalNoteEditor *self, gint64 id)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->editor);
  const SalNote *n = find_note (self, id, NULL);

  self->note_id = n != NULL ? n->id : 0;
  /* Loading a note is not an edit: it cannot be undone, and is not saved back. */
  self->loading = TRUE;
  gtk_text_buffer_begin_irreversible_action (buffer);
  gtk_text_buffer_set_text (buffer, n != NULL ? n->text : "", -1);
  gtk_text_buffer_end_irreversible_action (buffer);
  self->loading = FALSE;
  self->dirty = FALSE;
  gtk_label_set_text (self->status, "");
  gtk_stack_set_visible_child_name (self->stack, n != NULL ? "edit" : "empty");
  update_actions (self);
}

static void
update_chooser (SalNoteEditor *self)
{
  /* A kiosk shows one note: the chooser only when there is a choice. */
  gtk_widget_set_visible (GTK_WIDGET (self->chooser),
                          self->notes != NULL && self->notes->len > (self->kiosk ? 1u : 0u));
}

static void
reload (SalNoteEditor *self, gint64 select)
{
  g_autoptr(GError) error = NULL;
  guint index = 0;

  g_clear_pointer (&self->notes, g_ptr_array_unref);
  if (self->store != NULL && self->case_id != 0)
    {
      self->notes = sal_store_list_notes (self->store, self->case_id, &error);
      if (self->notes == NULL)
        toast (self, error->message);
    }
  self->loading = TRUE;
  gtk_string_list_splice (self->titles, 0, g_list_model_get_n_items (G_LIST_MODEL (self->titles)),
                          NULL);
  for (guint i = 0; self->notes != NULL && i < self->notes->len; i++)
    {
      const SalNote *n = self->notes->pdata[i];
      g_autofree char *t = n->title != NULL && n->title[0] != '\0' ? g_strdup (n->title)
                                                                  : title_from_text (n->text);
      gtk_string_list_append (self->titles, t);
    }
  if (select == 0 && self->notes != NULL && self->notes->len > 0)
    select = ((SalNote *) self->notes->pdata[0])->id;
  if (find_note (self, select, &index) != NULL)
    gtk_drop_down_set_selected (self->chooser, index);
  self->loading = FALSE;
  update_chooser (self);
  show_note (self, select);
}

static void
on_chooser_selected (SalNoteEditor *self)
{
  guint i = gtk_drop_down_get_selected (self->chooser);
  g_autoptr(GError) error = NULL;

  if (self->loading || self->notes == NULL || i >= self->notes->len)
    return;
  if (((SalNote *) self->notes->pdata[i])->id == self->note_id)
    return;
  if (!sal_note_editor_save (self, &error))
    toast (self, error->message);
  show_note (self, ((SalNote *) self->notes->pdata[i])->id);
}

void
sal_note_editor_set_case (SalNoteEditor *self, SalStore *store, SalJobQueue *jobs, gint64 case_id)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (SAL_IS_NOTE_EDITOR (self));
  if (!sal_note_editor_save (self, &error))
    toast (self, error->message);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  if (store != self->store)
    {
      g_clear_pointer (&self->store, sal_store_unref);
      self->store = store != NULL ? sal_store_ref (store) : NULL;
    }
  g_set_object (&self->jobs, jobs);
  g_clear_pointer (&self->result, sal_clinic_result_free);
  self->case_id = store != NULL ? case_id : 0;
  reload (self, 0);
}

gboolean
sal_note_editor_add_note (SalNoteEditor *self, const char *title, const char *text, GError **error)
{
  g_autofree char *t = NULL;
  gint64 id;

  g_return_val_if_fail (SAL_IS_NOTE_EDITOR (self), FALSE);
  if (self->kiosk)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   _("Notes cannot be added on this demo screen"));
      return FALSE;
    }
  if (self->store == NULL || self->case_id == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Open a case first"));
      return FALSE;
    }
  if (!sal_note_editor_save (self, error))
    return FALSE;
  t = title != NULL ? g_strdup (title) : title_from_text (text);
  id = sal_store_add_note (self->store, self->case_id, t, text, error);
  if (id == 0)
    return FALSE;
  reload (self, id);
  return TRUE;
}

gint64
sal_note_editor_get_note_id (SalNoteEditor *self)
{
  g_return_val_if_fail (SAL_IS_NOTE_EDITOR (self), 0);
  return self->note_id;
}

GtkTextView *
sal_note_editor_get_analysis_view (SalNoteEditor *self)
{
  return self->analysis_view;
}

const SalClinicResult *
sal_note_editor_get_result (SalNoteEditor *self)
{
  g_return_val_if_fail (SAL_IS_NOTE_EDITOR (self), NULL);
  return self->result;
}

gboolean
sal_note_editor_is_busy (SalNoteEditor *self)
{
  return self->busy;
}

const char *
sal_note_editor_get_last_message (SalNoteEditor *self)
{
  g_return_val_if_fail (SAL_IS_NOTE_EDITOR (self), NULL);
  return self->last_message;
}

/* ---- files, drops and pastes ---------------------------------------------------------- */

static void
on_file_loaded (GObject *source, GAsyncResult *res, gpointer data)
{
  g_autoptr(SalNoteEditor) self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_file_load_bytes_finish (G_FILE (source), res, NULL, &error);
  g_autofree char *name = g_file_get_basename (G_FILE (source));
  g_autofree char *text = NULL;
  g_autofree char *title = NULL;
  const char *encoding = NULL;

  if (bytes != NULL)
    text = sal_note_text_from_bytes (bytes, name, &encoding, &error);
  if (text == NULL)
    {
      toast (self, error->message);
      return;
    }
  title = g_strdup (name);
  if (g_str_has_suffix (title, ".txt"))
    title[strlen (title) - 4] = '\0';
  if (!sal_note_editor_add_note (self, title, text, &error))
    {
      toast (self, error->message);
      return;
    }
  if (g_strcmp0 (encoding, "UTF-8") != 0)
    {
      g_autofree char *msg = g_strdup_printf (_("Converted “%s” from %s"), name, encoding);
      toast (self, msg);
    }
}

void
sal_note_editor_open_file (SalNoteEditor *self, GFile *file)
{
  g_return_if_fail (SAL_IS_NOTE_EDITOR (self));
  if (self->kiosk)
    {
      toast (self, _("Notes cannot be added on this demo screen"));
      return;
    }
  g_file_load_bytes_async (file, NULL, on_file_loaded, g_object_ref (self));
}

static void
on_open_response (GtkNativeDialog *dialog, int response, gpointer data)
{
  SalNoteEditor *self = data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (file != NULL)
        sal_note_editor_open_file (self, file);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (self);
}

static void
open_action (GtkWidget *widget, const char *name, GVariant *param)
{
  SalNoteEditor *self = SAL_NOTE_EDITOR (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *dialog;
  g_autoptr(GtkFileFilter) text = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  dialog = gtk_file_chooser_native_new (_("Open a Note"),
                                        GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_file_filter_set_name (text, _("Text files"));
  gtk_file_filter_add_mime_type (text, "text/plain");
  gtk_file_filter_add_suffix (text, "txt");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), text);
  gtk_file_filter_set_name (all, _("All files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), all);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (on_open_response), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static gboolean
on_drop (GtkDropTarget *target, const GValue *value, double x, double y, SalNoteEditor *self)
{
  if (self->kiosk)
    return FALSE;
  if (G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    {
      GSList *files = g_value_get_boxed (value);
      gboolean any = FALSE;

      for (GSList *l = files; l != NULL; l = l->next)
        {
          g_autofree char *name = g_file_get_basename (l->data);

          /* images belong to the Images tab; the page takes them */
          if (name != NULL && g_str_has_suffix (g_ascii_strdown (name, -1), ".png"))
            continue;
          sal_note_editor_open_file (self, l->data);
          any = TRUE;
        }
      return any;
    }
  if (G_VALUE_HOLDS (value, G_TYPE_STRING))
    {
      g_autoptr(GError) error = NULL;
      const char *text = g_value_get_string (value);

      if (text == NULL || text[0] == '\0')
        return FALSE;
      if (!sal_note_editor_add_note (self, NULL, text, &error))
        {
          toast (self, error->message);
          return FALSE;
        }
      return TRUE;
    }
  return FALSE;
}

static void
on_paste_ready (GObject *source, GAsyncResult *res, gpointer data)
{
  g_autoptr(SalNoteEditor) self = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), res, &error);

  if (text == NULL || text[0] == '\0')
    {
      toast (self, _("The clipboard holds no text to paste as a note"));
      return;
    }
  if (!sal_note_editor_add_note (self, NULL, text, &error))
    toast (self, error->message);
}

static void
paste_action (GtkWidget *widget, const char *name, GVariant *param)
{
  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (widget), NULL, on_paste_ready,
                                 g_object_ref (widget));
}

static void
new_action (GtkWidget *widget, const char *name, GVariant *param)
{
  SalNoteEditor *self = SAL_NOTE_EDITOR (widget);
  g_autoptr(GError) error = NULL;

  if (!sal_note_editor_add_note (self, _("New note"), "", &error))
    toast (self, error->message);
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->editor));
}

static void
delete_action (GtkWidget *widget, const char *name, GVariant *param)
{
  SalNoteEditor *self = SAL_NOTE_EDITOR (widget);
  g_autoptr(GError) error = NULL;

  if (self->note_id == 0)
    return;
  g_clear_handle_id (&self->save_id, g_source_remove);
  self->dirty = FALSE;
  /* Notes are deleted at once (the case delete has the undo toast); the purge then
   * scrubs the note's words from the search index. */
  if (!sal_store_mark_deleted (self->store, SAL_OBJECT_NOTE, self->note_id, &error)
      || !sal_store_purge_deleted (self->store, G_MAXINT64, NULL, &error))
    {
      toast (self, error->message);
      return;
    }
  self->note_id = 0;
  reload (self, 0);
  toast (self, _("Note deleted"));
}

/* ---- analysis ------------------------------------------------------------------------ */

static void
legend_draw (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer data)
{
  for (int x = 0; x < width; x++)
    {
      guint8 rgb[3];

      sal_colormap_lookup (SAL_COLORMAP_DIVERGING, (double) x / MAX (width - 1, 1), rgb);
      cairo_set_source_rgb (cr, rgb[0] / 255.0, rgb[1] / 255.0, rgb[2] / 255.0);
      cairo_rectangle (cr, x, 0, 1, height);
      cairo_fill (cr);
    }
}

/* The note model's class names, as a person reads them. */
const char *
sal_note_editor_class_label (const char *id)
{
  static const char *known[][2] = {
    { "routine", N_("routine") },
    { "urgent", N_("urgent") },
    { "emergency", N_("emergency") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (known); i++)
    if (g_strcmp0 (id, known[i][0]) == 0)
      return _(known[i][1]);
  return id;
}

static void
show_probabilities (GtkBox *box, const SalClinicResult *r)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (box))) != NULL)
    gtk_box_remove (box, child);
  for (guint i = 0; i < r->n_classes; i++)
    {
      GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
      GtkWidget *label = gtk_label_new (sal_note_editor_class_label (r->labels->pdata[i]));
      GtkWidget *bar = gtk_level_bar_new_for_interval (0, 1);
      g_autofree char *pct = g_strdup_printf ("%.1f %%", 100 * r->probabilities[i]);
      GtkWidget *value = gtk_label_new (pct);

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_set_size_request (label, 110, -1);
      if ((int) i == r->target_index)
        gtk_widget_add_css_class (label, "heading");
      gtk_level_bar_set_value (GTK_LEVEL_BAR (bar), r->probabilities[i]);
      gtk_level_bar_remove_offset_value (GTK_LEVEL_BAR (bar), GTK_LEVEL_BAR_OFFSET_LOW);
      gtk_level_bar_remove_offset_value (GTK_LEVEL_BAR (bar), GTK_LEVEL_BAR_OFFSET_HIGH);
      gtk_level_bar_remove_offset_value (GTK_LEVEL_BAR (bar), GTK_LEVEL_BAR_OFFSET_FULL);
      gtk_widget_set_hexpand (bar, TRUE);
      gtk_widget_set_valign (bar, GTK_ALIGN_CENTER);
      gtk_accessible_update_property (GTK_ACCESSIBLE (bar), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      sal_note_editor_class_label (r->labels->pdata[i]), -1);
      gtk_widget_set_size_request (value, 64, -1);
      gtk_label_set_xalign (GTK_LABEL (value), 1);
      gtk_box_append (GTK_BOX (row), label);
      gtk_box_append (GTK_BOX (row), bar);
      gtk_box_append (GTK_BOX (row), value);
      gtk_box_append (box, row);
    }
}

static const char *
method_label (const char *id)
{
  if (g_strcmp0 (id, "integrated-gradients") == 0)
    return _("Integrated Gradients on embeddings");
  if (g_strcmp0 (id, "token-occlusion") == 0)
    return _("Token occlusion");
  if (g_strcmp0 (id, "attention") == 0)
    return _("Attention weights");
  return id;
}

/* GtkTextTagTableForeach: (tag, data), the other way round from g_ptr_array_add. */
static void
collect_tag (GtkTextTag *tag, gpointer data)
{
  g_ptr_array_add (data, tag);
}

void
sal_note_editor_show_result (SalNoteEditor *self, gint64 note_id, const SalClinicResult *r)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->analysis_view);
  GtkTextTagTable *table = gtk_text_buffer_get_tag_table (buffer);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) old_tags = g_ptr_array_new ();
  g_autofree char *low = NULL;
  g_autofree char *high = NULL;
  g_autofree char *caption = NULL;
  g_autofree char *gap = NULL;
  const SalNote *n;
  double max_abs = 0;
  gsize len;

  g_return_if_fail (SAL_IS_NOTE_EDITOR (self));
  if (!sal_note_editor_save (self, &error))
    toast (self, error->message);
  if (note_id != self->note_id)
    {
      guint index;

      if (find_note (self, note_id, &index) == NULL)
        reload (self, note_id);
      if (find_note (self, note_id, &index) == NULL)
        {
          toast (self, _("That note was deleted"));
          return;
        }
      self->loading = TRUE;
      gtk_drop_down_set_selected (self->chooser, index);
      self->loading = FALSE;
      show_note (self, note_id);
    }
  n = find_note (self, note_id, NULL);
  if (n == NULL || n->text == NULL)
    return;
  len = strlen (n->text);
  g_clear_pointer (&self->result, sal_clinic_result_free);
  self->result = sal_clinic_result_copy (r);

  gtk_text_buffer_set_text (buffer, n->text, -1);
  gtk_text_tag_table_foreach (table, collect_tag, old_tags);
  for (guint i = 0; i < old_tags->len; i++)
    gtk_text_tag_table_remove (table, old_tags->pdata[i]);

  for (guint i = 0; i < r->n_values; i++)
    max_abs = MAX (max_abs, fabs (r->values[i]));
  for (guint i = 0; i < r->n_values && max_abs > 0 && r->token_starts != NULL; i++)
    {
      gsize s = g_array_index (r->token_starts, gsize, i);
      gsize e = g_array_index (r->token_ends, gsize, i);
      double t = r->values[i] / max_abs;
      GtkTextIter a, b;
      GtkTextTag *tag;
      GdkRGBA bg;
      guint8 rgb[3];
      g_autofree char *tag_name = NULL;

      /* small attributions stay unmarked so the evidence stands out */
      if (fabs (t) < 0.1 || e > len || s >= e)
        continue;
      sal_colormap_lookup (SAL_COLORMAP_DIVERGING, 0.5 + 0.5 * t, rgb);
      bg.red = rgb[0] / 255.0f;
      bg.green = rgb[1] / 255.0f;
      bg.blue = rgb[2] / 255.0f;
      bg.alpha = 1;
      tag_name = g_strdup_printf ("%s-%u", t > 0 ? "towards" : "against", i);
      tag = gtk_text_buffer_create_tag (buffer, tag_name, "background-rgba", &bg,
                                        "foreground", fabs (t) > 0.55 ? "#ffffff" : "#1e1e1e",
                                        NULL);
      gtk_text_buffer_get_iter_at_offset (buffer, &a, (int) g_utf8_pointer_to_offset (n->text,
                                                                                     n->text + s));
      gtk_text_buffer_get_iter_at_offset (buffer, &b, (int) g_utf8_pointer_to_offset (n->text,
                                                                                     n->text + e));
      gtk_text_buffer_apply_tag (buffer, tag, &a, &b);
    }

  show_probabilities (self->probabilities, r);
  low = g_strdup_printf (_("against “%s”"), sal_note_editor_class_label (r->target));
  high = g_strdup_printf (_("towards “%s”"), sal_note_editor_class_label (r->target));
  gtk_label_set_text (self->legend_low, low);
  gtk_label_set_text (self->legend_high, high);
  gap = isfinite (r->gap) ? g_strdup_printf (_(" · completeness gap %.3g"), r->gap) : g_strdup ("");
  caption = g_strdup_printf (_("%s · target %s · strongest |attribution| %.3g%s"),
                             method_label (r->method), sal_note_editor_class_label (r->target),
                             max_abs, gap);
  gtk_label_set_text (self->caption, caption);
  /* A gap as large as a good part of the score means the highlights leave much of the
   * decision unexplained: say so rather than let the colours look exact. */
  if (isfinite (r->gap) && r->gap > 0.1 * MAX (fabs (r->prediction), 1.0))
    {
      g_autofree char *warn = g_strdup_printf ("%s\n%s", caption,
                                               _("The highlighted words do not add up to the "
                                                 "model’s score (large completeness gap): "
                                                 "read them as a rough guide."));
      gtk_label_set_text (self->caption, warn);
      gtk_widget_add_css_class (GTK_WIDGET (self->caption), "warning");
    }
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->caption), "warning");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->caption),
                               _("Completeness gap: how far the words’ attributions together "
                                 "fall short of the change in the model’s score between an empty "
                                 "note and this one. Near 0, the highlights account for the whole "
                                 "decision."));
  gtk_stack_set_visible_child_name (self->stack, "analysis");
  update_actions (self);
}

static void
on_note_job_done (GObject *source, GAsyncResult *res, gpointer data)
{
  g_autoptr(SalNoteEditor) self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SalClinicResult) r = sal_job_queue_submit_finish (SAL_JOB_QUEUE (source), res, &error);

  self->busy = FALSE;
  gtk_widget_set_visible (GTK_WIDGET (self->progress), FALSE);
  g_clear_object (&self->cancellable);
  update_actions (self);
  if (r == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast (self, error->message);
      return;
    }
  sal_note_editor_show_result (self, self->note_id, r);
  g_signal_emit_by_name (self, "result-stored");
}

static void
on_job_progress (SalJob *job, GParamSpec *pspec, SalNoteEditor *self)
{
  gtk_progress_bar_set_fraction (self->progress, sal_job_get_progress (job));
}

static void
analyse_action (GtkWidget *widget, const char *name, GVariant *param)
{
  SalNoteEditor *self = SAL_NOTE_EDITOR (widget);
  g_autoptr(GError) error = NULL;
  SalJob *job;
  gint64 model_id;

  if (self->busy || self->note_id == 0 || self->jobs == NULL)
    return;
  if (!sal_note_editor_save (self, &error))
    {
      toast (self, error->message);
      return;
    }
  model_id = sal_clinic_find_model (self->store, SAL_CLINIC_MODEL_NOTE, &error);
  if (model_id == 0)
    {
      toast (self, error->message);
      return;
    }
  job = sal_clinic_note_job_new (self->store, self->note_id, model_id, "integrated-gradients");
  self->busy = TRUE;
  self->cancellable = g_cancellable_new ();
  gtk_progress_bar_set_fraction (self->progress, 0);
  gtk_progress_bar_set_text (self->progress, sal_job_get_title (job));
  gtk_widget_set_visible (GTK_WIDGET (self->progress), TRUE);
  g_signal_connect_object (job, "notify::progress", G_CALLBACK (on_job_progress), self, 0);
  sal_job_queue_submit_async (self->jobs, job, self->cancellable, on_note_job_done,
                              g_object_ref (self));
  g_object_unref (job);
  update_actions (self);
}

static void
cancel_action (GtkWidget *widget, const char *name, GVariant *param)
{
  SalNoteEditor *self = SAL_NOTE_EDITOR (widget);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

static void
edit_action (GtkWidget *widget, const char *name, GVariant *param)
{
  SalNoteEditor *self = SAL_NOTE_EDITOR (widget);

  if (self->kiosk)
    return;
  gtk_stack_set_visible_child_name (self->stack, self->note_id != 0 ? "edit" : "empty");
  update_actions (self);
}

/* ---- de-identification ------------------------------------------------------------------ */

typedef struct {
  SalNoteEditor *self;
  GPtrArray     *changes;   /* of SalDeidChange, text order */
  gint64         note_id;
} DeidData;

static void
deid_data_free (DeidData *d)
{
  g_object_unref (d->self);
  g_ptr_array_unref (d->changes);
  g_free (d);
}

static void
on_deid_response (AdwMessageDialog *dialog, const char *response, DeidData *d)
{
  SalNoteEditor *self = d->self;
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->editor);
  g_autofree char *text = NULL;

  if (g_strcmp0 (response, "apply") != 0 || d->note_id != self->note_id || self->kiosk)
    return;
  text = buffer_text (self->editor);
  /* One user action, last span first so earlier offsets stay valid: Ctrl+Z undoes it
   * all at once. */
  gtk_text_buffer_begin_user_action (buffer);
  for (guint i = d->changes->len; i-- > 0;)
    {
      const SalDeidChange *c = d->changes->pdata[i];
      GtkTextIter a, b;

      gtk_text_buffer_get_iter_at_offset (buffer, &a,
                                          (int) g_utf8_pointer_to_offset (text, text + c->start));
      gtk_text_buffer_get_iter_at_offset (buffer, &b,
                                          (int) g_utf8_pointer_to_offset (text, text + c->end));
      gtk_text_buffer_delete (buffer, &a, &b);
      gtk_text_buffer_insert (buffer, &a, c->replacement, -1);
    }
  gtk_text_buffer_end_user_action (buffer);
  {
    g_autofree char *msg = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                         "Replaced %u identifier (Ctrl+Z undoes it)",
                                                         "Replaced %u identifiers (Ctrl+Z undoes it)",
                                                         d->changes->len),
                                            d->changes->len);
    toast (self, msg);
  }
}

static void
deidentify_action (GtkWidget *widget, const char *name, GVariant *param)
{
  SalNoteEditor *self = SAL_NOTE_EDITOR (widget);
  g_autoptr(GError) error = NULL;
  g_autoptr(SalDeid) deid = sal_deid_new (&error);
  g_autoptr(GPtrArray) changes = NULL;
  g_autofree char *text = buffer_text (self->editor);
  g_autofree char *out = NULL;
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *dialog, *list, *scroller;
  DeidData *d;

  if (self->kiosk)
    return;
  if (deid != NULL)
    out = sal_deid_replace (deid, text, &changes, &error);
  if (out == NULL)
    {
      toast (self, error->message);
      return;
    }
  if (changes == NULL || changes->len == 0)
    {
      toast (self, _("No names, dates or other identifiers found in this note"));
      return;
    }

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("De-identify This Note?"), NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  g_dngettext (GETTEXT_PACKAGE,
                                               "%u identifier would be replaced. Ctrl+Z undoes it.",
                                               "%u identifiers would be replaced. Ctrl+Z undoes it.",
                                               changes->len),
                                  changes->len);
  list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  for (guint i = 0; i < changes->len; i++)
    {
      const SalDeidChange *c = changes->pdata[i];
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *title = g_strdup_printf ("%s → %s", c->original, c->replacement);
      g_autofree char *esc = g_markup_escape_text (title, -1);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), esc);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), sal_deid_category_describe (c->category));
      gtk_list_box_append (GTK_LIST_BOX (list), row);
    }
  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), 320);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), list);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), scroller);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"), "apply", _("_Replace"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "apply",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "apply");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  d = g_new0 (DeidData, 1);
  d->self = g_object_ref (self);
  d->changes = g_steal_pointer (&changes);
  d->note_id = self->note_id;
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_deid_response), d,
                         (GClosureNotify) (void (*) (void)) deid_data_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- class --------------------------------------------------------------------------- */

static void
sal_note_editor_dispose (GObject *object)
{
  SalNoteEditor *self = SAL_NOTE_EDITOR (object);

  if (self->dirty)
    {
      g_autoptr(GError) error = NULL;

      if (!sal_note_editor_save (self, &error))
        g_warning ("Could not save the note: %s", error->message);
    }
  g_clear_handle_id (&self->save_id, g_source_remove);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), SAL_TYPE_NOTE_EDITOR);
  g_clear_object (&self->jobs);
  g_clear_object (&self->titles);
  G_OBJECT_CLASS (sal_note_editor_parent_class)->dispose (object);
}

static void
sal_note_editor_finalize (GObject *object)
{
  SalNoteEditor *self = SAL_NOTE_EDITOR (object);

  g_clear_pointer (&self->store, sal_store_unref);
  g_clear_pointer (&self->notes, g_ptr_array_unref);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->result, sal_clinic_result_free);
  g_free (self->last_message);
  G_OBJECT_CLASS (sal_note_editor_parent_class)->finalize (object);
}

static void
update_empty_page (SalNoteEditor *self)
{
  adw_status_page_set_description (self->empty_page, self->kiosk
    ? _("This case has no notes.")
    : _("Write one with New note, open a text file with Ctrl+O, or drop or paste one here."));
}

/* Kiosk mode: the note is read and analysed, never changed. No new, open, paste,
 * delete, de-identify or edit (their buttons hidden, their actions and shortcuts
 * disabled), no drops, nothing saved; touch targets of at least 48 px. */
static void
set_kiosk (SalNoteEditor *self, gboolean kiosk)
{
  GtkWidget *hidden[] = { self->new_button, self->open_button, self->paste_button,
                          self->delete_button, self->deid_button, self->edit_button };

  if (self->kiosk == kiosk)
    return;
  if (kiosk)
    {
      g_autoptr(GError) error = NULL;

      /* Pending edits made before are written as they would have been. */
      if (!sal_note_editor_save (self, &error))
        toast (self, error->message);
    }
  self->kiosk = kiosk;
  for (guint i = 0; i < G_N_ELEMENTS (hidden); i++)
    gtk_widget_set_visible (hidden[i], !kiosk);
  gtk_text_view_set_editable (self->editor, !kiosk);
  gtk_text_view_set_cursor_visible (self->editor, !kiosk);
  gtk_event_controller_set_propagation_phase (self->drop, kiosk ? GTK_PHASE_NONE
                                                                : GTK_PHASE_BUBBLE);
  gtk_drawing_area_set_content_width (self->legend, kiosk ? 240 : 160);
  gtk_drawing_area_set_content_height (self->legend, kiosk ? 24 : 12);
  if (kiosk)
    gtk_widget_add_css_class (GTK_WIDGET (self), "kiosk");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "kiosk");
  update_empty_page (self);
  update_chooser (self);
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KIOSK]);
}

static void
sal_note_editor_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  SalNoteEditor *self = SAL_NOTE_EDITOR (object);

  switch (prop_id)
    {
    case PROP_KIOSK:
      g_value_set_boolean (value, self->kiosk);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sal_note_editor_set_property (GObject *object, guint prop_id, const GValue *value,
                              GParamSpec *pspec)
{
  SalNoteEditor *self = SAL_NOTE_EDITOR (object);

  switch (prop_id)
    {
    case PROP_KIOSK:
      set_kiosk (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* Touch targets of at least 48 px and type a visitor reads from a step away. */
static const char kiosk_css[] =
  "salnoteeditor.kiosk button, salnoteeditor.kiosk dropdown > button"
  " { min-height: 48px; min-width: 48px; }"
  " salnoteeditor.kiosk .caption { font-size: 15pt; }"
  " salnoteeditor.kiosk .heading { font-size: inherit; }"
  " salnoteeditor.kiosk textview { font-size: 20pt; }";

static void
install_css (void)
{
  GdkDisplay *display = gdk_display_get_default ();
  GtkCssProvider *provider;

  if (display == NULL || g_object_get_data (G_OBJECT (display), "sal-note-editor-css") != NULL)
    return;
  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_data (provider, kiosk_css, -1);
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  g_object_set_data_full (G_OBJECT (display), "sal-note-editor-css", provider, g_object_unref);
}

static void
sal_note_editor_class_init (SalNoteEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sal_note_editor_dispose;
  object_class->finalize = sal_note_editor_finalize;
  object_class->get_property = sal_note_editor_get_property;
  object_class->set_property = sal_note_editor_set_property;

  /* Read-only for a demo kiosk: see set_kiosk(). */
  properties[PROP_KIOSK] =
    g_param_spec_boolean ("kiosk", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Emitted after an analysis was stored (the History reloads). */
  g_signal_new ("result-stored", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/salient/Salient/sal-note-editor.ui");
  gtk_widget_class_set_css_name (widget_class, "salnoteeditor");
  gtk_widget_class_bind_template_child (widget_class, SalNoteEditor, chooser);
  gtk_widget_class_bind_template_child (widget_class, SalNoteEditor, new_button);
  gtk_widget_class_bind_template_child (widget_class, SalNoteEditor, open_button);
  gtk_widget_class_bind_template_child (widget_class, SalNoteEditor, paste_button);
  gtk_widget_class_bind_template_child (widget_class, SalNoteEditor, delete_button);
  gtk_widget_class_bind_template_child (widget_class, SalNoteEditor, deid_button);
  gtk_widget_class_bind_template_child (widget_class, SalNoteEditor, edit_button);
  gtk_widget_class_bind_template_child (widget_class, SalNoteEditor, empty_page);
  gtk_widget_class_bind_template_child (widget_class, SalNoteEditor, status);
  gtk_widget_class_bind_template_child (widget_class, SalNoteEditor, progress);
  gtk_widget_class_bind_template_child (widget_class, SalNoteEditor, stack);
  gtk_widget_class_bind_template_child (widget_class, SalNoteEditor, editor);
  gtk_widget_class_bind_template_child (widget_class, SalNoteEditor, analysis_view);
  gtk_widget_class_bind_template_child (widget_class, SalNoteEditor, probabilities);
  gtk_widget_class_bind_template_child (widget_class, SalNoteEditor, legend);
  gtk_widget_class_bind_template_child (widget_class, SalNoteEditor, legend_low);
  gtk_widget_class_bind_template_child (widget_class, SalNoteEditor, legend_high);
  gtk_widget_class_bind_template_child (widget_class, SalNoteEditor, caption);

  gtk_widget_class_install_action (widget_class, "note.new", NULL, new_action);
  gtk_widget_class_install_action (widget_class, "note.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "note.paste", NULL, paste_action);
  gtk_widget_class_install_action (widget_class, "note.delete", NULL, delete_action);
  gtk_widget_class_install_action (widget_class, "note.analyse", NULL, analyse_action);
  gtk_widget_class_install_action (widget_class, "note.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "note.edit", NULL, edit_action);
  gtk_widget_class_install_action (widget_class, "note.deidentify", NULL, deidentify_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "note.open",
                                       NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_v,
                                       GDK_CONTROL_MASK | GDK_SHIFT_MASK, "note.paste", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_a,
                                       GDK_CONTROL_MASK | GDK_SHIFT_MASK, "note.analyse", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "note.cancel", NULL);
}

static void
sal_note_editor_init (SalNoteEditor *self)
{
  GtkDropTarget *drop;
  GType types[] = { GDK_TYPE_FILE_LIST, G_TYPE_STRING };

  gtk_widget_init_template (GTK_WIDGET (self));
  self->titles = gtk_string_list_new (NULL);
  gtk_drop_down_set_model (self->chooser, G_LIST_MODEL (self->titles));
  g_signal_connect_object (self->chooser, "notify::selected", G_CALLBACK (on_chooser_selected),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (gtk_text_view_get_buffer (self->editor), "changed",
                           G_CALLBACK (on_buffer_changed), self, G_CONNECT_SWAPPED);
  gtk_drawing_area_set_draw_func (self->legend, legend_draw, NULL, NULL);

  drop = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  gtk_drop_target_set_gtypes (drop, types, G_N_ELEMENTS (types));
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  /* On the empty state and the analysis, where the text view does not take drops. */
  gtk_widget_add_controller (GTK_WIDGET (self->stack), GTK_EVENT_CONTROLLER (drop));
  self->drop = GTK_EVENT_CONTROLLER (drop);
  install_css ();
  update_actions (self);
}

GtkWidget *
sal_note_editor_new (void)
{
  return g_object_new (SAL_TYPE_NOTE_EDITOR, NULL);
}
