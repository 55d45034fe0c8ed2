/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-import"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "sal-fit.h"
#include "sal-import-util.h"

/* FIT times count seconds from 1989-12-31T00:00:00Z. */
#define FIT_EPOCH_UNIX G_GINT64_CONSTANT (631065600)

enum {
  MSG_FILE_ID = 0,
  MSG_SESSION = 18,
  MSG_LAP = 19,
  MSG_RECORD = 20,
  MSG_ACTIVITY = 34,
};

#define FIELD_TIMESTAMP 253

typedef struct {
  guint8 num;
  guint8 size;
  guint8 base;   /* base type number (low 5 bits of the base type byte) */
} FieldDef;

typedef struct {
  gboolean defined;
  gboolean big_endian;
  guint16  global;
  guint    n_fields;
  FieldDef fields[255];
  gsize    dev_size;   /* developer fields: skipped */
  gsize    total_size;
} MsgDef;

typedef struct {
  gint64 start_ms;
  double elapsed_s;
  double distance_m;
  double avg_hr;
  double max_hr;
  double sport;
} Session;

typedef struct {
  const char   *name;
  guint         max_samples;
  guint         n_samples;     /* over all chained files */
  GCancellable *cancellable;
  guint         n_messages;
  MsgDef        defs[16];
  guint32       last_ts;
  gboolean      have_ts;
  /* the message being decoded */
  SalSample     sample;
  double        alt, enh_alt, speed, enh_speed;
  SalLap        lap;
  Session       session;
  double        file_type;
  /* collected for one file of a chain */
  GArray       *records;      /* SalSample */
  GArray       *laps;         /* SalLap */
  GArray       *sessions;     /* Session */
} FitCtx;

static const guint8 base_sizes[17] = { 1, 1, 1, 2, 2, 4, 4, 1, 4, 8, 1, 2, 4, 1, 8, 8, 8 };

guint16
sal_fit_crc (guint16 crc, const guint8 *data, gsize len)
{
  static const guint16 table[16] = {
    0x0000, 0xcc01, 0xd801, 0x1400, 0xf001, 0x3c00, 0x2800, 0xe401,
    0xa001, 0x6c00, 0x7800, 0xb401, 0x5000, 0x9c01, 0x8801, 0x4400,
  };

  for (gsize i = 0; i < len; i++)
    {
      guint16 tmp = table[crc & 0xf];
      crc = (crc >> 4) & 0x0fff;
      crc = crc ^ tmp ^ table[data[i] & 0xf];
      tmp = table[crc & 0xf];
      crc = (crc >> 4) & 0x0fff;
      crc = crc ^ tmp ^ table[(data[i] >> 4) & 0xf];
    }
  return crc;
}

static guint64
read_uint (const guint8 *p, guint size, gboolean big_endian)
{
  guint64 v = 0;

  for (guint i = 0; i < size; i++)
    v |= (guint64) p[big_endian ? size - 1 - i : i] << (8 * i);
  return v;
}

/* The field's first value as a number, or NAN for the type's invalid value. */
static double
field_value (const guint8 *p, const FieldDef *f, gboolean big_endian)
{
  guint size = base_sizes[f->base];
  guint64 v;

  if (f->size < size)
    return NAN;
  v = read_uint (p, size, big_endian);
  switch (f->base)
    {
    case 0: case 2: case 13:            /* enum, uint8, byte */
      return v == 0xff ? NAN : (double) v;
    case 1:                             /* sint8 */
      return v == 0x7f ? NAN : (double) (gint8) v;
    case 3:
      return v == 0x7fff ? NAN : (double) (gint16) v;
    case 4:
      return v == 0xffff ? NAN : (double) v;
    case 5:
      return v == 0x7fffffff ? NAN : (double) (gint32) v;
    case 6:
      return v == 0xffffffff ? NAN : (double) v;
    case 8:
      {
        guint32 bits = (guint32) v;
        float fl;
        if (bits == 0xffffffff)
          return NAN;
        memcpy (&fl, &bits, sizeof fl);
        return isfinite (fl) ? fl : NAN;
      }
    case 9:
      {
        double d;
        if (v == G_GUINT64_CONSTANT (0xffffffffffffffff))
          return NAN;
        memcpy (&d, &v, sizeof d);
        return isfinite (d) ? d : NAN;
      }
    case 10: case 11: case 12: case 16:  /* uint8z, uint16z, uint32z, uint64z */
      return v == 0 ? NAN : (double) v;
    case 14:
      return v == G_GUINT64_CONSTANT (0x7fffffffffffffff) ? NAN : (double) (gint64) v;
    case 15:
      return v == G_GUINT64_CONSTANT (0xffffffffffffffff) ? NAN : (double) v;
    default:                             /* strings are not used here */
      return NAN;
    }
}

