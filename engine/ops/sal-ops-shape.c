/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-engine"

/* Shape and data-movement operators: the group table, shared helpers, and the
 * operators that relabel data (Reshape family, Transpose, Shape). Concat ...
 * Tile are in sal-ops-shape-index.c, Pad in sal-ops-shape-pad.c, Constant,
 * ConstantOfShape, Cast, Range and Dropout in sal-ops-shape-values.c. */

#include "sal-ops-shape-private.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

/* ---------------------------------------------------------------- helpers */

void
sal_op_fail (GError **error, SalErrorCode code, const SalNode *node, const char *fmt, ...)
{
  g_autofree char *msg = NULL;
  va_list ap;

  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  if (node->name != NULL && node->name[0] != '\0')
    g_set_error (error, SAL_ERROR, code, "%s node '%s': %s", node->op_type, node->name, msg);
  else
    g_set_error (error, SAL_ERROR, code, "%s: %s", node->op_type, msg);
}

static gboolean
check_known (const SalNode *node, const SalTensor *t, const char *what, int max, GError **error)
{
  if (t->data == NULL && t->numel > 0)
    {
      sal_op_fail (error, SAL_ERROR_UNSUPPORTED, node,
                   "the %s input is computed while the model runs; Salient needs it "
                   "known before the run (an initializer or a Constant)", what);
      return FALSE;
    }
  if (t->rank > 1)
    {
      sal_op_fail (error, SAL_ERROR_INVALID, node, "the %s input must be 1-D, not of rank %d",
                   what, t->rank);
      return FALSE;
    }
  if (t->numel > max)
    {
      sal_op_fail (error, SAL_ERROR_UNSUPPORTED, node,
                   "the %s input has %" G_GINT64_FORMAT " values; at most %d are supported",
                   what, t->numel, max);
      return FALSE;
    }
  return TRUE;
}

int
sal_op_read_ints (const SalNode *node, const SalTensor *t, const char *what,
                  int64_t *vals, int max, GError **error)
{
  if (!check_known (node, t, what, max, error))
    return -1;
  if (t->dtype != SAL_DTYPE_INT64 && t->dtype != SAL_DTYPE_INT32)
    {
      sal_op_fail (error, SAL_ERROR_INVALID, node, "the %s input must be int64 or int32, not %s",
                   what, sal_dtype_name (t->dtype));
      return -1;
    }
  for (int64_t i = 0; i < t->numel; i++)
    vals[i] = sal_tensor_get_i64 (t, i);
  return (int) t->numel;
}

int
sal_op_read_floats (const SalNode *node, const SalTensor *t, const char *what,
                    double *vals, int max, GError **error)
{
  if (!check_known (node, t, what, max, error))
    return -1;
  if (sal_dtype_size (t->dtype) == 0)
    {
      sal_op_fail (error, SAL_ERROR_UNSUPPORTED, node, "the %s input has an unsupported type",
                   what);
      return -1;
    }
  for (int64_t i = 0; i < t->numel; i++)
    vals[i] = sal_tensor_get_f64 (t, i);
  return (int) t->numel;
}

gboolean
sal_op_axis (const SalNode *node, int64_t axis, int rank, int *out, GError **error)
{
  if (axis < -rank || axis >= rank)
    {
      sal_op_fail (error, SAL_ERROR_INVALID, node,
                   "axis %" G_GINT64_FORMAT " is out of range for rank %d", axis, rank);
      return FALSE;
    }
  *out = (int) (axis < 0 ? axis + rank : axis);
  return TRUE;
}

void
sal_op_strides (int rank, const int64_t *dims, int64_t *strides)
{
  int64_t s = 1;

  for (int i = rank - 1; i >= 0; i--)
    {
      strides[i] = s;
      s *= dims[i];
    }
}

