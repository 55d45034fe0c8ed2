/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Colormaps and explanation overlays: pixel math only (no GTK), shared by the
 * CLI, the reports and the image view. */

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  SAL_COLORMAP_VIRIDIS,     /* perceptual, colour-blind safe: magnitudes (default) */
  SAL_COLORMAP_INFERNO,
  SAL_COLORMAP_CIVIDIS,     /* optimised for colour-vision deficiency */
  SAL_COLORMAP_DIVERGING,   /* balanced blue–grey–red for signed values */
} SalColormap;

#define SAL_N_COLORMAPS 4

const char *sal_colormap_id           (SalColormap map);  /* "viridis", "inferno", "cividis", "diverging" */
const char *sal_colormap_display_name (SalColormap map);  /* translated */
gboolean    sal_colormap_from_id      (const char *id, SalColormap *out);
/* t in [0, 1] (clamped) to 8-bit sRGB. */
void        sal_colormap_lookup       (SalColormap map, double t, guint8 rgb[3]);

typedef enum {
  SAL_SIGN_SIGNED,      /* both signs, on a diverging map centred on zero */
  SAL_SIGN_POSITIVE,    /* only evidence for the target */
  SAL_SIGN_NEGATIVE,    /* only evidence against it */
  SAL_SIGN_ABSOLUTE,    /* magnitude, whatever the sign */
} SalSignMode;

const char *sal_sign_mode_id          (SalSignMode mode); /* "signed", "positive", "negative", "absolute" */
gboolean    sal_sign_mode_from_id     (const char *id, SalSignMode *out);

typedef struct {
  SalColormap colormap;         /* for magnitudes; SIGNED always uses the diverging map */
  SalSignMode sign;
  double      opacity;          /* 0..1 */
  double      top_k_percent;    /* show only the strongest k% of pixels (0 < k <= 100) */
  gboolean    contours;         /* outline the shown region */
  double      clip_percentile;  /* the value mapped to full colour: this percentile of the
                                 * magnitudes (e.g. 99.5), so one hot pixel cannot wash out
                                 * the rest; 100 = the maximum */
} SalOverlayStyle;

void sal_overlay_style_init (SalOverlayStyle *style);

/* What the colours mean, for the colour bar: value vmin maps to t = 0 and
 * vmax to t = 1 of the map used; pixels whose magnitude is below `threshold`
 * are not drawn. */
typedef struct {
  SalColormap map;        /* the map actually used */
  double      vmin, vmax;
  double      threshold;  /* magnitude */
  int         n_shown;    /* pixels drawn */
} SalOverlayScale;

/* The value a pixel shows under a sign mode (0 when the mode hides it). */
double sal_overlay_display_value (SalSignMode sign, double attribution);

void sal_overlay_compute_scale (const float *attr, gsize n, const SalOverlayStyle *style,
                                SalOverlayScale *out);

/* Renders `attr` (width × height) into premultiplied ARGB32 (Cairo's image
 * format: one native-endian guint32 per pixel) with the given row stride in
 * bytes; undrawn pixels are transparent. */
void sal_overlay_render_argb32 (const float *attr, int width, int height,
                                const SalOverlayStyle *style, const SalOverlayScale *scale,
                                guint8 *out, int stride);

/* Blends the overlay onto an 8-bit grey image (already windowed), giving
 * packed RGB8 (width × height × 3): what `salient-cli explain --overlay` writes. */
void sal_overlay_compose_rgb8 (const guint8 *grey, const float *attr, int width, int height,
                               const SalOverlayStyle *style, const SalOverlayScale *scale,
                               guint8 *out_rgb);

G_END_DECLS
