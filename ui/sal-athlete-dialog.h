/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

typedef struct _SalStore SalStore;

/* The athlete profile: sex, birth year, weight, resting, maximum and threshold heart
 * rates, and five heart-rate zones computed by %HRmax, heart-rate reserve (Karvonen) or
 * LTHR, each boundary editable. Emits "saved" after storing. */
#define SAL_TYPE_ATHLETE_DIALOG (sal_athlete_dialog_get_type ())
G_DECLARE_FINAL_TYPE (SalAthleteDialog, sal_athlete_dialog, SAL, ATHLETE_DIALOG, AdwWindow)

SalAthleteDialog *sal_athlete_dialog_new       (GtkWindow *parent, SalStore *store);
/* As the buttons do; FALSE with the message shown. For tests. */
gboolean          sal_athlete_dialog_compute_zones (SalAthleteDialog *self, int method);
gboolean          sal_athlete_dialog_save      (SalAthleteDialog *self);
/* Zone boundary spin button: zone 0..4, high or low. For tests. */
GtkSpinButton    *sal_athlete_dialog_get_zone_spin (SalAthleteDialog *self, guint zone,
                                                    gboolean high);

G_END_DECLS
