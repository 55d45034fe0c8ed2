/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-engine"

/* BatchNormalization, LayerNormalization, InstanceNormalization.
 *   BatchNormalization:    Y = (X - mean[c]) / sqrt(var[c] + eps) * scale[c] + B[c];
 *                          in training mode (training_mode = 1, or the run is a
 *                          training run) mean/var are the batch's statistics
 *                          (population variance) and outputs 1, 2 are the updated
 *                          running statistics  r = r_in * momentum + batch * (1 - momentum).
 *   LayerNormalization:    each row X[i, axis:] normalised by its own mean and
 *                          variance, then * Scale + B (broadcast to the row);
 *                          outputs 1, 2: Mean and InvStdDev.
 *   InstanceNormalization: each plane X[n, c] normalised, then * scale[c] + B[c].
 * Statistics are accumulated in double. Backward uses the full formula
 *   dx = r (g - mean(g) - xhat mean(g xhat)),  g = dY scale,  r = 1 / sqrt(var + eps)
 * when the statistics come from X, and dx = r g when they are inputs. */

#include "sal-ops-nn.h"

static gboolean
norm_fail (const SalNode *node, GError **error, const char *what)
{
  g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID, "%s node '%s': %s", node->op_type,
               node->name, what);
  return FALSE;
}

/* mean and 1/sqrt(var + eps) of n values spaced `stride` apart, repeated `reps`
 * times `rep_stride` apart (BatchNormalization's channel spans the batch). */
static void
moments (const float *x, int64_t reps, int64_t rep_stride, int64_t n, double eps,
         double *mean_out, double *var_out)
{
  double s = 0, ss = 0, mean;
  int64_t count = reps * n;

  for (int64_t r = 0; r < reps; r++)
    for (int64_t i = 0; i < n; i++)
      s += x[r * rep_stride + i];
  mean = count > 0 ? s / count : 0;
  for (int64_t r = 0; r < reps; r++)
    for (int64_t i = 0; i < n; i++)
      {
        double dv = x[r * rep_stride + i] - mean;
        ss += dv * dv;
      }
  *mean_out = mean;
  *var_out = count > 0 ? ss / count : 0;
}

/* ---- BatchNormalization ----------------------------------------------------*/

typedef struct {
  int64_t  N, C, plane;
  float    eps, momentum;
  gboolean training;
} BnParams;

static gboolean
bn_params (const SalNode *node, SalTensor *const *in, const SalExecCtx *ctx, BnParams *p,
           GError **error)
{
  const SalTensor *x = in[0];

  if (node->n_inputs < 5)
    return norm_fail (node, error, "needs inputs X, scale, B, mean and var");
  for (int i = 0; i < 5; i++)
    {
      static const char *const names[] = { "X", "scale", "B", "mean", "var" };
      if (in[i] == NULL)
        return norm_fail (node, error, "an input is missing");
      if (!sal_nn_check_float (node, in[i], names[i], error))
        return FALSE;
    }
  if (x->rank < 2)
    return norm_fail (node, error, "X needs a batch and a channel dimension");
  p->N = x->dims[0];
  p->C = x->dims[1];
  p->plane = p->C > 0 && p->N > 0 ? x->numel / (p->N * p->C) : 0;
  for (int i = 1; i < 5; i++)
    if (in[i]->numel != p->C)
      return norm_fail (node, error, "scale, B, mean and var need one value per channel");
  p->eps = sal_node_attr_float (node, "epsilon", 1e-5f);
  p->momentum = sal_node_attr_float (node, "momentum", 0.9f);
  p->training = (node->opset >= 14 && sal_node_attr_int (node, "training_mode", 0) != 0)
                || (ctx != NULL && ctx->training)
                || (node->opset < 14 && node->n_outputs > 1);
  return TRUE;
}

static gboolean
bn_infer (SalNode *node, SalTensor *const *in, SalTensor **out, gsize *workspace,
          GError **error)
{
  BnParams p;

  if (!bn_params (node, in, NULL, &p, error))
    return FALSE;
  *workspace = 0;
  if (!sal_tensor_set_shape (out[0], SAL_DTYPE_FLOAT, in[0]->rank, in[0]->dims, error))
    return FALSE;
  for (int j = 1; j < MIN (node->n_outputs, 5); j++)
    if (out[j] != NULL && !sal_tensor_set_shape (out[j], SAL_DTYPE_FLOAT, 1, &p.C, error))
      return FALSE;
  return TRUE;
}

