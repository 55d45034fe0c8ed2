/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SalProbabilities: rows sorted largest first, bar lengths proportional. */

#include "config.h"

#include "sal-chart.h"
#include "sal-probabilities.h"
#include "sal-ui-test.h"

/* Columns of row @r whose colour is the bar's (not background, not text). */
static int
bar_length (const guint32 *pixels, int w, int r, guint32 bar)
{
  int n = 0;

  for (int x = 0; x < w; x++)
    n += (pixels[(r * 26 + 13) * w + x] & 0xffffff) == bar;
  return n;
}

static void
test_render (void)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  GtkWidget *p = sal_probabilities_new ();
  const char *labels[] = { "routine", "urgent", "emergency" };
  const double values[] = { 0.2, 0.7, 0.1 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) tex = NULL;
  g_autofree guint32 *pixels = NULL;
  g_autofree char *path = sal_ui_test_build_path ("probabilities.png");
  GdkRGBA c;
  guint32 bar;
  int w, l0, l1, l2;

  sal_probabilities_set (SAL_PROBABILITIES (p), labels, values, 3);
  g_assert_cmpuint (sal_probabilities_get_row_index (SAL_PROBABILITIES (p), 0), ==, 1);
  g_assert_cmpuint (sal_probabilities_get_row_index (SAL_PROBABILITIES (p), 1), ==, 0);
  g_assert_cmpuint (sal_probabilities_get_row_index (SAL_PROBABILITIES (p), 2), ==, 2);

  gtk_window_set_decorated (window, FALSE);
  gtk_window_set_default_size (window, 500, 78);
  gtk_window_set_child (window, p);
  sal_ui_test_present (window);
  tex = sal_ui_test_save_png (p, path, &error);
  g_assert_no_error (error);
  w = gdk_texture_get_width (tex);
  pixels = sal_ui_test_download (tex);
  sal_chart_palette_colour (0, &c);
  bar = ((guint32) (c.red * 255 + 0.5) << 16) | ((guint32) (c.green * 255 + 0.5) << 8)
        | (guint32) (c.blue * 255 + 0.5);
  l0 = bar_length (pixels, w, 0, bar);
  l1 = bar_length (pixels, w, 1, bar);
  l2 = bar_length (pixels, w, 2, bar);
  g_test_message ("bar lengths %d %d %d", l0, l1, l2);
  /* 0.7 : 0.2 : 0.1 of the same track, within a pixel of rounding. */
  g_assert_cmpint (l0, >, 100);
  g_assert_cmpint (abs (l0 * 2 - l1 * 7), <=, 14);
  g_assert_cmpint (abs (l0 - l2 * 7), <=, 7);
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
  g_test_add_func ("/ui/probabilities/render", test_render);
  return g_test_run ();
}
