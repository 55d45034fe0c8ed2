/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-ui"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <stdlib.h>

#include "sal-store.h"

#include "sal-application.h"
#include "sal-datasets.h"
#include "sal-job-queue.h"
#include "sal-job-store.h"
#include "sal-markdown-view.h"
#include "sal-model-check.h"
#include "sal-model-describe.h"
#include "sal-model-info.h"
#include "sal-models-page.h"
#include "sal-models-page-private.h"

/* The Models workspace: the model library (shipped and imported models, each with a
 * detail page showing its card and what it is made of), importing a model as a
 * validated background job, the engine's status and the job monitor. */
G_DEFINE_FINAL_TYPE (SalModelsPage, sal_models_page, ADW_TYPE_BIN)

static void reload (SalModelsPage *self);

void
sal_models_page_toast (SalModelsPage *self, const char *text)
{
  adw_toast_overlay_add_toast (self->toasts, adw_toast_new (text));
}

static GtkWindow *
parent_window (SalModelsPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

SalApplication *
sal_models_page_get_app (SalModelsPage *self)
{
  GtkWindow *window = parent_window (self);
  GtkApplication *app = window != NULL ? gtk_window_get_application (window) : NULL;
  return SAL_IS_APPLICATION (app) ? SAL_APPLICATION (app) : NULL;
}

static void
show_dialog (SalModelsPage *self, GtkWidget *dialog)
{
  g_set_weak_pointer (&self->last_dialog, GTK_WINDOW (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
show_error_dialog (SalModelsPage *self, const char *heading, const char *body)
{
  GtkWidget *dialog = adw_message_dialog_new (parent_window (self), heading, body);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  show_dialog (self, dialog);
}

void
sal_models_page_update_engine_status (SalModelsPage *self)
{
  SalApplication *app = sal_models_page_get_app (self);
  int setting = app != NULL ? g_settings_get_int (sal_application_get_settings (app),
                                                  "engine-threads") : 0;
  guint running = 0, max = 0;
  g_autofree char *how = NULL;
  g_autofree char *text = NULL;
  g_autofree char *live = NULL;
  g_autofree char *peak = NULL;
  g_autofree char *mem = NULL;
  gint64 bytes_live, bytes_peak;

  if (self->jobs != NULL)
    {
      GListModel *list = G_LIST_MODEL (self->jobs);
      for (guint i = 0; i < g_list_model_get_n_items (list); i++)
        {
          g_autoptr(SalJob) job = g_list_model_get_item (list, i);
          if (sal_job_get_state (job) == SAL_JOB_STATE_RUNNING)
            running++;
        }
      max = sal_job_queue_get_max_threads (self->jobs);
    }
  else
    max = setting > 0 ? (guint) setting : sal_job_queue_default_threads ();
  how = setting > 0 ? g_strdup (_("set in Preferences"))
                    : g_strdup (_("automatic: cores − 1"));
  text = g_strdup_printf (ngettext ("%u busy of %u worker thread (%s)",
                                    "%u busy of %u worker threads (%s)", max),
                          running, max, how);
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
  guint shown = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->model_list))) != NULL)
    gtk_list_box_remove (self->model_list, child);
  sal_models_page_update_engine_status (self);
  if (self->store == NULL)
    return;
  models = sal_store_list_models (self->store, &error);
  if (models == NULL)
    {
      sal_models_page_toast (self, error->message);
      return;
    }
  for (guint i = 0; i < models->len; i++)
    {
      SalModelRecord *m = g_ptr_array_index (models, i);
      GtkWidget *row;
      g_autoptr(GDateTime) when = NULL;
      g_autofree char *date = NULL;
      g_autofree char *subtitle = NULL;
      g_autofree char *escaped = NULL;

      if (m->id == self->pending_remove)
        continue;
      row = adw_action_row_new ();
      when = g_date_time_new_from_unix_local (m->created_ms / 1000);
      date = g_date_time_format (when, "%x");
      escaped = g_markup_escape_text (m->name, -1);
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
      shown++;
    }
  if (shown == 0)
    {
      GtkWidget *row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No models yet"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                                   _("Import an ONNX file exported from PyTorch or another "
                                     "framework with Import Model…"));
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

  self->check_row = NULL;
  self->bench_row = NULL;
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

