/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-ui"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "sal-application.h"
#include "sal-fitness-page-private.h"
#include "sal-store.h"
#include "sal-athlete-dialog.h"
#include "sal-test-dialog.h"
#include "sal-wellness-dialog.h"
#include "sal-workout-dialog.h"

/* The Fitness workspace: an overview of training load (fitness, fatigue, form), weekly
 * volume, heart-rate zones and recent workouts; a workout's detail; import by file
 * chooser or drop; a demo athlete. Everything is loaded by jobs on the job queue;
 * the page only draws their results. */

G_DEFINE_FINAL_TYPE (SalFitnessPage, sal_fitness_page, ADW_TYPE_BIN)

static void reload (SalFitnessPage *self);

void
sal_fitness_page_reload (SalFitnessPage *self)
{
  reload (self);
}

/* The one place that decides which actions are enabled. */
static void
update_actions (SalFitnessPage *self)
{
  gboolean detail = g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "detail") == 0;
  gboolean idle = self->n_busy == 0;
  gboolean has_demo = self->overview != NULL && self->overview->has_demo;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "fitness.back", detail);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "fitness.delete-workout",
                                 detail && idle && self->shown_workout != 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "fitness.edit-workout",
                                 detail && idle && self->detail != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "fitness.import", self->store != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "fitness.log", self->store != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "fitness.profile", self->store != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "fitness.wellness", self->store != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "fitness.performance-test",
                                 self->store != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "fitness.add-demo",
                                 self->store != NULL && idle && !has_demo);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "fitness.remove-demo",
                                 self->store != NULL && idle && has_demo);
  gtk_widget_set_visible (self->back_button, detail);
  gtk_widget_set_visible (self->delete_button, detail);
  gtk_widget_set_visible (self->edit_button, detail);
  gtk_widget_set_visible (self->demo_button, has_demo && !detail);
  if (self->read_only)
    {
      /* A kiosk: look, never change (no file choosers, no edits to the demo set). */
      static const char * const editing[] = {
        "fitness.import", "fitness.log", "fitness.profile", "fitness.wellness",
        "fitness.performance-test", "fitness.edit-workout", "fitness.delete-workout",
        "fitness.add-demo", "fitness.remove-demo", "fitness.undo-delete",
      };

      for (guint i = 0; i < G_N_ELEMENTS (editing); i++)
        gtk_widget_action_set_enabled (GTK_WIDGET (self), editing[i], FALSE);
      gtk_widget_set_visible (self->delete_button, FALSE);
      gtk_widget_set_visible (self->edit_button, FALSE);
      gtk_widget_set_visible (self->demo_button, FALSE);
    }
}

static void
toast (SalFitnessPage *self, const char *text)
{
  adw_toast_overlay_add_toast (self->toasts, adw_toast_new (text));
}

static gint64
today (SalFitnessPage *self)
{
  g_autoptr(GDateTime) now = NULL;

  if (self->today != 0)
    return self->today;
  if (self->overview != NULL)
    return self->overview->today;
  now = g_date_time_new_now_utc ();
  return sal_local_day (g_date_time_to_unix (now) * 1000, self->tz);
}

const SalUnits *
sal_fitness_page_units (SalFitnessPage *self)
{
  static const SalUnits metric = { FALSE, FALSE };
  return self->overview != NULL ? &self->overview->units : &metric;
}

GTimeZone *
sal_fitness_page_tz (SalFitnessPage *self)
{
  return self->overview != NULL && self->overview->tz != NULL ? self->overview->tz : self->tz;
}

/* ---- jobs ---- */

typedef void (*JobDone) (SalFitnessPage *self, SalFitnessResult *r, const GError *error);

typedef struct {
  SalFitnessPage *self;
  JobDone         done;
} JobCall;

static void
on_job_progress (SalJob *job, GParamSpec *pspec, SalFitnessPage *self)
{
  const char *status = sal_job_get_status (job);
  gtk_progress_bar_set_fraction (self->progress, sal_job_get_progress (job));
  gtk_progress_bar_set_text (self->progress, status != NULL ? status : sal_job_get_title (job));
}

static void
on_job_done (GObject *source, GAsyncResult *res, gpointer data)
{
  JobCall *call = data;
  SalFitnessPage *self = call->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(SalFitnessResult) r = sal_job_queue_submit_finish (SAL_JOB_QUEUE (source), res,
                                                              &error);

  self->n_busy--;
  gtk_widget_set_visible (GTK_WIDGET (self->progress), self->n_busy > 0);
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && self->cancellable != NULL)
    call->done (self, r, error);
  update_actions (self);
  g_object_unref (self);
  g_free (call);
}

/* The application's one job queue (so the Models page's monitor lists imports), or,
 * outside a SalApplication's window, one of the page's own. */
static SalJobQueue *
job_queue (SalFitnessPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkApplication *app = GTK_IS_WINDOW (root) ? gtk_window_get_application (GTK_WINDOW (root))
                                             : NULL;

  if (self->jobs == NULL)
    self->jobs = SAL_IS_APPLICATION (app)
                   ? g_object_ref (sal_application_get_job_queue (SAL_APPLICATION (app)))
                   : sal_job_queue_new (1);
  return self->jobs;
}

