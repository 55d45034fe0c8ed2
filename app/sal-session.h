/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _SalStore SalStore;

/* Opens the session's database — `db_path`, the default file when NULL, or a
 * private in-memory database when `in_memory` (the kiosk) — and registers the
 * shipped models found in the data folder. */
SalStore *sal_session_open_store (const char *db_path, gboolean in_memory, GError **error);

/* Drops the session's reference (sal_store_unref, for code that cannot include sal-store.h). */
void      sal_session_release_store (SalStore *store);

G_END_DECLS
