/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-engine"

#include "sal-ops-nn.h"

gboolean
sal_nn_act_from_node (const SalNode *node, SalNnAct *act, GError **error)
{
  const char *name = sal_node_attr_string (node, "salient.activation", NULL);

  act->kind = SAL_NN_ACT_NONE;
  act->alpha = 0.f;
  act->lo = -INFINITY;
  act->hi = INFINITY;
  if (name == NULL)
    return TRUE;
  if (strcmp (name, "Relu") == 0)
    act->kind = SAL_NN_ACT_RELU;
  else if (strcmp (name, "LeakyRelu") == 0)
    {
      act->kind = SAL_NN_ACT_LEAKY_RELU;
      act->alpha = sal_node_attr_float (node, "salient.alpha", 0.01f);
      if (!(act->alpha > 0.f))
        {
          g_set_error (error, SAL_ERROR, SAL_ERROR_UNSUPPORTED,
                       "%s node '%s': a fused LeakyRelu needs a positive slope",
                       node->op_type, node->name);
          return FALSE;
        }
    }
  else if (strcmp (name, "Clip") == 0)
    {
      act->kind = SAL_NN_ACT_CLIP;
      act->lo = sal_node_attr_float (node, "salient.min", -INFINITY);
      act->hi = sal_node_attr_float (node, "salient.max", INFINITY);
    }
  else
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_UNSUPPORTED,
                   "%s node '%s': cannot fuse activation '%s'", node->op_type, node->name,
                   name);
      return FALSE;
    }
  return TRUE;
}

SAL_NN_HOT void
sal_nn_act_apply (const SalNnAct *act, float *y, int64_t n)
{
  switch (act->kind)
    {
    case SAL_NN_ACT_NONE:
      break;
    case SAL_NN_ACT_RELU:
      for (int64_t i = 0; i < n; i++)
        y[i] = y[i] > 0.f ? y[i] : 0.f;
      break;
    case SAL_NN_ACT_LEAKY_RELU:
      for (int64_t i = 0; i < n; i++)
        y[i] = y[i] >= 0.f ? y[i] : act->alpha * y[i];
      break;
    case SAL_NN_ACT_CLIP:
      for (int64_t i = 0; i < n; i++)
        y[i] = y[i] < act->lo ? act->lo : (y[i] > act->hi ? act->hi : y[i]);
      break;
    default:
      g_assert_not_reached ();
    }
}

void
sal_nn_act_grad (const SalNnAct *act, const float *y, float *g, int64_t n)
{
  switch (act->kind)
    {
    case SAL_NN_ACT_NONE:
      break;
    case SAL_NN_ACT_RELU:
      for (int64_t i = 0; i < n; i++)
        if (!(y[i] > 0.f))
          g[i] = 0.f;
      break;
    case SAL_NN_ACT_LEAKY_RELU:
      for (int64_t i = 0; i < n; i++)
        if (y[i] < 0.f)
          g[i] *= act->alpha;
      break;
    case SAL_NN_ACT_CLIP:
      for (int64_t i = 0; i < n; i++)
        if (!(y[i] > act->lo && y[i] < act->hi))
          g[i] = 0.f;
      break;
    default:
      g_assert_not_reached ();
    }
}

SAL_NN_HOT static void
relu_mask_copy (const float *restrict y, const float *restrict gy, float *restrict g, int64_t n)
{
  for (int64_t i = 0; i < n; i++)
    g[i] = y[i] > 0.f ? gy[i] : 0.f;
}

void
sal_nn_act_grad_copy (const SalNnAct *act, const float *y, const float *gy, float *g, int64_t n)
{
  if (act->kind == SAL_NN_ACT_RELU)
    {
      relu_mask_copy (y, gy, g, n);
      return;
    }
  memcpy (g, gy, n * sizeof (float));
  sal_nn_act_grad (act, y, g, n);
}

SAL_NN_HOT static void
relu_grad_add (const float *restrict x, const float *restrict gy, float *restrict gx, int64_t n)
{
  for (int64_t i = 0; i < n; i++)
    gx[i] += x[i] > 0.f ? gy[i] : 0.f;
}

void
sal_nn_relu_grad (const float *x, const float *gy, float *gx, int64_t n, gboolean store)
{
  if (store)
    relu_mask_copy (x, gy, gx, n);
  else
    relu_grad_add (x, gy, gx, n);
}

gboolean
sal_nn_check_float (const SalNode *node, const SalTensor *t, const char *what, GError **error)
{
  if (t->dtype == SAL_DTYPE_FLOAT)
    return TRUE;
  g_set_error (error, SAL_ERROR, SAL_ERROR_UNSUPPORTED,
               "%s node '%s': %s is %s; Salient supports float32 here", node->op_type,
               node->name, what, sal_dtype_name (t->dtype));
  return FALSE;
}

