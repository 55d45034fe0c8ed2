/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  SAL_TRIAGE_ROUTINE = 0,
  SAL_TRIAGE_URGENT = 1,
  SAL_TRIAGE_EMERGENCY = 2,
} SalTriage;

#define SAL_TRIAGE_N 3

/* Where an evidence phrase sits in the text, in bytes [start, end). A negated
 * phrase ("denies chest pain") is recorded too but does not count. */
typedef struct {
  int       start, end;
  SalTriage level;
  gboolean  negated;
} SalEvidenceSpan;

/* Which sentence and note templates the generator may use. The held-out ones are
 * never used for training, so a second test set measures generalisation. */
typedef enum {
  SAL_NOTE_TEMPLATES_TRAIN,
  SAL_NOTE_TEMPLATES_HELD_OUT,
} SalNoteTemplates;

typedef struct {
  guint32   seed;
  char     *text;            /* UTF-8 clinical-style note: history, exam, plan */
  SalTriage label;           /* the highest level among non-negated evidence */
  GArray   *spans;           /* of SalEvidenceSpan, in text order */
} SalGeneratedNote;

/* Deterministic from the seed; the label is drawn uniformly. */
SalGeneratedNote *sal_note_generate   (guint32 seed, SalNoteTemplates templates);
void              sal_generated_note_free (SalGeneratedNote *note);
const char       *sal_triage_id       (SalTriage t);   /* "routine", "urgent", "emergency" */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SalGeneratedNote, sal_generated_note_free)

G_END_DECLS
