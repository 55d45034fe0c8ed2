/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-ui"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <math.h>
#include <string.h>

#include "sal-case-images.h"
#include "sal-fitness-page.h"
#include "sal-image.h"
#include "sal-kiosk-demo.h"
#include "sal-kiosk-window.h"
#include "sal-note-editor.h"
#include "sal-phantom.h"

#define COUNTDOWN_SECONDS 10

struct _SalKioskWindow
{
  AdwApplicationWindow parent_instance;

  GtkStack         *stack;
  GtkWidget        *targets[3];
  GtkWidget        *dark_toggle;
  GtkWidget        *overlay_box;      /* the idle countdown */
  GtkLabel         *countdown_label;
  GtkWidget        *demo_page;        /* the current demo's page, NULL on start */
  SalStore         *store;            /* this session's in-memory database */
  GCancellable     *cancellable;
  GtkCssProvider   *css;

  guint             idle_seconds;
  gint64            last_input;       /* monotonic µs */
  guint             tick_id;
  guint             generation;
  gboolean          ready;
  gboolean          dirty;            /* a demo was shown this session */
  guint32           note_seed;        /* the note demo's generator seed, 0 none */
  guint32           seed;             /* the demos' seed; 0: a new one each time */
};

G_DEFINE_FINAL_TYPE (SalKioskWindow, sal_kiosk_window, ADW_TYPE_APPLICATION_WINDOW)

static const char *kiosk_css =
  "window.sal-kiosk { font-size: 20pt; }\n"
  ".sal-kiosk-title { font-size: 34pt; font-weight: 800; }\n"
  ".sal-kiosk-target { min-height: 96px; font-size: 22pt; padding: 12px 32px; }\n"
  ".sal-kiosk-small { min-height: 56px; min-width: 56px; font-size: 16pt; }\n"
  ".sal-kiosk-caption { font-size: 18pt; }\n"
  ".sal-kiosk-countdown { background: alpha(black, 0.75); color: white; font-size: 40pt;"
  " padding: 48px; border-radius: 24px; }\n";

static void show_start (SalKioskWindow *self);

/* ---- the idle timer ---------------------------------------------------------------- */

static void
touch_input (SalKioskWindow *self)
{
  self->last_input = g_get_monotonic_time ();
  gtk_widget_set_visible (self->overlay_box, FALSE);
}

static gboolean
on_any_event (GtkEventControllerLegacy *legacy, GdkEvent *event, SalKioskWindow *self)
{
  switch (gdk_event_get_event_type (event))
    {
    case GDK_BUTTON_PRESS:
    case GDK_KEY_PRESS:
    case GDK_TOUCH_BEGIN:
    case GDK_SCROLL:
    case GDK_MOTION_NOTIFY:
      touch_input (self);
      break;
    default:
      break;
    }
  return GDK_EVENT_PROPAGATE;
}

static gboolean
tick (gpointer data)
{
  SalKioskWindow *self = data;
  double idle = (g_get_monotonic_time () - self->last_input) / 1e6;
  /* Short idle periods (tests) get a countdown as short. */
  guint countdown = MIN (COUNTDOWN_SECONDS, self->idle_seconds);
  gboolean on_start = g_strcmp0 (sal_kiosk_window_get_page (self), "start") == 0;

  /* Whatever un-fullscreened the kiosk (a window manager key, a late window manager),
   * it goes back to full screen. */
  if (gtk_widget_get_mapped (GTK_WIDGET (self)) && !gtk_window_is_fullscreen (GTK_WINDOW (self)))
    gtk_window_fullscreen (GTK_WINDOW (self));
  if (idle < self->idle_seconds || (on_start && !self->dirty))
    return G_SOURCE_CONTINUE;
  if (idle >= self->idle_seconds + countdown || on_start)
    {
      sal_kiosk_window_reset (self);
      return G_SOURCE_CONTINUE;
    }
  {
    int left = (int) ceil (self->idle_seconds + countdown - idle);
    g_autofree char *text =
      g_strdup_printf (ngettext ("Starting over in %d second.\nTouch the screen to stay.",
                                 "Starting over in %d seconds.\nTouch the screen to stay.",
                                 left), left);

    gtk_label_set_text (self->countdown_label, text);
    gtk_widget_set_visible (self->overlay_box, TRUE);
  }
  return G_SOURCE_CONTINUE;
}

