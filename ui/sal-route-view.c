/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-ui"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "sal-chart.h"
#include "sal-route-view.h"
#include "sal-workout.h"

#define EARTH_M_PER_DEG 111320.0

struct _SalRouteView
{
  GtkWidget      parent_instance;
  GArray        *xy;        /* of double pairs: metres east, metres north */
  double         min_x, max_x, min_y, max_y;
  GskRenderNode *cache;
  int            cache_w, cache_h;
  gboolean       miles;     /* scale bar in miles */
};

G_DEFINE_FINAL_TYPE (SalRouteView, sal_route_view, GTK_TYPE_WIDGET)

static void
draw_route (SalRouteView *self, cairo_t *cr, int width, int height)
{
  double w = MAX (self->max_x - self->min_x, 1), h = MAX (self->max_y - self->min_y, 1);
  double scale = MIN ((width - 24) / w, (height - 40) / h);
  double ox = (width - w * scale) / 2, oy = (height - 16 - h * scale) / 2;
  const double *p = (const double *) self->xy->data;
  guint n = self->xy->len / 2;
  GdkRGBA colour, fg;
  double bar_m;
  g_autofree char *label = NULL;
  g_autoptr(PangoLayout) layout = NULL;

  sal_chart_palette_colour (5, &colour);
G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (self)), &fg);
G_GNUC_END_IGNORE_DEPRECATIONS

#define PX(i) (ox + (p[2 * (i)] - self->min_x) * scale)
#define PY(i) (oy + (self->max_y - p[2 * (i) + 1]) * scale)
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  cairo_set_line_width (cr, 3);
  gdk_cairo_set_source_rgba (cr, &colour);
  cairo_move_to (cr, PX (0), PY (0));
  for (guint i = 1; i < n; i++)
    cairo_line_to (cr, PX (i), PY (i));
  cairo_stroke (cr);
  cairo_set_source_rgb (cr, 0.0, 0.62, 0.45);
  cairo_arc (cr, PX (0), PY (0), 6, 0, 2 * G_PI);
  cairo_fill (cr);
  cairo_set_source_rgb (cr, 0.84, 0.2, 0.2);
  cairo_arc (cr, PX (n - 1), PY (n - 1), 4.5, 0, 2 * G_PI);
  cairo_fill (cr);
#undef PX
#undef PY

  /* A scale bar of a round length (in km or mi) near a quarter of the width. */
  {
    double unit_m = self->miles ? 1609.344 : 1.0, bar_u;

    bar_u = pow (10, floor (log10 (width / 4.0 / scale / unit_m)));
    if (bar_u * unit_m * scale * 5 < width / 3.0)
      bar_u *= 5;
    else if (bar_u * unit_m * scale * 2 < width / 3.0)
      bar_u *= 2;
    bar_m = bar_u * unit_m;
  }
  gdk_cairo_set_source_rgba (cr, &fg);
  cairo_set_line_width (cr, 2);
  cairo_move_to (cr, 12, height - 8);
  cairo_line_to (cr, 12 + bar_m * scale, height - 8);
  cairo_stroke (cr);
  if (self->miles)
    label = g_strdup_printf (_("%g mi"), round (bar_m / 1609.344 * 1000) / 1000);
  else
    label = bar_m >= 1000 ? g_strdup_printf (_("%g km"), bar_m / 1000)
                          : g_strdup_printf (_("%g m"), bar_m);
  layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), label);
  cairo_move_to (cr, 18 + bar_m * scale, height - 20);
  pango_cairo_show_layout (cr, layout);
}

