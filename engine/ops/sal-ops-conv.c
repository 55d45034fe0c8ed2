/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-engine"

/* Conv and ConvTranspose, 1-D to 3-D, with groups, strides, dilations, pads
 * and auto_pad.
 *   Conv:          Y[n, g*Mg + m] = B[m] + W_g[m] . im2col(X[n, group g])
 *                  X [N, C, *in], W [M, C/G, *k], Y [N, M, *out]
 *   ConvTranspose: Y[n, group g] = B + col2im(W_g^T X[n, group g])
 *                  X [N, C, *in], W [C, M/G, *k], Y [N, M, *out]
 * Each (sample, group) pair is one work item: items run in parallel on the
 * engine's threads with one im2col buffer per slot; a single item splits its
 * sgemm over the threads instead. Depthwise-like groups (one input channel,
 * fewer than 8 outputs) take the direct kernel, 1x1 stride-1 unpadded
 * convolutions skip im2col. A fused activation (see sal-ops-nn.h) is applied
 * to Y in the same pass. */

#include "sal-conv-kernels.h"
#include "sal-gemm.h"

/* Conv forward packs im2col in chunks of whole panels of about this many
 * bytes, so a chunk stays in L2 while the GEMM walks it. */
#define CONV_CHUNK_BYTES (96 * 1024)

typedef struct {
  gboolean    transpose;
  int         nsp;
  int64_t     N, C, M, G, Cg, Mg;
  int64_t     in[3], k[3], out[3];     /* X spatial, kernel, Y spatial (3-D padded) */
  SalConvGeom geom;                    /* image side: X for Conv, Y for ConvTranspose */
  gboolean    pointwise;               /* 1x1, stride 1, no padding: im2col is the identity */
  gboolean    direct;                  /* Conv with one input channel per group */
  SalNnAct    act;
} ConvParams;

static gboolean
conv_fail (const SalNode *node, GError **error, const char *fmt, ...) G_GNUC_PRINTF (3, 4);

static gboolean
conv_fail (const SalNode *node, GError **error, const char *fmt, ...)
{
  va_list ap;
  g_autofree char *msg = NULL;

  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID, "%s node '%s': %s", node->op_type,
               node->name, msg);
  return FALSE;
}

