/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "sal-chart.h"
#include "sal-probabilities.h"

#define ROW 26
#define LABEL_W 140
#define PCT_W 56

struct _SalProbabilities
{
  GtkWidget  parent_instance;
  GPtrArray *labels;
  GArray    *values;
  guint     *order;
};

G_DEFINE_FINAL_TYPE (SalProbabilities, sal_probabilities, GTK_TYPE_WIDGET)

/* Row height and the percentage column's width for the widget's font (the kiosk's
 * larger type needs more than the defaults). */
static void
metrics (GtkWidget *widget, int *row, int *pct_w)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, "100.0 %");
  int tw, th;

  pango_layout_get_pixel_size (layout, &tw, &th);
  *row = MAX (ROW, th + 10);
  *pct_w = MAX (PCT_W, tw + 8);
}

static void
sal_probabilities_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  SalProbabilities *self = SAL_PROBABILITIES (widget);
  int width = gtk_widget_get_width (widget), row_h, pct_w;
  double bar_w;
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, NULL);
  GdkRGBA fg, colour;
  cairo_t *cr;

  metrics (widget, &row_h, &pct_w);
  bar_w = width - LABEL_W - pct_w;
  if (self->values->len == 0 || bar_w <= 10)
    return;
G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
G_GNUC_END_IGNORE_DEPRECATIONS
  sal_chart_palette_colour (0, &colour);
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width,
                                                                 row_h * self->values->len));
  pango_layout_set_width (layout, (LABEL_W - 8) * PANGO_SCALE);
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  for (guint r = 0; r < self->values->len; r++)
    {
      guint i = self->order[r];
      double v = CLAMP (g_array_index (self->values, double, i), 0.0, 1.0);
      char pct[32];
      int tw, th;

      gdk_cairo_set_source_rgba (cr, &fg);
      pango_layout_set_text (layout, g_ptr_array_index (self->labels, i), -1);
      pango_layout_get_pixel_size (layout, &tw, &th);
      cairo_move_to (cr, 0, r * row_h + (row_h - th) / 2.0);
      pango_cairo_show_layout (cr, layout);
      cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.12);
      cairo_rectangle (cr, LABEL_W, r * row_h + 5, bar_w, row_h - 10);
      cairo_fill (cr);
      gdk_cairo_set_source_rgba (cr, &colour);
      cairo_rectangle (cr, LABEL_W, r * row_h + 5, bar_w * v, row_h - 10);
      cairo_fill (cr);
      g_snprintf (pct, sizeof pct, "%.1f %%", 100 * v);
      gdk_cairo_set_source_rgba (cr, &fg);
      pango_layout_set_text (layout, pct, -1);
      pango_layout_get_pixel_size (layout, &tw, &th);
      cairo_move_to (cr, width - tw, r * row_h + (row_h - th) / 2.0);
      pango_cairo_show_layout (cr, layout);
    }
  cairo_destroy (cr);
}

static void
sal_probabilities_measure (GtkWidget *widget, GtkOrientation o, int for_size, int *min, int *nat,
                           int *min_base, int *nat_base)
{
  SalProbabilities *self = SAL_PROBABILITIES (widget);
  int row_h, pct_w;

  metrics (widget, &row_h, &pct_w);
  if (o == GTK_ORIENTATION_HORIZONTAL)
    *min = LABEL_W + pct_w + 60, *nat = LABEL_W + pct_w + 200;
  else
    *min = *nat = row_h * self->values->len;
}

static void
sal_probabilities_finalize (GObject *object)
{
  SalProbabilities *self = SAL_PROBABILITIES (object);

  g_ptr_array_unref (self->labels);
  g_array_unref (self->values);
  g_free (self->order);
  G_OBJECT_CLASS (sal_probabilities_parent_class)->finalize (object);
}

static void
sal_probabilities_class_init (SalProbabilitiesClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = sal_probabilities_finalize;
  widget_class->snapshot = sal_probabilities_snapshot;
  widget_class->measure = sal_probabilities_measure;
  gtk_widget_class_set_css_name (widget_class, "salprobabilities");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
sal_probabilities_init (SalProbabilities *self)
{
  self->labels = g_ptr_array_new_with_free_func (g_free);
  self->values = g_array_new (FALSE, FALSE, sizeof (double));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Class probabilities"), -1);
}

GtkWidget *
sal_probabilities_new (void)
{
  return g_object_new (SAL_TYPE_PROBABILITIES, NULL);
}

static int
by_value_desc (gconstpointer a, gconstpointer b, gpointer data)
{
  const double *v = data;
  double va = v[*(const guint *) a], vb = v[*(const guint *) b];

  return va < vb ? 1 : va > vb ? -1 : (int) *(const guint *) a - (int) *(const guint *) b;
}

void
sal_probabilities_set (SalProbabilities *self, const char *const *labels, const double *values,
                       guint n)
{
  g_autoptr(GString) desc = g_string_new (NULL);

  g_return_if_fail (SAL_IS_PROBABILITIES (self));

  g_ptr_array_set_size (self->labels, 0);
  g_array_set_size (self->values, 0);
  g_clear_pointer (&self->order, g_free);
  self->order = g_new (guint, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    {
      g_ptr_array_add (self->labels, g_strdup (labels[i]));
      g_array_append_val (self->values, values[i]);
      self->order[i] = i;
    }
  g_qsort_with_data (self->order, n, sizeof (guint), by_value_desc, self->values->data);
  for (guint r = 0; r < n; r++)
    g_string_append_printf (desc, "%s%s %.1f %%", r > 0 ? ", " : "",
                            labels[self->order[r]], 100 * values[self->order[r]]);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  desc->str, -1);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

guint
sal_probabilities_get_row_index (SalProbabilities *self, guint row)
{
  g_return_val_if_fail (SAL_IS_PROBABILITIES (self), 0);
  g_return_val_if_fail (row < self->values->len, 0);
  return self->order[row];
}
