/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <string.h>
#include "sal-phantom.h"

static void
test_deterministic (void)
{
  g_autoptr(SalPhantom) a = sal_phantom_generate (42, SAL_PHANTOM_RANDOM);
  g_autoptr(SalPhantom) b = sal_phantom_generate (42, SAL_PHANTOM_RANDOM);
  g_autoptr(SalPhantom) c = sal_phantom_generate (43, SAL_PHANTOM_RANDOM);
  gsize n = SAL_PHANTOM_SIZE * SAL_PHANTOM_SIZE;

  g_assert_cmpmem (a->pixels, n * 2, b->pixels, n * 2);
  g_assert_cmpmem (a->lesion_mask, n, b->lesion_mask, n);
  g_assert_true (memcmp (a->pixels, c->pixels, n * 2) != 0);
}

/* Mean of pixels within distance [r0, r1) of (cx, cy). */
static double
ring_mean (const SalPhantom *p, double cx, double cy, double r0, double r1, gboolean brain_only)
{
  double sum = 0;
  int count = 0;

  for (int y = 0; y < p->height; y++)
    for (int x = 0; x < p->width; x++)
      {
        double d = hypot (x + 0.5 - cx, y + 0.5 - cy);
        if (d >= r0 && d < r1 && (!brain_only || p->brain_mask[y * p->width + x]))
          {
            sum += p->pixels[y * p->width + x];
            count++;
          }
      }
  return count ? sum / count : NAN;
}

static void
test_population (void)
{
  int with = 0, lesions = 0, faint = 0, total = 400;
  double max_pixel = 0;

  for (int s = 0; s < total; s++)
    {
      g_autoptr(SalPhantom) p = sal_phantom_generate (1000 + s, SAL_PHANTOM_RANDOM);
      int mask_pixels = 0;

      with += p->n_lesions > 0;
      for (int k = 0; k < p->n_lesions; k++)
        {
          const SalLesion *l = &p->lesions[k];
          lesions++;
          g_assert_cmpfloat (l->radius, >=, 2.0);
          g_assert_cmpfloat (l->radius, <=, 10.0);
          g_assert_cmpfloat (l->contrast, >=, 0.10);
          g_assert_cmpfloat (l->contrast, <=, 0.40);
          faint += l->contrast <= 0.20;
        }
      for (int i = 0; i < p->width * p->height; i++)
        {
          /* Lesions lie inside the brain. */
          if (p->lesion_mask[i])
            {
              g_assert_true (p->brain_mask[i]);
              mask_pixels++;
            }
          max_pixel = MAX (max_pixel, p->pixels[i]);
        }
      g_assert_cmpint (mask_pixels > 0, ==, p->n_lesions > 0);
    }
  /* Half have lesions; at least 30% of lesions are faint (≤ 20% contrast). */
  g_assert_cmpint (with, >, total * 4 / 10);
  g_assert_cmpint (with, <, total * 6 / 10);
  g_assert_cmpfloat ((double) faint / lesions, >=, 0.30);
  /* A real 16-bit range, beyond 8 and 12 bits. */
  g_assert_cmpfloat (max_pixel, >, 4096);
  g_test_message ("%d of %d slices with lesions, %d lesions, %.0f%% faint", with, total, lesions,
                  100.0 * faint / lesions);
}

static void
test_lesion_contrast_visible (void)
{
  /* Averaged over many lesions, the measured contrast follows the planted one. */
  double planted = 0, measured = 0;
  int n = 0;

  for (int s = 0; s < 200 && n < 60; s++)
    {
      g_autoptr(SalPhantom) p = sal_phantom_generate (5000 + s, SAL_PHANTOM_WITH_LESION);
      const SalLesion *l = &p->lesions[0];
      double inside, around;

      g_assert_cmpint (p->n_lesions, >=, 1);
      if (l->radius < 4 || p->n_lesions > 1)
        continue;
      inside = ring_mean (p, l->cx, l->cy, 0, l->radius - 1, TRUE);
      around = ring_mean (p, l->cx, l->cy, l->radius + 2, l->radius + 5, TRUE);
      planted += l->contrast;
      measured += fabs (inside / around - 1.0);
      n++;
    }
  g_assert_cmpint (n, >=, 20);
  planted /= n;
  measured /= n;
  g_test_message ("planted contrast %.3f, measured %.3f over %d lesions", planted, measured, n);
  g_assert_cmpfloat (fabs (measured - planted), <, 0.10);
}

static void
test_kinds (void)
{
  for (int s = 0; s < 20; s++)
    {
      g_autoptr(SalPhantom) h = sal_phantom_generate (s, SAL_PHANTOM_HEALTHY);
      g_autoptr(SalPhantom) l = sal_phantom_generate (s, SAL_PHANTOM_WITH_LESION);
      g_assert_cmpint (h->n_lesions, ==, 0);
      g_assert_cmpint (l->n_lesions, >=, 1);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/app/phantom/deterministic", test_deterministic);
  g_test_add_func ("/app/phantom/population", test_population);
  g_test_add_func ("/app/phantom/lesion-contrast", test_lesion_contrast_visible);
  g_test_add_func ("/app/phantom/kinds", test_kinds);
  return g_test_run ();
}
