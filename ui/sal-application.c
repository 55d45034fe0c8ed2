/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-ui"

#include "config.h"

#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>
#include <glib/gi18n.h>
#include <locale.h>

#include "sal-application.h"
#include "sal-engine.h"
#include "sal-kiosk-window.h"
#include "sal-preferences-window.h"
#include "sal-window.h"
#include "sal-session.h"

struct _SalApplication
{
  AdwApplication parent_instance;

  GSettings     *settings;
  char          *db_path;
  gboolean       kiosk;
  SalStore      *store;
  SalJobQueue   *jobs;
};

G_DEFINE_FINAL_TYPE (SalApplication, sal_application, ADW_TYPE_APPLICATION)

static const GOptionEntry main_options[] = {
  { "version", 'v', G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, NULL,
    N_("Print the version and exit"), NULL },
  { "db", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, NULL,
    N_("Use this database instead of the default one (runs as its own instance)"), N_("FILE") },
  { "kiosk", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, NULL,
    N_("Run as a demo kiosk: full screen, demo data, nothing stored"), NULL },
  { NULL }
};

static void
apply_appearance (SalApplication *self)
{
  static const AdwColorScheme schemes[] = {
    ADW_COLOR_SCHEME_DEFAULT,      /* system */
    ADW_COLOR_SCHEME_FORCE_LIGHT,  /* light */
    ADW_COLOR_SCHEME_FORCE_DARK,   /* dark */
  };
  guint value = (guint) g_settings_get_enum (self->settings, "appearance");

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      schemes[MIN (value, G_N_ELEMENTS (schemes) - 1)]);
}

static SalWindow *
get_or_create_window (SalApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (SAL_IS_WINDOW (window))
    return SAL_WINDOW (window);
  return sal_window_new (self);
}

static void
quit_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  GApplication *app = G_APPLICATION (user_data);

  /* Quitting does not close windows, so they would not save their state. */
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    if (SAL_IS_WINDOW (l->data))
      sal_window_save_state (SAL_WINDOW (l->data));
  g_application_quit (app);
}

static void
preferences_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  SalApplication *self = SAL_APPLICATION (user_data);
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  SalPreferencesWindow *prefs = sal_preferences_window_new (self->settings);

  gtk_window_set_transient_for (GTK_WINDOW (prefs), parent);
  gtk_window_set_application (GTK_WINDOW (prefs), GTK_APPLICATION (self));
  gtk_window_present (GTK_WINDOW (prefs));
}

static void
about_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  SalApplication *self = SAL_APPLICATION (user_data);
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  static const char *developers[] = { "The Salient developers", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", parent,
                        "application", self,
                        "application-name", _("Salient"),
                        "application-icon", APP_ID,
                        "version", PACKAGE_VERSION,
                        "developer-name", _("The Salient developers"),
                        "developers", developers,
                        "comments", _("Medical images, clinical notes and workouts scored by "
                                      "models that always show why."),
                        "website", "https://salient.example.org",
                        "issue-url", "https://salient.example.org/issues",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "copyright", "© 2026 The Salient developers",
                        /* Translators: your names, one per line, to be credited in the About window. */
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
shortcuts_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (user_data));

  /* GtkApplication loads gtk/help-overlay.ui into every application window. */
  if (GTK_IS_APPLICATION_WINDOW (window))
    gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL);
}

static const GActionEntry app_actions[] = {
  { "quit", quit_activated },
  { "preferences", preferences_activated },
  { "about", about_activated },
  { "shortcuts", shortcuts_activated },
};

static const struct {
  const char *action;
  const char *accels[2];
} app_accels[] = {
  { "app.quit", { "<Control>q", NULL } },
  { "app.preferences", { "<Control>comma", NULL } },
  { "app.shortcuts", { "<Control>question", NULL } },
  { "window.close", { "<Control>w", NULL } },
};