static void
run_job (SalFitnessPage *self, SalJob *job, JobDone done)
{
  JobCall *call = g_new0 (JobCall, 1);

  call->self = g_object_ref (self);
  call->done = done;
  self->n_busy++;
  gtk_progress_bar_set_fraction (self->progress, 0);
  gtk_progress_bar_set_text (self->progress, sal_job_get_title (job));
  gtk_widget_set_visible (GTK_WIDGET (self->progress), TRUE);
  g_signal_connect_object (job, "notify::progress", G_CALLBACK (on_job_progress), self, 0);
  sal_job_queue_submit_async (job_queue (self), job, self->cancellable, on_job_done, call);
  g_object_unref (job);
  update_actions (self);
}

/* ---- overview ---- */

static char *
format_number (double v, const char *format)
{
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
  /* format is one of this file's literals, each taking one double. */
  return isfinite (v) ? g_strdup_printf (format, v) : g_strdup ("—");
#pragma GCC diagnostic pop
}

char *
sal_fitness_format_duration (double seconds)
{
  long s = isfinite (seconds) ? lround (seconds) : 0;
  if (s >= 3600)
    return g_strdup_printf ("%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  return g_strdup_printf ("%ld:%02ld", s / 60, s % 60);
}

static void
add_stat (SalFitnessPage *self, const char *value, const char *caption)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *v = gtk_label_new (value);
  GtkWidget *c = gtk_label_new (caption);

  gtk_widget_add_css_class (box, "card");
  gtk_widget_add_css_class (v, "title-2");
  gtk_widget_add_css_class (c, "dim-label");
  gtk_widget_set_margin_top (v, 8);
  gtk_widget_set_margin_bottom (c, 8);
  gtk_box_append (GTK_BOX (box), v);
  gtk_box_append (GTK_BOX (box), c);
  gtk_box_append (self->week_box, box);
}

static void
fill_week (SalFitnessPage *self, const SalFitnessSummary *s)
{
  gint64 monday = sal_day_monday (s->first_day + s->n_days - 1);
  double dur = 0, dist = 0, load = 0;
  int n = 0;
  GtkWidget *child;
  g_autofree char *sessions = NULL, *time = NULL, *km = NULL, *ld = NULL;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->week_box))) != NULL)
    gtk_box_remove (self->week_box, child);
  for (int i = 0; i < s->n_days; i++)
    if (s->first_day + i >= monday)
      {
        n += s->n_sessions[i];
        dur += s->duration_s[i];
        dist += s->distance_m[i];
        load += s->days[i].load;
      }
  sessions = g_strdup_printf ("%d", n);
  time = g_strdup_printf ("%d:%02d", (int) (dur / 3600), (int) fmod (dur / 60, 60));
  km = sal_units_format_distance (sal_fitness_page_units (self), dist, 1);
  ld = g_strdup_printf ("%.0f", load);
  add_stat (self, sessions, g_dngettext (NULL, "session", "sessions", n));
  add_stat (self, time, _("hours"));
  add_stat (self, km, _("distance"));
  add_stat (self, ld, _("training load (TRIMP)"));
}

static void
fill_today (SalFitnessPage *self, const SalFitnessSummary *s)
{
  const SalDayLoad *d = &s->days[s->n_days - 1];
  g_autofree char *ctl = format_number (d->ctl, "%.0f"), *atl = format_number (d->atl, "%.0f");
  g_autofree char *form = format_number (d->form, "%+.0f");
  g_autofree char *acwr = format_number (d->acwr_rolling, "%.2f");
  g_autofree char *ewma = format_number (d->acwr_ewma, "%.2f");
  g_autofree char *mono = format_number (d->monotony, "%.2f");
  g_autofree char *strain = format_number (d->strain, "%.0f");
  g_autofree char *text = NULL;

  /* TRANSLATORS: today's training-load figures; "—" means not defined yet */
  text = g_strdup_printf (_("Today: fitness %s, fatigue %s, form %s · acute:chronic ratio %s "
                            "(rolling), %s (EWMA) · monotony %s, strain %s"),
                          ctl, atl, form, acwr, ewma, mono, strain);
  gtk_label_set_text (self->today_label, text);
}

static void
fill_form_chart (SalFitnessPage *self, const SalFitnessSummary *s)
{
  g_autofree double *x = g_new (double, s->n_days);
  g_autofree double *ctl = g_new (double, s->n_days);
  g_autofree double *atl = g_new (double, s->n_days);
  g_autofree double *form = g_new (double, s->n_days);
  GdkRGBA c;

  for (int i = 0; i < s->n_days; i++)
    {
      x[i] = (double) (s->first_day + i);
      ctl[i] = s->days[i].ctl;
      atl[i] = s->days[i].atl;
      form[i] = s->days[i].form;
    }
  sal_chart_clear (self->form_chart);
  sal_chart_set_x_format (self->form_chart, SAL_CHART_X_DAY, NULL);
  sal_chart_set_y_unit (self->form_chart, _("TRIMP/day"), "%.0f");
  sal_chart_set_zero_line (self->form_chart, TRUE);
  sal_chart_palette_colour (0, &c);
  sal_chart_add_series (self->form_chart, _("Fitness (CTL, 42 d)"), SAL_CHART_LINE, &c, x, ctl,
                        s->n_days);
  sal_chart_palette_colour (3, &c);
  sal_chart_add_series (self->form_chart, _("Fatigue (ATL, 7 d)"), SAL_CHART_LINE, &c, x, atl,
                        s->n_days);
  sal_chart_palette_colour (1, &c);
  sal_chart_add_series (self->form_chart, _("Form (CTL − ATL)"), SAL_CHART_AREA, &c, x, form,
                        s->n_days);
}

