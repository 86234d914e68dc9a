/* SPDX-License-Identifier: MIT */
/* What apply and rollback did (or, with --check, would do). */
#ifndef TWTUNE_REPORT_APPLY_H
#define TWTUNE_REPORT_APPLY_H

#include <jansson.h>
#include <stdio.h>

#include "apply/outcome.h"

void report_apply_text(FILE *out, const struct apply_outcome *o);

/* {"changed", "check_mode", "transaction", "status", "source",
 *  "changes": [{"key","old","new"}], "skipped": [{"key","reason"}],
 *  "persisted": path or null, "warnings": [...], "recovered": [...],
 *  "message"} */
json_t *report_apply_json(const struct apply_outcome *o);

/* The JSON document on stdout. */
void report_apply_print_json(const struct apply_outcome *o);

/* The whole of a run for its command: what undoing an interrupted run said
 * (stderr), the outcome as text or JSON (stdout) unless the run was
 * refused (R < 0), and any failure (stderr). Returns the exit status. */
int report_apply_outcome(int r, const struct apply_outcome *o, bool json);

#endif