static int
sal_application_handle_local_options (GApplication *app, GVariantDict *options)
{
  SalApplication *self = SAL_APPLICATION (app);
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  const char *db = NULL;

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("salient %s\n", PACKAGE_VERSION);
      return 0;
    }

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL)
    {
      g_printerr (_("salient: the settings schema %s is not installed; install Salient "
                    "(meson install) or point GSETTINGS_SCHEMA_DIR at the folder that "
                    "holds its compiled schema\n"), APP_ID);
      return 1;
    }

  if (g_variant_dict_lookup (options, "db", "^&ay", &db))
    {
      g_free (self->db_path);
      self->db_path = g_canonicalize_filename (db, NULL);
    }
  if (g_variant_dict_contains (options, "kiosk"))
    self->kiosk = TRUE;
  else
    {
      g_autoptr(GSettings) settings = g_settings_new (APP_ID);
      self->kiosk = g_settings_get_boolean (settings, "kiosk");
    }

  /* Another database or a kiosk is a separate session: never hand it to (or take it
   * from) an already running Salient. */
  if (self->db_path != NULL || self->kiosk)
    g_application_set_flags (app, g_application_get_flags (app) | G_APPLICATION_NON_UNIQUE);

  if (!gtk_init_check ())
    {
      g_printerr (_("salient: cannot open a display (is DISPLAY or WAYLAND_DISPLAY set?); "
                    "salient-cli works without one\n"));
      return 1;
    }
  return -1;
}

static void
sal_application_startup (GApplication *app)
{
  SalApplication *self = SAL_APPLICATION (app);

  G_APPLICATION_CLASS (sal_application_parent_class)->startup (app);
  sal_engine_init ();

  if (self->kiosk)
    {
      /* A kiosk stores nothing: its settings live and die with the process. */
      g_autoptr(GSettingsBackend) backend = g_memory_settings_backend_new ();
      self->settings = g_settings_new_with_backend (APP_ID, backend);
      g_settings_set_boolean (self->settings, "kiosk", TRUE);
    }
  else
    self->settings = g_settings_new (APP_ID);
  g_signal_connect_object (self->settings, "changed::appearance",
                           G_CALLBACK (apply_appearance), self, G_CONNECT_SWAPPED);
  apply_appearance (self);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions),
                                   app);
  for (guint i = 0; i < G_N_ELEMENTS (app_accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (app), app_accels[i].action,
                                           app_accels[i].accels);
  /* Ctrl+? belongs to app.shortcuts (which shows the same window), not to the action
   * GtkApplication adds for gtk/help-overlay.ui. */
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.show-help-overlay",
                                         (const char *[]) { NULL });

  /* A kiosk cannot be quit, closed or reconfigured from the keyboard; its language and
   * appearance are on its start screen. */
  if (self->kiosk)
    {
      static const char * const locked[] = { "quit", "preferences", "about", "shortcuts" };

      for (guint i = 0; i < G_N_ELEMENTS (locked); i++)
        g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (app),
                                                                                   locked[i])),
                                     FALSE);
      for (guint i = 0; i < G_N_ELEMENTS (app_accels); i++)
        gtk_application_set_accels_for_action (GTK_APPLICATION (app), app_accels[i].action,
                                               (const char *[]) { NULL });
    }
}

/* A kiosk shows its own window (sal-kiosk-window.c): full screen, demo data only. */
static GtkWindow *
get_or_create_kiosk_window (SalApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (SAL_IS_KIOSK_WINDOW (window))
    return window;
  return GTK_WINDOW (sal_kiosk_window_new (self));
}

static void
sal_application_activate (GApplication *app)
{
  SalApplication *self = SAL_APPLICATION (app);

  if (self->kiosk)
    gtk_window_present (get_or_create_kiosk_window (self));
  else
    gtk_window_present (GTK_WINDOW (get_or_create_window (self)));
}

static void
sal_application_open (GApplication *app, GFile **files, int n_files, const char *hint)
{
  SalWindow *window;

  /* A kiosk opens no files: a passer-by's or anyone else's. */
  if (SAL_APPLICATION (app)->kiosk)
    {
      sal_application_activate (app);
      return;
    }
  window = get_or_create_window (SAL_APPLICATION (app));

  sal_window_open_files (window, files, n_files);
  gtk_window_present (GTK_WINDOW (window));
}

