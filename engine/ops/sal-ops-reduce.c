/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-engine"

/* Reductions: ReduceSum ReduceMean ReduceMax ReduceMin over a set of axes
 * (an `axes` attribute, or an input from opset 13 for ReduceSum and from opset
 * 18 for the others), with keepdims and noop_with_empty_axes; ArgMax and
 * ArgMin along one axis with keepdims and select_last_index. */

#include "sal-op.h"
#include "sal-broadcast.h"
#include "sal-error.h"

#include <math.h>
#include <string.h>

#define INVALID(...) (g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID, __VA_ARGS__), FALSE)
#define UNSUPPORTED(...) (g_set_error (error, SAL_ERROR, SAL_ERROR_UNSUPPORTED, __VA_ARGS__), FALSE)

typedef enum { RED_SUM, RED_MEAN, RED_MAX, RED_MIN } ReduceKind;

static ReduceKind
reduce_kind (const SalNode *node)
{
  const char *t = node->op_type;

  if (strcmp (t, "ReduceSum") == 0)
    return RED_SUM;
  if (strcmp (t, "ReduceMean") == 0)
    return RED_MEAN;
  if (strcmp (t, "ReduceMax") == 0)
    return RED_MAX;
  return RED_MIN;
}

/* The reduction of one node on one input shape. */
typedef struct {
  gboolean  noop;                   /* empty axes with noop_with_empty_axes: y = x */
  gboolean  reduced[SAL_MAX_RANK];  /* per input axis */
  int       rank;                   /* of the input */
  int64_t   kept_dims[SAL_MAX_RANK];/* input dims with reduced axes set to 1 */
  int       out_rank;
  int64_t   out_dims[SAL_MAX_RANK];
} ReducePlan;

static gboolean
axes_from_input (const SalNode *node)
{
  return node->opset >= (reduce_kind (node) == RED_SUM ? 13 : 18);
}

static gboolean
reduce_plan (SalNode *node, SalTensor *const *in, ReducePlan *plan, GError **error)
{
  const SalTensor *x = in[0];
  int64_t from_input[SAL_MAX_RANK];
  const int64_t *axes = NULL;
  int n_axes = 0;

  memset (plan, 0, sizeof *plan);
  plan->rank = x->rank;
  if (axes_from_input (node))
    {
      const SalTensor *a = node->n_inputs > 1 ? in[1] : NULL;

      if (a != NULL)
        {
          if (a->dtype != SAL_DTYPE_INT64 || a->rank > 1)
            return INVALID ("%s: axes must be a 1-D int64 tensor", node->op_type);
          if (a->data == NULL && a->numel > 0)
            return INVALID ("%s: the axes input must be known before the run "
                            "(an initializer or a constant)", node->op_type);
          if (a->numel > x->rank)
            return INVALID ("%s: %" G_GINT64_FORMAT " axes for an input of rank %d",
                            node->op_type, a->numel, x->rank);
          n_axes = (int) a->numel;
          for (int i = 0; i < n_axes; i++)
            from_input[i] = sal_tensor_i64 (a)[i];
          axes = from_input;
        }
    }
  else
    n_axes = sal_node_attr_ints (node, "axes", &axes);

  if (n_axes == 0)
    {
      plan->noop = sal_node_attr_int (node, "noop_with_empty_axes", 0) != 0;
      for (int d = 0; d < x->rank; d++)
        plan->reduced[d] = !plan->noop;
    }
  for (int i = 0; i < n_axes; i++)
    {
      int64_t a = axes[i];

      if (a < -x->rank || a >= x->rank)
        {
          g_autofree char *s = sal_shape_to_string (x->rank, x->dims);
          return INVALID ("%s: axis %" G_GINT64_FORMAT " is out of range for an input of shape %s",
                          node->op_type, a, s);
        }
      if (a < 0)
        a += x->rank;
      if (plan->reduced[a])
        return INVALID ("%s: axis %" G_GINT64_FORMAT " is listed twice", node->op_type, axes[i]);
      plan->reduced[a] = TRUE;
    }

  {
    gboolean keep = sal_node_attr_int (node, "keepdims", 1) != 0;

    for (int d = 0; d < x->rank; d++)
      {
        plan->kept_dims[d] = plan->reduced[d] ? 1 : x->dims[d];
        if (!plan->reduced[d] || keep)
          plan->out_dims[plan->out_rank++] = plan->kept_dims[d];
      }
  }
  return TRUE;
}

