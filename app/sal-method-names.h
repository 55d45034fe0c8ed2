/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The name people read for a stored method id ("integrated-gradients" →
 * "Integrated Gradients", translated; "prediction" → "Prediction"), the same
 * msgids everywhere a method is named: overlay captions, the compare view,
 * the history, reports, preferences. An unknown id comes back as given ("" for
 * NULL). */
const char *sal_method_display_name (const char *id);

G_END_DECLS
