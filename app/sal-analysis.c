/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-analysis"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "sal-analysis.h"
#include "sal-audit.h"
#include "sal-json-util.h"
#include "sal-model-input.h"

struct _SalAnalysis
{
  GObject     parent_instance;
  SalStore   *store;
  GMutex      lock;     /* guards models */
  GHashTable *models;   /* model id (gint64*) → SalModel* */
};

G_DEFINE_FINAL_TYPE (SalAnalysis, sal_analysis, G_TYPE_OBJECT)

G_DEFINE_BOXED_TYPE (SalPrediction, sal_prediction, sal_prediction_copy, sal_prediction_free)
G_DEFINE_BOXED_TYPE (SalAttributionResult, sal_attribution_result, sal_attribution_result_copy,
                     sal_attribution_result_free)

/* --- boxed results --- */

SalPrediction *
sal_prediction_copy (const SalPrediction *p)
{
  SalPrediction *c = g_new0 (SalPrediction, 1);

  *c = *p;
  c->model_sha256 = g_strdup (p->model_sha256);
  c->labels = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < p->labels->len; i++)
    g_ptr_array_add (c->labels, g_strdup (g_ptr_array_index (p->labels, i)));
  c->probabilities = g_memdup2 (p->probabilities, p->n_classes * sizeof (double));
  return c;
}

void
sal_prediction_free (SalPrediction *p)
{
  if (p == NULL)
    return;
  g_free (p->model_sha256);
  g_clear_pointer (&p->labels, g_ptr_array_unref);
  g_free (p->probabilities);
  g_free (p);
}

SalAttributionResult *
sal_attribution_result_copy (const SalAttributionResult *r)
{
  SalAttributionResult *c = g_new0 (SalAttributionResult, 1);

  *c = *r;
  c->model_sha256 = g_strdup (r->model_sha256);
  c->method = g_strdup (r->method);
  c->target = g_strdup (r->target);
  c->baseline = g_strdup (r->baseline);
  c->params_json = g_strdup (r->params_json);
  c->checks_json = g_strdup (r->checks_json);
  c->attribution = g_memdup2 (r->attribution, (gsize) r->width * r->height * sizeof (float));
  return c;
}

void
sal_attribution_result_free (SalAttributionResult *r)
{
  if (r == NULL)
    return;
  g_free (r->model_sha256);
  g_free (r->method);
  g_free (r->target);
  g_free (r->baseline);
  g_free (r->params_json);
  g_free (r->checks_json);
  g_free (r->attribution);
  g_free (r);
}

void
sal_explain_spec_init (SalExplainSpec *spec, SalExplainMethod method)
{
  memset (spec, 0, sizeof *spec);
  spec->method = method;
  spec->target = -1;
  spec->baseline = SAL_BASELINE_BLACK;
  spec->seed = 1;
}

/* --- model cache --- */

SalModel *
sal_analysis_get_model (SalAnalysis *self, gint64 model_id, GError **error)
{
  g_autoptr(SalModelRecord) rec = NULL;
  g_autofree char *sha = NULL;
  SalModel *model;

  g_return_val_if_fail (SAL_IS_ANALYSIS (self), NULL);

  g_mutex_lock (&self->lock);
  model = g_hash_table_lookup (self->models, &model_id);
  if (model != NULL)
    {
      sal_model_ref (model);
      g_mutex_unlock (&self->lock);
      return model;
    }
  /* Loading under the lock: two jobs asking for one model load it once. */
  rec = sal_store_get_model (self->store, model_id, error);
  if (rec != NULL)
    sha = sal_file_sha256 (rec->path, error);
  if (sha != NULL && g_ascii_strcasecmp (sha, rec->sha256) != 0)
    g_set_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_CORRUPT,
                 _("The model file %s has changed since it was registered; register it again"),
                 rec->path);
  else if (sha != NULL)
    model = sal_model_load_with_metadata (rec->path, rec->metadata_json, error);
  if (model != NULL)
    g_hash_table_insert (self->models, g_memdup2 (&model_id, sizeof model_id),
                         sal_model_ref (model));
  g_mutex_unlock (&self->lock);
  return model;
}

/* What the record's metadata says about the input kind (NULL when it says
 * nothing: shipped models are registered without a copy of their metadata). */
