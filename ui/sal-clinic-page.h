/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sal-job-queue.h"
#include "sal-store.h"

G_BEGIN_DECLS

#define SAL_TYPE_CLINIC_PAGE (sal_clinic_page_get_type ())
G_DECLARE_FINAL_TYPE (SalClinicPage, sal_clinic_page, SAL, CLINIC_PAGE, AdwBin)

GtkWidget *sal_clinic_page_new            (void);
/* The page takes the application's store and job queue when first shown; tests may
 * give their own first. The first store a page gets is seeded with the demo cases
 * when that database never had them. */
void       sal_clinic_page_set_store      (SalClinicPage *self,
                                           SalStore      *store,
                                           SalJobQueue   *jobs);
/* Opens files as a drop does: PNG images into a new case (new_case) or the shown
 * one, text files as notes of that case. */
void       sal_clinic_page_open_files     (SalClinicPage *self,
                                           GFile        **files,
                                           guint          n_files,
                                           gboolean       new_case);
/* Shows a case (0: none) and a tab of it ("images", "notes", "measurements",
 * "history"; NULL: keep the tab). */
void       sal_clinic_page_show_case      (SalClinicPage *self,
                                           gint64         case_id,
                                           const char    *tab);
gint64     sal_clinic_page_get_case       (SalClinicPage *self);
/* The case ids listed in the sidebar, in order (after a search: the matches). */
GArray    *sal_clinic_page_list_shown     (SalClinicPage *self);
void       sal_clinic_page_set_search     (SalClinicPage *self,
                                           const char    *text);
/* Writes the shown case's report to the file in the background; a toast tells the
 * outcome. */
void       sal_clinic_page_export_report  (SalClinicPage *self,
                                           GFile         *file);
/* TRUE while a job of the page runs. */
gboolean   sal_clinic_page_is_busy        (SalClinicPage *self);
/* The title of the newest toast the page showed (tests). */
const char *sal_clinic_page_get_last_toast (SalClinicPage *self);

G_END_DECLS
