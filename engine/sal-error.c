/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sal-error.h"

G_DEFINE_QUARK (sal-error-quark, sal_error)
