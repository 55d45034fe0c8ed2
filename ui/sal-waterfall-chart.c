/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-ui"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <math.h>

#include "sal-waterfall-chart.h"
#include "sal-waterfall.h"

#define ROW_HEIGHT 24

/* The Shapley waterfall of the measurements, drawn by app/sal-waterfall.h (the same
 * drawing the PDF report uses) with colours that follow the light or dark style. */
struct _SalWaterfallChart
{
  GtkWidget  parent_instance;

  double     expected;
  double     prediction;
  GPtrArray *names;
  double    *values;
};

G_DEFINE_FINAL_TYPE (SalWaterfallChart, sal_waterfall_chart, GTK_TYPE_WIDGET)

static void
update_accessible (SalWaterfallChart *self)
{
  g_autoptr(GString) s = g_string_new (NULL);
  g_autofree guint *order = NULL;

  if (self->names->len == 0)
    {
      gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                      _("No result yet"), -1);
      return;
    }
  order = sal_waterfall_order (self->values, self->names->len);
  g_string_append_printf (s, _("From the average %.3f to %.3f for this case."),
                          self->expected, self->prediction);
  for (guint i = 0; i < self->names->len; i++)
    g_string_append_printf (s, " %s %+.3f.", (const char *) self->names->pdata[order[i]],
                            self->values[order[i]]);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  s->str, -1);
}

static void
sal_waterfall_chart_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  SalWaterfallChart *self = SAL_WATERFALL_CHART (widget);
  int w = gtk_widget_get_width (widget);
  int h = gtk_widget_get_height (widget);
  SalWaterfallColors colors;
  SalWaterfallData data = { 0 };
  GdkRGBA fg;
  cairo_t *cr;

  if (self->names->len == 0 || w <= 0 || h <= 0)
    return;

  sal_waterfall_colors_default (&colors,
                                adw_style_manager_get_dark (adw_style_manager_get_default ()));
  /* GTK 4.8 has no gtk_widget_get_color: the style context gives the text colour */
G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
G_GNUC_END_IGNORE_DEPRECATIONS
  colors.fg[0] = fg.red;
  colors.fg[1] = fg.green;
  colors.fg[2] = fg.blue;
  colors.fg[3] = fg.alpha;
  colors.font = "Sans 10";
  data.expected = self->expected;
  data.prediction = self->prediction;
  data.n = self->names->len;
  data.names = (const char * const *) self->names->pdata;
  data.values = self->values;
  data.expected_label = _("E[f] (average)");
  data.prediction_label = _("f(x) (this case)");

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  sal_waterfall_draw (cr, 4, 4, w - 8, h - 8, &data, &colors);
  cairo_destroy (cr);
}

static void
sal_waterfall_chart_measure (GtkWidget      *widget,
                             GtkOrientation  orientation,
                             int             for_size,
                             int            *minimum,
                             int            *natural,
                             int            *minimum_baseline,
                             int            *natural_baseline)
{
  SalWaterfallChart *self = SAL_WATERFALL_CHART (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 320;
      *natural = 560;
    }
  else
    {
      SalWaterfallData data = { 0 };

      data.n = self->names->len;
      *minimum = *natural = data.n == 0 ? 0 : (int) sal_waterfall_height (&data, ROW_HEIGHT) + 8;
    }
}

static void
sal_waterfall_chart_finalize (GObject *object)
{
  SalWaterfallChart *self = SAL_WATERFALL_CHART (object);

  g_ptr_array_unref (self->names);
  g_free (self->values);
  G_OBJECT_CLASS (sal_waterfall_chart_parent_class)->finalize (object);
}

static void
sal_waterfall_chart_class_init (SalWaterfallChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = sal_waterfall_chart_finalize;
  widget_class->snapshot = sal_waterfall_chart_snapshot;
  widget_class->measure = sal_waterfall_chart_measure;
  gtk_widget_class_set_css_name (widget_class, "waterfallchart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
on_dark_changed (SalWaterfallChart *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
sal_waterfall_chart_init (SalWaterfallChart *self)
{
  self->names = g_ptr_array_new_with_free_func (g_free);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Shapley waterfall"), -1);
  update_accessible (self);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (on_dark_changed), self, G_CONNECT_SWAPPED);
}

GtkWidget *
sal_waterfall_chart_new (void)
{
  return g_object_new (SAL_TYPE_WATERFALL_CHART, NULL);
}

void
sal_waterfall_chart_set_data (SalWaterfallChart  *self,
                              double              expected,
                              double              prediction,
                              const char * const *names,
                              const double       *values,
                              guint               n)
{
  g_return_if_fail (SAL_IS_WATERFALL_CHART (self));

  g_ptr_array_set_size (self->names, 0);
  g_clear_pointer (&self->values, g_free);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (self->names, g_strdup (names[i]));
  self->values = g_memdup2 (values, sizeof (double) * n);
  self->expected = expected;
  self->prediction = prediction;
  update_accessible (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
sal_waterfall_chart_get_n (SalWaterfallChart *self)
{
  g_return_val_if_fail (SAL_IS_WATERFALL_CHART (self), 0);
  return self->names->len;
}

const double *
sal_waterfall_chart_get_values (SalWaterfallChart *self)
{
  g_return_val_if_fail (SAL_IS_WATERFALL_CHART (self), NULL);
  return self->values;
}

double
sal_waterfall_chart_get_expected (SalWaterfallChart *self)
{
  g_return_val_if_fail (SAL_IS_WATERFALL_CHART (self), NAN);
  return self->expected;
}

double
sal_waterfall_chart_get_prediction (SalWaterfallChart *self)
{
  g_return_val_if_fail (SAL_IS_WATERFALL_CHART (self), NAN);
  return self->prediction;
}
