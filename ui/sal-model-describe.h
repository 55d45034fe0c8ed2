/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* What an imported model's file does not say about itself and the user must: the
 * input kind, the class labels and, for images, the preprocessing. The dialog asks only
 * for what is missing; responses "import" and "cancel". */
typedef struct {
  gboolean need_kind;
  gboolean need_labels;
  gboolean need_preprocess;     /* asked when the kind is (or is chosen as) image */
  const char *input_kind;       /* the file's, when it has one */
  int      n_classes;           /* labels expected, 0 when unknown */
  int      image_channels;      /* the first input as [N, C, H, W], 0 when it is not */
  int      image_height;
  int      image_width;
} SalModelDescribeNeeds;

GtkWidget *sal_model_describe_dialog_new      (GtkWindow                   *parent,
                                               const char                  *model_name,
                                               const SalModelDescribeNeeds *needs);
/* The answers as the store's metadata_json object (see sal_model_apply_stored_metadata),
 * or NULL with `error` saying what to correct (e.g. the number of labels). */
char      *sal_model_describe_dialog_get_json (GtkWidget *dialog,
                                               GError   **error);

G_END_DECLS
