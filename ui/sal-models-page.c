/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "sal-store.h"

#include "sal-application.h"
#include "sal-datasets.h"
#include "sal-job-queue.h"
#include "sal-job-store.h"
#include "sal-markdown-view.h"
#include "sal-model-info.h"
#include "sal-models-page.h"

/* The Models workspace: the model library (shipped and imported models, each with a
 * detail page showing its card and what it is made of), importing a model as a
 * validated background job, the engine's status and the job monitor. */
struct _SalModelsPage
{
  AdwBin         parent_instance;

  AdwToastOverlay *toasts;
  GtkStack      *stack;
  GtkListBox    *model_list;
  AdwActionRow  *threads_row;
  AdwActionRow  *memory_row;
  GtkListBox    *job_list;
  GtkLabel      *detail_title;
  GtkBox        *detail_box;

  SalStore      *store;
  SalJobQueue   *jobs;
  gint64         current_id;
  GCancellable  *detail_cancellable;
  GtkWindow     *last_dialog;     /* weak; the last error dialog shown, for tests */
  gboolean       jobs_attached;
  gboolean       own_jobs;        /* not the application's */
};

G_DEFINE_FINAL_TYPE (SalModelsPage, sal_models_page, ADW_TYPE_BIN)

static void reload (SalModelsPage *self);

static void
toast (SalModelsPage *self, const char *text)
{
  adw_toast_overlay_add_toast (self->toasts, adw_toast_new (text));
}

static GtkWindow *
parent_window (SalModelsPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static void
update_engine_status (SalModelsPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkApplication *app = GTK_IS_WINDOW (root) ? gtk_window_get_application (GTK_WINDOW (root))
                                             : NULL;
  int threads = 0;
  g_autofree char *text = NULL;
  g_autofree char *live = NULL;
  g_autofree char *peak = NULL;
  g_autofree char *mem = NULL;
  gint64 bytes_live, bytes_peak;

  if (SAL_IS_APPLICATION (app))
    threads = g_settings_get_int (sal_application_get_settings (SAL_APPLICATION (app)),
                                  "engine-threads");
  if (threads > 0)
    text = g_strdup_printf (_("%d (set in Preferences)"), threads);
  else
    text = g_strdup_printf (_("%u (automatic: cores − 1)"), sal_job_queue_default_threads ());
  adw_action_row_set_subtitle (self->threads_row, text);

  sal_model_info_engine_memory (&bytes_live, &bytes_peak);
  live = g_format_size (MAX (bytes_live, 0));
  peak = g_format_size (MAX (bytes_peak, 0));
  mem = g_strdup_printf (_("%s now, at most %s so far"), live, peak);
  adw_action_row_set_subtitle (self->memory_row, mem);
}

/* ---- library ---- */

static void
on_model_row_activated (AdwActionRow *row, SalModelsPage *self)
{
  gint64 id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (row), "model-id"));
  sal_models_page_open_model (self, id);
}

static void
reload (SalModelsPage *self)
{
  g_autoptr(GPtrArray) models = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->model_list))) != NULL)
    gtk_list_box_remove (self->model_list, child);
  update_engine_status (self);
  if (self->store == NULL)
    return;
  models = sal_store_list_models (self->store, &error);
  if (models == NULL)
    {
      toast (self, error->message);
      return;
    }
  if (models->len == 0)
    {
      GtkWidget *row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No models yet"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                                   _("Import an ONNX file exported from PyTorch or another "
                                     "framework with Import Model…"));
      gtk_list_box_append (self->model_list, row);
      return;
    }
  for (guint i = 0; i < models->len; i++)
    {
      SalModelRecord *m = g_ptr_array_index (models, i);
      GtkWidget *row = adw_action_row_new ();
      g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (m->created_ms / 1000);
      g_autofree char *date = g_date_time_format (when, "%x");
      g_autofree char *subtitle = NULL;
      g_autofree char *escaped = g_markup_escape_text (m->name, -1);

      subtitle = m->shipped ? g_strdup (_("Shipped with Salient"))
                            : g_strdup_printf (_("Imported %s"), date);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), escaped);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 gtk_image_new_from_icon_name ("go-next-symbolic"));
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      g_object_set_data (G_OBJECT (row), "model-id", GSIZE_TO_POINTER ((gsize) m->id));
      g_signal_connect (row, "activated", G_CALLBACK (on_model_row_activated), self);
      gtk_list_box_append (self->model_list, row);
    }
}

