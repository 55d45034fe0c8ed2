/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-engine"

#include "sal-explain-private.h"
#include "sal-plan-private.h"
#include "sal-error.h"

#include <math.h>
#include <string.h>

static const char *const method_ids[] = {
  "gradient", "gradient-x-input", "smoothgrad", "integrated-gradients", "grad-cam",
  "grad-cam-pp", "occlusion", "rise", "token-occlusion", "attention", "shapley",
  "kernel-shap", "permutation",
};
static const char *const baseline_ids[] = { "black", "blur", "noise", "pad" };
static const char *const rule_ids[] = { "trapezoid", "right", "adaptive" };

G_STATIC_ASSERT (G_N_ELEMENTS (method_ids) == SAL_N_EXPLAIN_METHODS);

static gboolean
lookup_id (const char *const *ids, guint n, const char *id, int *out)
{
  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (ids[i], id) == 0)
      {
        *out = (int) i;
        return TRUE;
      }
  return FALSE;
}

const char *
sal_explain_method_id (SalExplainMethod m)
{
  return (guint) m < G_N_ELEMENTS (method_ids) ? method_ids[m] : "unknown";
}

gboolean
sal_explain_method_from_id (const char *id, SalExplainMethod *out)
{
  int i;

  if (!lookup_id (method_ids, G_N_ELEMENTS (method_ids), id, &i))
    return FALSE;
  *out = (SalExplainMethod) i;
  return TRUE;
}

const char *
sal_baseline_id (SalBaseline b)
{
  return (guint) b < G_N_ELEMENTS (baseline_ids) ? baseline_ids[b] : "unknown";
}

gboolean
sal_baseline_from_id (const char *id, SalBaseline *out)
{
  int i;

  if (!lookup_id (baseline_ids, G_N_ELEMENTS (baseline_ids), id, &i))
    return FALSE;
  *out = (SalBaseline) i;
  return TRUE;
}

const char *
sal_ig_rule_id (SalIgRule r)
{
  return (guint) r < G_N_ELEMENTS (rule_ids) ? rule_ids[r] : "unknown";
}

gboolean
sal_ig_rule_from_id (const char *id, SalIgRule *out)
{
  int i;

  if (!lookup_id (rule_ids, G_N_ELEMENTS (rule_ids), id, &i))
    return FALSE;
  *out = (SalIgRule) i;
  return TRUE;
}

void
sal_explain_params_init (SalExplainParams *p, SalExplainMethod method)
{
  memset (p, 0, sizeof *p);
  p->method = method;
  p->target = -1;
  p->target_kind = SAL_TARGET_SCORE;
  p->steps = 64;
  p->rule = SAL_IG_TRAPEZOID;
  p->baseline = SAL_BASELINE_BLACK;
  p->blur_sigma = 5.0f;
  p->samples = method == SAL_EXPLAIN_RISE          ? 1000
               : method == SAL_EXPLAIN_KERNEL_SHAP ? 2048
               : method == SAL_EXPLAIN_PERMUTATION ? 5
                                                   : 32;
  p->noise = 0.15f;
  p->window = method == SAL_EXPLAIN_TOKEN_OCCLUSION ? 1 : 8;
  p->stride = method == SAL_EXPLAIN_TOKEN_OCCLUSION ? 1 : 4;
  p->rise_cells = 7;
  p->rise_keep = 0.5f;
  p->seed = 1;
  /* 64 MiB: the ceiling for a chunk's activations (and gradients). Chunks
   * with gradients are kept smaller still, near the cache (see
   * sal_explainer_chunk); forward-only chunks (occlusion, RISE, Shapley
   * coalitions, the checks) use it all. */
  p->memory_budget = (gsize) 64 << 20;
  p->check_steps = 16;
}

void
sal_explanation_free (SalExplanation *e)
{
  if (e == NULL)
    return;
  sal_tensor_free (e->attribution);
  sal_tensor_free (e->layer_map);
  sal_tensor_free (e->group_attribution);
  g_free (e->model_hash);
  g_free (e->layer);
  g_free (e);
}

const char *
sal_explain_default_layer (SalModel *model)
{
  SalGraph *graph = model->graph;

  for (int n = (int) graph->nodes->len - 1; n >= 0; n--)
    {
      SalNode *node = sal_graph_get_node (graph, n);
      int out;

      if (strcmp (node->op_type, "Conv") != 0 || node->n_outputs < 1 || node->outputs[0] < 0)
        continue;
      out = node->outputs[0];
      /* The activation right after it (through a BatchNormalization that
       * directly follows the convolution, as in Conv → BN → ReLU). */
      for (guint m = n + 1; m < graph->nodes->len; m++)
        {
          SalNode *next = sal_graph_get_node (graph, m);
          static const char *const acts[] = { "Relu", "LeakyRelu", "Clip", "Sigmoid", "Tanh",
                                              "HardSwish", "Elu", "Selu", "PRelu", "Softplus",
                                              "Softsign", "HardSigmoid" };
          if (next->n_inputs < 1 || next->inputs[0] != out || next->n_outputs < 1)
            continue;
          if (strcmp (next->op_type, "BatchNormalization") == 0)
            {
              out = next->outputs[0];
              continue;
            }
          for (guint a = 0; a < G_N_ELEMENTS (acts); a++)
            if (strcmp (next->op_type, acts[a]) == 0)
              return sal_graph_get_value (graph, next->outputs[0])->name;
        }
      return sal_graph_get_value (graph, node->outputs[0])->name;
    }
  return NULL;
}

