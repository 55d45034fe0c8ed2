/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Builds a model in memory, without ONNX bytes: for training recipes and
 * tests. Names refer to values as in ONNX; the finished model goes through
 * the same checks as a loaded file. Node attributes are set on the returned
 * SalNode with the sal_node_set_* functions of sal-node.h. */

#include <glib.h>
#include "sal-model.h"
#include "sal-node.h"

G_BEGIN_DECLS

typedef struct _SalGraphBuilder SalGraphBuilder;

/* `opset`: the ONNX opset the nodes follow (11..17). */
SalGraphBuilder *sal_graph_builder_new             (int opset);
void             sal_graph_builder_free            (SalGraphBuilder *builder);
/* dims: -1 for a dynamic dimension. */
void             sal_graph_builder_add_input       (SalGraphBuilder *builder, const char *name,
                                                    SalDType dtype, int rank, const int64_t *dims);
/* Copies `tensor`. */
void             sal_graph_builder_add_initializer (SalGraphBuilder *builder, const char *name,
                                                    const SalTensor *tensor);
/* Input and output names: NULL or "" for an absent optional one. The node
 * belongs to the builder. */
SalNode         *sal_graph_builder_add_node        (SalGraphBuilder *builder, const char *op_type,
                                                    const char *name,
                                                    int n_inputs, const char *const *inputs,
                                                    int n_outputs, const char *const *outputs);
void             sal_graph_builder_add_output      (SalGraphBuilder *builder, const char *name);
/* Declares a value's type (for outputs: exported files then carry it, as
 * ONNX checkers and onnxruntime want). dims: -1 for a dynamic dimension. */
void             sal_graph_builder_set_value_type (SalGraphBuilder *builder, const char *name,
                                                   SalDType dtype, int rank, const int64_t *dims);
void             sal_graph_builder_set_metadata    (SalGraphBuilder *builder, const char *key,
                                                    const char *value);
/* Checks and loads the graph; the builder is spent either way (free it after). */
SalModel        *sal_graph_builder_finish          (SalGraphBuilder *builder, GError **error);

/* Serializes a model to ONNX ModelProto bytes (what the training recipes export). */
GBytes          *sal_model_save_bytes              (SalModel *model, GError **error);
gboolean         sal_model_save_file               (SalModel *model, const char *path,
                                                    GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SalGraphBuilder, sal_graph_builder_free)

G_END_DECLS