static gboolean
conv_params (const SalNode *node, SalTensor *const *in, gboolean transpose, ConvParams *p,
             GError **error)
{
  const SalTensor *x = in[0], *w = in[1];
  const SalTensor *b = node->n_inputs > 2 ? in[2] : NULL;
  int64_t kshape[3], strides[3], dil[3], pads[6], opad[3] = { 0, 0, 0 };
  const char *auto_pad = sal_node_attr_string (node, "auto_pad", "NOTSET");
  int nsp, off;

  memset (p, 0, sizeof *p);
  p->transpose = transpose;
  if (x == NULL || w == NULL)
    return conv_fail (node, error, "inputs X and W are required");
  if (!sal_nn_check_float (node, x, "X", error) || !sal_nn_check_float (node, w, "W", error)
      || (b != NULL && !sal_nn_check_float (node, b, "B", error)))
    return FALSE;
  nsp = x->rank - 2;
  if (nsp < 1 || nsp > SAL_NN_MAX_SPATIAL)
    return conv_fail (node, error, "input of rank %d; Salient supports 1-D to 3-D convolutions",
                      x->rank);
  if (w->rank != x->rank)
    return conv_fail (node, error, "W has rank %d but X has rank %d", w->rank, x->rank);
  p->nsp = nsp;
  off = 3 - nsp;
  p->G = sal_node_attr_int (node, "group", 1);
  if (p->G < 1 || p->G > G_MAXINT32)
    return conv_fail (node, error, "group must be positive");
  p->N = x->dims[0];
  p->C = x->dims[1];
  if (!transpose)
    {
      p->M = w->dims[0];
      if (p->C % p->G != 0 || w->dims[1] * p->G != p->C || p->M % p->G != 0)
        return conv_fail (node, error,
                          "X has %" G_GINT64_FORMAT " channels, W is for %" G_GINT64_FORMAT
                          " per group, %" G_GINT64_FORMAT " outputs, group %" G_GINT64_FORMAT,
                          p->C, w->dims[1], p->M, p->G);
    }
  else
    {
      if (w->dims[0] != p->C || p->C % p->G != 0)
        return conv_fail (node, error,
                          "X has %" G_GINT64_FORMAT " channels but W's first dimension is %"
                          G_GINT64_FORMAT " (group %" G_GINT64_FORMAT ")", p->C, w->dims[0],
                          p->G);
      p->M = w->dims[1] * p->G;
    }
  p->Cg = p->C / p->G;
  p->Mg = p->M / p->G;
  if (b != NULL && b->numel != p->M)
    return conv_fail (node, error, "bias has %" G_GINT64_FORMAT " values, expected %"
                      G_GINT64_FORMAT, b->numel, p->M);

  if (!sal_nn_attr_ints (node, "strides", nsp, 1, 1, strides, error)
      || !sal_nn_attr_ints (node, "dilations", nsp, 1, 1, dil, error)
      || !sal_nn_attr_ints (node, "pads", 2 * nsp, 0, 0, pads, error))
    return FALSE;
  if (transpose && !sal_nn_attr_ints (node, "output_padding", nsp, 0, 0, opad, error))
    return FALSE;
  if (sal_node_attr (node, "kernel_shape") != NULL)
    {
      if (!sal_nn_attr_ints (node, "kernel_shape", nsp, 1, 1, kshape, error))
        return FALSE;
      for (int i = 0; i < nsp; i++)
        if (kshape[i] != w->dims[2 + i])
          return conv_fail (node, error, "kernel_shape disagrees with W's shape");
    }
  for (int i = 0; i < nsp; i++)
    kshape[i] = w->dims[2 + i];

  for (int i = 0; i < 3; i++)
    {
      p->in[i] = p->k[i] = p->out[i] = 1;
      p->geom.stride[i] = p->geom.dil[i] = 1;
      p->geom.pad[i] = 0;
    }
  for (int i = 0; i < nsp; i++)
    {
      int64_t in_i = x->dims[2 + i], k_i = kshape[i], s = strides[i], d = dil[i];
      int64_t span = (k_i - 1) * d + 1, pb = pads[i], pe = pads[nsp + i], out_i;
      if (k_i < 1)
        return conv_fail (node, error, "empty kernel");
      if (span > G_MAXINT32)
        return conv_fail (node, error, "kernel span too large");
      if (!transpose)
        {
          if (strcmp (auto_pad, "SAME_UPPER") == 0 || strcmp (auto_pad, "SAME_LOWER") == 0)
            {
              int64_t want = (in_i + s - 1) / s;
              int64_t total = MAX (0, (want - 1) * s + span - in_i);
              pb = strcmp (auto_pad, "SAME_UPPER") == 0 ? total / 2 : total - total / 2;
              pe = total - pb;
            }
          else if (strcmp (auto_pad, "VALID") == 0)
            pb = pe = 0;
          else if (strcmp (auto_pad, "NOTSET") != 0)
            return conv_fail (node, error, "unknown auto_pad '%s'", auto_pad);
          if (in_i + pb + pe < span)
            return conv_fail (node, error, "the kernel is larger than the padded input");
          out_i = (in_i + pb + pe - span) / s + 1;
        }
      else
        {
          const int64_t *oshape;
          int n_os = sal_node_attr_ints (node, "output_shape", &oshape);
          gboolean same = strcmp (auto_pad, "SAME_UPPER") == 0
                          || strcmp (auto_pad, "SAME_LOWER") == 0;
          if (!same && strcmp (auto_pad, "NOTSET") != 0 && strcmp (auto_pad, "VALID") != 0)
            return conv_fail (node, error, "unknown auto_pad '%s'", auto_pad);
          if (strcmp (auto_pad, "VALID") == 0)
            pb = pe = 0;
          if (opad[i] >= MAX (s, d))
            return conv_fail (node, error, "output_padding must be smaller than the stride"
                              " or the dilation");
          if (n_os > 0 || same)
            {
              int64_t total, half;
              if (n_os > 0 && n_os != nsp && n_os != nsp + 2)
                return conv_fail (node, error, "output_shape has %d values", n_os);
              out_i = n_os > 0 ? oshape[n_os - nsp + i] : in_i * s;
              /* a negative total (output_shape past the natural extent) pads
               * the end with zeros; halves round down as in ONNX's reference */
              total = s * (in_i - 1) + opad[i] + span - out_i;
              half = total >= 0 ? total / 2 : -((-total + 1) / 2);
              if (strcmp (auto_pad, "SAME_UPPER") == 0)
                pb = half, pe = total - half;
              else
                pb = total - half, pe = half;
              if (out_i < 1 || out_i > G_MAXINT32)
                return conv_fail (node, error, "output_shape is out of range");
            }
          out_i = s * (in_i - 1) + opad[i] + span - pb - pe;
          if (out_i < 1)
            return conv_fail (node, error, "pads leave an empty output");
        }
      if (out_i > G_MAXINT32 || in_i > G_MAXINT32)
        return conv_fail (node, error, "spatial extent too large");
      p->in[off + i] = in_i;
      p->k[off + i] = k_i;
      p->out[off + i] = out_i;
      p->geom.stride[off + i] = s;
      p->geom.dil[off + i] = d;
      p->geom.pad[off + i] = pb;
    }

  p->geom.n_spatial = nsp;
  p->geom.channels = transpose ? p->Mg : p->Cg;
  for (int i = 0; i < 3; i++)
    {
      p->geom.img[i] = transpose ? p->out[i] : p->in[i];
      p->geom.out[i] = transpose ? p->in[i] : p->out[i];
      p->geom.k[i] = p->k[i];
    }
  p->geom.img_size = p->geom.img[0] * p->geom.img[1] * p->geom.img[2];
  p->geom.out_size = p->geom.out[0] * p->geom.out[1] * p->geom.out[2];
  p->geom.k_size = p->k[0] * p->k[1] * p->k[2];
  p->pointwise = p->geom.k_size == 1;
  for (int i = 0; i < 3; i++)
    if (p->geom.stride[i] != 1 || p->geom.pad[i] != 0 || p->geom.img[i] != p->geom.out[i])
      p->pointwise = FALSE;
  /* one input channel per group and few outputs per group (depthwise): a
   * direct loop beats im2col + an sgemm of 1 to 7 rows; with more outputs
   * per group (a grey image's first layer) sgemm wins even at K = 9 */
  p->direct = !transpose && p->Cg == 1 && p->Mg < 8 && !p->pointwise;
  {
    /* every size below must fit sgemm's int arguments and our byte counts */
    int64_t rows = p->geom.channels * p->geom.k_size;
    if (rows > G_MAXINT32 || p->geom.out_size > G_MAXINT32 || p->geom.img_size > G_MAXINT32
        || rows * p->geom.out_size > G_MAXINT64 / 64)
      return conv_fail (node, error, "convolution too large");
  }
  return sal_nn_act_from_node (node, &p->act, error);
}

