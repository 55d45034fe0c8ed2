/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define SAL_TYPE_MODELS_PAGE (sal_models_page_get_type ())
G_DECLARE_FINAL_TYPE (SalModelsPage, sal_models_page, SAL, MODELS_PAGE, AdwBin)

GtkWidget *sal_models_page_new (void);

G_END_DECLS
