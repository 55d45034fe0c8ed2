/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-app"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sal-overlay.h"
#include "sal-colormap-private.h"

static const char *const colormap_ids[] = { "viridis", "inferno", "cividis", "diverging" };
static const char *const sign_ids[] = { "signed", "positive", "negative", "absolute" };

const char *
sal_colormap_id (SalColormap map)
{
  return (guint) map < G_N_ELEMENTS (colormap_ids) ? colormap_ids[map] : "viridis";
}

const char *
sal_colormap_display_name (SalColormap map)
{
  switch (map)
    {
    case SAL_COLORMAP_INFERNO: return _("Inferno");
    case SAL_COLORMAP_CIVIDIS: return _("Cividis (colour-vision safe)");
    case SAL_COLORMAP_DIVERGING: return _("Diverging blue–red");
    case SAL_COLORMAP_VIRIDIS:
    default: return _("Viridis");
    }
}

gboolean
sal_colormap_from_id (const char *id, SalColormap *out)
{
  for (guint i = 0; i < G_N_ELEMENTS (colormap_ids); i++)
    if (g_strcmp0 (id, colormap_ids[i]) == 0)
      {
        *out = (SalColormap) i;
        return TRUE;
      }
  return FALSE;
}

const char *
sal_sign_mode_id (SalSignMode mode)
{
  return (guint) mode < G_N_ELEMENTS (sign_ids) ? sign_ids[mode] : "signed";
}

gboolean
sal_sign_mode_from_id (const char *id, SalSignMode *out)
{
  for (guint i = 0; i < G_N_ELEMENTS (sign_ids); i++)
    if (g_strcmp0 (id, sign_ids[i]) == 0)
      {
        *out = (SalSignMode) i;
        return TRUE;
      }
  return FALSE;
}

void
sal_colormap_lookup (SalColormap map, double t, guint8 rgb[3])
{
  const guint8 (*table)[3];
  int i;

  switch (map)
    {
    case SAL_COLORMAP_INFERNO: table = sal_colormap_inferno; break;
    case SAL_COLORMAP_CIVIDIS: table = sal_colormap_cividis; break;
    case SAL_COLORMAP_DIVERGING: table = sal_colormap_diverging; break;
    case SAL_COLORMAP_VIRIDIS:
    default: table = sal_colormap_viridis; break;
    }
  if (isnan (t))
    t = 0;
  i = (int) lround (CLAMP (t, 0.0, 1.0) * 255.0);
  memcpy (rgb, table[i], 3);
}

void
sal_overlay_style_init (SalOverlayStyle *style)
{
  style->colormap = SAL_COLORMAP_VIRIDIS;
  style->sign = SAL_SIGN_POSITIVE;
  style->opacity = 0.5;
  style->top_k_percent = 100;
  style->contours = FALSE;
  style->clip_percentile = 99.5;
}

