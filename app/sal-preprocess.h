/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Brings any PNG to a model's image input as salient.preprocess says. The
 * metadata value is a JSON object:
 *   "channels": 1 or 3               (grey = Rec. 601 luma of RGB; alpha is dropped)
 *   "size":     [H, W]
 *   "resize":   "bilinear" (default; stretches) or "letterbox" (keeps the aspect
 *               ratio, centres, pads with 0 after scaling)
 *   "scaling":  "minmax" (default: the image's own min..max to 0..1),
 *               "percentile" with "low"/"high" (percents, default 1 and 99:
 *               clipped to those percentiles, then 0..1), or
 *               "fixed" with "mean"/"std" (numbers or one per channel, applied
 *               to pixel / max value, as torchvision's Normalize)
 * The result is a float tensor [1, channels, H, W]. */

#include <glib.h>
#include "sal-engine.h"
#include "sal-image.h"

G_BEGIN_DECLS

typedef enum { SAL_RESIZE_BILINEAR, SAL_RESIZE_LETTERBOX } SalResizeMode;
typedef enum { SAL_SCALE_MINMAX, SAL_SCALE_PERCENTILE, SAL_SCALE_FIXED } SalScaleMode;

typedef struct {
  int           channels;
  int           height, width;
  SalResizeMode resize;
  SalScaleMode  scaling;
  double        low, high;        /* percentiles */
  double        mean[3], std[3];  /* per channel */
} SalPreprocess;

gboolean   sal_preprocess_parse (const char *json, SalPreprocess *out, GError **error);
SalTensor *sal_preprocess_image (const SalPreprocess *p, const SalImage *image, GError **error);

G_END_DECLS
