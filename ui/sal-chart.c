/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-ui"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "sal-chart.h"

typedef struct {
  char         *name;
  SalChartKind  kind;
  GdkRGBA       colour;
  double       *x;
  double       *y;
  guint         n;
} Series;

struct _SalChart
{
  GtkWidget        parent_instance;

  GPtrArray       *series;        /* of Series */
  double           x_label_step;  /* at the last draw; 0 before */
  SalChartXFormat  x_format;
  char            *x_unit;
  char            *y_unit;
  char            *value_format;
  GStrv            categories;
  gboolean         zero_line;
  gboolean         y_inverted;
  gboolean         y_clock;
  double           min_left;      /* the plot starts at least this far from the left */

  /* The drawing without the hover readout, valid for cache_w × cache_h. */
  GskRenderNode   *cache;
  int              cache_w, cache_h;

  /* Plot rectangle and ranges of the last layout (for hover). */
  double           px, py, pw, ph;
  double           x0, x1, y0, y1;
  int              hover;         /* index into the first series' x, or -1 */
};

G_DEFINE_FINAL_TYPE (SalChart, sal_chart, GTK_TYPE_WIDGET)

static void
series_free (gpointer data)
{
  Series *s = data;
  g_free (s->name);
  g_free (s->x);
  g_free (s->y);
  g_free (s);
}

void
sal_chart_palette_colour (guint index, GdkRGBA *out)
{
  /* Okabe–Ito: distinguishable with colour-blindness, mid-luminance so they read on
   * both light and dark backgrounds. */
  static const char * const palette[] = { "#0072B2", "#E69F00", "#009E73", "#CC79A7",
                                          "#56B4E9", "#D55E00", "#F0E442", "#999999" };
  gdk_rgba_parse (out, palette[index % G_N_ELEMENTS (palette)]);
}

