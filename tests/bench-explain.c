/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Cost of explanations (issue 6): Integrated Gradients with 64 steps against
 * one batch-64 forward pass, Grad-CAM against one batch-1 forward pass, on the
 * same model in the same run (1 thread, medians of process CPU time), and exact Shapley values
 * over the breast-mass model's 10 feature groups with 100 background rows in
 * milliseconds. Prints a Markdown table; not a test (run by hand):
 *   build/tests/bench-explain [--reps N] [--threads N] [--model PATH.onnx …] */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sal-engine.h"
#include "sal-explain.h"
#include "sal-model-input.h"

static int reps = 5, threads = 1;

/* Process CPU time in microseconds: on a shared, loaded machine wall time
 * stretches long runs (preempted more often) far more than short ones, so
 * ratios of CPU time are the fair comparison (one thread). */
static gint64
now_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
median (double *v, int n)
{
  qsort (v, n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Median milliseconds of one forward pass of a batch of `batch`. */
static double
time_forward (SalModel *m, const SalTensor *x1, int batch)
{
  g_autoptr(SalRun) run = sal_run_new (m);
  g_autoptr(GError) error = NULL;
  g_autoptr(SalTensor) xb = NULL;
  int64_t dims[SAL_MAX_RANK];
  g_autofree double *t = g_new (double, reps);

  memcpy (dims, x1->dims, sizeof dims);
  dims[0] = batch;
  xb = sal_tensor_new_f32 (x1->rank, dims);
  for (int b = 0; b < batch; b++)
    memcpy (sal_tensor_f32 (xb) + (gsize) b * x1->numel, x1->data, sal_tensor_nbytes (x1));
  sal_run_set_threads (run, threads);
  for (int r = -1; r < reps; r++) /* r = -1: warm-up (plans, buffers) */
    {
      gint64 t0 = now_us ();
      if (!sal_run_set_input (run, 0, xb, &error) || !sal_run_execute (run, &error))
        g_error ("forward: %s", error->message);
      if (r >= 0)
        t[r] = (now_us () - t0) / 1000.0;
    }
  return median (t, reps);
}

/* Median milliseconds of an explanation (without its deletion/insertion
 * checks, which are not part of the method): with `reuse`, every repetition
 * uses one explainer (its runs planned and allocated by the warm-up, as the
 * forward passes' run is); without, each is a new sal_explain. */
static double
time_explain (SalModel *m, const SalTensor *x, SalExplainParams *p, gboolean reuse, int *chunk)
{
  g_autofree double *t = g_new (double, reps);
  g_autoptr(SalExplainer) ex = reuse ? sal_explainer_new (m) : NULL;

  p->check_steps = 0;
  p->model_hash = "bench";
  p->n_threads = threads;
  if (g_getenv ("BENCH_BUDGET_MB"))
    p->memory_budget = (gsize) atoi (g_getenv ("BENCH_BUDGET_MB")) << 20;
  for (int r = -1; r < reps; r++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SalExplanation) e = NULL;
      gint64 t0 = now_us ();

      e = reuse ? sal_explainer_explain (ex, x, p, &error) : sal_explain (m, x, p, &error);
      if (e == NULL)
        g_error ("%s: %s", sal_explain_method_id (p->method), error->message);
      if (r >= 0)
        t[r] = (now_us () - t0) / 1000.0;
      *chunk = e->chunk;
    }
  return median (t, reps);
}

static void
bench_image (const char *name, const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SalModel) m = sal_model_load_file (path, NULL, &error);
  g_autoptr(SalTensor) x = NULL;
  g_autoptr(GRand) rng = g_rand_new_with_seed (3);
  SalValueInfo info;
  SalExplainParams p;
  double f1, f64, ig, ig_new, cam, cam_new;
  int ig_chunk, cam_chunk;

  if (m == NULL)
    {
      printf ("| %s | not available: %s |\n", name, error->message);
      return;
    }
  int64_t dims[SAL_MAX_RANK];

  sal_model_get_input (m, 0, &info);
  if (info.rank < 1 || info.dims[0] != -1)
    {
      printf ("| %s | fixed batch: no batch-64 forward pass to compare with |\n", name);
      return;
    }
  memcpy (dims, info.dims, info.rank * sizeof (int64_t));
  dims[0] = 1;
  x = sal_tensor_new_f32 (info.rank, dims);
  for (int64_t i = 0; i < x->numel; i++)
    sal_tensor_f32 (x)[i] = (float) g_rand_double_range (rng, -1, 1);
  f1 = time_forward (m, x, 1);
  f64 = time_forward (m, x, 64);
  sal_explain_params_init (&p, SAL_EXPLAIN_INTEGRATED_GRADIENTS);
  p.steps = 64;
  ig_new = time_explain (m, x, &p, FALSE, &ig_chunk);
  ig = time_explain (m, x, &p, TRUE, &ig_chunk);
  sal_explain_params_init (&p, SAL_EXPLAIN_GRAD_CAM);
  cam_new = time_explain (m, x, &p, FALSE, &cam_chunk);
  cam = time_explain (m, x, &p, TRUE, &cam_chunk);
  printf ("| %s | %.2f ms | %.2f ms | %.2f ms (chunks of %d) | **%.2f×** | %.2f ms (%.2f×) | "
          "%.2f ms | **%.2f×** | %.2f ms (%.2f×) |\n",
          name, f1, f64, ig, ig_chunk, ig / f64, ig_new, ig_new / f64, cam, cam / f1, cam_new,
          cam_new / f1);
}

