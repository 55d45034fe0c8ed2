/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-engine"

/* MatMul and Gemm.
 *   MatMul: Y[..., M, N] = A[..., M, K] B[..., K, N], numpy batch broadcasting,
 *           a 1-D A is a row [1, K] and a 1-D B a column [K, 1] (the added
 *           dimension is dropped from Y).
 *   Gemm:   Y[M, N] = alpha op(A) op(B) + beta C, C broadcast to [M, N].
 * Both reduce to sal_sgemm / sal_sgemv; a batch-1 dense layer takes sgemv. */

#include "sal-ops-nn.h"

/* ---- MatMul ----------------------------------------------------------------*/

typedef struct {
  int64_t M, K, N;
  int     n_batch_dims;
  int64_t batch_dims[SAL_MAX_RANK];
  int64_t a_batch_stride[SAL_MAX_RANK];   /* in matrices, 0 where broadcast */
  int64_t b_batch_stride[SAL_MAX_RANK];
  int64_t n_batch, a_batches, b_batches;
} MatMulShape;

static gboolean
matmul_shape (const SalNode *node, const SalTensor *a, const SalTensor *b, MatMulShape *s,
              int *out_rank, int64_t *out_dims, GError **error)
{
  int64_t a_dims[SAL_MAX_RANK + 1], b_dims[SAL_MAX_RANK + 1];
  int ra = a->rank, rb = b->rank, nb;

  if (ra < 1 || rb < 1)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   "MatMul node '%s': inputs must have at least one dimension", node->name);
      return FALSE;
    }
  if (ra == 1)
    {
      a_dims[0] = 1;
      a_dims[1] = a->dims[0];
      ra = 2;
    }
  else
    memcpy (a_dims, a->dims, ra * sizeof (int64_t));
  if (rb == 1)
    {
      b_dims[0] = b->dims[0];
      b_dims[1] = 1;
      rb = 2;
    }
  else
    memcpy (b_dims, b->dims, rb * sizeof (int64_t));

  s->M = a_dims[ra - 2];
  s->K = a_dims[ra - 1];
  s->N = b_dims[rb - 1];
  if (b_dims[rb - 2] != s->K)
    {
      g_autofree char *sa = sal_shape_to_string (a->rank, a->dims);
      g_autofree char *sb = sal_shape_to_string (b->rank, b->dims);
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   "MatMul node '%s': shapes %s and %s do not multiply (inner dimensions differ)",
                   node->name, sa, sb);
      return FALSE;
    }
  if (s->M > G_MAXINT32 || s->N > G_MAXINT32 || s->K > G_MAXINT32)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_TOO_LARGE,
                   "MatMul node '%s': a matrix dimension exceeds 2^31", node->name);
      return FALSE;
    }

  nb = MAX (ra, rb) - 2;
  s->n_batch_dims = nb;
  s->n_batch = s->a_batches = s->b_batches = 1;
  for (int i = 0; i < nb; i++)
    {
      int ia = i - (nb - (ra - 2)), ib = i - (nb - (rb - 2));
      int64_t da = ia >= 0 ? a_dims[ia] : 1, db = ib >= 0 ? b_dims[ib] : 1;
      if (da != db && da != 1 && db != 1)
        {
          g_autofree char *sa = sal_shape_to_string (a->rank, a->dims);
          g_autofree char *sb = sal_shape_to_string (b->rank, b->dims);
          g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                       "MatMul node '%s': batch dimensions of %s and %s do not broadcast",
                       node->name, sa, sb);
          return FALSE;
        }
      s->batch_dims[i] = da == 1 ? db : da;
      s->a_batch_stride[i] = da;   /* extents for now; strides below */
      s->b_batch_stride[i] = db;
      s->n_batch *= s->batch_dims[i];
      s->a_batches *= da;
      s->b_batches *= db;
    }
  /* extents -> strides in whole matrices, 0 on broadcast dimensions */
  {
    int64_t sa = 1, sb = 1;
    for (int i = nb - 1; i >= 0; i--)
      {
        int64_t da = s->a_batch_stride[i], db = s->b_batch_stride[i];
        s->a_batch_stride[i] = (da == 1 && s->batch_dims[i] != 1) ? 0 : sa;
        s->b_batch_stride[i] = (db == 1 && s->batch_dims[i] != 1) ? 0 : sb;
        sa *= da;
        sb *= db;
      }
  }

  *out_rank = 0;
  for (int i = 0; i < nb; i++)
    out_dims[(*out_rank)++] = s->batch_dims[i];
  if (a->rank > 1)
    out_dims[(*out_rank)++] = s->M;
  if (b->rank > 1)
    out_dims[(*out_rank)++] = s->N;
  return TRUE;
}

