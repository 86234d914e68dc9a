/* SPDX-License-Identifier: MIT */
/* A host for the fuzz targets of conditions and rules to judge: the facts
 * of a busy Linux 6.1 client, made once, so that a condition meets
 * numbers, strings, versions and unknowns as it does on a real host. */
#ifndef TWTUNE_FUZZ_HOST_H
#define TWTUNE_FUZZ_HOST_H

#include "inspect/facts.h"

/* The facts, built at the first call (abort() if they cannot be). */
const struct tw_facts *fuzz_host(void);

#endif
