/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-ui"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>

#include "sal-case-measurements.h"
#include "sal-case-measurements-private.h"
#include "sal-clinic-jobs.h"
#include "sal-datasets.h"
#include "sal-model-input.h"
#include "sal-waterfall-chart.h"

/* Values the form holds: one per feature, NAN where nothing was entered. */
typedef struct {
  SalFeatureInfo *info;     /* owned by self->features */
  AdwActionRow   *row;
  GtkSpinButton  *spin;
  gboolean        set;
  double          lo, hi;   /* plausible range; outside it a value is refused */
} Field;

/* A model's features and labels, read on a worker thread. */
typedef struct {
  gint64     model_id;
  char      *model_name;
  GPtrArray *features;      /* of SalFeatureInfo */
  GPtrArray *labels;        /* of char* */
  char      *background;    /* the training table the averages are taken over */
} ModelInfo;

struct _SalCaseMeasurements
{
  AdwBin             parent_instance;

  AdwToastOverlay   *toasts;
  GtkStack          *stack;
  AdwStatusPage     *error_page;
  GtkDropDown       *source;
  GtkLabel          *status;
  GtkWidget         *cancel_button;
  GtkProgressBar    *progress;
  GtkLabel          *message;
  GtkBox            *form;
  GtkStack          *result_stack;
  GtkLabel          *risk_label;
  GtkLabel          *risk_detail;
  GtkLevelBar       *risk_bar;
  GtkLabel          *gap_badge;
  GtkLabel          *gap_text;
  SalWaterfallChart *chart;
  GtkLabel          *caption;

  SalStore          *store;
  SalJobQueue       *jobs;
  gint64             case_id;
  ModelInfo         *model;
  GPtrArray         *fields;        /* of Field* in the model's feature order */
  GCancellable      *load_cancellable;
  GCancellable      *run_cancellable;

  /* undo: snapshots of the values (NAN = empty) before each change */
  GPtrArray         *undo;
  double            *current;
  guint              last_field;
  gint64             last_edit_us;
  gboolean           applying;      /* values set by the program, not the user */
  gboolean           dirty;

  /* the dropdown's entries after the first: explanation ids of earlier results */
  GArray            *source_ids;
  gint64             result_id;
  gint64             pending_result;
  double             risk;
};

G_DEFINE_FINAL_TYPE (SalCaseMeasurements, sal_case_measurements, ADW_TYPE_BIN)

