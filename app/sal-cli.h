/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* salient-cli's whole behaviour; main() only calls this. Returns the exit status. */
int sal_cli_main (int argc, char **argv);

G_END_DECLS
