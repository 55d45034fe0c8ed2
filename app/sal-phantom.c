/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-app"

#include "sal-phantom.h"

#include <math.h>

/*
 * The slice is built from nested, slightly rotated ellipses: scalp, skull,
 * cerebrospinal fluid, cortex (grey matter) and white matter, with two
 * ventricles. A smooth multiplicative bias field and Gaussian noise follow,
 * as on a real coil. Lesions are soft-edged discs inside the brain whose
 * contrast is a fraction of the tissue around them, so small faint ones are
 * genuinely hard to see.
 */

typedef struct {
  double cx, cy, a, b, cos_t, sin_t;
} Ellipse;

/* Tissue intensities on a 16-bit scale (a T1-like contrast). */
enum { BACKGROUND = 600, SCALP = 30000, SKULL = 9000, CSF = 12000, GREY = 24000, WHITE = 36000 };

static double
ellipse_r (const Ellipse *e, double x, double y)
{
  double dx = x - e->cx, dy = y - e->cy;
  double u = dx * e->cos_t + dy * e->sin_t;
  double v = -dx * e->sin_t + dy * e->cos_t;

  return sqrt ((u * u) / (e->a * e->a) + (v * v) / (e->b * e->b));
}

static Ellipse
ellipse_scaled (const Ellipse *e, double s)
{
  Ellipse r = *e;

  r.a *= s;
  r.b *= s;
  return r;
}

static double
uniform (GRand *rng, double lo, double hi)
{
  return g_rand_double_range (rng, lo, hi);
}

static double
gaussian (GRand *rng)
{
  /* Box–Muller; g_rand_double is in [0, 1). */
  double u1 = 1.0 - g_rand_double (rng), u2 = g_rand_double (rng);

  return sqrt (-2.0 * log (u1)) * cos (2.0 * G_PI * u2);
}

/* Noise-free tissue intensity at (x, y), and whether the point is in the brain. */
static double
tissue (const Ellipse *head, const Ellipse *vent_l, const Ellipse *vent_r,
        double cortex_wobble_phase, double x, double y, gboolean *in_brain)
{
  double r = ellipse_r (head, x, y);
  double ang = atan2 (y - head->cy, x - head->cx);
  /* A wavy grey/white boundary, like gyri. */
  double white_edge = 0.66 + 0.035 * sin (7 * ang + cortex_wobble_phase)
                      + 0.02 * sin (13 * ang + 2 * cortex_wobble_phase);

  *in_brain = FALSE;
  if (r > 1.0)
    return BACKGROUND;
  if (r > 0.93)
    return SCALP;
  if (r > 0.86)
    return SKULL;
  if (r > 0.82)
    return CSF;
  *in_brain = TRUE;
  if (ellipse_r (vent_l, x, y) < 1.0 || ellipse_r (vent_r, x, y) < 1.0)
    return CSF;
  if (r > white_edge)
    return GREY;
  return WHITE;
}

static gboolean
place_lesion (GRand *rng, const SalPhantom *p, const double *clean, SalLesion *out)
{
  const int n = SAL_PHANTOM_SIZE;

  for (int attempt = 0; attempt < 200; attempt++)
    {
      double radius = uniform (rng, 2.0, 10.0);
      double cx = uniform (rng, 8, n - 8), cy = uniform (rng, 8, n - 8);
      gboolean inside = TRUE;

      /* The whole disc, and a pixel beyond, must lie inside the brain. */
      for (int y = (int) floor (cy - radius - 2); y <= (int) ceil (cy + radius + 2) && inside; y++)
        for (int x = (int) floor (cx - radius - 2); x <= (int) ceil (cx + radius + 2) && inside; x++)
          {
            if (hypot (x + 0.5 - cx, y + 0.5 - cy) > radius + 1.0)
              continue;
            if (x < 0 || y < 0 || x >= n || y >= n || !p->brain_mask[y * n + x])
              inside = FALSE;
          }
      if (!inside)
        continue;
      /* Don't overlap an earlier lesion. */
      for (int k = 0; k < p->n_lesions; k++)
        if (hypot (cx - p->lesions[k].cx, cy - p->lesions[k].cy) < radius + p->lesions[k].radius + 2)
          inside = FALSE;
      if (!inside)
        continue;
      out->cx = cx;
      out->cy = cy;
      out->radius = radius;
      /* At least 30% of lesions are faint (contrast at most 20%). */
      out->contrast = g_rand_double (rng) < 0.35 ? uniform (rng, 0.10, 0.20) : uniform (rng, 0.20, 0.40);
      out->sign = g_rand_double (rng) < 0.7 ? 1 : -1;
      return TRUE;
    }
  return FALSE;
}