static gboolean
reduce_infer (SalNode *node, SalTensor *const *in, SalTensor **out, gsize *workspace,
              GError **error)
{
  ReducePlan plan;
  ReduceKind kind = reduce_kind (node);
  int max_in = axes_from_input (node) ? 2 : 1;
  SalDType t;

  if (node->n_inputs < 1 || node->n_inputs > max_in)
    return INVALID ("%s (opset %d): expects 1 to %d inputs, got %d", node->op_type,
                    node->opset, max_in, node->n_inputs);
  if (in[0] == NULL)
    return INVALID ("%s: input 0 is missing", node->op_type);
  t = in[0]->dtype;
  if (t != SAL_DTYPE_FLOAT && t != SAL_DTYPE_INT64 && t != SAL_DTYPE_INT32)
    return UNSUPPORTED ("%s: inputs of type %s are not supported", node->op_type,
                        sal_dtype_name (t));
  if (!reduce_plan (node, in, &plan, error))
    return FALSE;
  for (int d = 0; d < in[0]->rank; d++)
    if (plan.reduced[d] && in[0]->dims[d] == 0 && (kind == RED_MAX || kind == RED_MIN))
      return INVALID ("%s: cannot reduce the empty axis %d of the input", node->op_type, d);
  if (!sal_tensor_set_shape (out[0], t, plan.out_rank, plan.out_dims, error))
    return FALSE;
  /* backward of ReduceMax/Min marks the output positions already routed */
  *workspace = kind == RED_MAX || kind == RED_MIN ? (gsize) out[0]->numel : 0;
  return TRUE;
}

/* The input and a view of the output with the reduced axes kept as size 1. */
static void
reduce_broadcast (const ReducePlan *plan, const SalTensor *x, const SalTensor *y,
                  SalBroadcast *b)
{
  SalTensor kept = { 0 };
  const SalTensor *ops[2] = { x, &kept };

  sal_tensor_set_shape (&kept, y->dtype, plan->rank, plan->kept_dims, NULL);
  sal_broadcast_init (b, 2, ops);
}

#define REDUCE_LOOP(T, ACC, INIT, STEP_ACC, STEP_OUT)                               \
  {                                                                                \
    const T *xv = x->data;                                                         \
    T *yv = y->data;                                                               \
    for (int64_t i = 0; i < y->numel; i++)                                         \
      yv[i] = (INIT);                                                              \
    sal_broadcast_iter_init (&it, &b, 0, b.numel);                                 \
    while (sal_broadcast_iter_next (&it, off, &len))                               \
      {                                                                            \
        const T *xr = xv + off[0];                                                 \
        T *yr = yv + off[1];                                                       \
        if (s == 0)                                                                \
          {                                                                        \
            ACC acc = (ACC) * yr;                                                  \
            for (int64_t j = 0; j < len; j++)                                      \
              { T v = xr[j]; STEP_ACC; }                                           \
            *yr = (T) acc;                                                         \
          }                                                                        \
        else                                                                       \
          for (int64_t j = 0; j < len; j++)                                        \
            { T v = xr[j]; T *o = &yr[j]; STEP_OUT; }                              \
      }                                                                            \
  }