enum {
  SIGNAL_RESULT_STORED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

#define COALESCE_US (1500 * 1000)
#define MAX_UNDO    100

/* ---- names ------------------------------------------------------------------------- */

static const struct {
  const char *id;
  const char *label;
} measurement_names[] = {
  { "radius", N_("Radius") },
  { "texture", N_("Texture") },
  { "perimeter", N_("Perimeter") },
  { "area", N_("Area") },
  { "smoothness", N_("Smoothness") },
  { "compactness", N_("Compactness") },
  { "concavity", N_("Concavity") },
  { "concave_points", N_("Concave points") },
  { "symmetry", N_("Symmetry") },
  { "fractal_dimension", N_("Fractal dimension") },
};

/* The name a person reads for a feature group (the model's id when it is not known). */
static const char *
group_label (const char *id)
{
  for (guint i = 0; i < G_N_ELEMENTS (measurement_names); i++)
    if (g_strcmp0 (measurement_names[i].id, id) == 0)
      return _(measurement_names[i].label);
  return id;
}

/* Within a group: "mean", "se" and "worst" are the three statistics of WDBC. */
static char *
statistic_label (const SalFeatureInfo *f)
{
  const char *us = strrchr (f->name, '_');
  const char *stat = us != NULL ? us + 1 : "";

  if (g_str_equal (stat, "mean"))
    return g_strdup (_("Mean"));
  if (g_str_equal (stat, "se"))
    return g_strdup (_("Standard error"));
  if (g_str_equal (stat, "worst"))
    return g_strdup (_("Worst (mean of the three largest)"));
  return g_strdup (f->name);
}

/* The whole name, for messages and screen readers: "Radius, mean". */
static char *
feature_label (const SalFeatureInfo *f)
{
  const char *us = strrchr (f->name, '_');
  const char *stat = us != NULL ? us + 1 : "";

  if (f->group == NULL)
    return g_strdup (f->name);
  if (g_str_equal (stat, "mean"))
    return g_strdup_printf (_("%s, mean"), group_label (f->group));
  if (g_str_equal (stat, "se"))
    return g_strdup_printf (_("%s, standard error"), group_label (f->group));
  if (g_str_equal (stat, "worst"))
    return g_strdup_printf (_("%s, worst"), group_label (f->group));
  return g_strdup (f->name);
}

/* Units as written in salient.features; "1" is a ratio without a unit. */
static const char *
unit_label (const char *unit)
{
  if (unit == NULL || g_str_equal (unit, "1") || unit[0] == '\0')
    return "";
  if (g_str_equal (unit, "px"))
    return _("px");
  if (g_str_equal (unit, "px²"))
    return _("px²");
  if (g_str_equal (unit, "grey level"))
    return _("grey level");
  return unit;
}

static const char *
class_label (const char *label)
{
  if (g_strcmp0 (label, "malignant") == 0)
    return _("malignant");
  if (g_strcmp0 (label, "benign") == 0)
    return _("benign");
  return label;
}

/* Enough decimals to show the values of a feature whose training range is span wide. */
static guint
digits_for (double span)
{
  int d = isfinite (span) && span > 0 ? (int) ceil (-log10 (span)) + 4 : 3;

  return (guint) CLAMP (d, 1, 6);
}

static char *
format_value (double v, const Field *f)
{
  const char *unit = unit_label (f->info->unit);

  return g_strdup_printf ("%.*f%s%s", gtk_spin_button_get_digits (f->spin), v,
                          unit[0] != '\0' ? " " : "", unit);
}

/* ---- model loading -------------------------------------------------------------------- */

static void
model_info_free (ModelInfo *m)
{
  if (m == NULL)
    return;
  g_free (m->model_name);
  g_free (m->background);
  g_clear_pointer (&m->features, g_ptr_array_unref);
  g_clear_pointer (&m->labels, g_ptr_array_unref);
  g_free (m);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ModelInfo, model_info_free)

/* The table the model was trained on, from the recipe in its provenance ([data] file,
 * relative to Salient's data folder): the Shapley values' average is taken over it. */
static char *
background_table (SalModel *model)
{
  const char *prov = sal_model_get_metadata (model, "salient.provenance");
  g_autoptr(JsonParser) p = json_parser_new ();
  g_autoptr(GKeyFile) recipe = g_key_file_new ();
  g_autofree char *file = NULL;
  g_autofree char *source = NULL;
  g_autofree char *path = NULL;
  JsonObject *o;

  if (prov == NULL || !json_parser_load_from_data (p, prov, -1, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (p)))
    return NULL;
  o = json_node_get_object (json_parser_get_root (p));
  if (!json_object_has_member (o, "recipe")
      || !g_key_file_load_from_data (recipe, json_object_get_string_member (o, "recipe"), -1,
                                     G_KEY_FILE_NONE, NULL))
    return NULL;
  file = g_key_file_get_string (recipe, "data", "file", NULL);
  source = g_key_file_get_string (recipe, "data", "source", NULL);
  if (file == NULL && g_strcmp0 (source, "wdbc") == 0)
    file = g_strdup ("datasets/wdbc.csv");
  if (file == NULL || g_path_is_absolute (file) || strstr (file, "..") != NULL)
    return NULL;
  path = g_build_filename (sal_data_dir (), file, NULL);
  return g_file_test (path, G_FILE_TEST_IS_REGULAR) ? g_steal_pointer (&path) : NULL;
}

static void
load_model_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  SalStore *store = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ModelInfo) m = g_new0 (ModelInfo, 1);
  g_autoptr(SalModelRecord) rec = NULL;
  g_autoptr(SalModel) model = NULL;

  m->model_id = sal_clinic_find_model (store, SAL_CLINIC_MODEL_MEASUREMENTS, &error);
  if (m->model_id != 0)
    rec = sal_store_get_model (store, m->model_id, &error);
  if (rec != NULL)
    model = sal_model_load_with_metadata (rec->path, rec->metadata_json, &error);
  if (model == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  m->model_name = g_strdup (rec->name);
  m->features = sal_model_features (model);
  m->labels = sal_model_labels (model);
  m->background = background_table (model);
  if (m->background == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                               _("The training data of the model “%s” is not on this computer; "
                                 "its Shapley values are averaged over that data"), rec->name);
      return;
    }
  if (m->features->len == 0)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               _("The model “%s” does not name its measurements "
                                 "(salient.features); add a model that does"), rec->name);
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&m), (GDestroyNotify) model_info_free);
}

/* ---- the form ------------------------------------------------------------------------- */

static void update_actions (SalCaseMeasurements *self);
static void validate (SalCaseMeasurements *self);
static void apply_values (SalCaseMeasurements *self, const double *values, gboolean record);

static double *
snapshot (SalCaseMeasurements *self)
{
  return g_memdup2 (self->current, sizeof (double) * MAX (self->fields->len, 1));
}

static void
push_undo (SalCaseMeasurements *self)
{
  if (self->undo->len >= MAX_UNDO)
    g_ptr_array_remove_index (self->undo, 0);
  g_ptr_array_add (self->undo, snapshot (self));
}

static void
set_dirty (SalCaseMeasurements *self, gboolean dirty)
{
  self->dirty = dirty;
  gtk_label_set_text (self->status, dirty ? _("Not saved") : "");
}

static gboolean
on_spin_output (GtkSpinButton *spin, Field *f)
{
  if (f->set)
    return FALSE;
  gtk_editable_set_text (GTK_EDITABLE (spin), "");
  return TRUE;
}

/* An emptied entry means "not measured"; anything else is parsed by the spin button. */
static int
on_spin_input (GtkSpinButton *spin, double *new_value, Field *f)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (spin))));
  SalCaseMeasurements *self = g_object_get_data (G_OBJECT (spin), "sal-self");

  if (text[0] != '\0')
    return FALSE;
  *new_value = gtk_spin_button_get_value (spin);
  if (f->set && !self->applying)
    {
      guint i = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (spin), "sal-index"));

      push_undo (self);
      f->set = FALSE;
      self->current[i] = NAN;
      set_dirty (self, TRUE);
      validate (self);
    }
  return TRUE;
}

static void
on_spin_changed (GtkSpinButton *spin, Field *f)
{
  SalCaseMeasurements *self = g_object_get_data (G_OBJECT (spin), "sal-self");
  guint i = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (spin), "sal-index"));
  gint64 now = g_get_monotonic_time ();

  if (self->applying)
    return;
  /* typing or spinning one field is one step to undo */
  if (i != self->last_field || now - self->last_edit_us > COALESCE_US || !f->set)
    push_undo (self);
  self->last_field = i;
  self->last_edit_us = now;
  f->set = TRUE;
  self->current[i] = gtk_spin_button_get_value (spin);
  set_dirty (self, TRUE);
  validate (self);
}

