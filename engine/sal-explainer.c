/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-engine"

#include "sal-explain-private.h"
#include "sal-plan-private.h"
#include "sal-error.h"

#include <math.h>
#include <string.h>

typedef struct {
  SalRun    *run;
  SalGrad   *grad;      /* NULL for forward-only runners */
  SalTensor *xb;        /* the batch input */
  SalTensor *seed;
  SalTensor *zeros;     /* the gradient when the input does not reach the scores */
  guint      last_used; /* the explanation (stamp) that last used it */
  gboolean   holds_input; /* its activations are the explained input's (a batch of one,
                           * run in this explanation) */
} Runner;

struct _SalExplainer {
  SalModel               *model;
  char                   *input_name;
  gboolean                batched;
  GHashTable             *runners;     /* key: "batch kind layer" (string) → Runner */
  guint                   stamp;       /* explanations begun */
  /* The explanation under way (sal_explainer_begin). */
  const SalExplainParams *p;
  SalTensor              *input;       /* copy of the explained input */
  char                   *score_value; /* the value holding [B, C] scores */
  gboolean                own_softmax; /* probability wanted, model gives logits */
  int                     n_classes;
  int                     target;
  int                     n_forward, n_backward;
};

static void
runner_free (gpointer data)
{
  Runner *r = data;

  sal_grad_free (r->grad);
  sal_run_free (r->run);
  sal_tensor_free (r->xb);
  sal_tensor_free (r->seed);
  sal_tensor_free (r->zeros);
  g_free (r);
}

/* The runner for batches of `batch` examples: forward only, or with a
 * backward pass to the input (want_input) and/or stopping at `layer`. Runners
 * are kept across the chunks of an explanation and across explanations. */
static Runner *
runner_get (SalExplainer *ex, int batch, gboolean with_grad, gboolean want_input,
            const char *layer, GError **error)
{
  g_autofree char *key = NULL, *shape = NULL;
  Runner *r;
  int64_t dims[SAL_MAX_RANK];

  if (!with_grad)
    want_input = FALSE, layer = NULL;
  else if (!want_input && layer == NULL)
    want_input = TRUE;
  /* Keyed by the batch's type and shape too: inputs of one model may differ
   * in size (token ids, images of any size). */
  memcpy (dims, ex->input->dims, sizeof dims);
  dims[0] = batch;
  shape = sal_shape_to_string (ex->input->rank, dims);
  key = g_strdup_printf ("%s %d %s %s", shape, (int) ex->input->dtype,
                         !with_grad ? "forward" : want_input ? "input" : "layer",
                         layer ? layer : "");
  r = g_hash_table_lookup (ex->runners, key);
  if (r == NULL)
    {
      r = g_new0 (Runner, 1);
      r->run = sal_run_new (ex->model);
      r->xb = sal_tensor_new (ex->input->dtype, ex->input->rank, dims, error);
      if (r->xb == NULL)
        {
          runner_free (r);
          return NULL;
        }
      if (with_grad)
        {
          r->grad = sal_grad_new (r->run);
          if ((want_input && !sal_grad_want (r->grad, ex->input_name, error)) ||
              (layer != NULL && !sal_grad_want (r->grad, layer, error)))
            {
              runner_free (r);
              return NULL;
            }
        }
      g_hash_table_insert (ex->runners, g_steal_pointer (&key), r);
    }
  if (r->last_used != ex->stamp)
    {
      /* First use in this explanation: its settings, and nothing it holds is current. */
      sal_run_set_threads (r->run, ex->p->n_threads);
      sal_run_set_callbacks (r->run, ex->p->cancel, NULL, ex->p->user_data);
      r->holds_input = FALSE;
      r->last_used = ex->stamp;
    }
  if (r->grad == NULL && !sal_run_keep_value (r->run, ex->score_value, error))
    return NULL;
  return r;
}

