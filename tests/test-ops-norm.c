/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sal-op-check.h"

/* Mean and population variance of channel c of X [N, C, plane]. */
static void
channel_stats (const float *x, int64_t N, int64_t C, int64_t plane, int64_t c, double *mean,
               double *var)
{
  double s = 0, ss = 0;

  for (int64_t n = 0; n < N; n++)
    for (int64_t i = 0; i < plane; i++)
      s += x[(n * C + c) * plane + i];
  *mean = s / (N * plane);
  for (int64_t n = 0; n < N; n++)
    for (int64_t i = 0; i < plane; i++)
      {
        double d = x[(n * C + c) * plane + i] - *mean;
        ss += d * d;
      }
  *var = ss / (N * plane);
}

static void
bn_inputs (GRand *rng, int rank, const int64_t *xd, SalTensor **in)
{
  int64_t cd[1] = { xd[1] };

  in[0] = sal_check_random (rng, rank, xd, -2, 2);
  in[1] = sal_check_random (rng, 1, cd, 0.5, 1.5);
  in[2] = sal_check_random (rng, 1, cd, -1, 1);
  in[3] = sal_check_random (rng, 1, cd, -0.5, 0.5);
  in[4] = sal_check_random (rng, 1, cd, 0.5, 2);
}

static void
test_batchnorm_inference (void)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (1);
  int64_t xd[4] = { 2, 3, 4, 5 };
  SalTensor *in[5], *out[1];
  SalNode *node = sal_node_new ("BatchNormalization", "bn", 15);
  g_autoptr(GError) error = NULL;
  g_autofree double *want = g_new0 (double, 120);

  bn_inputs (rng, 4, xd, in);
  sal_node_set_float (node, "epsilon", 1e-3f);
  g_assert_true (sal_check_run (node, 5, in, 1, out, &error));
  g_assert_no_error (error);
  for (int n = 0; n < 2; n++)
    for (int c = 0; c < 3; c++)
      for (int i = 0; i < 20; i++)
        {
          int k = (n * 3 + c) * 20 + i;
          want[k] = (sal_tensor_f32 (in[0])[k] - sal_tensor_f32 (in[3])[c])
                    / sqrt (sal_tensor_f32 (in[4])[c] + (double) 1e-3f)
                    * sal_tensor_f32 (in[1])[c] + sal_tensor_f32 (in[2])[c];
        }
  sal_check_close (sal_tensor_f32 (out[0]), want, 120, 1e-5, 1e-6);
  sal_tensor_free (out[0]);
  g_assert_cmpint (sal_check_gradients_full (node, 5, in, 1, 1, 0x1f, FALSE, 1e-2, 1e-2, 1e-3),
                   ==, 0);
  for (int i = 0; i < 5; i++)
    sal_tensor_free (in[i]);
  sal_node_free (node);
}

static void
test_batchnorm_training (void)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (2);
  int64_t xd[3] = { 3, 2, 5 };
  SalTensor *in[5], *out[3];
  SalNode *node = sal_node_new ("BatchNormalization", "bn", 15);
  g_autoptr(GError) error = NULL;
  g_autofree double *want = g_new0 (double, 30);
  double rm[2], rv[2];

  bn_inputs (rng, 3, xd, in);
  sal_node_set_int (node, "training_mode", 1);
  sal_node_set_float (node, "momentum", 0.8f);
  g_assert_true (sal_check_run (node, 5, in, 3, out, &error));
  g_assert_no_error (error);
  for (int c = 0; c < 2; c++)
    {
      double mean, var;
      channel_stats (sal_tensor_f32 (in[0]), 3, 2, 5, c, &mean, &var);
      for (int n = 0; n < 3; n++)
        for (int i = 0; i < 5; i++)
          {
            int k = (n * 2 + c) * 5 + i;
            want[k] = (sal_tensor_f32 (in[0])[k] - mean) / sqrt (var + (double) 1e-5f)
                      * sal_tensor_f32 (in[1])[c] + sal_tensor_f32 (in[2])[c];
          }
      rm[c] = sal_tensor_f32 (in[3])[c] * (double) 0.8f + mean * (1 - (double) 0.8f);
      rv[c] = sal_tensor_f32 (in[4])[c] * (double) 0.8f + var * (1 - (double) 0.8f);
    }
  sal_check_close (sal_tensor_f32 (out[0]), want, 30, 1e-5, 1e-6);
  sal_check_close (sal_tensor_f32 (out[1]), rm, 2, 1e-5, 1e-6);
  sal_check_close (sal_tensor_f32 (out[2]), rv, 2, 1e-5, 1e-6);
  sal_check_free_outs (out, 3);
  g_assert_cmpint (sal_check_gradients_full (node, 5, in, 3, 0x7, 0x1f, FALSE, 1e-2, 1e-2, 1e-3),
                   ==, 0);

  /* an inference-exported node in a training run also uses batch statistics */
  {
    SalNode *plain = sal_node_new ("BatchNormalization", "bn", 9);
    SalTensor *o1[1];
    g_assert_true (sal_check_run_full (plain, 5, in, 1, NULL, o1, 1, TRUE, &error));
    sal_node_set_float (node, "momentum", 0.9f);
    g_assert_true (sal_check_run (node, 5, in, 3, out, &error));
    for (int k = 0; k < 30; k++)
      g_assert_cmpfloat_with_epsilon (sal_tensor_f32 (o1[0])[k], sal_tensor_f32 (out[0])[k], 1e-6);
    sal_check_free_outs (out, 3);
    sal_tensor_free (o1[0]);
    g_assert_cmpint (sal_check_gradients_full (plain, 5, in, 1, 1, 0x7, TRUE, 1e-2, 1e-2, 1e-3),
                     ==, 0);
    sal_node_free (plain);
  }
  for (int i = 0; i < 5; i++)
    sal_tensor_free (in[i]);
  sal_node_free (node);
}