static Field *
field_new (SalCaseMeasurements *self, SalFeatureInfo *info, guint index)
{
  Field *f = g_new0 (Field, 1);
  double span = info->max - info->min;
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *a11y = NULL;
  g_autofree char *full = feature_label (info);
  const char *unit = unit_label (info->unit);
  GtkWidget *unit_label_widget;
  guint digits = digits_for (span);

  f->info = info;
  if (isfinite (info->min) && isfinite (info->max) && span >= 0)
    {
      /* the training data's range, widened by half its width: values beyond that are
       * more likely a typo or a wrong unit than a real mass */
      f->lo = info->min - span / 2;
      f->hi = info->max + span / 2;
      if (info->min >= 0)
        f->lo = MAX (f->lo, 0);
      subtitle = g_strdup_printf (_("Training data %.*f – %.*f"), digits, info->min, digits,
                                  info->max);
    }
  else
    {
      f->lo = -G_MAXDOUBLE;
      f->hi = G_MAXDOUBLE;
    }

  f->row = ADW_ACTION_ROW (adw_action_row_new ());
  title = statistic_label (info);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (f->row),
                                 info->group != NULL ? title : info->name);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (f->row, subtitle);

  f->spin = GTK_SPIN_BUTTON (gtk_spin_button_new_with_range (-1e6, 1e6,
                                                             pow (10, -(double) digits + 1)));
  gtk_spin_button_set_digits (f->spin, digits);
  gtk_spin_button_set_update_policy (f->spin, GTK_UPDATE_IF_VALID);
  gtk_widget_set_valign (GTK_WIDGET (f->spin), GTK_ALIGN_CENTER);
  gtk_editable_set_width_chars (GTK_EDITABLE (f->spin), 9);
  a11y = unit[0] != '\0' ? g_strdup_printf ("%s (%s)", full, unit) : g_strdup (full);
  gtk_accessible_update_property (GTK_ACCESSIBLE (f->spin), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y,
                                  -1);
  gtk_widget_set_tooltip_text (GTK_WIDGET (f->spin), a11y);
  g_object_set_data (G_OBJECT (f->spin), "sal-self", self);
  g_object_set_data (G_OBJECT (f->spin), "sal-index", GUINT_TO_POINTER (index));
  g_signal_connect (f->spin, "output", G_CALLBACK (on_spin_output), f);
  g_signal_connect (f->spin, "input", G_CALLBACK (on_spin_input), f);
  g_signal_connect (f->spin, "value-changed", G_CALLBACK (on_spin_changed), f);
  adw_action_row_add_suffix (f->row, GTK_WIDGET (f->spin));
  adw_action_row_set_activatable_widget (f->row, GTK_WIDGET (f->spin));

  unit_label_widget = gtk_label_new (unit);
  gtk_label_set_width_chars (GTK_LABEL (unit_label_widget), 6);
  gtk_label_set_xalign (GTK_LABEL (unit_label_widget), 0);
  gtk_widget_add_css_class (unit_label_widget, "dim-label");
  adw_action_row_add_suffix (f->row, unit_label_widget);
  return f;
}

static void
clear_form (SalCaseMeasurements *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->form))) != NULL)
    gtk_box_remove (self->form, child);
  g_ptr_array_set_size (self->fields, 0);
  g_clear_pointer (&self->current, g_free);
}

/* One group of rows per measurement (radius: mean, standard error, worst), in the order
 * the groups first appear; WDBC lists all means first, then the errors, then the worst. */
static void
build_form (SalCaseMeasurements *self)
{
  GPtrArray *features = self->model->features;
  g_autoptr(GHashTable) groups = g_hash_table_new (g_str_hash, g_str_equal);

  clear_form (self);
  self->current = g_new (double, MAX (features->len, 1));
  for (guint i = 0; i < features->len; i++)
    {
      SalFeatureInfo *info = features->pdata[i];
      const char *id = info->group != NULL ? info->group : info->name;
      AdwPreferencesGroup *group = g_hash_table_lookup (groups, id);
      Field *f = field_new (self, info, i);

      self->current[i] = NAN;
      if (group == NULL)
        {
          group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
          adw_preferences_group_set_title (group, info->group != NULL
                                                    ? group_label (info->group) : info->name);
          gtk_box_append (self->form, GTK_WIDGET (group));
          g_hash_table_insert (groups, (gpointer) id, group);
        }
      adw_preferences_group_add (group, GTK_WIDGET (f->row));
      g_ptr_array_add (self->fields, f);
    }
}

/* Sets the form to values (NAN: empty); record: the change can be undone. */
static void
apply_values (SalCaseMeasurements *self, const double *values, gboolean record)
{
  if (record)
    push_undo (self);
  self->applying = TRUE;
  for (guint i = 0; i < self->fields->len; i++)
    {
      Field *f = self->fields->pdata[i];

      f->set = isfinite (values[i]);
      self->current[i] = values[i];
      if (f->set)
        {
          g_autofree char *text = NULL;

          gtk_spin_button_set_value (f->spin, values[i]);
          /* the same value emits nothing: write the text whatever it showed before */
          text = g_strdup_printf ("%.*f", gtk_spin_button_get_digits (f->spin), values[i]);
          gtk_editable_set_text (GTK_EDITABLE (f->spin), text);
        }
      else
        gtk_editable_set_text (GTK_EDITABLE (f->spin), "");
    }
  self->applying = FALSE;
  self->last_field = G_MAXUINT;
  validate (self);
}

