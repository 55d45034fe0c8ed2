/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"
#include "sal-test-util.h"

static void
test_version (void)
{
  g_autofree char *out = NULL;
  int status = sal_test_run_cli (&out, NULL, "--version", NULL);

  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (out, ==, "salient-cli " PACKAGE_VERSION "\n");
}

static void
test_help_and_unknown (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (sal_test_run_cli (&out, NULL, "--help", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Usage: salient-cli"));
  g_assert_cmpint (sal_test_run_cli (NULL, &err, "no-such-command", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "unknown command"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/app/cli/version", test_version);
  g_test_add_func ("/app/cli/help-and-unknown", test_help_and_unknown);
  return g_test_run ();
}
