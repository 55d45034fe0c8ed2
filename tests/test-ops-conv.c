/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sal-op-check.h"

typedef struct {
  const char *op;          /* "Conv" or "ConvTranspose" */
  int         nsp;
  int64_t     N, C, M, G;
  int64_t     in[3], k[3], s[3], d[3], pb[3], pe[3], opad[3];
  const char *auto_pad;    /* NULL: explicit pads */
  gboolean    bias;
  const char *act;         /* fused activation or NULL */
  int64_t     expect_out[3];   /* 0: not checked */
  gboolean    grads;
} ConvCase;

/* Reference by the definition, in double; out extents are taken from y's shape
 * and pads from pb (after auto_pad was resolved by the test's expectations). */
static double *
ref_conv (const ConvCase *c, const float *x, const float *w, const float *b, const int64_t *out)
{
  int64_t in[3] = { 1, 1, 1 }, k[3] = { 1, 1, 1 }, s[3] = { 1, 1, 1 }, d[3] = { 1, 1, 1 };
  int64_t pb[3] = { 0, 0, 0 }, o[3] = { 1, 1, 1 };
  int off = 3 - c->nsp;
  int64_t Cg = c->C / c->G, Mg = c->M / c->G, osz, isz, ksz;
  double *y;

  for (int i = 0; i < c->nsp; i++)
    {
      in[off + i] = c->in[i];
      k[off + i] = c->k[i];
      s[off + i] = c->s[i];
      d[off + i] = c->d[i];
      pb[off + i] = c->pb[i];
      o[off + i] = out[i];
    }
  osz = o[0] * o[1] * o[2];
  isz = in[0] * in[1] * in[2];
  ksz = k[0] * k[1] * k[2];
  y = g_new0 (double, c->N * c->M * osz);
  for (int64_t n = 0; n < c->N; n++)
    for (int64_t m = 0; m < c->M; m++)
      for (int64_t z = 0; z < o[0]; z++)
        for (int64_t r = 0; r < o[1]; r++)
          for (int64_t q = 0; q < o[2]; q++)
            {
              int64_t grp = m / Mg;
              double acc = b ? b[m] : 0;
              for (int64_t cc = 0; cc < Cg; cc++)
                for (int64_t a = 0; a < k[0]; a++)
                  for (int64_t e = 0; e < k[1]; e++)
                    for (int64_t f = 0; f < k[2]; f++)
                      {
                        int64_t iz = z * s[0] - pb[0] + a * d[0];
                        int64_t ir = r * s[1] - pb[1] + e * d[1];
                        int64_t iq = q * s[2] - pb[2] + f * d[2];
                        if (iz < 0 || iz >= in[0] || ir < 0 || ir >= in[1] || iq < 0
                            || iq >= in[2])
                          continue;
                        acc += (double) w[(m * Cg + cc) * ksz + (a * k[1] + e) * k[2] + f]
                               * x[(n * c->C + grp * Cg + cc) * isz
                                   + (iz * in[1] + ir) * in[2] + iq];
                      }
              y[((n * c->M + m) * o[0] + z) * o[1] * o[2] + r * o[2] + q] = acc;
            }
  return y;
}

