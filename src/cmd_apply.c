/* twtune apply, twtune profiles: from a profile (or the rule engine's
 * recommendations) to a plan, and from a plan to a transaction. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply/lock.h"
#include "apply/privilege.h"
#include "apply/txn.h"
#include "cli.h"
#include "engine/engine.h"
#include "engine/factview.h"
#include "inspect/inspect.h"
#include "inspect/netns.h"
#include "report/apply.h"

#define LOCK_WAIT_MS 5000

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
		"  --check            show the plan, change nothing (Ansible's check mode)\n"
		"  --diff             show old -> new, and the persisted file's lines\n"
		"  --force            apply a profile whose requirements this host does not meet\n"
		"  --no-persist       change the running kernel only, not sysctl.d\n"
		"  --sysctl-d DIR     keep the persisted file in DIR (default %s)\n"
		"  --state-dir DIR    keep the journal and lock in DIR (default %s)\n"
		"  --format FORMAT    text (default) or json\n"
		"\n"
		"Exit status: 0 success (changed or not), 1 failed and rolled back, 2 refused\n"
		"with nothing changed, 3 failed and could not be rolled back completely.\n",
		PERSIST_DIR, TWTUNE_STATE_DIR);
}

/* The namespace as the journal and the lock name it: read before anything
 * else, since recovery (under the lock) comes before inspection. */
void apply_namespace(const struct twtune_ctx *ctx, char *buf, size_t size)
{
	struct netns_identity id;
	char real[PATH_MAX];

	if (strcmp(ctx->proc_root, "/proc") == 0 && netns_identify(&id) == 0)
		snprintf(buf, size, "net:[%llu]", (unsigned long long)id.inode);
	else
		snprintf(buf, size, "proc:%s",
			 realpath(ctx->proc_root, real) ? real : ctx->proc_root);
}

