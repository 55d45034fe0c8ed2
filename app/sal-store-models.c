/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Models, jobs and explanation results. */
#define G_LOG_DOMAIN "sal-store"


#include "config.h"
#include <inttypes.h>

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <string.h>
#include <unistd.h>

#include "sal-store-private.h"

/* ---- models ----------------------------------------------------------------------- */

void
sal_model_record_free (SalModelRecord *m)
{
  if (m == NULL)
    return;
  g_free (m->name);
  g_free (m->path);
  g_free (m->sha256);
  g_free (m->metadata_json);
  g_free (m);
}

char *
sal_file_sha256 (const char *path, GError **error)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) in = g_file_read (file, NULL, error);
  g_autofree guchar *buf = g_malloc (64 * 1024);
  gssize n;

  if (in == NULL)
    return NULL;
  while ((n = g_input_stream_read (G_INPUT_STREAM (in), buf, 64 * 1024, NULL, error)) > 0)
    g_checksum_update (sum, buf, n);
  if (n < 0)
    return NULL;
  return g_strdup (g_checksum_get_string (sum));
}

static gint64
put_model_locked (SalStore    *store,
                  const char  *name,
                  const char  *path,
                  const char  *sha256,
                  gboolean     shipped,
                  const char  *metadata_json,
                  GError     **error)
{
  sqlite3_stmt *stmt;
  gint64 id = 0;
  int rc;

  stmt = sal_store_stmt (store, "INSERT INTO models (name, path, sha256, shipped, metadata_json, "
                                "created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
                                "ON CONFLICT (name) DO UPDATE SET path = ?2, sha256 = ?3, "
                                "shipped = ?4, metadata_json = ?5 "
                                "RETURNING id", error);
  if (stmt == NULL)
    return 0;
  sal_bind_text (stmt, 1, name);
  sal_bind_text (stmt, 2, path);
  sal_bind_text (stmt, 3, sha256);
  sqlite3_bind_int (stmt, 4, shipped ? 1 : 0);
  sal_bind_text (stmt, 5, metadata_json != NULL ? metadata_json : "{}");
  sqlite3_bind_int64 (stmt, 6, sal_store_now_ms ());
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      id = sqlite3_column_int64 (stmt, 0);
      rc = sqlite3_step (stmt);
    }
  if (rc != SQLITE_DONE)
    {
      sal_store_fail (store, error, _("Could not save the model"));
      id = 0;
    }
  sqlite3_reset (stmt);
  return id;
}

gint64
sal_store_put_model (SalStore    *store,
                     const char  *name,
                     const char  *path,
                     const char  *sha256,
                     gboolean     shipped,
                     const char  *metadata_json,
                     GError     **error)
{
  SAL_STORE_LOCK (store);

  return put_model_locked (store, name, path, sha256, shipped, metadata_json, error);
}

#define MODEL_COLUMNS "id, name, path, sha256, shipped, metadata_json, created_ms"

static SalModelRecord *
model_from_row (sqlite3_stmt *stmt)
{
  SalModelRecord *m = g_new0 (SalModelRecord, 1);

  m->id = sqlite3_column_int64 (stmt, 0);
  m->name = sal_col_text (stmt, 1);
  m->path = sal_col_text (stmt, 2);
  m->sha256 = sal_col_text (stmt, 3);
  m->shipped = sqlite3_column_int (stmt, 4) != 0;
  m->metadata_json = sal_col_text (stmt, 5);
  m->created_ms = sqlite3_column_int64 (stmt, 6);
  return m;
}

static SalModelRecord *
get_model_by (SalStore *store, const char *sql, gint64 id, const char *sha256, GError **error)
{
  sqlite3_stmt *stmt = sal_store_stmt (store, sql, error);
  SalModelRecord *m;
  gboolean found;

  if (stmt == NULL)
    return NULL;
  if (sha256 != NULL)
    sal_bind_text (stmt, 1, sha256);
  else
    sqlite3_bind_int64 (stmt, 1, id);
  m = sal_store_get_row (store, stmt, (SalStoreRowFunc) model_from_row, &found, error,
                         _("Could not read the model"));
  if (!found && sha256 != NULL)
    g_set_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_NOT_FOUND,
                 _("There is no model with SHA-256 %s"), sha256);
  else if (!found)
    g_set_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_NOT_FOUND,
                 _("There is no model with id %" PRId64), id);
  return m;
}