static double *
ref_conv_transpose (const ConvCase *c, const float *x, const float *w, const float *b,
                    const int64_t *out)
{
  int64_t in[3] = { 1, 1, 1 }, k[3] = { 1, 1, 1 }, s[3] = { 1, 1, 1 }, d[3] = { 1, 1, 1 };
  int64_t pb[3] = { 0, 0, 0 }, o[3] = { 1, 1, 1 };
  int off = 3 - c->nsp;
  int64_t Cg = c->C / c->G, Mg = c->M / c->G, osz, isz, ksz;
  double *y;

  for (int i = 0; i < c->nsp; i++)
    {
      in[off + i] = c->in[i];
      k[off + i] = c->k[i];
      s[off + i] = c->s[i];
      d[off + i] = c->d[i];
      pb[off + i] = c->pb[i];
      o[off + i] = out[i];
    }
  osz = o[0] * o[1] * o[2];
  isz = in[0] * in[1] * in[2];
  ksz = k[0] * k[1] * k[2];
  y = g_new0 (double, c->N * c->M * osz);
  for (int64_t n = 0; n < c->N; n++)
    for (int64_t m = 0; m < c->M; m++)
      for (int64_t i = 0; i < osz; i++)
        y[(n * c->M + m) * osz + i] = b ? b[m] : 0;
  for (int64_t n = 0; n < c->N; n++)
    for (int64_t ch = 0; ch < c->C; ch++)
      for (int64_t z = 0; z < in[0]; z++)
        for (int64_t r = 0; r < in[1]; r++)
          for (int64_t q = 0; q < in[2]; q++)
            {
              int64_t grp = ch / Cg;
              double xv = x[(n * c->C + ch) * isz + (z * in[1] + r) * in[2] + q];
              for (int64_t m = 0; m < Mg; m++)
                for (int64_t a = 0; a < k[0]; a++)
                  for (int64_t e = 0; e < k[1]; e++)
                    for (int64_t f = 0; f < k[2]; f++)
                      {
                        int64_t oz = z * s[0] - pb[0] + a * d[0];
                        int64_t orr = r * s[1] - pb[1] + e * d[1];
                        int64_t oq = q * s[2] - pb[2] + f * d[2];
                        if (oz < 0 || oz >= o[0] || orr < 0 || orr >= o[1] || oq < 0
                            || oq >= o[2])
                          continue;
                        y[(n * c->M + grp * Mg + m) * osz + (oz * o[1] + orr) * o[2] + oq]
                          += xv * w[(ch * Mg + m) * ksz + (a * k[1] + e) * k[2] + f];
                      }
            }
  return y;
}

static SalNode *
conv_node (const ConvCase *c)
{
  SalNode *node = sal_node_new (c->op, "conv", 17);
  int64_t pads[6];

  sal_node_set_ints (node, "strides", c->nsp, c->s);
  sal_node_set_ints (node, "dilations", c->nsp, c->d);
  sal_node_set_ints (node, "kernel_shape", c->nsp, c->k);
  sal_node_set_int (node, "group", c->G);
  if (c->auto_pad != NULL)
    sal_node_set_string (node, "auto_pad", c->auto_pad);
  else
    {
      for (int i = 0; i < c->nsp; i++)
        pads[i] = c->pb[i], pads[c->nsp + i] = c->pe[i];
      sal_node_set_ints (node, "pads", 2 * c->nsp, pads);
    }
  if (strcmp (c->op, "ConvTranspose") == 0)
    sal_node_set_ints (node, "output_padding", c->nsp, c->opad);
  if (c->act != NULL)
    sal_node_set_string (node, "salient.activation", c->act);
  return node;
}

