/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "sal-fitness-jobs.h"   /* first: it includes sal-store.h with sal-job.h */
#include "sal-wellness-dialog.h"

struct _SalWellnessDialog
{
  AdwWindow      parent_instance;

  SalStore      *store;

  GtkLabel      *error_label;
  AdwEntryRow   *date_row;
  GtkSpinButton *sleep_spin;
  GtkSpinButton *soreness_spin;
  GtkSpinButton *rhr_spin;
  GtkSpinButton *mood_spin;
};

G_DEFINE_FINAL_TYPE (SalWellnessDialog, sal_wellness_dialog, ADW_TYPE_WINDOW)

enum { SAVED, N_SIGNALS };
static guint signals[N_SIGNALS];

gboolean
sal_wellness_dialog_save (SalWellnessDialog *self)
{
  const char *date = gtk_editable_get_text (GTK_EDITABLE (self->date_row));
  g_autoptr(SalWellness) w = NULL;
  g_autoptr(GError) error = NULL;
  gint64 day;

  if (!sal_day_from_string (date, &day))
    {
      g_autofree char *msg = g_strdup_printf (_("The date “%s” is not a date like 2024-03-31"),
                                              date);
      gtk_label_set_text (self->error_label, msg);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      return FALSE;
    }
  w = sal_wellness_new (date);
  w->sleep_h = gtk_spin_button_get_value (self->sleep_spin);
  w->soreness = gtk_spin_button_get_value (self->soreness_spin);
  w->resting_hr_bpm = gtk_spin_button_get_value (self->rhr_spin);
  w->mood = gtk_spin_button_get_value (self->mood_spin);
  if (!sal_store_set_wellness (self->store, w, FALSE, &error))
    {
      gtk_label_set_text (self->error_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      return FALSE;
    }
  g_signal_emit (self, signals[SAVED], 0);
  gtk_window_destroy (GTK_WINDOW (self));
  return TRUE;
}

static void
save_action (GtkWidget *widget, const char *name, GVariant *param)
{
  sal_wellness_dialog_save (SAL_WELLNESS_DIALOG (widget));
}

static void
sal_wellness_dialog_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), SAL_TYPE_WELLNESS_DIALOG);
  G_OBJECT_CLASS (sal_wellness_dialog_parent_class)->dispose (object);
}

static void
sal_wellness_dialog_finalize (GObject *object)
{
  g_clear_pointer (&SAL_WELLNESS_DIALOG (object)->store, sal_store_unref);
  G_OBJECT_CLASS (sal_wellness_dialog_parent_class)->finalize (object);
}

static void
sal_wellness_dialog_class_init (SalWellnessDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sal_wellness_dialog_dispose;
  object_class->finalize = sal_wellness_dialog_finalize;
  signals[SAVED] = g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                 NULL, NULL, G_TYPE_NONE, 0);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/salient/Salient/sal-wellness-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, SalWellnessDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, SalWellnessDialog, date_row);
  gtk_widget_class_bind_template_child (widget_class, SalWellnessDialog, sleep_spin);
  gtk_widget_class_bind_template_child (widget_class, SalWellnessDialog, soreness_spin);
  gtk_widget_class_bind_template_child (widget_class, SalWellnessDialog, rhr_spin);
  gtk_widget_class_bind_template_child (widget_class, SalWellnessDialog, mood_spin);
  gtk_widget_class_install_action (widget_class, "dialog.save", NULL, save_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
sal_wellness_dialog_init (SalWellnessDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

SalWellnessDialog *
sal_wellness_dialog_new (GtkWindow *parent, SalStore *store, GTimeZone *tz)
{
  SalWellnessDialog *self = g_object_new (SAL_TYPE_WELLNESS_DIALOG, "transient-for", parent,
                                          NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now (tz);
  g_autofree char *date = g_date_time_format (now, "%Y-%m-%d");

  self->store = sal_store_ref (store);
  gtk_editable_set_text (GTK_EDITABLE (self->date_row), date);
  return self;
}
