/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-engine"

#include "sal-op.h"

void
sal_exec_parallel_for (const SalExecCtx *ctx, int64_t n, SalRangeFunc fn, gpointer data)
{
  /* Serial until the engine's thread team lands. */
  if (n > 0)
    fn (0, n, data);
}
