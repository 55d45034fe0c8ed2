/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-engine"

/* Packed-panel GEMM with fused bias and activation; see sal-gemm.h.
 * Each micro-kernel computes one mr x nr tile of C over a slice of K:
 *   acc[i][j] = sum_k A[i][k] . Bpanel[k][j]
 * broadcasting A[i][k] from A's rows and loading Bpanel[k][0..nr) as vectors;
 * then C = (flags & ACC ? C : 0) + acc, and on the last K slice + bias, act. */

#include "sal-gemm.h"

#if (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__)
#define SAL_GEMM_X86 1
#include <immintrin.h>
#endif

enum {
  GEMM_ACC    = 1 << 0,   /* add to C (a later K slice) */
  GEMM_FINISH = 1 << 1,   /* last K slice: add the bias, apply the activation */
};

typedef void (*MicroFunc) (int64_t kc, const float *a, int64_t lda, const float *b, float *c,
                           int64_t ldc, int mr, int nr, int flags, const float *bias,
                           const SalNnAct *act);

struct _SalGemmKernel {
  const char *name;
  int         mr, nr;
  int64_t     kc;          /* K slice: kc x nr floats of a panel stay in L1 */
  MicroFunc   micro;
};

static inline float
act_scalar (float v, const SalNnAct *act)
{
  if (act == NULL)
    return v;
  switch (act->kind)
    {
    case SAL_NN_ACT_RELU:
      return v > 0.f ? v : 0.f;
    case SAL_NN_ACT_LEAKY_RELU:
      return v >= 0.f ? v : act->alpha * v;
    case SAL_NN_ACT_CLIP:
      return v < act->lo ? act->lo : (v > act->hi ? act->hi : v);
    case SAL_NN_ACT_NONE:
    default:
      return v;
    }
}

/* Writes an mr x nr corner of a tile held in acc (row stride `stride`). */
static void
store_tile_scalar (const float *acc, int stride, float *c, int64_t ldc, int mr, int nr,
                   int flags, const float *bias, const SalNnAct *act)
{
  for (int i = 0; i < mr; i++)
    {
      float *ci = c + i * ldc;
      for (int j = 0; j < nr; j++)
        {
          float v = acc[i * stride + j];
          if (flags & GEMM_ACC)
            v += ci[j];
          if (flags & GEMM_FINISH)
            {
              if (bias != NULL)
                v += bias[i];
              v = act_scalar (v, act);
            }
          ci[j] = v;
        }
    }
}

/* ---- Portable C: 4 x 16 ----------------------------------------------------*/

#define SC_MR 4
#define SC_NR 16

static void
micro_scalar (int64_t kc, const float *a, int64_t lda, const float *b, float *c, int64_t ldc,
              int mr, int nr, int flags, const float *bias, const SalNnAct *act)
{
  float acc[SC_MR * SC_NR] = { 0 };

  for (int i = 0; i < mr; i++)
    {
      const float *ai = a + i * lda;
      float *acci = acc + i * SC_NR;
      for (int64_t k = 0; k < kc; k++)
        {
          const float av = ai[k];
          const float *bk = b + k * SC_NR;
          for (int j = 0; j < SC_NR; j++)
            acci[j] += av * bk[j];
        }
    }
  store_tile_scalar (acc, SC_NR, c, ldc, mr, nr, flags, bias, act);
}

#ifdef SAL_GEMM_X86

/* ---- AVX2 + FMA: 6 x 16 (12 accumulators) ----------------------------------*/

#define V2_MR 6
#define V2_NR 16

__attribute__ ((target ("avx2,fma"))) static inline __m256
act_avx2 (__m256 v, const SalNnAct *act)
{
  switch (act->kind)
    {
    case SAL_NN_ACT_RELU:
      return _mm256_max_ps (v, _mm256_setzero_ps ());
    case SAL_NN_ACT_LEAKY_RELU:
      {
        __m256 neg = _mm256_cmp_ps (v, _mm256_setzero_ps (), _CMP_GE_OQ);
        return _mm256_blendv_ps (_mm256_mul_ps (v, _mm256_set1_ps (act->alpha)), v, neg);
      }
    case SAL_NN_ACT_CLIP:
      {
        /* v < lo ? lo : (v > hi ? hi : v), NaN kept as the scalar code does */
        __m256 lo = _mm256_set1_ps (act->lo), hi = _mm256_set1_ps (act->hi);
        __m256 r = _mm256_blendv_ps (v, hi, _mm256_cmp_ps (v, hi, _CMP_GT_OQ));
        return _mm256_blendv_ps (r, lo, _mm256_cmp_ps (v, lo, _CMP_LT_OQ));
      }
    case SAL_NN_ACT_NONE:
    default:
      return v;
    }
}