SalExplainer *
sal_explainer_new (SalModel *model)
{
  SalExplainer *ex = g_new0 (SalExplainer, 1);
  SalGraph *graph = model->graph;
  SalValueInfo info;

  ex->model = sal_model_ref (model);
  ex->runners = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, runner_free);
  if (sal_model_n_inputs (model) < 1)
    return ex;
  sal_model_get_input (model, 0, &info);
  ex->input_name = g_strdup (info.name);
  ex->batched = info.rank >= 1 && info.dims[0] == -1;
  /* A BatchNormalization in training mode (opset ≥ 14: training_mode = 1;
   * before: more than one output) normalises with the batch's own
   * statistics, so an example's score depends on the others in its batch.
   * Such a model is explained one example per run, as it is used on one
   * input (batch of one). */
  for (guint n = 0; n < graph->nodes->len && ex->batched; n++)
    {
      SalNode *node = sal_graph_get_node (graph, n);
      if (strcmp (node->op_type, "BatchNormalization") == 0 &&
          ((node->opset >= 14 && sal_node_attr_int (node, "training_mode", 0) != 0) ||
           (node->opset < 14 && node->n_outputs > 1)))
        ex->batched = FALSE;
    }
  return ex;
}

gboolean
sal_explainer_begin (SalExplainer *ex, const SalTensor *input, const SalExplainParams *params,
                     gboolean first_grad, const char *first_layer, GError **error)
{
  SalModel *model = ex->model;
  SalGraph *graph = model->graph;
  int out_v, producer;
  Runner *r;
  const SalTensor *scores;

  ex->stamp++;
  ex->p = params;
  ex->n_forward = ex->n_backward = 0;
  g_clear_pointer (&ex->input, sal_tensor_free);
  g_clear_pointer (&ex->score_value, g_free);
  ex->own_softmax = FALSE;
  if (sal_model_n_inputs (model) != 1 || sal_model_n_outputs (model) < 1)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_UNSUPPORTED,
                   "explanations need a model with one input; this one has %u",
                   sal_model_n_inputs (model));
      return FALSE;
    }
  if (input->rank < 1 || input->dims[0] != 1)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   "explain one input at a time (a batch of one)");
      return FALSE;
    }
  ex->input = sal_tensor_copy (input);

  /* The scores: the input of a final Softmax (or LogSoftmax) for pre-softmax
   * scores; its output, or our own softmax of the logits, for probabilities. */
  out_v = g_array_index (graph->outputs, int, 0);
  producer = sal_graph_get_value (graph, out_v)->producer;
  ex->score_value = g_strdup (sal_graph_get_value (graph, out_v)->name);
  if (producer >= 0)
    {
      SalNode *node = sal_graph_get_node (graph, producer);
      gboolean softmax = strcmp (node->op_type, "Softmax") == 0;
      gboolean log_softmax = strcmp (node->op_type, "LogSoftmax") == 0;
      if ((softmax || log_softmax) && node->n_inputs >= 1 && node->inputs[0] >= 0)
        {
          if (params->target_kind == SAL_TARGET_SCORE || log_softmax)
            {
              g_free (ex->score_value);
              ex->score_value = g_strdup (sal_graph_get_value (graph, node->inputs[0])->name);
              ex->own_softmax = params->target_kind == SAL_TARGET_PROBABILITY;
            }
        }
      else
        ex->own_softmax = params->target_kind == SAL_TARGET_PROBABILITY;
    }

  /* One forward pass to learn the class count and the predicted class, on
   * the runner the method starts with: a method whose first step is this
   * input's gradient (Gradient, Grad-CAM) then only runs the backward pass. */
  r = runner_get (ex, 1, first_grad || first_layer != NULL, first_grad, first_layer, error);
  if (r == NULL)
    return FALSE;
  memcpy (r->xb->data, input->data, sal_tensor_nbytes (input));
  r->holds_input = FALSE;
  if (!sal_run_set_input (r->run, 0, r->xb, error) || !sal_run_execute (r->run, error))
    return FALSE;
  r->holds_input = TRUE;
  ex->n_forward++;
  scores = sal_run_get_value (r->run, ex->score_value);
  if (scores == NULL || scores->dtype != SAL_DTYPE_FLOAT || scores->numel < 1)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_UNSUPPORTED, "the model's output is not a float score");
      return FALSE;
    }
  ex->n_classes = (int) scores->numel;
  ex->target = params->target;
  if (ex->target < 0)
    {
      ex->target = 0;
      for (int c = 1; c < ex->n_classes; c++)
        if (sal_tensor_f32 (scores)[c] > sal_tensor_f32 (scores)[ex->target])
          ex->target = c;
    }
  if (ex->target >= ex->n_classes)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   "target class %d does not exist: the model has %d outputs", ex->target,
                   ex->n_classes);
      return FALSE;
    }
  return TRUE;
}

