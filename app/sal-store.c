/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-store"

#include "config.h"
#include <inttypes.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "sal-store-private.h"
#include "sal-store-resources.h"

#define SQL_PREFIX "/org/salient/Salient/sql"
#define BUSY_TIMEOUT_MS 5000

/* Tables a file must have to be taken for a Salient database. */
static const char * const required_tables[] = {
  "cases", "images", "notes", "measurements", "workouts", "workout_samples", "jobs",
  "models", "explanations", "audit_log",
};

G_DEFINE_QUARK (sal-store-error-quark, sal_store_error)

const char *
sal_object_kind_to_string (SalObjectKind kind)
{
  switch (kind)
    {
    case SAL_OBJECT_CASE: return "case";
    case SAL_OBJECT_NOTE: return "note";
    case SAL_OBJECT_IMAGE: return "image";
    case SAL_OBJECT_WORKOUT: return "workout";
    case SAL_OBJECT_GOAL: return "goal";
    default: g_return_val_if_reached ("case");
    }
}

gint64
sal_store_now_ms (void)
{
  return g_get_real_time () / 1000;
}

const char *
sal_store_boot_id (void)
{
  static gsize once = 0;
  static char *boot_id;

  if (g_once_init_enter (&once))
    {
      char *text = NULL;

      if (!g_file_get_contents ("/proc/sys/kernel/random/boot_id", &text, NULL, NULL))
        text = g_strdup ("");
      boot_id = g_strstrip (text);
      g_once_init_leave (&once, 1);
    }
  return boot_id;
}

/* Whether the process that ran a job is gone: another boot, our own pid (so an earlier
 * process of ours), or no such process. */
static gboolean
runner_is_gone (gint64 pid, const char *boot)
{
  if (pid <= 0 || boot == NULL || strcmp (boot, sal_store_boot_id ()) != 0)
    return TRUE;
  if (pid == getpid ())
    return TRUE;
  return kill ((pid_t) pid, 0) != 0 && errno == ESRCH;
}

static gboolean
mark_interrupted_jobs (SalStore *store, GError **error)
{
  g_autoptr(GArray) gone = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt;
  int rc;

  stmt = sal_store_stmt (store, "SELECT id, runner_pid, runner_boot FROM jobs "
                                "WHERE state = 'running'", error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    if (runner_is_gone (sqlite3_column_int64 (stmt, 1),
                        (const char *) sqlite3_column_text (stmt, 2)))
      {
        gint64 id = sqlite3_column_int64 (stmt, 0);
        g_array_append_val (gone, id);
      }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return sal_store_fail (store, error, _("Could not mark interrupted jobs"));

  store->n_interrupted_at_open = 0;
  for (guint i = 0; i < gone->len; i++)
    {
      stmt = sal_store_stmt (store, "UPDATE jobs SET state = 'interrupted', finished_ms = ? "
                                    "WHERE id = ? AND state = 'running'", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, sal_store_now_ms ());
      sqlite3_bind_int64 (stmt, 2, g_array_index (gone, gint64, i));
      if (!sal_store_step_done (store, stmt, error, _("Could not mark interrupted jobs")))
        return FALSE;
      store->n_interrupted_at_open += (guint) sal_store_changes (store);
    }
  return TRUE;
}

gint64
sal_store_changes (SalStore *store)
{
  return sqlite3_changes64 (store->db);
}

/* ---- errors ---------------------------------------------------------------------- */

gboolean
sal_store_fail_code (int rc, const char *detail, GError **error, const char *doing)
{
  switch (rc & 0xff)
    {
    case SQLITE_FULL:
      g_set_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_FULL,
                   _("%s: the disk is full. Free some space and try again; nothing was changed."),
                   doing);
      break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      g_set_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_BUSY,
                   _("%s: the database is in use by another program (%s). Close it and try again."),
                   doing, detail);
      break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      g_set_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_CORRUPT,
                   _("%s: the file is damaged or is not a Salient database (%s). Restore a backup."),
                   doing, detail);
      break;
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_CANTOPEN:
      g_set_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_READ_ONLY,
                   _("%s: the database file cannot be written (%s). Check the folder’s permissions."),
                   doing, detail);
      break;
    case SQLITE_CONSTRAINT:
      g_set_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_INVALID,
                   _("%s: a value is not allowed (%s)."), doing, detail);
      break;
    case SQLITE_IOERR:
      g_set_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_FAILED,
                   _("%s: the disk reported an error (%s)."), doing, detail);
      break;
    default:
      g_set_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_FAILED, "%s: %s", doing, detail);
      break;
    }
  return FALSE;
}

