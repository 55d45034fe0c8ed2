/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-engine"

/* Operators of the shape group that produce or convert values: Constant,
 * ConstantOfShape, Cast, Range, Dropout. */

#include "sal-ops-shape-private.h"

#include <math.h>
#include <string.h>

/* ------------------------------------------------------ Constant, ConstantOfShape */

/* The value of a Constant node as a tensor view (data owned by the node or by `scalar`). */
static gboolean
constant_value (SalNode *node, SalTensor *view, int64_t *scalar, GError **error)
{
  const SalAttr *a;
  int64_t n;

  if ((a = sal_node_attr (node, "value")) != NULL && a->type == SAL_ATTR_TENSOR)
    {
      if (sal_dtype_size (a->t->dtype) == 0)
        {
          sal_op_fail (error, SAL_ERROR_UNSUPPORTED, node, "its value has an unsupported type");
          return FALSE;
        }
      *view = *a->t;
      view->owns_data = FALSE;
      return TRUE;
    }
  memset (view, 0, sizeof *view);
  if ((a = sal_node_attr (node, "value_float")) != NULL)
    {
      memcpy (scalar, &a->f, sizeof a->f);
      view->data = scalar;
      return sal_tensor_set_shape (view, SAL_DTYPE_FLOAT, 0, NULL, error);
    }
  if ((a = sal_node_attr (node, "value_int")) != NULL)
    {
      *scalar = a->i;
      view->data = scalar;
      return sal_tensor_set_shape (view, SAL_DTYPE_INT64, 0, NULL, error);
    }
  if ((a = sal_node_attr (node, "value_floats")) != NULL && a->type == SAL_ATTR_FLOATS)
    {
      n = a->n;
      view->data = a->floats;
      return sal_tensor_set_shape (view, SAL_DTYPE_FLOAT, 1, &n, error);
    }
  if ((a = sal_node_attr (node, "value_ints")) != NULL && a->type == SAL_ATTR_INTS)
    {
      n = a->n;
      view->data = a->ints;
      return sal_tensor_set_shape (view, SAL_DTYPE_INT64, 1, &n, error);
    }
  sal_op_fail (error, SAL_ERROR_UNSUPPORTED, node,
               "no supported value attribute (value, value_float(s), value_int(s))");
  return FALSE;
}

gboolean
sal_constant_infer (SalNode *node, SalTensor *const *in, SalTensor **out, gsize *workspace,
                    GError **error)
{
  SalTensor v;
  int64_t scalar;

  if (!constant_value (node, &v, &scalar, error))
    return FALSE;
  return sal_tensor_set_shape (out[0], v.dtype, v.rank, v.dims, error);
}

gboolean
sal_constant_forward (SalNode *node, SalTensor *const *in, SalTensor **out, void *scratch,
                      const SalExecCtx *ctx, GError **error)
{
  SalTensor v;
  int64_t scalar;

  if (!constant_value (node, &v, &scalar, error))
    return FALSE;
  if (v.numel > 0)
    memcpy (out[0]->data, v.data, sal_tensor_nbytes (&v));
  return TRUE;
}

gboolean
sal_constant_of_shape_infer (SalNode *node, SalTensor *const *in, SalTensor **out,
                             gsize *workspace, GError **error)
{
  int64_t dims[SAL_MAX_RANK];
  const SalTensor *v = sal_node_attr_tensor (node, "value");
  int n = sal_op_read_ints (node, in[0], "shape", dims, SAL_MAX_RANK, error);

  if (n < 0)
    return FALSE;
  if (v != NULL && (v->numel != 1 || sal_dtype_size (v->dtype) == 0))
    {
      sal_op_fail (error, SAL_ERROR_UNSUPPORTED, node,
                   "value must be one element of a supported type");
      return FALSE;
    }
  return sal_tensor_set_shape (out[0], v != NULL ? v->dtype : SAL_DTYPE_FLOAT, n, dims, error);
}

