/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-engine"

#include "sal-blas.h"

#include <cblas.h>

void
sal_blas_init (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      /* OpenBLAS's thread count is process-wide and its threads spin after each
       * call; the engine splits batches over its own threads instead. */
      openblas_set_num_threads (1);
      g_once_init_leave (&done, 1);
    }
}

void
sal_sgemm (gboolean trans_a, gboolean trans_b, int M, int N, int K,
           float alpha, const float *A, int lda, const float *B, int ldb,
           float beta, float *C, int ldc)
{
  if (M == 0 || N == 0)
    return;
  cblas_sgemm (CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
               trans_b ? CblasTrans : CblasNoTrans, M, N, K, alpha, A, lda, B, ldb,
               beta, C, ldc);
}

void
sal_sgemv (gboolean trans_a, int M, int N, float alpha, const float *A, int lda,
           const float *x, float beta, float *y)
{
  if (M == 0 || N == 0)
    return;
  cblas_sgemv (CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, M, N, alpha, A, lda,
               x, 1, beta, y, 1);
}

void
sal_sgemm_ref (gboolean trans_a, gboolean trans_b, int M, int N, int K,
               float alpha, const float *A, int lda, const float *B, int ldb,
               float beta, float *C, int ldc)
{
  for (int i = 0; i < M; i++)
    for (int j = 0; j < N; j++)
      {
        double acc = 0;
        for (int k = 0; k < K; k++)
          {
            float a = trans_a ? A[k * lda + i] : A[i * lda + k];
            float b = trans_b ? B[j * ldb + k] : B[k * ldb + j];
            acc += (double) a * b;
          }
        C[i * ldc + j] = (float) (alpha * acc + (beta == 0 ? 0 : beta * C[i * ldc + j]));
      }
}

void
sal_sgemv_ref (gboolean trans_a, int M, int N, float alpha, const float *A, int lda,
               const float *x, float beta, float *y)
{
  int rows = trans_a ? N : M, cols = trans_a ? M : N;

  for (int i = 0; i < rows; i++)
    {
      double acc = 0;
      for (int j = 0; j < cols; j++)
        acc += (double) (trans_a ? A[j * lda + i] : A[i * lda + j]) * x[j];
      y[i] = (float) (alpha * acc + (beta == 0 ? 0 : beta * y[i]));
    }
}