static void
matmul_offsets (const MatMulShape *s, int64_t batch, int64_t *a_off, int64_t *b_off)
{
  int64_t oa = 0, ob = 0;

  for (int i = s->n_batch_dims - 1; i >= 0; i--)
    {
      int64_t idx = batch % s->batch_dims[i];
      batch /= s->batch_dims[i];
      oa += idx * s->a_batch_stride[i];
      ob += idx * s->b_batch_stride[i];
    }
  *a_off = oa * s->M * s->K;
  *b_off = ob * s->K * s->N;
}

static gboolean
matmul_infer (SalNode *node, SalTensor *const *in, SalTensor **out, gsize *workspace,
              GError **error)
{
  MatMulShape s;
  int64_t dims[SAL_MAX_RANK + 2];
  int rank;

  if (node->n_inputs != 2 || in[0] == NULL || in[1] == NULL)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID, "MatMul node '%s' needs two inputs",
                   node->name);
      return FALSE;
    }
  if (!sal_nn_check_float (node, in[0], "input A", error)
      || !sal_nn_check_float (node, in[1], "input B", error)
      || !matmul_shape (node, in[0], in[1], &s, &rank, dims, error))
    return FALSE;
  *workspace = 0;
  return sal_tensor_set_shape (out[0], SAL_DTYPE_FLOAT, rank, dims, error);
}

typedef struct {
  const MatMulShape *s;
  const float       *a, *b;
  float             *y;
} MatMulRun;

static void
matmul_batches (int slot, int64_t i0, int64_t i1, gpointer data)
{
  const MatMulRun *r = data;
  const MatMulShape *s = r->s;

  for (int64_t i = i0; i < i1; i++)
    {
      int64_t ao, bo;
      matmul_offsets (s, i, &ao, &bo);
      sal_nn_sgemm (NULL, FALSE, FALSE, (int) s->M, (int) s->N, (int) s->K, 1.f, r->a + ao,
                    (int) s->K, r->b + bo, (int) s->N, 0.f, r->y + i * s->M * s->N, (int) s->N);
    }
}

static gboolean
matmul_forward (SalNode *node, SalTensor *const *in, SalTensor **out, void *scratch,
                const SalExecCtx *ctx, GError **error)
{
  MatMulShape s;
  int64_t dims[SAL_MAX_RANK + 2];
  int rank;
  const float *a = sal_tensor_f32 (in[0]), *b = sal_tensor_f32 (in[1]);
  float *y = sal_tensor_f32 (out[0]);

  if (!matmul_shape (node, in[0], in[1], &s, &rank, dims, error))
    return FALSE;
  if (out[0]->numel == 0)
    return TRUE;
  if (s.K == 0)
    {
      memset (y, 0, out[0]->numel * sizeof (float));
      return TRUE;
    }
  if (s.b_batches == 1 && s.a_batches == s.n_batch)
    {
      /* one weight matrix for every batch: fold the batch into the rows */
      int64_t rows = s.n_batch * s.M;
      if (rows > G_MAXINT32)
        {
          g_set_error (error, SAL_ERROR, SAL_ERROR_TOO_LARGE,
                       "MatMul node '%s': more than 2^31 rows", node->name);
          return FALSE;
        }
      sal_nn_sgemm (ctx, FALSE, FALSE, (int) rows, (int) s.N, (int) s.K, 1.f, a, (int) s.K, b,
                    (int) s.N, 0.f, y, (int) s.N);
      return TRUE;
    }
  {
    MatMulRun r = { &s, a, b, y };
    sal_nn_parallel (ctx, s.n_batch, matmul_batches, &r);
  }
  return TRUE;
}

