/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The overview's weekly goals (with progress; add, edit, delete with undo) and
 * personal records. */
#define G_LOG_DOMAIN "sal-ui"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "sal-fitness-page-private.h"

static const char *const goal_sports[] = { NULL, "running", "cycling", "swimming", "walking" };

static const char *
sport_name (const char *sport)
{
  switch (sport == NULL ? SAL_N_SPORTS : sal_sport_index (sport))
    {
    case SAL_SPORT_RUNNING: return _("running");
    case SAL_SPORT_CYCLING: return _("cycling");
    case SAL_SPORT_SWIMMING: return _("swimming");
    case SAL_SPORT_WALKING: return _("walking");
    case SAL_SPORT_STRENGTH: return _("strength");
    case SAL_SPORT_OTHER: return _("other sports");
    case SAL_N_SPORTS:
    default: return _("all sports");
    }
}

/* A goal's amount in what the person reads: km or mi, hours, sessions. */
static double
goal_display (const SalUnits *u, SalGoalKind kind, double si)
{
  switch (kind)
    {
    case SAL_GOAL_DISTANCE: return sal_units_distance (u, si);
    case SAL_GOAL_TIME: return si / 3600.0;
    case SAL_GOAL_SESSIONS:
    default: return si;
    }
}

static double
goal_from_display (const SalUnits *u, SalGoalKind kind, double v)
{
  switch (kind)
    {
    case SAL_GOAL_DISTANCE: return sal_units_distance_to_m (u, v);
    case SAL_GOAL_TIME: return v * 3600.0;
    case SAL_GOAL_SESSIONS:
    default: return v;
    }
}

static char *
goal_title (const SalUnits *u, const SalGoal *g)
{
  double target = goal_display (u, g->kind, g->target);

  switch (g->kind)
    {
    case SAL_GOAL_DISTANCE:
      /* TRANSLATORS: a weekly goal: distance, unit, sport */
      return g_strdup_printf (_("%.1f %s a week, %s"), target, sal_units_distance_name (u),
                              sport_name (g->sport));
    case SAL_GOAL_TIME:
      return g_strdup_printf (_("%.1f h a week, %s"), target, sport_name (g->sport));
    case SAL_GOAL_SESSIONS:
    default:
      return g_strdup_printf (g_dngettext (NULL, "%.0f session a week, %s",
                                           "%.0f sessions a week, %s", (gulong) target),
                              target, sport_name (g->sport));
    }
}

static GtkWidget *
goal_button (const char *icon, const char *label, const char *action, gint64 id)
{
  GtkWidget *b = gtk_button_new_from_icon_name (icon);

  gtk_widget_set_valign (b, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (b, "flat");
  gtk_widget_set_tooltip_text (b, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (b), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (b), action);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (b), g_variant_new_int64 (id));
  return b;
}

static void
clear_list (GtkListBox *list)
{
  GtkWidget *child;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

void
sal_fitness_page_fill_goals (SalFitnessPage *self, const SalFitnessResult *r)
{
  const SalUnits *u = &r->units;

  clear_list (self->goals_list);
  if (r->goals == NULL || r->goals->len == 0)
    {
      GtkWidget *row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No goals yet"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                                   _("Add a weekly distance, time or number of sessions with +."));
      gtk_list_box_append (self->goals_list, row);
      return;
    }
  for (guint i = 0; i < r->goals->len; i++)
    {
      const SalGoal *g = g_ptr_array_index (r->goals, i);
      double done = g_array_index (r->goal_done, double, i);
      double frac = g->target > 0 ? done / g->target : 0;
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *bar = gtk_level_bar_new_for_interval (0, 1);
      g_autofree char *title = goal_title (u, g);
      g_autofree char *sub = NULL;
      g_autofree char *a11y = NULL;

      if (g->kind == SAL_GOAL_SESSIONS)
        sub = g_strdup_printf (_("%.0f of %.0f done (%.0f %%)"), done, g->target, 100 * frac);
      else
        sub = g_strdup_printf (_("%.1f of %.1f %s done (%.0f %%)"),
                               goal_display (u, g->kind, done),
                               goal_display (u, g->kind, g->target),
                               g->kind == SAL_GOAL_DISTANCE ? sal_units_distance_name (u) : _("h"),
                               100 * frac);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), sub);
      gtk_level_bar_set_value (GTK_LEVEL_BAR (bar), CLAMP (frac, 0, 1));
      gtk_widget_set_size_request (bar, 90, -1);
      gtk_widget_set_valign (bar, GTK_ALIGN_CENTER);
      a11y = g_strdup_printf ("%s: %s", title, sub);
      gtk_accessible_update_property (GTK_ACCESSIBLE (bar), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), bar);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 goal_button ("document-edit-symbolic", _("Edit this goal"),
                                              "fitness.edit-goal", g->id));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 goal_button ("user-trash-symbolic", _("Delete this goal"),
                                              "fitness.delete-goal", g->id));
      gtk_list_box_append (self->goals_list, row);
    }
}