gboolean
sal_store_fail (SalStore *store, GError **error, const char *doing)
{
  return sal_store_fail_code (sqlite3_extended_errcode (store->db), sqlite3_errmsg (store->db),
                              error, doing);
}

gboolean
sal_store_exec (SalStore *store, const char *sql, GError **error, const char *doing)
{
  if (sqlite3_exec (store->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return sal_store_fail (store, error, doing);
  return TRUE;
}

sqlite3_stmt *
sal_store_stmt (SalStore *store, const char *sql, GError **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (store->stmts, sql);

  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }
  if (sqlite3_prepare_v3 (store->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
    {
      /* A statement of ours that does not prepare is a bug or a damaged schema. */
      sal_store_fail (store, error, _("Could not read the database"));
      return NULL;
    }
  g_hash_table_insert (store->stmts, (gpointer) sql, stmt);
  return stmt;
}

gboolean
sal_store_step_done (SalStore *store, sqlite3_stmt *stmt, GError **error, const char *doing)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      sal_store_fail (store, error, doing);
      sqlite3_reset (stmt);
      return FALSE;
    }
  sqlite3_reset (stmt);
  return TRUE;
}

GPtrArray *
sal_store_collect (SalStore *store, sqlite3_stmt *stmt, SalStoreRowFunc from_row,
                   GDestroyNotify free_func, GError **error, const char *doing)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (free_func);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (rows, from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      sal_store_fail (store, error, doing);
      sqlite3_reset (stmt);
      return NULL;
    }
  sqlite3_reset (stmt);
  return g_steal_pointer (&rows);
}

gpointer
sal_store_get_row (SalStore *store, sqlite3_stmt *stmt, SalStoreRowFunc from_row,
                   gboolean *found, GError **error, const char *doing)
{
  gpointer row = NULL;
  int rc = sqlite3_step (stmt);

  *found = rc != SQLITE_DONE;
  if (rc == SQLITE_ROW)
    row = from_row (stmt);
  else if (rc != SQLITE_DONE)
    sal_store_fail (store, error, doing);
  sqlite3_reset (stmt);
  return row;
}

/* ---- transactions ---------------------------------------------------------------- */

gboolean
sal_store_begin (SalStore *store, GError **error)
{
  g_autofree char *sql = NULL;

  if (store->txn_depth == 0)
    sql = g_strdup ("BEGIN IMMEDIATE");
  else
    sql = g_strdup_printf ("SAVEPOINT sal_%d", store->txn_depth);
  if (!sal_store_exec (store, sql, error, _("Could not start saving")))
    return FALSE;
  store->txn_depth++;
  return TRUE;
}

