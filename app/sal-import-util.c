/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-import"

#include "config.h"
#include <inttypes.h>

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sal-import-util.h"

G_DEFINE_QUARK (sal-import-error-quark, sal_import_error)

char *
sal_import_display_name (const char *path)
{
  g_autofree char *base = g_path_get_basename (path);

  return g_filename_display_name (base);
}

GBytes *
sal_import_read_file (const char *path, gsize max_bytes, GError **error)
{
  g_autofree char *name = sal_import_display_name (path);
  g_autofree guint8 *buf = NULL;
  gsize len = 0, cap;
  struct stat st;
  int fd;

  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_IO,
                   _("%s: cannot open the file: %s"), name, g_strerror (saved));
      return NULL;
    }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_IO,
                   _("%s: not a regular file"), name);
      close (fd);
      return NULL;
    }
  if ((guint64) st.st_size > max_bytes)
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_TOO_LARGE,
                   _("%s: the file is %" PRIu64 " bytes, more than the "
                     "%zu bytes allowed"),
                   name, (guint64) st.st_size, max_bytes);
      close (fd);
      return NULL;
    }

  cap = (gsize) st.st_size + 1;
  buf = g_malloc (cap + 1);
  for (;;)
    {
      ssize_t n;

      if (len == cap)
        {
          if (len > max_bytes)
            break;
          cap = MIN (cap * 2, max_bytes + 1);
          if (cap <= len)
            cap = len + 1;
          buf = g_realloc (buf, cap + 1);
        }
      n = read (fd, buf + len, cap - len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;
          g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_IO,
                       _("%s: cannot read the file: %s"), name, g_strerror (saved));
          close (fd);
          return NULL;
        }
      if (n == 0)
        break;
      len += (gsize) n;
    }
  close (fd);
  if (!sal_import_check_size (len, max_bytes, name, error))
    return NULL;
  buf[len] = 0;
  return g_bytes_new_take (g_steal_pointer (&buf), len);
}

gboolean
sal_import_check_size (gsize len, gsize max_bytes, const char *name, GError **error)
{
  if (len <= max_bytes)
    return TRUE;
  g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_TOO_LARGE,
               _("%s: the file is larger than the %zu bytes allowed"), name, max_bytes);
  return FALSE;
}

gboolean
sal_import_write_atomic (const char *path, const void *data, gsize len, GError **error)
{
  g_autoptr(GError) local = NULL;

  if (!g_file_set_contents_full (path, data, (gssize) len,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0644, &local))
    {
      g_autofree char *name = sal_import_display_name (path);
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_IO,
                   _("%s: cannot write the file: %s"), name, local->message);
      return FALSE;
    }
  return TRUE;
}

gboolean
sal_import_check_utf8 (const char *data, gsize len, guint *line, guint *column)
{
  const char *end = NULL;
  const char *p;
  guint l = 1;
  const char *line_start = data;

  if (g_utf8_validate_len (data, len, &end))
    return TRUE;
  for (p = data; p < end; p++)
    if (*p == '\n')
      {
        l++;
        line_start = p + 1;
      }
  *line = l;
  *column = (guint) (end - line_start) + 1;
  return FALSE;
}

static void
sample_minmax_hr (const GArray *samples, double *avg, double *max)
{
  double sum = 0, mx = -INFINITY;
  guint n = 0;

  for (guint i = 0; i < samples->len; i++)
    {
      const SalSample *s = &g_array_index (samples, SalSample, i);
      if (isnan (s->heart_rate_bpm))
        continue;
      sum += s->heart_rate_bpm;
      mx = MAX (mx, s->heart_rate_bpm);
      n++;
    }
  *avg = n > 0 ? sum / n : NAN;
  *max = n > 0 ? mx : NAN;
}

/* Great-circle distance on a sphere of the WGS84 mean radius. */
static double
haversine_m (double lat1, double lon1, double lat2, double lon2)
{
  const double r = 6371008.8, d2r = G_PI / 180.0;
  double dlat = (lat2 - lat1) * d2r, dlon = (lon2 - lon1) * d2r;
  double a = sin (dlat / 2) * sin (dlat / 2)
             + cos (lat1 * d2r) * cos (lat2 * d2r) * sin (dlon / 2) * sin (dlon / 2);

  return 2 * r * atan2 (sqrt (a), sqrt (MAX (0.0, 1 - a)));
}