/* y = value (default float 0) everywhere */
gboolean
sal_constant_of_shape_forward (SalNode *node, SalTensor *const *in, SalTensor **out,
                               void *scratch, const SalExecCtx *ctx, GError **error)
{
  const SalTensor *v = sal_node_attr_tensor (node, "value");
  gsize es = sal_dtype_size (out[0]->dtype);
  char *d = out[0]->data;

  if (v == NULL)
    {
      if (out[0]->numel > 0)
        memset (d, 0, sal_tensor_nbytes (out[0]));
      return TRUE;
    }
  for (int64_t i = 0; i < out[0]->numel; i++)
    memcpy (d + i * es, v->data, es);
  return TRUE;
}

/* ----------------------------------------------------------------------- Cast */

static gboolean
cast_supported (SalNode *node, int64_t dt, const char *which, GError **error)
{
  if (dt == SAL_DTYPE_FLOAT || dt == SAL_DTYPE_UINT8 || dt == SAL_DTYPE_INT8
      || dt == SAL_DTYPE_INT32 || dt == SAL_DTYPE_INT64 || dt == SAL_DTYPE_BOOL)
    return TRUE;
  sal_op_fail (error, SAL_ERROR_UNSUPPORTED, node,
               "%s type %" G_GINT64_FORMAT " is not supported (Salient supports float32, "
               "int64, int32, int8, uint8 and bool)", which, dt);
  return FALSE;
}

gboolean
sal_cast_infer (SalNode *node, SalTensor *const *in, SalTensor **out, gsize *workspace,
                GError **error)
{
  int64_t to = sal_node_attr_int (node, "to", 0);

  if (!cast_supported (node, in[0]->dtype, "the input", error)
      || !cast_supported (node, to, "the target", error))
    return FALSE;
  return sal_tensor_set_shape (out[0], (SalDType) to, in[0]->rank, in[0]->dims, error);
}

/* Float to integer truncates toward zero, saturating (NaN gives 0). */
static inline int64_t
sat_i64 (double v, double lo, double hi)
{
  if (isnan (v))
    return 0;
  if (v <= lo)
    return (int64_t) lo;
  if (v >= hi)
    return (int64_t) hi;
  return (int64_t) v;
}

static void
cast_store (SalTensor *y, int64_t i, gboolean from_float, double f, int64_t v)
{
  switch (y->dtype)
    {
    case SAL_DTYPE_FLOAT:
      sal_tensor_f32 (y)[i] = from_float ? (float) f : (float) v;
      break;
    case SAL_DTYPE_INT64:
      sal_tensor_i64 (y)[i] = from_float ? sat_i64 (f, -9.2233720368547758e18,
                                                    9.2233720368547748e18) : v;
      break;
    case SAL_DTYPE_INT32:
      ((gint32 *) y->data)[i] = (gint32) (from_float ? sat_i64 (f, G_MININT32, G_MAXINT32)
                                          : (int64_t) (gint32) (guint32) v);
      break;
    case SAL_DTYPE_INT8:
      ((gint8 *) y->data)[i] = (gint8) (from_float ? sat_i64 (f, -128, 127)
                                        : (int64_t) (gint8) (guint8) v);
      break;
    case SAL_DTYPE_UINT8:
      ((guint8 *) y->data)[i] = (guint8) (from_float ? sat_i64 (f, 0, 255) : v);
      break;
    case SAL_DTYPE_BOOL:
      ((guint8 *) y->data)[i] = from_float ? f != 0.0 : v != 0;
      break;
    case SAL_DTYPE_UNDEFINED:
    default:
      g_assert_not_reached ();
    }
}

gboolean
sal_cast_forward (SalNode *node, SalTensor *const *in, SalTensor **out, void *scratch,
                  const SalExecCtx *ctx, GError **error)
{
  const SalTensor *x = in[0];
  gboolean from_float = x->dtype == SAL_DTYPE_FLOAT;

  if (x->dtype == out[0]->dtype)
    return sal_op_copy_forward (node, in, out, scratch, ctx, error);
  for (int64_t i = 0; i < x->numel; i++)
    cast_store (out[0], i, from_float, from_float ? sal_tensor_f32 (x)[i] : 0,
                from_float ? 0 : sal_tensor_get_i64 (x, i));
  return TRUE;
}

/* Only a float-to-float Cast passes a gradient; integer results are constants. */
gboolean
sal_cast_backward (SalNode *node, SalTensor *const *in, SalTensor *const *out,
                   SalTensor *const *gout, SalTensor **gin, void *scratch,
                   const SalExecCtx *ctx, GError **error)
{
  if (in[0]->dtype == SAL_DTYPE_FLOAT && out[0]->dtype == SAL_DTYPE_FLOAT)
    return sal_op_copy_backward (node, in, out, gout, gin, scratch, ctx, error);
  return TRUE;
}