static void
add_record_row (SalFitnessPage *self, const char *title, const char *value, gint64 id,
                gint64 start_ms)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *sub = NULL;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (id != 0)
    {
      g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (start_ms / 1000);
      g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, sal_fitness_page_tz (self));
      /* TRANSLATORS: the day of a record, g_date_time_format syntax */
      g_autofree char *when = g_date_time_format (local, _("%-d %b %Y"));
      sub = g_strdup_printf ("%s · %s", value, when);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 gtk_image_new_from_icon_name ("go-next-symbolic"));
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      g_object_set_data (G_OBJECT (row), "workout-id", GSIZE_TO_POINTER ((gsize) id));
    }
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), sub != NULL ? sub : value);
  gtk_list_box_append (self->records_list, row);
}

void
sal_fitness_page_fill_records (SalFitnessPage *self, const SalFitnessResult *r)
{
  static const char *names[SAL_N_EFFORTS] = { N_("Best 1 km"), N_("Best 5 km"), N_("Best 10 km"),
                                              N_("Best half marathon"), N_("Best marathon") };
  const SalPersonalRecords *pr = &r->records;

  clear_list (self->records_list);
  for (int k = 0; k < SAL_N_EFFORTS; k++)
    {
      g_autofree char *time = sal_fitness_format_duration (pr->best_s[k]);
      g_autofree char *pace = sal_units_format_pace (&r->units, pr->best_s[k],
                                                     sal_effort_distances_m[k]);
      /* The pace of a 1 km effort in km is its time: say it once. */
      g_autofree char *value = k == 0 && !r->units.miles ? g_strdup (time)
                                                         : g_strdup_printf ("%s (%s)", time, pace);

      if (pr->best_id[k] == 0 && k >= 3)
        continue;   /* no half or full marathon yet: not worth a row */
      add_record_row (self, _(names[k]),
                      pr->best_id[k] != 0 ? value : _("no run with samples that long yet"),
                      pr->best_id[k], r->record_start_ms[k]);
    }
  if (pr->longest_id != 0)
    {
      g_autofree char *value = sal_fitness_format_duration (pr->longest_s);
      add_record_row (self, _("Longest session"), value, pr->longest_id,
                      r->record_start_ms[SAL_N_EFFORTS]);
    }
  if (pr->most_load_id != 0)
    {
      g_autofree char *value = g_strdup_printf (_("load %.0f"), pr->most_load);
      add_record_row (self, _("Most load in a session"), value, pr->most_load_id,
                      r->record_start_ms[SAL_N_EFFORTS + 1]);
    }
}

static void
on_record_activated (GtkListBox *list, GtkListBoxRow *row, SalFitnessPage *self)
{
  gint64 id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (row), "workout-id"));
  if (id != 0)
    sal_fitness_page_open_workout (self, id);
}

/* ---- the goal editor ---- */

typedef struct {
  SalFitnessPage *page;
  gint64          id;
  GtkDropDown    *kind;
  GtkDropDown    *sport;
  GtkSpinButton  *target;
} GoalEditor;

static void
goal_editor_free (GoalEditor *e)
{
  g_object_unref (e->page);
  g_free (e);
}

