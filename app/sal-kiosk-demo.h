/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The kiosk's demo data (no GTK): an in-memory database seeded with the synthetic
 * demo set, and the note-triage explanation the kiosk shows. Nothing touches disk. */

#include <gio/gio.h>

#include "sal-store.h"

G_BEGIN_DECLS

/* A fresh ":memory:" store with a simulated athlete's year ending on `today` (local
 * day number as sal_demo_athlete_generate takes it; 0 = today in tz). */
SalStore *sal_kiosk_store_new (GTimeZone *tz, gint64 today, GError **error);

typedef struct {
  char    *text;          /* the generated note (synthetic) */
  int      label;         /* SalTriage of the note */
  int      target;        /* the class explained (urgent) */
  double   probability;   /* model probability of the target class */
  guint    n_tokens;
  gsize   *starts, *ends; /* byte offsets of each token in text */
  double  *attribution;   /* Integrated Gradients per token (signed) */
} SalKioskNoteDemo;

void              sal_kiosk_note_demo_free    (SalKioskNoteDemo *demo);
/* Generates an urgent note from `seed` onwards and explains the shipped note-triage
 * model's "urgent" score with Integrated Gradients (pad baseline). */
SalKioskNoteDemo *sal_kiosk_note_demo_compute (guint32 seed, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SalKioskNoteDemo, sal_kiosk_note_demo_free)

G_END_DECLS
