/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The full-size architectures of tests/cache/arch (see test-arch.c). */
#define SAL_ARCH_FULL 1
#include "test-arch.c"
