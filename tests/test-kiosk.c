/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The demo kiosk under Xvfb: locked-down start screen, guided demos, idle reset,
 * language reset, and nothing written to disk. */

#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "sal-kiosk-window.h"
#include "sal-note-editor.h"
#include "sal-notegen.h"
#include "sal-ui-test.h"

/* The note of the note demo's checks and screenshots (each visitor gets a new one). */
#define NOTE_SEED 7

static char *data_home;

static SalApplication *the_app;

/* One kiosk application for the whole program (a GApplication registers once). */
static SalKioskWindow *
kiosk_open (SalApplication **app_out)
{
  SalApplication *app = the_app;
  GtkWindow *window;

  if (app == NULL)
    {
      g_autoptr(GError) error = NULL;

      app = the_app = sal_application_new (G_APPLICATION_NON_UNIQUE | G_APPLICATION_HANDLES_OPEN);
      sal_application_set_kiosk (app, TRUE);
      g_application_register (G_APPLICATION (app), NULL, &error);
      g_assert_no_error (error);
    }
  g_application_activate (G_APPLICATION (app));
  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_assert_true (SAL_IS_KIOSK_WINDOW (window));
  sal_ui_test_present (window);
  *app_out = app;
  return SAL_KIOSK_WINDOW (window);
}

static void
kiosk_close (SalApplication *app)
{
  sal_ui_test_close_all (app);
}

static void
test_start (void)
{
  SalApplication *app;
  SalKioskWindow *win = kiosk_open (&app);
  g_autofree char **quit_accels = NULL, **close_accels = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) tex = NULL;
  g_autofree char *png = sal_ui_test_build_path ("kiosk-start.png");

  g_assert_cmpstr (sal_kiosk_window_get_page (win), ==, "start");
  g_assert_false (gtk_window_get_decorated (GTK_WINDOW (win)));
  g_assert_false (gtk_window_get_deletable (GTK_WINDOW (win)));
  for (guint i = 0; i < 3; i++)
    {
      GtkWidget *b = sal_kiosk_window_get_target (win, i);

      g_assert_true (gtk_widget_get_mapped (b));
      g_assert_cmpint (gtk_widget_get_height (b), >=, 48);
      g_assert_cmpint (gtk_widget_get_width (b), >=, 48);
    }
  /* Locked: no quitting, no preferences, no About (links), no shortcuts. */
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (app), "quit"));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (app), "preferences"));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (app), "about"));
  quit_accels = (char **) gtk_application_get_accels_for_action (GTK_APPLICATION (app), "app.quit");
  close_accels = (char **) gtk_application_get_accels_for_action (GTK_APPLICATION (app), "window.close");
  g_assert_cmpuint (g_strv_length (quit_accels), ==, 0);
  g_assert_cmpuint (g_strv_length (close_accels), ==, 0);
  g_strfreev (quit_accels);
  g_strfreev (close_accels);
  quit_accels = close_accels = NULL;
  /* Closing is refused (Alt+F4 or a window manager's close). */
  gtk_window_close (GTK_WINDOW (win));
  sal_ui_test_wait_idle (200);
  g_assert_nonnull (gtk_application_get_windows (GTK_APPLICATION (app)));

  tex = sal_ui_test_save_png (GTK_WIDGET (win), png, &error);
  g_assert_no_error (error);
  kiosk_close (app);
}

static gboolean
ready_cb (gpointer win)
{
  return sal_kiosk_window_demo_ready (win);
}