void
sal_import_complete_summary (SalWorkout *w)
{
  GArray *s = w->samples;
  double avg, max;

  if (s->len == 0)
    return;
  if (w->start_ms == 0)
    w->start_ms = g_array_index (s, SalSample, 0).time_ms;
  if (w->duration_s <= 0 || isnan (w->duration_s))
    w->duration_s = (g_array_index (s, SalSample, s->len - 1).time_ms - w->start_ms) / 1000.0;

  if (isnan (w->distance_m))
    {
      /* Prefer the file's cumulative distance; else sum the track. */
      double last = NAN, sum = 0, plat = NAN, plon = NAN;
      gboolean have_pos = FALSE;

      for (guint i = 0; i < s->len; i++)
        {
          const SalSample *p = &g_array_index (s, SalSample, i);
          if (!isnan (p->distance_m))
            last = p->distance_m;
          if (!isnan (p->lat_deg) && !isnan (p->lon_deg))
            {
              if (!isnan (plat))
                sum += haversine_m (plat, plon, p->lat_deg, p->lon_deg);
              plat = p->lat_deg;
              plon = p->lon_deg;
              have_pos = TRUE;
            }
        }
      if (!isnan (last))
        w->distance_m = last;
      else if (have_pos)
        w->distance_m = sum;
    }

  sample_minmax_hr (s, &avg, &max);
  if (isnan (w->avg_hr_bpm))
    w->avg_hr_bpm = avg;
  if (isnan (w->max_hr_bpm))
    w->max_hr_bpm = max;
}

static gboolean
digits (const char *p, int n, int *out)
{
  int v = 0;

  for (int i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit (p[i]))
        return FALSE;
      v = v * 10 + (p[i] - '0');
    }
  *out = v;
  return TRUE;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static gint64
days_from_civil (int y, int m, int d)
{
  gint64 era, yoe, doy, doe;

  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/* The common form "YYYY-MM-DDTHH:MM:SS[.fff][Z|+HH:MM]", without allocating;
 * FALSE for anything else (then GLib's full ISO 8601 parser decides). */
static gboolean
parse_time_fast (const char *t, gint64 *time_ms)
{
  static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  int y, mo, d, h, mi, sec, ms = 0, off = 0;
  const char *p = t + 19;

  if (!digits (t, 4, &y) || t[4] != '-' || !digits (t + 5, 2, &mo) || t[7] != '-'
      || !digits (t + 8, 2, &d) || (t[10] != 'T' && t[10] != 't' && t[10] != ' ')
      || !digits (t + 11, 2, &h) || t[13] != ':' || !digits (t + 14, 2, &mi) || t[16] != ':'
      || !digits (t + 17, 2, &sec))
    return FALSE;
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || sec > 59
      || (mo == 2 && d == 29 && !g_date_is_leap_year ((GDateYear) y)))
    return FALSE;
  if (*p == '.')
    {
      int scale = 100;
      p++;
      if (!g_ascii_isdigit (*p))
        return FALSE;
      for (; g_ascii_isdigit (*p); p++, scale /= 10)
        ms += (*p - '0') * scale;
    }
  if (*p == 'Z' || *p == 'z')
    p++;
  else if (*p == '+' || *p == '-')
    {
      int oh, om;
      int sign = *p == '-' ? -1 : 1;
      if (!digits (p + 1, 2, &oh))
        return FALSE;
      p += 3;
      if (*p == ':')
        p++;
      if (!digits (p, 2, &om) || oh > 23 || om > 59)
        return FALSE;
      p += 2;
      off = sign * (oh * 60 + om);
    }
  if (*p != '\0')
    return FALSE;
  *time_ms = ((days_from_civil (y, mo, d) * 24 + h) * 3600 + mi * 60 + sec - off * 60) * 1000
             + ms;
  return TRUE;
}

