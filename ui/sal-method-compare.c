/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-ui"

#include "config.h"

#include "sal-method-compare.h"   /* first: it pulls in the engine's types */

#include <glib/gi18n.h>
#include <math.h>

#include "sal-method-names.h"
#include "sal-colorbar.h"

typedef struct {
  GtkWidget            *box;
  GtkWidget            *title;
  GtkWidget            *caption;
  SalImageView         *view;
  SalColorbar          *colorbar;
  SalAttributionResult *result;
} Place;

struct _SalMethodCompare
{
  GtkWidget  parent_instance;
  GtkWidget *grid;
  GtkWidget *agreement;
  Place      places[SAL_METHOD_COMPARE_MAX];
  guint      n;
  gboolean   syncing;
};

G_DEFINE_FINAL_TYPE (SalMethodCompare, sal_method_compare, GTK_TYPE_WIDGET)

/* One view moved: the others follow (the flag stops the echo). */
static void
view_changed_cb (SalImageView *source, GParamSpec *pspec, SalMethodCompare *self)
{
  SalViewState s;
  double c, w;

  if (self->syncing)
    return;
  self->syncing = TRUE;
  sal_image_view_get_state (source, &s);
  sal_image_view_get_window (source, &c, &w);
  for (guint i = 0; i < SAL_METHOD_COMPARE_MAX; i++)
    {
      SalImageView *v = self->places[i].view;

      if (v == source)
        continue;
      if (sal_image_view_get_fit (source))
        sal_image_view_set_fit (v, TRUE);
      else
        {
          sal_image_view_set_zoom (v, s.zoom);
          sal_image_view_set_center (v, s.cx, s.cy);
        }
      sal_image_view_set_window (v, c, w);
      sal_image_view_set_invert (v, sal_image_view_get_invert (source));
    }
  self->syncing = FALSE;
}

static void
update_colorbar (Place *p)
{
  SalOverlayScale scale;

  sal_colorbar_set_scale (p->colorbar, sal_image_view_get_overlay_scale (p->view, &scale)
                                         ? &scale : NULL);
}

static const char *
agreement_word (double rho)
{
  if (rho >= 0.7)
    return _("strong");
  if (rho >= 0.4)
    return _("moderate");
  return _("weak");
}

/* Places the cells (1: one, 2: side by side, 3–4: two by two) and writes the
 * agreement of every pair. */
static void
relayout (SalMethodCompare *self)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < SAL_METHOD_COMPARE_MAX; i++)
    {
      Place *p = &self->places[i];
      GtkLayoutManager *lm = gtk_widget_get_layout_manager (self->grid);
      GtkGridLayoutChild *child = GTK_GRID_LAYOUT_CHILD (gtk_layout_manager_get_layout_child (lm, p->box));

      gtk_widget_set_visible (p->box, i < MAX (self->n, 1));
      gtk_grid_layout_child_set_column (child, self->n <= 2 ? (int) i : (int) i % 2);
      gtk_grid_layout_child_set_row (child, self->n <= 2 ? 0 : (int) i / 2);
    }
  for (guint i = 0; i < self->n; i++)
    for (guint j = i + 1; j < self->n; j++)
      {
        double rho = sal_method_compare_get_agreement (self, i, j);

        if (text->len > 0)
          g_string_append (text, " · ");
        if (isnan (rho))
          /* Translators: agreement of two explanation methods that cannot be computed */
          g_string_append_printf (text, _("%s–%s: none (a map is constant)"),
                                  sal_method_display_name (self->places[i].result->method),
                                  sal_method_display_name (self->places[j].result->method));
        else
          /* Translators: agreement of two explanation methods: names, ρ, a word (strong …) */
          g_string_append_printf (text, _("%s–%s %.2f (%s)"),
                                  sal_method_display_name (self->places[i].result->method),
                                  sal_method_display_name (self->places[j].result->method), rho,
                                  agreement_word (rho));
      }
  if (self->n >= 2)
    {
      /* Translators: heading of the agreement lines under the compared maps */
      g_string_prepend (text, _("Agreement of the maps (rank correlation ρ of their magnitudes): "));
      gtk_label_set_text (GTK_LABEL (self->agreement), text->str);
    }
  gtk_widget_set_visible (self->agreement, self->n >= 2);
}

