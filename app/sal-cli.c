/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "sal-cli.h"
#include "sal-cli-private.h"
#include "sal-engine.h"

/* The subcommand table: add a line per subcommand, sorted by name. */
static const SalCliCommand commands[] = {
  { "audit", N_("Verify the audit log’s hash chain"), sal_cli_audit_cmd },
  { "backup", N_("Write a backup copy of the database"), sal_cli_backup_cmd },
  { "bench", N_("Measure a model’s latency"), sal_cli_bench_cmd },
  { "cases", N_("List cases"), sal_cli_cases_cmd },
  { "clinic-demo", N_("Add or remove the Clinic’s demo cases"), sal_cli_clinic_demo_cmd },
  { "deid", N_("Print a note with names, dates and other identifiers removed"), sal_cli_deid_cmd },
  { "evaluate", N_("Cross-validate or score a training recipe without writing a model"), sal_cli_evaluate_cmd },
  { "export", N_("Export workouts as CSV or GPX"), sal_cli_export_cmd },
  { "fitness", N_("Daily training load, fitness, fatigue and form; demo athlete"), sal_cli_fitness_cmd },
  { "import", N_("Import workouts and images from files (all or nothing)"), sal_cli_import_cmd },
  { "infer", N_("Run a model on one input (PNG, CSV, text or .pb)"), sal_cli_infer_cmd },
  { "explain", N_("Explain a model's result for one input (JSON, optional PNG overlay)"), sal_cli_explain_cmd },
  { "explain-eval", N_("Score a model's explanations against planted ground truth (JSON)"), sal_cli_explain_eval_cmd },
  { "info", N_("Describe a model: inputs, outputs, operators, metadata"), sal_cli_info_cmd },
  { "report", N_("Write a case as a PDF report"), sal_cli_report_cmd },
  { "restore", N_("Replace the database with a checked backup"), sal_cli_restore_cmd },
  { "run-test", N_("Run an ONNX test case folder and compare the outputs"), sal_cli_run_test_cmd },
  { "train", N_("Train a model from a recipe and write the ONNX file and its card"), sal_cli_train_cmd },
  { "version", N_("Print the version"), sal_cli_version_cmd },
  { "workouts", N_("List workouts"), sal_cli_workouts_cmd },
};

int
sal_cli_fail (const char *format, ...)
{
  va_list args;
  g_autofree char *msg = NULL;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, "salient-cli: %s\n", msg);
  return 1;
}

int
sal_cli_version_cmd (const SalCliGlobals *g, int argc, char **argv)
{
  printf ("salient-cli %s\n", PACKAGE_VERSION);
  return 0;
}

static void
print_help (FILE *out)
{
  fprintf (out, "%s\n\n", _("Usage: salient-cli [--db FILE] COMMAND [ARGS…]"));
  fprintf (out, "%s\n\n", _("Salient without a window: models, explanations, imports and reports for scripts."));
  fprintf (out, "%s\n", _("Options:"));
  fprintf (out, "  --db FILE    %s\n", _("Use this database instead of the default one"));
  fprintf (out, "  --help       %s\n", _("Show this help"));
  fprintf (out, "  --version    %s\n\n", _("Print the version"));
  fprintf (out, "%s\n", _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-12s %s\n", commands[i].name, _(commands[i].summary));
  fprintf (out, "\n%s\n", _("Run “salient-cli COMMAND --help” for a command’s options."));
}

int
sal_cli_main (int argc, char **argv)
{
  SalCliGlobals globals = { NULL };
  int i;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  sal_engine_init ();

  for (i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--help") == 0 || strcmp (argv[i], "-h") == 0)
        {
          print_help (stdout);
          return 0;
        }
      else if (strcmp (argv[i], "--version") == 0)
        return sal_cli_version_cmd (&globals, 0, NULL);
      else if (strcmp (argv[i], "--db") == 0)
        {
          if (i + 1 >= argc)
            return sal_cli_fail (_("--db needs a file name"));
          globals.db_path = argv[++i];
        }
      else if (g_str_has_prefix (argv[i], "--db="))
        globals.db_path = argv[i] + strlen ("--db=");
      else if (argv[i][0] == '-')
        return sal_cli_fail (_("unknown option “%s”; see salient-cli --help"), argv[i]);
      else
        break;
    }

  if (i >= argc)
    {
      print_help (stderr);
      return 2;
    }

  for (guint c = 0; c < G_N_ELEMENTS (commands); c++)
    if (strcmp (commands[c].name, argv[i]) == 0)
      return commands[c].func (&globals, argc - i, argv + i);

  return sal_cli_fail (_("unknown command “%s”; see salient-cli --help"), argv[i]);
}