/* Sessions are whole; kilometres, miles and hours take a decimal. */
static void
on_goal_kind (GtkDropDown *kind, GParamSpec *pspec, GoalEditor *e)
{
  gtk_spin_button_set_digits (e->target,
                              gtk_drop_down_get_selected (kind) == SAL_GOAL_SESSIONS ? 0 : 1);
}

static void
on_goal_response (AdwMessageDialog *dialog, const char *response, GoalEditor *e)
{
  SalFitnessPage *self = e->page;
  g_autoptr(GError) error = NULL;
  SalGoal g = { 0 };
  guint sport = gtk_drop_down_get_selected (e->sport);

  if (g_strcmp0 (response, "save") != 0)
    return;
  g.id = e->id;
  g.kind = (SalGoalKind) gtk_drop_down_get_selected (e->kind);
  g.sport = sport < G_N_ELEMENTS (goal_sports) ? (char *) goal_sports[sport] : NULL;
  g.target = goal_from_display (sal_fitness_page_units (self), g.kind,
                                gtk_spin_button_get_value (e->target));
  if (self->store == NULL || !sal_store_put_goal (self->store, &g, &error))
    {
      adw_toast_overlay_add_toast (self->toasts, adw_toast_new (error != NULL ? error->message
                                                                : _("No store is open")));
      return;
    }
  adw_toast_overlay_add_toast (self->toasts, adw_toast_new (_("Goal saved")));
  sal_fitness_page_reload (self);
}

GtkWidget *
sal_fitness_page_edit_goal (SalFitnessPage *self, const SalGoal *goal)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  const char *kinds[] = { NULL, _("Hours"), _("Sessions"), NULL };
  const char *sports[] = { _("All sports"), C_("sport", "Running"), C_("sport", "Cycling"),
                           C_("sport", "Swimming"), C_("sport", "Walking"), NULL };
  g_autofree char *distance_kind = g_strdup_printf (_("Distance (%s)"),
                                                    sal_units_distance_name (
                                                      sal_fitness_page_units (self)));
  GoalEditor *e = g_new0 (GoalEditor, 1);
  GtkWidget *dialog, *box, *grid;

  kinds[0] = distance_kind;
  e->page = g_object_ref (self);
  e->id = goal != NULL ? goal->id : 0;
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   goal != NULL ? _("Edit Goal") : _("New Weekly Goal"),
                                   _("Weeks start on Monday; progress counts this week’s "
                                     "workouts."));
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  grid = gtk_grid_new ();
  gtk_grid_set_row_spacing (GTK_GRID (grid), 6);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 12);
  e->kind = GTK_DROP_DOWN (gtk_drop_down_new_from_strings (kinds));
  e->sport = GTK_DROP_DOWN (gtk_drop_down_new_from_strings (sports));
  e->target = GTK_SPIN_BUTTON (gtk_spin_button_new_with_range (0, 100000, 1));
  {
    const char *labels[] = { _("What"), _("Sport"), _("Target a week") };
    GtkWidget *fields[] = { GTK_WIDGET (e->kind), GTK_WIDGET (e->sport), GTK_WIDGET (e->target) };
    for (int i = 0; i < 3; i++)
      {
        GtkWidget *l = gtk_label_new (labels[i]);
        gtk_label_set_xalign (GTK_LABEL (l), 0);
        gtk_widget_set_hexpand (fields[i], TRUE);
        gtk_accessible_update_relation (GTK_ACCESSIBLE (fields[i]),
                                        GTK_ACCESSIBLE_RELATION_LABELLED_BY, l, NULL, -1);
        gtk_grid_attach (GTK_GRID (grid), l, 0, i, 1, 1);
        gtk_grid_attach (GTK_GRID (grid), fields[i], 1, i, 1, 1);
      }
  }
  gtk_box_append (GTK_BOX (box), grid);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), box);
  g_signal_connect (e->kind, "notify::selected", G_CALLBACK (on_goal_kind), e);
  if (goal != NULL)
    {
      gtk_drop_down_set_selected (e->kind, goal->kind);
      for (guint i = 1; i < G_N_ELEMENTS (goal_sports); i++)
        if (goal->sport != NULL && sal_sport_index (goal->sport) == sal_sport_index (goal_sports[i]))
          gtk_drop_down_set_selected (e->sport, i);
      on_goal_kind (e->kind, NULL, e);
      gtk_spin_button_set_value (e->target, goal_display (sal_fitness_page_units (self),
                                                          goal->kind, goal->target));
    }
  else
    {
      on_goal_kind (e->kind, NULL, e);
      gtk_spin_button_set_value (e->target, sal_fitness_page_units (self)->miles ? 20 : 30);
    }
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "save", _("_Save"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "save",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "save");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_goal_response), e,
                         (GClosureNotify) (void (*) (void)) goal_editor_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

