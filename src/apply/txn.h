/* SPDX-License-Identifier: MIT */
/* The transaction: the one place where twtune changes a host.
 *
 *   journal (pending, fsynced) -> write each key, read it back ->
 *   persist the sysctl.d file (atomically) -> journal (committed)
 *
 * Any failure undoes every key already written, in reverse order, reading
 * each back, restores the file, and marks the journal rolled back. A run
 * killed in the middle leaves a pending record, which the next apply or
 * rollback undoes first (txn_recover). */
#ifndef TWTUNE_TXN_H
#define TWTUNE_TXN_H

#include <stddef.h>

#include "apply/hooks.h"
#include "apply/journal.h"

/* Exit statuses of apply and rollback (twtune(1)). */
enum {
	APPLY_OK = 0,
	APPLY_ROLLED_BACK = 1, /* failed; the host is as it was */
	APPLY_REFUSED = 2,     /* usage, validation, privilege: nothing changed */
	APPLY_INCOMPLETE = 3,  /* failed and could not be put back entirely */
};

struct txn_env {
	const char *proc_root;
	const char *state_dir;
	const char *ns;	      /* the namespace's identity, as in the journal */
	const char *lock_dir; /* NULL: LOCK_DIR (apply/lock.h) */
	/* where the persisted file lives (--sysctl-d or PERSIST_DIR): a
	 * record that names another directory is not undone */
	const char *persist_dir;
	struct test_hooks hooks;
};

struct txn_result {
	int status;	    /* one of the APPLY_* above */
	char message[2048]; /* what happened, for a person */
};

/* Run the planned transaction R (id, kind, source, changes and persisted
 * file filled in; status pending). R's status and message are updated and
 * journalled. */
void txn_execute(struct txn_env *env, struct txn_record *r, struct txn_result *out);

/* Undo every pending (interrupted) transaction of this namespace among the
 * records of J (journal_read). IDS gets the ids undone (up to MAX).
 * Returns how many, or -1 when one could not be undone entirely, or when
 * one persisted to another directory than ENV->persist_dir (nothing is
 * undone then: OUT says which --sysctl-d to run with, with status
 * APPLY_REFUSED); OUT says how things stand. */
int txn_recover(struct txn_env *env, struct journal *j, char ids[][64], unsigned max,
		struct txn_result *out);

#endif
