/* SPDX-License-Identifier: MIT */
/* twtune check: inspect, judge, report. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check/check.h"
#include "cli.h"
#include "common/strutil.h"
#include "inspect/procfs.h"
#include "report/format.h"
#include "report/json.h"
#include "report/prometheus.h"
#include "report/text.h"

/* Exit codes of check, like a monitoring plugin's (twtune(1)). */
enum { CHECK_OK = 0, CHECK_WARNING = 1, CHECK_CRITICAL = 2, CHECK_UNKNOWN = 3 };

#define SAMPLE_MAX_SECONDS 3600

void cmd_check_help(FILE *out)
{
	fprintf(out,
		"Usage: twtune [GLOBAL OPTIONS] check [OPTIONS]\n"
		"\n"
		"Inspect this host (this network namespace): kernel, TIME_WAIT knobs, the\n"
		"live socket mix and TCP counters; classify the host and report.\n"
		"\n"
		"Options:\n"
		"  --format FORMAT    text (default), json, or prometheus (text exposition\n"
		"                     for node_exporter's textfile collector)\n"
		"  --fail-on LEVEL    info, warning (default), critical or none: findings\n"
		"                     below LEVEL do not make the exit status non-zero\n"
		"  --sample SECONDS   read the counters twice, SECONDS apart, and report\n"
		"                     rates per second (at most %d)\n"
		"  --sysctl-root DIR  compare the running values with the boot configuration\n"
		"                     of the tree DIR (DIR/etc/sysctl.d, ...); by default the\n"
		"                     host's, when this is the initial network namespace\n"
		"  --state-dir DIR    where apply keeps its journal (default " TWTUNE_STATE_DIR
		"):\n"
		"                     an interrupted transaction there is reported\n"
		"  --processes        name the processes holding live sockets toward the\n"
		"                     top destinations (pid, command, unit, cgroup), with\n"
		"                     their new sockets when sampled; by default only under\n"
		"                     pressure (twtune(1), PROCESSES)\n"
		"  --no-processes     never map sockets to processes\n"
		"  --output FILE      write the report to FILE atomically (a temporary file\n"
		"                     beside it, renamed over it once complete): for\n"
		"                     node_exporter's textfile collector\n"
		"  --all-netns        inspect every network namespace on the host (named\n"
		"                     ones and those of running processes): one report each,\n"
		"                     then a summary table; JSON: an array of documents\n"
		"  -h, --help         show this help\n"
		"\n"
		"Exit status, like a monitoring plugin's: 0 ok, 1 warning (or info, with\n"
		"--fail-on info), 2 critical (or a usage error), 3 nothing could be\n"
		"inspected or the rules could not be loaded.\n",
		SAMPLE_MAX_SECONDS);
}

static void show_progress(double elapsed, double total, void *arg)
{
	FILE *tty = arg;

	if (elapsed >= total)
		fprintf(tty, "\r%60s\r", "");
	else
		fprintf(tty, "\rsampling TCP counters: %4.1f of %.0f s", elapsed, total);
	fflush(tty);
}

enum check_format { FORMAT_TEXT, FORMAT_JSON, FORMAT_PROMETHEUS };
static const char *const formats[] = {"text", "json", "prometheus", NULL};

struct check_cli {
	struct check_options check;
	enum check_format format;
	bool all_netns;
	enum severity fail_on; /* SEVERITY_NONE: never fail on findings */
	const char *output;    /* --output FILE, or NULL: standard output */
};

/* Like a monitoring plugin: UNKNOWN when nothing could be read; otherwise
 * the worst finding at or above --fail-on decides. */
static int exit_status(const struct check_cli *o, const struct check_result *r)
{
	enum severity worst = findings_worst(&r->findings);

	if (r->inspected < 0)
		return CHECK_UNKNOWN;
	if (o->fail_on == SEVERITY_NONE || worst < o->fail_on)
		return CHECK_OK;
	return worst == SEVERITY_CRITICAL ? CHECK_CRITICAL : CHECK_WARNING;
}

static void print_errors_to_stderr(const struct tw_facts *f, const char *prefix)
{
	for (unsigned i = 0; i < f->error_count; i++)
		fprintf(stderr, "twtune: %s%s: %s\n", prefix, f->errors[i].what,
			f->errors[i].message);
}