static void
set_place (Place *p, const SalAttributionResult *r)
{
  g_autofree char *caption = NULL;

  g_clear_pointer (&p->result, sal_attribution_result_free);
  if (r == NULL)
    {
      sal_image_view_set_attribution (p->view, NULL, 0, 0);
      gtk_label_set_text (GTK_LABEL (p->title), _("Waiting for a result"));
      gtk_label_set_text (GTK_LABEL (p->caption), "");
      sal_colorbar_set_scale (p->colorbar, NULL);
      return;
    }
  p->result = sal_attribution_result_copy (r);
  sal_image_view_set_attribution (p->view, r->attribution, r->width, r->height);
  caption = sal_colorbar_format_caption (r->method, r->target, r->baseline, r->params_json,
                                         r->seed);
  gtk_label_set_text (GTK_LABEL (p->title), sal_method_display_name (r->method));
  gtk_label_set_text (GTK_LABEL (p->caption), caption);
  gtk_accessible_update_property (GTK_ACCESSIBLE (p->view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  caption, -1);
  update_colorbar (p);
}

void
sal_method_compare_set_image (SalMethodCompare *self, const SalImage *image)
{
  g_return_if_fail (SAL_IS_METHOD_COMPARE (self));

  sal_method_compare_clear_results (self);
  self->syncing = TRUE;
  for (guint i = 0; i < SAL_METHOD_COMPARE_MAX; i++)
    sal_image_view_set_image (self->places[i].view, image);
  self->syncing = FALSE;
}

void
sal_method_compare_add_result (SalMethodCompare *self, const SalAttributionResult *r)
{
  guint i;

  g_return_if_fail (SAL_IS_METHOD_COMPARE (self));
  g_return_if_fail (r != NULL);

  for (i = 0; i < self->n; i++)
    if (g_strcmp0 (self->places[i].result->method, r->method) == 0)
      break;
  if (i == SAL_METHOD_COMPARE_MAX)
    return;
  set_place (&self->places[i], r);
  self->n = MAX (self->n, i + 1);
  relayout (self);
}

void
sal_method_compare_clear_results (SalMethodCompare *self)
{
  g_return_if_fail (SAL_IS_METHOD_COMPARE (self));

  for (guint i = 0; i < SAL_METHOD_COMPARE_MAX; i++)
    set_place (&self->places[i], NULL);
  self->n = 0;
  relayout (self);
}

guint
sal_method_compare_get_n_results (SalMethodCompare *self)
{
  g_return_val_if_fail (SAL_IS_METHOD_COMPARE (self), 0);
  return self->n;
}

void
sal_method_compare_set_overlay_style (SalMethodCompare *self, const SalOverlayStyle *style)
{
  g_return_if_fail (SAL_IS_METHOD_COMPARE (self));

  for (guint i = 0; i < SAL_METHOD_COMPARE_MAX; i++)
    {
      sal_image_view_set_overlay_style (self->places[i].view, style);
      update_colorbar (&self->places[i]);
    }
}

SalImageView *
sal_method_compare_get_view (SalMethodCompare *self, guint i)
{
  g_return_val_if_fail (SAL_IS_METHOD_COMPARE (self), NULL);
  g_return_val_if_fail (i < SAL_METHOD_COMPARE_MAX, NULL);
  return self->places[i].view;
}

double
sal_method_compare_get_agreement (SalMethodCompare *self, guint i, guint j)
{
  const SalAttributionResult *a, *b;

  g_return_val_if_fail (SAL_IS_METHOD_COMPARE (self), NAN);
  if (i >= self->n || j >= self->n)
    return NAN;
  a = self->places[i].result;
  b = self->places[j].result;
  return sal_analysis_agreement (a->attribution, a->width, a->height, b->attribution, b->width,
                                 b->height);
}

static void
sal_method_compare_dispose (GObject *object)
{
  SalMethodCompare *self = SAL_METHOD_COMPARE (object);

  for (guint i = 0; i < SAL_METHOD_COMPARE_MAX; i++)
    {
      if (self->places[i].view != NULL)
        g_signal_handlers_disconnect_by_data (self->places[i].view, self);
      g_clear_pointer (&self->places[i].result, sal_attribution_result_free);
    }
  g_clear_pointer (&self->grid, gtk_widget_unparent);
  g_clear_pointer (&self->agreement, gtk_widget_unparent);
  G_OBJECT_CLASS (sal_method_compare_parent_class)->dispose (object);
}

static void
sal_method_compare_class_init (SalMethodCompareClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sal_method_compare_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "salmethodcompare");
}

