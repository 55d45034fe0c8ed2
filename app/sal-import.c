/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-import"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sal-csv.h"
#include "sal-fit.h"
#include "sal-gpx.h"
#include "sal-import.h"
#include "sal-import-util.h"
#include "sal-tcx.h"

void
sal_import_result_clear (SalImportResult *result)
{
  g_clear_pointer (&result->workouts, g_ptr_array_unref);
  g_clear_pointer (&result->image, sal_image_free);
  result->format = SAL_FILE_FORMAT_UNKNOWN;
}

const char *
sal_file_format_id (SalFileFormat format)
{
  switch (format)
    {
    case SAL_FILE_FORMAT_PNG: return "png";
    case SAL_FILE_FORMAT_GPX: return "gpx";
    case SAL_FILE_FORMAT_TCX: return "tcx";
    case SAL_FILE_FORMAT_FIT: return "fit";
    case SAL_FILE_FORMAT_CSV: return "csv";
    case SAL_FILE_FORMAT_UNKNOWN:
    default: return "unknown";
    }
}

static SalFileFormat
format_from_extension (const char *name)
{
  const char *dot = name != NULL ? strrchr (name, '.') : NULL;

  if (dot == NULL)
    return SAL_FILE_FORMAT_UNKNOWN;
  if (g_ascii_strcasecmp (dot, ".png") == 0)
    return SAL_FILE_FORMAT_PNG;
  if (g_ascii_strcasecmp (dot, ".gpx") == 0)
    return SAL_FILE_FORMAT_GPX;
  if (g_ascii_strcasecmp (dot, ".tcx") == 0)
    return SAL_FILE_FORMAT_TCX;
  if (g_ascii_strcasecmp (dot, ".fit") == 0)
    return SAL_FILE_FORMAT_FIT;
  if (g_ascii_strcasecmp (dot, ".csv") == 0)
    return SAL_FILE_FORMAT_CSV;
  return SAL_FILE_FORMAT_UNKNOWN;
}

SalFileFormat
sal_import_detect_format (const guint8 *data, gsize len, const char *name)
{
  static const guint8 png_sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  const char *text = (const char *) data;
  gsize n = MIN (len, 65536), i = 0;
  SalFileFormat ext = format_from_extension (name);

  if (len >= 8 && memcmp (data, png_sig, 8) == 0)
    return SAL_FILE_FORMAT_PNG;
  if (len >= 12 && (data[0] == 12 || data[0] == 14) && memcmp (data + 8, ".FIT", 4) == 0)
    return SAL_FILE_FORMAT_FIT;
  if (n >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
    i = 3;
  while (i < n && g_ascii_isspace (text[i]))
    i++;
  if (i < n && text[i] == '<')
    {
      const char *gpx = g_strstr_len (text, n, "<gpx");
      const char *tcx = g_strstr_len (text, n, "TrainingCenterDatabase");

      if (gpx != NULL && (tcx == NULL || gpx < tcx))
        return SAL_FILE_FORMAT_GPX;
      if (tcx != NULL)
        return SAL_FILE_FORMAT_TCX;
      if (ext == SAL_FILE_FORMAT_GPX || ext == SAL_FILE_FORMAT_TCX)
        return ext;
      return SAL_FILE_FORMAT_UNKNOWN;
    }
  if (ext != SAL_FILE_FORMAT_UNKNOWN)
    return ext;
  /* A text first line with a comma looks like CSV. */
  if (memchr (data, '\0', n) == NULL)
    {
      const char *nl = memchr (text, '\n', n);
      gsize line = nl != NULL ? (gsize) (nl - text) : n;
      if (line > 0 && memchr (text, ',', line) != NULL)
        return SAL_FILE_FORMAT_CSV;
    }
  return SAL_FILE_FORMAT_UNKNOWN;
}

gboolean
sal_import_bytes (GBytes *bytes, const char *name, const SalImportLimits *limits,
                  SalImportResult *result, GError **error)
{
  SalImportLimits lim;
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  SalFileFormat format;
  g_autoptr(GPtrArray) workouts = NULL;

  g_return_val_if_fail (result != NULL, FALSE);
  memset (result, 0, sizeof *result);
  sal_import_limits_resolve (limits, &lim);
  if (name == NULL)
    name = _("file");
  if (g_cancellable_set_error_if_cancelled (lim.cancellable, error))
    return FALSE;
  format = sal_import_detect_format (data, len, name);
  switch (format)
    {
    case SAL_FILE_FORMAT_PNG:
      result->image = sal_image_load_png_bytes (bytes, name, &lim.image, error);
      if (result->image == NULL)
        return FALSE;
      result->format = format;
      return TRUE;
    case SAL_FILE_FORMAT_GPX:
      workouts = sal_gpx_read (bytes, name, &lim, error);
      break;
    case SAL_FILE_FORMAT_TCX:
      workouts = sal_tcx_read (bytes, name, &lim, error);
      break;
    case SAL_FILE_FORMAT_FIT:
      workouts = sal_fit_read (bytes, name, &lim, error);
      break;
    case SAL_FILE_FORMAT_CSV:
      workouts = sal_csv_read (bytes, name, &lim, NULL, error);
      break;
    case SAL_FILE_FORMAT_UNKNOWN:
    default:
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_UNSUPPORTED,
                   _("%s: unknown file format; Salient imports PNG images and GPX, TCX, "
                     "FIT and CSV workouts"), name);
      return FALSE;
    }
  if (workouts == NULL)
    return FALSE;
  result->format = format;
  result->workouts = g_steal_pointer (&workouts);
  return TRUE;
}