void
sal_store_rollback (SalStore *store)
{
  g_autofree char *sql = NULL;

  g_return_if_fail (store->txn_depth > 0);
  store->txn_depth--;
  /* SQLite rolls the whole transaction back by itself after some errors (a full disk). */
  if (sqlite3_get_autocommit (store->db))
    return;
  if (store->txn_depth == 0)
    sql = g_strdup ("ROLLBACK");
  else
    sql = g_strdup_printf ("ROLLBACK TO sal_%d; RELEASE sal_%d", store->txn_depth, store->txn_depth);
  if (sqlite3_exec (store->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    g_warning ("rollback failed: %s", sqlite3_errmsg (store->db));
}

gboolean
sal_store_commit (SalStore *store, GError **error)
{
  g_autofree char *sql = NULL;

  g_return_val_if_fail (store->txn_depth > 0, FALSE);
  if (sqlite3_get_autocommit (store->db))
    {
      /* Rolled back under us by an error that was reported already. */
      store->txn_depth--;
      g_set_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_FAILED,
                   _("Could not save: the change was rolled back after an earlier error"));
      return FALSE;
    }
  if (store->txn_depth == 1)
    sql = g_strdup ("COMMIT");
  else
    sql = g_strdup_printf ("RELEASE sal_%d", store->txn_depth - 1);
  if (sqlite3_exec (store->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    {
      sal_store_fail (store, error, _("Could not save"));
      sal_store_rollback (store);
      return FALSE;
    }
  store->txn_depth--;
  return TRUE;
}

gboolean
sal_store_run_in_transaction (SalStore        *store,
                              SalStoreTxnFunc  func,
                              gpointer         user_data,
                              GError         **error)
{
  SAL_STORE_LOCK (store);

  if (!sal_store_begin (store, error))
    return FALSE;
  if (!func (store, user_data, error))
    {
      sal_store_rollback (store);
      return FALSE;
    }
  return sal_store_commit (store, error);
}

/* ---- migrations ------------------------------------------------------------------ */

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The migration files, sorted; each name is NNN-name.sql. */
static char **
list_migrations (GError **error)
{
  char **names = g_resource_enumerate_children (sal_store_get_resource (), SQL_PREFIX,
                                                G_RESOURCE_LOOKUP_FLAGS_NONE, error);

  if (names != NULL)
    qsort (names, g_strv_length (names), sizeof (char *), compare_names);
  return names;
}

static int
migration_number (const char *name)
{
  if (!g_ascii_isdigit (name[0]) || !g_ascii_isdigit (name[1]) || !g_ascii_isdigit (name[2])
      || name[3] != '-')
    return -1;
  return (int) g_ascii_strtoll (name, NULL, 10);
}

int
sal_store_get_latest_schema_version (void)
{
  g_auto(GStrv) names = list_migrations (NULL);
  int latest = 0;

  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    latest = MAX (latest, migration_number (names[i]));
  return latest;
}

static int
query_int (sqlite3 *db, const char *sql, int *value)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);

  if (rc == SQLITE_OK)
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          *value = sqlite3_column_int (stmt, 0);
          rc = SQLITE_OK;
        }
    }
  sqlite3_finalize (stmt);
  return rc;
}

int
sal_store_get_schema_version (SalStore *store)
{
  int version = 0;
  SAL_STORE_LOCK (store);

  query_int (store->db, "PRAGMA user_version", &version);
  return version;
}

static gboolean
migrate (SalStore *store, GError **error)
{
  g_auto(GStrv) names = list_migrations (error);
  int version = 0;
  int latest = sal_store_get_latest_schema_version ();

  if (names == NULL)
    return FALSE;
  if (query_int (store->db, "PRAGMA user_version", &version) != SQLITE_OK)
    return sal_store_fail (store, error, _("Could not open the database"));
  if (version > latest)
    {
      g_set_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_TOO_NEW,
                   _("The database “%s” was made by a newer version of Salient (schema %d, this "
                     "version knows %d). Update Salient or use another database."),
                   store->path, version, latest);
      return FALSE;
    }

  for (guint i = 0; names[i] != NULL; i++)
    {
      int n = migration_number (names[i]);
      g_autofree char *path = g_strconcat (SQL_PREFIX "/", names[i], NULL);
      g_autofree char *set_version = NULL;
      g_autoptr(GBytes) sql = NULL;
      g_autofree char *text = NULL;
      g_autofree char *doing = NULL;

      if (n <= version)
        continue;
      sql = g_resource_lookup_data (sal_store_get_resource (), path,
                                    G_RESOURCE_LOOKUP_FLAGS_NONE, error);
      if (sql == NULL)
        return FALSE;
      text = g_strndup (g_bytes_get_data (sql, NULL), g_bytes_get_size (sql));
      set_version = g_strdup_printf ("PRAGMA user_version = %d", n);
      doing = g_strdup_printf (_("Could not update the database to schema version %d"), n);
      if (!sal_store_begin (store, error))
        return FALSE;
      if (!sal_store_exec (store, text, error, doing)
          || !sal_store_exec (store, set_version, error, doing))
        {
          sal_store_rollback (store);
          return FALSE;
        }
      if (!sal_store_commit (store, error))
        return FALSE;
      version = n;
    }
  return TRUE;
}

/* ---- opening --------------------------------------------------------------------- */

char *
sal_store_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "salient", "salient.db", NULL);
}

static void
close_connection (SalStore *store)
{
  g_hash_table_remove_all (store->stmts);
  if (store->db != NULL)
    sqlite3_close (store->db);
  store->db = NULL;
  store->txn_depth = 0;
}

