/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-engine"

/* MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool over 1-D to 3-D
 * planes X [N, C, *in] -> Y [N, C, *out].
 *   MaxPool:     Y = max of the window's input positions (padding never wins);
 *                optional Indices: flat index of the max in X (row-major, or
 *                column-major over the spatial axes with storage_order 1).
 *   AveragePool: Y = sum / count; count is the window clipped to the input
 *                (count_include_pad 0) or to the padded input (1).
 * ceil_mode rounds the output extent up, but, as PyTorch does, never starts a
 * window in the end padding. Planes run in parallel on the engine's threads. */

#include "sal-ops-nn.h"

#include <float.h>

typedef enum { POOL_MAX, POOL_AVG } PoolKind;

typedef struct {
  PoolKind kind;
  gboolean global;
  int      nsp;
  int64_t  planes;                            /* N * C */
  int64_t  in[3], out[3], k[3], s[3], d[3], pb[3], pe[3];
  int64_t  in_size, out_size;
  gboolean count_include_pad;
  int      storage_order;
} PoolParams;

static gboolean
pool_fail (const SalNode *node, GError **error, const char *what)
{
  g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID, "%s node '%s': %s", node->op_type,
               node->name, what);
  return FALSE;
}

static gboolean
pool_params (const SalNode *node, SalTensor *const *in, PoolKind kind, gboolean global,
             PoolParams *p, GError **error)
{
  const SalTensor *x = in[0];
  int64_t k[3], s[3], d[3], pads[6];
  const char *auto_pad = sal_node_attr_string (node, "auto_pad", "NOTSET");
  gboolean ceil_mode = sal_node_attr_int (node, "ceil_mode", 0) != 0;
  int nsp, off;

  memset (p, 0, sizeof *p);
  p->kind = kind;
  p->global = global;
  if (x == NULL)
    return pool_fail (node, error, "input X is required");
  if (!sal_nn_check_float (node, x, "X", error))
    return FALSE;
  nsp = x->rank - 2;
  if (nsp < 1 || nsp > SAL_NN_MAX_SPATIAL)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_UNSUPPORTED,
                   "%s node '%s': input of rank %d; Salient pools 1-D to 3-D inputs",
                   node->op_type, node->name, x->rank);
      return FALSE;
    }
  p->nsp = nsp;
  off = 3 - nsp;
  p->planes = x->dims[0] * x->dims[1];
  p->count_include_pad = sal_node_attr_int (node, "count_include_pad", 0) != 0;
  p->storage_order = (int) sal_node_attr_int (node, "storage_order", 0);
  if (p->storage_order != 0 && p->storage_order != 1)
    return pool_fail (node, error, "storage_order must be 0 or 1");
  for (int i = 0; i < 3; i++)
    {
      p->in[i] = p->out[i] = p->k[i] = p->s[i] = p->d[i] = 1;
      p->pb[i] = p->pe[i] = 0;
    }
  if (global)
    {
      for (int i = 0; i < nsp; i++)
        p->in[off + i] = p->k[off + i] = x->dims[2 + i];
    }
  else
    {
      if (sal_node_attr (node, "kernel_shape") == NULL)
        return pool_fail (node, error, "attribute kernel_shape is required");
      if (!sal_nn_attr_ints (node, "kernel_shape", nsp, 1, 1, k, error)
          || !sal_nn_attr_ints (node, "strides", nsp, 1, 1, s, error)
          || !sal_nn_attr_ints (node, "dilations", nsp, 1, 1, d, error)
          || !sal_nn_attr_ints (node, "pads", 2 * nsp, 0, 0, pads, error))
        return FALSE;
      for (int i = 0; i < nsp; i++)
        {
          int64_t in_i = x->dims[2 + i], span = (k[i] - 1) * d[i] + 1, pb = pads[i];
          int64_t pe = pads[nsp + i], out_i;
          if (span > G_MAXINT32 || in_i > G_MAXINT32)
            return pool_fail (node, error, "window or input too large");
          if (strcmp (auto_pad, "SAME_UPPER") == 0 || strcmp (auto_pad, "SAME_LOWER") == 0)
            {
              int64_t total;
              out_i = (in_i + s[i] - 1) / s[i];
              total = MAX (0, (out_i - 1) * s[i] + span - in_i);
              pb = strcmp (auto_pad, "SAME_UPPER") == 0 ? total / 2 : total - total / 2;
              pe = total - pb;
            }
          else
            {
              int64_t room;
              if (strcmp (auto_pad, "VALID") == 0)
                pb = pe = 0;
              else if (strcmp (auto_pad, "NOTSET") != 0)
                {
                  g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                               "%s node '%s': unknown auto_pad '%s'", node->op_type,
                               node->name, auto_pad);
                  return FALSE;
                }
              room = in_i + pb + pe - span;
              if (room < 0)
                return pool_fail (node, error, "the window is larger than the padded input");
              out_i = (ceil_mode ? (room + s[i] - 1) / s[i] : room / s[i]) + 1;
              if (ceil_mode && (out_i - 1) * s[i] >= in_i + pb)
                out_i--;
            }
          p->in[off + i] = in_i;
          p->out[off + i] = out_i;
          p->k[off + i] = k[i];
          p->s[off + i] = s[i];
          p->d[off + i] = d[i];
          p->pb[off + i] = pb;
          p->pe[off + i] = pe;
        }
    }
  p->in_size = p->in[0] * p->in[1] * p->in[2];
  p->out_size = p->out[0] * p->out[1] * p->out[2];
  return TRUE;
}

