/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-waterfall"

#include "config.h"

#include <math.h>
#include <pango/pangocairo.h>
#include <stdlib.h>

#include "sal-waterfall.h"

static void
set_rgba (double dst[4], double r, double g, double b, double a)
{
  dst[0] = r;
  dst[1] = g;
  dst[2] = b;
  dst[3] = a;
}

void
sal_waterfall_colors_default (SalWaterfallColors *c, gboolean dark)
{
  /* The ends of the diverging map (sal-overlay.h): red raises, blue lowers; both
   * readable on light and dark backgrounds and told apart without colour by the
   * sign written on each bar. */
  if (dark)
    {
      set_rgba (c->fg, 0.92, 0.92, 0.92, 1);
      set_rgba (c->positive, 0.94, 0.45, 0.38, 1);
      set_rgba (c->negative, 0.42, 0.65, 0.95, 1);
      set_rgba (c->total, 0.70, 0.70, 0.72, 1);
      set_rgba (c->grid, 1, 1, 1, 0.15);
    }
  else
    {
      set_rgba (c->fg, 0.12, 0.12, 0.12, 1);
      set_rgba (c->positive, 0.75, 0.16, 0.15, 1);
      set_rgba (c->negative, 0.13, 0.40, 0.67, 1);
      set_rgba (c->total, 0.45, 0.45, 0.47, 1);
      set_rgba (c->grid, 0, 0, 0, 0.12);
    }
  c->font = "Sans 9";
}

guint *
sal_waterfall_order (const double *values, guint n)
{
  guint *order = g_new (guint, MAX (n, 1));

  for (guint i = 0; i < n; i++)
    order[i] = i;
  /* insertion sort (n is small: at most a few dozen features); ties keep input order */
  for (guint i = 1; i < n; i++)
    {
      guint k = order[i];
      guint j = i;

      while (j > 0 && (fabs (values[order[j - 1]]) < fabs (values[k])
                       || (fabs (values[order[j - 1]]) == fabs (values[k]) && order[j - 1] > k)))
        {
          order[j] = order[j - 1];
          j--;
        }
      order[j] = k;
    }
  return order;
}

double
sal_waterfall_height (const SalWaterfallData *data, double row_height)
{
  return (data->n + 2) * row_height + row_height * 1.5;
}

static void
show_text (cairo_t *cr, PangoLayout *layout, const char *text, double x, double y,
           double max_w, gboolean right_align, const double rgba[4])
{
  int w, h;

  pango_layout_set_text (layout, text, -1);
  pango_layout_set_width (layout, -1);
  pango_layout_get_pixel_size (layout, &w, &h);
  if (max_w > 0 && w > max_w)
    {
      pango_layout_set_width (layout, (int) (max_w * PANGO_SCALE));
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
      w = (int) max_w;
    }
  cairo_set_source_rgba (cr, rgba[0], rgba[1], rgba[2], rgba[3]);
  cairo_move_to (cr, right_align ? x - w : x, y - h / 2.0);
  pango_cairo_show_layout (cr, layout);
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_NONE);
}

