/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-ui"

#include "config.h"

#include "sal-models-page.h"

/* The Models workspace. For now it states in one line what it will hold;
 * the issue that builds the workspace replaces the template's content. */
struct _SalModelsPage
{
  AdwBin parent_instance;
};

G_DEFINE_FINAL_TYPE (SalModelsPage, sal_models_page, ADW_TYPE_BIN)

static void
sal_models_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), SAL_TYPE_MODELS_PAGE);
  G_OBJECT_CLASS (sal_models_page_parent_class)->dispose (object);
}

static void
sal_models_page_class_init (SalModelsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sal_models_page_dispose;
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/salient/Salient/sal-models-page.ui");
}

static void
sal_models_page_init (SalModelsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
sal_models_page_new (void)
{
  return g_object_new (SAL_TYPE_MODELS_PAGE, NULL);
}
