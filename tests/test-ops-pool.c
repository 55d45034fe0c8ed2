/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sal-op-check.h"

#include <float.h>

typedef struct {
  const char *op;
  int         nsp;
  int64_t     N, C;
  int64_t     in[3], k[3], s[3], d[3], pb[3], pe[3];
  gboolean    ceil_mode, count_include_pad;
  int         storage_order;
  const char *auto_pad;
  int64_t     expect_out[3];     /* the output extents the case must produce */
} PoolCase;

/* Plain reference, 2 spatial axes (1-D cases use a leading extent of 1).
 * Pads come from pb (resolved auto_pad is given by the case). */
static void
ref_pool (const PoolCase *c, const float *x, double *y, int64_t *ind)
{
  int64_t in[2] = { 1, 1 }, o[2] = { 1, 1 }, k[2] = { 1, 1 }, s[2] = { 1, 1 }, d[2] = { 1, 1 };
  int64_t pb[2] = { 0, 0 }, pe[2] = { 0, 0 };
  int off = 2 - c->nsp;
  gboolean is_max = strstr (c->op, "Max") != NULL;

  g_assert_cmpint (c->nsp, <=, 2);
  for (int i = 0; i < c->nsp; i++)
    {
      in[off + i] = c->in[i];
      o[off + i] = c->expect_out[i];
      k[off + i] = c->k[i];
      s[off + i] = c->s[i];
      d[off + i] = c->d[i];
      pb[off + i] = c->pb[i];
      pe[off + i] = c->pe[i];
    }
  for (int64_t pl = 0; pl < c->N * c->C; pl++)
    for (int64_t a = 0; a < o[0]; a++)
      for (int64_t b = 0; b < o[1]; b++)
        {
          double best = -INFINITY, sum = 0;
          int64_t arg = -1, count = 0, padcount = 0;
          for (int64_t u = 0; u < k[0]; u++)
            for (int64_t v = 0; v < k[1]; v++)
              {
                int64_t h = a * s[0] - pb[0] + u * d[0], w = b * s[1] - pb[1] + v * d[1];
                if (h >= -pb[0] && h < in[0] + pe[0] && w >= -pb[1] && w < in[1] + pe[1])
                  padcount++;
                if (h < 0 || h >= in[0] || w < 0 || w >= in[1])
                  continue;
                count++;
                sum += x[pl * in[0] * in[1] + h * in[1] + w];
                if (x[pl * in[0] * in[1] + h * in[1] + w] > best)
                  {
                    best = x[pl * in[0] * in[1] + h * in[1] + w];
                    arg = c->storage_order ? pl * in[0] * in[1] + w * in[0] + h
                                           : pl * in[0] * in[1] + h * in[1] + w;
                  }
              }
          y[(pl * o[0] + a) * o[1] + b] = is_max ? best
                                                 : sum / (c->count_include_pad ? padcount : count);
          if (ind)
            ind[(pl * o[0] + a) * o[1] + b] = arg;
        }
}

static SalNode *
pool_node (const PoolCase *c)
{
  SalNode *node = sal_node_new (c->op, "pool", 17);
  int64_t pads[6];

  if (strncmp (c->op, "Global", 6) == 0)
    return node;
  sal_node_set_ints (node, "kernel_shape", c->nsp, c->k);
  sal_node_set_ints (node, "strides", c->nsp, c->s);
  if (strcmp (c->op, "MaxPool") == 0)
    sal_node_set_ints (node, "dilations", c->nsp, c->d);
  if (c->auto_pad)
    sal_node_set_string (node, "auto_pad", c->auto_pad);
  else
    {
      for (int i = 0; i < c->nsp; i++)
        pads[i] = c->pb[i], pads[c->nsp + i] = c->pe[i];
      sal_node_set_ints (node, "pads", 2 * c->nsp, pads);
    }
  sal_node_set_int (node, "ceil_mode", c->ceil_mode);
  sal_node_set_int (node, "count_include_pad", c->count_include_pad);
  sal_node_set_int (node, "storage_order", c->storage_order);
  return node;
}