static gboolean
open_connection (SalStore *store, GError **error)
{
  static const char pragmas[] =
    "PRAGMA foreign_keys = ON;"
    "PRAGMA secure_delete = ON;"
    "PRAGMA journal_mode = WAL;"
    "PRAGMA synchronous = FULL;";
  g_autofree char *doing = g_strdup_printf (_("Could not open the database “%s”"), store->path);
  int rc;

  rc = sqlite3_open_v2 (store->path, &store->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      sal_store_fail_code (rc, store->db != NULL ? sqlite3_errmsg (store->db) : sqlite3_errstr (rc),
                           error, doing);
      close_connection (store);
      return FALSE;
    }
  sqlite3_extended_result_codes (store->db, 1);
  sqlite3_busy_timeout (store->db, BUSY_TIMEOUT_MS);
  if (!sal_store_exec (store, pragmas, error, doing))
    {
      close_connection (store);
      return FALSE;
    }
  return TRUE;
}

/* Everything open does after the connection is up: schema, crashed jobs, old deletions.
 * Only the schema is needed to go on: the rest is retried at the next open when it fails
 * (a full disk must not lock the user out of reading their data). */
static gboolean
prepare_store (SalStore *store, GError **error)
{
  g_autoptr(GError) local = NULL;
  int pending = 0;

  if (!migrate (store, error))
    return FALSE;

  if (!mark_interrupted_jobs (store, &local))
    {
      g_warning ("%s", local->message);
      g_clear_error (&local);
    }

  if (query_int (store->db,
                 "SELECT (SELECT count(*) FROM cases WHERE pending_delete_ms IS NOT NULL)"
                 " + (SELECT count(*) FROM notes WHERE pending_delete_ms IS NOT NULL)"
                 " + (SELECT count(*) FROM images WHERE pending_delete_ms IS NOT NULL)"
                 " + (SELECT count(*) FROM workouts WHERE pending_delete_ms IS NOT NULL)"
                 " + (SELECT count(*) FROM wellness WHERE pending_delete_ms IS NOT NULL)"
                 " + (SELECT count(*) FROM performance_tests WHERE pending_delete_ms IS NOT NULL)"
                 " + (SELECT count(*) FROM athlete WHERE pending_delete_ms IS NOT NULL)",
                 &pending) != SQLITE_OK)
    return sal_store_fail (store, error, _("Could not read the database"));
  if (pending > 0 && !sal_store_purge_deleted (store, G_MAXINT64, NULL, &local))
    g_warning ("%s", local->message);
  return TRUE;
}

SalStore *
sal_store_open (const char *path, GError **error)
{
  g_autoptr(SalStore) store = g_atomic_rc_box_new0 (SalStore);

  g_rec_mutex_init (&store->lock);
  store->stmts = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                        (GDestroyNotify) sqlite3_finalize);
  store->memory = g_strcmp0 (path, ":memory:") == 0;
  store->path = path != NULL ? g_strdup (path) : sal_store_default_path ();

  if (!store->memory)
    {
      g_autofree char *dir = g_path_get_dirname (store->path);

      if (g_mkdir_with_parents (dir, 0700) != 0)
        {
          int saved = errno;
          g_set_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_READ_ONLY,
                       _("Could not create the folder “%s” for the database: %s"),
                       dir, g_strerror (saved));
          return NULL;
        }
    }

  if (!open_connection (store, error))
    return NULL;
  {
    SAL_STORE_LOCK (store);
    if (!prepare_store (store, error))
      return NULL;
  }
  return g_steal_pointer (&store);
}

static void
store_clear (SalStore *store)
{
  close_connection (store);
  g_hash_table_unref (store->stmts);
  g_free (store->path);
  g_rec_mutex_clear (&store->lock);
}

SalStore *
sal_store_ref (SalStore *store)
{
  return g_atomic_rc_box_acquire (store);
}

void
sal_store_unref (SalStore *store)
{
  g_atomic_rc_box_release_full (store, (GDestroyNotify) store_clear);
}

const char *
sal_store_get_path (SalStore *store)
{
  return store->path;
}

guint
sal_store_get_n_interrupted_at_open (SalStore *store)
{
  return store->n_interrupted_at_open;
}

/* ---- backup and restore ---------------------------------------------------------- */

static gboolean
fsync_path (const char *path, gboolean is_dir, GError **error)
{
  int fd = open (path, (is_dir ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC);

  if (fd < 0 || fsync (fd) != 0)
    {
      int saved = errno;
      if (fd >= 0)
        close (fd);
      g_set_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_FAILED,
                   _("Could not write “%s” to disk: %s"), path, g_strerror (saved));
      return FALSE;
    }
  close (fd);
  return TRUE;
}