static gint64
fit_time_ms (double fit_seconds)
{
  /* callers pass values within 0 .. 2^32 - 1; negative ones mean "not a time" */
  return ((gint64) MAX (fit_seconds, 0.0) + FIT_EPOCH_UNIX) * 1000;
}

static void
begin_message (FitCtx *ctx, guint16 global)
{
  switch (global)
    {
    case MSG_RECORD:
      ctx->sample = sal_sample_empty ();
      ctx->alt = ctx->enh_alt = ctx->speed = ctx->enh_speed = NAN;
      break;
    case MSG_LAP:
      ctx->lap = (SalLap) { 0, NAN, NAN, NAN, NAN };
      break;
    case MSG_SESSION:
      ctx->session = (Session) { 0, NAN, NAN, NAN, NAN, NAN };
      break;
    default:
      break;
    }
}

static void
set_field (FitCtx *ctx, guint16 global, guint8 num, double v)
{
  const double semicircle = 180.0 / 2147483648.0;

  /* Every field used here is at most 32 bits wide in the FIT profile; a file
   * that declares one as float64 or sint64 cannot push casts out of range. */
  if (isnan (v) || v < -2147483648.0 || v > 4294967295.0)
    return;
  switch (global)
    {
    case MSG_FILE_ID:
      if (num == 0)
        ctx->file_type = v;
      break;
    case MSG_RECORD:
      switch (num)
        {
        case 0: ctx->sample.lat_deg = v * semicircle; break;
        case 1: ctx->sample.lon_deg = v * semicircle; break;
        case 2: ctx->alt = v / 5.0 - 500.0; break;
        case 3: ctx->sample.heart_rate_bpm = v; break;
        case 4: ctx->sample.cadence_rpm = v; break;
        case 5: ctx->sample.distance_m = v / 100.0; break;
        case 6: ctx->speed = v / 1000.0; break;
        case 7: ctx->sample.power_w = v; break;
        case 73: ctx->enh_speed = v / 1000.0; break;
        case 78: ctx->enh_alt = v / 5.0 - 500.0; break;
        default: break;
        }
      break;
    case MSG_LAP:
      switch (num)
        {
        case 2: ctx->lap.start_ms = fit_time_ms (v); break;
        case 7: ctx->lap.duration_s = v / 1000.0; break;
        case 9: ctx->lap.distance_m = v / 100.0; break;
        case 15: ctx->lap.avg_hr_bpm = v; break;
        case 16: ctx->lap.max_hr_bpm = v; break;
        default: break;
        }
      break;
    case MSG_SESSION:
      switch (num)
        {
        case 2: ctx->session.start_ms = fit_time_ms (v); break;
        case 5: ctx->session.sport = v; break;
        case 7: ctx->session.elapsed_s = v / 1000.0; break;
        case 9: ctx->session.distance_m = v / 100.0; break;
        case 16: ctx->session.avg_hr = v; break;
        case 17: ctx->session.max_hr = v; break;
        default: break;
        }
      break;
    default:
      break;
    }
}

