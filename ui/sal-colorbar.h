/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The colour bar of an explanation overlay: the colormap from the value shown
 * at its left end to the value at its right end, with those values (and zero
 * for signed maps) written under it, the threshold below which nothing is
 * drawn, and a caption stating method, target, baseline and parameters. */

#include <gtk/gtk.h>

#include "sal-overlay.h"

G_BEGIN_DECLS

#define SAL_TYPE_COLORBAR (sal_colorbar_get_type ())
G_DECLARE_FINAL_TYPE (SalColorbar, sal_colorbar, SAL, COLORBAR, GtkWidget)

GtkWidget  *sal_colorbar_new         (void);
/* NULL scale: nothing to show (the bar says so). */
void        sal_colorbar_set_scale   (SalColorbar           *self,
                                      const SalOverlayScale *scale);
void        sal_colorbar_set_caption (SalColorbar           *self,
                                      const char            *caption);
const char *sal_colorbar_get_caption (SalColorbar           *self);

/* The caption of an explanation, translated: "Integrated Gradients for
 * “present”, baseline black; steps 64 — seed 1". baseline and params_json
 * (an object of numbers and strings) may be NULL. */
char       *sal_colorbar_format_caption (const char *method_id,
                                         const char *target,
                                         const char *baseline_id,
                                         const char *params_json,
                                         guint32     seed);

G_END_DECLS
