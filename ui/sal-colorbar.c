/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-ui"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>

#include "sal-method-names.h"
#include "sal-colorbar.h"

#define BAR_HEIGHT 14
#define PAD 8

struct _SalColorbar
{
  GtkWidget       parent_instance;
  gboolean        has_scale;
  SalOverlayScale scale;
  char           *caption;
};

G_DEFINE_FINAL_TYPE (SalColorbar, sal_colorbar, GTK_TYPE_WIDGET)

char *
sal_colorbar_format_caption (const char *method_id, const char *target, const char *baseline_id,
                             const char *params_json, guint32 seed)
{
  g_autoptr(GString) s = g_string_new (NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  const char *method = sal_method_display_name (method_id);

  /* Translators: caption of an explanation: method, then the class it explains */
  g_string_append_printf (s, _("%s for “%s”"), method, target != NULL ? target : "?");
  if (baseline_id != NULL)
    /* Translators: the baseline an explanation compares the image with */
    g_string_append_printf (s, _(", baseline %s"), baseline_id);
  if (params_json != NULL && json_parser_load_from_data (parser, params_json, -1, NULL)
      && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      JsonObject *o = json_node_get_object (json_parser_get_root (parser));
      g_autoptr(GList) members = json_object_get_members (o);
      gboolean first = TRUE;

      for (GList *l = members; l != NULL; l = l->next)
        {
          JsonNode *n = json_object_get_member (o, l->data);
          g_autofree char *v = NULL;

          if (!JSON_NODE_HOLDS_VALUE (n))
            continue;
          if (json_node_get_value_type (n) == G_TYPE_STRING)
            v = g_strdup (json_node_get_string (n));
          else if (json_node_get_value_type (n) == G_TYPE_INT64)
            v = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (n));
          else
            v = g_strdup_printf ("%g", json_node_get_double (n));
          g_string_append_printf (s, "%s %s %s", first ? ";" : ",", (const char *) l->data, v);
          first = FALSE;
        }
    }
  /* Translators: the random seed an explanation used, at the end of its caption */
  g_string_append_printf (s, _(" — seed %u"), seed);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static void
draw_text (cairo_t *cr, PangoLayout *layout, const char *text, double x, double y, double align)
{
  int w, h;

  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_size (layout, &w, &h);
  cairo_move_to (cr, x - w * align, y);
  pango_cairo_show_layout (cr, layout);
}

static void
sal_colorbar_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  SalColorbar *self = SAL_COLORBAR (widget);
  int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);
  double bw = width - 2 * PAD;
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, NULL);
  GdkRGBA fg;
  cairo_t *cr;
  char buf[64];

  if (bw <= 0)
    return;
