/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define SAL_TYPE_PREFERENCES_WINDOW (sal_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (SalPreferencesWindow, sal_preferences_window, SAL, PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

/* A preferences window whose rows read and write @settings (org.salient.Salient). */
SalPreferencesWindow *sal_preferences_window_new (GSettings *settings);

G_END_DECLS
