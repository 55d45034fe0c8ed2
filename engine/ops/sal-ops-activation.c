/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-engine"

/* Activations: the pointwise Relu LeakyRelu Sigmoid HardSigmoid HardSwish Tanh
 * Elu Selu Softplus Softsign, Clip (bounds as attributes before opset 11, as
 * inputs from 11), PRelu (slope broadcast to the input), and Softmax /
 * LogSoftmax (coerced to 2-D at `axis` before opset 13, along one axis from 13). */

#include "sal-op.h"
#include "sal-broadcast.h"
#include "sal-ops-nn.h"
#include "sal-error.h"

#include <float.h>
#include <math.h>
#include <string.h>

#define INVALID(...) (g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID, __VA_ARGS__), FALSE)
#define UNSUPPORTED(...) (g_set_error (error, SAL_ERROR, SAL_ERROR_UNSUPPORTED, __VA_ARGS__), FALSE)

static gboolean
check_float_input (SalNode *node, SalTensor *const *in, int min_in, int max_in, GError **error)
{
  if (node->n_inputs < min_in || node->n_inputs > max_in)
    return INVALID ("%s: expects %d to %d inputs, got %d", node->op_type, min_in, max_in,
                    node->n_inputs);
  if (in[0] == NULL)
    return INVALID ("%s: input 0 is missing", node->op_type);
  if (in[0]->dtype != SAL_DTYPE_FLOAT)
    return UNSUPPORTED ("%s: inputs of type %s are not supported (float32 only)",
                        node->op_type, sal_dtype_name (in[0]->dtype));
  return TRUE;
}

/* ---- pointwise activations ---------------------------------------------- */

/* c ? a : b without a branch. Loops that call expf stay scalar, and there a
 * branch on the sign mispredicts every other element of mixed-sign data. */
static inline float
select_f (int c, float a, float b)
{
  guint32 ua, ub, m = 0u - (guint32) (c != 0);

  memcpy (&ua, &a, sizeof ua);
  memcpy (&ub, &b, sizeof ub);
  ua = (ua & m) | (ub & ~m);
  memcpy (&a, &ua, sizeof a);
  return a;
}

/* min(x, 0), keeping NaN: the exponentials below never overflow */
static inline float
neg_part (float x)
{
  return x > 0 ? 0.0f : x;
}

static inline float
sigmoidf (float x)
{
  float e = expf (-fabsf (x));
  float inv = 1.0f / (1.0f + e);

  return select_f (x >= 0, inv, e * inv);
}

/* clamp to [0, 1], keeping NaN */
static inline float
clamp01 (float v)
{
  return v < 0 ? 0.0f : v > 1 ? 1.0f : v;
}

#define MAP  SAL_UNARY_F32
#define GRAD SAL_UNARY_GRAD_F32

MAP (f_relu, x < 0 ? 0.0f : x)   /* NaN stays NaN */
GRAD (grad_relu, x > 0 ? 1.0f : 0.0f)
MAP (f_leaky, x >= 0 ? x : p->alpha * x)
GRAD (grad_leaky, x > 0 ? 1.0f : p->alpha)
MAP (f_sigmoid, sigmoidf (x))
GRAD (grad_sigmoid, y * (1.0f - y))
MAP (f_hardsigmoid, clamp01 (p->alpha * x + p->beta))
GRAD (grad_hardsigmoid, (p->alpha * x + p->beta > 0 && p->alpha * x + p->beta < 1) ? p->alpha : 0.0f)
MAP (f_hardswish, x * clamp01 (x / 6.0f + 0.5f))
GRAD (grad_hardswish, x < -3.0f ? 0.0f : x > 3.0f ? 1.0f : x / 3.0f + 0.5f)
MAP (f_tanh, tanhf (x))
GRAD (grad_tanh, 1.0f - y * y)
MAP (f_elu, select_f (x >= 0, x, p->alpha * expm1f (neg_part (x))))
GRAD (grad_elu, select_f (x > 0, 1.0f, y + p->alpha))
MAP (f_selu, p->gamma * select_f (x > 0, x, p->alpha * expm1f (neg_part (x))))
GRAD (grad_selu, p->gamma * select_f (x > 0, 1.0f, p->alpha * expf (neg_part (x))))
MAP (f_softplus, select_f (x > 0, x, 0.0f) + log1pf (expf (-fabsf (x))))
GRAD (grad_softplus, sigmoidf (x))
MAP (f_softsign, x / (1.0f + fabsf (x)))
GRAD (grad_softsign, 1.0f / ((1.0f + fabsf (x)) * (1.0f + fabsf (x))))

