/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sal-import-error.h"

G_BEGIN_DECLS

/* A decoded raster image. Pixels are row-major and interleaved, one guint16
 * per channel whatever the source depth, values 0 .. 2^bit_depth - 1. */
typedef struct {
  int      width;
  int      height;
  int      channels;   /* 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA (palettes are expanded) */
  int      bit_depth;  /* 8 or 16: 1/2/4-bit grey is scaled to 8 bits (1 → 255) */
  guint16 *pixels;     /* width * height * channels values */
} SalImage;

/* Budgets for untrusted files; a zero field means its default. */
typedef struct {
  gsize   max_bytes;   /* file size, default 256 MiB */
  guint32 max_width;   /* default 32768 */
  guint32 max_height;  /* default 32768 */
  guint64 max_pixels;  /* width * height, default 40 million */
  GCancellable *cancellable;  /* may be NULL; checked after every decoded row */
} SalImageLimits;

#define SAL_IMAGE_DEFAULT_MAX_BYTES  ((gsize) 256 * 1024 * 1024)
#define SAL_IMAGE_DEFAULT_MAX_SIDE   32768u
#define SAL_IMAGE_DEFAULT_MAX_PIXELS ((guint64) 40 * 1000 * 1000)

/* A zero-filled image; NULL (no error) when the arguments are out of range. */
SalImage *sal_image_new             (int           width,
                                     int           height,
                                     int           channels,
                                     int           bit_depth);
void      sal_image_free            (SalImage     *img);

/* Reads a PNG (1/2/4/8/16-bit grey, grey+alpha, RGB, RGBA, palette, tRNS,
 * interlaced). limits may be NULL for the defaults. Every malformed or
 * over-budget file is a SAL_IMPORT_ERROR naming the file and the problem;
 * a cancelled read is G_IO_ERROR_CANCELLED. */
SalImage *sal_image_load_png        (const char           *path,
                                     const SalImageLimits *limits,
                                     GError              **error);
/* The same from memory; name is used in messages (may be NULL). */
SalImage *sal_image_load_png_bytes  (GBytes               *bytes,
                                     const char           *name,
                                     const SalImageLimits *limits,
                                     GError              **error);

/* Encodes as PNG with no metadata chunks (only IHDR, IDAT, IEND). */
GBytes   *sal_image_encode_png      (const SalImage *img,
                                     GError        **error);
/* Writes a PNG atomically (temporary file, then rename). */
gboolean  sal_image_save_png        (const SalImage *img,
                                     const char     *path,
                                     GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SalImage, sal_image_free)

G_END_DECLS
