/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* An image view for 8- and 16-bit grey or RGB images: zoom, pan, fit, 1:1,
 * window/level, invert, a readout under the pointer and an attribution
 * overlay. It renders its visible region itself (nearest sampling when zoomed
 * in, box-filtered when zoomed out), because GTK 4.8 cannot scale a texture
 * with nearest filtering. Zoom and centre are properties, so several views can
 * be bound together (compare) and touch gestures (kiosk) reuse the same maths. */

#include <gtk/gtk.h>

#include "sal-image.h"
#include "sal-overlay.h"

G_BEGIN_DECLS

#define SAL_IMAGE_VIEW_MIN_ZOOM (1.0 / 64.0)
#define SAL_IMAGE_VIEW_MAX_ZOOM 64.0

/* --- pure view maths (no widget), shared by mouse, keys and touch --- */

/* The view maps image point (ix, iy) to widget point
 * (vw / 2 + (ix - cx) * zoom, vh / 2 + (iy - cy) * zoom). */
typedef struct {
  double zoom;      /* screen pixels per image pixel */
  double cx, cy;    /* image point at the centre of the view */
} SalViewState;

double sal_image_view_clamp_zoom (double zoom);
/* The zoom that shows a whole iw × ih image in a vw × vh view. */
double sal_image_view_fit_zoom   (int iw, int ih, double vw, double vh);
/* Zooms by @factor keeping the image point under widget point (ax, ay) fixed. */
void   sal_image_view_zoom_about (SalViewState *state, double factor,
                                  double ax, double ay, double vw, double vh);
/* A pinch: @start is the state when the gesture began, with its centre
 * (the bounding-box centre of the touches) at (sx, sy); now the touches are
 * @scale times as far apart and centred at (nx, ny). The image point that was
 * under the start centre follows the fingers. */
void   sal_image_view_pinch      (const SalViewState *start, double scale,
                                  double sx, double sy, double nx, double ny,
                                  double vw, double vh, SalViewState *out);
/* Window/level: value v (in the image's own range) to a grey level 0..255;
 * centre c and width w (w >= 1) as in DICOM: values below c - w/2 are black,
 * above c + w/2 white. */
guint8 sal_image_view_window_level (double v, double c, double w, gboolean invert);

/* --- the widget --- */

#define SAL_TYPE_IMAGE_VIEW (sal_image_view_get_type ())
G_DECLARE_FINAL_TYPE (SalImageView, sal_image_view, SAL, IMAGE_VIEW, GtkWidget)

typedef enum {
  SAL_WINDOW_PRESET_FULL,      /* the whole value range of the bit depth */
  SAL_WINDOW_PRESET_DATA,      /* the image's minimum to maximum */
  SAL_WINDOW_PRESET_PERCENTILE /* 1st to 99th percentile of the image */
} SalWindowPreset;

GtkWidget     *sal_image_view_new              (void);

/* Copies @image (NULL clears). Sets the window to the data range and fits. */
void           sal_image_view_set_image        (SalImageView    *self,
                                                const SalImage  *image);
const SalImage *sal_image_view_get_image       (SalImageView    *self);

/* Copies a @width × @height attribution map (any size: it is stretched over the
 * image); NULL clears. */
void           sal_image_view_set_attribution  (SalImageView          *self,
                                                const float           *attr,
                                                int                    width,
                                                int                    height);
gboolean       sal_image_view_has_attribution  (SalImageView          *self);
void           sal_image_view_set_overlay_style (SalImageView          *self,
                                                 const SalOverlayStyle *style);
void           sal_image_view_get_overlay_style (SalImageView          *self,
                                                 SalOverlayStyle       *style);
/* The scale of the overlay as drawn (for the colour bar); FALSE without one. */
gboolean       sal_image_view_get_overlay_scale (SalImageView          *self,
                                                 SalOverlayScale       *scale);

double         sal_image_view_get_zoom         (SalImageView    *self);
void           sal_image_view_set_zoom         (SalImageView    *self,
                                                double           zoom);
void           sal_image_view_set_center       (SalImageView    *self,
                                                double           cx,
                                                double           cy);
void           sal_image_view_get_state        (SalImageView    *self,
                                                SalViewState    *state);
gboolean       sal_image_view_get_fit          (SalImageView    *self);
void           sal_image_view_set_fit          (SalImageView    *self,
                                                gboolean         fit);

void           sal_image_view_set_window       (SalImageView    *self,
                                                double           center,
                                                double           width);
void           sal_image_view_get_window       (SalImageView    *self,
                                                double          *center,
                                                double          *width);
void           sal_image_view_apply_preset     (SalImageView    *self,
                                                SalWindowPreset  preset);
gboolean       sal_image_view_get_invert       (SalImageView    *self);
void           sal_image_view_set_invert       (SalImageView    *self,
                                                gboolean         invert);

/* What lies under widget point (x, y): image pixel, its value (first channel
 * for grey, luma for RGB) and the attribution there (NaN without a map).
 * FALSE when the point is outside the image. The view also updates its
 * "readout" property (a translated one-line text) as the pointer moves. */
gboolean       sal_image_view_probe            (SalImageView    *self,
                                                double           x,
                                                double           y,
                                                int             *ix,
                                                int             *iy,
                                                double          *value,
                                                double          *attribution);
const char    *sal_image_view_get_readout      (SalImageView    *self);

G_END_DECLS
