/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define SAL_TYPE_CLINIC_PAGE (sal_clinic_page_get_type ())
G_DECLARE_FINAL_TYPE (SalClinicPage, sal_clinic_page, SAL, CLINIC_PAGE, AdwBin)

GtkWidget *sal_clinic_page_new (void);

G_END_DECLS