/* Values of the case's stored measurements in the model's order (NAN: not stored). */
static double *
stored_values (SalCaseMeasurements *self, GError **error)
{
  g_autoptr(GPtrArray) rows = sal_store_list_measurements (self->store, self->case_id, error);
  double *values;

  if (rows == NULL)
    return NULL;
  values = g_new (double, MAX (self->fields->len, 1));
  for (guint i = 0; i < self->fields->len; i++)
    {
      const Field *f = self->fields->pdata[i];

      values[i] = NAN;
      for (guint r = 0; r < rows->len; r++)
        {
          const SalMeasurement *m = rows->pdata[r];

          if (g_strcmp0 (m->name, f->info->name) == 0)
            values[i] = m->value;
        }
    }
  return values;
}

/* ---- validation ------------------------------------------------------------------------ */

/* Refuses empty and implausible values, each with what to do about it. */
static gboolean
check_values (SalCaseMeasurements *self, GString *msg)
{
  g_autoptr(GPtrArray) missing = g_ptr_array_new_with_free_func (g_free);
  guint n_bad = 0;

  for (guint i = 0; i < self->fields->len; i++)
    {
      Field *f = self->fields->pdata[i];
      double v = self->current[i];
      gboolean bad = f->set && (!isfinite (v) || v < f->lo || v > f->hi);

      if (!f->set)
        g_ptr_array_add (missing, feature_label (f->info));
      if (bad)
        {
          g_autofree char *name = feature_label (f->info);
          g_autofree char *value = format_value (v, f);
          g_autofree char *lo = format_value (f->lo, f);
          g_autofree char *hi = format_value (f->hi, f);

          if (n_bad++ < 3)
            {
              if (msg->len > 0)
                g_string_append_c (msg, '\n');
              g_string_append_printf (msg, _("“%s” is %s, outside the plausible range %s to %s: "
                                             "check the value and its unit."),
                                      name, value, lo, hi);
            }
          gtk_widget_add_css_class (GTK_WIDGET (f->spin), "error");
        }
      else
        gtk_widget_remove_css_class (GTK_WIDGET (f->spin), "error");
    }
  if (n_bad > 3)
    {
      g_string_append_c (msg, '\n');
      g_string_append_printf (msg, ngettext ("%u more value is out of range.",
                                             "%u more values are out of range.", n_bad - 3),
                              n_bad - 3);
    }
  if (missing->len > 0)
    {
      if (msg->len > 0)
        g_string_append_c (msg, '\n');
      g_string_append_printf (msg, ngettext ("%u of %u measurements is missing: %s%s.",
                                             "%u of %u measurements are missing: %s%s.",
                                             missing->len),
                              missing->len, self->fields->len,
                              (const char *) missing->pdata[0], missing->len > 1 ? "…" : "");
    }
  return n_bad == 0 && missing->len == 0;
}

static void
validate (SalCaseMeasurements *self)
{
  g_autoptr(GString) msg = g_string_new (NULL);

  gboolean refused = FALSE;

  check_values (self, msg);
  /* red for values refused; empty fields are work still to do, not a mistake */
  for (guint i = 0; i < self->fields->len && !refused; i++)
    refused = gtk_widget_has_css_class (GTK_WIDGET (((Field *) self->fields->pdata[i])->spin),
                                        "error");
  if (refused)
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->message), "dim-label");
      gtk_widget_add_css_class (GTK_WIDGET (self->message), "error");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->message), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->message), "dim-label");
    }
  gtk_label_set_text (self->message, msg->str);
  gtk_widget_set_visible (GTK_WIDGET (self->message), msg->len > 0);
  update_actions (self);
}

/* ---- actions --------------------------------------------------------------------------- */

static gboolean
is_running (SalCaseMeasurements *self)
{
  return self->run_cancellable != NULL;
}

static gboolean
is_ready (SalCaseMeasurements *self)
{
  return self->model != NULL && self->store != NULL && self->case_id != 0
         && self->fields->len > 0;
}