/* Bytes a runner holds: its run's arena and, with gradients, about as much again. */
static gint64
runner_bytes (Runner *r)
{
  return sal_run_bytes_held (r->run) * (r->grad != NULL ? 2 : 1);
}

void
sal_explainer_end (SalExplainer *ex)
{
  gsize budget = ex->p != NULL && ex->p->memory_budget ? ex->p->memory_budget : (gsize) 64 << 20;
  GHashTableIter it;
  gpointer value;
  gint64 held = 0;

  /* Runners of older explanations are kept while all runners together stay
   * within twice the memory budget (an app explaining the same model with
   * two methods in turn keeps both). */
  g_hash_table_iter_init (&it, ex->runners);
  while (g_hash_table_iter_next (&it, NULL, &value))
    held += runner_bytes (value);
  g_hash_table_iter_init (&it, ex->runners);
  while (held > (gint64) (2 * budget) && g_hash_table_iter_next (&it, NULL, &value))
    {
      Runner *r = value;
      if (r->last_used == ex->stamp)
        continue;
      held -= runner_bytes (r);
      g_hash_table_iter_remove (&it);
    }
  ex->p = NULL;
}

void
sal_explainer_free (SalExplainer *ex)
{
  if (ex == NULL)
    return;
  g_clear_pointer (&ex->runners, g_hash_table_unref);
  sal_tensor_free (ex->input);
  g_free (ex->input_name);
  g_free (ex->score_value);
  if (ex->model)
    sal_model_unref (ex->model);
  g_free (ex);
}

SalModel *
sal_explainer_get_model (SalExplainer *ex)
{
  return ex->model;
}

int
sal_explainer_target (SalExplainer *ex)
{
  return ex->target;
}

int
sal_explainer_n_classes (SalExplainer *ex)
{
  return ex->n_classes;
}

int64_t
sal_explainer_example_size (SalExplainer *ex)
{
  return ex->input->numel;
}

void
sal_explainer_count (SalExplainer *ex, int *n_forward, int *n_backward)
{
  *n_forward = ex->n_forward;
  *n_backward = ex->n_backward;
}

gboolean
sal_explainer_cancelled (SalExplainer *ex, GError **error)
{
  if (ex->p->cancel != NULL && ex->p->cancel (ex->p->user_data))
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_CANCELLED, "the explanation was cancelled");
      return TRUE;
    }
  return FALSE;
}

void
sal_explainer_progress (SalExplainer *ex, double fraction)
{
  if (ex->p->progress != NULL)
    ex->p->progress (CLAMP (fraction, 0.0, 1.0), ex->p->user_data);
}

int
sal_explainer_chunk (SalExplainer *ex, gboolean with_grad)
{
  gsize budget = ex->p->memory_budget ? ex->p->memory_budget : (gsize) 64 << 20;
  gsize values, arena;
  gint64 per, fixed;
  Runner *r;

  if (!ex->batched)
    return 1;
  /* The sizes of one example's plan (planned, not run). */
  r = runner_get (ex, 1, with_grad, with_grad, NULL, NULL);
  if (r == NULL)
    return 1;
  memcpy (r->xb->data, ex->input->data, sal_tensor_nbytes (ex->input));
  if (!sal_run_set_input (r->run, 0, r->xb, NULL) || !sal_run_plan (r->run, NULL))
    return 1;
  sal_run_plan_sizes (r->run, &values, &arena);
  if (with_grad)
    {
      /* Every activation is kept, and gets a gradient buffer of its size;
       * the workspaces do not grow with the batch. */
      per = MAX (2 * (gint64) values, 1);
      fixed = (gint64) arena - (gint64) values;
    }
  else
    {
      per = MAX ((gint64) arena, 1);
      fixed = 0;
    }
  /* Forward-only chunks may be larger: tabular models run thousands of tiny
   * rows, where the per-run overhead dominates. */
  if (!with_grad)
    return (int) CLAMP (((gint64) budget - fixed) / per, 1, 4096);
  /* With gradients, no more examples than keep a chunk's activations and
   * gradients near the cache (about 4 MiB): every layer's forward and
   * backward passes then read them from cache rather than from memory
   * (tests/bench-explain: IG on the lesion finder took 75 ms in chunks of 10,
   * 50 ms one example at a time). */
  return (int) CLAMP (MIN (((gint64) budget - fixed) / per, ((gint64) 4 << 20) / per), 1, 256);
}