void
sal_waterfall_draw (cairo_t                  *cr,
                    double                    x,
                    double                    y,
                    double                    width,
                    double                    height,
                    const SalWaterfallData   *data,
                    const SalWaterfallColors *colors)
{
  g_autofree guint *order = sal_waterfall_order (data->values, data->n);
  g_autoptr(PangoLayout) layout = pango_cairo_create_layout (cr);
  g_autoptr(PangoFontDescription) font = pango_font_description_from_string (colors->font);
  guint n_rows = data->n + 2;
  double row_h = (height - 0) / (n_rows + 1.5);
  double label_w = MIN (width * 0.34, 190);
  double value_w = 58;
  double plot_x = x + label_w + 8;
  double plot_w = width - label_w - 8 - value_w;
  double lo = MIN (data->expected, data->prediction);
  double hi = MAX (data->expected, data->prediction);
  double running = data->expected;
  double span;
  char buf[64];

  pango_layout_set_font_description (layout, font);
  if (plot_w < 20 || row_h < 4)
    return;

  for (guint i = 0; i < data->n; i++)
    {
      running += data->values[order[i]];
      lo = MIN (lo, running);
      hi = MAX (hi, running);
    }
  lo = MIN (lo, 0);
  span = hi - lo;
  if (!(span > 0))
    span = 1;
  lo -= span * 0.04;
  hi += span * 0.04;
  span = hi - lo;

#define XPOS(v) (plot_x + ((v) - lo) / span * plot_w)

  /* zero line and the E[f] line */
  cairo_set_line_width (cr, 1);
  cairo_set_source_rgba (cr, colors->grid[0], colors->grid[1], colors->grid[2], colors->grid[3]);
  cairo_move_to (cr, round (XPOS (0)) + 0.5, y);
  cairo_line_to (cr, round (XPOS (0)) + 0.5, y + n_rows * row_h);
  cairo_stroke (cr);

  running = data->expected;
  for (guint r = 0; r < n_rows; r++)
    {
      double cy = y + (r + 0.5) * row_h;
      double bar_h = row_h * 0.62;
      const double *fill;
      const char *label;
      double a, b, v;

      if (r == 0)
        {
          a = 0, b = data->expected, v = data->expected;
          fill = colors->total;
          label = data->expected_label;
          g_snprintf (buf, sizeof buf, "%.3f", v);
        }
      else if (r == n_rows - 1)
        {
          a = 0, b = data->prediction, v = data->prediction;
          fill = colors->total;
          label = data->prediction_label;
          g_snprintf (buf, sizeof buf, "%.3f", v);
        }
      else
        {
          guint k = order[r - 1];

          v = data->values[k];
          a = running;
          b = running + v;
          running = b;
          fill = v >= 0 ? colors->positive : colors->negative;
          label = data->names[k];
          g_snprintf (buf, sizeof buf, "%+.3f", v);
        }

      show_text (cr, layout, label, x + label_w, cy, label_w, TRUE, colors->fg);
      cairo_set_source_rgba (cr, fill[0], fill[1], fill[2], fill[3]);
      cairo_rectangle (cr, XPOS (MIN (a, b)), cy - bar_h / 2,
                       MAX (fabs (XPOS (b) - XPOS (a)), 1.5), bar_h);
      cairo_fill (cr);

      /* connector to the next step */
      if (r < n_rows - 1)
        {
          double end = (r == 0) ? data->expected : b;

          cairo_set_source_rgba (cr, colors->grid[0], colors->grid[1], colors->grid[2],
                                 MIN (1, colors->grid[3] * 3));
          cairo_move_to (cr, round (XPOS (end)) + 0.5, cy + bar_h / 2);
          cairo_line_to (cr, round (XPOS (end)) + 0.5, cy + row_h - bar_h / 2);
          cairo_stroke (cr);
        }
      show_text (cr, layout, buf, MAX (XPOS (a), XPOS (b)) + 4, cy, value_w, FALSE, colors->fg);
    }

  /* axis with ticks at lo, 0 and hi */
  {
    double ay = y + n_rows * row_h + 2;
    double ticks[3] = { lo + span * 0.04 / 1.08, 0, hi - span * 0.04 / 1.08 };

    cairo_set_source_rgba (cr, colors->fg[0], colors->fg[1], colors->fg[2], 0.6);
    cairo_move_to (cr, plot_x, ay + 0.5);
    cairo_line_to (cr, plot_x + plot_w, ay + 0.5);
    cairo_stroke (cr);
    for (guint t = 0; t < 3; t++)
      {
        if (t != 1 && fabs (ticks[t]) < span * 0.05)
          continue;
        g_snprintf (buf, sizeof buf, "%.2f", ticks[t]);
        show_text (cr, layout, buf, XPOS (ticks[t]) - 10, ay + row_h * 0.6, 0, FALSE, colors->fg);
      }
  }
#undef XPOS
}