static void
invalidate (SalChart *self)
{
  g_clear_pointer (&self->cache, gsk_render_node_unref);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* 1, 2 or 5 × 10^k, so about `target` ticks cover `range`. */
static double
nice_step (double range, int target)
{
  double raw = range / MAX (target, 1);
  double mag = pow (10, floor (log10 (raw)));
  double f = raw / mag;

  if (f < 1.5)
    return mag;
  if (f < 3.5)
    return 2 * mag;
  if (f < 7.5)
    return 5 * mag;
  return 10 * mag;
}

static char *
format_x (SalChart *self, double x)
{
  switch (self->x_format)
    {
    case SAL_CHART_X_DAY:
      {
        g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc ((gint64) llround (x) * 86400);
        /* TRANSLATORS: a short date on a chart axis, g_date_time_format syntax */
        return dt != NULL ? g_date_time_format (dt, _("%e %b")) : g_strdup ("");
      }
    case SAL_CHART_X_MINUTES:
      {
        int m = (int) llround (x);
        return g_strdup_printf ("%d:%02d", m / 60, ABS (m % 60));
      }
    case SAL_CHART_X_CATEGORY:
      {
        long i = lround (x);
        if (self->categories != NULL && i >= 0 && i < (long) g_strv_length (self->categories))
          return g_strdup (self->categories[i]);
        return g_strdup ("");
      }
    case SAL_CHART_X_NUMBER:
    default:
      return fabs (x) >= 100 ? g_strdup_printf ("%.0f", x) : g_strdup_printf ("%.3g", x);
    }
}

static char *
format_y (SalChart *self, double y)
{
  g_autofree char *v = NULL;

  if (!isfinite (y))
    return g_strdup ("—");
  if (self->y_clock)
    {
      long sec = lround (y * 60);
      return g_strdup_printf ("%ld:%02ld", sec / 60, sec % 60);
    }
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
  /* value_format comes from the caller's literal with one double conversion. */
  v = g_strdup_printf (self->value_format ? self->value_format : "%.1f", y);
#pragma GCC diagnostic pop
  return v[0] == '-' && strspn (v + 1, "0.") == strlen (v + 1) ? g_strdup (v + 1)
                                                                  : g_steal_pointer (&v);
}

static void
data_range (SalChart *self)
{
  double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
  g_autofree double *stack = NULL;
  guint n_stack = 0;

  for (guint k = 0; k < self->series->len; k++)
    {
      Series *s = g_ptr_array_index (self->series, k);
      if (s->kind == SAL_CHART_BAR)
        n_stack = MAX (n_stack, s->n);
    }
  stack = g_new0 (double, n_stack + 1);
  for (guint k = 0; k < self->series->len; k++)
    {
      Series *s = g_ptr_array_index (self->series, k);
      for (guint i = 0; i < s->n; i++)
        {
          double y = s->y[i];
          x0 = MIN (x0, s->x[i]);
          x1 = MAX (x1, s->x[i]);
          if (!isfinite (y))
            continue;
          if (s->kind == SAL_CHART_BAR)
            {
              stack[i] += y;
              y = stack[i];
            }
          y0 = MIN (y0, y);
          y1 = MAX (y1, y);
        }
    }
  if (!isfinite (x0))
    x0 = 0, x1 = 1;
  if (!isfinite (y0))
    y0 = 0, y1 = 1;
  /* Bars start at zero; lines and areas use their own range with a margin. */
  if (n_stack > 0 || self->zero_line)
    y0 = MIN (y0, 0);
  else if (y1 > y0)
    y0 -= (y1 - y0) * 0.05;
  if (n_stack > 0)
    x0 -= 0.5, x1 += 0.5;
  if (x1 <= x0)
    x1 = x0 + 1;
  if (y1 <= y0)
    y1 = y0 + 1;
  self->x0 = x0;
  self->x1 = x1;
  self->y0 = y0;
  self->y1 = y1 + (y1 - y0) * 0.05;
  if (y0 < 0)
    self->y0 = y0 - (y1 - y0) * 0.05;
}

static double
map_x (SalChart *self, double x)
{
  return self->px + (x - self->x0) / (self->x1 - self->x0) * self->pw;
}

static double
map_y (SalChart *self, double y)
{
  double f = (y - self->y0) / (self->y1 - self->y0);
  return self->y_inverted ? self->py + f * self->ph : self->py + self->ph - f * self->ph;
}

static void
show_text (SalChart *self, cairo_t *cr, const char *text, double x, double y, double align_x,
           double align_y, int *out_w, int *out_h)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  int w, h;

  pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
  pango_layout_get_pixel_size (layout, &w, &h);
  if (out_w != NULL)
    *out_w = w;
  if (out_h != NULL)
    *out_h = h;
  if (cr == NULL)
    return;
  cairo_move_to (cr, x - align_x * w, y - align_y * h);
  pango_cairo_show_layout (cr, layout);
}

static void
foreground (SalChart *self, GdkRGBA *fg)
{
G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (self)), fg);
G_GNUC_END_IGNORE_DEPRECATIONS
}

static void
draw_legend (SalChart *self, cairo_t *cr, double width, int *height)
{
  double x = 4, y = 2;
  int th = 14;

  for (guint k = 0; k < self->series->len; k++)
    {
      Series *s = g_ptr_array_index (self->series, k);
      int tw;

      if (s->name == NULL)
        continue;
      show_text (self, NULL, s->name, 0, 0, 0, 0, &tw, &th);
      if (x + 18 + tw > width && x > 4)
        {
          x = 4;
          y += th + 2;
        }
      if (cr != NULL)
        {
          gdk_cairo_set_source_rgba (cr, &s->colour);
          if (s->kind == SAL_CHART_LINE)
            cairo_rectangle (cr, x, y + th / 2.0 - 1.5, 12, 3);
          else
            cairo_rectangle (cr, x, y + th / 2.0 - 5, 12, 10);
          cairo_fill (cr);
          cairo_set_source_rgba (cr, 0, 0, 0, 0);
          {
            GdkRGBA fg;
            foreground (self, &fg);
            gdk_cairo_set_source_rgba (cr, &fg);
          }
          show_text (self, cr, s->name, x + 16, y, 0, 0, NULL, NULL);
        }
      x += 16 + tw + 14;
    }
  *height = (int) (y + th + 6);
}

