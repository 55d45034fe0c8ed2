/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Resize: the ONNX documentation's examples, an independent direct 2-D
 * reference (not separable) for every coordinate mode and nearest rounding,
 * and finite-difference gradients. */

#include "sal-shape-op-test.h"

static SalTensor *
floats1 (int n, const float *v)
{
  return sal_t_f32 (1, (int64_t[]) { n }, v);
}

/* Runs Resize on x with either scales or sizes (the other NULL). */
static SalOpRun *
resize (SalNode *node, SalTensor *x, SalTensor *roi, SalTensor *scales, SalTensor *sizes)
{
  g_autoptr(SalTensor) empty = sal_tensor_new_f32 (1, (int64_t[]) { 0 });
  SalTensor *in[4] = { x, roi != NULL ? roi : empty, scales != NULL ? scales : empty, sizes };

  return sal_op_run (node, sizes != NULL ? 4 : 3, in, 1);
}

static void
test_documented (void)
{
  static const float x22[4] = { 1, 2, 3, 4 }, x24[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
  static const float up_linear[16] = { 1, 1.25f, 1.75f, 2, 1.5f, 1.75f, 2.25f, 2.5f,
                                       2.5f, 2.75f, 3.25f, 3.5f, 3, 3.25f, 3.75f, 4 };
  static const float up_align[16] = { 1, 4 / 3.f, 5 / 3.f, 2, 5 / 3.f, 2, 7 / 3.f, 8 / 3.f,
                                      7 / 3.f, 8 / 3.f, 3, 10 / 3.f, 3, 10 / 3.f, 11 / 3.f, 4 };
  static const float up_nearest[24] = { 1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2,
                                        3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4 };
  static const float down_linear[2] = { 2.6666665f, 4.3333331f };
  static const float down_nearest[2] = { 1, 3 };
  static const float down_align[2] = { 1, 3.142857f };
  g_autoptr(SalTensor) a = sal_t_f32 (4, (int64_t[]) { 1, 1, 2, 2 }, x22);
  g_autoptr(SalTensor) b = sal_t_f32 (4, (int64_t[]) { 1, 1, 2, 4 }, x24);
  g_autoptr(SalTensor) s2 = floats1 (4, (float[]) { 1, 1, 2, 2 });
  g_autoptr(SalTensor) s23 = floats1 (4, (float[]) { 1, 1, 2, 3 });
  g_autoptr(SalTensor) s06 = floats1 (4, (float[]) { 1, 1, 0.6f, 0.6f });
  SalNode *n;
  g_autoptr(SalOpRun) r1 = NULL;
  g_autoptr(SalOpRun) r2 = NULL;
  g_autoptr(SalOpRun) r3 = NULL;
  g_autoptr(SalOpRun) r4 = NULL;
  g_autoptr(SalOpRun) r5 = NULL;
  g_autoptr(SalOpRun) r6 = NULL;

  n = sal_node_new ("Resize", NULL, 13);
  sal_node_set_string (n, "mode", "linear");
  r1 = resize (n, a, NULL, s2, NULL);
  sal_assert_shape (r1->out[0], 4, (int64_t[]) { 1, 1, 4, 4 });
  sal_assert_f32_close (r1->out[0], up_linear, 16, 1e-6, 1e-6);

  n = sal_node_new ("Resize", NULL, 13);
  sal_node_set_string (n, "mode", "linear");
  sal_node_set_string (n, "coordinate_transformation_mode", "align_corners");
  r2 = resize (n, a, NULL, s2, NULL);
  sal_assert_f32_close (r2->out[0], up_align, 16, 1e-6, 1e-6);

  r3 = resize (sal_node_new ("Resize", NULL, 11), a, NULL, s23, NULL);
  sal_assert_shape (r3->out[0], 4, (int64_t[]) { 1, 1, 4, 6 });
  sal_assert_f32_close (r3->out[0], up_nearest, 24, 0, 0);

  n = sal_node_new ("Resize", NULL, 13);
  sal_node_set_string (n, "mode", "linear");
  r4 = resize (n, b, NULL, s06, NULL);
  sal_assert_shape (r4->out[0], 4, (int64_t[]) { 1, 1, 1, 2 });
  sal_assert_f32_close (r4->out[0], down_linear, 2, 1e-6, 1e-6);

  r5 = resize (sal_node_new ("Resize", NULL, 13), b, NULL, s06, NULL);
  sal_assert_f32_close (r5->out[0], down_nearest, 2, 0, 0);

  /* align_corners divides by the unrounded resized length 4 × 0.6 - 1 */
  n = sal_node_new ("Resize", NULL, 13);
  sal_node_set_string (n, "mode", "linear");
  sal_node_set_string (n, "coordinate_transformation_mode", "align_corners");
  r6 = resize (n, b, NULL, s06, NULL);
  sal_assert_f32_close (r6->out[0], down_align, 2, 1e-6, 1e-6);
}

/* ---------------------------------------------------- direct 2-D reference */

/* lr: the resized length, input length × scale (unrounded) when scales are given */
static double
ref_coord (const char *ct, int64_t o, int64_t li, double lr, double s)
{
  if (strcmp (ct, "half_pixel") == 0)
    return (o + 0.5) / s - 0.5;
  if (strcmp (ct, "pytorch_half_pixel") == 0)
    return lr != 1 ? (o + 0.5) / s - 0.5 : -0.5;
  if (strcmp (ct, "align_corners") == 0)
    return lr != 1 ? o * (li - 1.0) / (lr - 1.0) : 0;
  if (strcmp (ct, "asymmetric") == 0)
    return o / s;
  if (strcmp (ct, "tf_half_pixel_for_nn") == 0)
    return (o + 0.5) / s;
  g_assert_not_reached ();
}

static int64_t
ref_nearest (const char *nm, double x, int64_t li)
{
  double f = floor (x), n;

  if (strcmp (nm, "floor") == 0)
    n = f;
  else if (strcmp (nm, "ceil") == 0)
    n = ceil (x);
  else if (x - f == 0.5)
    n = strcmp (nm, "round_prefer_floor") == 0 ? f : f + 1;
  else
    n = x - f < 0.5 ? f : f + 1;
  return (int64_t) CLAMP (n, 0, li - 1);
}

static float
at (const SalTensor *x, int64_t c, int64_t i, int64_t j)
{
  int64_t H = x->dims[2], W = x->dims[3];

  i = CLAMP (i, 0, H - 1);
  j = CLAMP (j, 0, W - 1);
  return sal_tensor_f32 (x)[(c * H + i) * W + j];
}

static void
check_2d (const char *mode, const char *ct, const char *nm, int64_t oh, int64_t ow,
          gboolean use_sizes, gboolean grad)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (31);
  int64_t C = 2, H = 3, W = 5;
  g_autoptr(SalTensor) x = sal_t_rand (rng, 4, (int64_t[]) { 1, C, H, W });
  double sh = (double) oh / H, sw = (double) ow / W;
  g_autoptr(SalTensor) scales = floats1 (4, (float[]) { 1, 1, (float) sh, (float) sw });
  g_autoptr(SalTensor) sizes = sal_t_ints (4, (int64_t[]) { 1, C, oh, ow });
  SalNode *n = sal_node_new ("Resize", NULL, 13);
  g_autoptr(SalOpRun) run = NULL;

  sal_node_set_string (n, "mode", mode);
  sal_node_set_string (n, "coordinate_transformation_mode", ct);
  if (nm != NULL)
    sal_node_set_string (n, "nearest_mode", nm);
  run = resize (n, x, NULL, use_sizes ? NULL : scales, use_sizes ? sizes : NULL);
  if (!use_sizes)
    {
      /* what the op saw: the float32 scale */
      sh = (float) sh;
      sw = (float) sw;
    }
  sal_assert_shape (run->out[0], 4, (int64_t[]) { 1, C, oh, ow });
  for (int64_t c = 0; c < C; c++)
    for (int64_t i = 0; i < oh; i++)
      for (int64_t j = 0; j < ow; j++)
        {
          double yi = ref_coord (ct, i, H, sh * H, sh), xj = ref_coord (ct, j, W, sw * W, sw);
          double want;
          if (strcmp (mode, "nearest") == 0)
            want = at (x, c, ref_nearest (nm, yi, H), ref_nearest (nm, xj, W));
          else
            {
              double y0 = floor (yi), x0 = floor (xj), ry = yi - y0, rx = xj - x0;
              want = (1 - ry) * (1 - rx) * at (x, c, y0, x0) + (1 - ry) * rx * at (x, c, y0, x0 + 1)
                     + ry * (1 - rx) * at (x, c, y0 + 1, x0) + ry * rx * at (x, c, y0 + 1, x0 + 1);
            }
          g_assert_cmpfloat_with_epsilon (sal_tensor_f32 (run->out[0])[(c * oh + i) * ow + j],
                                          want, 1e-5);
        }
  if (grad)
    sal_op_grad_check (run, 1, 1, 1e-2, 1e-2, 1e-3);
}

