/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-ui"

#include "config.h"

#include "sal-analysis.h"   /* first: it pulls in the engine's types */

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>

#include "sal-method-names.h"
#include "sal-application.h"
#include "sal-case-images.h"
#include "sal-check-badges.h"
#include "sal-colorbar.h"
#include "sal-image-view.h"
#include "sal-json-util.h"
#include "sal-method-compare.h"
#include "sal-probabilities.h"

/* Image methods in menu order; their names come from sal_method_display_name (),
 * as in the colour bar's caption. */
static const struct {
  SalExplainMethod method;
} image_methods[] = {
  { SAL_EXPLAIN_GRAD_CAM },
  { SAL_EXPLAIN_GRAD_CAM_PP },
  { SAL_EXPLAIN_INTEGRATED_GRADIENTS },
  { SAL_EXPLAIN_GRADIENT },
  { SAL_EXPLAIN_GRADIENT_X_INPUT },
  { SAL_EXPLAIN_SMOOTHGRAD },
  { SAL_EXPLAIN_OCCLUSION },
  { SAL_EXPLAIN_RISE },
};

static const SalBaseline baselines[] = { SAL_BASELINE_BLACK, SAL_BASELINE_BLUR, SAL_BASELINE_NOISE };
static const char *const baseline_names[] = { N_("Black"), N_("Blurred"), N_("Uniform noise") };
static const SalIgRule rules[] = { SAL_IG_TRAPEZOID, SAL_IG_RIGHT, SAL_IG_ADAPTIVE };
static const char *const rule_names[] = { N_("Trapezoid"), N_("Right Riemann sum"), N_("Adaptive") };
static const SalSignMode signs[] = { SAL_SIGN_POSITIVE, SAL_SIGN_NEGATIVE, SAL_SIGN_ABSOLUTE,
                                     SAL_SIGN_SIGNED };
static const char *const sign_names[] = { N_("Positive (for the class)"),
                                          N_("Negative (against it)"), N_("Absolute"),
                                          N_("Signed (both)") };
static const char *const preset_names[] = { N_("Data range"), N_("1st–99th percentile"),
                                            N_("Full range") };
static const SalWindowPreset presets[] = { SAL_WINDOW_PRESET_DATA, SAL_WINDOW_PRESET_PERCENTILE,
                                           SAL_WINDOW_PRESET_FULL };

#define THUMB_SIDE 88

typedef enum {
  JOB_NONE,
  JOB_RUN,
  JOB_EXPLAIN,
  JOB_COMPARE,
} JobKind;

struct _SalCaseImages
{
  AdwBin         parent_instance;

  SalStore      *store;
  SalJobQueue   *jobs;
  SalAnalysis   *analysis;
  GSettings     *settings;
  gint64         case_id;
  gint64         image_id;       /* shown, 0 for none */
  GArray        *model_ids;      /* gint64, parallel to model_names */
  SalPrediction *prediction;     /* of the shown image, or NULL */
  SalAttributionResult *result;  /* shown explanation, or NULL */
  gboolean       kiosk;
  gboolean       restoring;      /* show_result is setting the controls */

  SalJob        *job;            /* running, or NULL */
  JobKind        job_kind;
  GCancellable  *cancellable;

  AdwToastOverlay *toast_overlay;
  GtkStack      *main_stack;
  AdwStatusPage *empty_page;
  GtkWidget     *empty_add_button;
  GtkWidget     *toolbar;
  GtkWidget     *add_button;
  GtkDropDown   *model_dropdown;
  GtkStringList *model_names;
  GtkWidget     *run_button;
  GtkWidget     *explain_button;
  GtkWidget     *method_button;
  GtkDropDown   *method_dropdown;
  GtkStringList *method_names;
  GtkWidget     *steps_label;
  GtkSpinButton *steps_spin;
  GtkWidget     *baseline_label;
  GtkDropDown   *baseline_dropdown;
  GtkStringList *baseline_names;
  GtkWidget     *rule_label;
  GtkDropDown   *rule_dropdown;
  GtkStringList *rule_names;
  GtkWidget     *samples_label;
  GtkSpinButton *samples_spin;
  GtkSpinButton *seed_spin;
  GtkLabel      *method_hint;
  GtkToggleButton *compare_button;
  GtkDropDown   *preset_dropdown;
  GtkStringList *preset_names;
  GtkToggleButton *invert_button;
  GtkRevealer   *progress_revealer;
  GtkLabel      *progress_label;
  GtkProgressBar *progress_bar;
  GtkWidget     *cancel_button;
  GtkWidget     *strip_scroller;
  GtkListBox    *strip;
  GtkStack      *view_stack;
  SalImageView  *view;
  SalMethodCompare *compare;
  GtkWidget     *compare_methods_box;
  GtkWidget     *compare_checks[G_N_ELEMENTS (image_methods)];
  GArray        *compare_pending;  /* SalExplainMethod still to run */
  GtkLabel      *readout_label;
  GtkLabel      *prediction_label;
  SalProbabilities *probabilities;
  SalColorbar   *colorbar;
  SalCheckBadges *checks;
  GtkLabel      *agreement_label;
  GtkDropDown   *colormap_dropdown;
  GtkStringList *colormap_names;
  GtkDropDown   *sign_dropdown;
  GtkStringList *sign_names;
  GtkRange      *opacity_scale;
  GtkRange      *topk_scale;
  GtkSwitch     *contour_switch;
};

G_DEFINE_FINAL_TYPE (SalCaseImages, sal_case_images, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_KIOSK,
  N_PROPS
};

enum {
  RESULT_STORED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void update_actions (SalCaseImages *self);
static void start_compare  (SalCaseImages *self);

/* --- small helpers --- */

static void
toast (SalCaseImages *self, const char *message)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

static gint64
row_image_id (GtkListBoxRow *row)
{
  return row != NULL ? GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (row), "image-id")) : 0;
}

static gint64
selected_model_id (SalCaseImages *self)
{
  guint i = gtk_drop_down_get_selected (self->model_dropdown);

  return i < self->model_ids->len ? g_array_index (self->model_ids, gint64, i) : 0;
}

/* An 8-bit grey thumbnail of the first channel (or luma), windowed over the data
 * range, box-filtered down to at most THUMB_SIDE on its longer side. */