static void
draw_series (SalChart *self, cairo_t *cr)
{
  g_autofree double *stack = NULL;
  guint max_n = 1;

  for (guint k = 0; k < self->series->len; k++)
    max_n = MAX (max_n, ((Series *) g_ptr_array_index (self->series, k))->n);
  stack = g_new0 (double, max_n);

  for (guint k = 0; k < self->series->len; k++)
    {
      Series *s = g_ptr_array_index (self->series, k);
      gboolean open = FALSE;
      double bar_w = 0;

      gdk_cairo_set_source_rgba (cr, &s->colour);
      if (s->kind == SAL_CHART_BAR)
        {
          bar_w = MAX (1.0, self->pw / (self->x1 - self->x0) * 0.7);
          for (guint i = 0; i < s->n; i++)
            {
              double top, bottom;
              if (!isfinite (s->y[i]) || s->y[i] == 0)
                continue;
              bottom = map_y (self, stack[i]);
              stack[i] += s->y[i];
              top = map_y (self, stack[i]);
              cairo_rectangle (cr, map_x (self, s->x[i]) - bar_w / 2, MIN (top, bottom), bar_w,
                               fabs (bottom - top));
            }
          cairo_fill (cr);
          continue;
        }
      if (s->kind == SAL_CHART_AREA)
        {
          double zero = map_y (self, self->y0 > 0 ? self->y0 : MIN (0, self->y1));
          GdkRGBA fill = s->colour;
          fill.alpha = 0.35;
          for (guint i = 0; i < s->n; i++)
            {
              if (!isfinite (s->y[i]))
                continue;
              /* One closed shape per run of values between gaps. */
              cairo_move_to (cr, map_x (self, s->x[i]), zero);
              while (i < s->n && isfinite (s->y[i]))
                {
                  cairo_line_to (cr, map_x (self, s->x[i]), map_y (self, s->y[i]));
                  i++;
                }
              cairo_line_to (cr, map_x (self, s->x[i - 1]), zero);
              cairo_close_path (cr);
            }
          gdk_cairo_set_source_rgba (cr, &fill);
          cairo_fill (cr);
          gdk_cairo_set_source_rgba (cr, &s->colour);
        }
      for (guint i = 0; i < s->n; i++)
        {
          if (!isfinite (s->y[i]))
            {
              open = FALSE;
              continue;
            }
          if (open)
            cairo_line_to (cr, map_x (self, s->x[i]), map_y (self, s->y[i]));
          else
            cairo_move_to (cr, map_x (self, s->x[i]), map_y (self, s->y[i]));
          open = TRUE;
        }
      cairo_set_line_width (cr, 2.0);
      cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
      cairo_stroke (cr);
    }
}

