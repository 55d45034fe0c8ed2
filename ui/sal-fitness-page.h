/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define SAL_TYPE_FITNESS_PAGE (sal_fitness_page_get_type ())
G_DECLARE_FINAL_TYPE (SalFitnessPage, sal_fitness_page, SAL, FITNESS_PAGE, AdwBin)

GtkWidget *sal_fitness_page_new (void);

G_END_DECLS
