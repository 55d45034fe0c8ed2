/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-engine"

/* Resize (opsets 11-17): nearest (all nearest_mode roundings), linear
 * (multilinear over any number of axes) and cubic, with every
 * coordinate_transformation_mode including tf_crop_and_resize.
 *
 * Interpolation is separable: one 1-D pass per resized axis, last axis first,
 * which is exactly how ONNX's reference composes the n-d interpolation (so
 * extrapolated values mix the same way). Each pass is a table of up to four
 * (index, weight) taps per output position; backward applies the transposed
 * passes in reverse order. */

#include "sal-ops-shape-private.h"

#include <math.h>
#include <string.h>

typedef enum { MODE_NEAREST, MODE_LINEAR, MODE_CUBIC } ResizeMode;
typedef enum {
  CT_HALF_PIXEL, CT_PYTORCH_HALF_PIXEL, CT_ALIGN_CORNERS, CT_ASYMMETRIC,
  CT_TF_HALF_PIXEL_FOR_NN, CT_TF_CROP_AND_RESIZE,
} CoordMode;
typedef enum { NM_ROUND_PREFER_FLOOR, NM_ROUND_PREFER_CEIL, NM_FLOOR, NM_CEIL } NearestMode;

typedef struct {
  ResizeMode  mode;
  CoordMode   ct;
  NearestMode nearest;
  float       cubic_a, extrapolation;
  gboolean    exclude_outside;
  int         rank, taps;
  int64_t     in[SAL_MAX_RANK], out[SAL_MAX_RANK];
  double      scale[SAL_MAX_RANK], resized[SAL_MAX_RANK];   /* resized: in × scale, unrounded */
  double      roi_start[SAL_MAX_RANK], roi_end[SAL_MAX_RANK];
  int         n_pass, pass_axis[SAL_MAX_RANK];   /* resized axes, last first */
} Resize;

static gboolean
pick (SalNode *node, const char *attr, const char *def, const char *const *names, int n,
      int *out, GError **error)
{
  const char *v = sal_node_attr_string (node, attr, def);

  for (int i = 0; i < n; i++)
    if (g_strcmp0 (v, names[i]) == 0)
      {
        *out = i;
        return TRUE;
      }
  sal_op_fail (error, SAL_ERROR_UNSUPPORTED, node, "%s '%s' is not supported", attr, v);
  return FALSE;
}