typedef struct {
  const char     *op_type;
  SalUnaryF32     f;
  SalUnaryGradF32 grad;
  float           alpha, beta, gamma;   /* ONNX defaults */
} ActOp;

static const ActOp act_ops[] = {
  /* Relu: y = max(x, 0), dy/dx = [x > 0] */
  { "Relu", f_relu, grad_relu, 0, 0, 0 },
  /* LeakyRelu: y = x >= 0 ? x : alpha x */
  { "LeakyRelu", f_leaky, grad_leaky, 0.01f, 0, 0 },
  /* Sigmoid: y = 1 / (1 + e^-x), dy/dx = y (1 - y) */
  { "Sigmoid", f_sigmoid, grad_sigmoid, 0, 0, 0 },
  /* HardSigmoid: y = clamp(alpha x + beta, 0, 1) */
  { "HardSigmoid", f_hardsigmoid, grad_hardsigmoid, 0.2f, 0.5f, 0 },
  /* HardSwish: y = x clamp(x/6 + 1/2, 0, 1) */
  { "HardSwish", f_hardswish, grad_hardswish, 0, 0, 0 },
  /* Tanh: y = tanh x, dy/dx = 1 - y^2 */
  { "Tanh", f_tanh, grad_tanh, 0, 0, 0 },
  /* Elu: y = x >= 0 ? x : alpha (e^x - 1) */
  { "Elu", f_elu, grad_elu, 1.0f, 0, 0 },
  /* Selu: y = gamma (x > 0 ? x : alpha (e^x - 1)) */
  { "Selu", f_selu, grad_selu, 1.67326319217681884765625f, 0, 1.05070102214813232421875f },
  /* Softplus: y = ln(1 + e^x), dy/dx = sigmoid(x) */
  { "Softplus", f_softplus, grad_softplus, 0, 0, 0 },
  /* Softsign: y = x / (1 + |x|), dy/dx = 1 / (1 + |x|)^2 */
  { "Softsign", f_softsign, grad_softsign, 0, 0, 0 },
};

static const ActOp *
act_find (SalNode *node, SalUnaryParams *p)
{
  for (guint i = 0; i < G_N_ELEMENTS (act_ops); i++)
    if (strcmp (act_ops[i].op_type, node->op_type) == 0)
      {
        const ActOp *op = &act_ops[i];

        p->alpha = sal_node_attr_float (node, "alpha", op->alpha);
        p->beta = sal_node_attr_float (node, "beta", op->beta);
        p->gamma = sal_node_attr_float (node, "gamma", op->gamma);
        return op;
      }
  g_assert_not_reached ();
  return NULL;
}

static gboolean
act_infer (SalNode *node, SalTensor *const *in, SalTensor **out, gsize *workspace,
           GError **error)
{
  if (!check_float_input (node, in, 1, 1, error))
    return FALSE;
  *workspace = 0;
  return sal_tensor_set_shape (out[0], in[0]->dtype, in[0]->rank, in[0]->dims, error);
}

static gboolean
act_forward (SalNode *node, SalTensor *const *in, SalTensor **out, void *scratch,
             const SalExecCtx *ctx, GError **error)
{
  SalUnaryParams p;
  const ActOp *op = act_find (node, &p);

  sal_map_unary_f32 (ctx, in[0]->numel, in[0]->data, out[0]->data, op->f, &p);
  return TRUE;
}

