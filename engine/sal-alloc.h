/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The engine's own allocator: every engine allocation of tensor data, packed
 * weights and arenas goes through it, so tests and the Models workspace can
 * count allocations and see the memory held. 64-byte aligned. Thread safe. */
typedef struct {
  guint64 n_allocs;      /* allocations since start */
  guint64 n_frees;
  gint64  bytes_live;    /* bytes currently held */
  gint64  bytes_peak;
} SalAllocStats;

gpointer sal_alloc        (gsize n_bytes);              /* uninitialised; NULL when n_bytes == 0 or out of memory */
gpointer sal_alloc0       (gsize n_bytes);
void     sal_free         (gpointer p);
void     sal_alloc_stats  (SalAllocStats *out);

/* Per-owner accounting: while an account is pushed on a thread, the blocks
 * that thread allocates are charged to it (and uncharged when freed, on any
 * thread), so a loaded model and a run can each report the memory they hold.
 * An account must outlive the blocks charged to it. */
typedef struct {
  gint64  bytes_live;
  guint64 n_allocs;
} SalAllocAccount;

void     sal_alloc_push_account (SalAllocAccount *account);
void     sal_alloc_pop_account  (void);

G_END_DECLS
