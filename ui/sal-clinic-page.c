/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-ui"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sal-clinic-page.h"

#include "sal-application.h"
#include "sal-case-history.h"
#include "sal-case-images.h"
#include "sal-case-measurements.h"
#include "sal-clinic-files.h"
#include "sal-clinic-jobs.h"
#include "sal-datasets.h"
#include "sal-note-editor.h"
#include "sal-window.h"

/* The Clinic workspace: a sidebar of cases (search over titles and notes, new case)
 * and the shown case — its header (rename, delete with undo, report, demo removal) and
 * its Images, Notes, Measurements and History tabs. Files given on the command line or
 * dropped on the page open into a case. Background work goes to the application's job
 * queue; the panels of the tabs do their own. */
struct _SalClinicPage
{
  AdwBin            parent_instance;

  AdwToastOverlay  *toasts;
  AdwLeaflet       *leaflet;
  GtkSearchEntry   *search_entry;
  GtkStack         *sidebar_stack;
  GtkListBox       *case_list;
  GtkProgressBar   *progress;
  GtkStack         *content_stack;
  GtkWidget        *back_button;
  GtkLabel         *case_title;
  GtkLabel         *demo_tag;
  GtkLabel         *case_subtitle;
  AdwViewStack     *view_stack;
  SalCaseImages    *images;
  SalNoteEditor    *notes;
  SalCaseMeasurements *measurements;
  SalCaseHistory   *history;

  SalStore         *store;
  SalJobQueue      *jobs;
  GCancellable     *cancellable;
  GArray           *row_ids;        /* case id of each sidebar row */
  gint64            case_id;        /* shown; 0 none */
  gint64            deleted_case;   /* pending deletion (undo toast); 0 none */
  gboolean          has_demo;
  gboolean          loading;        /* the list is being rebuilt: ignore selections */
  guint             n_busy;
  char             *last_toast;
  GListModel       *pending;        /* the window's files to open (salient FILE…) */
  guint             pending_id;     /* idle that takes them */
};

G_DEFINE_FINAL_TYPE (SalClinicPage, sal_clinic_page, ADW_TYPE_BIN)

static void reload_cases (SalClinicPage *self, gint64 select_id);

/* ---- helpers ---- */

static void
toast (SalClinicPage *self, const char *text)
{
  g_free (self->last_toast);
  self->last_toast = g_strdup (text);
  adw_toast_overlay_add_toast (self->toasts, adw_toast_new (text));
}

static GtkWindow *
parent_window (SalClinicPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

/* The one place that decides which actions are enabled. */
static void
update_actions (SalClinicPage *self)
{
  gboolean ready = self->store != NULL && self->jobs != NULL;
  gboolean has_case = ready && self->case_id != 0;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "clinic.new-case", ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "clinic.open-images", ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "clinic.search", ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "clinic.rename", has_case);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "clinic.delete", has_case);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "clinic.add-images", has_case);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "clinic.export", has_case);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "clinic.undo-delete",
                                 ready && self->deleted_case != 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "clinic.remove-demo",
                                 ready && self->has_demo && self->n_busy == 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "clinic.back",
                                 adw_leaflet_get_folded (self->leaflet));
  gtk_widget_set_visible (self->back_button, adw_leaflet_get_folded (self->leaflet));
}

/* ---- jobs ---- */

typedef void (*JobDone) (SalClinicPage *self, SalClinicFilesResult *r, const GError *error,
                         gpointer data);

typedef struct {
  SalClinicPage  *self;
  JobDone         done;
  gpointer        data;
  GDestroyNotify  data_free;
} JobCall;

static void
on_job_progress (SalJob *job, GParamSpec *pspec, SalClinicPage *self)
{
  const char *status = sal_job_get_status (job);

  gtk_progress_bar_set_fraction (self->progress, sal_job_get_progress (job));
  gtk_progress_bar_set_text (self->progress, status != NULL ? status : sal_job_get_title (job));
}

static void
on_job_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  JobCall *call = user_data;
  SalClinicPage *self = call->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(SalClinicFilesResult) r = sal_job_queue_submit_finish (SAL_JOB_QUEUE (source), res,
                                                                  &error);

  self->n_busy--;
  gtk_widget_set_visible (GTK_WIDGET (self->progress), self->n_busy > 0);
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && self->store != NULL)
    call->done (self, r, error, call->data);
  update_actions (self);
  if (call->data_free != NULL)
    call->data_free (call->data);
  g_object_unref (self);
  g_free (call);
}

static void
run_job (SalClinicPage *self, SalJob *job, JobDone done, gpointer data, GDestroyNotify data_free)
{
  JobCall *call = g_new0 (JobCall, 1);

  call->self = g_object_ref (self);
  call->done = done;
  call->data = data;
  call->data_free = data_free;
  self->n_busy++;
  gtk_progress_bar_set_fraction (self->progress, 0);
  gtk_progress_bar_set_text (self->progress, sal_job_get_title (job));
  gtk_widget_set_visible (GTK_WIDGET (self->progress), TRUE);
  g_signal_connect_object (job, "notify::progress", G_CALLBACK (on_job_progress), self, 0);
  sal_job_queue_submit_async (self->jobs, job, self->cancellable, on_job_done, call);
  g_object_unref (job);
  update_actions (self);
}

