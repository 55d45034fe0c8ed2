/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-engine"

/* Token methods for int64 ids [1, T] whose graph starts with a Gather over
 * an embedding matrix E [V, D]. Integrated Gradients interpolates embeddings
 * on a private copy of the model: rows 0 … n·T − 1 of the copy's E are set to
 * the interpolated embeddings of n path points and the ids fed are
 * 0 … n·T − 1, so the Gather yields exactly those points; the gradient to the
 * Gather's output, times (e − baseline), summed over D, is each token's
 * attribution. */

#include "sal-explain-private.h"
#include "sal-graph-builder.h"
#include "sal-plan-private.h"
#include "sal-error.h"

#include <math.h>
#include <string.h>

/* The Gather reading the token input from a float initializer. */
static SalNode *
find_embedding (SalModel *model, int *table, GError **error)
{
  SalGraph *graph = model->graph;
  int input = g_array_index (graph->inputs, int, 0);

  for (guint n = 0; n < graph->nodes->len; n++)
    {
      SalNode *node = sal_graph_get_node (graph, n);
      SalValue *data;

      if (strcmp (node->op_type, "Gather") != 0 || node->n_inputs < 2 || node->inputs[1] != input ||
          node->inputs[0] < 0)
        continue;
      data = sal_graph_get_value (graph, node->inputs[0]);
      if (data->init == NULL || data->init->dtype != SAL_DTYPE_FLOAT || data->init->rank != 2)
        continue;
      *table = node->inputs[0];
      return node;
    }
  g_set_error (error, SAL_ERROR, SAL_ERROR_UNSUPPORTED,
               "Integrated Gradients on tokens needs the token ids to feed a Gather over an "
               "embedding matrix; this model has none");
  return NULL;
}

/* Ids the graph compares the tokens with (Equal against a constant, e.g. a
 * pad mask): positions holding them keep their real id, so those readers
 * see the note as it is. Other readers of the ids are refused. */
static gboolean
special_ids (SalModel *model, SalNode *gather, GArray *special, GError **error)
{
  SalGraph *graph = model->graph;
  int input = g_array_index (graph->inputs, int, 0);

  for (guint n = 0; n < graph->nodes->len; n++)
    {
      SalNode *node = sal_graph_get_node (graph, n);
      gboolean reads = FALSE;

      for (int i = 0; i < node->n_inputs; i++)
        reads |= node->inputs[i] == input;
      if (!reads || node == gather || strcmp (node->op_type, "Shape") == 0)
        continue;
      if (strcmp (node->op_type, "Equal") == 0 && node->n_inputs == 2)
        {
          int other = node->inputs[0] == input ? node->inputs[1] : node->inputs[0];
          SalValue *c = other >= 0 ? sal_graph_get_value (graph, other) : NULL;
          if (c != NULL && c->init != NULL && c->init->dtype == SAL_DTYPE_INT64)
            {
              for (int64_t k = 0; k < c->init->numel; k++)
                g_array_append_val (special, ((int64_t *) c->init->data)[k]);
              continue;
            }
        }
      g_set_error (error, SAL_ERROR, SAL_ERROR_UNSUPPORTED,
                   "Integrated Gradients on tokens cannot interpolate this model's embeddings: "
                   "the token ids also feed %s “%s”; use token-occlusion", node->op_type,
                   node->name ? node->name : "");
      return FALSE;
    }
  return TRUE;
}

static gboolean
is_special (GArray *special, int64_t id)
{
  for (guint k = 0; k < special->len; k++)
    if (g_array_index (special, int64_t, k) == id)
      return TRUE;
  return FALSE;
}

/* Points on the straight path from the baseline's embeddings to the
 * note's: α, the target score there, and the directional derivative per
 * token, Σ_d ∂f/∂e_td (e_td − b_td), T values each. */
