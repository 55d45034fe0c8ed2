/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sal-fitness-jobs.h"   /* first: see the note there */
#include "sal-chart.h"
#include "sal-fitness-page.h"
#include "sal-job-queue.h"
#include "sal-route-view.h"

G_BEGIN_DECLS

struct _SalFitnessPage
{
  AdwBin            parent_instance;

  SalStore         *store;
  SalJobQueue      *jobs;            /* the application's, once a job runs */
  GCancellable     *cancellable;     /* cancels this page's jobs */
  GTimeZone        *tz;
  gint64            today;           /* local day; 0: the real today */
  gint64            shown_workout;   /* id in the detail view, 0 if none */
  gint64            deleted_workout; /* pending deletion (undo toast), 0 if none */
  gint64            deleted_goal;    /* likewise */
  gboolean          plot_distance;   /* detail charts over distance, not time */
  guint             n_busy;
  gboolean          read_only;       /* kiosk: nothing changes, no file choosers */
  SalFitnessResult *overview;
  SalFitnessResult *detail;          /* the workout shown, when one is */

  AdwToastOverlay  *toasts;
  GtkWidget        *back_button;
  GtkWidget        *delete_button;
  GtkWidget        *edit_button;
  GtkWidget        *demo_button;
  GtkLabel         *heading;
  GtkProgressBar   *progress;
  GtkLabel         *help_label;
  GtkStack         *stack;
  GtkBox           *week_box;
  GtkLabel         *today_label;
  GtkWidget        *readiness_card;
  GtkLabel         *readiness_label;
  GtkLabel         *readiness_history;
  SalChart         *readiness_chart;
  SalChart         *form_chart;
  SalChart         *volume_chart;
  SalChart         *zones_chart;
  GtkListBox       *workout_list;
  GtkListBox       *goals_list;
  GtkListBox       *records_list;
  GtkToggleButton  *x_time_button;
  GtkToggleButton  *x_distance_button;
  GtkLabel         *detail_stats;
  SalRouteView     *route_view;
  SalChart         *detail_zones_chart;
  GtkBox           *detail_charts;
  GtkWidget        *splits_heading;
  GtkListBox       *splits_list;
};

/* Opens the logging dialog (edit: for the workout shown). */
typedef struct _SalWorkoutDialog SalWorkoutDialog;
SalWorkoutDialog *sal_fitness_page_log (SalFitnessPage *self, gboolean edit);

/* sal-fitness-detail.c: fills the detail view from a loaded workout. */
void  sal_fitness_page_show_detail (SalFitnessPage *self, SalFitnessResult *r);
/* Zone chart (minutes per zone) shared by the overview and the detail. */
void  sal_fitness_fill_zone_chart  (SalChart *chart, const SalFitnessResult *r);
char *sal_fitness_format_duration (double seconds);
/* The units and time zone things are shown in: the athlete profile's, once loaded. */
const SalUnits *sal_fitness_page_units (SalFitnessPage *self);
GTimeZone      *sal_fitness_page_tz    (SalFitnessPage *self);
/* sal-fitness-goals.c: goals and records on the overview, the goal editor. */
void  sal_fitness_page_fill_goals   (SalFitnessPage *self, const SalFitnessResult *r);
void  sal_fitness_page_fill_records (SalFitnessPage *self, const SalFitnessResult *r);
/* Opens the goal editor (goal NULL: a new one); returns it, for tests. */
GtkWidget *sal_fitness_page_edit_goal (SalFitnessPage *self, const SalGoal *goal);
void  sal_fitness_page_goal_class_init (GtkWidgetClass *widget_class);
void  sal_fitness_page_goals_init      (SalFitnessPage *self);
void  sal_fitness_page_reload        (SalFitnessPage *self);
/* Really deletes what the last undo toast could still bring back. */
void  sal_fitness_page_purge_pending (SalFitnessPage *self);

G_END_DECLS