/* Copies the main database of src into a new file at dst_path, as one file (no WAL). */
static gboolean
copy_database (sqlite3 *src, const char *dst_path, GError **error, const char *doing)
{
  sqlite3 *dst = NULL;
  sqlite3_backup *backup;
  int rc;

  g_unlink (dst_path);
  rc = sqlite3_open_v2 (dst_path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
  if (rc == SQLITE_OK)
    {
      backup = sqlite3_backup_init (dst, "main", src, "main");
      if (backup == NULL)
        rc = sqlite3_errcode (dst);
      else
        {
          rc = sqlite3_backup_step (backup, -1);
          sqlite3_backup_finish (backup);
          rc = rc == SQLITE_DONE ? sqlite3_errcode (dst) : rc;
        }
    }
  if (rc == SQLITE_OK)
    rc = sqlite3_exec (dst, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      sal_store_fail_code (rc, dst != NULL ? sqlite3_errmsg (dst) : sqlite3_errstr (rc),
                           error, doing);
      sqlite3_close (dst);
      g_unlink (dst_path);
      return FALSE;
    }
  sqlite3_close (dst);
  return fsync_path (dst_path, FALSE, error);
}

gboolean
sal_store_backup (SalStore *store, const char *out_path, GError **error)
{
  g_autofree char *tmp = g_strconcat (out_path, ".partial", NULL);
  g_autofree char *doing = g_strdup_printf (_("Could not write the backup “%s”"), out_path);
  g_autofree char *dir = g_path_get_dirname (out_path);
  GStatBuf a, b;
  SAL_STORE_LOCK (store);

  if (!store->memory && g_stat (out_path, &a) == 0 && g_stat (store->path, &b) == 0
      && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
    {
      g_set_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_INVALID,
                   _("%s: that is the database itself; choose another file"), doing);
      return FALSE;
    }
  if (!copy_database (store->db, tmp, error, doing))
    return FALSE;
  if (g_rename (tmp, out_path) != 0)
    {
      int saved = errno;
      g_set_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_FAILED, "%s: %s", doing,
                   g_strerror (saved));
      g_unlink (tmp);
      return FALSE;
    }
  if (!fsync_path (dir, TRUE, error))
    return FALSE;
  return sal_audit_append_locked (store, "backup", "", error);
}

/* Opens a file read-only without leaving -wal/-shm files next to it: immutable unless it
 * has a WAL of its own (a copy of a live database), whose content must then be read. */
static int
open_read_only (const char *path, sqlite3 **db)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *escaped = g_uri_escape_string (path, "/", FALSE);
  g_autofree char *uri = g_strconcat ("file:", escaped, "?mode=ro",
                                      g_file_test (wal, G_FILE_TEST_EXISTS) ? "" : "&immutable=1",
                                      NULL);

  return sqlite3_open_v2 (uri, db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
}

gboolean
sal_store_check_file (const char *path, int *schema_version, GError **error)
{
  g_autofree char *doing = g_strdup_printf (_("“%s” cannot be restored"), path);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  int version = 0;
  int rc;

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_NOT_FOUND,
                   _("%s: there is no such file"), doing);
      return FALSE;
    }
  rc = open_read_only (path, &db);
  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW
          && g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), "ok") != 0)
        {
          g_set_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_CORRUPT,
                       _("%s: the file is damaged (%s)"), doing, sqlite3_column_text (stmt, 0));
          sqlite3_finalize (stmt);
          sqlite3_close (db);
          return FALSE;
        }
      rc = rc == SQLITE_ROW ? SQLITE_OK : rc;
    }
  sqlite3_finalize (stmt);
  if (rc == SQLITE_OK)
    rc = query_int (db, "PRAGMA user_version", &version);
  if (rc != SQLITE_OK)
    {
      sal_store_fail_code (rc, db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc), error, doing);
      sqlite3_close (db);
      return FALSE;
    }
  if (version <= 0 || version > sal_store_get_latest_schema_version ())
    {
      sqlite3_close (db);
      if (version <= 0)
        g_set_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_CORRUPT,
                     _("%s: it is not a Salient database"), doing);
      else
        g_set_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_TOO_NEW,
                     _("%s: it was made by a newer version of Salient (schema %d)"), doing, version);
      return FALSE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (required_tables); i++)
    {
      int found = 0;

      rc = sqlite3_prepare_v2 (db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' "
                                   "AND name = ?", -1, &stmt, NULL);
      if (rc == SQLITE_OK)
        {
          sqlite3_bind_text (stmt, 1, required_tables[i], -1, SQLITE_STATIC);
          if (sqlite3_step (stmt) == SQLITE_ROW)
            found = sqlite3_column_int (stmt, 0);
        }
      sqlite3_finalize (stmt);
      if (found != 1)
        {
          sqlite3_close (db);
          g_set_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_CORRUPT,
                       _("%s: it is not a Salient database (no table “%s”)"), doing,
                       required_tables[i]);
          return FALSE;
        }
    }
  sqlite3_close (db);
  if (schema_version != NULL)
    *schema_version = version;
  return TRUE;
}