static void
draw_chart (SalChart *self, cairo_t *cr, int width, int height)
{
  GdkRGBA fg, grid;
  int legend_h, label_w = 0, th = 14, tw, x_label_w = 0, x_label_h = 14;
  double step, xstep;

  foreground (self, &fg);
  grid = fg;
  grid.alpha = 0.15;
  data_range (self);
  cairo_set_line_width (cr, 1);
  gdk_cairo_set_source_rgba (cr, &fg);
  draw_legend (self, cr, width, &legend_h);

  /* The widest y label decides the left margin. */
  step = nice_step (self->y1 - self->y0, 4);
  for (double v = ceil (self->y0 / step) * step; v <= self->y1 + 1e-9; v += step)
    {
      g_autofree char *t = format_y (self, v);
      show_text (self, NULL, t, 0, 0, 0, 0, &tw, &th);
      label_w = MAX (label_w, tw);
    }
  if (self->y_unit != NULL)
    {
      show_text (self, NULL, self->y_unit, 0, 0, 0, 0, &tw, NULL);
      label_w = MAX (label_w, tw);
    }
  /* The tallest and widest x label (categories may have two lines). */
  {
    int xw = 0, xh = th, w1, h1;
    if (self->x_format == SAL_CHART_X_CATEGORY && self->categories != NULL)
      for (guint i = 0; self->categories[i] != NULL; i++)
        {
          show_text (self, NULL, self->categories[i], 0, 0, 0, 0, &w1, &h1);
          xw = MAX (xw, w1);
          xh = MAX (xh, h1);
        }
    else
      {
        g_autofree char *t0 = format_x (self, self->x0);
        g_autofree char *t1 = format_x (self, self->x1);
        show_text (self, NULL, t0, 0, 0, 0, 0, &w1, &h1);
        xw = w1;
        show_text (self, NULL, t1, 0, 0, 0, 0, &w1, &h1);
        xw = MAX (xw, w1);
      }
    x_label_w = xw;
    x_label_h = xh;
  }
  self->px = MAX (label_w + 10, self->min_left);
  self->py = legend_h + th + 4;
  self->pw = MAX (10, width - self->px - 12);
  self->ph = MAX (10, height - self->py - x_label_h - 8 - (self->x_unit != NULL ? th : 0));

  /* Grid and y labels. */
  for (double v = ceil (self->y0 / step) * step; v <= self->y1 + 1e-9; v += step)
    {
      g_autofree char *t = format_y (self, v);
      double y = round (map_y (self, v)) + 0.5;
      gdk_cairo_set_source_rgba (cr, &grid);
      cairo_move_to (cr, self->px, y);
      cairo_line_to (cr, self->px + self->pw, y);
      cairo_stroke (cr);
      gdk_cairo_set_source_rgba (cr, &fg);
      show_text (self, cr, t, self->px - 6, y, 1, 0.5, NULL, NULL);
    }
  if (self->y_unit != NULL)
    show_text (self, cr, self->y_unit, self->px - 6, legend_h, 1, 0, NULL, NULL);
  if (self->zero_line && self->y0 < 0 && self->y1 > 0)
    {
      double y = round (map_y (self, 0)) + 0.5;
      gdk_cairo_set_source_rgba (cr, &fg);
      cairo_move_to (cr, self->px, y);
      cairo_line_to (cr, self->px + self->pw, y);
      cairo_stroke (cr);
    }

  /* X labels: as many as fit. */
  {
    /* Categories may sit close; numbers and dates want air between them. */
    int gap = self->x_format == SAL_CHART_X_CATEGORY ? 6 : 40;
    int n_fit = MAX (2, (int) (self->pw / (x_label_w + gap)));
    xstep = self->x_format == SAL_CHART_X_CATEGORY || self->x_format == SAL_CHART_X_DAY
              ? MAX (1, ceil ((self->x1 - self->x0) / n_fit))
              : nice_step (self->x1 - self->x0, n_fit);
    if (self->x_format == SAL_CHART_X_CATEGORY && self->categories != NULL
        && self->x1 > self->x0)
      {
        /* Centred labels only collide with their neighbours: every category is shown
         * when each adjacent pair fits in one slot, not only when the widest label
         * would fit twice. */
        double slot = self->pw / (self->x1 - self->x0), need = 0;
        int prev_w = -1;
        for (guint i = 0; self->categories[i] != NULL; i++)
          {
            int w1;
            show_text (self, NULL, self->categories[i], 0, 0, 0, 0, &w1, NULL);
            if (prev_w >= 0)
              need = MAX (need, (prev_w + w1) / 2.0 + gap / 2.0);
            prev_w = w1;
          }
        xstep = MAX (1, ceil (need / slot));
      }
    self->x_label_step = xstep;
    if (self->x_format == SAL_CHART_X_MINUTES)
      xstep = MAX (1, xstep);
    gdk_cairo_set_source_rgba (cr, &fg);
    for (double v = ceil (self->x0 / xstep) * xstep; v <= self->x1 + 1e-9; v += xstep)
      {
        g_autofree char *t = format_x (self, v);
        show_text (self, cr, t, map_x (self, v), self->py + self->ph + 4, 0.5, 0, NULL, NULL);
      }
    if (self->x_unit != NULL)
      show_text (self, cr, self->x_unit, self->px + self->pw, self->py + self->ph + 4 + x_label_h,
                 1, 0, NULL, NULL);
  }
  gdk_cairo_set_source_rgba (cr, &grid);
  cairo_rectangle (cr, self->px + 0.5, self->py + 0.5, self->pw - 1, self->ph - 1);
  cairo_stroke (cr);

  cairo_save (cr);
  cairo_rectangle (cr, self->px, self->py, self->pw, self->ph);
  cairo_clip (cr);
  draw_series (self, cr);
  cairo_restore (cr);
}

