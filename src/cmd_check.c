/* twtune check: inspect, judge, report. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apply/journal.h"
#include "cli.h"
#include "common/strutil.h"
#include "engine/engine.h"
#include "inspect/inspect.h"
#include "inspect/netns.h"
#include "lint/drift.h"
#include "report/json.h"
#include "report/prometheus.h"
#include "report/text.h"
#include "sysctld/sysctld.h"

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

static int parse_sample(const char *arg, double *seconds)
{
	char *end;
	double v = strtod(arg, &end);

	if (end == arg || *end || !isfinite(v) || v <= 0 || v > SAMPLE_MAX_SECONDS)
		return -1;
	*seconds = v;
	return 0;
}

enum check_format { FORMAT_TEXT, FORMAT_JSON, FORMAT_PROMETHEUS };
static const char *const formats[] = {"text", "json", "prometheus", NULL};

struct check_options {
	struct inspect_options inspect;
	enum check_format format;
	bool all_netns;
	enum severity fail_on; /* SEVERITY_NONE: never fail on findings */
	const struct rule_set *rules;
	const struct twtune_ctx *ctx;
	const char *state_dir;
	const char *sysctl_root; /* --sysctl-root */
};

/* sysctl.d configures the initial network namespace only (systemd-sysctl
 * runs there at boot): containers' namespaces get the kernel's defaults.
 * Is F's namespace pid 1's? -1 when that cannot be told. */
static int initial_namespace(const struct tw_facts *f)
{
	struct stat st;

	if (!f->netns.known || stat("/proc/1/ns/net", &st) < 0)
		return -1;
	return st.st_ino == f->netns.inode && st.st_dev == f->netns.device;
}

/* Drift between the running values and the boot configuration, as
 * findings; the JSON says whether it was checked, and if not why. */
static json_t *add_drift(const struct check_options *o, const struct tw_facts *f,
			 struct findings *fs)
{
	const char *root = o->sysctl_root, *why = NULL;
	struct sysctl_config config;
	int initial;

	if (!root) {
		if (strcmp(o->ctx->proc_root, "/proc") != 0)
			why = "a --proc tree: give --sysctl-root DIR for its configuration";
		else if ((initial = initial_namespace(f)) < 0)
			why = "cannot tell whether this is the initial network namespace "
			      "(/proc/1/ns/net unreadable); give --sysctl-root / to compare anyway";
		else if (!initial)
			why = "not the initial network namespace: sysctl.d configures only that "
			      "one";
		else
			root = "/";
	}
	if (why)
		return json_pack("{s:b,s:n,s:s}", "checked", 0, "root", "reason", why);
	memset(&config, 0, sizeof(config));
	if (sysctld_load_system(strcmp(root, "/") == 0 ? "" : root, false, &config) < 0 ||
	    drift_findings(f, &config, fs) < 0) {
		sysctld_free(&config);
		return json_pack("{s:b,s:s,s:s}", "checked", 0, "root", root, "reason",
				 "out of memory");
	}
	sysctld_free(&config);
	findings_sort(fs);
	return json_pack("{s:b,s:s,s:n}", "checked", 1, "root", root, "reason");
}

#define PENDING_MAX 8

/* An apply or rollback killed in the middle leaves a pending record; the
 * next apply or rollback undoes it, and check says so meanwhile. */
static json_t *report_interrupted(const struct check_options *o)
{
	char ns[160], ids[PENDING_MAX][64], sources[PENDING_MAX][128];
	json_t *list = json_array();
	int n;

	apply_namespace(o->ctx, ns, sizeof(ns));
	n = journal_pending(o->state_dir, ns, ids, sources, PENDING_MAX);
	for (int i = 0; i < n; i++) {
		fprintf(stderr,
			"twtune: transaction %s (%s) was interrupted: the next 'twtune apply' or "
			"'twtune rollback' undoes it first\n",
			ids[i], sources[i]);
		json_array_append_new(list, json_string(ids[i]));
	}
	return list;
}

/* Like a monitoring plugin: UNKNOWN when nothing could be read; otherwise
 * the worst finding at or above --fail-on decides. */
