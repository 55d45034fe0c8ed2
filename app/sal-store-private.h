/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Shared by the sal-store-*.c files and sal-audit.c; tests may use it to reach the raw
 * connection (fault injection, tampering). Nothing else should. */

#include <math.h>
#include <sqlite3.h>

#include "sal-store.h"

G_BEGIN_DECLS

struct _SalStore {
  GRecMutex   lock;           /* held by every public function for its whole call */
  sqlite3    *db;
  char       *path;           /* as opened; ":memory:" for the kiosk */
  gboolean    memory;
  GHashTable *stmts;          /* SQL text (static) -> prepared sqlite3_stmt */
  int         txn_depth;
  guint       n_interrupted_at_open;
};

#define SAL_STORE_LOCK(store) \
  g_autoptr(GRecMutexLocker) G_PASTE (locker_, __LINE__) = g_rec_mutex_locker_new (&(store)->lock)

/* Cached prepared statement for a static SQL string, reset and unbound. Call with the
 * lock held; do not call another store function while stepping it. */
sqlite3_stmt *sal_store_stmt         (SalStore      *store,
                                      const char    *sql,
                                      GError       **error);
/* Sets error from the connection's last error: doing is a translated phrase such as
 * "Could not save the note". Always returns FALSE. */
gboolean  sal_store_fail             (SalStore      *store,
                                      GError       **error,
                                      const char    *doing);
gboolean  sal_store_fail_code        (int            rc,
                                      const char    *detail,
                                      GError       **error,
                                      const char    *doing);
gboolean  sal_store_exec             (SalStore      *store,
                                      const char    *sql,
                                      GError       **error,
                                      const char    *doing);
/* Steps a statement that returns no rows, then resets it. */
gboolean  sal_store_step_done        (SalStore      *store,
                                      sqlite3_stmt  *stmt,
                                      GError       **error,
                                      const char    *doing);
/* Makes one record (newly allocated) from the current row of a statement. */
typedef gpointer (*SalStoreRowFunc) (sqlite3_stmt *stmt);
/* Steps a bound statement to the end, collecting from_row() of every row into an
 * array that frees them with free_func, then resets it. NULL with error (doing)
 * when a step fails. */
GPtrArray *sal_store_collect         (SalStore        *store,
                                      sqlite3_stmt    *stmt,
                                      SalStoreRowFunc  from_row,
                                      GDestroyNotify   free_func,
                                      GError         **error,
                                      const char      *doing);
/* Steps a bound statement for its one row, then resets it: from_row() of the row;
 * or NULL with *found FALSE and error unset when there is none (the caller names
 * what is missing); or NULL with error (doing) when the step fails. */
gpointer  sal_store_get_row          (SalStore        *store,
                                      sqlite3_stmt    *stmt,
                                      SalStoreRowFunc  from_row,
                                      gboolean        *found,
                                      GError         **error,
                                      const char      *doing);
gboolean  sal_store_begin            (SalStore *store, GError **error);
gboolean  sal_store_commit           (SalStore *store, GError **error);
void      sal_store_rollback         (SalStore *store);
gint64    sal_store_now_ms           (void);
/* This boot's id (/proc/sys/kernel/random/boot_id), or "" where there is none. */
const char *sal_store_boot_id        (void);
gint64    sal_store_changes          (SalStore *store);

/* Audit rows written by the store itself, inside its own transactions. */
gboolean  sal_audit_append_locked    (SalStore      *store,
                                      const char    *what,
                                      const char    *object,
                                      GError       **error);

static inline void
sal_bind_double (sqlite3_stmt *stmt, int i, double v)
{
  if (isnan (v))
    sqlite3_bind_null (stmt, i);
  else
    sqlite3_bind_double (stmt, i, v);
}

static inline void
sal_bind_text (sqlite3_stmt *stmt, int i, const char *s)
{
  if (s == NULL)
    sqlite3_bind_null (stmt, i);
  else
    sqlite3_bind_text (stmt, i, s, -1, SQLITE_TRANSIENT);
}

static inline double
sal_col_double (sqlite3_stmt *stmt, int i)
{
  if (sqlite3_column_type (stmt, i) == SQLITE_NULL)
    return NAN;
  return sqlite3_column_double (stmt, i);
}

static inline char *
sal_col_text (sqlite3_stmt *stmt, int i)
{
  const unsigned char *s = sqlite3_column_text (stmt, i);

  return s != NULL ? g_strdup ((const char *) s) : NULL;
}

static inline GBytes *
sal_col_bytes (sqlite3_stmt *stmt, int i)
{
  const void *p = sqlite3_column_blob (stmt, i);
  int n = sqlite3_column_bytes (stmt, i);

  return g_bytes_new (p, (gsize) n);
}

G_END_DECLS
