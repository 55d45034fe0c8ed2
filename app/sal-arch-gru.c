/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-app"

#include "sal-arch.h"

#include <glib/gi18n.h>
#include <math.h>

#include "sal-error.h"

gboolean
sal_gru_spec_from_keyfile (SalGruSpec *spec, GKeyFile *kf, const char *group, GError **error)
{
  const char *keys[] = { "embed_dim", "hidden" };
  int *dst[] = { &spec->embed_dim, &spec->hidden };

  spec->embed_dim = 32;
  spec->hidden = 32;
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autoptr(GError) local = NULL;
      int v = g_key_file_get_integer (kf, group, keys[i], &local);

      if (local != NULL)
        {
          if (g_error_matches (local, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND))
            continue;
          g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID, _("Recipe [%s] %s: %s"), group,
                       keys[i], local->message);
          return FALSE;
        }
      if (v < 1 || v > 1024)
        {
          g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                       _("Recipe [%s] %s: %d is outside 1..1024"), group, keys[i], v);
          return FALSE;
        }
      *dst[i] = v;
    }
  return TRUE;
}

static void
add_i64 (SalGraphBuilder *b, const char *name, int n, const int64_t *v)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SalTensor) t = sal_tensor_new (SAL_DTYPE_INT64, 1, (int64_t[]) { n }, &error);

  g_assert_no_error (error);
  for (int i = 0; i < n; i++)
    sal_tensor_i64 (t)[i] = v[i];
  sal_graph_builder_add_initializer (b, name, t);
}

static SalNode *
node1 (SalGraphBuilder *b, const char *op, const char *in, const char *out)
{
  return sal_graph_builder_add_node (b, op, out, 1, (const char *[]) { in }, 1,
                                     (const char *[]) { out });
}

static SalNode *
node2 (SalGraphBuilder *b, const char *op, const char *a, const char *c, const char *out)
{
  return sal_graph_builder_add_node (b, op, out, 2, (const char *[]) { a, c }, 1,
                                     (const char *[]) { out });
}

gboolean
sal_arch_build_gru_attention (SalGraphBuilder *b, const SalGruSpec *spec, GRand *rng,
                              GError **error)
{
  int E = spec->embed_dim, H = spec->hidden, V = spec->vocab_size;
  double gru_bound = 1.0 / sqrt (H);
  SalNode *n;

  if (V < 2 || E < 1 || H < 1 || spec->n_classes < 2 || spec->pad_id < 0 || spec->pad_id >= V)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   _("The GRU model needs a vocabulary with a padding word, sizes ≥ 1 and at "
                     "least two classes"));
      return FALSE;
    }
  sal_graph_builder_add_input (b, "tokens", SAL_DTYPE_INT64, 2,
                               (int64_t[]) { -1, spec->max_len > 0 ? spec->max_len : -1 });

  /* Embedding as PyTorch's nn.Embedding: N(0, 1) ≈ uniform with the same variance. */
  sal_arch_add_uniform (b, rng, "embedding.weight", 2, (int64_t[]) { V, E }, sqrt (3.0));
  node2 (b, "Gather", "embedding.weight", "tokens", "embedded");            /* [N, T, E] */
  n = node1 (b, "Transpose", "embedded", "embedded_t");                     /* [T, N, E] */
  sal_node_set_ints (n, "perm", 3, (int64_t[]) { 1, 0, 2 });

  sal_arch_add_uniform (b, rng, "gru.W", 3, (int64_t[]) { 1, 3 * H, E }, gru_bound);
  sal_arch_add_uniform (b, rng, "gru.R", 3, (int64_t[]) { 1, 3 * H, H }, gru_bound);
  sal_arch_add_uniform (b, rng, "gru.B", 2, (int64_t[]) { 1, 6 * H }, gru_bound);
  n = sal_graph_builder_add_node (b, "GRU", "gru", 4,
                                  (const char *[]) { "embedded_t", "gru.W", "gru.R", "gru.B" },
                                  1, (const char *[]) { "gru_y" });
  sal_node_set_int (n, "hidden_size", H);
  sal_node_set_int (n, "linear_before_reset", 1);

  add_i64 (b, "axes_1", 1, (int64_t[]) { 1 });
  add_i64 (b, "axes_2", 1, (int64_t[]) { 2 });
  node2 (b, "Squeeze", "gru_y", "axes_1", "states_t");                      /* [T, N, H] */
  n = node1 (b, "Transpose", "states_t", "states");                         /* [N, T, H] */
  sal_node_set_ints (n, "perm", 3, (int64_t[]) { 1, 0, 2 });

  /* scores = H·v, padding positions set to −1e9 before the softmax over time. */
  sal_arch_add_uniform (b, rng, "attention.v", 2, (int64_t[]) { H, 1 }, 1.0 / sqrt (H));
  node2 (b, "MatMul", "states", "attention.v", "scores3");                  /* [N, T, 1] */
  node2 (b, "Squeeze", "scores3", "axes_2", "scores");                      /* [N, T] */
  add_i64 (b, "pad_id", 1, (int64_t[]) { spec->pad_id });
  node2 (b, "Equal", "tokens", "pad_id", "is_pad");
  {
    g_autoptr(SalTensor) big = sal_tensor_new_scalar_f32 (-1e9f);

    n = sal_graph_builder_add_node (b, "Constant", "mask_value", 0, NULL, 1,
                                    (const char *[]) { "mask_value" });
    sal_node_set_tensor (n, "value", big);
  }
  sal_graph_builder_add_node (b, "Where", "masked_scores", 3,
                              (const char *[]) { "is_pad", "mask_value", "scores" }, 1,
                              (const char *[]) { "masked_scores" });
  n = node1 (b, "Softmax", "masked_scores", SAL_ARCH_ATTENTION);            /* [N, T] */
  sal_node_set_int (n, "axis", 1);
  node2 (b, "Unsqueeze", SAL_ARCH_ATTENTION, "axes_2", "attention3");       /* [N, T, 1] */
  node2 (b, "Mul", "states", "attention3", "weighted");                     /* [N, T, H] */
  n = node2 (b, "ReduceSum", "weighted", "axes_1", "context");              /* [N, H] */
  sal_node_set_int (n, "keepdims", 0);

  sal_arch_add_uniform (b, rng, "fc.weight", 2, (int64_t[]) { spec->n_classes, H }, 1.0 / sqrt (H));
  {
    g_autoptr(SalTensor) zb = sal_tensor_new_f32 (1, (int64_t[]) { spec->n_classes });
    sal_graph_builder_add_initializer (b, "fc.bias", zb);
  }
  n = sal_graph_builder_add_node (b, "Gemm", "fc", 3,
                                  (const char *[]) { "context", "fc.weight", "fc.bias" }, 1,
                                  (const char *[]) { "logits" });
  sal_node_set_int (n, "transB", 1);
  sal_graph_builder_add_output (b, "logits");
  return TRUE;
}