static void
test_linear (void)
{
  const char *cts[] = { "half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric" };

  for (guint i = 0; i < G_N_ELEMENTS (cts); i++)
    {
      check_2d ("linear", cts[i], NULL, 6, 8, FALSE, TRUE);   /* up */
      check_2d ("linear", cts[i], NULL, 2, 3, TRUE, TRUE);    /* down, by sizes */
      check_2d ("linear", cts[i], NULL, 1, 9, TRUE, FALSE);   /* a single row */
    }
}

static void
test_nearest (void)
{
  const char *cts[] = { "half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric",
                        "tf_half_pixel_for_nn" };
  const char *nms[] = { "round_prefer_floor", "round_prefer_ceil", "floor", "ceil" };

  for (guint i = 0; i < G_N_ELEMENTS (cts); i++)
    for (guint k = 0; k < G_N_ELEMENTS (nms); k++)
      {
        check_2d ("nearest", cts[i], nms[k], 6, 10, FALSE, i == 0);
        check_2d ("nearest", cts[i], nms[k], 2, 3, TRUE, FALSE);
        check_2d ("nearest", cts[i], nms[k], 5, 7, TRUE, FALSE);
      }
}

static void
test_cubic (void)
{
  /* the ONNX example: 4x4 upsampled by 2, A = -0.75, first row */
  static const float want_row0[8] = { 0.47265625f, 0.76953125f, 1.24609375f, 1.875f,
                                      2.28125f, 2.91015625f, 3.38671875f, 3.68359375f };
  float xv[16];
  g_autoptr(SalTensor) x = NULL;
  g_autoptr(SalTensor) s = floats1 (4, (float[]) { 1, 1, 2, 2 });
  SalNode *n = sal_node_new ("Resize", NULL, 13);
  g_autoptr(SalOpRun) run = NULL;

  for (int i = 0; i < 16; i++)
    xv[i] = i + 1;
  x = sal_t_f32 (4, (int64_t[]) { 1, 1, 4, 4 }, xv);
  sal_node_set_string (n, "mode", "cubic");
  run = resize (n, x, NULL, s, NULL);
  for (int j = 0; j < 8; j++)
    g_assert_cmpfloat_with_epsilon (sal_tensor_f32 (run->out[0])[j], want_row0[j], 1e-5);
  sal_op_grad_check (run, 1, 1, 1e-2, 1e-2, 1e-3);
}

