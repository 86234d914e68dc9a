/* SPDX-License-Identifier: MIT */
/* twtune apply, twtune profiles: parse the options, run apply (apply/run.h),
 * print how it went. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>

#include "apply/run.h"
#include "cli.h"
#include "report/apply.h"
#include "report/format.h"

void cmd_apply_help(FILE *out)
{
	fprintf(out,
		"Usage: twtune [GLOBAL OPTIONS] apply (--profile NAME | --recommended) [OPTIONS]\n"
		"\n"
		"Change this host's TIME_WAIT knobs in one transaction: journal first, each\n"
		"key written and read back, the sysctl.d file replaced atomically, then\n"
		"committed; on any failure every change is undone.\n"
		"\n"
		"Options:\n"
		"  --profile NAME     the settings of profile NAME ('twtune profiles' lists them)\n"
		"  --recommended      the settings the rule engine recommends for this host\n"
		"  --check            show the plan, change nothing (Ansible's check mode);\n"
		"                     refuses what the real run would refuse\n"
		"  --diff             show the persisted file's change as a unified diff\n"
		"                     (JSON: its text before and after, in \"diff\")\n"
		"  --force            apply a profile whose requirements this host does not meet\n"
		"  --no-persist       change the running kernel only, not sysctl.d\n"
		"  --sysctl-d DIR     keep the persisted file in DIR (default %s)\n"
		"  --state-dir DIR    keep the journal in DIR (default %s)\n"
		"  --format FORMAT    text (default) or json\n"
		"\n"
		"A profile's requirements gate changes: a host that already holds its settings\n"
		"is left as it is, whatever its traffic now.\n"
		"\n"
		"Exit status: 0 success (changed or not), 1 failed and rolled back, 2 refused\n"
		"with nothing changed, 3 failed and could not be rolled back completely. With\n"
		"--format json every outcome once the options are read, refusals included, is\n"
		"one JSON document (an unknown option is a usage error on standard error).\n",
		PERSIST_DIR, TWTUNE_STATE_DIR);
}

struct apply_options {
	const char *profile;
	bool recommended, check, diff, force, no_persist, json;
	const char *sysctl_d, *state_dir;
};

static int parse_apply_options(int argc, char **argv, struct apply_options *o)
{
	enum {
		OPT_PROFILE = 256,
		OPT_RECOMMENDED,
		OPT_CHECK,
		OPT_DIFF,
		OPT_FORCE,
		OPT_NO_PERSIST,
		OPT_SYSCTL_D,
		OPT_STATE_DIR,
		OPT_FORMAT
	};
	static const struct option options[] = {
		{"profile", required_argument, NULL, OPT_PROFILE},
		{"recommended", no_argument, NULL, OPT_RECOMMENDED},
		{"check", no_argument, NULL, OPT_CHECK},
		{"diff", no_argument, NULL, OPT_DIFF},
		{"force", no_argument, NULL, OPT_FORCE},
		{"no-persist", no_argument, NULL, OPT_NO_PERSIST},
		{"sysctl-d", required_argument, NULL, OPT_SYSCTL_D},
		{"state-dir", required_argument, NULL, OPT_STATE_DIR},
		{"format", required_argument, NULL, OPT_FORMAT},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (c) {
		case OPT_PROFILE: o->profile = optarg; break;
		case OPT_RECOMMENDED: o->recommended = true; break;
		case OPT_CHECK: o->check = true; break;
		case OPT_DIFF: o->diff = true; break;
		case OPT_FORCE: o->force = true; break;
		case OPT_NO_PERSIST: o->no_persist = true; break;
		case OPT_SYSCTL_D: o->sysctl_d = optarg; break;
		case OPT_STATE_DIR: o->state_dir = optarg; break;
		case OPT_FORMAT:
			if ((c = parse_text_or_json("apply", optarg)) < 0)
				return EXIT_USAGE;
			o->json = c == 1;
			break;
		case 'h': cmd_apply_help(stdout); return -1;
		default: return option_error("apply", c, argv);
		}
	}
	return 0;
}

/* What the options ask that cannot be done, once they are read (with
 * --format json it is reported as a refused run too), or NULL. */
static const char *options_problem(const struct apply_options *o, int argc, char **argv, char *buf,
				   size_t size)
{
	if (optind < argc) {
		snprintf(buf, size, "unexpected argument '%s'", argv[optind]);
		return buf;
	}
	if (!o->profile == !o->recommended)
		return "give one of --profile NAME and --recommended";
	if (o->no_persist && o->sysctl_d)
		return "--no-persist and --sysctl-d contradict each other";
	return NULL;
}