/* ---------------------------------------------------------------------- Range */

static gboolean
range_count (SalNode *node, SalTensor *const *in, int64_t *n, GError **error)
{
  const char *names[3] = { "start", "limit", "delta" };
  SalDType dt = in[0]->dtype;

  for (int i = 0; i < 3; i++)
    {
      if (!sal_op_has_in (node, in, i) || in[i]->numel != 1 || in[i]->dtype != dt)
        {
          sal_op_fail (error, SAL_ERROR_INVALID, node,
                       "%s must be a scalar of the same type as start", names[i]);
          return FALSE;
        }
      if (in[i]->data == NULL)
        {
          sal_op_fail (error, SAL_ERROR_UNSUPPORTED, node,
                       "%s is computed while the model runs; Salient needs it known "
                       "before the run", names[i]);
          return FALSE;
        }
    }
  if (dt == SAL_DTYPE_FLOAT)
    {
      double s = sal_tensor_f32 (in[0])[0], l = sal_tensor_f32 (in[1])[0];
      double d = sal_tensor_f32 (in[2])[0], c = d != 0 ? ceil ((l - s) / d) : 0;
      if (d == 0 || !isfinite (c) || c > 1e15)
        {
          sal_op_fail (error, SAL_ERROR_INVALID, node, "delta is zero or the range is unbounded");
          return FALSE;
        }
      *n = c > 0 ? (int64_t) c : 0;
      return TRUE;
    }
  if (dt == SAL_DTYPE_INT64 || dt == SAL_DTYPE_INT32)
    {
      int64_t s = sal_tensor_get_i64 (in[0], 0), l = sal_tensor_get_i64 (in[1], 0);
      int64_t d = sal_tensor_get_i64 (in[2], 0);
      if (d == 0 || (s > 0 && l < s - G_MAXINT64 / 4) || (s < 0 && l > s + G_MAXINT64 / 4)
          || l > G_MAXINT64 / 4 || l < G_MININT64 / 4)
        {
          sal_op_fail (error, SAL_ERROR_INVALID, node, "delta is zero or the range too wide");
          return FALSE;
        }
      if (d > 0)
        *n = l > s ? (l - s + d - 1) / d : 0;
      else
        *n = s > l ? (s - l - d - 1) / (-d) : 0;
      return TRUE;
    }
  sal_op_fail (error, SAL_ERROR_UNSUPPORTED, node, "type %s is not supported",
               sal_dtype_name (dt));
  return FALSE;
}

/* y[i] = start + i * delta, for i < ceil((limit - start) / delta) */
gboolean
sal_range_infer (SalNode *node, SalTensor *const *in, SalTensor **out, gsize *workspace,
                 GError **error)
{
  int64_t n;

  if (!range_count (node, in, &n, error))
    return FALSE;
  return sal_tensor_set_shape (out[0], in[0]->dtype, 1, &n, error);
}

gboolean
sal_range_forward (SalNode *node, SalTensor *const *in, SalTensor **out, void *scratch,
                   const SalExecCtx *ctx, GError **error)
{
  SalTensor *y = out[0];

  if (y->dtype == SAL_DTYPE_FLOAT)
    {
      float s = sal_tensor_f32 (in[0])[0], d = sal_tensor_f32 (in[2])[0];
      for (int64_t i = 0; i < y->numel; i++)
        sal_tensor_f32 (y)[i] = (float) (s + (double) i * d);
      return TRUE;
    }
  for (int64_t i = 0; i < y->numel; i++)
    {
      int64_t v = sal_tensor_get_i64 (in[0], 0) + i * sal_tensor_get_i64 (in[2], 0);
      if (y->dtype == SAL_DTYPE_INT64)
        sal_tensor_i64 (y)[i] = v;
      else
        ((gint32 *) y->data)[i] = (gint32) v;
    }
  return TRUE;
}

/* -------------------------------------------------------------------- Dropout */