typedef struct {
  const BnParams *p;
  const float    *x, *scale, *b, *mean, *var;
  float          *y;
  float          *stats[5];     /* outputs 1..4 when present (index 0 unused) */
} BnRun;

static void
bn_channels (int slot, int64_t c0, int64_t c1, gpointer data)
{
  const BnRun *r = data;
  const BnParams *p = r->p;

  for (int64_t c = c0; c < c1; c++)
    {
      double mean, var;
      float a, shift;
      if (p->training)
        moments (r->x + c * p->plane, p->N, p->C * p->plane, p->plane, p->eps, &mean, &var);
      else
        mean = r->mean[c], var = r->var[c];
      a = (float) (r->scale[c] / sqrt (var + p->eps));
      shift = (float) (r->b[c] - mean * a);
      for (int64_t n = 0; n < p->N; n++)
        {
          const float *xp = r->x + (n * p->C + c) * p->plane;
          float *yp = r->y + (n * p->C + c) * p->plane;
          for (int64_t i = 0; i < p->plane; i++)
            yp[i] = xp[i] * a + shift;
        }
      if (r->stats[1])
        r->stats[1][c] = (float) (r->mean[c] * p->momentum + mean * (1 - p->momentum));
      if (r->stats[2])
        r->stats[2][c] = (float) (r->var[c] * p->momentum + var * (1 - p->momentum));
      if (r->stats[3])
        r->stats[3][c] = (float) mean;
      if (r->stats[4])
        r->stats[4][c] = (float) var;
    }
}

static gboolean
bn_forward (SalNode *node, SalTensor *const *in, SalTensor **out, void *scratch,
            const SalExecCtx *ctx, GError **error)
{
  BnParams p;
  BnRun r = { &p };

  if (!bn_params (node, in, ctx, &p, error))
    return FALSE;
  r.x = sal_tensor_f32 (in[0]);
  r.scale = sal_tensor_f32 (in[1]);
  r.b = sal_tensor_f32 (in[2]);
  r.mean = sal_tensor_f32 (in[3]);
  r.var = sal_tensor_f32 (in[4]);
  r.y = sal_tensor_f32 (out[0]);
  for (int j = 1; j < MIN (node->n_outputs, 5); j++)
    r.stats[j] = out[j] != NULL ? sal_tensor_f32 (out[j]) : NULL;
  sal_nn_parallel (in[0]->numel >= 16384 ? ctx : NULL, p.C, bn_channels, &r);
  return TRUE;
}

/* gx = k gy (store) or gx += k gy, in double as the general path */
SAL_NN_HOT static void
scale_plane (const float *restrict gy, float *restrict gx, double k, int64_t n, gboolean store)
{
  if (store)
    for (int64_t i = 0; i < n; i++)
      gx[i] = (float) (k * gy[i]);
  else
    for (int64_t i = 0; i < n; i++)
      gx[i] += (float) (k * gy[i]);
}