SalPhantom *
sal_phantom_generate (guint32 seed, SalPhantomKind kind)
{
  const int n = SAL_PHANTOM_SIZE;
  g_autoptr(GRand) rng = g_rand_new_with_seed (seed);
  SalPhantom *p = g_new0 (SalPhantom, 1);
  g_autofree double *clean = g_new (double, n * n);
  double theta, phase, bias_gx, bias_gy, bias_amp, bias_fx, bias_fy, noise_sigma;
  Ellipse head, vent_l, vent_r;
  gboolean want_lesion;

  p->seed = seed;
  p->width = p->height = n;
  p->pixels = g_new0 (guint16, n * n);
  p->lesion_mask = g_new0 (guint8, n * n);
  p->brain_mask = g_new0 (guint8, n * n);

  /* Anatomy varies per subject: size, aspect, tilt, position. */
  theta = uniform (rng, -0.25, 0.25);
  head.cx = n / 2.0 + uniform (rng, -4, 4);
  head.cy = n / 2.0 + uniform (rng, -4, 4);
  head.a = uniform (rng, 46, 56);
  head.b = uniform (rng, 54, 60);
  head.cos_t = cos (theta);
  head.sin_t = sin (theta);
  vent_l = ellipse_scaled (&head, 1.0);
  vent_l.a = uniform (rng, 3, 6);
  vent_l.b = uniform (rng, 9, 15);
  vent_r = vent_l;
  {
    double off = uniform (rng, 5, 8);
    vent_l.cx = head.cx - off * head.cos_t;
    vent_l.cy = head.cy - off * head.sin_t;
    vent_r.cx = head.cx + off * head.cos_t;
    vent_r.cy = head.cy + off * head.sin_t;
  }
  phase = uniform (rng, 0, 2 * G_PI);

  for (int y = 0; y < n; y++)
    for (int x = 0; x < n; x++)
      {
        gboolean in_brain;
        clean[y * n + x] = tissue (&head, &vent_l, &vent_r, phase, x + 0.5, y + 0.5, &in_brain);
        p->brain_mask[y * n + x] = in_brain;
      }

  want_lesion = kind == SAL_PHANTOM_WITH_LESION ||
                (kind == SAL_PHANTOM_RANDOM && g_rand_boolean (rng));
  if (want_lesion)
    {
      int count = 1 + (g_rand_double (rng) < 0.3) + (g_rand_double (rng) < 0.1);
      for (int k = 0; k < count; k++)
        if (place_lesion (rng, p, clean, &p->lesions[p->n_lesions]))
          p->n_lesions++;
    }

  /* Lesions: soft-edged discs whose contrast is relative to the tissue below them. */
  for (int k = 0; k < p->n_lesions; k++)
    {
      const SalLesion *l = &p->lesions[k];
      for (int y = 0; y < n; y++)
        for (int x = 0; x < n; x++)
          {
            double d = hypot (x + 0.5 - l->cx, y + 0.5 - l->cy);
            double w = 1.0 / (1.0 + exp ((d - l->radius) / 0.6));
            if (d <= l->radius)
              p->lesion_mask[y * n + x] = 1;
            clean[y * n + x] *= 1.0 + l->sign * l->contrast * w;
          }
    }

  /* Coil bias: a smooth multiplicative field, then noise. */
  bias_gx = uniform (rng, -0.15, 0.15);
  bias_gy = uniform (rng, -0.15, 0.15);
  bias_amp = uniform (rng, 0.0, 0.08);
  bias_fx = uniform (rng, 0.5, 1.5);
  bias_fy = uniform (rng, 0.5, 1.5);
  noise_sigma = uniform (rng, 0.015, 0.035) * WHITE;
  for (int y = 0; y < n; y++)
    for (int x = 0; x < n; x++)
      {
        double u = (x - n / 2.0) / n, v = (y - n / 2.0) / n;
        double bias = 1.0 + bias_gx * u * 2 + bias_gy * v * 2
                      + bias_amp * sin (G_PI * bias_fx * u * 2) * cos (G_PI * bias_fy * v * 2);
        double val = clean[y * n + x] * bias + noise_sigma * gaussian (rng);
        p->pixels[y * n + x] = (guint16) CLAMP (lround (val), 0, 65535);
      }
  return p;
}

void
sal_phantom_free (SalPhantom *p)
{
  if (p == NULL)
    return;
  g_free (p->pixels);
  g_free (p->lesion_mask);
  g_free (p->brain_mask);
  g_free (p);
}