static GdkTexture *
make_thumbnail (const SalImage *img)
{
  int side = MAX (img->width, img->height);
  int tw = MAX (1, img->width * THUMB_SIDE / side), th = MAX (1, img->height * THUMB_SIDE / side);
  g_autofree double *grey = g_new (double, (gsize) img->width * img->height);
  g_autoptr(GBytes) bytes = NULL;
  guint8 *out = g_malloc ((gsize) tw * th);
  double lo = G_MAXDOUBLE, hi = -G_MAXDOUBLE;

  for (gsize i = 0; i < (gsize) img->width * img->height; i++)
    {
      const guint16 *p = img->pixels + i * img->channels;
      grey[i] = img->channels >= 3 ? 0.2126 * p[0] + 0.7152 * p[1] + 0.0722 * p[2] : p[0];
      lo = MIN (lo, grey[i]);
      hi = MAX (hi, grey[i]);
    }
  for (int y = 0; y < th; y++)
    for (int x = 0; x < tw; x++)
      {
        int x0 = x * img->width / tw, x1 = MAX (x0 + 1, (x + 1) * img->width / tw);
        int y0 = y * img->height / th, y1 = MAX (y0 + 1, (y + 1) * img->height / th);
        double s = 0;

        for (int j = y0; j < y1; j++)
          for (int i = x0; i < x1; i++)
            s += grey[(gsize) j * img->width + i];
        s /= (double) (x1 - x0) * (y1 - y0);
        out[(gsize) y * tw + x] = hi > lo ? (guint8) lround (255.0 * (s - lo) / (hi - lo)) : 0;
      }
  bytes = g_bytes_new_take (out, (gsize) tw * th);
  /* Grey as RGB: GTK 4.8 has no single-channel memory format. */
  {
    guint8 *rgb = g_malloc ((gsize) tw * th * 3);
    g_autoptr(GBytes) rgb_bytes = NULL;

    for (gsize i = 0; i < (gsize) tw * th; i++)
      rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = ((const guint8 *) g_bytes_get_data (bytes, NULL))[i];
    rgb_bytes = g_bytes_new_take (rgb, (gsize) tw * th * 3);
    return gdk_memory_texture_new (tw, th, GDK_MEMORY_R8G8B8, rgb_bytes, (gsize) tw * 3);
  }
}

static GtkWidget *
make_strip_row (const SalStoredImage *si, const SalImage *pixels)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  g_autoptr(GdkTexture) thumb = make_thumbnail (pixels);
  GtkWidget *picture = gtk_picture_new_for_paintable (GDK_PAINTABLE (thumb));
  g_autofree char *base = si->source != NULL ? g_path_get_basename (si->source) : NULL;
  g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, si->id);
  /* Translators: an image without a file name, by its number */
  g_autofree char *fallback = g_strdup_printf (_("Image %s"), number);
  g_autofree char *size = g_strdup_printf ("%d × %d · %d-bit", si->width, si->height, si->bit_depth);
  GtkWidget *name = gtk_label_new (base != NULL ? base : fallback);
  GtkWidget *info = gtk_label_new (size);

  gtk_widget_set_size_request (picture, THUMB_SIDE, THUMB_SIDE);
  gtk_picture_set_can_shrink (GTK_PICTURE (picture), TRUE);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_MIDDLE);
  gtk_label_set_max_width_chars (GTK_LABEL (name), 12);
  gtk_widget_add_css_class (info, "caption");
  gtk_widget_add_css_class (info, "dim-label");
  gtk_box_append (GTK_BOX (box), picture);
  gtk_box_append (GTK_BOX (box), name);
  gtk_box_append (GTK_BOX (box), info);
  gtk_widget_set_margin_top (box, 4);
  gtk_widget_set_margin_bottom (box, 4);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_widget_set_tooltip_text (row, base != NULL ? base : fallback);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  base != NULL ? base : fallback, -1);
  g_object_set_data (G_OBJECT (row), "image-id", GSIZE_TO_POINTER ((gsize) si->id));
  return row;
}

/* --- what is shown --- */

static void
clear_result (SalCaseImages *self)
{
  g_clear_pointer (&self->result, sal_attribution_result_free);
  sal_image_view_set_attribution (self->view, NULL, 0, 0);
  sal_colorbar_set_scale (self->colorbar, NULL);
  sal_colorbar_set_caption (self->colorbar, NULL);
  sal_check_badges_set_result (self->checks, NULL);
}

static void
clear_prediction (SalCaseImages *self)
{
  g_clear_pointer (&self->prediction, sal_prediction_free);
  sal_probabilities_set (self->probabilities, NULL, NULL, 0);
  gtk_label_set_text (self->prediction_label, _("Choose a model and press Run."));
}

static void
show_prediction (SalCaseImages *self, const SalPrediction *p)
{
  g_autofree char *text = NULL;

  if (p != self->prediction)
    {
      g_clear_pointer (&self->prediction, sal_prediction_free);
      self->prediction = sal_prediction_copy (p);
    }
  sal_probabilities_set (self->probabilities, (const char *const *) p->labels->pdata,
                         p->probabilities, p->n_classes);
  /* Translators: the model's answer: the most probable class and its probability */
  text = g_strdup_printf (_("Most likely: %s (%.0f %%)"),
                          (const char *) g_ptr_array_index (p->labels, p->predicted),
                          100.0 * p->probabilities[p->predicted]);
  gtk_label_set_text (self->prediction_label, text);
}

static void
update_colorbar (SalCaseImages *self)
{
  SalOverlayScale scale;

  if (sal_image_view_get_overlay_scale (self->view, &scale))
    sal_colorbar_set_scale (self->colorbar, &scale);
  else
    sal_colorbar_set_scale (self->colorbar, NULL);
}

static void
show_result (SalCaseImages *self, const SalAttributionResult *r)
{
  g_autofree char *caption = NULL;

  if (r != self->result)
    {
      clear_result (self);
      self->result = sal_attribution_result_copy (r);
    }
  sal_image_view_set_attribution (self->view, r->attribution, r->width, r->height);
  caption = sal_colorbar_format_caption (r->method, r->target, r->baseline, r->params_json,
                                         r->seed);
  sal_colorbar_set_caption (self->colorbar, caption);
  sal_check_badges_set_result (self->checks, r);
  update_colorbar (self);
}

static void
show_image (SalCaseImages *self, gint64 image_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SalStoredImage) si = NULL;

  if (image_id == self->image_id)
    return;
  self->image_id = image_id;
  clear_result (self);
  clear_prediction (self);
  if (image_id == 0 || self->store == NULL)
    {
      sal_image_view_set_image (self->view, NULL);
      update_actions (self);
      return;
    }
  si = sal_store_get_image (self->store, image_id, &error);
  if (si == NULL)
    {
      toast (self, error->message);
      sal_image_view_set_image (self->view, NULL);
    }
  else
    sal_image_view_set_image (self->view, si->image);
  if (gtk_toggle_button_get_active (self->compare_button))
    start_compare (self);
  update_actions (self);
}

static void
select_image_row (SalCaseImages *self, gint64 image_id)
{
  for (GtkWidget *c = gtk_widget_get_first_child (GTK_WIDGET (self->strip)); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    if (GTK_IS_LIST_BOX_ROW (c) && row_image_id (GTK_LIST_BOX_ROW (c)) == image_id)
      {
        gtk_list_box_select_row (self->strip, GTK_LIST_BOX_ROW (c));
        return;
      }
}

/* Rebuilds the strip from the store; selects @select (or the first image). */
static void
reload_images (SalCaseImages *self, gint64 select)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->strip))) != NULL)
    gtk_list_box_remove (self->strip, child);
  if (self->store != NULL && self->case_id > 0)
    list = sal_store_list_images (self->store, self->case_id, &error);
  if (error != NULL)
    toast (self, error->message);
  for (guint i = 0; list != NULL && i < list->len; i++)
    {
      const SalStoredImage *si = g_ptr_array_index (list, i);
      g_autoptr(SalStoredImage) full = sal_store_get_image (self->store, si->id, NULL);

      if (full != NULL)
        gtk_list_box_append (self->strip, make_strip_row (si, full->image));
    }
  if (list == NULL || list->len == 0)
    {
      gtk_stack_set_visible_child_name (self->main_stack, "empty");
      show_image (self, 0);
      return;
    }
  gtk_stack_set_visible_child_name (self->main_stack, "images");
  if (select == 0)
    select = ((const SalStoredImage *) g_ptr_array_index (list, 0))->id;
  select_image_row (self, select);
}

