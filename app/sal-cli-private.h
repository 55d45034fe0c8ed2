/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Global options, parsed before the subcommand. */
typedef struct {
  const char *db_path;     /* --db FILE, or NULL for the default database */
} SalCliGlobals;

/* A subcommand gets its own argv (argv[0] is its name) and returns the exit status.
 * It prints results to stdout and errors (one clear line) to stderr. */
typedef int (*SalCliFunc) (const SalCliGlobals *globals, int argc, char **argv);

typedef struct {
  const char *name;          /* "info", "workouts" ... */
  const char *summary;       /* one line for --help, translatable (N_) */
  SalCliFunc  func;
} SalCliCommand;

/* Prints "salient-cli: MESSAGE" to stderr; returns 1 for `return sal_cli_fail (...)`. */
int sal_cli_fail (const char *format, ...) G_GNUC_PRINTF (1, 2);

/* sal-cli-util.c: a whole number in [lo, hi] (FALSE for NULL or anything else);
 * a JSON member that is null for NAN and infinities; the builder's root as
 * pretty JSON, to the file `output` or, when it is NULL, to stdout. */
gboolean sal_cli_parse_int  (const char *s, int lo, int hi, int *out);
void     sal_cli_add_double (JsonBuilder *b, const char *name, double v);
gboolean sal_cli_write_json (JsonBuilder *b, const char *output, GError **error);

/* The model in the file `path` and the SHA-256 of that file (hex, in *sha256). */
typedef struct _SalModel SalModel;
SalModel *sal_cli_load_model (const char *path, char **sha256, GError **error);

/* Adds the members "shape" (the dims) and "values" (every element as a number) to
 * the open object in b. */
typedef struct _SalTensor SalTensor;
void sal_cli_add_tensor (JsonBuilder *b, const SalTensor *t);

/* Subcommands, one file per area (sal-cli-<area>.c). */
int sal_cli_version_cmd (const SalCliGlobals *g, int argc, char **argv);
int sal_cli_bench_cmd   (const SalCliGlobals *g, int argc, char **argv);
int sal_cli_info_cmd (const SalCliGlobals *g, int argc, char **argv);      /* sal-cli-model.c */
int sal_cli_infer_cmd (const SalCliGlobals *g, int argc, char **argv);     /* sal-cli-model.c */
int sal_cli_run_test_cmd (const SalCliGlobals *g, int argc, char **argv);  /* sal-cli-model.c */
int sal_cli_explain_cmd (const SalCliGlobals *g, int argc, char **argv);   /* sal-cli-explain.c */
int sal_cli_explain_eval_cmd (const SalCliGlobals *g, int argc, char **argv);   /* sal-cli-explain-eval.c */

/* sal-cli-store.c */
typedef struct _SalStore SalStore;
SalStore *sal_cli_open_store (const SalCliGlobals *g, GError **error);
int sal_cli_audit_cmd    (const SalCliGlobals *g, int argc, char **argv);
int sal_cli_backup_cmd   (const SalCliGlobals *g, int argc, char **argv);
int sal_cli_cases_cmd    (const SalCliGlobals *g, int argc, char **argv);
int sal_cli_restore_cmd  (const SalCliGlobals *g, int argc, char **argv);
int sal_cli_workouts_cmd (const SalCliGlobals *g, int argc, char **argv);

/* sal-cli-transfer.c */
int sal_cli_export_cmd   (const SalCliGlobals *g, int argc, char **argv);
int sal_cli_import_cmd   (const SalCliGlobals *g, int argc, char **argv);
int sal_cli_deid_cmd    (const SalCliGlobals *g, int argc, char **argv);

/* sal-cli-train.c */
int sal_cli_train_cmd    (const SalCliGlobals *g, int argc, char **argv);
int sal_cli_evaluate_cmd (const SalCliGlobals *g, int argc, char **argv);
/* sal-cli-fitness.c */
int sal_cli_fitness_cmd  (const SalCliGlobals *g, int argc, char **argv);
/* sal-cli-report.c */
int sal_cli_report_cmd      (const SalCliGlobals *g, int argc, char **argv);
int sal_cli_clinic_demo_cmd (const SalCliGlobals *g, int argc, char **argv);

G_END_DECLS
