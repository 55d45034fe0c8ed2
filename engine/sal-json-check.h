/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* A small JSON syntax check (RFC 8259), engine-private: the engine validates
 * the salient.* metadata of a model without a JSON library; app/ parses the
 * values with json-glib. */

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  SAL_JSON_INVALID,
  SAL_JSON_NULL,
  SAL_JSON_BOOL,
  SAL_JSON_NUMBER,
  SAL_JSON_STRING,
  SAL_JSON_ARRAY,
  SAL_JSON_OBJECT,
} SalJsonKind;

/* The kind of the single top-level value of `text`, or SAL_JSON_INVALID when
 * it is not well-formed JSON (nesting deeper than 64 counts as invalid). */
SalJsonKind sal_json_check      (const char *text);
const char *sal_json_kind_name  (SalJsonKind kind);

/* Checks the salient.* keys of DESIGN.md: each must be JSON of its kind
 * (salient.task and salient.input_kind: one of their strings). Unknown
 * salient.* keys are accepted (newer Salient versions may add some). */
gboolean    sal_json_check_metadata (const char *key, const char *value, GError **error);

G_END_DECLS
