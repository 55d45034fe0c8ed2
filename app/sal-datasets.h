/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Training data for the recipes (data/models/recipes/). A data source is a
 * named loader in a registry (sal-datasets.c): "wdbc" reads the committed CSV,
 * "athletes" simulates athletes. Other sources ("phantoms", "notes") add a
 * line to the table and their loader in their own file. */

#include <glib.h>
#include "sal-tensor.h"

G_BEGIN_DECLS

/* One tabular input column, as it appears in salient.features. */
typedef struct {
  char   *name;
  char   *unit;
  char   *group;    /* rows of one group are explained together (grouped Shapley) */
  double  min, max; /* over the dataset's rows */
} SalFeature;

typedef struct {
  char      *source;       /* the registry id */
  char      *task;         /* "classification" or "regression" */
  char      *input_kind;   /* "measurements", "fitness", "image", "note" */
  GStrv      labels;       /* class names in output order; regression: the one output's name */
  GPtrArray *features;     /* SalFeature*; empty for non-tabular inputs */
  SalTensor *x;            /* [N, ...] float (or int64 token ids) */
  SalTensor *y;            /* int64 [N] classes, or float [N, 1] */
  int       *split;        /* [N] 0 = training, k > 0 = held-out set k (split_names[k]) */
  GStrv      split_names;  /* "train", "test", ... */
  int       *group_of_row; /* [N] e.g. athlete index; NULL when rows are independent */
  char      *description;  /* data, origin and licence: one paragraph for cards and provenance */
  char      *licence;      /* SPDX id or short text */
  char      *params_json;  /* the source's parameters (seeds, counts) as a JSON object */
} SalDataset;

void        sal_dataset_free      (SalDataset *data);
SalDataset *sal_dataset_new       (const char *source, const char *task, const char *input_kind);
int64_t     sal_dataset_n_rows    (const SalDataset *data);
int         sal_dataset_n_classes (const SalDataset *data);   /* 0 for regression */
/* Sets every feature's min and max from the rows of x (2-D float x only). */
void        sal_dataset_compute_ranges (SalDataset *data);
void        sal_dataset_add_feature    (SalDataset *data, const char *name, const char *unit,
                                        const char *group);

/* A data source reads its options from `group` of the recipe (e.g. "data");
 * relative paths are resolved against `data_dir` (the project's data/ folder). */
typedef SalDataset *(*SalDatasetLoadFunc) (GKeyFile *recipe, const char *group,
                                           const char *data_dir, GError **error);

typedef struct {
  const char         *id;
  const char         *summary;
  SalDatasetLoadFunc  load;
} SalDatasetSource;

const SalDatasetSource *sal_dataset_sources (guint *n_sources);
SalDataset *sal_dataset_load (const char *source, GKeyFile *recipe, const char *group,
                              const char *data_dir, GError **error);

/* Loaders of the registry. */
SalDataset *sal_dataset_load_wdbc     (GKeyFile *recipe, const char *group, const char *data_dir,
                                       GError **error);
SalDataset *sal_dataset_load_athletes (GKeyFile *recipe, const char *group, const char *data_dir,
                                       GError **error);   /* sal-readiness.c */

/* Where Salient's data/ folder is: $SALIENT_DATA_DIR, else the installed
 * pkgdatadir when it holds models/, else the source tree's data/ (uninstalled). */
const char *sal_data_dir       (void);
/* data_dir/models: the shipped .onnx files and their cards. */
char       *sal_shipped_models_dir (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SalDataset, sal_dataset_free)

G_END_DECLS