__attribute__ ((target ("avx2,fma"))) static void
micro_avx2 (int64_t kc, const float *a, int64_t lda, const float *b, float *c, int64_t ldc,
            int mr, int nr, int flags, const float *bias, const SalNnAct *act)
{
  __m256 acc0[V2_MR], acc1[V2_MR];
  const float *ap[V2_MR];

#pragma GCC unroll 6
  for (int i = 0; i < V2_MR; i++)
    {
      acc0[i] = _mm256_setzero_ps ();
      acc1[i] = _mm256_setzero_ps ();
      ap[i] = a + (i < mr ? i : 0) * lda;   /* rows past mr repeat row 0, unstored */
    }
#pragma GCC unroll 2
  for (int64_t k = 0; k < kc; k++)
    {
      const __m256 b0 = _mm256_loadu_ps (b + k * V2_NR);
      const __m256 b1 = _mm256_loadu_ps (b + k * V2_NR + 8);
#pragma GCC unroll 6
      for (int i = 0; i < V2_MR; i++)
        {
          const __m256 av = _mm256_broadcast_ss (ap[i] + k);
          acc0[i] = _mm256_fmadd_ps (av, b0, acc0[i]);
          acc1[i] = _mm256_fmadd_ps (av, b1, acc1[i]);
        }
    }
  if (nr < V2_NR)
    {
      float tile[V2_MR * V2_NR];
      for (int i = 0; i < V2_MR; i++)
        {
          _mm256_storeu_ps (tile + i * V2_NR, acc0[i]);
          _mm256_storeu_ps (tile + i * V2_NR + 8, acc1[i]);
        }
      store_tile_scalar (tile, V2_NR, c, ldc, mr, nr, flags, bias, act);
      return;
    }
#pragma GCC unroll 6
  for (int i = 0; i < V2_MR; i++)
    {
      float *ci = c + i * ldc;
      __m256 v0 = acc0[i], v1 = acc1[i];
      if (i >= mr)
        break;
      if (flags & GEMM_ACC)
        {
          v0 = _mm256_add_ps (v0, _mm256_loadu_ps (ci));
          v1 = _mm256_add_ps (v1, _mm256_loadu_ps (ci + 8));
        }
      if (flags & GEMM_FINISH)
        {
          if (bias != NULL)
            {
              const __m256 bv = _mm256_set1_ps (bias[i]);
              v0 = _mm256_add_ps (v0, bv);
              v1 = _mm256_add_ps (v1, bv);
            }
          if (act != NULL)
            {
              v0 = act_avx2 (v0, act);
              v1 = act_avx2 (v1, act);
            }
        }
      _mm256_storeu_ps (ci, v0);
      _mm256_storeu_ps (ci + 8, v1);
    }
}

/* ---- AVX-512: 8 x 32 (16 accumulators), masked edges ------------------------*/

#define V5_MR 8
#define V5_NR 32

__attribute__ ((target ("avx512f"))) static inline __m512
act_avx512 (__m512 v, const SalNnAct *act)
{
  switch (act->kind)
    {
    case SAL_NN_ACT_RELU:
      return _mm512_max_ps (v, _mm512_setzero_ps ());
    case SAL_NN_ACT_LEAKY_RELU:
      {
        __mmask16 neg = _mm512_cmp_ps_mask (v, _mm512_setzero_ps (), _CMP_NGE_UQ);
        return _mm512_mask_mul_ps (v, neg, v, _mm512_set1_ps (act->alpha));
      }
    case SAL_NN_ACT_CLIP:
      {
        __m512 lo = _mm512_set1_ps (act->lo), hi = _mm512_set1_ps (act->hi);
        __m512 r = _mm512_mask_mov_ps (v, _mm512_cmp_ps_mask (v, hi, _CMP_GT_OQ), hi);
        return _mm512_mask_mov_ps (r, _mm512_cmp_ps_mask (v, lo, _CMP_LT_OQ), lo);
      }
    case SAL_NN_ACT_NONE:
    default:
      return v;
    }
}

__attribute__ ((target ("avx512f"))) static void
micro_avx512 (int64_t kc, const float *a, int64_t lda, const float *b, float *c, int64_t ldc,
              int mr, int nr, int flags, const float *bias, const SalNnAct *act)
{
  __m512 acc0[V5_MR], acc1[V5_MR];
  const float *ap[V5_MR];
  __mmask16 m0, m1;

#pragma GCC unroll 8
  for (int i = 0; i < V5_MR; i++)
    {
      acc0[i] = _mm512_setzero_ps ();
      acc1[i] = _mm512_setzero_ps ();
      ap[i] = a + (i < mr ? i : 0) * lda;   /* rows past mr repeat row 0, unstored */
    }
#pragma GCC unroll 2
  for (int64_t k = 0; k < kc; k++)
    {
      const __m512 b0 = _mm512_loadu_ps (b + k * V5_NR);
      const __m512 b1 = _mm512_loadu_ps (b + k * V5_NR + 16);
#pragma GCC unroll 8
      for (int i = 0; i < V5_MR; i++)
        {
          const __m512 av = _mm512_set1_ps (ap[i][k]);
          acc0[i] = _mm512_fmadd_ps (av, b0, acc0[i]);
          acc1[i] = _mm512_fmadd_ps (av, b1, acc1[i]);
        }
    }
  m0 = nr >= 16 ? (__mmask16) 0xffff : (__mmask16) ((1u << nr) - 1);
  m1 = nr >= 32 ? (__mmask16) 0xffff : nr <= 16 ? 0 : (__mmask16) ((1u << (nr - 16)) - 1);
#pragma GCC unroll 8
  for (int i = 0; i < V5_MR; i++)
    {
      float *ci = c + i * ldc;
      __m512 v0 = acc0[i], v1 = acc1[i];
      if (i >= mr)
        break;
      if (flags & GEMM_ACC)
        {
          v0 = _mm512_add_ps (v0, _mm512_maskz_loadu_ps (m0, ci));
          v1 = _mm512_add_ps (v1, _mm512_maskz_loadu_ps (m1, ci + 16));
        }
      if (flags & GEMM_FINISH)
        {
          if (bias != NULL)
            {
              const __m512 bv = _mm512_set1_ps (bias[i]);
              v0 = _mm512_add_ps (v0, bv);
              v1 = _mm512_add_ps (v1, bv);
            }
          if (act != NULL)
            {
              v0 = act_avx512 (v0, act);
              v1 = act_avx512 (v1, act);
            }
        }
      _mm512_mask_storeu_ps (ci, m0, v0);
      _mm512_mask_storeu_ps (ci + 16, m1, v1);
    }
}