/* A visible label under root whose text starts with prefix. */
static GtkLabel *
find_label_prefix (GtkWidget *root, const char *prefix)
{
  if (GTK_IS_LABEL (root) && gtk_widget_is_visible (root)
      && g_str_has_prefix (gtk_label_get_text (GTK_LABEL (root)), prefix))
    return GTK_LABEL (root);
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkLabel *found = find_label_prefix (c, prefix);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
test_demos (void)
{
  static const char * const demos[] = { "lesion", "note", "training" };
  SalApplication *app;
  SalKioskWindow *win = kiosk_open (&app);

  for (guint i = 0; i < G_N_ELEMENTS (demos); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GdkTexture) tex = NULL;
      g_autofree char *name = g_strdup_printf ("kiosk-%s.png", demos[i]);
      g_autofree char *png = sal_ui_test_build_path (name);

      /* The README's note screenshot shows a fixed note. */
      sal_kiosk_window_set_seed (win, g_str_equal (demos[i], "note") ? NOTE_SEED : 0);
      gtk_widget_activate (sal_kiosk_window_get_target (win, i));
      g_assert_true (sal_ui_test_wait_until (ready_cb, win, 20000));
      g_assert_cmpstr (sal_kiosk_window_get_page (win), ==, demos[i]);
      sal_ui_test_wait_idle (1500);
      /* The lesion demo explains without a Run: the model's answer stored with the
       * explanation is shown all the same. */
      if (i == 0)
        g_assert_nonnull (find_label_prefix (GTK_WIDGET (win), "Most likely: "));
      tex = sal_ui_test_save_png (GTK_WIDGET (win), png, &error);
      g_assert_no_error (error);
      gtk_widget_activate_action (GTK_WIDGET (win), "kiosk.start", NULL);
      g_assert_cmpstr (sal_kiosk_window_get_page (win), ==, "start");
    }
  kiosk_close (app);
}

static gboolean
on_note_cb (gpointer win)
{
  return g_strcmp0 (sal_kiosk_window_get_page (win), "note") == 0;
}

/* Whether a tag named prefix-* covers the character at byte offset pos of text. */
static gboolean
tagged_at (GtkTextBuffer *buffer, const char *text, gsize pos, const char *prefix)
{
  GtkTextIter it;
  g_autoptr(GSList) tags = NULL;

  gtk_text_buffer_get_iter_at_offset (buffer, &it, (int) g_utf8_pointer_to_offset (text,
                                                                                  text + pos));
  tags = gtk_text_iter_get_tags (&it);
  for (GSList *l = tags; l != NULL; l = l->next)
    {
      g_autofree char *name = NULL;

      g_object_get (l->data, "name", &name, NULL);
      if (name != NULL && g_str_has_prefix (name, prefix))
        return TRUE;
    }
  return FALSE;
}

static char *
buffer_text (GtkTextView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter a, b;

  gtk_text_buffer_get_bounds (buffer, &a, &b);
  return gtk_text_buffer_get_text (buffer, &a, &b, FALSE);
}

/* What a visitor must never reach in the note demo: file choosers, writing or
 * deleting notes, the clipboard, de-identification, editing, saving or exporting. */
static const char * const forbidden_actions[] = {
  "note.new", "note.open", "note.paste", "note.delete", "note.deidentify", "note.edit",
  "images.add", "clinic.open-images", "clinic.add-images", "clinic.export",
  "measurements.save", "fitness.import", NULL
};

/* Fails on a shown control bound to a forbidden action, or a shown button (the note
 * view's own, the kiosk's) smaller than a finger: 48 px each way. */
static void
check_controls (GtkWidget *w, guint *n_buttons)
{
  if (!gtk_widget_get_mapped (w))
    return;
  if (GTK_IS_ACTIONABLE (w))
    {
      const char *action = gtk_actionable_get_action_name (GTK_ACTIONABLE (w));

      if (action != NULL && g_strv_contains (forbidden_actions, action))
        g_error ("a %s for %s is shown in the kiosk", G_OBJECT_TYPE_NAME (w), action);
    }
  if (GTK_IS_BUTTON (w) || GTK_IS_DROP_DOWN (w))
    {
      g_test_message ("%s “%s”: %d × %d px", G_OBJECT_TYPE_NAME (w),
                      GTK_IS_BUTTON (w) && gtk_button_get_label (GTK_BUTTON (w)) != NULL
                      ? gtk_button_get_label (GTK_BUTTON (w)) : "",
                      gtk_widget_get_width (w), gtk_widget_get_height (w));
      g_assert_cmpint (gtk_widget_get_width (w), >=, 48);
      g_assert_cmpint (gtk_widget_get_height (w), >=, 48);
      (*n_buttons)++;
    }
  for (GtkWidget *c = gtk_widget_get_first_child (w); c != NULL; c = gtk_widget_get_next_sibling (c))
    check_controls (c, n_buttons);
}

/* Counts the drop targets of the shown widgets under w (the note view's own, which
 * add notes); each must be switched off. */