typedef struct {
  SalExplainer *ex;
  SalModel     *copy;
  SalRun       *run;
  SalGrad      *grad;
  SalTensor    *table;
  const int64_t *fake;
  const float  *emb, *base;
  const char   *emb_name;
  int           T;
  int64_t       D;
  int           chunk;
  GArray       *alpha, *f, *proj;   /* double */
} PathCtx;

static void
path_clear (PathCtx *c)
{
  g_clear_pointer (&c->alpha, g_array_unref);
  g_clear_pointer (&c->f, g_array_unref);
  g_clear_pointer (&c->proj, g_array_unref);
}

static gboolean
eval_path (PathCtx *c, const double *alpha, int n_pts, GError **error)
{
  int T = c->T, done = 0;
  int64_t D = c->D;
  g_autofree double *scores = g_new (double, c->chunk);

  while (done < n_pts)
    {
      int n = MIN (c->chunk, n_pts - done);
      g_autoptr(SalTensor) batch = sal_tensor_new (SAL_DTYPE_INT64, 2, (int64_t[]) { n, T }, error);
      g_autoptr(SalTensor) g = NULL;

      if (batch == NULL)
        return FALSE;
      for (int b = 0; b < n; b++)
        for (int t = 0; t < T; t++)
          {
            int64_t id = c->fake[b * T + t];
            float *row = sal_tensor_f32 (c->table) + id * D;
            double a = alpha[done + b];

            ((int64_t *) batch->data)[b * T + t] = id;
            for (int64_t d = 0; d < D; d++)
              row[d] = (float) (c->base[t * D + d] + a * (c->emb[t * D + d] - c->base[t * D + d]));
          }
      if (!sal_model_weights_changed (c->copy, error) ||
          !sal_explainer_eval_value_grad (c->ex, c->run, c->grad, batch, c->emb_name, scores, &g,
                                          error))
        return FALSE;
      if (g->numel != (int64_t) n * T * D)
        {
          g_set_error (error, SAL_ERROR, SAL_ERROR_UNSUPPORTED,
                       "the embedding output is not [batch, tokens, dim]");
          return FALSE;
        }
      for (int b = 0; b < n; b++)
        {
          const float *gb = sal_tensor_f32 (g) + (gsize) b * T * D;
          g_array_append_val (c->alpha, alpha[done + b]);
          g_array_append_val (c->f, scores[b]);
          for (int t = 0; t < T; t++)
            {
              double v = 0;
              for (int64_t d = 0; d < D; d++)
                v += (double) gb[t * D + d] * (c->emb[t * D + d] - c->base[t * D + d]);
              g_array_append_val (c->proj, v);
            }
        }
      done += n;
      sal_explainer_progress (c->ex, MIN (1.0, (double) c->alpha->len / (n_pts + c->alpha->len)));
    }
  return TRUE;
}

/* The points' indices in order of α. */
static int *
path_order (PathCtx *c)
{
  return sal_ig_path_order ((const double *) c->alpha->data, (int) c->alpha->len);
}

static double
path_derivative (PathCtx *c, int k)
{
  double d = 0;

  for (int t = 0; t < c->T; t++)
    d += g_array_index (c->proj, double, (gsize) k * c->T + t);
  return d;
}

/* The adaptive rule's next midpoints (sal_ig_path_refine); FALSE when done. */
static gboolean
refine (PathCtx *c, int max_points, double **mid, int *n_mid)
{
  int n = (int) c->alpha->len;
  g_autofree double *deriv = g_new (double, MAX (n, 1));

  for (int k = 0; k < n; k++)
    deriv[k] = path_derivative (c, k);
  return sal_ig_path_refine ((const double *) c->alpha->data, (const double *) c->f->data, deriv,
                             n, max_points, MAX (c->chunk, 4), mid, n_mid);
}

