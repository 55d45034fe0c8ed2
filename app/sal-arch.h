/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Architectures for the image and note models, built with the engine's graph
 * builder (training graphs: BatchNormalization stays a node so it can train).
 *
 * cnn: input "image" [N, C, H, W] float → Conv (stride s1) [→ BatchNormalization]
 *      → Relu → MaxPool 2 → … → last Conv → Relu ("features": the activations
 *      Grad-CAM reads) → GlobalMaxPool or GlobalAveragePool → Gemm → "logits".
 * gru-attention: input "tokens" [N, T] int64 → Gather (embedding) → GRU
 *      (linear_before_reset = 1, as PyTorch) → scores = MatMul(H, v), padding
 *      masked → Softmax over time ("attention" [N, T]) → Σ_t a_t·H_t → Gemm
 *      → "logits". */

#include <glib.h>
#include "sal-graph-builder.h"

G_BEGIN_DECLS

#define SAL_ARCH_CNN_FEATURES  "features"
#define SAL_ARCH_ATTENTION     "attention"

typedef struct {
  int      channels, height, width;   /* input */
  int      n_conv;                    /* 1..6 */
  int      filters[6];
  int      kernel[6];
  int      stride[6];
  gboolean batch_norm;
  gboolean global_max;                /* else global average … */
  gboolean global_logsumexp;          /* … or log Σ exp over the positions: a smooth maximum */
  int      n_classes;
  /* Activation after every convolution: an ONNX op name ("Relu", "Softplus",
   * "Elu", …); NULL = "Relu". */
  const char *activation;
  /* Pooling after convolution i: SAL_CNN_POOL_DEFAULT (2 × 2 max pooling after
   * every convolution but the last), or none / max / average explicitly. */
  int      stage_pool[6];
} SalCnnSpec;

enum {
  SAL_CNN_POOL_DEFAULT,
  SAL_CNN_POOL_NONE,
  SAL_CNN_POOL_MAX,
  SAL_CNN_POOL_AVERAGE,
};

typedef struct {
  int     vocab_size;
  int     max_len;        /* -1: variable length */
  int     embed_dim;
  int     hidden;
  int64_t pad_id;         /* positions holding it get no attention */
  int     n_classes;
} SalGruSpec;

/* Reads the spec from `group` of a recipe (keys: filters, kernels, strides,
 * batch_norm, pool, activation, stage_pools; embed_dim, hidden). Dimensions of
 * the data are set by the caller. */
gboolean sal_cnn_spec_from_keyfile (SalCnnSpec *spec, GKeyFile *kf, const char *group,
                                    GError **error);
gboolean sal_gru_spec_from_keyfile (SalGruSpec *spec, GKeyFile *kf, const char *group,
                                    GError **error);

gboolean sal_arch_build_cnn (SalGraphBuilder *b, const SalCnnSpec *spec, GRand *rng,
                             GError **error);
gboolean sal_arch_build_gru_attention (SalGraphBuilder *b, const SalGruSpec *spec, GRand *rng,
                                       GError **error);

/* The ONNX op of a recipe's activation id (relu, tanh, sigmoid, elu,
 * leaky-relu, selu, softplus); NULL for an unknown id. */
const char *sal_arch_activation_op (const char *id);

/* A float initializer filled uniformly in ±bound from rng. */
void     sal_arch_add_uniform (SalGraphBuilder *b, GRand *rng, const char *name, int rank,
                               const int64_t *dims, double bound);

G_END_DECLS