/* dA[b] += dY[b] B[b]^T,  dB[b] += A[b]^T dY[b], summed over broadcast batches */
static gboolean
matmul_backward (SalNode *node, SalTensor *const *in, SalTensor *const *out,
                 SalTensor *const *gout, SalTensor **gin, void *scratch,
                 const SalExecCtx *ctx, GError **error)
{
  MatMulShape s;
  int64_t dims[SAL_MAX_RANK + 2];
  int rank, M, N, K;
  const float *a = sal_tensor_f32 (in[0]), *b = sal_tensor_f32 (in[1]);
  const float *gy;

  if (gout[0] == NULL)
    return TRUE;
  if (!matmul_shape (node, in[0], in[1], &s, &rank, dims, error))
    return FALSE;
  gy = sal_tensor_f32 (gout[0]);
  M = (int) s.M, N = (int) s.N, K = (int) s.K;
  if (gout[0]->numel == 0 || K == 0)
    return TRUE;
  if (s.b_batches == 1 && s.a_batches == s.n_batch && s.n_batch * s.M <= G_MAXINT32)
    {
      int rows = (int) (s.n_batch * s.M);
      if (gin[0] != NULL)
        sal_nn_sgemm (ctx, FALSE, TRUE, rows, K, N, 1.f, gy, N, b, N, 1.f,
                      sal_tensor_f32 (gin[0]), K);
      if (gin[1] != NULL)
        sal_nn_sgemm (ctx, TRUE, FALSE, K, N, rows, 1.f, a, K, gy, N, 1.f,
                      sal_tensor_f32 (gin[1]), N);
      return TRUE;
    }
  for (int64_t i = 0; i < s.n_batch; i++)
    {
      int64_t ao, bo;
      const float *g = gy + i * s.M * s.N;
      matmul_offsets (&s, i, &ao, &bo);
      if (gin[0] != NULL)
        sal_sgemm (FALSE, TRUE, M, K, N, 1.f, g, N, b + bo, N, 1.f,
                   sal_tensor_f32 (gin[0]) + ao, K);
      if (gin[1] != NULL)
        sal_sgemm (TRUE, FALSE, K, N, M, 1.f, a + ao, K, g, N, 1.f,
                   sal_tensor_f32 (gin[1]) + bo, N);
    }
  return TRUE;
}

/* ---- Gemm ------------------------------------------------------------------*/

typedef struct {
  gboolean trans_a, trans_b;
  float    alpha, beta;
  int64_t  M, N, K;
  int64_t  c_rows, c_cols;   /* C's extents after padding to 2-D (1 = broadcast) */
  gboolean has_c;
} GemmShape;