static inline void
walk_row (SalWalkMode mode, gsize elem, int64_t n, int64_t stride, char *src, char *dst)
{
  if (mode == SAL_WALK_SCATTER_ADD)
    {
      float *s = (float *) src;
      const float *d = (const float *) dst;
      for (int64_t k = 0; k < n; k++)
        s[k * stride] += d[k];
      return;
    }
  if (stride == 1)
    {
      memcpy (dst, src, n * elem);
      return;
    }
  switch (elem)
    {
    case 1:
      for (int64_t k = 0; k < n; k++)
        ((guint8 *) dst)[k] = ((const guint8 *) src)[k * stride];
      break;
    case 4:
      for (int64_t k = 0; k < n; k++)
        ((guint32 *) dst)[k] = ((const guint32 *) src)[k * stride];
      break;
    case 8:
      for (int64_t k = 0; k < n; k++)
        ((guint64 *) dst)[k] = ((const guint64 *) src)[k * stride];
      break;
    default:
      for (int64_t k = 0; k < n; k++)
        memcpy (dst + k * elem, src + k * stride * elem, elem);
    }
}

void
sal_op_walk (SalWalkMode mode, int rank, const int64_t *dims, const int64_t *strides,
             int64_t base, gsize elem, void *strided, void *contig)
{
  int64_t idx[SAL_WALK_MAX_RANK] = { 0 };
  int64_t total = 1, inner, istride, off = base;

  g_assert (rank >= 0 && rank <= SAL_WALK_MAX_RANK);
  for (int i = 0; i < rank; i++)
    total *= dims[i];
  if (total == 0)
    return;
  inner = rank > 0 ? dims[rank - 1] : 1;
  istride = rank > 0 ? strides[rank - 1] : 1;
  for (int64_t o = 0; o < total; o += inner)
    {
      walk_row (mode, elem, inner, istride, (char *) strided + off * (int64_t) elem,
                (char *) contig + o * (int64_t) elem);
      for (int a = rank - 2; a >= 0; a--)
        {
          idx[a]++;
          off += strides[a];
          if (idx[a] < dims[a])
            break;
          off -= idx[a] * strides[a];
          idx[a] = 0;
        }
    }
}

static void
add_f32 (SalTensor *g, const SalTensor *d)
{
  float *a = sal_tensor_f32 (g);
  const float *b = sal_tensor_f32 (d);

  for (int64_t i = 0; i < g->numel; i++)
    a[i] += b[i];
}

/* -------------------------------------------- Identity, Flatten, Reshape, Squeeze, Unsqueeze */

/* y = x with another shape: the data is the same row-major sequence. */
gboolean
sal_op_copy_forward (SalNode *node, SalTensor *const *in, SalTensor **out, void *scratch,
                     const SalExecCtx *ctx, GError **error)
{
  if (out[0]->data != in[0]->data && out[0]->numel > 0)
    memcpy (out[0]->data, in[0]->data, sal_tensor_nbytes (out[0]));
  return TRUE;
}

/* dx += dy (same element order) */
gboolean
sal_op_copy_backward (SalNode *node, SalTensor *const *in, SalTensor *const *out,
                      SalTensor *const *gout, SalTensor **gin, void *scratch,
                      const SalExecCtx *ctx, GError **error)
{
  if (gin[0] != NULL && gout[0] != NULL)
    add_f32 (gin[0], gout[0]);
  return TRUE;
}

static gboolean
identity_infer (SalNode *node, SalTensor *const *in, SalTensor **out, gsize *workspace,
                GError **error)
{
  return sal_tensor_set_shape (out[0], in[0]->dtype, in[0]->rank, in[0]->dims, error);
}

/* [d0..dn] -> [d0*..*d(axis-1), d(axis)*..*dn] */
static gboolean
flatten_infer (SalNode *node, SalTensor *const *in, SalTensor **out, gsize *workspace,
               GError **error)
{
  int64_t axis = sal_node_attr_int (node, "axis", 1), dims[2] = { 1, 1 };
  int r = in[0]->rank, a;

  if (axis < -r || axis > r)
    {
      sal_op_fail (error, SAL_ERROR_INVALID, node,
                   "axis %" G_GINT64_FORMAT " is out of range for rank %d", axis, r);
      return FALSE;
    }
  a = (int) (axis < 0 ? axis + r : axis);
  for (int i = 0; i < r; i++)
    dims[i < a ? 0 : 1] *= in[0]->dims[i];
  return sal_tensor_set_shape (out[0], in[0]->dtype, 2, dims, error);
}