static gboolean
end_message (FitCtx *ctx, guint16 global, gsize offset, gboolean has_ts, guint32 ts,
             GError **error)
{
  switch (global)
    {
    case MSG_FILE_ID:
      if (!isnan (ctx->file_type) && ctx->file_type != 4)
        {
          g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_UNSUPPORTED,
                       _("%s: a FIT file of type %g, not an activity (type 4)"), ctx->name,
                       ctx->file_type);
          return FALSE;
        }
      break;
    case MSG_RECORD:
      {
        SalSample *s = &ctx->sample;

        if (!has_ts)
          {
            g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_MALFORMED,
                         _("%s: byte %zu: a record message without a time"),
                         ctx->name, offset);
            return FALSE;
          }
        if (++ctx->n_samples > ctx->max_samples)
          {
            g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_TOO_LARGE,
                         _("%s: more than %u records, the most allowed"), ctx->name,
                         ctx->max_samples);
            return FALSE;
          }
        s->time_ms = fit_time_ms (ts);
        s->elevation_m = !isnan (ctx->enh_alt) ? ctx->enh_alt : ctx->alt;
        s->speed_mps = !isnan (ctx->enh_speed) ? ctx->enh_speed : ctx->speed;
        if (isnan (s->lat_deg) != isnan (s->lon_deg))
          s->lat_deg = s->lon_deg = NAN;
        if (!sal_import_coords_valid (s->lat_deg, s->lon_deg))
          {
            g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_INVALID,
                         _("%s: byte %zu: record %u has impossible coordinates "
                           "(latitude %.6f, longitude %.6f)"),
                         ctx->name, offset, ctx->records->len + 1, s->lat_deg, s->lon_deg);
            return FALSE;
          }
        if (ctx->records->len > 0
            && s->time_ms < g_array_index (ctx->records, SalSample, ctx->records->len - 1).time_ms)
          {
            g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_INVALID,
                         _("%s: byte %zu: record %u goes back in time"),
                         ctx->name, offset, ctx->records->len + 1);
            return FALSE;
          }
        g_array_append_val (ctx->records, *s);
      }
      break;
    case MSG_LAP:
      if (ctx->lap.start_ms == 0 && has_ts && !isnan (ctx->lap.duration_s))
        ctx->lap.start_ms = fit_time_ms (ts) - (gint64) (ctx->lap.duration_s * 1000);
      g_array_append_val (ctx->laps, ctx->lap);
      break;
    case MSG_SESSION:
      if (ctx->session.start_ms == 0 && has_ts && !isnan (ctx->session.elapsed_s))
        ctx->session.start_ms = fit_time_ms (ts) - (gint64) (ctx->session.elapsed_s * 1000);
      g_array_append_val (ctx->sessions, ctx->session);
      break;
    default:
      break;
    }
  return TRUE;
}

#define FAIL_AT(offset, ...)                                                              \
  G_STMT_START {                                                                          \
    g_autofree char *detail_ = g_strdup_printf (__VA_ARGS__);                             \
    g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_MALFORMED,                      \
                 _("%s: byte %zu: %s"), ctx->name, (gsize) (offset), detail_); \
    return FALSE;                                                                         \
  } G_STMT_END

static gboolean
read_definition (FitCtx *ctx, const guint8 *d, gsize *pos, gsize end, guint8 hdr,
                 GError **error)
{
  MsgDef *def = &ctx->defs[hdr & 0x0f];
  gsize start = *pos - 1, p = *pos;
  guint8 arch;

  if (end - p < 5)
    FAIL_AT (start, _("a definition message is cut off (truncated file)"));
  arch = d[p + 1];
  if (arch > 1)
    FAIL_AT (start, _("unknown byte order %u in a definition message"), arch);
  def->big_endian = arch == 1;
  def->global = (guint16) read_uint (d + p + 2, 2, def->big_endian);
  def->n_fields = d[p + 4];
  def->total_size = 0;
  def->dev_size = 0;
  p += 5;
  if (end - p < (gsize) def->n_fields * 3)
    FAIL_AT (start, _("a definition message is cut off (truncated file)"));
  for (guint i = 0; i < def->n_fields; i++, p += 3)
    {
      FieldDef *f = &def->fields[i];

      f->num = d[p];
      f->size = d[p + 1];
      f->base = d[p + 2] & 0x1f;
      if (f->base > 16)
        FAIL_AT (start, _("field %u has an unknown base type 0x%02x"), f->num, d[p + 2]);
      if (f->size == 0)
        FAIL_AT (start, _("field %u has size 0"), f->num);
      def->total_size += f->size;
    }
  if (hdr & 0x20)
    {
      guint n_dev;

      if (end - p < 1)
        FAIL_AT (start, _("a definition message is cut off (truncated file)"));
      n_dev = d[p++];
      if (end - p < (gsize) n_dev * 3)
        FAIL_AT (start, _("a definition message is cut off (truncated file)"));
      for (guint i = 0; i < n_dev; i++, p += 3)
        def->dev_size += d[p + 1];
    }
  def->total_size += def->dev_size;
  def->defined = TRUE;
  *pos = p;
  return TRUE;
}

