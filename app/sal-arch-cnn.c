/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-app"

#include "sal-arch.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "sal-error.h"

void
sal_arch_add_uniform (SalGraphBuilder *b, GRand *rng, const char *name, int rank,
                      const int64_t *dims, double bound)
{
  g_autoptr(SalTensor) t = sal_tensor_new_f32 (rank, dims);

  for (int64_t i = 0; i < t->numel; i++)
    sal_tensor_f32 (t)[i] = (float) g_rand_double_range (rng, -bound, bound);
  sal_graph_builder_add_initializer (b, name, t);
}

const char *
sal_arch_activation_op (const char *id)
{
  static const char *const map[][2] = {
    { "relu", "Relu" }, { "tanh", "Tanh" }, { "sigmoid", "Sigmoid" }, { "elu", "Elu" },
    { "leaky-relu", "LeakyRelu" }, { "selu", "Selu" }, { "softplus", "Softplus" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (map); i++)
    if (strcmp (map[i][0], id) == 0)
      return map[i][1];
  return NULL;
}

static void
add_filled (SalGraphBuilder *b, const char *name, int64_t n, float v)
{
  g_autoptr(SalTensor) t = sal_tensor_new_f32 (1, (int64_t[]) { n });

  for (int64_t i = 0; i < n; i++)
    sal_tensor_f32 (t)[i] = v;
  sal_graph_builder_add_initializer (b, name, t);
}

static gboolean
get_int_list (GKeyFile *kf, const char *group, const char *key, int *out, int *n_out,
              int max_n, int lo, int hi, GError **error)
{
  g_autoptr(GError) local = NULL;
  gsize n = 0;
  g_autofree int *v = g_key_file_get_integer_list (kf, group, key, &n, &local);

  if (v == NULL)
    {
      if (g_error_matches (local, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND))
        return TRUE;   /* keep the default */
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID, _("Recipe [%s] %s: %s"), group, key,
                   local->message);
      return FALSE;
    }
  if (n == 0 || (int) n > max_n)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   _("Recipe [%s] %s: give 1 to %d values"), group, key, max_n);
      return FALSE;
    }
  for (gsize i = 0; i < n; i++)
    if (v[i] < lo || v[i] > hi)
      {
        g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                     _("Recipe [%s] %s: %d is outside %d..%d"), group, key, v[i], lo, hi);
        return FALSE;
      }
  for (gsize i = 0; i < n; i++)
    out[i] = v[i];
  if (n_out != NULL)
    *n_out = (int) n;
  return TRUE;
}

gboolean
sal_cnn_spec_from_keyfile (SalCnnSpec *spec, GKeyFile *kf, const char *group, GError **error)
{
  int n_k = 0, n_s = 0;
  g_autofree char *pool = NULL, *act = NULL;
  g_auto(GStrv) stages = NULL;
  gsize n_stages = 0;

  spec->n_conv = 3;
  for (int i = 0; i < 6; i++)
    {
      spec->filters[i] = 8 << MIN (i, 3);
      spec->kernel[i] = 3;
      spec->stride[i] = 1;
    }
  if (!get_int_list (kf, group, "filters", spec->filters, &spec->n_conv, 6, 1, 512, error)
      || !get_int_list (kf, group, "kernels", spec->kernel, &n_k, 6, 1, 11, error)
      || !get_int_list (kf, group, "strides", spec->stride, &n_s, 6, 1, 4, error))
    return FALSE;
  spec->batch_norm = g_key_file_get_boolean (kf, group, "batch_norm", NULL);
  pool = g_key_file_get_string (kf, group, "pool", NULL);
  if (pool != NULL && !g_str_equal (pool, "max") && !g_str_equal (pool, "average")
      && !g_str_equal (pool, "logsumexp"))
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   _("Recipe [%s] pool: “%s” is not max, average or logsumexp"), group, pool);
      return FALSE;
    }
  spec->global_max = pool == NULL || g_str_equal (pool, "max");
  spec->global_logsumexp = pool != NULL && g_str_equal (pool, "logsumexp");

  act = g_key_file_get_string (kf, group, "activation", NULL);
  if (act != NULL)
    {
      spec->activation = sal_arch_activation_op (g_strstrip (act));
      if (spec->activation == NULL)
        {
          g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                       _("[model] activation: unknown “%s” (known: relu, tanh, sigmoid, elu, "
                         "leaky-relu, selu, softplus)"), act);
          return FALSE;
        }
    }

  stages = g_key_file_get_string_list (kf, group, "stage_pools", &n_stages, NULL);
  if (stages != NULL && (n_stages < 1 || n_stages > 6))
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   _("Recipe [%s] %s: give 1 to %d values"), group, "stage_pools", 6);
      return FALSE;
    }
  for (gsize i = 0; stages != NULL && i < n_stages; i++)
    {
      const char *v = g_strstrip (stages[i]);

      if (g_str_equal (v, "none"))
        spec->stage_pool[i] = SAL_CNN_POOL_NONE;
      else if (g_str_equal (v, "max"))
        spec->stage_pool[i] = SAL_CNN_POOL_MAX;
      else if (g_str_equal (v, "average"))
        spec->stage_pool[i] = SAL_CNN_POOL_AVERAGE;
      else
        {
          g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                       _("Recipe [%s] stage_pools: “%s” is not none, max or average"), group, v);
          return FALSE;
        }
    }
  return TRUE;
}