static void
apply_engine_threads (SalApplication *self)
{
  int n = g_settings_get_int (self->settings, "engine-threads");

  if (self->jobs != NULL)
    sal_job_queue_set_max_threads (self->jobs, n > 0 ? (guint) n : sal_job_queue_default_threads ());
}

SalJobQueue *
sal_application_get_job_queue (SalApplication *self)
{
  g_return_val_if_fail (SAL_IS_APPLICATION (self), NULL);
  if (self->jobs == NULL)
    {
      self->jobs = sal_job_queue_new (0);
      if (self->settings != NULL)
        {
          g_signal_connect_object (self->settings, "changed::engine-threads",
                                   G_CALLBACK (apply_engine_threads), self, G_CONNECT_SWAPPED);
          apply_engine_threads (self);
        }
    }
  return self->jobs;
}

SalStore *
sal_application_get_store (SalApplication *self, GError **error)
{
  g_return_val_if_fail (SAL_IS_APPLICATION (self), NULL);
  if (self->store == NULL)
    self->store = sal_session_open_store (self->db_path, self->kiosk, error);
  return self->store;
}

static void
sal_application_dispose (GObject *object)
{
  SalApplication *self = SAL_APPLICATION (object);

  g_clear_object (&self->jobs);
  if (self->store != NULL)
    sal_session_release_store (g_steal_pointer (&self->store));
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (sal_application_parent_class)->dispose (object);
}

static void
sal_application_finalize (GObject *object)
{
  SalApplication *self = SAL_APPLICATION (object);

  g_free (self->db_path);
  G_OBJECT_CLASS (sal_application_parent_class)->finalize (object);
}

static void
sal_application_class_init (SalApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = sal_application_dispose;
  object_class->finalize = sal_application_finalize;
  app_class->handle_local_options = sal_application_handle_local_options;
  app_class->startup = sal_application_startup;
  app_class->activate = sal_application_activate;
  app_class->open = sal_application_open;
}

static void
sal_application_init (SalApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), main_options);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), _("[FILE…]"));
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Health AI that always shows why. Files given "
                                              "are opened in the Clinic workspace."));
}

SalApplication *
sal_application_new (GApplicationFlags flags)
{
  if (g_strcmp0 (g_getenv ("SALIENT_TEST"), "1") == 0)
    flags |= G_APPLICATION_NON_UNIQUE;
  return g_object_new (SAL_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", flags,
                       "resource-base-path", "/org/salient/Salient",
                       NULL);
}

GSettings *
sal_application_get_settings (SalApplication *self)
{
  g_return_val_if_fail (SAL_IS_APPLICATION (self), NULL);
  return self->settings;
}

const char *
sal_application_get_db_path (SalApplication *self)
{
  g_return_val_if_fail (SAL_IS_APPLICATION (self), NULL);
  return self->db_path;
}

gboolean
sal_application_get_kiosk (SalApplication *self)
{
  g_return_val_if_fail (SAL_IS_APPLICATION (self), FALSE);
  return self->kiosk;
}

void
sal_application_set_kiosk (SalApplication *self, gboolean kiosk)
{
  g_return_if_fail (SAL_IS_APPLICATION (self));
  g_return_if_fail (self->settings == NULL);
  self->kiosk = kiosk;
}

void
sal_i18n_init (void)
{
  const char *localedir = g_getenv ("SALIENT_LOCALEDIR");

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL && *localedir ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}

int
sal_application_run_main (int argc, char **argv)
{
  g_autoptr(SalApplication) app = NULL;

  sal_i18n_init ();
  g_set_application_name (_("Salient"));

  app = sal_application_new (G_APPLICATION_HANDLES_OPEN);
  return g_application_run (G_APPLICATION (app), argc, argv);
}
