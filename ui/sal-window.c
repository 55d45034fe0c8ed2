/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "sal-window.h"

struct _SalWindow
{
  AdwApplicationWindow parent_instance;
  AdwViewStack        *stack;
};

G_DEFINE_FINAL_TYPE (SalWindow, sal_window, ADW_TYPE_APPLICATION_WINDOW)

static void
sal_window_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), SAL_TYPE_WINDOW);
  G_OBJECT_CLASS (sal_window_parent_class)->dispose (object);
}

static void
sal_window_class_init (SalWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sal_window_dispose;
  gtk_widget_class_set_template_from_resource (widget_class, "/org/salient/Salient/sal-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SalWindow, stack);
}

static void
sal_window_init (SalWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

SalWindow *
sal_window_new (SalApplication *app)
{
  return g_object_new (SAL_TYPE_WINDOW, "application", app, NULL);
}
