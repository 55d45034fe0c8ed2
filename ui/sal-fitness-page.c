/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-ui"

#include "config.h"

#include "sal-fitness-page.h"

/* The Fitness workspace. For now it states in one line what it will hold;
 * the issue that builds the workspace replaces the template's content. */
struct _SalFitnessPage
{
  AdwBin parent_instance;
};

G_DEFINE_FINAL_TYPE (SalFitnessPage, sal_fitness_page, ADW_TYPE_BIN)

static void
sal_fitness_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), SAL_TYPE_FITNESS_PAGE);
  G_OBJECT_CLASS (sal_fitness_page_parent_class)->dispose (object);
}

static void
sal_fitness_page_class_init (SalFitnessPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sal_fitness_page_dispose;
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/salient/Salient/sal-fitness-page.ui");
}

static void
sal_fitness_page_init (SalFitnessPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
sal_fitness_page_new (void)
{
  return g_object_new (SAL_TYPE_FITNESS_PAGE, NULL);
}