static void
bench_shapley (const char *src)
{
  g_autofree char *path = g_build_filename (src, "data", "models", "breast-mass-risk.onnx", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SalModel) m = sal_model_load_file (path, NULL, &error);
  g_autoptr(GPtrArray) features = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(SalTensor) bg = NULL, x = NULL;
  g_autoptr(GRand) rng = g_rand_new_with_seed (5);
  g_autofree int *groups = NULL;
  SalExplainParams p;
  double ms, f1;
  int chunk;

  if (m == NULL)
    g_error ("%s", error->message);
  features = sal_model_features (m);
  groups = g_new (int, features->len);
  for (guint f = 0; f < features->len; f++)
    {
      const SalFeatureInfo *fi = features->pdata[f];
      guint gi;
      for (gi = 0; gi < names->len; gi++)
        if (g_strcmp0 (names->pdata[gi], fi->group) == 0)
          break;
      if (gi == names->len)
        g_ptr_array_add (names, fi->group);
      groups[f] = (int) gi;
    }
  /* Background and explained row: uniform over each feature's plausible range. */
  bg = sal_tensor_new_f32 (2, (int64_t[]) { 100, features->len });
  x = sal_tensor_new_f32 (2, (int64_t[]) { 1, features->len });
  for (int r = 0; r <= 100; r++)
    for (guint f = 0; f < features->len; f++)
      {
        const SalFeatureInfo *fi = features->pdata[f];
        double lo = isfinite (fi->min) ? fi->min : 0, hi = isfinite (fi->max) ? fi->max : 1;
        float v = (float) g_rand_double_range (rng, lo, hi);
        if (r < 100)
          sal_tensor_f32 (bg)[(gsize) r * features->len + f] = v;
        else
          sal_tensor_f32 (x)[f] = v;
      }
  f1 = time_forward (m, x, 1);
  sal_explain_params_init (&p, SAL_EXPLAIN_SHAPLEY);
  p.background = bg;
  p.groups = groups;
  p.n_groups = (int) names->len;
  ms = time_explain (m, x, &p, FALSE, &chunk);
  printf ("\nExact Shapley, breast-mass-risk, %u groups × 100 background rows (%u coalitions, "
          "%u rows run, chunk %d): **%.1f ms** (one batch-1 forward: %.3f ms)\n",
          names->len, 1u << names->len, (1u << names->len) * 100, chunk, ms, f1);
}

int
main (int argc, char **argv)
{
  const char *src = g_getenv ("SALIENT_SOURCE_DIR");
  g_autoptr(GPtrArray) extra = g_ptr_array_new ();
  g_autofree char *lesion = NULL, *cnn = NULL, *res = NULL;

  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--reps") == 0 && i + 1 < argc)
        reps = atoi (argv[++i]);
      else if (strcmp (argv[i], "--threads") == 0 && i + 1 < argc)
        threads = atoi (argv[++i]);
      else if (strcmp (argv[i], "--model") == 0 && i + 1 < argc)
        g_ptr_array_add (extra, argv[++i]);
      else
        {
          fprintf (stderr, "usage: bench-explain [--reps N] [--threads N] [--model PATH.onnx …]\n");
          return 2;
        }
    }
  reps = MAX (reps, 1);
  threads = MAX (threads, 1);
  if (src == NULL)
    src = SALIENT_SOURCE_DIR;
  lesion = g_build_filename (src, "data", "models", "lesion-finder.onnx", NULL);
  cnn = g_build_filename (src, "tests", "fixtures", "explain", "small_cnn", "model.onnx", NULL);
  res = g_build_filename (src, "tests", "fixtures", "explain", "resnet18", "model.onnx", NULL);

  printf ("%d thread(s), process CPU time, median of %d runs; IG: 64 steps (trapezoid, 65 points, forward + "
          "backward), Grad-CAM: default layer\n\n", threads, reps);
  setvbuf (stdout, NULL, _IOLBF, 0);
  printf ("Reused: one explainer for all repetitions; new: a new sal_explain each time "
          "(plans, buffers and their page faults each time).\n\n");
  printf ("| model | forward b1 | forward b64 | IG 64 steps, reused | IG / fwd b64 (≤ 3) | "
          "IG, new | Grad-CAM, reused | Grad-CAM / fwd b1 (≤ 3) | Grad-CAM, new |\n"
          "|---|---|---|---|---|---|---|---|---|\n");
  bench_image ("lesion-finder 1×128×128", lesion);
  bench_image ("small CNN 1×64×64", cnn);
  bench_image ("resnet18 /16 3×64×64", res);
  for (guint i = 0; i < extra->len; i++)
    bench_image (extra->pdata[i], extra->pdata[i]);
  bench_shapley (src);
  return 0;
}