static void
check_pool (const PoolCase *c, guint32 seed, gboolean with_indices)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (seed);
  int64_t xd[5] = { c->N, c->C };
  SalTensor *in[1], *out[2];
  SalNode *node = pool_node (c);
  g_autoptr(GError) error = NULL;
  g_autofree double *want = NULL;
  g_autofree int64_t *want_ind = NULL;
  int64_t n_out = c->N * c->C;
  int n_outs = with_indices ? 2 : 1;

  for (int i = 0; i < c->nsp; i++)
    xd[2 + i] = c->in[i], n_out *= c->expect_out[i];
  in[0] = sal_check_distinct (rng, 2 + c->nsp, xd, 0.01);
  g_assert_true (sal_check_run_full (node, 1, in, n_outs, NULL, out, 2, FALSE, &error));
  g_assert_no_error (error);
  g_assert_cmpint (out[0]->rank, ==, 2 + c->nsp);
  for (int i = 0; i < c->nsp; i++)
    g_assert_cmpint (out[0]->dims[2 + i], ==, c->expect_out[i]);
  want = g_new0 (double, n_out);
  want_ind = g_new0 (int64_t, n_out);
  if (c->nsp <= 2)
    {
      ref_pool (c, sal_tensor_f32 (in[0]), want, want_ind);
      sal_check_close (sal_tensor_f32 (out[0]), want, n_out, 1e-6, 1e-6);
      if (with_indices)
        {
          g_assert_cmpint (out[1]->dtype, ==, SAL_DTYPE_INT64);
          for (int64_t i = 0; i < n_out; i++)
            g_assert_cmpint (sal_tensor_i64 (out[1])[i], ==, want_ind[i]);
        }
    }
  sal_check_free_outs (out, n_outs);
  g_assert_cmpint (sal_check_gradients_full (node, 1, in, n_outs, 1, 1, FALSE, 1e-3, 1e-2, 1e-3),
                   ==, 0);
  sal_tensor_free (in[0]);
  sal_node_free (node);
}

static void
test_maxpool_2d (void)
{
  /* in 6x7, k 3x2, s 2x2, d 1x2, pads (1,0)/(1,1): H (6+2-3)/2+1 = 3, W (7+1-3)/2+1 = 3 */
  PoolCase c = { "MaxPool", 2, 2, 3, { 6, 7 }, { 3, 2 }, { 2, 2 }, { 1, 2 }, { 1, 0 }, { 1, 1 },
                 FALSE, FALSE, 0, NULL, { 3, 3 } };
  check_pool (&c, 1, TRUE);
  check_pool (&c, 23, FALSE);   /* without Indices: the 2-D kernel */
  c.storage_order = 1;
  check_pool (&c, 2, TRUE);
}

static void
test_maxpool_2x2 (void)
{
  /* the common 2x2 / stride 2 pool (its own kernel), even and odd extents */
  PoolCase even = { "MaxPool", 2, 2, 3, { 6, 8 }, { 2, 2 }, { 2, 2 }, { 1, 1 }, { 0, 0 },
                    { 0, 0 }, FALSE, FALSE, 0, NULL, { 3, 4 } };
  PoolCase odd = { "MaxPool", 2, 1, 2, { 7, 9 }, { 2, 2 }, { 2, 2 }, { 1, 1 }, { 0, 0 },
                   { 0, 0 }, FALSE, FALSE, 0, NULL, { 3, 4 } };
  check_pool (&even, 20, FALSE);
  check_pool (&odd, 21, FALSE);
  check_pool (&odd, 22, TRUE);
}

static void
test_maxpool_ceil (void)
{
  /* in 5, k 2, s 2, pads 1/1, ceil: room 5 -> 4 windows, but the last would start in the
   * end padding, so 3 (PyTorch's rule); W: in 5 no pads -> ceil(3/2)+1 = 3 */
  PoolCase c = { "MaxPool", 2, 1, 2, { 5, 5 }, { 2, 2 }, { 2, 2 }, { 1, 1 }, { 1, 0 }, { 1, 0 },
                 TRUE, FALSE, 0, NULL, { 3, 3 } };
  check_pool (&c, 3, TRUE);
  check_pool (&c, 24, FALSE);
}

