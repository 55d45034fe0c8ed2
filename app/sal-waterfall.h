/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The attribution waterfall: from the expected value E[f] through one step per feature
 * (or feature group), largest magnitude first, to the prediction f(x). One drawing
 * function, used by the window's chart widget and by the PDF report. */

#include <cairo.h>
#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  double fg[4];          /* text and axis, RGBA */
  double positive[4];    /* steps that raise the prediction */
  double negative[4];    /* steps that lower it */
  double total[4];       /* the E[f] and f(x) bars */
  double grid[4];
  const char *font;      /* Pango font description, e.g. "Sans 9" */
} SalWaterfallColors;

void sal_waterfall_colors_default (SalWaterfallColors *c, gboolean dark);

typedef struct {
  double      expected;   /* E[f] */
  double      prediction; /* f(x) */
  guint       n;
  const char *const *names;
  const double      *values;
  const char *expected_label;   /* "E[f]" caption, translated by the caller */
  const char *prediction_label; /* "f(x)" */
} SalWaterfallData;

/* Order of the steps: indices into values, largest |value| first. */
guint *sal_waterfall_order (const double *values, guint n);

/* Height the chart wants for data at a given row height. */
double sal_waterfall_height (const SalWaterfallData *data, double row_height);

/* Draws into the rectangle (x, y, width, height) of cr; rows are horizontal bars. */
void sal_waterfall_draw (cairo_t                  *cr,
                         double                    x,
                         double                    y,
                         double                    width,
                         double                    height,
                         const SalWaterfallData   *data,
                         const SalWaterfallColors *colors);

G_END_DECLS