/* floats of one im2col buffer (ConvTranspose forward) */
static int64_t
col_floats (const ConvParams *p)
{
  if (p->pointwise || p->direct)
    return 0;
  return p->geom.channels * p->geom.k_size * p->geom.out_size;
}

/* Conv forward: panels per packed chunk at most, and the floats of one chunk */
static int64_t
chunk_panels (const ConvParams *p, const SalGemmKernel *k)
{
  int64_t nr = sal_gemm_nr (k), rows = p->Cg * p->geom.k_size;
  int64_t panels = (p->geom.out_size + nr - 1) / nr;

  return CLAMP (CONV_CHUNK_BYTES / (int64_t) (rows * nr * sizeof (float)), 1, panels);
}

/* one slot's scratch: the padded image and one packed chunk */
static int64_t
chunk_floats (const ConvParams *p, const SalGemmKernel *k)
{
  if (p->transpose || p->direct)
    return 0;
  return sal_conv_pad_floats (&p->geom)
         + chunk_panels (p, k) * sal_gemm_nr (k) * p->Cg * p->geom.k_size;
}

static gboolean
conv_infer_common (SalNode *node, SalTensor *const *in, SalTensor **out, gsize *workspace,
                   gboolean transpose, GError **error)
{
  ConvParams p;
  int64_t dims[5];
  int64_t fwd, bwd, y_item;

  if (node->n_inputs < 2)
    return conv_fail (node, error, "needs inputs X and W");
  if (!conv_params (node, in, transpose, &p, error))
    return FALSE;
  dims[0] = p.N;
  dims[1] = p.M;
  for (int i = 0; i < p.nsp; i++)
    dims[2 + i] = p.out[3 - p.nsp + i];
  y_item = p.Mg * (transpose ? p.geom.img_size : p.geom.out_size);
  if (transpose)
    fwd = col_floats (&p) * MIN (MAX (p.N * p.G, 1), SAL_NN_MAX_SLOTS);
  else
    {
      /* a sample's panels may be split over the slots too (see conv_forward_common) */
      const SalGemmKernel *k = sal_gemm_best ();
      int64_t panels = (p.geom.out_size + sal_gemm_nr (k) - 1) / sal_gemm_nr (k);
      fwd = chunk_floats (&p, k) * MIN (MAX (p.N * p.G * panels, 1), SAL_NN_MAX_SLOTS);
    }
  /* backward: one im2col buffer, its gradient, the masked dY of one item and
   * one group's weights transposed */
  bwd = 2 * (transpose || !p.direct ? p.geom.channels * p.geom.k_size * p.geom.out_size : 0)
        + y_item + p.Cg * p.geom.k_size * p.Mg;
  *workspace = (gsize) MAX (fwd, bwd) * sizeof (float);
  return sal_tensor_set_shape (out[0], SAL_DTYPE_FLOAT, 2 + p.nsp, dims, error);
}

