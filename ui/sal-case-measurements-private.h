/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* For tests: what the form and the result show, without walking the widget tree. */

#include "sal-case-measurements.h"
#include "sal-waterfall-chart.h"

G_BEGIN_DECLS

/* TRUE while the model is loading or a run is in progress. */
gboolean           sal_case_measurements_is_busy       (SalCaseMeasurements *self);
/* The form is built (the model's features are known). */
gboolean           sal_case_measurements_is_ready      (SalCaseMeasurements *self);
guint              sal_case_measurements_get_n_fields  (SalCaseMeasurements *self);
/* The spin button of the feature called name (the model's name), or NULL. */
GtkSpinButton     *sal_case_measurements_get_spin      (SalCaseMeasurements *self,
                                                        const char          *name);
/* The validation message ("" when the values can be run). */
const char        *sal_case_measurements_get_message   (SalCaseMeasurements *self);
/* The explanation shown (0: none), its risk and the chart. */
gint64             sal_case_measurements_get_result_id (SalCaseMeasurements *self);
double             sal_case_measurements_get_risk      (SalCaseMeasurements *self);
SalWaterfallChart *sal_case_measurements_get_chart     (SalCaseMeasurements *self);

G_END_DECLS