static double
gaussian (GRand *rng)
{
  double u1 = 1.0 - g_rand_double (rng), u2 = g_rand_double (rng);

  return sqrt (-2.0 * log (u1)) * cos (2.0 * G_PI * u2);
}

static void
value_range (const SalTensor *x, float *lo, float *hi)
{
  *lo = INFINITY;
  *hi = -INFINITY;
  for (int64_t i = 0; i < x->numel; i++)
    {
      *lo = MIN (*lo, sal_tensor_f32 (x)[i]);
      *hi = MAX (*hi, sal_tensor_f32 (x)[i]);
    }
  if (*hi < *lo)
    *lo = *hi = 0;
}

/* Spatial layout of an image input [1, C, H, W] (or [1, H, W], [1, N]). */
typedef struct {
  int64_t c, h, w;
} Layout;

static Layout
layout_of (const SalTensor *x)
{
  Layout l = { 1, 1, x->numel };

  if (x->rank == 4)
    {
      l.c = x->dims[1];
      l.h = x->dims[2];
      l.w = x->dims[3];
    }
  else if (x->rank == 3)
    {
      l.h = x->dims[1];
      l.w = x->dims[2];
    }
  return l;
}

/* Separable Gaussian blur of every channel, edges clamped. */
static void
blur (const SalTensor *x, float sigma, float *out)
{
  Layout l = layout_of (x);
  int r = MAX (1, (int) ceil (3 * sigma));
  g_autofree float *k = g_new (float, 2 * r + 1);
  g_autofree float *tmp = g_new (float, l.h * l.w);
  double sum = 0;

  for (int i = -r; i <= r; i++)
    sum += k[i + r] = (float) exp (-0.5 * i * i / (sigma * sigma));
  for (int i = 0; i <= 2 * r; i++)
    k[i] /= (float) sum;
  for (int64_t c = 0; c < l.c; c++)
    {
      const float *src = sal_tensor_f32 (x) + c * l.h * l.w;
      float *dst = out + c * l.h * l.w;
      for (int64_t y = 0; y < l.h; y++)
        for (int64_t xx = 0; xx < l.w; xx++)
          {
            double acc = 0;
            for (int i = -r; i <= r; i++)
              acc += k[i + r] * src[y * l.w + CLAMP (xx + i, 0, l.w - 1)];
            tmp[y * l.w + xx] = (float) acc;
          }
      for (int64_t y = 0; y < l.h; y++)
        for (int64_t xx = 0; xx < l.w; xx++)
          {
            double acc = 0;
            for (int i = -r; i <= r; i++)
              acc += k[i + r] * tmp[CLAMP (y + i, 0, l.h - 1) * l.w + xx];
            dst[y * l.w + xx] = (float) acc;
          }
    }
}

static gboolean
make_baseline (const SalTensor *x, const SalExplainParams *p, float *out, GError **error)
{
  switch (p->baseline)
    {
    case SAL_BASELINE_BLACK:
      memset (out, 0, x->numel * sizeof (float));
      return TRUE;
    case SAL_BASELINE_BLUR:
      if (x->rank < 3)
        {
          g_set_error (error, SAL_ERROR, SAL_ERROR_UNSUPPORTED,
                       "the blurred baseline needs an image input");
          return FALSE;
        }
      blur (x, p->blur_sigma > 0 ? p->blur_sigma : 5.0f, out);
      return TRUE;
    case SAL_BASELINE_PAD:
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   "the pad baseline is for token inputs; use black, blur or noise");
      return FALSE;
    case SAL_BASELINE_NOISE:
    default:
      {
        g_autoptr(GRand) rng = g_rand_new_with_seed (p->seed);
        float lo, hi;
        value_range (x, &lo, &hi);
        for (int64_t i = 0; i < x->numel; i++)
          out[i] = (float) g_rand_double_range (rng, lo, hi > lo ? hi : lo + 1e-6);
        return TRUE;
      }
    }
}

/* Writes point k (of the method's list) into dst. */
typedef void (*PointFunc) (int k, float *dst, gpointer data);

/* Gradient-based methods on a list of n points: average of weight_k · ∇f(point_k).
 * The points are made in order straight into the runner's input, in equal
 * chunks (one plan), the last one filled up with copies of its last point
 * whose results are dropped. */
