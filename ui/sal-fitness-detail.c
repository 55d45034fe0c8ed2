/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The workout detail: summary, route shape, channels over time, zones and splits. */
#define G_LOG_DOMAIN "sal-ui"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "sal-fitness-page-private.h"

typedef enum { CH_HR, CH_PACE, CH_SPEED, CH_ELEVATION, CH_CADENCE, CH_POWER } Channel;

static double
channel_value (const SalSample *s, Channel ch, const SalUnits *u)
{
  switch (ch)
    {
    case CH_HR: return s->heart_rate_bpm;
    case CH_PACE: return sal_units_pace_min (u, s->speed_mps);   /* min/km or min/mi */
    case CH_SPEED: return sal_units_speed (u, s->speed_mps);     /* km/h or mph */
    case CH_ELEVATION: return s->elevation_m;
    case CH_CADENCE: return s->cadence_rpm;
    case CH_POWER: return s->power_w;
    default: return NAN;
    }
}

/* Whether the samples carry a distance that grows (so charts can run over distance). */
static gboolean
has_distance (const SalWorkout *w)
{
  guint n = 0;
  double last = -1;

  for (guint i = 0; w->samples != NULL && i < w->samples->len; i++)
    {
      double d = g_array_index (w->samples, SalSample, i).distance_m;
      if (isfinite (d) && d > last)
        {
          n++;
          last = d;
        }
    }
  return n > 1 && last > 0;
}

/* One channel over elapsed time or over distance (samples without a distance are left
 * out then). */
static void
add_channel_chart (SalFitnessPage *self, const SalWorkout *w, const SalUnits *u, Channel ch,
                   const char *name, const char *unit, const char *format, guint colour,
                   gboolean over_distance)
{
  GArray *samples = w->samples;
  g_autofree double *x = g_new (double, samples->len);
  g_autofree double *y = g_new (double, samples->len);
  guint n = 0, n_values = 0;
  GtkWidget *chart;
  g_autofree char *a11y = NULL;
  GdkRGBA c;

  for (guint i = 0; i < samples->len; i++)
    {
      const SalSample *s = &g_array_index (samples, SalSample, i);
      if (over_distance && !isfinite (s->distance_m))
        continue;
      x[n] = over_distance ? sal_units_distance (u, s->distance_m)
                           : (s->time_ms - w->start_ms) / 60000.0;
      y[n] = channel_value (s, ch, u);
      n_values += isfinite (y[n]);
      n++;
    }
  if (n_values < 2)
    return;
  chart = sal_chart_new ();
  gtk_widget_set_size_request (chart, -1, 170);
  /* TRANSLATORS: a chart's accessible name: channel, then "over time" or "over distance" */
  a11y = g_strdup_printf (_("%s %s"), name, over_distance ? _("over distance") : _("over time"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (chart), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
  if (over_distance)
    sal_chart_set_x_format (SAL_CHART (chart), SAL_CHART_X_NUMBER, sal_units_distance_name (u));
  else
    sal_chart_set_x_format (SAL_CHART (chart), SAL_CHART_X_MINUTES, _("elapsed h:mm"));
  sal_chart_set_y_unit (SAL_CHART (chart), unit, format);
  /* Stacked charts line up: one instant (or distance) is one vertical line. */
  sal_chart_set_min_left (SAL_CHART (chart), 60);
  sal_chart_set_y_inverted (SAL_CHART (chart), ch == CH_PACE);
  sal_chart_set_y_clock (SAL_CHART (chart), ch == CH_PACE);
  sal_chart_palette_colour (colour, &c);
  sal_chart_add_series (SAL_CHART (chart), name, ch == CH_ELEVATION ? SAL_CHART_AREA
                                                                     : SAL_CHART_LINE,
                        &c, x, y, n);
  gtk_box_append (self->detail_charts, chart);
}

static void
add_split_row (SalFitnessPage *self, const SalUnits *u, const char *title, double seconds,
               double metres, double hr)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *dur = sal_fitness_format_duration (seconds);
  GString *sub = g_string_new (dur);

  if (metres > 0 && seconds > 0)
    {
      g_autofree char *dist = sal_units_format_distance (u, metres, 2);
      g_autofree char *pace = sal_units_format_pace (u, seconds, metres);
      g_string_append_printf (sub, " · %s · %s", dist, pace);
    }
  if (isfinite (hr))
    g_string_append_printf (sub, _(" · %.0f bpm"), hr);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), sub->str);
  g_string_free (sub, TRUE);
  gtk_list_box_append (self->splits_list, row);
}