static char *
recorded_input_kind (const SalModelRecord *rec)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *o;
  const char *kind;

  if (rec->metadata_json == NULL || !json_parser_load_from_data (parser, rec->metadata_json, -1, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  o = json_node_get_object (json_parser_get_root (parser));
  kind = json_object_get_string_member_with_default (o, "salient.input_kind", NULL);
  if (kind == NULL)
    return NULL;
  /* The metadata value is itself JSON ("\"image\""), or a bare word. */
  if (kind[0] == '"' && strlen (kind) >= 2)
    return g_strndup (kind + 1, strlen (kind) - 2);
  return g_strdup (kind);
}

GPtrArray *
sal_analysis_list_image_models (SalAnalysis *self, GError **error)
{
  g_autoptr(GPtrArray) all = NULL;
  GPtrArray *out;

  g_return_val_if_fail (SAL_IS_ANALYSIS (self), NULL);
  if ((all = sal_store_list_models (self->store, error)) == NULL)
    return NULL;
  out = g_ptr_array_new_with_free_func ((GDestroyNotify) sal_model_record_free);
  for (guint i = 0; i < all->len; i++)
    {
      SalModelRecord *rec = g_ptr_array_index (all, i);
      g_autofree char *kind = recorded_input_kind (rec);
      gboolean image;

      if (kind != NULL)
        image = g_strcmp0 (kind, "image") == 0;
      else
        {
          /* Ask the model itself; one that cannot be loaded is not offered. */
          g_autoptr(SalModel) model = sal_analysis_get_model (self, rec->id, NULL);
          image = model != NULL && sal_model_input_kind (model) == SAL_INPUT_KIND_IMAGE;
        }
      if (image)
        g_ptr_array_add (out, g_ptr_array_steal_index (all, i--));
    }
  return out;
}

/* --- jobs --- */

typedef struct {
  SalAnalysis   *analysis;
  gint64         model_id;
  gint64         image_id;
  SalExplainSpec spec;
} JobInputs;

static gpointer
inputs_copy (gpointer p)
{
  JobInputs *c = g_memdup2 (p, sizeof (JobInputs));

  g_object_ref (c->analysis);
  return c;
}

static void
inputs_free (gpointer p)
{
  JobInputs *in = p;

  g_clear_object (&in->analysis);
  g_free (in);
}

/* The model's input for the stored image. */
static SalTensor *
prepare (JobInputs *in, SalModel *model, GError **error)
{
  g_autoptr(SalStoredImage) img = sal_store_get_image (in->analysis->store, in->image_id, error);

  if (img == NULL)
    return NULL;
  if (sal_model_input_kind (model) != SAL_INPUT_KIND_IMAGE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("This model does not take images; choose an image model"));
      return NULL;
    }
  return sal_model_input_from_image (model, img->image, error);
}

/* Output 0 as probabilities: kept when it already is a distribution (the model
 * ends with Softmax), otherwise a softmax of the scores. */
static double *
probabilities (const SalTensor *scores, guint *n)
{
  double *p = g_new (double, MAX (scores->numel, 1));
  double sum = 0, mx = -INFINITY;
  gboolean dist = TRUE;

  *n = (guint) scores->numel;
  for (guint i = 0; i < *n; i++)
    {
      p[i] = sal_tensor_get_f64 (scores, i);
      dist = dist && p[i] >= 0 && p[i] <= 1;
      sum += p[i];
      mx = MAX (mx, p[i]);
    }
  if (dist && fabs (sum - 1) < 1e-3)
    return p;
  sum = 0;
  for (guint i = 0; i < *n; i++)
    sum += p[i] = exp (p[i] - mx);
  for (guint i = 0; i < *n; i++)
    p[i] /= sum;
  return p;
}

/* The model's probabilities for `input` (one forward pass). */
static double *
forward_probabilities (SalModel *model, const SalTensor *input, SalJob *job, guint *n,
                       GError **error)
{
  g_autoptr(SalRun) run = sal_run_new (model);

  sal_run_set_callbacks (run, sal_job_cancel_func, NULL, job);
  if (!sal_run_set_input (run, 0, input, error) || !sal_run_execute (run, error))
    return NULL;
  return probabilities (sal_run_get_output (run, 0), n);
}

