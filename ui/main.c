/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sal-application.h"

int
main (int argc, char **argv)
{
  return sal_application_run_main (argc, argv);
}