gboolean
sal_import_parse_time (const char *text, gint64 *time_ms)
{
  g_autoptr(GTimeZone) utc = NULL;
  g_autoptr(GDateTime) dt = NULL;
  g_autofree char *trimmed = NULL;

  while (g_ascii_isspace (*text))
    text++;
  if (strlen (text) >= 19 && parse_time_fast (text, time_ms))
    return TRUE;
  trimmed = g_strstrip (g_strdup (text));
  if (trimmed[0] == '\0')
    return FALSE;
  utc = g_time_zone_new_utc ();
  dt = g_date_time_new_from_iso8601 (trimmed, utc);
  if (dt == NULL)
    return FALSE;
  *time_ms = g_date_time_to_unix (dt) * 1000 + g_date_time_get_microsecond (dt) / 1000;
  return TRUE;
}

char *
sal_import_format_time (gint64 time_ms)
{
  gint64 sec = time_ms >= 0 ? time_ms / 1000 : -((-time_ms + 999) / 1000);
  int ms = (int) (time_ms - sec * 1000);
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (sec);
  g_autofree char *base = NULL;

  if (dt == NULL)
    return g_strdup ("1970-01-01T00:00:00Z");
  base = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S");
  if (ms != 0)
    return g_strdup_printf ("%s.%03dZ", base, ms);
  return g_strdup_printf ("%sZ", base);
}

const char *
sal_import_sport_id (const char *name)
{
  static const struct { const char *word; const char *id; } map[] = {
    { "run", "running" },   { "jog", "running" },   { "running", "running" },
    { "bik", "cycling" },   { "cycl", "cycling" },  { "ride", "cycling" },
    { "swim", "swimming" }, { "walk", "walking" },  { "hik", "walking" },
    { "strength", "strength" }, { "training", "strength" }, { "weight", "strength" },
  };
  g_autofree char *lower = NULL;

  if (name == NULL)
    return "other";
  lower = g_ascii_strdown (name, -1);
  if (strcmp (lower, "1") == 0)       /* FIT sport enum */
    return "running";
  if (strcmp (lower, "2") == 0)
    return "cycling";
  if (strcmp (lower, "5") == 0)
    return "swimming";
  if (strcmp (lower, "11") == 0 || strcmp (lower, "17") == 0)
    return "walking";
  for (guint i = 0; i < G_N_ELEMENTS (map); i++)
    if (strstr (lower, map[i].word) != NULL)
      return map[i].id;
  return "other";
}

void
sal_import_limits_resolve (const SalImportLimits *in, SalImportLimits *out)
{
  if (in != NULL)
    *out = *in;
  else
    memset (out, 0, sizeof *out);
  if (out->max_bytes == 0)
    out->max_bytes = SAL_IMPORT_DEFAULT_MAX_BYTES;
  if (out->max_samples == 0)
    out->max_samples = SAL_IMPORT_DEFAULT_MAX_SAMPLES;
  if (out->max_workouts == 0)
    out->max_workouts = SAL_IMPORT_DEFAULT_MAX_WORKOUTS;
  if (out->image.cancellable == NULL)
    out->image.cancellable = out->cancellable;
}

gboolean
sal_import_parse_double (const char *text, double *value)
{
  char *end = NULL;
  double v;

  while (g_ascii_isspace (*text))
    text++;
  if (*text == '\0')
    return FALSE;
  v = g_ascii_strtod (text, &end);
  while (g_ascii_isspace (*end))
    end++;
  if (end == text || *end != '\0' || !isfinite (v))
    return FALSE;
  *value = v;
  return TRUE;
}

gboolean
sal_import_coords_valid (double lat, double lon)
{
  if (isnan (lat) && isnan (lon))
    return TRUE;
  return isfinite (lat) && isfinite (lon) && fabs (lat) <= 90.0 && fabs (lon) <= 180.0;
}

void
sal_import_format_double (GString *out, double v, int decimals)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  char fmt[8];

  if (isnan (v))
    return;
  g_snprintf (fmt, sizeof fmt, "%%.%df", decimals);
  g_ascii_formatd (buf, sizeof buf, fmt, v);
  /* Trim trailing zeros so 72.000 reads 72. */
  if (strchr (buf, '.') != NULL)
    {
      char *e = buf + strlen (buf) - 1;
      while (*e == '0')
        *e-- = '\0';
      if (*e == '.')
        *e = '\0';
    }
  if (strcmp (buf, "-0") == 0)
    strcpy (buf, "0");
  g_string_append (out, buf);
}