/* ---- detail ---- */

static GtkWidget *
field_row (const char *title, const char *value)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *escaped = g_markup_escape_text (value != NULL ? value : "", -1);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), escaped);
  g_object_set (row, "subtitle-lines", 0, NULL);
  return row;
}

static GtkWidget *
group_new (const char *title)
{
  GtkWidget *group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  return group;
}

static void
clear_detail (SalModelsPage *self)
{
  GtkWidget *child;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->detail_box))) != NULL)
    gtk_box_remove (self->detail_box, child);
}

static char *
join_lines (GPtrArray *lines)
{
  g_autoptr(GString) s = g_string_new (NULL);
  for (guint i = 0; i < lines->len; i++)
    g_string_append_printf (s, "%s%s", i > 0 ? "\n" : "", (char *) g_ptr_array_index (lines, i));
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static void
show_info (SalModelsPage *self, const SalModelRecord *record, const SalModelInfo *info)
{
  GtkWidget *group, *frame, *view;
  g_autofree char *inputs = join_lines (info->inputs);
  g_autofree char *outputs = join_lines (info->outputs);
  g_autofree char *params = g_strdup_printf ("%'" G_GINT64_FORMAT, info->n_parameters);
  g_autofree char *size = g_format_size (info->file_size);
  g_autofree char *held = g_format_size (MAX (info->bytes_held, 0));
  g_autofree char *ops = g_strdup_printf (ngettext ("%s (%u node, opset %d)",
                                                    "%s (%u nodes, opset %d)", info->n_nodes),
                                          info->op_types, info->n_nodes, info->opset);
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (record->created_ms / 1000);
  g_autofree char *date = g_date_time_format (when, "%x %X");
  g_autofree char *origin = record->shipped
    ? g_strdup_printf (_("Shipped with Salient: %s"), record->path)
    : g_strdup_printf (_("Imported from %s on %s"), record->path, date);

  clear_detail (self);
  group = group_new (_("What it does"));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group),
                             field_row (_("Task"), info->task != NULL ? info->task
                                                                     : _("Not stated")));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group),
                             field_row (_("Input kind"), info->input_kind != NULL
                                                         ? info->input_kind : _("Not stated")));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group),
                             field_row (_("Labels"), info->labels != NULL ? info->labels
                                                                         : _("Not stated")));
  if (info->preprocess != NULL)
    adw_preferences_group_add (ADW_PREFERENCES_GROUP (group),
                               field_row (_("Preprocessing"), info->preprocess));
  gtk_box_append (self->detail_box, group);

  group = group_new (_("Inputs and outputs"));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), field_row (_("Inputs"), inputs));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), field_row (_("Outputs"), outputs));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), field_row (_("Operators"), ops));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), field_row (_("Parameters"), params));
  gtk_box_append (self->detail_box, group);

  group = group_new (_("File"));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), field_row (_("Where it came from"),
                                                                       origin));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), field_row (_("File size"), size));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), field_row (_("Memory when loaded"),
                                                                       held));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), field_row (_("SHA-256"),
                                                                       info->sha256));
  if (info->producer != NULL && *info->producer != '\0')
    adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), field_row (_("Producer"),
                                                                         info->producer));
  for (guint i = 0; i < info->warnings->len; i++)
    adw_preferences_group_add (ADW_PREFERENCES_GROUP (group),
                               field_row (_("Warning"), g_ptr_array_index (info->warnings, i)));
  gtk_box_append (self->detail_box, group);

  group = group_new (_("Model card"));
  view = sal_markdown_view_new (info->card != NULL
                                ? info->card
                                : _("This model has no model card. Ask whoever made it for its "
                                    "intended use, training data, metrics and limitations."));
  gtk_widget_set_name (view, "model-card");
  gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Model card"), -1);
  frame = gtk_frame_new (NULL);
  gtk_frame_set_child (GTK_FRAME (frame), view);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), frame);
  gtk_box_append (self->detail_box, group);
  update_engine_status (self);
}