gboolean
sal_import_file (const char *path, const SalImportLimits *limits, SalImportResult *result,
                 GError **error)
{
  g_autofree char *name = sal_import_display_name (path);
  g_autoptr(GBytes) bytes = NULL;
  SalImportLimits lim;
  gsize max_bytes;

  g_return_val_if_fail (result != NULL, FALSE);
  memset (result, 0, sizeof *result);
  sal_import_limits_resolve (limits, &lim);
  max_bytes = MAX (lim.max_bytes, lim.image.max_bytes > 0 ? lim.image.max_bytes
                                                          : SAL_IMAGE_DEFAULT_MAX_BYTES);
  bytes = sal_import_read_file (path, max_bytes, error);
  if (bytes == NULL)
    return FALSE;
  return sal_import_bytes (bytes, name, &lim, result, error);
}

gboolean
sal_export_format_from_id (const char *id, SalExportFormat *format)
{
  if (g_strcmp0 (id, "csv") == 0)
    *format = SAL_EXPORT_CSV;
  else if (g_strcmp0 (id, "csv-samples") == 0)
    *format = SAL_EXPORT_CSV_SAMPLES;
  else if (g_strcmp0 (id, "gpx") == 0)
    *format = SAL_EXPORT_GPX;
  else
    return FALSE;
  return TRUE;
}

gboolean
sal_export_workouts (GPtrArray *workouts, SalExportFormat format, const char *path,
                     GError **error)
{
  g_autoptr(GBytes) bytes = NULL;
  const void *data;
  gsize len;

  g_return_val_if_fail (workouts != NULL && path != NULL, FALSE);
  switch (format)
    {
    case SAL_EXPORT_CSV:
      bytes = sal_csv_write_summary (workouts);
      break;
    case SAL_EXPORT_CSV_SAMPLES:
      if (workouts->len != 1)
        {
          g_autofree char *name = sal_import_display_name (path);
          g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_UNSUPPORTED,
                       _("%s: a samples CSV holds exactly one workout, not %u"), name,
                       workouts->len);
          return FALSE;
        }
      bytes = sal_csv_write_samples (g_ptr_array_index (workouts, 0));
      break;
    case SAL_EXPORT_GPX:
      bytes = sal_gpx_write (workouts);
      break;
    default:
      g_return_val_if_reached (FALSE);
    }
  data = g_bytes_get_data (bytes, &len);
  return sal_import_write_atomic (path, data, len, error);
}