static gboolean
weighted_gradients (SalExplainer *ex, int n, PointFunc point, gpointer data,
                    const double *weights, float *avg_grad, double *scores, int *chunk_used,
                    GError **error)
{
  int64_t m = sal_explainer_example_size (ex);
  int max = sal_explainer_chunk (ex, TRUE), n_chunks = (n + max - 1) / max;
  int chunk = (n + n_chunks - 1) / n_chunks;
  g_autofree double *s = g_new (double, chunk);

  if (chunk_used)
    *chunk_used = chunk;
  memset (avg_grad, 0, m * sizeof (float));
  for (int done = 0; done < n; done += chunk)
    {
      int b = MIN (chunk, n - done);
      float *xb = sal_explainer_batch (ex, chunk, error);
      const float *g;
      if (xb == NULL)
        return FALSE;
      for (int k = 0; k < chunk; k++)
        if (k < b)
          point (done + k, xb + (gsize) k * m, data);
        else
          memcpy (xb + (gsize) k * m, xb + (gsize) (b - 1) * m, m * sizeof (float));
      if (!sal_explainer_eval_batch (ex, chunk, s, &g, error))
        return FALSE;
      for (int k = 0; k < b; k++)
        {
          double w = weights[done + k];
          for (int64_t i = 0; i < m; i++)
            avg_grad[i] += (float) (w * g[(gsize) k * m + i]);
          if (scores)
            scores[done + k] = s[k];
        }
      sal_explainer_progress (ex, (double) (done + b) / n);
    }
  return TRUE;
}

typedef struct {
  const float *x, *base;
  int64_t      m;
  int          first, steps;    /* IG: α_k = (k + first) / steps */
  GRand       *rng;             /* SmoothGrad */
  double       sigma;
} Points;

static void
input_point (int k, float *dst, gpointer data)
{
  const Points *pt = data;

  memcpy (dst, pt->x, pt->m * sizeof (float));
}

static void
noisy_point (int k, float *dst, gpointer data)
{
  const Points *pt = data;

  for (int64_t i = 0; i < pt->m; i++)
    dst[i] = (float) (pt->x[i] + pt->sigma * gaussian (pt->rng));
}

static void
path_point (int k, float *dst, gpointer data)
{
  const Points *pt = data;
  double a = (double) (k + pt->first) / pt->steps;

  for (int64_t i = 0; i < pt->m; i++)
    dst[i] = (float) (pt->base[i] + a * (pt->x[i] - pt->base[i]));
}

static gboolean
explain_gradient_family (SalExplainer *ex, const SalTensor *x, const SalExplainParams *p,
                         SalExplanation *e, GError **error)
{
  int64_t m = x->numel;
  float *attr = sal_tensor_f32 (e->attribution);
  const float *xv = sal_tensor_f32 (x);
  Points pt = { xv, NULL, m };

  if (p->method == SAL_EXPLAIN_SMOOTHGRAD)
    {
      int n = MAX (1, p->samples);
      g_autoptr(GRand) rng = g_rand_new_with_seed (p->seed);
      g_autofree double *w = g_new (double, n);
      float lo, hi;

      value_range (x, &lo, &hi);
      pt.sigma = p->noise * (hi - lo);
      pt.rng = rng;
      for (int k = 0; k < n; k++)
        w[k] = 1.0 / n;
      if (!weighted_gradients (ex, n, noisy_point, &pt, w, attr, NULL, &e->chunk, error))
        return FALSE;
      /* The score reported is at the input itself. */
      return sal_explainer_eval (ex, xv, 1, &e->score, NULL, NULL, NULL, NULL, error);
    }

  {
    double one = 1.0;
    if (!weighted_gradients (ex, 1, input_point, &pt, &one, attr, &e->score, NULL, error))
      return FALSE;
  }
  if (p->method == SAL_EXPLAIN_GRADIENT_X_INPUT)
    for (int64_t i = 0; i < m; i++)
      attr[i] *= xv[i];
  return TRUE;
}

/* The adaptive rule on an image path: every point's score, its gradient (kept,
 * m floats each) and the derivative of f along the path, Σ_i g_i (x_i − b_i). */
typedef struct {
  SalExplainer *ex;
  const float  *x, *base;
  int64_t       m;
  int           chunk;
  GArray       *alpha, *f, *deriv;
  float        *grads;
  gsize         cap;       /* points grads can hold */
  int           grid;      /* points of the uniform grid (progress) */
} ImagePath;

static int
cmp_alpha (gconstpointer a, gconstpointer b, gpointer data)
{
  const double *al = data;
  double x = al[*(const int *) a], y = al[*(const int *) b];

  return (x > y) - (x < y);
}

int *
sal_ig_path_order (const double *alpha, int n)
{
  int *order = g_new (int, MAX (n, 1));

  for (int k = 0; k < n; k++)
    order[k] = k;
  g_qsort_with_data (order, n, sizeof (int), cmp_alpha, (gpointer) alpha);
  return order;
}