static gboolean
text_integrated_gradients (SalExplainer *ex, SalModel *model, const SalTensor *x,
                           const SalExplainParams *p, SalExplanation *e, GError **error)
{
  int table_v, T = (int) x->dims[x->rank - 1], steps = MAX (p->steps, 1);
  SalNode *gather = find_embedding (model, &table_v, error);
  const SalTensor *E;
  const char *table_name, *emb_name;
  int64_t V, D;
  int n_pts = steps + 1, chunk;
  PathCtx ctx = { 0 };
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(SalModel) copy = NULL;
  g_autoptr(SalRun) run = NULL;
  g_autoptr(SalGrad) grad = NULL;
  g_autofree float *emb = NULL, *base = NULL;
  SalTensor *copy_table = NULL;
  const int64_t *ids = x->data;
  double f_x = NAN, f_b = NAN, sum = 0;
  g_autoptr(GArray) special = g_array_new (FALSE, FALSE, sizeof (int64_t));
  g_autofree int64_t *fake = NULL;
  gboolean has_special = FALSE;
  int n_free = 0;
  gsize len;
  const guint8 *data;

  if (gather == NULL)
    return FALSE;
  E = sal_graph_get_value (model->graph, table_v)->init;
  table_name = sal_graph_get_value (model->graph, table_v)->name;
  emb_name = sal_graph_get_value (model->graph, gather->outputs[0])->name;
  V = E->dims[0];
  D = E->dims[1];
  if (!special_ids (model, gather, special, error))
    return FALSE;
  if (p->baseline != SAL_BASELINE_BLACK && p->baseline != SAL_BASELINE_PAD)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   "token inputs take the black (zero embedding) or pad baseline, not %s",
                   sal_baseline_id (p->baseline));
      return FALSE;
    }
  for (int64_t v = 0; v < V; v++)
    n_free += !is_special (special, v);
  if (T > n_free)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_UNSUPPORTED,
                   "the note has %d tokens, more than the %" G_GINT64_FORMAT
                   "-word vocabulary the interpolation can use; shorten it", T, V);
      return FALSE;
    }
  emb = g_new (float, (gsize) T * D);
  base = g_new0 (float, (gsize) T * D);
  for (int t = 0; t < T; t++)
    {
      if (ids[t] < 0 || ids[t] >= V || p->pad_id < 0 || p->pad_id >= V)
        {
          g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                       "token id outside the model's vocabulary of %" G_GINT64_FORMAT, V);
          return FALSE;
        }
      memcpy (emb + (gsize) t * D, sal_tensor_f32 (E) + ids[t] * D, D * sizeof (float));
      if (p->baseline == SAL_BASELINE_PAD)
        memcpy (base + (gsize) t * D, sal_tensor_f32 (E) + p->pad_id * D, D * sizeof (float));
    }

  bytes = sal_model_save_bytes (model, error);
  if (bytes == NULL)
    return FALSE;
  data = g_bytes_get_data (bytes, &len);
  copy = sal_model_load_bytes (data, len, NULL, NULL, error);
  if (copy == NULL)
    return FALSE;
  copy_table = sal_graph_get_value (copy->graph, sal_graph_find_value (copy->graph, table_name))->init;
  run = sal_run_new (copy);
  sal_run_set_threads (run, p->n_threads);
  sal_run_set_callbacks (run, p->cancel, NULL, p->user_data);
  grad = sal_grad_new (run);
  if (!sal_run_keep_value (run, sal_explainer_score_value (ex), error) ||
      !sal_grad_want (grad, emb_name, error))
    return FALSE;

  for (int t = 0; t < T; t++)
    has_special |= is_special (special, ids[t]);
  /* A special id's row is shared by the whole batch: one path point per run then. */
  chunk = has_special ? 1 : (int) MIN ((int64_t) n_pts, n_free / T);
  fake = g_new (int64_t, (gsize) chunk * T);
  {
    int64_t next = 0;
    for (int i = 0; i < chunk * T; i++)
      {
        if (is_special (special, ids[i % T]))
          {
            fake[i] = ids[i % T];
            continue;
          }
        while (is_special (special, next))
          next++;
        fake[i] = next++;
      }
  }
  e->chunk = chunk;

  /* The uniform grid α = k / steps (the right rule evaluates α = 0 for the
   * completeness check only, with weight 0). */
  ctx.ex = ex;
  ctx.copy = copy;
  ctx.run = run;
  ctx.grad = grad;
  ctx.table = copy_table;
  ctx.fake = fake;
  ctx.emb = emb;
  ctx.base = base;
  ctx.emb_name = emb_name;
  ctx.T = T;
  ctx.D = D;
  ctx.chunk = chunk;
  ctx.alpha = g_array_new (FALSE, FALSE, sizeof (double));
  ctx.f = g_array_new (FALSE, FALSE, sizeof (double));
  ctx.proj = g_array_new (FALSE, FALSE, sizeof (double));
  {
    g_autofree double *grid = g_new (double, n_pts);
    gboolean ok;
    for (int k = 0; k <= steps; k++)
      grid[k] = (double) k / steps;
    ok = eval_path (&ctx, grid, n_pts, error);
    /* Adaptive: bisect the intervals where the trapezoid rule misses the
     * change of f most (a steep stretch of the path), until the
     * completeness gap is below 0.1 % of |f(x) − f(baseline)| or 16 × steps
     * points were used. */
    while (ok && p->rule == SAL_IG_ADAPTIVE)
      {
        g_autofree double *mid = NULL;
        int n_mid = 0;
        if (!refine (&ctx, 16 * steps + 1, &mid, &n_mid) || n_mid == 0)
          break;
        ok = eval_path (&ctx, mid, n_mid, error);
      }
    if (!ok)
      {
        path_clear (&ctx);
        return FALSE;
      }
  }
  {
    guint n = ctx.alpha->len;
    g_autofree int *order = path_order (&ctx);
    const double *al = (const double *) ctx.alpha->data;
    for (guint j = 0; j < n; j++)
      {
        int k = order[j];
        double w;
        if (p->rule == SAL_IG_RIGHT)
          w = j == 0 ? 0 : al[k] - al[order[j - 1]];
        else
          w = ((j + 1 < n ? al[order[j + 1]] : al[k]) - (j > 0 ? al[order[j - 1]] : al[k])) / 2;
        for (int t = 0; t < T; t++)
          sal_tensor_f32 (e->attribution)[t] += (float) (w * g_array_index (ctx.proj, double,
                                                                             (gsize) k * T + t));
      }
    f_b = g_array_index (ctx.f, double, order[0]);
    f_x = g_array_index (ctx.f, double, order[n - 1]);
    e->steps = (int) n - 1;
  }
  path_clear (&ctx);
  for (int t = 0; t < T; t++)
    sum += sal_tensor_f32 (e->attribution)[t];
  e->score = f_x;
  e->baseline_score = f_b;
  e->completeness_gap = fabs (sum - (f_x - f_b));
  return TRUE;
}