void
sal_models_page_set_row_text (AdwActionRow *row, const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);
  adw_action_row_set_subtitle (row, escaped);
}

static GtkWidget *
check_row_new (const char *title, const char *name, const char *button_label,
               const char *button_name, const char *action, const char *text)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *button = gtk_button_new_with_mnemonic (button_label);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_widget_set_name (row, name);
  g_object_set (row, "subtitle-lines", 0, NULL);
  sal_models_page_set_row_text (ADW_ACTION_ROW (row), text);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  button_name, -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  return row;
}

/* Self-check and latency, with the last results of this session. */
static void
add_checks_group (SalModelsPage *self, const SalModelRecord *record)
{
  GtkWidget *group = group_new (_("Checks"));
  gpointer key = GSIZE_TO_POINTER ((gsize) record->id);
  const char *check = g_hash_table_lookup (self->check_texts, key);
  const char *bench = g_hash_table_lookup (self->bench_texts, key);
  GtkWidget *row;

  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group),
    _("Run in the background; see Jobs in the library for progress."));
  row = check_row_new (_("Self-check"), "self-check-row", _("Run _Self-Check"),
                       _("Run the self-check of this model"), "models.self-check",
                       check != NULL ? check
                       : _("Not run yet. Runs the ONNX test data attached to the file (a "
                           "folder named like it with test_data_set_0 …), compares batch 1 "
                           "with a batch of 4, and the outputs before and after a reload."));
  self->check_row = ADW_ACTION_ROW (row);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  row = check_row_new (_("Latency"), "bench-row", _("_Benchmark"),
                       _("Benchmark this model"), "models.benchmark",
                       bench != NULL ? bench
                       : _("Not measured yet. Measures the median time of one run at batch "
                           "1 and at batch 64 on one engine thread."));
  self->bench_row = ADW_ACTION_ROW (row);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  gtk_box_append (self->detail_box, group);
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

  add_checks_group (self, record);

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
  sal_models_page_update_engine_status (self);
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
  SalModelInfo *info = sal_model_info_load_with_metadata (d->record->path,
                                                          d->record->metadata_json, FALSE,
                                                          &error);

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

static void
update_actions (SalModelsPage *self)
{
  gboolean have = self->current != NULL && self->store != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "models.remove",
                                 have && !self->current->shipped);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "models.self-check", have);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "models.benchmark", have);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "models.undo-remove",
                                 self->pending_remove > 0);
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
      sal_models_page_toast (self, error != NULL ? error->message : _("The model library is not open"));
      return;
    }
  g_clear_pointer (&self->current, sal_model_record_free);
  self->current = sal_store_get_model (self->store, id, NULL);
  update_actions (self);
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

static char *
empty_if_null (const char *s)
{
  return g_strdup (s != NULL ? s : "");
}

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
  result = g_new0 (char *, IMPORT_N + 1);
  result[IMPORT_NAME] = g_strdup (info->name);
  result[IMPORT_SHA256] = g_strdup (info->sha256);
  result[IMPORT_PATH] = g_strdup (path);
  result[IMPORT_KIND] = empty_if_null (info->input_kind);
  result[IMPORT_LABELS] = empty_if_null (info->labels);
  result[IMPORT_PREPROCESS] = empty_if_null (info->preprocess);
  result[IMPORT_N_CLASSES] = g_strdup_printf ("%d", info->n_classes);
  result[IMPORT_CHANNELS] = g_strdup_printf ("%d", info->image_channels);
  result[IMPORT_HEIGHT] = g_strdup_printf ("%d", info->image_height);
  result[IMPORT_WIDTH] = g_strdup_printf ("%d", info->image_width);
  return result;
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
add_model (SalModelsPage *self, GStrv out, const char *metadata_json)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;

  if (self->store == NULL)
    return;
  name = unique_name (self, out[IMPORT_NAME]);
  if (sal_store_put_model (self->store, name, out[IMPORT_PATH], out[IMPORT_SHA256], FALSE,
                           metadata_json, &error) <= 0)
    {
      show_error_dialog (self, _("Model Not Imported"), error->message);
      return;
    }
  reload (self);
  sal_models_page_toast (self, _("Model imported"));
}

