/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Up to four explanations of one image side by side, each captioned and with its
 * colour bar. The views share one view state (zoom, centre, window, invert), so
 * zooming or panning one moves them all, and the pairwise agreement of the maps
 * (Spearman rank correlation of their absolute values) is written under them. */

#include <gtk/gtk.h>

#include "sal-analysis.h"
#include "sal-image-view.h"

G_BEGIN_DECLS

#define SAL_METHOD_COMPARE_MAX 4

#define SAL_TYPE_METHOD_COMPARE (sal_method_compare_get_type ())
G_DECLARE_FINAL_TYPE (SalMethodCompare, sal_method_compare, SAL, METHOD_COMPARE, GtkWidget)

GtkWidget    *sal_method_compare_new           (void);
/* Copies @image (NULL clears the views and results). */
void          sal_method_compare_set_image     (SalMethodCompare           *self,
                                                const SalImage             *image);
/* Adds a result in the next free place (at most SAL_METHOD_COMPARE_MAX; one of
 * the same method replaces it). */
void          sal_method_compare_add_result    (SalMethodCompare           *self,
                                                const SalAttributionResult *result);
void          sal_method_compare_clear_results (SalMethodCompare           *self);
guint         sal_method_compare_get_n_results (SalMethodCompare           *self);
void          sal_method_compare_set_overlay_style (SalMethodCompare      *self,
                                                    const SalOverlayStyle *style);
/* The view of place @i (0 .. SAL_METHOD_COMPARE_MAX − 1); the first drives the others. */
SalImageView *sal_method_compare_get_view      (SalMethodCompare           *self,
                                                guint                       i);
/* Agreement of places i and j (NAN when either is empty or constant). */
double        sal_method_compare_get_agreement (SalMethodCompare           *self,
                                                guint                       i,
                                                guint                       j);

G_END_DECLS
