/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define SAL_TYPE_APPLICATION (sal_application_get_type ())
G_DECLARE_FINAL_TYPE (SalApplication, sal_application, SAL, APPLICATION, AdwApplication)

/* Sets up locale and gettext, creates the application and runs it. */
int             sal_application_run_main (int argc, char **argv);
SalApplication *sal_application_new      (GApplicationFlags flags);
GSettings      *sal_application_get_settings (SalApplication *self);

G_END_DECLS
