/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Loading models and running them. A SalModel is immutable once loaded and may
 * be shared by runs on several threads; a SalRun belongs to one thread at a time. */

#include <glib.h>
#include "sal-tensor.h"

G_BEGIN_DECLS

typedef struct _SalModel SalModel;
typedef struct _SalRun SalRun;

/* Limits for untrusted model files; zero fields take the defaults. */
typedef struct {
  gsize    max_file_bytes;     /* default 1 GiB */
  gsize    max_unpack_bytes;   /* memory for unpacking the protobuf; default 8 × file + 16 MiB */
  gboolean reject_nonfinite;   /* NaN/Inf weights fail the load instead of becoming warnings */
} SalLoadOptions;

/* Loads an ONNX file. External tensor data is read only from files inside the
 * model's folder (relative names, no "..", no symbolic links). */
SalModel   *sal_model_load_file       (const char *path, const SalLoadOptions *options,
                                       GError **error);
/* `base_dir` is where external data may be read from; NULL refuses external data. */
SalModel   *sal_model_load_bytes      (const guint8 *data, gsize len, const char *base_dir,
                                       const SalLoadOptions *options, GError **error);
SalModel   *sal_model_ref             (SalModel *model);
void        sal_model_unref           (SalModel *model);

/* What a graph input or output looks like. rank is -1 when the model does not
 * say; a dim of -1 is dynamic (any size, decided when the model runs). */
typedef struct {
  const char    *name;
  SalDType       dtype;
  int            rank;
  const int64_t *dims;
} SalValueInfo;

guint       sal_model_n_inputs        (const SalModel *model);
guint       sal_model_n_outputs       (const SalModel *model);
void        sal_model_get_input       (const SalModel *model, guint index, SalValueInfo *out);
void        sal_model_get_output      (const SalModel *model, guint index, SalValueInfo *out);
/* -1 when there is no such input / output. */
int         sal_model_find_input      (const SalModel *model, const char *name);
int         sal_model_find_output     (const SalModel *model, const char *name);
int         sal_model_opset           (const SalModel *model);
const char *sal_model_producer        (const SalModel *model);
guint       sal_model_n_nodes         (const SalModel *model);
/* The operator types used, sorted; NULL-terminated, free with g_free (not the strings). */
const char **sal_model_op_types       (const SalModel *model, guint *n_types);
/* Elements of the float32 weights (initializers and constants). */
int64_t     sal_model_parameter_count (const SalModel *model);
/* metadata_props, raw strings. The salient.* keys of DESIGN.md are checked at
 * load to be JSON of their kind (an array for salient.labels...); their
 * contents are app/'s business. */
const char *sal_model_get_metadata    (const SalModel *model, const char *key);
guint       sal_model_n_metadata      (const SalModel *model);
void        sal_model_get_metadata_entry (const SalModel *model, guint index,
                                          const char **key, const char **value);
/* Non-fatal findings of the load, one sentence each ("weight “w” holds 3 NaN
 * and 0 infinite values"): a model with non-finite weights still loads unless
 * SalLoadOptions.reject_nonfinite is set. NULL-terminated, owned by the model. */
const char *const *sal_model_warnings (const SalModel *model, guint *n_warnings);
/* Bytes of engine memory the model holds: weights, folded constants, prepared
 * (repacked) weights. */
gint64      sal_model_bytes_held      (const SalModel *model);

/* Polled between nodes (and by long operators): return TRUE to stop the run,
 * which then fails with SAL_ERROR_CANCELLED. Called on the running thread. */
typedef gboolean (*SalCancelFunc)   (gpointer user_data);
/* Called on the running thread after each node with the fraction done (0..1]:
 * keep it cheap and throttle anything that touches a UI. */
typedef void     (*SalProgressFunc) (double fraction, gpointer user_data);

/* A reusable run: planned for the shapes of its inputs at the first execute,
 * planned again only when an input shape changes (or, for models whose shapes
 * depend on integer input values, when those values change). A planned run
 * executes without allocating. */
SalRun     *sal_run_new               (SalModel *model);
void        sal_run_free              (SalRun *run);
SalModel   *sal_run_get_model         (SalRun *run);
/* Engine threads for this run; 0 (the default) means cores - 1, at least 1. */
void        sal_run_set_threads       (SalRun *run, int n_threads);
void        sal_run_set_callbacks     (SalRun *run, SalCancelFunc cancel, SalProgressFunc progress,
                                       gpointer user_data);
/* Training mode for Dropout and BatchNormalization; `rng` (borrowed, seeded
 * by the caller) draws the dropout masks. Off by default. */
void        sal_run_set_training      (SalRun *run, gboolean training, GRand *rng);
/* Keeps the named intermediate value alive after the run so sal_run_get_value
 * can return it (for explanations). Takes effect at the next execute. */
gboolean    sal_run_keep_value        (SalRun *run, const char *name, GError **error);
/* Keeps every value and each node's workspace (for the backward pass). */
void        sal_run_keep_all          (SalRun *run, gboolean keep_all);
/* Borrows `tensor` (not copied) until the next sal_run_execute returns. Its
 * dtype must match the input's; its shape must fit the declared one. */
gboolean    sal_run_set_input         (SalRun *run, guint index, const SalTensor *tensor,
                                       GError **error);
gboolean    sal_run_set_input_by_name (SalRun *run, const char *name, const SalTensor *tensor,
                                       GError **error);
gboolean    sal_run_execute           (SalRun *run, GError **error);
/* Valid until the next execute or free. */
const SalTensor *sal_run_get_output   (SalRun *run, guint index);
/* Inputs, weights, outputs, and values kept with sal_run_keep_value; NULL otherwise. */
const SalTensor *sal_run_get_value    (SalRun *run, const char *name);
/* Bytes of engine memory the run holds (activation arena, plan-time constants). */
gint64      sal_run_bytes_held        (SalRun *run);
/* How many times the run has been planned (for tests of re-planning). */
guint       sal_run_n_plans           (SalRun *run);

/* Reads a serialized ONNX TensorProto (a test case's input_0.pb). */
SalTensor  *sal_tensor_load_pb        (const guint8 *data, gsize len, char **name,
                                       GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SalModel, sal_model_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SalRun, sal_run_free)

G_END_DECLS
