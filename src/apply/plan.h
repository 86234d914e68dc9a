/* SPDX-License-Identifier: MIT */
/* The plan of a transaction: what the host holds, what is wanted, what
 * changes, and the persisted file's new content. Validation happens here,
 * before anything is written: a value the key does not accept, or a port
 * range the kernel would refuse, stops the run with nothing changed. */
#ifndef TWTUNE_PLAN_H
#define TWTUNE_PLAN_H

#include "apply/journal.h"
#include "inspect/facts.h"

struct desired_setting {
	enum knob_id key;
	struct knob_value value;
};

void desired_free(struct desired_setting *desired, unsigned count);

struct plan_options {
	const char *proc_root;
	const char *persist_dir; /* NULL: --no-persist */
	bool persist_dir_given;	 /* --sysctl-d: conflicts only within it */
	const char *source;	 /* "profile client-heavy", "recommended" */
	const char *ns;
};

#define PLAN_MAX_WARNINGS 16

struct plan {
	struct txn_record record; /* changes and file, ready for txn_execute */
	struct {
		enum knob_id key;
		char reason[192];
	} skipped[KNOB_COUNT];
	unsigned skipped_count;
	char warnings[PLAN_MAX_WARNINGS][384];
	unsigned warning_count;
	bool file_change; /* the persisted file's bytes change */
};

/* Build the plan for DESIRED on the host F. Returns 0, or -EINVAL (ERR
 * names the key and why) when a value may not be applied at all. */
int plan_build(const struct tw_facts *f, const struct desired_setting *desired, unsigned count,
	       const struct plan_options *o, struct plan *p, char *err, size_t errlen);

/* A rollback's plan: put back what transaction T changed (its old values,
 * and its file's old bytes), from what the host holds now. */
int plan_undo(const struct txn_record *t, const struct plan_options *o, struct plan *p, char *err,
	      size_t errlen);

bool plan_changes_anything(const struct plan *p);
void plan_free(struct plan *p);

#endif
