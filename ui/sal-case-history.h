/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sal-store.h"

G_BEGIN_DECLS

#define SAL_TYPE_CASE_HISTORY (sal_case_history_get_type ())
G_DECLARE_FINAL_TYPE (SalCaseHistory, sal_case_history, SAL, CASE_HISTORY, AdwBin)

GtkWidget *sal_case_history_new           (void);
/* Lists every stored result of the case (its images', notes' and measurements'
 * explanations), newest first. store NULL or case 0: none. */
void       sal_case_history_set_case      (SalCaseHistory *self,
                                           SalStore       *store,
                                           gint64          case_id);
/* Lists the results again (after "result-stored" of a panel). */
void       sal_case_history_reload        (SalCaseHistory *self);
guint      sal_case_history_get_n_results (SalCaseHistory *self);
/* The explanation record id of the result in row `index` (0: newest). */
gint64     sal_case_history_get_result_id (SalCaseHistory *self,
                                           guint           index);
/* Asks for the result to be reopened, as activating its row does ("result-activated"). */
void       sal_case_history_activate      (SalCaseHistory *self,
                                           guint           index);

G_END_DECLS
