/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-engine"

/* Trust checks returned with explanations: deletion and insertion AUC,
 * rank agreement, the model-randomisation sanity check, provenance hash, and
 * ground-truth scores (pointing game, mask overlap). */

#include "sal-explain-private.h"
#include "sal-graph-builder.h"
#include "sal-plan-private.h"
#include "sal-error.h"

#include <math.h>
#include <string.h>

char *
sal_explain_model_hash (SalModel *model, GError **error)
{
  g_autoptr(GBytes) bytes = sal_model_save_bytes (model, error);
  gsize len;
  const guint8 *data;

  if (bytes == NULL)
    return NULL;
  data = g_bytes_get_data (bytes, &len);
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, len);
}

typedef struct {
  const float *key;
  int          idx;
} Ranked;

static int
cmp_desc (const void *a, const void *b)
{
  const Ranked *x = a, *y = b;
  float u = x->key[x->idx], v = y->key[y->idx];

  if (u != v)
    return u > v ? -1 : 1;
  return x->idx - y->idx;   /* stable, reproducible order on ties */
}

static void
ranks (const float *v, gsize n, double *r)
{
  g_autofree Ranked *o = g_new (Ranked, n);

  for (gsize i = 0; i < n; i++)
    o[i] = (Ranked) { v, (int) i };
  qsort (o, n, sizeof *o, cmp_desc);
  for (gsize i = 0; i < n;)
    {
      gsize j = i;
      while (j + 1 < n && v[o[j + 1].idx] == v[o[i].idx])
        j++;
      for (gsize k = i; k <= j; k++)
        r[o[k].idx] = (i + j) / 2.0;
      i = j + 1;
    }
}

double
sal_spearman (const float *a, const float *b, gsize n)
{
  g_autofree double *ra = g_new (double, n);
  g_autofree double *rb = g_new (double, n);
  double ma = 0, mb = 0, sab = 0, saa = 0, sbb = 0;

  if (n < 2)
    return NAN;
  ranks (a, n, ra);
  ranks (b, n, rb);
  for (gsize i = 0; i < n; i++)
    {
      ma += ra[i];
      mb += rb[i];
    }
  ma /= n;
  mb /= n;
  for (gsize i = 0; i < n; i++)
    {
      sab += (ra[i] - ma) * (rb[i] - mb);
      saa += (ra[i] - ma) * (ra[i] - ma);
      sbb += (rb[i] - mb) * (rb[i] - mb);
    }
  if (saa == 0 || sbb == 0)
    return NAN;
  return sab / sqrt (saa * sbb);
}

/* Positions: pixels (channels summed) for [1, C, H, W], else elements. */
static int
positions (const SalTensor *x, int *channels)
{
  if (x->rank == 4)
    {
      *channels = (int) x->dims[1];
      return (int) (x->dims[2] * x->dims[3]);
    }
  *channels = 1;
  return (int) x->numel;
}