static gboolean
bn_backward (SalNode *node, SalTensor *const *in, SalTensor *const *out,
             SalTensor *const *gout, SalTensor **gin, void *scratch,
             const SalExecCtx *ctx, GError **error)
{
  BnParams p;
  const float *x, *scale, *mean_in, *var_in, *gy;
  float *gx, *gs, *gb, *gm, *gv;
  const float *g_rmean, *g_rvar;
  gboolean store;

  if (!bn_params (node, in, ctx, &p, error))
    return FALSE;
  x = sal_tensor_f32 (in[0]);
  scale = sal_tensor_f32 (in[1]);
  mean_in = sal_tensor_f32 (in[3]);
  var_in = sal_tensor_f32 (in[4]);
  gy = gout[0] ? sal_tensor_f32 (gout[0]) : NULL;
  g_rmean = node->n_outputs > 1 && gout[1] ? sal_tensor_f32 (gout[1]) : NULL;
  g_rvar = node->n_outputs > 2 && gout[2] ? sal_tensor_f32 (gout[2]) : NULL;
  gx = gin[0] ? sal_tensor_f32 (gin[0]) : NULL;
  gs = gin[1] ? sal_tensor_f32 (gin[1]) : NULL;
  gb = gin[2] ? sal_tensor_f32 (gin[2]) : NULL;
  gm = gin[3] ? sal_tensor_f32 (gin[3]) : NULL;
  gv = gin[4] ? sal_tensor_f32 (gin[4]) : NULL;
  /* Only dX in inference mode is stored; anything else marked is zeroed to add into. */
  store = !p.training && gx != NULL && gy != NULL && (ctx->grad_set & 1);
  sal_op_zero_unhandled_grads (ctx, gin, node->n_inputs, store ? 1 : 0);

  for (int64_t c = 0; c < p.C; c++)
    {
      double mean, var, rstd, sum_g = 0, sum_gx = 0, count = (double) p.N * p.plane;
      if (p.training)
        moments (x + c * p.plane, p.N, p.C * p.plane, p.plane, p.eps, &mean, &var);
      else
        mean = mean_in[c], var = var_in[c];
      rstd = 1.0 / sqrt (var + p.eps);
      /* The sums feed the parameters' gradients and the training-mode dx;
       * a gradient to X alone in inference mode (explanations) needs neither. */
      if (gy != NULL && (p.training || gs || gb || gm || gv))
        for (int64_t n = 0; n < p.N; n++)
          {
            const float *xp = x + (n * p.C + c) * p.plane, *gp = gy + (n * p.C + c) * p.plane;
            for (int64_t i = 0; i < p.plane; i++)
              {
                sum_g += gp[i];
                sum_gx += gp[i] * (xp[i] - mean) * rstd;
              }
          }
      if (gs)
        gs[c] += (float) sum_gx;
      if (gb)
        gb[c] += (float) sum_g;
      if (!p.training)
        {
          /* statistics are inputs: dx = r scale dy */
          if (gm)
            gm[c] += (float) (-scale[c] * rstd * sum_g);
          if (gv)
            gv[c] += (float) (-0.5 * scale[c] * rstd * rstd * sum_gx);
          if (gx && gy)
            {
              double k = scale[c] * rstd;
              for (int64_t n = 0; n < p.N; n++)
                {
                  const float *gp = gy + (n * p.C + c) * p.plane;
                  float *gxp = gx + (n * p.C + c) * p.plane;
                  scale_plane (gp, gxp, k, p.plane, store);
                }
            }
          continue;
        }
      if (gm && g_rmean)
        gm[c] += p.momentum * g_rmean[c];
      if (gv && g_rvar)
        gv[c] += p.momentum * g_rvar[c];
      if (gx && count > 0)
        {
          double mg = scale[c] * sum_g / count, mgx = scale[c] * sum_gx / count;
          double dmean = g_rmean ? (1 - p.momentum) * g_rmean[c] / count : 0;
          double dvar = g_rvar ? (1 - p.momentum) * g_rvar[c] * 2 / count : 0;
          for (int64_t n = 0; n < p.N; n++)
            {
              const float *xp = x + (n * p.C + c) * p.plane;
              const float *gp = gy ? gy + (n * p.C + c) * p.plane : NULL;
              float *gxp = gx + (n * p.C + c) * p.plane;
              for (int64_t i = 0; i < p.plane; i++)
                {
                  double xhat = (xp[i] - mean) * rstd, v = dmean + dvar * (xp[i] - mean);
                  if (gp)
                    v += rstd * (scale[c] * gp[i] - mg - xhat * mgx);
                  gxp[i] += (float) v;
                }
            }
        }
    }
  return TRUE;
}

/* ---- Row normalisation shared by LayerNormalization and InstanceNormalization */

/* Y row = (x - mean) r * scale + b; scale/b are per element (stride 1) or one
 * value (stride 0). */