/* ---- demos ------------------------------------------------------------------------- */

/* Each visitor sees a new made-up scan or note, unless a seed was set. */
static guint32
demo_seed (SalKioskWindow *self)
{
  return self->seed != 0 ? self->seed : (guint32) g_random_int_range (1, 100000);
}

static GtkWidget *
caption_label (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "sal-kiosk-caption");
  return label;
}

static GtkWidget *
demo_frame (SalKioskWindow *self, const char *title, const char *caption, GtkWidget *content)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 16);
  GtkWidget *head = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 16);
  GtkWidget *back = gtk_button_new_with_label (_("Back to start"));
  GtkWidget *heading = gtk_label_new (title);

  gtk_widget_add_css_class (back, "sal-kiosk-small");
  gtk_widget_add_css_class (back, "pill");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (back), "kiosk.start");
  gtk_widget_add_css_class (heading, "title-1");
  gtk_label_set_wrap (GTK_LABEL (heading), TRUE);
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_set_hexpand (heading, TRUE);
  gtk_box_append (GTK_BOX (head), heading);
  gtk_box_append (GTK_BOX (head), back);
  gtk_widget_set_margin_start (box, 32);
  gtk_widget_set_margin_end (box, 32);
  gtk_widget_set_margin_top (box, 24);
  gtk_widget_set_margin_bottom (box, 24);
  gtk_box_append (GTK_BOX (box), head);
  gtk_box_append (GTK_BOX (box), caption_label (caption));
  gtk_widget_set_vexpand (content, TRUE);
  gtk_box_append (GTK_BOX (box), content);
  return box;
}

/* The lesion demo: a made-up scan in a case of its own, shown in the Clinic's own
 * Images panel (kiosk mode: no file actions, large targets; tap, drag to pan, pinch
 * to zoom) with Grad-CAM started at once as a background job. */
static void
lesion_result_stored (SalCaseImages *panel, gint64 explanation_id, SalKioskWindow *self)
{
  GtkWidget *caption = g_object_get_data (G_OBJECT (panel), "sal-kiosk-caption");
  g_autoptr(SalExplanationRecord) e = NULL;

  /* A result of a demo the visitor has left (or of an earlier session): not ours. */
  if (self->demo_page == NULL || !gtk_widget_is_ancestor (GTK_WIDGET (panel), self->demo_page))
    return;
  /* Run also stores its probabilities; the demo is ready with the explanation. */
  if (self->store != NULL)
    e = sal_store_get_explanation (self->store, explanation_id, NULL);
  if (e == NULL || g_strcmp0 (e->method, "prediction") == 0)
    return;
  gtk_label_set_text (GTK_LABEL (caption),
                      _("A made-up brain scan. The coloured patch is where the model looked when it "
                        "decided there is a lesion (Grad-CAM): yellow is strongest, dark blue weakest; "
                        "grey parts did not matter."));
  self->ready = TRUE;
}

static gboolean
lesion_start (gpointer data)
{
  GtkWidget *panel = data;

  gtk_widget_activate_action (panel, "images.explain", NULL);
  return G_SOURCE_REMOVE;
}