typedef struct {
  SalModelsPage  *self;
  SalModelRecord *record;
} DetailData;

static void
detail_data_free (DetailData *d)
{
  g_object_unref (d->self);
  sal_model_record_free (d->record);
  g_free (d);
}

static void
info_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  DetailData *d = task_data;
  GError *error = NULL;
  SalModelInfo *info = sal_model_info_load (d->record->path, FALSE, &error);

  if (info == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, info, (GDestroyNotify) sal_model_info_free);
}

static void
info_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  DetailData *d = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autoptr(SalModelInfo) info = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (info == NULL)
    {
      clear_detail (d->self);
      gtk_box_append (d->self->detail_box, field_row (_("This model cannot be loaded"),
                                                      error->message));
      return;
    }
  show_info (d->self, d->record, info);
}

void
sal_models_page_open_model (SalModelsPage *self, gint64 id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SalModelRecord) record = NULL;
  g_autoptr(GTask) task = NULL;
  DetailData *d;
  GtkWidget *spinner;

  g_return_if_fail (SAL_IS_MODELS_PAGE (self));
  if (self->store == NULL || (record = sal_store_get_model (self->store, id, &error)) == NULL)
    {
      toast (self, error != NULL ? error->message : _("The model library is not open"));
      return;
    }
  self->current_id = id;
  gtk_label_set_text (self->detail_title, record->name);
  clear_detail (self);
  spinner = gtk_spinner_new ();
  gtk_spinner_start (GTK_SPINNER (spinner));
  gtk_box_append (self->detail_box, spinner);
  gtk_stack_set_visible_child_name (self->stack, "detail");

  g_cancellable_cancel (self->detail_cancellable);
  g_clear_object (&self->detail_cancellable);
  self->detail_cancellable = g_cancellable_new ();
  d = g_new0 (DetailData, 1);
  d->self = g_object_ref (self);
  d->record = g_steal_pointer (&record);
  task = g_task_new (NULL, self->detail_cancellable, info_done, NULL);
  g_task_set_task_data (task, d, (GDestroyNotify) detail_data_free);
  g_task_run_in_thread (task, info_thread);
}

gboolean
sal_models_page_detail_ready (SalModelsPage *self)
{
  GtkWidget *first = gtk_widget_get_first_child (GTK_WIDGET (self->detail_box));
  return first != NULL && !GTK_IS_SPINNER (first);
}

/* ---- import ---- */

static gpointer
import_run (SalJob *job, gpointer inputs, GCancellable *cancellable, GError **error)
{
  const char *path = inputs;
  g_autoptr(SalModelInfo) info = NULL;
  GStrv result;

  sal_job_report_progress (job, 0.1, _("Checking the file"));
  info = sal_model_info_load (path, TRUE, error);
  if (info == NULL)
    return NULL;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  sal_job_report_progress (job, 1.0, _("Checked"));
  result = g_new0 (char *, 4);
  result[0] = g_strdup (info->name);
  result[1] = g_strdup (info->sha256);
  result[2] = g_strdup (path);
  return result;
}