static void
softmax_row (const float *z, int c, double *p)
{
  double mx = z[0], sum = 0;

  for (int j = 1; j < c; j++)
    mx = MAX (mx, z[j]);
  for (int j = 0; j < c; j++)
    sum += p[j] = exp (z[j] - mx);
  for (int j = 0; j < c; j++)
    p[j] /= sum;
}

/* The target scores of the batch the runner just ran forward and, for a
 * gradient runner, the backward pass seeded with d score / d logits. */
static gboolean
scores_and_backward (SalExplainer *ex, Runner *r, int n, double *scores, GError **error)
{
  const SalTensor *s;
  int c = ex->n_classes, t = ex->target;
  g_autofree double *p = g_new (double, c);

  s = sal_run_get_value (r->run, ex->score_value);
  if (s == NULL || s->numel != (int64_t) n * c)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_UNSUPPORTED,
                   "the model's scores do not have one row per example");
      return FALSE;
    }
  for (int b = 0; b < n; b++)
    {
      const float *z = sal_tensor_f32 (s) + (gsize) b * c;
      if (ex->own_softmax)
        {
          softmax_row (z, c, p);
          scores[b] = p[t];
        }
      else
        scores[b] = z[t];
    }
  if (r->grad == NULL)
    return TRUE;

  if (r->seed == NULL || r->seed->numel != s->numel)
    {
      g_clear_pointer (&r->seed, sal_tensor_free);
      r->seed = sal_tensor_new (SAL_DTYPE_FLOAT, s->rank, s->dims, error);
      if (r->seed == NULL)
        return FALSE;
    }
  memset (r->seed->data, 0, sal_tensor_nbytes (r->seed));
  for (int b = 0; b < n; b++)
    {
      float *sd = sal_tensor_f32 (r->seed) + (gsize) b * c;
      if (ex->own_softmax)
        {
          /* d p_t / d z_j = p_t (δ_tj − p_j) */
          softmax_row (sal_tensor_f32 (s) + (gsize) b * c, c, p);
          for (int j = 0; j < c; j++)
            sd[j] = (float) (p[t] * ((j == t) - p[j]));
        }
      else
        sd[t] = 1.0f;
    }
  if (!sal_grad_backward_value (r->grad, ex->score_value, r->seed, error))
    return FALSE;
  ex->n_backward += n;
  return TRUE;
}

/* Runs the batch in the runner's input buffer forward, unless its
 * activations are already those of this batch (the explained input, run
 * when the explanation began): then a method's first gradient of the input
 * needs only the backward pass. */
static gboolean
run_forward (SalExplainer *ex, Runner *r, int n, GError **error)
{
  if (r->holds_input && n == 1 &&
      memcmp (r->xb->data, ex->input->data, sal_tensor_nbytes (ex->input)) == 0)
    return TRUE;
  r->holds_input = FALSE;
  if (!sal_run_set_input (r->run, 0, r->xb, error) || !sal_run_execute (r->run, error))
    return FALSE;
  ex->n_forward += n;
  return TRUE;
}

gboolean
sal_explainer_eval (SalExplainer *ex, const float *x, int n, double *scores, float *grad,
                    const char *layer, SalTensor **act, SalTensor **act_grad, GError **error)
{
  Runner *r;

  if (sal_explainer_cancelled (ex, error))
    return FALSE;
  r = runner_get (ex, n, grad != NULL || layer != NULL, grad != NULL, layer, error);
  if (r == NULL)
    return FALSE;
  memcpy (r->xb->data, x, sal_tensor_nbytes (r->xb));
  if (!run_forward (ex, r, n, error))
    return FALSE;
  if (!scores_and_backward (ex, r, n, scores, error))
    return FALSE;
  if (grad != NULL)
    {
      const SalTensor *gx = sal_grad_get (r->grad, ex->input_name);
      if (gx == NULL)
        memset (grad, 0, sal_tensor_nbytes (r->xb));
      else
        memcpy (grad, gx->data, sal_tensor_nbytes (gx));
    }
  if (layer != NULL)
    {
      const SalTensor *a = sal_run_get_value (r->run, layer);
      const SalTensor *ga = sal_grad_get (r->grad, layer);
      if (a == NULL || ga == NULL)
        {
          g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                       "layer “%s” does not influence the model's output", layer);
          return FALSE;
        }
      *act = sal_tensor_copy (a);
      *act_grad = sal_tensor_copy (ga);
    }
  return TRUE;
}

