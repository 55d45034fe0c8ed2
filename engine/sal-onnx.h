/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* ONNX protobuf <-> SalGraph, engine-private. */

#include <glib.h>
#include "sal-graph.h"
#include "sal-model.h"

G_BEGIN_DECLS

#define SAL_ONNX_DEFAULT_MAX_FILE   ((gsize) 1 << 30)
#define SAL_ONNX_MAX_NESTING        48

/* Decodes a ModelProto into a graph that still needs sal_graph_finish()
 * (operators unresolved, order as in the file). `base_dir` is where external
 * data may be read from (NULL refuses external data). */
SalGraph *sal_onnx_read         (const guint8 *data, gsize len, const char *base_dir,
                                 const SalLoadOptions *options, GError **error);

/* The op types a ModelProto's main graph uses ("domain.Op" outside the default
 * domain), without converting anything else: for the conformance runner. */
GPtrArray *sal_onnx_peek_op_types (const guint8 *data, gsize len, GError **error);

/* Serializes a graph (as loaded or built) to ONNX ModelProto bytes. */
GBytes   *sal_onnx_write        (const SalGraph *graph, GError **error);

G_END_DECLS