SalModelRecord *
sal_store_get_model (SalStore *store, gint64 id, GError **error)
{
  SAL_STORE_LOCK (store);

  return get_model_by (store, "SELECT " MODEL_COLUMNS " FROM models WHERE id = ?", id, NULL,
                       error);
}

SalModelRecord *
sal_store_find_model_by_sha256 (SalStore *store, const char *sha256, GError **error)
{
  SAL_STORE_LOCK (store);

  return get_model_by (store, "SELECT " MODEL_COLUMNS " FROM models WHERE sha256 = ? "
                              "ORDER BY id LIMIT 1", 0, sha256, error);
}

GPtrArray *
sal_store_list_models (SalStore *store, GError **error)
{
  sqlite3_stmt *stmt;
  SAL_STORE_LOCK (store);

  stmt = sal_store_stmt (store, "SELECT " MODEL_COLUMNS " FROM models "
                                "ORDER BY shipped DESC, name", error);
  if (stmt == NULL)
    return NULL;
  return sal_store_collect (store, stmt, (SalStoreRowFunc) model_from_row,
                            (GDestroyNotify) sal_model_record_free, error,
                            _("Could not read the models"));
}

gboolean
sal_store_remove_model (SalStore *store, gint64 id, GError **error)
{
  sqlite3_stmt *stmt;
  SAL_STORE_LOCK (store);

  stmt = sal_store_stmt (store, "DELETE FROM models WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  if (!sal_store_step_done (store, stmt, error, _("Could not remove the model")))
    return FALSE;
  if (sal_store_changes (store) == 0)
    {
      g_set_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_NOT_FOUND,
                   _("There is no model with id %" PRId64), id);
      return FALSE;
    }
  return TRUE;
}

gboolean
sal_store_register_shipped_models (SalStore           *store,
                                   const char * const *paths,
                                   guint              *n_new,
                                   GError            **error)
{
  g_autoptr(GPtrArray) sums = g_ptr_array_new_with_free_func (g_free);
  guint added = 0;
  SAL_STORE_LOCK (store);

  /* Hash first, outside the transaction: it reads whole files. */
  for (guint i = 0; paths[i] != NULL; i++)
    {
      g_autoptr(GError) local = NULL;
      char *sum = sal_file_sha256 (paths[i], &local);

      if (sum == NULL)
        {
          g_set_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_NOT_FOUND,
                       _("Could not register the shipped model “%s”: %s"), paths[i],
                       local->message);
          return FALSE;
        }
      g_ptr_array_add (sums, sum);
    }

  if (!sal_store_begin (store, error))
    return FALSE;
  for (guint i = 0; paths[i] != NULL; i++)
    {
      g_autofree char *base = g_path_get_basename (paths[i]);
      g_autofree char *name = g_str_has_suffix (base, ".onnx")
                              ? g_strndup (base, strlen (base) - 5) : g_strdup (base);
      const char *sum = g_ptr_array_index (sums, i);
      g_autoptr(SalModelRecord) old = NULL;
      sqlite3_stmt *stmt;
      int rc;

      stmt = sal_store_stmt (store, "SELECT " MODEL_COLUMNS " FROM models WHERE name = ?", error);
      if (stmt == NULL)
        goto fail;
      sal_bind_text (stmt, 1, name);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        old = model_from_row (stmt);
      sqlite3_reset (stmt);
      if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        {
          sal_store_fail (store, error, _("Could not register the shipped models"));
          goto fail;
        }
      if (old != NULL && old->shipped && g_strcmp0 (old->sha256, sum) == 0
          && g_strcmp0 (old->path, paths[i]) == 0)
        continue;
      if (put_model_locked (store, name, paths[i], sum, TRUE,
                            old != NULL ? old->metadata_json : "{}", error) == 0)
        goto fail;
      if (old == NULL)
        added++;
    }
  if (!sal_store_commit (store, error))
    return FALSE;
  if (n_new != NULL)
    *n_new = added;
  return TRUE;

