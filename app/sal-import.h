/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "sal-image.h"
#include "sal-import-error.h"
#include "sal-import-limits.h"
#include "sal-workout.h"

G_BEGIN_DECLS

typedef enum {
  SAL_FILE_FORMAT_UNKNOWN,
  SAL_FILE_FORMAT_PNG,
  SAL_FILE_FORMAT_GPX,
  SAL_FILE_FORMAT_TCX,
  SAL_FILE_FORMAT_FIT,
  SAL_FILE_FORMAT_CSV,
} SalFileFormat;

/* What one file gave: workouts (GPtrArray of SalWorkout*, owning) or an image. */
typedef struct {
  SalFileFormat format;
  GPtrArray    *workouts;
  SalImage     *image;
} SalImportResult;

void          sal_import_result_clear   (SalImportResult *result);

/* "png", "gpx", "tcx", "fit", "csv" or "unknown". */
const char   *sal_file_format_id        (SalFileFormat format);

/* Decides the format from the content first (signatures, XML root), then
 * from the extension of name (may be NULL). */
SalFileFormat sal_import_detect_format  (const guint8 *data,
                                         gsize         len,
                                         const char   *name);

/* Imports one file, all or nothing: on success result holds everything the
 * file gave (workouts carry their summary, computed from samples when the
 * file lacks it); on error result is left empty and error names the file and
 * the problem. limits may be NULL for the defaults. */
gboolean      sal_import_file           (const char             *path,
                                         const SalImportLimits  *limits,
                                         SalImportResult        *result,
                                         GError                **error);
/* The same for bytes already in memory; name is used for messages and format
 * detection. */
gboolean      sal_import_bytes          (GBytes                 *bytes,
                                         const char             *name,
                                         const SalImportLimits  *limits,
                                         SalImportResult        *result,
                                         GError                **error);

typedef enum {
  SAL_EXPORT_CSV,          /* summary CSV, one row per workout */
  SAL_EXPORT_CSV_SAMPLES,  /* samples CSV of exactly one workout */
  SAL_EXPORT_GPX,          /* GPX 1.1, one track per workout */
} SalExportFormat;

/* "csv", "csv-samples", "gpx" → format; FALSE for anything else. */
gboolean      sal_export_format_from_id (const char      *id,
                                         SalExportFormat *format);

/* Writes workouts (SalWorkout*) to path atomically (temporary file + rename). */
gboolean      sal_export_workouts       (GPtrArray        *workouts,
                                         SalExportFormat   format,
                                         const char       *path,
                                         GError          **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SalImportResult, sal_import_result_clear)

G_END_DECLS
