/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The kiosk's demo data (no GTK): an in-memory database seeded with the synthetic
 * demo set, and the note the note demo explains. Nothing touches disk. */

#include <gio/gio.h>

#include "sal-store.h"

G_BEGIN_DECLS

/* A fresh ":memory:" store with a simulated athlete's year ending on `today` (local
 * day number as sal_demo_athlete_generate takes it; 0 = today in tz). */
SalStore *sal_kiosk_store_new (GTimeZone *tz, gint64 today, GError **error);

/* Adds a demo case holding one generated urgent note: the first from `seed` on that the
 * store's note model, if it has one, also reads as urgent (the generator's training
 * templates, which the model reads reliably: a visitor should see it explain a right
 * answer). note_id and note_seed (the generator seed of the note, to regenerate its
 * evidence spans) may be NULL. The case id, or 0 with an error. */
gint64 sal_kiosk_add_note_case (SalStore *store,
                                guint32   seed,
                                gint64   *note_id,
                                guint32  *note_seed,
                                GError  **error);

G_END_DECLS