fail:
  sal_store_rollback (store);
  return FALSE;
}

gboolean
sal_store_register_models_in_dir (SalStore    *store,
                                  const char  *dir,
                                  guint       *n_new,
                                  GError     **error)
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) local = NULL;
  g_autoptr(GDir) d = g_dir_open (dir, 0, &local);
  const char *name;

  if (d == NULL)
    {
      g_set_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_NOT_FOUND,
                   _("Could not read the model folder: %s"), local->message);
      return FALSE;
    }
  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (name, ".onnx"))
      g_ptr_array_add (paths, g_build_filename (dir, name, NULL));
  g_ptr_array_sort (paths, (GCompareFunc) g_strcmp0);
  g_ptr_array_add (paths, NULL);
  return sal_store_register_shipped_models (store, (const char * const *) paths->pdata, n_new,
                                            error);
}

/* ---- jobs ------------------------------------------------------------------------- */

static const char * const job_states[] = {
  [SAL_JOB_QUEUED] = "queued",
  [SAL_JOB_RUNNING] = "running",
  [SAL_JOB_DONE] = "done",
  [SAL_JOB_FAILED] = "failed",
  [SAL_JOB_CANCELLED] = "cancelled",
  [SAL_JOB_INTERRUPTED] = "interrupted",
};

const char *
sal_store_job_state_to_string (SalStoreJobState state)
{
  g_return_val_if_fail ((guint) state < G_N_ELEMENTS (job_states), "failed");
  return job_states[state];
}

gboolean
sal_store_job_state_from_string (const char *s, SalStoreJobState *state)
{
  for (guint i = 0; i < G_N_ELEMENTS (job_states); i++)
    if (g_strcmp0 (s, job_states[i]) == 0)
      {
        *state = (SalStoreJobState) i;
        return TRUE;
      }
  return FALSE;
}

void
sal_job_record_free (SalJobRecord *j)
{
  if (j == NULL)
    return;
  g_free (j->kind);
  g_free (j->params_json);
  g_free (j->error);
  g_free (j->result_json);
  g_free (j);
}

gint64
sal_store_add_job (SalStore    *store,
                   const char  *kind,
                   const char  *params_json,
                   int          priority,
                   GError     **error)
{
  sqlite3_stmt *stmt;
  SAL_STORE_LOCK (store);

  stmt = sal_store_stmt (store, "INSERT INTO jobs (kind, params_json, priority, created_ms) "
                                "VALUES (?, ?, ?, ?)", error);
  if (stmt == NULL)
    return 0;
  sal_bind_text (stmt, 1, kind);
  sal_bind_text (stmt, 2, params_json != NULL ? params_json : "{}");
  sqlite3_bind_int (stmt, 3, priority);
  sqlite3_bind_int64 (stmt, 4, sal_store_now_ms ());
  if (!sal_store_step_done (store, stmt, error, _("Could not save the job")))
    return 0;
  return sqlite3_last_insert_rowid (store->db);
}

static gboolean
job_not_found (GError **error, gint64 id)
{
  g_set_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_NOT_FOUND,
               _("There is no job with id %" PRId64), id);
  return FALSE;
}