static void
norm_row (const float *x, int64_t n, double eps, const float *scale, int64_t s_stride,
          const float *b, int64_t b_stride, float *y, float *mean_out, float *rstd_out)
{
  double mean, var, r;

  moments (x, 1, 0, n, eps, &mean, &var);
  r = 1.0 / sqrt (var + eps);
  for (int64_t i = 0; i < n; i++)
    {
      double v = (x[i] - mean) * r * scale[i * s_stride];
      if (b != NULL)
        v += b[i * b_stride];
      y[i] = (float) v;
    }
  if (mean_out)
    *mean_out = (float) mean;
  if (rstd_out)
    *rstd_out = (float) r;
}

/* Adds the row's gradients: dx (full formula, plus the Mean / InvStdDev outputs'
 * gradients g_mean and g_rstd) and dscale. */
static void
norm_row_backward (const float *x, const float *gy, int64_t n, double eps, const float *scale,
                   int64_t s_stride, double g_mean, double g_rstd, float *gx, float *gs)
{
  double mean, var, r, mg = 0, mgx = 0;

  moments (x, 1, 0, n, eps, &mean, &var);
  r = 1.0 / sqrt (var + eps);
  if (gy != NULL)
    for (int64_t i = 0; i < n; i++)
      {
        double xhat = (x[i] - mean) * r, g = gy[i] * (double) scale[i * s_stride];
        mg += g;
        mgx += g * xhat;
        if (gs)
          gs[i * s_stride] += (float) (gy[i] * xhat);
      }
  if (gx == NULL || n == 0)
    return;
  mg /= n;
  mgx /= n;
  for (int64_t i = 0; i < n; i++)
    {
      double xhat = (x[i] - mean) * r;
      double v = g_mean / n - g_rstd * r * r * r * (x[i] - mean) / n;
      if (gy != NULL)
        v += r * (gy[i] * (double) scale[i * s_stride] - mg - xhat * mgx);
      gx[i] += (float) v;
    }
}

/* ---- LayerNormalization ----------------------------------------------------*/

typedef struct {
  int     axis;
  int64_t rows, D;
  float   eps;
} LnParams;

static gboolean
ln_params (const SalNode *node, SalTensor *const *in, LnParams *p, GError **error)
{
  const SalTensor *x = in[0];
  int64_t axis = sal_node_attr_int (node, "axis", -1);

  if (node->n_inputs < 2 || in[0] == NULL || in[1] == NULL)
    return norm_fail (node, error, "needs inputs X and Scale");
  for (int i = 0; i < MIN (node->n_inputs, 3); i++)
    if (in[i] != NULL && !sal_nn_check_float (node, in[i], i == 0 ? "X" : i == 1 ? "Scale" : "B",
                                              error))
      return FALSE;
  if (axis < 0)
    axis += x->rank;
  if (axis < 0 || axis >= MAX (x->rank, 1))
    return norm_fail (node, error, "axis out of range");
  p->axis = (int) axis;
  p->rows = 1;
  for (int i = 0; i < p->axis; i++)
    p->rows *= x->dims[i];
  p->D = p->rows > 0 ? x->numel / p->rows : 0;
  p->eps = sal_node_attr_float (node, "epsilon", 1e-5f);
  for (int i = 1; i < MIN (node->n_inputs, 3); i++)
    if (in[i] != NULL && in[i]->numel != p->D && in[i]->numel != 1)
      return norm_fail (node, error,
                        "Scale and B must have one value per normalised element (or one value)");
  return TRUE;
}

static gboolean
ln_infer (SalNode *node, SalTensor *const *in, SalTensor **out, gsize *workspace,
          GError **error)
{
  LnParams p;
  int64_t dims[SAL_MAX_RANK];

  if (!ln_params (node, in, &p, error))
    return FALSE;
  *workspace = 0;
  if (!sal_tensor_set_shape (out[0], SAL_DTYPE_FLOAT, in[0]->rank, in[0]->dims, error))
    return FALSE;
  for (int i = 0; i < in[0]->rank; i++)
    dims[i] = i < p.axis ? in[0]->dims[i] : 1;
  for (int j = 1; j < MIN (node->n_outputs, 3); j++)
    if (out[j] != NULL
        && !sal_tensor_set_shape (out[j], SAL_DTYPE_FLOAT, in[0]->rank, dims, error))
      return FALSE;
  return TRUE;
}