/* Taps t in [lo, hi) with lo_bound <= start + t * d < hi_bound. */
static inline void
taps (int64_t start, int64_t k, int64_t d, int64_t lo_bound, int64_t hi_bound, int64_t *lo,
      int64_t *hi)
{
  int64_t a = lo_bound - start, b = hi_bound - 1 - start;

  *lo = a > 0 ? (a + d - 1) / d : 0;
  *hi = b < 0 ? 0 : MIN (k, b / d + 1);
  if (*lo > *hi)
    *lo = *hi;
}

/* Window of output position o: valid taps per axis and the count_include_pad
 * divisor. */
typedef struct {
  int64_t lo[3], hi[3], start[3];
  int64_t count;
} Window;

/* Per axis and output index: first and end valid tap, window start, and the
 * number of taps inside the padded input; built once per call in scratch. */
typedef struct {
  int64_t *lo[3], *hi[3], *start[3], *padded[3];
} AxisTables;

static gsize
tables_bytes (const PoolParams *p)
{
  return 4 * (gsize) (p->out[0] + p->out[1] + p->out[2]) * sizeof (int64_t);
}

static void
build_tables (const PoolParams *p, void *scratch, AxisTables *t)
{
  int64_t *mem = scratch;

  for (int i = 0; i < 3; i++)
    {
      t->lo[i] = mem;
      t->hi[i] = mem + p->out[i];
      t->start[i] = mem + 2 * p->out[i];
      t->padded[i] = mem + 3 * p->out[i];
      mem += 4 * p->out[i];
      for (int64_t o = 0; o < p->out[i]; o++)
        {
          int64_t plo, phi, start = o * p->s[i] - p->pb[i];
          taps (start, p->k[i], p->d[i], 0, p->in[i], &t->lo[i][o], &t->hi[i][o]);
          taps (start, p->k[i], p->d[i], -p->pb[i], p->in[i] + p->pe[i], &plo, &phi);
          t->start[i][o] = start;
          t->padded[i][o] = phi - plo;
        }
    }
}

static inline void
window (const PoolParams *p, const AxisTables *t, const int64_t *o, Window *w)
{
  int64_t padded = 1, valid = 1;

  for (int i = 0; i < 3; i++)
    {
      w->lo[i] = t->lo[i][o[i]];
      w->hi[i] = t->hi[i][o[i]];
      w->start[i] = t->start[i][o[i]];
      padded *= t->padded[i][o[i]];
      valid *= w->hi[i] - w->lo[i];
    }
  w->count = p->count_include_pad ? padded : valid;
}