double
sal_chart_get_x_label_step (SalChart *self)
{
  g_return_val_if_fail (SAL_IS_CHART (self), 0);
  return self->x_label_step;
}

char *
sal_chart_dup_readout (SalChart *self)
{
  GString *out = g_string_new (NULL);
  Series *first;
  double x;

  if (self->hover < 0 || self->series->len == 0)
    return g_string_free (out, FALSE);
  first = g_ptr_array_index (self->series, 0);
  if ((guint) self->hover >= first->n)
    return g_string_free (out, FALSE);
  x = first->x[self->hover];
  {
    g_autofree char *t = format_x (self, x);
    g_string_append (out, t);
    /* A plain number says what it counts (e.g. "2.5 km"). */
    if (self->x_format == SAL_CHART_X_NUMBER && self->x_unit != NULL)
      g_string_append_printf (out, " %s", self->x_unit);
  }
  for (guint k = 0; k < self->series->len; k++)
    {
      Series *s = g_ptr_array_index (self->series, k);
      g_autofree char *v = NULL;
      if ((guint) self->hover >= s->n || s->name == NULL)
        continue;
      v = format_y (self, s->y[self->hover]);
      g_string_append_printf (out, "\n%s: %s%s%s", s->name, v, self->y_unit ? " " : "",
                              self->y_unit ? self->y_unit : "");
    }
  return g_string_free (out, FALSE);
}

static void
draw_hover (SalChart *self, cairo_t *cr, int width)
{
  Series *first = g_ptr_array_index (self->series, 0);
  g_autofree char *text = sal_chart_dup_readout (self);
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  double x = map_x (self, first->x[self->hover]);
  GdkRGBA fg;
  int w, h;
  double bx;

  foreground (self, &fg);
  gdk_cairo_set_source_rgba (cr, &fg);
  cairo_set_line_width (cr, 1);
  cairo_move_to (cr, round (x) + 0.5, self->py);
  cairo_line_to (cr, round (x) + 0.5, self->py + self->ph);
  cairo_stroke (cr);

  pango_layout_get_pixel_size (layout, &w, &h);
  bx = x + 10 + w + 12 > width ? x - 10 - w - 12 : x + 10;
  /* The box takes the inverse of the text colour: readable in light and dark. */
  cairo_set_source_rgba (cr, 1 - fg.red, 1 - fg.green, 1 - fg.blue, 0.92);
  cairo_rectangle (cr, bx, self->py + 4, w + 12, h + 8);
  cairo_fill_preserve (cr);
  gdk_cairo_set_source_rgba (cr, &fg);
  cairo_stroke (cr);
  cairo_move_to (cr, bx + 6, self->py + 8);
  pango_cairo_show_layout (cr, layout);
}