/* f(x) − f(x with the window replaced by pad), averaged over the windows
 * covering each token; all windows batched. */
static gboolean
text_occlusion (SalExplainer *ex, const SalTensor *x, const SalExplainParams *p,
                SalExplanation *e, GError **error)
{
  int T = (int) x->dims[x->rank - 1], W = MAX (p->window, 1), st = MAX (p->stride, 1);
  int n_win = T <= W ? 1 : (T - W + st - 1) / st + 1;
  g_autoptr(SalTensor) batch = sal_tensor_new (SAL_DTYPE_INT64, 2, (int64_t[]) { n_win + 1, T },
                                               error);
  g_autofree double *scores = g_new (double, n_win + 1);
  g_autofree int *cover = g_new0 (int, T);
  const int64_t *ids = x->data;
  float *a = sal_tensor_f32 (e->attribution);

  if (batch == NULL)
    return FALSE;
  for (int w = 0; w <= n_win; w++)
    {
      int64_t *row = (int64_t *) batch->data + (gsize) w * T;
      memcpy (row, ids, T * sizeof (int64_t));
      if (w < n_win)
        for (int t = w * st; t < MIN (w * st + W, T); t++)
          row[t] = p->pad_id;
    }
  if (!sal_explainer_eval_any (ex, batch, scores, error))
    return FALSE;
  memset (a, 0, T * sizeof (float));
  for (int w = 0; w < n_win; w++)
    for (int t = w * st; t < MIN (w * st + W, T); t++)
      {
        a[t] += (float) (scores[n_win] - scores[w]);
        cover[t]++;
      }
  for (int t = 0; t < T; t++)
    if (cover[t] > 0)
      a[t] /= cover[t];
  e->score = scores[n_win];
  e->chunk = n_win + 1;
  return TRUE;
}