static gboolean
resize_setup (SalNode *node, SalTensor *const *in, Resize *p, GError **error)
{
  static const char *modes[] = { "nearest", "linear", "cubic" };
  static const char *cts[] = { "half_pixel", "pytorch_half_pixel", "align_corners",
                               "asymmetric", "tf_half_pixel_for_nn", "tf_crop_and_resize" };
  static const char *nms[] = { "round_prefer_floor", "round_prefer_ceil", "floor", "ceil" };
  const SalTensor *x = in[0];
  double vals[2 * SAL_MAX_RANK];
  int64_t sizes[SAL_MAX_RANK];
  int mode, ct, nm, n;

  memset (p, 0, sizeof *p);
  if (node->opset < 11)
    {
      sal_op_fail (error, SAL_ERROR_UNSUPPORTED, node, "opset %d is not supported (11 or newer)",
                   node->opset);
      return FALSE;
    }
  if (!pick (node, "mode", "nearest", modes, 3, &mode, error)
      || !pick (node, "coordinate_transformation_mode", "half_pixel", cts, 6, &ct, error)
      || !pick (node, "nearest_mode", "round_prefer_floor", nms, 4, &nm, error))
    return FALSE;
  if (x->dtype != SAL_DTYPE_FLOAT)
    {
      sal_op_fail (error, SAL_ERROR_UNSUPPORTED, node, "only float32 data is supported, not %s",
                   sal_dtype_name (x->dtype));
      return FALSE;
    }
  p->mode = mode;
  p->ct = ct;
  p->nearest = nm;
  p->taps = mode == MODE_NEAREST ? 1 : mode == MODE_LINEAR ? 2 : 4;
  p->cubic_a = sal_node_attr_float (node, "cubic_coeff_a", -0.75f);
  p->exclude_outside = sal_node_attr_int (node, "exclude_outside", 0) != 0;
  p->extrapolation = sal_node_attr_float (node, "extrapolation_value", 0.0f);
  p->rank = x->rank;
  memcpy (p->in, x->dims, sizeof p->in);
  for (int i = 0; i < p->rank; i++)
    {
      p->roi_start[i] = 0;
      p->roi_end[i] = 1;
    }
  if (p->ct == CT_TF_CROP_AND_RESIZE && sal_op_has_in (node, in, 1) && in[1]->numel > 0)
    {
      if ((n = sal_op_read_floats (node, in[1], "roi", vals, 2 * SAL_MAX_RANK, error)) < 0)
        return FALSE;
      if (n != 2 * p->rank)
        {
          sal_op_fail (error, SAL_ERROR_INVALID, node, "roi has %d values for rank %d", n,
                       p->rank);
          return FALSE;
        }
      for (int i = 0; i < p->rank; i++)
        {
          p->roi_start[i] = vals[i];
          p->roi_end[i] = vals[p->rank + i];
          if (!isfinite (vals[i]) || !isfinite (vals[p->rank + i]))
            {
              sal_op_fail (error, SAL_ERROR_INVALID, node, "roi holds a NaN or infinity");
              return FALSE;
            }
        }
    }

  if (sal_op_has_in (node, in, 3) && in[3]->numel > 0)
    {
      if ((n = sal_op_read_ints (node, in[3], "sizes", sizes, SAL_MAX_RANK, error)) < 0)
        return FALSE;
      if (n != p->rank)
        {
          sal_op_fail (error, SAL_ERROR_INVALID, node, "sizes has %d values for rank %d", n,
                       p->rank);
          return FALSE;
        }
      for (int i = 0; i < p->rank; i++)
        {
          if (sizes[i] < 0 || sizes[i] > (G_MAXINT32 / 4))
            {
              sal_op_fail (error, SAL_ERROR_INVALID, node, "sizes[%d] is out of range", i);
              return FALSE;
            }
          p->out[i] = sizes[i];
          p->resized[i] = (double) sizes[i];
          p->scale[i] = p->in[i] > 0 ? (double) sizes[i] / p->in[i] : 1.0;
        }
    }
  else if (sal_op_has_in (node, in, 2) && in[2]->numel > 0)
    {
      if ((n = sal_op_read_floats (node, in[2], "scales", vals, SAL_MAX_RANK, error)) < 0)
        return FALSE;
      if (n != p->rank)
        {
          sal_op_fail (error, SAL_ERROR_INVALID, node, "scales has %d values for rank %d", n,
                       p->rank);
          return FALSE;
        }
      for (int i = 0; i < p->rank; i++)
        {
          double o = floor (vals[i] * (double) p->in[i]);
          if (!(vals[i] > 0) || o > (G_MAXINT32 / 4))
            {
              sal_op_fail (error, SAL_ERROR_INVALID, node, "scales[%d] = %g is not valid", i,
                           vals[i]);
              return FALSE;
            }
          p->scale[i] = vals[i];
          p->out[i] = (int64_t) o;
          p->resized[i] = vals[i] * (double) p->in[i];
        }
    }
  else
    {
      sal_op_fail (error, SAL_ERROR_INVALID, node, "neither scales nor sizes is given");
      return FALSE;
    }

  for (int i = 0; i < p->rank; i++)
    if (p->in[i] == 0 && p->out[i] > 0)
      {
        sal_op_fail (error, SAL_ERROR_INVALID, node, "cannot resize the empty axis %d to %"
                     G_GINT64_FORMAT, i, p->out[i]);
        return FALSE;
      }
  for (int a = p->rank - 1; a >= 0; a--)
    if (p->out[a] != p->in[a] || p->scale[a] != 1.0 || p->ct == CT_TF_CROP_AND_RESIZE)
      p->pass_axis[p->n_pass++] = a;
  return TRUE;
}

/* The source coordinate of output position o along axis a. Like ONNX's
 * reference, align_corners and pytorch_half_pixel use the unrounded resized
 * length (input length × scale) when scales are given. */
static double
source_coord (const Resize *p, int a, int64_t o)
{
  double s = p->scale[a], x = (double) o, lr = p->resized[a];
  int64_t li = p->in[a], lo = p->out[a];

  switch (p->ct)
    {
    case CT_HALF_PIXEL:
      return (x + 0.5) / s - 0.5;
    case CT_PYTORCH_HALF_PIXEL:
      return lr != 1 ? (x + 0.5) / s - 0.5 : -0.5;
    case CT_ALIGN_CORNERS:
      return lr != 1 ? x * (double) (li - 1) / (lr - 1) : 0.0;
    case CT_ASYMMETRIC:
      return x / s;
    case CT_TF_HALF_PIXEL_FOR_NN:
      return (x + 0.5) / s;
    case CT_TF_CROP_AND_RESIZE:
      if (lo > 1)
        return p->roi_start[a] * (li - 1)
               + x * (p->roi_end[a] - p->roi_start[a]) * (li - 1) / (double) (lo - 1);
      return 0.5 * (p->roi_start[a] + p->roi_end[a]) * (li - 1);
    default:
      g_assert_not_reached ();
    }
}

/* Per output position: taps indices and weights; all weights 0 and
 * `extrap` set when tf_crop_and_resize falls outside the input. */