static void
count_drop_targets (GtkWidget *w, guint *n)
{
  g_autoptr(GListModel) controllers = NULL;

  if (!gtk_widget_get_mapped (w))
    return;
  controllers = gtk_widget_observe_controllers (w);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) c = g_list_model_get_item (controllers, i);

      if (!GTK_IS_DROP_TARGET (c))
        continue;
      /* Text views take drops of their own unless they are read-only. */
      if (GTK_IS_TEXT_VIEW (w) && !gtk_text_view_get_editable (GTK_TEXT_VIEW (w)))
        continue;
      (*n)++;
      g_assert_cmpint (gtk_event_controller_get_propagation_phase (c), ==, GTK_PHASE_NONE);
    }
  for (GtkWidget *c = gtk_widget_get_first_child (w); c != NULL; c = gtk_widget_get_next_sibling (c))
    count_drop_targets (c, n);
}

static guint
n_toplevels (void)
{
  g_autoptr(GListModel) toplevels = g_object_ref (gtk_window_get_toplevels ());
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) w = g_list_model_get_item (toplevels, i);
      n += gtk_widget_get_visible (w);
    }
  return n;
}

/* The note demo is the Clinic's own Notes view, read-only, with an Integrated
 * Gradients analysis that finishes with the note's words highlighted by their
 * attributions, the legend and a plain-language caption; nothing that opens a file,
 * writes, pastes or de-identifies is reachable. */
