/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SalImageView: view maths, window/level, crisp zoomed pixels, readout,
 * overlay placement and synchronised views, rendered under Xvfb. */

#include "config.h"

#include <math.h>

#include "sal-image-view.h"
#include "sal-ui-test.h"

static void
test_zoom_maths (void)
{
  SalViewState s = { 2.0, 50, 40 };
  SalViewState p;
  double vw = 400, vh = 300;
  /* Image point under widget (300, 100) before zooming. */
  double ix = s.cx + (300 - vw / 2) / s.zoom, iy = s.cy + (100 - vh / 2) / s.zoom;

  sal_image_view_zoom_about (&s, 1.5, 300, 100, vw, vh);
  g_assert_cmpfloat_with_epsilon (s.zoom, 3.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (s.cx + (300 - vw / 2) / s.zoom, ix, 1e-9);
  g_assert_cmpfloat_with_epsilon (s.cy + (100 - vh / 2) / s.zoom, iy, 1e-9);

  /* Zoom is clamped; the anchor still holds. */
  sal_image_view_zoom_about (&s, 1e6, 300, 100, vw, vh);
  g_assert_cmpfloat (s.zoom, ==, SAL_IMAGE_VIEW_MAX_ZOOM);
  g_assert_cmpfloat_with_epsilon (s.cx + (300 - vw / 2) / s.zoom, ix, 1e-9);
  g_assert_cmpfloat (sal_image_view_clamp_zoom (NAN), ==, 1.0);
  g_assert_cmpfloat (sal_image_view_clamp_zoom (0), ==, SAL_IMAGE_VIEW_MIN_ZOOM);

  /* Fit: the limiting side fills the view. */
  g_assert_cmpfloat_with_epsilon (sal_image_view_fit_zoom (200, 100, 400, 300), 2.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (sal_image_view_fit_zoom (100, 300, 400, 300), 1.0, 1e-12);
  g_assert_cmpfloat (sal_image_view_fit_zoom (0, 10, 400, 300), ==, 1.0);

  /* Pinch: doubling the spread while the fingers move 20 px right keeps the
   * image point under the start centre under the new centre. */
  s = (SalViewState) { 1.0, 100, 100 };
  sal_image_view_pinch (&s, 2.0, 250, 150, 270, 150, vw, vh, &p);
  g_assert_cmpfloat_with_epsilon (p.zoom, 2.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (p.cx + (270 - vw / 2) / p.zoom, 100 + 50, 1e-9);
  g_assert_cmpfloat_with_epsilon (p.cy + (150 - vh / 2) / p.zoom, 100, 1e-9);
  /* A nonsense scale leaves the zoom alone. */
  sal_image_view_pinch (&s, -1.0, 200, 150, 200, 150, vw, vh, &p);
  g_assert_cmpfloat (p.zoom, ==, 1.0);
  g_assert_cmpfloat (p.cx, ==, 100);
}

static void
test_window_level (void)
{
  /* 8-bit full window. */
  g_assert_cmpuint (sal_image_view_window_level (0, 127.5, 255, FALSE), ==, 0);
  g_assert_cmpuint (sal_image_view_window_level (255, 127.5, 255, FALSE), ==, 255);
  g_assert_cmpuint (sal_image_view_window_level (255, 127.5, 255, TRUE), ==, 0);
  /* 16-bit data in 1000..3000: the window maps its own range. */
  g_assert_cmpuint (sal_image_view_window_level (1000, 2000, 2000, FALSE), ==, 0);
  g_assert_cmpuint (sal_image_view_window_level (2000, 2000, 2000, FALSE), ==, 128);
  g_assert_cmpuint (sal_image_view_window_level (3000, 2000, 2000, FALSE), ==, 255);
  g_assert_cmpuint (sal_image_view_window_level (500, 2000, 2000, FALSE), ==, 0);
  g_assert_cmpuint (sal_image_view_window_level (65535, 2000, 2000, FALSE), ==, 255);
  /* A narrow window is a hard threshold, never a division by zero. */
  g_assert_cmpuint (sal_image_view_window_level (10, 10, 0, FALSE), ==, 128);
  g_assert_cmpuint (sal_image_view_window_level (11, 10, 0, FALSE), ==, 255);
}

typedef struct {
  GtkWindow    *window;
  SalImageView *view;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->window = GTK_WINDOW (gtk_window_new ());
  f->view = SAL_IMAGE_VIEW (sal_image_view_new ());
  gtk_window_set_decorated (f->window, FALSE);
  gtk_window_set_default_size (f->window, 320, 240);
  gtk_window_set_child (f->window, GTK_WIDGET (f->view));
  sal_ui_test_present (f->window);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (f->view)), ==, 320);
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (f->view)), ==, 240);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_object_add_weak_pointer (G_OBJECT (f->view), (gpointer *) &f->view);
  gtk_window_destroy (f->window);
  sal_ui_test_wait_idle (100);
  g_assert_null (f->view);
}

