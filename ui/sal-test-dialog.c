/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-ui"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "sal-fitness-jobs.h"   /* first: it includes sal-store.h with sal-job.h */
#include "sal-test-dialog.h"
#include "sal-workout-entry.h"

struct _SalTestDialog
{
  AdwWindow    parent_instance;

  SalStore    *store;
  GTimeZone   *tz;

  GtkLabel    *error_label;
  AdwEntryRow *date_row;
  AdwComboRow *kind_row;
  AdwEntryRow *value_row;
};

G_DEFINE_FINAL_TYPE (SalTestDialog, sal_test_dialog, ADW_TYPE_WINDOW)

enum { SAVED, N_SIGNALS };
static guint signals[N_SIGNALS];

static const char * const kinds[] = { "5k-time", "ftp", "vo2max" };
static const char * const units[] = { "s", "W", "ml/kg/min" };

static gboolean
fail (SalTestDialog *self, const char *message)
{
  gtk_label_set_text (self->error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
  return FALSE;
}

gboolean
sal_test_dialog_save (SalTestDialog *self)
{
  const char *date = gtk_editable_get_text (GTK_EDITABLE (self->date_row));
  const char *value = gtk_editable_get_text (GTK_EDITABLE (self->value_row));
  guint kind = MIN (adw_combo_row_get_selected (self->kind_row), G_N_ELEMENTS (kinds) - 1);
  g_autoptr(GError) error = NULL;
  SalPerformanceTest t = { 0 };
  gint64 day;
  char *end;

  if (!sal_day_from_string (date, &day))
    {
      g_autofree char *msg = g_strdup_printf (_("The date “%s” is not a date like 2024-03-31"),
                                              date);
      return fail (self, msg);
    }
  if (kind == 0)
    {
      /* A time trial: mm:ss or h:mm:ss (or minutes). */
      if (!sal_parse_duration (value, &t.value) || t.value < 600 || t.value > 3 * 3600)
        return fail (self, _("Type the 5 km time like 22:30 (between 10 minutes and 3 hours)"));
    }
  else
    {
      t.value = g_ascii_strtod (value, &end);
      if (*value == '\0' || *end != '\0' || !isfinite (t.value) || t.value <= 0
          || t.value > (kind == 1 ? 2000 : 100))
        return fail (self, kind == 1 ? _("Type the power in watts, like 250")
                                     : _("Type VO₂max in ml/kg/min, like 52"));
    }
  {
    g_autoptr(GDate) d = g_date_new_julian ((guint32) (day + 719163));
    g_autoptr(GDateTime) dt = g_date_time_new (self->tz, g_date_get_year (d), g_date_get_month (d),
                                               g_date_get_day (d), 12, 0, 0);
    t.time_ms = g_date_time_to_unix (dt) * 1000;
  }
  t.kind = (char *) kinds[kind];
  t.unit = (char *) units[kind];
  if (sal_store_add_performance_test (self->store, &t, FALSE, &error) == 0)
    return fail (self, error->message);
  g_signal_emit (self, signals[SAVED], 0);
  gtk_window_destroy (GTK_WINDOW (self));
  return TRUE;
}

static void
save_action (GtkWidget *widget, const char *name, GVariant *param)
{
  sal_test_dialog_save (SAL_TEST_DIALOG (widget));
}

static void
sal_test_dialog_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), SAL_TYPE_TEST_DIALOG);
  G_OBJECT_CLASS (sal_test_dialog_parent_class)->dispose (object);
}

static void
sal_test_dialog_finalize (GObject *object)
{
  SalTestDialog *self = SAL_TEST_DIALOG (object);
  g_clear_pointer (&self->store, sal_store_unref);
  g_clear_pointer (&self->tz, g_time_zone_unref);
  G_OBJECT_CLASS (sal_test_dialog_parent_class)->finalize (object);
}

static void
sal_test_dialog_class_init (SalTestDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sal_test_dialog_dispose;
  object_class->finalize = sal_test_dialog_finalize;
  signals[SAVED] = g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                 NULL, NULL, G_TYPE_NONE, 0);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/salient/Salient/sal-test-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, SalTestDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, SalTestDialog, date_row);
  gtk_widget_class_bind_template_child (widget_class, SalTestDialog, kind_row);
  gtk_widget_class_bind_template_child (widget_class, SalTestDialog, value_row);
  gtk_widget_class_install_action (widget_class, "dialog.save", NULL, save_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
sal_test_dialog_init (SalTestDialog *self)
{
  const char *names[] = { _("5 km time trial"), _("Functional threshold power (FTP)"),
                          _("VO₂max"), NULL };
  g_autoptr(GtkStringList) model = gtk_string_list_new (names);

  gtk_widget_init_template (GTK_WIDGET (self));
  adw_combo_row_set_model (self->kind_row, G_LIST_MODEL (model));
}

SalTestDialog *
sal_test_dialog_new (GtkWindow *parent, SalStore *store, GTimeZone *tz)
{
  SalTestDialog *self = g_object_new (SAL_TYPE_TEST_DIALOG, "transient-for", parent, NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now (tz);
  g_autofree char *date = g_date_time_format (now, "%Y-%m-%d");

  self->store = sal_store_ref (store);
  self->tz = g_time_zone_ref (tz);
  gtk_editable_set_text (GTK_EDITABLE (self->date_row), date);
  return self;
}
