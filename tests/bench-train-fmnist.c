/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Training speed benchmark (issue 5, item 7): the Fashion-MNIST CNN of
 * DATA.md, batch 64, one epoch over the 60 000 training images, SGD with
 * momentum. Prints wall-clock and process CPU seconds as JSON; compare with
 * tools/bench-train-fmnist.py (PyTorch) run on the same threads:
 *   bench-train-fmnist [--threads N] [--dir /usr/share/datasets/fashion-mnist] */

#include <gio/gio.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sal-engine.h"
#include "sal-graph-builder.h"
#include "sal-train.h"

static GBytes *
read_gz (const char *path, GError **error)
{
  g_autoptr(GFile) f = g_file_new_for_path (path);
  g_autoptr(GInputStream) raw = G_INPUT_STREAM (g_file_read (f, NULL, error));
  g_autoptr(GZlibDecompressor) z = NULL;
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();

  if (raw == NULL)
    return NULL;
  z = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
  in = g_converter_input_stream_new (raw, G_CONVERTER (z));
  if (g_output_stream_splice (out, in, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, error) < 0)
    return NULL;
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
}

static guint32
be32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

static void
dense (SalGraphBuilder *b, GRand *rng, const char *name, const char *in, const char *out,
       int n_in, int n_out)
{
  g_autofree char *w = g_strconcat (name, ".weight", NULL);
  g_autofree char *bias = g_strconcat (name, ".bias", NULL);
  g_autoptr(SalTensor) wt = sal_tensor_new_f32 (2, (int64_t[]) { n_out, n_in });
  g_autoptr(SalTensor) bt = sal_tensor_new_f32 (1, (int64_t[]) { n_out });
  SalNode *n;

  for (int64_t i = 0; i < wt->numel; i++)
    sal_tensor_f32 (wt)[i] = (float) g_rand_double_range (rng, -1, 1) / sqrtf (n_in);
  sal_graph_builder_add_initializer (b, w, wt);
  sal_graph_builder_add_initializer (b, bias, bt);
  n = sal_graph_builder_add_node (b, "Gemm", name, 3, (const char *[]) { in, w, bias }, 1,
                                  (const char *[]) { out });
  sal_node_set_int (n, "transB", 1);
}

static void
conv (SalGraphBuilder *b, GRand *rng, const char *name, const char *in, const char *out,
      int c_in, int c_out)
{
  g_autofree char *w = g_strconcat (name, ".weight", NULL);
  g_autofree char *bias = g_strconcat (name, ".bias", NULL);
  g_autoptr(SalTensor) wt = sal_tensor_new_f32 (4, (int64_t[]) { c_out, c_in, 3, 3 });
  g_autoptr(SalTensor) bt = sal_tensor_new_f32 (1, (int64_t[]) { c_out });
  SalNode *n;

  for (int64_t i = 0; i < wt->numel; i++)
    sal_tensor_f32 (wt)[i] = (float) g_rand_double_range (rng, -1, 1) / sqrtf (c_in * 9);
  sal_graph_builder_add_initializer (b, w, wt);
  sal_graph_builder_add_initializer (b, bias, bt);
  n = sal_graph_builder_add_node (b, "Conv", name, 3, (const char *[]) { in, w, bias }, 1,
                                  (const char *[]) { out });
  sal_node_set_ints (n, "kernel_shape", 2, (int64_t[]) { 3, 3 });
  sal_node_set_ints (n, "pads", 4, (int64_t[]) { 1, 1, 1, 1 });
}

static void
relu_pool (SalGraphBuilder *b, const char *in, const char *relu, const char *pool)
{
  SalNode *n;

  sal_graph_builder_add_node (b, "Relu", relu, 1, (const char *[]) { in }, 1,
                              (const char *[]) { relu });
  n = sal_graph_builder_add_node (b, "MaxPool", pool, 1, (const char *[]) { relu }, 1,
                                  (const char *[]) { pool });
  sal_node_set_ints (n, "kernel_shape", 2, (int64_t[]) { 2, 2 });
  sal_node_set_ints (n, "strides", 2, (int64_t[]) { 2, 2 });
}