static void
reload_models (SalCaseImages *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) models = NULL;
  gint64 keep = selected_model_id (self);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->model_names));
  guint select = 0;
  g_autoptr(GPtrArray) names = g_ptr_array_new ();

  g_array_set_size (self->model_ids, 0);
  if (self->analysis != NULL)
    models = sal_analysis_list_image_models (self->analysis, &error);
  if (error != NULL)
    toast (self, error->message);
  for (guint i = 0; models != NULL && i < models->len; i++)
    {
      const SalModelRecord *m = g_ptr_array_index (models, i);

      g_array_append_val (self->model_ids, m->id);
      g_ptr_array_add (names, m->name);
      /* The lesion finder first, as the model this panel is for. */
      if (m->id == keep || (keep == 0 && g_str_has_prefix (m->name, "lesion")))
        select = i;
    }
  g_ptr_array_add (names, NULL);
  gtk_string_list_splice (self->model_names, 0, n, (const char *const *) names->pdata);
  if (self->model_ids->len > 0)
    gtk_drop_down_set_selected (self->model_dropdown, select);
}

/* --- the method and its parameters --- */

static SalExplainMethod
selected_method (SalCaseImages *self)
{
  guint i = gtk_drop_down_get_selected (self->method_dropdown);

  return image_methods[MIN (i, G_N_ELEMENTS (image_methods) - 1)].method;
}

static void
select_method (SalCaseImages *self, SalExplainMethod method)
{
  for (guint i = 0; i < G_N_ELEMENTS (image_methods); i++)
    if (image_methods[i].method == method)
      gtk_drop_down_set_selected (self->method_dropdown, i);
}

/* Shows the parameters the chosen method takes, with their defaults. */
static void
method_changed_cb (SalCaseImages *self)
{
  SalExplainMethod m = selected_method (self);
  gboolean ig = m == SAL_EXPLAIN_INTEGRATED_GRADIENTS;
  gboolean sampled = m == SAL_EXPLAIN_SMOOTHGRAD || m == SAL_EXPLAIN_RISE;
  const char *hint = "";

  gtk_widget_set_visible (self->steps_label, ig);
  gtk_widget_set_visible (GTK_WIDGET (self->steps_spin), ig);
  gtk_widget_set_visible (self->baseline_label, ig);
  gtk_widget_set_visible (GTK_WIDGET (self->baseline_dropdown), ig);
  gtk_widget_set_visible (self->rule_label, ig);
  gtk_widget_set_visible (GTK_WIDGET (self->rule_dropdown), ig);
  gtk_widget_set_visible (self->samples_label, sampled);
  gtk_widget_set_visible (GTK_WIDGET (self->samples_spin), sampled);
  if (!self->restoring && sampled)
    gtk_spin_button_set_value (self->samples_spin, m == SAL_EXPLAIN_RISE ? 1000 : 32);
  switch (m)
    {
    case SAL_EXPLAIN_GRAD_CAM:
    case SAL_EXPLAIN_GRAD_CAM_PP:
      hint = _("Where the last convolution layer looked, at its coarse resolution. Fast.");
      break;
    case SAL_EXPLAIN_INTEGRATED_GRADIENTS:
      hint = _("Gradients summed along a path from the baseline to the image; they add up to the change in score.");
      break;
    case SAL_EXPLAIN_GRADIENT:
      hint = _("How much each pixel changes the score, for a tiny change.");
      break;
    case SAL_EXPLAIN_GRADIENT_X_INPUT:
      hint = _("The gradient times the pixel value.");
      break;
    case SAL_EXPLAIN_SMOOTHGRAD:
      hint = _("Gradients averaged over noisy copies of the image.");
      break;
    case SAL_EXPLAIN_OCCLUSION:
      hint = _("How the score drops when a small window of the image is covered. Slow.");
      break;
    case SAL_EXPLAIN_RISE:
      hint = _("The score over many random masks of the image. Slow.");
      break;
    default:
      break;
    }
  gtk_label_set_text (self->method_hint, hint);
  gtk_widget_set_tooltip_text (self->explain_button, NULL);
  {
    /* Translators: the Explain button's tooltip: the method it will use */
    g_autofree char *tip = g_strdup_printf (_("Explain with %s (Ctrl+E)"),
                                            sal_method_display_name (sal_explain_method_id (image_methods[gtk_drop_down_get_selected (self->method_dropdown)].method)));
    gtk_widget_set_tooltip_text (self->explain_button, tip);
  }
}

static void
get_spec (SalCaseImages *self, SalExplainSpec *spec)
{
  SalExplainMethod m = selected_method (self);

  sal_explain_spec_init (spec, m);
  spec->seed = (guint32) gtk_spin_button_get_value_as_int (self->seed_spin);
  if (m == SAL_EXPLAIN_INTEGRATED_GRADIENTS)
    {
      spec->steps = gtk_spin_button_get_value_as_int (self->steps_spin);
      spec->baseline = baselines[MIN (gtk_drop_down_get_selected (self->baseline_dropdown),
                                      G_N_ELEMENTS (baselines) - 1)];
      spec->rule = rules[MIN (gtk_drop_down_get_selected (self->rule_dropdown),
                              G_N_ELEMENTS (rules) - 1)];
    }
  if (m == SAL_EXPLAIN_SMOOTHGRAD || m == SAL_EXPLAIN_RISE)
    spec->samples = gtk_spin_button_get_value_as_int (self->samples_spin);
  /* Stored with the result, so History reopens it as it was shown. */
  spec->has_overlay = TRUE;
  sal_image_view_get_overlay_style (self->view, &spec->overlay);
}

/* --- overlay controls --- */

static void
overlay_changed_cb (SalCaseImages *self)
{
  SalOverlayStyle style;
  guint sign = gtk_drop_down_get_selected (self->sign_dropdown);
  guint map = gtk_drop_down_get_selected (self->colormap_dropdown);

  sal_overlay_style_init (&style);
  style.sign = signs[MIN (sign, G_N_ELEMENTS (signs) - 1)];
  style.colormap = (SalColormap) MIN (map, SAL_N_COLORMAPS - 1);
  /* Signed values need the diverging map, and the diverging map signed values. */
  if (style.sign == SAL_SIGN_SIGNED && style.colormap != SAL_COLORMAP_DIVERGING)
    {
      gtk_drop_down_set_selected (self->colormap_dropdown, SAL_COLORMAP_DIVERGING);
      return;
    }
  if (style.sign != SAL_SIGN_SIGNED && style.colormap == SAL_COLORMAP_DIVERGING)
    {
      gtk_drop_down_set_selected (self->sign_dropdown, G_N_ELEMENTS (signs) - 1);
      return;
    }
  style.opacity = gtk_range_get_value (self->opacity_scale);
  style.top_k_percent = gtk_range_get_value (self->topk_scale);
  style.contours = gtk_switch_get_active (self->contour_switch);
  sal_image_view_set_overlay_style (self->view, &style);
  sal_method_compare_set_overlay_style (self->compare, &style);
  update_colorbar (self);
}