/* A 16-bit 40 × 30 grey image: a ramp 1000 + 50 x in value. */
static SalImage *
ramp16 (void)
{
  SalImage *img = sal_image_new (40, 30, 1, 16);

  for (int y = 0; y < 30; y++)
    for (int x = 0; x < 40; x++)
      img->pixels[y * 40 + x] = 1000 + 50 * x;
  return img;
}

static guint32
px (const guint32 *pixels, int width, int x, int y)
{
  return pixels[(gsize) y * width + x] & 0xffffff;
}

static void
test_render_16bit (Fixture *f, gconstpointer data)
{
  g_autoptr(SalImage) img = ramp16 ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) tex = NULL;
  g_autofree guint32 *pixels = NULL;
  g_autofree char *path = sal_ui_test_build_path ("image-view-16bit.png");
  double c, w;
  int tw;

  sal_image_view_set_image (f->view, img);
  sal_image_view_get_window (f->view, &c, &w);
  /* The data preset: 1000 black, 2950 white. */
  g_assert_cmpfloat_with_epsilon (c, 1975, 1e-9);
  g_assert_cmpfloat_with_epsilon (w, 1950, 1e-9);
  g_assert_true (sal_image_view_get_fit (f->view));
  g_assert_cmpfloat_with_epsilon (sal_image_view_get_zoom (f->view), 8.0, 1e-9);

  tex = sal_ui_test_save_png (GTK_WIDGET (f->view), path, &error);
  g_assert_no_error (error);
  pixels = sal_ui_test_download (tex);
  tw = gdk_texture_get_width (tex);
  /* Zoom 8 fills 320 × 240 exactly: column 0 black, column 39 white. */
  g_assert_cmphex (px (pixels, tw, 3, 100), ==, 0x000000);
  g_assert_cmphex (px (pixels, tw, 316, 100), ==, 0xffffff);
  /* Grey in between, increasing. */
  g_assert_cmpuint (px (pixels, tw, 160, 100) & 0xff, >, 100);
  g_assert_cmpuint (px (pixels, tw, 160, 100) & 0xff, <, 160);

  sal_image_view_set_invert (f->view, TRUE);
  g_clear_object (&tex);
  g_clear_pointer (&pixels, g_free);
  tex = sal_ui_test_render (GTK_WIDGET (f->view), &error);
  g_assert_no_error (error);
  pixels = sal_ui_test_download (tex);
  g_assert_cmphex (px (pixels, tw, 3, 100), ==, 0xffffff);
  g_assert_cmphex (px (pixels, tw, 316, 100), ==, 0x000000);
}

static void
test_nearest (Fixture *f, gconstpointer data)
{
  g_autoptr(SalImage) img = sal_image_new (16, 16, 1, 8);
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) tex = NULL;
  g_autofree guint32 *pixels = NULL;
  g_autofree char *path = sal_ui_test_build_path ("image-view-nearest-8x.png");
  SalViewState s;
  int tw, x0, y0;

  for (int i = 0; i < 256; i++)
    img->pixels[i] = ((i % 16) + (i / 16)) % 2 ? 255 : 0;
  sal_image_view_set_image (f->view, img);
  sal_image_view_set_zoom (f->view, 8.0);
  sal_image_view_set_center (f->view, 8, 8);
  g_assert_false (sal_image_view_get_fit (f->view));
  sal_image_view_get_state (f->view, &s);
  g_assert_cmpfloat (s.zoom, ==, 8.0);

  tex = sal_ui_test_save_png (GTK_WIDGET (f->view), path, &error);
  g_assert_no_error (error);
  tw = gdk_texture_get_width (tex);
  pixels = sal_ui_test_download (tex);
  /* Image pixel (8, 8) starts at the view centre: its 8 × 8 block is one
   * colour, and the neighbouring block the other. */
  x0 = 160, y0 = 120;
  g_assert_cmpuint (sal_ui_test_count_colours (tex, x0, y0, 8, 8), ==, 1);
  g_assert_cmpuint (sal_ui_test_count_colours (tex, x0 + 8, y0, 8, 8), ==, 1);
  g_assert_cmphex (px (pixels, tw, x0, y0), !=, px (pixels, tw, x0 + 8, y0));
  /* Only pure black and white anywhere: no smoothing at the edges. */
  g_assert_cmpuint (sal_ui_test_count_colours (tex, 32, 0, 256, 240), ==, 2);

  /* The readout names the pixel under the point. */
  {
    int ix, iy;
    double v, a;
    g_assert_true (sal_image_view_probe (f->view, x0 + 12, y0 + 3, &ix, &iy, &v, &a));
    g_assert_cmpint (ix, ==, 9);
    g_assert_cmpint (iy, ==, 8);
    g_assert_cmpfloat (v, ==, 255);
    g_assert_true (isnan (a));
    g_assert_false (sal_image_view_probe (f->view, 2, 2, &ix, &iy, &v, &a));
  }
}