float *
sal_explainer_batch (SalExplainer *ex, int n, GError **error)
{
  Runner *r = runner_get (ex, n, TRUE, TRUE, NULL, error);

  if (r == NULL)
    return NULL;
  return sal_tensor_f32 (r->xb);
}

gboolean
sal_explainer_eval_batch (SalExplainer *ex, int n, double *scores, const float **grad,
                          GError **error)
{
  Runner *r;
  const SalTensor *gx;

  if (sal_explainer_cancelled (ex, error))
    return FALSE;
  r = runner_get (ex, n, TRUE, TRUE, NULL, error);
  if (r == NULL || !run_forward (ex, r, n, error) || !scores_and_backward (ex, r, n, scores, error))
    return FALSE;
  gx = sal_grad_get (r->grad, ex->input_name);
  if (gx == NULL)
    {
      /* Nothing reaches the score from the input: zero gradients. */
      if (r->zeros == NULL)
        {
          r->zeros = sal_tensor_new (SAL_DTYPE_FLOAT, r->xb->rank, r->xb->dims, error);
          if (r->zeros == NULL)
            return FALSE;
        }
      *grad = sal_tensor_f32 (r->zeros);
    }
  else
    *grad = sal_tensor_f32 (gx);
  return TRUE;
}

gboolean
sal_explainer_eval_any (SalExplainer *ex, const SalTensor *batch, double *scores, GError **error)
{
  g_autoptr(SalRun) run = NULL;
  const SalTensor *s;
  int c = ex->n_classes, n = (int) batch->dims[0];
  g_autofree double *p = g_new (double, c);
  g_autoptr(GError) local = NULL;

  if (sal_explainer_cancelled (ex, error))
    return FALSE;
  run = sal_run_new (ex->model);
  sal_run_set_threads (run, ex->p->n_threads);
  if (!sal_run_keep_value (run, ex->score_value, error) || !sal_run_set_input (run, 0, batch, error) ||
      !sal_run_execute (run, error))
    return FALSE;
  ex->n_forward += n;
  s = sal_run_get_value (run, ex->score_value);
  for (int b = 0; b < n; b++)
    {
      const float *z = sal_tensor_f32 (s) + (gsize) b * c;
      if (ex->own_softmax)
        {
          softmax_row (z, c, p);
          scores[b] = p[ex->target];
        }
      else
        scores[b] = z[ex->target];
    }
  return TRUE;
}

gboolean
sal_explainer_eval_value_grad (SalExplainer *ex, SalRun *run, SalGrad *grad,
                               const SalTensor *batch, const char *value, double *scores,
                               SalTensor **value_grad, GError **error)
{
  const SalTensor *s, *g;
  g_autoptr(SalTensor) seed = NULL;
  int c = ex->n_classes, t = ex->target, n = (int) batch->dims[0];
  g_autofree double *p = g_new (double, c);

  if (sal_explainer_cancelled (ex, error))
    return FALSE;
  if (!sal_run_set_input (run, 0, batch, error) || !sal_run_execute (run, error))
    return FALSE;
  ex->n_forward += n;
  s = sal_run_get_value (run, ex->score_value);
  if (s == NULL || s->numel != (int64_t) n * c)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_UNSUPPORTED,
                   "the model's scores do not have one row per example");
      return FALSE;
    }
  seed = sal_tensor_new (SAL_DTYPE_FLOAT, s->rank, s->dims, error);
  if (seed == NULL)
    return FALSE;
  for (int b = 0; b < n; b++)
    {
      const float *z = sal_tensor_f32 (s) + (gsize) b * c;
      float *sd = sal_tensor_f32 (seed) + (gsize) b * c;

      softmax_row (z, c, p);
      scores[b] = ex->own_softmax ? p[t] : z[t];
      for (int j = 0; j < c; j++)
        sd[j] = ex->own_softmax ? (float) (p[t] * ((j == t) - p[j])) : (float) (j == t);
    }
  if (!sal_grad_backward_value (grad, ex->score_value, seed, error))
    return FALSE;
  ex->n_backward += n;
  g = sal_grad_get (grad, value);
  if (g == NULL)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   "value “%s” does not influence the model's output", value);
      return FALSE;
    }
  *value_grad = sal_tensor_copy (g);
  return TRUE;
}

const char *
sal_explainer_score_value (SalExplainer *ex)
{
  return ex->score_value;
}