static void
check_conv (const ConvCase *c, guint32 seed)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (seed);
  gboolean tr = strcmp (c->op, "ConvTranspose") == 0;
  int64_t xd[5] = { c->N, c->C }, wd[5], bd[1] = { c->M };
  SalTensor *in[3], *out1[1], *out2[1];
  SalNode *node = conv_node (c);
  g_autoptr(GError) error = NULL;
  g_autofree double *want = NULL;
  int n_in = c->bias ? 3 : 2;

  wd[0] = tr ? c->C : c->M;
  wd[1] = tr ? c->M / c->G : c->C / c->G;
  for (int i = 0; i < c->nsp; i++)
    xd[2 + i] = c->in[i], wd[2 + i] = c->k[i];
  in[0] = c->act ? sal_check_distinct (rng, 2 + c->nsp, xd, 0.05)
                 : sal_check_random (rng, 2 + c->nsp, xd, -1, 1);
  in[1] = sal_check_random (rng, 2 + c->nsp, wd, -1, 1);
  in[2] = c->bias ? sal_check_random (rng, 1, bd, -1, 1) : NULL;

  g_assert_true (sal_check_run_full (node, n_in, in, 1, NULL, out1, 1, FALSE, &error));
  g_assert_no_error (error);
  g_assert_cmpint (out1[0]->rank, ==, 2 + c->nsp);
  g_assert_cmpint (out1[0]->dims[0], ==, c->N);
  g_assert_cmpint (out1[0]->dims[1], ==, c->M);
  for (int i = 0; i < c->nsp; i++)
    if (c->expect_out[i] > 0)
      g_assert_cmpint (out1[0]->dims[2 + i], ==, c->expect_out[i]);
  want = (tr ? ref_conv_transpose : ref_conv) (c, sal_tensor_f32 (in[0]), sal_tensor_f32 (in[1]),
                                               c->bias ? sal_tensor_f32 (in[2]) : NULL,
                                               out1[0]->dims + 2);
  if (c->act != NULL && strcmp (c->act, "Relu") == 0)
    for (int64_t i = 0; i < out1[0]->numel; i++)
      want[i] = MAX (want[i], 0);
  sal_check_close (sal_tensor_f32 (out1[0]), want, out1[0]->numel, 1e-4, 1e-5);

  /* two threads give the same numbers (up to the summation order of sgemm's tails) */
  g_assert_true (sal_check_run_full (node, n_in, in, 1, NULL, out2, 2, FALSE, &error));
  sal_check_close (sal_tensor_f32 (out2[0]), want, out2[0]->numel, 1e-4, 1e-5);
  sal_tensor_free (out1[0]);
  sal_tensor_free (out2[0]);

  if (c->grads)
    g_assert_cmpint (sal_check_gradients_full (node, n_in, in, 1, 1, 7, FALSE,
                                               c->act ? 1e-3 : 1e-2, 1e-2, 1e-3), ==, 0);
  for (int i = 0; i < 3; i++)
    sal_tensor_free (in[i]);
  sal_node_free (node);
}

static void
test_conv_2d_basic (void)
{
  ConvCase c = { "Conv", 2, 2, 3, 4, 1, { 5, 6 }, { 3, 3 }, { 1, 1 }, { 1, 1 }, { 1, 1 },
                 { 1, 1 }, { 0 }, NULL, TRUE, NULL, { 5, 6 }, TRUE };
  check_conv (&c, 1);
}

static void
test_conv_2d_strided_groups (void)
{
  /* stride 2, dilation 2, asymmetric pads, 2 groups */
  ConvCase c = { "Conv", 2, 2, 4, 6, 2, { 7, 8 }, { 3, 2 }, { 2, 2 }, { 2, 1 }, { 1, 0 },
                 { 2, 1 }, { 0 }, NULL, TRUE, NULL, { 3, 4 }, TRUE };
  check_conv (&c, 2);
}

static void
test_conv_depthwise (void)
{
  ConvCase c = { "Conv", 2, 2, 4, 8, 4, { 6, 6 }, { 3, 3 }, { 2, 1 }, { 1, 1 }, { 1, 1 },
                 { 1, 1 }, { 0 }, NULL, TRUE, NULL, { 3, 6 }, TRUE };
  check_conv (&c, 3);
}

static void
test_conv_single_channel (void)
{
  /* 5 outputs: the direct kernel; 12 outputs: im2col + sgemm with K = 9 */
  ConvCase c = { "Conv", 2, 3, 1, 5, 1, { 7, 6 }, { 3, 3 }, { 1, 1 }, { 1, 1 }, { 1, 1 },
                 { 1, 1 }, { 0 }, NULL, TRUE, NULL, { 7, 6 }, TRUE };
  ConvCase wide = { "Conv", 2, 2, 1, 12, 1, { 6, 6 }, { 3, 3 }, { 1, 1 }, { 1, 1 }, { 1, 1 },
                    { 1, 1 }, { 0 }, NULL, TRUE, NULL, { 6, 6 }, TRUE };
  check_conv (&c, 4);
  check_conv (&wide, 40);
}

static void
test_conv_pointwise (void)
{
  ConvCase c = { "Conv", 2, 2, 4, 6, 2, { 3, 5 }, { 1, 1 }, { 1, 1 }, { 1, 1 }, { 0, 0 },
                 { 0, 0 }, { 0 }, NULL, FALSE, NULL, { 3, 5 }, TRUE };
  check_conv (&c, 5);
}

