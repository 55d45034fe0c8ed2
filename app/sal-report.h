/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The case report: one PDF (Cairo PDF surface, PangoCairo text; no GTK) with the case's
 * images and their newest explanation drawn over them (colour bar, caption, checks),
 * probabilities, notes with their tokens highlighted by attribution, the measurements
 * with their Shapley waterfall, a summary of each model's card, the date, and the
 * disclaimer the cards require. Written to a temporary file and renamed into place, and
 * logged in the audit log as "export". */

#include <glib.h>

#include "sal-store.h"

G_BEGIN_DECLS

#define SAL_REPORT_ERROR (sal_report_error_quark ())

typedef enum {
  SAL_REPORT_ERROR_FAILED,
  SAL_REPORT_ERROR_NOT_FOUND,
} SalReportError;

GQuark sal_report_error_quark (void);

/* The sentence every report carries (translated). */
const char *sal_report_disclaimer (void);

/* models_dir: where the models' cards (NAME.md) are, or NULL (the card is then read from
 * the model record's salient.card metadata when there). */
gboolean sal_report_write_case (SalStore   *store,
                                gint64      case_id,
                                const char *models_dir,
                                const char *out_path,
                                GError    **error);

G_END_DECLS
