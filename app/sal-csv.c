/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-import"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "sal-csv.h"
#include "sal-import-util.h"

typedef struct {
  const char *p;
  const char *end;
  const char *name;
  guint       line;     /* physical line of p, 1-based */
  GString    *cell;
} Tokenizer;

typedef enum { ROW_OK, ROW_END, ROW_ERROR } RowResult;

/* Reads one record into fields (GStrings' contents copied); *row_line is the
 * line the record starts on. Blank lines are skipped. */
static RowResult
next_row (Tokenizer *t, GPtrArray *fields, guint *row_line, GError **error)
{
  g_ptr_array_set_size (fields, 0);
  /* skip blank lines */
  while (t->p < t->end && (*t->p == '\n' || *t->p == '\r'))
    {
      if (*t->p == '\n' || (*t->p == '\r' && (t->p + 1 >= t->end || t->p[1] != '\n')))
        t->line++;
      t->p++;
    }
  if (t->p >= t->end)
    return ROW_END;
  *row_line = t->line;
  for (;;)
    {
      g_string_truncate (t->cell, 0);
      if (t->p < t->end && *t->p == '"')
        {
          guint open_line = t->line;

          t->p++;
          for (;;)
            {
              const char *q = memchr (t->p, '"', t->end - t->p);
              if (q == NULL)
                {
                  g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_MALFORMED,
                               _("%s: line %u: a quoted field is never closed"), t->name,
                               open_line);
                  return ROW_ERROR;
                }
              for (const char *c = t->p; c < q; c++)
                if (*c == '\n')
                  t->line++;
              g_string_append_len (t->cell, t->p, q - t->p);
              t->p = q + 1;
              if (t->p < t->end && *t->p == '"')
                {
                  g_string_append_c (t->cell, '"');
                  t->p++;
                  continue;
                }
              break;
            }
          if (t->p < t->end && *t->p != ',' && *t->p != '\r' && *t->p != '\n')
            {
              g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_MALFORMED,
                           _("%s: line %u: text after a closing quote (a quote inside a "
                             "quoted field must be doubled)"), t->name, t->line);
              return ROW_ERROR;
            }
        }
      else
        {
          const char *s = t->p;
          while (t->p < t->end && *t->p != ',' && *t->p != '\r' && *t->p != '\n')
            t->p++;
          g_string_append_len (t->cell, s, t->p - s);
        }
      g_ptr_array_add (fields, g_strndup (t->cell->str, t->cell->len));
      if (t->p < t->end && *t->p == ',')
        {
          t->p++;
          continue;
        }
      /* end of record */
      if (t->p < t->end && *t->p == '\r')
        t->p++;
      if (t->p < t->end && *t->p == '\n')
        t->p++;
      t->line++;
      return ROW_OK;
    }
}

static gboolean
tokenizer_init (Tokenizer *t, const char *data, gsize len, const char *name, GError **error)
{
  guint line, column;

  if (len >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
    {
      data += 3;
      len -= 3;
    }
  if (!sal_import_check_utf8 (data, len, &line, &column))
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_MALFORMED,
                   _("%s: line %u, byte %u: invalid UTF-8 text"), name, line, column);
      return FALSE;
    }
  if (memchr (data, '\0', len) != NULL)
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_MALFORMED,
                   _("%s: the file contains NUL bytes; it is not a text file"), name);
      return FALSE;
    }
  t->p = data;
  t->end = data + len;
  t->name = name;
  t->line = 1;
  t->cell = g_string_new (NULL);
  return TRUE;
}

GPtrArray *
sal_csv_parse (const char *data, gsize len, const char *name, guint max_rows, GError **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
  Tokenizer t;
  RowResult r;
  guint line;

  if (name == NULL)
    name = "CSV";
  if (!tokenizer_init (&t, data, len, name, error))
    return NULL;
  while ((r = next_row (&t, fields, &line, error)) == ROW_OK)
    {
      char **row;

      if (max_rows > 0 && rows->len >= max_rows)
        {
          g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_TOO_LARGE,
                       _("%s: more than %u rows, the most allowed"), name, max_rows);
          r = ROW_ERROR;
          break;
        }
      g_ptr_array_add (fields, NULL);
      row = (char **) g_ptr_array_steal (fields, NULL);
      g_ptr_array_add (rows, row);
      g_ptr_array_unref (fields);
      fields = g_ptr_array_new_with_free_func (g_free);
    }
  g_string_free (t.cell, TRUE);
  if (r == ROW_ERROR)
    return NULL;
  return g_steal_pointer (&rows);
}