/* ---- the case list ---- */

/* Snippet text with the store's match marks made bold, the rest escaped. */
static char *
snippet_markup (const char *snippet)
{
  g_autoptr(GString) out = g_string_new (NULL);
  const char *p = snippet;

  while (*p != '\0')
    {
      gsize n = strcspn (p, SAL_STORE_SNIPPET_OPEN SAL_STORE_SNIPPET_CLOSE);
      g_autofree char *text = g_markup_escape_text (p, (gssize) n);

      g_string_append (out, text);
      p += n;
      if (*p == SAL_STORE_SNIPPET_OPEN[0])
        g_string_append (out, "<b>");
      else if (*p == SAL_STORE_SNIPPET_CLOSE[0])
        g_string_append (out, "</b>");
      if (*p != '\0')
        p++;
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static char *
format_day (gint64 ms)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (ms / 1000);
  g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_local (utc) : NULL;

  /* Translators: the day a case was created, g_date_time_format syntax. */
  return local != NULL ? g_date_time_format (local, _("%Y-%m-%d")) : g_strdup ("");
}

/* "2 images · 1 note · 30 measurements" */
static char *
case_counts (SalClinicPage *self, gint64 case_id)
{
  g_autoptr(GPtrArray) images = sal_store_list_images (self->store, case_id, NULL);
  g_autoptr(GPtrArray) notes = sal_store_list_notes (self->store, case_id, NULL);
  g_autoptr(GPtrArray) rows = sal_store_list_measurements (self->store, case_id, NULL);
  guint ni = images != NULL ? images->len : 0;
  guint nn = notes != NULL ? notes->len : 0;
  guint nm = rows != NULL ? rows->len : 0;
  g_autofree char *a = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u image", "%u images", ni), ni);
  g_autofree char *b = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u note", "%u notes", nn), nn);
  g_autofree char *c = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u measurement",
                                                     "%u measurements", nm), nm);

  return g_strjoin (" · ", a, b, c, NULL);
}

static GtkWidget *
case_row (SalClinicPage *self, const SalCase *c, const char *snippet)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *title = gtk_label_new (c->title != NULL && *c->title ? c->title : c->pseudonym);
  g_autofree char *day = format_day (c->created_ms);
  g_autofree char *counts = case_counts (self, c->id);
  g_autofree char *line = g_strdup_printf ("%s · %s · %s", c->pseudonym, day, counts);
  GtkWidget *sub = gtk_label_new (line);

  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  /* the sidebar's width should not follow its longest line */
  gtk_label_set_max_width_chars (GTK_LABEL (title), 24);
  gtk_widget_set_hexpand (title, TRUE);
  gtk_widget_add_css_class (title, "heading");
  gtk_box_append (GTK_BOX (top), title);
  if (c->demo)
    {
      GtkWidget *tag = gtk_label_new (_("Demo"));

      gtk_widget_add_css_class (tag, "caption-heading");
      gtk_widget_add_css_class (tag, "accent");
      gtk_box_append (GTK_BOX (top), tag);
    }
  gtk_box_append (GTK_BOX (box), top);
  gtk_label_set_xalign (GTK_LABEL (sub), 0);
  gtk_label_set_wrap (GTK_LABEL (sub), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (sub), 30);
  gtk_widget_add_css_class (sub, "dim-label");
  gtk_widget_add_css_class (sub, "caption");
  gtk_box_append (GTK_BOX (box), sub);
  if (snippet != NULL)
    {
      g_autofree char *markup = snippet_markup (snippet);
      GtkWidget *hit = gtk_label_new (NULL);

      gtk_label_set_markup (GTK_LABEL (hit), markup);
      gtk_label_set_xalign (GTK_LABEL (hit), 0);
      gtk_label_set_wrap (GTK_LABEL (hit), TRUE);
      gtk_label_set_lines (GTK_LABEL (hit), 2);
      gtk_label_set_max_width_chars (GTK_LABEL (hit), 30);
      gtk_label_set_ellipsize (GTK_LABEL (hit), PANGO_ELLIPSIZE_END);
      gtk_widget_add_css_class (hit, "caption");
      gtk_box_append (GTK_BOX (box), hit);
    }
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  return row;
}

static const SalCase *
find_case (GPtrArray *cases, gint64 id)
{
  for (guint i = 0; cases != NULL && i < cases->len; i++)
    if (((SalCase *) cases->pdata[i])->id == id)
      return cases->pdata[i];
  return NULL;
}

/* Rebuilds the sidebar (all cases, or the search's matches, best first) and selects
 * select_id when listed, else keeps the shown case, else the first. */