static void
sal_method_compare_init (SalMethodCompare *self)
{
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));
  const char *props[] = { "notify::zoom", "notify::center-x", "notify::center-y", "notify::fit",
                          "notify::window-center", "notify::window-width", "notify::invert" };

  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 6);
  self->grid = gtk_grid_new ();
  gtk_grid_set_row_homogeneous (GTK_GRID (self->grid), TRUE);
  gtk_grid_set_column_homogeneous (GTK_GRID (self->grid), TRUE);
  gtk_grid_set_row_spacing (GTK_GRID (self->grid), 6);
  gtk_grid_set_column_spacing (GTK_GRID (self->grid), 6);
  gtk_widget_set_vexpand (self->grid, TRUE);
  gtk_widget_set_parent (self->grid, GTK_WIDGET (self));
  for (guint i = 0; i < SAL_METHOD_COMPARE_MAX; i++)
    {
      Place *p = &self->places[i];

      p->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
      p->title = gtk_label_new (NULL);
      gtk_label_set_xalign (GTK_LABEL (p->title), 0);
      gtk_widget_add_css_class (p->title, "heading");
      p->caption = gtk_label_new (NULL);
      gtk_label_set_xalign (GTK_LABEL (p->caption), 0);
      gtk_label_set_wrap (GTK_LABEL (p->caption), TRUE);
      gtk_label_set_lines (GTK_LABEL (p->caption), 2);
      gtk_label_set_ellipsize (GTK_LABEL (p->caption), PANGO_ELLIPSIZE_END);
      gtk_widget_add_css_class (p->caption, "caption");
      gtk_widget_add_css_class (p->caption, "dim-label");
      p->view = SAL_IMAGE_VIEW (sal_image_view_new ());
      gtk_widget_set_vexpand (GTK_WIDGET (p->view), TRUE);
      gtk_widget_set_hexpand (GTK_WIDGET (p->view), TRUE);
      gtk_widget_set_size_request (GTK_WIDGET (p->view), 120, 120);
      p->colorbar = SAL_COLORBAR (sal_colorbar_new ());
      gtk_box_append (GTK_BOX (p->box), p->title);
      gtk_box_append (GTK_BOX (p->box), p->caption);
      gtk_box_append (GTK_BOX (p->box), GTK_WIDGET (p->view));
      gtk_box_append (GTK_BOX (p->box), GTK_WIDGET (p->colorbar));
      gtk_grid_attach (GTK_GRID (self->grid), p->box, (int) i % 2, (int) i / 2, 1, 1);
      for (guint k = 0; k < G_N_ELEMENTS (props); k++)
        g_signal_connect (p->view, props[k], G_CALLBACK (view_changed_cb), self);
      set_place (p, NULL);
    }
  self->agreement = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->agreement), 0);
  gtk_label_set_wrap (GTK_LABEL (self->agreement), TRUE);
  gtk_widget_set_parent (self->agreement, GTK_WIDGET (self));
  relayout (self);
}

GtkWidget *
sal_method_compare_new (void)
{
  return g_object_new (SAL_TYPE_METHOD_COMPARE, NULL);
}
