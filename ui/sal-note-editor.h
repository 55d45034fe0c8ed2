/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sal-clinic-jobs.h"
#include "sal-job-queue.h"

G_BEGIN_DECLS

/* The Clinic's Notes tab. The "kiosk" property makes it read-only for a demo kiosk:
 * the note is shown and Analyse runs, but nothing is added, changed, de-identified,
 * saved, opened from a file or pasted, and its controls are touch-sized. */
#define SAL_TYPE_NOTE_EDITOR (sal_note_editor_get_type ())
G_DECLARE_FINAL_TYPE (SalNoteEditor, sal_note_editor, SAL, NOTE_EDITOR, AdwBin)

GtkWidget *sal_note_editor_new          (void);
/* The case whose notes are shown (store NULL or case 0: none). Saves pending edits of
 * the case shown before. */
void       sal_note_editor_set_case     (SalNoteEditor *self,
                                         SalStore      *store,
                                         SalJobQueue   *jobs,
                                         gint64         case_id);
/* Writes pending edits now (autosave otherwise waits a second after the last key). */
gboolean   sal_note_editor_save         (SalNoteEditor *self,
                                         GError       **error);
/* Adds a note with this text (from a file, a drop or a paste) and shows it. */
gboolean   sal_note_editor_add_note     (SalNoteEditor *self,
                                         const char    *title,
                                         const char    *text,
                                         GError       **error);
/* Loads a text file as a new note; errors go to a toast. */
void       sal_note_editor_open_file    (SalNoteEditor *self,
                                         GFile         *file);
gint64     sal_note_editor_get_note_id  (SalNoteEditor *self);
/* Shows a stored note result as it was (History). */
void       sal_note_editor_show_result  (SalNoteEditor         *self,
                                         gint64                 note_id,
                                         const SalClinicResult *result);
/* The analysis shown (per-token attributions and their byte ranges), or NULL. */
const SalClinicResult *sal_note_editor_get_result (SalNoteEditor *self);
/* A note-model class id ("routine", "urgent", "emergency") as a person reads it. */
const char *sal_note_editor_class_label (const char *id);
/* For tests: the analysis view's text view (highlight tags) and busy state. */
GtkTextView *sal_note_editor_get_analysis_view (SalNoteEditor *self);
gboolean   sal_note_editor_is_busy      (SalNoteEditor *self);
/* The last message shown as a toast (a refused file, a conversion), or NULL. */
const char *sal_note_editor_get_last_message (SalNoteEditor *self);

G_END_DECLS