static void
sal_chart_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  SalChart *self = SAL_CHART (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  graphene_rect_t bounds = GRAPHENE_RECT_INIT (0, 0, width, height);

  if (width <= 0 || height <= 0)
    return;
  if (self->cache == NULL || self->cache_w != width || self->cache_h != height)
    {
      GtkSnapshot *s = gtk_snapshot_new ();
      cairo_t *cr = gtk_snapshot_append_cairo (s, &bounds);

      draw_chart (self, cr, width, height);
      cairo_destroy (cr);
      g_clear_pointer (&self->cache, gsk_render_node_unref);
      self->cache = gtk_snapshot_free_to_node (s);
      self->cache_w = width;
      self->cache_h = height;
    }
  if (self->cache != NULL)
    gtk_snapshot_append_node (snapshot, self->cache);
  if (self->hover >= 0 && self->series->len > 0)
    {
      cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &bounds);
      draw_hover (self, cr, width);
      cairo_destroy (cr);
    }
}

static int
nearest_index (SalChart *self, double x)
{
  Series *first;
  int best = -1;
  double best_d = INFINITY;

  if (self->series->len == 0)
    return -1;
  first = g_ptr_array_index (self->series, 0);
  for (guint i = 0; i < first->n; i++)
    if (fabs (first->x[i] - x) < best_d)
      {
        best_d = fabs (first->x[i] - x);
        best = (int) i;
      }
  return best;
}

