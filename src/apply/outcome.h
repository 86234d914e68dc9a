/* SPDX-License-Identifier: MIT */
/* How a run of apply or rollback went, for the command to show: the plan,
 * whether it ran and how it ended, and what was said along the way. */
#ifndef TWTUNE_APPLY_OUTCOME_H
#define TWTUNE_APPLY_OUTCOME_H

#include <stdbool.h>

#include "apply/plan.h"

#define APPLY_RECOVERED_MAX 8
#define APPLY_NOTES_MAX 8

struct apply_outcome {
	const char *command; /* "apply", "rollback", "would apply" */
	bool check_mode;     /* --check: nothing was changed */
	bool diff;	     /* --diff: show the file's lines too */
	bool executed;	     /* a transaction ran */
	bool refused;	     /* refused before anything changed */
	char source[128];    /* "profile NAME", "recommended", "rollback of ID" */
	int status;	     /* APPLY_*: the exit status */
	char message[2048];  /* why it was refused, or how the transaction failed */
	char recovery[2048]; /* what undoing interrupted transactions did */
	char warning[1024];  /* a failure after the fact (the journal's last mark) */
	char recovered[APPLY_RECOVERED_MAX][64];
	unsigned recovered_count;
	char notes[APPLY_NOTES_MAX][512]; /* --force, keys left out, and the like */
	unsigned note_count;
	struct plan plan;
};

void apply_outcome_free(struct apply_outcome *out);

/* Add a note to OUT (dropped beyond APPLY_NOTES_MAX). */
void apply_note(struct apply_outcome *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The run is refused before anything changed: OUT's message says why (as
 * FMT has it) and its status is APPLY_REFUSED. Returns ERROR. */
int apply_refuse(struct apply_outcome *out, int error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
