/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include "sal-application.h"

G_BEGIN_DECLS

/* The demo kiosk: full screen, no window controls, a guided start screen, an idle
 * reset that discards everything (a fresh in-memory database), English / 中文. */
#define SAL_TYPE_KIOSK_WINDOW (sal_kiosk_window_get_type ())
G_DECLARE_FINAL_TYPE (SalKioskWindow, sal_kiosk_window, SAL, KIOSK_WINDOW, AdwApplicationWindow)

SalKioskWindow *sal_kiosk_window_new        (SalApplication *app);
/* "start", "lesion", "note" or "training". */
const char     *sal_kiosk_window_get_page   (SalKioskWindow *self);
void            sal_kiosk_window_show_demo  (SalKioskWindow *self,
                                             const char     *name);
/* Discards all state and shows the start screen (what the idle timer does). */
void            sal_kiosk_window_reset      (SalKioskWindow *self);
/* Seconds of idleness before the countdown (from the settings; tests shorten it). */
void            sal_kiosk_window_set_idle   (SalKioskWindow *self,
                                             guint           seconds);
/* The start screen's light/dark toggle (for tests). */
GtkWidget      *sal_kiosk_window_get_dark_toggle (SalKioskWindow *self);
/* The start screen's guided buttons, in order (for tests). */
GtkWidget      *sal_kiosk_window_get_target (SalKioskWindow *self,
                                             guint           index);
/* How many times the kiosk has reset (new session, new database). */
guint           sal_kiosk_window_get_generation (SalKioskWindow *self);
/* TRUE once the shown demo has its explanation on screen. */
gboolean        sal_kiosk_window_demo_ready (SalKioskWindow *self);

/* The seed of the made-up scan and note of the demos shown next (tests and screenshots
 * that must be reproducible); 0, the default: a new one each time. */
void            sal_kiosk_window_set_seed   (SalKioskWindow *self,
                                             guint32         seed);
/* The generator seed of the note the note demo shows (0: none), for tests to find its
 * evidence (sal_note_generate with the training templates). */
guint32         sal_kiosk_window_get_note_seed (SalKioskWindow *self);

/* TRUE while the idle countdown is on screen. */
gboolean        sal_kiosk_window_counting_down (SalKioskWindow *self);

/* Sets LANGUAGE for `lang` ("en" or "zh_CN") and re-binds the text domain so the next
 * window is built in that language. */
void            sal_kiosk_set_language      (const char     *lang);

G_END_DECLS
