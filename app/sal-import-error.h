/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One error domain for every importer and exporter (PNG, GPX, TCX, FIT, CSV).
 * Messages always name the file and the problem. */
#define SAL_IMPORT_ERROR (sal_import_error_quark ())

typedef enum {
  SAL_IMPORT_ERROR_IO,          /* cannot open, read or write the file */
  SAL_IMPORT_ERROR_TOO_LARGE,   /* over a byte, pixel or sample budget */
  SAL_IMPORT_ERROR_MALFORMED,   /* not a valid file of its format (truncated, bad CRC, …) */
  SAL_IMPORT_ERROR_UNSUPPORTED, /* a valid file Salient cannot use (unknown format, …) */
  SAL_IMPORT_ERROR_INVALID,     /* well formed, but the values are impossible */
} SalImportError;

GQuark sal_import_error_quark (void);

G_END_DECLS