static gboolean
conv_infer (SalNode *node, SalTensor *const *in, SalTensor **out, gsize *workspace,
            GError **error)
{
  return conv_infer_common (node, in, out, workspace, FALSE, error);
}

static gboolean
conv_transpose_infer (SalNode *node, SalTensor *const *in, SalTensor **out, gsize *workspace,
                      GError **error)
{
  return conv_infer_common (node, in, out, workspace, TRUE, error);
}

typedef struct {
  const ConvParams  *p;
  const float       *x, *w, *b;
  float             *y;
  float             *scratch;
  const SalExecCtx  *gemm_ctx;   /* non-NULL when one item may split its sgemm */
  /* Conv: work units are (sample, group, part), a part being a range of
   * chunks of panels */
  const SalGemmKernel *kernel;
  int64_t           chunk;       /* panels per chunk */
  int64_t           n_chunks;    /* chunks per (sample, group) */
  int64_t           n_parts;     /* parts per (sample, group) */
  int64_t           slot_floats; /* scratch floats per slot */
} ConvRun;

SAL_NN_HOT static void
bias_act (const ConvParams *p, const float *b, int64_t m0, float *y, int64_t plane)
{
  for (int64_t m = 0; m < p->Mg; m++)
    {
      float *ym = y + m * plane;
      if (b != NULL)
        {
          float bv = b[m0 + m];
          for (int64_t i = 0; i < plane; i++)
            ym[i] += bv;
        }
    }
  sal_nn_act_apply (&p->act, y, p->Mg * plane);
}

/* Units [i0, i1) of (sample, group, part): pads the image once, then packs
 * each chunk's im2col panels and multiplies them by the group's weights into
 * Y with bias and activation fused; the direct kernel takes whole (sample,
 * group) items (n_parts 1). */
