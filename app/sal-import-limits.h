/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "sal-image.h"

G_BEGIN_DECLS

/* Budgets for importing untrusted files; a zero field means its default. */
typedef struct {
  gsize          max_bytes;     /* file size; default 128 MiB (PNG: image.max_bytes) */
  guint          max_samples;   /* samples over all workouts of a file; default 5 million */
  guint          max_workouts;  /* workouts in one file; default 1 million */
  SalImageLimits image;         /* for PNG files */
  GCancellable  *cancellable;   /* may be NULL; when cancelled the import stops soon
                                 * with G_IO_ERROR_CANCELLED and gives nothing */
} SalImportLimits;

#define SAL_IMPORT_DEFAULT_MAX_BYTES    ((gsize) 128 * 1024 * 1024)
#define SAL_IMPORT_DEFAULT_MAX_SAMPLES  5000000u
#define SAL_IMPORT_DEFAULT_MAX_WORKOUTS 1000000u

/* Copies in (may be NULL) to out with every zero field replaced by its default. */
void sal_import_limits_resolve (const SalImportLimits *in,
                                SalImportLimits       *out);

G_END_DECLS