static void
test_conv_1d_auto_pad (void)
{
  /* in 7, k 3, s 2 -> out ceil(7/2) = 4, total pad 2: SAME_UPPER 1/1 */
  ConvCase up = { "Conv", 1, 2, 2, 3, 1, { 7 }, { 3 }, { 2 }, { 1 }, { 1 }, { 1 }, { 0 },
                  "SAME_UPPER", TRUE, NULL, { 4 }, TRUE };
  /* in 8, k 4, s 1 -> total pad 3: SAME_UPPER 1 + 2, SAME_LOWER 2 + 1 */
  ConvCase up2 = { "Conv", 1, 1, 2, 2, 1, { 8 }, { 4 }, { 1 }, { 1 }, { 1 }, { 2 }, { 0 },
                   "SAME_UPPER", FALSE, NULL, { 8 }, TRUE };
  ConvCase lo2 = { "Conv", 1, 1, 2, 2, 1, { 8 }, { 4 }, { 1 }, { 1 }, { 2 }, { 1 }, { 0 },
                   "SAME_LOWER", FALSE, NULL, { 8 }, TRUE };
  ConvCase valid = { "Conv", 1, 1, 2, 2, 1, { 8 }, { 4 }, { 2 }, { 1 }, { 0 }, { 0 }, { 0 },
                     "VALID", FALSE, NULL, { 3 }, FALSE };
  check_conv (&up, 6);
  check_conv (&up2, 7);
  check_conv (&lo2, 8);
  check_conv (&valid, 9);
}

static void
test_conv_3d (void)
{
  ConvCase c = { "Conv", 3, 1, 2, 3, 1, { 4, 5, 3 }, { 2, 3, 2 }, { 1, 2, 1 }, { 1, 1, 2 },
                 { 1, 1, 1 }, { 0, 1, 1 }, { 0 }, NULL, TRUE, NULL, { 4, 3, 3 }, TRUE };
  check_conv (&c, 10);
}

static void
test_conv_fused_relu (void)
{
  ConvCase c = { "Conv", 2, 2, 3, 4, 1, { 5, 5 }, { 3, 3 }, { 1, 1 }, { 1, 1 }, { 1, 1 },
                 { 1, 1 }, { 0 }, NULL, TRUE, "Relu", { 5, 5 }, TRUE };
  ConvCase c1 = { "Conv", 2, 2, 1, 4, 1, { 6, 5 }, { 3, 3 }, { 1, 1 }, { 1, 1 }, { 1, 1 },
                  { 1, 1 }, { 0 }, NULL, TRUE, "Relu", { 6, 5 }, TRUE };
  check_conv (&c, 11);
  check_conv (&c1, 12);
}

static void
test_conv_large_threads (void)
{
  /* one sample, big enough that the sgemm is split over two threads */
  ConvCase c = { "Conv", 2, 1, 16, 32, 1, { 32, 32 }, { 3, 3 }, { 1, 1 }, { 1, 1 }, { 1, 1 },
                 { 1, 1 }, { 0 }, NULL, TRUE, NULL, { 32, 32 }, FALSE };
  check_conv (&c, 13);
}

static void
test_conv_transpose_2d (void)
{
  /* in 3x4, k 3x2, s 2x3, d 1x2, pads (1,0)/(0,1), output_padding (1,2), 2 groups */
  ConvCase c = { "ConvTranspose", 2, 2, 4, 6, 2, { 3, 4 }, { 3, 2 }, { 2, 3 }, { 1, 2 },
                 { 1, 0 }, { 0, 1 }, { 1, 2 }, NULL, TRUE, NULL,
                 { 2 * 2 + 1 + 3 - 1, 3 * 3 + 2 + 3 - 1 }, TRUE };
  ConvCase pw = { "ConvTranspose", 2, 2, 4, 3, 1, { 3, 4 }, { 1, 1 }, { 1, 1 }, { 1, 1 },
                  { 0, 0 }, { 0, 0 }, { 0, 0 }, NULL, TRUE, NULL, { 3, 4 }, TRUE };
  check_conv (&c, 14);
  check_conv (&pw, 15);
}