static void
check_layernorm (int rank, const int64_t *xd, int axis, gboolean scalar_scale, gboolean bias,
                 guint32 seed)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (seed);
  SalTensor *in[3] = { NULL }, *out[3];
  SalNode *node = sal_node_new ("LayerNormalization", "ln", 17);
  g_autoptr(GError) error = NULL;
  int a = axis < 0 ? axis + rank : axis;
  int64_t rows = 1, D = 1, one[1] = { 1 };
  g_autofree double *want = NULL, *wmean = NULL, *wrstd = NULL;

  for (int i = 0; i < rank; i++)
    {
      if (i < a)
        rows *= xd[i];
      else
        D *= xd[i];
    }
  in[0] = sal_check_random (rng, rank, xd, -2, 2);
  in[1] = scalar_scale ? sal_check_random (rng, 1, one, 0.5, 1.5)
                       : sal_check_random (rng, rank - a, xd + a, 0.5, 1.5);
  if (bias)
    in[2] = sal_check_random (rng, rank - a, xd + a, -1, 1);
  sal_node_set_int (node, "axis", axis);
  sal_node_set_float (node, "epsilon", 1e-4f);
  g_assert_true (sal_check_run (node, bias ? 3 : 2, in, 3, out, &error));
  g_assert_no_error (error);
  g_assert_cmpint (out[1]->rank, ==, rank);
  for (int i = 0; i < rank; i++)
    g_assert_cmpint (out[1]->dims[i], ==, i < a ? xd[i] : 1);
  want = g_new0 (double, rows * D);
  wmean = g_new0 (double, rows);
  wrstd = g_new0 (double, rows);
  for (int64_t r = 0; r < rows; r++)
    {
      const float *x = sal_tensor_f32 (in[0]) + r * D;
      double s = 0, ss = 0;
      for (int64_t k = 0; k < D; k++)
        s += x[k];
      wmean[r] = s / D;
      for (int64_t k = 0; k < D; k++)
        ss += (x[k] - wmean[r]) * (x[k] - wmean[r]);
      wrstd[r] = 1 / sqrt (ss / D + (double) 1e-4f);
      for (int64_t k = 0; k < D; k++)
        want[r * D + k] = (x[k] - wmean[r]) * wrstd[r]
                          * sal_tensor_f32 (in[1])[scalar_scale ? 0 : k]
                          + (bias ? sal_tensor_f32 (in[2])[k] : 0);
    }
  sal_check_close (sal_tensor_f32 (out[0]), want, rows * D, 1e-5, 1e-5);
  sal_check_close (sal_tensor_f32 (out[1]), wmean, rows, 1e-5, 1e-6);
  sal_check_close (sal_tensor_f32 (out[2]), wrstd, rows, 1e-5, 1e-6);
  sal_check_free_outs (out, 3);
  g_assert_cmpint (sal_check_gradients_full (node, bias ? 3 : 2, in, 3, 0x7, 0x7, FALSE, 1e-2,
                                             1e-2, 1e-3), ==, 0);
  for (int i = 0; i < 3; i++)
    sal_tensor_free (in[i]);
  sal_node_free (node);
}

