/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-ui"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "sal-application.h"
#include "sal-window.h"
#include "sal-engine.h"

struct _SalApplication
{
  AdwApplication parent_instance;
  GSettings     *settings;
};

G_DEFINE_FINAL_TYPE (SalApplication, sal_application, ADW_TYPE_APPLICATION)

static void
sal_application_activate (GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (sal_window_new (SAL_APPLICATION (app)));
  gtk_window_present (window);
}

static void
quit_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static const GActionEntry app_actions[] = {
  { "quit", quit_activated },
};

static void
sal_application_startup (GApplication *app)
{
  SalApplication *self = SAL_APPLICATION (app);

  G_APPLICATION_CLASS (sal_application_parent_class)->startup (app);
  sal_engine_init ();
  self->settings = g_settings_new (APP_ID);
  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit",
                                         (const char *[]) { "<Control>q", NULL });
}

static void
sal_application_dispose (GObject *object)
{
  SalApplication *self = SAL_APPLICATION (object);

  g_clear_object (&self->settings);
  G_OBJECT_CLASS (sal_application_parent_class)->dispose (object);
}

static void
sal_application_class_init (SalApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = sal_application_dispose;
  app_class->activate = sal_application_activate;
  app_class->startup = sal_application_startup;
}

static void
sal_application_init (SalApplication *self)
{
}

SalApplication *
sal_application_new (GApplicationFlags flags)
{
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

int
sal_application_run_main (int argc, char **argv)
{
  g_autoptr(SalApplication) app = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_application_name (_("Salient"));

  app = sal_application_new (G_APPLICATION_DEFAULT_FLAGS);
  return g_application_run (G_APPLICATION (app), argc, argv);
}