static char *
model_sha (JobInputs *in, GError **error)
{
  g_autoptr(SalModelRecord) rec = sal_store_get_model (in->analysis->store, in->model_id, error);

  return rec != NULL ? g_strdup (rec->sha256) : NULL;
}

/* TRUE when the job was cancelled, with the error the queue expects in place
 * of whatever the engine reported on its way out. */
static gboolean
cancelled (GCancellable *cancellable, GError **error)
{
  if (!g_cancellable_is_cancelled (cancellable))
    return FALSE;
  g_clear_error (error);
  g_cancellable_set_error_if_cancelled (cancellable, error);
  return TRUE;
}

static gpointer
run_func (SalJob *job, gpointer data, GCancellable *cancellable, GError **error)
{
  JobInputs *in = data;
  g_autoptr(SalModel) model = NULL;
  g_autoptr(SalTensor) input = NULL;
  g_autoptr(SalRun) run = NULL;
  g_autoptr(SalPrediction) p = g_new0 (SalPrediction, 1);
  g_autofree char *object = NULL;

  sal_job_report_progress (job, 0.0, _("Loading the model"));
  model = sal_analysis_get_model (in->analysis, in->model_id, error);
  if (model == NULL || (input = prepare (in, model, error)) == NULL)
    return NULL;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  run = sal_run_new (model);
  sal_run_set_callbacks (run, sal_job_cancel_func, sal_job_progress_func, job);
  if (!sal_run_set_input (run, 0, input, error) || !sal_run_execute (run, error))
    {
      cancelled (cancellable, error);
      return NULL;
    }
  if (cancelled (cancellable, error))
    return NULL;
  p->model_id = in->model_id;
  p->image_id = in->image_id;
  p->probabilities = probabilities (sal_run_get_output (run, 0), &p->n_classes);
  p->labels = sal_model_class_labels (model, p->n_classes);
  for (guint i = 1; i < p->n_classes; i++)
    if (p->probabilities[i] > p->probabilities[p->predicted])
      p->predicted = i;
  if ((p->model_sha256 = model_sha (in, error)) == NULL)
    return NULL;
  /* Stored as a result of its own (method "prediction"), so History lists it. */
  {
    g_autoptr(JsonBuilder) b = json_builder_new ();
    g_autofree float *values = g_new (float, MAX (p->n_classes, 1));
    g_autofree char *checks = NULL;
    g_autofree char *shape = g_strdup_printf ("[%u]", p->n_classes);
    SalExplanationRecord rec = { 0 };

    json_builder_begin_object (b);
    sal_json_add_probabilities (b, p->labels, p->probabilities, p->n_classes);
    json_builder_end_object (b);
    checks = sal_json_builder_to_string (b);
    for (guint i = 0; i < p->n_classes; i++)
      values[i] = (float) p->probabilities[i];
    rec.object_kind = SAL_OBJECT_IMAGE;
    rec.object_id = in->image_id;
    rec.model_sha256 = p->model_sha256;
    rec.method = (char *) "prediction";
    rec.params_json = (char *) "{}";
    rec.target = g_ptr_array_index (p->labels, p->predicted);
    rec.shape_json = shape;
    rec.attribution = g_bytes_new_static (values, p->n_classes * sizeof (float));
    rec.checks_json = checks;
    if (g_cancellable_set_error_if_cancelled (cancellable, error))
      {
        g_bytes_unref (rec.attribution);
        return NULL;
      }
    p->record_id = sal_store_add_explanation (in->analysis->store, &rec, error);
    g_bytes_unref (rec.attribution);
    if (p->record_id <= 0)
      return NULL;
  }
  object = g_strdup_printf ("image:%" G_GINT64_FORMAT " model:%s", in->image_id, p->model_sha256);
  if (!sal_audit_append (in->analysis->store, "run-model", object, error))
    return NULL;
  return g_steal_pointer (&p);
}

