/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Salient's own single-precision GEMM for convolutions (engine-private).
 *
 *   C[M x n] = A[M x K] . B[K x n]  (+ bias[m], then the fused activation)
 *
 * A is row-major with a leading dimension (a Conv's weights as the model holds
 * them: rows are output channels, so nothing is repacked and training updates
 * are seen at once). B is packed in panels of `nr` columns, the layout the
 * micro-kernel streams: element (k, j) at
 *   bp[(j / nr) * K * nr + k * nr + j % nr],
 * the last panel padded with zeros. im2col writes this layout directly
 * (sal_conv_im2col_packed), so the copy a BLAS would make is folded into it.
 *
 * Kernels: AVX-512 (8 x 32 register tile), AVX2 + FMA (6 x 16) and portable C
 * (4 x 16), chosen once by CPU (__builtin_cpu_supports); K is blocked so a
 * panel slice stays in L1 while an A block stays in L2. */

#include "sal-ops-nn.h"

G_BEGIN_DECLS

typedef struct _SalGemmKernel SalGemmKernel;

/* The fastest kernel this CPU runs. */
const SalGemmKernel *sal_gemm_best   (void);
/* "avx512", "avx2" or "scalar"; NULL when unknown or not supported by this CPU. */
const SalGemmKernel *sal_gemm_lookup (const char *name);
const char          *sal_gemm_name   (const SalGemmKernel *kernel);
/* Panel width of B for this kernel. */
int                  sal_gemm_nr     (const SalGemmKernel *kernel);

/* Floats of a packed B with K rows and n columns. */
int64_t sal_gemm_packed_floats (const SalGemmKernel *kernel, int64_t K, int64_t n);

/* Packs columns [0, n) of a row-major B (K x n, leading dimension ldb). */
void sal_gemm_pack_b (const SalGemmKernel *kernel, int64_t K, int64_t n, const float *B,
                      int64_t ldb, float *bp);

/* C (M x n, leading dimension ldc) = A . unpack(bp), plus bias[m] when bias is
 * not NULL, then act (NULL: none). K may be 0 (C is the bias). */
void sal_gemm_packed (const SalGemmKernel *kernel, int64_t M, int64_t n, int64_t K,
                      const float *A, int64_t lda, const float *bp, float *C, int64_t ldc,
                      const float *bias, const SalNnAct *act);

G_END_DECLS