gboolean
sal_ig_path_refine (const double *al, const double *f, const double *d, int n, int max_points,
                    int want, double **mid, int *n_mid)
{
  g_autofree int *order = sal_ig_path_order (al, n);
  g_autofree double *err = g_new (double, MAX (n, 1));
  double total = 0, df;

  *mid = NULL;
  *n_mid = 0;
  if (n < 2)
    return FALSE;
  df = f[order[n - 1]] - f[order[0]];
  for (int j = 0; j + 1 < n; j++)
    {
      int k0 = order[j], k1 = order[j + 1];
      double est = (al[k1] - al[k0]) * (d[k0] + d[k1]) / 2;
      total += est;
      err[j] = al[k1] - al[k0] > 1e-9 ? fabs ((f[k1] - f[k0]) - est) : 0;
    }
  if (fabs (total - df) <= 1e-3 * fabs (df) || n >= max_points)
    return FALSE;
  want = MIN (want, max_points - n);
  *mid = g_new (double, MAX (want, 1));
  for (int w = 0; w < want; w++)
    {
      int best = -1;
      for (int j = 0; j + 1 < n; j++)
        if (err[j] > 0 && (best < 0 || err[j] > err[best]))
          best = j;
      if (best < 0)
        break;
      (*mid)[(*n_mid)++] = (al[order[best]] + al[order[best + 1]]) / 2;
      err[best] = 0;
    }
  if (*n_mid == 0)
    {
      g_clear_pointer (mid, g_free);
      return FALSE;
    }
  return TRUE;
}

/* Runs the points at `alphas` in equal chunks (the last padded with copies). */
static gboolean
image_path_eval (ImagePath *c, const double *alphas, int n, GError **error)
{
  int64_t m = c->m;
  g_autofree double *s = g_new (double, c->chunk);

  for (int done = 0; done < n; done += c->chunk)
    {
      int b = MIN (c->chunk, n - done);
      float *xb = sal_explainer_batch (c->ex, c->chunk, error);
      const float *g;

      if (xb == NULL)
        return FALSE;
      for (int k = 0; k < c->chunk; k++)
        {
          double a = alphas[done + MIN (k, b - 1)];
          float *dst = xb + (gsize) k * m;
          for (int64_t i = 0; i < m; i++)
            dst[i] = (float) (c->base[i] + a * (c->x[i] - c->base[i]));
        }
      if (!sal_explainer_eval_batch (c->ex, c->chunk, s, &g, error))
        return FALSE;
      for (int k = 0; k < b; k++)
        {
          const float *gk = g + (gsize) k * m;
          double d = 0;
          guint at = c->alpha->len;

          g_assert (at < c->cap);
          memcpy (c->grads + (gsize) at * m, gk, m * sizeof (float));
          for (int64_t i = 0; i < m; i++)
            d += (double) gk[i] * (c->x[i] - c->base[i]);
          g_array_append_val (c->alpha, alphas[done + k]);
          g_array_append_val (c->f, s[k]);
          g_array_append_val (c->deriv, d);
        }
      /* the grid is most of the work; refinements fill the last 5 % */
      sal_explainer_progress (c->ex, MIN (0.95 * c->alpha->len / c->grid, 0.99));
    }
  return TRUE;
}

/* Integrated Gradients with the adaptive rule on an image input: the
 * trapezoid grid of `steps` intervals, then the intervals where the trapezoid
 * estimate of ∫ f′ dα misses f's change most are bisected, until the
 * completeness gap is below 0.1 % of |f(x) − f(baseline)|, or 16 × steps + 1
 * points were used, or the points' gradients would outgrow twice the memory
 * budget (the rule keeps every point's gradient: the trapezoid weights of a
 * point change when its neighbours are bisected). Writes Σ_k w_k g_k to
 * avg_grad. */
static gboolean
image_ig_adaptive (SalExplainer *ex, const SalExplainParams *p, const float *x, const float *base,
                   int64_t m, int steps, float *avg_grad, double *f_x, double *f_b, int *n_used,
                   int *chunk_used, GError **error)
{
  gsize budget = p->memory_budget ? p->memory_budget : (gsize) 64 << 20;
  gsize by_memory = MAX ((gsize) steps + 1, 2 * budget / ((gsize) m * sizeof (float)));
  ImagePath c = { ex, x, base, m, 0, NULL, NULL, NULL, NULL, 0, steps + 1 };
  g_autofree double *grid = g_new (double, steps + 1);
  gboolean ok;
  int max_points = (int) MIN ((gsize) 16 * steps + 1, by_memory);

  c.chunk = MAX (1, MIN (sal_explainer_chunk (ex, TRUE), steps + 1));
  c.cap = (gsize) max_points + c.chunk;
  c.grads = g_try_malloc ((gsize) c.cap * m * sizeof (float));
  if (c.grads == NULL)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_NO_MEMORY,
                   "not enough memory for the adaptive rule's %d path points", max_points);
      return FALSE;
    }
  c.alpha = g_array_new (FALSE, FALSE, sizeof (double));
  c.f = g_array_new (FALSE, FALSE, sizeof (double));
  c.deriv = g_array_new (FALSE, FALSE, sizeof (double));
  for (int k = 0; k <= steps; k++)
    grid[k] = (double) k / steps;
  ok = image_path_eval (&c, grid, steps + 1, error);
  while (ok)
    {
      g_autofree double *mid = NULL;
      int n_mid = 0;

      if (!sal_ig_path_refine ((const double *) c.alpha->data, (const double *) c.f->data,
                               (const double *) c.deriv->data, (int) c.alpha->len, max_points,
                               c.chunk * MAX (1, 4 / c.chunk), &mid, &n_mid))
        break;
      ok = image_path_eval (&c, mid, n_mid, error);
    }
  if (ok)
    {
      int n = (int) c.alpha->len;
      g_autofree int *order = sal_ig_path_order ((const double *) c.alpha->data, n);
      const double *al = (const double *) c.alpha->data;
      g_autofree double *acc = g_new0 (double, m);

      for (int j = 0; j < n; j++)
        {
          int k = order[j];
          double w = ((j + 1 < n ? al[order[j + 1]] : al[k]) - (j > 0 ? al[order[j - 1]] : al[k])) / 2;
          const float *gk = c.grads + (gsize) k * m;
          for (int64_t i = 0; i < m; i++)
            acc[i] += w * gk[i];
        }
      for (int64_t i = 0; i < m; i++)
        avg_grad[i] = (float) acc[i];
      *f_b = g_array_index (c.f, double, order[0]);
      *f_x = g_array_index (c.f, double, order[n - 1]);
      *n_used = n - 1;
      *chunk_used = c.chunk;
    }
  g_free (c.grads);
  g_array_unref (c.alpha);
  g_array_unref (c.f);
  g_array_unref (c.deriv);
  return ok;
}