static void
on_motion (GtkEventControllerMotion *motion, double x, double y, SalChart *self)
{
  int i = -1;

  if (self->pw > 0 && x >= self->px && x <= self->px + self->pw)
    i = nearest_index (self, self->x0 + (x - self->px) / self->pw * (self->x1 - self->x0));
  if (i != self->hover)
    {
      self->hover = i;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

static void
on_leave (GtkEventControllerMotion *motion, SalChart *self)
{
  if (self->hover >= 0 && !gtk_widget_has_focus (GTK_WIDGET (self)))
    {
      self->hover = -1;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

/* Left/Right step the readout through the values, so keyboard users can read them. */
static gboolean
on_key (GtkEventControllerKey *key, guint keyval, guint code, GdkModifierType state,
        SalChart *self)
{
  Series *first;
  int step;

  if (keyval == GDK_KEY_Left || keyval == GDK_KEY_KP_Left)
    step = -1;
  else if (keyval == GDK_KEY_Right || keyval == GDK_KEY_KP_Right)
    step = 1;
  else
    return FALSE;
  if (self->series->len == 0)
    return FALSE;
  first = g_ptr_array_index (self->series, 0);
  if (first->n == 0)
    return FALSE;
  self->hover = self->hover < 0 ? (int) first->n - 1 : CLAMP (self->hover + step, 0, (int) first->n - 1);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  return TRUE;
}

static void
on_dark_changed (SalChart *self)
{
  invalidate (self);
}

static void
sal_chart_css_changed (GtkWidget *widget, GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (sal_chart_parent_class)->css_changed (widget, change);
  invalidate (SAL_CHART (widget));
}

static void
sal_chart_measure (GtkWidget *widget, GtkOrientation orientation, int for_size, int *minimum,
                   int *natural, int *minimum_baseline, int *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 200 : 140;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 480 : 220;
}

static void
sal_chart_finalize (GObject *object)
{
  SalChart *self = SAL_CHART (object);

  g_clear_pointer (&self->series, g_ptr_array_unref);
  g_clear_pointer (&self->cache, gsk_render_node_unref);
  g_free (self->x_unit);
  g_free (self->y_unit);
  g_free (self->value_format);
  g_strfreev (self->categories);
  G_OBJECT_CLASS (sal_chart_parent_class)->finalize (object);
}

static void
sal_chart_class_init (SalChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = sal_chart_finalize;
  widget_class->snapshot = sal_chart_snapshot;
  widget_class->measure = sal_chart_measure;
  widget_class->css_changed = sal_chart_css_changed;
  gtk_widget_class_set_css_name (widget_class, "chart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
sal_chart_init (SalChart *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();
  GtkEventController *key = gtk_event_controller_key_new ();

  self->series = g_ptr_array_new_with_free_func (series_free);
  self->hover = -1;
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
  g_signal_connect (key, "key-pressed", G_CALLBACK (on_key), self);
  gtk_widget_add_controller (GTK_WIDGET (self), key);
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (on_dark_changed), self, G_CONNECT_SWAPPED);
}

GtkWidget *
sal_chart_new (void)
{
  return g_object_new (SAL_TYPE_CHART, NULL);
}

void
sal_chart_clear (SalChart *self)
{
  g_return_if_fail (SAL_IS_CHART (self));
  g_ptr_array_set_size (self->series, 0);
  self->hover = -1;
  invalidate (self);
}

guint
sal_chart_add_series (SalChart *self, const char *name, SalChartKind kind, const GdkRGBA *colour,
                      const double *x, const double *y, guint n)
{
  Series *s = g_new0 (Series, 1);

  g_return_val_if_fail (SAL_IS_CHART (self), 0);
  s->name = g_strdup (name);
  s->kind = kind;
  if (colour != NULL)
    s->colour = *colour;
  else
    sal_chart_palette_colour (self->series->len, &s->colour);
  s->x = g_memdup2 (x, sizeof (double) * n);
  s->y = g_memdup2 (y, sizeof (double) * n);
  s->n = n;
  g_ptr_array_add (self->series, s);
  invalidate (self);
  return self->series->len - 1;
}

void
sal_chart_set_x_format (SalChart *self, SalChartXFormat format, const char *unit)
{
  g_return_if_fail (SAL_IS_CHART (self));
  self->x_format = format;
  g_free (self->x_unit);
  self->x_unit = g_strdup (unit);
  invalidate (self);
}

void
sal_chart_set_categories (SalChart *self, const char * const *names)
{
  g_return_if_fail (SAL_IS_CHART (self));
  g_strfreev (self->categories);
  self->categories = g_strdupv ((char **) names);
  invalidate (self);
}

void
sal_chart_set_y_unit (SalChart *self, const char *unit, const char *value_format)
{
  g_return_if_fail (SAL_IS_CHART (self));
  g_free (self->y_unit);
  self->y_unit = g_strdup (unit);
  g_free (self->value_format);
  self->value_format = g_strdup (value_format);
  invalidate (self);
}

void
sal_chart_set_zero_line (SalChart *self, gboolean zero_line)
{
  g_return_if_fail (SAL_IS_CHART (self));
  if (self->zero_line == !!zero_line)
    return;
  self->zero_line = !!zero_line;
  invalidate (self);
}

void
sal_chart_set_y_inverted (SalChart *self, gboolean inverted)
{
  g_return_if_fail (SAL_IS_CHART (self));
  if (self->y_inverted == !!inverted)
    return;
  self->y_inverted = !!inverted;
  invalidate (self);
}

void
sal_chart_set_y_clock (SalChart *self, gboolean clock)
{
  g_return_if_fail (SAL_IS_CHART (self));
  self->y_clock = !!clock;
  invalidate (self);
}

guint
sal_chart_get_n_series (SalChart *self)
{
  return self->series->len;
}

int
sal_chart_get_hover_index (SalChart *self)
{
  return self->hover;
}

void
sal_chart_set_hover_x (SalChart *self, double x)
{
  self->hover = nearest_index (self, x);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
sal_chart_set_min_left (SalChart *self, double min_left)
{
  g_return_if_fail (SAL_IS_CHART (self));
  if (self->min_left == min_left)
    return;
  self->min_left = min_left;
  g_clear_pointer (&self->cache, gsk_render_node_unref);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}
