/* SPDX-License-Identifier: MIT */
/* twtune lint: sysctl.d files checked in CI before they reach a host. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "engine/rules.h"
#include "inspect/kernel.h"
#include "inspect/sysctl.h"
#include "report/lint.h"

void cmd_lint_help(FILE *out)
{
	fprintf(out,
		"Usage: twtune [GLOBAL OPTIONS] lint [OPTIONS] [PATH...]\n"
		"\n"
		"Read sysctl.d files as systemd-sysctl does and judge them: the rules of check\n"
		"on the values they produce, plus syntax, invalid values, keys set twice,\n"
		"overridden assignments and keys the target kernel lacks. PATHs are files or\n"
		"sysctl.d directories; with none, this host's directories are read.\n"
		"\n"
		"Options:\n"
		"  --root DIR          lint a tree laid out like / (DIR/etc/sysctl.d, ...)\n"
		"  --with-sysctl-conf  read ROOT/etc/sysctl.conf last, as sysctl --system does\n"
		"  --format FORMAT     text (default), json, sarif, github or codequality\n"
		"                      (GitLab Code Quality)\n"
		"  --fail-on LEVEL     info, warning (default), critical or none\n"
		"The kernel version is --kernel's (a global option), else the running one's.\n"
		"\n"
		"Exit status: 0 nothing at or above --fail-on, 1 something was, 2 usage error or\n"
		"unreadable input (each file named, the others still linted).\n");
}

struct lint_cli {
	const char *root;
	bool with_sysctl_conf;
	enum lint_format format;
	int fail_on;
};

static int parse_lint_options(int argc, char **argv, struct lint_cli *o)
{
	enum { OPT_ROOT = 256, OPT_SYSCTL_CONF, OPT_FORMAT, OPT_FAIL_ON };
	static const struct option options[] = {
		{"root", required_argument, NULL, OPT_ROOT},
		{"with-sysctl-conf", no_argument, NULL, OPT_SYSCTL_CONF},
		{"format", required_argument, NULL, OPT_FORMAT},
		{"fail-on", required_argument, NULL, OPT_FAIL_ON},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static const char *const formats[] = {"text",	"json",	       "sarif",
					      "github", "codequality", NULL};
	int c, level;

	while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (c) {
		case OPT_ROOT: o->root = optarg; break;
		case OPT_SYSCTL_CONF: o->with_sysctl_conf = true; break;
		case OPT_FORMAT:
			if ((level = parse_choice("lint", "--format", "format", optarg, formats)) <
			    0)
				return EXIT_USAGE;
			o->format = level;
			break;
		case OPT_FAIL_ON:
			if ((level = parse_fail_on("lint", optarg)) < 0)
				return EXIT_USAGE;
			o->fail_on = level;
			break;
		case 'h': cmd_lint_help(stdout); return -1;
		default: return option_error("lint", c, argv);
		}
	}
	if (o->root && optind < argc)
		return usage_error("lint", "--root DIR and PATHs name two inputs: give one");
	return 0;
}

/* The target kernel: --kernel, else the running one (under --proc, that
 * tree's). */
static int target_version(const struct twtune_ctx *ctx, struct kernel_version *v)
{
	struct tw_facts f;
	int r;

	if (ctx->kernel_override)
		return kernel_version_parse_option(ctx->kernel_override, v);
	facts_init(&f);
	r = inspect_kernel(ctx->proc_root, NULL, &f);
	*v = f.version;
	if (r < 0 || !f.version_known)
		fprintf(stderr,
			"twtune: cannot tell the running kernel's version (%s); "
			"give --kernel VERSION\n",
			f.error_count ? f.errors[0].message : "unknown");
	r = f.version_known ? 0 : -1;
	facts_free(&f);
	return r;
}

int cmd_lint(const struct twtune_ctx *ctx, int argc, char **argv)
{
	struct lint_cli o = {.format = LINT_TEXT, .fail_on = SEVERITY_WARNING};
	struct lint_options lo = {0};
	struct lint_result result;
	struct rule_set rules;
	struct tw_facts host;
	int r, status;

	if ((r = parse_lint_options(argc, argv, &o)) != 0)
		return r < 0 ? 0 : r;
	if (target_version(ctx, &lo.version) < 0)
		return EXIT_USAGE;
	if (load_rules(ctx, &rules) < 0) {
		fprintf(stderr, "twtune: the rules could not be loaded; nothing was linted\n");
		rules_free(&rules);
		return EXIT_USAGE;
	}
	/* boot starts from what this host's keys hold now (lint runs on the
	 * host the files configure); with --kernel, from that kernel's
	 * defaults */
	facts_init(&host);
	if (!ctx->kernel_override && inspect_sysctls(ctx->proc_root, &host) > 0)
		lo.host = &host;
	lo.root = o.root;
	lo.with_sysctl_conf = o.with_sysctl_conf;
	lo.rules = &rules;
	if (optind < argc) {
		lo.paths = (const char *const *)argv + optind;
		lo.path_count = (size_t)(argc - optind);
	}
	if (lint_run(&lo, &result) < 0) {
		fprintf(stderr, "twtune: out of memory\n");
		lint_free(&result);
		facts_free(&host);
		rules_free(&rules);
		return EXIT_USAGE;
	}
	/* each unreadable input, named, on stderr too: CI logs show stderr */
	for (size_t i = 0; i < result.config.problem_count; i++)
		if (result.config.problems[i].kind == SYSCTL_PROBLEM_UNREADABLE)
			fprintf(stderr, "twtune: %s%s%.0u: %s\n", result.config.problems[i].path,
				result.config.problems[i].line ? ":" : "",
				result.config.problems[i].line, result.config.problems[i].message);
	switch (o.format) {
	case LINT_TEXT: report_lint_text(stdout, &result); break;
	case LINT_JSON: report_lint_json(stdout, &result); break;
	case LINT_SARIF: report_lint_sarif(stdout, &result); break;
	case LINT_GITHUB: report_lint_github(stdout, &result); break;
	case LINT_CODEQUALITY: report_lint_codequality(stdout, &result); break;
	}
	if (result.input_errors)
		status = EXIT_USAGE;
	else if (o.fail_on != SEVERITY_NONE &&
		 findings_worst(&result.findings) >= (enum severity)o.fail_on)
		status = 1;
	else
		status = 0;
	lint_free(&result);
	facts_free(&host);
	rules_free(&rules);
	return status;
}
