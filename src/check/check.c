/* SPDX-License-Identifier: MIT */
#include "check/check.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply/counter_log.h"
#include "apply/journal.h"
#include "inspect/procfs.h"
#include "lint/drift.h"

/* sysctl.d configures the initial network namespace only (systemd-sysctl
 * runs there at boot): containers' namespaces get the kernel's defaults.
 * So drift is checked for the host's own namespace, or for whatever tree
 * --sysctl-root names; otherwise the result says why not. */
static void check_drift(const struct check_options *o, struct check_result *out)
{
	const char *root = o->sysctl_root;
	struct sysctl_config config;
	int initial;

	if (!root) {
		if (!procfs_is_live(o->inspect.proc_root))
			out->drift.reason =
				"a --proc tree: give --sysctl-root DIR for its configuration";
		else if ((initial = netns_is_initial(&out->facts.netns)) < 0)
			out->drift.reason =
				"cannot tell whether this is the initial network namespace "
				"(/proc/1/ns/net unreadable); give --sysctl-root / to compare "
				"anyway";
		else if (!initial)
			out->drift.reason = "not the initial network namespace: sysctl.d "
					    "configures only that one";
		else
			root = "/";
	}
	if (out->drift.reason)
		return;
	snprintf(out->drift.root, sizeof(out->drift.root), "%s", root);
	memset(&config, 0, sizeof(config));
	if (sysctld_load_system(strcmp(root, "/") == 0 ? "" : root, false, &config) < 0 ||
	    drift_findings(&out->facts, &config, &out->findings) < 0) {
		out->drift.reason = "out of memory";
	} else {
		out->drift.checked = true;
		findings_sort(&out->findings);
	}
	sysctld_free(&config);
}

/* An apply or rollback killed in the middle leaves a pending record; the
 * next apply or rollback undoes it, and check says so meanwhile. An
 * unprivileged check cannot read the journal, and says nothing. */
static void note_interrupted(const struct check_options *o, const char *ns,
			     struct check_result *out)
{
	char ids[CHECK_INTERRUPTED_MAX][64], sources[CHECK_INTERRUPTED_MAX][128], err[512];
	int n = journal_pending(o->state_dir, ns, ids, sources, err, sizeof(err),
				CHECK_INTERRUPTED_MAX);

	for (int i = 0; i < n; i++) {
		memcpy(out->interrupted[i].id, ids[i], sizeof(ids[i]));
		memcpy(out->interrupted[i].source, sources[i], sizeof(sources[i]));
		out->interrupted_count++;
	}
}

/* Rates of the cumulative counters since the previous run where --sample
 * gave none (the live kernel only: a --proc tree does not move), and this
 * run's counters kept for the next, where the state directory exists. */
static void rates_since_previous_run(const struct check_options *o, const char *ns,
				     struct check_result *out)
{
	struct tw_rates *rates = &out->facts.rates;
	char err[256] = "";
	size_t used;

	if (!procfs_is_live(o->inspect.proc_root))
		return;
	counter_log_rates(o->state_dir, ns, &out->facts);
	if (counter_log_save(o->state_dir, ns, &out->facts, false, err, sizeof(err)) < 0 &&
	    err[0]) {
		used = strlen(rates->note);
		snprintf(rates->note + used, sizeof(rates->note) - used,
			 "%sthe counters were not kept for the next run: %s", used ? "; " : "",
			 err);
	}
}

/* Inspect the namespace this process is in and judge it; NS gets its
 * name as the journal writes it. 0 or -ENOMEM. */
static int inspect_and_judge(const struct check_options *o, struct check_result *out, char *ns,
			     size_t nslen)
{
	facts_init(&out->facts);
	out->inspected = inspect_host(&o->inspect, &out->facts);
	netns_journal_name_of(o->inspect.proc_root, &out->facts.netns, ns, nslen);
	rates_since_previous_run(o, ns, out);
	return engine_evaluate(o->rules, &out->facts, &out->findings);
}

int check_host(const struct check_options *o, struct check_result *out)
{
	char ns[160];

	memset(out, 0, sizeof(*out));
	if (inspect_and_judge(o, out, ns, sizeof(ns)) < 0)
		return -ENOMEM;
	note_interrupted(o, ns, out);
	check_drift(o, out);
	return 0;
}

void check_result_free(struct check_result *r)
{
	findings_free(&r->findings);
	facts_free(&r->facts);
}

/* One namespace: enter, inspect and judge, come back. Not being able to
 * enter it is a result (C->reason); not being able to come back is not. */
static int check_namespace(const struct check_options *o, int home_fd, struct netns_check *c,
			   char *err, size_t errlen)
{
	const struct netns_entry *e = c->entry;
	char ns[160];

	netns_entry_label(e, c->label, sizeof(c->label));
	/* setns() needs CAP_SYS_ADMIN even to stay put */
	if (!e->current && netns_enter_path(e->path, c->label, c->reason, sizeof(c->reason)) < 0)
		return 0;
	if (inspect_and_judge(o, &c->result, ns, sizeof(ns)) < 0)
		memset(&c->result.findings, 0, sizeof(c->result.findings));
	c->inspected = true;
	if (!e->current && netns_enter(home_fd, "the starting namespace", err, errlen) < 0) {
		check_result_free(&c->result);
		return -EIO;
	}
	return 0;
}

int check_all_namespaces(const struct check_options *o,
			 void (*each)(const struct netns_check *c, void *arg), void *arg,
			 unsigned *unreadable_processes, char *err, size_t errlen)
{
	struct netns_list list;
	int home_fd, r = 0;

	if ((home_fd = netns_open_current(err, errlen)) < 0)
		return home_fd;
	if ((r = netns_list_all(&list)) < 0) {
		snprintf(err, errlen, "%s", strerror(-r));
		close(home_fd);
		return r;
	}
	*unreadable_processes = list.unreadable_processes;
	for (size_t i = 0; i < list.count && r == 0; i++) {
		struct netns_check c;

		memset(&c, 0, sizeof(c));
		c.entry = &list.items[i];
		if ((r = check_namespace(o, home_fd, &c, err, errlen)) < 0)
			break;
		each(&c, arg);
		if (c.inspected)
			check_result_free(&c.result);
	}
	netns_list_free(&list);
	close(home_fd);
	return r;
}
