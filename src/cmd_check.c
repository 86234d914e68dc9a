/* twtune check: inspect, judge, report. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "common/strutil.h"
#include "inspect/inspect.h"
#include "inspect/netns.h"
#include "report/json.h"
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
		"  --format FORMAT    text (default) or json\n"
		"  --sample SECONDS   read the counters twice, SECONDS apart, and report\n"
		"                     rates per second (at most %d)\n"
		"  --all-netns        inspect every network namespace on the host (named\n"
		"                     ones and those of running processes): one report each,\n"
		"                     then a summary table; JSON: an array of documents\n"
		"  -h, --help         show this help\n"
		"\n"
		"Exit status: 0 ok, 1 warning, 2 critical (or usage error), 3 nothing\n"
		"could be inspected.\n",
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

struct check_options {
	struct inspect_options inspect;
	bool json;
	bool all_netns;
};

/* The exit status of one inspection: nothing readable is UNKNOWN; the
 * findings decide the rest, and without a rule engine there are none. */
static int exit_status(int inspect_result)
{
	return inspect_result < 0 ? CHECK_UNKNOWN : CHECK_OK;
}

static void print_errors_to_stderr(const struct tw_facts *f, const char *prefix)
{
	for (unsigned i = 0; i < f->error_count; i++)
		fprintf(stderr, "twtune: %s%s: %s\n", prefix, f->errors[i].what, f->errors[i].message);
}

/* Inspect the namespace this process is in and print the report. */
static int check_here(const struct check_options *o)
{
	struct tw_facts facts;
	int r, status;

	facts_init(&facts);
	r = inspect_host(&o->inspect, &facts);
	if (o->json) {
		json_t *doc = report_check_json(&facts);
		print_errors_to_stderr(&facts, "");
		json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(doc);
	} else {
		report_check_text(stdout, &facts);
	}
	status = exit_status(r);
	facts_free(&facts);
	return status;
}

/* One namespace of --all-netns: enter, inspect, report, come back. The
 * row for the summary table is filled whether or not it could be entered. */
static int check_namespace(const struct check_options *o, const struct netns_entry *e,
			   int home_fd, json_t *docs, struct netns_summary_row *row)
{
	char label[128], err[512], prefix[160];
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
	if (!e->current && netns_enter(home_fd, "the starting namespace", err, sizeof(err)) < 0) {
		facts_free(&facts);
		fprintf(stderr, "twtune: %s\n", err);
		return -1; /* cannot go on: every later namespace would be wrong */
	}
	row->inspected = true;
	row->time_wait = facts.census.available ? (long long)facts.census.states[TCP_STATE_TIME_WAIT]
					       : -1;
	row->verdict = host_class_name(facts.classification.verdict);
	snprintf(row->worst_finding, sizeof(row->worst_finding), "none");
	status = exit_status(r);
	if (o->json) {
		snprintf(prefix, sizeof(prefix), "%s: ", label);
		print_errors_to_stderr(&facts, prefix);
		json_array_append_new(docs, report_netns_json(e, &facts, NULL));
	} else {
		printf("=== network namespace %s (net:[%llu], %u processes) ===\n\n", label,
		       (unsigned long long)e->inode, e->processes);
		report_check_text(stdout, &facts);
		printf("\n");
	}
	facts_free(&facts);
	return status;

not_inspected:
	if (o->json)
		json_array_append_new(docs, report_netns_json(e, NULL, row->reason));
	return CHECK_OK;
}

static int check_all_namespaces(const struct check_options *o)
{
	struct netns_summary_row *rows;
	struct netns_list list;
	json_t *docs = o->json ? json_array() : NULL;
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
	if (o->json) {
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
	enum { OPT_FORMAT = 256, OPT_SAMPLE, OPT_ALL_NETNS };
	static const struct option options[] = {
		{"format", required_argument, NULL, OPT_FORMAT},
		{"sample", required_argument, NULL, OPT_SAMPLE},
		{"all-netns", no_argument, NULL, OPT_ALL_NETNS},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct check_options o = {.inspect = {.proc_root = ctx->proc_root,
					      .kernel_override = ctx->kernel_override}};
	int c, status;

	while ((c = getopt_long(argc, argv, "+:h", options, NULL)) != -1) {
		switch (c) {
		case OPT_FORMAT:
			if (strcmp(optarg, "json") == 0)
				o.json = true;
			else if (strcmp(optarg, "text") != 0)
				return usage_error("check", "--format: unknown format '%s' "
							    "(expected text or json)",
						   optarg);
			break;
		case OPT_SAMPLE:
			if (parse_sample(optarg, &o.inspect.sample_seconds) < 0)
				return usage_error("check",
						   "--sample: '%s' is not a number of seconds "
						   "between 0 and %d",
						   optarg, SAMPLE_MAX_SECONDS);
			break;
		case OPT_ALL_NETNS:
			o.all_netns = true;
			break;
		case 'h':
			cmd_check_help(stdout);
			return 0;
		case ':':
			return usage_error("check", "option '%s' needs an argument", argv[optind - 1]);
		default:
			return usage_error("check", "unknown option '%s'", argv[optind - 1]);
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

	if (o.inspect.sample_seconds > 0 && isatty(STDERR_FILENO)) {
		o.inspect.progress = show_progress;
		o.inspect.progress_arg = stderr;
	}
	status = o.all_netns ? check_all_namespaces(&o) : check_here(&o);
	if (fflush(stdout) != 0) {
		perror("twtune: writing the report");
		return CHECK_UNKNOWN;
	}
	return status;
}