int
main (int argc, char **argv)
{
  const char *dir = "/usr/share/datasets/fashion-mnist";
  int threads = 1, limit = 60000;
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rng = g_rand_new_with_seed (1);
  g_autoptr(SalGraphBuilder) b = NULL;
  g_autoptr(SalModel) m = NULL;
  g_autoptr(GBytes) img = NULL, lab = NULL;
  g_autofree char *ip = NULL, *lp = NULL;
  g_autoptr(SalTensor) x = NULL;
  g_autoptr(SalTensor) y = NULL;
  SalTrainConfig cfg;
  SalTrainResult res;
  const guint8 *pi, *pl;
  gint64 t0;
  clock_t c0;
  int n;

  for (int i = 1; i < argc; i++)
    if (strcmp (argv[i], "--threads") == 0 && i + 1 < argc)
      threads = atoi (argv[++i]);
    else if (strcmp (argv[i], "--dir") == 0 && i + 1 < argc)
      dir = argv[++i];
    else if (strcmp (argv[i], "--limit") == 0 && i + 1 < argc)
      limit = atoi (argv[++i]);
  sal_engine_init ();
  ip = g_build_filename (dir, "train-images-idx3-ubyte.gz", NULL);
  lp = g_build_filename (dir, "train-labels-idx1-ubyte.gz", NULL);
  if ((img = read_gz (ip, &error)) == NULL || (lab = read_gz (lp, &error)) == NULL)
    {
      fprintf (stderr, "%s (install dataset-fashion-mnist)\n", error->message);
      return 1;
    }
  pi = g_bytes_get_data (img, NULL);
  pl = g_bytes_get_data (lab, NULL);
  if (g_bytes_get_size (img) < 16 || be32 (pi) != 0x803 || be32 (pi + 8) != 28
      || g_bytes_get_size (img) < 16 + (gsize) be32 (pi + 4) * 784
      || g_bytes_get_size (lab) < 8 + (gsize) be32 (pi + 4))
    {
      fprintf (stderr, "not a 28 × 28 idx3 image file: %s\n", ip);
      return 1;
    }
  n = MIN ((int) be32 (pi + 4), limit);
  x = sal_tensor_new_f32 (4, (int64_t[]) { n, 1, 28, 28 });
  y = sal_tensor_new (SAL_DTYPE_INT64, 1, (int64_t[]) { n }, &error);
  for (int64_t i = 0; i < (int64_t) n * 784; i++)
    sal_tensor_f32 (x)[i] = pi[16 + i] / 255.0f;
  for (int i = 0; i < n; i++)
    sal_tensor_i64 (y)[i] = pl[8 + i];

  b = sal_graph_builder_new (13);
  sal_graph_builder_add_input (b, "x", SAL_DTYPE_FLOAT, 4, (int64_t[]) { -1, 1, 28, 28 });
  conv (b, rng, "conv1", "x", "c1", 1, 32);
  relu_pool (b, "c1", "r1", "p1");
  conv (b, rng, "conv2", "p1", "c2", 32, 64);
  relu_pool (b, "c2", "r2", "p2");
  {
    SalNode *f = sal_graph_builder_add_node (b, "Flatten", "flat", 1, (const char *[]) { "p2" },
                                             1, (const char *[]) { "flat" });
    sal_node_set_int (f, "axis", 1);
  }
  dense (b, rng, "fc1", "flat", "h", 3136, 128);
  sal_graph_builder_add_node (b, "Relu", "r3", 1, (const char *[]) { "h" }, 1,
                              (const char *[]) { "hr" });
  dense (b, rng, "fc2", "hr", "logits", 128, 10);
  sal_graph_builder_add_output (b, "logits");
  m = sal_graph_builder_finish (b, &error);
  if (m == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  sal_train_config_init (&cfg);
  sal_optim_config_init (&cfg.optim, SAL_OPTIM_SGD, 0.01f);
  cfg.optim.momentum = 0.9f;
  cfg.schedule.lr = 0.01f;
  cfg.epochs = 1;
  cfg.batch_size = 64;
  cfg.n_threads = threads;
  t0 = g_get_monotonic_time ();
  c0 = clock ();
  if (!sal_train (m, x, y, &cfg, &res, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  printf ("{\"engine\": \"salient\", \"threads\": %d, \"images\": %d, \"wall_s\": %.3f, "
          "\"cpu_s\": %.3f, \"loss\": %.4f}\n",
          threads, n, (g_get_monotonic_time () - t0) / 1e6,
          (double) (clock () - c0) / CLOCKS_PER_SEC, res.train_loss);
  return 0;
}