static void
show_error_dialog (SalModelsPage *self, const char *heading, const char *body)
{
  GtkWidget *dialog = adw_message_dialog_new (parent_window (self), heading, body);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  g_set_weak_pointer (&self->last_dialog, GTK_WINDOW (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The store updates the row of the same name: never let an import replace another
 * model (a shipped one above all), so give it a name of its own. */
static char *
unique_name (SalModelsPage *self, const char *base)
{
  g_autoptr(GPtrArray) models = sal_store_list_models (self->store, NULL);
  char *name = g_strdup (base);

  for (guint k = 2; models != NULL; k++)
    {
      gboolean taken = FALSE;
      for (guint i = 0; i < models->len && !taken; i++)
        taken = g_strcmp0 (((SalModelRecord *) g_ptr_array_index (models, i))->name, name) == 0;
      if (!taken)
        break;
      g_free (name);
      name = g_strdup_printf ("%s (%u)", base, k);
    }
  return name;
}

static void
import_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(SalModelsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) out = sal_job_queue_submit_finish (SAL_JOB_QUEUE (source), result, &error);
  g_autoptr(SalModelRecord) existing = NULL;
  g_autofree char *name = NULL;
  gint64 id;

  if (out == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_error_dialog (self, _("Model Not Imported"), error->message);
      return;
    }
  if (self->store == NULL)
    return;
  existing = sal_store_find_model_by_sha256 (self->store, out[1], NULL);
  if (existing != NULL)
    {
      g_autofree char *msg = g_strdup_printf (_("This model is already in the library as “%s”"),
                                              existing->name);
      toast (self, msg);
      return;
    }
  name = unique_name (self, out[0]);
  id = sal_store_put_model (self->store, name, out[2], out[1], FALSE, "{}", &error);
  if (id <= 0)
    {
      show_error_dialog (self, _("Model Not Imported"), error->message);
      return;
    }
  reload (self);
  toast (self, _("Model imported"));
}

void
sal_models_page_import_file (SalModelsPage *self, GFile *file)
{
  g_autofree char *path = g_file_get_path (file);
  g_autofree char *base = g_file_get_basename (file);
  g_autofree char *title = NULL;
  g_autoptr(SalJob) job = NULL;

  g_return_if_fail (SAL_IS_MODELS_PAGE (self));
  if (path == NULL)
    {
      show_error_dialog (self, _("Model Not Imported"),
                         _("Only files on this computer can be imported."));
      return;
    }
  title = g_strdup_printf (_("Import %s"), base);
  job = sal_job_new ("model-import", title, SAL_JOB_PRIORITY_INTERACTIVE, G_TYPE_STRV,
                     import_run, g_strdup (path), (GBoxedCopyFunc) g_strdup, g_free);
  sal_job_queue_submit_async (self->jobs, job, NULL, import_done, g_object_ref (self));
}

static void
on_import_response (GtkNativeDialog *dialog, int response, SalModelsPage *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      sal_models_page_import_file (self, file);
    }
  g_object_unref (dialog);
}

static void
import_action (GtkWidget *widget, const char *name, GVariant *param)
{
  SalModelsPage *self = SAL_MODELS_PAGE (widget);
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  chooser = gtk_file_chooser_native_new (_("Import Model"), parent_window (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Import"), NULL);
  gtk_file_filter_set_name (filter, _("ONNX models"));
  gtk_file_filter_add_pattern (filter, "*.onnx");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_import_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static gboolean
on_drop (GtkDropTarget *target, const GValue *value, double x, double y, SalModelsPage *self)
{
  GSList *files;

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;
  files = gdk_file_list_get_files (g_value_get_boxed (value));
  for (GSList *l = files; l != NULL; l = l->next)
    sal_models_page_import_file (self, l->data);
  g_slist_free (files);
  return files != NULL;
}

/* ---- remove ---- */

static void
remove_action (GtkWidget *widget, const char *name, GVariant *param)
{
  SalModelsPage *self = SAL_MODELS_PAGE (widget);
  g_autoptr(GError) error = NULL;
  g_autoptr(SalModelRecord) record = NULL;

  if (self->store == NULL || self->current_id <= 0)
    return;
  record = sal_store_get_model (self->store, self->current_id, NULL);
  if (!sal_store_remove_model (self->store, self->current_id, &error))
    {
      show_error_dialog (self, _("Model Not Removed"), error->message);
      return;
    }
  self->current_id = 0;
  gtk_stack_set_visible_child_name (self->stack, "library");
  reload (self);
  if (record != NULL)
    {
      g_autofree char *msg = g_strdup_printf (_("Removed “%s” from the library (the file "
                                                "itself is kept)"), record->name);
      toast (self, msg);
    }
}

static void
back_action (GtkWidget *widget, const char *name, GVariant *param)
{
  SalModelsPage *self = SAL_MODELS_PAGE (widget);
  g_cancellable_cancel (self->detail_cancellable);
  gtk_stack_set_visible_child_name (self->stack, "library");
  update_engine_status (self);
}

/* ---- jobs ---- */

static void
update_job_row (SalJob *job, GParamSpec *pspec, GtkWidget *row)
{
  GtkProgressBar *bar = g_object_get_data (G_OBJECT (row), "bar");
  GtkWidget *cancel = g_object_get_data (G_OBJECT (row), "cancel");
  GtkWidget *retry = g_object_get_data (G_OBJECT (row), "retry");
  SalJobState state = sal_job_get_state (job);
  GDateTime *start = sal_job_get_start_time (job);
  GDateTime *end = sal_job_get_end_time (job);
  g_autoptr(GString) sub = g_string_new (sal_job_state_describe (state));

  if (start != NULL && end != NULL)
    {
      double secs = g_date_time_difference (end, start) / (double) G_TIME_SPAN_SECOND;
      g_string_append_printf (sub, _(" · took %.1f s"), secs);
    }
  if (state == SAL_JOB_STATE_RUNNING && sal_job_get_status (job) != NULL)
    g_string_append_printf (sub, " · %s", sal_job_get_status (job));
  if (sal_job_get_error_message (job) != NULL && state != SAL_JOB_STATE_CANCELLED)
    g_string_append_printf (sub, " · %s", sal_job_get_error_message (job));
  {
    g_autofree char *escaped = g_markup_escape_text (sub->str, -1);
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), escaped);
  }
  gtk_progress_bar_set_fraction (bar, sal_job_get_progress (job));
  gtk_widget_set_visible (GTK_WIDGET (bar), !sal_job_is_finished (job));
  gtk_widget_set_visible (cancel, !sal_job_is_finished (job));
  gtk_widget_set_visible (retry, sal_job_can_retry (job));
}

static void
on_cancel_clicked (GtkButton *button, SalJob *job)
{
  sal_job_cancel (job);
}

static void
on_retry_clicked (GtkButton *button, SalJob *job)
{
  SalModelsPage *self = SAL_MODELS_PAGE (gtk_widget_get_ancestor (GTK_WIDGET (button),
                                                                  SAL_TYPE_MODELS_PAGE));
  g_autoptr(GError) error = NULL;
  SalJob *again = sal_job_queue_retry (self->jobs, job, &error);

  if (again == NULL)
    toast (self, error->message);
}

static GtkWidget *
create_job_row (gpointer item, gpointer user_data)
{
  SalJob *job = item;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *bar = gtk_progress_bar_new ();
  GtkWidget *cancel = gtk_button_new_with_mnemonic (_("_Cancel"));
  GtkWidget *retry = gtk_button_new_with_mnemonic (_("_Retry"));
  g_autofree char *title = g_markup_escape_text (sal_job_get_title (job), -1);
  g_autofree char *cancel_name = g_strdup_printf (_("Cancel %s"), sal_job_get_title (job));
  g_autofree char *retry_name = g_strdup_printf (_("Retry %s"), sal_job_get_title (job));

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  g_object_set (row, "subtitle-lines", 0, NULL);
  gtk_widget_set_valign (bar, GTK_ALIGN_CENTER);
  gtk_widget_set_size_request (bar, 120, -1);
  gtk_widget_set_valign (cancel, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (retry, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (cancel), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  cancel_name, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (retry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  retry_name, -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), bar);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), cancel);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), retry);
  g_object_set_data (G_OBJECT (row), "bar", bar);
  g_object_set_data (G_OBJECT (row), "cancel", cancel);
  g_object_set_data (G_OBJECT (row), "retry", retry);
  g_signal_connect_object (cancel, "clicked", G_CALLBACK (on_cancel_clicked), job, 0);
  g_signal_connect_object (retry, "clicked", G_CALLBACK (on_retry_clicked), job, 0);
  g_signal_connect_object (job, "notify", G_CALLBACK (update_job_row), row, 0);
  update_job_row (job, NULL, row);
  return row;
}

