/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-engine"

/* The indexing data-movement operators of the shape group: Concat, Split,
 * Slice, Gather, Expand, Tile (Pad is in sal-ops-shape-pad.c). Forward works on any element type;
 * backward routes float gradients back (+=), summing where a forward read an
 * element more than once (Expand, Tile, Gather, Pad's reflect and edge). */

#include "sal-ops-shape-private.h"

#include <string.h>

static int64_t
prod (const int64_t *dims, int from, int to)
{
  int64_t p = 1;

  for (int i = from; i < to; i++)
    p *= dims[i];
  return p;
}

/* --------------------------------------------------------------------- Concat */

gboolean
sal_concat_infer (SalNode *node, SalTensor *const *in, SalTensor **out, gsize *workspace,
                  GError **error)
{
  int64_t dims[SAL_MAX_RANK];
  int axis;

  if (node->n_inputs < 1 || !sal_op_has_in (node, in, 0))
    {
      sal_op_fail (error, SAL_ERROR_INVALID, node, "no inputs");
      return FALSE;
    }
  if (!sal_op_axis (node, sal_node_attr_int (node, "axis", 0), in[0]->rank, &axis, error))
    return FALSE;
  memcpy (dims, in[0]->dims, sizeof dims);
  dims[axis] = 0;
  for (int i = 0; i < node->n_inputs; i++)
    {
      if (!sal_op_has_in (node, in, i) || in[i]->rank != in[0]->rank
          || in[i]->dtype != in[0]->dtype)
        {
          sal_op_fail (error, SAL_ERROR_INVALID, node,
                       "input %d is missing or differs in rank or type from input 0", i);
          return FALSE;
        }
      for (int d = 0; d < in[0]->rank; d++)
        if (d != axis && in[i]->dims[d] != in[0]->dims[d])
          {
            g_autofree char *a = sal_shape_to_string (in[0]->rank, in[0]->dims);
            g_autofree char *b = sal_shape_to_string (in[i]->rank, in[i]->dims);
            sal_op_fail (error, SAL_ERROR_INVALID, node,
                         "input shapes %s and %s differ outside axis %d", a, b, axis);
            return FALSE;
          }
      dims[axis] += in[i]->dims[axis];
    }
  return sal_tensor_set_shape (out[0], in[0]->dtype, in[0]->rank, dims, error);
}

/* y[o, off_i + k] = x_i[o, k] over the flattened (outer, axis * inner) view */
gboolean
sal_concat_forward (SalNode *node, SalTensor *const *in, SalTensor **out, void *scratch,
                    const SalExecCtx *ctx, GError **error)
{
  int axis = (int) sal_node_attr_int (node, "axis", 0);
  gsize es = sal_dtype_size (out[0]->dtype);
  int64_t outer, row, off = 0;

  if (axis < 0)
    axis += out[0]->rank;
  outer = prod (out[0]->dims, 0, axis);
  row = prod (out[0]->dims, axis, out[0]->rank);
  for (int i = 0; i < node->n_inputs; i++)
    {
      int64_t n = prod (in[i]->dims, axis, in[i]->rank);
      for (int64_t o = 0; o < outer && n > 0; o++)
        memcpy ((char *) out[0]->data + (o * row + off) * es,
                (const char *) in[i]->data + o * n * es, n * es);
      off += n;
    }
  return TRUE;
}

/* dx_i[o, k] += dy[o, off_i + k] */
gboolean
sal_concat_backward (SalNode *node, SalTensor *const *in, SalTensor *const *out,
                     SalTensor *const *gout, SalTensor **gin, void *scratch,
                     const SalExecCtx *ctx, GError **error)
{
  int axis = (int) sal_node_attr_int (node, "axis", 0);
  int64_t outer, row, off = 0;

  if (gout[0] == NULL)
    return TRUE;
  if (axis < 0)
    axis += out[0]->rank;
  outer = prod (out[0]->dims, 0, axis);
  row = prod (out[0]->dims, axis, out[0]->rank);
  for (int i = 0; i < node->n_inputs; i++)
    {
      int64_t n = prod (in[i]->dims, axis, in[i]->rank);
      if (gin[i] != NULL)
        for (int64_t o = 0; o < outer; o++)
          {
            float *g = sal_tensor_f32 (gin[i]) + o * n;
            const float *dy = sal_tensor_f32 (gout[0]) + o * row + off;
            for (int64_t k = 0; k < n; k++)
              g[k] += dy[k];
          }
      off += n;
    }
  return TRUE;
}