/* Laps from the file; without laps, whole kilometres (or miles) from the samples'
 * distance. */
static guint
fill_splits (SalFitnessPage *self, const SalWorkout *w, const SalUnits *u)
{
  double unit_m = sal_units_distance_to_m (u, 1);

  guint n = 0;

  if (w->laps != NULL && w->laps->len > 1)
    {
      for (guint i = 0; i < w->laps->len; i++)
        {
          const SalLap *lap = &g_array_index (w->laps, SalLap, i);
          g_autofree char *t = g_strdup_printf (_("Lap %u"), i + 1);
          add_split_row (self, u, t, lap->duration_s, lap->distance_m, lap->avg_hr_bpm);
          n++;
        }
      return n;
    }
  if (w->samples == NULL || w->samples->len < 2)
    return 0;
  {
    double next_km = unit_m, hr_sum = 0;
    gint64 t0 = w->start_ms;
    double d0 = 0;
    guint hr_n = 0;

    for (guint i = 0; i < w->samples->len; i++)
      {
        const SalSample *s = &g_array_index (w->samples, SalSample, i);
        if (isfinite (s->heart_rate_bpm))
          hr_sum += s->heart_rate_bpm, hr_n++;
        if (!isfinite (s->distance_m) || s->distance_m < next_km)
          continue;
        {
          guint k = (guint) lround (next_km / unit_m);
          g_autofree char *t = u->miles ? g_strdup_printf (_("Mile %u"), k)
                                        : g_strdup_printf (_("Kilometre %u"), k);
          add_split_row (self, u, t, (s->time_ms - t0) / 1000.0, s->distance_m - d0,
                         hr_n > 0 ? hr_sum / hr_n : NAN);
        }
        n++;
        t0 = s->time_ms;
        d0 = s->distance_m;
        next_km += unit_m;
        hr_sum = 0;
        hr_n = 0;
      }
  }
  return n;
}

/* "Personal record: best 5 km, longest session" when the overview found this workout
 * holds any. */
static void
append_records (SalFitnessPage *self, GString *stats, const SalWorkout *w)
{
  static const char *names[SAL_N_EFFORTS] = { N_("best 1 km"), N_("best 5 km"), N_("best 10 km"),
                                              N_("best half marathon"), N_("best marathon") };
  const SalPersonalRecords *pr;
  g_autoptr(GPtrArray) held = g_ptr_array_new ();

  if (self->overview == NULL || !sal_personal_records_holds (&self->overview->records, w->id))
    return;
  pr = &self->overview->records;
  for (int k = 0; k < SAL_N_EFFORTS; k++)
    if (pr->best_id[k] == w->id)
      g_ptr_array_add (held, (gpointer) _(names[k]));
  if (pr->longest_id == w->id)
    g_ptr_array_add (held, (gpointer) _("longest session"));
  if (pr->most_load_id == w->id)
    g_ptr_array_add (held, (gpointer) _("most load in a session"));
  g_ptr_array_add (held, NULL);
  {
    /* TRANSLATORS: separates the records a workout holds */
    g_autofree char *list = g_strjoinv (_(", "), (char **) held->pdata);
    g_string_append_printf (stats, _("\nPersonal record: %s"), list);
  }
}

static const char *
load_source_text (SalLoadSource src)
{
  switch (src)
    {
    case SAL_LOAD_SOURCE_HR_SAMPLES: return _("Banister TRIMP from heart-rate samples");
    case SAL_LOAD_SOURCE_HR_AVERAGE: return _("Banister TRIMP from the average heart rate");
    case SAL_LOAD_SOURCE_RPE: return _("session RPE × minutes");
    case SAL_LOAD_SOURCE_NONE:
    default: return _("no heart rate or RPE: no load");
    }
}