gboolean
sal_nn_attr_ints (const SalNode *node, const char *name, int n, int64_t def, int64_t min_value,
                  int64_t *out, GError **error)
{
  const int64_t *v;
  int got = sal_node_attr_ints (node, name, &v);

  if (sal_node_attr (node, name) == NULL)
    {
      for (int i = 0; i < n; i++)
        out[i] = def;
      return TRUE;
    }
  if (got != n)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   "%s node '%s': attribute '%s' has %d values, expected %d", node->op_type,
                   node->name, name, got, n);
      return FALSE;
    }
  for (int i = 0; i < n; i++)
    {
      if (v[i] < min_value || v[i] > G_MAXINT32)
        {
          g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                       "%s node '%s': attribute '%s' has the out-of-range value %" G_GINT64_FORMAT,
                       node->op_type, node->name, name, v[i]);
          return FALSE;
        }
      out[i] = v[i];
    }
  return TRUE;
}

int
sal_nn_n_slots (const SalExecCtx *ctx, int64_t n)
{
  int64_t k = ctx != NULL ? ctx->n_threads : 1;

  k = CLAMP (k, 1, SAL_NN_MAX_SLOTS);
  return (int) MAX (MIN (k, n), 1);
}

typedef struct {
  int64_t       n;
  int           n_slots;
  SalNnSlotFunc fn;
  gpointer      data;
} SlotRun;

static void
slot_range (int64_t s0, int64_t s1, gpointer data)
{
  SlotRun *run = data;

  for (int64_t s = s0; s < s1; s++)
    {
      int64_t i0 = run->n * s / run->n_slots, i1 = run->n * (s + 1) / run->n_slots;
      if (i1 > i0)
        run->fn ((int) s, i0, i1, run->data);
    }
}

void
sal_nn_parallel (const SalExecCtx *ctx, int64_t n, SalNnSlotFunc fn, gpointer data)
{
  SlotRun run = { n, sal_nn_n_slots (ctx, n), fn, data };

  if (n <= 0)
    return;
  if (run.n_slots == 1 || ctx == NULL)
    fn (0, 0, n, data);
  else
    sal_exec_parallel_for (ctx, run.n_slots, slot_range, &run);
}

typedef struct {
  gboolean     trans_a, trans_b, split_rows;
  int          M, N, K;
  float        alpha, beta;
  const float *A, *B;
  int          lda, ldb, ldc;
  float       *C;
} GemmRun;

static void
gemm_range (int slot, int64_t i0, int64_t i1, gpointer data)
{
  const GemmRun *g = data;
  int n = (int) (i1 - i0);

  if (g->split_rows)
    {
      const float *a = g->trans_a ? g->A + i0 : g->A + i0 * g->lda;
      sal_sgemm (g->trans_a, g->trans_b, n, g->N, g->K, g->alpha, a, g->lda, g->B, g->ldb,
                 g->beta, g->C + i0 * g->ldc, g->ldc);
    }
  else
    {
      const float *b = g->trans_b ? g->B + i0 * g->ldb : g->B + i0;
      sal_sgemm (g->trans_a, g->trans_b, g->M, n, g->K, g->alpha, g->A, g->lda, b, g->ldb,
                 g->beta, g->C + i0, g->ldc);
    }
}

void
sal_nn_sgemm (const SalExecCtx *ctx, gboolean trans_a, gboolean trans_b, int M, int N, int K,
              float alpha, const float *A, int lda, const float *B, int ldb, float beta,
              float *C, int ldc)
{
  GemmRun g = { trans_a, trans_b, M >= N, M, N, K, alpha, beta, A, B, lda, ldb, ldc, C };
  int64_t work = (int64_t) M * N * MAX (K, 1);
  int64_t split = g.split_rows ? M : N;

  if (M == 0 || N == 0)
    return;
  if (M == 1 && (!trans_a || lda == 1))
    {
      /* row vector times matrix: c = alpha op(B)^T a + beta c */
      if (beta == 0.f)
        memset (C, 0, (gsize) N * sizeof (float));
      if (trans_b)
        sal_sgemv (FALSE, N, K, alpha, B, ldb, A, beta, C);
      else
        sal_sgemv (TRUE, K, N, alpha, B, ldb, A, beta, C);
      return;
    }
  if (ctx == NULL || ctx->n_threads <= 1 || work < (1 << 18) || split < 32)
    {
      sal_sgemm (trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
      return;
    }
  sal_nn_parallel (ctx, split, gemm_range, &g);
}