int cmd_apply(const struct twtune_ctx *ctx, int argc, char **argv)
{
	struct apply_options o = {.state_dir = TWTUNE_STATE_DIR};
	struct apply_outcome out = {.command = "apply"};
	const char *problem;
	char buf[256];
	const struct rule *profile = NULL;
	struct rule_set set = {0};
	struct apply_run run;
	int r;

	if ((r = parse_apply_options(argc, argv, &o)) != 0)
		return r < 0 ? 0 : r;
	out.diff = o.diff;
	out.check_mode = o.check;
	if ((problem = options_problem(&o, argc, argv, buf, sizeof(buf)))) {
		apply_refuse(&out, -EINVAL, "%s", problem);
		if (o.json)
			report_apply_print_json(&out);
		return usage_error("apply", "%s", problem);
	}
	snprintf(out.source, sizeof(out.source), o.profile ? "profile %s" : "recommended",
		 o.profile);
	struct apply_request req = {
		.proc_root = ctx->proc_root,
		.kernel_override = ctx->kernel_override,
		.state_dir = o.state_dir,
		.persist_dir = o.no_persist ? NULL
			       : o.sysctl_d ? o.sysctl_d
					    : PERSIST_DIR,
		.persist_dir_given = o.sysctl_d != NULL,
		.check = o.check,
		.force = o.force,
	};
	/* The rules or profiles are read once the lock is held and an
	 * interrupted run undone: even a run refused for them finishes that. */
	if ((r = apply_begin(&req, &run, &out)) == 0) {
		if ((o.recommended ? load_rules(ctx, &set) : load_profiles(ctx, &set)) < 0)
			r = apply_refuse(&out, -EINVAL,
					 "the %s could not be loaded; nothing was changed",
					 o.recommended ? "rules" : "profiles");
		else if (o.profile && !(profile = rules_find(&set, o.profile)))
			r = apply_refuse(&out, -ENOENT,
					 "no profile '%s'; 'twtune profiles' lists them",
					 o.profile);
		else
			r = apply_settings(&run, profile, &set, &out);
	}
	apply_end(&run);
	r = report_apply_outcome(r, &out, o.json);
	apply_outcome_free(&out);
	rules_free(&set);
	return r;
}

void cmd_profiles_help(FILE *out)
{
	fprintf(out, "Usage: twtune [GLOBAL OPTIONS] profiles [NAME] [--format text|json]\n"
		     "\n"
		     "List the profiles apply knows; with NAME, show what NAME would set on this\n"
		     "host (current -> new) and whether the host meets its requirements. The\n"
		     "profile file format is in twtune.profile(5).\n");
}

static void list_profiles(const struct rule_set *set, bool json)
{
	json_t *list = json_array();

	if (!json)
		printf("%-20s %s\n", "PROFILE", "TITLE");
	for (size_t i = 0; i < set->count; i++) {
		const struct rule *p = &set->rules[i];
		if (json)
			json_array_append_new(
				list,
				json_pack("{s:s,s:s,s:o,s:s}", "name", p->id, "title", p->title,
					  "requires",
					  p->when_text ? json_string(p->when_text) : json_null(),
					  "file", p->file));
		else
			printf("%-20s %s\n", p->id, p->title);
	}
	if (json)
		print_json(list, stdout);
	else
		json_decref(list);
}

/* What NAME would do here: the plan of apply --check, without the lock. */
static int show_profile(const struct twtune_ctx *ctx, const struct rule *profile, bool json)
{
	struct apply_outcome out = {.command = "would apply"};
	snprintf(out.source, sizeof(out.source), "profile %s", profile->id);
	struct apply_request req = {.proc_root = ctx->proc_root,
				    .kernel_override = ctx->kernel_override,
				    .check = true,
				    .preview = true};
	struct apply_run run;
	int r = apply_begin(&req, &run, &out);

	if (r == 0)
		r = apply_settings(&run, profile, NULL, &out);
	apply_end(&run);
	r = report_apply_outcome(r, &out, json);
	apply_outcome_free(&out);
	return r;
}

int cmd_profiles(const struct twtune_ctx *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{"format", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const struct rule *profile = NULL;
	struct rule_set set;
	bool json = false;
	int c, r;

	while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (c) {
		case 'f':
			if ((c = parse_text_or_json("profiles", optarg)) < 0)
				return EXIT_USAGE;
			json = c == 1;
			break;
		case 'h': cmd_profiles_help(stdout); return 0;
		default: return option_error("profiles", c, argv);
		}
	}
	if (argc - optind > 1)
		return usage_error("profiles", "profiles takes at most one profile name");
	r = load_profiles(ctx, &set);
	if (optind == argc) {
		list_profiles(&set, json);
		rules_free(&set);
		return r < 0 ? EXIT_USAGE : 0;
	}
	if (!(profile = rules_find(&set, argv[optind]))) {
		fprintf(stderr, "twtune: no profile '%s'; 'twtune profiles' lists them\n",
			argv[optind]);
		rules_free(&set);
		return EXIT_USAGE;
	}
	r = show_profile(ctx, profile, json);
	rules_free(&set);
	return r;
}
