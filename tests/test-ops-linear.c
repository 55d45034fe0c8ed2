/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sal-op-check.h"

/* Reference MatMul for rank-3 operands already padded to [batch, M, K] x
 * [batch, K, N] with batch extents ba, bb (1 = broadcast). */
static double *
ref_matmul3 (const float *a, int64_t ba, const float *b, int64_t bb, int64_t M, int64_t K,
             int64_t N)
{
  int64_t nb = MAX (ba, bb);
  double *y = g_new0 (double, nb * M * N);

  for (int64_t t = 0; t < nb; t++)
    for (int64_t i = 0; i < M; i++)
      for (int64_t j = 0; j < N; j++)
        {
          double acc = 0;
          for (int64_t k = 0; k < K; k++)
            acc += (double) a[(ba == 1 ? 0 : t) * M * K + i * K + k]
                   * b[(bb == 1 ? 0 : t) * K * N + k * N + j];
          y[t * M * N + i * N + j] = acc;
        }
  return y;
}

static SalTensor *
run1 (SalNode *node, int n_in, SalTensor **in, int n_threads)
{
  SalTensor *out[1];
  g_autoptr(GError) error = NULL;

  g_assert_true (sal_check_run_full (node, n_in, in, 1, NULL, out, n_threads, FALSE, &error));
  g_assert_no_error (error);
  return out[0];
}

static void
test_matmul_2d (void)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (1);
  int64_t da[2] = { 3, 4 }, db[2] = { 4, 5 };
  SalTensor *in[2] = { sal_check_random (rng, 2, da, -1, 1), sal_check_random (rng, 2, db, -1, 1) };
  SalNode *node = sal_node_new ("MatMul", "mm", 13);
  SalTensor *y = run1 (node, 2, in, 1);
  g_autofree double *want = ref_matmul3 (sal_tensor_f32 (in[0]), 1, sal_tensor_f32 (in[1]), 1,
                                         3, 4, 5);

  g_assert_cmpint (y->rank, ==, 2);
  g_assert_cmpint (y->dims[0], ==, 3);
  g_assert_cmpint (y->dims[1], ==, 5);
  sal_check_close (sal_tensor_f32 (y), want, 15, 1e-5, 1e-6);
  g_assert_cmpint (sal_check_gradients_full (node, 2, in, 1, 1, 3, FALSE, 1e-2, 1e-2, 1e-3), ==, 0);
  sal_tensor_free (y);
  sal_tensor_free (in[0]);
  sal_tensor_free (in[1]);
  sal_node_free (node);
}

static void
test_matmul_broadcast (void)
{
  /* A [2,1,3,4] x B [3,4,2] -> [2,3,3,2] */
  g_autoptr(GRand) rng = g_rand_new_with_seed (2);
  int64_t da[4] = { 2, 1, 3, 4 }, db[3] = { 3, 4, 2 };
  SalTensor *in[2] = { sal_check_random (rng, 4, da, -1, 1), sal_check_random (rng, 3, db, -1, 1) };
  SalNode *node = sal_node_new ("MatMul", "mm", 13);
  SalTensor *y = run1 (node, 2, in, 2);

  g_assert_cmpint (y->rank, ==, 4);
  g_assert_cmpint (y->dims[0], ==, 2);
  g_assert_cmpint (y->dims[1], ==, 3);
  g_assert_cmpint (y->dims[2], ==, 3);
  g_assert_cmpint (y->dims[3], ==, 2);
  for (int p = 0; p < 2; p++)
    for (int q = 0; q < 3; q++)
      {
        g_autofree double *want = ref_matmul3 (sal_tensor_f32 (in[0]) + p * 12, 1,
                                               sal_tensor_f32 (in[1]) + q * 8, 1, 3, 4, 2);
        sal_check_close (sal_tensor_f32 (y) + (p * 3 + q) * 6, want, 6, 1e-5, 1e-6);
      }
  g_assert_cmpint (sal_check_gradients_full (node, 2, in, 1, 1, 3, FALSE, 1e-2, 1e-2, 1e-3), ==, 0);
  sal_tensor_free (y);
  sal_tensor_free (in[0]);
  sal_tensor_free (in[1]);
  sal_node_free (node);
}