static void
test_note (void)
{
  SalApplication *app;
  SalKioskWindow *win = kiosk_open (&app);
  g_autoptr(SalGeneratedNote) note = NULL;
  g_autofree char *shown = NULL;
  g_autofree char *after = NULL;
  g_autofree char *towards = NULL;
  SalNoteEditor *editor;
  GtkTextView *view, *edit_view;
  GtkTextBuffer *buffer;
  GtkWidget *page;
  GtkDropDown *chooser;
  const SalClinicResult *r;
  double max_abs = 0;
  guint best = 0, n_marked = 0, n_buttons = 0, toplevels;
  gsize inside = 0, tagged_inside = 0, outside = 0, tagged_outside = 0;
  const PangoFontDescription *font;

  /* A fixed note (each visitor gets a new one): the evidence check below is about
   * this note; the model's reading of the planted finding differs from note to note. */
  sal_kiosk_window_set_seed (win, NOTE_SEED);
  /* The start screen's second button (a button's activation lands a moment later). */
  gtk_widget_activate (sal_kiosk_window_get_target (win, 1));
  g_assert_true (sal_ui_test_wait_until (on_note_cb, win, 5000));
  page = gtk_stack_get_visible_child (GTK_STACK (sal_ui_test_find_nth (GTK_WIDGET (win),
                                                                      GTK_TYPE_STACK, 0)));
  editor = SAL_NOTE_EDITOR (sal_ui_test_find_nth (page, SAL_TYPE_NOTE_EDITOR, 0));
  g_assert_nonnull (editor);
  {
    gboolean kiosk = FALSE;

    g_object_get (editor, "kiosk", &kiosk, NULL);
    g_assert_true (kiosk);
  }
  /* The explanation starts by itself and ends with highlights. */
  g_assert_true (sal_ui_test_wait_until (ready_cb, win, 60000));
  sal_ui_test_wait_idle (300);
  g_assert_cmpstr (sal_kiosk_window_get_page (win), ==, "note");
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (editor)));
  g_assert_false (sal_note_editor_is_busy (editor));

  /* The shown note is the generated urgent note, and the model explains "urgent". */
  g_assert_cmpuint (sal_kiosk_window_get_note_seed (win), >, 0);
  note = sal_note_generate (sal_kiosk_window_get_note_seed (win), SAL_NOTE_TEMPLATES_TRAIN);
  g_assert_cmpint (note->label, ==, SAL_TRIAGE_URGENT);
  view = sal_note_editor_get_analysis_view (editor);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (view)));
  g_assert_false (gtk_text_view_get_editable (view));
  shown = buffer_text (view);
  g_assert_cmpstr (shown, ==, note->text);
  r = sal_note_editor_get_result (editor);
  g_assert_nonnull (r);
  g_assert_cmpstr (r->method, ==, "integrated-gradients");
  g_assert_cmpstr (r->target, ==, "urgent");
  g_assert_cmpfloat (r->probabilities[r->target_index], >, 0.5);
  g_assert_cmpuint (r->n_values, >, 5);
  g_assert_cmpuint (r->token_starts->len, ==, r->n_values);
  for (guint i = 0; i < r->n_values; i++)
    {
      g_assert_true (isfinite (r->values[i]));
      if (fabs (r->values[i]) > max_abs)
        {
          max_abs = fabs (r->values[i]);
          best = i;
        }
    }
  g_assert_cmpfloat (max_abs, >, 0);
  /* The completeness check was made (the note view warns when it is large). */
  g_test_message ("completeness gap %.4g of score %.4g, strongest |attribution| %.4g",
                  r->gap, r->prediction, max_abs);
  g_assert_true (isfinite (r->gap));

  /* Each token is highlighted as its attribution says: towards "urgent" when positive,
   * against when negative, unmarked when small. */
  buffer = gtk_text_view_get_buffer (view);
  for (guint i = 0; i < r->n_values; i++)
    {
      gsize s = g_array_index (r->token_starts, gsize, i);
      gsize e = g_array_index (r->token_ends, gsize, i);
      double t = r->values[i] / max_abs;
      gboolean up = tagged_at (buffer, note->text, s, "towards-");
      gboolean down = tagged_at (buffer, note->text, s, "against-");

      g_assert_cmpuint (s, <, e);
      g_assert_cmpuint (e, <=, strlen (note->text));
      if (fabs (t) < 0.1)
        continue;
      n_marked++;
      g_assert_true (t > 0 ? up && !down : down && !up);
    }
  g_assert_cmpuint (n_marked, >, 0);
  g_assert_true (r->values[best] > 0
                 ? tagged_at (buffer, note->text, g_array_index (r->token_starts, gsize, best), "towards-")
                 : tagged_at (buffer, note->text, g_array_index (r->token_starts, gsize, best), "against-"));
  /* The planted urgent finding is highlighted towards "urgent", more densely than the
   * rest of the note... */
  for (gsize p = 0; note->text[p] != '\0'; p = g_utf8_next_char (note->text + p) - note->text)
    {
      gboolean in = FALSE;
      gboolean t = tagged_at (buffer, note->text, p, "towards-");

      if (g_ascii_isspace (note->text[p]))
        continue;
      for (guint i = 0; i < note->spans->len; i++)
        {
          const SalEvidenceSpan *sp = &g_array_index (note->spans, SalEvidenceSpan, i);
          in |= sp->level == SAL_TRIAGE_URGENT && !sp->negated
                && p >= (gsize) sp->start && p < (gsize) sp->end;
        }
      inside += in;
      tagged_inside += in && t;
      outside += !in;
      tagged_outside += !in && t;
    }
  g_test_message ("towards: %zu/%zu inside the urgent finding, %zu/%zu outside",
                  tagged_inside, inside, tagged_outside, outside);
  g_assert_cmpuint (inside, >, 0);
  g_assert_cmpuint (tagged_inside, >, 0);
  g_assert_cmpfloat ((double) tagged_inside / inside, >, 2.0 * tagged_outside / MAX (outside, 1));
  /* ...and its words carry more attribution, on average, than the others. */
  {
    double sum_in = 0, sum_out = 0;
    guint n_in = 0, n_out = 0;

    for (guint i = 0; i < r->n_values; i++)
      {
        gsize s = g_array_index (r->token_starts, gsize, i);
        gboolean in = FALSE;

        for (guint k = 0; k < note->spans->len; k++)
          {
            const SalEvidenceSpan *sp = &g_array_index (note->spans, SalEvidenceSpan, k);
            in |= sp->level == SAL_TRIAGE_URGENT && !sp->negated
                  && s >= (gsize) sp->start && s < (gsize) sp->end;
          }
        if (in)
          sum_in += r->values[i], n_in++;
        else
          sum_out += r->values[i], n_out++;
      }
    g_test_message ("mean attribution: %.4g over %u words of the finding, %.4g over %u others",
                    sum_in / MAX (n_in, 1), n_in, sum_out / MAX (n_out, 1), n_out);
    g_assert_cmpuint (n_in, >, 0);
    g_assert_cmpfloat (sum_in / n_in, >, sum_out / MAX (n_out, 1));
  }

  /* The legend and the kiosk's plain-language caption of the colours. */
  towards = g_strdup_printf ("towards “%s”", "urgent");
  g_assert_nonnull (sal_ui_test_find_label (GTK_WIDGET (editor), towards));
  g_assert_nonnull (sal_ui_test_find_label (GTK_WIDGET (editor), "against “urgent”"));
  {
    GtkWidget *caption = gtk_widget_get_next_sibling (gtk_widget_get_first_child (page));
    const char *text = gtk_label_get_text (GTK_LABEL (caption));

    g_test_message ("caption: %s", text);
    g_assert_true (g_str_has_prefix (text, "The model reads this made-up note as “urgent”"));
    g_assert_nonnull (strstr (text, "red"));
    g_assert_nonnull (strstr (text, "blue"));
  }
  /* The kiosk's larger type. */
  font = pango_context_get_font_description (gtk_widget_get_pango_context (GTK_WIDGET (view)));
  g_test_message ("note text: %.1f pt", pango_font_description_get_size (font) / (double) PANGO_SCALE);
  g_assert_cmpint (pango_font_description_get_size (font), >=, 18 * PANGO_SCALE);

  /* Locked down: no shown control for a forbidden action, every button finger-sized. */
  check_controls (page, &n_buttons);
  g_assert_cmpuint (n_buttons, >=, 2);   /* Back to start, Analyse */
  edit_view = GTK_TEXT_VIEW (sal_ui_test_find_nth (GTK_WIDGET (editor), GTK_TYPE_TEXT_VIEW, 0));
  g_assert_true (edit_view != view);
  g_assert_false (gtk_text_view_get_editable (edit_view));
  /* No drops (files or text) onto the note view. */
  {
    guint n_drop = 0;

    count_drop_targets (GTK_WIDGET (editor), &n_drop);
    g_assert_cmpuint (n_drop, >, 0);
  }
  /* The actions themselves (and so their shortcuts) do nothing: no dialog, no new or
   * changed note, the analysis stays. */
  toplevels = n_toplevels ();
  for (guint i = 0; forbidden_actions[i] != NULL; i++)
    if (g_str_has_prefix (forbidden_actions[i], "note."))
      gtk_widget_activate_action (GTK_WIDGET (editor), forbidden_actions[i], NULL);
  /* The shortcuts, as real key presses on the note (when xdotool is installed). */
  gtk_widget_grab_focus (GTK_WIDGET (view));
  if (!sal_ui_test_xdotool ("key", "ctrl+o", "ctrl+shift+v", "ctrl+s", "ctrl+shift+e", NULL))
    g_test_message ("xdotool not installed: shortcuts checked through their actions only");
  sal_ui_test_wait_idle (500);
  g_assert_cmpuint (n_toplevels (), ==, toplevels);
  g_assert_null (sal_ui_test_find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG));
  g_assert_null (sal_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_cmpstr (sal_kiosk_window_get_page (win), ==, "note");
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (view)));
  chooser = GTK_DROP_DOWN (sal_ui_test_find_nth (GTK_WIDGET (editor), GTK_TYPE_DROP_DOWN, 0));
  g_assert_cmpuint (g_list_model_get_n_items (gtk_drop_down_get_model (chooser)), ==, 1);
  after = buffer_text (view);
  g_assert_cmpstr (after, ==, note->text);
  g_clear_pointer (&after, g_free);
  after = buffer_text (edit_view);
  g_assert_cmpstr (after, ==, note->text);
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (sal_note_editor_add_note (editor, NULL, "A visitor's text", &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  }
  g_assert_cmpuint (g_list_model_get_n_items (gtk_drop_down_get_model (chooser)), ==, 1);

  gtk_widget_activate_action (GTK_WIDGET (win), "kiosk.start", NULL);
  g_assert_cmpstr (sal_kiosk_window_get_page (win), ==, "start");
  kiosk_close (app);
}