/* The one place that decides which actions are enabled. */
static void
update_actions (SalCaseMeasurements *self)
{
  g_autoptr(GString) msg = g_string_new (NULL);
  gboolean ready = is_ready (self);
  gboolean valid = ready && check_values (self, msg);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "measurements.run",
                                 valid && !is_running (self) && self->jobs != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "measurements.cancel", is_running (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "measurements.save",
                                 ready && self->dirty && !is_running (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "measurements.undo",
                                 ready && self->undo->len > 0 && !is_running (self));
  gtk_widget_set_visible (self->cancel_button, is_running (self));
  gtk_widget_set_sensitive (GTK_WIDGET (self->source), ready && !is_running (self));
  gtk_widget_set_sensitive (GTK_WIDGET (self->form), ready && !is_running (self));
}

static void
toast (SalCaseMeasurements *self, const char *text)
{
  AdwToast *t = adw_toast_new (text);

  adw_toast_set_timeout (t, 6);
  adw_toast_overlay_add_toast (self->toasts, t);
}

static gboolean
save_values (SalCaseMeasurements *self, GError **error)
{
  g_autoptr(GArray) rows = g_array_new (FALSE, TRUE, sizeof (SalMeasurement));

  for (guint i = 0; i < self->fields->len; i++)
    {
      const Field *f = self->fields->pdata[i];
      SalMeasurement m = { f->info->name, self->current[i], f->info->unit };

      if (f->set)
        g_array_append_val (rows, m);
    }
  if (!sal_store_set_measurements (self->store, self->case_id, (SalMeasurement *) rows->data,
                                   rows->len, error))
    return FALSE;
  set_dirty (self, FALSE);
  gtk_label_set_text (self->status, _("Saved"));
  return TRUE;
}

static void
save_action (GtkWidget *widget, const char *name, GVariant *param)
{
  SalCaseMeasurements *self = SAL_CASE_MEASUREMENTS (widget);
  g_autoptr(GError) error = NULL;

  if (!is_ready (self))
    return;
  if (!save_values (self, &error))
    toast (self, error->message);
  update_actions (self);
}

static void
undo_action (GtkWidget *widget, const char *name, GVariant *param)
{
  SalCaseMeasurements *self = SAL_CASE_MEASUREMENTS (widget);
  g_autofree double *values = NULL;

  if (self->undo->len == 0 || is_running (self))
    return;
  values = g_ptr_array_steal_index (self->undo, self->undo->len - 1);
  apply_values (self, values, FALSE);
  set_dirty (self, TRUE);
  update_actions (self);
}

static void show_record (SalCaseMeasurements *self, gint64 id, gboolean fill_form);
static void refresh_sources (SalCaseMeasurements *self);

static void
on_run_progress (SalJob *job, GParamSpec *pspec, SalCaseMeasurements *self)
{
  gtk_progress_bar_set_fraction (self->progress, sal_job_get_progress (job));
  if (sal_job_get_status (job) != NULL)
    gtk_progress_bar_set_text (self->progress, sal_job_get_status (job));
}

static void
on_run_done (GObject *source, GAsyncResult *res, gpointer data)
{
  g_autoptr(SalCaseMeasurements) self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SalClinicResult) r = sal_job_queue_submit_finish (SAL_JOB_QUEUE (source), res,
                                                              &error);
  gboolean cancelled = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* a newer case or a disposed widget dropped this run: nothing of it is shown here (a
   * result it stored anyway is in the History of its own case) */
  if (self->run_cancellable == NULL)
    return;
  g_clear_object (&self->run_cancellable);
  gtk_widget_set_visible (GTK_WIDGET (self->progress), FALSE);
  update_actions (self);
  if (r == NULL)
    {
      if (!cancelled)
        toast (self, error->message);
      else
        gtk_label_set_text (self->status, _("Cancelled; nothing was stored"));
      return;
    }
  show_record (self, r->record_id, FALSE);
  refresh_sources (self);
  g_signal_emit (self, signals[SIGNAL_RESULT_STORED], 0, r->record_id);
}

static void
run_action (GtkWidget *widget, const char *name, GVariant *param)
{
  SalCaseMeasurements *self = SAL_CASE_MEASUREMENTS (widget);
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) msg = g_string_new (NULL);
  g_autoptr(SalJob) job = NULL;

  if (!is_ready (self) || is_running (self) || self->jobs == NULL)
    return;
  if (!check_values (self, msg))
    {
      validate (self);
      toast (self, _("Not run: correct the values marked in red first"));
      return;
    }
  /* the case keeps the values its result was computed from */
  if (self->dirty && !save_values (self, &error))
    {
      toast (self, error->message);
      return;
    }
  job = sal_clinic_score_job_new (self->store, self->case_id, self->model->model_id,
                                  self->current, self->fields->len, self->model->background);
  self->run_cancellable = g_cancellable_new ();
  gtk_progress_bar_set_fraction (self->progress, 0);
  gtk_progress_bar_set_text (self->progress, sal_job_get_title (job));
  gtk_widget_set_visible (GTK_WIDGET (self->progress), TRUE);
  gtk_label_set_text (self->status, "");
  g_signal_connect_object (job, "notify::progress", G_CALLBACK (on_run_progress), self, 0);
  sal_job_queue_submit_async (self->jobs, job, self->run_cancellable, on_run_done,
                              g_object_ref (self));
  update_actions (self);
}

static void
cancel_action (GtkWidget *widget, const char *name, GVariant *param)
{
  SalCaseMeasurements *self = SAL_CASE_MEASUREMENTS (widget);

  if (self->run_cancellable != NULL)
    g_cancellable_cancel (self->run_cancellable);
}

/* ---- results ---------------------------------------------------------------------------- */

/* The inputs and background size a measurements record was computed with. */
static double *
record_inputs (const SalExplanationRecord *e, guint *n, gint64 *background_rows)
{
  g_autoptr(JsonParser) p = json_parser_new ();
  JsonObject *o;
  JsonArray *a;
  double *values;

  *n = 0;
  *background_rows = 0;
  if (e->params_json == NULL || !json_parser_load_from_data (p, e->params_json, -1, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (p)))
    return NULL;
  o = json_node_get_object (json_parser_get_root (p));
  *background_rows = json_object_get_int_member_with_default (o, "background_rows", 0);
  if (!json_object_has_member (o, "values")
      || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (o, "values")))
    return NULL;
  a = json_object_get_array_member (o, "values");
  *n = json_array_get_length (a);
  values = g_new (double, MAX (*n, 1));
  for (guint i = 0; i < *n; i++)
    values[i] = json_array_get_double_element (a, i);
  return values;
}

