/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "sal-import-limits.h"
#include "sal-workout.h"

G_BEGIN_DECLS

/* Salient's own decoder for Garmin FIT activity files: 12/14-byte header with
 * its CRC, the file CRC, normal and compressed-timestamp record headers,
 * definition messages of either byte order (developer fields skipped), and
 * the record, lap, session and activity messages; chained files are read in
 * turn. Each session becomes a workout (one workout when there is none).
 * Returns a GPtrArray of SalWorkout* or NULL and a SAL_IMPORT_ERROR naming
 * name and the problem with its byte offset. */
GPtrArray *sal_fit_read (GBytes                *bytes,
                         const char            *name,
                         const SalImportLimits *limits,
                         GError               **error);

/* The FIT CRC-16 of len bytes, continuing from crc (start with 0). */
guint16    sal_fit_crc  (guint16       crc,
                         const guint8 *data,
                         gsize         len);

G_END_DECLS
