/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-ui"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "sal-fitness-jobs.h"   /* first: it includes sal-store.h with sal-job.h */
#include "sal-workout-dialog.h"
#include "sal-units.h"
#include "sal-workout-entry.h"

struct _SalWorkoutDialog
{
  AdwWindow       parent_instance;

  SalStore       *store;
  GTimeZone      *tz;
  gint64          editing;      /* id of the workout being edited, 0 for a new one */
  SalWorkout     *original;     /* when editing: fields that stay as they are */
  gboolean        miles;        /* distance typed in miles */
  gboolean        pounds;       /* set loads in pounds */
  double          edit_distance_m;  /* when editing: the stored distance, else NAN */

  GtkLabel       *error_label;
  AdwComboRow    *sport_row;
  AdwEntryRow    *title_row;
  AdwEntryRow    *date_row;
  AdwEntryRow    *start_row;
  AdwEntryRow    *duration_row;
  AdwEntryRow    *distance_row;
  AdwEntryRow    *avg_hr_row;
  AdwEntryRow    *max_hr_row;
  GtkSpinButton  *rpe_spin;
  AdwEntryRow    *notes_row;
  GtkWidget      *sets_group;
  GtkTextView    *sets_view;
};

G_DEFINE_FINAL_TYPE (SalWorkoutDialog, sal_workout_dialog, ADW_TYPE_WINDOW)

enum { SAVED, N_SIGNALS };
static guint signals[N_SIGNALS];

static const char * const sport_ids[] = { "running", "cycling", "swimming", "walking", "strength",
                                          "other", NULL };

static const char *
entry_text (AdwEntryRow *row)
{
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

static void
show_error (SalWorkoutDialog *self, const char *message)
{
  gtk_label_set_text (self->error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
on_sport_changed (SalWorkoutDialog *self)
{
  guint i = adw_combo_row_get_selected (self->sport_row);
  gtk_widget_set_visible (self->sets_group, i < G_N_ELEMENTS (sport_ids) - 1
                                              && g_str_equal (sport_ids[i], "strength"));
}

gboolean
sal_workout_dialog_save (SalWorkoutDialog *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SalWorkout) w = NULL;
  g_autofree char *sets = NULL;
  GtkTextIter a, b;
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->sets_view);
  guint sport = adw_combo_row_get_selected (self->sport_row);
  SalWorkoutEntry e = { 0 };

  gtk_text_buffer_get_bounds (buffer, &a, &b);
  sets = gtk_text_buffer_get_text (buffer, &a, &b, FALSE);
  e.sport = sport < G_N_ELEMENTS (sport_ids) - 1 ? sport_ids[sport] : "other";
  e.title = entry_text (self->title_row);
  e.date = entry_text (self->date_row);
  e.start = entry_text (self->start_row);
  e.duration = entry_text (self->duration_row);
  e.distance_km = entry_text (self->distance_row);
  e.avg_hr = entry_text (self->avg_hr_row);
  e.max_hr = entry_text (self->max_hr_row);
  e.rpe = gtk_spin_button_get_value (self->rpe_spin);
  e.notes = entry_text (self->notes_row);
  e.sets = g_str_equal (e.sport, "strength") ? sets : NULL;
  e.miles = self->miles;
  e.pounds = self->pounds;

  w = sal_workout_from_entry (&e, self->tz, &error);
  if (w == NULL)
    {
      show_error (self, error->message);
      return FALSE;
    }
  if (self->editing != 0)
    {
      /* The store updates sport, title, effort and notes of a stored workout. */
      w->id = self->editing;
      if (!sal_store_update_workout (self->store, w, &error))
        {
          show_error (self, error->message);
          return FALSE;
        }
    }
  else if (sal_store_add_workout (self->store, w, &error) == 0)
    {
      show_error (self, error->message);
      return FALSE;
    }
  show_error (self, NULL);
  g_signal_emit (self, signals[SAVED], 0, w->id);
  gtk_window_destroy (GTK_WINDOW (self));
  return TRUE;
}

const char *
sal_workout_dialog_get_error (SalWorkoutDialog *self)
{
  return gtk_widget_get_visible (GTK_WIDGET (self->error_label))
           ? gtk_label_get_text (self->error_label) : NULL;
}

static void
save_action (GtkWidget *widget, const char *name, GVariant *param)
{
  sal_workout_dialog_save (SAL_WORKOUT_DIALOG (widget));
}

static void
fill_from (SalWorkoutDialog *self, const SalWorkout *w)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (w->start_ms / 1000);
  g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, self->tz);
  g_autofree char *date = g_date_time_format (local, "%Y-%m-%d");
  g_autofree char *start = g_date_time_format (local, "%H:%M");
  long s = lround (w->duration_s);
  g_autofree char *dur = g_strdup_printf ("%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  SalUnits units = { self->miles, FALSE };
  g_autofree char *dist = isfinite (w->distance_m)
                            ? g_strdup_printf ("%.2f", sal_units_distance (&units, w->distance_m))
                            : g_strdup ("");
  g_autofree char *avg = isfinite (w->avg_hr_bpm) ? g_strdup_printf ("%.0f", w->avg_hr_bpm)
                                                  : g_strdup ("");
  g_autofree char *max = isfinite (w->max_hr_bpm) ? g_strdup_printf ("%.0f", w->max_hr_bpm)
                                                  : g_strdup ("");
  GtkWidget *fixed[] = { GTK_WIDGET (self->date_row), GTK_WIDGET (self->start_row),
                         GTK_WIDGET (self->duration_row), GTK_WIDGET (self->distance_row),
                         GTK_WIDGET (self->avg_hr_row), GTK_WIDGET (self->max_hr_row) };

  for (guint i = 0; sport_ids[i] != NULL; i++)
    if (g_strcmp0 (w->sport, sport_ids[i]) == 0)
      adw_combo_row_set_selected (self->sport_row, i);
  gtk_editable_set_text (GTK_EDITABLE (self->title_row), w->title ? w->title : "");
  gtk_editable_set_text (GTK_EDITABLE (self->date_row), date);
  gtk_editable_set_text (GTK_EDITABLE (self->start_row), start);
  gtk_editable_set_text (GTK_EDITABLE (self->duration_row), dur);
  gtk_editable_set_text (GTK_EDITABLE (self->distance_row), dist);
  self->edit_distance_m = w->distance_m;
  gtk_editable_set_text (GTK_EDITABLE (self->avg_hr_row), avg);
  gtk_editable_set_text (GTK_EDITABLE (self->max_hr_row), max);
  gtk_editable_set_text (GTK_EDITABLE (self->notes_row), w->notes ? w->notes : "");
  if (isfinite (w->rpe))
    gtk_spin_button_set_value (self->rpe_spin, w->rpe);
  /* What a file recorded stays as recorded. */
  for (guint i = 0; i < G_N_ELEMENTS (fixed); i++)
    gtk_widget_set_sensitive (fixed[i], FALSE);
  gtk_widget_set_visible (self->sets_group, FALSE);
  gtk_window_set_title (GTK_WINDOW (self), _("Edit Session"));
}

