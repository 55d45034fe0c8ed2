/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sal-preprocess.h"

#include <string.h>

static void
test_parse (void)
{
  SalPreprocess p;
  g_autoptr(GError) error = NULL;
  const char *bad[] = {
    "[1, 2]", "{\"size\": [4]}", "{\"size\": [4, 4], \"channels\": 2}",
    "{\"size\": [4, 4], \"resize\": \"nearest\"}", "{\"size\": [4, 4], \"scaling\": \"zscore\"}",
    "{\"size\": [4, 4], \"scaling\": \"fixed\", \"std\": 0}", "{\"size\": [0, 4]}",
    "{\"size\": [4, 4], \"scaling\": \"percentile\", \"low\": 50, \"high\": 10}",
  };

  g_assert_true (sal_preprocess_parse ("{\"channels\": 3, \"size\": [224, 160], \"resize\": "
                                       "\"letterbox\", \"scaling\": \"fixed\", \"mean\": [0.485, "
                                       "0.456, 0.406], \"std\": [0.229, 0.224, 0.225]}", &p, &error));
  g_assert_no_error (error);
  g_assert_cmpint (p.channels, ==, 3);
  g_assert_cmpint (p.height, ==, 224);
  g_assert_cmpint (p.width, ==, 160);
  g_assert_cmpint (p.resize, ==, SAL_RESIZE_LETTERBOX);
  g_assert_cmpfloat (p.std[2], ==, 0.225);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_false (sal_preprocess_parse (bad[i], &p, &error));
      g_assert_nonnull (strstr (error->message, "salient.preprocess"));
      g_clear_error (&error);
    }
}

/* A 4x2 (wide) 8-bit grey ramp letterboxed into 4x4: rows 0 and 3 are padding. */
static void
test_letterbox_minmax (void)
{
  SalPreprocess p;
  g_autoptr(SalImage) img = sal_image_new (4, 2, 1, 8);
  g_autoptr(SalTensor) t = NULL;
  g_autoptr(GError) error = NULL;
  const float *v;

  for (int y = 0; y < 2; y++)
    for (int x = 0; x < 4; x++)
      img->pixels[y * 4 + x] = 50 + 50 * x;
  g_assert_true (sal_preprocess_parse ("{\"size\": [4, 4], \"resize\": \"letterbox\"}", &p, &error));
  t = sal_preprocess_image (&p, img, &error);
  g_assert_no_error (error);
  g_assert_cmpint (t->dims[1], ==, 1);
  v = sal_tensor_f32 (t);
  for (int x = 0; x < 4; x++)
    {
      g_assert_cmpfloat (v[0 * 4 + x], ==, 0);
      g_assert_cmpfloat (v[3 * 4 + x], ==, 0);
      g_assert_cmpfloat_with_epsilon (v[1 * 4 + x], x / 3.0, 1e-6);   /* minmax: 50..200 -> 0..1 */
      g_assert_cmpfloat_with_epsilon (v[2 * 4 + x], x / 3.0, 1e-6);
    }
}

/* RGB to grey, 16-bit, percentile clipping of one bright outlier. */
static void
test_percentile_grey (void)
{
  SalPreprocess p;
  g_autoptr(SalImage) img = sal_image_new (10, 10, 3, 16);
  g_autoptr(SalTensor) t = NULL;
  g_autoptr(GError) error = NULL;
  const float *v;

  for (int i = 0; i < 100; i++)
    for (int c = 0; c < 3; c++)
      img->pixels[i * 3 + c] = (guint16) (i * 100);
  for (int c = 0; c < 3; c++)
    img->pixels[99 * 3 + c] = 65535;   /* outlier */
  g_assert_true (sal_preprocess_parse ("{\"size\": [10, 10], \"scaling\": \"percentile\", "
                                       "\"low\": 0, \"high\": 98}", &p, &error));
  t = sal_preprocess_image (&p, img, &error);
  g_assert_no_error (error);
  v = sal_tensor_f32 (t);
  g_assert_cmpfloat_with_epsilon (v[0], 0, 1e-6);
  /* The high percentile rounds up to a sample: ceil (0.98 * 99) = 98, value 9800. */
  g_assert_cmpfloat_with_epsilon (v[98], 1, 1e-6);
  g_assert_cmpfloat_with_epsilon (v[97], 9700.0 / 9800, 1e-4);
  g_assert_cmpfloat_with_epsilon (v[99], 1, 1e-6);        /* the outlier is clipped */
  g_assert_cmpfloat_with_epsilon (v[50], 5000.0 / 9800, 1e-4);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/app/preprocess/parse", test_parse);
  g_test_add_func ("/app/preprocess/letterbox-minmax", test_letterbox_minmax);
  g_test_add_func ("/app/preprocess/percentile-grey", test_percentile_grey);
  return g_test_run ();
}