/* --- jobs --- */

static void
job_progress_cb (SalJob *job, GParamSpec *pspec, SalCaseImages *self)
{
  const char *status = sal_job_get_status (job);

  gtk_progress_bar_set_fraction (self->progress_bar, sal_job_get_progress (job));
  if (status != NULL)
    gtk_label_set_text (self->progress_label, status);
}

static void
start_job (SalCaseImages *self, SalJob *job, JobKind kind, GAsyncReadyCallback done)
{
  g_set_object (&self->job, job);
  self->job_kind = kind;
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_signal_connect_object (job, "notify::progress", G_CALLBACK (job_progress_cb), self, 0);
  g_signal_connect_object (job, "notify::status", G_CALLBACK (job_progress_cb), self, 0);
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_label_set_text (self->progress_label, sal_job_get_title (job));
  gtk_revealer_set_reveal_child (self->progress_revealer, TRUE);
  sal_job_queue_submit_async (self->jobs, job, self->cancellable, done, g_object_ref (self));
  update_actions (self);
}

/* The job is over; TRUE when its result is for what is still shown. */
static gboolean
finish_job (SalCaseImages *self, GAsyncResult *res, gpointer *result, GError **error)
{
  SalJobQueue *jobs = SAL_JOB_QUEUE (g_async_result_get_source_object (res));

  *result = sal_job_queue_submit_finish (jobs, res, error);
  g_object_unref (jobs);
  g_clear_object (&self->job);
  self->job_kind = JOB_NONE;
  gtk_revealer_set_reveal_child (self->progress_revealer, FALSE);
  update_actions (self);
  return *result != NULL;
}

static void
run_done_cb (GObject *source, GAsyncResult *res, gpointer data)
{
  g_autoptr(SalCaseImages) self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SalPrediction) p = NULL;

  if (!finish_job (self, res, (gpointer *) &p, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast (self, error->message);
      return;
    }
  if (p->image_id == self->image_id)
    show_prediction (self, p);
  if (p->record_id > 0)
    g_signal_emit (self, signals[RESULT_STORED], 0, p->record_id);
}

static void
explain_done_cb (GObject *source, GAsyncResult *res, gpointer data)
{
  g_autoptr(SalCaseImages) self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SalAttributionResult) r = NULL;

  if (!finish_job (self, res, (gpointer *) &r, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast (self, _("Explanation cancelled; nothing was stored"));
      else
        toast (self, error->message);
      return;
    }
  if (r->image_id == self->image_id)
    {
      /* The explanation stores what the model said with it: shown as a Run's
       * would be (the kiosk explains without a Run first). */
      g_autoptr(SalExplanationRecord) e = sal_store_get_explanation (self->store, r->record_id, NULL);
      g_autoptr(SalPrediction) p = e != NULL ? sal_prediction_from_record (e) : NULL;

      if (p != NULL)
        show_prediction (self, p);
      show_result (self, r);
    }
  if (r->image_id == self->image_id && gtk_toggle_button_get_active (self->compare_button))
    sal_method_compare_add_result (self->compare, r);
  g_signal_emit (self, signals[RESULT_STORED], 0, r->record_id);
}

/* --- compare --- */

static SalImageView *
active_view (SalCaseImages *self)
{
  if (gtk_toggle_button_get_active (self->compare_button))
    return sal_method_compare_get_view (self->compare, 0);
  return self->view;
}

/* The newest stored explanation of the shown image by the chosen model with
 * @method, or NULL: compare reuses what History already holds. */
static SalAttributionResult *
find_stored (SalCaseImages *self, SalExplainMethod method)
{
  g_autoptr(SalModelRecord) model = sal_store_get_model (self->store, selected_model_id (self), NULL);
  g_autoptr(GPtrArray) list = NULL;

  if (model == NULL)
    return NULL;
  list = sal_store_list_explanations (self->store, SAL_OBJECT_IMAGE, self->image_id, NULL);
  for (guint i = 0; list != NULL && i < list->len; i++)
    {
      const SalExplanationRecord *e = g_ptr_array_index (list, i);

      if (g_strcmp0 (e->method, sal_explain_method_id (method)) == 0
          && g_strcmp0 (e->model_sha256, model->sha256) == 0)
        return sal_attribution_result_from_record (self->store, e, NULL);
    }
  return NULL;
}

static void compare_next (SalCaseImages *self);

static void
compare_done_cb (GObject *source, GAsyncResult *res, gpointer data)
{
  g_autoptr(SalCaseImages) self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SalAttributionResult) r = NULL;

  if (!finish_job (self, res, (gpointer *) &r, &error))
    {
      g_array_set_size (self->compare_pending, 0);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast (self, _("Explanation cancelled; nothing was stored"));
      else
        toast (self, error->message);
      return;
    }
  if (r->image_id == self->image_id && gtk_toggle_button_get_active (self->compare_button))
    sal_method_compare_add_result (self->compare, r);
  g_signal_emit (self, signals[RESULT_STORED], 0, r->record_id);
  compare_next (self);
}

/* Runs the next method the comparison still lacks, one job at a time. */
static void
compare_next (SalCaseImages *self)
{
  g_autoptr(SalJob) job = NULL;
  SalExplainSpec spec;

  if (self->job != NULL || self->compare_pending->len == 0 || self->image_id <= 0
      || selected_model_id (self) == 0)
    return;
  sal_explain_spec_init (&spec, g_array_index (self->compare_pending, SalExplainMethod, 0));
  g_array_remove_index (self->compare_pending, 0);
  spec.seed = (guint32) gtk_spin_button_get_value_as_int (self->seed_spin);
  spec.has_overlay = TRUE;
  sal_image_view_get_overlay_style (self->view, &spec.overlay);
  job = sal_analysis_explain_job_new (self->analysis, selected_model_id (self), self->image_id,
                                      &spec);
  start_job (self, job, JOB_COMPARE, compare_done_cb);
}

static void
start_compare (SalCaseImages *self)
{
  SalOverlayStyle style;

  g_array_set_size (self->compare_pending, 0);
  sal_method_compare_set_image (self->compare, sal_image_view_get_image (self->view));
  sal_image_view_get_overlay_style (self->view, &style);
  sal_method_compare_set_overlay_style (self->compare, &style);
  if (self->image_id <= 0 || self->store == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (image_methods); i++)
    if (gtk_check_button_get_active (GTK_CHECK_BUTTON (self->compare_checks[i])))
      {
        g_autoptr(SalAttributionResult) r = find_stored (self, image_methods[i].method);

        if (r != NULL)
          sal_method_compare_add_result (self->compare, r);
        else
          g_array_append_val (self->compare_pending, image_methods[i].method);
      }
  compare_next (self);
}