typedef struct {
  const float *x, *gy;
  float       *gx;
  gboolean     store;
} ReluGradJob;

static void
relu_grad_range (int64_t i0, int64_t i1, gpointer data)
{
  const ReluGradJob *j = data;

  sal_nn_relu_grad (j->x + i0, j->gy + i0, j->gx + i0, i1 - i0, j->store);
}

static gboolean
act_backward (SalNode *node, SalTensor *const *in, SalTensor *const *out,
              SalTensor *const *gout, SalTensor **gin, void *scratch,
              const SalExecCtx *ctx, GError **error)
{
  SalUnaryParams p;
  const ActOp *op = act_find (node, &p);

  if (gout[0] == NULL || gin[0] == NULL)
    {
      sal_op_zero_unhandled_grads (ctx, gin, node->n_inputs, 0);
      return TRUE;
    }
  if (op->grad == grad_relu)
    {
      /* dX = (x > 0 ? dY : 0), as PyTorch's threshold_backward, in one vector pass */
      ReluGradJob job = { in[0]->data, gout[0]->data, gin[0]->data, (ctx->grad_set & 1) != 0 };
      if (in[0]->numel >= SAL_PARALLEL_MIN_ELEMENTS && ctx->n_threads > 1)
        sal_exec_parallel_for (ctx, in[0]->numel, relu_grad_range, &job);
      else
        relu_grad_range (0, in[0]->numel, &job);
      return TRUE;
    }
  if ((ctx->grad_set & 1) && ctx->n_threads <= 1)
    {
      /* Store: zero a cache-sized piece of dX, then add into it, piece by piece. */
      const float *x = in[0]->data, *y = out[0]->data, *gy = gout[0]->data;
      float *gx = gin[0]->data;
      for (int64_t i0 = 0; i0 < in[0]->numel; i0 += 2048)
        {
          int64_t len = MIN (2048, in[0]->numel - i0);
          memset (gx + i0, 0, len * sizeof (float));
          op->grad (len, x + i0, y + i0, gy + i0, gx + i0, &p);
        }
      return TRUE;
    }
  sal_op_zero_unhandled_grads (ctx, gin, node->n_inputs, 0);
  sal_map_unary_grad_f32 (ctx, in[0]->numel, in[0]->data, out[0]->data, gout[0]->data,
                          gin[0]->data, op->grad, &p);
  return TRUE;
}

/* ---- PRelu: y = x >= 0 ? x : slope x ------------------------------------ */

static void
prelu_kernel (int64_t n, const void *pa, int64_t sa, const void *pb, int64_t sb, void *po)
{
  const float *x = pa, *s = pb;
  float *y = po;

  /* x has the output's shape, so sa is 1; the slope is per run or per element */
  if (sb == 0)
    {
      float k = s[0];
      SAL_FOR_CHUNKED (n, float, y, =, v >= 0 ? v : k * v, float v = x[i * sa]);
    }
  else
    SAL_FOR_CHUNKED (n, float, y, =, v >= 0 ? v : s[i] * v, float v = x[i * sa]);
}

static gboolean
prelu_infer (SalNode *node, SalTensor *const *in, SalTensor **out, gsize *workspace,
             GError **error)
{
  if (!check_float_input (node, in, 2, 2, error))
    return FALSE;
  if (in[1] == NULL || in[1]->dtype != SAL_DTYPE_FLOAT)
    return INVALID ("PRelu: the slope must be a float32 tensor");
  if (!sal_broadcast_to ("PRelu", "slope", in[1], in[0], error))
    return FALSE;
  *workspace = 0;
  return sal_tensor_set_shape (out[0], in[0]->dtype, in[0]->rank, in[0]->dims, error);
}

