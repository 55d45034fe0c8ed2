/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include "sal-application.h"

G_BEGIN_DECLS

#define SAL_TYPE_WINDOW (sal_window_get_type ())
G_DECLARE_FINAL_TYPE (SalWindow, sal_window, SAL, WINDOW, AdwApplicationWindow)

SalWindow *sal_window_new (SalApplication *app);

G_END_DECLS
