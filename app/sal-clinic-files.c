/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-clinic"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sal-clinic-files.h"

#include "sal-audit.h"
#include "sal-demo-clinic.h"
#include "sal-report.h"
#include "sal-store-once.h"

/* The key under which the audit log remembers that the demo cases were seeded. */
#define DEMO_ONCE_KEY "clinic-demo"

G_DEFINE_BOXED_TYPE (SalClinicFilesResult, sal_clinic_files_result, sal_clinic_files_result_copy,
                     sal_clinic_files_result_free)

SalClinicFilesResult *
sal_clinic_files_result_copy (const SalClinicFilesResult *r)
{
  return g_memdup2 (r, sizeof *r);
}

void
sal_clinic_files_result_free (SalClinicFilesResult *r)
{
  g_free (r);
}

/* Inputs of all three jobs: each job's own copy. */
typedef struct {
  SalStore *store;
  gint64    case_id;
  char     *title;
  char    **paths;
  char     *csv;
  char     *models_dir;
  char     *out_path;
} JobIn;

static gpointer
job_in_copy (gpointer data)
{
  const JobIn *in = data;
  JobIn *c = g_new0 (JobIn, 1);

  c->store = sal_store_ref (in->store);
  c->case_id = in->case_id;
  c->title = g_strdup (in->title);
  c->paths = g_strdupv (in->paths);
  c->csv = g_strdup (in->csv);
  c->models_dir = g_strdup (in->models_dir);
  c->out_path = g_strdup (in->out_path);
  return c;
}

static void
job_in_free (gpointer data)
{
  JobIn *in = data;

  if (in == NULL)
    return;
  sal_store_unref (in->store);
  g_free (in->title);
  g_strfreev (in->paths);
  g_free (in->csv);
  g_free (in->models_dir);
  g_free (in->out_path);
  g_free (in);
}

static gboolean
has_suffix (const char *path, const char * const *suffixes)
{
  g_autofree char *lower = g_ascii_strdown (path, -1);

  for (guint i = 0; suffixes[i] != NULL; i++)
    if (g_str_has_suffix (lower, suffixes[i]))
      return TRUE;
  return FALSE;
}

gboolean
sal_clinic_file_is_image (const char *path)
{
  static const char * const png[] = { ".png", NULL };

  return path != NULL && has_suffix (path, png);
}

gboolean
sal_clinic_file_is_text (const char *path)
{
  static const char * const text[] = { ".txt", ".text", ".md", ".note", NULL };

  return path != NULL && has_suffix (path, text);
}

/* ---- import ---------------------------------------------------------------------- */

typedef struct {
  JobIn                *in;
  GPtrArray            *images;   /* of SalImage */
  SalClinicFilesResult *result;
} ImportTxn;

static gboolean
import_txn (SalStore *store, gpointer user_data, GError **error)
{
  ImportTxn *t = user_data;
  gint64 case_id = t->in->case_id;

  if (case_id == 0)
    {
      case_id = sal_store_add_case (store, NULL, t->in->title, FALSE, error);
      if (case_id == 0)
        return FALSE;
    }
  for (guint i = 0; i < t->images->len; i++)
    {
      g_autofree char *name = g_path_get_basename (t->in->paths[i]);
      g_autofree char *object = NULL;
      gint64 id = sal_store_add_image (store, case_id, name, t->images->pdata[i], error);

      if (id == 0)
        return FALSE;
      object = g_strdup_printf ("image/%" G_GINT64_FORMAT, id);
      if (!sal_audit_append (store, "import", object, error))
        return FALSE;
    }
  t->result->case_id = case_id;
  t->result->n_added = t->images->len;
  return TRUE;
}