static void
test_layernorm (void)
{
  int64_t d3[3] = { 2, 3, 4 }, d2[2] = { 5, 6 };

  check_layernorm (3, d3, -1, FALSE, TRUE, 3);
  check_layernorm (3, d3, 1, FALSE, TRUE, 4);
  check_layernorm (3, d3, 0, FALSE, FALSE, 5);
  check_layernorm (2, d2, -1, TRUE, TRUE, 6);
}

static void
test_instancenorm (void)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (7);
  int64_t xd[4] = { 2, 3, 3, 4 }, cd[1] = { 3 };
  SalTensor *in[3] = { sal_check_random (rng, 4, xd, -2, 2), sal_check_random (rng, 1, cd, 0.5, 1.5),
                       sal_check_random (rng, 1, cd, -1, 1) };
  SalTensor *out[1];
  SalNode *node = sal_node_new ("InstanceNormalization", "in", 17);
  g_autoptr(GError) error = NULL;
  g_autofree double *want = g_new0 (double, 72);

  sal_node_set_float (node, "epsilon", 1e-3f);
  g_assert_true (sal_check_run (node, 3, in, 1, out, &error));
  g_assert_no_error (error);
  for (int pl = 0; pl < 6; pl++)
    {
      const float *x = sal_tensor_f32 (in[0]) + pl * 12;
      double s = 0, ss = 0, m;
      for (int k = 0; k < 12; k++)
        s += x[k];
      m = s / 12;
      for (int k = 0; k < 12; k++)
        ss += (x[k] - m) * (x[k] - m);
      for (int k = 0; k < 12; k++)
        want[pl * 12 + k] = (x[k] - m) / sqrt (ss / 12 + (double) 1e-3f)
                            * sal_tensor_f32 (in[1])[pl % 3] + sal_tensor_f32 (in[2])[pl % 3];
    }
  sal_check_close (sal_tensor_f32 (out[0]), want, 72, 1e-5, 1e-5);
  sal_tensor_free (out[0]);
  g_assert_cmpint (sal_check_gradients_full (node, 3, in, 1, 1, 0x7, FALSE, 1e-2, 1e-2, 1e-3),
                   ==, 0);
  for (int i = 0; i < 3; i++)
    sal_tensor_free (in[i]);
  sal_node_free (node);
}

static void
test_norm_errors (void)
{
  int64_t xd[3] = { 2, 3, 4 }, cd[1] = { 2 };
  SalTensor *x = sal_tensor_new_f32 (3, xd), *c = sal_tensor_new_f32 (1, cd);
  SalTensor *in[5] = { x, c, c, c, c }, *out[3];
  SalNode *bn = sal_node_new ("BatchNormalization", "bn", 15);
  SalNode *ln = sal_node_new ("LayerNormalization", "ln", 17);
  GError *error = NULL;

  g_assert_false (sal_check_run (bn, 5, in, 1, out, &error));   /* 2 values for 3 channels */
  g_assert_error (error, SAL_ERROR, SAL_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "channel"));
  g_clear_error (&error);
  sal_node_set_int (ln, "axis", 3);
  g_assert_false (sal_check_run (ln, 2, in, 1, out, &error));
  g_assert_error (error, SAL_ERROR, SAL_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "axis"));
  g_clear_error (&error);
  sal_node_set_int (ln, "axis", -1);   /* Scale of 2 for rows of 4 */
  g_assert_false (sal_check_run (ln, 2, in, 1, out, &error));
  g_assert_error (error, SAL_ERROR, SAL_ERROR_INVALID);
  g_clear_error (&error);
  sal_tensor_free (x);
  sal_tensor_free (c);
  sal_node_free (bn);
  sal_node_free (ln);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  sal_engine_init ();
  g_test_add_func ("/engine/norm/batch-inference", test_batchnorm_inference);
  g_test_add_func ("/engine/norm/batch-training", test_batchnorm_training);
  g_test_add_func ("/engine/norm/layer", test_layernorm);
  g_test_add_func ("/engine/norm/instance", test_instancenorm);
  g_test_add_func ("/engine/norm/errors", test_norm_errors);
  return g_test_run ();
}
