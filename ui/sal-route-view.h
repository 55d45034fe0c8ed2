/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* The shape of a route from its coordinates (no map tiles): an equirectangular
 * projection around the route's mean latitude, kept to scale, with start (green) and
 * finish (red) marks and a scale bar. */
#define SAL_TYPE_ROUTE_VIEW (sal_route_view_get_type ())
G_DECLARE_FINAL_TYPE (SalRouteView, sal_route_view, SAL, ROUTE_VIEW, GtkWidget)

GtkWidget *sal_route_view_new         (void);
/* samples: GArray of SalSample (copied: only positions are kept); NULL clears. */
void       sal_route_view_set_samples (SalRouteView *self, const GArray *samples);
guint      sal_route_view_get_n_points (SalRouteView *self);
/* The scale bar in miles rather than metres and kilometres. */
void       sal_route_view_set_miles   (SalRouteView *self, gboolean miles);

G_END_DECLS
