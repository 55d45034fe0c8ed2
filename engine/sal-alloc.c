/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-engine"

#include "sal-alloc.h"

#include <stdlib.h>
#include <string.h>

/* Each block carries a 64-byte header holding its size, so frees can be counted in bytes. */
#define HEADER 64

static gint64 n_allocs_counter;
static gint64 n_frees_counter;
static gint64 bytes_live;
static gint64 bytes_peak;

/* Header layout: [0] size, [1] account (or NULL). */
static __thread SalAllocAccount *current_account;
static __thread SalAllocAccount *account_stack[8];
static __thread int account_depth;

void
sal_alloc_push_account (SalAllocAccount *account)
{
  g_return_if_fail (account_depth < (int) G_N_ELEMENTS (account_stack));
  account_stack[account_depth++] = current_account;
  current_account = account;
}

void
sal_alloc_pop_account (void)
{
  g_return_if_fail (account_depth > 0);
  current_account = account_stack[--account_depth];
}

gpointer
sal_alloc (gsize n_bytes)
{
  guint8 *block;
  gint64 live, peak;

  if (n_bytes == 0 || n_bytes > G_MAXSIZE - HEADER)
    return NULL;
  if (posix_memalign ((void **) &block, 64, n_bytes + HEADER) != 0)
    return NULL;
  ((gsize *) block)[0] = n_bytes;
  ((SalAllocAccount **) block)[1] = current_account;
  if (current_account != NULL)
    {
      __atomic_fetch_add (&current_account->bytes_live, (gint64) n_bytes, __ATOMIC_RELAXED);
      __atomic_fetch_add (&current_account->n_allocs, 1, __ATOMIC_RELAXED);
    }
  __atomic_fetch_add (&n_allocs_counter, 1, __ATOMIC_RELAXED);
  live = __atomic_add_fetch (&bytes_live, (gint64) n_bytes, __ATOMIC_RELAXED);
  peak = __atomic_load_n (&bytes_peak, __ATOMIC_RELAXED);
  while (live > peak &&
         !__atomic_compare_exchange_n (&bytes_peak, &peak, live, TRUE,
                                       __ATOMIC_RELAXED, __ATOMIC_RELAXED))
    ;
  return block + HEADER;
}

gpointer
sal_alloc0 (gsize n_bytes)
{
  gpointer p = sal_alloc (n_bytes);

  if (p != NULL)
    memset (p, 0, n_bytes);
  return p;
}

void
sal_free (gpointer p)
{
  guint8 *block;

  if (p == NULL)
    return;
  block = (guint8 *) p - HEADER;
  __atomic_fetch_add (&n_frees_counter, 1, __ATOMIC_RELAXED);
  __atomic_sub_fetch (&bytes_live, (gint64) *(gsize *) block, __ATOMIC_RELAXED);
  if (((SalAllocAccount **) block)[1] != NULL)
    __atomic_sub_fetch (&((SalAllocAccount **) block)[1]->bytes_live,
                        (gint64) *(gsize *) block, __ATOMIC_RELAXED);
  free (block);
}

void
sal_alloc_stats (SalAllocStats *out)
{
  out->n_allocs = (guint64) __atomic_load_n (&n_allocs_counter, __ATOMIC_RELAXED);
  out->n_frees = (guint64) __atomic_load_n (&n_frees_counter, __ATOMIC_RELAXED);
  out->bytes_live = __atomic_load_n (&bytes_live, __ATOMIC_RELAXED);
  out->bytes_peak = __atomic_load_n (&bytes_peak, __ATOMIC_RELAXED);
}
