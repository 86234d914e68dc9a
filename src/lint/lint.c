/* SPDX-License-Identifier: MIT */
#include "lint/lint.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/compute.h"
#include "inspect/sysctl.h"
#include "lint/builtin.h"
#include "lint/internal.h"

/* The knob an assignment sets, or -1 (not one of twtune's, or a glob). */
static int assignment_knob(const struct sysctl_assignment *a)
{
	char dotted[256];

	if (a->is_glob)
		return -1;
	return knob_find(sysctld_key_dotted(a->key, dotted, sizeof(dotted)));
}

/* A path as reports show it: as given, relative to the current directory
 * when it was given so ("config/etc/sysctl.d/x.conf" for --root ./config),
 * which is what CI annotations and SARIF results need to land on the
 * repository's files; a leading "./" is dropped. */
const char *lint_shown_path(const char *path)
{
	while (path[0] == '.' && path[1] == '/') {
		path += 2;
		while (*path == '/')
			path++;
	}
	return path;
}

static const char *file_of(const struct lint_result *r, const struct sysctl_assignment *a)
{
	return lint_shown_path(r->config.files[a->file].path);
}

/* ---- lint's own checks */

static int check_problems(struct lint_result *r)
{
	const struct sysctl_config *c = &r->config;

	for (size_t i = 0; i < c->problem_count; i++) {
		const struct sysctl_problem *p = &c->problems[i];
		const struct rule *rule = p->kind == SYSCTL_PROBLEM_SYNTAX ? &lint_rule_syntax
					  : p->kind == SYSCTL_PROBLEM_UNREADABLE
						  ? &lint_rule_unreadable
						  : &lint_rule_odd_bytes;

		if (rule == &lint_rule_unreadable)
			r->input_errors++;
		if (!findings_add(&r->findings, rule, lint_shown_path(p->path), p->line, -1, "%s",
				  p->message))
			return -ENOMEM;
	}
	return 0;
}

/* What the files set at boot for each of twtune's keys: the winning
 * assignment, and its value once check_values() has parsed it (each value
 * is parsed once, where lint meets it). */
struct boot_values {
	const struct sysctl_assignment *at[KNOB_COUNT];
	bool valid[KNOB_COUNT];
	struct knob_value value[KNOB_COUNT];
};

static void boot_values_init(const struct sysctl_config *c, struct boot_values *boot)
{
	memset(boot, 0, sizeof(*boot));
	for (int k = 0; k < KNOB_COUNT; k++)
		boot->at[k] = boot_assignment(c, k);
}

/* A's value for key K, as twtune would write it; kept when A is what the
 * files set K to at boot. */
static int parse_value(const struct sysctl_assignment *a, enum knob_id k, struct boot_values *boot,
		       char *why, size_t whylen)
{
	struct knob_value v;
	int r = knob_parse_accepted(k, a->value, &v, why, whylen);

	if (r == 0 && boot->at[k] == a && !boot->valid[k]) {
		boot->value[k] = v; /* kept: moved, not freed */
		boot->valid[k] = true;
	} else if (r == 0) {
		knob_value_free(&v);
	}
	return r;
}

static void boot_values_free(struct boot_values *boot)
{
	for (int k = 0; k < KNOB_COUNT; k++)
		knob_value_free(&boot->value[k]);
}

/* systemd writes a glob's value to every key it matches: twtune's keys
 * among them must accept it. */
static int check_glob(struct lint_result *r, const struct sysctl_assignment *a, unsigned version,
		      struct boot_values *boot)
{
	for (int k = 0; k < KNOB_COUNT; k++) {
		char *path = sysctld_normalize_key(knob_get(k)->name), why[256];
		bool matches = path && fnmatch(a->key, path, 0) == 0;

		free(path);
		if (!matches || !knob_exists_in(k, version) ||
		    parse_value(a, k, boot, why, sizeof(why)) == 0)
			continue;
		if (!findings_add(&r->findings, &lint_rule_invalid_value, file_of(r, a), a->line, k,
				  "the pattern %s sets %s too: %s", a->key, knob_get(k)->name, why))
			return -ENOMEM;
	}
	return 0;
}

