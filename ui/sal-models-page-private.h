/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Shared by the two files of SalModelsPage: sal-models-page.c (library, model detail,
 * import, removal) and sal-models-jobs.c (self-check and benchmark jobs, the job monitor
 * on the application's queue). */

#include <adwaita.h>

#include "sal-store.h"

#include "sal-application.h"
#include "sal-job-queue.h"
#include "sal-models-page.h"

G_BEGIN_DECLS

struct _SalModelsPage
{
  AdwBin         parent_instance;

  AdwToastOverlay *toasts;
  GtkStack      *stack;
  GtkListBox    *model_list;
  AdwActionRow  *threads_row;
  AdwActionRow  *memory_row;
  GtkListBox    *job_list;
  GtkLabel      *detail_title;
  GtkBox        *detail_box;

  SalStore      *store;
  SalJobQueue   *jobs;            /* the application's one queue, once known */
  GHashTable    *owned_jobs;      /* ids of the jobs this page started (and their retries) */
  SalModelRecord *current;        /* the model shown in the detail page */
  GCancellable  *detail_cancellable;
  AdwActionRow  *check_row;       /* in the detail page, while shown */
  AdwActionRow  *bench_row;
  GHashTable    *check_texts;     /* model id → last self-check text */
  GHashTable    *bench_texts;     /* model id → last benchmark text */
  gint64         pending_remove;  /* model hidden, waiting for its undo toast to go */
  AdwToast      *remove_toast;
  GtkWindow     *last_dialog;     /* weak; the last dialog shown, for tests */
};

/* The import job's result (a GStrv). */
enum {
  IMPORT_NAME, IMPORT_SHA256, IMPORT_PATH, IMPORT_KIND, IMPORT_LABELS, IMPORT_PREPROCESS,
  IMPORT_N_CLASSES, IMPORT_CHANNELS, IMPORT_HEIGHT, IMPORT_WIDTH, IMPORT_N
};

void            sal_models_page_toast                 (SalModelsPage *self,
                                                       const char    *text);
SalApplication *sal_models_page_get_app               (SalModelsPage *self);
void            sal_models_page_set_row_text          (AdwActionRow  *row,
                                                       const char    *text);
void            sal_models_page_update_engine_status  (SalModelsPage *self);
/* A finished import job of this page: describe dialog, refusal dialog or added. */
void            sal_models_page_import_finished       (SalModelsPage *self,
                                                       SalJob        *job);
/* The application's one queue, bound to the monitor on first use; NULL outside an
 * application window. */
SalJobQueue    *sal_models_page_ensure_jobs           (SalModelsPage *self);
/* Queues @job (its params for the jobs table) as one of this page's. */
void            sal_models_page_start_job             (SalModelsPage *self,
                                                       SalJob        *job,
                                                       GVariant      *params);
void            sal_models_page_self_check_action     (GtkWidget     *widget,
                                                       const char    *name,
                                                       GVariant      *param);
void            sal_models_page_benchmark_action      (GtkWidget     *widget,
                                                       const char    *name,
                                                       GVariant      *param);
void            sal_models_page_clear_finished_action (GtkWidget     *widget,
                                                       const char    *name,
                                                       GVariant      *param);

G_END_DECLS
