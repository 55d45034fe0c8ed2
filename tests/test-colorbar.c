/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SalColorbar: the caption text and the drawn colours of the bar. */

#include "config.h"

#include "sal-colorbar.h"
#include "sal-ui-test.h"

static void
test_caption (void)
{
  g_autofree char *a = sal_colorbar_format_caption ("integrated-gradients", "present", "black",
                                                    "{\"steps\": 64, \"rule\": \"trapezoid\"}", 7);
  g_autofree char *b = sal_colorbar_format_caption ("grad-cam", "lesion", NULL, "not json", 1);

  g_assert_cmpstr (a, ==, "Integrated Gradients for “present”, baseline black; steps 64, rule trapezoid — seed 7");
  g_assert_cmpstr (b, ==, "Grad-CAM for “lesion” — seed 1");
}

static void
test_render (void)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  GtkWidget *bar = sal_colorbar_new ();
  SalOverlayScale scale = { SAL_COLORMAP_VIRIDIS, 0.0, 2.5, 0.1, 100 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) tex = NULL;
  g_autofree guint32 *pixels = NULL;
  g_autofree char *path = sal_ui_test_build_path ("colorbar.png");
  g_autofree char *caption = sal_colorbar_format_caption ("grad-cam", "lesion", NULL,
                                                          "{\"layer\": \"relu3\"}", 1);
  guint8 lo[3], hi[3];
  int w;

  gtk_window_set_decorated (window, FALSE);
  gtk_window_set_default_size (window, 400, 120);
  gtk_window_set_child (window, bar);
  sal_colorbar_set_scale (SAL_COLORBAR (bar), &scale);
  sal_colorbar_set_caption (SAL_COLORBAR (bar), caption);
  sal_ui_test_present (window);
  tex = sal_ui_test_save_png (bar, path, &error);
  g_assert_no_error (error);
  w = gdk_texture_get_width (tex);
  pixels = sal_ui_test_download (tex);
  /* The bar's ends are the colormap's ends. */
  sal_colormap_lookup (SAL_COLORMAP_VIRIDIS, 0.0, lo);
  sal_colormap_lookup (SAL_COLORMAP_VIRIDIS, 1.0, hi);
  {
    guint32 l = pixels[15 * w + 8] & 0xffffff, r = pixels[15 * w + (w - 9)] & 0xffffff;
    g_assert_cmpint (abs ((int) (l >> 16) - lo[0]), <=, 3);
    g_assert_cmpint (abs ((int) (l & 0xff) - lo[2]), <=, 3);
    g_assert_cmpint (abs ((int) (r >> 16) - hi[0]), <=, 3);
    g_assert_cmpint (abs ((int) ((r >> 8) & 0xff) - hi[1]), <=, 3);
  }
  /* Text was drawn under the bar (value labels, caption). */
  g_assert_cmpuint (sal_ui_test_count_colours (tex, 0, 30, w, 80), >, 2);
  gtk_window_destroy (window);
}

int
main (int argc, char **argv)
{
  if (!sal_ui_test_init (&argc, &argv))
    {
      g_test_skip ("no display: run under xvfb-run");
      return g_test_run ();
    }
  g_test_add_func ("/ui/colorbar/caption", test_caption);
  g_test_add_func ("/ui/colorbar/render", test_render);
  return g_test_run ();
}
