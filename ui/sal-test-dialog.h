/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

typedef struct _SalStore SalStore;

/* A performance test as its own entry: a 5 km time trial (stored in seconds, kind
 * "5k-time"), functional threshold power ("ftp", W) or VO₂max ("vo2max", ml/kg/min).
 * Emits "saved" after storing. */
#define SAL_TYPE_TEST_DIALOG (sal_test_dialog_get_type ())
G_DECLARE_FINAL_TYPE (SalTestDialog, sal_test_dialog, SAL, TEST_DIALOG, AdwWindow)

SalTestDialog *sal_test_dialog_new  (GtkWindow *parent, SalStore *store, GTimeZone *tz);
/* As the Save button; FALSE with the message shown. For tests. */
gboolean       sal_test_dialog_save (SalTestDialog *self);

G_END_DECLS