SalJob *
sal_analysis_run_job_new (SalAnalysis *self, gint64 model_id, gint64 image_id)
{
  JobInputs in = { self, model_id, image_id, { 0 } };
  g_autoptr(GVariant) params = NULL;
  SalJob *job;

  g_return_val_if_fail (SAL_IS_ANALYSIS (self), NULL);
  job = sal_job_new ("run", _("Run model"), SAL_JOB_PRIORITY_INTERACTIVE, SAL_TYPE_PREDICTION,
                     run_func, inputs_copy (&in), inputs_copy, inputs_free);
  params = g_variant_ref_sink (g_variant_new ("(xx)", model_id, image_id));
  sal_job_set_params (job, params);
  return job;
}

static char *
params_json (const SalExplainParams *p, const char *layer, const SalExplainSpec *spec)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  switch (p->method)
    {
    case SAL_EXPLAIN_INTEGRATED_GRADIENTS:
      json_builder_set_member_name (b, "steps");
      json_builder_add_int_value (b, p->steps);
      json_builder_set_member_name (b, "rule");
      json_builder_add_string_value (b, sal_ig_rule_id (p->rule));
      if (p->baseline == SAL_BASELINE_BLUR)
        {
          json_builder_set_member_name (b, "blur_sigma");
          json_builder_add_double_value (b, p->blur_sigma);
        }
      break;
    case SAL_EXPLAIN_SMOOTHGRAD:
      json_builder_set_member_name (b, "samples");
      json_builder_add_int_value (b, p->samples);
      json_builder_set_member_name (b, "noise");
      json_builder_add_double_value (b, p->noise);
      break;
    case SAL_EXPLAIN_RISE:
      json_builder_set_member_name (b, "masks");
      json_builder_add_int_value (b, p->samples);
      json_builder_set_member_name (b, "cells");
      json_builder_add_int_value (b, p->rise_cells);
      json_builder_set_member_name (b, "keep");
      json_builder_add_double_value (b, p->rise_keep);
      break;
    case SAL_EXPLAIN_OCCLUSION:
      json_builder_set_member_name (b, "window");
      json_builder_add_int_value (b, p->window);
      json_builder_set_member_name (b, "stride");
      json_builder_add_int_value (b, p->stride);
      break;
    default:
      break;
    }
  if (layer != NULL)
    {
      json_builder_set_member_name (b, "layer");
      json_builder_add_string_value (b, layer);
    }
  json_builder_set_member_name (b, "target_kind");
  json_builder_add_string_value (b, p->target_kind == SAL_TARGET_SCORE ? "score" : "probability");
  if (spec != NULL && spec->has_overlay)
    {
      json_builder_set_member_name (b, "overlay");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "colormap");
      json_builder_add_string_value (b, sal_colormap_id (spec->overlay.colormap));
      json_builder_set_member_name (b, "sign");
      json_builder_add_string_value (b, sal_sign_mode_id (spec->overlay.sign));
      json_builder_set_member_name (b, "opacity");
      json_builder_add_double_value (b, spec->overlay.opacity);
      json_builder_set_member_name (b, "top_k_percent");
      json_builder_add_double_value (b, spec->overlay.top_k_percent);
      json_builder_set_member_name (b, "contours");
      json_builder_add_boolean_value (b, spec->overlay.contours);
      json_builder_set_member_name (b, "clip_percentile");
      json_builder_add_double_value (b, spec->overlay.clip_percentile);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  return sal_json_builder_to_string (b);
}

static void
add_number (JsonBuilder *b, const char *name, double v)
{
  if (isnan (v))
    return;
  json_builder_set_member_name (b, name);
  json_builder_add_double_value (b, v);
}

static char *
checks_json (const SalExplanation *e, double sanity_rho, GPtrArray *labels, const double *probs,
             guint n_classes)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "score");
  json_builder_add_double_value (b, e->score);
  if (!isnan (e->completeness_gap))
    {
      json_builder_set_member_name (b, "completeness_gap");
      json_builder_add_double_value (b, e->completeness_gap);
      json_builder_set_member_name (b, "baseline_score");
      json_builder_add_double_value (b, e->baseline_score);
    }
  add_number (b, "deletion_auc", e->deletion_auc);
  add_number (b, "insertion_auc", e->insertion_auc);
  add_number (b, "sanity_rho", sanity_rho);
  if (probs != NULL)
    sal_json_add_probabilities (b, labels, probs, n_classes);
  json_builder_end_object (b);
  return sal_json_builder_to_string (b);
}