static void
test_overlay (Fixture *f, gconstpointer data)
{
  g_autoptr(SalImage) img = sal_image_new (64, 48, 1, 8);
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) tex = NULL;
  g_autofree guint32 *pixels = NULL;
  g_autofree char *path = sal_ui_test_build_path ("image-view-overlay.png");
  g_autofree float *attr = g_new0 (float, 16 * 12);
  SalOverlayStyle style;
  SalOverlayScale scale;
  int tw, th, inside = 0, outside = 0;
  int ix, iy;
  double v, a;

  for (int i = 0; i < 64 * 48; i++)
    img->pixels[i] = 100;
  /* Attribution at a quarter resolution; the "lesion" is attribution cells
   * (10..13, 2..5), i.e. image pixels x 40..55, y 8..23. */
  for (int y = 2; y < 6; y++)
    for (int x = 10; x < 14; x++)
      attr[y * 16 + x] = 1.0f + 0.1f * x;
  sal_image_view_set_image (f->view, img);
  sal_image_view_set_attribution (f->view, attr, 16, 12);
  sal_overlay_style_init (&style);
  style.sign = SAL_SIGN_POSITIVE;
  style.opacity = 0.8;
  sal_image_view_set_overlay_style (f->view, &style);
  g_assert_true (sal_image_view_get_overlay_scale (f->view, &scale));
  g_assert_cmpint (scale.n_shown, >, 0);

  tex = sal_ui_test_save_png (GTK_WIDGET (f->view), path, &error);
  g_assert_no_error (error);
  tw = gdk_texture_get_width (tex);
  th = gdk_texture_get_height (tex);
  pixels = sal_ui_test_download (tex);
  for (int y = 0; y < th; y++)
    for (int x = 0; x < tw; x++)
      {
        guint32 p = px (pixels, tw, x, y);
        guint r = p >> 16, g = (p >> 8) & 0xff, b = p & 0xff;
        gboolean coloured = MAX (MAX (r, g), b) - MIN (MIN (r, g), b) > 30;
        if (!coloured)
          continue;
        if (sal_image_view_probe (f->view, x + 0.5, y + 0.5, &ix, &iy, &v, &a)
            && ix >= 40 && ix < 56 && iy >= 8 && iy < 24)
          inside++;
        else
          outside++;
      }
  g_test_message ("overlay-coloured pixels: %d on the region, %d elsewhere", inside, outside);
  g_assert_cmpint (inside, >, 1000);
  g_assert_cmpint (outside, ==, 0);

  /* The readout carries the attribution there. */
  g_assert_true (sal_image_view_probe (f->view, 160 + (45 - 32) * 5, 120 + (10 - 24) * 5,
                                       &ix, &iy, &v, &a));
  g_assert_cmpint (ix, ==, 45);
  g_assert_cmpint (iy, ==, 10);
  g_assert_cmpfloat_with_epsilon (a, 1.0 + 0.1 * 11, 1e-6);

  sal_image_view_set_attribution (f->view, NULL, 0, 0);
  g_assert_false (sal_image_view_has_attribution (f->view));
}

static void
test_sync (void)
{
  g_autoptr(SalImage) img = ramp16 ();
  GtkWidget *a = g_object_ref_sink (sal_image_view_new ());
  GtkWidget *b = g_object_ref_sink (sal_image_view_new ());
  SalViewState s;

  sal_image_view_set_image (SAL_IMAGE_VIEW (a), img);
  sal_image_view_set_image (SAL_IMAGE_VIEW (b), img);
  for (guint i = 0; i < 3; i++)
    {
      const char *prop[] = { "zoom", "center-x", "center-y" };
      g_object_bind_property (a, prop[i], b, prop[i], G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
    }
  sal_image_view_set_zoom (SAL_IMAGE_VIEW (a), 4.0);
  sal_image_view_set_center (SAL_IMAGE_VIEW (a), 12.5, 7.0);
  sal_image_view_get_state (SAL_IMAGE_VIEW (b), &s);
  g_assert_cmpfloat (s.zoom, ==, 4.0);
  g_assert_cmpfloat (s.cx, ==, 12.5);
  g_assert_cmpfloat (s.cy, ==, 7.0);
  g_assert_false (sal_image_view_get_fit (SAL_IMAGE_VIEW (b)));
  /* And back the other way. */
  sal_image_view_set_zoom (SAL_IMAGE_VIEW (b), 0.5);
  g_assert_cmpfloat (sal_image_view_get_zoom (SAL_IMAGE_VIEW (a)), ==, 0.5);
  g_assert_finalize_object (a);
  g_assert_finalize_object (b);
}

int
main (int argc, char **argv)
{
  if (!sal_ui_test_init (&argc, &argv))
    {
      g_test_skip ("no display: run under xvfb-run");
      return g_test_run ();
    }
  g_test_add_func ("/ui/image-view/zoom-maths", test_zoom_maths);
  g_test_add_func ("/ui/image-view/window-level", test_window_level);
  g_test_add_func ("/ui/image-view/sync", test_sync);
  g_test_add ("/ui/image-view/render-16bit", Fixture, NULL, fixture_setup, test_render_16bit,
              fixture_teardown);
  g_test_add ("/ui/image-view/nearest", Fixture, NULL, fixture_setup, test_nearest,
              fixture_teardown);
  g_test_add ("/ui/image-view/overlay", Fixture, NULL, fixture_setup, test_overlay,
              fixture_teardown);
  return g_test_run ();
}