static void
fill_volume_chart (SalFitnessPage *self, GArray *weeks)
{
  static const char *sport_names[] = { NC_("sport", "Running"), NC_("sport", "Cycling"),
                                       NC_("sport", "Swimming"), NC_("sport", "Walking"),
                                       NC_("sport", "Strength"), NC_("sport", "Other") };
  guint n = weeks->len;
  g_autofree double *x = g_new (double, n);
  g_autofree double *y = g_new (double, n);
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);

  sal_chart_clear (self->volume_chart);
  for (guint i = 0; i < n; i++)
    {
      SalWeekVolume *w = &g_array_index (weeks, SalWeekVolume, i);
      g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (w->monday * 86400);
      x[i] = i;
      g_ptr_array_add (labels, g_date_time_format (dt, _("%e %b")));
    }
  g_ptr_array_add (labels, NULL);
  sal_chart_set_x_format (self->volume_chart, SAL_CHART_X_CATEGORY, _("week from"));
  sal_chart_set_categories (self->volume_chart, (const char * const *) labels->pdata);
  sal_chart_set_y_unit (self->volume_chart, _("h"), "%.1f");
  for (int sport = 0; sport < SAL_N_SPORTS; sport++)
    {
      gboolean any = FALSE;
      GdkRGBA c;
      for (guint i = 0; i < n; i++)
        {
          y[i] = g_array_index (weeks, SalWeekVolume, i).duration_s[sport] / 3600.0;
          any |= y[i] > 0;
        }
      if (!any)
        continue;
      sal_chart_palette_colour (sport, &c);
      sal_chart_add_series (self->volume_chart, g_dpgettext2 (NULL, "sport", sport_names[sport]), SAL_CHART_BAR, &c, x, y, n);
    }
}

void
sal_fitness_fill_zone_chart (SalChart *chart, const SalFitnessResult *r)
{
  guint n = r->zones->len;
  g_autofree double *x = g_new (double, n);
  g_autofree double *y = g_new (double, n);
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  GdkRGBA c;

  for (guint z = 0; z < n; z++)
    {
      const SalHrZone *zone = &g_array_index (r->zones, SalHrZone, z);
      x[z] = z;
      y[z] = r->zone_s[z] / 60.0;
      /* TRANSLATORS: a heart-rate zone on a chart axis: zone number and its bpm range */
      g_ptr_array_add (labels, g_strdup_printf (_("Z%d\n%.0f–%.0f"), zone->zone, zone->low_bpm,
                                                zone->high_bpm));
    }
  g_ptr_array_add (labels, NULL);
  sal_chart_clear (chart);
  sal_chart_set_x_format (chart, SAL_CHART_X_CATEGORY, _("bpm"));
  sal_chart_set_categories (chart, (const char * const *) labels->pdata);
  sal_chart_set_y_unit (chart, _("min"), "%.0f");
  sal_chart_palette_colour (5, &c);
  sal_chart_add_series (chart, _("Time in zone"), SAL_CHART_BAR, &c, x, y, n);
}

static const char *
session_name (const char *id)
{
  if (g_strcmp0 (id, "rest") == 0)
    return _("rest");
  if (g_strcmp0 (id, "easy") == 0)
    return _("an easy session");
  if (g_strcmp0 (id, "moderate") == 0)
    return _("a moderate session");
  return _("a hard session");
}