static void
clear_finished_action (GtkWidget *widget, const char *name, GVariant *param)
{
  SalModelsPage *self = SAL_MODELS_PAGE (widget);
  sal_job_queue_clear_finished (self->jobs);
}

/* ---- store ---- */

/* The job monitor shows the application's one queue (the Fitness page's imports run
 * there too) once the page is in one of its windows; before that, its own. */
static void
adopt_app_queue (SalModelsPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkApplication *app = GTK_IS_WINDOW (root) ? gtk_window_get_application (GTK_WINDOW (root))
                                             : NULL;
  SalJobQueue *queue;

  if (!SAL_IS_APPLICATION (app))
    return;
  queue = sal_application_get_job_queue (SAL_APPLICATION (app));
  if (queue == self->jobs)
    return;
  if (self->jobs != NULL)
    sal_job_queue_cancel_all (self->jobs);
  g_set_object (&self->jobs, queue);
  self->own_jobs = FALSE;
  self->jobs_attached = FALSE;
  gtk_list_box_bind_model (self->job_list, G_LIST_MODEL (self->jobs), create_job_row, self,
                           NULL);
}

static void
on_map (GtkWidget *widget, SalModelsPage *self)
{
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkApplication *app = GTK_IS_WINDOW (root) ? gtk_window_get_application (GTK_WINDOW (root))
                                             : NULL;
  SalStore *store;
  g_autoptr(GError) error = NULL;

  update_engine_status (self);
  adopt_app_queue (self);
  if (self->store != NULL || !SAL_IS_APPLICATION (app))
    return;
  /* The application owns the one connection and has registered the shipped models. */
  store = sal_application_get_store (SAL_APPLICATION (app), &error);
  if (store == NULL)
    {
      toast (self, error->message);
      return;
    }
  sal_models_page_set_store (self, store);
}

