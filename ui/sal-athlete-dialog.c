/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-ui"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "sal-fitness-jobs.h"   /* first: it includes sal-store.h with sal-job.h */
#include "sal-athlete-dialog.h"
#include "sal-hr-zones.h"
#include "sal-units.h"

#define N_ZONES 5

struct _SalAthleteDialog
{
  AdwWindow            parent_instance;

  SalStore            *store;
  gboolean             demo;

  GtkLabel            *error_label;
  AdwEntryRow         *name_row;
  AdwComboRow         *sex_row;
  AdwComboRow         *distance_units_row;
  AdwComboRow         *weight_units_row;
  AdwEntryRow         *tz_row;
  AdwActionRow        *weight_row;
  gboolean             pounds;      /* what weight_spin shows */
  GtkSpinButton       *birth_spin;
  GtkSpinButton       *weight_spin;
  GtkSpinButton       *rest_spin;
  GtkSpinButton       *max_spin;
  GtkSpinButton       *lthr_spin;
  AdwPreferencesGroup *zones_group;
  AdwComboRow         *method_row;
  GtkSpinButton       *zone_low[N_ZONES];
  GtkSpinButton       *zone_high[N_ZONES];
};

G_DEFINE_FINAL_TYPE (SalAthleteDialog, sal_athlete_dialog, ADW_TYPE_WINDOW)

enum { SAVED, N_SIGNALS };
static guint signals[N_SIGNALS];

static const char * const sex_ids[] = { "female", "male", NULL };

static void
show_error (SalAthleteDialog *self, const char *message)
{
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
set_zones (SalAthleteDialog *self, const GArray *zones)
{
  for (guint i = 0; i < N_ZONES && i < zones->len; i++)
    {
      gtk_spin_button_set_value (self->zone_low[i], g_array_index (zones, SalHrZone, i).low_bpm);
      gtk_spin_button_set_value (self->zone_high[i], g_array_index (zones, SalHrZone, i).high_bpm);
    }
}

gboolean
sal_athlete_dialog_compute_zones (SalAthleteDialog *self, int method)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) zones = NULL;

  if (method < 0)
    method = (int) adw_combo_row_get_selected (self->method_row);
  else
    adw_combo_row_set_selected (self->method_row, (guint) method);
  zones = sal_hr_zones_compute ((SalZoneMethod) method, gtk_spin_button_get_value (self->rest_spin),
                                gtk_spin_button_get_value (self->max_spin),
                                gtk_spin_button_get_value (self->lthr_spin), &error);
  if (zones == NULL)
    {
      show_error (self, error->message);
      return FALSE;
    }
  set_zones (self, zones);
  show_error (self, NULL);
  return TRUE;
}

static void
compute_action (GtkWidget *widget, const char *name, GVariant *param)
{
  sal_athlete_dialog_compute_zones (SAL_ATHLETE_DIALOG (widget), -1);
}

/* The weight row follows the chosen unit, converting what it shows. */
static void
on_weight_units (SalAthleteDialog *self)
{
  gboolean pounds = adw_combo_row_get_selected (self->weight_units_row) == 1;
  SalUnits was = { FALSE, self->pounds }, now = { FALSE, pounds };
  double kg = sal_units_weight_to_kg (&was, gtk_spin_button_get_value (self->weight_spin));

  self->pounds = pounds;
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->weight_row),
                                 pounds ? _("Weight, lb") : _("Weight, kg"));
  gtk_spin_button_set_value (self->weight_spin, sal_units_weight (&now, kg));
}

