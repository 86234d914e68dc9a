/* SPDX-License-Identifier: MIT */
/* Test hooks of the transaction, so that tests can make any step fail and
 * kill twtune in the middle of one. They only ever make a run fail or
 * wait; nothing they do can make a change succeed that would not.
 *
 *   TWTUNE_TEST_FAULT=STEP[:N][,STEP[:N]...]  fail step STEP (the Nth
 *       time, default 1): journal, write, readback, persist, commit, undo
 *   TWTUNE_TEST_PAUSE=POINT[:N][,...]  at the Nth pass of POINT, say
 *       "twtune: test pause POINT" on stderr and wait 60 s (to be killed):
 *       after-journal (recorded, nothing changed yet), after-write (a key
 *       written), after-persist (the file written, not yet committed),
 *       after-commit, after-undo (a key put back while undoing) */
#ifndef TWTUNE_HOOKS_H
#define TWTUNE_HOOKS_H

#include <stdbool.h>

#define TEST_HOOK_STEPS 16

/* Calls per step, for "the Nth time"; one per transaction. */
struct test_hooks {
	struct {
		char step[24];
		unsigned calls;
	} counters[TEST_HOOK_STEPS];
};

/* Should step STEP fail now? Counts the calls per step. */
bool test_fault(struct test_hooks *h, const char *step);

/* Pause here if asked to, after the Nth call for STEP. */
void test_pause(struct test_hooks *h, const char *step);

#endif
