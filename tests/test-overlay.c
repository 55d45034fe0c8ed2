/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>
#include "sal-overlay.h"

static void
test_colormaps (void)
{
  guint8 c[3], lo[3], hi[3], mid[3];
  SalColormap m;

  sal_colormap_lookup (SAL_COLORMAP_VIRIDIS, 0, c);
  g_assert_cmpint (c[0], ==, 68); g_assert_cmpint (c[1], ==, 1); g_assert_cmpint (c[2], ==, 84);
  sal_colormap_lookup (SAL_COLORMAP_VIRIDIS, 1, c);
  g_assert_cmpint (c[0], ==, 253); g_assert_cmpint (c[1], ==, 231); g_assert_cmpint (c[2], ==, 37);
  sal_colormap_lookup (SAL_COLORMAP_VIRIDIS, 7, hi);   /* clamped */
  g_assert_cmpmem (c, 3, hi, 3);
  /* Perceptual maps get lighter monotonically (sum of channels as a rough proxy). */
  for (SalColormap map = SAL_COLORMAP_VIRIDIS; map <= SAL_COLORMAP_CIVIDIS; map++)
    {
      sal_colormap_lookup (map, 0.1, lo);
      sal_colormap_lookup (map, 0.9, hi);
      g_assert_cmpint (lo[0] + lo[1] + lo[2], <, hi[0] + hi[1] + hi[2]);
    }
  /* Diverging: blue at 0, red at 1, light and nearly neutral in the middle. */
  sal_colormap_lookup (SAL_COLORMAP_DIVERGING, 0, lo);
  sal_colormap_lookup (SAL_COLORMAP_DIVERGING, 1, hi);
  sal_colormap_lookup (SAL_COLORMAP_DIVERGING, 0.5, mid);
  g_assert_cmpint (lo[2], >, lo[0]);
  g_assert_cmpint (hi[0], >, hi[2]);
  g_assert_cmpint (mid[0], >, 220);
  g_assert_cmpint (abs (mid[0] - mid[2]), <, 8);
  g_assert_true (sal_colormap_from_id ("cividis", &m));
  g_assert_cmpint (m, ==, SAL_COLORMAP_CIVIDIS);
  g_assert_false (sal_colormap_from_id ("jet", &m));
}

static void
test_sign_modes (void)
{
  g_assert_cmpfloat (sal_overlay_display_value (SAL_SIGN_POSITIVE, -2), ==, 0);
  g_assert_cmpfloat (sal_overlay_display_value (SAL_SIGN_POSITIVE, 3), ==, 3);
  g_assert_cmpfloat (sal_overlay_display_value (SAL_SIGN_NEGATIVE, -2), ==, 2);
  g_assert_cmpfloat (sal_overlay_display_value (SAL_SIGN_NEGATIVE, 3), ==, 0);
  g_assert_cmpfloat (sal_overlay_display_value (SAL_SIGN_ABSOLUTE, -2), ==, 2);
  g_assert_cmpfloat (sal_overlay_display_value (SAL_SIGN_SIGNED, -2), ==, -2);
  g_assert_cmpfloat (sal_overlay_display_value (SAL_SIGN_SIGNED, NAN), ==, 0);
}

static void
test_scale (void)
{
  float a[100];
  SalOverlayStyle st;
  SalOverlayScale sc;

  for (int i = 0; i < 100; i++)
    a[i] = i + 1;          /* 1..100 */
  sal_overlay_style_init (&st);
  st.clip_percentile = 100;
  st.top_k_percent = 10;
  sal_overlay_compute_scale (a, 100, &st, &sc);
  g_assert_cmpfloat (sc.vmin, ==, 0);
  g_assert_cmpfloat (sc.vmax, ==, 100);
  g_assert_cmpfloat (sc.threshold, ==, 91);
  g_assert_cmpint (sc.n_shown, ==, 10);

  /* One outlier does not set the scale at the 99th percentile. */
  a[99] = 1000;
  st.clip_percentile = 99;
  st.top_k_percent = 100;
  sal_overlay_compute_scale (a, 100, &st, &sc);
  g_assert_cmpfloat (sc.vmax, ==, 99);
  g_assert_cmpint (sc.n_shown, ==, 100);

  /* Signed: symmetric, on the diverging map, whatever colormap was chosen. */
  for (int i = 0; i < 100; i++)
    a[i] = (i % 2 ? -1.0f : 1.0f) * (i + 1);
  st.sign = SAL_SIGN_SIGNED;
  st.colormap = SAL_COLORMAP_INFERNO;
  st.clip_percentile = 100;
  sal_overlay_compute_scale (a, 100, &st, &sc);
  g_assert_cmpint (sc.map, ==, SAL_COLORMAP_DIVERGING);
  g_assert_cmpfloat (sc.vmin, ==, -100);
  g_assert_cmpfloat (sc.vmax, ==, 100);
}

static void
test_render (void)
{
  /* 4×4: a 2×2 positive blob in the middle, one negative pixel. */
  float a[16] = { 0, 0, 0, 0,   0, 2, 2, 0,   0, 2, 2, 0,   -1, 0, 0, 0 };
  guint32 px[16];
  guint8 grey[16], rgb[48];
  SalOverlayStyle st;
  SalOverlayScale sc;
  guint8 top[3];

  for (int i = 0; i < 16; i++)
    grey[i] = 100;
  sal_overlay_style_init (&st);
  st.opacity = 1.0;
  st.clip_percentile = 100;
  sal_overlay_compute_scale (a, 16, &st, &sc);
  sal_overlay_render_argb32 (a, 4, 4, &st, &sc, (guint8 *) px, 16);
  sal_colormap_lookup (SAL_COLORMAP_VIRIDIS, 1, top);
  g_assert_cmphex (px[0], ==, 0);                       /* zero: transparent */
  g_assert_cmphex (px[12], ==, 0);                      /* negative, hidden in positive mode */
  g_assert_cmphex (px[5], ==, 0xff000000u | top[0] << 16 | top[1] << 8 | top[2]);

  /* Half opacity is premultiplied. */
  st.opacity = 0.5;
  sal_overlay_render_argb32 (a, 4, 4, &st, &sc, (guint8 *) px, 16);
  g_assert_cmpuint (px[5] >> 24, ==, 128);
  g_assert_cmpuint ((px[5] >> 16) & 0xff, ==, (guint) lround (top[0] * 0.5));

  /* Contours: every pixel of a 2×2 blob is on its edge, drawn white. */
  st.contours = TRUE;
  sal_overlay_render_argb32 (a, 4, 4, &st, &sc, (guint8 *) px, 16);
  g_assert_cmphex (px[5], ==, 0xffffffffu);

  /* Composition leaves undrawn pixels grey. */
  st.contours = FALSE;
  sal_overlay_compose_rgb8 (grey, a, 4, 4, &st, &sc, rgb);
  g_assert_cmpint (rgb[0], ==, 100);
  g_assert_cmpint (rgb[5 * 3], ==, (int) lround (100 * 0.5 + top[0] * 0.5));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/app/overlay/colormaps", test_colormaps);
  g_test_add_func ("/app/overlay/sign-modes", test_sign_modes);
  g_test_add_func ("/app/overlay/scale", test_scale);
  g_test_add_func ("/app/overlay/render", test_render);
  return g_test_run ();
}