static void
test_crop_and_resize (void)
{
  /* ONNX's tf_crop_and_resize example, then with extrapolation */
  static const float want[9] = { 7.6000004f, 7.9f, 8.2f, 8.8f, 9.1f, 9.400001f,
                                 10.0f, 10.3f, 10.6f };
  float xv[16];
  g_autoptr(SalTensor) x = NULL;
  g_autoptr(SalTensor) roi = floats1 (8, (float[]) { 0, 0, 0.4f, 0.6f, 1, 1, 0.6f, 0.8f });
  g_autoptr(SalTensor) roi2 = floats1 (8, (float[]) { 0, 0, 0.4f, 0.6f, 1, 1, 1.2f, 1.7f });
  g_autoptr(SalTensor) sizes = sal_t_ints (4, (int64_t[]) { 1, 1, 3, 3 });
  SalNode *n = sal_node_new ("Resize", NULL, 13);
  g_autoptr(SalOpRun) run = NULL;
  g_autoptr(SalOpRun) run2 = NULL;

  for (int i = 0; i < 16; i++)
    xv[i] = i + 1;
  x = sal_t_f32 (4, (int64_t[]) { 1, 1, 4, 4 }, xv);
  sal_node_set_string (n, "mode", "linear");
  sal_node_set_string (n, "coordinate_transformation_mode", "tf_crop_and_resize");
  run = resize (n, x, roi, NULL, sizes);
  sal_assert_f32_close (run->out[0], want, 9, 1e-5, 1e-5);

  n = sal_node_new ("Resize", NULL, 13);
  sal_node_set_string (n, "mode", "linear");
  sal_node_set_string (n, "coordinate_transformation_mode", "tf_crop_and_resize");
  sal_node_set_float (n, "extrapolation_value", 10.0f);
  run2 = resize (n, x, roi2, NULL, sizes);
  /* rows at 1.2, 2.4 and 3.6: x coordinates 1.8, 3.75, 5.7 (out of range) */
  g_assert_cmpfloat_with_epsilon (sal_tensor_f32 (run2->out[0])[2], 10.0f, 1e-6);
  g_assert_cmpfloat_with_epsilon (sal_tensor_f32 (run2->out[0])[0],
                                  1 + 1.2f * 4 + 1.8f, 1e-5);
  sal_op_grad_check (run2, 1, 1, 1e-2, 1e-2, 1e-3);
}