static gboolean
file_is_empty_or_missing (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) != 0 || st.st_size == 0;
}

/* After a restore gave up between closing and swapping: the old file is still there. */
static void
reopen_unchanged (SalStore *store)
{
  g_autoptr(GError) local = NULL;

  if (!open_connection (store, &local) || !prepare_store (store, &local))
    g_warning ("%s", local->message);
}

gboolean
sal_store_restore (SalStore *store, const char *backup_path, GError **error)
{
  g_autofree char *tmp = NULL;
  g_autofree char *wal = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *doing = g_strdup_printf (_("“%s” cannot be restored"), backup_path);
  sqlite3 *src = NULL;
  int rc, log_frames = 0, done_frames = 0;
  gboolean ok;
  SAL_STORE_LOCK (store);

  if (store->memory)
    {
      g_set_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_READ_ONLY,
                   _("%s: this session keeps nothing on disk"), doing);
      return FALSE;
    }
  g_return_val_if_fail (store->txn_depth == 0, FALSE);

  /* 1. Check the backup itself, read-only. */
  if (!sal_store_check_file (backup_path, NULL, error))
    return FALSE;

  /* 2. Copy it next to the database and check the copy: that is what gets installed. */
  tmp = g_strconcat (store->path, ".restoring", NULL);
  rc = open_read_only (backup_path, &src);
  if (rc != SQLITE_OK)
    {
      sal_store_fail_code (rc, sqlite3_errstr (rc), error, doing);
      sqlite3_close (src);
      return FALSE;
    }
  ok = copy_database (src, tmp, error, doing);
  sqlite3_close (src);
  if (!ok || !sal_store_check_file (tmp, NULL, error))
    {
      g_unlink (tmp);
      return FALSE;
    }

  /* 3. Empty the WAL so nothing of the old database can be applied to the new one. */
  rc = sqlite3_wal_checkpoint_v2 (store->db, "main", SQLITE_CHECKPOINT_TRUNCATE,
                                  &log_frames, &done_frames);
  if (rc != SQLITE_OK)
    {
      sal_store_fail (store, error, doing);
      g_unlink (tmp);
      return FALSE;
    }
  close_connection (store);
  wal = g_strconcat (store->path, "-wal", NULL);
  if (!file_is_empty_or_missing (wal))
    {
      g_set_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_BUSY,
                   _("%s: the database is in use by another program. Close it and try again."),
                   doing);
      g_unlink (tmp);
      reopen_unchanged (store);
      return FALSE;
    }

  /* 4. Swap atomically, then open the restored database as at start. */
  if (g_rename (tmp, store->path) != 0)
    {
      int saved = errno;
      g_set_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_FAILED, "%s: %s", doing,
                   g_strerror (saved));
      g_unlink (tmp);
      reopen_unchanged (store);
      return FALSE;
    }
  dir = g_path_get_dirname (store->path);
  if (!fsync_path (dir, TRUE, error) || !open_connection (store, error)
      || !prepare_store (store, error))
    return FALSE;
  return sal_audit_append_locked (store, "restore", "", error);
}

/* ---- deletion -------------------------------------------------------------------- */

typedef struct {
  const char *mark;
  const char *undo;
  const char *exists;
} DeleteSql;