/* IG_i = (x_i − b_i) · Σ_k w_k ∂f/∂x_i (b + α_k (x − b)). */
static gboolean
explain_integrated_gradients (SalExplainer *ex, const SalTensor *x, const SalExplainParams *p,
                              SalExplanation *e, GError **error)
{
  int64_t m = x->numel;
  int steps = MAX (1, p->steps), n, first;
  g_autofree float *base = g_new (float, m);
  g_autofree double *w = NULL, *scores = NULL;
  float *attr = sal_tensor_f32 (e->attribution);
  const float *xv = sal_tensor_f32 (x);
  double sum = 0;

  if (!make_baseline (x, p, base, error))
    return FALSE;
  if (p->rule == SAL_IG_ADAPTIVE)
    {
      if (!image_ig_adaptive (ex, p, xv, base, m, steps, attr, &e->score, &e->baseline_score,
                              &e->steps, &e->chunk, error))
        return FALSE;
      for (int64_t i = 0; i < m; i++)
        {
          attr[i] *= xv[i] - base[i];
          sum += attr[i];
        }
      e->completeness_gap = fabs (sum - (e->score - e->baseline_score));
      return TRUE;
    }
  /* Trapezoid: α = 0 … 1 (steps + 1 points, half weight at the ends); right: α = 1/m … 1. */
  first = p->rule == SAL_IG_TRAPEZOID ? 0 : 1;
  n = steps + 1 - first;
  w = g_new (double, n);
  scores = g_new (double, n);
  for (int k = 0; k < n; k++)
    {
      w[k] = 1.0 / steps;
      if (p->rule == SAL_IG_TRAPEZOID && (k == 0 || k == n - 1))
        w[k] = 0.5 / steps;
    }
  {
    Points pt = { xv, base, m, first, steps };
    if (!weighted_gradients (ex, n, path_point, &pt, w, attr, scores, &e->chunk, error))
      return FALSE;
  }
  for (int64_t i = 0; i < m; i++)
    {
      attr[i] *= xv[i] - base[i];
      sum += attr[i];
    }
  e->score = scores[n - 1];
  if (p->rule == SAL_IG_TRAPEZOID)
    e->baseline_score = scores[0];
  else if (!sal_explainer_eval (ex, base, 1, &e->baseline_score, NULL, NULL, NULL, NULL, error))
    return FALSE;
  e->completeness_gap = fabs (sum - (e->score - e->baseline_score));
  return TRUE;
}

/* Bilinear resize (half-pixel centres, as PyTorch's interpolate with
 * align_corners=False) of an h × w map to H × W. */
static void
upsample (const float *src, int h, int w, float *dst, int H, int W)
{
  for (int y = 0; y < H; y++)
    {
      double sy = MAX ((y + 0.5) * h / H - 0.5, 0.0);
      int y0 = MIN ((int) sy, h - 1), y1 = MIN (y0 + 1, h - 1);
      double fy = sy - y0;
      for (int x = 0; x < W; x++)
        {
          double sx = MAX ((x + 0.5) * w / W - 0.5, 0.0);
          int x0 = MIN ((int) sx, w - 1), x1 = MIN (x0 + 1, w - 1);
          double fx = sx - x0;
          dst[y * W + x] = (float) ((1 - fy) * ((1 - fx) * src[y0 * w + x0] + fx * src[y0 * w + x1]) +
                                    fy * ((1 - fx) * src[y1 * w + x0] + fx * src[y1 * w + x1]));
        }
    }
}

/* Grad-CAM: ReLU(Σ_k α_k A_k), α_k = mean of ∂y/∂A_k over the layer's pixels.
 * Grad-CAM++: α_k = Σ_ij a_ij ReLU(g_ij), a = g² / (2g² + Σ_ij A · g³). */