static void
sal_workout_dialog_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), SAL_TYPE_WORKOUT_DIALOG);
  G_OBJECT_CLASS (sal_workout_dialog_parent_class)->dispose (object);
}

static void
sal_workout_dialog_finalize (GObject *object)
{
  SalWorkoutDialog *self = SAL_WORKOUT_DIALOG (object);

  g_clear_pointer (&self->store, sal_store_unref);
  g_clear_pointer (&self->tz, g_time_zone_unref);
  G_OBJECT_CLASS (sal_workout_dialog_parent_class)->finalize (object);
}

static void
sal_workout_dialog_class_init (SalWorkoutDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sal_workout_dialog_dispose;
  object_class->finalize = sal_workout_dialog_finalize;
  signals[SAVED] = g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                 NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/salient/Salient/sal-workout-dialog.ui");
#define CHILD(name) gtk_widget_class_bind_template_child (widget_class, SalWorkoutDialog, name)
  CHILD (error_label);
  CHILD (sport_row);
  CHILD (title_row);
  CHILD (date_row);
  CHILD (start_row);
  CHILD (duration_row);
  CHILD (distance_row);
  CHILD (avg_hr_row);
  CHILD (max_hr_row);
  CHILD (rpe_spin);
  CHILD (notes_row);
  CHILD (sets_group);
  CHILD (sets_view);
#undef CHILD
  gtk_widget_class_install_action (widget_class, "dialog.save", NULL, save_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "dialog.save",
                                       NULL);
}

static void
sal_workout_dialog_init (SalWorkoutDialog *self)
{
  g_autoptr(GtkStringList) sports = NULL;
  const char *names[] = { C_("sport", "Running"), C_("sport", "Cycling"), C_("sport", "Swimming"),
                          C_("sport", "Walking"), C_("sport", "Strength"), C_("sport", "Other"),
                          NULL };

  gtk_widget_init_template (GTK_WIDGET (self));
  self->edit_distance_m = NAN;
  sports = gtk_string_list_new (names);
  adw_combo_row_set_model (self->sport_row, G_LIST_MODEL (sports));
  g_signal_connect_swapped (self->sport_row, "notify::selected", G_CALLBACK (on_sport_changed),
                            self);
  on_sport_changed (self);
}

SalWorkoutDialog *
sal_workout_dialog_new (GtkWindow *parent, SalStore *store, GTimeZone *tz, gconstpointer workout)
{
  SalWorkoutDialog *self = g_object_new (SAL_TYPE_WORKOUT_DIALOG, "transient-for", parent, NULL);
  const SalWorkout *w = workout;

  self->store = sal_store_ref (store);
  self->tz = g_time_zone_ref (tz);
  if (w != NULL)
    {
      self->editing = w->id;
      fill_from (self, w);
    }
  else
    {
      g_autoptr(GDateTime) now = g_date_time_new_now (tz);
      g_autofree char *date = g_date_time_format (now, "%Y-%m-%d");
      g_autofree char *start = g_date_time_format (now, "%H:%M");
      gtk_editable_set_text (GTK_EDITABLE (self->date_row), date);
      gtk_editable_set_text (GTK_EDITABLE (self->start_row), start);
    }
  return self;
}

void
sal_workout_dialog_set_miles (SalWorkoutDialog *self, gboolean miles)
{
  g_return_if_fail (SAL_IS_WORKOUT_DIALOG (self));
  self->miles = miles;
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->distance_row),
                                 miles ? _("Distance in mi (optional)")
                                       : _("Distance in km (optional)"));
  if (isfinite (self->edit_distance_m))
    {
      SalUnits units = { miles, FALSE };
      g_autofree char *dist = g_strdup_printf ("%.2f", sal_units_distance (&units,
                                                                           self->edit_distance_m));
      gtk_editable_set_text (GTK_EDITABLE (self->distance_row), dist);
    }
}

void
sal_workout_dialog_set_pounds (SalWorkoutDialog *self, gboolean pounds)
{
  g_return_if_fail (SAL_IS_WORKOUT_DIALOG (self));
  self->pounds = pounds;
  adw_preferences_group_set_description (
    ADW_PREFERENCES_GROUP (self->sets_group),
    pounds ? _("One set a line: exercise, repetitions × load in lb — for example “squat, 5 × 180”.")
           : _("One set a line: exercise, repetitions × load in kg — for example “squat, 5 × 80”."));
}