static gboolean
prelu_forward (SalNode *node, SalTensor *const *in, SalTensor **out, void *scratch,
               const SalExecCtx *ctx, GError **error)
{
  sal_map_binary (ctx, out[0], in[0], in[1], prelu_kernel);
  return TRUE;
}

/* dy/dx = x > 0 ? 1 : slope; dy/dslope = x < 0 ? x : 0, summed over broadcast axes */
static gboolean
prelu_backward (SalNode *node, SalTensor *const *in, SalTensor *const *out,
                SalTensor *const *gout, SalTensor **gin, void *scratch,
                const SalExecCtx *ctx, GError **error)
{
  const SalTensor *ops[3] = { out[0], in[0], in[1] };
  const float *x = in[0]->data, *s = in[1]->data, *g;
  float *gx, *gs;
  SalBroadcast b;
  SalBroadcastIter it;
  int64_t off[3], len, ss;

  if (gout[0] == NULL || out[0]->numel == 0)
    return TRUE;
  g = gout[0]->data;
  gx = gin[0] != NULL ? sal_tensor_f32 (gin[0]) : NULL;
  gs = gin[1] != NULL ? sal_tensor_f32 (gin[1]) : NULL;
  sal_broadcast_init (&b, 3, ops);
  ss = sal_broadcast_inner_stride (&b, 2);
  sal_broadcast_iter_init (&it, &b, 0, b.numel);
  while (sal_broadcast_iter_next (&it, off, &len))
    for (int64_t j = 0; j < len; j++)
      {
        int64_t i = off[0] + j, is = off[2] + j * ss;

        if (gx != NULL)
          gx[i] += x[i] > 0 ? g[i] : g[i] * s[is];
        if (gs != NULL && x[i] < 0)
          gs[is] += g[i] * x[i];
      }
  return TRUE;
}

/* ---- Clip: y = min(max(x, lo), hi) -------------------------------------- */

static gboolean
clip_infer (SalNode *node, SalTensor *const *in, SalTensor **out, gsize *workspace,
            GError **error)
{
  int max_in = node->opset >= 11 ? 3 : 1;
  SalDType t;

  if (node->n_inputs < 1 || node->n_inputs > max_in)
    return INVALID ("Clip (opset %d): expects 1 to %d inputs, got %d", node->opset, max_in,
                    node->n_inputs);
  if (in[0] == NULL)
    return INVALID ("Clip: input 0 is missing");
  t = in[0]->dtype;
  if (t != SAL_DTYPE_FLOAT && !(node->opset >= 12 && t != SAL_DTYPE_BOOL && sal_dtype_size (t) > 0))
    return UNSUPPORTED ("Clip (opset %d): inputs of type %s are not supported", node->opset,
                        sal_dtype_name (t));
  for (int i = 1; i < node->n_inputs; i++)
    {
      if (in[i] == NULL)
        continue;
      if (in[i]->dtype != t)
        return INVALID ("Clip: %s has type %s but the input is %s", i == 1 ? "min" : "max",
                        sal_dtype_name (in[i]->dtype), sal_dtype_name (t));
      if (in[i]->numel != 1)
        {
          g_autofree char *s = sal_shape_to_string (in[i]->rank, in[i]->dims);
          return INVALID ("Clip: %s must be a scalar, got shape %s", i == 1 ? "min" : "max", s);
        }
    }
  *workspace = 0;
  return sal_tensor_set_shape (out[0], t, in[0]->rank, in[0]->dims, error);
}

/* The bounds as doubles: attributes before opset 11, optional inputs from 11. */
static void
clip_bounds (SalNode *node, SalTensor *const *in, double *lo, double *hi)
{
  gboolean f = in[0]->dtype == SAL_DTYPE_FLOAT;

  if (node->opset < 11)
    {
      *lo = sal_node_attr_float (node, "min", -FLT_MAX);
      *hi = sal_node_attr_float (node, "max", FLT_MAX);
      return;
    }
  *lo = f ? -INFINITY : (double) G_MININT64;
  *hi = f ? INFINITY : (double) G_MAXINT64;
  if (node->n_inputs > 1 && in[1] != NULL)
    *lo = sal_tensor_get_f64 (in[1], 0);
  if (node->n_inputs > 2 && in[2] != NULL)
    *hi = sal_tensor_get_f64 (in[2], 0);
}

