/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include "sal-job-queue.h"

#include "sal-session.h"

G_BEGIN_DECLS

#define SAL_TYPE_APPLICATION (sal_application_get_type ())
G_DECLARE_FINAL_TYPE (SalApplication, sal_application, SAL, APPLICATION, AdwApplication)

/* Sets up locale and gettext: the catalogue comes from $SALIENT_LOCALEDIR when set
 * (tests point it at the build's po/ folder), else from the installed locale dir. */
void            sal_i18n_init                 (void);
/* Sets up locale and gettext, creates the application and runs it. */
int             sal_application_run_main      (int               argc,
                                               char            **argv);
/* Single-instance unless @flags say otherwise; SALIENT_TEST=1 in the environment
 * adds G_APPLICATION_NON_UNIQUE. */
SalApplication *sal_application_new           (GApplicationFlags flags);
GSettings      *sal_application_get_settings  (SalApplication   *self);
/* The database given with --db (absolute), or NULL for the default one. */
const char     *sal_application_get_db_path   (SalApplication   *self);
gboolean        sal_application_get_kiosk     (SalApplication   *self);
/* Before the application starts up (what --kiosk does; for tests). */
void            sal_application_set_kiosk     (SalApplication   *self,
                                               gboolean          kiosk);
/* The session's one database connection, opened on first use: the --db file, the
 * default one, or a private in-memory database for the kiosk; the shipped models
 * are registered on opening. NULL with an error a person can act on. */
SalStore       *sal_application_get_store     (SalApplication   *self,
                                               GError          **error);
/* The session's one job queue; its thread count follows the engine-threads setting
 * (0: cores − 1, at least one). */
SalJobQueue    *sal_application_get_job_queue (SalApplication   *self);

G_END_DECLS