static gboolean
explain_cam (SalExplainer *ex, SalModel *model, const SalTensor *x, const SalExplainParams *p,
             SalExplanation *e, GError **error)
{
  const char *layer = p->layer ? p->layer : sal_explain_default_layer (model);
  g_autoptr(SalTensor) act = NULL, g = NULL;
  Layout in = layout_of (x);
  int64_t k, h, w;
  float *map, *attr = sal_tensor_f32 (e->attribution);
  g_autofree float *up = NULL;

  if (layer == NULL)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_UNSUPPORTED,
                   "Grad-CAM needs a convolution layer, and this model has none");
      return FALSE;
    }
  if (!sal_explainer_eval (ex, sal_tensor_f32 (x), 1, &e->score, NULL, layer, &act, &g, error))
    return FALSE;
  if (act->rank != 4 || x->rank != 4)
    {
      g_autofree char *s = sal_shape_to_string (act->rank, act->dims);
      g_set_error (error, SAL_ERROR, SAL_ERROR_UNSUPPORTED,
                   "Grad-CAM needs an image layer [1, channels, height, width]; “%s” is %s", layer, s);
      return FALSE;
    }
  k = act->dims[1];
  h = act->dims[2];
  w = act->dims[3];
  e->layer = g_strdup (layer);
  e->layer_map = sal_tensor_new_f32 (2, (int64_t[]) { h, w });
  map = sal_tensor_f32 (e->layer_map);
  for (int64_t c = 0; c < k; c++)
    {
      const float *A = sal_tensor_f32 (act) + c * h * w, *G = sal_tensor_f32 (g) + c * h * w;
      double alpha = 0;
      if (p->method == SAL_EXPLAIN_GRAD_CAM)
        {
          for (int64_t i = 0; i < h * w; i++)
            alpha += G[i];
          alpha /= h * w;
        }
      else
        {
          double sum_a = 0;
          for (int64_t i = 0; i < h * w; i++)
            sum_a += A[i];
          for (int64_t i = 0; i < h * w; i++)
            {
              double g2 = (double) G[i] * G[i], g3 = g2 * G[i];
              double denom = 2 * g2 + sum_a * g3;
              double a = G[i] != 0 ? g2 / (denom + 1e-7) : 0;
              alpha += a * MAX (G[i], 0.0);
            }
        }
      for (int64_t i = 0; i < h * w; i++)
        map[i] += (float) (alpha * A[i]);
    }
  for (int64_t i = 0; i < h * w; i++)
    map[i] = MAX (map[i], 0.0f);
  up = g_new (float, in.h * in.w);
  upsample (map, (int) h, (int) w, up, (int) in.h, (int) in.w);
  /* Spread over the channels so the channel sum is the map. */
  for (int64_t c = 0; c < in.c; c++)
    for (int64_t i = 0; i < in.h * in.w; i++)
      attr[c * in.h * in.w + i] = up[i] / (float) in.c;
  return TRUE;
}

/* Occlusion: each pixel's attribution is the mean drop of the score over the
 * windows (all channels filled) that cover it. */
static gboolean
explain_occlusion (SalExplainer *ex, const SalTensor *x, const SalExplainParams *p,
                   SalExplanation *e, GError **error)
{
  Layout l = layout_of (x);
  int win = MAX (1, p->window), stride = MAX (1, p->stride);
  int64_t m = x->numel;
  g_autoptr(GArray) ys = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(GArray) xs = g_array_new (FALSE, FALSE, sizeof (int));
  g_autofree float *count = g_new0 (float, l.h * l.w);
  g_autofree float *sums = g_new0 (float, l.h * l.w);
  float *attr = sal_tensor_f32 (e->attribution);
  int chunk, n, wy = (int) MIN (win, l.h), wx = (int) MIN (win, l.w);

  /* Window origins, the last one flush with the far edge. */
  for (int y = 0;; y += stride)
    {
      int yy = (int) MIN (y, l.h - wy);
      g_array_append_val (ys, yy);
      if (y + wy >= l.h)
        break;
    }
  for (int xx = 0;; xx += stride)
    {
      int v = (int) MIN (xx, l.w - wx);
      g_array_append_val (xs, v);
      if (xx + wx >= l.w)
        break;
    }
  n = ys->len * xs->len;
  if (!sal_explainer_eval (ex, sal_tensor_f32 (x), 1, &e->score, NULL, NULL, NULL, NULL, error))
    return FALSE;
  chunk = sal_explainer_chunk (ex, FALSE);
  e->chunk = chunk;
  {
    g_autofree float *batch = g_new (float, (gsize) chunk * m);
    g_autofree double *s = g_new (double, chunk);
    for (int done = 0; done < n; done += chunk)
      {
        int b = MIN (chunk, n - done);
        for (int k = 0; k < b; k++)
          {
            int idx = done + k, y0 = g_array_index (ys, int, idx / xs->len),
                x0 = g_array_index (xs, int, idx % xs->len);
            float *dst = batch + (gsize) k * m;
            memcpy (dst, x->data, m * sizeof (float));
            for (int64_t c = 0; c < l.c; c++)
              for (int y = y0; y < y0 + wy; y++)
                for (int xx = x0; xx < x0 + wx; xx++)
                  dst[c * l.h * l.w + y * l.w + xx] = p->fill;
          }
        if (!sal_explainer_eval (ex, batch, b, s, NULL, NULL, NULL, NULL, error))
          return FALSE;
        for (int k = 0; k < b; k++)
          {
            int idx = done + k, y0 = g_array_index (ys, int, idx / xs->len),
                x0 = g_array_index (xs, int, idx % xs->len);
            double drop = e->score - s[k];
            for (int y = y0; y < y0 + wy; y++)
              for (int xx = x0; xx < x0 + wx; xx++)
                {
                  sums[y * l.w + xx] += (float) drop;
                  count[y * l.w + xx] += 1;
                }
          }
        sal_explainer_progress (ex, (double) (done + b) / n);
      }
  }
  for (int64_t c = 0; c < l.c; c++)
    for (int64_t i = 0; i < l.h * l.w; i++)
      attr[c * l.h * l.w + i] = count[i] > 0 ? sums[i] / count[i] / (float) l.c : 0;
  return TRUE;
}