static const DeleteSql delete_sql[] = {
  [SAL_OBJECT_CASE] = {
    "UPDATE cases SET pending_delete_ms = ? WHERE id = ? AND pending_delete_ms IS NULL",
    "UPDATE cases SET pending_delete_ms = NULL WHERE id = ? AND pending_delete_ms IS NOT NULL",
    "SELECT 1 FROM cases WHERE id = ?" },
  [SAL_OBJECT_NOTE] = {
    "UPDATE notes SET pending_delete_ms = ? WHERE id = ? AND pending_delete_ms IS NULL",
    "UPDATE notes SET pending_delete_ms = NULL WHERE id = ? AND pending_delete_ms IS NOT NULL",
    "SELECT 1 FROM notes WHERE id = ?" },
  [SAL_OBJECT_IMAGE] = {
    "UPDATE images SET pending_delete_ms = ? WHERE id = ? AND pending_delete_ms IS NULL",
    "UPDATE images SET pending_delete_ms = NULL WHERE id = ? AND pending_delete_ms IS NOT NULL",
    "SELECT 1 FROM images WHERE id = ?" },
  [SAL_OBJECT_WORKOUT] = {
    "UPDATE workouts SET pending_delete_ms = ? WHERE id = ? AND pending_delete_ms IS NULL",
    "UPDATE workouts SET pending_delete_ms = NULL WHERE id = ? AND pending_delete_ms IS NOT NULL",
    "SELECT 1 FROM workouts WHERE id = ?" },
  [SAL_OBJECT_GOAL] = {
    "UPDATE fitness_goals SET pending_delete_ms = ? WHERE id = ? AND pending_delete_ms IS NULL",
    "UPDATE fitness_goals SET pending_delete_ms = NULL WHERE id = ? "
    "AND pending_delete_ms IS NOT NULL",
    "SELECT 1 FROM fitness_goals WHERE id = ?" },
};

static gboolean
change_deletion (SalStore *store, SalObjectKind kind, gint64 id, gboolean mark, GError **error)
{
  const DeleteSql *sql = &delete_sql[kind];
  g_autofree char *object = g_strdup_printf ("%s/%" G_GINT64_FORMAT,
                                             sal_object_kind_to_string (kind), id);
  const char *doing = mark ? _("Could not delete") : _("Could not undo the deletion");
  sqlite3_stmt *stmt;
  SAL_STORE_LOCK (store);

  if (!sal_store_begin (store, error))
    return FALSE;
  stmt = sal_store_stmt (store, mark ? sql->mark : sql->undo, error);
  if (stmt == NULL)
    goto fail;
  if (mark)
    {
      sqlite3_bind_int64 (stmt, 1, sal_store_now_ms ());
      sqlite3_bind_int64 (stmt, 2, id);
    }
  else
    sqlite3_bind_int64 (stmt, 1, id);
  if (!sal_store_step_done (store, stmt, error, doing))
    goto fail;
  if (sal_store_changes (store) == 0)
    {
      gboolean exists;

      stmt = sal_store_stmt (store, sql->exists, error);
      if (stmt == NULL)
        goto fail;
      sqlite3_bind_int64 (stmt, 1, id);
      exists = sqlite3_step (stmt) == SQLITE_ROW;
      sqlite3_reset (stmt);
      sal_store_rollback (store);
      if (!exists)
        g_set_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_NOT_FOUND,
                     _("%s: there is no %s with id %" PRId64), doing,
                     sal_object_kind_to_string (kind), id);
      /* Marking twice or undoing twice is harmless. */
      return exists;
    }
  if (!sal_audit_append_locked (store, mark ? "delete" : "undo-delete", object, error))
    goto fail;
  return sal_store_commit (store, error);

fail:
  sal_store_rollback (store);
  return FALSE;
}

gboolean
sal_store_mark_deleted (SalStore *store, SalObjectKind kind, gint64 id, GError **error)
{
  g_return_val_if_fail (kind <= SAL_OBJECT_GOAL, FALSE);
  return change_deletion (store, kind, id, TRUE, error);
}

gboolean
sal_store_undo_delete (SalStore *store, SalObjectKind kind, gint64 id, GError **error)
{
  g_return_val_if_fail (kind <= SAL_OBJECT_GOAL, FALSE);
  return change_deletion (store, kind, id, FALSE, error);
}