static void
test_maxpool_auto_pad (void)
{
  /* in 5x6, k 3, s 2: out 3x3; SAME_UPPER pads H total 2 -> 1/1, W total 1 -> 0/1 */
  PoolCase up = { "MaxPool", 2, 1, 2, { 5, 6 }, { 3, 3 }, { 2, 2 }, { 1, 1 }, { 1, 0 },
                  { 1, 1 }, FALSE, FALSE, 0, "SAME_UPPER", { 3, 3 } };
  PoolCase lo = { "MaxPool", 2, 1, 2, { 5, 6 }, { 3, 3 }, { 2, 2 }, { 1, 1 }, { 1, 1 },
                  { 1, 0 }, FALSE, FALSE, 0, "SAME_LOWER", { 3, 3 } };
  check_pool (&up, 4, FALSE);
  check_pool (&lo, 5, FALSE);
}

static void
test_maxpool_1d_3d (void)
{
  PoolCase c1 = { "MaxPool", 1, 2, 2, { 9 }, { 3 }, { 2 }, { 1 }, { 1 }, { 0 }, FALSE, FALSE, 0,
                  NULL, { 4 } };
  PoolCase c3 = { "MaxPool", 3, 1, 2, { 4, 5, 4 }, { 2, 2, 3 }, { 2, 2, 1 }, { 1, 1, 1 },
                  { 0, 1, 1 }, { 0, 0, 1 }, FALSE, FALSE, 0, NULL, { 2, 3, 4 } };
  check_pool (&c1, 6, TRUE);
  check_pool (&c3, 7, FALSE);
}

static void
test_averagepool (void)
{
  PoolCase c = { "AveragePool", 2, 2, 2, { 5, 6 }, { 3, 3 }, { 2, 2 }, { 1, 1 }, { 1, 1 },
                 { 1, 1 }, FALSE, FALSE, 0, NULL, { 3, 3 } };
  check_pool (&c, 8, FALSE);
  c.count_include_pad = TRUE;
  check_pool (&c, 9, FALSE);
  /* ceil mode: W (6+2-3)/2 = 2.5 -> 4 windows, the last starts at 5 < 6+1 */
  c.ceil_mode = TRUE;
  c.expect_out[1] = 4;
  c.in[1] = 6;
  check_pool (&c, 10, FALSE);
}

static void
test_averagepool_1d_3d (void)
{
  PoolCase c1 = { "AveragePool", 1, 1, 3, { 8 }, { 3 }, { 1 }, { 1 }, { 2 }, { 0 }, FALSE,
                  TRUE, 0, NULL, { 8 } };
  PoolCase c3 = { "AveragePool", 3, 1, 1, { 3, 4, 4 }, { 2, 2, 2 }, { 1, 2, 2 }, { 1, 1, 1 },
                  { 0, 0, 0 }, { 0, 0, 0 }, FALSE, FALSE, 0, NULL, { 2, 2, 2 } };
  g_autoptr(GError) error = NULL;
  SalTensor *in[1], *out[1];
  int64_t xd[5] = { 1, 1, 3, 4, 4 };
  SalNode *node;

  check_pool (&c1, 11, FALSE);
  check_pool (&c3, 12, FALSE);
  /* 3-D values checked by hand: a ramp x = index averages to the window's centre */
  in[0] = sal_tensor_new_f32 (5, xd);
  for (int i = 0; i < 48; i++)
    sal_tensor_f32 (in[0])[i] = i;
  node = pool_node (&c3);
  g_assert_true (sal_check_run (node, 1, in, 1, out, &error));
  /* window (d 0..1, h 0..1, w 0..1) = mean of 0,1,4,5,16,17,20,21 = 10.5 */
  g_assert_cmpfloat_with_epsilon (sal_tensor_f32 (out[0])[0], 10.5, 1e-5);
  /* last window (d 1..2, h 2..3, w 2..3): 26,27,30,31,42,43,46,47 -> 36.5 */
  g_assert_cmpfloat_with_epsilon (sal_tensor_f32 (out[0])[7], 36.5, 1e-5);
  sal_tensor_free (out[0]);
  sal_tensor_free (in[0]);
  sal_node_free (node);
}