/* ---------------------------------------------------------------------- Split */

/* The part sizes along the axis: the `split` attribute before opset 13, an
 * input since, else equal parts. Only present outputs are counted by callers. */
static gboolean
split_sizes (SalNode *node, SalTensor *const *in, int *axis_out, int64_t *sizes,
             GError **error)
{
  int n = node->n_outputs, axis;
  int64_t dim, sum = 0;

  if (!sal_op_axis (node, sal_node_attr_int (node, "axis", 0), in[0]->rank, &axis, error))
    return FALSE;
  dim = in[0]->dims[axis];
  *axis_out = axis;
  if (node->opset < 13 && sal_node_attr (node, "split") != NULL)
    {
      const int64_t *s;
      if (sal_node_attr_ints (node, "split", &s) != n)
        goto count;
      memcpy (sizes, s, n * sizeof (int64_t));
    }
  else if (node->opset >= 13 && sal_op_has_in (node, in, 1))
    {
      int got = sal_op_read_ints (node, in[1], "split", sizes, n, error);
      if (got < 0)
        return FALSE;
      if (got != n)
        goto count;
    }
  else
    {
      if (n == 0 || dim % n != 0)
        {
          sal_op_fail (error, SAL_ERROR_INVALID, node,
                       "axis %d of size %" G_GINT64_FORMAT " does not split into %d equal parts",
                       axis, dim, n);
          return FALSE;
        }
      for (int i = 0; i < n; i++)
        sizes[i] = dim / n;
      return TRUE;
    }
  for (int i = 0; i < n; i++)
    {
      if (sizes[i] < 0)
        {
          sal_op_fail (error, SAL_ERROR_INVALID, node, "split size %d is negative", i);
          return FALSE;
        }
      sum += sizes[i];
    }
  if (sum != dim)
    {
      sal_op_fail (error, SAL_ERROR_INVALID, node,
                   "split sizes add up to %" G_GINT64_FORMAT
                   ", not the axis size %" G_GINT64_FORMAT,
                   sum, dim);
      return FALSE;
    }
  return TRUE;

count:
  sal_op_fail (error, SAL_ERROR_INVALID, node, "the split sizes do not match the %d outputs", n);
  return FALSE;
}

