/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "sal-models-page-private.h"
#include "sal-model-check.h"

/* The Models page's jobs: a model's self-check and benchmark (results kept per model for
 * the session and shown on its card) and the job monitor, which lists every job of the
 * application's one queue with progress, duration, failure reason, cancel and retry. */

/* ---- jobs this page starts ---- */

/* What a model job works on: a copy travels to the worker. */
typedef struct {
  gint64  id;
  char   *path;
  char   *metadata_json;
} ModelJobInput;

static gpointer
model_job_input_copy (gpointer p)
{
  ModelJobInput *in = p, *out = g_new0 (ModelJobInput, 1);
  out->id = in->id;
  out->path = g_strdup (in->path);
  out->metadata_json = g_strdup (in->metadata_json);
  return out;
}

static void
model_job_input_free (gpointer p)
{
  ModelJobInput *in = p;
  g_free (in->path);
  g_free (in->metadata_json);
  g_free (in);
}

void
sal_models_page_start_job (SalModelsPage *self, SalJob *job, GVariant *params)
{
  SalJobQueue *jobs = sal_models_page_ensure_jobs (self);

  if (jobs == NULL)
    {
      g_variant_unref (g_variant_ref_sink (params));
      sal_models_page_toast (self, _("The job service is not running"));
      return;
    }
  sal_job_set_params (job, params);
  g_hash_table_add (self->owned_jobs, g_strdup (sal_job_get_id (job)));
  sal_job_queue_push (jobs, job);
}

static gint64
job_model_id (SalJob *job)
{
  GVariant *params = sal_job_get_params (job);
  gint64 id = 0;

  if (params != NULL && g_variant_is_of_type (params, G_VARIANT_TYPE ("(xs)")))
    g_variant_get (params, "(x&s)", &id, NULL);
  return id;
}

static char *
format_ms (double ms)
{
  if (ms < 1.0)
    return g_strdup_printf (_("%.3g µs"), ms * 1000.0);
  return g_strdup_printf (_("%.3g ms"), ms);
}

/* ---- self-check ---- */

static void
check_progress (double fraction, const char *status, gpointer job)
{
  sal_job_report_progress (job, fraction, status);
}

static gpointer
check_run (SalJob *job, gpointer inputs, GCancellable *cancellable, GError **error)
{
  ModelJobInput *in = inputs;
  SalModelCheck check;
  g_autoptr(GString) text = g_string_new (NULL);
  char **result;

  if (!sal_model_check_run (in->path, in->metadata_json, check_progress, job, cancellable,
                            &check, error))
    {
      sal_model_check_clear (&check);
      return NULL;
    }
  g_string_append (text, check.passed ? _("Passed.") : _("Failed."));
  g_string_append_c (text, '\n');
  if (check.test_data_dir != NULL)
    g_string_append_printf (text, ngettext ("Attached test data: %u set, %u of %u outputs "
                                            "match; largest error %.3g.",
                                            "Attached test data: %u sets, %u of %u outputs "
                                            "match; largest error %.3g.", check.n_test_sets),
                            check.n_test_sets, check.n_test_outputs - check.n_test_mismatched,
                            check.n_test_outputs, check.test_max_error);
  else
    g_string_append (text, _("No test data is attached to the file."));
  g_string_append_c (text, '\n');
  if (check.batch_n > 0)
    g_string_append_printf (text, _("Batch 1 against batch %d: largest difference %.3g."),
                            check.batch_n, check.batch_max_diff);
  else
    g_string_append_printf (text, _("Batch 1 against a larger batch: not compared (%s)."),
                            check.batch_skipped);
  g_string_append_c (text, '\n');
  g_string_append_printf (text, _("Before and after a reload: largest difference %.3g."),
                          check.reload_max_diff);
  result = g_new0 (char *, 3);
  result[0] = g_strdup (check.passed ? "passed" : "failed");
  result[1] = g_strdup (text->str);
  sal_model_check_clear (&check);
  return result;
}

