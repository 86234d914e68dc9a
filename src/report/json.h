/* SPDX-License-Identifier: MIT */
#ifndef TWTUNE_REPORT_JSON_H
#define TWTUNE_REPORT_JSON_H

#include <jansson.h>

#include "check/check.h"
#include "engine/engine.h"
#include "inspect/facts.h"
#include "inspect/netns.h"

/* The `check` document: every fact, then findings and status. The schema is
 * documented in twtune(1), JSON OUTPUT; names are stable. The caller owns
 * the returned reference. */
json_t *report_check_json(const struct tw_facts *f, const struct findings *fs);

/* "ok", "warning", "critical", or "unknown" when nothing was inspected. */
const char *check_status(const struct tw_facts *f, const struct findings *fs);

/* One element of `check --all-netns --format json`: the check document
 * with the namespace's identity (name, inode, processes) in "netns", or,
 * when F is NULL, only the identity with inspected=false and REASON. */
json_t *report_netns_json(const struct netns_entry *e, const struct tw_facts *f,
			  const struct findings *fs, const char *reason);

/* The `check` document of one host as `twtune check --format json` prints
 * it: report_check_json() with the interrupted transactions and whether
 * (and against what) drift was checked. */
json_t *report_check_result_json(const struct check_result *r);

#endif