static void
reload_cases (SalClinicPage *self, gint64 select_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) cases = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  g_autofree char *query = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->search_entry))));
  gboolean searching = *query != '\0';
  GtkWidget *child;
  gint64 keep = select_id != 0 ? select_id : self->case_id;
  int keep_row = -1;

  self->loading = TRUE;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->case_list))) != NULL)
    gtk_list_box_remove (self->case_list, child);
  g_array_set_size (self->row_ids, 0);
  self->has_demo = FALSE;
  if (self->store == NULL)
    {
      self->loading = FALSE;
      return;
    }

  cases = sal_store_list_cases (self->store, &error);
  if (cases != NULL && searching)
    hits = sal_store_search (self->store, query, 200, &error);
  if (cases == NULL || (searching && hits == NULL))
    {
      toast (self, error->message);
      self->loading = FALSE;
      return;
    }
  for (guint i = 0; i < cases->len; i++)
    self->has_demo |= ((SalCase *) cases->pdata[i])->demo;

  if (!searching)
    for (guint i = 0; i < cases->len; i++)
      {
        const SalCase *c = cases->pdata[i];

        gtk_list_box_append (self->case_list, case_row (self, c, NULL));
        g_array_append_val (self->row_ids, c->id);
      }
  else
    for (guint i = 0; i < hits->len; i++)
      {
        const SalSearchHit *hit = hits->pdata[i];
        const SalCase *c = find_case (cases, hit->case_id);
        gboolean listed = FALSE;

        /* a case shows once, with its best hit; cases pending deletion not at all */
        for (guint j = 0; j < self->row_ids->len; j++)
          listed |= g_array_index (self->row_ids, gint64, j) == hit->case_id;
        if (c == NULL || listed)
          continue;
        gtk_list_box_append (self->case_list, case_row (self, c, hit->snippet));
        g_array_append_val (self->row_ids, c->id);
      }

  for (guint i = 0; i < self->row_ids->len; i++)
    if (g_array_index (self->row_ids, gint64, i) == keep)
      keep_row = (int) i;
  if (keep_row < 0 && self->row_ids->len > 0)
    keep_row = 0;
  gtk_stack_set_visible_child_name (self->sidebar_stack,
                                    searching && self->row_ids->len == 0 ? "no-match" : "list");
  if (keep_row >= 0)
    gtk_list_box_select_row (self->case_list, gtk_list_box_get_row_at_index (self->case_list, keep_row));
  self->loading = FALSE;

  if (keep_row >= 0)
    sal_clinic_page_show_case (self, g_array_index (self->row_ids, gint64, keep_row), NULL);
  else if (!searching || find_case (cases, self->case_id) == NULL)
    sal_clinic_page_show_case (self, 0, NULL);
  update_actions (self);
}

static void
on_row_selected (GtkListBox *list, GtkListBoxRow *row, SalClinicPage *self)
{
  int index;

  if (self->loading || row == NULL)
    return;
  index = gtk_list_box_row_get_index (row);
  if (index >= 0 && (guint) index < self->row_ids->len)
    sal_clinic_page_show_case (self, g_array_index (self->row_ids, gint64, index), NULL);
}

static void
on_row_activated (GtkListBox *list, GtkListBoxRow *row, SalClinicPage *self)
{
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

static void
on_search_changed (SalClinicPage *self)
{
  reload_cases (self, 0);
}

/* ---- the shown case ---- */

static void
show_header (SalClinicPage *self, const SalCase *c)
{
  g_autofree char *day = format_day (c->created_ms);
  g_autofree char *counts = case_counts (self, c->id);
  /* Translators: under a case's title: its pseudonym, creation day and contents. */
  g_autofree char *sub = g_strdup_printf (_("Pseudonym %s · created %s · %s"), c->pseudonym, day,
                                          counts);

  gtk_label_set_text (self->case_title, c->title != NULL && *c->title ? c->title : c->pseudonym);
  gtk_label_set_text (self->case_subtitle, sub);
  gtk_widget_set_visible (GTK_WIDGET (self->demo_tag), c->demo);
}

void
sal_clinic_page_show_case (SalClinicPage *self, gint64 case_id, const char *tab)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SalCase) c = NULL;
  gboolean changed = case_id != self->case_id;

  g_return_if_fail (SAL_IS_CLINIC_PAGE (self));
  if (case_id != 0 && self->store != NULL)
    {
      c = sal_store_get_case (self->store, case_id, &error);
      if (c == NULL)
        {
          toast (self, error->message);
          case_id = 0;
        }
    }
  self->case_id = case_id;
  if (c == NULL)
    {
      sal_note_editor_set_case (self->notes, NULL, NULL, 0);
      sal_case_images_set_case (self->images, NULL, NULL, 0);
      sal_case_measurements_set_case (self->measurements, NULL, NULL, 0);
      sal_case_history_set_case (self->history, NULL, 0);
      gtk_stack_set_visible_child_name (self->content_stack, "empty");
      update_actions (self);
      return;
    }
  show_header (self, c);
  /* The panels keep their state (an image, a running job, an analysis) while their
   * case stays. */
  if (changed)
    {
      sal_case_images_set_case (self->images, self->store, self->jobs, case_id);
      sal_case_measurements_set_case (self->measurements, self->store, self->jobs, case_id);
      sal_note_editor_set_case (self->notes, self->store, self->jobs, case_id);
    }
  sal_case_history_set_case (self->history, self->store, case_id);
  gtk_stack_set_visible_child_name (self->content_stack, "case");
  if (tab != NULL)
    adw_view_stack_set_visible_child_name (self->view_stack, tab);

  /* keep the sidebar's selection in step when called from outside */
  for (guint i = 0; i < self->row_ids->len; i++)
    if (g_array_index (self->row_ids, gint64, i) == case_id)
      {
        GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->case_list, (int) i);

        if (gtk_list_box_get_selected_row (self->case_list) != row)
          {
            self->loading = TRUE;
            gtk_list_box_select_row (self->case_list, row);
            self->loading = FALSE;
          }
      }
  update_actions (self);
}