/* `title` is taken. */
static void
start_model_job (SalModelsPage *self, const char *kind, char *title, SalJobFunc func,
                 GType result_type)
{
  ModelJobInput in = { 0 };
  g_autoptr(SalJob) job = NULL;

  if (self->current == NULL)
    {
      g_free (title);
      return;
    }
  in.id = self->current->id;
  in.path = self->current->path;
  in.metadata_json = self->current->metadata_json;
  job = sal_job_new (kind, title, SAL_JOB_PRIORITY_INTERACTIVE, result_type, func,
                     model_job_input_copy (&in), model_job_input_copy, model_job_input_free);
  g_free (title);
  sal_models_page_start_job (self, job, g_variant_new ("(xs)", in.id, in.path));
}

void
sal_models_page_self_check_action (GtkWidget *widget, const char *name, GVariant *param)
{
  SalModelsPage *self = SAL_MODELS_PAGE (widget);

  if (self->current == NULL)
    return;
  /* TRANSLATORS: a job title; %s is the model's name */
  start_model_job (self, "model-check", g_strdup_printf (_("Self-check %s"), self->current->name),
                   check_run, G_TYPE_STRV);
  if (self->check_row != NULL)
    sal_models_page_set_row_text (self->check_row, _("Running…"));
}

/* ---- benchmark ---- */

static gpointer
bench_run (SalJob *job, gpointer inputs, GCancellable *cancellable, GError **error)
{
  ModelJobInput *in = inputs;
  SalModelBench b1, b64;
  g_autoptr(GError) local = NULL;
  g_autofree char *m1 = NULL, *p10 = NULL, *p90 = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  char **result;

  sal_job_report_progress (job, 0.0, _("Batch 1"));
  if (!sal_model_bench (in->path, 1, 30, cancellable, &b1, error))
    return NULL;
  m1 = format_ms (b1.median_ms);
  p10 = format_ms (b1.p10_ms);
  p90 = format_ms (b1.p90_ms);
  g_string_append_printf (text, _("Batch 1: median %s (10%%: %s, 90%%: %s) over %d runs."),
                          m1, p10, p90, b1.runs);
  g_string_append_c (text, '\n');
  sal_job_report_progress (job, 0.3, _("Batch 64"));
  if (sal_model_bench (in->path, 64, 10, cancellable, &b64, &local))
    {
      g_autofree char *m64 = format_ms (b64.median_ms);
      g_autofree char *per = format_ms (b64.median_ms / 64);
      g_string_append_printf (text, _("Batch 64: median %s, %s per sample, over %d runs."),
                              m64, per, b64.runs);
    }
  else if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  else
    g_string_append_printf (text, _("Batch 64: not measured (%s)."), local->message);
  g_string_append_c (text, '\n');
  g_string_append (text, _("One engine thread, seeded random inputs, as salient-cli bench."));
  result = g_new0 (char *, 2);
  result[0] = g_strdup (text->str);
  return result;
}

void
sal_models_page_benchmark_action (GtkWidget *widget, const char *name, GVariant *param)
{
  SalModelsPage *self = SAL_MODELS_PAGE (widget);

  if (self->current == NULL)
    return;
  /* TRANSLATORS: a job title; %s is the model's name */
  start_model_job (self, "model-bench", g_strdup_printf (_("Benchmark %s"), self->current->name),
                   bench_run, G_TYPE_STRV);
  if (self->bench_row != NULL)
    sal_models_page_set_row_text (self->bench_row, _("Running…"));
}

