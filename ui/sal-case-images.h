/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The Clinic's Images panel: the images of one case as a strip of thumbnails, the
 * image view, a model chooser, Run (class probabilities) and Explain (a background
 * job with progress and Cancel) with the overlay's controls, colour bar, caption and
 * checks, and a comparison of up to four methods side by side. Every result it makes
 * is stored; "result-stored" gives its explanation id, and show_result() reopens a
 * stored one exactly as it was. The "kiosk" property hides file actions and uses
 * larger touch targets. */

#include <adwaita.h>

#include "sal-job-queue.h"
#include "sal-store.h"

G_BEGIN_DECLS

#define SAL_TYPE_CASE_IMAGES (sal_case_images_get_type ())
G_DECLARE_FINAL_TYPE (SalCaseImages, sal_case_images, SAL, CASE_IMAGES, AdwBin)

GtkWidget *sal_case_images_new         (void);
/* store NULL or case_id 0: the empty state. Keeps references to store and jobs. */
void       sal_case_images_set_case    (SalCaseImages *self,
                                        SalStore      *store,
                                        SalJobQueue   *jobs,
                                        gint64         case_id);
/* Imports PNGs into the current case: all of them or, on any error, none. */
gboolean   sal_case_images_add_files   (SalCaseImages *self,
                                        GFile        **files,
                                        guint          n_files,
                                        GError       **error);
/* Reopens a stored result (History): image, model, method, parameters, overlay
 * and checks as they were. */
void       sal_case_images_show_result (SalCaseImages *self,
                                        gint64         explanation_id);

G_END_DECLS