gboolean
sal_explain_checks (SalExplainer *ex, const SalTensor *x, const SalExplainParams *p,
                    SalExplanation *e, GError **error)
{
  int C, P = positions (x, &C), K = MIN (p->check_steps, P), total = 2 * (K + 1);
  int64_t numel = x->numel;
  int chunk = MIN (sal_explainer_chunk (ex, FALSE), total);
  const float *xv = sal_tensor_f32 (x), *a = sal_tensor_f32 (e->attribution);
  g_autofree float *importance = g_new0 (float, P);
  g_autofree float *base = g_new0 (float, numel);
  g_autofree Ranked *order = g_new (Ranked, P);
  g_autofree float *batch = g_new (float, (gsize) chunk * numel);
  g_autofree double *curve = g_new (double, total);
  g_autofree double *s = g_new (double, chunk);
  g_autofree guint8 *removed = g_new (guint8, P);
  double del = 0, ins = 0;

  for (int64_t i = 0; i < numel; i++)
    importance[i % P] += a[i];
  /* Removed elements take the background's mean (tabular) or 0 (black). */
  if (p->background != NULL && p->background->numel % numel == 0)
    {
      int64_t rows = p->background->numel / numel;
      for (int64_t r = 0; r < rows; r++)
        for (int64_t i = 0; i < numel; i++)
          base[i] += sal_tensor_f32 (p->background)[r * numel + i] / rows;
    }
  for (int i = 0; i < P; i++)
    order[i] = (Ranked) { importance, i };
  qsort (order, P, sizeof *order, cmp_desc);

  for (int start = 0; start < total; start += chunk)
    {
      for (int b = 0; b < chunk; b++)
        {
          int idx = MIN (start + b, total - 1);
          gboolean deletion = idx <= K;
          int k = deletion ? idx : idx - (K + 1);
          int n_top = (int) llround ((double) k * P / K);
          float *row = batch + (gsize) b * numel;

          memset (removed, 0, P);
          for (int i = 0; i < n_top; i++)
            removed[order[i].idx] = 1;
          for (int64_t i = 0; i < numel; i++)
            {
              /* Deletion: top elements → baseline; insertion: the rest stay baseline. */
              gboolean top = removed[i % P];
              row[i] = deletion ? (top ? base[i] : xv[i]) : (top ? xv[i] : base[i]);
            }
        }
      if (!sal_explainer_eval (ex, batch, chunk, s, NULL, NULL, NULL, NULL, error))
        return FALSE;
      for (int b = 0; b < chunk && start + b < total; b++)
        curve[start + b] = s[b];
    }
  for (int k = 0; k < K; k++)
    {
      del += (curve[k] + curve[k + 1]) / 2 / K;
      ins += (curve[K + 1 + k] + curve[K + 2 + k]) / 2 / K;
    }
  e->deletion_auc = del;
  e->insertion_auc = ins;
  return TRUE;
}

/* The weighted layers, last first: nodes reading a float initializer. A
 * BatchNormalization's running mean and variance (inputs 3 and 4) are statistics
 * of the data, not learned weights: they stay (a variance drawn from a Gaussian
 * can be negative, which turns every later activation into NaN). */
static GPtrArray *
weighted_layers (SalModel *model)
{
  SalGraph *graph = model->graph;
  GPtrArray *layers = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);

  for (int n = (int) graph->nodes->len - 1; n >= 0; n--)
    {
      SalNode *node = sal_graph_get_node (graph, n);
      GPtrArray *weights = g_ptr_array_new ();

      for (int i = 0; i < node->n_inputs; i++)
        {
          SalValue *v = node->inputs[i] >= 0 ? sal_graph_get_value (graph, node->inputs[i]) : NULL;
          if (i >= 3 && strcmp (node->op_type, "BatchNormalization") == 0)
            continue;
          if (v != NULL && v->init != NULL && v->init->dtype == SAL_DTYPE_FLOAT && v->init->numel > 1)
            g_ptr_array_add (weights, v->name);
        }
      if (weights->len > 0)
        g_ptr_array_add (layers, weights);
      else
        g_ptr_array_unref (weights);
    }
  return layers;
}