/* A result stored by a panel: the History and the counts change. */
static void
on_result_stored (SalClinicPage *self)
{
  sal_case_history_reload (self->history);
}

/* The History asks to reopen a result in its tab. */
static void
on_result_activated (SalCaseHistory *history, int kind, gint64 object_id, gint64 record_id,
                     SalClinicPage *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SalExplanationRecord) e = sal_store_get_explanation (self->store, record_id, &error);
  g_autoptr(SalClinicResult) r = NULL;

  if (e == NULL)
    {
      toast (self, error->message);
      return;
    }
  switch ((SalObjectKind) kind)
    {
    case SAL_OBJECT_NOTE:
      r = sal_clinic_result_from_record (e, &error);
      if (r == NULL)
        {
          toast (self, error->message);
          return;
        }
      adw_view_stack_set_visible_child_name (self->view_stack, "notes");
      sal_note_editor_show_result (self->notes, object_id, r);
      break;
    case SAL_OBJECT_IMAGE:
      adw_view_stack_set_visible_child_name (self->view_stack, "images");
      sal_case_images_show_result (self->images, record_id);
      break;
    case SAL_OBJECT_CASE:
      adw_view_stack_set_visible_child_name (self->view_stack, "measurements");
      sal_case_measurements_show_result (self->measurements, record_id);
      break;
    case SAL_OBJECT_WORKOUT:
    default:
      break;
    }
}

/* ---- new, rename ---- */

static void
new_case_action (GtkWidget *widget, const char *name, GVariant *param)
{
  SalClinicPage *self = SAL_CLINIC_PAGE (widget);
  g_autoptr(GError) error = NULL;
  gint64 id = sal_store_add_case (self->store, NULL, _("New case"), FALSE, &error);

  if (id == 0)
    {
      toast (self, error->message);
      return;
    }
  /* A new case must be visible even when a search would hide it. */
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  reload_cases (self, id);
  sal_clinic_page_show_case (self, id, "images");
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

static void
search_action (GtkWidget *widget, const char *name, GVariant *param)
{
  SalClinicPage *self = SAL_CLINIC_PAGE (widget);

  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
back_action (GtkWidget *widget, const char *name, GVariant *param)
{
  adw_leaflet_navigate (SAL_CLINIC_PAGE (widget)->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
on_rename_response (AdwMessageDialog *dialog, const char *response, SalClinicPage *self)
{
  GtkEditable *entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));
  g_autofree char *title = g_strstrip (g_strdup (gtk_editable_get_text (entry)));
  gint64 id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (dialog), "case-id"));
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "rename") != 0 || self->store == NULL)
    return;
  if (*title == '\0')
    {
      toast (self, _("A case needs a title; it was left as it was"));
      return;
    }
  if (!sal_store_update_case (self->store, id, title, &error))
    {
      toast (self, error->message);
      return;
    }
  reload_cases (self, id);
}

static void
rename_action (GtkWidget *widget, const char *name, GVariant *param)
{
  SalClinicPage *self = SAL_CLINIC_PAGE (widget);
  GtkWidget *dialog;
  GtkWidget *entry = gtk_entry_new ();

  gtk_editable_set_text (GTK_EDITABLE (entry), gtk_label_get_text (self->case_title));
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Case title"), -1);
  dialog = adw_message_dialog_new (parent_window (self), _("Rename Case"),
                                   _("Use a pseudonym or a description, not the patient’s name."));
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "rename", _("_Rename"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "rename",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "rename");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "case-id", GSIZE_TO_POINTER ((gsize) self->case_id));
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_rename_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

/* ---- delete with undo ---- */

static void
purge_pending (SalClinicPage *self)
{
  g_autoptr(GError) error = NULL;

  if (self->deleted_case == 0 || self->store == NULL)
    return;
  self->deleted_case = 0;
  if (!sal_store_purge_deleted (self->store, G_MAXINT64, NULL, &error))
    g_warning ("Could not purge a deleted case: %s", error->message);
  update_actions (self);
}

static void
on_delete_toast_dismissed (AdwToast *t, SalClinicPage *self)
{
  if (GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (t), "case-id")) == (gsize) self->deleted_case)
    purge_pending (self);
}