static gboolean
gemm_shape (const SalNode *node, SalTensor *const *in, GemmShape *g, GError **error)
{
  const SalTensor *a = in[0], *b = in[1];
  const SalTensor *c = node->n_inputs > 2 ? in[2] : NULL;
  int64_t kb;

  g->trans_a = sal_node_attr_int (node, "transA", 0) != 0;
  g->trans_b = sal_node_attr_int (node, "transB", 0) != 0;
  g->alpha = sal_node_attr_float (node, "alpha", 1.f);
  g->beta = sal_node_attr_float (node, "beta", 1.f);
  if (a->rank != 2 || b->rank != 2)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   "Gemm node '%s': A and B must be matrices (got ranks %d and %d)",
                   node->name, a->rank, b->rank);
      return FALSE;
    }
  g->M = g->trans_a ? a->dims[1] : a->dims[0];
  g->K = g->trans_a ? a->dims[0] : a->dims[1];
  kb = g->trans_b ? b->dims[1] : b->dims[0];
  g->N = g->trans_b ? b->dims[0] : b->dims[1];
  if (kb != g->K)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   "Gemm node '%s': op(A) is %" G_GINT64_FORMAT "x%" G_GINT64_FORMAT
                   " but op(B) is %" G_GINT64_FORMAT "x%" G_GINT64_FORMAT,
                   node->name, g->M, g->K, kb, g->N);
      return FALSE;
    }
  if (g->M > G_MAXINT32 || g->N > G_MAXINT32 || g->K > G_MAXINT32)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_TOO_LARGE,
                   "Gemm node '%s': a matrix dimension exceeds 2^31", node->name);
      return FALSE;
    }
  g->has_c = c != NULL;
  g->c_rows = g->c_cols = 1;
  if (c != NULL)
    {
      if (c->rank > 2
          || (c->rank >= 1 && c->dims[c->rank - 1] != 1 && c->dims[c->rank - 1] != g->N)
          || (c->rank == 2 && c->dims[0] != 1 && c->dims[0] != g->M))
        {
          g_autofree char *sc = sal_shape_to_string (c->rank, c->dims);
          g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                       "Gemm node '%s': C of shape %s does not broadcast to %" G_GINT64_FORMAT
                       "x%" G_GINT64_FORMAT, node->name, sc, g->M, g->N);
          return FALSE;
        }
      if (c->rank >= 1)
        g->c_cols = c->dims[c->rank - 1];
      if (c->rank == 2)
        g->c_rows = c->dims[0];
    }
  return TRUE;
}

static gboolean
gemm_infer (SalNode *node, SalTensor *const *in, SalTensor **out, gsize *workspace,
            GError **error)
{
  GemmShape g;
  SalNnAct act;
  int64_t dims[2];

  if (node->n_inputs < 2 || in[0] == NULL || in[1] == NULL)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID, "Gemm node '%s' needs inputs A and B",
                   node->name);
      return FALSE;
    }
  for (int i = 0; i < MIN (node->n_inputs, 3); i++)
    if (in[i] != NULL && !sal_nn_check_float (node, in[i], i == 0 ? "A" : i == 1 ? "B" : "C",
                                              error))
      return FALSE;
  if (!gemm_shape (node, in, &g, error) || !sal_nn_act_from_node (node, &act, error))
    return FALSE;
  dims[0] = g.M;
  dims[1] = g.N;
  /* backward masks dY by the fused activation's derivative in scratch */
  *workspace = act.kind != SAL_NN_ACT_NONE ? (gsize) (g.M * g.N) * sizeof (float) : 0;
  return sal_tensor_set_shape (out[0], SAL_DTYPE_FLOAT, 2, dims, error);
}

static gboolean
gemm_forward (SalNode *node, SalTensor *const *in, SalTensor **out, void *scratch,
              const SalExecCtx *ctx, GError **error)
{
  GemmShape g;
  SalNnAct act;
  float *y = sal_tensor_f32 (out[0]);
  const float *a = sal_tensor_f32 (in[0]), *b = sal_tensor_f32 (in[1]);
  int M, N, K;

  if (!gemm_shape (node, in, &g, error) || !sal_nn_act_from_node (node, &act, error))
    return FALSE;
  M = (int) g.M, N = (int) g.N, K = (int) g.K;
  if (out[0]->numel == 0)
    return TRUE;
  if (g.has_c && g.beta != 0.f)
    {
      const float *c = sal_tensor_f32 (in[2]);
      for (int i = 0; i < M; i++)
        {
          const float *crow = c + (g.c_rows == 1 ? 0 : (int64_t) i * g.c_cols);
          float *yrow = y + (int64_t) i * N;
          if (g.c_cols == 1)
            for (int j = 0; j < N; j++)
              yrow[j] = g.beta * crow[0];
          else
            for (int j = 0; j < N; j++)
              yrow[j] = g.beta * crow[j];
        }
    }
  else
    memset (y, 0, out[0]->numel * sizeof (float));
  if (K > 0)
    sal_nn_sgemm (ctx, g.trans_a, g.trans_b, M, N, K, g.alpha, a, (int) in[0]->dims[1], b,
                  (int) in[1]->dims[1], 1.f, y, N);
  sal_nn_act_apply (&act, y, out[0]->numel);
  return TRUE;
}