gboolean
sal_store_delete_demo_data (SalStore *store, GError **error)
{
  static const char * const marks[] = {
    "UPDATE cases SET pending_delete_ms = ? WHERE demo = 1 AND pending_delete_ms IS NULL",
    "UPDATE workouts SET pending_delete_ms = ? WHERE demo = 1 AND pending_delete_ms IS NULL",
    "UPDATE wellness SET pending_delete_ms = ? WHERE demo = 1 AND pending_delete_ms IS NULL",
    "UPDATE performance_tests SET pending_delete_ms = ? WHERE demo = 1 "
    "AND pending_delete_ms IS NULL",
    "UPDATE athlete SET pending_delete_ms = ? WHERE demo = 1 AND pending_delete_ms IS NULL",
  };
  gint64 now = sal_store_now_ms ();
  SAL_STORE_LOCK (store);

  if (!sal_store_begin (store, error))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (marks); i++)
    {
      sqlite3_stmt *stmt = sal_store_stmt (store, marks[i], error);

      if (stmt == NULL)
        goto fail;
      sqlite3_bind_int64 (stmt, 1, now);
      if (!sal_store_step_done (store, stmt, error, _("Could not delete the demo data")))
        goto fail;
    }
  if (!sal_audit_append_locked (store, "delete", "demo-data", error))
    goto fail;
  return sal_store_commit (store, error);

fail:
  sal_store_rollback (store);
  return FALSE;
}

gboolean
sal_store_purge_deleted (SalStore *store, gint64 before_ms, guint *n_purged, GError **error)
{
  static const char * const purges[] = {
    "DELETE FROM notes WHERE pending_delete_ms < ?1",
    "DELETE FROM images WHERE pending_delete_ms < ?1",
    "DELETE FROM workouts WHERE pending_delete_ms < ?1",
    "DELETE FROM wellness WHERE pending_delete_ms < ?1",
    "DELETE FROM performance_tests WHERE pending_delete_ms < ?1",
    "DELETE FROM cases WHERE pending_delete_ms < ?1",
    "DELETE FROM athlete WHERE pending_delete_ms < ?1",
    "DELETE FROM fitness_goals WHERE pending_delete_ms < ?1",
  };
  static const char * const tidy =
    "DELETE FROM hr_zones WHERE NOT EXISTS (SELECT 1 FROM athlete);"
    "DELETE FROM explanations WHERE"
    " (object_kind = 'case' AND object_id NOT IN (SELECT id FROM cases))"
    " OR (object_kind = 'note' AND object_id NOT IN (SELECT id FROM notes))"
    " OR (object_kind = 'image' AND object_id NOT IN (SELECT id FROM images))"
    " OR (object_kind = 'workout' AND object_id NOT IN (SELECT id FROM workouts));"
    "INSERT INTO notes_fts (notes_fts) VALUES ('optimize');"
    "INSERT INTO cases_fts (cases_fts) VALUES ('optimize');";
  const char *doing = _("Could not purge deleted records");
  g_autofree char *object = NULL;
  guint n = 0;
  int rc;
  SAL_STORE_LOCK (store);

  g_return_val_if_fail (store->txn_depth == 0, FALSE);
  if (!sal_store_begin (store, error))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (purges); i++)
    {
      sqlite3_stmt *stmt = sal_store_stmt (store, purges[i], error);

      if (stmt == NULL)
        goto fail;
      sqlite3_bind_int64 (stmt, 1, before_ms);
      if (!sal_store_step_done (store, stmt, error, doing))
        goto fail;
      n += (guint) sal_store_changes (store);
    }
  if (n > 0)
    {
      object = g_strdup_printf ("%u", n);
      if (!sal_store_exec (store, tidy, error, doing)
          || !sal_audit_append_locked (store, "purge", object, error))
        goto fail;
    }
  if (!sal_store_commit (store, error))
    return FALSE;

  /* The deleted rows are zeroed in the database pages (secure_delete), but older copies
   * of those pages sit in the WAL until it is checkpointed and truncated. When another
   * program is reading the database the checkpoint cannot finish; the WAL is then
   * truncated when the last connection closes, as SQLite does on close. */
  if (!store->memory)
    {
      rc = sqlite3_wal_checkpoint_v2 (store->db, "main", SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
      if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
        return sal_store_fail (store, error, _("Deleted, but the database file could not be "
                                               "cleaned yet"));
    }
  if (n_purged != NULL)
    *n_purged = n;
  return TRUE;

fail:
  sal_store_rollback (store);
  return FALSE;
}