typedef struct {
  SalKioskWindow *win;
  guint generation;
  gboolean saw_countdown;
} IdleData;

static gboolean
reset_cb (gpointer data)
{
  IdleData *d = data;

  d->saw_countdown |= sal_kiosk_window_counting_down (d->win);
  return sal_kiosk_window_get_generation (d->win) > d->generation
         && g_strcmp0 (sal_kiosk_window_get_page (d->win), "start") == 0;
}

static void
test_idle (void)
{
  SalApplication *app;
  SalKioskWindow *win = kiosk_open (&app);
  IdleData d = { win, 0, FALSE };

  sal_kiosk_window_show_demo (win, "note");
  g_assert_cmpstr (sal_kiosk_window_get_page (win), ==, "note");
  sal_kiosk_window_set_idle (win, 1);
  d.generation = sal_kiosk_window_get_generation (win);
  /* Still there before the idle period has passed. */
  sal_ui_test_wait_idle (300);
  g_assert_cmpstr (sal_kiosk_window_get_page (win), ==, "note");
  g_assert_true (sal_ui_test_wait_until (reset_cb, &d, 10000));
  g_assert_cmpuint (sal_kiosk_window_get_generation (win), ==, d.generation + 1);
  g_assert_true (d.saw_countdown);
  g_assert_false (sal_kiosk_window_counting_down (win));
  kiosk_close (app);
}

