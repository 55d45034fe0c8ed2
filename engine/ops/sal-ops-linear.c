/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-engine"

#include "sal-op.h"

/* Empty until this group's operators land. */
const SalOpGroup sal_ops_linear = { NULL, 0 };