gboolean
sal_athlete_dialog_save (SalAthleteDialog *self)
{
  g_autoptr(SalAthlete) a = sal_athlete_new ();
  g_autoptr(GError) error = NULL;
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  guint sex = adw_combo_row_get_selected (self->sex_row);

  a->name = name[0] ? g_strdup (name) : NULL;
  a->sex = sex < 2 ? g_strdup (sex_ids[sex]) : NULL;
  a->birth_year = gtk_spin_button_get_value_as_int (self->birth_spin);
  a->miles = adw_combo_row_get_selected (self->distance_units_row) == 1;
  a->pounds = self->pounds;
  a->weight_kg = sal_units_weight_to_kg (&(SalUnits) { FALSE, self->pounds },
                                         gtk_spin_button_get_value (self->weight_spin));
  {
    g_autofree char *tz = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->tz_row))));
    g_autoptr(GTimeZone) zone = tz[0] ? g_time_zone_new_identifier (tz) : NULL;

    if (tz[0] && zone == NULL)
      {
        g_autofree char *msg = g_strdup_printf (_("“%s” is not a time zone this computer knows; "
                                                  "type one like Europe/Berlin or "
                                                  "America/New_York, or leave it empty"), tz);
        show_error (self, msg);
        return FALSE;
      }
    a->time_zone = tz[0] ? g_steal_pointer (&tz) : NULL;
  }
  if (a->weight_kg < 20 || a->weight_kg > 300)
    {
      show_error (self, _("The weight must be between 20 and 300 kg (44 and 661 lb)"));
      return FALSE;
    }
  a->resting_hr_bpm = gtk_spin_button_get_value (self->rest_spin);
  a->max_hr_bpm = gtk_spin_button_get_value (self->max_spin);
  a->threshold_hr_bpm = gtk_spin_button_get_value (self->lthr_spin);
  a->demo = self->demo;
  if (a->resting_hr_bpm >= a->max_hr_bpm)
    {
      show_error (self, _("The resting heart rate must be below the maximum"));
      return FALSE;
    }
  for (guint i = 0; i < N_ZONES; i++)
    {
      SalHrZone z = { i + 1, gtk_spin_button_get_value (self->zone_low[i]),
                      gtk_spin_button_get_value (self->zone_high[i]) };
      g_array_append_val (a->zones, z);
    }
  if (!sal_hr_zones_validate (a->zones, &error) || !sal_store_set_athlete (self->store, a, &error))
    {
      show_error (self, error->message);
      return FALSE;
    }
  g_signal_emit (self, signals[SAVED], 0);
  gtk_window_destroy (GTK_WINDOW (self));
  return TRUE;
}

static void
save_action (GtkWidget *widget, const char *name, GVariant *param)
{
  sal_athlete_dialog_save (SAL_ATHLETE_DIALOG (widget));
}

GtkSpinButton *
sal_athlete_dialog_get_zone_spin (SalAthleteDialog *self, guint zone, gboolean high)
{
  g_return_val_if_fail (zone < N_ZONES, NULL);
  return high ? self->zone_high[zone] : self->zone_low[zone];
}

static GtkSpinButton *
zone_spin (const char *label)
{
  GtkWidget *spin = gtk_spin_button_new_with_range (0, 260, 1);
  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  return GTK_SPIN_BUTTON (spin);
}

static void
sal_athlete_dialog_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), SAL_TYPE_ATHLETE_DIALOG);
  G_OBJECT_CLASS (sal_athlete_dialog_parent_class)->dispose (object);
}

static void
sal_athlete_dialog_finalize (GObject *object)
{
  g_clear_pointer (&SAL_ATHLETE_DIALOG (object)->store, sal_store_unref);
  G_OBJECT_CLASS (sal_athlete_dialog_parent_class)->finalize (object);
}

static void
sal_athlete_dialog_class_init (SalAthleteDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sal_athlete_dialog_dispose;
  object_class->finalize = sal_athlete_dialog_finalize;
  signals[SAVED] = g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                 NULL, NULL, G_TYPE_NONE, 0);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/salient/Salient/sal-athlete-dialog.ui");
#define CHILD(name) gtk_widget_class_bind_template_child (widget_class, SalAthleteDialog, name)
  CHILD (error_label);
  CHILD (name_row);
  CHILD (sex_row);
  CHILD (distance_units_row);
  CHILD (weight_units_row);
  CHILD (tz_row);
  CHILD (weight_row);
  CHILD (birth_spin);
  CHILD (weight_spin);
  CHILD (rest_spin);
  CHILD (max_spin);
  CHILD (lthr_spin);
  CHILD (zones_group);
  CHILD (method_row);