static void
test_language (void)
{
  SalApplication *app;
  SalKioskWindow *win = kiosk_open (&app);
  GtkWindow *next;

  sal_kiosk_window_show_demo (win, "lesion");
  g_object_add_weak_pointer (G_OBJECT (win), (gpointer *) &win);
  /* The toggle is on the start screen; it is a full reset. */
  gtk_widget_activate_action (GTK_WIDGET (win), "kiosk.start", NULL);
  gtk_widget_activate_action (GTK_WIDGET (win), "kiosk.language", "s", "zh_CN");
  sal_ui_test_wait_idle (500);
  g_assert_null (win);
  g_assert_cmpstr (g_getenv ("LANGUAGE"), ==, "zh_CN");
  next = gtk_application_get_active_window (GTK_APPLICATION (app));
  if (next == NULL)
    next = gtk_application_get_windows (GTK_APPLICATION (app))->data;
  g_assert_true (SAL_IS_KIOSK_WINDOW (next));
  sal_ui_test_present (next);
  g_assert_cmpstr (sal_kiosk_window_get_page (SAL_KIOSK_WINDOW (next)), ==, "start");
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GdkTexture) tex = NULL;
    g_autofree char *png = sal_ui_test_build_path ("kiosk-start-zh.png");

    tex = sal_ui_test_save_png (GTK_WIDGET (next), png, &error);
    g_assert_no_error (error);
  }
  {
    /* The guided lesion explanation in Chinese, explanation included. */
    g_autoptr(GError) error = NULL;
    g_autoptr(GdkTexture) tex = NULL;
    g_autofree char *png = sal_ui_test_build_path ("kiosk-lesion-zh.png");

    sal_kiosk_window_show_demo (SAL_KIOSK_WINDOW (next), "lesion");
    g_assert_true (sal_ui_test_wait_until (ready_cb, next, 60000));
    sal_ui_test_wait_idle (300);
    g_assert_nonnull (sal_ui_test_find_label (GTK_WIDGET (next), "模型为什么认为存在病灶？"));
    tex = sal_ui_test_save_png (GTK_WIDGET (next), png, &error);
    g_assert_no_error (error);
    gtk_widget_activate_action (GTK_WIDGET (next), "kiosk.start", NULL);
  }
  {
    /* The guided note explanation in Chinese. */
    g_autoptr(GError) error = NULL;
    g_autoptr(GdkTexture) tex = NULL;
    g_autofree char *png = sal_ui_test_build_path ("kiosk-note-zh.png");

    sal_kiosk_window_set_seed (SAL_KIOSK_WINDOW (next), NOTE_SEED);
    sal_kiosk_window_show_demo (SAL_KIOSK_WINDOW (next), "note");
    g_assert_true (sal_ui_test_wait_until (ready_cb, next, 60000));
    sal_ui_test_wait_idle (300);
    g_assert_nonnull (sal_ui_test_find_label (GTK_WIDGET (next), "哪些词语让这份记录被判为紧急？"));
    tex = sal_ui_test_save_png (GTK_WIDGET (next), png, &error);
    g_assert_no_error (error);
    gtk_widget_activate_action (GTK_WIDGET (next), "kiosk.start", NULL);
  }
  sal_kiosk_set_language ("en");
  kiosk_close (app);
}