static GtkWidget *
build_lesion_demo (SalKioskWindow *self)
{
  g_autoptr(SalPhantom) ph = sal_phantom_generate (demo_seed (self),
                                                   SAL_PHANTOM_WITH_LESION);
  g_autoptr(SalImage) img = sal_image_new (ph->width, ph->height, 1, 16);
  g_autoptr(GError) error = NULL;
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  GtkWidget *panel = sal_case_images_new ();
  GtkWidget *page;
  gint64 case_id = 0;

  memcpy (img->pixels, ph->pixels, sizeof (guint16) * ph->width * ph->height);
  if (self->store != NULL)
    case_id = sal_store_add_case (self->store, NULL, _("Made-up brain scan"), TRUE, &error);
  if (case_id > 0 && sal_store_add_image (self->store, case_id, NULL, img, &error) <= 0)
    case_id = 0;
  if (case_id <= 0)
    g_message ("kiosk: no lesion case: %s", error != NULL ? error->message : "no database");
  g_object_set (panel, "kiosk", TRUE, NULL);
  sal_case_images_set_case (SAL_CASE_IMAGES (panel), self->store,
                            app != NULL ? sal_application_get_job_queue (SAL_APPLICATION (app)) : NULL,
                            case_id);
  gtk_widget_set_vexpand (panel, TRUE);
  page = demo_frame (self, _("Why does the model think there is a lesion?"),
                     _("A made-up brain scan. Drag to move it, pinch to zoom. "
                       "The model is looking at it now…"), panel);
  g_object_set_data_full (G_OBJECT (panel), "sal-kiosk-caption",
                          g_object_ref (gtk_widget_get_next_sibling (gtk_widget_get_first_child (page))),
                          g_object_unref);
  g_object_set_data (G_OBJECT (page), "sal-kiosk-panel", panel);
  g_signal_connect_object (panel, "result-stored", G_CALLBACK (lesion_result_stored), self, 0);
  if (case_id > 0)
    g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, lesion_start, g_object_ref (panel), g_object_unref);
  else
    gtk_label_set_text (GTK_LABEL (g_object_get_data (G_OBJECT (panel), "sal-kiosk-caption")),
                        _("A made-up brain scan. The lesion model is not installed on this kiosk, "
                          "so no explanation can be shown."));
  return page;
}

/* The note demo: a generated urgent note in a case of its own, shown in the Clinic's
 * own Notes view in kiosk mode (read-only, no files, large targets) with Analyse
 * (Integrated Gradients, the note view's adaptive rule) started at once. */
static void
note_result_stored (SalNoteEditor *editor, SalKioskWindow *self)
{
  GtkWidget *caption = g_object_get_data (G_OBJECT (editor), "sal-kiosk-caption");
  const SalClinicResult *r = sal_note_editor_get_result (editor);
  g_autofree char *text = NULL;

  if (self->demo_page == NULL || !gtk_widget_is_ancestor (GTK_WIDGET (editor), self->demo_page)
      || r == NULL || r->target_index < 0 || (guint) r->target_index >= r->n_classes)
    return;
  text = g_strdup_printf (_("The model reads this made-up note as “%s”; the bars show how "
                            "sure it is. Words in red pushed it towards “%s”, words in blue "
                            "pushed it away; the stronger the colour, the bigger the push. "
                            "Words without colour hardly mattered (Integrated Gradients)."),
                          sal_note_editor_class_label (r->target),
                          sal_note_editor_class_label (r->target));
  gtk_label_set_text (GTK_LABEL (caption), text);
  self->ready = TRUE;
}

static gboolean
note_start (gpointer data)
{
  gtk_widget_activate_action (GTK_WIDGET (data), "note.analyse", NULL);
  return G_SOURCE_REMOVE;
}