static void
test_errors (void)
{
  g_autoptr(SalTensor) x = sal_tensor_new_f32 (2, (int64_t[]) { 2, 2 });
  g_autoptr(SalTensor) empty = sal_tensor_new_f32 (1, (int64_t[]) { 0 });
  g_autoptr(SalTensor) bad = floats1 (1, (float[]) { 2 });
  SalTensor *in[3] = { x, empty, empty };
  SalNode *n;

  sal_op_expect_error (sal_node_new ("Resize", NULL, 13), 3, in, 1, SAL_ERROR_INVALID);
  in[2] = bad;
  sal_op_expect_error (sal_node_new ("Resize", NULL, 13), 3, in, 1, SAL_ERROR_INVALID);
  n = sal_node_new ("Resize", NULL, 13);
  sal_node_set_string (n, "mode", "lanczos");
  sal_op_expect_error (n, 3, in, 1, SAL_ERROR_UNSUPPORTED);
  {
    /* an empty axis cannot grow */
    g_autoptr(SalTensor) e = sal_tensor_new_f32 (2, (int64_t[]) { 0, 2 });
    g_autoptr(SalTensor) sizes = sal_t_ints (2, (int64_t[]) { 2, 2 });
    SalTensor *ein[4] = { e, empty, empty, sizes };
    sal_op_expect_error (sal_node_new ("Resize", NULL, 13), 4, ein, 1, SAL_ERROR_INVALID);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  sal_engine_init ();
  g_test_add_func ("/engine/ops-resize/documented", test_documented);
  g_test_add_func ("/engine/ops-resize/linear", test_linear);
  g_test_add_func ("/engine/ops-resize/nearest", test_nearest);
  g_test_add_func ("/engine/ops-resize/cubic", test_cubic);
  g_test_add_func ("/engine/ops-resize/crop-and-resize", test_crop_and_resize);
  g_test_add_func ("/engine/ops-resize/errors", test_errors);
  return g_test_run ();
}