/* ReduceSum: y = sum x over axes; ReduceMean: sum / count; ReduceMax/Min: max/min. */
static gboolean
reduce_forward (SalNode *node, SalTensor *const *in, SalTensor **out, void *scratch,
                const SalExecCtx *ctx, GError **error)
{
  const SalTensor *x = in[0];
  SalTensor *y = out[0];
  ReduceKind kind = reduce_kind (node);
  ReducePlan plan;
  SalBroadcast b;
  SalBroadcastIter it;
  int64_t off[2], len, s;

  if (!reduce_plan (node, in, &plan, error))
    return FALSE;
  if (plan.noop)
    {
      memcpy (y->data, x->data, sal_tensor_nbytes (x));
      return TRUE;
    }
  if (y->numel == 0)
    return TRUE;
  reduce_broadcast (&plan, x, y, &b);
  s = sal_broadcast_inner_stride (&b, 1);

  switch (x->dtype)
    {
    case SAL_DTYPE_FLOAT:
      if (kind == RED_MAX)
        REDUCE_LOOP (float, float, -INFINITY, acc = (v > acc || v != v) ? v : acc,
                     *o = (v > *o || v != v) ? v : *o)
      else if (kind == RED_MIN)
        REDUCE_LOOP (float, float, INFINITY, acc = (v < acc || v != v) ? v : acc,
                     *o = (v < *o || v != v) ? v : *o)
      else
        REDUCE_LOOP (float, double, 0.0f, acc += v, *o += v)
      break;
    case SAL_DTYPE_INT64:
      if (kind == RED_MAX)
        REDUCE_LOOP (int64_t, int64_t, G_MININT64, acc = MAX (acc, v), *o = MAX (*o, v))
      else if (kind == RED_MIN)
        REDUCE_LOOP (int64_t, int64_t, G_MAXINT64, acc = MIN (acc, v), *o = MIN (*o, v))
      else
        REDUCE_LOOP (int64_t, guint64, 0, acc += (guint64) v, *o = (int64_t) ((guint64) *o + (guint64) v))
      break;
    case SAL_DTYPE_INT32:
    case SAL_DTYPE_UNDEFINED:
    case SAL_DTYPE_UINT8:
    case SAL_DTYPE_INT8:
    case SAL_DTYPE_BOOL:
    default:
      if (kind == RED_MAX)
        REDUCE_LOOP (gint32, gint32, G_MININT32, acc = MAX (acc, v), *o = MAX (*o, v))
      else if (kind == RED_MIN)
        REDUCE_LOOP (gint32, gint32, G_MAXINT32, acc = MIN (acc, v), *o = MIN (*o, v))
      else
        REDUCE_LOOP (gint32, guint32, 0, acc += (guint32) v, *o = (gint32) ((guint32) *o + (guint32) v))
      break;
    }

  if (kind == RED_MEAN && x->numel == 0)
    {
      /* the mean of nothing: NaN for floats, 0 for integers */
      for (int64_t i = 0; i < y->numel; i++)
        if (x->dtype == SAL_DTYPE_FLOAT)
          sal_tensor_f32 (y)[i] = NAN;
    }
  else if (kind == RED_MEAN)
    {
      int64_t count = x->numel / y->numel;

      for (int64_t i = 0; i < y->numel; i++)
        switch (x->dtype)
          {
          case SAL_DTYPE_FLOAT: sal_tensor_f32 (y)[i] /= (float) count; break;
          case SAL_DTYPE_INT64: sal_tensor_i64 (y)[i] /= count; break;
          case SAL_DTYPE_INT32:
          case SAL_DTYPE_UNDEFINED:
          case SAL_DTYPE_UINT8:
          case SAL_DTYPE_INT8:
          case SAL_DTYPE_BOOL:
          default: ((gint32 *) y->data)[i] /= (gint32) count; break;
          }
    }
  return TRUE;
}

/* ReduceSum: gx += g broadcast back; ReduceMean: also / count; ReduceMax/Min:
 * each output's gradient goes to the first input element (row-major) equal to it. */
static gboolean
reduce_backward (SalNode *node, SalTensor *const *in, SalTensor *const *out,
                 SalTensor *const *gout, SalTensor **gin, void *scratch,
                 const SalExecCtx *ctx, GError **error)
{
  const SalTensor *x = in[0], *y = out[0];
  ReduceKind kind = reduce_kind (node);
  guint8 *taken = scratch;
  const float *g, *xv, *yv;
  float *gx, scale = 1.0f;
  ReducePlan plan;
  SalBroadcast b;
  SalBroadcastIter it;
  int64_t off[2], len, s;

  if (gout[0] == NULL || gin[0] == NULL || x->dtype != SAL_DTYPE_FLOAT || y->numel == 0)
    return TRUE;
  if (!reduce_plan (node, in, &plan, error))
    return FALSE;
  g = gout[0]->data;
  gx = gin[0]->data;
  if (plan.noop)
    {
      for (int64_t i = 0; i < x->numel; i++)
        gx[i] += g[i];
      return TRUE;
    }
  if (kind == RED_MEAN)
    scale = 1.0f / (float) (x->numel / y->numel);
  xv = x->data;
  yv = y->data;
  reduce_broadcast (&plan, x, y, &b);
  s = sal_broadcast_inner_stride (&b, 1);
  if (kind == RED_MAX || kind == RED_MIN)
    memset (taken, 0, y->numel);
  sal_broadcast_iter_init (&it, &b, 0, b.numel);
  while (sal_broadcast_iter_next (&it, off, &len))
    for (int64_t j = 0; j < len; j++)
      {
        int64_t ix = off[0] + j, iy = off[1] + j * s;

        if (kind == RED_SUM || kind == RED_MEAN)
          gx[ix] += scale * g[iy];
        else if (!taken[iy] && (xv[ix] == yv[iy] || (isnan (xv[ix]) && isnan (yv[iy]))))
          {
            taken[iy] = 1;
            gx[ix] += g[iy];
          }
      }
  return TRUE;
}

/* ---- ArgMax, ArgMin: y = index of the largest / smallest along axis ---- */

