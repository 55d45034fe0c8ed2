/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-clinic"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "sal-clinic-jobs.h"

#include "sal-audit.h"
#include "sal-explain.h"
#include "sal-json-util.h"
#include "sal-model-input.h"
#include "sal-tokenizer.h"
#include "sal-train.h"

/* ---- notes from files ------------------------------------------------------------- */

static char *
normalise_line_ends (char *text)
{
  char *w = text;

  for (const char *r = text; *r != '\0'; r++)
    {
      if (*r == '\r')
        {
          *w++ = '\n';
          if (r[1] == '\n')
            r++;
        }
      else
        *w++ = *r;
    }
  *w = '\0';
  return text;
}

/* Text a person wrote has no NUL and few control characters besides tab, newline,
 * carriage return and form feed. */
static gboolean
looks_binary (const guint8 *data, gsize len)
{
  gsize n_control = 0;

  for (gsize i = 0; i < len; i++)
    {
      if (data[i] == 0)
        return TRUE;
      if (data[i] < 0x20 && data[i] != '\t' && data[i] != '\n' && data[i] != '\r'
          && data[i] != '\f')
        n_control++;
    }
  return n_control > 0 && n_control * 100 > len;
}

char *
sal_note_text_from_bytes (GBytes      *bytes,
                          const char  *name,
                          const char **encoding,
                          GError     **error)
{
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  const char *from = NULL;
  char *text = NULL;

  if (name == NULL)
    name = _("the note");
  if (encoding != NULL)
    *encoding = NULL;
  if (len > SAL_NOTE_MAX_BYTES)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("“%s” is too large for a note (%zu KiB; at most %d KiB)"),
                   name, len / 1024, SAL_NOTE_MAX_BYTES / 1024);
      return NULL;
    }

  if (len >= 2 && ((data[0] == 0xff && data[1] == 0xfe) || (data[0] == 0xfe && data[1] == 0xff)))
    {
      /* UTF-16 with a byte-order mark */
      g_autoptr(GError) local = NULL;

      from = data[0] == 0xff ? "UTF-16LE" : "UTF-16BE";
      text = g_convert ((const char *) data + 2, (gssize) (len - 2) & ~(gssize) 1, "UTF-8", from,
                        NULL, NULL, &local);
      if (text == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("“%s” starts like UTF-16 text but is not: %s"), name, local->message);
          return NULL;
        }
      if (strlen (text) == 0 && len > 3)
        {
          g_free (text);
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("“%s” starts like UTF-16 text but holds a NUL character"), name);
          return NULL;
        }
    }
  else
    {
      if (len >= 3 && data[0] == 0xef && data[1] == 0xbb && data[2] == 0xbf)
        data += 3, len -= 3;
      if (looks_binary (data, len))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("“%s” is not a text file; open a plain-text note (.txt) in UTF-8, "
                         "UTF-16 or Latin-1"), name);
          return NULL;
        }
      if (g_utf8_validate ((const char *) data, (gssize) len, NULL))
        {
          from = "UTF-8";
          text = g_strndup ((const char *) data, len);
        }
      else
        {
          /* windows-1252 first (a superset of ISO-8859-1's printable characters); it
           * leaves five bytes undefined, which ISO-8859-1 then takes as controls. */
          const char *fallbacks[] = { "WINDOWS-1252", "ISO-8859-1" };

          for (guint i = 0; i < G_N_ELEMENTS (fallbacks) && text == NULL; i++)
            {
              text = g_convert ((const char *) data, (gssize) len, "UTF-8", fallbacks[i], NULL,
                                NULL, NULL);
              from = fallbacks[i];
            }
          if (text == NULL)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("“%s” is in an encoding Salient cannot read; save it as UTF-8 "
                             "and open it again"), name);
              return NULL;
            }
        }
    }
  if (encoding != NULL)
    *encoding = from;
  return normalise_line_ends (text);
}

/* ---- results ----------------------------------------------------------------------- */

G_DEFINE_BOXED_TYPE (SalClinicResult, sal_clinic_result, sal_clinic_result_copy,
                     sal_clinic_result_free)