static void
compare_toggled_cb (SalCaseImages *self)
{
  gboolean on = gtk_toggle_button_get_active (self->compare_button);

  gtk_stack_set_visible_child_name (self->view_stack, on ? "compare" : "single");
  if (on)
    start_compare (self);
  else
    {
      g_array_set_size (self->compare_pending, 0);
      if (self->job_kind == JOB_COMPARE && self->cancellable != NULL)
        g_cancellable_cancel (self->cancellable);
    }
  update_actions (self);
}

/* At most four: the others are offered again when one is unticked. */
static void
compare_check_cb (SalCaseImages *self)
{
  guint n = 0;

  for (guint i = 0; i < G_N_ELEMENTS (image_methods); i++)
    n += gtk_check_button_get_active (GTK_CHECK_BUTTON (self->compare_checks[i]));
  for (guint i = 0; i < G_N_ELEMENTS (image_methods); i++)
    gtk_widget_set_sensitive (self->compare_checks[i],
                              n < SAL_METHOD_COMPARE_MAX
                              || gtk_check_button_get_active (GTK_CHECK_BUTTON (self->compare_checks[i])));
  if (gtk_toggle_button_get_active (self->compare_button))
    start_compare (self);
}

/* --- actions --- */

static void
update_actions (SalCaseImages *self)
{
  GtkWidget *w = GTK_WIDGET (self);
  gboolean have_case = self->store != NULL && self->case_id > 0;
  gboolean can_analyse = have_case && self->jobs != NULL && self->image_id > 0
                         && selected_model_id (self) > 0;
  gboolean idle = self->job == NULL;

  gtk_widget_action_set_enabled (w, "images.add", have_case && !self->kiosk);
  gtk_widget_action_set_enabled (w, "images.run", can_analyse && idle);
  gtk_widget_action_set_enabled (w, "images.explain", can_analyse && idle);
  gtk_widget_action_set_enabled (w, "images.cancel", !idle);
  gtk_widget_action_set_enabled (w, "images.zoom-in", self->image_id > 0);
  gtk_widget_action_set_enabled (w, "images.zoom-out", self->image_id > 0);
  gtk_widget_action_set_enabled (w, "images.fit", self->image_id > 0);
  gtk_widget_action_set_enabled (w, "images.actual-size", self->image_id > 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->model_dropdown), idle);
  gtk_widget_set_sensitive (GTK_WIDGET (self->compare_button), can_analyse);
}

static void
files_chosen_cb (GtkNativeDialog *dialog, int response, gpointer data)
{
  SalCaseImages *self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) files = NULL;
  g_autoptr(GPtrArray) array = g_ptr_array_new_with_free_func (g_object_unref);

  if (response == GTK_RESPONSE_ACCEPT)
    {
      files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));
      for (guint i = 0; i < g_list_model_get_n_items (files); i++)
        g_ptr_array_add (array, g_list_model_get_item (files, i));
      if (!sal_case_images_add_files (self, (GFile **) array->pdata, array->len, &error))
        toast (self, error->message);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (self);
}

static void
action_add (GtkWidget *widget, const char *name, GVariant *param)
{
  SalCaseImages *self = SAL_CASE_IMAGES (widget);
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  chooser = gtk_file_chooser_native_new (_("Add Images"),
                                         GTK_WINDOW (gtk_widget_get_root (widget)),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Add"), _("_Cancel"));
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (chooser), TRUE);
  gtk_file_filter_set_name (filter, _("PNG images"));
  gtk_file_filter_add_mime_type (filter, "image/png");
  gtk_file_filter_add_suffix (filter, "png");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (files_chosen_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
action_run (GtkWidget *widget, const char *name, GVariant *param)
{
  SalCaseImages *self = SAL_CASE_IMAGES (widget);
  g_autoptr(SalJob) job = NULL;

  if (self->job != NULL || self->image_id == 0 || selected_model_id (self) == 0)
    return;
  job = sal_analysis_run_job_new (self->analysis, selected_model_id (self), self->image_id);
  start_job (self, job, JOB_RUN, run_done_cb);
}

static void
action_explain (GtkWidget *widget, const char *name, GVariant *param)
{
  SalCaseImages *self = SAL_CASE_IMAGES (widget);
  g_autoptr(SalJob) job = NULL;
  SalExplainSpec spec;

  if (self->job != NULL || self->image_id == 0 || selected_model_id (self) == 0)
    return;
  get_spec (self, &spec);
  job = sal_analysis_explain_job_new (self->analysis, selected_model_id (self), self->image_id,
                                      &spec);
  start_job (self, job, JOB_EXPLAIN, explain_done_cb);
}

static void
action_cancel (GtkWidget *widget, const char *name, GVariant *param)
{
  SalCaseImages *self = SAL_CASE_IMAGES (widget);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

static void
action_view (GtkWidget *widget, const char *name, GVariant *param)
{
  SalCaseImages *self = SAL_CASE_IMAGES (widget);
  GtkWidget *view = GTK_WIDGET (active_view (self));

  if (g_str_equal (name, "images.zoom-in"))
    gtk_widget_activate_action (view, "view.zoom", "d", 1.25);
  else if (g_str_equal (name, "images.zoom-out"))
    gtk_widget_activate_action (view, "view.zoom", "d", 0.8);
  else if (g_str_equal (name, "images.fit"))
    gtk_widget_activate_action (view, "view.fit", NULL);
  else
    gtk_widget_activate_action (view, "view.actual-size", NULL);
}

static void
preset_changed_cb (SalCaseImages *self)
{
  guint i = gtk_drop_down_get_selected (self->preset_dropdown);

  if (i < G_N_ELEMENTS (presets) && sal_image_view_get_image (self->view) != NULL)
    sal_image_view_apply_preset (self->view, presets[i]);
}

static void
strip_selected_cb (SalCaseImages *self, GtkListBoxRow *row)
{
  show_image (self, row_image_id (row));
  if (row != NULL)
    preset_changed_cb (self);
}

static void
readout_cb (SalCaseImages *self)
{
  const char *text = sal_image_view_get_readout (self->view);

  gtk_label_set_text (self->readout_label, text != NULL ? text : "");
}

static void
update_empty_page (SalCaseImages *self)
{
  if (self->case_id > 0)
    {
      adw_status_page_set_title (self->empty_page, _("No Images"));
      adw_status_page_set_description (self->empty_page, self->kiosk
        ? _("This case has no images.")
        : _("Add PNG images to this case to run a model on them and see why it decided."));
    }
  else
    {
      adw_status_page_set_title (self->empty_page, _("No Case Selected"));
      adw_status_page_set_description (self->empty_page,
                                       _("Choose a case in the list, or create one."));
    }
  gtk_widget_set_visible (self->empty_add_button, self->case_id > 0 && !self->kiosk);
}

/* --- import --- */

typedef struct {
  gint64     case_id;
  GPtrArray *images;   /* SalImage* */
  GPtrArray *names;    /* char* */
  gint64     first_id;
} Import;

static gboolean
import_txn (SalStore *store, gpointer data, GError **error)
{
  Import *im = data;

  for (guint i = 0; i < im->images->len; i++)
    {
      gint64 id = sal_store_add_image (store, im->case_id, im->names->pdata[i],
                                       im->images->pdata[i], error);
      if (id <= 0)
        return FALSE;
      if (i == 0)
        im->first_id = id;
    }
  return TRUE;
}

/* --- GObject --- */

static void
sal_case_images_dispose (GObject *object)
{
  SalCaseImages *self = SAL_CASE_IMAGES (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  /* Tearing the tree down emits selection and value signals: stop listening first. */
  if (self->strip != NULL)
    {
      GObject *sources[] = { G_OBJECT (self->strip), G_OBJECT (self->view),
                             G_OBJECT (self->method_dropdown), G_OBJECT (self->model_dropdown),
                             G_OBJECT (self->preset_dropdown), G_OBJECT (self->colormap_dropdown),
                             G_OBJECT (self->sign_dropdown), G_OBJECT (self->opacity_scale),
                             G_OBJECT (self->topk_scale), G_OBJECT (self->contour_switch),
                             G_OBJECT (self->compare_button) };

      for (guint i = 0; i < G_N_ELEMENTS (sources); i++)
        g_signal_handlers_disconnect_by_data (sources[i], self);
      for (guint i = 0; i < G_N_ELEMENTS (image_methods); i++)
        g_signal_handlers_disconnect_by_data (self->compare_checks[i], self);
    }
  gtk_widget_dispose_template (GTK_WIDGET (object), SAL_TYPE_CASE_IMAGES);
  self->toast_overlay = NULL;
  g_clear_object (&self->job);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->analysis);
  g_clear_object (&self->jobs);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->store, sal_store_unref);
  G_OBJECT_CLASS (sal_case_images_parent_class)->dispose (object);
}

static void
sal_case_images_finalize (GObject *object)
{
  SalCaseImages *self = SAL_CASE_IMAGES (object);

  g_array_unref (self->model_ids);
  g_array_unref (self->compare_pending);
  g_clear_pointer (&self->prediction, sal_prediction_free);
  g_clear_pointer (&self->result, sal_attribution_result_free);
  G_OBJECT_CLASS (sal_case_images_parent_class)->finalize (object);
}

static void
set_kiosk (SalCaseImages *self, gboolean kiosk)
{
  if (self->kiosk == kiosk)
    return;
  self->kiosk = kiosk;
  gtk_widget_set_visible (self->add_button, !kiosk);
  /* A kiosk screen is small for its large type: touch zooms and pans (pinch, drag), and
   * one method at a time is enough for a passer-by. */
  gtk_widget_set_visible (gtk_widget_get_parent (GTK_WIDGET (self->compare_button)), !kiosk);
  gtk_widget_set_visible (gtk_widget_get_parent (GTK_WIDGET (self->invert_button)), !kiosk);
  update_empty_page (self);
  if (kiosk)
    gtk_widget_add_css_class (GTK_WIDGET (self), "kiosk");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "kiosk");
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KIOSK]);
}

