/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The audit log: append-only (the database refuses UPDATE and DELETE on it) and
 * hash-chained: each row's hash is SHA-256 over the previous row's hash and the row's
 * canonical text (id, who, what, object, when), so changing, removing or reordering a
 * row breaks the chain from that row on. Entries name objects by kind and id
 * ("case/12"), never by content: no health data goes into the log. */

#include <glib.h>

#include "sal-store.h"

G_BEGIN_DECLS

#define SAL_AUDIT_ERROR (sal_audit_error_quark ())

typedef enum {
  SAL_AUDIT_ERROR_BROKEN,     /* the chain does not verify */
} SalAuditError;

GQuark sal_audit_error_quark (void);

typedef struct {
  gint64  id;
  char   *who;        /* the user name */
  char   *what;       /* "open-case", "run-model", "export", "delete", ... */
  char   *object;     /* "case/12", "model/<sha256>", "" */
  gint64  when_ms;    /* UTC */
  char   *prev_hash;
  char   *hash;
} SalAuditEntry;

void       sal_audit_entry_free (SalAuditEntry *entry);

/* Appends one entry by the current user. */
gboolean   sal_audit_append     (SalStore   *store,
                                 const char *what,
                                 const char *object,
                                 GError    **error);
/* The newest entries, oldest first; limit 0: all. */
GPtrArray *sal_audit_list       (SalStore *store,
                                 guint     limit,
                                 GError  **error);
/* Walks the whole chain. FALSE with SAL_AUDIT_ERROR_BROKEN (and *first_broken_id set) at
 * the first row whose hash or link does not match. n_checked: rows verified. */
gboolean   sal_audit_verify     (SalStore *store,
                                 guint64  *n_checked,
                                 gint64   *first_broken_id,
                                 GError  **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SalAuditEntry, sal_audit_entry_free)

G_END_DECLS