void
sal_models_page_set_store (SalModelsPage *self, SalStore *store)
{
  g_return_if_fail (SAL_IS_MODELS_PAGE (self));
  if (self->store == store)
    return;
  g_clear_pointer (&self->store, sal_store_unref);
  self->store = store != NULL ? sal_store_ref (store) : NULL;
  adopt_app_queue (self);
  /* A queue is attached to one store once (the application's may already be). */
  if (self->store != NULL && !self->jobs_attached
      && g_object_get_data (G_OBJECT (self->jobs), "sal-job-store") != self->store)
    {
      g_object_set_data (G_OBJECT (self->jobs), "sal-job-store", self->store);
      g_autoptr(GError) error = NULL;

      /* The monitor's jobs go to the store's jobs table; those Salient was running
       * when it stopped are listed, retryable. */
      sal_job_store_attach (self->jobs, self->store);
      self->jobs_attached = TRUE;
      sal_job_store_load_interrupted (self->jobs, self->store, &error);
      if (error != NULL)
        toast (self, error->message);
    }
  reload (self);
}

SalJobQueue *
sal_models_page_get_job_queue (SalModelsPage *self)
{
  g_return_val_if_fail (SAL_IS_MODELS_PAGE (self), NULL);
  return self->jobs;
}

GtkWindow *
sal_models_page_get_last_dialog (SalModelsPage *self)
{
  g_return_val_if_fail (SAL_IS_MODELS_PAGE (self), NULL);
  return self->last_dialog;
}

