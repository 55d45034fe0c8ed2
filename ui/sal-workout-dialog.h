/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

typedef struct _SalStore SalStore;

/* The logging dialog: a new session, or (given a stored workout) its sport, title, effort
 * and notes. Checks what was typed and says what to fix; emits "saved" with the
 * workout's id after storing it. */
#define SAL_TYPE_WORKOUT_DIALOG (sal_workout_dialog_get_type ())
G_DECLARE_FINAL_TYPE (SalWorkoutDialog, sal_workout_dialog, SAL, WORKOUT_DIALOG, AdwWindow)

/* workout (a SalWorkout*, borrowed) NULL: a new session on today's date in tz. */
SalWorkoutDialog *sal_workout_dialog_new (GtkWindow  *parent,
                                          SalStore   *store,
                                          GTimeZone  *tz,
                                          gconstpointer workout);
/* Tries to save, as the Save button does; FALSE with the message shown. For tests. */
gboolean          sal_workout_dialog_save (SalWorkoutDialog *self);
const char       *sal_workout_dialog_get_error (SalWorkoutDialog *self);
/* Distances typed (and shown) in miles instead of kilometres. */
void              sal_workout_dialog_set_miles (SalWorkoutDialog *self, gboolean miles);
/* Strength loads typed in pounds instead of kilograms. */
void              sal_workout_dialog_set_pounds (SalWorkoutDialog *self, gboolean pounds);

G_END_DECLS