#undef CHILD
  gtk_widget_class_install_action (widget_class, "dialog.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "dialog.compute-zones", NULL, compute_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
sal_athlete_dialog_init (SalAthleteDialog *self)
{
  const char *sexes[] = { _("Female"), _("Male"), NULL };
  /* xgettext:no-c-format */
  const char *methods[] = { _("% of maximum heart rate"), _("Heart-rate reserve (Karvonen)"),
                            _("Lactate threshold (LTHR)"), NULL };
  g_autoptr(GtkStringList) sex_model = gtk_string_list_new (sexes);
  g_autoptr(GtkStringList) method_model = gtk_string_list_new (methods);
  const char *distances[] = { _("Kilometres"), _("Miles"), NULL };
  const char *weights[] = { _("Kilograms"), _("Pounds"), NULL };
  g_autoptr(GtkStringList) distance_model = gtk_string_list_new (distances);
  g_autoptr(GtkStringList) weight_model = gtk_string_list_new (weights);

  gtk_widget_init_template (GTK_WIDGET (self));
  adw_combo_row_set_model (self->sex_row, G_LIST_MODEL (sex_model));
  adw_combo_row_set_model (self->method_row, G_LIST_MODEL (method_model));
  adw_combo_row_set_model (self->distance_units_row, G_LIST_MODEL (distance_model));
  adw_combo_row_set_model (self->weight_units_row, G_LIST_MODEL (weight_model));
  g_signal_connect_swapped (self->weight_units_row, "notify::selected",
                            G_CALLBACK (on_weight_units), self);
  for (guint i = 0; i < N_ZONES; i++)
    {
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *title = g_strdup_printf (_("Zone %u"), i + 1);
      g_autofree char *low = g_strdup_printf (_("Zone %u from, bpm"), i + 1);
      g_autofree char *high = g_strdup_printf (_("Zone %u to, bpm"), i + 1);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      self->zone_low[i] = zone_spin (low);
      self->zone_high[i] = zone_spin (high);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), GTK_WIDGET (self->zone_low[i]));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_label_new ("–"));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), GTK_WIDGET (self->zone_high[i]));
      adw_preferences_group_add (self->zones_group, row);
    }
}

SalAthleteDialog *
sal_athlete_dialog_new (GtkWindow *parent, SalStore *store)
{
  SalAthleteDialog *self = g_object_new (SAL_TYPE_ATHLETE_DIALOG, "transient-for", parent, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SalAthlete) a = NULL;

  self->store = sal_store_ref (store);
  a = sal_store_get_athlete (store, &error);
  if (a == NULL)
    {
      sal_athlete_dialog_compute_zones (self, SAL_ZONES_PERCENT_MAX);
      return self;
    }
  self->demo = a->demo;
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), a->name ? a->name : "");
  adw_combo_row_set_selected (self->sex_row, g_strcmp0 (a->sex, "male") == 0 ? 1 : 0);
  if (a->birth_year > 0)
    gtk_spin_button_set_value (self->birth_spin, a->birth_year);
  if (a->weight_kg > 0)
    gtk_spin_button_set_value (self->weight_spin, a->weight_kg);
  adw_combo_row_set_selected (self->distance_units_row, a->miles ? 1 : 0);
  adw_combo_row_set_selected (self->weight_units_row, a->pounds ? 1 : 0);
  gtk_editable_set_text (GTK_EDITABLE (self->tz_row), a->time_zone ? a->time_zone : "");
  if (a->resting_hr_bpm > 0)
    gtk_spin_button_set_value (self->rest_spin, a->resting_hr_bpm);
  if (a->max_hr_bpm > 0)
    gtk_spin_button_set_value (self->max_spin, a->max_hr_bpm);
  if (a->threshold_hr_bpm > 0)
    gtk_spin_button_set_value (self->lthr_spin, a->threshold_hr_bpm);
  if (a->zones != NULL && a->zones->len == N_ZONES)
    set_zones (self, a->zones);
  else
    sal_athlete_dialog_compute_zones (self, SAL_ZONES_PERCENT_MAX);
  return self;
}