static int check_values(struct lint_result *r, unsigned version, struct boot_values *boot)
{
	const struct sysctl_config *c = &r->config;

	for (size_t i = 0; i < c->count; i++) {
		const struct sysctl_assignment *a = &c->assignments[i];
		int k = assignment_knob(a);
		char why[256];

		if (a->is_glob && a->value) {
			if (check_glob(r, a, version, boot) < 0)
				return -ENOMEM;
			continue;
		}
		if (k < 0 || !a->value)
			continue;
		if (!knob_exists_in(k, version)) {
			const struct knob *kn = knob_get(k);
			unsigned edge = kn->until ? kn->until : kn->since;
			if (!findings_add(&r->findings, &lint_rule_not_on_kernel, file_of(r, a),
					  a->line, k,
					  "%s does not exist on Linux %u.%u (%s in %u.%u): "
					  "systemd-sysctl cannot set it%s",
					  kn->name, version >> 16, (version >> 8) & 255,
					  kn->until ? "removed" : "added", edge >> 16,
					  (edge >> 8) & 255,
					  a->ignore_failure ? " (the leading '-' hides the error)"
							    : " and logs an error at every boot"))
				return -ENOMEM;
			continue;
		}
		int bad = parse_value(a, k, boot, why, sizeof(why));

		if (bad < 0 &&
		    !findings_add(&r->findings, &lint_rule_invalid_value, file_of(r, a), a->line, k,
				  "%s; %s", why,
				  bad == -ERANGE && knob_get(k)->unbounded
					  ? "the kernel takes it unchecked (checked on 6.18), with "
					    "nonsensical results"
					  : "the kernel refuses it at boot"))
			return -ENOMEM;
	}
	return 0;
}

/* What check_duplicates_and_overrides() remembers of each of twtune's
 * keys, so that it reads the assignments once (a file of 40,000 lines is
 * judged in linear time): the first assignment of the key in the file
 * being read, the key's winner (asked of sysctld once), and its last
 * "-KEY" exclusion. */
struct key_history {
	const struct sysctl_assignment *first_in_file[KNOB_COUNT];
	const struct sysctl_assignment *winner[KNOB_COUNT];
	bool winner_known[KNOB_COUNT];
	size_t last_exclusion[KNOB_COUNT]; /* index + 1; 0 when none */
};

static void key_history_init(const struct sysctl_config *c, struct key_history *h)
{
	memset(h, 0, sizeof(*h));
	for (size_t i = 0; i < c->count; i++) {
		const struct sysctl_assignment *a = &c->assignments[i];
		int k;

		if (!a->value && (k = assignment_knob(a)) >= 0)
			h->last_exclusion[k] = i + 1;
	}
}

/* Who sets K in the end: the winner, or else a later "-KEY" exclusion
 * than assignment I that unsets it (sysctld_effective has no winner to
 * name then). */
static const struct sysctl_assignment *final_word(const struct sysctl_config *c,
						  struct key_history *h, int k, size_t i)
{
	if (!h->winner_known[k]) {
		h->winner[k] = sysctld_effective(c, c->assignments[i].key);
		h->winner_known[k] = true;
	}
	if (h->winner[k])
		return h->winner[k];
	return h->last_exclusion[k] > i + 1 ? &c->assignments[h->last_exclusion[k] - 1] : NULL;
}

static int check_duplicates_and_overrides(struct lint_result *r)
{
	const struct sysctl_config *c = &r->config;
	struct key_history h;

	key_history_init(c, &h);
	for (size_t i = 0; i < c->count; i++) {
		const struct sysctl_assignment *a = &c->assignments[i], *first, *winner;
		int k = assignment_knob(a);

		if (k < 0)
			continue;
		/* the same key earlier in the same file (a file's assignments
		 * are consecutive) */
		first = h.first_in_file[k];
		if (!first || first->file != a->file) {
			h.first_in_file[k] = a;
			first = NULL;
		}
		if (!a->value)
			continue;
		if (first &&
		    !findings_add(&r->findings, &lint_rule_duplicate_key, file_of(r, a), a->line, k,
				  "%s is set again (line %u set it to %s)", knob_get(k)->name,
				  first->line, first->value ? first->value : "-"))
			return -ENOMEM;
		winner = final_word(c, &h, k, i);
		if (winner && winner != a && winner->file != a->file &&
		    !findings_add(
			    &r->findings, &lint_rule_overridden, file_of(r, a), a->line, k,
			    winner->value
				    ? "%s = %s is overridden by %s:%u (%s = %s)"
				    : "%s = %s is overridden by %s:%u ('-%s' unsets it: the kernel "
				      "default stays%s)",
			    knob_get(k)->name, a->value, file_of(r, winner), winner->line,
			    knob_get(k)->name, winner->value ? winner->value : ""))
			return -ENOMEM;
	}
	return 0;
}

/* ---- the rules, on the files' values */

/* The facts the files describe: each key's winning value, or this kernel's
 * default where no file sets it; nothing live (no census, counters, NAT). */
static int facts_from_files(const struct lint_options *o, const struct boot_values *boot,
			    struct tw_facts *f)
{
	unsigned code = kernel_version_code(&o->version);
	int r = 0;