static void
sal_case_images_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  SalCaseImages *self = SAL_CASE_IMAGES (object);

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
sal_case_images_set_property (GObject *object, guint prop_id, const GValue *value,
                              GParamSpec *pspec)
{
  SalCaseImages *self = SAL_CASE_IMAGES (object);

  switch (prop_id)
    {
    case PROP_KIOSK:
      set_kiosk (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

#define BIND(name) gtk_widget_class_bind_template_child (widget_class, SalCaseImages, name)

static void
sal_case_images_class_init (SalCaseImagesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sal_case_images_dispose;
  object_class->finalize = sal_case_images_finalize;
  object_class->get_property = sal_case_images_get_property;
  object_class->set_property = sal_case_images_set_property;

  properties[PROP_KIOSK] =
    g_param_spec_boolean ("kiosk", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SalCaseImages::result-stored:
   * @id: the stored explanation's id
   *
   * A new result was stored (History can list it).
   */
  signals[RESULT_STORED] = g_signal_new ("result-stored", G_TYPE_FROM_CLASS (klass),
                                         G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
                                         1, G_TYPE_INT64);

  g_type_ensure (SAL_TYPE_IMAGE_VIEW);
  g_type_ensure (SAL_TYPE_COLORBAR);
  g_type_ensure (SAL_TYPE_PROBABILITIES);
  g_type_ensure (SAL_TYPE_CHECK_BADGES);
  g_type_ensure (SAL_TYPE_METHOD_COMPARE);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/salient/Salient/sal-case-images.ui");
  gtk_widget_class_set_css_name (widget_class, "salcaseimages");
  BIND (main_stack);
  BIND (empty_page);
  BIND (empty_add_button);
  BIND (toolbar);
  BIND (add_button);
  BIND (model_dropdown);
  BIND (model_names);
  BIND (run_button);
  BIND (explain_button);
  BIND (method_button);
  BIND (method_dropdown);
  BIND (method_names);
  BIND (steps_label);
  BIND (steps_spin);
  BIND (baseline_label);
  BIND (baseline_dropdown);
  BIND (baseline_names);
  BIND (rule_label);
  BIND (rule_dropdown);
  BIND (rule_names);
  BIND (samples_label);
  BIND (samples_spin);
  BIND (seed_spin);
  BIND (method_hint);
  BIND (compare_button);
  BIND (preset_dropdown);
  BIND (preset_names);
  BIND (invert_button);
  BIND (progress_revealer);
  BIND (progress_label);
  BIND (progress_bar);
  BIND (cancel_button);
  BIND (strip_scroller);
  BIND (strip);
  BIND (view_stack);
  BIND (view);
  BIND (compare);
  BIND (compare_methods_box);
  BIND (readout_label);
  BIND (prediction_label);
  BIND (probabilities);
  BIND (colorbar);
  BIND (checks);
  BIND (agreement_label);
  BIND (colormap_dropdown);
  BIND (colormap_names);
  BIND (sign_dropdown);
  BIND (sign_names);
  BIND (opacity_scale);
  BIND (topk_scale);
  BIND (contour_switch);

  gtk_widget_class_install_action (widget_class, "images.add", NULL, action_add);
  gtk_widget_class_install_action (widget_class, "images.run", NULL, action_run);
  gtk_widget_class_install_action (widget_class, "images.explain", NULL, action_explain);
  gtk_widget_class_install_action (widget_class, "images.cancel", NULL, action_cancel);
  gtk_widget_class_install_action (widget_class, "images.zoom-in", NULL, action_view);
  gtk_widget_class_install_action (widget_class, "images.zoom-out", NULL, action_view);
  gtk_widget_class_install_action (widget_class, "images.fit", NULL, action_view);
  gtk_widget_class_install_action (widget_class, "images.actual-size", NULL, action_view);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK,
                                       "images.explain", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, 0, "images.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, 0, "images.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Add, 0, "images.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, 0, "images.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Subtract, 0, "images.zoom-out",
                                       NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, 0, "images.fit", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, 0, "images.actual-size", NULL);

}

/* Touch targets of at least 48 px in the kiosk, and the colours of the check
 * badges (pass and warn, each also with its own icon). */
static const char panel_css[] =
  "salcaseimages.kiosk button, salcaseimages.kiosk spinbutton,"
  " salcaseimages.kiosk row { min-height: 48px; min-width: 48px; }"
  " salcaseimages.kiosk scale slider { min-height: 32px; min-width: 32px; }"
  " salcaseimages.kiosk checkbutton { min-height: 48px; }"
  " menubutton.sal-badge.pass > button { color: @success_color; background-color: alpha(@success_color, 0.12); }"
  " menubutton.sal-badge.warn > button { color: @warning_color; background-color: alpha(@warning_color, 0.16); }";

static void
install_css (void)
{
  GdkDisplay *display = gdk_display_get_default ();
  GtkCssProvider *provider;

  if (display == NULL || g_object_get_data (G_OBJECT (display), "sal-case-images-css") != NULL)
    return;
  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_data (provider, panel_css, -1);
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  g_object_set_data_full (G_OBJECT (display), "sal-case-images-css", provider, g_object_unref);
}

static void
fill_list (GtkStringList *list, const char *const *names, guint n)
{
  for (guint i = 0; i < n; i++)
    gtk_string_list_append (list, _(names[i]));
}

static void
sal_case_images_init (SalCaseImages *self)
{
  GApplication *app = g_application_get_default ();
  g_autofree char *method_id = NULL;
  SalExplainMethod method = SAL_EXPLAIN_GRAD_CAM;
  SalColormap map = SAL_COLORMAP_VIRIDIS;
  double opacity = 0.5;

  gtk_widget_init_template (GTK_WIDGET (self));
  install_css ();
  /* Not bound: AdwBin unparents its own child (binding it would unparent it twice). */
  self->toast_overlay = ADW_TOAST_OVERLAY (adw_bin_get_child (ADW_BIN (self)));
  self->model_ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; i < G_N_ELEMENTS (image_methods); i++)
    gtk_string_list_append (self->method_names, sal_method_display_name (sal_explain_method_id (image_methods[i].method)));
  fill_list (self->baseline_names, baseline_names, G_N_ELEMENTS (baseline_names));
  fill_list (self->rule_names, rule_names, G_N_ELEMENTS (rule_names));
  fill_list (self->sign_names, sign_names, G_N_ELEMENTS (sign_names));
  fill_list (self->preset_names, preset_names, G_N_ELEMENTS (preset_names));
  for (guint i = 0; i < SAL_N_COLORMAPS; i++)
    gtk_string_list_append (self->colormap_names, sal_colormap_display_name ((SalColormap) i));

  /* Defaults from Preferences (the kiosk's settings live in memory, as the
   * application's own object). */
  if (SAL_IS_APPLICATION (app))
    self->settings = g_object_ref (sal_application_get_settings (SAL_APPLICATION (app)));
  if (self->settings != NULL)
    {
      g_autofree char *map_id = g_settings_get_string (self->settings, "overlay-colormap");

      method_id = g_settings_get_string (self->settings, "default-method");
      if (!sal_explain_method_from_id (method_id, &method))
        method = SAL_EXPLAIN_GRAD_CAM;
      if (!sal_colormap_from_id (map_id, &map) || map == SAL_COLORMAP_DIVERGING)
        map = SAL_COLORMAP_VIRIDIS;
      opacity = g_settings_get_double (self->settings, "overlay-opacity");
    }
  gtk_drop_down_set_selected (self->method_dropdown, 0);
  select_method (self, method);
  gtk_drop_down_set_selected (self->colormap_dropdown, map);
  gtk_range_set_value (self->opacity_scale, opacity);

  g_signal_connect_swapped (self->method_dropdown, "notify::selected",
                            G_CALLBACK (method_changed_cb), self);
  g_signal_connect_swapped (self->model_dropdown, "notify::selected",
                            G_CALLBACK (update_actions), self);
  g_signal_connect_swapped (self->preset_dropdown, "notify::selected",
                            G_CALLBACK (preset_changed_cb), self);
  g_signal_connect_swapped (self->colormap_dropdown, "notify::selected",
                            G_CALLBACK (overlay_changed_cb), self);
  g_signal_connect_swapped (self->sign_dropdown, "notify::selected",
                            G_CALLBACK (overlay_changed_cb), self);
  g_signal_connect_swapped (self->opacity_scale, "value-changed",
                            G_CALLBACK (overlay_changed_cb), self);
  g_signal_connect_swapped (self->topk_scale, "value-changed",
                            G_CALLBACK (overlay_changed_cb), self);
  g_signal_connect_swapped (self->contour_switch, "notify::active",
                            G_CALLBACK (overlay_changed_cb), self);
  g_signal_connect_swapped (self->view, "notify::readout", G_CALLBACK (readout_cb), self);
  g_object_bind_property (self->invert_button, "active", self->view, "invert",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_signal_connect_swapped (self->strip, "row-selected", G_CALLBACK (strip_selected_cb), self);

  self->compare_pending = g_array_new (FALSE, FALSE, sizeof (SalExplainMethod));
  for (guint i = 0; i < G_N_ELEMENTS (image_methods); i++)
    {
      SalExplainMethod m = image_methods[i].method;

      self->compare_checks[i] = gtk_check_button_new_with_label (sal_method_display_name (sal_explain_method_id (image_methods[i].method)));
      /* Two map families, two fine-grained maps: a useful first comparison. */
      gtk_check_button_set_active (GTK_CHECK_BUTTON (self->compare_checks[i]),
                                   m == SAL_EXPLAIN_GRAD_CAM || m == SAL_EXPLAIN_INTEGRATED_GRADIENTS
                                   || m == SAL_EXPLAIN_GRADIENT || m == SAL_EXPLAIN_OCCLUSION);
      g_signal_connect_swapped (self->compare_checks[i], "toggled",
                                G_CALLBACK (compare_check_cb), self);
      gtk_box_append (GTK_BOX (self->compare_methods_box), self->compare_checks[i]);
    }
  compare_check_cb (self);
  g_signal_connect_swapped (self->compare_button, "toggled", G_CALLBACK (compare_toggled_cb), self);

  method_changed_cb (self);
  overlay_changed_cb (self);
  clear_prediction (self);
  gtk_stack_set_visible_child_name (self->main_stack, "empty");
  update_actions (self);
}

/* --- public API --- */

GtkWidget *
sal_case_images_new (void)
{
  return g_object_new (SAL_TYPE_CASE_IMAGES, NULL);
}

void
sal_case_images_set_case (SalCaseImages *self, SalStore *store, SalJobQueue *jobs,
                          gint64 case_id)
{
  g_return_if_fail (SAL_IS_CASE_IMAGES (self));

  if (store == NULL || case_id <= 0)
    {
      store = NULL;
      case_id = 0;
    }
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  if (store != self->store)
    {
      g_clear_object (&self->analysis);
      g_clear_pointer (&self->store, sal_store_unref);
      if (store != NULL)
        {
          self->store = sal_store_ref (store);
          self->analysis = sal_analysis_new (store);
        }
    }
  g_set_object (&self->jobs, jobs);
  self->case_id = case_id;
  self->image_id = -1;   /* force the view to reload */
  show_image (self, 0);
  update_empty_page (self);
  reload_models (self);
  reload_images (self, 0);
  update_actions (self);
}

gboolean
sal_case_images_add_files (SalCaseImages *self, GFile **files, guint n_files, GError **error)
{
  g_autoptr(GPtrArray) images = g_ptr_array_new_with_free_func ((GDestroyNotify) sal_image_free);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  Import im = { self->case_id, images, names, 0 };

  g_return_val_if_fail (SAL_IS_CASE_IMAGES (self), FALSE);
  g_return_val_if_fail (files != NULL || n_files == 0, FALSE);

  if (self->store == NULL || self->case_id <= 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                   _("Choose or create a case before adding images"));
      return FALSE;
    }
  /* Decode everything first: one bad file adds nothing. */
  for (guint i = 0; i < n_files; i++)
    {
      g_autofree char *path = g_file_get_path (files[i]);
      g_autofree char *uri = NULL;
      SalImage *img;

      if (path == NULL)
        {
          uri = g_file_get_uri (files[i]);
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                       _("%s is not a local file; copy it to this computer first"), uri);
          return FALSE;
        }
      if ((img = sal_image_load_png (path, NULL, error)) == NULL)
        return FALSE;
      g_ptr_array_add (images, img);
      g_ptr_array_add (names, g_file_get_basename (files[i]));
    }
  if (n_files == 0)
    return TRUE;
  if (!sal_store_run_in_transaction (self->store, import_txn, &im, error))
    return FALSE;
  reload_images (self, im.first_id);
  return TRUE;
}

/* --- reopening a stored result --- */

/* Sets the method menu to the record's method and parameters. */
static void
restore_method (SalCaseImages *self, const SalAttributionResult *r)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *params = sal_json_parse_object (r->params_json, parser);
  SalExplainMethod method;
  SalBaseline baseline;
  double v;

  if (!sal_explain_method_from_id (r->method, &method))
    return;
  self->restoring = TRUE;
  select_method (self, method);
  gtk_spin_button_set_value (self->seed_spin, r->seed);
  if (!isnan (v = sal_json_member_double (params, "steps")))
    gtk_spin_button_set_value (self->steps_spin, v);
  {
    SalIgRule rule = SAL_IG_TRAPEZOID;   /* results stored before the choice existed */
    const char *id = params != NULL && json_object_has_member (params, "rule")
                       ? json_object_get_string_member (params, "rule") : NULL;

    if (id != NULL)
      sal_ig_rule_from_id (id, &rule);
    for (guint i = 0; i < G_N_ELEMENTS (rules); i++)
      if (rules[i] == rule)
        gtk_drop_down_set_selected (self->rule_dropdown, i);
  }
  if (!isnan (v = sal_json_member_double (params, method == SAL_EXPLAIN_RISE ? "masks" : "samples")))
    gtk_spin_button_set_value (self->samples_spin, v);
  if (r->baseline != NULL && sal_baseline_from_id (r->baseline, &baseline))
    for (guint i = 0; i < G_N_ELEMENTS (baselines); i++)
      if (baselines[i] == baseline)
        gtk_drop_down_set_selected (self->baseline_dropdown, i);
  self->restoring = FALSE;
}