/* RISE: S = Σ_i f(x ⊙ M_i) M_i / (N · p) over random smooth masks. */
static gboolean
explain_rise (SalExplainer *ex, const SalTensor *x, const SalExplainParams *p,
              SalExplanation *e, GError **error)
{
  Layout l = layout_of (x);
  int n = MAX (1, p->samples), s = MAX (2, p->rise_cells), chunk;
  double keep = p->rise_keep > 0 && p->rise_keep < 1 ? p->rise_keep : 0.5;
  int64_t m = x->numel;
  int cell_h = (int) ((l.h + s - 1) / s), cell_w = (int) ((l.w + s - 1) / s);
  int big_h = (s + 1) * cell_h, big_w = (s + 1) * cell_w;
  g_autoptr(GRand) rng = g_rand_new_with_seed (p->seed);
  g_autofree float *grid = g_new (float, (s + 1) * (s + 1));
  g_autofree float *big = g_new (float, (gsize) big_h * big_w);
  g_autofree double *sal = g_new0 (double, l.h * l.w);
  float *attr = sal_tensor_f32 (e->attribution);

  if (!sal_explainer_eval (ex, sal_tensor_f32 (x), 1, &e->score, NULL, NULL, NULL, NULL, error))
    return FALSE;
  chunk = sal_explainer_chunk (ex, FALSE);
  e->chunk = chunk;
  {
    g_autofree float *masks = g_new (float, (gsize) chunk * l.h * l.w);
    g_autofree float *batch = g_new (float, (gsize) chunk * m);
    g_autofree double *sc = g_new (double, chunk);

    for (int done = 0; done < n; done += chunk)
      {
        int b = MIN (chunk, n - done);
        for (int k = 0; k < b; k++)
          {
            float *mask = masks + (gsize) k * l.h * l.w;
            int dy = g_rand_int_range (rng, 0, cell_h), dx = g_rand_int_range (rng, 0, cell_w);
            for (int i = 0; i < (s + 1) * (s + 1); i++)
              grid[i] = g_rand_double (rng) < keep ? 1.0f : 0.0f;
            upsample (grid, s + 1, s + 1, big, big_h, big_w);
            for (int64_t y = 0; y < l.h; y++)
              for (int64_t xx = 0; xx < l.w; xx++)
                mask[y * l.w + xx] = big[(y + dy) * big_w + xx + dx];
            for (int64_t c = 0; c < l.c; c++)
              for (int64_t i = 0; i < l.h * l.w; i++)
                batch[(gsize) k * m + c * l.h * l.w + i] =
                  sal_tensor_f32 (x)[c * l.h * l.w + i] * mask[i];
          }
        if (!sal_explainer_eval (ex, batch, b, sc, NULL, NULL, NULL, NULL, error))
          return FALSE;
        for (int k = 0; k < b; k++)
          for (int64_t i = 0; i < l.h * l.w; i++)
            sal[i] += sc[k] * masks[(gsize) k * l.h * l.w + i];
        sal_explainer_progress (ex, (double) (done + b) / n);
      }
  }
  for (int64_t c = 0; c < l.c; c++)
    for (int64_t i = 0; i < l.h * l.w; i++)
      attr[c * l.h * l.w + i] = (float) (sal[i] / (n * keep) / l.c);
  return TRUE;
}

SalExplanation *
sal_explain (SalModel *model, const SalTensor *input, const SalExplainParams *params,
             GError **error)
{
  g_autoptr(SalExplainer) ex = sal_explainer_new (model);

  return sal_explainer_explain (ex, input, params, error);
}

