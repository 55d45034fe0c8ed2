/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Display units of the Fitness workspace. Everything is stored and computed in SI
 * (metres, seconds, kilograms, m/s); these convert at the edges: what is shown and what
 * is typed in. One mile is 1609.344 m, one pound 0.45359237 kg (both exact). */

#define SAL_METRES_PER_MILE 1609.344
#define SAL_KG_PER_POUND    0.45359237

typedef struct {
  gboolean miles;     /* distances in mi (else km) */
  gboolean pounds;    /* weights in lb (else kg) */
} SalUnits;

/* Metres ↔ km or mi. */
double      sal_units_distance       (const SalUnits *u, double metres);
double      sal_units_distance_to_m  (const SalUnits *u, double value);
/* kg ↔ kg or lb. */
double      sal_units_weight         (const SalUnits *u, double kg);
double      sal_units_weight_to_kg   (const SalUnits *u, double value);
/* m/s → km/h or mph; m/s → minutes per km or per mi (NAN when slower than 0.5 m/s). */
double      sal_units_speed          (const SalUnits *u, double mps);
double      sal_units_pace_min       (const SalUnits *u, double mps);

/* Translated unit names: "km"/"mi", "kg"/"lb", "km/h"/"mph", "min/km"/"min/mi". */
const char *sal_units_distance_name  (const SalUnits *u);
const char *sal_units_weight_name    (const SalUnits *u);
const char *sal_units_speed_name     (const SalUnits *u);
const char *sal_units_pace_name      (const SalUnits *u);

/* "12.34 km", "5:00 /km" (seconds over metres), "25.3 km/h", "70.0 kg"; "—" when undefined. */
char       *sal_units_format_distance (const SalUnits *u, double metres, int decimals);
char       *sal_units_format_pace     (const SalUnits *u, double seconds, double metres);
char       *sal_units_format_speed    (const SalUnits *u, double mps);
char       *sal_units_format_weight   (const SalUnits *u, double kg);

G_END_DECLS