static void
test_conv_transpose_1d_3d (void)
{
  ConvCase c1 = { "ConvTranspose", 1, 1, 1, 2, 1, { 3 }, { 3 }, { 1 }, { 1 }, { 0 }, { 0 },
                  { 0 }, NULL, FALSE, NULL, { 5 }, TRUE };
  ConvCase c3 = { "ConvTranspose", 3, 1, 2, 2, 1, { 2, 3, 2 }, { 2, 2, 3 }, { 2, 1, 1 },
                  { 1, 1, 1 }, { 0, 1, 0 }, { 1, 0, 1 }, { 1, 0, 0 }, NULL, TRUE, NULL,
                  { 4, 3, 3 }, TRUE };
  check_conv (&c1, 16);
  check_conv (&c3, 17);
}

static void
test_conv_transpose_output_shape (void)
{
  /* output_shape [9, 8] from in 3x3, k 3, s 3: total padding (0, 1), NOTSET puts
   * the odd unit at the beginning */
  g_autoptr(GRand) rng = g_rand_new_with_seed (18);
  int64_t xd[4] = { 1, 1, 3, 3 }, wd[4] = { 1, 2, 3, 3 }, os[2] = { 9, 8 }, bad[2] = { 10, 8 };
  int64_t s[2] = { 3, 3 };
  SalTensor *in[2] = { sal_check_random (rng, 4, xd, -1, 1), sal_check_random (rng, 4, wd, -1, 1) };
  SalTensor *out[1];
  SalNode *node = sal_node_new ("ConvTranspose", "ct", 17);
  ConvCase c = { "ConvTranspose", 2, 1, 1, 2, 1, { 3, 3 }, { 3, 3 }, { 3, 3 }, { 1, 1 },
                 { 0, 1 }, { 0, 0 }, { 0, 0 }, NULL, FALSE, NULL, { 9, 8 }, FALSE };
  g_autofree double *want = NULL;
  GError *error = NULL;

  sal_node_set_ints (node, "strides", 2, s);
  sal_node_set_ints (node, "output_shape", 2, os);
  g_assert_true (sal_check_run (node, 2, in, 1, out, &error));
  g_assert_no_error (error);
  g_assert_cmpint (out[0]->dims[2], ==, 9);
  g_assert_cmpint (out[0]->dims[3], ==, 8);
  want = ref_conv_transpose (&c, sal_tensor_f32 (in[0]), sal_tensor_f32 (in[1]), NULL,
                             out[0]->dims + 2);
  sal_check_close (sal_tensor_f32 (out[0]), want, out[0]->numel, 1e-5, 1e-6);
  sal_tensor_free (out[0]);

  /* [10, 8]: past the natural 9 rows, the extra row holds only the (zero) bias */
  sal_node_set_ints (node, "output_shape", 2, bad);
  g_assert_true (sal_check_run (node, 2, in, 1, out, &error));
  g_assert_no_error (error);
  g_assert_cmpint (out[0]->dims[2], ==, 10);
  g_clear_pointer (&want, g_free);
  want = ref_conv_transpose (&c, sal_tensor_f32 (in[0]), sal_tensor_f32 (in[1]), NULL,
                             out[0]->dims + 2);
  sal_check_close (sal_tensor_f32 (out[0]), want, out[0]->numel, 1e-5, 1e-6);
  for (int i = 0; i < 8; i++)
    g_assert_cmpfloat (sal_tensor_f32 (out[0])[9 * 8 + i], ==, 0.f);
  sal_tensor_free (out[0]);
  bad[0] = 0;
  sal_node_set_ints (node, "output_shape", 2, bad);
  g_assert_false (sal_check_run (node, 2, in, 1, out, &error));
  g_assert_error (error, SAL_ERROR, SAL_ERROR_INVALID);
  g_clear_error (&error);
  sal_tensor_free (in[0]);
  sal_tensor_free (in[1]);
  sal_node_free (node);
}

static gboolean
cancel_after_first (gpointer data)
{
  int *calls = data;

  return ++*calls >= 1;
}