/* --- reading workouts ---------------------------------------------------- */

enum { C_SPORT, C_START, C_DURATION, C_DISTANCE, C_AVG_HR, C_MAX_HR, C_RPE, C_NOTES, C_TITLE,
       N_SUMMARY_COLUMNS };
static const char *const summary_columns[] = {
  "sport", "start", "duration_s", "distance_m", "avg_hr", "max_hr", "rpe", "notes", "title",
};

enum { S_TIME, S_LAT, S_LON, S_ELEVATION, S_DISTANCE, S_SPEED, S_HR, S_CADENCE, S_POWER,
       N_SAMPLE_COLUMNS };
static const char *const sample_columns[] = {
  "time", "lat", "lon", "elevation_m", "distance_m", "speed_mps", "heart_rate", "cadence", "power",
};

typedef struct {
  const char *name;
  guint       line;
  GPtrArray  *fields;
  int        *index;       /* column → field index or -1 */
  const char *const *columns;
} RowCtx;

static const char *
cell (RowCtx *r, int column)
{
  int i = r->index[column];

  return i >= 0 ? g_ptr_array_index (r->fields, i) : "";
}

/* An empty cell is NAN; otherwise a number in [min, max]. */
static gboolean
cell_number (RowCtx *r, int column, double min, double max, double *out, GError **error)
{
  const char *text = cell (r, column);
  double v;

  *out = NAN;
  while (g_ascii_isspace (*text))
    text++;
  if (*text == '\0')
    return TRUE;
  if (!sal_import_parse_double (text, &v))
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_MALFORMED,
                   _("%s: line %u, column %s: “%s” is not a number"), r->name, r->line,
                   r->columns[column], text);
      return FALSE;
    }
  if (v < min || v > max)
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_INVALID,
                   _("%s: line %u, column %s: %s is outside the possible range %.12g to %.12g"),
                   r->name, r->line, r->columns[column], text, min, max);
      return FALSE;
    }
  *out = v;
  return TRUE;
}

static gboolean
cell_time (RowCtx *r, int column, gint64 *out, GError **error)
{
  const char *text = cell (r, column);

  if (!sal_import_parse_time (text, out))
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_MALFORMED,
                   _("%s: line %u, column %s: “%s” is not an ISO 8601 time such as "
                     "2024-05-01T07:30:00Z"), r->name, r->line, r->columns[column], text);
      return FALSE;
    }
  return TRUE;
}

/* Undoes the export's formula guard: "'=1+2" reads as "=1+2". */
static char *
cell_text (RowCtx *r, int column)
{
  const char *text = cell (r, column);

  if (text[0] == '\'' && text[1] != '\0' && strchr ("=+-@\t\r", text[1]) != NULL)
    text++;
  return text[0] != '\0' ? g_strdup (text) : NULL;
}

static int *
map_header (GPtrArray *header, const char *const *columns, guint n)
{
  int *index = g_new (int, n);

  for (guint c = 0; c < n; c++)
    {
      index[c] = -1;
      for (guint i = 0; i < header->len; i++)
        {
          g_autofree char *h = g_strstrip (g_strdup (g_ptr_array_index (header, i)));
          if (g_ascii_strcasecmp (h, columns[c]) == 0)
            {
              index[c] = (int) i;
              break;
            }
        }
    }
  return index;
}

static SalWorkout *
summary_row (RowCtx *r, GError **error)
{
  g_autoptr(SalWorkout) w = sal_workout_new ();
  g_autofree char *sport = cell_text (r, C_SPORT);
  double duration;

  g_free (w->sport);
  w->sport = g_strdup (sal_import_sport_id (sport));
  if (!cell_time (r, C_START, &w->start_ms, error)
      || !cell_number (r, C_DURATION, 0, 366 * 86400.0, &duration, error)
      || !cell_number (r, C_DISTANCE, 0, 1e8, &w->distance_m, error)
      || !cell_number (r, C_AVG_HR, 1, 300, &w->avg_hr_bpm, error)
      || !cell_number (r, C_MAX_HR, 1, 300, &w->max_hr_bpm, error)
      || !cell_number (r, C_RPE, 0, 10, &w->rpe, error))
    return NULL;
  w->duration_s = isnan (duration) ? 0 : duration;
  w->notes = cell_text (r, C_NOTES);
  w->title = cell_text (r, C_TITLE);
  return g_steal_pointer (&w);
}