/* 2x2 windows, stride 2, no padding or dilation: the common CNN max-pool. */
SAL_NN_HOT static void
max_pool_2x2 (const float *restrict x, int64_t in_h, int64_t in_w, float *restrict y,
              int64_t out_h, int64_t out_w)
{
  for (int64_t oh = 0; oh < out_h; oh++)
    {
      const float *r0 = x + 2 * oh * in_w, *r1 = r0 + in_w;
      float *yr = y + oh * out_w;
      for (int64_t ow = 0; ow < out_w; ow++)
        {
          float a = MAX (r0[2 * ow], r0[2 * ow + 1]), b = MAX (r1[2 * ow], r1[2 * ow + 1]);
          yr[ow] = MAX (a, b);
        }
    }
}

#define FOR_WINDOW(p, w, IDX, BODY)                                                           \
  for (int64_t t0 = (w).lo[0]; t0 < (w).hi[0]; t0++)                                        \
    for (int64_t t1 = (w).lo[1]; t1 < (w).hi[1]; t1++)                                      \
      {                                                                                       \
        int64_t row_ = (((w).start[0] + t0 * (p)->d[0]) * (p)->in[1]                         \
                        + (w).start[1] + t1 * (p)->d[1]) * (p)->in[2];                        \
        for (int64_t t2 = (w).lo[2]; t2 < (w).hi[2]; t2++)                                  \
          {                                                                                   \
            int64_t IDX = row_ + (w).start[2] + t2 * (p)->d[2];                               \
            BODY;                                                                             \
          }                                                                                   \
      }

/* Flat ONNX index of plane-local position idx for the Indices output. */
static int64_t
onnx_index (const PoolParams *p, int64_t plane, int64_t idx)
{
  int64_t z, r, q;

  if (p->storage_order == 0)
    return plane * p->in_size + idx;
  q = idx % p->in[2];
  r = (idx / p->in[2]) % p->in[1];
  z = idx / (p->in[2] * p->in[1]);
  /* column-major over the model's spatial axes (leading padded axes have extent 1) */
  return plane * p->in_size + z + p->in[0] * (r + p->in[1] * q);
}

/* 2-D max-pooling of one plane without Indices, any window, stride, padding
 * and dilation: the window bounds come from the axis tables. */
SAL_NN_HOT static void
max_pool_2d (const PoolParams *p, const AxisTables *t, const float *restrict x,
             float *restrict y)
{
  const int64_t W = p->in[2], dh = p->d[1], dw = p->d[2];

  for (int64_t oh = 0; oh < p->out[1]; oh++)
    {
      const int64_t hlo = t->lo[1][oh], hhi = t->hi[1][oh], h0 = t->start[1][oh];
      float *yr = y + oh * p->out[2];
      for (int64_t ow = 0; ow < p->out[2]; ow++)
        {
          const int64_t wlo = t->lo[2][ow], whi = t->hi[2][ow], w0 = t->start[2][ow];
          float m = -INFINITY;
          gboolean any = FALSE;
          for (int64_t a = hlo; a < hhi; a++)
            {
              const float *row = x + (h0 + a * dh) * W + w0;
              for (int64_t b = wlo; b < whi; b++)
                {
                  m = row[b * dw] > m ? row[b * dw] : m;
                  any = TRUE;
                }
            }
          yr[ow] = any ? m : -FLT_MAX;
        }
    }
}

typedef struct {
  const PoolParams *p;
  const AxisTables *t;
  const float      *x;
  float            *y;
  int64_t          *indices;
  gboolean          fast_2x2, fast_2d, fast_global_avg;
} PoolRun;

/* sum of n floats in double: eight independent sums, so the loop vectorises */
SAL_NN_HOT static double
plane_sum (const float *x, int64_t n)
{
  double acc[8] = { 0 }, sum = 0;
  int64_t i = 0;

  for (; i + 8 <= n; i += 8)
    for (int l = 0; l < 8; l++)
      acc[l] += x[i + l];
  for (; i < n; i++)
    sum += x[i];
  for (int l = 0; l < 8; l++)
    sum += acc[l];
  return sum;
}

