/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What a person should see about a model file before trusting it: read on a worker
 * thread (it loads the model with the engine's hostile-file checks), shown by the UI. */
typedef struct {
  char      *path;
  char      *name;          /* file name without .onnx */
  gint64     file_size;
  char      *sha256;
  char      *task;          /* salient.task or NULL */
  char      *input_kind;    /* salient.input_kind or NULL */
  char      *labels;        /* salient.labels, joined with ", ", or NULL */
  char      *preprocess;    /* salient.preprocess (JSON) or NULL */
  char      *card;          /* Markdown: the .md next to the file, else salient.card */
  GPtrArray *inputs;        /* "name  float32 [1, 30]" */
  GPtrArray *outputs;
  char      *op_types;      /* "Gemm, Relu, Softmax" */
  guint      n_nodes;
  int        opset;
  char      *producer;
  gint64     n_parameters;
  gint64     bytes_held;    /* memory the loaded model held */
  GPtrArray *warnings;
  double     test_run_ms;   /* < 0 when no test run was made */
  int        n_classes;     /* last dimension of the first output, 0 when not fixed */
  int        image_channels;  /* the first input as an image [N, C, H, W]: 0 when it is not */
  int        image_height;
  int        image_width;
} SalModelInfo;

void          sal_model_info_free (SalModelInfo *info);

/* Loads @path (refusing hostile files and unsupported operators, with the engine's
 * message) and, when @test_run, runs one inference on a generated input of each
 * input's shape (free dimensions as 1) and checks the outputs are finite. */
SalModelInfo *sal_model_info_load (const char *path,
                                   gboolean    test_run,
                                   GError    **error);

/* As sal_model_info_load, with what the user stored for the model (see
 * sal_model_apply_stored_metadata) laid over the file's metadata. */
SalModelInfo *sal_model_info_load_with_metadata (const char *path,
                                                 const char *metadata_json,
                                                 gboolean    test_run,
                                                 GError    **error);

/* Bytes the engine's allocator holds now, and at most so far. */
void          sal_model_info_engine_memory (gint64 *bytes_live,
                                            gint64 *bytes_peak);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SalModelInfo, sal_model_info_free)

G_END_DECLS