static void
show_clinic_result (SalCaseMeasurements *self, const SalClinicResult *r, gint64 background_rows,
                    const char *model_name, GDateTime *when)
{
  g_autoptr(GString) detail = g_string_new (NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autofree char *risk = NULL;
  g_autofree char *badge = NULL;
  g_autofree char *gap_text = NULL;
  g_autofree char *caption = NULL;
  g_autofree char *date = when != NULL ? g_date_time_format (when, "%x %X") : g_strdup ("");
  double p = r->target_index >= 0 && (guint) r->target_index < r->n_classes
               ? r->probabilities[r->target_index] : r->prediction;
  gboolean gap_ok = isfinite (r->gap) && fabs (r->gap) < 1e-4;

  self->risk = p;
  /* TRANSLATORS: "Probability of “malignant”: 87.3 %" */
  risk = g_strdup_printf (_("Probability of “%s”: %.1f %%"), class_label (r->target), 100 * p);
  gtk_label_set_text (self->risk_label, risk);
  for (guint i = 0; i < r->n_classes; i++)
    {
      if (i > 0)
        g_string_append (detail, " · ");
      g_string_append_printf (detail, "%s %.1f %%", class_label (r->labels->pdata[i]),
                              100 * r->probabilities[i]);
    }
  gtk_label_set_text (self->risk_detail, detail->str);
  gtk_level_bar_set_value (self->risk_bar, CLAMP (p, 0, 1));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->risk_bar),
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT, risk, -1);

  badge = g_strdup_printf (_("Efficiency gap %.1e"), fabs (r->gap));
  gtk_label_set_text (self->gap_badge, badge);
  gtk_widget_remove_css_class (GTK_WIDGET (self->gap_badge), gap_ok ? "warning" : "success");
  gtk_widget_add_css_class (GTK_WIDGET (self->gap_badge), gap_ok ? "success" : "warning");
  gap_text = g_strdup_printf (gap_ok
                                ? _("The values below add up to the difference between this "
                                    "case and the average (%.4f − %.4f), as exact Shapley values "
                                    "must: nothing of the prediction is left unexplained.")
                                : _("The values below do not add up to the difference between "
                                    "this case and the average (%.4f − %.4f): part of the "
                                    "prediction is left unexplained; read them with care."),
                              r->prediction, r->expected);
  gtk_label_set_text (self->gap_text, gap_text);

  for (guint i = 0; i < r->names->len; i++)
    g_ptr_array_add (names, (gpointer) group_label (r->names->pdata[i]));
  sal_waterfall_chart_set_data (self->chart, r->expected, r->prediction,
                                (const char * const *) names->pdata, r->values, r->n_values);

  caption = g_strdup_printf (_("Exact Shapley values of the probability of “%s” over %u feature "
                               "groups, against the average over %u rows of the training data · "
                               "model %s (%.8s) · %s · demonstration model, not for diagnosis"),
                             class_label (r->target), r->n_values, (guint) background_rows,
                             model_name != NULL ? model_name : _("unknown"), r->model_sha256,
                             date);
  gtk_label_set_text (self->caption, caption);
  gtk_stack_set_visible_child_name (self->result_stack, "result");
}

/* Shows a stored record; fill_form: its inputs replace the form's values (undoable). */
static void
show_record (SalCaseMeasurements *self, gint64 id, gboolean fill_form)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SalExplanationRecord) e = NULL;
  g_autoptr(SalClinicResult) r = NULL;
  g_autoptr(SalModelRecord) model = NULL;
  g_autoptr(GDateTime) when = NULL;
  g_autofree double *inputs = NULL;
  gint64 background_rows;
  guint n;

  e = sal_store_get_explanation (self->store, id, &error);
  if (e != NULL && (e->object_kind != SAL_OBJECT_CASE || g_strcmp0 (e->method, "shapley") != 0))
    g_set_error (&error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                 _("This result was not made from measurements"));
  if (e != NULL && error == NULL)
    r = sal_clinic_result_from_record (e, &error);
  if (r == NULL)
    {
      toast (self, error->message);
      return;
    }
  inputs = record_inputs (e, &n, &background_rows);
  model = sal_store_find_model_by_sha256 (self->store, e->model_sha256, NULL);
  when = g_date_time_new_from_unix_local (e->created_ms / 1000);
  show_clinic_result (self, r, background_rows, model != NULL ? model->name : NULL, when);
  self->result_id = id;
  if (fill_form && inputs != NULL && n == self->fields->len)
    {
      apply_values (self, inputs, TRUE);
      set_dirty (self, TRUE);
      update_actions (self);
    }
}

static void
on_source_selected (SalCaseMeasurements *self)
{
  guint i = gtk_drop_down_get_selected (self->source);
  g_autoptr(GError) error = NULL;

  if (self->applying || !is_ready (self) || i == GTK_INVALID_LIST_POSITION)
    return;
  if (i == 0)
    {
      g_autofree double *values = stored_values (self, &error);

      if (values == NULL)
        {
          toast (self, error->message);
          return;
        }
      apply_values (self, values, TRUE);
      set_dirty (self, FALSE);
      update_actions (self);
    }
  else if (i - 1 < self->source_ids->len)
    show_record (self, g_array_index (self->source_ids, gint64, i - 1), TRUE);
}