static gboolean
reshape_infer (SalNode *node, SalTensor *const *in, SalTensor **out, gsize *workspace,
               GError **error)
{
  int64_t shape[SAL_MAX_RANK], known = 1;
  gboolean allowzero = node->opset >= 14 && sal_node_attr_int (node, "allowzero", 0) != 0;
  int n, infer_at = -1;

  if (!sal_op_has_in (node, in, 1))
    {
      sal_op_fail (error, SAL_ERROR_INVALID, node, "the shape input is missing");
      return FALSE;
    }
  n = sal_op_read_ints (node, in[1], "shape", shape, SAL_MAX_RANK, error);
  if (n < 0)
    return FALSE;
  for (int i = 0; i < n; i++)
    {
      if (shape[i] == 0 && !allowzero)
        {
          if (i >= in[0]->rank)
            {
              sal_op_fail (error, SAL_ERROR_INVALID, node,
                           "shape[%d] is 0 (copy) but the input has only %d dimensions",
                           i, in[0]->rank);
              return FALSE;
            }
          shape[i] = in[0]->dims[i];
        }
      if (shape[i] == -1)
        {
          if (infer_at >= 0)
            {
              sal_op_fail (error, SAL_ERROR_INVALID, node, "shape has more than one -1");
              return FALSE;
            }
          infer_at = i;
          continue;
        }
      if (shape[i] < 0)
        {
          sal_op_fail (error, SAL_ERROR_INVALID, node,
                       "shape[%d] is %" G_GINT64_FORMAT, i, shape[i]);
          return FALSE;
        }
      if (shape[i] != 0 && known > G_MAXINT64 / 16 / shape[i])
        {
          sal_op_fail (error, SAL_ERROR_TOO_LARGE, node, "the new shape is too large");
          return FALSE;
        }
      known *= shape[i];
    }
  if (infer_at >= 0)
    {
      if (known == 0 || in[0]->numel % known != 0)
        {
          g_autofree char *s = sal_shape_to_string (in[0]->rank, in[0]->dims);
          sal_op_fail (error, SAL_ERROR_INVALID, node,
                       "cannot infer the -1 dimension: input %s does not divide evenly", s);
          return FALSE;
        }
      shape[infer_at] = in[0]->numel / known;
      known *= shape[infer_at];
    }
  if (known != in[0]->numel)
    {
      g_autofree char *s = sal_shape_to_string (in[0]->rank, in[0]->dims);
      g_autofree char *t = sal_shape_to_string (n, shape);
      sal_op_fail (error, SAL_ERROR_INVALID, node, "cannot reshape %s into %s", s, t);
      return FALSE;
    }
  return sal_tensor_set_shape (out[0], in[0]->dtype, n, shape, error);
}

/* The axes of Squeeze / Unsqueeze: an attribute before opset 13, an input since. */
static int
read_axes (SalNode *node, SalTensor *const *in, int64_t *axes, GError **error)
{
  if (node->opset < 13)
    {
      const int64_t *a;
      int n = sal_node_attr_ints (node, "axes", &a);
      if (n > SAL_MAX_RANK)
        {
          sal_op_fail (error, SAL_ERROR_INVALID, node, "too many axes (%d)", n);
          return -1;
        }
      if (n > 0)
        memcpy (axes, a, n * sizeof (int64_t));
      return n;
    }
  if (!sal_op_has_in (node, in, 1))
    return 0;
  return sal_op_read_ints (node, in[1], "axes", axes, SAL_MAX_RANK, error);
}

static gboolean
squeeze_infer (SalNode *node, SalTensor *const *in, SalTensor **out, gsize *workspace,
               GError **error)
{
  int64_t axes[SAL_MAX_RANK], dims[SAL_MAX_RANK];
  gboolean drop[SAL_MAX_RANK] = { FALSE };
  int n = read_axes (node, in, axes, error), r = in[0]->rank, k = 0;

  if (n < 0)
    return FALSE;
  for (int i = 0; i < n; i++)
    {
      int a;
      if (!sal_op_axis (node, axes[i], r, &a, error))
        return FALSE;
      if (in[0]->dims[a] != 1)
        {
          sal_op_fail (error, SAL_ERROR_INVALID, node,
                       "cannot squeeze axis %d of size %" G_GINT64_FORMAT, a, in[0]->dims[a]);
          return FALSE;
        }
      drop[a] = TRUE;
    }
  for (int i = 0; i < r; i++)
    if (n > 0 ? !drop[i] : in[0]->dims[i] != 1)
      dims[k++] = in[0]->dims[i];
  return sal_tensor_set_shape (out[0], in[0]->dtype, k, dims, error);
}