typedef struct {
  int64_t idx[4];
  float   w[4];
  gboolean extrap;
} Taps;

static void
make_taps (const Resize *p, int a, int64_t o, Taps *t)
{
  double x = source_coord (p, a, o), fl, r;
  int64_t li = p->in[a], base;

  memset (t, 0, sizeof *t);
  if (p->ct == CT_TF_CROP_AND_RESIZE && (x < 0 || x > li - 1))
    {
      t->extrap = TRUE;
      return;
    }
  if (p->mode == MODE_NEAREST)
    {
      double n;
      switch (p->nearest)
        {
        case NM_ROUND_PREFER_FLOOR:
          n = x == floor (x) + 0.5 ? floor (x) : round (x);
          break;
        case NM_ROUND_PREFER_CEIL:
          n = round (x);   /* halves round away from zero: up for x >= 0 */
          if (x < 0 && x == floor (x) + 0.5)
            n = ceil (x);
          break;
        case NM_FLOOR:
          n = floor (x);
          break;
        case NM_CEIL:
        default:
          n = ceil (x);
          break;
        }
      t->idx[0] = (int64_t) CLAMP (n, 0, (double) (li - 1));
      t->w[0] = 1.0f;
      return;
    }
  fl = floor (x);
  r = x - fl;
  base = (int64_t) fl;
  if (p->mode == MODE_LINEAR)
    {
      t->idx[0] = CLAMP (base, 0, li - 1);
      t->idx[1] = CLAMP (base + 1, 0, li - 1);
      t->w[0] = (float) (1.0 - r);
      t->w[1] = (float) r;
      return;
    }
  {
    double A = p->cubic_a, c[4], sum = 0;
    c[0] = ((A * (r + 1) - 5 * A) * (r + 1) + 8 * A) * (r + 1) - 4 * A;
    c[1] = ((A + 2) * r - (A + 3)) * r * r + 1;
    c[2] = ((A + 2) * (1 - r) - (A + 3)) * (1 - r) * (1 - r) + 1;
    c[3] = ((A * ((1 - r) + 1) - 5 * A) * ((1 - r) + 1) + 8 * A) * ((1 - r) + 1) - 4 * A;
    for (int k = 0; k < 4; k++)
      {
        int64_t i = base - 1 + k;
        if (p->exclude_outside && (i < 0 || i >= li))
          c[k] = 0;
        sum += c[k];
        t->idx[k] = CLAMP (i, 0, li - 1);
      }
    for (int k = 0; k < 4; k++)
      t->w[k] = (float) (p->exclude_outside && sum != 0 ? c[k] / sum : c[k]);
  }
}

/* Shape of the data before pass k (k == n_pass: the output). */
static void
pass_dims (const Resize *p, int k, int64_t *dims)
{
  memcpy (dims, p->in, sizeof p->in);
  for (int j = 0; j < k; j++)
    dims[p->pass_axis[j]] = p->out[p->pass_axis[j]];
}

static int64_t
pass_numel (const Resize *p, int k)
{
  int64_t dims[SAL_MAX_RANK], n = 1;

  pass_dims (p, k, dims);
  for (int i = 0; i < p->rank; i++)
    n *= dims[i];
  return n;
}

/* scratch: [taps table of the longest axis][buffer A][buffer B] */
static gsize
resize_workspace (const Resize *p, Taps **taps, float **buf0, float **buf1, void *scratch)
{
  int64_t max_out = 1, max_mid = 0, off;

  for (int k = 0; k < p->n_pass; k++)
    max_out = MAX (max_out, p->out[p->pass_axis[k]]);
  for (int k = 1; k < MAX (p->n_pass, 1); k++)
    max_mid = MAX (max_mid, pass_numel (p, k));
  off = (max_out * (int64_t) sizeof (Taps) + 63) & ~(int64_t) 63;
  if (scratch != NULL)
    {
      *taps = scratch;
      *buf0 = (float *) ((char *) scratch + off);
      *buf1 = *buf0 + ((max_mid + 15) & ~(int64_t) 15);
    }
  return off + 2 * ((max_mid + 15) & ~(int64_t) 15) * sizeof (float);
}

static gboolean
resize_infer (SalNode *node, SalTensor *const *in, SalTensor **out, gsize *workspace,
              GError **error)
{
  Resize p;

  if (!resize_setup (node, in, &p, error))
    return FALSE;
  *workspace = resize_workspace (&p, NULL, NULL, NULL, NULL);
  return sal_tensor_set_shape (out[0], in[0]->dtype, p.rank, p.out, error);
}