#endif /* SAL_GEMM_X86 */

static const SalGemmKernel kernels[] = {
#ifdef SAL_GEMM_X86
  { "avx512", V5_MR, V5_NR, 256, micro_avx512 },
  { "avx2", V2_MR, V2_NR, 256, micro_avx2 },
#endif
  { "scalar", SC_MR, SC_NR, 256, micro_scalar },
};

static gboolean
kernel_supported (const SalGemmKernel *k)
{
#ifdef SAL_GEMM_X86
  __builtin_cpu_init ();
  if (strcmp (k->name, "avx512") == 0)
    return __builtin_cpu_supports ("avx512f");
  if (strcmp (k->name, "avx2") == 0)
    return __builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma");
#endif
  return strcmp (k->name, "scalar") == 0;
}

const SalGemmKernel *
sal_gemm_lookup (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (kernels); i++)
    if (g_strcmp0 (kernels[i].name, name) == 0)
      return kernel_supported (&kernels[i]) ? &kernels[i] : NULL;
  return NULL;
}

const SalGemmKernel *
sal_gemm_best (void)
{
  static const SalGemmKernel *best;   /* benign race: every thread finds the same one */

  if (g_atomic_pointer_get (&best) == NULL)
    for (gsize i = 0; i < G_N_ELEMENTS (kernels); i++)
      if (kernel_supported (&kernels[i]))
        {
          g_atomic_pointer_set (&best, &kernels[i]);
          break;
        }
  return g_atomic_pointer_get (&best);
}

const char *
sal_gemm_name (const SalGemmKernel *kernel)
{
  return kernel->name;
}

int
sal_gemm_nr (const SalGemmKernel *kernel)
{
  return kernel->nr;
}

int64_t
sal_gemm_packed_floats (const SalGemmKernel *kernel, int64_t K, int64_t n)
{
  return (n + kernel->nr - 1) / kernel->nr * kernel->nr * K;
}

void
sal_gemm_pack_b (const SalGemmKernel *kernel, int64_t K, int64_t n, const float *B, int64_t ldb,
                 float *bp)
{
  const int nr = kernel->nr;

  for (int64_t j0 = 0; j0 < n; j0 += nr)
    {
      int64_t w = MIN (nr, n - j0);
      float *panel = bp + j0 * K;
      for (int64_t k = 0; k < K; k++)
        {
          memcpy (panel + k * nr, B + k * ldb + j0, w * sizeof (float));
          if (w < nr)
            memset (panel + k * nr + w, 0, (nr - w) * sizeof (float));
        }
    }
}

void
sal_gemm_packed (const SalGemmKernel *kernel, int64_t M, int64_t n, int64_t K, const float *A,
                 int64_t lda, const float *bp, float *C, int64_t ldc, const float *bias,
                 const SalNnAct *act)
{
  const int mr = kernel->mr, nr = kernel->nr;
  const int64_t panels = (n + nr - 1) / nr;
  int64_t k0 = 0;

  if (act != NULL && act->kind == SAL_NN_ACT_NONE)
    act = NULL;
  do
    {
      int64_t kc = MIN (kernel->kc, K - k0);
      int flags = (k0 > 0 ? GEMM_ACC : 0) | (k0 + kc >= K ? GEMM_FINISH : 0);
      for (int64_t m0 = 0; m0 < M; m0 += mr)
        {
          const float *a = A + m0 * lda + k0;
          const float *bm = bias != NULL ? bias + m0 : NULL;
          int rows = (int) MIN (mr, M - m0);
          for (int64_t p = 0; p < panels; p++)
            kernel->micro (kc, a, lda, bp + p * K * nr + k0 * nr, C + m0 * ldc + p * nr, ldc,
                           rows, (int) MIN (nr, n - p * nr), flags, bm, act);
        }
      k0 += kc;
    }
  while (k0 < K);
}
