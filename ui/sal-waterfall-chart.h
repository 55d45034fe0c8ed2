/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define SAL_TYPE_WATERFALL_CHART (sal_waterfall_chart_get_type ())
G_DECLARE_FINAL_TYPE (SalWaterfallChart, sal_waterfall_chart, SAL, WATERFALL_CHART, GtkWidget)

GtkWidget *sal_waterfall_chart_new      (void);
/* names and values: n each (copied); expected = E[f], prediction = f(x). n = 0 clears. */
void       sal_waterfall_chart_set_data (SalWaterfallChart  *self,
                                         double              expected,
                                         double              prediction,
                                         const char * const *names,
                                         const double       *values,
                                         guint               n);
guint      sal_waterfall_chart_get_n    (SalWaterfallChart  *self);
/* What is drawn: the steps in the order given (n of them), E[f] and f(x). */
const double *sal_waterfall_chart_get_values     (SalWaterfallChart *self);
double        sal_waterfall_chart_get_expected   (SalWaterfallChart *self);
double        sal_waterfall_chart_get_prediction (SalWaterfallChart *self);

G_END_DECLS