static void
test_global_pools (void)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (13);
  int64_t xd[4] = { 2, 3, 4, 5 };
  SalTensor *in[1] = { sal_check_distinct (rng, 4, xd, 0.01) }, *out[1];
  SalNode *avg = sal_node_new ("GlobalAveragePool", "gap", 17);
  SalNode *max = sal_node_new ("GlobalMaxPool", "gmp", 17);
  g_autoptr(GError) error = NULL;

  g_assert_true (sal_check_run (avg, 1, in, 1, out, &error));
  g_assert_cmpint (out[0]->rank, ==, 4);
  g_assert_cmpint (out[0]->dims[2], ==, 1);
  g_assert_cmpint (out[0]->dims[3], ==, 1);
  for (int pl = 0; pl < 6; pl++)
    {
      double s = 0;
      for (int i = 0; i < 20; i++)
        s += sal_tensor_f32 (in[0])[pl * 20 + i];
      g_assert_cmpfloat_with_epsilon (sal_tensor_f32 (out[0])[pl], s / 20, 1e-6);
    }
  sal_tensor_free (out[0]);
  g_assert_true (sal_check_run (max, 1, in, 1, out, &error));
  for (int pl = 0; pl < 6; pl++)
    {
      float m = -FLT_MAX;
      for (int i = 0; i < 20; i++)
        m = MAX (m, sal_tensor_f32 (in[0])[pl * 20 + i]);
      g_assert_cmpfloat (sal_tensor_f32 (out[0])[pl], ==, m);
    }
  sal_tensor_free (out[0]);
  g_assert_cmpint (sal_check_gradients_full (avg, 1, in, 1, 1, 1, FALSE, 1e-3, 1e-2, 1e-3), ==, 0);
  g_assert_cmpint (sal_check_gradients_full (max, 1, in, 1, 1, 1, FALSE, 1e-3, 1e-2, 1e-3), ==, 0);
  sal_tensor_free (in[0]);
  sal_node_free (avg);
  sal_node_free (max);
}

static void
test_pool_errors (void)
{
  int64_t xd[4] = { 1, 1, 3, 3 }, k[2] = { 5, 5 }, xd1[2] = { 2, 3 };
  SalTensor *x = sal_tensor_new_f32 (4, xd), *x1 = sal_tensor_new_f32 (2, xd1);
  SalTensor *in[1] = { x }, *in1[1] = { x1 }, *out[1];
  SalNode *node = sal_node_new ("MaxPool", "mp", 17);
  GError *error = NULL;

  g_assert_false (sal_check_run (node, 1, in, 1, out, &error));   /* no kernel_shape */
  g_assert_error (error, SAL_ERROR, SAL_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "kernel_shape"));
  g_clear_error (&error);
  sal_node_set_ints (node, "kernel_shape", 2, k);
  g_assert_false (sal_check_run (node, 1, in, 1, out, &error));   /* 5x5 window on 3x3 */
  g_assert_error (error, SAL_ERROR, SAL_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (sal_check_run (node, 1, in1, 1, out, &error));   /* rank 2 */
  g_assert_error (error, SAL_ERROR, SAL_ERROR_UNSUPPORTED);
  g_clear_error (&error);
  sal_tensor_free (x);
  sal_tensor_free (x1);
  sal_node_free (node);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  sal_engine_init ();
  g_test_add_func ("/engine/pool/max-2d", test_maxpool_2d);
  g_test_add_func ("/engine/pool/max-2x2", test_maxpool_2x2);
  g_test_add_func ("/engine/pool/max-ceil", test_maxpool_ceil);
  g_test_add_func ("/engine/pool/max-auto-pad", test_maxpool_auto_pad);
  g_test_add_func ("/engine/pool/max-1d-3d", test_maxpool_1d_3d);
  g_test_add_func ("/engine/pool/average", test_averagepool);
  g_test_add_func ("/engine/pool/average-1d-3d", test_averagepool_1d_3d);
  g_test_add_func ("/engine/pool/global", test_global_pools);
  g_test_add_func ("/engine/pool/errors", test_pool_errors);
  return g_test_run ();
}