void
sal_fitness_page_show_detail (SalFitnessPage *self, SalFitnessResult *r)
{
  const SalWorkout *w = r->workout;
  const SalUnits *u = &r->units;
  GtkWidget *child;
  GString *stats = g_string_new (NULL);
  g_autofree char *dur = sal_fitness_format_duration (w->duration_s);
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (w->start_ms / 1000);
  g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, r->tz != NULL ? r->tz : self->tz);
  gboolean over_distance;
  g_autofree char *when = g_date_time_format (local, _("%A %e %B %Y, %H:%M"));
  gboolean has_route;
  gboolean running = g_strcmp0 (w->sport, "running") == 0 || g_strcmp0 (w->sport, "walking") == 0;

  g_string_append_printf (stats, "%s\n", when);
  g_string_append_printf (stats, _("Duration %s"), dur);
  if (isfinite (w->distance_m) && w->distance_m > 0)
    {
      g_autofree char *dist = sal_units_format_distance (u, w->distance_m, 2);
      g_string_append_printf (stats, _(" · distance %s"), dist);
      if (w->duration_s > 0 && running)
        {
          g_autofree char *pace = sal_units_format_pace (u, w->duration_s, w->distance_m);
          g_string_append_printf (stats, _(" · pace %s"), pace);
        }
      else if (w->duration_s > 0)
        {
          g_autofree char *speed = sal_units_format_speed (u, w->distance_m / w->duration_s);
          g_string_append_printf (stats, _(" · speed %s"), speed);
        }
    }
  if (isfinite (w->avg_hr_bpm))
    g_string_append_printf (stats, _(" · heart rate %.0f avg, %.0f max bpm"), w->avg_hr_bpm,
                            isfinite (w->max_hr_bpm) ? w->max_hr_bpm : w->avg_hr_bpm);
  if (isfinite (w->rpe))
    g_string_append_printf (stats, _(" · RPE %.0f"), w->rpe);
  g_string_append_printf (stats, _("\nLoad %.0f (%s)"), r->session_load,
                          load_source_text (r->load_source));
  if (w->source != NULL)
    g_string_append_printf (stats, _(" · from %s"), w->source);
  append_records (self, stats, w);
  if (w->notes != NULL && w->notes[0])
    g_string_append_printf (stats, "\n%s", w->notes);
  gtk_label_set_text (self->detail_stats, stats->str);
  g_string_free (stats, TRUE);

  sal_route_view_set_miles (self->route_view, u->miles);
  sal_route_view_set_samples (self->route_view, w->samples);
  has_route = sal_route_view_get_n_points (self->route_view) > 1;
  gtk_widget_set_visible (GTK_WIDGET (self->route_view), has_route);
  sal_fitness_fill_zone_chart (self->detail_zones_chart, r);
  gtk_widget_set_visible (GTK_WIDGET (self->detail_zones_chart), r->zone_total_s > 0);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->detail_charts))) != NULL)
    gtk_box_remove (self->detail_charts, child);
  /* Over distance only when the samples have one; the toggle says which is shown. */
  over_distance = self->plot_distance && has_distance (w);
  gtk_widget_set_sensitive (GTK_WIDGET (self->x_distance_button), has_distance (w));
  gtk_widget_set_visible (gtk_widget_get_parent (gtk_widget_get_parent (
                            GTK_WIDGET (self->x_time_button))),
                          w->samples != NULL && w->samples->len > 1);
  if (w->samples != NULL && w->samples->len > 1)
    {
      add_channel_chart (self, w, u, CH_HR, _("Heart rate"), _("bpm"), "%.0f", 5, over_distance);
      if (running)
        add_channel_chart (self, w, u, CH_PACE, _("Pace"), sal_units_pace_name (u), "%.1f", 0,
                           over_distance);
      else
        add_channel_chart (self, w, u, CH_SPEED, _("Speed"), sal_units_speed_name (u), "%.0f", 0,
                           over_distance);
      add_channel_chart (self, w, u, CH_ELEVATION, _("Elevation"), _("m"), "%.0f", 2,
                         over_distance);
      add_channel_chart (self, w, u, CH_CADENCE, _("Cadence"),
                         running ? _("steps/min") : _("rpm"), "%.0f", 3, over_distance);
      add_channel_chart (self, w, u, CH_POWER, _("Power"), _("W"), "%.0f", 1, over_distance);
    }

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->splits_list))) != NULL)
    gtk_list_box_remove (self->splits_list, child);
  {
    guint n = fill_splits (self, w, u);
    gtk_widget_set_visible (self->splits_heading, n > 0);
    gtk_widget_set_visible (GTK_WIDGET (self->splits_list), n > 0);
  }
}
