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

struct apply_request {
	const char *proc_root;
	const char *kernel_override;
	const char *state_dir;
	const char *persist_dir;      /* NULL: --no-persist */
	bool persist_dir_given;	      /* --sysctl-d: conflicts only within it */
	bool check;		      /* --check: plan, take no lock, change nothing */
	bool force;		      /* apply a profile whose requirements are unmet */
	bool preview;		      /* `profiles NAME`: unmet requirements are a note */
	const struct rule *profile;   /* the profile to apply, or NULL and: */
	const struct rule_set *rules; /* the rules whose recommendations to apply */
};

/* Apply a profile or the recommendations. 0 when the run reached its end
 * (OUT->status says how: changed, unchanged, rolled back, incomplete), or a
 * negative errno when it was refused before anything changed (OUT->message
 * says why, OUT->status is APPLY_REFUSED or how recovery ended). */
int apply_run(const struct apply_request *req, struct apply_outcome *out);

struct rollback_request {
	const char *proc_root;
	const char *state_dir;
	const char *id; /* the transaction to undo; NULL: the last committed apply */
	bool check;
};

/* Undo a committed apply, as a transaction of its own. Returns as
 * apply_run does. */
int rollback_run(const struct rollback_request *req, struct apply_outcome *out);

#endif