static void
sal_models_page_dispose (GObject *object)
{
  SalModelsPage *self = SAL_MODELS_PAGE (object);

  g_cancellable_cancel (self->detail_cancellable);
  g_clear_object (&self->detail_cancellable);
  /* The application's queue also runs other pages' jobs: those are theirs to cancel. */
  if (self->jobs != NULL && self->own_jobs)
    sal_job_queue_cancel_all (self->jobs);
  g_clear_weak_pointer (&self->last_dialog);
  gtk_widget_dispose_template (GTK_WIDGET (object), SAL_TYPE_MODELS_PAGE);
  G_OBJECT_CLASS (sal_models_page_parent_class)->dispose (object);
}

static void
sal_models_page_finalize (GObject *object)
{
  SalModelsPage *self = SAL_MODELS_PAGE (object);

  g_clear_object (&self->jobs);
  g_clear_pointer (&self->store, sal_store_unref);
  G_OBJECT_CLASS (sal_models_page_parent_class)->finalize (object);
}

static void
sal_models_page_class_init (SalModelsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sal_models_page_dispose;
  object_class->finalize = sal_models_page_finalize;
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/salient/Salient/sal-models-page.ui");
  gtk_widget_class_bind_template_child (widget_class, SalModelsPage, stack);
  gtk_widget_class_bind_template_child (widget_class, SalModelsPage, model_list);
  gtk_widget_class_bind_template_child (widget_class, SalModelsPage, threads_row);
  gtk_widget_class_bind_template_child (widget_class, SalModelsPage, memory_row);
  gtk_widget_class_bind_template_child (widget_class, SalModelsPage, job_list);
  gtk_widget_class_bind_template_child (widget_class, SalModelsPage, detail_title);
  gtk_widget_class_bind_template_child (widget_class, SalModelsPage, detail_box);
  gtk_widget_class_install_action (widget_class, "models.import", NULL, import_action);
  gtk_widget_class_install_action (widget_class, "models.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "models.remove", NULL, remove_action);
  gtk_widget_class_install_action (widget_class, "models.clear-finished", NULL,
                                   clear_finished_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK,
                                       "models.import", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK,
                                       "models.back", NULL);
}

static void
sal_models_page_init (SalModelsPage *self)
{
  GtkDropTarget *drop;
  GtkWidget *placeholder;

  gtk_widget_init_template (GTK_WIDGET (self));
  /* Not a bound template child: AdwBin unparents its own child in dispose. */
  self->toasts = ADW_TOAST_OVERLAY (adw_bin_get_child (ADW_BIN (self)));
  self->jobs = sal_job_queue_new (1);
  self->own_jobs = TRUE;
  placeholder = adw_status_page_new ();
  adw_status_page_set_title (ADW_STATUS_PAGE (placeholder), _("No Jobs"));
  adw_status_page_set_description (ADW_STATUS_PAGE (placeholder),
                                   _("Imports and other engine work appear here, with their "
                                     "progress."));
  gtk_widget_add_css_class (placeholder, "compact");
  gtk_list_box_set_placeholder (self->job_list, placeholder);
  gtk_list_box_bind_model (self->job_list, G_LIST_MODEL (self->jobs), create_job_row, self,
                           NULL);
  g_signal_connect (self, "map", G_CALLBACK (on_map), self);
  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
}

GtkWidget *
sal_models_page_new (void)
{
  return g_object_new (SAL_TYPE_MODELS_PAGE, NULL);
}

guint
sal_models_page_get_n_models (SalModelsPage *self)
{
  guint n = 0;

  g_return_val_if_fail (SAL_IS_MODELS_PAGE (self), 0);
  for (GtkWidget *c = gtk_widget_get_first_child (GTK_WIDGET (self->model_list)); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    if (g_object_get_data (G_OBJECT (c), "model-id") != NULL)
      n++;
  return n;
}
