/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The engine's public API, for app/ and tests. */
#include "sal-error.h"
#include "sal-tensor.h"
#include "sal-alloc.h"
#include "sal-model.h"
#include "sal-graph-builder.h"

G_BEGIN_DECLS

const char *sal_engine_version (void);
/* Per-process setup (OpenBLAS to one thread). Idempotent, thread safe. */
void        sal_engine_init    (void);

G_END_DECLS