static void
conv_items (int slot, int64_t i0, int64_t i1, gpointer data)
{
  const ConvRun *r = data;
  const ConvParams *p = r->p;
  const SalConvGeom *g = &p->geom;
  float *pad = r->scratch + slot * r->slot_floats;
  float *col = pad + sal_conv_pad_floats (g);
  int64_t ck = p->Cg * g->k_size;

  for (int64_t unit = i0; unit < i1; unit++)
    {
      int64_t item = unit / r->n_parts, part = unit % r->n_parts;
      int64_t n = item / p->G, grp = item % p->G;
      const float *xg = r->x + (n * p->C + grp * p->Cg) * g->img_size;
      const float *wg = r->w + grp * p->Mg * ck;
      float *yg = r->y + (n * p->M + grp * p->Mg) * g->out_size;

      if (p->direct)
        {
          memset (yg, 0, p->Mg * g->out_size * sizeof (float));
          sal_conv_direct_1ch (g, xg, wg, p->Mg, yg);
          bias_act (p, r->b, grp * p->Mg, yg, g->out_size);
        }
      else
        {
          int64_t nr = sal_gemm_nr (r->kernel);
          int64_t ch0 = r->n_chunks * part / r->n_parts;
          int64_t ch1 = r->n_chunks * (part + 1) / r->n_parts;
          const float *src = sal_conv_pad_image (g, xg, pad);
          for (int64_t ch = ch0; ch < ch1; ch++)
            {
              int64_t c0 = ch * r->chunk * nr, c1 = MIN (g->out_size, c0 + r->chunk * nr);
              sal_conv_im2col_packed (g, src, c0, c1, (int) nr, col);
              sal_gemm_packed (r->kernel, p->Mg, c1 - c0, ck, wg, ck, col, yg + c0,
                               g->out_size, r->b != NULL ? r->b + grp * p->Mg : NULL, &p->act);
            }
        }
    }
}

static void
conv_transpose_items (int slot, int64_t i0, int64_t i1, gpointer data)
{
  const ConvRun *r = data;
  const ConvParams *p = r->p;
  const SalConvGeom *g = &p->geom;
  float *col = r->scratch + slot * col_floats (p);
  int64_t mk = p->Mg * g->k_size;

  for (int64_t item = i0; item < i1; item++)
    {
      int64_t n = item / p->G, grp = item % p->G;
      const float *xg = r->x + (n * p->C + grp * p->Cg) * g->out_size;
      const float *wg = r->w + grp * p->Cg * mk;
      float *yg = r->y + (n * p->M + grp * p->Mg) * g->img_size;

      if (p->pointwise)
        sal_nn_sgemm (r->gemm_ctx, TRUE, FALSE, (int) p->Mg, (int) g->out_size, (int) p->Cg,
                      1.f, wg, (int) mk, xg, (int) g->out_size, 0.f, yg, (int) g->out_size);
      else
        {
          sal_nn_sgemm (r->gemm_ctx, TRUE, FALSE, (int) mk, (int) g->out_size, (int) p->Cg,
                        1.f, wg, (int) mk, xg, (int) g->out_size, 0.f, col,
                        (int) g->out_size);
          memset (yg, 0, p->Mg * g->img_size * sizeof (float));
          sal_conv_col2im (g, col, yg);
        }
      bias_act (p, r->b, grp * p->Mg, yg, g->img_size);
    }
}

static gboolean
cancelled (const SalNode *node, GError **error)
{
  g_set_error (error, SAL_ERROR, SAL_ERROR_CANCELLED, "%s node '%s': cancelled", node->op_type,
               node->name);
  return FALSE;
}