int
sal_explain_sanity_check (SalModel *model, const SalTensor *input, const SalExplainParams *params,
                          double *rho, int max_stages, GError **error)
{
  g_autoptr(SalExplanation) trained = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(SalModel) copy = NULL;
  g_autoptr(GPtrArray) layers = weighted_layers (model);
  g_autoptr(SalRun) run = NULL;
  g_autoptr(SalGrad) grad = NULL;
  g_autoptr(GRand) rng = g_rand_new_with_seed (params->seed ^ 0x5a17c0deu);
  g_autofree float *abs_t = NULL, *abs_r = NULL;
  SalExplainParams p = *params;
  int stages = MIN ((int) layers->len, max_stages);
  gsize len;
  const guint8 *data;

  p.check_steps = 0;
  trained = sal_explain (model, input, &p, error);
  if (trained == NULL)
    return -1;
  p.model_hash = trained->model_hash;
  bytes = sal_model_save_bytes (model, error);
  if (bytes == NULL)
    return -1;
  data = g_bytes_get_data (bytes, &len);
  copy = sal_model_load_bytes (data, len, NULL, NULL, error);
  if (copy == NULL)
    return -1;
  run = sal_run_new (copy);
  grad = sal_grad_new (run);
  abs_t = g_new (float, trained->attribution->numel);
  abs_r = g_new (float, trained->attribution->numel);
  for (int64_t i = 0; i < trained->attribution->numel; i++)
    abs_t[i] = fabsf (sal_tensor_f32 (trained->attribution)[i]);

  for (int k = 0; k < stages; k++)
    {
      GPtrArray *names = g_ptr_array_index (layers, k);
      g_autoptr(SalExplanation) r = NULL;

      /* Re-initialise layer k's weights: Gaussian with the trained tensor's
       * mean and standard deviation (Glorot-like scale, seeded). */
      for (guint w = 0; w < sal_grad_n_weights (grad); w++)
        {
          const char *name;
          SalTensor *param, *param_grad;
          double mean = 0, var = 0;

          sal_grad_get_weight (grad, w, &name, &param, &param_grad);
          if (!g_ptr_array_find_with_equal_func (names, name, g_str_equal, NULL))
            continue;
          for (int64_t i = 0; i < param->numel; i++)
            mean += sal_tensor_f32 (param)[i] / param->numel;
          for (int64_t i = 0; i < param->numel; i++)
            var += pow (sal_tensor_f32 (param)[i] - mean, 2) / param->numel;
          for (int64_t i = 0; i < param->numel; i++)
            {
              double u1 = g_rand_double (rng), u2 = g_rand_double (rng);
              double z = sqrt (-2 * log (1 - u1)) * cos (2 * G_PI * u2);
              sal_tensor_f32 (param)[i] = (float) (mean + sqrt (var) * z);
            }
        }
      if (!sal_model_weights_changed (copy, error))
        return -1;
      p.target = trained->target;
      r = sal_explain (copy, input, &p, error);
      if (r == NULL)
        return -1;
      for (int64_t i = 0; i < r->attribution->numel; i++)
        abs_r[i] = fabsf (sal_tensor_f32 (r->attribution)[i]);
      rho[k] = sal_spearman (abs_t, abs_r, r->attribution->numel);
    }
  return stages;
}

static void
pixel_map (const SalTensor *attribution, int h, int w, float *map)
{
  int64_t P = (int64_t) h * w;

  memset (map, 0, P * sizeof (float));
  for (int64_t i = 0; i < attribution->numel; i++)
    map[i % P] += sal_tensor_f32 (attribution)[i];
}

gboolean
sal_explain_pointing_game (const SalTensor *attribution, const guint8 *mask, int h, int w,
                           int tolerance)
{
  g_autofree float *map = g_new (float, (gsize) h * w);
  int best = 0;

  g_return_val_if_fail (attribution->numel % ((int64_t) h * w) == 0, FALSE);
  pixel_map (attribution, h, w, map);
  for (int i = 1; i < h * w; i++)
    if (map[i] > map[best])
      best = i;
  for (int y = MAX (best / w - tolerance, 0); y <= MIN (best / w + tolerance, h - 1); y++)
    for (int x = MAX (best % w - tolerance, 0); x <= MIN (best % w + tolerance, w - 1); x++)
      {
        int dy = y - best / w, dx = x - best % w;
        if (dx * dx + dy * dy <= tolerance * tolerance && mask[y * w + x])
          return TRUE;
      }
  return FALSE;
}

double
sal_explain_mask_overlap (const SalTensor *attribution, const guint8 *mask, int h, int w)
{
  g_autofree float *map = g_new (float, (gsize) h * w);
  g_autofree Ranked *order = g_new (Ranked, (gsize) h * w);
  int area = 0, hit = 0;

  g_return_val_if_fail (attribution->numel % ((int64_t) h * w) == 0, NAN);
  pixel_map (attribution, h, w, map);
  for (int i = 0; i < h * w; i++)
    {
      area += mask[i] != 0;
      order[i] = (Ranked) { map, i };
    }
  if (area == 0)
    return NAN;
  qsort (order, (gsize) h * w, sizeof *order, cmp_desc);
  for (int i = 0; i < area; i++)
    hit += mask[order[i].idx] != 0;
  return (double) hit / area;
}
