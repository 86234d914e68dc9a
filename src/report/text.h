/* SPDX-License-Identifier: MIT */
#ifndef TWTUNE_REPORT_TEXT_H
#define TWTUNE_REPORT_TEXT_H

#include <stdio.h>

#include "engine/engine.h"
#include "inspect/facts.h"

/* The `check` report for a person: verdict, then findings by severity
 * (current -> recommended, one line of why), then the facts, then what
 * could not be inspected. COLOUR adds ANSI colours to severities. */
void report_check_text(FILE *out, const struct tw_facts *f, const struct findings *fs, bool colour);

/* Should a report to FD be coloured? Only on a terminal, and never when
 * NO_COLOR is set to anything (https://no-color.org). */
bool want_colour(int fd);

/* One line of the `check --all-netns` summary table. */
struct netns_summary_row {
	char label[128];
	unsigned processes;
	bool inspected;
	char reason[512];    /* why not, when !inspected */
	long long time_wait; /* -1 when the census failed */
	const char *verdict;
	char worst_finding[64];
};

void report_netns_summary(FILE *out, const struct netns_summary_row *rows, size_t count,
			  unsigned unreadable_processes);

#endif