static void
on_describe_response (AdwMessageDialog *dialog, const char *response, SalModelsPage *self)
{
  GStrv out = g_object_get_data (G_OBJECT (dialog), "import-result");
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;

  if (g_strcmp0 (response, "import") != 0)
    {
      sal_models_page_toast (self, _("Import cancelled; nothing was added"));
      return;
    }
  json = sal_model_describe_dialog_get_json (GTK_WIDGET (dialog), &error);
  if (json == NULL)
    {
      show_error_dialog (self, _("Model Not Imported"), error->message);
      return;
    }
  add_model (self, out, json);
}

void
sal_models_page_import_finished (SalModelsPage *self, SalJob *job)
{
  GStrv out;
  g_autoptr(SalModelRecord) existing = NULL;
  SalModelDescribeNeeds needs = { 0 };
  gboolean is_image;

  if (sal_job_get_state (job) == SAL_JOB_STATE_FAILED)
    {
      show_error_dialog (self, _("Model Not Imported"), sal_job_get_error_message (job));
      return;
    }
  out = sal_job_get_result (job);
  if (sal_job_get_state (job) != SAL_JOB_STATE_DONE || out == NULL || self->store == NULL)
    return;
  existing = sal_store_find_model_by_sha256 (self->store, out[IMPORT_SHA256], NULL);
  if (existing != NULL)
    {
      g_autofree char *msg = g_strdup_printf (_("This model is already in the library as “%s”"),
                                              existing->name);
      sal_models_page_toast (self, msg);
      return;
    }
  needs.input_kind = *out[IMPORT_KIND] != '\0' ? out[IMPORT_KIND] : NULL;
  needs.n_classes = atoi (out[IMPORT_N_CLASSES]);
  needs.image_channels = atoi (out[IMPORT_CHANNELS]);
  needs.image_height = atoi (out[IMPORT_HEIGHT]);
  needs.image_width = atoi (out[IMPORT_WIDTH]);
  needs.need_kind = needs.input_kind == NULL;
  /* A single output is a score or a regression: it needs no class names. */
  needs.need_labels = *out[IMPORT_LABELS] == '\0' && needs.n_classes != 1;
  is_image = g_strcmp0 (needs.input_kind, "image") == 0;
  needs.need_preprocess = *out[IMPORT_PREPROCESS] == '\0' && (is_image || needs.need_kind);
  if (needs.need_kind || needs.need_labels || (needs.need_preprocess && is_image))
    {
      GtkWidget *dialog = sal_model_describe_dialog_new (parent_window (self), out[IMPORT_NAME],
                                                         &needs);
      g_object_set_data_full (G_OBJECT (dialog), "import-result", g_strdupv (out),
                              (GDestroyNotify) g_strfreev);
      g_signal_connect_object (dialog, "response", G_CALLBACK (on_describe_response), self, 0);
      show_dialog (self, dialog);
      return;
    }
  add_model (self, out, "{}");
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
  sal_models_page_start_job (self, job, g_variant_new ("(xs)", (gint64) 0, path));
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
  gboolean any = FALSE;

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;
  files = gdk_file_list_get_files (g_value_get_boxed (value));
  for (GSList *l = files; l != NULL; l = l->next)
    {
      sal_models_page_import_file (self, l->data);
      any = TRUE;
    }
  g_slist_free (files);
  return any;
}

/* ---- remove, with undo ---- */

/* The undo time is over: the model leaves the store. */
static void
finish_removal (SalModelsPage *self)
{
  g_autoptr(GError) error = NULL;
  gint64 id = self->pending_remove;

  self->pending_remove = 0;
  self->remove_toast = NULL;
  if (id > 0 && self->store != NULL && !sal_store_remove_model (self->store, id, &error))
    {
      sal_models_page_toast (self, error->message);
      reload (self);
    }
  update_actions (self);
}

static void
on_remove_toast_dismissed (AdwToast *t, SalModelsPage *self)
{
  if (self->remove_toast == t)
    finish_removal (self);
}