/* With G = dY (times the fused activation's derivative):
 *   d op(A) = alpha G op(B)^T,  d op(B) = alpha op(A)^T G,  dC = beta sum_broadcast G */
static gboolean
gemm_backward (SalNode *node, SalTensor *const *in, SalTensor *const *out,
               SalTensor *const *gout, SalTensor **gin, void *scratch,
               const SalExecCtx *ctx, GError **error)
{
  GemmShape g;
  SalNnAct act;
  const float *a = sal_tensor_f32 (in[0]), *b = sal_tensor_f32 (in[1]);
  const float *gy;
  int M, N, K, lda, ldb;

  if (gout[0] == NULL)
    return TRUE;
  if (!gemm_shape (node, in, &g, error) || !sal_nn_act_from_node (node, &act, error))
    return FALSE;
  M = (int) g.M, N = (int) g.N, K = (int) g.K;
  lda = (int) in[0]->dims[1], ldb = (int) in[1]->dims[1];
  gy = sal_tensor_f32 (gout[0]);
  if (act.kind != SAL_NN_ACT_NONE)
    {
      float *masked = scratch;
      memcpy (masked, gy, gout[0]->numel * sizeof (float));
      sal_nn_act_grad (&act, sal_tensor_f32 (out[0]), masked, gout[0]->numel);
      gy = masked;
    }
  if (gin[0] != NULL && K > 0)
    {
      float *ga = sal_tensor_f32 (gin[0]);
      if (!g.trans_a)   /* dA (MxK) += alpha G op(B)^T */
        sal_nn_sgemm (ctx, FALSE, !g.trans_b, M, K, N, g.alpha, gy, N, b, ldb, 1.f, ga, K);
      else              /* dA (KxM) += alpha op(B) G^T */
        sal_nn_sgemm (ctx, g.trans_b, TRUE, K, M, N, g.alpha, b, ldb, gy, N, 1.f, ga, M);
    }
  if (gin[1] != NULL && K > 0)
    {
      float *gb = sal_tensor_f32 (gin[1]);
      if (!g.trans_b)   /* dB (KxN) += alpha op(A)^T G */
        sal_nn_sgemm (ctx, !g.trans_a, FALSE, K, N, M, g.alpha, a, lda, gy, N, 1.f, gb, N);
      else              /* dB (NxK) += alpha G^T op(A) */
        sal_nn_sgemm (ctx, TRUE, g.trans_a, N, K, M, g.alpha, gy, N, a, lda, 1.f, gb, K);
    }
  if (g.has_c && node->n_inputs > 2 && gin[2] != NULL)
    {
      float *gc = sal_tensor_f32 (gin[2]);
      for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++)
          gc[(g.c_rows == 1 ? 0 : (int64_t) i * g.c_cols) + (g.c_cols == 1 ? 0 : j)]
            += g.beta * gy[(int64_t) i * N + j];
    }
  return TRUE;
}

static const SalOpDef linear_defs[] = {
  { "Gemm", gemm_infer, NULL, gemm_forward, gemm_backward },
  { "MatMul", matmul_infer, NULL, matmul_forward, matmul_backward },
};

const SalOpGroup sal_ops_linear = { linear_defs, G_N_ELEMENTS (linear_defs) };