static void
fill_readiness (SalFitnessPage *self, const SalFitnessResult *r)
{
  static const char *factor_names[SAL_READINESS_N_FEATURES] = {
    /* TRANSLATORS: chart labels; "\n" breaks the line */
    N_("Acute\nload"), N_("Chronic\nload"), N_("Acute:\nchronic"), N_("Monotony"), N_("Sleep"),
    N_("Soreness"), N_("Resting HR\nvs usual"), N_("Days since\nhard") };
  const SalReadinessCard *c = r->readiness;
  g_autofree char *text = NULL;
  double x[SAL_READINESS_N_FEATURES], pos[SAL_READINESS_N_FEATURES], neg[SAL_READINESS_N_FEATURES];
  const char *labels[SAL_READINESS_N_FEATURES + 1];
  GdkRGBA up, down;

  sal_chart_clear (self->readiness_chart);
  if (c == NULL)
    {
      g_autofree char *msg = g_strdup_printf (_("Readiness is not available: %s"),
                                              r->readiness_error);
      gtk_label_set_text (self->readiness_label, msg);
      gtk_label_set_text (self->readiness_history, "");
      gtk_widget_set_visible (GTK_WIDGET (self->readiness_chart), FALSE);
      return;
    }
  gtk_label_set_text (self->readiness_history, c->history);
  gtk_widget_set_visible (GTK_WIDGET (self->readiness_chart), c->available);
  if (!c->available)
    {
      gtk_label_set_text (self->readiness_label, _("Readiness: not enough history yet"));
      return;
    }
  if (g_strcmp0 (c->session, "rest") == 0)
    text = g_strdup_printf (_("<b>Readiness %.1f</b> of 10 (5 is as usual) — suggested: rest."),
                            c->readiness);
  else
    text = g_strdup_printf (_("<b>Readiness %.1f</b> of 10 (5 is as usual) — suggested: %s, "
                              "about %.0f TRIMP."), c->readiness, session_name (c->session),
                            c->target_load);
  gtk_label_set_markup (self->readiness_label, text);
  for (int k = 0; k < SAL_READINESS_N_FEATURES; k++)
    {
      x[k] = k;
      pos[k] = c->shapley[k] > 0 ? c->shapley[k] : 0;
      neg[k] = c->shapley[k] < 0 ? c->shapley[k] : 0;
      labels[k] = _(factor_names[k]);
    }
  labels[SAL_READINESS_N_FEATURES] = NULL;
  sal_chart_set_x_format (self->readiness_chart, SAL_CHART_X_CATEGORY, NULL);
  sal_chart_set_categories (self->readiness_chart, labels);
  sal_chart_set_y_unit (self->readiness_chart, _("points"), "%+.2f");
  sal_chart_set_zero_line (self->readiness_chart, TRUE);
  sal_chart_palette_colour (2, &up);
  sal_chart_palette_colour (5, &down);
  sal_chart_add_series (self->readiness_chart, _("Raises readiness"), SAL_CHART_BAR, &up, x, pos,
                        SAL_READINESS_N_FEATURES);
  sal_chart_add_series (self->readiness_chart, _("Lowers readiness"), SAL_CHART_BAR, &down, x, neg,
                        SAL_READINESS_N_FEATURES);
}

static void
on_row_activated (GtkListBox *list, GtkListBoxRow *row, SalFitnessPage *self)
{
  gint64 id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (row), "workout-id"));
  sal_fitness_page_open_workout (self, id);
}

static char *
workout_subtitle (SalFitnessPage *self, const SalWorkout *w)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (w->start_ms / 1000);
  g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, sal_fitness_page_tz (self));
  /* TRANSLATORS: a workout's start in a list, g_date_time_format syntax */
  g_autofree char *when = g_date_time_format (local, _("%a %e %b %Y, %H:%M"));
  g_autofree char *dur = sal_fitness_format_duration (w->duration_s);
  GString *s = g_string_new (NULL);

  g_string_append_printf (s, "%s · %s", when, dur);
  if (isfinite (w->distance_m) && w->distance_m > 0)
    {
      g_autofree char *dist = sal_units_format_distance (sal_fitness_page_units (self),
                                                         w->distance_m, 2);
      g_string_append_printf (s, " · %s", dist);
    }
  if (isfinite (w->avg_hr_bpm))
    g_string_append_printf (s, _(" · %.0f bpm"), w->avg_hr_bpm);
  return g_string_free (s, FALSE);
}

static const char *
sport_label (const char *sport)
{
  switch (sal_sport_index (sport))
    {
    case SAL_SPORT_RUNNING: return _("Run");
    case SAL_SPORT_CYCLING: return _("Ride");
    case SAL_SPORT_SWIMMING: return _("Swim");
    case SAL_SPORT_WALKING: return _("Walk");
    case SAL_SPORT_STRENGTH: return _("Strength");
    case SAL_SPORT_OTHER:
    default: return _("Workout");
    }
}

static void
fill_list (SalFitnessPage *self, GPtrArray *recent)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->workout_list))) != NULL)
    gtk_list_box_remove (self->workout_list, child);
  for (guint i = 0; i < recent->len; i++)
    {
      const SalWorkout *w = g_ptr_array_index (recent, i);
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *sub = workout_subtitle (self, w);
      g_autofree char *title = NULL;

      title = w->title != NULL && w->title[0] ? g_markup_escape_text (w->title, -1)
                                              : g_strdup (sport_label (w->sport));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), sub);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 gtk_image_new_from_icon_name ("go-next-symbolic"));
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      g_object_set_data (G_OBJECT (row), "workout-id", GSIZE_TO_POINTER ((gsize) w->id));
      gtk_list_box_append (self->workout_list, row);
    }
}

static void
overview_done (SalFitnessPage *self, SalFitnessResult *r, const GError *error)
{
  if (error != NULL)
    {
      toast (self, error->message);
      return;
    }
  g_clear_pointer (&self->overview, sal_fitness_result_unref);
  self->overview = sal_fitness_result_ref (r);
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "detail") != 0)
    gtk_stack_set_visible_child_name (self->stack, r->n_workouts > 0 ? "overview" : "empty");
  if (r->n_workouts == 0)
    return;
  fill_week (self, r->summary);
  fill_today (self, r->summary);
  fill_readiness (self, r);
  fill_form_chart (self, r->summary);
  fill_volume_chart (self, r->weeks);
  sal_fitness_fill_zone_chart (self->zones_chart, r);
  fill_list (self, r->recent);
  sal_fitness_page_fill_goals (self, r);
  sal_fitness_page_fill_records (self, r);
}