static void
test_matmul_vectors (void)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (3);
  int64_t dv[1] = { 4 }, db[3] = { 2, 4, 3 }, da[3] = { 2, 3, 4 };
  SalTensor *v = sal_check_random (rng, 1, dv, -1, 1);
  SalTensor *b = sal_check_random (rng, 3, db, -1, 1);
  SalTensor *a = sal_check_random (rng, 3, da, -1, 1);
  SalNode *node = sal_node_new ("MatMul", "mm", 13);
  SalTensor *in1[2] = { v, b }, *in2[2] = { a, v }, *in3[2] = { v, v };
  SalTensor *y;

  /* [4] x [2,4,3] -> [2,3] */
  y = run1 (node, 2, in1, 1);
  g_assert_cmpint (y->rank, ==, 2);
  g_assert_cmpint (y->dims[0], ==, 2);
  g_assert_cmpint (y->dims[1], ==, 3);
  {
    g_autofree double *want = ref_matmul3 (sal_tensor_f32 (v), 1, sal_tensor_f32 (b), 2, 1, 4, 3);
    sal_check_close (sal_tensor_f32 (y), want, 6, 1e-5, 1e-6);
  }
  g_assert_cmpint (sal_check_gradients_full (node, 2, in1, 1, 1, 3, FALSE, 1e-2, 1e-2, 1e-3), ==, 0);
  sal_tensor_free (y);

  /* [2,3,4] x [4] -> [2,3] */
  y = run1 (node, 2, in2, 1);
  g_assert_cmpint (y->rank, ==, 2);
  g_assert_cmpint (y->dims[1], ==, 3);
  {
    g_autofree double *want = ref_matmul3 (sal_tensor_f32 (a), 2, sal_tensor_f32 (v), 1, 3, 4, 1);
    sal_check_close (sal_tensor_f32 (y), want, 6, 1e-5, 1e-6);
  }
  g_assert_cmpint (sal_check_gradients_full (node, 2, in2, 1, 1, 3, FALSE, 1e-2, 1e-2, 1e-3), ==, 0);
  sal_tensor_free (y);

  /* [4] x [4] -> scalar */
  y = run1 (node, 2, in3, 1);
  g_assert_cmpint (y->rank, ==, 0);
  {
    double dot = 0;
    for (int i = 0; i < 4; i++)
      dot += (double) sal_tensor_f32 (v)[i] * sal_tensor_f32 (v)[i];
    g_assert_cmpfloat_with_epsilon (sal_tensor_f32 (y)[0], dot, 1e-5);
  }
  sal_tensor_free (y);
  sal_tensor_free (v);
  sal_tensor_free (a);
  sal_tensor_free (b);
  sal_node_free (node);
}

static void
test_matmul_folded_threads (void)
{
  /* a shared weight matrix: batch folded into rows and split over 2 threads */
  g_autoptr(GRand) rng = g_rand_new_with_seed (4);
  int64_t da[3] = { 3, 70, 64 }, db[2] = { 64, 96 };
  SalTensor *in[2] = { sal_check_random (rng, 3, da, -1, 1), sal_check_random (rng, 2, db, -1, 1) };
  SalNode *node = sal_node_new ("MatMul", "mm", 13);
  SalTensor *y = run1 (node, 2, in, 2);
  g_autofree double *want = ref_matmul3 (sal_tensor_f32 (in[0]), 1, sal_tensor_f32 (in[1]), 1,
                                         210, 64, 96);

  sal_check_close (sal_tensor_f32 (y), want, 210 * 96, 1e-4, 1e-5);
  sal_tensor_free (y);
  sal_tensor_free (in[0]);
  sal_tensor_free (in[1]);
  sal_node_free (node);
}