/* Sets the overlay controls to the style stored with the result, if any. */
static void
restore_overlay (SalCaseImages *self, const char *params_json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *params = sal_json_parse_object (params_json, parser);
  JsonObject *o;
  SalColormap map;
  SalSignMode sign;
  double v;

  if (params == NULL || !json_object_has_member (params, "overlay")
      || !JSON_NODE_HOLDS_OBJECT (json_object_get_member (params, "overlay")))
    return;
  o = json_object_get_object_member (params, "overlay");
  /* The sign first: the colour map follows it (signed ↔ diverging). */
  if (sal_sign_mode_from_id (json_object_get_string_member_with_default (o, "sign", ""), &sign))
    for (guint i = 0; i < G_N_ELEMENTS (signs); i++)
      if (signs[i] == sign)
        gtk_drop_down_set_selected (self->sign_dropdown, i);
  if (sal_colormap_from_id (json_object_get_string_member_with_default (o, "colormap", ""), &map))
    gtk_drop_down_set_selected (self->colormap_dropdown, map);
  if (!isnan (v = sal_json_member_double (o, "opacity")))
    gtk_range_set_value (self->opacity_scale, v);
  if (!isnan (v = sal_json_member_double (o, "top_k_percent")))
    gtk_range_set_value (self->topk_scale, v);
  gtk_switch_set_active (self->contour_switch,
                         json_object_get_boolean_member_with_default (o, "contours", FALSE));
}

