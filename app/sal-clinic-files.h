/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The Clinic's file and first-run work, as SalJobs for the job queue: importing PNG
 * files into a case (all or nothing), seeding the demo cases once per database, and
 * writing a case report (PDF). */

#include "sal-store.h"

#include "sal-job.h"

G_BEGIN_DECLS

/* Result of the jobs below. */
typedef struct {
  gint64 case_id;     /* the case imported into or reported on; 0 for the demo seed */
  guint  n_added;     /* images imported, or demo cases added (0: the demo was seeded before) */
} SalClinicFilesResult;

#define SAL_TYPE_CLINIC_FILES_RESULT (sal_clinic_files_result_get_type ())
GType                 sal_clinic_files_result_get_type (void) G_GNUC_CONST;
SalClinicFilesResult *sal_clinic_files_result_copy     (const SalClinicFilesResult *r);
void                  sal_clinic_files_result_free     (SalClinicFilesResult *r);

/* Decodes the PNG files (8- or 16-bit, any colour type) and stores them in case_id, or
 * in a new case titled `title` when case_id is 0, in one transaction: a file that is
 * not a readable PNG is an error naming it, and then nothing is stored. */
SalJob *sal_clinic_import_job_new (SalStore           *store,
                                   gint64              case_id,
                                   const char         *title,
                                   const char * const *paths);

/* Seeds the Clinic's demo cases (sal-demo-clinic.h) the first time this database is
 * used — remembered in the database, so removed demo data stays removed. wdbc_csv: the
 * measurement rows' source, or NULL. */
SalJob *sal_clinic_demo_job_new   (SalStore   *store,
                                   const char *wdbc_csv);

/* Writes the case report to out_path (see sal-report.h: a temporary file renamed into
 * place, so a failed or cancelled export leaves nothing behind). models_dir may be NULL. */
SalJob *sal_clinic_report_job_new (SalStore   *store,
                                   gint64      case_id,
                                   const char *models_dir,
                                   const char *out_path);

/* Whether the file's name says it is a PNG image, or a text file that can become a
 * note (by extension; the importers check the content). */
gboolean sal_clinic_file_is_image (const char *path);
gboolean sal_clinic_file_is_text  (const char *path);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SalClinicFilesResult, sal_clinic_files_result_free)

G_END_DECLS