static void
reload (SalFitnessPage *self)
{
  if (self->store == NULL)
    return;
  run_job (self, sal_fitness_overview_job_new (self->store, self->tz, self->today),
           overview_done);
}

/* ---- workout detail ---- */

static void
workout_done (SalFitnessPage *self, SalFitnessResult *r, const GError *error)
{
  if (error != NULL)
    {
      toast (self, error->message);
      return;
    }
  self->shown_workout = r->workout->id;
  g_clear_pointer (&self->detail, sal_fitness_result_unref);
  self->detail = sal_fitness_result_ref (r);
  sal_fitness_page_show_detail (self, r);
  gtk_label_set_text (self->heading, r->workout->title != NULL && r->workout->title[0]
                                       ? r->workout->title : sport_label (r->workout->sport));
  gtk_stack_set_visible_child_name (self->stack, "detail");
}

void
sal_fitness_page_open_workout (SalFitnessPage *self, gint64 id)
{
  g_return_if_fail (SAL_IS_FITNESS_PAGE (self));
  if (self->store == NULL)
    return;
  run_job (self, sal_fitness_workout_job_new (self->store, self->tz, id), workout_done);
}

static void
back_action (GtkWidget *widget, const char *name, GVariant *param)
{
  SalFitnessPage *self = SAL_FITNESS_PAGE (widget);

  self->shown_workout = 0;
  g_clear_pointer (&self->detail, sal_fitness_result_unref);
  gtk_label_set_text (self->heading, _("Overview"));
  gtk_stack_set_visible_child_name (self->stack,
                                    self->overview != NULL && self->overview->n_workouts > 0
                                      ? "overview" : "empty");
  update_actions (self);
}

static void
on_plot_x_toggled (GtkToggleButton *button, SalFitnessPage *self)
{
  gboolean distance = gtk_toggle_button_get_active (self->x_distance_button);

  if (distance == self->plot_distance)
    return;
  self->plot_distance = distance;
  if (self->detail != NULL)
    sal_fitness_page_show_detail (self, self->detail);
}

/* ---- delete with undo ---- */

void
sal_fitness_page_purge_pending (SalFitnessPage *self)
{
  g_autoptr(GError) error = NULL;

  if ((self->deleted_workout == 0 && self->deleted_goal == 0) || self->store == NULL)
    return;
  self->deleted_workout = 0;
  self->deleted_goal = 0;
  if (!sal_store_purge_deleted (self->store, G_MAXINT64, NULL, &error))
    g_warning ("Could not purge a deleted workout: %s", error->message);
}

static void
on_delete_toast_dismissed (AdwToast *t, SalFitnessPage *self)
{
  sal_fitness_page_purge_pending (self);
}

static void
undo_delete_action (GtkWidget *widget, const char *name, GVariant *param)
{
  SalFitnessPage *self = SAL_FITNESS_PAGE (widget);
  g_autoptr(GError) error = NULL;

  if (self->deleted_workout == 0)
    return;
  if (!sal_store_undo_delete (self->store, SAL_OBJECT_WORKOUT, self->deleted_workout, &error))
    toast (self, error->message);
  self->deleted_workout = 0;
  reload (self);
}

static void
delete_action (GtkWidget *widget, const char *name, GVariant *param)
{
  SalFitnessPage *self = SAL_FITNESS_PAGE (widget);
  g_autoptr(GError) error = NULL;
  AdwToast *t;

  sal_fitness_page_purge_pending (self);
  if (!sal_store_mark_deleted (self->store, SAL_OBJECT_WORKOUT, self->shown_workout, &error))
    {
      toast (self, error->message);
      return;
    }
  self->deleted_workout = self->shown_workout;
  t = adw_toast_new (_("Workout deleted"));
  adw_toast_set_button_label (t, _("_Undo"));
  adw_toast_set_action_name (t, "fitness.undo-delete");
  g_signal_connect_object (t, "dismissed", G_CALLBACK (on_delete_toast_dismissed), self, 0);
  adw_toast_overlay_add_toast (self->toasts, t);
  back_action (widget, NULL, NULL);
  reload (self);
}

/* ---- logging and editing ---- */

static void
on_saved (SalWorkoutDialog *dialog, gint64 id, SalFitnessPage *self)
{
  toast (self, _("Session saved"));
  reload (self);
  if (self->shown_workout == id)
    sal_fitness_page_open_workout (self, id);
}