static gboolean
conv_forward_common (SalNode *node, SalTensor *const *in, SalTensor **out, void *scratch,
                     const SalExecCtx *ctx, gboolean transpose, GError **error)
{
  ConvParams p;
  ConvRun r;
  int64_t items, per;

  if (!conv_params (node, in, transpose, &p, error))
    return FALSE;
  items = p.N * p.G;
  r.p = &p;
  r.x = sal_tensor_f32 (in[0]);
  r.w = sal_tensor_f32 (in[1]);
  r.b = node->n_inputs > 2 && in[2] != NULL ? sal_tensor_f32 (in[2]) : NULL;
  r.y = sal_tensor_f32 (out[0]);
  r.scratch = scratch;
  r.gemm_ctx = items == 1 && transpose ? ctx : NULL;
  r.kernel = sal_gemm_best ();
  r.n_chunks = r.n_parts = 1;
  r.chunk = 0;
  r.slot_floats = transpose ? col_floats (&p) : chunk_floats (&p, r.kernel);
  if (out[0]->numel == 0)
    return TRUE;
  if (!transpose && !p.direct)
    {
      /* chunks of panels that fit L2; a batch too small to give every
       * thread a (sample, group) item splits each sample's panels instead */
      int64_t nr = sal_gemm_nr (r.kernel), panels = (p.geom.out_size + nr - 1) / nr;
      int slots = sal_nn_n_slots (ctx, items * panels);
      r.chunk = chunk_panels (&p, r.kernel);
      if (items < slots)
        r.chunk = MIN (r.chunk, (panels + slots / items - 1) / (slots / items));
      r.n_chunks = (panels + r.chunk - 1) / r.chunk;
      if (items < slots)
        r.n_parts = MIN (r.n_chunks, slots / items);
    }
  if (items * r.n_parts == 1)
    {
      (transpose ? conv_transpose_items : conv_items) (0, 0, 1, &r);
      return TRUE;
    }
  /* blocks of whole samples, polling the run's cancel callback between them */
  per = MAX (1, 4 * (int64_t) sal_nn_n_slots (ctx, items) / p.G);
  for (int64_t n0 = 0; n0 < p.N; n0 += per)
    {
      int64_t nb = MIN (per, p.N - n0);
      ConvRun part = r;
      part.x += n0 * p.C * (transpose ? p.geom.out_size : p.geom.img_size);
      part.y += n0 * p.M * (transpose ? p.geom.img_size : p.geom.out_size);
      sal_nn_parallel (ctx, nb * p.G * r.n_parts, transpose ? conv_transpose_items
                       : conv_items, &part);
      if (n0 + nb < p.N && sal_exec_cancelled (ctx))
        return cancelled (node, error);
    }
  return TRUE;
}

static gboolean
conv_forward (SalNode *node, SalTensor *const *in, SalTensor **out, void *scratch,
              const SalExecCtx *ctx, GError **error)
{
  return conv_forward_common (node, in, out, scratch, ctx, FALSE, error);
}

static gboolean
conv_transpose_forward (SalNode *node, SalTensor *const *in, SalTensor **out, void *scratch,
                        const SalExecCtx *ctx, GError **error)
{
  return conv_forward_common (node, in, out, scratch, ctx, TRUE, error);
}

/* This item's dY masked by the fused activation's derivative (copied into
 * gm; without an activation, dY itself), with its sums added into dB. */
static const float *
masked_grad (const ConvParams *p, const float *gy, const float *y, int64_t plane, int64_t m0,
             float *gm, float *db)
{
  const float *g = gy;

  if (p->act.kind != SAL_NN_ACT_NONE)
    {
      sal_nn_act_grad_copy (&p->act, y, gy, gm, p->Mg * plane);
      g = gm;
    }
  if (db != NULL)
    for (int64_t m = 0; m < p->Mg; m++)
      {
        double acc = 0;
        for (int64_t i = 0; i < plane; i++)
          acc += g[m * plane + i];
        db[m0 + m] += (float) acc;
      }
  return g;
}

/* dcol = W_gᵀ G on Salient's kernel: ranges of B's panels in parallel, each
 * packed into its own part of bp. */
typedef struct {
  const SalGemmKernel *kernel;
  int64_t      M, K, n, nr;     /* dcol is M × n, G is K × n */
  const float *wt, *g;
  float       *bp, *dcol;
} DcolRun;

static void
dcol_panels (int slot, int64_t p0, int64_t p1, gpointer data)
{
  const DcolRun *r = data;
  int64_t c0 = p0 * r->nr, c1 = MIN (r->n, p1 * r->nr);

  if (c0 >= c1)
    return;
  sal_gemm_pack_b (r->kernel, r->K, c1 - c0, r->g + c0, r->n, r->bp + c0 * r->K);
  sal_gemm_packed (r->kernel, r->M, c1 - c0, r->K, r->wt, r->K, r->bp + c0 * r->K,
                   r->dcol + c0, r->n, NULL, NULL);
}

