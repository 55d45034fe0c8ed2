/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Salient's packed GEMM kernels (engine/ops/sal-gemm.c) against the reference
 * sgemm, on every kernel this CPU runs, with odd sizes that leave partial
 * tiles in both directions, K past the K-slice size, fused bias and
 * activations; and the packed im2col against the plain one. */

#include "sal-blas.h"
#include "ops/sal-gemm.h"
#include "ops/sal-conv-kernels.h"

#include <math.h>
#include <string.h>

static const char *const kernel_names[] = { "avx512", "avx2", "scalar" };

static float *
random_floats (GRand *rng, int64_t n)
{
  float *v = g_new (float, MAX (n, 1));

  for (int64_t i = 0; i < n; i++)
    v[i] = (float) g_rand_double_range (rng, -1.0, 1.0);
  return v;
}

static float
act_ref (float v, const SalNnAct *act)
{
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

/* One product on one kernel: C (with a border of sentinels right of n and
 * below M) against sal_sgemm_ref + bias + act. */
static void
check_one (const SalGemmKernel *k, GRand *rng, int M, int n, int K, gboolean bias,
           const SalNnAct *act)
{
  int lda = K + 3, ldc = n + 5;
  g_autofree float *A = random_floats (rng, (int64_t) M * lda);
  g_autofree float *B = random_floats (rng, (int64_t) K * n);
  g_autofree float *b = random_floats (rng, M);
  g_autofree float *bp = g_new (float, MAX (sal_gemm_packed_floats (k, K, n), 1));
  g_autofree float *C = g_new (float, (int64_t) (M + 1) * ldc);
  g_autofree float *R = g_new0 (float, (int64_t) M * MAX (n, 1));

  for (int64_t i = 0; i < (int64_t) (M + 1) * ldc; i++)
    C[i] = 12345.f;
  sal_gemm_pack_b (k, K, n, B, n, bp);
  /* the padding columns of the last panel are zero */
  {
    int nr = sal_gemm_nr (k);
    int64_t last = (n + nr - 1) / nr - 1;
    for (int kk = 0; kk < K && n % nr != 0; kk++)
      for (int j = n % nr; j < nr; j++)
        g_assert_cmpfloat (bp[last * K * nr + (int64_t) kk * nr + j], ==, 0.f);
  }
  sal_gemm_packed (k, M, n, K, A, lda, bp, C, ldc, bias ? b : NULL, act);
  if (K > 0)
    sal_sgemm_ref (FALSE, FALSE, M, n, K, 1.f, A, lda, B, n, 0.f, R, n);
  for (int i = 0; i < M + 1; i++)
    for (int j = 0; j < ldc; j++)
      {
        float got = C[(int64_t) i * ldc + j];
        if (i < M && j < n)
          {
            float want = act_ref (R[(int64_t) i * n + j] + (bias ? b[i] : 0.f), act);
            float tol = 1e-5f * (float) (K + 1);
            if (!(fabsf (got - want) <= tol))
              g_error ("%s M=%d n=%d K=%d bias=%d act=%d: C[%d][%d] = %g, expected %g",
                       sal_gemm_name (k), M, n, K, bias, act->kind, i, j, got, want);
          }
        else if (got != 12345.f)
          g_error ("%s M=%d n=%d K=%d: wrote outside C at [%d][%d]", sal_gemm_name (k), M, n,
                   K, i, j);
      }
}

static void
test_gemm_sizes (void)
{
  g_autoptr (GRand) rng = g_rand_new_with_seed (42);
  static const int Ms[] = { 1, 3, 6, 7, 8, 9, 17, 33 };
  static const int ns[] = { 1, 5, 15, 16, 17, 31, 32, 33, 49, 70 };
  static const int Ks[] = { 0, 1, 7, 9, 256, 257, 600 };
  SalNnAct none = { SAL_NN_ACT_NONE, 0.f, -INFINITY, INFINITY };
  SalNnAct relu = { SAL_NN_ACT_RELU, 0.f, -INFINITY, INFINITY };
  SalNnAct leaky = { SAL_NN_ACT_LEAKY_RELU, 0.1f, -INFINITY, INFINITY };
  SalNnAct clip = { SAL_NN_ACT_CLIP, 0.f, -0.5f, 0.75f };
  const SalNnAct *acts[] = { &none, &relu, &leaky, &clip };
  int n_kernels = 0, cases = 0;

  for (gsize ki = 0; ki < G_N_ELEMENTS (kernel_names); ki++)
    {
      const SalGemmKernel *k = sal_gemm_lookup (kernel_names[ki]);
      if (k == NULL)
        {
          g_test_message ("kernel %s: not supported by this CPU", kernel_names[ki]);
          continue;
        }
      n_kernels++;
      for (gsize a = 0; a < G_N_ELEMENTS (Ms); a++)
        for (gsize b = 0; b < G_N_ELEMENTS (ns); b++)
          for (gsize c = 0; c < G_N_ELEMENTS (Ks); c++)
            {
              /* every size with one activation and bias pattern, varied */
              gsize which = (a + b + c) % G_N_ELEMENTS (acts);
              check_one (k, rng, Ms[a], ns[b], Ks[c], (a + c) % 2 == 0, acts[which]);
              cases++;
            }
    }
  g_test_message ("%d kernels, %d products each", n_kernels, cases / MAX (n_kernels, 1));
  /* the portable kernel always exists, and the best one is one of them */
  g_assert_nonnull (sal_gemm_lookup ("scalar"));
  g_assert_null (sal_gemm_lookup ("avx9000"));
  g_assert_nonnull (sal_gemm_best ());
  g_assert_true (sal_gemm_lookup (sal_gemm_name (sal_gemm_best ())) == sal_gemm_best ());
}

/* NaN propagates through the product as the scalar activations define. */
static void
test_gemm_nan (void)
{
  for (gsize ki = 0; ki < G_N_ELEMENTS (kernel_names); ki++)
    {
      const SalGemmKernel *k = sal_gemm_lookup (kernel_names[ki]);
      SalNnAct relu = { SAL_NN_ACT_RELU, 0.f, -INFINITY, INFINITY };
      SalNnAct leaky = { SAL_NN_ACT_LEAKY_RELU, 0.1f, -INFINITY, INFINITY };
      float A[2] = { NAN, 1.f }, B[40], C[80];
      g_autofree float *bp = NULL;

      if (k == NULL)
        continue;
      for (int j = 0; j < 40; j++)
        B[j] = 1.f;
      bp = g_new (float, sal_gemm_packed_floats (k, 1, 40));
      sal_gemm_pack_b (k, 1, 40, B, 40, bp);
      sal_gemm_packed (k, 2, 40, 1, A, 1, bp, C, 40, NULL, &relu);
      g_assert_cmpfloat (C[0], ==, 0.f);          /* Relu(NaN) = 0, as y > 0 ? y : 0 */
      g_assert_cmpfloat (C[40], ==, 1.f);
      sal_gemm_packed (k, 2, 40, 1, A, 1, bp, C, 40, NULL, &leaky);
      g_assert_true (isnan (C[39]));
    }
}

static void
set_geom (SalConvGeom *g, int nsp, int64_t ch, const int64_t *img, const int64_t *k,
          const int64_t *s, const int64_t *d, const int64_t *pb, const int64_t *pe)
{
  memset (g, 0, sizeof *g);
  g->n_spatial = nsp;
  g->channels = ch;
  for (int i = 0; i < 3; i++)
    {
      int j = i - (3 - nsp);
      g->img[i] = j >= 0 ? img[j] : 1;
      g->k[i] = j >= 0 ? k[j] : 1;
      g->stride[i] = j >= 0 ? s[j] : 1;
      g->dil[i] = j >= 0 ? d[j] : 1;
      g->pad[i] = j >= 0 ? pb[j] : 0;
      g->out[i] = j >= 0 ? (g->img[i] + pb[j] + pe[j] - ((g->k[i] - 1) * g->dil[i] + 1))
                             / g->stride[i] + 1 : 1;
    }
  g->img_size = g->img[0] * g->img[1] * g->img[2];
  g->out_size = g->out[0] * g->out[1] * g->out[2];
  g->k_size = g->k[0] * g->k[1] * g->k[2];
}

static void
test_im2col_packed (void)
{
  g_autoptr (GRand) rng = g_rand_new_with_seed (7);
  static const struct {
    int nsp;
    int64_t ch, img[3], k[3], s[3], d[3], pb[3], pe[3];
  } cases[] = {
    { 2, 3, { 9, 11 }, { 3, 3 }, { 1, 1 }, { 1, 1 }, { 1, 1 }, { 1, 1 } },
    { 2, 2, { 10, 7 }, { 3, 2 }, { 2, 1 }, { 1, 2 }, { 0, 1 }, { 2, 0 } },
    { 2, 1, { 64, 64 }, { 3, 3 }, { 1, 1 }, { 1, 1 }, { 1, 1 }, { 1, 1 } },
    { 2, 4, { 15, 15 }, { 7, 7 }, { 2, 2 }, { 1, 1 }, { 3, 3 }, { 3, 3 } },
    { 2, 5, { 8, 8 }, { 1, 1 }, { 2, 2 }, { 1, 1 }, { 0, 0 }, { 0, 0 } },
    { 2, 3, { 7, 7 }, { 1, 1 }, { 1, 1 }, { 1, 1 }, { 0, 0 }, { 0, 0 } },
    { 1, 2, { 40 }, { 5 }, { 3 }, { 2 }, { 4 }, { 1 } },
    { 3, 2, { 4, 5, 6 }, { 2, 3, 3 }, { 1, 2, 1 }, { 1, 1, 2 }, { 1, 0, 2 }, { 0, 1, 2 } },
  };

  for (gsize ci = 0; ci < G_N_ELEMENTS (cases); ci++)
    for (int nr = 8; nr <= 32; nr += 8)
      {
        SalConvGeom g;
        int64_t rows, N;
        g_autofree float *img = NULL, *plain = NULL, *pad = NULL, *col = NULL;
        const float *src;

        set_geom (&g, cases[ci].nsp, cases[ci].ch, cases[ci].img, cases[ci].k, cases[ci].s,
                  cases[ci].d, cases[ci].pb, cases[ci].pe);
        rows = g.channels * g.k_size;
        N = g.out_size;
        img = random_floats (rng, g.channels * g.img_size);
        plain = g_new (float, rows * N);
        sal_conv_im2col (&g, img, plain);
        pad = g_new (float, MAX (sal_conv_pad_floats (&g), 1));
        src = sal_conv_pad_image (&g, img, pad);
        /* whole range, then ranges starting at each panel */
        for (int64_t n0 = 0; n0 < N; n0 += nr)
          {
            int64_t n1 = n0 == 0 ? N : MIN (N, n0 + 2 * nr - 1);
            int64_t width = n1 - n0, panels = (width + nr - 1) / nr;
            g_free (col);
            col = g_new (float, panels * nr * rows);
            for (int64_t i = 0; i < panels * nr * rows; i++)
              col[i] = NAN;
            sal_conv_im2col_packed (&g, src, n0, n1, nr, col);
            for (int64_t r = 0; r < rows; r++)
              for (int64_t j = 0; j < panels * nr; j++)
                {
                  float got = col[(j / nr) * rows * nr + r * nr + j % nr];
                  float want = j < width ? plain[r * N + n0 + j] : 0.f;
                  if (got != want)
                    g_error ("case %zu nr %d range [%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
                             "): row %" G_GINT64_FORMAT " col %" G_GINT64_FORMAT
                             " = %g, expected %g", ci, nr, n0, n1, r, j, got, want);
                }
          }
      }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/engine/blas/gemm/sizes", test_gemm_sizes);
  g_test_add_func ("/engine/blas/gemm/nan", test_gemm_nan);
  g_test_add_func ("/engine/blas/im2col-packed", test_im2col_packed);
  return g_test_run ();
}