static SalExplanation *
explain_with (SalExplainer *ex, const SalTensor *input, const SalExplainParams *params,
              GError **error)
{
  SalModel *model = sal_explainer_get_model (ex);
  g_autoptr(SalExplanation) e = NULL;
  gboolean ok, cam, first_grad;
  const char *layer = NULL;

  gboolean tokens = input->dtype == SAL_DTYPE_INT64;

  if (tokens && params->method != SAL_EXPLAIN_INTEGRATED_GRADIENTS &&
      params->method != SAL_EXPLAIN_TOKEN_OCCLUSION && params->method != SAL_EXPLAIN_ATTENTION)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_UNSUPPORTED,
                   "%s does not take token ids; use integrated-gradients, token-occlusion or "
                   "attention", sal_explain_method_id (params->method));
      return NULL;
    }
  if (!tokens && input->dtype != SAL_DTYPE_FLOAT)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_UNSUPPORTED,
                   "%s explains float inputs; use the text methods for token ids",
                   sal_explain_method_id (params->method));
      return NULL;
    }
  /* The runner the method starts with (see sal_explainer_begin): Gradient
   * and Gradient × Input need the input's gradient, Grad-CAM its layer's. */
  cam = !tokens && (params->method == SAL_EXPLAIN_GRAD_CAM ||
                    params->method == SAL_EXPLAIN_GRAD_CAM_PP);
  first_grad = !tokens && (params->method == SAL_EXPLAIN_GRADIENT ||
                           params->method == SAL_EXPLAIN_GRADIENT_X_INPUT);
  if (cam)
    layer = params->layer ? params->layer : sal_explain_default_layer (model);
  if (!sal_explainer_begin (ex, input, params, first_grad, layer, error))
    return NULL;
  e = g_new0 (SalExplanation, 1);
  e->method = params->method;
  e->target = sal_explainer_target (ex);
  e->target_kind = params->target_kind;
  e->baseline_score = NAN;
  e->completeness_gap = NAN;
  e->expected_score = NAN;
  e->efficiency_gap = NAN;
  e->deletion_auc = NAN;
  e->insertion_auc = NAN;
  e->baseline = params->baseline;
  e->seed = params->seed;
  e->steps = params->steps;
  e->samples = params->samples;
  e->chunk = 1;
  e->model_hash = params->model_hash ? g_strdup (params->model_hash)
                                     : sal_explain_model_hash (model, error);
  if (e->model_hash == NULL)
    return NULL;
  e->attribution = sal_tensor_new (SAL_DTYPE_FLOAT, input->rank, input->dims, error);
  if (e->attribution == NULL)
    return NULL;
  if (tokens)
    {
      if (!sal_explain_text (ex, model, input, params, e, error))
        return NULL;
      sal_explainer_count (ex, &e->n_forward, &e->n_backward);
      sal_explainer_progress (ex, 1.0);
      return g_steal_pointer (&e);
    }

  switch (params->method)
    {
    case SAL_EXPLAIN_GRADIENT:
    case SAL_EXPLAIN_GRADIENT_X_INPUT:
    case SAL_EXPLAIN_SMOOTHGRAD:
      ok = explain_gradient_family (ex, input, params, e, error);
      break;
    case SAL_EXPLAIN_INTEGRATED_GRADIENTS:
      ok = explain_integrated_gradients (ex, input, params, e, error);
      break;
    case SAL_EXPLAIN_GRAD_CAM:
    case SAL_EXPLAIN_GRAD_CAM_PP:
      ok = explain_cam (ex, model, input, params, e, error);
      break;
    case SAL_EXPLAIN_OCCLUSION:
      ok = explain_occlusion (ex, input, params, e, error);
      break;
    case SAL_EXPLAIN_RISE:
      ok = explain_rise (ex, input, params, e, error);
      break;
    case SAL_EXPLAIN_SHAPLEY:
    case SAL_EXPLAIN_KERNEL_SHAP:
    case SAL_EXPLAIN_PERMUTATION:
      ok = sal_explain_tabular (ex, input, params, e, error);
      break;
    case SAL_EXPLAIN_TOKEN_OCCLUSION:
    case SAL_EXPLAIN_ATTENTION:
      ok = sal_explain_text (ex, model, input, params, e, error);
      break;
    default:
      g_set_error (error, SAL_ERROR, SAL_ERROR_UNSUPPORTED,
                   "%s is not an image method; it takes token or tabular inputs",
                   sal_explain_method_id (params->method));
      return NULL;
    }
  if (!ok)
    return NULL;
  /* The counts describe the method itself, without its checks. */
  sal_explainer_count (ex, &e->n_forward, &e->n_backward);
  if (params->check_steps > 0 && params->method != SAL_EXPLAIN_PERMUTATION &&
      !sal_explain_checks (ex, input, params, e, error))
    return NULL;
  sal_explainer_progress (ex, 1.0);
  return g_steal_pointer (&e);
}

SalExplanation *
sal_explainer_explain (SalExplainer *ex, const SalTensor *input, const SalExplainParams *params,
                       GError **error)
{
  SalExplanation *e;

  g_return_val_if_fail (ex != NULL && input != NULL && params != NULL, NULL);
  e = explain_with (ex, input, params, error);
  sal_explainer_end (ex);
  return e;
}