static gboolean
method_uses_baseline (SalExplainMethod m)
{
  return m == SAL_EXPLAIN_INTEGRATED_GRADIENTS;
}

static gpointer
explain_func (SalJob *job, gpointer data, GCancellable *cancellable, GError **error)
{
  JobInputs *in = data;
  g_autoptr(SalModel) model = NULL;
  g_autoptr(SalTensor) input = NULL;
  g_autoptr(SalExplanation) e = NULL;
  g_autoptr(SalAttributionResult) r = g_new0 (SalAttributionResult, 1);
  g_autoptr(GPtrArray) labels = NULL;
  g_autofree char *object = NULL;
  g_autofree char *shape = NULL;
  SalExplainParams params;
  g_autoptr(GPtrArray) all_labels = NULL;
  g_autofree double *probs = NULL;
  guint n_classes = 0;
  SalExplanationRecord rec = { 0 };
  const SalTensor *a;
  double rho = NAN;
  int c, h, w;

  sal_job_report_progress (job, 0.0, _("Loading the model"));
  model = sal_analysis_get_model (in->analysis, in->model_id, error);
  if (model == NULL || (input = prepare (in, model, error)) == NULL)
    return NULL;
  if ((r->model_sha256 = model_sha (in, error)) == NULL)
    return NULL;
  sal_explain_params_init (&params, in->spec.method);
  params.model_hash = r->model_sha256;
  params.target = in->spec.target;
  params.baseline = in->spec.baseline;
  params.rule = in->spec.rule;
  params.seed = in->spec.seed;
  if (in->spec.steps > 0)
    params.steps = in->spec.steps;
  if (in->spec.samples > 0)
    params.samples = in->spec.samples;
  params.cancel = sal_job_cancel_func;
  params.progress = sal_job_progress_func;
  params.user_data = job;
  /* What the model said, stored with why it said it (the report shows both). */
  probs = forward_probabilities (model, input, job, &n_classes, error);
  if (cancelled (cancellable, error) || probs == NULL)
    return NULL;
  all_labels = sal_model_class_labels (model, n_classes);
  sal_job_report_progress (job, 0.0, _("Explaining"));
  e = sal_explain (model, input, &params, error);
  if (cancelled (cancellable, error) || e == NULL)
    return NULL;
  /* One stage of the randomisation check: the top weighted layer. */
  sal_job_report_progress (job, 0.0, _("Sanity check"));
  params.check_steps = 0;
  if (sal_explain_sanity_check (model, input, &params, &rho, 1, error) < 1)
    {
      if (cancelled (cancellable, error))
        return NULL;
      g_clear_error (error);
      rho = NAN;
    }

  /* [1, C, H, W] → an [H, W] map summed over channels. */
  a = e->attribution;
  if (a->rank != 4)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("The explanation has %d dimensions; an image map needs 4"), a->rank);
      return NULL;
    }
  c = (int) a->dims[1], h = (int) a->dims[2], w = (int) a->dims[3];
  r->attribution = g_new0 (float, (gsize) h * w);
  for (int k = 0; k < c; k++)
    for (gsize i = 0; i < (gsize) h * w; i++)
      r->attribution[i] += sal_tensor_f32 (a)[(gsize) k * h * w + i];
  r->width = w;
  r->height = h;
  r->model_id = in->model_id;
  r->image_id = in->image_id;
  r->method = g_strdup (sal_explain_method_id (e->method));
  r->target_index = e->target;
  labels = sal_model_class_labels (model, (guint) MAX (e->target + 1, 1));
  r->target = g_strdup (g_ptr_array_index (labels, e->target));
  r->baseline = method_uses_baseline (e->method) ? g_strdup (sal_baseline_id (params.baseline)) : NULL;
  r->params_json = params_json (&params, e->layer, &in->spec);
  r->checks_json = checks_json (e, rho, all_labels, probs, n_classes);
  r->deletion_auc = e->deletion_auc;
  r->insertion_auc = e->insertion_auc;
  r->sanity_rho = rho;
  r->seed = params.seed;
  r->score = e->score;
  r->completeness_gap = e->completeness_gap;

  /* The last point of no return: a job cancelled now stores nothing. */
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  shape = g_strdup_printf ("[%d,%d]", h, w);
  rec.object_kind = SAL_OBJECT_IMAGE;
  rec.object_id = in->image_id;
  rec.model_sha256 = r->model_sha256;
  rec.method = r->method;
  rec.params_json = r->params_json;
  rec.target = r->target;
  rec.baseline = r->baseline;
  rec.seed = r->seed;
  rec.shape_json = shape;
  rec.attribution = g_bytes_new_static (r->attribution, (gsize) h * w * sizeof (float));
  rec.checks_json = r->checks_json;
  r->record_id = sal_store_add_explanation (in->analysis->store, &rec, error);
  g_bytes_unref (rec.attribution);
  if (r->record_id <= 0)
    return NULL;
  object = g_strdup_printf ("image:%" G_GINT64_FORMAT " model:%s explain:%s", in->image_id,
                            r->model_sha256, r->method);
  if (!sal_audit_append (in->analysis->store, "run-model", object, error))
    return NULL;
  sal_job_report_progress (job, 1.0, NULL);
  return g_steal_pointer (&r);
}