gboolean
sal_store_set_job_state (SalStore     *store,
                         gint64        id,
                         SalStoreJobState   state,
                         const char   *error_message,
                         const char   *result_json,
                         GError      **error)
{
  sqlite3_stmt *stmt;
  gint64 now = sal_store_now_ms ();
  gboolean finished = state == SAL_JOB_DONE || state == SAL_JOB_FAILED
                      || state == SAL_JOB_CANCELLED || state == SAL_JOB_INTERRUPTED;
  SAL_STORE_LOCK (store);

  stmt = sal_store_stmt (store, "UPDATE jobs SET state = ?1, error = ?2, "
                                "result_json = coalesce (?3, result_json), "
                                "progress = CASE WHEN ?1 = 'done' THEN 1.0 ELSE progress END, "
                                "started_ms = CASE WHEN ?1 = 'running' THEN ?4 "
                                "  ELSE started_ms END, "
                                "finished_ms = CASE WHEN ?5 THEN ?4 ELSE NULL END, "
                                "runner_pid = CASE WHEN ?1 = 'running' THEN ?7 ELSE runner_pid END, "
                                "runner_boot = CASE WHEN ?1 = 'running' THEN ?8 "
                                "  ELSE runner_boot END "
                                "WHERE id = ?6", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, sal_store_job_state_to_string (state), -1, SQLITE_STATIC);
  sal_bind_text (stmt, 2, error_message);
  sal_bind_text (stmt, 3, result_json);
  sqlite3_bind_int64 (stmt, 4, now);
  sqlite3_bind_int (stmt, 5, finished ? 1 : 0);
  sqlite3_bind_int64 (stmt, 6, id);
  sqlite3_bind_int64 (stmt, 7, getpid ());
  sqlite3_bind_text (stmt, 8, sal_store_boot_id (), -1, SQLITE_STATIC);
  if (!sal_store_step_done (store, stmt, error, _("Could not save the job")))
    return FALSE;
  return sal_store_changes (store) > 0 || job_not_found (error, id);
}

