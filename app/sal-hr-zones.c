/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-fitness"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "sal-hr-zones.h"
#include "sal-store.h"

G_DEFINE_QUARK (sal-hr-zones-error-quark, sal_hr_zones_error)

static gboolean
valid_hr (double v)
{
  return isfinite (v) && v >= 25 && v <= 250;
}

GArray *
sal_hr_zones_compute (SalZoneMethod method, double hr_rest, double hr_max, double lthr,
                      GError **error)
{
  static const double f[] = { 0.50, 0.60, 0.70, 0.80, 0.90, 1.00 };
  static const double friel[] = { 0.85, 0.90, 0.95, 1.00 };
  double b[6];
  g_autoptr(GArray) zones = g_array_new (FALSE, FALSE, sizeof (SalHrZone));

  if (!valid_hr (hr_max) || (method == SAL_ZONES_KARVONEN && !valid_hr (hr_rest))
      || (method == SAL_ZONES_LTHR && (!valid_hr (lthr) || !valid_hr (hr_rest))))
    {
      g_set_error (error, SAL_HR_ZONES_ERROR, 0,
                   method == SAL_ZONES_LTHR
                     ? _("Zones by threshold need your resting, maximum and lactate-threshold "
                         "heart rates")
                   : method == SAL_ZONES_KARVONEN
                     ? _("Zones by heart-rate reserve need your resting and maximum heart rates")
                     : _("Zones by maximum heart rate need your maximum heart rate"));
      return NULL;
    }
  if ((method != SAL_ZONES_PERCENT_MAX && hr_rest >= hr_max)
      || (method == SAL_ZONES_LTHR && (lthr <= hr_rest || lthr >= hr_max)))
    {
      g_set_error (error, SAL_HR_ZONES_ERROR, 0,
                   _("The heart rates must rise from resting to threshold to maximum"));
      return NULL;
    }
  for (int i = 0; i < 6; i++)
    switch (method)
      {
      case SAL_ZONES_PERCENT_MAX: b[i] = f[i] * hr_max; break;
      case SAL_ZONES_KARVONEN: b[i] = hr_rest + f[i] * (hr_max - hr_rest); break;
      case SAL_ZONES_LTHR:
      default:
        b[i] = i == 0 ? hr_rest : i == 5 ? hr_max : friel[i - 1] * lthr;
        break;
      }
  for (int i = 0; i < 5; i++)
    {
      SalHrZone z = { i + 1, round (b[i]), round (b[i + 1]) };
      g_array_append_val (zones, z);
    }
  if (!sal_hr_zones_validate (zones, error))
    return NULL;
  return g_steal_pointer (&zones);
}

gboolean
sal_hr_zones_validate (const GArray *zones, GError **error)
{
  if (zones == NULL || zones->len == 0 || zones->len > 8)
    {
      g_set_error (error, SAL_HR_ZONES_ERROR, 0, _("There must be between one and eight zones"));
      return FALSE;
    }
  for (guint i = 0; i < zones->len; i++)
    {
      const SalHrZone *z = &g_array_index (zones, SalHrZone, i);
      if (z->zone != (int) i + 1 || !(z->low_bpm < z->high_bpm) || z->low_bpm < 0
          || z->high_bpm > 260)
        {
          g_set_error (error, SAL_HR_ZONES_ERROR, 0,
                       _("Zone %u must start below where it ends (%.0f–%.0f bpm)"), i + 1,
                       z->low_bpm, z->high_bpm);
          return FALSE;
        }
      if (i > 0 && z->low_bpm != g_array_index (zones, SalHrZone, i - 1).high_bpm)
        {
          g_set_error (error, SAL_HR_ZONES_ERROR, 0,
                       _("Zone %u must start where zone %u ends (%.0f bpm)"), i + 1, i,
                       g_array_index (zones, SalHrZone, i - 1).high_bpm);
          return FALSE;
        }
    }
  return TRUE;
}