static gboolean
unsqueeze_infer (SalNode *node, SalTensor *const *in, SalTensor **out, gsize *workspace,
                 GError **error)
{
  int64_t axes[SAL_MAX_RANK], dims[SAL_MAX_RANK];
  gboolean added[SAL_MAX_RANK] = { FALSE };
  int n, r = in[0]->rank, k = 0;

  if (node->opset >= 13 && !sal_op_has_in (node, in, 1))
    {
      sal_op_fail (error, SAL_ERROR_INVALID, node, "the axes input is missing");
      return FALSE;
    }
  n = read_axes (node, in, axes, error);
  if (n < 0)
    return FALSE;
  if (r + n > SAL_MAX_RANK)
    {
      sal_op_fail (error, SAL_ERROR_UNSUPPORTED, node, "the result would have rank %d (at most %d)",
                   r + n, SAL_MAX_RANK);
      return FALSE;
    }
  for (int i = 0; i < n; i++)
    {
      int a;
      if (!sal_op_axis (node, axes[i], r + n, &a, error))
        return FALSE;
      if (added[a])
        {
          sal_op_fail (error, SAL_ERROR_INVALID, node, "axis %d is listed twice", a);
          return FALSE;
        }
      added[a] = TRUE;
    }
  for (int i = 0; i < r + n; i++)
    dims[i] = added[i] ? 1 : in[0]->dims[k++];
  return sal_tensor_set_shape (out[0], in[0]->dtype, r + n, dims, error);
}

/* ------------------------------------------------------------------ Transpose */

static gboolean
transpose_perm (SalNode *node, int rank, int *perm, GError **error)
{
  const int64_t *p;
  int n = sal_node_attr_ints (node, "perm", &p);
  gboolean seen[SAL_MAX_RANK] = { FALSE };

  if (n == 0)
    {
      for (int i = 0; i < rank; i++)
        perm[i] = rank - 1 - i;
      return TRUE;
    }
  if (n != rank)
    {
      sal_op_fail (error, SAL_ERROR_INVALID, node, "perm has %d entries for rank %d", n, rank);
      return FALSE;
    }
  for (int i = 0; i < n; i++)
    {
      int a;
      if (!sal_op_axis (node, p[i], rank, &a, error))
        return FALSE;
      if (seen[a])
        {
          sal_op_fail (error, SAL_ERROR_INVALID, node, "perm lists axis %d twice", a);
          return FALSE;
        }
      seen[a] = TRUE;
      perm[i] = a;
    }
  return TRUE;
}

/* y[i0..in] = x[i(perm^-1)]: out dim k is in dim perm[k] */
static gboolean
transpose_infer (SalNode *node, SalTensor *const *in, SalTensor **out, gsize *workspace,
                 GError **error)
{
  int perm[SAL_MAX_RANK];
  int64_t dims[SAL_MAX_RANK];

  if (!transpose_perm (node, in[0]->rank, perm, error))
    return FALSE;
  for (int i = 0; i < in[0]->rank; i++)
    dims[i] = in[0]->dims[perm[i]];
  return sal_tensor_set_shape (out[0], in[0]->dtype, in[0]->rank, dims, error);
}

static gboolean
transpose_walk (SalNode *node, const SalTensor *x, SalWalkMode mode, void *strided,
                void *contig, GError **error)
{
  int perm[SAL_MAX_RANK];
  int64_t in_strides[SAL_MAX_RANK], dims[SAL_MAX_RANK], strides[SAL_MAX_RANK];

  if (!transpose_perm (node, x->rank, perm, error))
    return FALSE;
  sal_op_strides (x->rank, x->dims, in_strides);
  for (int i = 0; i < x->rank; i++)
    {
      dims[i] = x->dims[perm[i]];
      strides[i] = in_strides[perm[i]];
    }
  sal_op_walk (mode, x->rank, dims, strides, 0, sal_dtype_size (x->dtype), strided, contig);
  return TRUE;
}

