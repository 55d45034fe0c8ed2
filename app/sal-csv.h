/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "sal-import-limits.h"
#include "sal-workout.h"

G_BEGIN_DECLS

/* The two CSV layouts Salient reads and writes (RFC 4180: quoted fields,
 * embedded newlines, CRLF or LF, an optional UTF-8 BOM; first row = header,
 * columns in any order, names case-insensitive, unknown columns ignored):
 * summary: sport,start,duration_s,distance_m,avg_hr,max_hr,rpe,notes,title
 *          (one workout per row; start is an ISO 8601 time)
 * samples: time,lat,lon,elevation_m,distance_m,speed_mps,heart_rate,cadence,power
 *          (one workout, one sample per row) */
typedef enum {
  SAL_CSV_SUMMARY,
  SAL_CSV_SAMPLES,
} SalCsvLayout;

/* Parses RFC 4180 text into rows (GPtrArray of GStrv, header included),
 * at most max_rows rows (0: no limit). Bad UTF-8 and unclosed quotes are
 * errors naming the line. */
GPtrArray *sal_csv_parse         (const char            *data,
                                  gsize                  len,
                                  const char            *name,
                                  guint                  max_rows,
                                  GError               **error);

/* Reads either layout (chosen by the header). Returns a GPtrArray of
 * SalWorkout*, or NULL and a SAL_IMPORT_ERROR naming the file, the line and
 * the column. A text cell written neutralised ('=…) reads back as written
 * before (=…). */
GPtrArray *sal_csv_read          (GBytes                *bytes,
                                  const char            *name,
                                  const SalImportLimits *limits,
                                  SalCsvLayout          *layout,
                                  GError               **error);

/* Writes the summary layout, one row per workout, CRLF line ends. Text cells
 * a spreadsheet would run as a formula (starting with = + - @ TAB or CR) are
 * prefixed with '. */
GBytes    *sal_csv_write_summary (GPtrArray             *workouts);
/* Writes the samples of one workout. */
GBytes    *sal_csv_write_samples (const SalWorkout      *workout);

/* Appends one cell, quoted when needed; neutralise: guard against formulas. */
void       sal_csv_append_cell   (GString               *out,
                                  const char            *text,
                                  gboolean               neutralise);

G_END_DECLS