static const SalGoal *
find_goal (SalFitnessPage *self, gint64 id)
{
  if (self->overview == NULL || self->overview->goals == NULL)
    return NULL;
  for (guint i = 0; i < self->overview->goals->len; i++)
    {
      const SalGoal *g = g_ptr_array_index (self->overview->goals, i);
      if (g->id == id)
        return g;
    }
  return NULL;
}

static void
add_goal_action (GtkWidget *widget, const char *name, GVariant *param)
{
  sal_fitness_page_edit_goal (SAL_FITNESS_PAGE (widget), NULL);
}

static void
edit_goal_action (GtkWidget *widget, const char *name, GVariant *param)
{
  SalFitnessPage *self = SAL_FITNESS_PAGE (widget);
  const SalGoal *g = find_goal (self, g_variant_get_int64 (param));

  if (g != NULL)
    sal_fitness_page_edit_goal (self, g);
}

static void
on_goal_toast_dismissed (AdwToast *t, SalFitnessPage *self)
{
  sal_fitness_page_purge_pending (self);
}

static void
delete_goal_action (GtkWidget *widget, const char *name, GVariant *param)
{
  SalFitnessPage *self = SAL_FITNESS_PAGE (widget);
  gint64 id = g_variant_get_int64 (param);
  g_autoptr(GError) error = NULL;
  AdwToast *t;

  if (self->store == NULL)
    return;
  sal_fitness_page_purge_pending (self);
  if (!sal_store_mark_deleted (self->store, SAL_OBJECT_GOAL, id, &error))
    {
      adw_toast_overlay_add_toast (self->toasts, adw_toast_new (error->message));
      return;
    }
  self->deleted_goal = id;
  t = adw_toast_new (_("Goal deleted"));
  adw_toast_set_button_label (t, _("_Undo"));
  adw_toast_set_action_name (t, "fitness.undo-delete-goal");
  g_signal_connect_object (t, "dismissed", G_CALLBACK (on_goal_toast_dismissed), self, 0);
  adw_toast_overlay_add_toast (self->toasts, t);
  sal_fitness_page_reload (self);
}

static void
undo_delete_goal_action (GtkWidget *widget, const char *name, GVariant *param)
{
  SalFitnessPage *self = SAL_FITNESS_PAGE (widget);
  g_autoptr(GError) error = NULL;

  if (self->deleted_goal == 0)
    return;
  if (!sal_store_undo_delete (self->store, SAL_OBJECT_GOAL, self->deleted_goal, &error))
    adw_toast_overlay_add_toast (self->toasts, adw_toast_new (error->message));
  self->deleted_goal = 0;
  sal_fitness_page_reload (self);
}

void
sal_fitness_page_goal_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "fitness.add-goal", NULL, add_goal_action);
  gtk_widget_class_install_action (widget_class, "fitness.edit-goal", "x", edit_goal_action);
  gtk_widget_class_install_action (widget_class, "fitness.delete-goal", "x", delete_goal_action);
  gtk_widget_class_install_action (widget_class, "fitness.undo-delete-goal", NULL,
                                   undo_delete_goal_action);
}

void
sal_fitness_page_goals_init (SalFitnessPage *self)
{
  g_signal_connect (self->records_list, "row-activated", G_CALLBACK (on_record_activated), self);
}