gboolean
sal_store_set_job_progress (SalStore *store, gint64 id, double progress, GError **error)
{
  sqlite3_stmt *stmt;
  SAL_STORE_LOCK (store);

  stmt = sal_store_stmt (store, "UPDATE jobs SET progress = ? WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_double (stmt, 1, CLAMP (isnan (progress) ? 0.0 : progress, 0.0, 1.0));
  sqlite3_bind_int64 (stmt, 2, id);
  if (!sal_store_step_done (store, stmt, error, _("Could not save the job")))
    return FALSE;
  return sal_store_changes (store) > 0 || job_not_found (error, id);
}

gboolean
sal_store_retry_job (SalStore *store, gint64 id, GError **error)
{
  sqlite3_stmt *stmt;
  SAL_STORE_LOCK (store);

  stmt = sal_store_stmt (store, "UPDATE jobs SET state = 'queued', progress = 0, error = NULL, "
                                "started_ms = NULL, finished_ms = NULL "
                                "WHERE id = ? AND state IN ('failed', 'cancelled', 'interrupted')",
                         error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  if (!sal_store_step_done (store, stmt, error, _("Could not retry the job")))
    return FALSE;
  if (sal_store_changes (store) == 0)
    {
      g_autoptr(SalJobRecord) job = sal_store_get_job (store, id, error);

      if (job == NULL)
        return FALSE;
      g_set_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_INVALID,
                   _("Job %" PRId64 " is %s and cannot be retried"), id,
                   sal_store_job_state_to_string (job->state));
      return FALSE;
    }
  return TRUE;
}

#define JOB_COLUMNS "id, kind, params_json, state, priority, progress, error, result_json, " \
                    "created_ms, started_ms, finished_ms"

static SalJobRecord *
job_from_row (sqlite3_stmt *stmt)
{
  SalJobRecord *j = g_new0 (SalJobRecord, 1);

  j->id = sqlite3_column_int64 (stmt, 0);
  j->kind = sal_col_text (stmt, 1);
  j->params_json = sal_col_text (stmt, 2);
  if (!sal_store_job_state_from_string ((const char *) sqlite3_column_text (stmt, 3), &j->state))
    j->state = SAL_JOB_FAILED;
  j->priority = sqlite3_column_int (stmt, 4);
  j->progress = sqlite3_column_double (stmt, 5);
  j->error = sal_col_text (stmt, 6);
  j->result_json = sal_col_text (stmt, 7);
  j->created_ms = sqlite3_column_int64 (stmt, 8);
  j->started_ms = sqlite3_column_int64 (stmt, 9);
  j->finished_ms = sqlite3_column_int64 (stmt, 10);
  return j;
}

SalJobRecord *
sal_store_get_job (SalStore *store, gint64 id, GError **error)
{
  sqlite3_stmt *stmt;
  SalJobRecord *j;
  gboolean found;
  SAL_STORE_LOCK (store);

  stmt = sal_store_stmt (store, "SELECT " JOB_COLUMNS " FROM jobs WHERE id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  j = sal_store_get_row (store, stmt, (SalStoreRowFunc) job_from_row, &found, error,
                         _("Could not read the job"));
  if (!found)
    job_not_found (error, id);
  return j;
}

GPtrArray *
sal_store_list_jobs (SalStore *store, int state, GError **error)
{
  sqlite3_stmt *stmt;
  SAL_STORE_LOCK (store);

  stmt = sal_store_stmt (store, "SELECT " JOB_COLUMNS " FROM jobs "
                                "WHERE ?1 IS NULL OR state = ?1 "
                                "ORDER BY CASE WHEN state = 'queued' THEN -priority ELSE 0 END, id",
                         error);
  if (stmt == NULL)
    return NULL;
  if (state >= 0)
    sqlite3_bind_text (stmt, 1, sal_store_job_state_to_string ((SalStoreJobState) state), -1, SQLITE_STATIC);
  return sal_store_collect (store, stmt, (SalStoreRowFunc) job_from_row,
                            (GDestroyNotify) sal_job_record_free, error,
                            _("Could not read the jobs"));
}

/* ---- explanations ----------------------------------------------------------------- */

void
sal_explanation_record_free (SalExplanationRecord *e)
{
  if (e == NULL)
    return;
  g_free (e->model_sha256);
  g_free (e->method);
  g_free (e->params_json);
  g_free (e->target);
  g_free (e->baseline);
  g_free (e->shape_json);
  g_clear_pointer (&e->attribution, g_bytes_unref);
  g_free (e->checks_json);
  g_free (e);
}

gint64
sal_store_add_explanation (SalStore *store, const SalExplanationRecord *e, GError **error)
{
  sqlite3_stmt *stmt;
  gsize size = 0;
  const void *data;
  SAL_STORE_LOCK (store);

  g_return_val_if_fail (e->attribution != NULL, 0);
  data = g_bytes_get_data (e->attribution, &size);
  if (size % sizeof (float) != 0 || size > G_MAXINT)
    {
      g_set_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_INVALID,
                   _("Could not save the explanation: its attribution is %zu"
                     " bytes, not a whole number of float32 values"), size);
      return 0;
    }
  stmt = sal_store_stmt (store, "INSERT INTO explanations (job_id, object_kind, object_id, "
                                "model_sha256, method, params_json, target, baseline, seed, "
                                "shape_json, attribution, checks_json, created_ms) "
                                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return 0;
  if (e->job_id > 0)
    sqlite3_bind_int64 (stmt, 1, e->job_id);
  sqlite3_bind_text (stmt, 2, sal_object_kind_to_string (e->object_kind), -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, e->object_id);
  sal_bind_text (stmt, 4, e->model_sha256);
  sal_bind_text (stmt, 5, e->method);
  sal_bind_text (stmt, 6, e->params_json != NULL ? e->params_json : "{}");
  sal_bind_text (stmt, 7, e->target);
  sal_bind_text (stmt, 8, e->baseline);
  sqlite3_bind_int64 (stmt, 9, e->seed);
  sal_bind_text (stmt, 10, e->shape_json);
  sqlite3_bind_blob (stmt, 11, size > 0 ? data : "", (int) size, SQLITE_STATIC);
  sal_bind_text (stmt, 12, e->checks_json != NULL ? e->checks_json : "{}");
  sqlite3_bind_int64 (stmt, 13, sal_store_now_ms ());
  if (!sal_store_step_done (store, stmt, error, _("Could not save the explanation")))
    return 0;
  return sqlite3_last_insert_rowid (store->db);
}

static SalObjectKind
object_kind_from_string (const char *s)
{
  for (SalObjectKind k = SAL_OBJECT_CASE; k <= SAL_OBJECT_WORKOUT; k++)
    if (g_strcmp0 (s, sal_object_kind_to_string (k)) == 0)
      return k;
  return SAL_OBJECT_CASE;
}

#define EXPLANATION_COLUMNS "id, job_id, object_kind, object_id, model_sha256, method, " \
                            "params_json, target, baseline, seed, shape_json, attribution, " \
                            "checks_json, created_ms"

static SalExplanationRecord *
explanation_from_row (sqlite3_stmt *stmt)
{
  SalExplanationRecord *e = g_new0 (SalExplanationRecord, 1);

  e->id = sqlite3_column_int64 (stmt, 0);
  e->job_id = sqlite3_column_int64 (stmt, 1);
  e->object_kind = object_kind_from_string ((const char *) sqlite3_column_text (stmt, 2));
  e->object_id = sqlite3_column_int64 (stmt, 3);
  e->model_sha256 = sal_col_text (stmt, 4);
  e->method = sal_col_text (stmt, 5);
  e->params_json = sal_col_text (stmt, 6);
  e->target = sal_col_text (stmt, 7);
  e->baseline = sal_col_text (stmt, 8);
  e->seed = sqlite3_column_int64 (stmt, 9);
  e->shape_json = sal_col_text (stmt, 10);
  e->attribution = sal_col_bytes (stmt, 11);
  e->checks_json = sal_col_text (stmt, 12);
  e->created_ms = sqlite3_column_int64 (stmt, 13);
  return e;
}

SalExplanationRecord *
sal_store_get_explanation (SalStore *store, gint64 id, GError **error)
{
  sqlite3_stmt *stmt;
  SalExplanationRecord *e;
  gboolean found;
  SAL_STORE_LOCK (store);

  stmt = sal_store_stmt (store, "SELECT " EXPLANATION_COLUMNS " FROM explanations WHERE id = ?",
                         error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  e = sal_store_get_row (store, stmt, (SalStoreRowFunc) explanation_from_row, &found, error,
                         _("Could not read the explanation"));
  if (!found)
    g_set_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_NOT_FOUND,
                 _("There is no explanation with id %" PRId64), id);
  return e;
}

GPtrArray *
sal_store_list_explanations (SalStore       *store,
                             SalObjectKind   kind,
                             gint64          object_id,
                             GError        **error)
{
  sqlite3_stmt *stmt;
  SAL_STORE_LOCK (store);

  stmt = sal_store_stmt (store, "SELECT " EXPLANATION_COLUMNS " FROM explanations "
                                "WHERE object_kind = ? AND object_id = ? "
                                "ORDER BY created_ms DESC, id DESC", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, sal_object_kind_to_string (kind), -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, object_id);
  return sal_store_collect (store, stmt, (SalStoreRowFunc) explanation_from_row,
                            (GDestroyNotify) sal_explanation_record_free, error,
                            _("Could not read the explanations"));
}

/* ---- what uses a model -------------------------------------------------------------- */

gint64
sal_store_count_model_results (SalStore *store, const char *sha256, GError **error)
{
  sqlite3_stmt *stmt;
  gint64 n = -1;
  SAL_STORE_LOCK (store);

  stmt = sal_store_stmt (store, "SELECT count(*) FROM explanations WHERE model_sha256 = ?",
                         error);
  if (stmt == NULL)
    return -1;
  sal_bind_text (stmt, 1, sha256);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  else
    sal_store_fail (store, error, _("Could not count the results of the model"));
  sqlite3_reset (stmt);
  return n;
}

gboolean
sal_store_set_model_metadata (SalStore *store, gint64 id, const char *metadata_json,
                              GError **error)
{
  sqlite3_stmt *stmt;
  SAL_STORE_LOCK (store);

  stmt = sal_store_stmt (store, "UPDATE models SET metadata_json = ? WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sal_bind_text (stmt, 1, metadata_json != NULL ? metadata_json : "{}");
  sqlite3_bind_int64 (stmt, 2, id);
  if (!sal_store_step_done (store, stmt, error, _("Could not save the model’s settings")))
    return FALSE;
  if (sal_store_changes (store) == 0)
    {
      g_set_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_NOT_FOUND,
                   _("There is no model with id %" PRId64), id);
      return FALSE;
    }
  return TRUE;
}