static GtkWidget *
build_note_demo (SalKioskWindow *self)
{
  g_autoptr(GError) error = NULL;
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  GtkWidget *editor = sal_note_editor_new ();
  GtkWidget *page;
  gint64 case_id = 0;
  gboolean can_explain;

  self->note_seed = 0;
  if (self->store != NULL)
    case_id = sal_kiosk_add_note_case (self->store, demo_seed (self),
                                       NULL, &self->note_seed, &error);
  can_explain = case_id > 0 && sal_clinic_find_model (self->store, SAL_CLINIC_MODEL_NOTE, &error) > 0;
  if (!can_explain)
    g_message ("kiosk: no note explanation: %s", error != NULL ? error->message : "no database");
  g_object_set (editor, "kiosk", TRUE, NULL);
  sal_note_editor_set_case (SAL_NOTE_EDITOR (editor), self->store,
                            app != NULL ? sal_application_get_job_queue (SAL_APPLICATION (app)) : NULL,
                            case_id);
  gtk_widget_set_vexpand (editor, TRUE);
  page = demo_frame (self, _("Which words made this note urgent?"),
                     _("A made-up note from a doctor. The model is reading it now…"), editor);
  g_object_set_data_full (G_OBJECT (editor), "sal-kiosk-caption",
                          g_object_ref (gtk_widget_get_next_sibling (gtk_widget_get_first_child (page))),
                          g_object_unref);
  g_object_set_data (G_OBJECT (page), "sal-kiosk-panel", editor);
  g_signal_connect_object (editor, "result-stored", G_CALLBACK (note_result_stored), self, 0);
  if (can_explain)
    g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, note_start, g_object_ref (editor), g_object_unref);
  else
    gtk_label_set_text (GTK_LABEL (g_object_get_data (G_OBJECT (editor), "sal-kiosk-caption")),
                        _("The note model is not installed on this kiosk, so no explanation "
                          "can be shown."));
  return page;
}

static GtkWidget *
build_training_demo (SalKioskWindow *self)
{
  GtkWidget *page = sal_fitness_page_new ();

  sal_fitness_page_set_store (SAL_FITNESS_PAGE (page), self->store);
  /* No file choosers, no changes to the demo set on a kiosk. */
  sal_fitness_page_set_read_only (SAL_FITNESS_PAGE (page), TRUE);
  return demo_frame (self, _("What drives this training advice?"),
                     _("A simulated athlete's year. The readiness card shows each factor's share "
                       "of today's advice (Shapley values): bars to the right raised readiness, "
                       "bars to the left lowered it; longer bars mattered more."),
                     page);
}

static void
drop_demo (SalKioskWindow *self)
{
  if (self->demo_page != NULL)
    {
      /* Stop the lesion and note demos' jobs: nothing of a left demo keeps running. */
      GtkWidget *panel = g_object_get_data (G_OBJECT (self->demo_page), "sal-kiosk-panel");
      if (SAL_IS_CASE_IMAGES (panel))
        sal_case_images_set_case (SAL_CASE_IMAGES (panel), NULL, NULL, 0);
      else if (SAL_IS_NOTE_EDITOR (panel))
        sal_note_editor_set_case (SAL_NOTE_EDITOR (panel), NULL, NULL, 0);
    }

  if (self->demo_page != NULL)
    {
      gtk_stack_remove (self->stack, self->demo_page);
      self->demo_page = NULL;
    }
  self->ready = FALSE;
}

void
sal_kiosk_window_show_demo (SalKioskWindow *self, const char *name)
{
  GtkWidget *page;

  g_return_if_fail (SAL_IS_KIOSK_WINDOW (self));
  touch_input (self);
  drop_demo (self);
  if (g_strcmp0 (name, "lesion") == 0)
    page = build_lesion_demo (self);
  else if (g_strcmp0 (name, "note") == 0)
    page = build_note_demo (self);
  else if (g_strcmp0 (name, "training") == 0)
    page = build_training_demo (self);
  else
    {
      show_start (self);
      return;
    }
  self->demo_page = page;
  self->dirty = TRUE;
  gtk_stack_add_named (self->stack, page, name);
  gtk_stack_set_visible_child (self->stack, page);
  /* The lesion and note demos are ready when their explanation has arrived. */
  self->ready = g_strcmp0 (name, "training") == 0;
}

static void
show_demo_action (GtkWidget *widget, const char *action, GVariant *param)
{
  sal_kiosk_window_show_demo (SAL_KIOSK_WINDOW (widget), g_variant_get_string (param, NULL));
}

