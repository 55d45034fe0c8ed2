/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-store"

#include "config.h"

#include <glib/gi18n.h>

#include "sal-store-once.h"
#include "sal-store-private.h"

#define ONCE_WHAT "once"

gboolean
sal_store_once_done (SalStore *store, const char *key, gboolean *done, GError **error)
{
  sqlite3_stmt *stmt;
  int rc;
  SAL_STORE_LOCK (store);

  g_return_val_if_fail (store != NULL && key != NULL && done != NULL, FALSE);
  stmt = sal_store_stmt (store, "SELECT 1 FROM audit_log WHERE what = ?1 AND object = ?2 LIMIT 1",
                         error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, ONCE_WHAT, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, key, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return sal_store_fail (store, error, _("Could not read the audit log"));
  *done = rc == SQLITE_ROW;
  return TRUE;
}

typedef struct {
  const char      *key;
  SalStoreTxnFunc  func;
  gpointer         user_data;
  gboolean         ran;
} OnceData;

static gboolean
once_txn (SalStore *store, gpointer user_data, GError **error)
{
  OnceData *d = user_data;
  gboolean done = FALSE;

  if (!sal_store_once_done (store, d->key, &done, error))
    return FALSE;
  if (done)
    return TRUE;
  if (!d->func (store, d->user_data, error))
    return FALSE;
  d->ran = TRUE;
  return sal_audit_append_locked (store, ONCE_WHAT, d->key, error);
}

gboolean
sal_store_run_once (SalStore        *store,
                    const char      *key,
                    SalStoreTxnFunc  func,
                    gpointer         user_data,
                    gboolean        *ran,
                    GError         **error)
{
  OnceData d = { key, func, user_data, FALSE };

  g_return_val_if_fail (store != NULL && key != NULL && func != NULL, FALSE);
  if (ran != NULL)
    *ran = FALSE;
  if (!sal_store_run_in_transaction (store, once_txn, &d, error))
    return FALSE;
  if (ran != NULL)
    *ran = d.ran;
  return TRUE;
}