static void
clip_f32 (int64_t n, const float *x, float *y, const SalUnaryParams *p)
{
  float lo = p->alpha, hi = p->beta;

  /* NaN stays NaN; with lo > hi every value becomes hi, as the spec says */
  SAL_FOR_CHUNKED (n, float, y, =, v > hi ? hi : v, float v = x[i] < lo ? lo : x[i]);
}

static gboolean
clip_forward (SalNode *node, SalTensor *const *in, SalTensor **out, void *scratch,
              const SalExecCtx *ctx, GError **error)
{
  int64_t n = in[0]->numel;
  double lo, hi;

  clip_bounds (node, in, &lo, &hi);
  if (in[0]->dtype == SAL_DTYPE_FLOAT)
    {
      SalUnaryParams p = { (float) lo, (float) hi, 0 };
      sal_map_unary_f32 (ctx, n, in[0]->data, out[0]->data, clip_f32, &p);
    }
  else
    {
      /* integer bounds read exactly; the defaults are the type's range */
      int64_t ilo, ihi;

      switch (in[0]->dtype)
        {
        case SAL_DTYPE_INT64: ilo = G_MININT64; ihi = G_MAXINT64; break;
        case SAL_DTYPE_INT32: ilo = G_MININT32; ihi = G_MAXINT32; break;
        case SAL_DTYPE_INT8: ilo = G_MININT8; ihi = G_MAXINT8; break;
        case SAL_DTYPE_UINT8: ilo = 0; ihi = G_MAXUINT8; break;
        case SAL_DTYPE_FLOAT:
        case SAL_DTYPE_BOOL:
        case SAL_DTYPE_UNDEFINED:
        default: ilo = G_MININT64; ihi = G_MAXINT64; break;
        }
      if (node->n_inputs > 1 && in[1] != NULL)
        ilo = sal_tensor_get_i64 (in[1], 0);
      if (node->n_inputs > 2 && in[2] != NULL)
        ihi = sal_tensor_get_i64 (in[2], 0);
      for (int64_t i = 0; i < n; i++)
        {
          int64_t v = sal_tensor_get_i64 (in[0], i);
          v = v < ilo ? ilo : v;
          v = v > ihi ? ihi : v;
          switch (in[0]->dtype)
            {
            case SAL_DTYPE_INT64: sal_tensor_i64 (out[0])[i] = v; break;
            case SAL_DTYPE_INT32: ((gint32 *) out[0]->data)[i] = (gint32) v; break;
            case SAL_DTYPE_INT8: ((gint8 *) out[0]->data)[i] = (gint8) v; break;
            case SAL_DTYPE_UINT8:
            case SAL_DTYPE_FLOAT:
            case SAL_DTYPE_BOOL:
            case SAL_DTYPE_UNDEFINED:
            default: sal_tensor_u8 (out[0])[i] = (guint8) v; break;
            }
        }
    }
  return TRUE;
}

/* The gradient goes to x where lo <= x <= hi, else to the bound that was taken. */
static gboolean
clip_backward (SalNode *node, SalTensor *const *in, SalTensor *const *out,
               SalTensor *const *gout, SalTensor **gin, void *scratch,
               const SalExecCtx *ctx, GError **error)
{
  const float *x, *g;
  float lo, hi, *gx;
  double glo = 0, ghi = 0, dlo, dhi;

  if (gout[0] == NULL || in[0]->dtype != SAL_DTYPE_FLOAT)
    return TRUE;
  clip_bounds (node, in, &dlo, &dhi);
  lo = (float) dlo;
  hi = (float) dhi;
  x = in[0]->data;
  g = gout[0]->data;
  gx = gin[0] != NULL ? sal_tensor_f32 (gin[0]) : NULL;
  for (int64_t i = 0; i < in[0]->numel; i++)
    {
      if (x[i] >= lo && x[i] <= hi)
        {
          if (gx != NULL)
            gx[i] += g[i];
        }
      else if (x[i] > hi || hi < lo)
        ghi += g[i];
      else
        glo += g[i];
    }
  if (node->n_inputs > 1 && gin[1] != NULL)
    sal_tensor_f32 (gin[1])[0] += (float) glo;
  if (node->n_inputs > 2 && gin[2] != NULL)
    sal_tensor_f32 (gin[2])[0] += (float) ghi;
  return TRUE;
}