double
sal_overlay_display_value (SalSignMode sign, double a)
{
  if (isnan (a))
    return 0;
  switch (sign)
    {
    case SAL_SIGN_POSITIVE: return a > 0 ? a : 0;
    case SAL_SIGN_NEGATIVE: return a < 0 ? -a : 0;
    case SAL_SIGN_ABSOLUTE: return fabs (a);
    case SAL_SIGN_SIGNED:
    default: return a;
    }
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* The p-th percentile (0..100) of sorted values, by nearest rank. */
static double
percentile (const double *sorted, gsize n, double p)
{
  gsize k;

  if (n == 0)
    return 0;
  k = (gsize) ceil (p / 100.0 * n);
  return sorted[CLAMP (k, 1, n) - 1];
}

void
sal_overlay_compute_scale (const float *attr, gsize n, const SalOverlayStyle *style,
                           SalOverlayScale *out)
{
  g_autofree double *mag = g_new (double, MAX (n, 1));
  gsize m = 0;
  double top, k = CLAMP (style->top_k_percent, 0.0, 100.0);

  /* Magnitudes of the pixels the sign mode shows; zeros are never drawn. */
  for (gsize i = 0; i < n; i++)
    {
      double d = fabs (sal_overlay_display_value (style->sign, attr[i]));
      if (d > 0)
        mag[m++] = d;
    }
  qsort (mag, m, sizeof (double), cmp_double);
  top = m ? percentile (mag, m, style->clip_percentile > 0 ? style->clip_percentile : 100) : 1.0;
  if (top <= 0)
    top = 1.0;

  out->map = style->sign == SAL_SIGN_SIGNED ? SAL_COLORMAP_DIVERGING : style->colormap;
  out->vmin = style->sign == SAL_SIGN_SIGNED ? -top : 0;
  out->vmax = top;
  /* Top k% of all pixels (not just the non-zero ones). */
  if (k >= 100 || m == 0)
    out->threshold = 0;
  else
    {
      gsize keep = (gsize) floor (k / 100.0 * n);
      out->threshold = keep == 0 ? INFINITY : (keep >= m ? 0 : mag[m - keep]);
    }
  out->n_shown = 0;
  for (gsize i = 0; i < m; i++)
    out->n_shown += mag[i] >= out->threshold;
}

static gboolean
shown (const float *attr, int width, int height, int x, int y, const SalOverlayStyle *style,
       const SalOverlayScale *scale)
{
  double d;

  if (x < 0 || y < 0 || x >= width || y >= height)
    return FALSE;
  d = fabs (sal_overlay_display_value (style->sign, attr[(gsize) y * width + x]));
  return d > 0 && d >= scale->threshold;
}

/* Colour and alpha (0..1) of one pixel; alpha 0 when not drawn. */
static double
pixel_colour (const float *attr, int width, int height, int x, int y,
              const SalOverlayStyle *style, const SalOverlayScale *scale, guint8 rgb[3])
{
  double d = sal_overlay_display_value (style->sign, attr[(gsize) y * width + x]);
  double t;

  if (!shown (attr, width, height, x, y, style, scale))
    return 0;
  if (style->contours &&
      (!shown (attr, width, height, x - 1, y, style, scale) ||
       !shown (attr, width, height, x + 1, y, style, scale) ||
       !shown (attr, width, height, x, y - 1, style, scale) ||
       !shown (attr, width, height, x, y + 1, style, scale)))
    {
      /* The outline is drawn in white, fully opaque, so it reads on any colour. */
      rgb[0] = rgb[1] = rgb[2] = 255;
      return 1.0;
    }
  t = (d - scale->vmin) / (scale->vmax - scale->vmin);
  sal_colormap_lookup (scale->map, t, rgb);
  return CLAMP (style->opacity, 0.0, 1.0);
}

void
sal_overlay_render_argb32 (const float *attr, int width, int height,
                           const SalOverlayStyle *style, const SalOverlayScale *scale,
                           guint8 *out, int stride)
{
  for (int y = 0; y < height; y++)
    {
      guint32 *row = (guint32 *) (out + (gsize) y * stride);
      for (int x = 0; x < width; x++)
        {
          guint8 rgb[3] = { 0, 0, 0 };
          double a = pixel_colour (attr, width, height, x, y, style, scale, rgb);
          guint32 A = (guint32) lround (a * 255);
          row[x] = (A << 24) | ((guint32) lround (rgb[0] * a) << 16) |
                   ((guint32) lround (rgb[1] * a) << 8) | (guint32) lround (rgb[2] * a);
        }
    }
}

void
sal_overlay_compose_rgb8 (const guint8 *grey, const float *attr, int width, int height,
                          const SalOverlayStyle *style, const SalOverlayScale *scale,
                          guint8 *out_rgb)
{
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        gsize i = (gsize) y * width + x;
        guint8 rgb[3] = { 0, 0, 0 };
        double a = pixel_colour (attr, width, height, x, y, style, scale, rgb);
        for (int c = 0; c < 3; c++)
          out_rgb[i * 3 + c] = (guint8) lround (grey[i] * (1 - a) + rgb[c] * a);
      }
}