static void
test_matmul_errors (void)
{
  int64_t da[2] = { 3, 4 }, db[2] = { 5, 2 }, dc[3] = { 2, 3, 4 }, dd[3] = { 3, 4, 2 };
  SalTensor *a = sal_tensor_new_f32 (2, da), *b = sal_tensor_new_f32 (2, db);
  SalTensor *c = sal_tensor_new_f32 (3, dc), *d = sal_tensor_new_f32 (3, dd);
  SalTensor *in1[2] = { a, b }, *in2[2] = { c, d }, *out[1];
  SalNode *node = sal_node_new ("MatMul", "bad", 13);
  GError *error = NULL;

  g_assert_false (sal_check_run (node, 2, in1, 1, out, &error));
  g_assert_error (error, SAL_ERROR, SAL_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "'bad'"));
  g_clear_error (&error);
  g_assert_false (sal_check_run (node, 2, in2, 1, out, &error));
  g_assert_error (error, SAL_ERROR, SAL_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "broadcast"));
  g_clear_error (&error);
  sal_tensor_free (a);
  sal_tensor_free (b);
  sal_tensor_free (c);
  sal_tensor_free (d);
  sal_node_free (node);
}

/* Gemm reference: alpha op(A) op(B) + beta C with C broadcast from [cr, cc]. */
static double *
ref_gemm (const float *a, const float *b, const float *c, int cr, int cc, gboolean ta,
          gboolean tb, int M, int N, int K, double alpha, double beta)
{
  double *y = g_new0 (double, M * N);

  for (int i = 0; i < M; i++)
    for (int j = 0; j < N; j++)
      {
        double acc = 0;
        for (int k = 0; k < K; k++)
          acc += (double) (ta ? a[k * M + i] : a[i * K + k]) * (tb ? b[j * K + k] : b[k * N + j]);
        y[i * N + j] = alpha * acc
                       + (c ? beta * c[(cr == 1 ? 0 : i) * cc + (cc == 1 ? 0 : j)] : 0);
      }
  return y;
}

static void
test_gemm_variants (void)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (5);
  /* C shapes: none, scalar, [N], [M,1], [M,N] */
  const int c_rank[5] = { -1, 0, 1, 2, 2 };

  for (int M = 1; M <= 3; M += 2)
    for (int ta = 0; ta < 2; ta++)
      for (int tb = 0; tb < 2; tb++)
        for (int ci = 0; ci < 5; ci++)
          {
            const int N = 5, K = 4;
            int64_t da[2] = { ta ? K : M, ta ? M : K }, db[2] = { tb ? N : K, tb ? K : N };
            int64_t dc[2] = { 0, 0 };
            int cr = 1, cc = 1;
            SalTensor *in[3] = { sal_check_random (rng, 2, da, -1, 1),
                                 sal_check_random (rng, 2, db, -1, 1), NULL };
            SalNode *node = sal_node_new ("Gemm", "g", 13);
            SalTensor *y;
            g_autofree double *want = NULL;

            if (c_rank[ci] == 1)
              dc[0] = N, cc = N;
            else if (c_rank[ci] == 2 && ci == 3)
              dc[0] = M, dc[1] = 1, cr = M;
            else if (c_rank[ci] == 2)
              dc[0] = M, dc[1] = N, cr = M, cc = N;
            if (c_rank[ci] >= 0)
              in[2] = sal_check_random (rng, c_rank[ci], dc, -1, 1);
            sal_node_set_int (node, "transA", ta);
            sal_node_set_int (node, "transB", tb);
            sal_node_set_float (node, "alpha", 0.75f);
            sal_node_set_float (node, "beta", 1.5f);
            y = run1 (node, in[2] ? 3 : 2, in, 1);
            want = ref_gemm (sal_tensor_f32 (in[0]), sal_tensor_f32 (in[1]),
                             in[2] ? sal_tensor_f32 (in[2]) : NULL, cr, cc, ta, tb, M, N, K,
                             0.75, 1.5);
            g_assert_cmpint (y->dims[0], ==, M);
            g_assert_cmpint (y->dims[1], ==, N);
            sal_check_close (sal_tensor_f32 (y), want, M * N, 1e-5, 1e-6);
            g_assert_cmpint (sal_check_gradients_full (node, in[2] ? 3 : 2, in, 1, 1, 7, FALSE,
                                                       1e-2, 1e-2, 1e-3), ==, 0);
            sal_tensor_free (y);
            for (int i = 0; i < 3; i++)
              sal_tensor_free (in[i]);
            sal_node_free (node);
          }
}

