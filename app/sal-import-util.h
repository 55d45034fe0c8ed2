/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Helpers shared by the importers (not a public API of the app). */

#include <glib.h>

#include "sal-import-error.h"
#include "sal-import-limits.h"
#include "sal-workout.h"

G_BEGIN_DECLS

/* Reads a whole file, refusing it (SAL_IMPORT_ERROR_TOO_LARGE) when it is
 * larger than max_bytes, before reading it and again while reading (a file
 * may grow). The result is NUL-terminated beyond its length. */
GBytes *sal_import_read_file (const char  *path,
                              gsize        max_bytes,
                              GError     **error);

/* The file's base name, for messages (valid UTF-8 even for odd names). */
char   *sal_import_display_name (const char *path);

/* Writes data to path through a temporary file in the same folder and a
 * rename, so the path holds either the old content or the whole new one. */
gboolean sal_import_write_atomic (const char  *path,
                                  const void  *data,
                                  gsize        len,
                                  GError     **error);

/* Validates UTF-8 of len bytes; on failure sets *line (1-based) and
 * *column (1-based byte) of the first bad byte. */
/* FALSE with a "file is larger than allowed" error naming the file when len > max_bytes. */
gboolean sal_import_check_size (gsize len, gsize max_bytes, const char *name, GError **error);
gboolean sal_import_check_utf8 (const char *data,
                                gsize       len,
                                guint      *line,
                                guint      *column);

/* Fills a workout's start, duration, distance and heart-rate summary from its
 * samples where the file gave none (NAN or 0 duration). */
void     sal_import_complete_summary (SalWorkout *w);

/* Parses an ISO 8601 / RFC 3339 time ("2024-05-01T07:30:00Z", fractional
 * seconds and offsets allowed; no zone means UTC) to Unix milliseconds. */
gboolean sal_import_parse_time (const char *text,
                                gint64     *time_ms);

/* Formats Unix milliseconds as "2024-05-01T07:30:00Z" (".123" added when
 * the milliseconds are not zero). */
char    *sal_import_format_time (gint64 time_ms);

/* Maps a sport name from a file (GPX type, TCX Sport, FIT, CSV) to one of
 * Salient's sport ids. */
const char *sal_import_sport_id (const char *name);

/* Parses a whole string as a finite number in the C locale (spaces around allowed). */
gboolean sal_import_parse_double (const char *text,
                                  double     *value);

/* TRUE when both are NAN (no position) or both are on the globe. */
gboolean sal_import_coords_valid (double lat,
                                  double lon);

/* Appends v in the C locale with at most decimals digits (trailing zeros
 * trimmed); appends nothing for NAN. */
void     sal_import_format_double (GString *out,
                                   double   v,
                                   int      decimals);

G_END_DECLS
