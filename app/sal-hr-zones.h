/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Five heart-rate zones (SalHrZone, sal-store.h) from one of three methods:
 *   %HRmax:   zone i spans [f_i, f_{i+1}] × HRmax, f = 0.50, 0.60, 0.70, 0.80, 0.90, 1.00;
 *   Karvonen: HRrest + f × (HRmax − HRrest), the same fractions of the heart-rate reserve;
 *   LTHR:     Friel's running zones, fractions of the lactate-threshold heart rate:
 *             below 0.85, 0.85–0.90, 0.90–0.95, 0.95–1.00, above 1.00 (zone 1 starts at
 *             HRrest, zone 5 ends at HRmax).
 * Boundaries are rounded to whole beats; the person may then edit them. */
typedef enum {
  SAL_ZONES_PERCENT_MAX,
  SAL_ZONES_KARVONEN,
  SAL_ZONES_LTHR,
} SalZoneMethod;

#define SAL_HR_ZONES_ERROR (sal_hr_zones_error_quark ())
GQuark sal_hr_zones_error_quark (void);

/* GArray of SalHrZone, or NULL with an error saying which heart rate is missing. */
GArray  *sal_hr_zones_compute  (SalZoneMethod method, double hr_rest, double hr_max,
                                double lthr, GError **error);
/* Zones must be numbered 1.., each low < high, each starting where the previous ends. */
gboolean sal_hr_zones_validate (const GArray *zones, GError **error);

G_END_DECLS