SalJob *
sal_analysis_explain_job_new (SalAnalysis *self, gint64 model_id, gint64 image_id,
                              const SalExplainSpec *spec)
{
  JobInputs in = { self, model_id, image_id, *spec };
  g_autoptr(GVariant) params = NULL;
  SalJob *job;

  g_return_val_if_fail (SAL_IS_ANALYSIS (self), NULL);
  g_return_val_if_fail (spec != NULL, NULL);
  job = sal_job_new ("explain", _("Explain"), SAL_JOB_PRIORITY_INTERACTIVE,
                     SAL_TYPE_ATTRIBUTION_RESULT, explain_func, inputs_copy (&in), inputs_copy,
                     inputs_free);
  params = g_variant_ref_sink (g_variant_new ("(xxsiu)", model_id, image_id,
                                              sal_explain_method_id (spec->method), spec->target,
                                              spec->seed));
  sal_job_set_params (job, params);
  return job;
}

/* --- stored results --- */

static gboolean
parse_shape (const char *json, int *h, int *w)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *a;

  if (json == NULL || !json_parser_load_from_data (parser, json, -1, NULL)
      || !JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)))
    return FALSE;
  a = json_node_get_array (json_parser_get_root (parser));
  if (json_array_get_length (a) != 2)
    return FALSE;
  *h = (int) json_array_get_int_element (a, 0);
  *w = (int) json_array_get_int_element (a, 1);
  return *h > 0 && *w > 0;
}

SalAttributionResult *
sal_attribution_result_from_record (SalStore *store, const SalExplanationRecord *e,
                                    GError **error)
{
  g_autoptr(SalAttributionResult) r = g_new0 (SalAttributionResult, 1);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(SalModelRecord) model = NULL;
  JsonObject *checks;
  gsize size = 0;
  const float *data;
  g_autofree char *number = NULL;
  int h = 0, w = 0;

  g_return_val_if_fail (e != NULL, NULL);
  number = g_strdup_printf ("%" G_GINT64_FORMAT, e->id);
  if (e->object_kind != SAL_OBJECT_IMAGE || !parse_shape (e->shape_json, &h, &w)
      || e->attribution == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("Result %s is not an image explanation"), number);
      return NULL;
    }
  data = g_bytes_get_data (e->attribution, &size);
  if (size != (gsize) h * w * sizeof (float))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("Result %s is damaged: its map does not match its shape"), number);
      return NULL;
    }
  model = store != NULL ? sal_store_find_model_by_sha256 (store, e->model_sha256, NULL) : NULL;
  r->record_id = e->id;
  r->model_id = model != NULL ? model->id : 0;
  r->image_id = e->object_id;
  r->model_sha256 = g_strdup (e->model_sha256);
  r->method = g_strdup (e->method);
  r->target = g_strdup (e->target);
  r->target_index = -1;
  r->baseline = g_strdup (e->baseline);
  r->params_json = g_strdup (e->params_json);
  r->checks_json = g_strdup (e->checks_json);
  r->seed = (guint32) e->seed;
  r->attribution = g_memdup2 (data, size);
  r->width = w;
  r->height = h;
  checks = sal_json_parse_object (e->checks_json, parser);
  r->score = sal_json_member_double (checks, "score");
  r->completeness_gap = sal_json_member_double (checks, "completeness_gap");
  r->deletion_auc = sal_json_member_double (checks, "deletion_auc");
  r->insertion_auc = sal_json_member_double (checks, "insertion_auc");
  r->sanity_rho = sal_json_member_double (checks, "sanity_rho");
  return g_steal_pointer (&r);
}