static GPtrArray *
strv_copy (GPtrArray *a)
{
  GPtrArray *b = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; a != NULL && i < a->len; i++)
    g_ptr_array_add (b, g_strdup (a->pdata[i]));
  return b;
}

static GArray *
garray_copy (GArray *a)
{
  GArray *b;

  if (a == NULL)
    return NULL;
  b = g_array_sized_new (FALSE, FALSE, g_array_get_element_size (a), a->len);
  g_array_append_vals (b, a->data, a->len);
  return b;
}

static SalClinicResult *
result_new (void)
{
  SalClinicResult *r = g_new0 (SalClinicResult, 1);

  r->labels = g_ptr_array_new_with_free_func (g_free);
  r->names = g_ptr_array_new_with_free_func (g_free);
  r->expected = r->prediction = r->gap = NAN;
  r->target_index = -1;
  return r;
}

SalClinicResult *
sal_clinic_result_copy (const SalClinicResult *r)
{
  SalClinicResult *c = g_memdup2 (r, sizeof *r);

  c->model_sha256 = g_strdup (r->model_sha256);
  c->method = g_strdup (r->method);
  c->target = g_strdup (r->target);
  c->labels = strv_copy (r->labels);
  c->names = strv_copy (r->names);
  c->probabilities = g_memdup2 (r->probabilities, sizeof (double) * r->n_classes);
  c->values = g_memdup2 (r->values, sizeof (double) * r->n_values);
  c->token_starts = garray_copy (r->token_starts);
  c->token_ends = garray_copy (r->token_ends);
  return c;
}

void
sal_clinic_result_free (SalClinicResult *r)
{
  if (r == NULL)
    return;
  g_free (r->model_sha256);
  g_free (r->method);
  g_free (r->target);
  g_ptr_array_unref (r->labels);
  g_ptr_array_unref (r->names);
  g_free (r->probabilities);
  g_free (r->values);
  g_clear_pointer (&r->token_starts, g_array_unref);
  g_clear_pointer (&r->token_ends, g_array_unref);
  g_free (r);
}

int
sal_clinic_risk_target (GPtrArray *labels)
{
  for (guint i = 0; labels != NULL && i < labels->len; i++)
    if (g_ascii_strcasecmp (labels->pdata[i], "malignant") == 0)
      return (int) i;
  return labels != NULL && labels->len > 0 ? (int) labels->len - 1 : 0;
}

