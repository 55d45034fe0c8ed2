/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-engine"

#include "sal-conv-kernels.h"

/* Positions o in [0, n_out) whose tap lands inside the image:
 * 0 <= o * s - p + off < n_img, with off = tap * dilation. */
static inline void
tap_range (int64_t n_out, int64_t n_img, int64_t s, int64_t p, int64_t off, int64_t *lo,
           int64_t *hi)
{
  int64_t a = p - off, b = n_img - 1 + p - off;

  *lo = a > 0 ? (a + s - 1) / s : 0;
  *hi = b < 0 ? 0 : MIN (n_out, b / s + 1);
  if (*lo > *hi)
    *lo = *hi;
}

/* Iterates the valid rows of one tap: calls BODY with `src` (image row start,
 * already offset by the tap, indexed by ow * sw) and `dst` (position row start). */
#define FOR_TAP_ROWS(g, c, kd, kh, kw, BODY)                                                  \
  do {                                                                                        \
    int64_t dlo_, dhi_, hlo_, hhi_, wlo, whi;                                                 \
    tap_range ((g)->out[0], (g)->img[0], (g)->stride[0], (g)->pad[0], (kd) * (g)->dil[0],   \
               &dlo_, &dhi_);                                                                 \
    tap_range ((g)->out[1], (g)->img[1], (g)->stride[1], (g)->pad[1], (kh) * (g)->dil[1],   \
               &hlo_, &hhi_);                                                                 \
    tap_range ((g)->out[2], (g)->img[2], (g)->stride[2], (g)->pad[2], (kw) * (g)->dil[2],   \
               &wlo, &whi);                                                                   \
    for (int64_t od = dlo_; od < dhi_ && wlo < whi; od++)                                    \
      {                                                                                       \
        int64_t id = od * (g)->stride[0] - (g)->pad[0] + (kd) * (g)->dil[0];                 \
        for (int64_t oh = hlo_; oh < hhi_; oh++)                                              \
          {                                                                                   \
            int64_t ih = oh * (g)->stride[1] - (g)->pad[1] + (kh) * (g)->dil[1];             \
            int64_t src_off = (((c) * (g)->img[0] + id) * (g)->img[1] + ih) * (g)->img[2]    \
                              - (g)->pad[2] + (kw) * (g)->dil[2];                             \
            int64_t dst_off = (od * (g)->out[1] + oh) * (g)->out[2];                          \
            BODY;                                                                             \
          }                                                                                   \
      }                                                                                       \
  } while (0)

SAL_NN_HOT void
sal_conv_im2col (const SalConvGeom *g, const float *img, float *col)
{
  const int64_t sw = g->stride[2], O1 = g->out[1], O2 = g->out[2];
  int64_t tap = 0;

  for (int64_t c = 0; c < g->channels; c++)
    for (int64_t kd = 0; kd < g->k[0]; kd++)
      for (int64_t kh = 0; kh < g->k[1]; kh++)
        for (int64_t kw = 0; kw < g->k[2]; kw++, tap++)
          {
            float *row = col + tap * g->out_size;
            int64_t dlo, dhi, hlo, hhi, wlo, whi;
            tap_range (g->out[0], g->img[0], g->stride[0], g->pad[0], kd * g->dil[0], &dlo, &dhi);
            tap_range (O1, g->img[1], g->stride[1], g->pad[1], kh * g->dil[1], &hlo, &hhi);
            tap_range (O2, g->img[2], sw, g->pad[2], kw * g->dil[2], &wlo, &whi);
            /* every position written once: zeros where the tap is in the padding */
            for (int64_t od = 0; od < g->out[0]; od++)
              {
                float *plane = row + od * O1 * O2;
                int64_t id = od * g->stride[0] - g->pad[0] + kd * g->dil[0];
                if (od < dlo || od >= dhi || wlo >= whi)
                  {
                    memset (plane, 0, O1 * O2 * sizeof (float));
                    continue;
                  }
                if (hlo > 0)
                  memset (plane, 0, hlo * O2 * sizeof (float));
                if (hhi < O1)
                  memset (plane + hhi * O2, 0, (O1 - hhi) * O2 * sizeof (float));
                for (int64_t oh = hlo; oh < hhi; oh++)
                  {
                    int64_t ih = oh * g->stride[1] - g->pad[1] + kh * g->dil[1];
                    const float *src = img + ((c * g->img[0] + id) * g->img[1] + ih) * g->img[2]
                                       - g->pad[2] + kw * g->dil[2];
                    float *restrict dst = plane + oh * O2;
                    /* plain loops: rows are often short (7 to 56), where library
                     * calls cost more than the copy */
                    for (int64_t ow = 0; ow < wlo; ow++)
                      dst[ow] = 0.f;
                    if (sw == 1)
                      for (int64_t ow = wlo; ow < whi; ow++)
                        dst[ow] = src[ow];
                    else
                      for (int64_t ow = wlo; ow < whi; ow++)
                        dst[ow] = src[ow * sw];
                    for (int64_t ow = whi; ow < O2; ow++)
                      dst[ow] = 0.f;
                  }
              }
          }
}