static void
pool_planes (int slot, int64_t i0, int64_t i1, gpointer data)
{
  const PoolRun *r = data;
  const PoolParams *p = r->p;

  for (int64_t plane = i0; plane < i1; plane++)
    {
      const float *xp = r->x + plane * p->in_size;
      float *yp = r->y + plane * p->out_size;
      int64_t o[3], pos = 0;
      if (r->fast_global_avg)
        {
          yp[0] = (float) (plane_sum (xp, p->in_size) / p->in_size);
          continue;
        }
      if (r->fast_2x2)
        {
          max_pool_2x2 (xp, p->in[1], p->in[2], yp, p->out[1], p->out[2]);
          continue;
        }
      if (r->fast_2d)
        {
          max_pool_2d (p, r->t, xp, yp);
          continue;
        }
      for (o[0] = 0; o[0] < p->out[0]; o[0]++)
        for (o[1] = 0; o[1] < p->out[1]; o[1]++)
          for (o[2] = 0; o[2] < p->out[2]; o[2]++, pos++)
            {
              Window w;
              window (p, r->t, o, &w);
              if (p->kind == POOL_MAX)
                {
                  float best = -INFINITY;
                  int64_t arg = -1;
                  FOR_WINDOW (p, w, idx, {
                    if (xp[idx] > best || arg < 0)
                      {
                        best = xp[idx];
                        arg = idx;
                      }
                  });
                  yp[pos] = arg >= 0 ? best : -FLT_MAX;
                  if (r->indices != NULL)
                    r->indices[plane * p->out_size + pos] =
                      onnx_index (p, plane, arg >= 0 ? arg : 0);
                }
              else
                {
                  double acc = 0;
                  FOR_WINDOW (p, w, idx, { acc += xp[idx]; });
                  yp[pos] = w.count > 0 ? (float) (acc / w.count) : 0.f;
                }
            }
    }
}

static gboolean
pool_infer_common (SalNode *node, SalTensor *const *in, SalTensor **out, gsize *workspace,
                   PoolKind kind, gboolean global, GError **error)
{
  PoolParams p;
  int64_t dims[5];

  if (node->n_inputs < 1)
    return pool_fail (node, error, "input X is required");
  if (!pool_params (node, in, kind, global, &p, error))
    return FALSE;
  dims[0] = in[0]->dims[0];
  dims[1] = in[0]->dims[1];
  for (int i = 0; i < p.nsp; i++)
    dims[2 + i] = p.out[3 - p.nsp + i];
  *workspace = tables_bytes (&p);
  if (!sal_tensor_set_shape (out[0], SAL_DTYPE_FLOAT, 2 + p.nsp, dims, error))
    return FALSE;
  if (node->n_outputs > 1 && out[1] != NULL)
    {
      if (kind != POOL_MAX || global)
        return pool_fail (node, error, "only MaxPool has a second output");
      return sal_tensor_set_shape (out[1], SAL_DTYPE_INT64, 2 + p.nsp, dims, error);
    }
  return TRUE;
}

static gboolean
pool_forward_common (SalNode *node, SalTensor *const *in, SalTensor **out, void *scratch,
                     const SalExecCtx *ctx, PoolKind kind, gboolean global, GError **error)
{
  PoolParams p;
  PoolRun r;
  AxisTables t;

  if (!pool_params (node, in, kind, global, &p, error))
    return FALSE;
  build_tables (&p, scratch, &t);
  r.p = &p;
  r.t = &t;
  r.x = sal_tensor_f32 (in[0]);
  r.y = sal_tensor_f32 (out[0]);
  r.indices = node->n_outputs > 1 && out[1] != NULL ? sal_tensor_i64 (out[1]) : NULL;
  r.fast_2x2 = kind == POOL_MAX && !global && r.indices == NULL && p.k[0] == 1 && p.s[0] == 1
               && p.k[1] == 2 && p.k[2] == 2 && p.s[1] == 2 && p.s[2] == 2 && p.d[1] == 1
               && p.d[2] == 1 && p.pb[1] == 0 && p.pb[2] == 0 && 2 * p.out[1] <= p.in[1]
               && 2 * p.out[2] <= p.in[2];
  r.fast_2d = kind == POOL_MAX && !global && r.indices == NULL && p.k[0] == 1 && p.s[0] == 1;
  r.fast_global_avg = kind == POOL_AVG && global && p.out_size == 1 && p.in_size > 0;
  if (p.out_size > 0)
    sal_nn_parallel (p.planes * p.out_size >= 4096 ? ctx : NULL, p.planes, pool_planes, &r);
  return TRUE;
}

