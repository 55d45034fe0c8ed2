/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-engine"

#include "config.h"
#include "sal-engine.h"
#include "sal-blas.h"

const char *
sal_engine_version (void)
{
  return PACKAGE_VERSION;
}

void
sal_engine_init (void)
{
  sal_blas_init ();
}