static gboolean
sample_row (RowCtx *r, SalWorkout *w, GError **error)
{
  SalSample s = sal_sample_empty ();

  if (!cell_time (r, S_TIME, &s.time_ms, error)
      || !cell_number (r, S_LAT, -90, 90, &s.lat_deg, error)
      || !cell_number (r, S_LON, -180, 180, &s.lon_deg, error)
      || !cell_number (r, S_ELEVATION, -12000, 12000, &s.elevation_m, error)
      || !cell_number (r, S_DISTANCE, 0, 1e8, &s.distance_m, error)
      || !cell_number (r, S_SPEED, 0, 1000, &s.speed_mps, error)
      || !cell_number (r, S_HR, 1, 300, &s.heart_rate_bpm, error)
      || !cell_number (r, S_CADENCE, 0, 1000, &s.cadence_rpm, error)
      || !cell_number (r, S_POWER, 0, 10000, &s.power_w, error))
    return FALSE;
  if (isnan (s.lat_deg) != isnan (s.lon_deg))
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_INVALID,
                   _("%s: line %u: a position needs both lat and lon"), r->name, r->line);
      return FALSE;
    }
  if (w->samples->len > 0
      && s.time_ms < g_array_index (w->samples, SalSample, w->samples->len - 1).time_ms)
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_INVALID,
                   _("%s: line %u: time goes backwards (%s comes after a later sample)"),
                   r->name, r->line, cell (r, S_TIME));
      return FALSE;
    }
  g_array_append_val (w->samples, s);
  return TRUE;
}

GPtrArray *
sal_csv_read (GBytes *bytes, const char *name, const SalImportLimits *limits,
              SalCsvLayout *layout_out, GError **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) sal_workout_free);
  g_autoptr(GPtrArray) header = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
  g_autofree int *index = NULL;
  g_autoptr(SalWorkout) samples = NULL;
  SalImportLimits lim;
  SalCsvLayout layout;
  Tokenizer t;
  RowResult res;
  RowCtx r = { 0 };
  guint line = 1, n_rows = 0;
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  sal_import_limits_resolve (limits, &lim);
  if (name == NULL)
    name = "CSV";
  if (!sal_import_check_size (len, lim.max_bytes, name, error))
    return NULL;
  if (!tokenizer_init (&t, data, len, name, error))
    return NULL;
  res = next_row (&t, header, &line, error);
  if (res != ROW_OK)
    {
      if (res == ROW_END)
        g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_INVALID,
                     _("%s: the file is empty"), name);
      g_string_free (t.cell, TRUE);
      return NULL;
    }

  index = map_header (header, summary_columns, N_SUMMARY_COLUMNS);
  if (index[C_START] >= 0)
    {
      layout = SAL_CSV_SUMMARY;
      r.columns = summary_columns;
    }
  else
    {
      g_free (index);
      index = map_header (header, sample_columns, N_SAMPLE_COLUMNS);
      if (index[S_TIME] < 0)
        {
          g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_UNSUPPORTED,
                       _("%s: unknown CSV columns; expected a “start” column (one workout per "
                         "row) or a “time” column (one sample per row)"), name);
          g_string_free (t.cell, TRUE);
          return NULL;
        }
      layout = SAL_CSV_SAMPLES;
      r.columns = sample_columns;
      samples = sal_workout_new ();
    }
  r.name = name;
  r.fields = fields;
  r.index = index;

  while ((res = next_row (&t, fields, &r.line, error)) == ROW_OK)
    {
      guint cap = layout == SAL_CSV_SUMMARY ? lim.max_workouts : lim.max_samples;

      if (fields->len != header->len)
        {
          g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_MALFORMED,
                       _("%s: line %u: %u fields, but the header has %u"), name, r.line,
                       fields->len, header->len);
          res = ROW_ERROR;
          break;
        }
      if ((n_rows & 1023) == 0
          && g_cancellable_set_error_if_cancelled (lim.cancellable, error))
        {
          res = ROW_ERROR;
          break;
        }
      if (++n_rows > cap)
        {
          g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_TOO_LARGE,
                       _("%s: more than %u rows, the most allowed"), name, cap);
          res = ROW_ERROR;
          break;
        }
      if (layout == SAL_CSV_SUMMARY)
        {
          SalWorkout *w = summary_row (&r, error);
          if (w == NULL)
            {
              res = ROW_ERROR;
              break;
            }
          w->source = g_strdup (name);
          g_ptr_array_add (out, w);
        }
      else if (!sample_row (&r, samples, error))
        {
          res = ROW_ERROR;
          break;
        }
    }
  g_string_free (t.cell, TRUE);
  if (res == ROW_ERROR)
    return NULL;
  if (samples != NULL)
    {
      if (samples->samples->len > 0)
        {
          samples->source = g_strdup (name);
          sal_import_complete_summary (samples);
          g_ptr_array_add (out, g_steal_pointer (&samples));
        }
    }
  if (out->len == 0)
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_INVALID,
                   _("%s: the file has a header but no rows"), name);
      return NULL;
    }
  if (layout_out != NULL)
    *layout_out = layout;
  return g_steal_pointer (&out);
}