static void
undo_remove_action (GtkWidget *widget, const char *name, GVariant *param)
{
  SalModelsPage *self = SAL_MODELS_PAGE (widget);

  if (self->pending_remove <= 0)
    return;
  /* The toast goes by itself (its button dismisses it; libadwaita 1.2 can crash when a
   * toast is dismissed from code while its animation runs); forgotten, it changes
   * nothing when it goes. */
  self->pending_remove = 0;
  self->remove_toast = NULL;
  reload (self);
  update_actions (self);
}

void
sal_models_page_commit_removals (SalModelsPage *self)
{
  g_return_if_fail (SAL_IS_MODELS_PAGE (self));
  /* The sal_models_page_toast, if still shown, is forgotten (see undo_remove_action); its Undo button
   * is disabled with the action. */
  if (self->pending_remove > 0)
    finish_removal (self);
}

static void
remove_action (GtkWidget *widget, const char *name, GVariant *param)
{
  SalModelsPage *self = SAL_MODELS_PAGE (widget);
  g_autoptr(GError) error = NULL;
  g_autofree char *msg = NULL;
  AdwToast *t;
  gint64 n;

  if (self->store == NULL || self->current == NULL || self->current->shipped)
    return;
  n = sal_store_count_model_results (self->store, self->current->sha256, &error);
  if (n < 0)
    {
      show_error_dialog (self, _("Model Not Removed"), error->message);
      return;
    }
  if (n > 0)
    {
      g_autofree char *body = g_strdup_printf (ngettext (
        "“%s” made %" PRId64 " stored result (an explanation in the Clinic). The "
        "model stays in the library while that result exists, so it can always be "
        "reproduced; delete the result first.",
        "“%s” made %" PRId64 " stored results (explanations in the Clinic). The "
        "model stays in the library while those results exist, so they can always be "
        "reproduced; delete the results first.", (gulong) MIN (n, G_MAXLONG)),
        self->current->name, n);
      show_error_dialog (self, _("Model Kept"), body);
      return;
    }
  sal_models_page_commit_removals (self);
  self->pending_remove = self->current->id;
  msg = g_strdup_printf (_("Removed “%s” from the library (the file itself is kept)"),
                         self->current->name);
  t = adw_toast_new (msg);
  adw_toast_set_button_label (t, _("_Undo"));
  adw_toast_set_action_name (t, "models.undo-remove");
  g_signal_connect_object (t, "dismissed", G_CALLBACK (on_remove_toast_dismissed), self, 0);
  self->remove_toast = t;
  g_clear_pointer (&self->current, sal_model_record_free);
  gtk_stack_set_visible_child_name (self->stack, "library");
  reload (self);
  update_actions (self);
  adw_toast_overlay_add_toast (self->toasts, t);
}

static void
back_action (GtkWidget *widget, const char *name, GVariant *param)
{
  SalModelsPage *self = SAL_MODELS_PAGE (widget);
  g_cancellable_cancel (self->detail_cancellable);
  g_clear_pointer (&self->current, sal_model_record_free);
  update_actions (self);
  gtk_stack_set_visible_child_name (self->stack, "library");
  sal_models_page_update_engine_status (self);
}

/* ---- store ---- */

static void
on_map (GtkWidget *widget, SalModelsPage *self)
{
  SalApplication *app = sal_models_page_get_app (self);
  SalStore *store;
  g_autoptr(GError) error = NULL;

  sal_models_page_ensure_jobs (self);
  sal_models_page_update_engine_status (self);
  if (self->store != NULL || app == NULL)
    return;
  /* The application owns the one connection and has registered the shipped models. */
  store = sal_application_get_store (app, &error);
  if (store == NULL)
    {
      sal_models_page_toast (self, error->message);
      return;
    }
  sal_models_page_set_store (self, store);
}

