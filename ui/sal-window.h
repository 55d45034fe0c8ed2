/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include "sal-application.h"

G_BEGIN_DECLS

#define SAL_TYPE_WINDOW (sal_window_get_type ())
G_DECLARE_FINAL_TYPE (SalWindow, sal_window, SAL, WINDOW, AdwApplicationWindow)

SalWindow    *sal_window_new               (SalApplication *app);
AdwViewStack *sal_window_get_view_stack    (SalWindow      *self);
const char   *sal_window_get_page          (SalWindow      *self);
void          sal_window_set_page          (SalWindow      *self,
                                            const char     *name);
void          sal_window_save_state        (SalWindow      *self);
void          sal_window_open_files        (SalWindow      *self,
                                            GFile         **files,
                                            int             n_files);
GListModel   *sal_window_get_pending_files (SalWindow      *self);

G_END_DECLS
