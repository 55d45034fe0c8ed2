/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Display units of the Fitness workspace (see sal-units.h). */
#define G_LOG_DOMAIN "sal-fitness"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "sal-units.h"

static const SalUnits metric = { FALSE, FALSE };

#define U(u) ((u) != NULL ? (u) : &metric)

double
sal_units_distance (const SalUnits *u, double metres)
{
  return U (u)->miles ? metres / SAL_METRES_PER_MILE : metres / 1000.0;
}

double
sal_units_distance_to_m (const SalUnits *u, double value)
{
  return U (u)->miles ? value * SAL_METRES_PER_MILE : value * 1000.0;
}

double
sal_units_weight (const SalUnits *u, double kg)
{
  return U (u)->pounds ? kg / SAL_KG_PER_POUND : kg;
}

double
sal_units_weight_to_kg (const SalUnits *u, double value)
{
  return U (u)->pounds ? value * SAL_KG_PER_POUND : value;
}

double
sal_units_speed (const SalUnits *u, double mps)
{
  /* m/s × 3600 s/h ÷ metres per unit */
  return isfinite (mps) ? mps * 3600.0 / sal_units_distance_to_m (u, 1) : NAN;
}

double
sal_units_pace_min (const SalUnits *u, double mps)
{
  /* metres per unit ÷ m/s = seconds per unit */
  return isfinite (mps) && mps > 0.5 ? sal_units_distance_to_m (u, 1) / mps / 60.0 : NAN;
}

const char *
sal_units_distance_name (const SalUnits *u)
{
  /* TRANSLATORS: unit symbols */
  return U (u)->miles ? _("mi") : _("km");
}

const char *
sal_units_weight_name (const SalUnits *u)
{
  return U (u)->pounds ? _("lb") : _("kg");
}

const char *
sal_units_speed_name (const SalUnits *u)
{
  return U (u)->miles ? _("mph") : _("km/h");
}

const char *
sal_units_pace_name (const SalUnits *u)
{
  return U (u)->miles ? _("min/mi") : _("min/km");
}

char *
sal_units_format_distance (const SalUnits *u, double metres, int decimals)
{
  if (!isfinite (metres))
    return g_strdup ("—");
  /* TRANSLATORS: a distance: number and unit symbol */
  return g_strdup_printf (_("%.*f %s"), CLAMP (decimals, 0, 3), sal_units_distance (u, metres),
                          sal_units_distance_name (u));
}

char *
sal_units_format_pace (const SalUnits *u, double seconds, double metres)
{
  long s;

  if (!isfinite (seconds) || !isfinite (metres) || metres <= 0 || seconds <= 0)
    return g_strdup ("—");
  s = lround (seconds / sal_units_distance (u, metres));
  /* TRANSLATORS: a pace, minutes:seconds per km or per mi */
  return g_strdup_printf (_("%ld:%02ld /%s"), s / 60, s % 60, sal_units_distance_name (u));
}

char *
sal_units_format_speed (const SalUnits *u, double mps)
{
  if (!isfinite (mps))
    return g_strdup ("—");
  return g_strdup_printf (_("%.1f %s"), sal_units_speed (u, mps), sal_units_speed_name (u));
}

char *
sal_units_format_weight (const SalUnits *u, double kg)
{
  if (!isfinite (kg))
    return g_strdup ("—");
  return g_strdup_printf (_("%.1f %s"), sal_units_weight (u, kg), sal_units_weight_name (u));
}