gboolean
sal_dropout_infer (SalNode *node, SalTensor *const *in, SalTensor **out, gsize *workspace,
                   GError **error)
{
  if (in[0]->dtype != SAL_DTYPE_FLOAT)
    {
      sal_op_fail (error, SAL_ERROR_UNSUPPORTED, node, "only float32 input is supported");
      return FALSE;
    }
  if (!sal_tensor_set_shape (out[0], in[0]->dtype, in[0]->rank, in[0]->dims, error))
    return FALSE;
  if (sal_op_has_out (node, out, 1))
    return sal_tensor_set_shape (out[1], SAL_DTYPE_BOOL, in[0]->rank, in[0]->dims, error);
  /* Without a mask output the mask lives in scratch, for backward. */
  *workspace = (gsize) in[0]->numel;
  return TRUE;
}

/* Whether this run drops, and the ratio. */
static gboolean
dropout_mode (SalNode *node, SalTensor *const *in, const SalExecCtx *ctx, gboolean *training,
              double *ratio, GError **error)
{
  *ratio = node->opset < 12 ? sal_node_attr_float (node, "ratio", 0.5f) : 0.5;
  if (node->opset >= 12 && sal_op_has_in (node, in, 1) && in[1]->numel == 1)
    *ratio = sal_tensor_get_f64 (in[1], 0);
  *training = ctx != NULL && ctx->training;
  if (sal_op_has_in (node, in, 2) && in[2]->numel == 1 && sal_tensor_get_i64 (in[2], 0) != 0)
    *training = TRUE;
  if (!(*ratio >= 0 && *ratio <= 1))
    {
      sal_op_fail (error, SAL_ERROR_INVALID, node, "ratio %g is not in [0, 1]", *ratio);
      return FALSE;
    }
  if (*ratio == 0)
    *training = FALSE;
  return TRUE;
}

/* training: y = x * mask / (1 - ratio), mask ~ Bernoulli(1 - ratio); else y = x */
gboolean
sal_dropout_forward (SalNode *node, SalTensor *const *in, SalTensor **out, void *scratch,
                     const SalExecCtx *ctx, GError **error)
{
  guint8 *mask = sal_op_has_out (node, out, 1) ? out[1]->data : scratch;
  const float *x = sal_tensor_f32 (in[0]);
  float *y = sal_tensor_f32 (out[0]);
  gboolean training;
  double ratio;
  float scale;

  if (!dropout_mode (node, in, ctx, &training, &ratio, error))
    return FALSE;
  if (!training)
    {
      if (mask != NULL && in[0]->numel > 0)
        memset (mask, 1, in[0]->numel);
      return sal_op_copy_forward (node, in, out, scratch, ctx, error);
    }
  if (ctx->rng == NULL)
    {
      sal_op_fail (error, SAL_ERROR_INVALID, node,
                   "training-mode dropout needs a seeded random generator");
      return FALSE;
    }
  scale = ratio < 1 ? (float) (1.0 / (1.0 - ratio)) : 0.0f;
  for (int64_t i = 0; i < in[0]->numel; i++)
    {
      guint8 keep = ratio < 1 && g_rand_double (ctx->rng) >= ratio;
      mask[i] = keep;
      y[i] = keep ? x[i] * scale : 0.0f;
    }
  return TRUE;
}

/* dx += dy * mask / (1 - ratio) */
gboolean
sal_dropout_backward (SalNode *node, SalTensor *const *in, SalTensor *const *out,
                      SalTensor *const *gout, SalTensor **gin, void *scratch,
                      const SalExecCtx *ctx, GError **error)
{
  const guint8 *mask = sal_op_has_out (node, out, 1) ? out[1]->data : scratch;
  gboolean training;
  double ratio;
  float scale;

  if (gin[0] == NULL || gout[0] == NULL)
    return TRUE;
  if (!dropout_mode (node, in, ctx, &training, &ratio, error))
    return FALSE;
  if (!training)
    return sal_op_copy_backward (node, in, out, gout, gin, scratch, ctx, error);
  scale = ratio < 1 ? (float) (1.0 / (1.0 - ratio)) : 0.0f;
  for (int64_t i = 0; i < in[0]->numel; i++)
    if (mask[i])
      sal_tensor_f32 (gin[0])[i] += sal_tensor_f32 (gout[0])[i] * scale;
  return TRUE;
}
