/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-cli"

/* salient-cli bench MODEL [--batch N] [--threads N] [--runs N] [--profile] [--json]
 * Latency of one model on seeded random inputs: warm-up runs, then the median
 * (and 10th/90th percentiles) of --runs timed runs. --profile adds the time
 * and GFLOP/s of each convolution / dense layer and a measured sgemm rate. */

#include "config.h"
#include <inttypes.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sal-model-check.h"
#include "sal-cli-private.h"
#include "sal-engine.h"
#include "sal-model.h"
#include "sal-profile.h"

typedef struct {
  const char *model_path;
  int         batch;
  int         threads;
  int         runs;
  gboolean    profile;
  gboolean    json;
} BenchArgs;

static int
bench_usage (void)
{
  printf ("%s\n\n", _("Usage: salient-cli bench MODEL [--batch N] [--threads N] [--runs N] "
                      "[--profile] [--json]"));
  printf ("%s\n\n", _("Measures the latency of one model on random inputs."));
  printf ("  --batch N     %s\n", _("Batch size for the model’s dynamic first dimension (default 1)"));
  printf ("  --threads N   %s\n", _("Engine threads (default 1)"));
  printf ("  --runs N      %s\n", _("Timed runs after the warm-up (default 30)"));
  printf ("  --profile     %s\n", _("Also time each layer and report GFLOP/s against sgemm"));
  printf ("  --json        %s\n", _("Print JSON to standard output"));
  return 0;
}

/* CPU time of the whole process in ms: on a busy machine this, unlike the wall
 * clock, does not count the time other processes held the cores. */
static double
cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

static int
bench_profile (SalRun *run, JsonBuilder *jb, gboolean json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) prof = NULL;
  double linear_s = 0, linear_flops = 0, total_s = 0, sgemm, kernel_rate;
  const char *kernel = NULL;

  sal_run_keep_all (run, TRUE);
  if (!sal_run_execute (run, &error) || (prof = sal_run_profile (run, 11, &error)) == NULL)
    return sal_cli_fail (_("cannot profile the model: %s"), error->message);
  /* a typical mid-network convolution as im2col + sgemm: 128 x (28*28) x (128*9) */
  sgemm = sal_profile_sgemm_rate (128, 784, 1152, 5);
  kernel_rate = sal_profile_gemm_kernel_rate (128, 784, 1152, 5, &kernel);

  if (json)
    {
      json_builder_set_member_name (jb, "layers");
      json_builder_begin_array (jb);
    }
  else
    printf ("\n%-6s %-14s %-28s %10s %10s\n", _("step"), _("operator"), _("name"), _("ms"),
            _("GFLOP/s"));
  for (guint i = 0; i < prof->len; i++)
    {
      const SalProfileEntry *e = &g_array_index (prof, SalProfileEntry, i);
      double rate = e->seconds > 0 ? e->flops / e->seconds * 1e-9 : 0;
      total_s += e->seconds;
      if (e->flops > 0)
        {
          linear_s += e->seconds;
          linear_flops += e->flops;
        }
      if (json)
        {
          json_builder_begin_object (jb);
          json_builder_set_member_name (jb, "op");
          json_builder_add_string_value (jb, e->op_type);
          json_builder_set_member_name (jb, "name");
          json_builder_add_string_value (jb, e->name);
          json_builder_set_member_name (jb, "ms");
          json_builder_add_double_value (jb, e->seconds * 1e3);
          json_builder_set_member_name (jb, "gflop");
          json_builder_add_double_value (jb, e->flops * 1e-9);
          json_builder_set_member_name (jb, "gflops_per_s");
          json_builder_add_double_value (jb, rate);
          json_builder_end_object (jb);
        }
      else if (e->flops > 0 || e->seconds > 1e-4)
        printf ("%-6u %-14s %-28.28s %10.3f %10.1f\n", i, e->op_type, e->name, e->seconds * 1e3,
                rate);
    }
  if (json)
    {
      json_builder_end_array (jb);
      json_builder_set_member_name (jb, "steps_ms");
      json_builder_add_double_value (jb, total_s * 1e3);
      json_builder_set_member_name (jb, "linear_ms");
      json_builder_add_double_value (jb, linear_s * 1e3);
      json_builder_set_member_name (jb, "linear_gflops_per_s");
      json_builder_add_double_value (jb, linear_s > 0 ? linear_flops / linear_s * 1e-9 : 0);
      json_builder_set_member_name (jb, "sgemm_gflops_per_s");
      json_builder_add_double_value (jb, sgemm);
      json_builder_set_member_name (jb, "gemm_kernel");
      json_builder_add_string_value (jb, kernel);
      json_builder_set_member_name (jb, "gemm_kernel_gflops_per_s");
      json_builder_add_double_value (jb, kernel_rate);
    }
  else
    {
      printf ("\n");
      printf (_("Convolution and dense layers: %.3f of %.3f ms, %.1f GFLOP/s"), linear_s * 1e3,
              total_s * 1e3, linear_s > 0 ? linear_flops / linear_s * 1e-9 : 0);
      printf ("\n");
      printf (_("sgemm 128×784×1152 on one thread: %.1f GFLOP/s"), sgemm);
      printf ("\n");
      /* TRANSLATORS: %s is a CPU instruction set name such as avx512 */
      printf (_("Salient's %s convolution GEMM, same size: %.1f GFLOP/s"), kernel, kernel_rate);
      printf ("\n");
    }
  return 0;
}