/* Conv (same padding) [→ BN] → activation [→ 2 × 2 max or average pooling].
 * Returns the output's name. */
static char *
add_conv_block (SalGraphBuilder *b, GRand *rng, int i, const char *in, int c_in,
                const SalCnnSpec *spec, gboolean last)
{
  int k = spec->kernel[i], c_out = spec->filters[i], pad = k / 2;
  g_autofree char *w = g_strdup_printf ("conv%d.weight", i + 1);
  g_autofree char *bias = g_strdup_printf ("conv%d.bias", i + 1);
  g_autofree char *conv = g_strdup_printf ("conv%d", i + 1);
  gboolean relu = spec->activation == NULL || g_str_equal (spec->activation, "Relu");
  g_autofree char *act = last ? g_strdup (SAL_ARCH_CNN_FEATURES)
                              : g_strdup_printf (relu ? "relu%d" : "act%d", i + 1);
  g_autofree char *pre = g_strdup (conv);
  SalNode *n;

  int pool_kind = spec->stage_pool[i];

  if (pool_kind == SAL_CNN_POOL_DEFAULT)
    pool_kind = last ? SAL_CNN_POOL_NONE : SAL_CNN_POOL_MAX;

  /* He-uniform for a layer followed by Relu (and the ReLU-like Softplus, Elu):
   * bound √(6 / fan_in). */
  sal_arch_add_uniform (b, rng, w, 4, (int64_t[]) { c_out, c_in, k, k }, sqrt (6.0 / (c_in * k * k)));
  add_filled (b, bias, c_out, 0.0f);
  n = sal_graph_builder_add_node (b, "Conv", conv, 3, (const char *[]) { in, w, bias }, 1,
                                  (const char *[]) { conv });
  sal_node_set_ints (n, "kernel_shape", 2, (int64_t[]) { k, k });
  sal_node_set_ints (n, "strides", 2, (int64_t[]) { spec->stride[i], spec->stride[i] });
  sal_node_set_ints (n, "pads", 4, (int64_t[]) { pad, pad, pad, pad });
  if (spec->batch_norm)
    {
      g_autofree char *bn = g_strdup_printf ("bn%d", i + 1);
      g_autofree char *s = g_strconcat (bn, ".weight", NULL), *bb = g_strconcat (bn, ".bias", NULL);
      g_autofree char *m = g_strconcat (bn, ".running_mean", NULL);
      g_autofree char *v = g_strconcat (bn, ".running_var", NULL);

      add_filled (b, s, c_out, 1.0f);
      add_filled (b, bb, c_out, 0.0f);
      add_filled (b, m, c_out, 0.0f);
      add_filled (b, v, c_out, 1.0f);
      g_autofree char *m_out = g_strconcat (bn, ".mean_out", NULL);
      g_autofree char *v_out = g_strconcat (bn, ".var_out", NULL);

      /* The running statistics as outputs: training copies them back into the
       * mean and variance weights after each batch. */
      n = sal_graph_builder_add_node (b, "BatchNormalization", bn, 5,
                                      (const char *[]) { conv, s, bb, m, v }, 3,
                                      (const char *[]) { bn, m_out, v_out });
      sal_node_set_float (n, "epsilon", 1e-5f);
      sal_node_set_float (n, "momentum", 0.9f);
      g_free (pre);
      pre = g_strdup (bn);
    }
  sal_graph_builder_add_node (b, spec->activation != NULL ? spec->activation : "Relu", act, 1,
                              (const char *[]) { pre }, 1, (const char *[]) { act });
  if (pool_kind == SAL_CNN_POOL_NONE)
    return g_steal_pointer (&act);

  {
    g_autofree char *pool = g_strdup_printf ("pool%d", i + 1);

    n = sal_graph_builder_add_node (b, pool_kind == SAL_CNN_POOL_MAX ? "MaxPool" : "AveragePool",
                                    pool, 1, (const char *[]) { act }, 1, (const char *[]) { pool });
    sal_node_set_ints (n, "kernel_shape", 2, (int64_t[]) { 2, 2 });
    sal_node_set_ints (n, "strides", 2, (int64_t[]) { 2, 2 });
    return g_steal_pointer (&pool);
  }
}

