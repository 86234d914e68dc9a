/* SPDX-License-Identifier: MIT */
/* One host's check, as `twtune check` reports it: inspect the network
 * namespace, judge the facts with the rules, compare the running values
 * with the boot configuration (drift), and name the transactions an apply
 * left interrupted. Or the same for every namespace on the host. Nothing
 * here prints: the command renders a struct check_result. */
#ifndef TWTUNE_CHECK_H
#define TWTUNE_CHECK_H

#include <limits.h>
#include <stdbool.h>

#include "engine/engine.h"
#include "inspect/inspect.h"
#include "inspect/netns.h"

struct check_options {
	struct inspect_options inspect;
	const struct rule_set *rules;
	const char *state_dir;	 /* the journal's, for interrupted transactions */
	const char *sysctl_root; /* --sysctl-root: whose boot configuration; NULL: the host's */
};

#define CHECK_INTERRUPTED_MAX 8

struct check_result {
	int inspected; /* inspect_host(): 0, or -ENODATA when nothing could be read */
	struct tw_facts facts;
	struct findings findings; /* the rules', then drift's */
	struct {
		bool checked;
		char root[PATH_MAX]; /* whose configuration, when checked */
		const char *reason;  /* why not, when not checked */
	} drift;
	struct {
		char id[64];
		char source[128];
	} interrupted[CHECK_INTERRUPTED_MAX];
	unsigned interrupted_count;
};

/* Check the namespace this process is in. 0, or -ENOMEM (OUT is then
 * empty but may be freed). */
int check_host(const struct check_options *o, struct check_result *out);
void check_result_free(struct check_result *r);

/* One namespace of check_all_namespaces(): its identity, and either its
 * result or why it could not be inspected. */
struct netns_check {
	const struct netns_entry *entry;
	char label[128];
	bool inspected;
	char reason[512]; /* when !inspected */
	struct check_result result;
};

/* Enter every network namespace on the host in turn (named ones and those
 * of running processes), check it (rules only: no drift, no journal), come
 * back, and hand it to EACH. 0; -errno when the namespaces cannot be
 * listed, or when the starting namespace cannot be re-entered (every later
 * namespace would be wrong: ERR says so and the walk stops). */
int check_all_namespaces(const struct check_options *o,
			 void (*each)(const struct netns_check *c, void *arg), void *arg,
			 unsigned *unreadable_processes, char *err, size_t errlen);

#endif
