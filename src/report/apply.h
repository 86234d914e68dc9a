/* What apply and rollback did (or, with --check, would do). */
#ifndef TWTUNE_REPORT_APPLY_H
#define TWTUNE_REPORT_APPLY_H

#include <jansson.h>
#include <stdio.h>

#include "apply/plan.h"

struct apply_summary {
	const char *command; /* "apply" or "rollback" */
	bool check_mode;     /* --check: nothing was changed */
	bool diff;	     /* --diff: show the file's lines too */
	bool executed;	     /* a transaction ran */
	int status;	     /* APPLY_* */
	const char *message; /* what failed, or how recovery went */
#define RECOVERED_MAX 8
	char recovered[RECOVERED_MAX][64];
	unsigned recovered_count;
	char notes[8][256]; /* --force and the like */
	unsigned note_count;
};

void report_apply_text(FILE *out, const struct plan *p, const struct apply_summary *s);

/* {"changed", "check_mode", "transaction", "status", "source",
 *  "changes": [{"key","old","new"}], "skipped": [{"key","reason"}],
 *  "persisted": path or null, "warnings": [...], "recovered": [...],
 *  "message"} */
json_t *report_apply_json(const struct plan *p, const struct apply_summary *s);

#endif