gboolean
sal_split_infer (SalNode *node, SalTensor *const *in, SalTensor **out, gsize *workspace,
                 GError **error)
{
  g_autofree int64_t *sizes = g_new0 (int64_t, MAX (node->n_outputs, 1));
  int axis;

  if (!split_sizes (node, in, &axis, sizes, error))
    return FALSE;
  for (int i = 0; i < node->n_outputs; i++)
    {
      int64_t dims[SAL_MAX_RANK];
      if (!sal_op_has_out (node, out, i))
        continue;
      memcpy (dims, in[0]->dims, sizeof dims);
      dims[axis] = sizes[i];
      if (!sal_tensor_set_shape (out[i], in[0]->dtype, in[0]->rank, dims, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
sal_split_forward (SalNode *node, SalTensor *const *in, SalTensor **out, void *scratch,
                   const SalExecCtx *ctx, GError **error)
{
  g_autofree int64_t *sizes = g_new0 (int64_t, MAX (node->n_outputs, 1));
  gsize es = sal_dtype_size (in[0]->dtype);
  int64_t outer, inner, row, off = 0;
  int axis;

  if (!split_sizes (node, in, &axis, sizes, error))
    return FALSE;
  outer = prod (in[0]->dims, 0, axis);
  inner = prod (in[0]->dims, axis + 1, in[0]->rank);
  row = in[0]->dims[axis] * inner;
  for (int i = 0; i < node->n_outputs; i++)
    {
      int64_t n = sizes[i] * inner;
      if (sal_op_has_out (node, out, i))
        for (int64_t o = 0; o < outer && n > 0; o++)
          memcpy ((char *) out[i]->data + o * n * es,
                  (const char *) in[0]->data + (o * row + off) * es, n * es);
      off += n;
    }
  return TRUE;
}

/* dx[o, off_i + k] += dy_i[o, k] */
gboolean
sal_split_backward (SalNode *node, SalTensor *const *in, SalTensor *const *out,
                    SalTensor *const *gout, SalTensor **gin, void *scratch,
                    const SalExecCtx *ctx, GError **error)
{
  g_autofree int64_t *sizes = g_new0 (int64_t, MAX (node->n_outputs, 1));
  int64_t outer, inner, row, off = 0;
  int axis;

  if (gin[0] == NULL)
    return TRUE;
  if (!split_sizes (node, in, &axis, sizes, error))
    return FALSE;
  outer = prod (in[0]->dims, 0, axis);
  inner = prod (in[0]->dims, axis + 1, in[0]->rank);
  row = in[0]->dims[axis] * inner;
  for (int i = 0; i < node->n_outputs; i++)
    {
      int64_t n = sizes[i] * inner;
      if (gout[i] != NULL)
        for (int64_t o = 0; o < outer; o++)
          {
            float *g = sal_tensor_f32 (gin[0]) + o * row + off;
            const float *dy = sal_tensor_f32 (gout[i]) + o * n;
            for (int64_t k = 0; k < n; k++)
              g[k] += dy[k];
          }
      off += n;
    }
  return TRUE;
}

/* ---------------------------------------------------------------------- Slice */

/* Per data axis: first index, step and count of the slice. */
typedef struct {
  int64_t start[SAL_MAX_RANK], step[SAL_MAX_RANK], count[SAL_MAX_RANK];
} SliceParams;

static int
slice_read (SalNode *node, SalTensor *const *in, int i, const char *name, int64_t *vals,
            GError **error)
{
  if (node->opset < 10)
    {
      const int64_t *a;
      int n = sal_node_attr_ints (node, name, &a);
      if (n > SAL_MAX_RANK)
        {
          sal_op_fail (error, SAL_ERROR_INVALID, node, "%s has too many values", name);
          return -1;
        }
      if (n > 0)
        memcpy (vals, a, n * sizeof (int64_t));
      return n;
    }
  if (!sal_op_has_in (node, in, i))
    return 0;
  return sal_op_read_ints (node, in[i], name, vals, SAL_MAX_RANK, error);
}

static gboolean
slice_params (SalNode *node, SalTensor *const *in, SliceParams *p, GError **error)
{
  int64_t starts[SAL_MAX_RANK], ends[SAL_MAX_RANK], axes[SAL_MAX_RANK], steps[SAL_MAX_RANK];
  gboolean seen[SAL_MAX_RANK] = { FALSE };
  const SalTensor *x = in[0];
  int ns, ne, na, nst;

  if ((ns = slice_read (node, in, 1, "starts", starts, error)) < 0
      || (ne = slice_read (node, in, 2, "ends", ends, error)) < 0
      || (na = slice_read (node, in, 3, "axes", axes, error)) < 0
      || (nst = slice_read (node, in, 4, "steps", steps, error)) < 0)
    return FALSE;
  if (ns != ne || (na > 0 && na != ns) || (nst > 0 && nst != ns))
    {
      sal_op_fail (error, SAL_ERROR_INVALID, node,
                   "starts, ends, axes and steps differ in length");
      return FALSE;
    }
  for (int d = 0; d < x->rank; d++)
    {
      p->start[d] = 0;
      p->step[d] = 1;
      p->count[d] = x->dims[d];
    }
  for (int i = 0; i < ns; i++)
    {
      int a;
      int64_t dim, s, e, st = nst > 0 ? steps[i] : 1;
      if (!sal_op_axis (node, na > 0 ? axes[i] : i, x->rank, &a, error))
        return FALSE;
      if (seen[a] || st == 0)
        {
          sal_op_fail (error, SAL_ERROR_INVALID, node, "axis %d repeats or has step 0", a);
          return FALSE;
        }
      seen[a] = TRUE;
      dim = x->dims[a];
      s = starts[i] < 0 ? starts[i] + dim : starts[i];
      e = ends[i] < 0 ? ends[i] + dim : ends[i];
      if (st > 0)
        {
          s = CLAMP (s, 0, dim);
          e = CLAMP (e, 0, dim);
          p->count[a] = e > s ? (e - s + st - 1) / st : 0;
        }
      else
        {
          s = CLAMP (s, 0, dim - 1);
          e = CLAMP (e, -1, dim - 1);
          p->count[a] = s > e && dim > 0 ? (s - e - st - 1) / (-st) : 0;
        }
      p->start[a] = s;
      p->step[a] = st;
    }
  return TRUE;
}

gboolean
sal_slice_infer (SalNode *node, SalTensor *const *in, SalTensor **out, gsize *workspace,
                 GError **error)
{
  SliceParams p;

  if (!slice_params (node, in, &p, error))
    return FALSE;
  return sal_tensor_set_shape (out[0], in[0]->dtype, in[0]->rank, p.count, error);
}

static gboolean
slice_walk (SalNode *node, SalTensor *const *in, SalWalkMode mode, void *strided,
            void *contig, GError **error)
{
  int64_t strides[SAL_MAX_RANK], wstrides[SAL_MAX_RANK], base = 0;
  SliceParams p;

  if (!slice_params (node, in, &p, error))
    return FALSE;
  sal_op_strides (in[0]->rank, in[0]->dims, strides);
  for (int d = 0; d < in[0]->rank; d++)
    {
      base += p.start[d] * strides[d];
      wstrides[d] = p.step[d] * strides[d];
    }
  sal_op_walk (mode, in[0]->rank, p.count, wstrides, base, sal_dtype_size (in[0]->dtype),
               strided, contig);
  return TRUE;
}

/* y[i] = x[start + i * step] per axis */
gboolean
sal_slice_forward (SalNode *node, SalTensor *const *in, SalTensor **out, void *scratch,
                   const SalExecCtx *ctx, GError **error)
{
  return slice_walk (node, in, SAL_WALK_GATHER, in[0]->data, out[0]->data, error);
}

/* dx[start + i * step] += dy[i] */
gboolean
sal_slice_backward (SalNode *node, SalTensor *const *in, SalTensor *const *out,
                    SalTensor *const *gout, SalTensor **gin, void *scratch,
                    const SalExecCtx *ctx, GError **error)
{
  if (gin[0] == NULL || gout[0] == NULL)
    return TRUE;
  return slice_walk (node, in, SAL_WALK_SCATTER_ADD, gin[0]->data, gout[0]->data, error);
}

/* --------------------------------------------------------------------- Gather */

gboolean
sal_gather_infer (SalNode *node, SalTensor *const *in, SalTensor **out, gsize *workspace,
                  GError **error)
{
  const SalTensor *x = in[0], *idx = in[1];
  int64_t dims[SAL_MAX_RANK];
  int axis, r;

  if (!sal_op_axis (node, sal_node_attr_int (node, "axis", 0), x->rank, &axis, error))
    return FALSE;
  if (idx->dtype != SAL_DTYPE_INT64 && idx->dtype != SAL_DTYPE_INT32)
    {
      sal_op_fail (error, SAL_ERROR_INVALID, node, "indices must be int64 or int32, not %s",
                   sal_dtype_name (idx->dtype));
      return FALSE;
    }
  r = x->rank - 1 + idx->rank;
  if (r > SAL_MAX_RANK)
    {
      sal_op_fail (error, SAL_ERROR_UNSUPPORTED, node, "the result would have rank %d", r);
      return FALSE;
    }
  memcpy (dims, x->dims, axis * sizeof (int64_t));
  memcpy (dims + axis, idx->dims, idx->rank * sizeof (int64_t));
  memcpy (dims + axis + idx->rank, x->dims + axis + 1, (x->rank - axis - 1) * sizeof (int64_t));
  return sal_tensor_set_shape (out[0], x->dtype, r, dims, error);
}

static gboolean
gather_index (SalNode *node, const SalTensor *idx, int64_t j, int64_t dim, int64_t *out,
              GError **error)
{
  int64_t v = sal_tensor_get_i64 (idx, j);

  if (v < -dim || v >= dim)
    {
      sal_op_fail (error, SAL_ERROR_INVALID, node,
                   "index %" G_GINT64_FORMAT
                   " is out of range for a dimension of %" G_GINT64_FORMAT,
                   v, dim);
      return FALSE;
    }
  *out = v < 0 ? v + dim : v;
  return TRUE;
}

/* y[o, j, k] = x[o, idx[j], k] */
gboolean
sal_gather_forward (SalNode *node, SalTensor *const *in, SalTensor **out, void *scratch,
                    const SalExecCtx *ctx, GError **error)
{
  const SalTensor *x = in[0], *idx = in[1];
  int axis = (int) sal_node_attr_int (node, "axis", 0);
  gsize es = sal_dtype_size (x->dtype);
  int64_t outer, inner, dim;

  if (axis < 0)
    axis += x->rank;
  outer = prod (x->dims, 0, axis);
  inner = prod (x->dims, axis + 1, x->rank);
  dim = x->dims[axis];
  for (int64_t j = 0; j < idx->numel; j++)
    {
      int64_t v;
      if (!gather_index (node, idx, j, dim, &v, error))
        return FALSE;
      for (int64_t o = 0; o < outer && inner > 0; o++)
        memcpy ((char *) out[0]->data + ((o * idx->numel + j) * inner) * es,
                (const char *) x->data + ((o * dim + v) * inner) * es, inner * es);
    }
  return TRUE;
}

/* dx[o, idx[j], k] += dy[o, j, k] (repeated indices add up) */
gboolean
sal_gather_backward (SalNode *node, SalTensor *const *in, SalTensor *const *out,
                     SalTensor *const *gout, SalTensor **gin, void *scratch,
                     const SalExecCtx *ctx, GError **error)
{
  const SalTensor *x = in[0], *idx = in[1];
  int axis = (int) sal_node_attr_int (node, "axis", 0);
  int64_t outer, inner, dim;

  if (gin[0] == NULL || gout[0] == NULL)
    return TRUE;
  if (axis < 0)
    axis += x->rank;
  outer = prod (x->dims, 0, axis);
  inner = prod (x->dims, axis + 1, x->rank);
  dim = x->dims[axis];
  for (int64_t j = 0; j < idx->numel; j++)
    {
      int64_t v;
      if (!gather_index (node, idx, j, dim, &v, error))
        return FALSE;
      for (int64_t o = 0; o < outer; o++)
        {
          float *g = sal_tensor_f32 (gin[0]) + (o * dim + v) * inner;
          const float *dy = sal_tensor_f32 (gout[0]) + (o * idx->numel + j) * inner;
          for (int64_t k = 0; k < inner; k++)
            g[k] += dy[k];
        }
    }
  return TRUE;
}

/* --------------------------------------------------------------------- Expand */

gboolean
sal_expand_infer (SalNode *node, SalTensor *const *in, SalTensor **out, gsize *workspace,
                  GError **error)
{
  int64_t shape[SAL_MAX_RANK], dims[SAL_MAX_RANK];
  const SalTensor *x = in[0];
  int n, r;

  if (!sal_op_has_in (node, in, 1))
    {
      sal_op_fail (error, SAL_ERROR_INVALID, node, "the shape input is missing");
      return FALSE;
    }
  if ((n = sal_op_read_ints (node, in[1], "shape", shape, SAL_MAX_RANK, error)) < 0)
    return FALSE;
  r = MAX (n, x->rank);
  for (int i = 0; i < r; i++)
    {
      int xi = i - (r - x->rank), si = i - (r - n);
      int64_t a = xi >= 0 ? x->dims[xi] : 1, b = si >= 0 ? shape[si] : 1;
      if (a != b && a != 1 && b != 1)
        {
          g_autofree char *xs = sal_shape_to_string (x->rank, x->dims);
          g_autofree char *ss = sal_shape_to_string (n, shape);
          sal_op_fail (error, SAL_ERROR_INVALID, node, "cannot broadcast %s to %s", xs, ss);
          return FALSE;
        }
      dims[i] = a == 1 ? b : a;
    }
  return sal_tensor_set_shape (out[0], x->dtype, r, dims, error);
}

/* Walk strides that read x broadcast to y's shape: 0 along broadcast axes. */
static void
broadcast_strides (const SalTensor *x, const SalTensor *y, int64_t *wstrides)
{
  int64_t strides[SAL_MAX_RANK];
  int lead = y->rank - x->rank;

  sal_op_strides (x->rank, x->dims, strides);
  for (int i = 0; i < y->rank; i++)
    wstrides[i] = i < lead || x->dims[i - lead] == 1 ? 0 : strides[i - lead];
}

/* y = x broadcast to the shape */
gboolean
sal_expand_forward (SalNode *node, SalTensor *const *in, SalTensor **out, void *scratch,
                    const SalExecCtx *ctx, GError **error)
{
  int64_t ws[SAL_MAX_RANK];

  broadcast_strides (in[0], out[0], ws);
  sal_op_walk (SAL_WALK_GATHER, out[0]->rank, out[0]->dims, ws, 0,
               sal_dtype_size (in[0]->dtype), in[0]->data, out[0]->data);
  return TRUE;
}

/* dx += dy summed over the broadcast axes */
gboolean
sal_expand_backward (SalNode *node, SalTensor *const *in, SalTensor *const *out,
                     SalTensor *const *gout, SalTensor **gin, void *scratch,
                     const SalExecCtx *ctx, GError **error)
{
  int64_t ws[SAL_MAX_RANK];

  if (gin[0] == NULL || gout[0] == NULL)
    return TRUE;
  broadcast_strides (in[0], out[0], ws);
  sal_op_walk (SAL_WALK_SCATTER_ADD, out[0]->rank, out[0]->dims, ws, 0, 4, gin[0]->data,
               gout[0]->data);
  return TRUE;
}

/* ----------------------------------------------------------------------- Tile */

static gboolean
tile_repeats (SalNode *node, SalTensor *const *in, int64_t *reps, GError **error)
{
  int n;

  if (!sal_op_has_in (node, in, 1))
    {
      sal_op_fail (error, SAL_ERROR_INVALID, node, "the repeats input is missing");
      return FALSE;
    }
  if ((n = sal_op_read_ints (node, in[1], "repeats", reps, SAL_MAX_RANK, error)) < 0)
    return FALSE;
  if (n != in[0]->rank)
    {
      sal_op_fail (error, SAL_ERROR_INVALID, node, "repeats has %d values for rank %d", n,
                   in[0]->rank);
      return FALSE;
    }
  for (int i = 0; i < n; i++)
    if (reps[i] < 0)
      {
        sal_op_fail (error, SAL_ERROR_INVALID, node, "repeats[%d] is negative", i);
        return FALSE;
      }
  return TRUE;
}

gboolean
sal_tile_infer (SalNode *node, SalTensor *const *in, SalTensor **out, gsize *workspace,
                GError **error)
{
  int64_t reps[SAL_MAX_RANK], dims[SAL_MAX_RANK];

  if (!tile_repeats (node, in, reps, error))
    return FALSE;
  for (int i = 0; i < in[0]->rank; i++)
    {
      if (reps[i] > 0 && in[0]->dims[i] > G_MAXINT64 / 16 / reps[i])
        {
          sal_op_fail (error, SAL_ERROR_TOO_LARGE, node, "the result is too large");
          return FALSE;
        }
      dims[i] = in[0]->dims[i] * reps[i];
    }
  return sal_tensor_set_shape (out[0], in[0]->dtype, in[0]->rank, dims, error);
}

/* y as a [rep0, d0, rep1, d1, ...] view reads x with stride 0 on the rep axes. */
static gboolean
tile_walk (SalNode *node, SalTensor *const *in, SalWalkMode mode, void *strided,
           void *contig, GError **error)
{
  int64_t reps[SAL_MAX_RANK], strides[SAL_MAX_RANK];
  int64_t wd[SAL_WALK_MAX_RANK], ws[SAL_WALK_MAX_RANK];
  int r = in[0]->rank;

  if (!tile_repeats (node, in, reps, error))
    return FALSE;
  sal_op_strides (r, in[0]->dims, strides);
  for (int i = 0; i < r; i++)
    {
      wd[2 * i] = reps[i];
      ws[2 * i] = 0;
      wd[2 * i + 1] = in[0]->dims[i];
      ws[2 * i + 1] = strides[i];
    }
  sal_op_walk (mode, 2 * r, wd, ws, 0, sal_dtype_size (in[0]->dtype), strided, contig);
  return TRUE;
}

/* y[r * d + k] = x[k] per axis */
gboolean
sal_tile_forward (SalNode *node, SalTensor *const *in, SalTensor **out, void *scratch,
                  const SalExecCtx *ctx, GError **error)
{
  return tile_walk (node, in, SAL_WALK_GATHER, in[0]->data, out[0]->data, error);
}

/* dx[k] += sum over r of dy[r * d + k] */
gboolean
sal_tile_backward (SalNode *node, SalTensor *const *in, SalTensor *const *out,
                   SalTensor *const *gout, SalTensor **gin, void *scratch,
                   const SalExecCtx *ctx, GError **error)
{
  if (gin[0] == NULL || gout[0] == NULL)
    return TRUE;
  return tile_walk (node, in, SAL_WALK_SCATTER_ADD, gin[0]->data, gout[0]->data, error);
}