static gboolean
read_data (FitCtx *ctx, const guint8 *d, gsize *pos, gsize end, guint local,
           gboolean compressed, guint32 compressed_ts, GError **error)
{
  MsgDef *def = &ctx->defs[local];
  gsize start = *pos - 1, p = *pos;
  gboolean has_ts = compressed;
  guint32 ts = compressed_ts;

  if (!def->defined)
    FAIL_AT (start, _("a data message uses local type %u before its definition"), local);
  if (end - p < def->total_size)
    FAIL_AT (start, _("a data message is cut off (truncated file)"));
  begin_message (ctx, def->global);
  for (guint i = 0; i < def->n_fields; i++)
    {
      const FieldDef *f = &def->fields[i];
      double v = field_value (d + p, f, def->big_endian);

      if (f->num == FIELD_TIMESTAMP && v >= 0 && v <= 4294967295.0)
        {
          ts = (guint32) v;
          has_ts = TRUE;
          ctx->last_ts = ts;
          ctx->have_ts = TRUE;
        }
      else
        set_field (ctx, def->global, f->num, v);
      p += f->size;
    }
  p += def->dev_size;
  *pos = p;
  return end_message (ctx, def->global, start, has_ts, ts, error);
}

static gboolean
read_messages (FitCtx *ctx, const guint8 *d, gsize pos, gsize end, GError **error)
{
  while (pos < end)
    {
      guint8 hdr = d[pos++];

      if ((ctx->n_messages++ & 1023) == 0
          && g_cancellable_set_error_if_cancelled (ctx->cancellable, error))
        return FALSE;

      if (hdr & 0x80)
        {
          guint local = (hdr >> 5) & 0x03, offset = hdr & 0x1f;
          guint32 ts;

          if (!ctx->have_ts)
            FAIL_AT (pos - 1, _("a compressed timestamp before any full timestamp"));
          ts = (ctx->last_ts & ~0x1fu) + offset;
          if (offset < (ctx->last_ts & 0x1fu))
            ts += 0x20;
          ctx->last_ts = ts;
          if (!read_data (ctx, d, &pos, end, local, TRUE, ts, error))
            return FALSE;
        }
      else if (hdr & 0x40)
        {
          if (!read_definition (ctx, d, &pos, end, hdr, error))
            return FALSE;
        }
      else if (!read_data (ctx, d, &pos, end, hdr & 0x0f, FALSE, 0, error))
        return FALSE;
    }
  return TRUE;
}

static const char *
fit_sport (double sport)
{
  switch ((int) (isnan (sport) ? 0 : sport))
    {
    case 1: return "running";
    case 2: return "cycling";
    case 5: return "swimming";
    case 10: return "strength";
    case 11: case 17: return "walking";
    default: return "other";
    }
}

/* Groups one file's records and laps into its sessions (by start time). */
static gboolean
assemble (FitCtx *ctx, GPtrArray *out, guint max_workouts, GError **error)
{
  guint n_sessions = MAX (ctx->sessions->len, 1);
  g_autoptr(GPtrArray) ws = g_ptr_array_new_with_free_func ((GDestroyNotify) sal_workout_free);

  if (ctx->records->len == 0 && ctx->sessions->len == 0)
    return TRUE;
  for (guint i = 0; i < n_sessions; i++)
    {
      SalWorkout *w = sal_workout_new ();

      if (ctx->sessions->len > 0)
        {
          const Session *s = &g_array_index (ctx->sessions, Session, i);
          g_free (w->sport);
          w->sport = g_strdup (fit_sport (s->sport));
          w->start_ms = s->start_ms;
          w->duration_s = isnan (s->elapsed_s) ? 0 : s->elapsed_s;
          w->distance_m = s->distance_m;
          w->avg_hr_bpm = s->avg_hr;
          w->max_hr_bpm = s->max_hr;
        }
      w->source = g_strdup (ctx->name);
      g_ptr_array_add (ws, w);
    }
  /* the last session started at or before t; before the first goes to the first */
#define SESSION_FOR(t, idx)                                                          \
  G_STMT_START {                                                                     \
    idx = 0;                                                                         \
    for (guint k_ = 1; k_ < ctx->sessions->len; k_++)                                \
      if (g_array_index (ctx->sessions, Session, k_).start_ms <= (t))                \
        idx = k_;                                                                    \
  } G_STMT_END
  for (guint r = 0; r < ctx->records->len; r++)
    {
      const SalSample *s = &g_array_index (ctx->records, SalSample, r);
      guint idx;
      SESSION_FOR (s->time_ms, idx);
      g_array_append_val (((SalWorkout *) ws->pdata[idx])->samples, *s);
    }
  for (guint l = 0; l < ctx->laps->len; l++)
    {
      const SalLap *lap = &g_array_index (ctx->laps, SalLap, l);
      guint idx;
      SESSION_FOR (lap->start_ms, idx);
      g_array_append_val (((SalWorkout *) ws->pdata[idx])->laps, *lap);
    }
#undef SESSION_FOR
  for (guint i = 0; i < ws->len; i++)
    {
      if (out->len >= max_workouts)
        {
          g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_TOO_LARGE,
                       _("%s: more than %u sessions, the most allowed"), ctx->name, max_workouts);
          return FALSE;
        }
      sal_import_complete_summary (ws->pdata[i]);
      g_ptr_array_add (out, g_steal_pointer (&ws->pdata[i]));
    }
  return TRUE;
}

