/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sal-cli.h"

int
main (int argc, char **argv)
{
  return sal_cli_main (argc, argv);
}
