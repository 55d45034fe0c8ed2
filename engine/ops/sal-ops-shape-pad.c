/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-engine"

/* Pad (constant, reflect, edge; pads as an attribute before opset 11, inputs
 * since, axes at 18). Backward routes each output gradient to the element it
 * was read from, and the border's to constant_value. */

#include "sal-ops-shape-private.h"

#include <math.h>
#include <string.h>

/* ------------------------------------------------------------------------ Pad */

typedef enum { PAD_CONSTANT, PAD_REFLECT, PAD_EDGE } PadMode;

typedef struct {
  PadMode mode;
  int64_t begin[SAL_MAX_RANK], end[SAL_MAX_RANK];
} PadParams;

static gboolean
pad_params (SalNode *node, SalTensor *const *in, PadParams *p, GError **error)
{
  const char *mode = sal_node_attr_string (node, "mode", "constant");
  int64_t pads[2 * SAL_MAX_RANK], axes[SAL_MAX_RANK];
  int r = in[0]->rank, n, na = r;

  if (g_strcmp0 (mode, "constant") == 0)
    p->mode = PAD_CONSTANT;
  else if (g_strcmp0 (mode, "reflect") == 0)
    p->mode = PAD_REFLECT;
  else if (g_strcmp0 (mode, "edge") == 0)
    p->mode = PAD_EDGE;
  else
    {
      sal_op_fail (error, SAL_ERROR_UNSUPPORTED, node, "mode '%s' is not supported", mode);
      return FALSE;
    }
  if (node->opset < 11)
    {
      const int64_t *a;
      n = sal_node_attr_ints (node, "pads", &a);
      if (n > 2 * SAL_MAX_RANK)
        n = 2 * SAL_MAX_RANK + 1;
      else if (n > 0)
        memcpy (pads, a, n * sizeof (int64_t));
    }
  else if (!sal_op_has_in (node, in, 1))
    {
      sal_op_fail (error, SAL_ERROR_INVALID, node, "the pads input is missing");
      return FALSE;
    }
  else if ((n = sal_op_read_ints (node, in[1], "pads", pads, 2 * SAL_MAX_RANK, error)) < 0)
    return FALSE;
  for (int i = 0; i < r; i++)
    axes[i] = i;
  if (node->opset >= 18 && sal_op_has_in (node, in, 3))
    if ((na = sal_op_read_ints (node, in[3], "axes", axes, SAL_MAX_RANK, error)) < 0)
      return FALSE;
  if (n != 2 * na)
    {
      sal_op_fail (error, SAL_ERROR_INVALID, node, "pads has %d values for %d axes", n, na);
      return FALSE;
    }
  memset (p->begin, 0, sizeof p->begin);
  memset (p->end, 0, sizeof p->end);
  for (int i = 0; i < na; i++)
    {
      int a;
      int64_t dim;
      if (!sal_op_axis (node, axes[i], r, &a, error))
        return FALSE;
      dim = in[0]->dims[a];
      p->begin[a] = pads[i];
      p->end[a] = pads[na + i];
      if (ABS (p->begin[a]) > G_MAXINT64 / 64 || ABS (p->end[a]) > G_MAXINT64 / 64
          || dim + p->begin[a] + p->end[a] < 0)
        {
          sal_op_fail (error, SAL_ERROR_INVALID, node, "pads on axis %d are out of range", a);
          return FALSE;
        }
      if (p->mode != PAD_CONSTANT && dim == 0 && p->begin[a] + p->end[a] > 0)
        {
          sal_op_fail (error, SAL_ERROR_INVALID, node,
                       "cannot %s-pad the empty axis %d", mode, a);
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
sal_pad_infer (SalNode *node, SalTensor *const *in, SalTensor **out, gsize *workspace,
               GError **error)
{
  int64_t dims[SAL_MAX_RANK];
  PadParams p;

  if (!pad_params (node, in, &p, error))
    return FALSE;
  for (int i = 0; i < in[0]->rank; i++)
    dims[i] = in[0]->dims[i] + p.begin[i] + p.end[i];
  return sal_tensor_set_shape (out[0], in[0]->dtype, in[0]->rank, dims, error);
}

/* Source coordinate along one axis for output coordinate c, or -1 for the constant. */
static inline int64_t
pad_source (PadMode mode, int64_t c, int64_t dim)
{
  if (c >= 0 && c < dim)
    return c;
  if (mode == PAD_CONSTANT)
    return -1;
  if (mode == PAD_EDGE)
    return c < 0 ? 0 : dim - 1;
  if (dim == 1)
    return 0;
  /* reflect without repeating the edge, period 2 * (dim - 1) */
  {
    int64_t period = 2 * (dim - 1), m = c % period;
    if (m < 0)
      m += period;
    return m < dim ? m : period - m;
  }
}

/* Calls visit for every output element with its source offset (-1: the constant). */
static void
pad_visit (const SalTensor *x, const SalTensor *y, const PadParams *p,
           void (*visit) (int64_t o, int64_t src, gpointer data), gpointer data)
{
  int64_t idx[SAL_MAX_RANK] = { 0 }, strides[SAL_MAX_RANK];
  int r = y->rank;

  sal_op_strides (x->rank, x->dims, strides);
  for (int64_t o = 0; o < y->numel; o++)
    {
      int64_t src = 0;
      for (int d = 0; d < r && src >= 0; d++)
        {
          int64_t s = pad_source (p->mode, idx[d] - p->begin[d], x->dims[d]);
          src = s < 0 ? -1 : src + s * strides[d];
        }
      visit (o, src, data);
      for (int d = r - 1; d >= 0; d--)
        {
          if (++idx[d] < y->dims[d])
            break;
          idx[d] = 0;
        }
    }
}

typedef struct {
  char       *y;
  const char *x;
  const char *value;
  gsize       es;
} PadFwd;

static void
pad_fwd_visit (int64_t o, int64_t src, gpointer data)
{
  PadFwd *f = data;

  memcpy (f->y + o * f->es, src >= 0 ? f->x + src * f->es : f->value, f->es);
}

/* y = x placed at pads_begin, the border filled by mode (constant, reflect, edge) */
gboolean
sal_pad_forward (SalNode *node, SalTensor *const *in, SalTensor **out, void *scratch,
                 const SalExecCtx *ctx, GError **error)
{
  guint64 value = 0;
  PadParams p;
  PadFwd f;

  if (!pad_params (node, in, &p, error))
    return FALSE;
  f.es = sal_dtype_size (in[0]->dtype);
  if (node->opset >= 11 && sal_op_has_in (node, in, 2) && in[2]->numel >= 1)
    {
      if (in[2]->dtype != in[0]->dtype)
        {
          sal_op_fail (error, SAL_ERROR_INVALID, node,
                       "constant_value has type %s, the data %s",
                       sal_dtype_name (in[2]->dtype), sal_dtype_name (in[0]->dtype));
          return FALSE;
        }
      memcpy (&value, in[2]->data, f.es);
    }
  else if (node->opset < 11)
    {
      float v = sal_node_attr_float (node, "value", 0.0f);
      if (in[0]->dtype == SAL_DTYPE_FLOAT)
        memcpy (&value, &v, sizeof v);
      else
        {
          int64_t iv = isfinite (v) && fabsf (v) < 9e18f ? (int64_t) v : 0;
          memcpy (&value, &iv, f.es);   /* little-endian low bytes */
        }
    }
  f.y = out[0]->data;
  f.x = in[0]->data;
  f.value = (const char *) &value;
  pad_visit (in[0], out[0], &p, pad_fwd_visit, &f);
  return TRUE;
}

typedef struct {
  float       *gx;
  float       *gvalue;
  const float *gy;
} PadBwd;

static void
pad_bwd_visit (int64_t o, int64_t src, gpointer data)
{
  PadBwd *b = data;

  if (src >= 0)
    {
      if (b->gx != NULL)
        b->gx[src] += b->gy[o];
    }
  else if (b->gvalue != NULL)
    b->gvalue[0] += b->gy[o];
}

/* dx[src(o)] += dy[o]; d constant_value += dy over the constant border */
gboolean
sal_pad_backward (SalNode *node, SalTensor *const *in, SalTensor *const *out,
                  SalTensor *const *gout, SalTensor **gin, void *scratch,
                  const SalExecCtx *ctx, GError **error)
{
  PadParams p;
  PadBwd b;

  if (gout[0] == NULL)
    return TRUE;
  if (!pad_params (node, in, &p, error))
    return FALSE;
  b.gx = gin[0] != NULL ? sal_tensor_f32 (gin[0]) : NULL;
  b.gvalue = node->opset >= 11 && node->n_inputs > 2 && gin[2] != NULL
             && gin[2]->numel >= 1 ? sal_tensor_f32 (gin[2]) : NULL;
  b.gy = sal_tensor_f32 (gout[0]);
  pad_visit (in[0], out[0], &p, pad_bwd_visit, &b);
  return TRUE;
}