	facts_init(f);
	f->version = o->version;
	f->version_known = true;
	f->nat.present = -1;
	for (int k = 0; k < KNOB_COUNT && r == 0; k++) {
		struct knob_value v;

		if (!knob_exists_in(k, code))
			continue;
		f->sysctl[k].present = true;
		if (boot->valid[k]) {
			r = facts_set_sysctl_value(f, k, &boot->value[k]);
		} else if (compute_value(COMPUTE_KERNEL_DEFAULT, k, f, NULL, &v) == 0) {
			r = facts_set_sysctl_value(f, k, &v);
			knob_value_free(&v);
		}
	}
	return r;
}

/* Where NAME first appears in TEXT as a whole name (not inside a longer
 * one: net.ipv4.tcp_tw_reuse in net.ipv4.tcp_tw_reuse_delay), or NULL. */
static const char *find_name(const char *text, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = strstr(text, name); p; p = strstr(p + 1, name)) {
		char before = p == text ? ' ' : p[-1], after = p[n];
		bool inside = (after &&
			       (isalnum((unsigned char)after) || after == '_' || after == '.')) ||
			      isalnum((unsigned char)before) || before == '_' || before == '.';
		if (!inside)
			return p;
	}
	return NULL;
}

/* Where a rule's finding stands in the files: the winning assignment of
 * the first key it sets, or else of the key its condition names first. */
static const struct sysctl_assignment *rule_location(const struct sysctl_config *c,
						     const struct rule *rule, int *key)
{
	const struct sysctl_assignment *best = NULL;
	const char *best_at = NULL;

	for (unsigned s = 0; s < rule->setting_count; s++) {
		const struct sysctl_assignment *a = boot_assignment(c, rule->settings[s].key);
		if (a) {
			*key = (int)rule->settings[s].key;
			return a;
		}
	}
	for (int k = 0; rule->when_text && k < KNOB_COUNT; k++) {
		const char *at = find_name(rule->when_text, knob_get(k)->name);
		const struct sysctl_assignment *a;

		if (!at || (best_at && at > best_at) || !(a = boot_assignment(c, k)))
			continue;
		best = a;
		best_at = at;
		*key = k;
	}
	return best;
}

static int judge_with_rules(const struct lint_options *o, const struct boot_values *boot,
			    struct lint_result *r)
{
	struct findings rule_findings;
	struct tw_facts f;
	int rc;

	if ((rc = facts_from_files(o, boot, &f)) < 0) {
		facts_free(&f);
		return rc;
	}
	rc = engine_evaluate(o->rules, &f, &rule_findings);
	/* the rules that could not be decided without live facts */
	for (size_t i = 0; rc == 0 && i < rule_findings.undetermined; i++)
		if (r->skipped_count < LINT_MAX_SKIPPED)
			r->skipped[r->skipped_count++] = rule_findings.undetermined_rules[i]->id;
	for (size_t i = 0; rc == 0 && i < rule_findings.count; i++) {
		struct finding *fd = &rule_findings.items[i], *copy;
		int key = fd->key;
		const struct sysctl_assignment *at = rule_location(&r->config, fd->rule, &key);

		if (!at)
			continue; /* about the kernel's own defaults, not about these files */
		copy = findings_add(&r->findings, fd->rule, file_of(r, at), at->line, key, "%s",
				    fd->summary);
		if (!copy) {
			rc = -ENOMEM;
			break;
		}
		copy->severity = fd->severity;
		if ((rc = finding_copy_settings(copy, fd)) < 0)
			break;
	}
	findings_free(&rule_findings);
	facts_free(&f);
	return rc;
}

/* Assignments of keys twtune does not know (kernel.pid_max, ...): lint
 * reads them for precedence but judges none, which the summary says. */
static void count_unjudged(struct lint_result *r)
{
	for (size_t i = 0; i < r->config.count; i++) {
		const struct sysctl_assignment *a = &r->config.assignments[i];

		if (a->is_glob || assignment_knob(a) >= 0)
			continue;
		if (!r->unjudged++)
			r->unjudged_example = a->key;
	}
}

int lint_run(const struct lint_options *o, struct lint_result *out)
{
	struct boot_values boot;
	int rc;

	memset(out, 0, sizeof(*out));
	out->root = o->root;
	if (o->paths)
		rc = sysctld_load_paths(o->paths, o->path_count, &out->config);
	else
		rc = sysctld_load_system(o->root ? o->root : "", o->with_sysctl_conf, &out->config);
	if (rc < 0)
		return rc;
	boot_values_init(&out->config, &boot);
	count_unjudged(out);
	if ((rc = check_problems(out)) == 0 &&
	    (rc = check_values(out, kernel_version_code(&o->version), &boot)) == 0 &&
	    (rc = check_duplicates_and_overrides(out)) == 0 &&
	    (rc = judge_with_rules(o, &boot, out)) == 0)
		findings_sort(&out->findings);
	boot_values_free(&boot);
	return rc;
}

void lint_free(struct lint_result *r)
{
	sysctld_free(&r->config);
	findings_free(&r->findings);
}