SalWorkoutDialog *
sal_fitness_page_log (SalFitnessPage *self, gboolean edit)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  SalWorkoutDialog *dialog;

  if (self->store == NULL || (edit && self->detail == NULL))
    return NULL;
  dialog = sal_workout_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, self->store,
                                   sal_fitness_page_tz (self),
                                   edit ? self->detail->workout : NULL);
  sal_workout_dialog_set_miles (dialog, sal_fitness_page_units (self)->miles);
  sal_workout_dialog_set_pounds (dialog, sal_fitness_page_units (self)->pounds);
  g_signal_connect_object (dialog, "saved", G_CALLBACK (on_saved), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

static void
on_profile_saved (SalAthleteDialog *dialog, SalFitnessPage *self)
{
  toast (self, _("Profile saved"));
  reload (self);
}

static void
profile_action (GtkWidget *widget, const char *name, GVariant *param)
{
  SalFitnessPage *self = SAL_FITNESS_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  SalAthleteDialog *dialog;

  if (self->store == NULL)
    return;
  dialog = sal_athlete_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, self->store);
  g_signal_connect_object (dialog, "saved", G_CALLBACK (on_profile_saved), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
wellness_action (GtkWidget *widget, const char *name, GVariant *param)
{
  SalFitnessPage *self = SAL_FITNESS_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  SalWellnessDialog *dialog;

  if (self->store == NULL)
    return;
  dialog = sal_wellness_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, self->store,
                                    sal_fitness_page_tz (self));
  /* Wellness feeds the readiness card. */
  g_signal_connect_object (dialog, "saved", G_CALLBACK (reload), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
test_action (GtkWidget *widget, const char *name, GVariant *param)
{
  SalFitnessPage *self = SAL_FITNESS_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  SalTestDialog *dialog;

  if (self->store == NULL)
    return;
  dialog = sal_test_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, self->store,
                                sal_fitness_page_tz (self));
  /* Tests feed the personal readiness model. */
  g_signal_connect_object (dialog, "saved", G_CALLBACK (reload), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
log_action (GtkWidget *widget, const char *name, GVariant *param)
{
  sal_fitness_page_log (SAL_FITNESS_PAGE (widget), g_str_equal (name, "fitness.edit-workout"));
}

/* ---- import ---- */

static void
import_done (SalFitnessPage *self, SalFitnessResult *r, const GError *error)
{
  g_autofree char *text = NULL;

  if (error != NULL)
    {
      toast (self, error->message);
      return;
    }
  if (r->n_duplicates > 0)
    text = g_strdup_printf (g_dngettext (NULL, "Imported %u workout; %u already stored",
                                         "Imported %u workouts; %u already stored", r->n_added),
                            r->n_added, r->n_duplicates);
  else
    text = g_strdup_printf (g_dngettext (NULL, "Imported %u workout", "Imported %u workouts",
                                         r->n_added), r->n_added);
  toast (self, text);
  for (guint i = 0; i < r->problems->len; i++)
    toast (self, g_ptr_array_index (r->problems, i));
  reload (self);
}

void
sal_fitness_page_import_files (SalFitnessPage *self, const char * const *paths)
{
  g_return_if_fail (SAL_IS_FITNESS_PAGE (self));
  if (self->store == NULL || paths == NULL || paths[0] == NULL)
    return;
  run_job (self, sal_fitness_import_job_new (self->store, paths), import_done);
}

static void
import_file_list (SalFitnessPage *self, GSList *files)
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);

  for (GSList *l = files; l != NULL; l = l->next)
    {
      char *path = g_file_get_path (l->data);
      if (path != NULL)
        g_ptr_array_add (paths, path);
    }
  g_ptr_array_add (paths, NULL);
  sal_fitness_page_import_files (self, (const char * const *) paths->pdata);
}

static void
on_chooser_response (GtkNativeDialog *dialog, int response, SalFitnessPage *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));
      GSList *list = NULL;
      for (guint i = g_list_model_get_n_items (files); i > 0; i--)
        list = g_slist_prepend (list, g_list_model_get_item (files, i - 1));
      import_file_list (self, list);
      g_slist_free_full (list, g_object_unref);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
import_action (GtkWidget *widget, const char *name, GVariant *param)
{
  SalFitnessPage *self = SAL_FITNESS_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  chooser = gtk_file_chooser_native_new (_("Import Workouts"),
                                         GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Import"), NULL);
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (chooser), TRUE);
  gtk_file_filter_set_name (filter, _("Workout files (GPX, TCX, FIT, CSV)"));
  for (const char *const *p = (const char *const[]) { "*.gpx", "*.tcx", "*.fit", "*.csv",
                                                      "*.GPX", "*.TCX", "*.FIT", "*.CSV", NULL };
       *p != NULL; p++)
    gtk_file_filter_add_pattern (filter, *p);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  g_signal_connect (chooser, "response", G_CALLBACK (on_chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static gboolean
on_drop (GtkDropTarget *target, const GValue *value, double x, double y, SalFitnessPage *self)
{
  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST) || self->store == NULL || self->read_only)
    return FALSE;
  import_file_list (self, g_value_get_boxed (value));
  return TRUE;
}

/* ---- demo ---- */

static void
demo_done (SalFitnessPage *self, SalFitnessResult *r, const GError *error)
{
  g_autofree char *text = NULL;

  if (error != NULL)
    {
      toast (self, error->message);
      return;
    }
  text = g_strdup_printf (_("Added a demo athlete with %u workouts"), r->n_added);
  toast (self, text);
  reload (self);
}

static void
add_demo_action (GtkWidget *widget, const char *name, GVariant *param)
{
  SalFitnessPage *self = SAL_FITNESS_PAGE (widget);
  run_job (self, sal_fitness_demo_job_new (self->store, sal_fitness_page_tz (self), today (self)),
           demo_done);
}

static void
remove_demo_action (GtkWidget *widget, const char *name, GVariant *param)
{
  SalFitnessPage *self = SAL_FITNESS_PAGE (widget);
  g_autoptr(GError) error = NULL;

  if (!sal_store_delete_demo_data (self->store, &error)
      || !sal_store_purge_deleted (self->store, G_MAXINT64, NULL, &error))
    {
      toast (self, error->message);
      return;
    }
  g_clear_pointer (&self->overview, sal_fitness_result_unref);
  toast (self, _("Removed the demo data"));
  reload (self);
}

/* ---- store ---- */

static void
on_map (GtkWidget *widget, SalFitnessPage *self)
{
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkApplication *app = GTK_IS_WINDOW (root) ? gtk_window_get_application (GTK_WINDOW (root))
                                             : NULL;
  SalStore *store;
  g_autoptr(GError) error = NULL;

  if (self->store != NULL || !SAL_IS_APPLICATION (app))
    return;
  /* The application owns the one connection (and its shipped-model registration). */
  store = sal_application_get_store (SAL_APPLICATION (app), &error);
  if (store == NULL)
    {
      toast (self, error->message);
      return;
    }
  sal_fitness_page_set_store (self, store);
}

void
sal_fitness_page_set_store (SalFitnessPage *self, SalStore *store)
{
  g_return_if_fail (SAL_IS_FITNESS_PAGE (self));
  if (self->store == store)
    return;
  g_clear_pointer (&self->store, sal_store_unref);
  self->store = store != NULL ? sal_store_ref (store) : NULL;
  g_clear_pointer (&self->overview, sal_fitness_result_unref);
  update_actions (self);
  reload (self);
}

void
sal_fitness_page_set_time (SalFitnessPage *self, GTimeZone *tz, gint64 day)
{
  g_return_if_fail (SAL_IS_FITNESS_PAGE (self));
  g_clear_pointer (&self->tz, g_time_zone_unref);
  self->tz = tz != NULL ? g_time_zone_ref (tz) : g_time_zone_new_local ();
  self->today = day;
  reload (self);
}

void
sal_fitness_page_set_read_only (SalFitnessPage *self, gboolean read_only)
{
  g_return_if_fail (SAL_IS_FITNESS_PAGE (self));
  self->read_only = read_only;
  update_actions (self);
}

gboolean
sal_fitness_page_is_busy (SalFitnessPage *self)
{
  return self->n_busy > 0;
}

static const char *
help_text (void)
{
  /* xgettext:no-c-format */
  return _("How the numbers are computed\n\n"
           "Session load. Banister TRIMP = minutes × HRr × 0.64·e^(1.92·HRr) for men "
           "(0.86·e^(1.67·HRr) for women), HRr = (HR − HRrest) / (HRmax − HRrest), summed over "
           "the heart-rate samples when there are samples (a gap over 60 s is a pause), else "
           "from the average heart rate. Without heart rate: session-RPE load = RPE (CR-10) × "
           "minutes. Resting and maximum heart rate come from the athlete profile.\n\n"
           "Fitness (CTL) = CTL yesterday + (load today − CTL yesterday) / 42.\n"
           "Fatigue (ATL) = ATL yesterday + (load today − ATL yesterday) / 7.\n"
           "Form = CTL yesterday − ATL yesterday.\n\n"
           "Acute:chronic ratio: mean load of the last 7 days / mean of the last 28 days "
           "(rolling), and EWMA₇ / EWMA₂₈ with λ = 2 / (N + 1).\n"
           "Monotony = mean / standard deviation of the last 7 days’ loads; strain = the 7 days’ "
           "total × monotony. A ratio whose mean or spread is zero shows as “—”.\n\n"
           "Days are local days in your time zone; several sessions on a day add up; days "
           "without a session count as zero load.\n\n"
           "Zones: your profile’s heart-rate zones, or 50–60–70–80–90–100 % of maximum heart "
           "rate. Time in zone comes from the heart-rate samples; a workout with only an "
           "average heart rate counts wholly in that average’s zone.\n\n"
           "Readiness: a small neural network shipped with Salient (trained on simulated "
           "athletes) and, once you have six or more 5 km time trials, fitted to your own "
           "history, reads eight factors of today and predicts tomorrow’s performance on a "
           "0–10 scale (5 = your usual level, ±2 = one usual spread). The bars are exact "
           "Shapley values over all 256 coalitions of the factors, against your own last "
           "28 days: each is the points that factor adds to or takes from the prediction, "
           "and together they sum to the prediction minus your recent average. Suggested "
           "session: rest below 3, easy (0.6 × your usual training-day load) below 4.5, "
           "moderate (1 ×) below 6.5, hard (1.5 ×) above.");
}

static const char *
records_help_text (void)
{
  return _("Personal records. A best 1 km, 5 km, 10 km, half marathon (21.0975 km) or "
           "marathon (42.195 km) is the shortest time over any stretch of that distance in a "
           "run’s samples: a window slides along the cumulative distance, starting at each "
           "sample and ending where the distance is reached, interpolated between the two "
           "samples around it (pauses inside the stretch count). Only runs count. Longest "
           "session: by duration, any sport; most load: by session load as above.\n\n"
           "Weekly goals: the sum of this week’s workouts (Monday to Sunday, local days) — "
           "distance, time or the number of sessions, of one sport or all — against the "
           "target.\n\n"
           "Units and time zone come from the athlete profile; Salient stores metres, "
           "seconds and kilograms and converts only what it shows (1 mi = 1.609344 km, "
           "1 lb = 0.45359237 kg).");
}

/* ---- class ---- */

static void
sal_fitness_page_dispose (GObject *object)
{
  SalFitnessPage *self = SAL_FITNESS_PAGE (object);

  sal_fitness_page_purge_pending (self);
  /* Only this page's jobs: the queue may be the application's. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->jobs);
  /* The bin's child is a bound template child: let AdwBin let go of it first, or
   * dispose_template unparents it behind AdwBin's back. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), SAL_TYPE_FITNESS_PAGE);
  G_OBJECT_CLASS (sal_fitness_page_parent_class)->dispose (object);
}

static void
sal_fitness_page_finalize (GObject *object)
{
  SalFitnessPage *self = SAL_FITNESS_PAGE (object);

  g_clear_pointer (&self->store, sal_store_unref);
  g_clear_pointer (&self->tz, g_time_zone_unref);
  g_clear_pointer (&self->overview, sal_fitness_result_unref);
  g_clear_pointer (&self->detail, sal_fitness_result_unref);
  G_OBJECT_CLASS (sal_fitness_page_parent_class)->finalize (object);
}

static void
sal_fitness_page_class_init (SalFitnessPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sal_fitness_page_dispose;
  object_class->finalize = sal_fitness_page_finalize;
  g_type_ensure (SAL_TYPE_CHART);
  g_type_ensure (SAL_TYPE_ROUTE_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/salient/Salient/sal-fitness-page.ui");
#define CHILD(name) gtk_widget_class_bind_template_child (widget_class, SalFitnessPage, name)
  CHILD (toasts);
  CHILD (back_button);
  CHILD (delete_button);
  CHILD (edit_button);
  CHILD (demo_button);
  CHILD (heading);
  CHILD (progress);
  CHILD (help_label);
  CHILD (stack);
  CHILD (week_box);
  CHILD (today_label);
  CHILD (readiness_card);
  CHILD (readiness_label);
  CHILD (readiness_history);
  CHILD (readiness_chart);
  CHILD (form_chart);
  CHILD (volume_chart);
  CHILD (zones_chart);
  CHILD (workout_list);
  CHILD (goals_list);
  CHILD (records_list);
  CHILD (x_time_button);
  CHILD (x_distance_button);
  CHILD (detail_stats);
  CHILD (route_view);
  CHILD (detail_zones_chart);
  CHILD (detail_charts);
  CHILD (splits_heading);
  CHILD (splits_list);
#undef CHILD

  gtk_widget_class_install_action (widget_class, "fitness.import", NULL, import_action);
  gtk_widget_class_install_action (widget_class, "fitness.log", NULL, log_action);
  gtk_widget_class_install_action (widget_class, "fitness.profile", NULL, profile_action);
  gtk_widget_class_install_action (widget_class, "fitness.wellness", NULL, wellness_action);
  gtk_widget_class_install_action (widget_class, "fitness.performance-test", NULL, test_action);
  gtk_widget_class_install_action (widget_class, "fitness.edit-workout", NULL, log_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK,
                                       "fitness.log", NULL);
  gtk_widget_class_install_action (widget_class, "fitness.add-demo", NULL, add_demo_action);
  gtk_widget_class_install_action (widget_class, "fitness.remove-demo", NULL,
                                   remove_demo_action);
  gtk_widget_class_install_action (widget_class, "fitness.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "fitness.delete-workout", NULL, delete_action);
  gtk_widget_class_install_action (widget_class, "fitness.undo-delete", NULL, undo_delete_action);
  sal_fitness_page_goal_class_init (widget_class);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK,
                                       "fitness.import", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK,
                                       "fitness.back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0,
                                       "fitness.delete-workout", NULL);
}

static void
sal_fitness_page_init (SalFitnessPage *self)
{
  GtkDropTarget *drop;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->tz = g_time_zone_new_local ();
  self->cancellable = g_cancellable_new ();
  {
    g_autofree char *help = g_strconcat (help_text (), "\n\n", records_help_text (), NULL);
    gtk_label_set_text (self->help_label, help);
  }
  g_signal_connect (self->workout_list, "row-activated", G_CALLBACK (on_row_activated), self);
  g_signal_connect (self->x_distance_button, "toggled", G_CALLBACK (on_plot_x_toggled), self);
  sal_fitness_page_goals_init (self);
  g_signal_connect (self, "map", G_CALLBACK (on_map), self);
  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
  gtk_stack_set_visible_child_name (self->stack, "empty");
  update_actions (self);
}

GtkWidget *
sal_fitness_page_new (void)
{
  return g_object_new (SAL_TYPE_FITNESS_PAGE, NULL);
}
