/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

typedef struct _SalStore SalStore;
typedef struct _SalJobQueue SalJobQueue;

#define SAL_TYPE_MODELS_PAGE (sal_models_page_get_type ())
G_DECLARE_FINAL_TYPE (SalModelsPage, sal_models_page, SAL, MODELS_PAGE, AdwBin)

GtkWidget   *sal_models_page_new             (void);
/* Normally the page opens the application's store when first shown. */
void         sal_models_page_set_store       (SalModelsPage *self,
                                              SalStore      *store);
/* Validates @file in a background job; adds it to the library, or shows why not. */
void         sal_models_page_import_file     (SalModelsPage *self,
                                              GFile         *file);
void         sal_models_page_open_model      (SalModelsPage *self,
                                              gint64         id);
/* TRUE once the opened model's details are shown. */
gboolean     sal_models_page_detail_ready    (SalModelsPage *self);
SalJobQueue *sal_models_page_get_job_queue   (SalModelsPage *self);
/* Models listed in the library. */
guint        sal_models_page_get_n_models    (SalModelsPage *self);
/* The last dialog shown (refusal, describe, removal kept; for tests), or NULL. */
GtkWindow   *sal_models_page_get_last_dialog (SalModelsPage *self);
/* Ends the undo time of a removal now (as when its toast times out): the model leaves
 * the store. */
void         sal_models_page_commit_removals (SalModelsPage *self);
/* The opened model's self-check and benchmark rows' text (for tests); NULL before
 * they ran. */
const char  *sal_models_page_get_check_text  (SalModelsPage *self);
const char  *sal_models_page_get_bench_text  (SalModelsPage *self);

G_END_DECLS