static void note(struct apply_summary *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void note(struct apply_summary *s, const char *fmt, ...)
{
	va_list ap;

	if (s->note_count >= sizeof(s->notes) / sizeof(s->notes[0]))
		return;
	va_start(ap, fmt);
	vsnprintf(s->notes[s->note_count++], sizeof(s->notes[0]), fmt, ap);
	va_end(ap);
}

/* A profile's settings on this host; computed ones that have no value
 * here are noted and left out. */
static void profile_settings(const struct rule *profile, const struct tw_facts *f,
			     struct desired_setting *out, unsigned *count, struct apply_summary *s)
{
	*count = 0;
	for (unsigned i = 0; i < profile->setting_count; i++) {
		const struct rule_setting *rs = &profile->settings[i];
		struct desired_setting *d = &out[*count];

		d->key = rs->key;
		if (!f->sysctl[rs->key].present) {
			note(s, "%s is absent on this kernel; left out", knob_get(rs->key)->name);
			continue;
		}
		if (rule_setting_value(rs, f, d->value, sizeof(d->value)) < 0) {
			note(s, "%s: %s has no value on this host; left as it is",
			     knob_get(rs->key)->name, compute_name(rs->compute));
			continue;
		}
		(*count)++;
	}
}

/* The recommendations of every finding, the most severe first: a key the
 * first finding sets is not set again by a later one. */
static void recommended_settings(const struct findings *fs, struct desired_setting *out,
				 unsigned *count)
{
	*count = 0;
	for (size_t i = 0; i < fs->count; i++) {
		for (unsigned k = 0; k < fs->items[i].setting_count; k++) {
			const struct finding_setting *fset = &fs->items[i].settings[k];
			bool seen = false;

			for (unsigned j = 0; j < *count && !seen; j++)
				seen = out[j].key == fset->key;
			if (seen || *count == KNOB_COUNT)
				continue;
			out[*count].key = fset->key;
			snprintf(out[*count].value, sizeof(out[0].value), "%s", fset->recommended);
			(*count)++;
		}
	}
}

/* Does the host meet the profile's requirements? With --force it need not,
 * and the summary says so. Returns 0, or APPLY_REFUSED with ERR. */
static int profile_requirements(const struct rule *profile, const struct tw_facts *f, bool force,
				struct apply_summary *s, char *err, size_t errlen)
{
	struct fact_view view;

	if (!profile->when)
		return 0;
	fact_view_init(&view, f);
	if (expr_holds(profile->when, fact_lookup, &view))
		return 0;
	if (!force) {
		snprintf(err, errlen,
			 "profile %s requires %s, which this host does not meet: it is %s (%s). "
			 "Nothing was changed; --force applies it anyway",
			 profile->id, profile->when_text,
			 host_class_name(f->classification.verdict), f->classification.evidence);
		return APPLY_REFUSED;
	}
	note(s, "--force: applying profile %s although this host does not meet %s (it is %s)",
	     profile->id, profile->when_text, host_class_name(f->classification.verdict));
	return 0;
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

	while ((c = getopt_long(argc, argv, "+:h", options, NULL)) != -1) {
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
	if (optind < argc)
		return usage_error("apply", "unexpected argument '%s'", argv[optind]);
	if (!o->profile == !o->recommended)
		return usage_error("apply", "give one of --profile NAME and --recommended");
	if (o->no_persist && o->sysctl_d)
		return usage_error("apply", "--no-persist and --sysctl-d contradict each other");
	return 0;
}

void print_apply_result(const struct plan *p, const struct apply_summary *s, bool json)
{
	if (json) {
		json_t *doc = report_apply_json(p, s);
		json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(doc);
	} else {
		report_apply_text(stdout, p, s);
	}
}

/* The desired settings from the profile or the recommendations. */
static int desired_settings(const struct twtune_ctx *ctx, const struct apply_options *o,
			    const struct tw_facts *f, struct desired_setting *d, unsigned *n,
			    struct apply_summary *s, char *source, size_t sourcelen, char *err,
			    size_t errlen)
{
	struct rule_set set;
	int r;

	if (o->recommended) {
		struct findings fs;

		if (load_rules(ctx, &set) < 0) {
			rules_free(&set);
			snprintf(err, errlen, "the rules could not be loaded; nothing was changed");
			return APPLY_REFUSED;
		}
		r = engine_evaluate(&set, f, &fs);
		if (r == 0)
			recommended_settings(&fs, d, n);
		findings_free(&fs);
		rules_free(&set);
		snprintf(source, sourcelen, "recommended");
		return r < 0 ? APPLY_REFUSED : 0;
	}
	if (load_profiles(ctx, &set) < 0) {
		rules_free(&set);
		snprintf(err, errlen, "the profiles could not be loaded; nothing was changed");
		return APPLY_REFUSED;
	}
	const struct rule *profile = rules_find(&set, o->profile);
	if (!profile) {
		snprintf(err, errlen, "no profile '%s'; 'twtune profiles' lists them", o->profile);
		rules_free(&set);
		return APPLY_REFUSED;
	}
	r = profile_requirements(profile, f, o->force, s, err, errlen);
	if (r == 0)
		profile_settings(profile, f, d, n, s);
	snprintf(source, sourcelen, "profile %s", o->profile);
	rules_free(&set);
	return r;
}

/* Plan, and run the transaction (the lock is held, recovery done). */
static int run_apply(const struct twtune_ctx *ctx, const struct apply_options *o,
		     const struct tw_facts *f, const struct desired_setting *d, unsigned n,
		     const char *source, const char *ns, struct apply_summary *s)
{
	char err[1024] = "";
	struct plan_options po = {.proc_root = ctx->proc_root,
				  .source = source,
				  .ns = ns,
				  .persist_dir = o->no_persist ? NULL
						 : o->sysctl_d ? o->sysctl_d
							       : PERSIST_DIR,
				  .persist_dir_given = o->sysctl_d != NULL};
	struct txn_env env = {.proc_root = ctx->proc_root, .state_dir = o->state_dir, .ns = ns};
	struct plan plan;
	int r;

	if (plan_build(f, d, n, &po, &plan, err, sizeof(err)) < 0) {
		fprintf(stderr, "twtune: %s; nothing was changed\n", err);
		plan_free(&plan);
		return APPLY_REFUSED;
	}
	r = execute_plan(&plan, &env, o->check, o->json, s);
	plan_free(&plan);
	return r;
}

int execute_plan(struct plan *p, struct txn_env *env, bool check, bool json,
		 struct apply_summary *s)
{
	struct txn_result result;
	char err[1024];

	if (check || !plan_changes_anything(p)) {
		s->status = APPLY_OK;
		print_apply_result(p, s, json);
		return APPLY_OK;
	}
	if (privilege_check(p, env->proc_root, err, sizeof(err)) < 0) {
		fprintf(stderr, "twtune: %s; nothing was changed\n", err);
		return APPLY_REFUSED;
	}
	drop_capabilities();
	txn_execute(env, &p->record, &result);
	s->executed = true;
	s->status = result.status;
	s->message = result.message;
	print_apply_result(p, s, json);
	s->message = NULL; /* it lived in RESULT */
	if (result.status != APPLY_OK)
		fprintf(stderr, "twtune: %s\n", result.message);
	return result.status;
}

/* Take the namespace's lock and undo what an interrupted run left, before
 * the host is inspected: the plan must start from the values as they are
 * once that is done. Returns the lock, or a negative exit status. */
int lock_and_recover(const char *state_dir, const char *proc_root, const char *ns,
		     struct apply_summary *s)
{
	struct txn_env env = {.proc_root = proc_root, .state_dir = state_dir, .ns = ns};
	struct txn_result result;
	char err[1024];
	int lock, recovered;

	if (privilege_precheck(proc_root, state_dir, err, sizeof(err)) < 0) {
		fprintf(stderr, "twtune: %s; nothing was changed\n", err);
		return -APPLY_REFUSED;
	}
	if ((lock = take_lock(state_dir, ns, LOCK_WAIT_MS, err, sizeof(err))) < 0) {
		fprintf(stderr, "twtune: %s; nothing was changed\n", err);
		return -APPLY_REFUSED;
	}
	recovered = txn_recover(&env, s->recovered, RECOVERED_MAX, &result);
	if (recovered < 0) {
		fprintf(stderr, "twtune: %s\n", result.message);
		close(lock);
		return -result.status;
	}
	s->recovered_count =
		(unsigned)recovered < RECOVERED_MAX ? (unsigned)recovered : RECOVERED_MAX;
	if (recovered > 0)
		fprintf(stderr, "twtune: %s", result.message);
	return lock;
}

int cmd_apply(const struct twtune_ctx *ctx, int argc, char **argv)
{
	struct apply_options o = {.state_dir = TWTUNE_STATE_DIR};
	struct desired_setting desired[KNOB_COUNT];
	struct apply_summary s = {.command = "apply"};
	struct inspect_options io = {.proc_root = ctx->proc_root,
				     .kernel_override = ctx->kernel_override};
	char source[128] = "", err[1024] = "", ns[160];
	struct tw_facts facts;
	unsigned n = 0;
	int r, lock = -1;

	if ((r = parse_apply_options(argc, argv, &o)) != 0)
		return r < 0 ? 0 : r;
	s.check_mode = o.check;
	s.diff = o.diff;
	apply_namespace(ctx, ns, sizeof(ns));
	if (!o.check && (lock = lock_and_recover(o.state_dir, ctx->proc_root, ns, &s)) < 0)
		return -lock;
	facts_init(&facts);
	if (inspect_host(&io, &facts) < 0) {
		fprintf(stderr, "twtune: this host could not be inspected; nothing was changed\n");
		r = APPLY_REFUSED;
	} else if ((r = desired_settings(ctx, &o, &facts, desired, &n, &s, source, sizeof(source),
					 err, sizeof(err))) != 0) {
		fprintf(stderr, "twtune: %s\n", err);
	} else {
		r = run_apply(ctx, &o, &facts, desired, n, source, ns, &s);
	}
	facts_free(&facts);
	if (lock >= 0)
		close(lock);
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
	if (json) {
		json_dumpf(list, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
	}
	json_decref(list);
}

/* What NAME would do here: the plan of apply --check, without the lock. */
static int show_profile(const struct twtune_ctx *ctx, const struct rule *profile, bool json)
{
	struct inspect_options io = {.proc_root = ctx->proc_root,
				     .kernel_override = ctx->kernel_override};
	struct apply_summary s = {.command = "would apply", .check_mode = true};
	struct desired_setting desired[KNOB_COUNT];
	char ns[160], err[1024] = "", source[96];
	struct plan_options po = {.proc_root = ctx->proc_root, .source = source, .ns = ns};
	struct tw_facts facts;
	struct plan plan;
	unsigned n = 0;
	int r;

	facts_init(&facts);
	if (inspect_host(&io, &facts) < 0) {
		fprintf(stderr, "twtune: this host could not be inspected\n");
		facts_free(&facts);
		return EXIT_USAGE;
	}
	apply_namespace(ctx, ns, sizeof(ns));
	snprintf(source, sizeof(source), "profile %s", profile->id);
	if (profile_requirements(profile, &facts, false, &s, err, sizeof(err)) != 0)
		note(&s, "%s", err);
	profile_settings(profile, &facts, desired, &n, &s);
	r = plan_build(&facts, desired, n, &po, &plan, err, sizeof(err));
	if (r < 0)
		fprintf(stderr, "twtune: %s\n", err);
	else
		print_apply_result(&plan, &s, json);
	plan_free(&plan);
	facts_free(&facts);
	return r < 0 ? EXIT_USAGE : 0;
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

	while ((c = getopt_long(argc, argv, "+:h", options, NULL)) != -1) {
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