/* --- writing ------------------------------------------------------------- */

void
sal_csv_append_cell (GString *out, const char *text, gboolean neutralise)
{
  gboolean guard, quote;

  if (text == NULL || text[0] == '\0')
    return;
  guard = neutralise && strchr ("=+-@\t\r", text[0]) != NULL;
  quote = strpbrk (text, ",\"\r\n") != NULL || g_ascii_isspace (text[0])
          || g_ascii_isspace (text[strlen (text) - 1]);
  if (!quote && !guard)
    {
      g_string_append (out, text);
      return;
    }
  g_string_append_c (out, '"');
  if (guard)
    g_string_append_c (out, '\'');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

GBytes *
sal_csv_write_summary (GPtrArray *workouts)
{
  GString *out = g_string_new ("sport,start,duration_s,distance_m,avg_hr,max_hr,rpe,notes,"
                               "title\r\n");

  for (guint i = 0; i < workouts->len; i++)
    {
      const SalWorkout *w = g_ptr_array_index (workouts, i);
      g_autofree char *start = sal_import_format_time (w->start_ms);

      sal_csv_append_cell (out, w->sport, TRUE);
      g_string_append_printf (out, ",%s,", start);
      sal_import_format_double (out, w->duration_s, 3);
      g_string_append_c (out, ',');
      sal_import_format_double (out, w->distance_m, 2);
      g_string_append_c (out, ',');
      sal_import_format_double (out, w->avg_hr_bpm, 1);
      g_string_append_c (out, ',');
      sal_import_format_double (out, w->max_hr_bpm, 1);
      g_string_append_c (out, ',');
      sal_import_format_double (out, w->rpe, 1);
      g_string_append_c (out, ',');
      sal_csv_append_cell (out, w->notes, TRUE);
      g_string_append_c (out, ',');
      sal_csv_append_cell (out, w->title, TRUE);
      g_string_append (out, "\r\n");
    }
  return g_string_free_to_bytes (out);
}

GBytes *
sal_csv_write_samples (const SalWorkout *w)
{
  GString *out = g_string_new ("time,lat,lon,elevation_m,distance_m,speed_mps,heart_rate,"
                               "cadence,power\r\n");

  for (guint i = 0; i < w->samples->len; i++)
    {
      const SalSample *s = &g_array_index (w->samples, SalSample, i);
      g_autofree char *time = sal_import_format_time (s->time_ms);
      const double values[] = { s->lat_deg, s->lon_deg, s->elevation_m, s->distance_m,
                                s->speed_mps, s->heart_rate_bpm, s->cadence_rpm, s->power_w };
      const int decimals[] = { 7, 7, 2, 2, 3, 1, 1, 1 };

      g_string_append (out, time);
      for (guint k = 0; k < G_N_ELEMENTS (values); k++)
        {
          g_string_append_c (out, ',');
          sal_import_format_double (out, values[k], decimals[k]);
        }
      g_string_append (out, "\r\n");
    }
  return g_string_free_to_bytes (out);
}
