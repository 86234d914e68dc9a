/* SPDX-License-Identifier: MIT */
/* Lint's own checks and drift's, as rules without conditions, so that
 * findings and reports treat them alike. */
#ifndef TWTUNE_BUILTIN_H
#define TWTUNE_BUILTIN_H

#include "engine/rules.h"

extern const struct rule lint_rule_syntax, lint_rule_invalid_value, lint_rule_duplicate_key,
	lint_rule_overridden, lint_rule_not_on_kernel, lint_rule_unreadable, lint_rule_odd_bytes,
	drift_rule_boot_differs, drift_rule_not_persisted;

/* A built-in rule by id (lint's and drift's), for explain; NULL if none. */
const struct rule *builtin_rule_find(const char *id);

#endif