/* Backward of max_pool_2x2: each window's first maximum (in the order the
 * generic path scans it, later taps winning only when strictly greater)
 * takes the window's dY. */
/* The same, storing: every dX position of the plane is written (the
 * window's maximum gets dY, the others and rows or columns no window covers
 * get 0). */
SAL_NN_HOT static void
max_pool_2x2_backward_store (const float *restrict x, int64_t in_h, int64_t in_w,
                             const float *restrict gy, float *restrict gx, int64_t out_h,
                             int64_t out_w)
{
  for (int64_t oh = 0; oh < out_h; oh++)
    {
      const float *r0 = x + 2 * oh * in_w, *r1 = r0 + in_w;
      float *g0 = gx + 2 * oh * in_w, *g1 = g0 + in_w;
      const float *gyr = gy + oh * out_w;
      for (int64_t ow = 0; ow < out_w; ow++)
        {
          /* branch-free selects (they vectorise): dY goes to d if it beats
           * the maximum of a, b, c, else to c if it beats that of a, b... */
          int64_t c = 2 * ow;
          float a = r0[c], b = r0[c + 1], cc = r1[c], d = r1[c + 1], g = gyr[ow];
          float m1 = b > a ? b : a, m2 = cc > m1 ? cc : m1;
          float rest = d > m2 ? 0.0f : g, rest2 = cc > m1 ? 0.0f : rest;
          g1[c + 1] = d > m2 ? g : 0.0f;
          g1[c] = cc > m1 ? rest : 0.0f;
          g0[c + 1] = b > a ? rest2 : 0.0f;
          g0[c] = b > a ? 0.0f : rest2;
        }
      for (int64_t c = 2 * out_w; c < in_w; c++)
        g0[c] = g1[c] = 0.0f;
    }
  if (2 * out_h < in_h)
    memset (gx + 2 * out_h * in_w, 0, (in_h - 2 * out_h) * in_w * sizeof (float));
}

SAL_NN_HOT static void
max_pool_2x2_backward (const float *restrict x, int64_t in_w, const float *restrict gy,
                       float *restrict gx, int64_t out_h, int64_t out_w)
{
  for (int64_t oh = 0; oh < out_h; oh++)
    {
      const float *r0 = x + 2 * oh * in_w, *r1 = r0 + in_w;
      float *g0 = gx + 2 * oh * in_w, *g1 = g0 + in_w;
      const float *gyr = gy + oh * out_w;
      for (int64_t ow = 0; ow < out_w; ow++)
        {
          int64_t c = 2 * ow;
          float best = r0[c];
          float *arg = g0 + c;
          if (r0[c + 1] > best)
            best = r0[c + 1], arg = g0 + c + 1;
          if (r1[c] > best)
            best = r1[c], arg = g1 + c;
          if (r1[c + 1] > best)
            arg = g1 + c + 1;
          *arg += gyr[ow];
        }
    }
}