typedef struct {
  const LnParams *p;
  const float    *x, *scale, *b;
  int64_t         s_stride, b_stride;
  float          *y, *mean, *rstd;
} LnRun;

static void
ln_rows (int slot, int64_t r0, int64_t r1, gpointer data)
{
  const LnRun *r = data;
  int64_t D = r->p->D;

  for (int64_t i = r0; i < r1; i++)
    norm_row (r->x + i * D, D, r->p->eps, r->scale, r->s_stride, r->b, r->b_stride,
              r->y + i * D, r->mean ? r->mean + i : NULL, r->rstd ? r->rstd + i : NULL);
}

static gboolean
ln_forward (SalNode *node, SalTensor *const *in, SalTensor **out, void *scratch,
            const SalExecCtx *ctx, GError **error)
{
  LnParams p;
  LnRun r = { &p };
  const SalTensor *b = node->n_inputs > 2 ? in[2] : NULL;

  if (!ln_params (node, in, &p, error))
    return FALSE;
  r.x = sal_tensor_f32 (in[0]);
  r.scale = sal_tensor_f32 (in[1]);
  r.s_stride = in[1]->numel == p.D ? 1 : 0;
  r.b = b ? sal_tensor_f32 (b) : NULL;
  r.b_stride = b && b->numel == p.D ? 1 : 0;
  r.y = sal_tensor_f32 (out[0]);
  r.mean = node->n_outputs > 1 && out[1] ? sal_tensor_f32 (out[1]) : NULL;
  r.rstd = node->n_outputs > 2 && out[2] ? sal_tensor_f32 (out[2]) : NULL;
  sal_nn_parallel (in[0]->numel >= 16384 ? ctx : NULL, p.rows, ln_rows, &r);
  return TRUE;
}

static gboolean
ln_backward (SalNode *node, SalTensor *const *in, SalTensor *const *out,
             SalTensor *const *gout, SalTensor **gin, void *scratch,
             const SalExecCtx *ctx, GError **error)
{
  LnParams p;
  const float *x, *scale, *gy, *gmean, *grstd;
  float *gx, *gs, *gb;
  int64_t s_stride;

  if (!ln_params (node, in, &p, error))
    return FALSE;
  x = sal_tensor_f32 (in[0]);
  scale = sal_tensor_f32 (in[1]);
  s_stride = in[1]->numel == p.D ? 1 : 0;
  gy = gout[0] ? sal_tensor_f32 (gout[0]) : NULL;
  gmean = node->n_outputs > 1 && gout[1] ? sal_tensor_f32 (gout[1]) : NULL;
  grstd = node->n_outputs > 2 && gout[2] ? sal_tensor_f32 (gout[2]) : NULL;
  gx = gin[0] ? sal_tensor_f32 (gin[0]) : NULL;
  gs = gin[1] ? sal_tensor_f32 (gin[1]) : NULL;
  gb = node->n_inputs > 2 && gin[2] ? sal_tensor_f32 (gin[2]) : NULL;
  if (gb != NULL && in[2]->numel != p.D && in[2]->numel != 1)
    return norm_fail (node, error, "B has the wrong size");
  for (int64_t i = 0; i < p.rows; i++)
    {
      norm_row_backward (x + i * p.D, gy ? gy + i * p.D : NULL, p.D, p.eps, scale, s_stride,
                         gmean ? gmean[i] : 0, grstd ? grstd[i] : 0,
                         gx ? gx + i * p.D : NULL, gs);
      if (gb != NULL && gy != NULL)
        {
          int64_t b_stride = in[2]->numel == p.D ? 1 : 0;
          for (int64_t k = 0; k < p.D; k++)
            gb[k * b_stride] += gy[i * p.D + k];
        }
    }
  return TRUE;
}

/* ---- InstanceNormalization -------------------------------------------------*/