static gboolean
arg_layout (SalNode *node, const SalTensor *x, int *axis_out, int64_t *outer, int64_t *n,
            int64_t *inner, GError **error)
{
  int64_t axis = sal_node_attr_int (node, "axis", 0);

  if (axis < -x->rank || axis >= x->rank || (x->rank == 0))
    {
      g_autofree char *s = sal_shape_to_string (x->rank, x->dims);
      return INVALID ("%s: axis %" G_GINT64_FORMAT " is out of range for an input of shape %s",
                      node->op_type, axis, s);
    }
  if (axis < 0)
    axis += x->rank;
  *axis_out = (int) axis;
  *outer = *n = *inner = 1;
  for (int d = 0; d < x->rank; d++)
    {
      if (d < axis)
        *outer *= x->dims[d];
      else if (d == axis)
        *n = x->dims[d];
      else
        *inner *= x->dims[d];
    }
  return TRUE;
}

static gboolean
arg_infer (SalNode *node, SalTensor *const *in, SalTensor **out, gsize *workspace,
           GError **error)
{
  int64_t dims[SAL_MAX_RANK], outer, n, inner;
  gboolean keep = sal_node_attr_int (node, "keepdims", 1) != 0;
  int axis, rank = 0;
  SalDType t;

  if (node->n_inputs != 1 || in[0] == NULL)
    return INVALID ("%s: expects 1 input, got %d", node->op_type, node->n_inputs);
  t = in[0]->dtype;
  if (t != SAL_DTYPE_FLOAT && t != SAL_DTYPE_INT64 && t != SAL_DTYPE_INT32)
    return UNSUPPORTED ("%s: inputs of type %s are not supported", node->op_type,
                        sal_dtype_name (t));
  if (!arg_layout (node, in[0], &axis, &outer, &n, &inner, error))
    return FALSE;
  if (n == 0)
    return INVALID ("%s: cannot take the index along the empty axis %d", node->op_type, axis);
  for (int d = 0; d < in[0]->rank; d++)
    if (d != axis)
      dims[rank++] = in[0]->dims[d];
    else if (keep)
      dims[rank++] = 1;
  *workspace = 0;
  return sal_tensor_set_shape (out[0], SAL_DTYPE_INT64, rank, dims, error);
}

static gboolean
arg_forward (SalNode *node, SalTensor *const *in, SalTensor **out, void *scratch,
             const SalExecCtx *ctx, GError **error)
{
  gboolean want_max = strcmp (node->op_type, "ArgMax") == 0;
  gboolean last = node->opset >= 12 && sal_node_attr_int (node, "select_last_index", 0) != 0;
  int64_t outer, n, inner, *y = sal_tensor_i64 (out[0]);
  int axis;

  if (!arg_layout (node, in[0], &axis, &outer, &n, &inner, error))
    return FALSE;
#define ARG_LOOP(T, ISNAN)                                                         \
  {                                                                                \
    const T *xv = in[0]->data;                                                     \
    for (int64_t o = 0; o < outer; o++)                                            \
      for (int64_t i = 0; i < inner; i++)                                          \
        {                                                                          \
          const T *xr = xv + o * n * inner + i;                                    \
          int64_t best = 0;                                                        \
          T bv = xr[0];                                                            \
          for (int64_t k = 1; k < n && !ISNAN (bv); k++)                           \
            {                                                                      \
              T v = xr[k * inner];                                                 \
              if (ISNAN (v) || (want_max ? v > bv : v < bv) || (last && v == bv))  \
                {                                                                  \
                  best = k;                                                        \
                  bv = v;                                                          \
                }                                                                  \
            }                                                                      \
          y[o * inner + i] = best;                                                 \
        }                                                                          \
  }
#define NOT_NAN(v) FALSE
  /* the first NaN wins, as in numpy */
  switch (in[0]->dtype)
    {
    case SAL_DTYPE_FLOAT: ARG_LOOP (float, isnan) break;
    case SAL_DTYPE_INT64: ARG_LOOP (int64_t, NOT_NAN) break;
    case SAL_DTYPE_INT32:
    case SAL_DTYPE_UNDEFINED:
    case SAL_DTYPE_UINT8:
    case SAL_DTYPE_INT8:
    case SAL_DTYPE_BOOL:
    default: ARG_LOOP (gint32, NOT_NAN) break;
    }
#undef ARG_LOOP
#undef NOT_NAN
  return TRUE;
}

#define REDUCE(name) { name, reduce_infer, NULL, reduce_forward, reduce_backward }

static const SalOpDef defs[] = {
  REDUCE ("ReduceSum"),
  REDUCE ("ReduceMean"),
  REDUCE ("ReduceMax"),
  REDUCE ("ReduceMin"),
  { "ArgMax", arg_infer, NULL, arg_forward, NULL },
  { "ArgMin", arg_infer, NULL, arg_forward, NULL },
};

const SalOpGroup sal_ops_reduce = { defs, G_N_ELEMENTS (defs) };