/* The weights of the value named by salient.attention, averaged over every
 * axis but the last (the tokens). */
static gboolean
text_attention (SalExplainer *ex, SalModel *model, const SalTensor *x, const SalExplainParams *p,
                SalExplanation *e, GError **error)
{
  const char *meta = sal_model_get_metadata (model, "salient.attention");
  g_autofree char *name = NULL;
  g_autoptr(SalRun) run = sal_run_new (model);
  const SalTensor *w;
  int T = (int) x->dims[x->rank - 1];
  double s;

  if (meta == NULL)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_UNSUPPORTED,
                   "the model names no attention weights (salient.attention); use "
                   "integrated-gradients or token-occlusion");
      return FALSE;
    }
  name = g_strstrip (g_strdup (meta));
  if (name[0] == '"' && strlen (name) >= 2 && name[strlen (name) - 1] == '"')
    {
      char *inner = g_strndup (name + 1, strlen (name) - 2);
      g_free (name);
      name = inner;
    }
  if (!sal_run_keep_value (run, name, error) || !sal_run_set_input (run, 0, x, error) ||
      !sal_run_execute (run, error))
    return FALSE;
  w = sal_run_get_value (run, name);
  if (w == NULL || w->dtype != SAL_DTYPE_FLOAT || w->numel % T != 0 ||
      (w->rank >= 1 && w->dims[w->rank - 1] != T &&
       !(w->rank >= 2 && w->dims[w->rank - 1] == 1 && w->dims[w->rank - 2] == T)))
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_UNSUPPORTED,
                   "the attention value “%s” does not have one weight per token", name);
      return FALSE;
    }
  memset (e->attribution->data, 0, T * sizeof (float));
  if (w->dims[w->rank - 1] == 1)
    for (int t = 0; t < T; t++)
      sal_tensor_f32 (e->attribution)[t] = sal_tensor_f32 (w)[t];
  else
    {
      int64_t rows = w->numel / T;
      for (int64_t r = 0; r < rows; r++)
        for (int t = 0; t < T; t++)
          sal_tensor_f32 (e->attribution)[t] += sal_tensor_f32 (w)[r * T + t] / rows;
    }
  if (!sal_explainer_eval_any (ex, x, &s, error))
    return FALSE;
  e->score = s;
  return TRUE;
}

gboolean
sal_explain_text (SalExplainer *ex, SalModel *model, const SalTensor *x,
                  const SalExplainParams *p, SalExplanation *e, GError **error)
{
  if (x->dtype != SAL_DTYPE_INT64 || x->rank != 2 || x->dims[0] != 1 || x->dims[1] < 1)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   "%s takes token ids: an int64 tensor [1, tokens]",
                   sal_explain_method_id (p->method));
      return FALSE;
    }
  switch (p->method)
    {
    case SAL_EXPLAIN_INTEGRATED_GRADIENTS:
      return text_integrated_gradients (ex, model, x, p, e, error);
    case SAL_EXPLAIN_TOKEN_OCCLUSION:
      return text_occlusion (ex, x, p, e, error);
    case SAL_EXPLAIN_ATTENTION:
      return text_attention (ex, model, x, p, e, error);
    default:
      g_set_error (error, SAL_ERROR, SAL_ERROR_UNSUPPORTED, "%s is not a token method",
                   sal_explain_method_id (p->method));
      return FALSE;
    }
}