/* Conv:  G = act'(Y) dY;  dB += sum G;  dW_g += G_g col_g^T;  dX_g += col2im (W_g^T G_g) */
static gboolean
conv_backward (SalNode *node, SalTensor *const *in, SalTensor *const *out,
               SalTensor *const *gout, SalTensor **gin, void *scratch,
               const SalExecCtx *ctx, GError **error)
{
  ConvParams p;
  const SalConvGeom *g = &p.geom;
  const float *x = sal_tensor_f32 (in[0]), *w = sal_tensor_f32 (in[1]);
  float *dx = gin[0] ? sal_tensor_f32 (gin[0]) : NULL;
  float *dw = gin[1] ? sal_tensor_f32 (gin[1]) : NULL;
  float *db = node->n_inputs > 2 && gin[2] ? sal_tensor_f32 (gin[2]) : NULL;
  float *col, *dcol, *gm, *wt;
  int64_t ck, cols;
  gboolean store = dx != NULL && (ctx->grad_set & 1), own_gemm;
  const SalGemmKernel *kernel = sal_gemm_best ();

  /* dX may be stored (each sample's slice zeroed just before it is summed
   * into, while it is in cache); the weights' gradients are added to. */
  sal_op_zero_unhandled_grads (ctx, gin, node->n_inputs, gout[0] != NULL && store ? 1 : 0);
  if (gout[0] == NULL)
    return TRUE;
  if (!conv_params (node, in, FALSE, &p, error))
    return FALSE;
  ck = p.Cg * g->k_size;
  cols = p.direct ? 0 : ck * g->out_size;
  col = scratch;
  dcol = col + cols;
  gm = dcol + cols;
  wt = gm + p.Mg * g->out_size;
  /* dcol = W_gᵀ G_g with Salient's own kernel (one thread): W_gᵀ as A, G_g
   * packed into the im2col buffer (free once dW is done) as B. */
  own_gemm = !p.direct && !p.pointwise
             && sal_gemm_packed_floats (kernel, p.Mg, g->out_size) <= cols;
  for (int64_t n = 0; n < p.N; n++)
    for (int64_t grp = 0; grp < p.G; grp++)
      {
        const float *xg = x + (n * p.C + grp * p.Cg) * g->img_size;
        const float *wg = w + grp * p.Mg * ck;
        int64_t yoff = (n * p.M + grp * p.Mg) * g->out_size;
        float *dxg = dx ? dx + (n * p.C + grp * p.Cg) * g->img_size : NULL;

        const float *gmp = masked_grad (&p, sal_tensor_f32 (gout[0]) + yoff,
                                        sal_tensor_f32 (out[0]) + yoff, g->out_size,
                                        grp * p.Mg, gm, db);
        if (dxg && store && !(p.pointwise && !p.direct))
          memset (dxg, 0, p.Cg * g->img_size * sizeof (float));
        if (p.direct)
          {
            if (dw)
              sal_conv_direct_1ch_grad_w (g, gmp, xg, p.Mg, dw + grp * p.Mg * ck);
            if (dxg)
              sal_conv_direct_1ch_grad_img (g, gmp, wg, p.Mg, dxg);
            continue;
          }
        if (dw)
          {
            const float *colp = xg;
            if (!p.pointwise)
              {
                sal_conv_im2col (g, xg, col);
                colp = col;
              }
            sal_nn_sgemm (ctx, FALSE, TRUE, (int) p.Mg, (int) ck, (int) g->out_size, 1.f, gmp,
                          (int) g->out_size, colp, (int) g->out_size, 1.f,
                          dw + grp * p.Mg * ck, (int) ck);
          }
        if (dxg)
          {
            if (p.pointwise)
              sal_nn_sgemm (ctx, TRUE, FALSE, (int) ck, (int) g->out_size, (int) p.Mg, 1.f, wg,
                            (int) ck, gmp, (int) g->out_size, store ? 0.f : 1.f, dxg,
                            (int) g->out_size);
            else if (own_gemm)
              {
                for (int64_t m = 0; m < p.Mg; m++)
                  for (int64_t k = 0; k < ck; k++)
                    wt[k * p.Mg + m] = wg[m * ck + k];
                DcolRun dr = { kernel, ck, p.Mg, g->out_size, sal_gemm_nr (kernel), wt, gmp,
                               col, dcol };
                int64_t panels = (g->out_size + dr.nr - 1) / dr.nr;
                sal_nn_parallel (ck * p.Mg * g->out_size >= (1 << 20) ? ctx : NULL, panels,
                                 dcol_panels, &dr);
                sal_conv_col2im (g, dcol, dxg);
              }
            else
              {
                sal_nn_sgemm (ctx, TRUE, FALSE, (int) ck, (int) g->out_size, (int) p.Mg, 1.f,
                              wg, (int) ck, gmp, (int) g->out_size, 0.f, dcol,
                              (int) g->out_size);
                sal_conv_col2im (g, dcol, dxg);
              }
          }
      }
  return TRUE;
}

