/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Training recipes (data/models/recipes/<id>.recipe, GKeyFile; the format is
 * documented in data/models/recipes/README.md): parse and check a recipe,
 * build its architecture with the engine's graph builder, train, evaluate
 * (cross-validation or the source's held-out sets) and export the ONNX file
 * with Salient's metadata and the model card. */

#include <glib.h>
#include "sal-datasets.h"
#include "sal-graph-builder.h"
#include "sal-model.h"
#include "sal-train.h"

G_BEGIN_DECLS

typedef struct {
  char          *path;          /* the recipe file, or NULL when parsed from text */
  char          *text;          /* the recipe as written (goes into salient.provenance) */
  GKeyFile      *kf;
  char          *id;            /* [recipe] id */
  char          *name;          /* [recipe] name */
  char          *output;        /* [recipe] output: the .onnx, relative to the recipe's models dir */
  char          *card;          /* [recipe] card: card template (Markdown with @METRICS@ etc.) */
  char          *source;        /* [data] source */
  char          *evaluation;    /* [data] evaluation: "cv" or "holdout" */
  int            cv_folds, cv_repeats;
  char          *architecture;  /* [model] architecture */
  gboolean       standardise;   /* [model] standardise: z-score tabular inputs inside the model */
  SalTrainConfig train;         /* [train] loss, optimizer, schedule, epochs, batch, ... */
  int            n_threads;     /* [train] threads (default 1: reproducible summation order) */
} SalRecipe;

void       sal_recipe_free        (SalRecipe *recipe);
/* `path` is used in messages and to find the card template (same folder). */
SalRecipe *sal_recipe_new_from_data (const char *text, const char *path, GError **error);
SalRecipe *sal_recipe_new_from_file (const char *path, GError **error);

/* Architectures: a builder declares the graph input(s) and one output
 * ("logits" for classification, "prediction" for regression) from the
 * recipe's [model] group and the dataset's shape. Add a line to the table in
 * sal-recipe.c per architecture (cnn, gru-attention...). `first_dense` names
 * the Gemm whose weights absorb tabular standardisation (NULL: none). */
typedef gboolean (*SalArchBuildFunc) (SalGraphBuilder *builder, GKeyFile *kf, const char *group,
                                      const SalDataset *data, GRand *rng, GError **error);
typedef struct {
  const char       *id;
  SalArchBuildFunc  build;
  const char       *first_dense;
} SalArchitecture;

const SalArchitecture *sal_architectures (guint *n);
const SalArchitecture *sal_architecture_find (const char *id);
gboolean sal_arch_build_mlp (SalGraphBuilder *b, GKeyFile *kf, const char *group,
                             const SalDataset *data, GRand *rng, GError **error);

/* A dense layer "name": Gemm(transB=1) with weights "name.weight" [out, in] and
 * "name.bias" [out], Kaiming-uniform initial weights from rng. For builders. */
void sal_arch_add_dense (SalGraphBuilder *b, GRand *rng, const char *name, const char *in,
                         const char *out, int n_in, int n_out, const char *activation);

/* Builds the recipe's untrained model for `data`, seeded with `seed`. */
SalModel *sal_recipe_build_model (const SalRecipe *recipe, const SalDataset *data, guint32 seed,
                                  GError **error);

/* Standardisation of tabular inputs, folded into the first dense layer so the
 * model takes raw feature values: W' = W / sd, b' = b − W'·mean. `inverse`
 * undoes it (for fine-tuning on standardised inputs). */
gboolean sal_model_fold_standardisation (SalModel *model, const char *layer, const double *mean,
                                         const double *sd, int n, gboolean inverse, GError **error);

typedef struct {
  SalTrainProgressFunc progress;
  SalCancelFunc        cancel;
  gpointer             user_data;
  int                  max_epochs;   /* > 0: cap the recipe's epochs (short runs in tests) */
} SalRecipeRunOptions;

/* Trains a fresh model on the rows `rows[0..n)` of data (all rows when rows is
 * NULL) and returns it ready for raw inputs. mean/sd (n_features each, may be
 * NULL) receive the standardisation used. */
SalModel *sal_recipe_fit (const SalRecipe *recipe, const SalDataset *data, const int *rows, int n,
                          const SalRecipeRunOptions *opts, guint32 seed, double *mean, double *sd,
                          SalTrainResult *result, GError **error);

/* Metrics of predictions against data's targets on rows: accuracy, roc_auc
 * (binary, or macro one-vs-rest), macro_f1 for classification; mae, rmse for
 * regression. Adds "name" → value to `metrics` (a double-valued table). */
gboolean sal_recipe_score (const SalDataset *data, SalModel *model, const int *rows, int n,
                           const char *prefix, GHashTable *metrics, GError **error);

/* Area under the ROC curve of scores for the positive class (ties count ½). NAN
 * when one class is absent. */
double   sal_roc_auc (const double *score, const int *positive, int n);

/* Evaluation as the recipe says: "cv" — repeated stratified K-fold (the mean
 * and standard deviation of each metric over all folds: "cv_accuracy_mean"...),
 * "holdout" — train on the training split, score each held-out split
 * ("test_mae"..., and "test_baseline_mae" for regression: predicting the
 * training mean). Returns a table of name → double* (g_free'd). */
GHashTable *sal_recipe_evaluate (const SalRecipe *recipe, const SalDataset *data,
                                 const SalRecipeRunOptions *opts, GError **error);

/* The shipped model: trained on the training split (for "cv": all rows), with
 * metadata_props (salient.task, input_kind, labels, features, card, provenance)
 * set. `metrics` (from sal_recipe_evaluate, may be NULL) go into the card and
 * provenance; for "holdout" the final model's held-out scores are added to
 * it. *card_out receives the card text. */
SalModel *sal_recipe_train_final (const SalRecipe *recipe, const SalDataset *data,
                                  GHashTable *metrics, const SalRecipeRunOptions *opts,
                                  char **card_out, GError **error);

/* Loads the recipe's data source with the recipe's [data] group. */
SalDataset *sal_recipe_load_data (const SalRecipe *recipe, GError **error);

/* The output path: the recipe's `output` relative to the recipe folder's parent
 * (data/models/recipes/x.recipe → data/models/x.onnx). */
char *sal_recipe_output_path (const SalRecipe *recipe);

/* Metric table helpers. */
GHashTable *sal_metrics_new  (void);
void        sal_metrics_set  (GHashTable *metrics, const char *name, double value);
double      sal_metrics_get  (GHashTable *metrics, const char *name);   /* NAN when absent */
/* {"name": value, ...} sorted by name. */
char       *sal_metrics_to_json (GHashTable *metrics);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SalRecipe, sal_recipe_free)

G_END_DECLS