static gpointer
import_run (SalJob *job, gpointer inputs, GCancellable *cancellable, GError **error)
{
  JobIn *in = inputs;
  g_autoptr(GPtrArray) images = g_ptr_array_new_with_free_func ((GDestroyNotify) sal_image_free);
  g_autoptr(SalClinicFilesResult) r = g_new0 (SalClinicFilesResult, 1);
  SalImageLimits limits = { 0 };
  guint n = g_strv_length (in->paths);
  ImportTxn t = { in, images, r };

  if (n == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("No images were given to import"));
      return NULL;
    }
  limits.cancellable = cancellable;
  for (guint i = 0; i < n; i++)
    {
      SalImage *img = sal_image_load_png (in->paths[i], &limits, error);

      if (img == NULL)
        return NULL;
      g_ptr_array_add (images, img);
      sal_job_report_progress (job, (i + 1.0) / (n + 1.0), NULL);
    }
  /* The last point of no return: a cancelled import stores nothing. */
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  if (!sal_store_run_in_transaction (in->store, import_txn, &t, error))
    return NULL;
  sal_job_report_progress (job, 1.0, NULL);
  return g_steal_pointer (&r);
}

SalJob *
sal_clinic_import_job_new (SalStore           *store,
                           gint64              case_id,
                           const char         *title,
                           const char * const *paths)
{
  JobIn in = { store, case_id, (char *) title, (char **) paths, NULL, NULL, NULL };

  g_return_val_if_fail (store != NULL && paths != NULL, NULL);
  g_return_val_if_fail (case_id != 0 || title != NULL, NULL);
  return sal_job_new ("clinic-import", _("Importing images"), SAL_JOB_PRIORITY_INTERACTIVE,
                      SAL_TYPE_CLINIC_FILES_RESULT, import_run, job_in_copy (&in), job_in_copy,
                      job_in_free);
}

/* ---- demo seed ------------------------------------------------------------------- */

typedef struct {
  const char *csv;
  guint       n_cases;
} DemoTxn;

static gboolean
demo_txn (SalStore *store, gpointer user_data, GError **error)
{
  DemoTxn *d = user_data;

  return sal_demo_clinic_seed (store, d->csv, &d->n_cases, error);
}

static gpointer
demo_run (SalJob *job, gpointer inputs, GCancellable *cancellable, GError **error)
{
  JobIn *in = inputs;
  g_autoptr(SalClinicFilesResult) r = g_new0 (SalClinicFilesResult, 1);
  DemoTxn d = { in->csv, 0 };

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  if (!sal_store_run_once (in->store, DEMO_ONCE_KEY, demo_txn, &d, NULL, error))
    return NULL;
  r->n_added = d.n_cases;
  return g_steal_pointer (&r);
}

SalJob *
sal_clinic_demo_job_new (SalStore *store, const char *wdbc_csv)
{
  JobIn in = { store, 0, NULL, NULL, (char *) wdbc_csv, NULL, NULL };

  g_return_val_if_fail (store != NULL, NULL);
  return sal_job_new ("clinic-demo", _("Adding the demo cases"), SAL_JOB_PRIORITY_INTERACTIVE,
                      SAL_TYPE_CLINIC_FILES_RESULT, demo_run, job_in_copy (&in), job_in_copy,
                      job_in_free);
}

/* ---- report ---------------------------------------------------------------------- */

static gpointer
report_run (SalJob *job, gpointer inputs, GCancellable *cancellable, GError **error)
{
  JobIn *in = inputs;
  g_autoptr(SalClinicFilesResult) r = g_new0 (SalClinicFilesResult, 1);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  if (!sal_report_write_case (in->store, in->case_id, in->models_dir, in->out_path, error))
    return NULL;
  r->case_id = in->case_id;
  sal_job_report_progress (job, 1.0, NULL);
  return g_steal_pointer (&r);
}

SalJob *
sal_clinic_report_job_new (SalStore   *store,
                           gint64      case_id,
                           const char *models_dir,
                           const char *out_path)
{
  JobIn in = { store, case_id, NULL, NULL, NULL, (char *) models_dir, (char *) out_path };

  g_return_val_if_fail (store != NULL && case_id > 0 && out_path != NULL, NULL);
  return sal_job_new ("clinic-report", _("Writing the case report"), SAL_JOB_PRIORITY_INTERACTIVE,
                      SAL_TYPE_CLINIC_FILES_RESULT, report_run, job_in_copy (&in), job_in_copy,
                      job_in_free);
}