static void
undo_delete_action (GtkWidget *widget, const char *name, GVariant *param)
{
  SalClinicPage *self = SAL_CLINIC_PAGE (widget);
  g_autoptr(GError) error = NULL;
  gint64 id = self->deleted_case;

  if (id == 0)
    return;
  self->deleted_case = 0;
  if (!sal_store_undo_delete (self->store, SAL_OBJECT_CASE, id, &error))
    {
      toast (self, error->message);
      return;
    }
  reload_cases (self, id);
}

static void
delete_action (GtkWidget *widget, const char *name, GVariant *param)
{
  SalClinicPage *self = SAL_CLINIC_PAGE (widget);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  gint64 id = self->case_id;
  AdwToast *t;

  if (id == 0)
    return;
  purge_pending (self);
  if (!sal_note_editor_save (self->notes, &error))
    g_clear_error (&error);   /* the case goes anyway; its notes with it */
  if (!sal_store_mark_deleted (self->store, SAL_OBJECT_CASE, id, &error))
    {
      toast (self, error->message);
      return;
    }
  self->deleted_case = id;
  text = g_strdup_printf (_("Case “%s” deleted"), gtk_label_get_text (self->case_title));
  g_free (self->last_toast);
  self->last_toast = g_strdup (text);
  t = adw_toast_new (text);
  adw_toast_set_button_label (t, _("_Undo"));
  adw_toast_set_action_name (t, "clinic.undo-delete");
  g_object_set_data (G_OBJECT (t), "case-id", GSIZE_TO_POINTER ((gsize) id));
  g_signal_connect_object (t, "dismissed", G_CALLBACK (on_delete_toast_dismissed), self, 0);
  adw_toast_overlay_add_toast (self->toasts, t);
  self->case_id = 0;
  reload_cases (self, 0);
}

/* ---- demo data ---- */

static void
on_remove_demo_response (AdwMessageDialog *dialog, const char *response, SalClinicPage *self)
{
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "remove") != 0 || self->store == NULL)
    return;
  purge_pending (self);
  if (!sal_store_delete_demo_data (self->store, &error)
      || !sal_store_purge_deleted (self->store, G_MAXINT64, NULL, &error))
    {
      toast (self, error->message);
      return;
    }
  toast (self, _("Removed the demo data"));
  reload_cases (self, 0);
}

static void
remove_demo_action (GtkWidget *widget, const char *name, GVariant *param)
{
  SalClinicPage *self = SAL_CLINIC_PAGE (widget);
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (parent_window (self), _("Remove the Demo Data?"),
                                   _("The demo cases with their images, notes, measurements "
                                     "and results, and the demo athlete, are deleted for "
                                     "good. They do not come back at the next start."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "remove", _("_Remove"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_remove_demo_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
demo_done (SalClinicPage *self, SalClinicFilesResult *r, const GError *error, gpointer data)
{
  if (error != NULL)
    {
      toast (self, error->message);
      return;
    }
  if (r->n_added > 0)
    reload_cases (self, 0);
}

/* ---- files ---- */

typedef struct {
  GPtrArray *texts;   /* of GFile: notes for the case the images went into */
  char      *tab;
} OpenData;

static void
open_data_free (gpointer data)
{
  OpenData *d = data;

  g_ptr_array_unref (d->texts);
  g_free (d->tab);
  g_free (d);
}

static void
add_notes (SalClinicPage *self, GPtrArray *texts)
{
  for (guint i = 0; i < texts->len; i++)
    sal_note_editor_open_file (self->notes, texts->pdata[i]);
  if (texts->len > 0)
    {
      adw_view_stack_set_visible_child_name (self->view_stack, "notes");
      reload_cases (self, self->case_id);
    }
}

static void
import_done (SalClinicPage *self, SalClinicFilesResult *r, const GError *error, gpointer data)
{
  OpenData *d = data;
  g_autofree char *text = NULL;

  if (error != NULL)
    {
      toast (self, error->message);
      return;
    }
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  reload_cases (self, r->case_id);
  sal_clinic_page_show_case (self, r->case_id, "images");
  /* the shown case got new images: the panel lists them */
  sal_case_images_set_case (self->images, self->store, self->jobs, r->case_id);
  add_notes (self, d->texts);
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Added %u image", "Added %u images",
                                       r->n_added), r->n_added);
  toast (self, text);
}

void
sal_clinic_page_open_files (SalClinicPage *self, GFile **files, guint n_files, gboolean new_case)
{
  g_autoptr(GPtrArray) images = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GString) refused = g_string_new (NULL);
  OpenData *d;

  g_return_if_fail (SAL_IS_CLINIC_PAGE (self));
  if (self->store == NULL || self->jobs == NULL)
    return;
  for (guint i = 0; i < n_files; i++)
    {
      g_autofree char *path = g_file_get_path (files[i]);

      if (path != NULL && sal_clinic_file_is_image (path))
        g_ptr_array_add (images, g_steal_pointer (&path));
      else if (path != NULL && sal_clinic_file_is_text (path))
        g_ptr_array_add (texts, g_object_ref (files[i]));
      else
        {
          g_autofree char *name = g_file_get_basename (files[i]);

          if (refused->len > 0)
            g_string_append (refused, ", ");
          g_string_append (refused, name);
        }
    }
  if (refused->len > 0)
    {
      g_autofree char *text = g_strdup_printf (_("Not opened: %s. The Clinic opens PNG images "
                                                 "and text notes (.txt)."), refused->str);
      toast (self, text);
    }

  if (images->len > 0)
    {
      SalJob *job;

      g_ptr_array_add (images, NULL);
      job = sal_clinic_import_job_new (self->store, new_case ? 0 : self->case_id,
                                       _("Imported images"),
                                       (const char * const *) images->pdata);
      d = g_new0 (OpenData, 1);
      d->texts = g_steal_pointer (&texts);
      run_job (self, job, import_done, d, open_data_free);
      return;
    }
  if (texts->len == 0)
    return;
  if (new_case || self->case_id == 0)
    {
      g_autoptr(GError) error = NULL;
      gint64 id = sal_store_add_case (self->store, NULL, _("Imported notes"), FALSE, &error);

      if (id == 0)
        {
          toast (self, error->message);
          return;
        }
      gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
      reload_cases (self, id);
      sal_clinic_page_show_case (self, id, NULL);
    }
  add_notes (self, texts);
}

static void
open_file_list (SalClinicPage *self, GSList *list, gboolean new_case)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new ();

  for (GSList *l = list; l != NULL; l = l->next)
    g_ptr_array_add (files, l->data);
  sal_clinic_page_open_files (self, (GFile **) files->pdata, files->len, new_case);
}