G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
G_GNUC_END_IGNORE_DEPRECATIONS
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  gdk_cairo_set_source_rgba (cr, &fg);
  if (!self->has_scale)
    {
      draw_text (cr, layout, _("No explanation shown"), PAD, PAD, 0);
      cairo_destroy (cr);
      return;
    }
  /* One column per device pixel, straight from the colormap table. */
  for (int i = 0; i < (int) bw; i++)
    {
      guint8 rgb[3];
      sal_colormap_lookup (self->scale.map, (i + 0.5) / bw, rgb);
      cairo_set_source_rgb (cr, rgb[0] / 255.0, rgb[1] / 255.0, rgb[2] / 255.0);
      cairo_rectangle (cr, PAD + i, PAD, 1, BAR_HEIGHT);
      cairo_fill (cr);
    }
  gdk_cairo_set_source_rgba (cr, &fg);
  cairo_set_line_width (cr, 1);
  cairo_rectangle (cr, PAD - 0.5, PAD - 0.5, bw + 1, BAR_HEIGHT + 1);
  cairo_stroke (cr);
  g_snprintf (buf, sizeof buf, "%.3g", self->scale.vmin);
  draw_text (cr, layout, buf, PAD, PAD + BAR_HEIGHT + 2, 0);
  g_snprintf (buf, sizeof buf, "%.3g", self->scale.vmax);
  draw_text (cr, layout, buf, PAD + bw, PAD + BAR_HEIGHT + 2, 1);
  if (self->scale.vmin < 0 && self->scale.vmax > 0)
    {
      double x0 = PAD + bw * (-self->scale.vmin) / (self->scale.vmax - self->scale.vmin);
      cairo_move_to (cr, x0 + 0.5, PAD + BAR_HEIGHT);
      cairo_line_to (cr, x0 + 0.5, PAD + BAR_HEIGHT + 4);
      cairo_stroke (cr);
      draw_text (cr, layout, "0", x0, PAD + BAR_HEIGHT + 2, 0.5);
    }
  if (self->scale.threshold > 0)
    {
      g_autofree char *t = NULL;
      /* Translators: below the colour bar; pixels weaker than this are not coloured */
      t = g_strdup_printf (_("weaker than |%.3g|: not coloured"), self->scale.threshold);
      draw_text (cr, layout, t, PAD + bw / 2, PAD + BAR_HEIGHT + 20, 0.5);
    }
  if (self->caption != NULL)
    {
      pango_layout_set_width (layout, (int) bw * PANGO_SCALE);
      pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
      draw_text (cr, layout, self->caption, PAD, PAD + BAR_HEIGHT + 38, 0);
    }
  cairo_destroy (cr);
}

static void
sal_colorbar_measure (GtkWidget *widget, GtkOrientation o, int for_size, int *min, int *nat,
                      int *min_base, int *nat_base)
{
  SalColorbar *self = SAL_COLORBAR (widget);
  int caption_h = self->caption != NULL ? 40 : 0;

  if (o == GTK_ORIENTATION_HORIZONTAL)
    {
      *min = 160, *nat = 320;
      return;
    }
  /* As tall as the caption wraps to at this width (a long one takes three lines). */
  if (self->caption != NULL && for_size > 2 * PAD)
    {
      g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, self->caption);
      int h;

      pango_layout_set_width (layout, (for_size - 2 * PAD) * PANGO_SCALE);
      pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
      pango_layout_get_pixel_size (layout, NULL, &h);
      caption_h = MAX (h + 4, 20);
    }
  *min = *nat = PAD + BAR_HEIGHT + 38 + caption_h;
}

static GtkSizeRequestMode
sal_colorbar_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
sal_colorbar_finalize (GObject *object)
{
  g_free (SAL_COLORBAR (object)->caption);
  G_OBJECT_CLASS (sal_colorbar_parent_class)->finalize (object);
}

static void
sal_colorbar_class_init (SalColorbarClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = sal_colorbar_finalize;
  widget_class->snapshot = sal_colorbar_snapshot;
  widget_class->measure = sal_colorbar_measure;
  widget_class->get_request_mode = sal_colorbar_get_request_mode;
  gtk_widget_class_set_css_name (widget_class, "salcolorbar");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
sal_colorbar_init (SalColorbar *self)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Colour bar"), -1);
}

GtkWidget *
sal_colorbar_new (void)
{
  return g_object_new (SAL_TYPE_COLORBAR, NULL);
}

void
sal_colorbar_set_scale (SalColorbar *self, const SalOverlayScale *scale)
{
  g_return_if_fail (SAL_IS_COLORBAR (self));

  self->has_scale = scale != NULL;
  if (scale != NULL)
    self->scale = *scale;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
sal_colorbar_set_caption (SalColorbar *self, const char *caption)
{
  g_return_if_fail (SAL_IS_COLORBAR (self));

  if (g_strcmp0 (caption, self->caption) == 0)
    return;
  g_free (self->caption);
  self->caption = g_strdup (caption);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  caption != NULL ? caption : "", -1);
  gtk_widget_queue_resize (GTK_WIDGET (self));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

const char *
sal_colorbar_get_caption (SalColorbar *self)
{
  g_return_val_if_fail (SAL_IS_COLORBAR (self), NULL);
  return self->caption;
}