static gboolean
dir_is_empty (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);

  return dir == NULL || g_dir_read_name (dir) == NULL;
}

/* Runs last: after every demo, the data, config and cache folders are still empty and
 * the process has no regular file open in them. */
static void
test_no_disk (void)
{
  /* Not XDG_CACHE_HOME: the GL driver and the accessibility bus keep their own caches
   * there (shaders), which hold nothing of a visitor's. */
  static const char * const vars[] = { "XDG_DATA_HOME", "XDG_CONFIG_HOME" };
  SalApplication *app;
  SalKioskWindow *win = kiosk_open (&app);
  const char *demos[] = { "lesion", "note", "training" };
  g_autoptr(GDir) fds = NULL;
  const char *fd;

  for (guint i = 0; i < G_N_ELEMENTS (demos); i++)
    {
      sal_kiosk_window_show_demo (win, demos[i]);
      sal_ui_test_wait_idle (1500);
    }
  /* The training page computes in the background: let it finish. */
  sal_ui_test_wait_idle (3000);

  fds = g_dir_open ("/proc/self/fd", 0, NULL);
  g_assert_nonnull (fds);
  while ((fd = g_dir_read_name (fds)) != NULL)
    {
      g_autofree char *link = g_build_filename ("/proc/self/fd", fd, NULL);
      g_autofree char *target = g_file_read_link (link, NULL);

      if (target != NULL)
        {
          g_autofree char *data = g_build_filename (data_home, "data", NULL);
          g_autofree char *config = g_build_filename (data_home, "config", NULL);

          g_assert_false (g_str_has_prefix (target, data));
          g_assert_false (g_str_has_prefix (target, config));
        }
    }
  for (guint i = 0; i < G_N_ELEMENTS (vars); i++)
    {
      if (!dir_is_empty (g_getenv (vars[i])))
        g_error ("%s (%s) is not empty after a kiosk session", vars[i], g_getenv (vars[i]));
    }
  kiosk_close (app);
  g_assert_true (dir_is_empty (g_getenv ("XDG_DATA_HOME")));
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  int ret;

  /* The language test switches to Chinese: the build's catalogue, and a locale in which
   * gettext honours LANGUAGE (a fresh machine has no generated zh_CN locale). */
  g_setenv ("LANG", "C.UTF-8", TRUE);
  g_unsetenv ("LC_ALL");
  g_unsetenv ("LC_MESSAGES");
  if (g_getenv ("SALIENT_BUILD_DIR") != NULL)
    {
      g_autofree char *localedir = g_build_filename (g_getenv ("SALIENT_BUILD_DIR"), "po", NULL);
      g_setenv ("SALIENT_LOCALEDIR", localedir, TRUE);
    }
  /* Before GLib caches them: fresh, empty folders the kiosk must leave alone. */
  data_home = g_dir_make_tmp ("salient-kiosk-XXXXXX", &error);
  g_assert_no_error (error);
  {
    g_autofree char *d = g_build_filename (data_home, "data", NULL);
    g_autofree char *c = g_build_filename (data_home, "config", NULL);
    g_autofree char *k = g_build_filename (data_home, "cache", NULL);

    g_mkdir (d, 0700);
    g_mkdir (c, 0700);
    g_mkdir (k, 0700);
    g_setenv ("XDG_DATA_HOME", d, TRUE);
    g_setenv ("XDG_CONFIG_HOME", c, TRUE);
    g_setenv ("XDG_CACHE_HOME", k, TRUE);
  }
  if (!sal_ui_test_init (&argc, &argv))
    {
      g_test_skip ("no display");
      return g_test_run ();
    }
  g_test_add_func ("/ui/kiosk/start", test_start);
  g_test_add_func ("/ui/kiosk/demos", test_demos);
  g_test_add_func ("/ui/kiosk/note", test_note);
  g_test_add_func ("/ui/kiosk/idle", test_idle);
  g_test_add_func ("/ui/kiosk/language", test_language);
  g_test_add_func ("/ui/kiosk/no-disk", test_no_disk);
  ret = g_test_run ();
  g_clear_object (&the_app);
  return ret;
}