static gboolean
on_page_drop (GtkDropTarget *target, const GValue *value, double x, double y,
              SalClinicPage *self)
{
  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST) || self->store == NULL)
    return FALSE;
  open_file_list (self, g_value_get_boxed (value), TRUE);
  return TRUE;
}

/* PNGs dropped on the Images tab go into the shown case. */
static gboolean
on_images_drop (GtkDropTarget *target, const GValue *value, double x, double y,
                SalClinicPage *self)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST) || self->store == NULL)
    return FALSE;
  if (self->case_id == 0)
    {
      open_file_list (self, g_value_get_boxed (value), TRUE);
      return TRUE;
    }
  for (GSList *l = g_value_get_boxed (value); l != NULL; l = l->next)
    g_ptr_array_add (files, l->data);
  if (!sal_case_images_add_files (self->images, (GFile **) files->pdata, files->len, &error))
    toast (self, error->message);
  reload_cases (self, self->case_id);
  return TRUE;
}

static void
on_images_chosen (GtkNativeDialog *dialog, int response, SalClinicPage *self)
{
  gboolean new_case = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "new-case"));

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));
      g_autoptr(GPtrArray) array = g_ptr_array_new_with_free_func (g_object_unref);

      for (guint i = 0; i < g_list_model_get_n_items (files); i++)
        g_ptr_array_add (array, g_list_model_get_item (files, i));
      sal_clinic_page_open_files (self, (GFile **) array->pdata, array->len, new_case);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
choose_images (SalClinicPage *self, gboolean new_case)
{
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  chooser = gtk_file_chooser_native_new (new_case ? _("Open Images as a New Case")
                                                  : _("Add Images to the Case"),
                                         parent_window (self), GTK_FILE_CHOOSER_ACTION_OPEN,
                                         _("_Open"), NULL);
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (chooser), TRUE);
  gtk_file_filter_set_name (filter, _("PNG images"));
  gtk_file_filter_add_mime_type (filter, "image/png");
  gtk_file_filter_add_pattern (filter, "*.png");
  gtk_file_filter_add_pattern (filter, "*.PNG");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  g_object_set_data (G_OBJECT (chooser), "new-case", GINT_TO_POINTER (new_case));
  g_signal_connect_object (chooser, "response", G_CALLBACK (on_images_chosen), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
add_images_action (GtkWidget *widget, const char *name, GVariant *param)
{
  SalClinicPage *self = SAL_CLINIC_PAGE (widget);

  adw_view_stack_set_visible_child_name (self->view_stack, "images");
  gtk_widget_activate_action (GTK_WIDGET (self->images), "images.add", NULL);
}

static void
open_images_action (GtkWidget *widget, const char *name, GVariant *param)
{
  choose_images (SAL_CLINIC_PAGE (widget), TRUE);
}

/* Files handed to `salient FILE…` wait in the window's model until the page has its
 * store; they open into one new case. */
static void
take_pending (SalClinicPage *self)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);
  guint n;

  if (self->pending == NULL || self->store == NULL || self->jobs == NULL)
    return;
  n = g_list_model_get_n_items (self->pending);
  if (n == 0)
    return;
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (files, g_list_model_get_item (self->pending, i));
  g_list_store_remove_all (G_LIST_STORE (self->pending));
  sal_clinic_page_open_files (self, (GFile **) files->pdata, files->len, TRUE);
}

static gboolean
take_pending_idle (gpointer data)
{
  SalClinicPage *self = data;

  self->pending_id = 0;
  take_pending (self);
  return G_SOURCE_REMOVE;
}