static void
test_gemm_fused_relu (void)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (6);
  int64_t da[2] = { 4, 6 }, db[2] = { 3, 6 }, dc[1] = { 3 };
  SalTensor *in[3] = { sal_check_distinct (rng, 2, da, 0.09), sal_check_random (rng, 2, db, -1, 1),
                       sal_check_random (rng, 1, dc, -0.5, 0.5) };
  SalNode *node = sal_node_new ("Gemm", "fc", 13);
  SalTensor *y;
  g_autofree double *want = NULL;

  sal_node_set_int (node, "transB", 1);
  sal_node_set_string (node, "salient.activation", "Relu");
  y = run1 (node, 3, in, 1);
  want = ref_gemm (sal_tensor_f32 (in[0]), sal_tensor_f32 (in[1]), sal_tensor_f32 (in[2]), 1, 3,
                   FALSE, TRUE, 4, 3, 6, 1, 1);
  for (int i = 0; i < 12; i++)
    want[i] = MAX (want[i], 0);
  sal_check_close (sal_tensor_f32 (y), want, 12, 1e-5, 1e-6);
  g_assert_cmpint (sal_check_gradients_full (node, 3, in, 1, 1, 7, FALSE, 1e-3, 1e-2, 1e-3), ==, 0);
  sal_tensor_free (y);
  for (int i = 0; i < 3; i++)
    sal_tensor_free (in[i]);
  sal_node_free (node);
}

static void
test_gemm_errors (void)
{
  int64_t da[2] = { 3, 4 }, db[2] = { 3, 5 }, dc[2] = { 2, 5 };
  SalTensor *a = sal_tensor_new_f32 (2, da), *b = sal_tensor_new_f32 (2, db);
  SalTensor *c = sal_tensor_new_f32 (2, dc);
  SalTensor *in[3] = { a, b, c }, *out[1];
  SalNode *node = sal_node_new ("Gemm", "g", 13);
  GError *error = NULL;

  g_assert_false (sal_check_run (node, 2, in, 1, out, &error));   /* 4 != 3 */
  g_assert_error (error, SAL_ERROR, SAL_ERROR_INVALID);
  g_clear_error (&error);
  sal_node_set_int (node, "transA", 1);   /* now [4,3] x [3,5], but C [2,5] !~ [4,5] */
  g_assert_false (sal_check_run (node, 3, in, 1, out, &error));
  g_assert_error (error, SAL_ERROR, SAL_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "broadcast"));
  g_clear_error (&error);
  sal_tensor_free (a);
  sal_tensor_free (b);
  sal_tensor_free (c);
  sal_node_free (node);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  sal_engine_init ();
  g_test_add_func ("/engine/matmul/2d", test_matmul_2d);
  g_test_add_func ("/engine/matmul/broadcast", test_matmul_broadcast);
  g_test_add_func ("/engine/matmul/vectors", test_matmul_vectors);
  g_test_add_func ("/engine/matmul/folded-threads", test_matmul_folded_threads);
  g_test_add_func ("/engine/matmul/errors", test_matmul_errors);
  g_test_add_func ("/engine/gemm/variants", test_gemm_variants);
  g_test_add_func ("/engine/gemm/fused-relu", test_gemm_fused_relu);
  g_test_add_func ("/engine/gemm/errors", test_gemm_errors);
  return g_test_run ();
}