static gboolean
transpose_forward (SalNode *node, SalTensor *const *in, SalTensor **out, void *scratch,
                   const SalExecCtx *ctx, GError **error)
{
  return transpose_walk (node, in[0], SAL_WALK_GATHER, in[0]->data, out[0]->data, error);
}

/* dx = transpose(dy, perm^-1), added */
static gboolean
transpose_backward (SalNode *node, SalTensor *const *in, SalTensor *const *out,
                    SalTensor *const *gout, SalTensor **gin, void *scratch,
                    const SalExecCtx *ctx, GError **error)
{
  if (gin[0] == NULL || gout[0] == NULL)
    return TRUE;
  return transpose_walk (node, in[0], SAL_WALK_SCATTER_ADD, gin[0]->data, gout[0]->data, error);
}

/* ---------------------------------------------------------------------- Shape */

static void
shape_range (SalNode *node, int rank, int64_t *start, int64_t *end)
{
  int64_t s = node->opset >= 15 ? sal_node_attr_int (node, "start", 0) : 0;
  int64_t e = node->opset >= 15 ? sal_node_attr_int (node, "end", rank) : rank;

  if (s < 0)
    s += rank;
  if (e < 0)
    e += rank;
  *start = CLAMP (s, 0, rank);
  *end = CLAMP (e, 0, rank);
}

/* y = int64 dims of x, optionally [start, end) (opset 15) */
static gboolean
shape_infer (SalNode *node, SalTensor *const *in, SalTensor **out, gsize *workspace,
             GError **error)
{
  int64_t s, e, n;

  shape_range (node, in[0]->rank, &s, &e);
  n = MAX (e - s, 0);
  return sal_tensor_set_shape (out[0], SAL_DTYPE_INT64, 1, &n, error);
}

static gboolean
shape_forward (SalNode *node, SalTensor *const *in, SalTensor **out, void *scratch,
               const SalExecCtx *ctx, GError **error)
{
  int64_t s, e;

  shape_range (node, in[0]->rank, &s, &e);
  for (int64_t i = s; i < e; i++)
    sal_tensor_i64 (out[0])[i - s] = in[0]->dims[i];
  return TRUE;
}

/* ---------------------------------------------------------------- the group */

static const SalOpDef shape_defs[] = {
  { "Cast", sal_cast_infer, NULL, sal_cast_forward, sal_cast_backward },
  { "Concat", sal_concat_infer, NULL, sal_concat_forward, sal_concat_backward },
  { "Constant", sal_constant_infer, NULL, sal_constant_forward, NULL },
  { "ConstantOfShape", sal_constant_of_shape_infer, NULL, sal_constant_of_shape_forward, NULL },
  { "Dropout", sal_dropout_infer, NULL, sal_dropout_forward, sal_dropout_backward },
  { "Expand", sal_expand_infer, NULL, sal_expand_forward, sal_expand_backward },
  { "Flatten", flatten_infer, NULL, sal_op_copy_forward, sal_op_copy_backward },
  { "Gather", sal_gather_infer, NULL, sal_gather_forward, sal_gather_backward },
  { "Identity", identity_infer, NULL, sal_op_copy_forward, sal_op_copy_backward },
  { "Pad", sal_pad_infer, NULL, sal_pad_forward, sal_pad_backward },
  { "Range", sal_range_infer, NULL, sal_range_forward, NULL },
  { "Reshape", reshape_infer, NULL, sal_op_copy_forward, sal_op_copy_backward },
  { "Shape", shape_infer, NULL, shape_forward, NULL },
  { "Slice", sal_slice_infer, NULL, sal_slice_forward, sal_slice_backward },
  { "Split", sal_split_infer, NULL, sal_split_forward, sal_split_backward },
  { "Squeeze", squeeze_infer, NULL, sal_op_copy_forward, sal_op_copy_backward },
  { "Tile", sal_tile_infer, NULL, sal_tile_forward, sal_tile_backward },
  { "Transpose", transpose_infer, NULL, transpose_forward, transpose_backward },
  { "Unsqueeze", unsqueeze_infer, NULL, sal_op_copy_forward, sal_op_copy_backward },
};

const SalOpGroup sal_ops_shape = { shape_defs, G_N_ELEMENTS (shape_defs) };