SalClinicResult *
sal_clinic_result_from_record (const SalExplanationRecord *e, GError **error)
{
  g_autoptr(JsonParser) pp = json_parser_new ();
  g_autoptr(JsonParser) cp = json_parser_new ();
  JsonObject *params = sal_json_parse_object (e->params_json, pp);
  JsonObject *checks = sal_json_parse_object (e->checks_json, cp);
  g_autoptr(SalClinicResult) r = result_new ();
  const float *a = e->attribution != NULL ? g_bytes_get_data (e->attribution, NULL) : NULL;
  gsize n = e->attribution != NULL ? g_bytes_get_size (e->attribution) / sizeof (float) : 0;
  JsonObject *probs = NULL;

  if (params == NULL || checks == NULL || a == NULL
      || (e->object_kind != SAL_OBJECT_CASE && e->object_kind != SAL_OBJECT_NOTE))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("This result was not made by the Clinic’s notes or measurements"));
      return NULL;
    }
  r->record_id = e->id;
  r->model_sha256 = g_strdup (e->model_sha256);
  r->method = g_strdup (e->method);
  r->target = g_strdup (e->target);
  r->n_values = (guint) n;
  r->values = g_new (double, MAX (n, 1));
  for (gsize i = 0; i < n; i++)
    r->values[i] = a[i];

  if (json_object_has_member (checks, "probabilities")
      && JSON_NODE_HOLDS_OBJECT (json_object_get_member (checks, "probabilities")))
    probs = json_object_get_object_member (checks, "probabilities");
  if (probs != NULL)
    {
      g_autoptr(GList) members = json_object_get_members (probs);
      guint i = 0;

      r->n_classes = g_list_length (members);
      r->probabilities = g_new (double, MAX (r->n_classes, 1));
      for (GList *l = members; l != NULL; l = l->next, i++)
        {
          g_ptr_array_add (r->labels, g_strdup (l->data));
          r->probabilities[i] = json_object_get_double_member (probs, l->data);
          if (g_strcmp0 (l->data, e->target) == 0)
            r->target_index = (int) i;
        }
    }
  r->expected = sal_json_member_double (checks, "expected_value");
  r->prediction = sal_json_member_double (checks, "prediction");
  r->gap = isfinite (sal_json_member_double (checks, "efficiency_gap"))
             ? sal_json_member_double (checks, "efficiency_gap")
             : sal_json_member_double (checks, "completeness_gap");

  if (e->object_kind == SAL_OBJECT_CASE)
    {
      JsonArray *names = json_object_has_member (params, "names")
                           ? json_object_get_array_member (params, "names") : NULL;

      if (names == NULL || json_array_get_length (names) != n)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("This measurement result has no feature names"));
          return NULL;
        }
      for (guint i = 0; i < n; i++)
        g_ptr_array_add (r->names, g_strdup (json_array_get_string_element (names, i)));
    }
  else
    {
      JsonArray *tokens = json_object_has_member (params, "tokens")
                            ? json_object_get_array_member (params, "tokens") : NULL;

      if (tokens == NULL || json_array_get_length (tokens) != n)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("This note result has no token positions"));
          return NULL;
        }
      r->token_starts = g_array_new (FALSE, FALSE, sizeof (gsize));
      r->token_ends = g_array_new (FALSE, FALSE, sizeof (gsize));
      for (guint i = 0; i < n; i++)
        {
          JsonArray *pair = json_array_get_array_element (tokens, i);
          gsize s = (gsize) json_array_get_int_element (pair, 0);
          gsize t = (gsize) json_array_get_int_element (pair, 1);

          g_array_append_val (r->token_starts, s);
          g_array_append_val (r->token_ends, t);
        }
    }
  return g_steal_pointer (&r);
}

/* ---- models ------------------------------------------------------------------------ */

gint64
sal_clinic_find_model (SalStore *store, SalClinicModelKind kind, GError **error)
{
  const char *name = kind == SAL_CLINIC_MODEL_NOTE ? "note-triage" : "breast-mass-risk";
  const char *input_kind = kind == SAL_CLINIC_MODEL_NOTE ? "note" : "measurements";
  g_autoptr(GPtrArray) models = sal_store_list_models (store, error);

  if (models == NULL)
    return 0;
  for (guint i = 0; i < models->len; i++)
    if (g_strcmp0 (((SalModelRecord *) models->pdata[i])->name, name) == 0)
      return ((SalModelRecord *) models->pdata[i])->id;
  for (guint i = 0; i < models->len; i++)
    {
      const SalModelRecord *m = models->pdata[i];
      g_autoptr(JsonParser) p = json_parser_new ();
      JsonObject *o = sal_json_parse_object (m->metadata_json, p);

      if (o != NULL && json_object_has_member (o, "salient.input_kind")
          && g_strcmp0 (json_object_get_string_member (o, "salient.input_kind"), input_kind) == 0)
        return m->id;
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
               kind == SAL_CLINIC_MODEL_NOTE
                 ? _("No note model is installed; add one on the Models page")
                 : _("No measurements model is installed; add one on the Models page"));
  return 0;
}

/* ---- shared job parts --------------------------------------------------------------- */

typedef struct {
  SalStore *store;
  gint64    object_id;     /* case or note */
  gint64    model_id;
  double   *values;
  guint     n_values;
  char     *csv;
  char     *method;
} JobIn;

static gpointer
job_in_copy (gpointer p)
{
  const JobIn *in = p;
  JobIn *c = g_memdup2 (in, sizeof *in);

  c->store = sal_store_ref (in->store);
  c->values = g_memdup2 (in->values, sizeof (double) * in->n_values);
  c->csv = g_strdup (in->csv);
  c->method = g_strdup (in->method);
  return c;
}

static void
job_in_free (gpointer p)
{
  JobIn *in = p;

  sal_store_unref (in->store);
  g_free (in->values);
  g_free (in->csv);
  g_free (in->method);
  g_free (in);
}