/* Inspect the namespace this process is in, judge, and print the report. */
static int check_here(const struct check_cli *o)
{
	struct check_result r;
	int status;

	if (check_host(&o->check, &r) < 0) {
		check_result_free(&r);
		fprintf(stderr, "twtune: out of memory evaluating the rules\n");
		return CHECK_UNKNOWN;
	}
	for (unsigned i = 0; i < r.interrupted_count; i++)
		fprintf(stderr,
			"twtune: transaction %s (%s) was interrupted: the next 'twtune apply' or "
			"'twtune rollback' undoes it first\n",
			r.interrupted[i].id, r.interrupted[i].source);
	switch (o->format) {
	case FORMAT_JSON:
		print_errors_to_stderr(&r.facts, "");
		print_json(report_check_result_json(&r), stdout);
		break;
	case FORMAT_PROMETHEUS:
		print_errors_to_stderr(&r.facts, "");
		report_check_prometheus(stdout, &r.facts, &r.findings);
		break;
	case FORMAT_TEXT:
		report_check_text(stdout, &r.facts, &r.findings, want_colour(STDOUT_FILENO));
		break;
	}
	status = exit_status(o, &r);
	check_result_free(&r);
	return status;
}

/* --all-netns: each namespace's report as it comes, a summary row for it. */
struct all_netns {
	const struct check_cli *o;
	json_t *docs;
	struct netns_summary_row *rows;
	size_t count;
	int worst;
	unsigned inspected;
	bool out_of_memory;
};

static void report_namespace(const struct netns_check *c, void *arg)
{
	struct all_netns *all = arg;
	const struct check_result *r = &c->result;
	struct netns_summary_row *row, *grown;
	char prefix[160];
	int status;

	grown = realloc(all->rows, (all->count + 1) * sizeof(*grown));
	if (!grown) {
		all->out_of_memory = true;
		return;
	}
	all->rows = grown;
	row = &all->rows[all->count++];
	memset(row, 0, sizeof(*row));
	snprintf(row->label, sizeof(row->label), "%s", c->label);
	row->processes = c->entry->processes;
	if (!c->inspected) {
		snprintf(row->reason, sizeof(row->reason), "%s", c->reason);
		if (all->docs)
			json_array_append_new(all->docs,
					      report_netns_json(c->entry, NULL, NULL, c->reason));
		return;
	}
	row->inspected = true;
	row->time_wait = r->facts.census.available
				 ? (long long)r->facts.census.states[TCP_STATE_TIME_WAIT]
				 : -1;
	row->verdict = host_class_name(r->facts.classification.verdict);
	snprintf(row->worst_finding, sizeof(row->worst_finding), "%s",
		 r->findings.count ? r->findings.items[0].rule->id : "none");
	status = exit_status(all->o, r);
	if (status > all->worst)
		all->worst = status;
	all->inspected++;
	if (all->docs) {
		snprintf(prefix, sizeof(prefix), "%s: ", c->label);
		print_errors_to_stderr(&r->facts, prefix);
		json_array_append_new(all->docs,
				      report_netns_json(c->entry, &r->facts, &r->findings, NULL));
	} else {
		printf("=== network namespace %s (net:[%llu], %u processes) ===\n\n", c->label,
		       (unsigned long long)c->entry->inode, c->entry->processes);
		report_check_text(stdout, &r->facts, &r->findings, want_colour(STDOUT_FILENO));
		printf("\n");
	}
}

static int check_every_namespace(const struct check_cli *o)
{
	struct all_netns all = {.o = o, .docs = o->format == FORMAT_JSON ? json_array() : NULL};
	unsigned unreadable = 0;
	char err[512];
	int r = check_all_namespaces(&o->check, report_namespace, &all, &unreadable, err,
				     sizeof(err));

	if (r < 0 && !all.count) {
		fprintf(stderr, "twtune: cannot list network namespaces: %s\n", err);
		json_decref(all.docs);
		return CHECK_UNKNOWN;
	}
	if (r < 0)
		fprintf(stderr, "twtune: %s\n", err);
	if (all.docs)
		print_json(all.docs, stdout);
	else
		report_netns_summary(stdout, all.rows, all.count, unreadable);
	if (!all.docs)
		printf("* the namespace twtune was started in\n");
	free(all.rows);
	if (r < 0 || all.out_of_memory || !all.inspected)
		return CHECK_UNKNOWN;
	return all.worst;
}

