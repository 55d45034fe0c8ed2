/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "sal-clinic-page.h"
#include "sal-fitness-page.h"
#include "sal-models-page.h"
#include "sal-window.h"

struct _SalWindow
{
  AdwApplicationWindow parent_instance;

  GSettings           *settings;
  /* Files handed to `salient FILE…` (GApplication::open), in order. They stay here
   * until the Clinic workspace imports them: it watches this model and removes
   * what it has taken. Nothing else is done with them yet. */
  GListStore          *pending_files;

  AdwViewStack        *stack;
};

G_DEFINE_FINAL_TYPE (SalWindow, sal_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The workspaces, in view-switcher order. */
static const char * const page_names[] = { "clinic", "fitness", "models" };

static int
page_index (const char *name)
{
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (page_names); i++)
    if (g_str_equal (page_names[i], name))
      return (int) i;
  return -1;
}

/* The one place that decides which window actions are enabled. */
static void
sal_window_update_actions (SalWindow *self)
{
  int page = page_index (sal_window_get_page (self));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.previous-page", page > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.next-page",
                                 page >= 0 && page < (int) G_N_ELEMENTS (page_names) - 1);
}

static void
on_visible_child_changed (SalWindow *self)
{
  const char *name = sal_window_get_page (self);

  if (self->settings != NULL && page_index (name) >= 0)
    g_settings_set_string (self->settings, "last-page", name);
  sal_window_update_actions (self);
}

static void
show_page_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  const char *name = g_variant_get_string (param, NULL);

  if (page_index (name) < 0)
    {
      g_warning ("win.show-page: there is no workspace called “%s”", name);
      return;
    }
  sal_window_set_page (SAL_WINDOW (widget), name);
}

static void
step_page_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  SalWindow *self = SAL_WINDOW (widget);
  int page = page_index (sal_window_get_page (self));
  int step = g_str_equal (action_name, "win.next-page") ? 1 : -1;

  page = CLAMP (page + step, 0, (int) G_N_ELEMENTS (page_names) - 1);
  sal_window_set_page (self, page_names[page]);
}

static void
restore_state (SalWindow *self)
{
  g_autofree char *page = NULL;
  int width, height;

  if (self->settings == NULL)
    return;
  width = g_settings_get_int (self->settings, "window-width");
  height = g_settings_get_int (self->settings, "window-height");
  if (width > 0 && height > 0)
    gtk_window_set_default_size (GTK_WINDOW (self), width, height);
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  /* A name from an older or newer version may not exist: keep the first page then. */
  page = g_settings_get_string (self->settings, "last-page");
  if (page_index (page) >= 0)
    sal_window_set_page (self, page);
}

static gboolean
sal_window_close_request (GtkWindow *window)
{
  sal_window_save_state (SAL_WINDOW (window));
  return GTK_WINDOW_CLASS (sal_window_parent_class)->close_request (window);
}

static void
sal_window_constructed (GObject *object)
{
  SalWindow *self = SAL_WINDOW (object);

  G_OBJECT_CLASS (sal_window_parent_class)->constructed (object);

  restore_state (self);
  sal_window_update_actions (self);
  g_signal_connect_object (self->stack, "notify::visible-child",
                           G_CALLBACK (on_visible_child_changed), self, G_CONNECT_SWAPPED);
}

static void
sal_window_dispose (GObject *object)
{
  SalWindow *self = SAL_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (object), SAL_TYPE_WINDOW);
  g_clear_object (&self->settings);
  g_clear_object (&self->pending_files);
  G_OBJECT_CLASS (sal_window_parent_class)->dispose (object);
}

static void
sal_window_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  SalWindow *self = SAL_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sal_window_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  SalWindow *self = SAL_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sal_window_class_init (SalWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = sal_window_constructed;
  object_class->dispose = sal_window_dispose;
  object_class->get_property = sal_window_get_property;
  object_class->set_property = sal_window_set_property;
  window_class->close_request = sal_window_close_request;

  /* Where the window keeps its size and page (org.salient.Salient); none: nothing kept. */
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (SAL_TYPE_CLINIC_PAGE);
  g_type_ensure (SAL_TYPE_FITNESS_PAGE);
  g_type_ensure (SAL_TYPE_MODELS_PAGE);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/salient/Salient/sal-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SalWindow, stack);

  gtk_widget_class_install_action (widget_class, "win.show-page", "s", show_page_action);
  gtk_widget_class_install_action (widget_class, "win.previous-page", NULL, step_page_action);
  gtk_widget_class_install_action (widget_class, "win.next-page", NULL, step_page_action);

  for (guint i = 0; i < G_N_ELEMENTS (page_names); i++)
    gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1 + i, GDK_ALT_MASK,
                                         "win.show-page", "s", page_names[i]);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Up, GDK_CONTROL_MASK,
                                       "win.previous-page", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Down, GDK_CONTROL_MASK,
                                       "win.next-page", NULL);
}

static void
sal_window_init (SalWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->pending_files = g_list_store_new (G_TYPE_FILE);
}

SalWindow *
sal_window_new (SalApplication *app)
{
  g_return_val_if_fail (SAL_IS_APPLICATION (app), NULL);
  return g_object_new (SAL_TYPE_WINDOW,
                       "application", app,
                       "settings", sal_application_get_settings (app),
                       NULL);
}

AdwViewStack *
sal_window_get_view_stack (SalWindow *self)
{
  g_return_val_if_fail (SAL_IS_WINDOW (self), NULL);
  return self->stack;
}

const char *
sal_window_get_page (SalWindow *self)
{
  g_return_val_if_fail (SAL_IS_WINDOW (self), NULL);
  return adw_view_stack_get_visible_child_name (self->stack);
}

void
sal_window_set_page (SalWindow *self, const char *name)
{
  g_return_if_fail (SAL_IS_WINDOW (self));
  g_return_if_fail (page_index (name) >= 0);
  adw_view_stack_set_visible_child_name (self->stack, name);
}

/* Remembers size, maximized state and page for the next start. The size is the
 * unmaximized one, so un-maximizing next time gives back the old window. */
void
sal_window_save_state (SalWindow *self)
{
  int width = 0, height = 0;

  g_return_if_fail (SAL_IS_WINDOW (self));
  if (self->settings == NULL)
    return;
  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  if (width > 0 && height > 0)
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
  g_settings_set_boolean (self->settings, "window-maximized",
                          gtk_window_is_maximized (GTK_WINDOW (self)));
  if (page_index (sal_window_get_page (self)) >= 0)
    g_settings_set_string (self->settings, "last-page", sal_window_get_page (self));
}

/* Queues files given on the command line or by the desktop (`salient FILE…`).
 * The Clinic workspace will import them; until it does, they wait in the model
 * returned by sal_window_get_pending_files(). */
void
sal_window_open_files (SalWindow *self, GFile **files, int n_files)
{
  g_return_if_fail (SAL_IS_WINDOW (self));
  g_return_if_fail (n_files == 0 || files != NULL);

  for (int i = 0; i < n_files; i++)
    g_list_store_append (self->pending_files, files[i]);
}

GListModel *
sal_window_get_pending_files (SalWindow *self)
{
  g_return_val_if_fail (SAL_IS_WINDOW (self), NULL);
  return G_LIST_MODEL (self->pending_files);
}
