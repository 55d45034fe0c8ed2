/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The one BLAS wrapper. Row-major. C = alpha * op(A) * op(B) + beta * C,
 * op(A) is M x K, op(B) is K x N. With M == 1 use sal_sgemv: OpenBLAS's sgemm
 * repacks the whole B each call. */
void sal_sgemm (gboolean trans_a, gboolean trans_b, int M, int N, int K,
                float alpha, const float *A, int lda, const float *B, int ldb,
                float beta, float *C, int ldc);
/* y = alpha * op(A) * x + beta * y, A is M x N row-major. */
void sal_sgemv (gboolean trans_a, int M, int N, float alpha, const float *A, int lda,
                const float *x, float beta, float *y);

/* Plain reference versions, for tests. */
void sal_sgemm_ref (gboolean trans_a, gboolean trans_b, int M, int N, int K,
                    float alpha, const float *A, int lda, const float *B, int ldb,
                    float beta, float *C, int ldc);
void sal_sgemv_ref (gboolean trans_a, int M, int N, float alpha, const float *A, int lda,
                    const float *x, float beta, float *y);

/* Sets OpenBLAS to one thread, once per process (the engine splits work itself). */
void sal_blas_init (void);

G_END_DECLS