static void
start_action (GtkWidget *widget, const char *action, GVariant *param)
{
  show_start (SAL_KIOSK_WINDOW (widget));
}

static void
show_start (SalKioskWindow *self)
{
  gtk_stack_set_visible_child_name (self->stack, "start");
  drop_demo (self);
  touch_input (self);
}

static void
new_session (SalKioskWindow *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTimeZone) tz = g_time_zone_new_local ();

  g_clear_pointer (&self->store, sal_store_unref);
  self->store = sal_kiosk_store_new (tz, 0, &error);
  if (self->store == NULL)
    g_warning ("kiosk: cannot make the demo database: %s", error->message);
  self->dirty = FALSE;
  self->generation++;
}

void
sal_kiosk_window_reset (SalKioskWindow *self)
{
  g_return_if_fail (SAL_IS_KIOSK_WINDOW (self));
  drop_demo (self);
  show_start (self);
  new_session (self);
}

/* ---- language ---------------------------------------------------------------------- */

void
sal_kiosk_set_language (const char *lang)
{
  const char *messages = setlocale (LC_MESSAGES, NULL);

  /* gettext ignores LANGUAGE in the plain C locale: a kiosk started without a locale
   * (a service, LANG unset) switches its messages to C.UTF-8, which honours it. */
  if (messages == NULL || g_str_equal (messages, "C") || g_str_equal (messages, "POSIX"))
    setlocale (LC_MESSAGES, "C.UTF-8");
  g_setenv ("LANGUAGE", lang, TRUE);
  /* Setting the text domain again makes gettext drop what it has cached. */
  textdomain (GETTEXT_PACKAGE);
}

static void
language_action (GtkWidget *widget, const char *action, GVariant *param)
{
  SalKioskWindow *self = SAL_KIOSK_WINDOW (widget);
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  SalKioskWindow *next;

  if (app == NULL)
    return;
  sal_kiosk_set_language (g_variant_get_string (param, NULL));
  /* A full reset: a new window (strings, database, timers), then the old one goes. */
  next = sal_kiosk_window_new (SAL_APPLICATION (app));
  sal_kiosk_window_set_idle (next, self->idle_seconds);
  gtk_window_present (GTK_WINDOW (next));
  gtk_window_destroy (GTK_WINDOW (self));
}

/* ---- the window -------------------------------------------------------------------- */

static void
on_dark_toggled (GtkToggleButton *button, gpointer data)
{
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      gtk_toggle_button_get_active (button)
                                      ? ADW_COLOR_SCHEME_FORCE_DARK
                                      : ADW_COLOR_SCHEME_FORCE_LIGHT);
}

