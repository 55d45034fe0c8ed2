/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Graph rewrites that merge operators for speed (engine-private). */

#include "sal-graph.h"

G_BEGIN_DECLS

/* Fuses an activation into the Conv, ConvTranspose or Gemm that feeds it:
 * X -> Conv -> v -> Relu -> y  becomes  X -> Conv[salient.activation=Relu] -> y
 * when v is read by that activation only and is not a graph output. Relu,
 * LeakyRelu and Clip (bounds as attributes, or as constant initializer inputs)
 * are fused; the fused op applies the activation in its own pass and takes
 * its derivative from its output in backward (see engine/ops/sal-ops-nn.h).
 * The value v is left without producer or readers.
 *
 * Call it on a graph from the reader or the builder before sal_graph_finish(),
 * and not on graphs whose pre-activation values must stay observable.
 * Returns the number of nodes removed. */
guint sal_fuse_graph (SalGraph *graph);

/* How many nodes read each value (graph outputs count as a reader); g_free it. */
int     *sal_graph_count_readers (const SalGraph *graph);
/* A BatchNormalization before opset 14 whose running-statistics outputs (1..4) exist
 * but nothing reads. ONNX takes any such output as training mode (batch statistics),
 * which makes a sample's score depend on its batch; an inference model never wants
 * that, and exporters (PyTorch's, Salient's training graphs) leave them unread. */
gboolean sal_bn_outputs_unused (const SalGraph *graph, const SalNode *node, const int *readers);
/* Drops those outputs, so the node normalises with its running statistics (file
 * loads; the builder's training graphs keep them). Returns the number of nodes changed. */
guint    sal_graph_drop_unused_bn_outputs (SalGraph *graph);

G_END_DECLS
