/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The checks returned with an image explanation as badges: completeness gap
 * (Integrated Gradients), deletion and insertion AUC, and the model-
 * randomisation sanity check. Each badge shows pass or warn (colour and icon)
 * and opens a plain-language explanation of what it measured. For methods that
 * stay close to the input (Gradient × Input, Integrated Gradients) a note
 * beside the sanity badge says that they often track the image itself. */

#include <gtk/gtk.h>

#include "sal-analysis.h"

G_BEGIN_DECLS

#define SAL_TYPE_CHECK_BADGES (sal_check_badges_get_type ())
G_DECLARE_FINAL_TYPE (SalCheckBadges, sal_check_badges, SAL, CHECK_BADGES, GtkWidget)

typedef enum {
  SAL_CHECK_PASS,
  SAL_CHECK_WARN,
} SalCheckVerdict;

GtkWidget  *sal_check_badges_new        (void);
/* NULL clears. Reads the numbers of @result (and its checks_json). */
void        sal_check_badges_set_result (SalCheckBadges             *self,
                                         const SalAttributionResult *result);
/* For tests and the report: the badges shown, in order ("completeness",
 * "deletion", "insertion", "sanity"), their verdicts and explanations. */
guint       sal_check_badges_get_n      (SalCheckBadges *self);
const char *sal_check_badges_get_id     (SalCheckBadges *self, guint i);
SalCheckVerdict sal_check_badges_get_verdict (SalCheckBadges *self, guint i);
const char *sal_check_badges_get_explanation (SalCheckBadges *self, guint i);
/* The note beside the sanity badge, or NULL. */
const char *sal_check_badges_get_note   (SalCheckBadges *self);

G_END_DECLS