static GtkWidget *
build_start (SalKioskWindow *self)
{
  static const struct { const char *label; const char *demo; } items[] = {
    { N_("See why the model thinks there is a lesion"), "lesion" },
    { N_("See which words made this note urgent"), "note" },
    { N_("See what drives this training advice"), "training" },
  };
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 24);
  GtkWidget *title = gtk_label_new (_("How does an AI explain itself?"));
  GtkWidget *intro = caption_label (_("Touch a button to see a model at work and the colours that "
                                      "show why it decided. Everything here is made up; "
                                      "nothing you do is kept."));
  GtkWidget *langs = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 16);
  GtkWidget *en = gtk_button_new_with_label ("English");
  GtkWidget *zh = gtk_button_new_with_label ("中文");

  gtk_widget_add_css_class (title, "sal-kiosk-title");
  gtk_label_set_wrap (GTK_LABEL (title), TRUE);
  gtk_label_set_justify (GTK_LABEL (intro), GTK_JUSTIFY_CENTER);
  gtk_label_set_xalign (GTK_LABEL (intro), 0.5);
  gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
  gtk_widget_set_halign (box, GTK_ALIGN_CENTER);
  gtk_widget_set_margin_start (box, 48);
  gtk_widget_set_margin_end (box, 48);
  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), intro);
  for (guint i = 0; i < G_N_ELEMENTS (items); i++)
    {
      GtkWidget *b = gtk_button_new_with_label (_(items[i].label));

      gtk_widget_add_css_class (b, "sal-kiosk-target");
      gtk_widget_add_css_class (b, "suggested-action");
      gtk_widget_add_css_class (b, "pill");
      gtk_actionable_set_action_name (GTK_ACTIONABLE (b), "kiosk.show-demo");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (b), "s", items[i].demo);
      gtk_box_append (GTK_BOX (box), b);
      self->targets[i] = b;
    }
  for (GtkWidget *b = en; b != NULL; b = b == en ? zh : NULL)
    {
      gtk_widget_add_css_class (b, "sal-kiosk-small");
      gtk_widget_add_css_class (b, "pill");
      gtk_actionable_set_action_name (GTK_ACTIONABLE (b), "kiosk.language");
      gtk_box_append (GTK_BOX (langs), b);
    }
  gtk_actionable_set_action_target (GTK_ACTIONABLE (en), "s", "en");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (zh), "s", "zh_CN");
  {
    /* Appearance: the only other setting a visitor may change (it stays with the kiosk). */
    AdwStyleManager *sm = adw_style_manager_get_default ();
    GtkWidget *dark = gtk_toggle_button_new_with_label (_("Dark style"));

    gtk_widget_add_css_class (dark, "sal-kiosk-small");
    gtk_widget_add_css_class (dark, "pill");
    gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (dark), adw_style_manager_get_dark (sm));
    g_signal_connect (dark, "toggled", G_CALLBACK (on_dark_toggled), NULL);
    gtk_box_append (GTK_BOX (langs), dark);
    self->dark_toggle = dark;
  }
  gtk_widget_set_halign (langs, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (box), langs);
  return box;
}

static gboolean
sal_kiosk_window_close_request (GtkWindow *window)
{
  /* A passer-by cannot close the kiosk (Alt+F4, a window manager's menu). */
  return TRUE;
}