/* ---- Softmax, LogSoftmax ------------------------------------------------- */

/* The tensor as [outer, n, inner] with the softmax over n. Before opset 13 the
 * input is coerced to 2-D [prod(dims[:axis]), prod(dims[axis:])] (default
 * axis 1); from 13 it is along dims[axis] alone (default -1). */
static gboolean
softmax_layout (SalNode *node, const SalTensor *x, int64_t *outer, int64_t *n, int64_t *inner,
                GError **error)
{
  gboolean old = node->opset < 13;
  int64_t axis = sal_node_attr_int (node, "axis", old ? 1 : -1);
  int rank = x->rank;

  if (rank == 0 || axis < -rank || axis >= rank)
    {
      g_autofree char *s = sal_shape_to_string (x->rank, x->dims);
      return INVALID ("%s: axis %" G_GINT64_FORMAT " is out of range for an input of shape %s",
                      node->op_type, axis, s);
    }
  if (axis < 0)
    axis += rank;
  *outer = *n = *inner = 1;
  for (int d = 0; d < rank; d++)
    {
      if (d < axis)
        *outer *= x->dims[d];
      else if (d == axis || old)
        *n *= x->dims[d];
      else
        *inner *= x->dims[d];
    }
  return TRUE;
}

static gboolean
softmax_infer (SalNode *node, SalTensor *const *in, SalTensor **out, gsize *workspace,
               GError **error)
{
  int64_t outer, n, inner;

  if (!check_float_input (node, in, 1, 1, error))
    return FALSE;
  if (!softmax_layout (node, in[0], &outer, &n, &inner, error))
    return FALSE;
  *workspace = 0;
  return sal_tensor_set_shape (out[0], in[0]->dtype, in[0]->rank, in[0]->dims, error);
}

typedef struct {
  const float *x, *y, *g;
  float *out;
  int64_t n, inner;
  gboolean log;
} SoftmaxJob;

/* Rows r in [r0, r1) of the [outer * inner] independent rows. */
static void
softmax_rows (int64_t r0, int64_t r1, gpointer data)
{
  const SoftmaxJob *job = data;
  int64_t n = job->n, inner = job->inner;

  for (int64_t r = r0; r < r1; r++)
    {
      int64_t base = (r / inner) * n * inner + r % inner;
      const float *x = job->x + base;
      float *y = job->out + base;
      float m = -INFINITY;
      double sum = 0;

      for (int64_t k = 0; k < n; k++)
        m = fmaxf (m, x[k * inner]);
      if (isinf (m) && m < 0)
        m = 0;   /* a row of -inf: exp gives 0s, keep the NaN of 0/0 as the spec's formula does */
      for (int64_t k = 0; k < n; k++)
        {
          float e = expf (x[k * inner] - m);
          sum += e;
          if (!job->log)
            y[k * inner] = e;
        }
      if (job->log)
        {
          float ls = (float) log (sum) + m;
          for (int64_t k = 0; k < n; k++)
            y[k * inner] = x[k * inner] - ls;
        }
      else
        {
          float inv = (float) (1.0 / sum);
          for (int64_t k = 0; k < n; k++)
            y[k * inner] *= inv;
        }
    }
}

