/* twtune check: inspect, judge, report. */
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

int cmd_check(const struct twtune_ctx *ctx, int argc, char **argv)
{
	enum { OPT_FORMAT = 256, OPT_SAMPLE };
	static const struct option options[] = {
		{"format", required_argument, NULL, OPT_FORMAT},
		{"sample", required_argument, NULL, OPT_SAMPLE},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct inspect_options io = {.proc_root = ctx->proc_root,
				     .kernel_override = ctx->kernel_override};
	bool json = false;
	struct tw_facts facts;
	int c, r;

	while ((c = getopt_long(argc, argv, "+:h", options, NULL)) != -1) {
		switch (c) {
		case OPT_FORMAT:
			if (strcmp(optarg, "json") == 0)
				json = true;
			else if (strcmp(optarg, "text") != 0)
				return usage_error("check", "--format: unknown format '%s' "
							    "(expected text or json)",
						   optarg);
			break;
		case OPT_SAMPLE:
			if (parse_sample(optarg, &io.sample_seconds) < 0)
				return usage_error("check",
						   "--sample: '%s' is not a number of seconds "
						   "between 0 and %d",
						   optarg, SAMPLE_MAX_SECONDS);
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

	if (io.sample_seconds > 0 && isatty(STDERR_FILENO)) {
		io.progress = show_progress;
		io.progress_arg = stderr;
	}

	facts_init(&facts);
	r = inspect_host(&io, &facts);
	if (json) {
		json_t *doc = report_check_json(&facts);
		for (unsigned i = 0; i < facts.error_count; i++)
			fprintf(stderr, "twtune: %s: %s\n", facts.errors[i].what,
				facts.errors[i].message);
		json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(doc);
	} else {
		report_check_text(stdout, &facts);
	}
	facts_free(&facts);
	if (fflush(stdout) != 0) {
		perror("twtune: writing the report");
		return CHECK_UNKNOWN;
	}
	return r < 0 ? CHECK_UNKNOWN : CHECK_OK;
}