SalPrediction *
sal_prediction_from_record (const SalExplanationRecord *e)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *checks = sal_json_parse_object (e->checks_json, parser);
  JsonObject *probs;
  g_autoptr(GList) members = NULL;
  SalPrediction *p;
  guint i = 0;

  if (checks == NULL || !json_object_has_member (checks, "probabilities")
      || !JSON_NODE_HOLDS_OBJECT (json_object_get_member (checks, "probabilities")))
    return NULL;
  probs = json_object_get_object_member (checks, "probabilities");
  members = json_object_get_members (probs);
  if (members == NULL)
    return NULL;
  p = g_new0 (SalPrediction, 1);
  p->image_id = e->object_id;
  p->model_sha256 = g_strdup (e->model_sha256);
  p->record_id = g_strcmp0 (e->method, "prediction") == 0 ? e->id : 0;
  p->n_classes = g_list_length (members);
  p->labels = g_ptr_array_new_with_free_func (g_free);
  p->probabilities = g_new0 (double, p->n_classes);
  for (GList *l = members; l != NULL; l = l->next, i++)
    {
      g_ptr_array_add (p->labels, g_strdup (l->data));
      p->probabilities[i] = sal_json_member_double (probs, l->data);
      if (p->probabilities[i] > p->probabilities[p->predicted])
        p->predicted = i;
    }
  return p;
}


/* --- agreement between methods --- */

/* |map| bilinearly resampled to w × h (pixel centres aligned). */
static float *
abs_resampled (const float *a, int aw, int ah, int w, int h)
{
  float *out = g_new (float, (gsize) w * h);

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        double sx = CLAMP ((x + 0.5) * aw / w - 0.5, 0, aw - 1);
        double sy = CLAMP ((y + 0.5) * ah / h - 0.5, 0, ah - 1);
        int x0 = (int) sx, y0 = (int) sy;
        int x1 = MIN (x0 + 1, aw - 1), y1 = MIN (y0 + 1, ah - 1);
        double fx = sx - x0, fy = sy - y0;
        double v = (1 - fy) * ((1 - fx) * fabsf (a[(gsize) y0 * aw + x0]) + fx * fabsf (a[(gsize) y0 * aw + x1]))
                   + fy * ((1 - fx) * fabsf (a[(gsize) y1 * aw + x0]) + fx * fabsf (a[(gsize) y1 * aw + x1]));
        out[(gsize) y * w + x] = (float) v;
      }
  return out;
}

double
sal_analysis_agreement (const float *a, int aw, int ah, const float *b, int bw, int bh)
{
  int w = MAX (aw, bw), h = MAX (ah, bh);
  g_autofree float *ra = NULL;
  g_autofree float *rb = NULL;

  g_return_val_if_fail (a != NULL && b != NULL && aw > 0 && ah > 0 && bw > 0 && bh > 0, NAN);
  ra = abs_resampled (a, aw, ah, w, h);
  rb = abs_resampled (b, bw, bh, w, h);
  return sal_spearman (ra, rb, (gsize) w * h);
}

/* --- GObject --- */

static void
sal_analysis_finalize (GObject *object)
{
  SalAnalysis *self = SAL_ANALYSIS (object);

  g_hash_table_unref (self->models);
  sal_store_unref (self->store);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (sal_analysis_parent_class)->finalize (object);
}

static void
sal_analysis_class_init (SalAnalysisClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sal_analysis_finalize;
}

static void
sal_analysis_init (SalAnalysis *self)
{
  g_mutex_init (&self->lock);
  self->models = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                        (GDestroyNotify) sal_model_unref);
}

SalAnalysis *
sal_analysis_new (SalStore *store)
{
  SalAnalysis *self = g_object_new (SAL_TYPE_ANALYSIS, NULL);

  self->store = sal_store_ref (store);
  return self;
}