static void
sal_route_view_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  SalRouteView *self = SAL_ROUTE_VIEW (widget);
  int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);

  if (self->xy->len < 4 || width <= 0 || height <= 0)
    return;
  if (self->cache == NULL || self->cache_w != width || self->cache_h != height)
    {
      GtkSnapshot *s = gtk_snapshot_new ();
      cairo_t *cr = gtk_snapshot_append_cairo (s, &GRAPHENE_RECT_INIT (0, 0, width, height));
      draw_route (self, cr, width, height);
      cairo_destroy (cr);
      g_clear_pointer (&self->cache, gsk_render_node_unref);
      self->cache = gtk_snapshot_free_to_node (s);
      self->cache_w = width;
      self->cache_h = height;
    }
  if (self->cache != NULL)
    gtk_snapshot_append_node (snapshot, self->cache);
}

static void
sal_route_view_measure (GtkWidget *widget, GtkOrientation orientation, int for_size,
                        int *minimum, int *natural, int *min_baseline, int *nat_baseline)
{
  *minimum = 160;
  *natural = 280;
}

static void
sal_route_view_css_changed (GtkWidget *widget, GtkCssStyleChange *change)
{
  SalRouteView *self = SAL_ROUTE_VIEW (widget);
  GTK_WIDGET_CLASS (sal_route_view_parent_class)->css_changed (widget, change);
  g_clear_pointer (&self->cache, gsk_render_node_unref);
}

static void
sal_route_view_finalize (GObject *object)
{
  SalRouteView *self = SAL_ROUTE_VIEW (object);
  g_clear_pointer (&self->xy, g_array_unref);
  g_clear_pointer (&self->cache, gsk_render_node_unref);
  G_OBJECT_CLASS (sal_route_view_parent_class)->finalize (object);
}

static void
sal_route_view_class_init (SalRouteViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = sal_route_view_finalize;
  widget_class->snapshot = sal_route_view_snapshot;
  widget_class->measure = sal_route_view_measure;
  widget_class->css_changed = sal_route_view_css_changed;
  gtk_widget_class_set_css_name (widget_class, "route");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
sal_route_view_init (SalRouteView *self)
{
  self->xy = g_array_new (FALSE, FALSE, sizeof (double));
}

GtkWidget *
sal_route_view_new (void)
{
  return g_object_new (SAL_TYPE_ROUTE_VIEW, NULL);
}

void
sal_route_view_set_samples (SalRouteView *self, const GArray *samples)
{
  double lat_sum = 0, cos_lat;
  guint n = 0;

  g_array_set_size (self->xy, 0);
  g_clear_pointer (&self->cache, gsk_render_node_unref);
  self->min_x = self->min_y = INFINITY;
  self->max_x = self->max_y = -INFINITY;
  for (guint i = 0; samples != NULL && i < samples->len; i++)
    {
      const SalSample *s = &g_array_index (samples, SalSample, i);
      if (isfinite (s->lat_deg) && isfinite (s->lon_deg))
        {
          lat_sum += s->lat_deg;
          n++;
        }
    }
  if (n > 0)
    {
      cos_lat = cos (lat_sum / n * G_PI / 180);
      for (guint i = 0; i < samples->len; i++)
        {
          const SalSample *s = &g_array_index (samples, SalSample, i);
          double xy[2];
          if (!isfinite (s->lat_deg) || !isfinite (s->lon_deg))
            continue;
          xy[0] = s->lon_deg * EARTH_M_PER_DEG * cos_lat;
          xy[1] = s->lat_deg * EARTH_M_PER_DEG;
          self->min_x = MIN (self->min_x, xy[0]);
          self->max_x = MAX (self->max_x, xy[0]);
          self->min_y = MIN (self->min_y, xy[1]);
          self->max_y = MAX (self->max_y, xy[1]);
          g_array_append_vals (self->xy, xy, 2);
        }
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
sal_route_view_get_n_points (SalRouteView *self)
{
  return self->xy->len / 2;
}

void
sal_route_view_set_miles (SalRouteView *self, gboolean miles)
{
  g_return_if_fail (SAL_IS_ROUTE_VIEW (self));
  if (self->miles == miles)
    return;
  self->miles = miles;
  g_clear_pointer (&self->cache, gsk_render_node_unref);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}
