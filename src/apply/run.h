/* SPDX-License-Identifier: MIT */
/* One run of apply or rollback, from the lock to the journal's last word:
 *
 *   lock the namespace -> undo what an interrupted run left -> inspect ->
 *   what to set -> plan -> privilege -> transaction
 *
 * Nothing here prints: every outcome goes into struct apply_outcome
 * (apply/outcome.h), which the command renders as text or JSON
 * (report/apply.h). */
#ifndef TWTUNE_APPLY_RUN_H
#define TWTUNE_APPLY_RUN_H

#include <stdbool.h>

#include "apply/outcome.h"
#include "apply/plan.h"
#include "apply/txn.h"
#include "engine/rules.h"
#include "inspect/facts.h"

struct apply_request {
	const char *proc_root;
	const char *kernel_override;
	const char *state_dir;
	const char *lock_dir;	 /* NULL: LOCK_DIR; tests give their own */
	const char *persist_dir; /* NULL: --no-persist */
	bool persist_dir_given;	 /* --sysctl-d: conflicts only within it */
	bool check;		 /* --check: plan, take no lock, change nothing */
	bool force;		 /* apply a profile whose requirements are unmet */
	bool preview;		 /* `profiles NAME`: unmet requirements are a note */
};

/* One run of apply, between apply_begin() and apply_end(). */
struct apply_run {
	const struct apply_request *req;
	struct txn_env env;
	char ns[160];
	int lock; /* -1: none (checking) */
	struct tw_facts facts;
};

/* Take the namespace's lock and undo what an interrupted run left (not
 * when checking), then inspect the host: the plan starts from the values
 * as they are once that is done. 0, or a negative errno when the run is
 * refused (OUT->message says why; OUT->status is APPLY_REFUSED or how the
 * recovery ended). Call apply_end() either way. */
int apply_begin(const struct apply_request *req, struct apply_run *run, struct apply_outcome *out);

/* Apply PROFILE to the host RUN inspected, or, when it is NULL, what RULES
 * recommend there: what to set, the plan, privilege, the transaction. 0
 * when the run reached its end (OUT->status says how: changed, unchanged,
 * rolled back, incomplete), or a negative errno when it was refused before
 * anything changed. */
int apply_settings(struct apply_run *run, const struct rule *profile, const struct rule_set *rules,
		   struct apply_outcome *out);

void apply_end(struct apply_run *run);

struct rollback_request {
	const char *proc_root;
	const char *state_dir;
	const char *lock_dir;	 /* NULL: LOCK_DIR */
	const char *persist_dir; /* --sysctl-d; NULL: PERSIST_DIR */
	const char *id;		 /* the transaction to undo; NULL: the last committed apply */
	bool check;
};

/* Undo a committed apply, as a transaction of its own: lock, recovery,
 * plan, transaction. Returns as apply_settings() does. */
int rollback_run(const struct rollback_request *req, struct apply_outcome *out);

#endif