SAL_NN_HOT void
sal_conv_col2im (const SalConvGeom *g, const float *col, float *img)
{
  const int64_t sw = g->stride[2];
  int64_t tap = 0;

  for (int64_t c = 0; c < g->channels; c++)
    for (int64_t kd = 0; kd < g->k[0]; kd++)
      for (int64_t kh = 0; kh < g->k[1]; kh++)
        for (int64_t kw = 0; kw < g->k[2]; kw++, tap++)
          {
            const float *row = col + tap * g->out_size;
            FOR_TAP_ROWS (g, c, kd, kh, kw, {
              float *dst = img + src_off;
              const float *src = row + dst_off;
              for (int64_t ow = wlo; ow < whi; ow++)
                dst[ow * sw] += src[ow];
            });
          }
}

SAL_NN_HOT void
sal_conv_direct_1ch (const SalConvGeom *g, const float *img, const float *w, int64_t n_out,
                     float *y)
{
  const int64_t sw = g->stride[2];

  for (int64_t m = 0; m < n_out; m++)
    {
      float *ym = y + m * g->out_size;
      int64_t tap = 0;
      for (int64_t kd = 0; kd < g->k[0]; kd++)
        for (int64_t kh = 0; kh < g->k[1]; kh++)
          for (int64_t kw = 0; kw < g->k[2]; kw++, tap++)
            {
              const float wv = w[m * g->k_size + tap];
              FOR_TAP_ROWS (g, 0, kd, kh, kw, {
                const float *restrict src = img + src_off;
                float *restrict dst = ym + dst_off;
                if (sw == 1)
                  for (int64_t ow = wlo; ow < whi; ow++)
                    dst[ow] += wv * src[ow];
                else
                  for (int64_t ow = wlo; ow < whi; ow++)
                    dst[ow] += wv * src[ow * sw];
              });
            }
    }
}

SAL_NN_HOT void
sal_conv_direct_1ch_grad_img (const SalConvGeom *g, const float *dy, const float *w,
                              int64_t n_out, float *dimg)
{
  const int64_t sw = g->stride[2];

  for (int64_t m = 0; m < n_out; m++)
    {
      const float *dym = dy + m * g->out_size;
      int64_t tap = 0;
      for (int64_t kd = 0; kd < g->k[0]; kd++)
        for (int64_t kh = 0; kh < g->k[1]; kh++)
          for (int64_t kw = 0; kw < g->k[2]; kw++, tap++)
            {
              const float wv = w[m * g->k_size + tap];
              FOR_TAP_ROWS (g, 0, kd, kh, kw, {
                float *dst = dimg + src_off;
                const float *src = dym + dst_off;
                for (int64_t ow = wlo; ow < whi; ow++)
                  dst[ow * sw] += wv * src[ow];
              });
            }
    }
}

SAL_NN_HOT void
sal_conv_direct_1ch_grad_w (const SalConvGeom *g, const float *dy, const float *img,
                            int64_t n_out, float *dw)
{
  const int64_t sw = g->stride[2];

  for (int64_t m = 0; m < n_out; m++)
    {
      const float *dym = dy + m * g->out_size;
      int64_t tap = 0;
      for (int64_t kd = 0; kd < g->k[0]; kd++)
        for (int64_t kh = 0; kh < g->k[1]; kh++)
          for (int64_t kw = 0; kw < g->k[2]; kw++, tap++)
            {
              double acc = 0;
              FOR_TAP_ROWS (g, 0, kd, kh, kw, {
                const float *x = img + src_off;
                const float *d = dym + dst_off;
                float part = 0;
                for (int64_t ow = wlo; ow < whi; ow++)
                  part += d[ow] * x[ow * sw];
                acc += part;
              });
              dw[m * g->k_size + tap] += (float) acc;
            }
    }
}

/* ---- Packed im2col ----------------------------------------------------------
 * The image is first brought to a "source" whose every tap read is in bounds:
 * a zero-padded copy covering all windows (ext = (out - 1) * stride +
 * (k - 1) * dil + 1 per axis), or the image itself when no window reaches
 * past it. Then a position's value under tap t is src[tapoff(t) + base(pos)],
 * and consecutive positions of an output row are runs of stride `stride[2]`:
 * each panel is described by its runs once, and every tap copies them. */

