/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define SAL_TYPE_FITNESS_PAGE (sal_fitness_page_get_type ())
G_DECLARE_FINAL_TYPE (SalFitnessPage, sal_fitness_page, SAL, FITNESS_PAGE, AdwBin)

typedef struct _SalStore SalStore;

GtkWidget *sal_fitness_page_new          (void);
/* The page opens the application's database when first shown; tests may give one. */
void       sal_fitness_page_set_store    (SalFitnessPage     *self,
                                          SalStore           *store);
/* Time zone for local days (NULL: the system's) and "today" (0: the real today). */
void       sal_fitness_page_set_time     (SalFitnessPage     *self,
                                          GTimeZone          *tz,
                                          gint64              day);
/* Imports the files in the background (as a drop does). */
void       sal_fitness_page_import_files (SalFitnessPage     *self,
                                          const char * const *paths);
void       sal_fitness_page_open_workout (SalFitnessPage     *self,
                                          gint64              id);
/* Read-only (the kiosk): every action that would change data or open a file chooser
 * stays disabled, whatever the page's state. */
void       sal_fitness_page_set_read_only (SalFitnessPage   *self,
                                           gboolean          read_only);
/* TRUE while a job of the page runs. */
gboolean   sal_fitness_page_is_busy      (SalFitnessPage     *self);

G_END_DECLS