void
sal_models_page_set_store (SalModelsPage *self, SalStore *store)
{
  SalJobQueue *jobs;

  g_return_if_fail (SAL_IS_MODELS_PAGE (self));
  if (self->store == store)
    return;
  sal_models_page_commit_removals (self);
  g_clear_pointer (&self->store, sal_store_unref);
  g_clear_pointer (&self->current, sal_model_record_free);
  self->store = store != NULL ? sal_store_ref (store) : NULL;
  jobs = sal_models_page_ensure_jobs (self);
  if (self->store != NULL && jobs != NULL && !sal_job_store_is_attached (jobs))
    {
      g_autoptr(GError) error = NULL;

      /* The jobs go to the store's jobs table; those Salient was running when it
       * stopped are listed, retryable. Whichever page gets the store first does this. */
      sal_job_store_attach (jobs, self->store);
      sal_job_store_load_interrupted (jobs, self->store, &error);
      if (error != NULL)
        sal_models_page_toast (self, error->message);
    }
  update_actions (self);
  reload (self);
}

SalJobQueue *
sal_models_page_get_job_queue (SalModelsPage *self)
{
  g_return_val_if_fail (SAL_IS_MODELS_PAGE (self), NULL);
  return sal_models_page_ensure_jobs (self);
}

GtkWindow *
sal_models_page_get_last_dialog (SalModelsPage *self)
{
  g_return_val_if_fail (SAL_IS_MODELS_PAGE (self), NULL);
  return self->last_dialog;
}

const char *
sal_models_page_get_check_text (SalModelsPage *self)
{
  g_return_val_if_fail (SAL_IS_MODELS_PAGE (self), NULL);
  if (self->current == NULL)
    return NULL;
  return g_hash_table_lookup (self->check_texts, GSIZE_TO_POINTER ((gsize) self->current->id));
}

const char *
sal_models_page_get_bench_text (SalModelsPage *self)
{
  g_return_val_if_fail (SAL_IS_MODELS_PAGE (self), NULL);
  if (self->current == NULL)
    return NULL;
  return g_hash_table_lookup (self->bench_texts, GSIZE_TO_POINTER ((gsize) self->current->id));
}

static void
sal_models_page_dispose (GObject *object)
{
  SalModelsPage *self = SAL_MODELS_PAGE (object);

  /* A removal still in its undo time is done now, as when its toast goes. */
  self->remove_toast = NULL;
  finish_removal (self);
  g_cancellable_cancel (self->detail_cancellable);
  g_clear_object (&self->detail_cancellable);
  /* Jobs belong to the application's queue and may outlive the window. */
  if (self->jobs != NULL)
    g_signal_handlers_disconnect_by_data (self->jobs, self);
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
  g_clear_pointer (&self->current, sal_model_record_free);
  g_clear_pointer (&self->owned_jobs, g_hash_table_unref);
  g_clear_pointer (&self->check_texts, g_hash_table_unref);
  g_clear_pointer (&self->bench_texts, g_hash_table_unref);
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
  gtk_widget_class_install_action (widget_class, "models.undo-remove", NULL,
                                   undo_remove_action);
  gtk_widget_class_install_action (widget_class, "models.self-check", NULL, sal_models_page_self_check_action);
  gtk_widget_class_install_action (widget_class, "models.benchmark", NULL, sal_models_page_benchmark_action);
  gtk_widget_class_install_action (widget_class, "models.clear-finished", NULL,
                                   sal_models_page_clear_finished_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK,
                                       "models.import", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK,
                                       "models.back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "models.remove", NULL);
}

static void
sal_models_page_init (SalModelsPage *self)
{
  GtkDropTarget *drop;
  GtkWidget *placeholder;

  gtk_widget_init_template (GTK_WIDGET (self));
  /* Not a bound template child: AdwBin unparents its own child in dispose. */
  self->toasts = ADW_TOAST_OVERLAY (adw_bin_get_child (ADW_BIN (self)));
  self->owned_jobs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->check_texts = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->bench_texts = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  placeholder = adw_status_page_new ();
  adw_status_page_set_title (ADW_STATUS_PAGE (placeholder), _("No Jobs"));
  adw_status_page_set_description (ADW_STATUS_PAGE (placeholder),
                                   _("Imports and other engine work appear here, with their "
                                     "progress."));
  gtk_widget_add_css_class (placeholder, "compact");
  gtk_list_box_set_placeholder (self->job_list, placeholder);
  g_signal_connect (self, "map", G_CALLBACK (on_map), self);
  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
  update_actions (self);
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
