/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-app"

#include "sal-training-load.h"

#include <math.h>

#define MAX_GAP_S 60.0

double
sal_trimp_banister (double minutes, double hr, double hr_rest, double hr_max, SalSex sex)
{
  double a = sex == SAL_SEX_FEMALE ? 0.86 : 0.64;
  double b = sex == SAL_SEX_FEMALE ? 1.67 : 1.92;
  double hrr;

  if (isnan (minutes) || isnan (hr) || isnan (hr_rest) || isnan (hr_max) || hr_max <= hr_rest)
    return NAN;
  hrr = CLAMP ((hr - hr_rest) / (hr_max - hr_rest), 0.0, 1.0);
  return minutes * hrr * a * exp (b * hrr);
}

double
sal_trimp_banister_samples (const GArray *samples, double hr_rest, double hr_max, SalSex sex)
{
  double total = 0;
  gboolean any = FALSE;

  for (guint i = 0; i + 1 < samples->len; i++)
    {
      const SalSample *s = &g_array_index (samples, SalSample, i);
      const SalSample *next = &g_array_index (samples, SalSample, i + 1);
      double dt = (next->time_ms - s->time_ms) / 1000.0;
      double t;

      if (isnan (s->heart_rate_bpm) || dt <= 0 || dt > MAX_GAP_S)
        continue;
      t = sal_trimp_banister (dt / 60.0, s->heart_rate_bpm, hr_rest, hr_max, sex);
      if (isnan (t))
        return NAN;
      total += t;
      any = TRUE;
    }
  return any ? total : NAN;
}

double
sal_trimp_edwards_samples (const GArray *samples, double hr_max)
{
  double total = 0;
  gboolean any = FALSE;

  if (isnan (hr_max) || hr_max <= 0)
    return NAN;
  for (guint i = 0; i + 1 < samples->len; i++)
    {
      const SalSample *s = &g_array_index (samples, SalSample, i);
      const SalSample *next = &g_array_index (samples, SalSample, i + 1);
      double dt = (next->time_ms - s->time_ms) / 1000.0;
      double pct;
      int zone;

      if (isnan (s->heart_rate_bpm) || dt <= 0 || dt > MAX_GAP_S)
        continue;
      any = TRUE;
      pct = s->heart_rate_bpm / hr_max;
      if (pct < 0.5)
        continue;
      zone = MIN ((int) floor ((pct - 0.5) * 10.0), 4) + 1;   /* 1..5 */
      total += zone * dt / 60.0;
    }
  return any ? total : NAN;
}

double
sal_session_rpe_load (double rpe, double minutes)
{
  if (isnan (rpe) || isnan (minutes))
    return NAN;
  return rpe * minutes;
}

void
sal_daily_load_series (const double *loads, int n_days, const SalLoadParams *params,
                       SalDayLoad *days)
{
  double tau_ctl = params && params->tau_ctl > 0 ? params->tau_ctl : 42.0;
  double tau_atl = params && params->tau_atl > 0 ? params->tau_atl : 7.0;
  double ctl = 0, atl = 0, ewma7 = 0, ewma28 = 0;
  const double l7 = 2.0 / (7 + 1), l28 = 2.0 / (28 + 1);

  for (int t = 0; t < n_days; t++)
    {
      double load = isnan (loads[t]) ? 0 : loads[t];
      double sum7 = 0, sum28 = 0, sq7 = 0, mean7, mean28, sd7;

      days[t].load = load;
      days[t].form = ctl - atl;                       /* yesterday's values */
      ctl += (load - ctl) / tau_ctl;
      atl += (load - atl) / tau_atl;
      days[t].ctl = ctl;
      days[t].atl = atl;

      ewma7 = l7 * load + (1 - l7) * ewma7;
      ewma28 = l28 * load + (1 - l28) * ewma28;
      days[t].acwr_ewma = ewma28 > 0 ? ewma7 / ewma28 : NAN;

      for (int k = 0; k < 28; k++)
        {
          double v = t - k >= 0 ? (isnan (loads[t - k]) ? 0 : loads[t - k]) : 0;
          sum28 += v;
          if (k < 7)
            {
              sum7 += v;
              sq7 += v * v;
            }
        }
      mean7 = sum7 / 7.0;
      mean28 = sum28 / 28.0;
      days[t].acwr_rolling = mean28 > 0 ? mean7 / mean28 : NAN;
      /* Population SD of the 7 days, as Foster defined monotony. */
      sd7 = sqrt (MAX (sq7 / 7.0 - mean7 * mean7, 0.0));
      days[t].monotony = sd7 > 1e-9 ? mean7 / sd7 : NAN;
      days[t].strain = isnan (days[t].monotony) ? NAN : sum7 * days[t].monotony;
    }
}

gint64
sal_local_day (gint64 utc_ms, GTimeZone *tz)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (utc_ms / 1000);
  g_autoptr(GDateTime) local = NULL;
  g_autoptr(GDate) date = NULL;

  if (utc == NULL)
    return G_MININT64;
  local = g_date_time_to_timezone (utc, tz);
  date = g_date_new_dmy (g_date_time_get_day_of_month (local),
                         g_date_time_get_month (local), g_date_time_get_year (local));
  /* GDate's Julian day 1 is 0001-01-01; 1970-01-01 is 719163. */
  return (gint64) g_date_get_julian (date) - 719163;
}

double
sal_best_effort_s (const GArray *samples, double distance_m)
{
  double best = NAN;
  guint j = 0;

  /* Two pointers over cumulative distance: for each start i, the first j
   * that reaches start + distance, with linear interpolation inside [j-1, j]. */
  for (guint i = 0; i < samples->len; i++)
    {
      const SalSample *a = &g_array_index (samples, SalSample, i);
      double target, t_end;

      if (isnan (a->distance_m))
        continue;
      target = a->distance_m + distance_m;
      if (j < i + 1)
        j = i + 1;
      while (j < samples->len &&
             (isnan (g_array_index (samples, SalSample, j).distance_m) ||
              g_array_index (samples, SalSample, j).distance_m < target))
        j++;
      if (j >= samples->len)
        break;
      {
        const SalSample *b = &g_array_index (samples, SalSample, j);
        const SalSample *p = &g_array_index (samples, SalSample, j - 1);
        double span = b->distance_m - p->distance_m;
        double frac = span > 0 && !isnan (p->distance_m) ? (target - p->distance_m) / span : 1.0;
        t_end = (isnan (p->distance_m) ? b->time_ms
                 : p->time_ms + frac * (b->time_ms - p->time_ms)) / 1000.0;
      }
      if (isnan (best) || t_end - a->time_ms / 1000.0 < best)
        best = t_end - a->time_ms / 1000.0;
    }
  return best;
}

void
sal_daily_loads_accumulate (const gint64 *start_utc_ms, const double *session_load, int n_sessions,
                            GTimeZone *tz, gint64 first_day, int n_days, double *out)
{
  for (int d = 0; d < n_days; d++)
    out[d] = 0;
  for (int i = 0; i < n_sessions; i++)
    {
      gint64 day = sal_local_day (start_utc_ms[i], tz) - first_day;
      if (day >= 0 && day < n_days && !isnan (session_load[i]))
        out[day] += session_load[i];
    }
}