static void
sal_kiosk_window_dispose (GObject *object)
{
  SalKioskWindow *self = SAL_KIOSK_WINDOW (object);

  g_clear_handle_id (&self->tick_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  if (self->css != NULL)
    gtk_style_context_remove_provider_for_display (gdk_display_get_default (),
                                                   GTK_STYLE_PROVIDER (self->css));
  g_clear_object (&self->css);
  G_OBJECT_CLASS (sal_kiosk_window_parent_class)->dispose (object);
  g_clear_pointer (&self->store, sal_store_unref);
}

static void
sal_kiosk_window_class_init (SalKioskWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = sal_kiosk_window_dispose;
  window_class->close_request = sal_kiosk_window_close_request;
  gtk_widget_class_install_action (widget_class, "kiosk.show-demo", "s", show_demo_action);
  gtk_widget_class_install_action (widget_class, "kiosk.start", NULL, start_action);
  gtk_widget_class_install_action (widget_class, "kiosk.language", "s", language_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "kiosk.start", NULL);
}

static void
sal_kiosk_window_init (SalKioskWindow *self)
{
  GtkWidget *overlay = gtk_overlay_new ();
  GtkEventController *legacy = gtk_event_controller_legacy_new ();

  self->cancellable = g_cancellable_new ();
  self->idle_seconds = 90;
  self->css = gtk_css_provider_new ();
  gtk_css_provider_load_from_data (self->css, kiosk_css, -1);
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (self->css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  gtk_widget_add_css_class (GTK_WIDGET (self), "sal-kiosk");
  gtk_window_set_decorated (GTK_WINDOW (self), FALSE);
  gtk_window_set_deletable (GTK_WINDOW (self), FALSE);
  gtk_window_set_title (GTK_WINDOW (self), _("Salient"));
  gtk_window_set_default_size (GTK_WINDOW (self), 1280, 800);

  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_stack_set_transition_type (self->stack, GTK_STACK_TRANSITION_TYPE_NONE);
  gtk_stack_add_named (self->stack, build_start (self), "start");
  gtk_overlay_set_child (GTK_OVERLAY (overlay), GTK_WIDGET (self->stack));

  self->countdown_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_justify (self->countdown_label, GTK_JUSTIFY_CENTER);
  self->overlay_box = GTK_WIDGET (self->countdown_label);
  gtk_widget_add_css_class (self->overlay_box, "sal-kiosk-countdown");
  gtk_widget_set_halign (self->overlay_box, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (self->overlay_box, GTK_ALIGN_CENTER);
  gtk_widget_set_can_target (self->overlay_box, FALSE);
  gtk_widget_set_visible (self->overlay_box, FALSE);
  gtk_overlay_add_overlay (GTK_OVERLAY (overlay), self->overlay_box);
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (self), overlay);

  gtk_event_controller_set_propagation_phase (legacy, GTK_PHASE_CAPTURE);
  g_signal_connect (legacy, "event", G_CALLBACK (on_any_event), self);
  gtk_widget_add_controller (GTK_WIDGET (self), legacy);

  new_session (self);
  self->last_input = g_get_monotonic_time ();
  self->tick_id = g_timeout_add (250, tick, self);
  gtk_window_fullscreen (GTK_WINDOW (self));
}

SalKioskWindow *
sal_kiosk_window_new (SalApplication *app)
{
  SalKioskWindow *self;

  g_return_val_if_fail (SAL_IS_APPLICATION (app), NULL);
  self = g_object_new (SAL_TYPE_KIOSK_WINDOW, "application", app, NULL);
  self->idle_seconds = g_settings_get_uint (sal_application_get_settings (app), "kiosk-idle-seconds");
  /* The guided lesion demo explains with Grad-CAM (the kiosk's settings live in memory). */
  g_settings_set_string (sal_application_get_settings (app), "default-method", "grad-cam");
  return self;
}

const char *
sal_kiosk_window_get_page (SalKioskWindow *self)
{
  g_return_val_if_fail (SAL_IS_KIOSK_WINDOW (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}

void
sal_kiosk_window_set_idle (SalKioskWindow *self, guint seconds)
{
  g_return_if_fail (SAL_IS_KIOSK_WINDOW (self));
  self->idle_seconds = MAX (seconds, 1);
  touch_input (self);
}

GtkWidget *
sal_kiosk_window_get_dark_toggle (SalKioskWindow *self)
{
  g_return_val_if_fail (SAL_IS_KIOSK_WINDOW (self), NULL);
  return self->dark_toggle;
}

GtkWidget *
sal_kiosk_window_get_target (SalKioskWindow *self, guint index)
{
  g_return_val_if_fail (SAL_IS_KIOSK_WINDOW (self) && index < 3, NULL);
  return self->targets[index];
}

guint
sal_kiosk_window_get_generation (SalKioskWindow *self)
{
  g_return_val_if_fail (SAL_IS_KIOSK_WINDOW (self), 0);
  return self->generation;
}

gboolean
sal_kiosk_window_demo_ready (SalKioskWindow *self)
{
  g_return_val_if_fail (SAL_IS_KIOSK_WINDOW (self), FALSE);
  return self->ready;
}

gboolean
sal_kiosk_window_counting_down (SalKioskWindow *self)
{
  g_return_val_if_fail (SAL_IS_KIOSK_WINDOW (self), FALSE);
  return gtk_widget_get_visible (self->overlay_box);
}

guint32
sal_kiosk_window_get_note_seed (SalKioskWindow *self)
{
  g_return_val_if_fail (SAL_IS_KIOSK_WINDOW (self), 0);
  return self->note_seed;
}

void
sal_kiosk_window_set_seed (SalKioskWindow *self, guint32 seed)
{
  g_return_if_fail (SAL_IS_KIOSK_WINDOW (self));
  self->seed = seed;
}
