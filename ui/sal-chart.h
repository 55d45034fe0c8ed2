/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* A chart widget others build on: line, area and (stacked) bar series over a numeric x
 * axis, with axes, unit labels, a legend and the values under the pointer. It draws with
 * Cairo in snapshot and keeps the drawing as a render node until its data, size or style
 * change; the hover readout is drawn on top of the cached node. */
#define SAL_TYPE_CHART (sal_chart_get_type ())
G_DECLARE_FINAL_TYPE (SalChart, sal_chart, SAL, CHART, GtkWidget)

typedef enum {
  SAL_CHART_LINE,
  SAL_CHART_AREA,
  SAL_CHART_BAR,        /* bars of one x stack on each other */
} SalChartKind;

typedef enum {
  SAL_CHART_X_NUMBER,   /* plain numbers */
  SAL_CHART_X_DAY,      /* local day numbers (days since 1970-01-01), shown as dates */
  SAL_CHART_X_MINUTES,  /* elapsed minutes, shown as h:mm */
  SAL_CHART_X_CATEGORY, /* 0..n-1, labelled with sal_chart_set_categories */
} SalChartXFormat;

/* A colour readable on light and dark backgrounds (Okabe–Ito palette), by index. */
void        sal_chart_palette_colour (guint index, GdkRGBA *out);

GtkWidget  *sal_chart_new            (void);
void        sal_chart_clear          (SalChart        *self);
/* Copies x and y (n values; NAN y values are gaps). Returns the series index. */
guint       sal_chart_add_series     (SalChart        *self,
                                      const char      *name,
                                      SalChartKind     kind,
                                      const GdkRGBA   *colour,
                                      const double    *x,
                                      const double    *y,
                                      guint            n);
void        sal_chart_set_x_format   (SalChart        *self,
                                      SalChartXFormat  format,
                                      const char      *unit);
void        sal_chart_set_categories (SalChart           *self,
                                      const char * const *names);
/* Unit shown on the y axis and in the readout, e.g. "bpm"; value_format e.g. "%.0f". */
void        sal_chart_set_y_unit     (SalChart        *self,
                                      const char      *unit,
                                      const char      *value_format);
/* Also draw a horizontal line at y = 0 (for signed series such as form). */
void        sal_chart_set_zero_line  (SalChart        *self,
                                      gboolean         zero_line);
/* Reverse the y axis (pace: smaller is faster, drawn higher). */
void        sal_chart_set_y_inverted (SalChart        *self,
                                      gboolean         inverted);
/* Show y values (minutes) as m:ss (pace). */
void        sal_chart_set_y_clock    (SalChart        *self,
                                      gboolean         clock);
/* Start the plot at least min_left pixels from the left edge, so charts stacked on one
 * another share their x axis. */
void        sal_chart_set_min_left   (SalChart        *self,
                                      double           min_left);
guint       sal_chart_get_n_series   (SalChart        *self);
/* The index of the x value under the pointer's last position, or -1. For tests. */
int         sal_chart_get_hover_index (SalChart       *self);
void        sal_chart_set_hover_x    (SalChart        *self,
                                      double           x);
/* The text of the readout for the hovered x ("" when none). */
char       *sal_chart_dup_readout    (SalChart        *self);
/* Every how many x values a label was drawn at the last draw (1: all), 0 before any
 * draw. For tests. */
double      sal_chart_get_x_label_step (SalChart      *self);

G_END_DECLS