/* "gpool" [N, C, 1, 1] = log Σ_positions exp(a): a smooth maximum, which unlike
 * GlobalMaxPool has no kink where the largest position changes hands (Integrated
 * Gradients' path sum then converges at the usual step counts), and still lets one
 * strong position decide. Computed as m + log Σ exp(a − m) with m the maximum, so
 * it cannot overflow; m's own gradient cancels (1 − Σ softmax = 0). */
static void
add_global_logsumexp (SalGraphBuilder *b, const char *in)
{
  g_autoptr(SalTensor) axes = sal_tensor_new (SAL_DTYPE_INT64, 1, (int64_t[]) { 2 }, NULL);
  SalNode *n;

  ((int64_t *) axes->data)[0] = 2;
  ((int64_t *) axes->data)[1] = 3;
  sal_graph_builder_add_initializer (b, "gpool.axes", axes);
  n = sal_graph_builder_add_node (b, "ReduceMax", "gpool.max", 1, (const char *[]) { in }, 1,
                                  (const char *[]) { "gpool.max" });
  sal_node_set_ints (n, "axes", 2, (int64_t[]) { 2, 3 });
  sal_node_set_int (n, "keepdims", 1);
  sal_graph_builder_add_node (b, "Sub", "gpool.centred", 2, (const char *[]) { in, "gpool.max" },
                              1, (const char *[]) { "gpool.centred" });
  sal_graph_builder_add_node (b, "Exp", "gpool.exp", 1, (const char *[]) { "gpool.centred" }, 1,
                              (const char *[]) { "gpool.exp" });
  n = sal_graph_builder_add_node (b, "ReduceSum", "gpool.sum", 2,
                                  (const char *[]) { "gpool.exp", "gpool.axes" }, 1,
                                  (const char *[]) { "gpool.sum" });
  sal_node_set_int (n, "keepdims", 1);
  sal_graph_builder_add_node (b, "Log", "gpool.log", 1, (const char *[]) { "gpool.sum" }, 1,
                              (const char *[]) { "gpool.log" });
  sal_graph_builder_add_node (b, "Add", "gpool", 2, (const char *[]) { "gpool.log", "gpool.max" },
                              1, (const char *[]) { "gpool" });
}

gboolean
sal_arch_build_cnn (SalGraphBuilder *b, const SalCnnSpec *spec, GRand *rng, GError **error)
{
  g_autofree char *cur = g_strdup ("image");
  int c = spec->channels;
  int fc_in;
  SalNode *n;

  if (spec->n_conv < 1 || spec->n_conv > 6 || spec->n_classes < 2 || spec->channels < 1)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   _("The CNN needs 1 to 6 convolutions, an image input and at least two classes"));
      return FALSE;
    }
  fc_in = spec->filters[spec->n_conv - 1];
  sal_graph_builder_add_input (b, "image", SAL_DTYPE_FLOAT, 4,
                               (int64_t[]) { -1, spec->channels, spec->height, spec->width });
  for (int i = 0; i < spec->n_conv; i++)
    {
      char *next = add_conv_block (b, rng, i, cur, c, spec, i == spec->n_conv - 1);
      g_free (cur);
      cur = next;
      c = spec->filters[i];
    }
  if (spec->global_logsumexp)
    add_global_logsumexp (b, cur);
  else
    sal_graph_builder_add_node (b, spec->global_max ? "GlobalMaxPool" : "GlobalAveragePool",
                                "gpool", 1, (const char *[]) { cur }, 1, (const char *[]) { "gpool" });
  n = sal_graph_builder_add_node (b, "Flatten", "flatten", 1, (const char *[]) { "gpool" }, 1,
                                  (const char *[]) { "pooled" });
  sal_node_set_int (n, "axis", 1);
  sal_arch_add_uniform (b, rng, "fc.weight", 2, (int64_t[]) { spec->n_classes, fc_in },
                        1.0 / sqrt (fc_in));
  add_filled (b, "fc.bias", spec->n_classes, 0.0f);
  n = sal_graph_builder_add_node (b, "Gemm", "fc", 3,
                                  (const char *[]) { "pooled", "fc.weight", "fc.bias" }, 1,
                                  (const char *[]) { "logits" });
  sal_node_set_int (n, "transB", 1);
  sal_graph_builder_add_output (b, "logits");
  return TRUE;
}