/* "Saved values" and the inputs of each earlier result of the case, newest first. */
static void
refresh_sources (SalCaseMeasurements *self)
{
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);
  g_autoptr(GPtrArray) records = NULL;

  g_array_set_size (self->source_ids, 0);
  gtk_string_list_append (list, _("Saved values"));
  if (self->store != NULL && self->case_id != 0)
    records = sal_store_list_explanations (self->store, SAL_OBJECT_CASE, self->case_id, NULL);
  for (guint i = 0; records != NULL && i < records->len; i++)
    {
      const SalExplanationRecord *e = records->pdata[i];
      g_autoptr(GDateTime) when = NULL;
      g_autofree char *date = NULL;
      g_autofree char *label = NULL;

      if (g_strcmp0 (e->method, "shapley") != 0)
        continue;
      when = g_date_time_new_from_unix_local (e->created_ms / 1000);
      date = g_date_time_format (when, "%x %X");
      label = g_strdup_printf (_("Inputs of the result of %s"), date);
      gtk_string_list_append (list, label);
      g_array_append_val (self->source_ids, e->id);
    }
  self->applying = TRUE;
  gtk_drop_down_set_model (self->source, G_LIST_MODEL (list));
  gtk_drop_down_set_selected (self->source, 0);
  self->applying = FALSE;
}

/* ---- the case ---------------------------------------------------------------------------- */

/* With the model's features known: the form, the case's saved values, its sources. */
static void
show_case (SalCaseMeasurements *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree double *values = NULL;

  if (self->fields->len == 0)
    build_form (self);
  g_ptr_array_set_size (self->undo, 0);
  values = stored_values (self, &error);
  if (values == NULL)
    {
      adw_status_page_set_description (self->error_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "error");
      return;
    }
  apply_values (self, values, FALSE);
  set_dirty (self, FALSE);
  refresh_sources (self);
  self->result_id = 0;
  sal_waterfall_chart_set_data (self->chart, 0, 0, NULL, NULL, 0);
  gtk_stack_set_visible_child_name (self->result_stack, "none");
  gtk_stack_set_visible_child_name (self->stack, "form");
  if (self->pending_result != 0)
    {
      gint64 id = self->pending_result;

      self->pending_result = 0;
      show_record (self, id, TRUE);
    }
  update_actions (self);
}

static void
on_model_loaded (GObject *source, GAsyncResult *res, gpointer data)
{
  g_autoptr(SalCaseMeasurements) self = data;
  g_autoptr(GError) error = NULL;
  ModelInfo *m = g_task_propagate_pointer (G_TASK (res), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->load_cancellable);
  if (m == NULL)
    {
      adw_status_page_set_description (self->error_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "error");
      update_actions (self);
      return;
    }
  model_info_free (self->model);
  self->model = m;
  clear_form (self);
  show_case (self);
}

static void
load_model (SalCaseMeasurements *self)
{
  g_autoptr(GTask) task = NULL;

  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  self->load_cancellable = g_cancellable_new ();
  task = g_task_new (NULL, self->load_cancellable, on_model_loaded, g_object_ref (self));
  g_task_set_task_data (task, sal_store_ref (self->store), (GDestroyNotify) sal_store_unref);
  g_task_set_return_on_cancel (task, TRUE);
  g_task_run_in_thread (task, load_model_thread);
  gtk_stack_set_visible_child_name (self->stack, "loading");
}

/* ---- GObject ------------------------------------------------------------------------------ */

static void
sal_case_measurements_dispose (GObject *object)
{
  SalCaseMeasurements *self = SAL_CASE_MEASUREMENTS (object);

  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  if (self->run_cancellable != NULL)
    {
      GCancellable *c = g_steal_pointer (&self->run_cancellable);

      g_cancellable_cancel (c);
      g_object_unref (c);
    }
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), SAL_TYPE_CASE_MEASUREMENTS);
  g_clear_pointer (&self->store, sal_store_unref);
  g_clear_object (&self->jobs);
  G_OBJECT_CLASS (sal_case_measurements_parent_class)->dispose (object);
}

static void
sal_case_measurements_finalize (GObject *object)
{
  SalCaseMeasurements *self = SAL_CASE_MEASUREMENTS (object);

  g_ptr_array_unref (self->fields);
  g_ptr_array_unref (self->undo);
  g_array_unref (self->source_ids);
  g_free (self->current);
  model_info_free (self->model);
  G_OBJECT_CLASS (sal_case_measurements_parent_class)->finalize (object);
}

