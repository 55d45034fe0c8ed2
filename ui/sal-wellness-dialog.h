/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

typedef struct _SalStore SalStore;

/* The daily wellness entry: sleep, soreness, resting heart rate and mood of one day
 * (replacing that day's entry). Emits "saved" after storing. */
#define SAL_TYPE_WELLNESS_DIALOG (sal_wellness_dialog_get_type ())
G_DECLARE_FINAL_TYPE (SalWellnessDialog, sal_wellness_dialog, SAL, WELLNESS_DIALOG, AdwWindow)

SalWellnessDialog *sal_wellness_dialog_new  (GtkWindow *parent, SalStore *store, GTimeZone *tz);
/* As the Save button; FALSE with the message shown. For tests. */
gboolean           sal_wellness_dialog_save (SalWellnessDialog *self);

G_END_DECLS