static SalModel *
load_model (SalStore *store, gint64 model_id, char **sha256, GError **error)
{
  g_autoptr(SalModelRecord) rec = sal_store_get_model (store, model_id, error);
  g_autofree char *actual = NULL;

  if (rec == NULL)
    return NULL;
  actual = sal_file_sha256 (rec->path, error);
  if (actual == NULL)
    return NULL;
  if (g_strcmp0 (actual, rec->sha256) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The model file “%s” changed since it was added; add it again to use it"),
                   rec->path);
      return NULL;
    }
  *sha256 = g_strdup (rec->sha256);
  return sal_model_load_with_metadata (rec->path, rec->metadata_json, error);
}

/* Probabilities of the model's first output for one input (softmax of the logits, or
 * the values themselves when they already sum to one). */
static gboolean
predict (SalModel *model, const SalTensor *x, SalClinicResult *r, GError **error)
{
  g_autoptr(SalTensor) out = sal_model_predict (model, x, 1, 1, error);
  const float *z;
  double mx = -INFINITY, sum = 0, raw_sum = 0;
  gboolean is_prob = TRUE;

  if (out == NULL)
    return FALSE;
  r->n_classes = (guint) out->numel;
  if (r->n_classes < 2)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("The model gives %u output value; the Clinic needs one per class"),
                   r->n_classes);
      return FALSE;
    }
  z = sal_tensor_f32 (out);
  r->probabilities = g_new (double, r->n_classes);
  for (guint i = 0; i < r->n_classes; i++)
    {
      mx = MAX (mx, z[i]);
      raw_sum += z[i];
      if (z[i] < 0 || z[i] > 1)
        is_prob = FALSE;
    }
  is_prob = is_prob && fabs (raw_sum - 1) < 1e-4;
  for (guint i = 0; i < r->n_classes; i++)
    {
      r->probabilities[i] = is_prob ? z[i] : exp (z[i] - mx);
      sum += r->probabilities[i];
    }
  for (guint i = 0; i < r->n_classes; i++)
    r->probabilities[i] /= sum;

  g_ptr_array_extend_and_steal (r->labels, sal_model_class_labels (model, r->n_classes));
  return TRUE;
}

typedef struct {
  SalJob       *job;
  GCancellable *cancellable;
} Progress;

static gboolean
is_cancelled (gpointer user_data)
{
  return g_cancellable_is_cancelled (((Progress *) user_data)->cancellable);
}

static void
report_progress (double fraction, gpointer user_data)
{
  sal_job_report_progress (((Progress *) user_data)->job, 0.1 + 0.85 * fraction, NULL);
}

static gboolean
check_cancelled (GCancellable *cancellable, GError **error)
{
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return TRUE;
  return FALSE;
}

/* sal_explain() in one thread for `job`, reporting its progress and stopping when it is
 * cancelled; a cancelled job is reported as cancelled (not as the engine's error). */
static SalExplanation *
explain_in_job (SalJob *job, SalModel *model, SalTensor *x, const SalExplainParams *params,
                GCancellable *cancellable, GError **error)
{
  Progress progress = { job, cancellable };
  SalExplainParams p = *params;
  SalExplanation *ex;

  p.n_threads = 1;
  p.cancel = is_cancelled;
  p.progress = report_progress;
  p.user_data = &progress;
  ex = sal_explain (model, x, &p, error);

  if (ex == NULL)
    {
      if (g_cancellable_is_cancelled (cancellable))
        {
          g_clear_error (error);
          g_cancellable_set_error_if_cancelled (cancellable, error);
        }
      return NULL;
    }
  if (check_cancelled (cancellable, error))
    {
      sal_explanation_free (ex);
      return NULL;
    }
  return ex;
}

/* Stores r (attr: its r->n_values attributions, taken) as the explanation of the
 * case or note in->object_id, with params_json and the checks in cb (an open object
 * the probabilities are added to), writes the audit entry and finishes the job. */
