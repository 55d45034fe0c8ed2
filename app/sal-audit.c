/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-audit"

#include "config.h"
#include <inttypes.h>

#include <glib/gi18n.h>
#include <string.h>

#include "sal-audit.h"
#include "sal-store-private.h"

/* The hash before the first row. */
#define GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

G_DEFINE_QUARK (sal-audit-error-quark, sal_audit_error)

void
sal_audit_entry_free (SalAuditEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->who);
  g_free (entry->what);
  g_free (entry->object);
  g_free (entry->prev_hash);
  g_free (entry->hash);
  g_free (entry);
}

/* SHA-256 over prev_hash and the row's fields, each length-prefixed so no two different
 * rows have the same text. */
static char *
entry_hash (const char *prev_hash,
            gint64      id,
            const char *who,
            const char *what,
            const char *object,
            gint64      when_ms)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *text = g_strdup_printf ("%s\n%" G_GINT64_FORMAT "\n%zu:%s\n%zu:%s\n%zu:%s\n%"
                                           G_GINT64_FORMAT "\n",
                                           prev_hash, id, strlen (who), who, strlen (what), what,
                                           strlen (object), object, when_ms);

  g_checksum_update (sum, (const guchar *) text, strlen (text));
  return g_strdup (g_checksum_get_string (sum));
}

static const char *
current_user (void)
{
  const char *who = g_get_user_name ();

  return who != NULL && who[0] != '\0' ? who : "unknown";
}

gboolean
sal_audit_append_locked (SalStore *store, const char *what, const char *object, GError **error)
{
  const char *doing = _("Could not write the audit log");
  g_autofree char *prev = NULL;
  g_autofree char *hash = NULL;
  const char *who = current_user ();
  gint64 id = 1, when_ms = sal_store_now_ms ();
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (what != NULL && what[0] != '\0', FALSE);
  if (object == NULL)
    object = "";
  /* Read the tail and append in one transaction so two writers cannot fork the chain. */
  if (!sal_store_begin (store, error))
    return FALSE;
  stmt = sal_store_stmt (store, "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1", error);
  if (stmt == NULL)
    goto fail;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      id = sqlite3_column_int64 (stmt, 0) + 1;
      prev = sal_col_text (stmt, 1);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      sal_store_fail (store, error, doing);
      goto fail;
    }
  if (prev == NULL)
    prev = g_strdup (GENESIS);
  hash = entry_hash (prev, id, who, what, object, when_ms);

  stmt = sal_store_stmt (store, "INSERT INTO audit_log (id, who, what, object, when_ms, "
                                "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, id);
  sal_bind_text (stmt, 2, who);
  sal_bind_text (stmt, 3, what);
  sal_bind_text (stmt, 4, object);
  sqlite3_bind_int64 (stmt, 5, when_ms);
  sal_bind_text (stmt, 6, prev);
  sal_bind_text (stmt, 7, hash);
  if (!sal_store_step_done (store, stmt, error, doing))
    goto fail;
  return sal_store_commit (store, error);

fail:
  sal_store_rollback (store);
  return FALSE;
}

gboolean
sal_audit_append (SalStore *store, const char *what, const char *object, GError **error)
{
  SAL_STORE_LOCK (store);

  return sal_audit_append_locked (store, what, object, error);
}

static SalAuditEntry *
entry_from_row (sqlite3_stmt *stmt)
{
  SalAuditEntry *e = g_new0 (SalAuditEntry, 1);

  e->id = sqlite3_column_int64 (stmt, 0);
  e->who = sal_col_text (stmt, 1);
  e->what = sal_col_text (stmt, 2);
  e->object = sal_col_text (stmt, 3);
  e->when_ms = sqlite3_column_int64 (stmt, 4);
  e->prev_hash = sal_col_text (stmt, 5);
  e->hash = sal_col_text (stmt, 6);
  if (e->who == NULL) e->who = g_strdup ("");
  if (e->what == NULL) e->what = g_strdup ("");
  if (e->object == NULL) e->object = g_strdup ("");
  if (e->prev_hash == NULL) e->prev_hash = g_strdup ("");
  if (e->hash == NULL) e->hash = g_strdup ("");
  return e;
}

GPtrArray *
sal_audit_list (SalStore *store, guint limit, GError **error)
{
  sqlite3_stmt *stmt;
  SAL_STORE_LOCK (store);

  stmt = sal_store_stmt (store, "SELECT * FROM (SELECT id, who, what, object, when_ms, prev_hash, "
                                "hash FROM audit_log ORDER BY id DESC LIMIT ?) ORDER BY id", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, limit > 0 ? (gint64) limit : G_MAXINT64);
  return sal_store_collect (store, stmt, (SalStoreRowFunc) entry_from_row,
                            (GDestroyNotify) sal_audit_entry_free, error,
                            _("Could not read the audit log"));
}

gboolean
sal_audit_verify (SalStore *store, guint64 *n_checked, gint64 *first_broken_id, GError **error)
{
  g_autofree char *prev = g_strdup (GENESIS);
  gint64 expected_id = 1;
  guint64 n = 0;
  sqlite3_stmt *stmt;
  int rc;
  SAL_STORE_LOCK (store);

  if (first_broken_id != NULL)
    *first_broken_id = 0;
  stmt = sal_store_stmt (store, "SELECT id, who, what, object, when_ms, prev_hash, hash "
                                "FROM audit_log ORDER BY id", error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(SalAuditEntry) e = entry_from_row (stmt);
      g_autofree char *hash = entry_hash (prev, e->id, e->who, e->what, e->object, e->when_ms);
      const char *problem = NULL;

      if (e->id != expected_id)
        problem = _("an entry before it is missing");
      else if (strcmp (e->prev_hash, prev) != 0)
        problem = _("it does not link to the entry before it");
      else if (strcmp (e->hash, hash) != 0)
        problem = _("its content does not match its hash");
      if (problem != NULL)
        {
          sqlite3_reset (stmt);
          if (n_checked != NULL)
            *n_checked = n;
          if (first_broken_id != NULL)
            *first_broken_id = e->id;
          g_set_error (error, SAL_AUDIT_ERROR, SAL_AUDIT_ERROR_BROKEN,
                       _("The audit log was changed at entry %" PRId64 ": %s"),
                       e->id, problem);
          return FALSE;
        }
      g_free (prev);
      prev = g_strdup (e->hash);
      expected_id++;
      n++;
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return sal_store_fail (store, error, _("Could not read the audit log"));
  if (n_checked != NULL)
    *n_checked = n;
  return TRUE;
}