static void
test_conv_cancel (void)
{
  /* 40 samples run in blocks; the cancel callback stops the op between blocks */
  g_autoptr(GRand) rng = g_rand_new_with_seed (30);
  int64_t xd[4] = { 40, 2, 5, 5 }, wd[4] = { 3, 2, 3, 3 };
  SalTensor *in[2] = { sal_check_random (rng, 4, xd, -1, 1), sal_check_random (rng, 4, wd, -1, 1) };
  SalTensor *out[1];
  SalNode *node = sal_node_new ("Conv", "c", 17);
  SalTensor shape = { 0 }, *so = &shape;
  int ios[3] = { 0, 1, 2 }, calls = 0;
  gsize ws = 0;
  gpointer scratch;
  SalExecCtx ctx = { 1, FALSE, NULL, NULL, cancel_after_first, &calls };
  GError *error = NULL;

  sal_node_set_io (node, 2, ios, 1, ios + 2);
  node->def = sal_op_lookup ("Conv");
  g_assert_true (node->def->infer (node, in, &so, &ws, &error));
  out[0] = sal_tensor_new_f32 (shape.rank, shape.dims);
  scratch = sal_alloc (ws);
  g_assert_false (node->def->forward (node, in, out, scratch, &ctx, &error));
  g_assert_error (error, SAL_ERROR, SAL_ERROR_CANCELLED);
  g_assert_cmpint (calls, ==, 1);
  g_clear_error (&error);
  sal_free (scratch);
  sal_tensor_free (out[0]);
  sal_tensor_free (in[0]);
  sal_tensor_free (in[1]);
  sal_node_free (node);
}

static void
test_conv_errors (void)
{
  int64_t xd[4] = { 1, 3, 4, 4 }, wd[4] = { 2, 2, 3, 3 }, wbig[4] = { 2, 3, 7, 7 };
  SalTensor *x = sal_tensor_new_f32 (4, xd), *w = sal_tensor_new_f32 (4, wd);
  SalTensor *wb = sal_tensor_new_f32 (4, wbig);
  SalTensor *in1[2] = { x, w }, *in2[2] = { x, wb }, *out[1];
  SalNode *node = sal_node_new ("Conv", "c1", 17);
  GError *error = NULL;

  g_assert_false (sal_check_run (node, 2, in1, 1, out, &error));   /* 3 channels vs 2 */
  g_assert_error (error, SAL_ERROR, SAL_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "'c1'"));
  g_clear_error (&error);
  g_assert_false (sal_check_run (node, 2, in2, 1, out, &error));   /* 7x7 kernel on 4x4 */
  g_assert_error (error, SAL_ERROR, SAL_ERROR_INVALID);
  g_clear_error (&error);
  sal_node_set_string (node, "auto_pad", "SIDEWAYS");
  g_assert_false (sal_check_run (node, 2, in2, 1, out, &error));
  g_assert_error (error, SAL_ERROR, SAL_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "SIDEWAYS"));
  g_clear_error (&error);
  sal_tensor_free (x);
  sal_tensor_free (w);
  sal_tensor_free (wb);
  sal_node_free (node);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  sal_engine_init ();
  g_test_add_func ("/engine/conv/2d-basic", test_conv_2d_basic);
  g_test_add_func ("/engine/conv/2d-strided-groups", test_conv_2d_strided_groups);
  g_test_add_func ("/engine/conv/depthwise", test_conv_depthwise);
  g_test_add_func ("/engine/conv/single-channel", test_conv_single_channel);
  g_test_add_func ("/engine/conv/pointwise", test_conv_pointwise);
  g_test_add_func ("/engine/conv/1d-auto-pad", test_conv_1d_auto_pad);
  g_test_add_func ("/engine/conv/3d", test_conv_3d);
  g_test_add_func ("/engine/conv/fused-relu", test_conv_fused_relu);
  g_test_add_func ("/engine/conv/large-threads", test_conv_large_threads);
  g_test_add_func ("/engine/conv-transpose/2d", test_conv_transpose_2d);
  g_test_add_func ("/engine/conv-transpose/1d-3d", test_conv_transpose_1d_3d);
  g_test_add_func ("/engine/conv-transpose/output-shape", test_conv_transpose_output_shape);
  g_test_add_func ("/engine/conv/cancel", test_conv_cancel);
  g_test_add_func ("/engine/conv/errors", test_conv_errors);
  return g_test_run ();
}
