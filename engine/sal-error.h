/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SAL_ERROR (sal_error_quark ())

typedef enum {
  SAL_ERROR_FAILED,
  SAL_ERROR_INVALID,       /* malformed model, tensor or input */
  SAL_ERROR_UNSUPPORTED,   /* valid, but Salient does not support it (operator, dtype, mode) */
  SAL_ERROR_TOO_LARGE,     /* over a size, element or memory budget */
  SAL_ERROR_NO_MEMORY,
  SAL_ERROR_CANCELLED,
  SAL_ERROR_IO,
} SalErrorCode;

GQuark sal_error_quark (void);

G_END_DECLS