/* ConvTranspose: G = act'(Y) dY;  dB += sum G;  C = im2col (G_g);
 *   dX_g += W_g C;  dW_g += X_g C^T */
static gboolean
conv_transpose_backward (SalNode *node, SalTensor *const *in, SalTensor *const *out,
                         SalTensor *const *gout, SalTensor **gin, void *scratch,
                         const SalExecCtx *ctx, GError **error)
{
  ConvParams p;
  const SalConvGeom *g = &p.geom;
  const float *x = sal_tensor_f32 (in[0]), *w = sal_tensor_f32 (in[1]);
  float *dx = gin[0] ? sal_tensor_f32 (gin[0]) : NULL;
  float *dw = gin[1] ? sal_tensor_f32 (gin[1]) : NULL;
  float *db = node->n_inputs > 2 && gin[2] ? sal_tensor_f32 (gin[2]) : NULL;
  float *col, *gm;
  int64_t mk, cols;

  if (gout[0] == NULL)
    return TRUE;
  if (!conv_params (node, in, TRUE, &p, error))
    return FALSE;
  mk = p.Mg * g->k_size;
  cols = mk * g->out_size;
  col = scratch;
  gm = col + 2 * cols;
  for (int64_t n = 0; n < p.N; n++)
    for (int64_t grp = 0; grp < p.G; grp++)
      {
        const float *xg = x + (n * p.C + grp * p.Cg) * g->out_size;
        const float *wg = w + grp * p.Cg * mk;
        int64_t yoff = (n * p.M + grp * p.Mg) * g->img_size;
        const float *colp = masked_grad (&p, sal_tensor_f32 (gout[0]) + yoff,
                                         sal_tensor_f32 (out[0]) + yoff, g->img_size,
                                         grp * p.Mg, gm, db);

        if (dx == NULL && dw == NULL)
          continue;
        if (!p.pointwise)
          {
            sal_conv_im2col (g, colp, col);
            colp = col;
          }
        if (dx)
          sal_nn_sgemm (ctx, FALSE, FALSE, (int) p.Cg, (int) g->out_size, (int) mk, 1.f, wg,
                        (int) mk, colp, (int) g->out_size, 1.f,
                        dx + (n * p.C + grp * p.Cg) * g->out_size, (int) g->out_size);
        if (dw)
          sal_nn_sgemm (ctx, FALSE, TRUE, (int) p.Cg, (int) mk, (int) g->out_size, 1.f, xg,
                        (int) g->out_size, colp, (int) g->out_size, 1.f, dw + grp * p.Cg * mk,
                        (int) mk);
      }
  return TRUE;
}

static const SalOpDef conv_defs[] = {
  { "Conv", conv_infer, NULL, conv_forward, conv_backward, TRUE },
  { "ConvTranspose", conv_transpose_infer, NULL, conv_transpose_forward,
    conv_transpose_backward },
};

const SalOpGroup sal_ops_conv = { conv_defs, G_N_ELEMENTS (conv_defs) };