/* MaxPool: dX[argmax] += dY;  AveragePool: dX[window] += dY / count */
static gboolean
pool_backward_common (SalNode *node, SalTensor *const *in, SalTensor *const *gout,
                      SalTensor **gin, void *scratch, const SalExecCtx *ctx, PoolKind kind,
                      gboolean global, GError **error)
{
  PoolParams p;
  AxisTables t;
  const float *x = sal_tensor_f32 (in[0]);
  const float *gy;
  float *gx;
  gboolean fast_2x2, store;

  if (gout[0] == NULL || gin[0] == NULL)
    {
      sal_op_zero_unhandled_grads (ctx, gin, node->n_inputs, 0);
      return TRUE;
    }
  if (!pool_params (node, in, kind, global, &p, error))
    return FALSE;
  build_tables (&p, scratch, &t);
  gy = sal_tensor_f32 (gout[0]);
  gx = sal_tensor_f32 (gin[0]);
  fast_2x2 = kind == POOL_MAX && !global && p.k[0] == 1 && p.s[0] == 1 && p.k[1] == 2
             && p.k[2] == 2 && p.s[1] == 2 && p.s[2] == 2 && p.d[1] == 1 && p.d[2] == 1
             && p.pb[1] == 0 && p.pb[2] == 0 && 2 * p.out[1] <= p.in[1]
             && 2 * p.out[2] <= p.in[2];
  store = fast_2x2 && (ctx->grad_set & 1);
  sal_op_zero_unhandled_grads (ctx, gin, node->n_inputs, store ? 1 : 0);
  for (int64_t plane = 0; plane < p.planes; plane++)
    {
      const float *xp = x + plane * p.in_size;
      const float *gyp = gy + plane * p.out_size;
      float *gxp = gx + plane * p.in_size;
      int64_t o[3], pos = 0;
      if (store)
        {
          max_pool_2x2_backward_store (xp, p.in[1], p.in[2], gyp, gxp, p.out[1], p.out[2]);
          continue;
        }
      if (fast_2x2)
        {
          max_pool_2x2_backward (xp, p.in[2], gyp, gxp, p.out[1], p.out[2]);
          continue;
        }
      for (o[0] = 0; o[0] < p.out[0]; o[0]++)
        for (o[1] = 0; o[1] < p.out[1]; o[1]++)
          for (o[2] = 0; o[2] < p.out[2]; o[2]++, pos++)
            {
              Window w;
              window (&p, &t, o, &w);
              if (kind == POOL_MAX)
                {
                  float best = -INFINITY;
                  int64_t arg = -1;
                  FOR_WINDOW (&p, w, idx, {
                    if (xp[idx] > best || arg < 0)
                      {
                        best = xp[idx];
                        arg = idx;
                      }
                  });
                  if (arg >= 0)
                    gxp[arg] += gyp[pos];
                }
              else if (w.count > 0)
                {
                  float share = gyp[pos] / (float) w.count;
                  FOR_WINDOW (&p, w, idx, { gxp[idx] += share; });
                }
            }
    }
  return TRUE;
}

#define POOL_OP(fn, kind, global)                                                            \
  static gboolean fn##_infer (SalNode *node, SalTensor *const *in, SalTensor **out,          \
                              gsize *workspace, GError **error)                              \
  {                                                                                           \
    return pool_infer_common (node, in, out, workspace, kind, global, error);                \
  }                                                                                           \
  static gboolean fn##_forward (SalNode *node, SalTensor *const *in, SalTensor **out,        \
                                void *scratch, const SalExecCtx *ctx, GError **error)        \
  {                                                                                           \
    return pool_forward_common (node, in, out, scratch, ctx, kind, global, error);                    \
  }                                                                                           \
  static gboolean fn##_backward (SalNode *node, SalTensor *const *in, SalTensor *const *out, \
                                 SalTensor *const *gout, SalTensor **gin, void *scratch,     \
                                 const SalExecCtx *ctx, GError **error)                      \
  {                                                                                           \
    return pool_backward_common (node, in, gout, gin, scratch, ctx, kind, global, error);             \
  }

POOL_OP (max_pool, POOL_MAX, FALSE)
POOL_OP (average_pool, POOL_AVG, FALSE)
POOL_OP (global_max_pool, POOL_MAX, TRUE)
POOL_OP (global_average_pool, POOL_AVG, TRUE)

static const SalOpDef pool_defs[] = {
  { "AveragePool", average_pool_infer, NULL, average_pool_forward, average_pool_backward, TRUE },
  { "GlobalAveragePool", global_average_pool_infer, NULL, global_average_pool_forward,
    global_average_pool_backward, TRUE },
  { "GlobalMaxPool", global_max_pool_infer, NULL, global_max_pool_forward,
    global_max_pool_backward, TRUE },
  { "MaxPool", max_pool_infer, NULL, max_pool_forward, max_pool_backward, TRUE },
};

const SalOpGroup sal_ops_pool = { pool_defs, G_N_ELEMENTS (pool_defs) };
