/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The SIGKILL test of test-store-kill.c with 60 kills (the slow suite). */
#define KILL_ITERATIONS 60
#include "test-store-kill.c"
