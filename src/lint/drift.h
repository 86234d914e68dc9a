/* SPDX-License-Identifier: MIT */
/* Drift, for check: the running kernel against its boot configuration. */
#ifndef TWTUNE_DRIFT_H
#define TWTUNE_DRIFT_H

#include "engine/engine.h"
#include "inspect/facts.h"
#include "sysctld/sysctld.h"

/* Drift for check: each key twtune knows whose running value on F differs
 * from what CONFIG (this host's boot configuration) would set, naming the
 * file and line that would win, or that is set at runtime but in no file
 * and differs from the kernel's default (lost at reboot). */
int drift_findings(const struct tw_facts *f, const struct sysctl_config *config,
		   struct findings *out);

#endif