/* The window adds files one by one: take them together, as one case. */
static void
on_pending_changed (SalClinicPage *self)
{
  if (self->pending_id == 0 && g_list_model_get_n_items (self->pending) > 0)
    self->pending_id = g_idle_add_full (G_PRIORITY_DEFAULT, take_pending_idle, self, NULL);
}

/* ---- report ---- */

static void
report_done (SalClinicPage *self, SalClinicFilesResult *r, const GError *error, gpointer data)
{
  g_autofree char *text = NULL;

  if (error != NULL)
    text = g_strdup_printf (_("The report was not saved: %s"), error->message);
  else
    text = g_strdup_printf (_("Report saved as %s"), (const char *) data);
  toast (self, text);
}

void
sal_clinic_page_export_report (SalClinicPage *self, GFile *file)
{
  g_autofree char *path = NULL;
  g_autofree char *models_dir = NULL;

  g_return_if_fail (SAL_IS_CLINIC_PAGE (self));
  g_return_if_fail (G_IS_FILE (file));
  if (self->case_id == 0 || self->store == NULL)
    return;
  path = g_file_get_path (file);
  if (path == NULL)
    {
      toast (self, _("Reports can only be saved to a local folder"));
      return;
    }
  models_dir = sal_shipped_models_dir ();
  run_job (self, sal_clinic_report_job_new (self->store, self->case_id, models_dir, path),
           report_done, g_file_get_basename (file), g_free);
}

static void
on_report_chosen (GtkNativeDialog *dialog, int response, SalClinicPage *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (file != NULL)
        sal_clinic_page_export_report (self, file);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
export_action (GtkWidget *widget, const char *name, GVariant *param)
{
  SalClinicPage *self = SAL_CLINIC_PAGE (widget);
  g_autoptr(SalCase) c = sal_store_get_case (self->store, self->case_id, NULL);
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autofree char *suggested = NULL;
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("Export Case Report"), parent_window (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), NULL);
  gtk_file_filter_set_name (filter, _("PDF documents"));
  gtk_file_filter_add_mime_type (filter, "application/pdf");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  /* The pseudonym, never the title: a title may say more than a file name should. */
  suggested = g_strdup_printf ("salient-report-%s.pdf", c != NULL ? c->pseudonym : "case");
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), suggested);
  g_signal_connect_object (chooser, "response", G_CALLBACK (on_report_chosen), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* ---- store ---- */

void
sal_clinic_page_set_store (SalClinicPage *self, SalStore *store, SalJobQueue *jobs)
{
  g_autofree char *csv = NULL;

  g_return_if_fail (SAL_IS_CLINIC_PAGE (self));
  if (self->store == store && self->jobs == jobs)
    return;
  purge_pending (self);
  g_clear_pointer (&self->store, sal_store_unref);
  g_clear_object (&self->jobs);
  self->store = store != NULL ? sal_store_ref (store) : NULL;
  self->jobs = jobs != NULL ? g_object_ref (jobs) : NULL;
  self->case_id = 0;
  reload_cases (self, 0);
  update_actions (self);
  if (self->store == NULL || self->jobs == NULL)
    return;
  csv = g_build_filename (sal_data_dir (), "datasets", "wdbc.csv", NULL);
  run_job (self, sal_clinic_demo_job_new (self->store,
                                          g_file_test (csv, G_FILE_TEST_EXISTS) ? csv : NULL),
           demo_done, NULL, NULL);
  take_pending (self);
}

static void
on_map (GtkWidget *widget, SalClinicPage *self)
{
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkApplication *app = GTK_IS_WINDOW (root) ? gtk_window_get_application (GTK_WINDOW (root))
                                             : NULL;
  SalStore *store;
  g_autoptr(GError) error = NULL;

  if (SAL_IS_WINDOW (root) && self->pending == NULL)
    {
      self->pending = g_object_ref (sal_window_get_pending_files (SAL_WINDOW (root)));
      g_signal_connect_object (self->pending, "items-changed", G_CALLBACK (on_pending_changed),
                               self, G_CONNECT_SWAPPED);
    }
  if (self->store != NULL || !SAL_IS_APPLICATION (app))
    {
      take_pending (self);
      return;
    }
  /* The application owns the one connection and the one job queue. */
  store = sal_application_get_store (SAL_APPLICATION (app), &error);
  if (store == NULL)
    {
      toast (self, error->message);
      return;
    }
  sal_clinic_page_set_store (self, store, sal_application_get_job_queue (SAL_APPLICATION (app)));
}

/* ---- accessors ---- */

gint64
sal_clinic_page_get_case (SalClinicPage *self)
{
  g_return_val_if_fail (SAL_IS_CLINIC_PAGE (self), 0);
  return self->case_id;
}

GArray *
sal_clinic_page_list_shown (SalClinicPage *self)
{
  GArray *ids;

  g_return_val_if_fail (SAL_IS_CLINIC_PAGE (self), NULL);
  ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), self->row_ids->len);
  g_array_append_vals (ids, self->row_ids->data, self->row_ids->len);
  return ids;
}

void
sal_clinic_page_set_search (SalClinicPage *self, const char *text)
{
  g_return_if_fail (SAL_IS_CLINIC_PAGE (self));
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text != NULL ? text : "");
  /* The entry reports changes after a delay; the list follows now. */
  reload_cases (self, 0);
}