/* Softmax: y_k = e^{x_k} / sum_j e^{x_j}; LogSoftmax: y_k = x_k - ln sum_j e^{x_j}. */
static gboolean
softmax_forward (SalNode *node, SalTensor *const *in, SalTensor **out, void *scratch,
                 const SalExecCtx *ctx, GError **error)
{
  SoftmaxJob job = { .x = in[0]->data, .out = out[0]->data,
                     .log = strcmp (node->op_type, "LogSoftmax") == 0 };
  int64_t outer, rows;

  if (!softmax_layout (node, in[0], &outer, &job.n, &job.inner, error))
    return FALSE;
  rows = outer * job.inner;
  if (in[0]->numel == 0)
    return TRUE;
  if (in[0]->numel >= SAL_PARALLEL_MIN_ELEMENTS && ctx != NULL && ctx->n_threads > 1)
    sal_exec_parallel_for (ctx, rows, softmax_rows, &job);
  else
    softmax_rows (0, rows, &job);
  return TRUE;
}

/* Softmax: gx = y (g - sum(g y)); LogSoftmax: gx = g - e^y sum(g). */
static void
softmax_grad_rows (int64_t r0, int64_t r1, gpointer data)
{
  const SoftmaxJob *job = data;
  int64_t n = job->n, inner = job->inner;

  for (int64_t r = r0; r < r1; r++)
    {
      int64_t base = (r / inner) * n * inner + r % inner;
      const float *y = job->y + base, *g = job->g + base;
      float *gx = job->out + base;
      double dot = 0;

      if (job->log)
        {
          for (int64_t k = 0; k < n; k++)
            dot += g[k * inner];
          for (int64_t k = 0; k < n; k++)
            gx[k * inner] += g[k * inner] - expf (y[k * inner]) * (float) dot;
        }
      else
        {
          for (int64_t k = 0; k < n; k++)
            dot += (double) g[k * inner] * y[k * inner];
          for (int64_t k = 0; k < n; k++)
            gx[k * inner] += y[k * inner] * (g[k * inner] - (float) dot);
        }
    }
}

static gboolean
softmax_backward (SalNode *node, SalTensor *const *in, SalTensor *const *out,
                  SalTensor *const *gout, SalTensor **gin, void *scratch,
                  const SalExecCtx *ctx, GError **error)
{
  SoftmaxJob job = { .y = out[0]->data, .log = strcmp (node->op_type, "LogSoftmax") == 0 };
  int64_t outer, rows;

  if (gout[0] == NULL || gin[0] == NULL || in[0]->numel == 0)
    return TRUE;
  if (!softmax_layout (node, in[0], &outer, &job.n, &job.inner, error))
    return FALSE;
  job.g = gout[0]->data;
  job.out = gin[0]->data;
  rows = outer * job.inner;
  if (in[0]->numel >= SAL_PARALLEL_MIN_ELEMENTS && ctx != NULL && ctx->n_threads > 1)
    sal_exec_parallel_for (ctx, rows, softmax_grad_rows, &job);
  else
    softmax_grad_rows (0, rows, &job);
  return TRUE;
}

#define ACT(name) { name, act_infer, NULL, act_forward, act_backward, TRUE }

static const SalOpDef defs[] = {
  ACT ("Relu"),
  ACT ("LeakyRelu"),
  ACT ("Sigmoid"),
  ACT ("HardSigmoid"),
  ACT ("HardSwish"),
  ACT ("Tanh"),
  ACT ("Elu"),
  ACT ("Selu"),
  ACT ("Softplus"),
  ACT ("Softsign"),
  { "PRelu", prelu_infer, NULL, prelu_forward, prelu_backward },
  { "Clip", clip_infer, NULL, clip_forward, clip_backward },
  { "Softmax", softmax_infer, NULL, softmax_forward, softmax_backward },
  { "LogSoftmax", softmax_infer, NULL, softmax_forward, softmax_backward },
};

const SalOpGroup sal_ops_activation = { defs, G_N_ELEMENTS (defs) };