static gboolean
save_explanation (SalJob *job, const JobIn *in, SalClinicResult *r, SalObjectKind kind,
                  const char *params_json, JsonBuilder *cb, const char *baseline, gint64 seed,
                  float *attr, GError **error)
{
  g_autofree char *checks_json = NULL;
  g_autofree char *shape = g_strdup_printf ("[%u]", r->n_values);
  g_autofree char *object = NULL;
  SalExplanationRecord rec = { 0 };

  sal_json_add_probabilities (cb, r->labels, r->probabilities, r->n_classes);
  json_builder_end_object (cb);
  checks_json = sal_json_builder_to_string (cb);

  rec.object_kind = kind;
  rec.object_id = in->object_id;
  rec.model_sha256 = r->model_sha256;
  rec.method = r->method;
  rec.params_json = (char *) params_json;
  rec.target = r->target;
  rec.baseline = (char *) baseline;
  rec.seed = seed;
  rec.shape_json = shape;
  rec.attribution = g_bytes_new_take (attr, sizeof (float) * r->n_values);
  rec.checks_json = checks_json;
  r->record_id = sal_store_add_explanation (in->store, &rec, error);
  g_bytes_unref (rec.attribution);
  if (r->record_id == 0)
    return FALSE;
  object = g_strdup_printf ("%s/%" G_GINT64_FORMAT, kind == SAL_OBJECT_NOTE ? "note" : "case",
                            in->object_id);
  if (!sal_audit_append (in->store, "explain", object, error))
    return FALSE;
  sal_job_report_progress (job, 1.0, NULL);
  return TRUE;
}

/* ---- measurements ------------------------------------------------------------------- */

static gpointer
score_run (SalJob *job, gpointer inputs, GCancellable *cancellable, GError **error)
{
  JobIn *in = inputs;
  g_autoptr(SalClinicResult) r = result_new ();
  g_autoptr(SalModel) model = NULL;
  g_autoptr(GPtrArray) features = NULL;
  g_autoptr(SalTensor) x = NULL;
  g_autoptr(SalTensor) background = NULL;
  g_autoptr(SalExplanation) ex = NULL;
  g_autoptr(GPtrArray) group_names = g_ptr_array_new_with_free_func (g_free);
  g_autofree int *groups = NULL;
  g_autoptr(JsonBuilder) pb = json_builder_new ();
  g_autoptr(JsonBuilder) cb = json_builder_new ();
  g_autofree char *params_json = NULL;
  g_autofree float *attr = NULL;
  SalExplainParams params;
  const SalTensor *values;

  sal_job_report_progress (job, 0.02, _("Loading the model"));
  model = load_model (in->store, in->model_id, &r->model_sha256, error);
  if (model == NULL)
    return NULL;
  if (sal_model_input_kind (model) != SAL_INPUT_KIND_MEASUREMENTS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("This model does not take measurements; choose a measurements model"));
      return NULL;
    }
  features = sal_model_features (model);
  if (features->len != in->n_values)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The model expects %u measurements, the form gave %u"), features->len,
                   in->n_values);
      return NULL;
    }
  x = sal_model_input_from_values (model, in->values, in->n_values, error);
  if (x == NULL || !predict (model, x, r, error))
    return NULL;
  r->target_index = sal_clinic_risk_target (r->labels);
  r->target = g_strdup (r->labels->pdata[r->target_index]);

  /* feature groups in order of first appearance; a feature without one is its own */
  groups = g_new (int, features->len);
  for (guint f = 0; f < features->len; f++)
    {
      const SalFeatureInfo *fi = features->pdata[f];
      const char *g = fi->group != NULL ? fi->group : fi->name;
      guint k;

      for (k = 0; k < group_names->len; k++)
        if (g_str_equal (group_names->pdata[k], g))
          break;
      if (k == group_names->len)
        g_ptr_array_add (group_names, g_strdup (g));
      groups[f] = (int) k;
    }
  if (group_names->len > 14)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("Exact Shapley values need at most 14 feature groups; this model has %u"),
                   group_names->len);
      return NULL;
    }
  background = sal_background_from_csv (in->csv, features, features->len, 100, error);
  if (background == NULL || check_cancelled (cancellable, error))
    return NULL;

  sal_job_report_progress (job, 0.1, _("Computing Shapley values"));
  sal_explain_params_init (&params, SAL_EXPLAIN_SHAPLEY);
  params.target = r->target_index;
  params.target_kind = SAL_TARGET_PROBABILITY;
  params.background = background;
  params.groups = groups;
  params.n_groups = (int) group_names->len;
  ex = explain_in_job (job, model, x, &params, cancellable, error);
  if (ex == NULL)
    return NULL;

  values = ex->group_attribution != NULL ? ex->group_attribution : ex->attribution;
  r->method = g_strdup ("shapley");
  r->n_values = (guint) values->numel;
  r->values = g_new (double, r->n_values);
  attr = g_new (float, r->n_values);
  for (guint i = 0; i < r->n_values; i++)
    {
      attr[i] = sal_tensor_f32 (values)[i];
      r->values[i] = attr[i];
    }
  g_ptr_array_extend_and_steal (r->names, g_steal_pointer (&group_names));
  r->expected = ex->expected_score;
  r->prediction = ex->score;
  r->gap = ex->efficiency_gap;

  json_builder_begin_object (pb);
  json_builder_set_member_name (pb, "names");
  json_builder_begin_array (pb);
  for (guint i = 0; i < r->names->len; i++)
    json_builder_add_string_value (pb, r->names->pdata[i]);
  json_builder_end_array (pb);
  json_builder_set_member_name (pb, "target_kind");
  json_builder_add_string_value (pb, "probability");
  json_builder_set_member_name (pb, "background_rows");
  json_builder_add_int_value (pb, background->dims[0]);
  json_builder_set_member_name (pb, "values");
  json_builder_begin_array (pb);
  for (guint i = 0; i < in->n_values; i++)
    json_builder_add_double_value (pb, in->values[i]);
  json_builder_end_array (pb);
  json_builder_end_object (pb);
  params_json = sal_json_builder_to_string (pb);

  json_builder_begin_object (cb);
  json_builder_set_member_name (cb, "expected_value");
  json_builder_add_double_value (cb, r->expected);
  json_builder_set_member_name (cb, "prediction");
  json_builder_add_double_value (cb, r->prediction);
  json_builder_set_member_name (cb, "efficiency_gap");
  json_builder_add_double_value (cb, r->gap);
  if (!save_explanation (job, in, r, SAL_OBJECT_CASE, params_json, cb, NULL, 0,
                         g_steal_pointer (&attr), error))
    return NULL;
  return g_steal_pointer (&r);
}