static void
sal_case_measurements_class_init (SalCaseMeasurementsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sal_case_measurements_dispose;
  object_class->finalize = sal_case_measurements_finalize;

  /**
   * SalCaseMeasurements::result-stored:
   * @id: the stored explanation's id
   *
   * A run finished and its result is in the store.
   */
  signals[SIGNAL_RESULT_STORED] =
    g_signal_new ("result-stored", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  g_type_ensure (SAL_TYPE_WATERFALL_CHART);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/salient/Salient/sal-case-measurements.ui");
  gtk_widget_class_bind_template_child (widget_class, SalCaseMeasurements, toasts);
  gtk_widget_class_bind_template_child (widget_class, SalCaseMeasurements, stack);
  gtk_widget_class_bind_template_child (widget_class, SalCaseMeasurements, error_page);
  gtk_widget_class_bind_template_child (widget_class, SalCaseMeasurements, source);
  gtk_widget_class_bind_template_child (widget_class, SalCaseMeasurements, status);
  gtk_widget_class_bind_template_child (widget_class, SalCaseMeasurements, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, SalCaseMeasurements, progress);
  gtk_widget_class_bind_template_child (widget_class, SalCaseMeasurements, message);
  gtk_widget_class_bind_template_child (widget_class, SalCaseMeasurements, form);
  gtk_widget_class_bind_template_child (widget_class, SalCaseMeasurements, result_stack);
  gtk_widget_class_bind_template_child (widget_class, SalCaseMeasurements, risk_label);
  gtk_widget_class_bind_template_child (widget_class, SalCaseMeasurements, risk_detail);
  gtk_widget_class_bind_template_child (widget_class, SalCaseMeasurements, risk_bar);
  gtk_widget_class_bind_template_child (widget_class, SalCaseMeasurements, gap_badge);
  gtk_widget_class_bind_template_child (widget_class, SalCaseMeasurements, gap_text);
  gtk_widget_class_bind_template_child (widget_class, SalCaseMeasurements, chart);
  gtk_widget_class_bind_template_child (widget_class, SalCaseMeasurements, caption);

  gtk_widget_class_install_action (widget_class, "measurements.run", NULL, run_action);
  gtk_widget_class_install_action (widget_class, "measurements.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "measurements.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "measurements.undo", NULL, undo_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK,
                                       "measurements.run", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK,
                                       "measurements.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_z, GDK_CONTROL_MASK,
                                       "measurements.undo", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0,
                                       "measurements.cancel", NULL);
  gtk_widget_class_set_css_name (widget_class, "casemeasurements");
}

static void
sal_case_measurements_init (SalCaseMeasurements *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->fields = g_ptr_array_new_with_free_func (g_free);
  self->undo = g_ptr_array_new_with_free_func (g_free);
  self->source_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  /* one colour for any risk: the default offsets would paint a low risk as a warning */
  gtk_level_bar_remove_offset_value (self->risk_bar, GTK_LEVEL_BAR_OFFSET_LOW);
  gtk_level_bar_remove_offset_value (self->risk_bar, GTK_LEVEL_BAR_OFFSET_HIGH);
  gtk_level_bar_remove_offset_value (self->risk_bar, GTK_LEVEL_BAR_OFFSET_FULL);
  self->last_field = G_MAXUINT;
  self->risk = NAN;
  refresh_sources (self);
  g_signal_connect_swapped (self->source, "notify::selected", G_CALLBACK (on_source_selected),
                            self);
  gtk_stack_set_visible_child_name (self->stack, "empty");
  update_actions (self);
}

/* ---- public ------------------------------------------------------------------------- */

GtkWidget *
sal_case_measurements_new (void)
{
  return g_object_new (SAL_TYPE_CASE_MEASUREMENTS, NULL);
}

void
sal_case_measurements_set_case (SalCaseMeasurements *self,
                                SalStore            *store,
                                SalJobQueue         *jobs,
                                gint64               case_id)
{
  gboolean same_store;

  g_return_if_fail (SAL_IS_CASE_MEASUREMENTS (self));

  if (self->run_cancellable != NULL)
    {
      GCancellable *c = g_steal_pointer (&self->run_cancellable);

      g_cancellable_cancel (c);
      g_object_unref (c);
      gtk_widget_set_visible (GTK_WIDGET (self->progress), FALSE);
    }
  /* the empty state keeps the store and the model's form for the next case */
  same_store = store == NULL || store == self->store;
  if (!same_store)
    {
      g_clear_pointer (&self->store, sal_store_unref);
      self->store = store != NULL ? sal_store_ref (store) : NULL;
      g_clear_pointer (&self->model, model_info_free);
      clear_form (self);
    }
  g_set_object (&self->jobs, jobs);
  self->case_id = store != NULL ? case_id : 0;
  if (self->case_id == 0 && self->load_cancellable != NULL)
    {
      g_cancellable_cancel (self->load_cancellable);
      g_clear_object (&self->load_cancellable);
    }
  self->pending_result = 0;
  self->result_id = 0;
  g_ptr_array_set_size (self->undo, 0);
  set_dirty (self, FALSE);

  if (self->store == NULL || self->case_id == 0)
    {
      gtk_stack_set_visible_child_name (self->stack, "empty");
      update_actions (self);
      return;
    }
  if (self->model == NULL)
    load_model (self);
  else
    show_case (self);
  update_actions (self);
}

void
sal_case_measurements_show_result (SalCaseMeasurements *self, gint64 explanation_id)
{
  g_return_if_fail (SAL_IS_CASE_MEASUREMENTS (self));

  if (self->store == NULL)
    return;
  if (self->model == NULL)
    {
      /* shown once the form is built */
      self->pending_result = explanation_id;
      return;
    }
  show_record (self, explanation_id, TRUE);
}

/* ---- for tests ---------------------------------------------------------------------- */

gboolean
sal_case_measurements_is_busy (SalCaseMeasurements *self)
{
  return self->load_cancellable != NULL || self->run_cancellable != NULL;
}

gboolean
sal_case_measurements_is_ready (SalCaseMeasurements *self)
{
  return is_ready (self);
}

guint
sal_case_measurements_get_n_fields (SalCaseMeasurements *self)
{
  return self->fields->len;
}

GtkSpinButton *
sal_case_measurements_get_spin (SalCaseMeasurements *self, const char *name)
{
  for (guint i = 0; i < self->fields->len; i++)
    if (g_strcmp0 (((Field *) self->fields->pdata[i])->info->name, name) == 0)
      return ((Field *) self->fields->pdata[i])->spin;
  return NULL;
}

const char *
sal_case_measurements_get_message (SalCaseMeasurements *self)
{
  return gtk_label_get_text (self->message);
}

gint64
sal_case_measurements_get_result_id (SalCaseMeasurements *self)
{
  return self->result_id;
}

double
sal_case_measurements_get_risk (SalCaseMeasurements *self)
{
  return self->risk;
}

SalWaterfallChart *
sal_case_measurements_get_chart (SalCaseMeasurements *self)
{
  return self->chart;
}
