/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Convolution geometry and the im2col / col2im / direct kernels shared by Conv,
 * ConvTranspose and their backward passes (engine-private). 1-D and 2-D
 * problems are stored as 3-D ones whose leading extents are 1. */

#include "sal-ops-nn.h"

G_BEGIN_DECLS

typedef struct {
  int     n_spatial;                    /* 1..3, as in the model */
  int64_t channels;                     /* image channels per group */
  int64_t img[3];                       /* image extents (Conv input, ConvTranspose output) */
  int64_t out[3];                       /* sliding-window positions (Conv output) */
  int64_t k[3], stride[3], dil[3], pad[3];   /* pad: at the beginning */
  int64_t img_size, out_size, k_size;   /* products of the above */
} SalConvGeom;

/* col[(c * k_size + tap) * out_size + pos] = image value under tap at pos (0 in the padding). */
void sal_conv_im2col (const SalConvGeom *g, const float *img, float *col);
/* Packed im2col reads a source where every window is in bounds: the image
 * itself, or a zero-padded copy of sal_conv_pad_floats() floats (0 when the
 * image serves as is) that sal_conv_pad_image writes into buf; it returns the
 * source to pass on. */
int64_t      sal_conv_pad_floats (const SalConvGeom *g);
const float *sal_conv_pad_image  (const SalConvGeom *g, const float *img, float *buf);
/* im2col of the positions [n0, n1) in sal-gemm.h's packed layout with panels
 * of nr <= 64 columns (n0 a multiple of nr): element (row, n) at
 *   col[((n - n0) / nr) * rows * nr + row * nr + (n - n0) % nr],
 * rows = channels * k_size, the last panel's tail zero. */
void sal_conv_im2col_packed (const SalConvGeom *g, const float *src, int64_t n0, int64_t n1,
                             int nr, float *col);
/* img[...] += col[...]: the adjoint of im2col. */
void sal_conv_col2im (const SalConvGeom *g, const float *col, float *img);
/* Direct convolution for one input channel per group:
 * y[m][pos] += sum_tap w[m * k_size + tap] * img[under tap at pos], for m < n_out. */
void sal_conv_direct_1ch (const SalConvGeom *g, const float *img, const float *w, int64_t n_out,
                          float *y);
/* Its adjoints: dimg += sum_m w[m] * dy[m] placed back; dw[m * k_size + tap] += <dy[m], img under tap>. */
void sal_conv_direct_1ch_grad_img (const SalConvGeom *g, const float *dy, const float *w,
                                   int64_t n_out, float *dimg);
void sal_conv_direct_1ch_grad_w   (const SalConvGeom *g, const float *dy, const float *img,
                                   int64_t n_out, float *dw);

G_END_DECLS