gboolean
sal_clinic_page_is_busy (SalClinicPage *self)
{
  g_return_val_if_fail (SAL_IS_CLINIC_PAGE (self), FALSE);
  return self->n_busy > 0 || sal_note_editor_is_busy (self->notes);
}

const char *
sal_clinic_page_get_last_toast (SalClinicPage *self)
{
  g_return_val_if_fail (SAL_IS_CLINIC_PAGE (self), NULL);
  return self->last_toast;
}

/* ---- class ---- */

static void
sal_clinic_page_dispose (GObject *object)
{
  SalClinicPage *self = SAL_CLINIC_PAGE (object);

  purge_pending (self);
  g_clear_handle_id (&self->pending_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  /* The bin's child is a bound template child: let AdwBin let go of it first. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), SAL_TYPE_CLINIC_PAGE);
  g_clear_object (&self->pending);
  G_OBJECT_CLASS (sal_clinic_page_parent_class)->dispose (object);
}

static void
sal_clinic_page_finalize (GObject *object)
{
  SalClinicPage *self = SAL_CLINIC_PAGE (object);

  g_clear_pointer (&self->store, sal_store_unref);
  g_clear_object (&self->jobs);
  g_clear_object (&self->cancellable);
  g_array_unref (self->row_ids);
  g_free (self->last_toast);
  G_OBJECT_CLASS (sal_clinic_page_parent_class)->finalize (object);
}

static void
sal_clinic_page_class_init (SalClinicPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sal_clinic_page_dispose;
  object_class->finalize = sal_clinic_page_finalize;

  g_type_ensure (SAL_TYPE_NOTE_EDITOR);
  g_type_ensure (SAL_TYPE_CASE_HISTORY);
  g_type_ensure (SAL_TYPE_CASE_IMAGES);
  g_type_ensure (SAL_TYPE_CASE_MEASUREMENTS);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/salient/Salient/sal-clinic-page.ui");
#define CHILD(name) gtk_widget_class_bind_template_child (widget_class, SalClinicPage, name)
  CHILD (toasts);
  CHILD (leaflet);
  CHILD (search_entry);
  CHILD (sidebar_stack);
  CHILD (case_list);
  CHILD (progress);
  CHILD (content_stack);
  CHILD (back_button);
  CHILD (case_title);
  CHILD (demo_tag);
  CHILD (case_subtitle);
  CHILD (view_stack);
  CHILD (images);
  CHILD (notes);
  CHILD (measurements);
  CHILD (history);
#undef CHILD

  gtk_widget_class_install_action (widget_class, "clinic.new-case", NULL, new_case_action);
  gtk_widget_class_install_action (widget_class, "clinic.open-images", NULL, open_images_action);
  gtk_widget_class_install_action (widget_class, "clinic.add-images", NULL, add_images_action);
  gtk_widget_class_install_action (widget_class, "clinic.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "clinic.rename", NULL, rename_action);
  gtk_widget_class_install_action (widget_class, "clinic.delete", NULL, delete_action);
  gtk_widget_class_install_action (widget_class, "clinic.undo-delete", NULL, undo_delete_action);
  gtk_widget_class_install_action (widget_class, "clinic.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "clinic.remove-demo", NULL, remove_demo_action);
  gtk_widget_class_install_action (widget_class, "clinic.back", NULL, back_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK,
                                       "clinic.new-case", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK,
                                       "clinic.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F2, 0, "clinic.rename", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "clinic.delete", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_E,
                                       GDK_CONTROL_MASK | GDK_SHIFT_MASK, "clinic.export", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK,
                                       "clinic.back", NULL);
}

static void
sal_clinic_page_init (SalClinicPage *self)
{
  GtkDropTarget *drop;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->row_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->cancellable = g_cancellable_new ();

  g_signal_connect_object (self->case_list, "row-selected", G_CALLBACK (on_row_selected), self, 0);
  g_signal_connect_object (self->case_list, "row-activated", G_CALLBACK (on_row_activated), self,
                           0);
  g_signal_connect_object (self->search_entry, "search-changed", G_CALLBACK (on_search_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->leaflet, "notify::folded", G_CALLBACK (update_actions), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->notes, "result-stored", G_CALLBACK (on_result_stored), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->images, "result-stored", G_CALLBACK (on_result_stored), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->measurements, "result-stored", G_CALLBACK (on_result_stored),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->history, "result-activated", G_CALLBACK (on_result_activated),
                           self, 0);
  g_signal_connect (self, "map", G_CALLBACK (on_map), self);

  /* PNGs dropped anywhere open as a new case; on the Images tab, into the shown one.
   * (The notes panel takes text drops itself.) */
  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (on_page_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (on_images_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self->images), GTK_EVENT_CONTROLLER (drop));

  gtk_stack_set_visible_child_name (self->content_stack, "empty");
  update_actions (self);
}

GtkWidget *
sal_clinic_page_new (void)
{
  return g_object_new (SAL_TYPE_CLINIC_PAGE, NULL);
}
