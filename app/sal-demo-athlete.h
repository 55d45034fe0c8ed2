/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sal-store.h"

G_BEGIN_DECLS

/* A demo athlete from the simulator (sal-athlete-sim.h): n_days of history ending on
 * local day last_day — workouts (sport, start, duration, distance, average and maximum
 * heart rate chosen so the Banister TRIMP of the session equals the simulated load;
 * every fifth one with heart-rate, position and distance samples), daily wellness and
 * performance tests — stored as demo data (one sal_store_delete_demo_data removes it),
 * all in one transaction. The profile is written only when there is none.
 * Deterministic from seed. cancellable may be NULL. */
gboolean sal_demo_athlete_generate (SalStore     *store,
                                    guint32       seed,
                                    int           n_days,
                                    gint64        last_day,
                                    GTimeZone    *tz,
                                    GCancellable *cancellable,
                                    guint        *n_workouts,
                                    GError      **error);

G_END_DECLS
