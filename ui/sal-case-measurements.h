/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sal-job-queue.h"
#include "sal-store.h"

G_BEGIN_DECLS

/* A case's measurements: a form built from the risk model's features (units, plausible
 * ranges), saved to the case, and Run: the risk and its exact Shapley values over the
 * feature groups as a waterfall. Emits "result-stored" (gint64 explanation id) when a
 * run has stored its result. */
#define SAL_TYPE_CASE_MEASUREMENTS (sal_case_measurements_get_type ())
G_DECLARE_FINAL_TYPE (SalCaseMeasurements, sal_case_measurements, SAL, CASE_MEASUREMENTS, AdwBin)

GtkWidget *sal_case_measurements_new         (void);
/* store NULL or case_id 0: the empty state. A run in progress for the case shown
 * before is cancelled (a cancelled run stores nothing). */
void       sal_case_measurements_set_case    (SalCaseMeasurements *self,
                                              SalStore            *store,
                                              SalJobQueue         *jobs,
                                              gint64               case_id);
/* Shows a stored measurements result exactly as it was, its inputs in the form. */
void       sal_case_measurements_show_result (SalCaseMeasurements *self,
                                              gint64               explanation_id);

G_END_DECLS