/* One pass along axis a: y[o, j, i] = sum_k w_k x[o, idx_k(j), i] */
static void
pass_forward (const Resize *p, int k, Taps *taps, const float *x, float *y)
{
  int64_t dims[SAL_MAX_RANK], outer = 1, inner = 1, li, lo;
  int a = p->pass_axis[k];

  pass_dims (p, k, dims);
  for (int i = 0; i < a; i++)
    outer *= dims[i];
  for (int i = a + 1; i < p->rank; i++)
    inner *= dims[i];
  li = p->in[a];
  lo = p->out[a];
  for (int64_t j = 0; j < lo; j++)
    make_taps (p, a, j, &taps[j]);
  for (int64_t o = 0; o < outer; o++)
    for (int64_t j = 0; j < lo; j++)
      {
        const Taps *t = &taps[j];
        float *yr = y + (o * lo + j) * inner;
        if (t->extrap)
          {
            for (int64_t i = 0; i < inner; i++)
              yr[i] = p->extrapolation;
            continue;
          }
        for (int64_t i = 0; i < inner; i++)
          {
            float acc = 0;
            for (int q = 0; q < p->taps; q++)
              acc += t->w[q] * x[(o * li + t->idx[q]) * inner + i];
            yr[i] = acc;
          }
      }
}

/* The transpose of a pass: gx[o, idx_k(j), i] += w_k gy[o, j, i] */
static void
pass_backward (const Resize *p, int k, Taps *taps, const float *gy, float *gx)
{
  int64_t dims[SAL_MAX_RANK], outer = 1, inner = 1, li, lo;
  int a = p->pass_axis[k];

  pass_dims (p, k, dims);
  for (int i = 0; i < a; i++)
    outer *= dims[i];
  for (int i = a + 1; i < p->rank; i++)
    inner *= dims[i];
  li = p->in[a];
  lo = p->out[a];
  for (int64_t j = 0; j < lo; j++)
    make_taps (p, a, j, &taps[j]);
  for (int64_t o = 0; o < outer; o++)
    for (int64_t j = 0; j < lo; j++)
      {
        const Taps *t = &taps[j];
        const float *gr = gy + (o * lo + j) * inner;
        if (t->extrap)
          continue;
        for (int q = 0; q < p->taps; q++)
          {
            float *gxr = gx + (o * li + t->idx[q]) * inner, w = t->w[q];
            for (int64_t i = 0; i < inner; i++)
              gxr[i] += w * gr[i];
          }
      }
}

static gboolean
resize_forward (SalNode *node, SalTensor *const *in, SalTensor **out, void *scratch,
                const SalExecCtx *ctx, GError **error)
{
  float *buf[2];
  Taps *taps;
  Resize p;

  if (!resize_setup (node, in, &p, error))
    return FALSE;
  resize_workspace (&p, &taps, &buf[0], &buf[1], scratch);
  if (p.n_pass == 0)
    {
      if (out[0]->numel > 0)
        memcpy (out[0]->data, in[0]->data, sal_tensor_nbytes (out[0]));
      return TRUE;
    }
  for (int k = 0; k < p.n_pass; k++)
    pass_forward (&p, k, taps, k == 0 ? sal_tensor_f32 (in[0]) : buf[(k - 1) % 2],
                  k == p.n_pass - 1 ? sal_tensor_f32 (out[0]) : buf[k % 2]);
  return TRUE;
}

/* dx += Resizeᵀ dy (only X gets a gradient) */
static gboolean
resize_backward (SalNode *node, SalTensor *const *in, SalTensor *const *out,
                 SalTensor *const *gout, SalTensor **gin, void *scratch,
                 const SalExecCtx *ctx, GError **error)
{
  const float *g;
  float *buf[2];
  Taps *taps;
  Resize p;

  if (gin[0] == NULL || gout[0] == NULL)
    return TRUE;
  if (!resize_setup (node, in, &p, error))
    return FALSE;
  resize_workspace (&p, &taps, &buf[0], &buf[1], scratch);
  if (p.n_pass == 0)
    {
      for (int64_t i = 0; i < gin[0]->numel; i++)
        sal_tensor_f32 (gin[0])[i] += sal_tensor_f32 (gout[0])[i];
      return TRUE;
    }
  g = sal_tensor_f32 (gout[0]);
  for (int k = p.n_pass - 1; k >= 0; k--)
    {
      float *dst = k == 0 ? sal_tensor_f32 (gin[0]) : buf[k % 2];
      if (k > 0)
        memset (dst, 0, pass_numel (&p, k) * sizeof (float));
      pass_backward (&p, k, taps, g, dst);
      g = dst;
    }
  return TRUE;
}

static const SalOpDef resize_defs[] = {
  { "Resize", resize_infer, NULL, resize_forward, resize_backward },
};

const SalOpGroup sal_ops_resize = { resize_defs, G_N_ELEMENTS (resize_defs) };