/* A finished check or benchmark: keep its text for the model and show it if open. */
static void
model_job_finished (SalModelsPage *self, SalJob *job, GHashTable *texts, AdwActionRow *row,
                    guint text_index)
{
  gint64 id = job_model_id (job);
  g_autofree char *text = NULL;

  if (sal_job_get_state (job) == SAL_JOB_STATE_DONE)
    {
      char **out = sal_job_get_result (job);
      text = g_strdup (out != NULL ? out[text_index] : "");
    }
  else if (sal_job_get_state (job) == SAL_JOB_STATE_CANCELLED)
    text = g_strdup (_("Cancelled."));
  else
    text = g_strdup_printf (_("Could not run: %s"), sal_job_get_error_message (job));
  if (row != NULL && self->current != NULL && self->current->id == id)
    sal_models_page_set_row_text (row, text);
  g_hash_table_insert (texts, GSIZE_TO_POINTER ((gsize) id), g_steal_pointer (&text));
}

/* ---- job monitor ---- */

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
  g_autofree char *escaped = NULL;

  if (start != NULL && end != NULL)
    {
      GTimeSpan us = g_date_time_difference (end, start);
      if (us < G_TIME_SPAN_SECOND)
        g_string_append_printf (sub, _(" · took %d ms"), (int) (us / G_TIME_SPAN_MILLISECOND));
      else
        g_string_append_printf (sub, _(" · took %.1f s"), us / (double) G_TIME_SPAN_SECOND);
    }
  if (state == SAL_JOB_STATE_RUNNING && sal_job_get_status (job) != NULL)
    g_string_append_printf (sub, " · %s", sal_job_get_status (job));
  if (sal_job_get_error_message (job) != NULL && state != SAL_JOB_STATE_CANCELLED)
    g_string_append_printf (sub, " · %s", sal_job_get_error_message (job));
  escaped = g_markup_escape_text (sub->str, -1);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), escaped);
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
    sal_models_page_toast (self, error->message);
  else if (g_hash_table_contains (self->owned_jobs, sal_job_get_id (job)))
    g_hash_table_add (self->owned_jobs, g_strdup (sal_job_get_id (again)));
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
  gtk_accessible_update_property (GTK_ACCESSIBLE (bar), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  title, -1);
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

void
sal_models_page_clear_finished_action (GtkWidget *widget, const char *name, GVariant *param)
{
  SalModelsPage *self = SAL_MODELS_PAGE (widget);

  if (sal_models_page_ensure_jobs (self) != NULL)
    sal_job_queue_clear_finished (self->jobs);
}

/* Every job's end reaches the page here, also a retried one's (no callback of the first
 * submission would see it). Jobs of other pages are only counted. */
static void
on_job_state_changed (SalJobQueue *queue, SalJob *job, SalModelsPage *self)
{
  const char *kind = sal_job_get_kind (job);

  sal_models_page_update_engine_status (self);
  if (!sal_job_is_finished (job) || !g_hash_table_contains (self->owned_jobs, sal_job_get_id (job)))
    return;
  if (g_strcmp0 (kind, "model-import") == 0)
    sal_models_page_import_finished (self, job);
  else if (g_strcmp0 (kind, "model-check") == 0)
    model_job_finished (self, job, self->check_texts, self->check_row, 1);
  else if (g_strcmp0 (kind, "model-bench") == 0)
    model_job_finished (self, job, self->bench_texts, self->bench_row, 0);
}

/* The application's one queue (shared with the Clinic and Fitness pages); the monitor
 * lists every job in it. */
SalJobQueue *
sal_models_page_ensure_jobs (SalModelsPage *self)
{
  SalApplication *app;

  if (self->jobs != NULL)
    return self->jobs;
  app = sal_models_page_get_app (self);
  if (app == NULL)
    return NULL;
  self->jobs = g_object_ref (sal_application_get_job_queue (app));
  gtk_list_box_bind_model (self->job_list, G_LIST_MODEL (self->jobs), create_job_row, self,
                           NULL);
  g_signal_connect_object (self->jobs, "job-state-changed", G_CALLBACK (on_job_state_changed),
                           self, 0);
  return self->jobs;
}

