/* SPDX-License-Identifier: MIT */
#ifndef TWTUNE_INSPECT_H
#define TWTUNE_INSPECT_H

#include "inspect/facts.h"

/* Whether to map the top destinations' sockets to processes (check
 * --processes, --no-processes; inspect/owners.h): by default only when
 * there is pressure worth explaining. */
enum owners_mode { OWNERS_AUTO, OWNERS_ALWAYS, OWNERS_NEVER };

struct inspect_options {
	const char *proc_root;	     /* "/proc" unless --proc */
	const char *kernel_override; /* --kernel, or NULL */
	double sample_seconds;	     /* --sample; 0 = one reading */
	enum owners_mode owners;     /* --processes, --no-processes */
	/* called about ten times a second while sampling, may be NULL */
	void (*progress)(double elapsed, double total, void *arg);
	void *progress_arg;
};

/* Gather every fact about this host (network namespace). Whatever cannot be
 * read is recorded in f->errors and the rest is still gathered. Returns 0,
 * or -ENODATA when nothing at all could be inspected. */
int inspect_host(const struct inspect_options *o, struct tw_facts *f);

#endif