int
sal_cli_bench_cmd (const SalCliGlobals *g, int argc, char **argv)
{
  BenchArgs args = { NULL, 1, 1, 30, FALSE, FALSE };
  g_autoptr(GError) error = NULL;
  g_autoptr(SalModel) model = NULL;
  g_autoptr(SalRun) run = NULL;
  g_autoptr(GRand) rng = g_rand_new_with_seed (20261128);
  g_autoptr(GPtrArray) inputs = g_ptr_array_new_with_free_func ((GDestroyNotify) sal_tensor_free);
  g_autoptr(JsonBuilder) jb = NULL;
  g_autofree double *times = NULL, *cpu = NULL;
  double median, warm_s = 0;
  int warm = 0;

  for (int i = 1; i < argc; i++)
    {
      const char *a = argv[i];
      if (strcmp (a, "--help") == 0 || strcmp (a, "-h") == 0)
        return bench_usage ();
      else if (strcmp (a, "--json") == 0)
        args.json = TRUE;
      else if (strcmp (a, "--profile") == 0)
        args.profile = TRUE;
      else if (strcmp (a, "--batch") == 0 || strcmp (a, "--threads") == 0
               || strcmp (a, "--runs") == 0)
        {
          int *dst = a[2] == 'b' ? &args.batch : a[2] == 't' ? &args.threads : &args.runs;
          int max = a[2] == 'b' ? 1 << 20 : a[2] == 't' ? 64 : 100000;
          if (!sal_cli_parse_int (i + 1 < argc ? argv[i + 1] : NULL, 1, max, dst))
            return sal_cli_fail (_("%s needs a whole number from 1 to %d"), a, max);
          i++;
        }
      else if (a[0] == '-')
        return sal_cli_fail (_("unknown option “%s”; see salient-cli bench --help"), a);
      else if (args.model_path == NULL)
        args.model_path = a;
      else
        return sal_cli_fail (_("bench takes one model file"));
    }
  if (args.model_path == NULL)
    return sal_cli_fail (_("bench needs a model file; see salient-cli bench --help"));

  model = sal_model_load_file (args.model_path, NULL, &error);
  if (model == NULL)
    return sal_cli_fail (_("cannot load “%s”: %s"), args.model_path, error->message);
  run = sal_run_new (model);
  sal_run_set_threads (run, args.threads);
  for (guint i = 0; i < sal_model_n_inputs (model); i++)
    {
      SalValueInfo info;
      SalTensor *t;
      sal_model_get_input (model, i, &info);
      t = sal_model_random_input (&info, args.batch, TRUE, rng, &error);
      if (t == NULL)
        return sal_cli_fail ("%s", error->message);
      g_ptr_array_add (inputs, t);
      if (!sal_run_set_input (run, i, t, &error))
        return sal_cli_fail ("%s", error->message);
    }

  /* warm-up: at least 3 runs and 0.2 s */
  while (warm < 3 || warm_s < 0.2)
    {
      gint64 t0 = g_get_monotonic_time ();
      if (!sal_run_execute (run, &error))
        return sal_cli_fail (_("the model failed to run: %s"), error->message);
      warm_s += (g_get_monotonic_time () - t0) * 1e-6;
      warm++;
      if (warm >= 1000)
        break;
    }
  times = g_new (double, args.runs);
  cpu = g_new (double, args.runs);
  for (int r = 0; r < args.runs; r++)
    {
      gint64 t0 = g_get_monotonic_time ();
      double c0 = cpu_ms ();
      if (!sal_run_execute (run, &error))
        return sal_cli_fail (_("the model failed to run: %s"), error->message);
      cpu[r] = cpu_ms () - c0;
      times[r] = (g_get_monotonic_time () - t0) * 1e-3;
    }

  if (args.json)
    {
      jb = json_builder_new ();
      json_builder_begin_object (jb);
      json_builder_set_member_name (jb, "model");
      json_builder_add_string_value (jb, args.model_path);
      json_builder_set_member_name (jb, "batch");
      json_builder_add_int_value (jb, args.batch);
      json_builder_set_member_name (jb, "threads");
      json_builder_add_int_value (jb, args.threads);
      json_builder_set_member_name (jb, "runs");
      json_builder_add_int_value (jb, args.runs);
      json_builder_set_member_name (jb, "times_ms");
      json_builder_begin_array (jb);
      for (int r = 0; r < args.runs; r++)
        json_builder_add_double_value (jb, times[r]);
      json_builder_end_array (jb);
      json_builder_set_member_name (jb, "cpu_times_ms");
      json_builder_begin_array (jb);
      for (int r = 0; r < args.runs; r++)
        json_builder_add_double_value (jb, cpu[r]);
      json_builder_end_array (jb);
    }
  qsort (cpu, args.runs, sizeof (double), sal_compare_doubles);
  qsort (times, args.runs, sizeof (double), sal_compare_doubles);
  median = sal_sorted_quantile (times, args.runs, 0.5);
  if (args.json)
    {
      json_builder_set_member_name (jb, "median_ms");
      json_builder_add_double_value (jb, median);
      json_builder_set_member_name (jb, "p10_ms");
      json_builder_add_double_value (jb, sal_sorted_quantile (times, args.runs, 0.1));
      json_builder_set_member_name (jb, "p90_ms");
      json_builder_add_double_value (jb, sal_sorted_quantile (times, args.runs, 0.9));
      json_builder_set_member_name (jb, "cpu_median_ms");
      json_builder_add_double_value (jb, sal_sorted_quantile (cpu, args.runs, 0.5));
      json_builder_set_member_name (jb, "per_sample_ms");
      json_builder_add_double_value (jb, median / args.batch);
      json_builder_set_member_name (jb, "openblas_coretype");
      if (g_getenv ("OPENBLAS_CORETYPE") != NULL)
        json_builder_add_string_value (jb, g_getenv ("OPENBLAS_CORETYPE"));
      else
        json_builder_add_null_value (jb);
    }
  else
    {
      printf (_("Model: %s"), args.model_path);
      printf ("\n");
      printf (_("Batch %d, %d thread(s), %d timed runs after %d warm-up runs"), args.batch,
              args.threads, args.runs, warm);
      printf ("\n");
      printf (_("Median %.3f ms (10%%: %.3f ms, 90%%: %.3f ms), %.3f ms per sample"), median,
              sal_sorted_quantile (times, args.runs, 0.1), sal_sorted_quantile (times, args.runs, 0.9),
              median / args.batch);
      printf ("\n");
      printf (_("Median CPU time %.3f ms"), sal_sorted_quantile (cpu, args.runs, 0.5));
      printf ("\n");
    }
  if (args.profile && bench_profile (run, jb, args.json) != 0)
    return 1;
  if (args.json)
    {
      g_autoptr(JsonGenerator) gen = json_generator_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;
      json_builder_end_object (jb);
      root = json_builder_get_root (jb);
      json_generator_set_root (gen, root);
      text = json_generator_to_data (gen, NULL);
      printf ("%s\n", text);
    }
  return 0;
}