static gboolean
read_one_file (FitCtx *ctx, const guint8 *d, gsize len, gsize *consumed, GPtrArray *out,
               guint max_workouts, GError **error)
{
  guint hsize;
  guint32 data_size;
  guint16 crc;

  if (len < 12)
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_MALFORMED,
                   _("%s: too short to be a FIT file (%zu bytes)"), ctx->name, len);
      return FALSE;
    }
  hsize = d[0];
  if ((hsize != 12 && hsize != 14) || memcmp (d + 8, ".FIT", 4) != 0)
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_MALFORMED,
                   _("%s: not a FIT file (no “.FIT” file header)"), ctx->name);
      return FALSE;
    }
  if (len < hsize)
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_MALFORMED,
                   _("%s: the FIT file header is cut off (truncated)"), ctx->name);
      return FALSE;
    }
  if (hsize == 14)
    {
      guint16 stored = (guint16) read_uint (d + 12, 2, FALSE);
      if (stored != 0 && stored != sal_fit_crc (0, d, 12))
        {
          g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_MALFORMED,
                       _("%s: the FIT file header has a wrong CRC (the file is damaged)"),
                       ctx->name);
          return FALSE;
        }
    }
  data_size = (guint32) read_uint (d + 4, 4, FALSE);
  if ((guint64) hsize + data_size + 2 > len)
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_MALFORMED,
                   _("%s: the header declares %u bytes of data but only %zu"
                     " follow (truncated or damaged file)"),
                   ctx->name, data_size, len - hsize);
      return FALSE;
    }
  crc = sal_fit_crc (0, d, hsize + data_size);
  if (crc != (guint16) read_uint (d + hsize + data_size, 2, FALSE))
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_MALFORMED,
                   _("%s: the file CRC does not match its content (the file is damaged)"),
                   ctx->name);
      return FALSE;
    }

  memset (ctx->defs, 0, sizeof ctx->defs);
  ctx->have_ts = FALSE;
  ctx->file_type = NAN;
  g_array_set_size (ctx->records, 0);
  g_array_set_size (ctx->laps, 0);
  g_array_set_size (ctx->sessions, 0);
  if (!read_messages (ctx, d, hsize, hsize + data_size, error))
    return FALSE;
  *consumed = hsize + data_size + 2;
  return assemble (ctx, out, max_workouts, error);
}

GPtrArray *
sal_fit_read (GBytes *bytes, const char *name, const SalImportLimits *limits, GError **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) sal_workout_free);
  g_autofree FitCtx *ctx = g_new0 (FitCtx, 1);
  SalImportLimits lim;
  const guint8 *d;
  gsize len, pos = 0;
  gboolean ok = TRUE;

  sal_import_limits_resolve (limits, &lim);
  d = g_bytes_get_data (bytes, &len);
  ctx->name = name != NULL ? name : "FIT";
  ctx->max_samples = lim.max_samples;
  ctx->cancellable = lim.cancellable;
  if (g_cancellable_set_error_if_cancelled (lim.cancellable, error))
    return NULL;
  if (!sal_import_check_size (len, lim.max_bytes, ctx->name, error))
    return NULL;
  ctx->records = g_array_new (FALSE, FALSE, sizeof (SalSample));
  ctx->laps = g_array_new (FALSE, FALSE, sizeof (SalLap));
  ctx->sessions = g_array_new (FALSE, FALSE, sizeof (Session));
  /* Chained FIT files follow each other; trailing padding is ignored. */
  do
    {
      gsize consumed = 0;

      ok = read_one_file (ctx, d + pos, len - pos, &consumed, out, lim.max_workouts, error);
      pos += consumed;
    }
  while (ok && len - pos >= 12 && memcmp (d + pos + 8, ".FIT", 4) == 0);
  g_array_unref (ctx->records);
  g_array_unref (ctx->laps);
  g_array_unref (ctx->sessions);
  if (!ok)
    return NULL;
  if (out->len == 0)
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_INVALID,
                   _("%s: the FIT file holds no activity records"), ctx->name);
      return NULL;
    }
  return g_steal_pointer (&out);
}
