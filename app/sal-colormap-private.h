/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

extern const guint8 sal_colormap_viridis[256][3];
extern const guint8 sal_colormap_inferno[256][3];
extern const guint8 sal_colormap_cividis[256][3];
extern const guint8 sal_colormap_diverging[256][3];