static gboolean
in_params (const SalNode *node, SalTensor *const *in, int64_t *C, int64_t *plane,
           GError **error)
{
  if (node->n_inputs < 3 || in[0] == NULL || in[1] == NULL || in[2] == NULL)
    return norm_fail (node, error, "needs inputs X, scale and B");
  for (int i = 0; i < 3; i++)
    if (!sal_nn_check_float (node, in[i], i == 0 ? "X" : i == 1 ? "scale" : "B", error))
      return FALSE;
  if (in[0]->rank < 3)
    return norm_fail (node, error, "X needs batch, channel and spatial dimensions");
  *C = in[0]->dims[1];
  *plane = in[0]->dims[0] * *C > 0 ? in[0]->numel / (in[0]->dims[0] * *C) : 0;
  if (in[1]->numel != *C || in[2]->numel != *C)
    return norm_fail (node, error, "scale and B need one value per channel");
  return TRUE;
}

static gboolean
in_infer (SalNode *node, SalTensor *const *in, SalTensor **out, gsize *workspace,
          GError **error)
{
  int64_t C, plane;

  if (!in_params (node, in, &C, &plane, error))
    return FALSE;
  *workspace = 0;
  return sal_tensor_set_shape (out[0], SAL_DTYPE_FLOAT, in[0]->rank, in[0]->dims, error);
}

typedef struct {
  int64_t      C, plane;
  float        eps;
  const float *x, *scale, *b;
  float       *y;
} InRun;

static void
in_planes (int slot, int64_t p0, int64_t p1, gpointer data)
{
  const InRun *r = data;

  for (int64_t pl = p0; pl < p1; pl++)
    {
      int64_t c = pl % r->C;
      norm_row (r->x + pl * r->plane, r->plane, r->eps, r->scale + c, 0, r->b + c, 0,
                r->y + pl * r->plane, NULL, NULL);
    }
}

static gboolean
in_forward (SalNode *node, SalTensor *const *in, SalTensor **out, void *scratch,
            const SalExecCtx *ctx, GError **error)
{
  InRun r;

  if (!in_params (node, in, &r.C, &r.plane, error))
    return FALSE;
  r.eps = sal_node_attr_float (node, "epsilon", 1e-5f);
  r.x = sal_tensor_f32 (in[0]);
  r.scale = sal_tensor_f32 (in[1]);
  r.b = sal_tensor_f32 (in[2]);
  r.y = sal_tensor_f32 (out[0]);
  sal_nn_parallel (in[0]->numel >= 16384 ? ctx : NULL, in[0]->dims[0] * r.C, in_planes, &r);
  return TRUE;
}

static gboolean
in_backward (SalNode *node, SalTensor *const *in, SalTensor *const *out,
             SalTensor *const *gout, SalTensor **gin, void *scratch,
             const SalExecCtx *ctx, GError **error)
{
  int64_t C, plane;
  float eps = sal_node_attr_float (node, "epsilon", 1e-5f);
  const float *x, *scale, *gy;

  if (gout[0] == NULL)
    return TRUE;
  if (!in_params (node, in, &C, &plane, error))
    return FALSE;
  x = sal_tensor_f32 (in[0]);
  scale = sal_tensor_f32 (in[1]);
  gy = sal_tensor_f32 (gout[0]);
  for (int64_t pl = 0; pl < in[0]->dims[0] * C; pl++)
    {
      int64_t c = pl % C;
      norm_row_backward (x + pl * plane, gy + pl * plane, plane, eps, scale + c, 0, 0, 0,
                         gin[0] ? sal_tensor_f32 (gin[0]) + pl * plane : NULL,
                         gin[1] ? sal_tensor_f32 (gin[1]) + c : NULL);
      if (gin[2] != NULL)
        {
          double sum = 0;
          for (int64_t i = 0; i < plane; i++)
            sum += gy[pl * plane + i];
          sal_tensor_f32 (gin[2])[c] += (float) sum;
        }
    }
  return TRUE;
}

static const SalOpDef norm_defs[] = {
  { "BatchNormalization", bn_infer, NULL, bn_forward, bn_backward, TRUE },
  { "InstanceNormalization", in_infer, NULL, in_forward, in_backward },
  { "LayerNormalization", ln_infer, NULL, ln_forward, ln_backward },
};

const SalOpGroup sal_ops_norm = { norm_defs, G_N_ELEMENTS (norm_defs) };