static void
select_model_by_sha (SalCaseImages *self, const char *sha256)
{
  g_autoptr(SalModelRecord) model = sal_store_find_model_by_sha256 (self->store, sha256, NULL);

  for (guint i = 0; model != NULL && i < self->model_ids->len; i++)
    if (g_array_index (self->model_ids, gint64, i) == model->id)
      gtk_drop_down_set_selected (self->model_dropdown, i);
}

static void
show_stored_image (SalCaseImages *self, gint64 image_id)
{
  gtk_toggle_button_set_active (self->compare_button, FALSE);
  select_image_row (self, image_id);
  if (self->image_id != image_id)
    show_image (self, image_id);
}

void
sal_case_images_show_result (SalCaseImages *self, gint64 explanation_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SalExplanationRecord) e = NULL;
  g_autoptr(SalAttributionResult) r = NULL;

  g_return_if_fail (SAL_IS_CASE_IMAGES (self));
  if (self->store == NULL)
    return;
  e = sal_store_get_explanation (self->store, explanation_id, &error);
  if (e != NULL && e->object_kind == SAL_OBJECT_IMAGE && g_strcmp0 (e->method, "prediction") == 0)
    {
      /* A Run: its probabilities, on its image. */
      g_autoptr(SalPrediction) p = sal_prediction_from_record (e);

      show_stored_image (self, e->object_id);
      select_model_by_sha (self, e->model_sha256);
      clear_result (self);
      if (p != NULL)
        show_prediction (self, p);
      return;
    }
  if (e != NULL)
    r = sal_attribution_result_from_record (self->store, e, &error);
  if (r == NULL)
    {
      toast (self, error->message);
      return;
    }
  show_stored_image (self, r->image_id);
  select_model_by_sha (self, r->model_sha256);
  restore_method (self, r);
  restore_overlay (self, r->params_json);
  {
    g_autoptr(SalPrediction) p = sal_prediction_from_record (e);

    if (p != NULL)
      show_prediction (self, p);
    else
      clear_prediction (self);
  }
  show_result (self, r);
}