int cmd_check(const struct twtune_ctx *ctx, int argc, char **argv)
{
	enum {
		OPT_FORMAT = 256,
		OPT_SAMPLE,
		OPT_ALL_NETNS,
		OPT_FAIL_ON,
		OPT_STATE_DIR,
		OPT_SYSCTL_ROOT,
		OPT_PROCESSES,
		OPT_NO_PROCESSES,
		OPT_OUTPUT
	};
	static const struct option options[] = {
		{"format", required_argument, NULL, OPT_FORMAT},
		{"sample", required_argument, NULL, OPT_SAMPLE},
		{"all-netns", no_argument, NULL, OPT_ALL_NETNS},
		{"fail-on", required_argument, NULL, OPT_FAIL_ON},
		{"state-dir", required_argument, NULL, OPT_STATE_DIR},
		{"sysctl-root", required_argument, NULL, OPT_SYSCTL_ROOT},
		{"processes", no_argument, NULL, OPT_PROCESSES},
		{"no-processes", no_argument, NULL, OPT_NO_PROCESSES},
		{"output", required_argument, NULL, OPT_OUTPUT},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct check_cli o = {.check = {.inspect = {.proc_root = ctx->proc_root,
						    .kernel_override = ctx->kernel_override},
					.state_dir = TWTUNE_STATE_DIR},
			      .fail_on = SEVERITY_WARNING};
	struct atomic_output output;
	struct rule_set rules;
	int c, status, level;

	while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (c) {
		case OPT_FORMAT:
			if ((level = parse_choice("check", "--format", "format", optarg, formats)) <
			    0)
				return EXIT_USAGE;
			o.format = level;
			break;
		case OPT_FAIL_ON:
			if ((level = parse_fail_on("check", optarg)) < 0)
				return EXIT_USAGE;
			o.fail_on = level;
			break;
		case OPT_SAMPLE:
			if (strict_seconds(optarg, SAMPLE_MAX_SECONDS,
					   &o.check.inspect.sample_seconds) < 0)
				return usage_error("check",
						   "--sample: '%s' is not a number of seconds "
						   "more than 0 and at most %d, in decimal "
						   "digits (e.g. 10 or 0.5)",
						   optarg, SAMPLE_MAX_SECONDS);
			break;
		case OPT_ALL_NETNS: o.all_netns = true; break;
		case OPT_STATE_DIR: o.check.state_dir = optarg; break;
		case OPT_SYSCTL_ROOT: o.check.sysctl_root = optarg; break;
		case OPT_PROCESSES: o.check.inspect.owners = OWNERS_ALWAYS; break;
		case OPT_NO_PROCESSES: o.check.inspect.owners = OWNERS_NEVER; break;
		case OPT_OUTPUT: o.output = optarg; break;
		case 'h': cmd_check_help(stdout); return 0;
		default: return option_error("check", c, argv);
		}
	}
	if (optind < argc)
		return usage_error("check", "unexpected argument '%s'", argv[optind]);
	if (o.all_netns && ctx->netns_selected)
		return usage_error("check", "--all-netns inspects every namespace: "
					    "it does not combine with --netns or --netns-pid");
	if (o.all_netns && !procfs_is_live(ctx->proc_root))
		return usage_error("check", "--all-netns reads the live kernel: "
					    "it does not combine with --proc");

	if (o.all_netns && o.format == FORMAT_PROMETHEUS)
		return usage_error("check", "--all-netns reports as text or json; for metrics, "
					    "run check --format prometheus in each namespace");

	if (o.output && output_begin(&output, o.output) < 0)
		return CHECK_UNKNOWN;
	if (load_rules(ctx, &rules) < 0) {
		fprintf(stderr, "twtune: the rules could not be loaded; nothing was judged\n");
		rules_free(&rules);
		if (o.format == FORMAT_PROMETHEUS)
			report_prometheus_down(stdout, "rules");
		if (o.output && output_commit(&output) < 0)
			return CHECK_UNKNOWN;
		return CHECK_UNKNOWN;
	}
	o.check.rules = &rules;
	if (o.check.inspect.sample_seconds > 0 && isatty(STDERR_FILENO)) {
		o.check.inspect.progress = show_progress;
		o.check.inspect.progress_arg = stderr;
	}
	status = o.all_netns ? check_every_namespace(&o) : check_here(&o);
	rules_free(&rules);
	if (o.output)
		return output_commit(&output) < 0 ? CHECK_UNKNOWN : status;
	if (fflush(stdout) != 0) {
		perror("twtune: writing the report");
		return CHECK_UNKNOWN;
	}
	return status;
}
