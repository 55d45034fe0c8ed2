/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-engine"

#include "sal-profile.h"
#include "sal-plan-private.h"
#include "sal-blas.h"
#include "ops/sal-gemm.h"
#include "sal-error.h"

#include <string.h>
#include <time.h>

/* Process CPU time: robust to other processes holding the cores. */
static double
cpu_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int
cmp_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* 2 x multiply-adds of the linear operators, from their tensors' shapes. */
static double
step_flops (const SalPlanStep *step)
{
  const SalNode *node = step->node;
  const SalTensor *y = step->out[0];

  if (y == NULL || node->n_inputs < 2 || step->in[0] == NULL || step->in[1] == NULL)
    return 0;
  if (strcmp (node->op_type, "Conv") == 0)
    {
      const SalTensor *w = step->in[1];
      double per_out = 1;
      for (int i = 1; i < w->rank; i++)
        per_out *= (double) w->dims[i];   /* C/G x kernel */
      return 2.0 * (double) y->numel * per_out;
    }
  if (strcmp (node->op_type, "ConvTranspose") == 0)
    {
      const SalTensor *x = step->in[0], *w = step->in[1];
      double per_in = 1;
      for (int i = 1; i < w->rank; i++)
        per_in *= (double) w->dims[i];    /* M/G x kernel */
      return 2.0 * (double) x->numel * per_in;
    }
  if (strcmp (node->op_type, "Gemm") == 0 || strcmp (node->op_type, "MatMul") == 0)
    {
      const SalTensor *a = step->in[0];
      gboolean trans_a = strcmp (node->op_type, "Gemm") == 0
                         && sal_node_attr_int (node, "transA", 0) != 0;
      double k = a->rank == 0 ? 1 : (double) a->dims[trans_a ? 0 : a->rank - 1];
      return 2.0 * (double) y->numel * k;
    }
  return 0;
}

GArray *
sal_run_profile (SalRun *run, int reps, GError **error)
{
  SalPlan *plan = run->plan;
  g_autoptr(GArray) entries = g_array_new (FALSE, TRUE, sizeof (SalProfileEntry));
  g_autofree double *times = NULL;

  if (plan == NULL || !plan->keep_all)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   "profiling needs a run executed once with every value kept");
      return NULL;
    }
  reps = MAX (reps, 1);
  times = g_new (double, reps);
  for (int s = 0; s < plan->n_steps; s++)
    {
      SalPlanStep *step = &plan->steps[s];
      SalProfileEntry e = { step->node->op_type, step->node->name, 0, step_flops (step) };
      for (int r = 0; r < reps; r++)
        {
          double t0 = cpu_seconds ();
          if (!step->node->def->forward (step->node, step->in, step->out, step->scratch,
                                         &run->ctx, error))
            return NULL;
          times[r] = cpu_seconds () - t0;
        }
      qsort (times, reps, sizeof (double), cmp_double);
      e.seconds = times[reps / 2];
      g_array_append_val (entries, e);
    }
  return g_steal_pointer (&entries);
}

double
sal_profile_sgemm_rate (int M, int N, int K, int reps)
{
  gsize na = (gsize) M * K, nb = (gsize) K * N, nc = (gsize) M * N;
  float *a = sal_alloc (na * sizeof (float)), *b = sal_alloc (nb * sizeof (float));
  float *c = sal_alloc (nc * sizeof (float));
  double best = G_MAXDOUBLE;

  sal_blas_init ();
  for (gsize i = 0; i < na; i++)
    a[i] = (float) ((i * 7 % 13) - 6) * 0.01f;
  for (gsize i = 0; i < nb; i++)
    b[i] = (float) ((i * 5 % 11) - 5) * 0.01f;
  for (int r = 0; r < MAX (reps, 1) + 1; r++)
    {
      double t0 = cpu_seconds ();
      sal_sgemm (FALSE, FALSE, M, N, K, 1.f, a, K, b, N, 0.f, c, N);
      if (r > 0)   /* the first call warms caches and OpenBLAS's buffers */
        best = MIN (best, cpu_seconds () - t0);
    }
  sal_free (a);
  sal_free (b);
  sal_free (c);
  return best > 0 ? 2.0 * M * N * K / best * 1e-9 : 0;
}

double
sal_profile_gemm_kernel_rate (int M, int N, int K, int reps, const char **kernel)
{
  const SalGemmKernel *k = sal_gemm_best ();
  gsize na = (gsize) M * K, nb = (gsize) K * N, nc = (gsize) M * N;
  float *a = sal_alloc (na * sizeof (float)), *b = sal_alloc (nb * sizeof (float));
  float *bp = sal_alloc ((gsize) sal_gemm_packed_floats (k, K, N) * sizeof (float));
  float *c = sal_alloc (nc * sizeof (float));
  double best = G_MAXDOUBLE;

  for (gsize i = 0; i < na; i++)
    a[i] = (float) ((i * 7 % 13) - 6) * 0.01f;
  for (gsize i = 0; i < nb; i++)
    b[i] = (float) ((i * 5 % 11) - 5) * 0.01f;
  sal_gemm_pack_b (k, K, N, b, N, bp);
  for (int r = 0; r < MAX (reps, 1) + 1; r++)
    {
      double t0 = cpu_seconds ();
      sal_gemm_packed (k, M, N, K, a, K, bp, c, N, NULL, NULL);
      if (r > 0)
        best = MIN (best, cpu_seconds () - t0);
    }
  sal_free (a);
  sal_free (b);
  sal_free (bp);
  sal_free (c);
  if (kernel != NULL)
    *kernel = sal_gemm_name (k);
  return best > 0 ? 2.0 * M * N * K / best * 1e-9 : 0;
}