static gboolean
needs_pad (const SalConvGeom *g, int64_t ext[3])
{
  gboolean pad = FALSE;

  for (int i = 0; i < 3; i++)
    {
      ext[i] = (g->out[i] - 1) * g->stride[i] + (g->k[i] - 1) * g->dil[i] + 1;
      if (g->pad[i] != 0 || ext[i] > g->img[i])
        pad = TRUE;
    }
  return pad;
}

/* extents of the source the packed im2col reads */
static void
source_dims (const SalConvGeom *g, int64_t dims[3])
{
  if (!needs_pad (g, dims))
    for (int i = 0; i < 3; i++)
      dims[i] = g->img[i];
}

int64_t
sal_conv_pad_floats (const SalConvGeom *g)
{
  int64_t ext[3];

  if (!needs_pad (g, ext))
    return 0;
  return g->channels * ext[0] * ext[1] * ext[2];
}

SAL_NN_HOT const float *
sal_conv_pad_image (const SalConvGeom *g, const float *img, float *buf)
{
  int64_t ext[3];

  if (!needs_pad (g, ext))
    return img;
  for (int64_t c = 0; c < g->channels; c++)
    for (int64_t z = 0; z < ext[0]; z++)
      for (int64_t y = 0; y < ext[1]; y++)
        {
          float *restrict d = buf + ((c * ext[0] + z) * ext[1] + y) * ext[2];
          int64_t iz = z - g->pad[0], iy = y - g->pad[1];
          int64_t x0 = MIN (g->pad[2], ext[2]), x1 = CLAMP (g->img[2] + g->pad[2], x0, ext[2]);
          const float *restrict s;
          if (iz < 0 || iz >= g->img[0] || iy < 0 || iy >= g->img[1])
            {
              for (int64_t x = 0; x < ext[2]; x++)
                d[x] = 0.f;
              continue;
            }
          s = img + ((c * g->img[0] + iz) * g->img[1] + iy) * g->img[2] - g->pad[2];
          for (int64_t x = 0; x < x0; x++)
            d[x] = 0.f;
          for (int64_t x = x0; x < x1; x++)
            d[x] = s[x];
          for (int64_t x = x1; x < ext[2]; x++)
            d[x] = 0.f;
        }
  return buf;
}

typedef struct {
  int     j, len;          /* first column in the panel, run length */
  int64_t off;             /* source offset of its first position at tap 0 */
} PackRun;

SAL_NN_HOT void
sal_conv_im2col_packed (const SalConvGeom *g, const float *src, int64_t n0, int64_t n1,
                        int nr, float *col)
{
  const int64_t O1 = g->out[1], O2 = g->out[2], rows = g->channels * g->k_size;
  const int64_t sw = g->stride[2];
  int64_t dims[3];
  PackRun runs[64];

  g_assert (nr <= 64);
  source_dims (g, dims);
  for (int64_t p0 = n0; p0 < n1; p0 += nr)
    {
      float *panel = col + (p0 - n0) * rows;
      int width = (int) MIN (nr, n1 - p0), n_runs = 0;
      int64_t tap = 0;

      for (int j = 0; j < width;)
        {
          int64_t n = p0 + j, r = n / O2, ow = n % O2, od = r / O1, oh = r % O1;
          int len = (int) MIN (width - j, O2 - ow);
          runs[n_runs].j = j;
          runs[n_runs].len = len;
          runs[n_runs].off = ((od * g->stride[0]) * dims[1] + oh * g->stride[1]) * dims[2]
                             + ow * sw;
          n_runs++;
          j += len;
        }
      for (int64_t c = 0; c < g->channels; c++)
        for (int64_t kd = 0; kd < g->k[0]; kd++)
          for (int64_t kh = 0; kh < g->k[1]; kh++)
            for (int64_t kw = 0; kw < g->k[2]; kw++, tap++)
              {
                const float *s = src + ((c * dims[0] + kd * g->dil[0]) * dims[1]
                                        + kh * g->dil[1]) * dims[2] + kw * g->dil[2];
                float *restrict d = panel + tap * nr;
                if (n_runs == 1 && width == nr && sw == 1 && (nr == 32 || nr == 16))
                  {
                    /* a whole panel from one row: a copy of fixed size */
                    const float *restrict sq = s + runs[0].off;
                    if (nr == 32)
                      memcpy (d, sq, 32 * sizeof (float));
                    else
                      memcpy (d, sq, 16 * sizeof (float));
                    continue;
                  }
                for (int q = 0; q < n_runs; q++)
                  {
                    const float *restrict sq = s + runs[q].off;
                    float *restrict dq = d + runs[q].j;
                    const int len = runs[q].len;
                    if (sw == 1)
                      for (int t = 0; t < len; t++)
                        dq[t] = sq[t];
                    else
                      for (int t = 0; t < len; t++)
                        dq[t] = sq[t * sw];
                  }
                for (int t = width; t < nr; t++)
                  d[t] = 0.f;
              }
    }
}
