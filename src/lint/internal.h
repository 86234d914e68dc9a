/* SPDX-License-Identifier: MIT */
/* Private to src/lint/: what sysctl.d files set at boot for one of
 * twtune's keys, which lint (the facts the files describe, where a finding
 * stands) and drift both ask. */
#ifndef TWTUNE_LINT_INTERNAL_H
#define TWTUNE_LINT_INTERNAL_H

#include <stddef.h>

#include "common/knobs.h"
#include "sysctld/sysctld.h"

/* The assignment that sets K at boot (sysctld_effective takes the dotted
 * name as it is), or NULL when none does or "-K" unsets it. */
static inline const struct sysctl_assignment *boot_assignment(const struct sysctl_config *c,
							      enum knob_id k)
{
	const struct sysctl_assignment *a = sysctld_effective(c, knob_get(k)->name);

	return a && a->value ? a : NULL;
}

#endif