SalJob *
sal_clinic_score_job_new (SalStore     *store,
                          gint64        case_id,
                          gint64        model_id,
                          const double *values,
                          guint         n_values,
                          const char   *background_csv)
{
  JobIn in = { store, case_id, model_id, (double *) values, n_values, (char *) background_csv,
               NULL };

  return sal_job_new ("clinic-score", _("Scoring the measurements"), SAL_JOB_PRIORITY_INTERACTIVE,
                      SAL_TYPE_CLINIC_RESULT, score_run, job_in_copy (&in), job_in_copy,
                      job_in_free);
}

/* ---- notes ------------------------------------------------------------------------- */

static gpointer
note_run (SalJob *job, gpointer inputs, GCancellable *cancellable, GError **error)
{
  JobIn *in = inputs;
  g_autoptr(SalClinicResult) r = result_new ();
  g_autoptr(SalNote) note = NULL;
  g_autoptr(SalModel) model = NULL;
  g_autoptr(SalTensor) x = NULL;
  g_autoptr(GArray) tokens = NULL;
  g_autoptr(SalExplanation) ex = NULL;
  g_autoptr(JsonBuilder) pb = json_builder_new ();
  g_autoptr(JsonBuilder) cb = json_builder_new ();
  g_autofree char *params_json = NULL;
  g_autofree float *attr = NULL;
  SalExplainParams params;
  SalExplainMethod method;
  guint n;

  if (!sal_explain_method_from_id (in->method, &method))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Unknown explanation method “%s”"), in->method);
      return NULL;
    }
  note = sal_store_get_note (in->store, in->object_id, error);
  if (note == NULL)
    return NULL;
  sal_job_report_progress (job, 0.02, _("Loading the model"));
  model = load_model (in->store, in->model_id, &r->model_sha256, error);
  if (model == NULL)
    return NULL;
  if (sal_model_input_kind (model) != SAL_INPUT_KIND_NOTE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("This model does not read notes; choose a note model"));
      return NULL;
    }
  x = sal_model_input_from_text (model, note->text, &tokens, error);
  if (x == NULL || !predict (model, x, r, error))
    return NULL;
  if (tokens == NULL || tokens->len == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The note has no words the model can read"));
      return NULL;
    }
  r->target_index = 0;
  for (guint i = 1; i < r->n_classes; i++)
    if (r->probabilities[i] > r->probabilities[r->target_index])
      r->target_index = (int) i;
  r->target = g_strdup (r->labels->pdata[r->target_index]);

  sal_job_report_progress (job, 0.1, _("Explaining the triage"));
  sal_explain_params_init (&params, method);
  params.target = r->target_index;
  /* A GRU's score can jump over a tiny stretch of the path; the adaptive rule refines
   * the steps there, so the attributions add up to the score (engine/README.md). */
  if (method == SAL_EXPLAIN_INTEGRATED_GRADIENTS)
    params.rule = SAL_IG_ADAPTIVE;
  ex = explain_in_job (job, model, x, &params, cancellable, error);
  if (ex == NULL)
    return NULL;

  /* one value per token; an attribution over [1, T, D] embeddings is summed over D */
  n = MIN (tokens->len, (guint) x->numel);
  attr = g_new0 (float, n);
  {
    gsize per = ex->attribution->numel / MAX (x->numel, 1);

    for (guint i = 0; i < n; i++)
      for (gsize k = 0; k < MAX (per, 1); k++)
        attr[i] += sal_tensor_f32 (ex->attribution)[i * MAX (per, 1) + k];
  }
  r->method = g_strdup (in->method);
  r->n_values = n;
  r->values = g_new (double, n);
  r->token_starts = g_array_new (FALSE, FALSE, sizeof (gsize));
  r->token_ends = g_array_new (FALSE, FALSE, sizeof (gsize));
  for (guint i = 0; i < n; i++)
    {
      const SalToken *t = &g_array_index (tokens, SalToken, i);

      r->values[i] = attr[i];
      g_array_append_val (r->token_starts, t->start);
      g_array_append_val (r->token_ends, t->end);
    }
  r->prediction = ex->score;
  r->gap = ex->completeness_gap;

  json_builder_begin_object (pb);
  if (method == SAL_EXPLAIN_INTEGRATED_GRADIENTS)
    {
      json_builder_set_member_name (pb, "steps");
      json_builder_add_int_value (pb, params.steps);
      json_builder_set_member_name (pb, "rule");
      json_builder_add_string_value (pb, "adaptive");
    }
  json_builder_set_member_name (pb, "tokens");
  json_builder_begin_array (pb);
  for (guint i = 0; i < n; i++)
    {
      json_builder_begin_array (pb);
      json_builder_add_int_value (pb, (gint64) g_array_index (r->token_starts, gsize, i));
      json_builder_add_int_value (pb, (gint64) g_array_index (r->token_ends, gsize, i));
      json_builder_end_array (pb);
    }
  json_builder_end_array (pb);
  json_builder_end_object (pb);
  params_json = sal_json_builder_to_string (pb);

  json_builder_begin_object (cb);
  if (isfinite (r->gap))
    {
      json_builder_set_member_name (cb, "completeness_gap");
      json_builder_add_double_value (cb, r->gap);
    }
  if (!save_explanation (job, in, r, SAL_OBJECT_NOTE, params_json, cb,
                         method == SAL_EXPLAIN_INTEGRATED_GRADIENTS
                           ? sal_baseline_id (params.baseline) : NULL,
                         params.seed, g_steal_pointer (&attr), error))
    return NULL;
  return g_steal_pointer (&r);
}

SalJob *
sal_clinic_note_job_new (SalStore   *store,
                         gint64      note_id,
                         gint64      model_id,
                         const char *method)
{
  JobIn in = { store, note_id, model_id, NULL, 0, NULL, (char *) method };

  return sal_job_new ("clinic-note", _("Analysing the note"), SAL_JOB_PRIORITY_INTERACTIVE,
                      SAL_TYPE_CLINIC_RESULT, note_run, job_in_copy (&in), job_in_copy,
                      job_in_free);
}
