/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Class probabilities as labelled horizontal bars, largest first, each with
 * its percentage written next to it. */

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define SAL_TYPE_PROBABILITIES (sal_probabilities_get_type ())
G_DECLARE_FINAL_TYPE (SalProbabilities, sal_probabilities, SAL, PROBABILITIES, GtkWidget)

GtkWidget *sal_probabilities_new  (void);
/* labels: n strings; values in [0, 1]. n = 0 clears. Copies both. */
void       sal_probabilities_set  (SalProbabilities  *self,
                                   const char *const *labels,
                                   const double      *values,
                                   guint              n);
/* The row order as drawn (indices into the values given), for tests. */
guint      sal_probabilities_get_row_index (SalProbabilities *self,
                                            guint             row);

G_END_DECLS