static int exit_status(const struct check_options *o, int inspect_result, const struct findings *fs)
{
	enum severity worst = findings_worst(fs);

	if (inspect_result < 0)
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
static int check_here(const struct check_options *o)
{
	struct findings fs = {0};
	struct tw_facts facts;
	int r, status;

	facts_init(&facts);
	r = inspect_host(&o->inspect, &facts);
	if (engine_evaluate(o->rules, &facts, &fs) < 0) {
		facts_free(&facts);
		fprintf(stderr, "twtune: out of memory evaluating the rules\n");
		return CHECK_UNKNOWN;
	}
	json_t *interrupted = report_interrupted(o);
	json_t *drift = add_drift(o, &facts, &fs);

	switch (o->format) {
	case FORMAT_JSON: {
		json_t *doc = report_check_json(&facts, &fs);
		json_object_set(doc, "interrupted_transactions", interrupted);
		json_object_set(doc, "drift", drift);
		print_errors_to_stderr(&facts, "");
		json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(doc);
		break;
	}
	case FORMAT_PROMETHEUS:
		print_errors_to_stderr(&facts, "");
		report_check_prometheus(stdout, &facts, &fs);
		break;
	case FORMAT_TEXT: report_check_text(stdout, &facts, &fs, want_colour(STDOUT_FILENO)); break;
	}
	json_decref(interrupted);
	json_decref(drift);
	status = exit_status(o, r, &fs);
	findings_free(&fs);
	facts_free(&facts);
	return status;
}

/* One namespace of --all-netns: enter, inspect, report, come back. The
 * row for the summary table is filled whether or not it could be entered. */
static int check_namespace(const struct check_options *o, const struct netns_entry *e, int home_fd,
			   json_t *docs, struct netns_summary_row *row)
{
	char label[128], err[512], prefix[160];
	struct findings fs = {0};
	struct tw_facts facts;
	int fd, r, status;

	netns_entry_label(e, label, sizeof(label));
	snprintf(row->label, sizeof(row->label), "%s", label);
	row->processes = e->processes;
	if (e->current)
		goto entered; /* setns() needs CAP_SYS_ADMIN even to stay put */
	fd = open(e->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(row->reason, sizeof(row->reason), "%s: %s", e->path, strerror(errno));
		goto not_inspected;
	}
	r = netns_enter(fd, label, err, sizeof(err));
	close(fd);
	if (r < 0) {
		snprintf(row->reason, sizeof(row->reason), "%s", err);
		goto not_inspected;
	}

entered:
	facts_init(&facts);
	r = inspect_host(&o->inspect, &facts);
	if (engine_evaluate(o->rules, &facts, &fs) < 0)
		memset(&fs, 0, sizeof(fs));
	if (!e->current && netns_enter(home_fd, "the starting namespace", err, sizeof(err)) < 0) {
		findings_free(&fs);
		facts_free(&facts);
		fprintf(stderr, "twtune: %s\n", err);
		return -1; /* cannot go on: every later namespace would be wrong */
	}
	row->inspected = true;
	row->time_wait =
		facts.census.available ? (long long)facts.census.states[TCP_STATE_TIME_WAIT] : -1;
	row->verdict = host_class_name(facts.classification.verdict);
	snprintf(row->worst_finding, sizeof(row->worst_finding), "%s",
		 fs.count ? fs.items[0].rule->id : "none");
	status = exit_status(o, r, &fs);
	if (o->format == FORMAT_JSON) {
		snprintf(prefix, sizeof(prefix), "%s: ", label);
		print_errors_to_stderr(&facts, prefix);
		json_array_append_new(docs, report_netns_json(e, &facts, &fs, NULL));
	} else {
		printf("=== network namespace %s (net:[%llu], %u processes) ===\n\n", label,
		       (unsigned long long)e->inode, e->processes);
		report_check_text(stdout, &facts, &fs, want_colour(STDOUT_FILENO));
		printf("\n");
	}
	findings_free(&fs);
	facts_free(&facts);
	return status;

not_inspected:
	if (o->format == FORMAT_JSON)
		json_array_append_new(docs, report_netns_json(e, NULL, NULL, row->reason));
	return CHECK_OK;
}

static int check_all_namespaces(const struct check_options *o)
{
	struct netns_summary_row *rows;
	struct netns_list list;
	json_t *docs = o->format == FORMAT_JSON ? json_array() : NULL;
	int home_fd, worst = CHECK_OK, inspected = 0, r;

	home_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (home_fd < 0 || (r = netns_list_all(&list)) < 0) {
		fprintf(stderr, "twtune: cannot list network namespaces: %s\n",
			strerror(home_fd < 0 ? errno : -r));
		json_decref(docs);
		if (home_fd >= 0)
			close(home_fd);
		return CHECK_UNKNOWN;
	}
	rows = calloc(list.count, sizeof(*rows));
	if (!rows) {
		netns_list_free(&list);
		json_decref(docs);
		close(home_fd);
		return CHECK_UNKNOWN;
	}
	for (size_t i = 0; i < list.count; i++) {
		r = check_namespace(o, &list.items[i], home_fd, docs, &rows[i]);
		if (r < 0) {
			worst = CHECK_UNKNOWN;
			break;
		}
		if (rows[i].inspected)
			inspected++;
		if (r > worst)
			worst = r;
	}
	if (o->format == FORMAT_JSON) {
		json_dumpf(docs, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
	} else {
		report_netns_summary(stdout, rows, list.count, list.unreadable_processes);
		printf("* the namespace twtune was started in\n");
	}
	json_decref(docs);
	free(rows);
	netns_list_free(&list);
	close(home_fd);
	return inspected ? worst : CHECK_UNKNOWN;
}

int cmd_check(const struct twtune_ctx *ctx, int argc, char **argv)
{
	enum {
		OPT_FORMAT = 256,
		OPT_SAMPLE,
		OPT_ALL_NETNS,
		OPT_FAIL_ON,
		OPT_STATE_DIR,
		OPT_SYSCTL_ROOT
	};
	static const struct option options[] = {
		{"format", required_argument, NULL, OPT_FORMAT},
		{"sample", required_argument, NULL, OPT_SAMPLE},
		{"all-netns", no_argument, NULL, OPT_ALL_NETNS},
		{"fail-on", required_argument, NULL, OPT_FAIL_ON},
		{"state-dir", required_argument, NULL, OPT_STATE_DIR},
		{"sysctl-root", required_argument, NULL, OPT_SYSCTL_ROOT},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct check_options o = {
		.inspect = {.proc_root = ctx->proc_root, .kernel_override = ctx->kernel_override},
		.fail_on = SEVERITY_WARNING,
		.ctx = ctx,
		.state_dir = TWTUNE_STATE_DIR};
	struct rule_set rules;
	int c, status, level;

	while ((c = getopt_long(argc, argv, "+:h", options, NULL)) != -1) {
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
			if (parse_sample(optarg, &o.inspect.sample_seconds) < 0)
				return usage_error("check",
						   "--sample: '%s' is not a number of seconds "
						   "between 0 and %d",
						   optarg, SAMPLE_MAX_SECONDS);
			break;
		case OPT_ALL_NETNS: o.all_netns = true; break;
		case OPT_STATE_DIR: o.state_dir = optarg; break;
		case OPT_SYSCTL_ROOT: o.sysctl_root = optarg; break;
		case 'h': cmd_check_help(stdout); return 0;
		default: return option_error("check", c, argv);
		}
	}
	if (optind < argc)
		return usage_error("check", "unexpected argument '%s'", argv[optind]);
	if (o.all_netns && ctx->netns_selected)
		return usage_error("check", "--all-netns inspects every namespace: "
					    "it does not combine with --netns or --netns-pid");
	if (o.all_netns && strcmp(ctx->proc_root, "/proc") != 0)
		return usage_error("check", "--all-netns reads the live kernel: "
					    "it does not combine with --proc");

	if (o.all_netns && o.format == FORMAT_PROMETHEUS)
		return usage_error("check", "--all-netns reports as text or json; for metrics, "
					    "run check --format prometheus in each namespace");

	if (load_rules(ctx, &rules) < 0) {
		fprintf(stderr, "twtune: the rules could not be loaded; nothing was judged\n");
		rules_free(&rules);
		return CHECK_UNKNOWN;
	}
	o.rules = &rules;
	if (o.inspect.sample_seconds > 0 && isatty(STDERR_FILENO)) {
		o.inspect.progress = show_progress;
		o.inspect.progress_arg = stderr;
	}
	status = o.all_netns ? check_all_namespaces(&o) : check_here(&o);
	rules_free(&rules);
	if (fflush(stdout) != 0) {
		perror("twtune: writing the report");
		return CHECK_UNKNOWN;
	}
	return status;
}
