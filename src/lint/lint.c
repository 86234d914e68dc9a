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
#include "lint/boot.h"
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

/* What the kernel makes of A's value for key K: the boot prediction where
 * A is the last line written to K, else its text written on top of what K
 * holds before boot, the other port key unknown. Returns the outcome (KNOB_WRITE_*) with RESULT set
 * when applied and known, WHY when not; -ENOMEM. */
static int kernel_view(const struct lint_result *r, const struct boot_start *start,
		       const struct sysctl_assignment *a, enum knob_id k, struct knob_value *result,
		       char *why, size_t whylen)
{
	const struct boot_key *key = &r->boot.key[k];
	struct knob_kernel_state state = {0};

	if (key->at == a) {
		snprintf(why, whylen, "%s", key->reason);
		if (key->outcome == BOOT_REFUSED)
			return KNOB_WRITE_REFUSED;
		if (!key->result_known)
			return KNOB_WRITE_UNKNOWN;
		*result = knob_value_copy(&key->result);
		return KNOB_WRITE_APPLIED;
	}
	/* a line boot never writes (a later one of the key wins, and systemd
	 * keeps one entry a key): its text alone is judged, not against the
	 * other port key's value it would have met */
	return knob_kernel_write(k, a->value, start->key[k].known ? &start->key[k].value : NULL,
				 &state, result, why, whylen);
}

/* What the kernel does with A's value for K, as a sentence for a finding
 * (empty when the value is what its text says and within twtune's
 * bounds). KEPT names what a refused write leaves. 0 or -ENOMEM. */
static int judge_value(const struct lint_result *r, const struct boot_start *start,
		       const struct sysctl_assignment *a, enum knob_id k, char *msg, size_t size)
{
	const struct knob *kn = knob_get(k);
	struct knob_value kernel, strict;
	char why[320], shown[KNOB_TEXT_MAX], err[256];
	int outcome = kernel_view(r, start, a, k, &kernel, why, sizeof(why)), r2;

	msg[0] = '\0';
	if (outcome < 0)
		return outcome;
	if (outcome == KNOB_WRITE_REFUSED) {
		const struct boot_key *key = &r->boot.key[k];

		if (key->at == a && key->before_known)
			snprintf(msg, size, "%s; the key keeps %s", why,
				 knob_format(&key->before, shown, sizeof(shown)));
		else
			snprintf(msg, size, "%s; the key keeps its previous value", why);
		return 0;
	}
	if (outcome == KNOB_WRITE_UNKNOWN) {
		/* the kernel's answer is not known here (its HZ, the other port
		 * key): still say when the text's value is out of twtune's bounds */
		if (knob_parse(k, a->value, &strict, err, sizeof(err)) == 0) {
			if (knob_check(k, &strict, err, sizeof(err)) == -ERANGE)
				snprintf(msg, size, "%s; %s", err, why);
			knob_value_free(&strict);
		}
		return 0;
	}
	/* the kernel takes it: as the text says? */
	r2 = knob_parse(k, a->value, &strict, err, sizeof(err));
	if (r2 < 0 || !knob_value_equal(&strict, &kernel)) {
		if (kernel.type == KNOB_TYPE_PORT_RANGE && r2 < 0)
			snprintf(msg, size,
				 "%s = %s: the kernel reads it as %s (ipv4_local_port_range takes "
				 "one or two numbers and ignores the rest)",
				 kn->name, a->value, knob_format(&kernel, shown, sizeof(shown)));
		else
			snprintf(
				msg, size,
				"%s = %s: the kernel takes it as %s (it reads 0x as hex, a leading "
				"0 as octal, and only the fields it expects)",
				kn->name, a->value, knob_format(&kernel, shown, sizeof(shown)));
	} else if (knob_check(k, &kernel, err, sizeof(err)) == -ERANGE) {
		snprintf(msg, size,
			 "%s; the kernel takes it unchecked (checked on 6.18), with nonsensical "
			 "results",
			 err);
	}
	if (r2 == 0)
		knob_value_free(&strict);
	knob_value_free(&kernel);
	return 0;
}

/* systemd writes a glob's value to every key it matches: what the kernel
 * does with it for twtune's keys among them. */
static int check_glob(struct lint_result *r, const struct sysctl_assignment *a, unsigned version,
		      const struct boot_start *start, const bool *own_line)
{
	for (int k = 0; k < KNOB_COUNT; k++) {
		char *path = sysctld_normalize_key(knob_get(k)->name), msg[700];
		bool matches = path && fnmatch(a->key, path, FNM_PATHNAME | FNM_PERIOD) == 0;

		free(path);
		/* a key with a line of its own is never written by a glob
		 * ("explicit setting exists"), whatever that line's value */
		if (!matches || own_line[k] || !knob_exists_in(k, version) ||
		    knob_get(k)->read_only ||
		    (r->boot.key[k].at != a && r->boot.key[k].outcome == BOOT_UNTOUCHED))
			continue;
		if (judge_value(r, start, a, k, msg, sizeof(msg)) < 0)
			return -ENOMEM;
		if (msg[0] &&
		    !findings_add(&r->findings, &lint_rule_invalid_value, file_of(r, a), a->line, k,
				  "the pattern %s sets %s too: %s", a->key, knob_get(k)->name, msg))
			return -ENOMEM;
	}
	return 0;
}

/* A key twtune knows that the host lacks: on this kernel version, or only
 * here (a key of the initial network namespace seen from another, a
 * module not loaded). */
static int key_missing(struct lint_result *r, const struct sysctl_assignment *a, enum knob_id k,
		       unsigned version)
{
	const struct knob *kn = knob_get(k);
	unsigned edge = kn->until ? kn->until : kn->since;
	const char *then = a->ignore_failure
				   ? " (the leading '-' makes that a debug message)"
				   : "; systemd 252 logs that at info level and goes on, and the "
				     "setting does nothing";

	if (knob_exists_in(k, version))
		return findings_add(&r->findings, &lint_rule_not_on_kernel, file_of(r, a), a->line,
				    k,
				    "%s is not present on this host although Linux %u.%u has it (a "
				    "key of the initial network namespace seen from another, or a "
				    "module not loaded): systemd-sysctl cannot set it here%s",
				    kn->name, version >> 16, (version >> 8) & 255, then)
			       ? 0
			       : -ENOMEM;
	return findings_add(&r->findings, &lint_rule_not_on_kernel, file_of(r, a), a->line, k,
			    "%s does not exist on Linux %u.%u (%s in %u.%u): systemd-sysctl "
			    "cannot set it%s",
			    kn->name, version >> 16, (version >> 8) & 255,
			    kn->until ? "removed" : "added", edge >> 16, (edge >> 8) & 255, then)
		       ? 0
		       : -ENOMEM;
}

static int check_values(struct lint_result *r, unsigned version, const struct boot_start *start)
{
	const struct sysctl_config *c = &r->config;
	bool own_line[KNOB_COUNT] = {false};
	int k;

	for (size_t i = 0; i < c->count; i++)
		if (!c->assignments[i].is_glob && (k = assignment_knob(&c->assignments[i])) >= 0)
			own_line[k] = true;
	for (size_t i = 0; i < c->count; i++) {
		const struct sysctl_assignment *a = &c->assignments[i];
		char msg[700];

		k = assignment_knob(a);
		if (a->is_glob && a->value) {
			if (check_glob(r, a, version, start, own_line) < 0)
				return -ENOMEM;
			continue;
		}
		if (k < 0 || !a->value)
			continue;
		if (!start->key[k].present) {
			if (key_missing(r, a, k, version) < 0)
				return -ENOMEM;
			continue;
		}
		if (judge_value(r, start, a, k, msg, sizeof(msg)) < 0)
			return -ENOMEM;
		if (msg[0] && !findings_add(&r->findings, &lint_rule_invalid_value, file_of(r, a),
					    a->line, k, "%s", msg))
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

/* When boot's last write to K is WINNER and the kernel refuses it: what
 * the key keeps instead, as a clause for the overridden finding; else "". */
static const char *refused_winner(const struct lint_result *r, enum knob_id k,
				  const struct sysctl_assignment *winner, char *buf, size_t size)
{
	const struct boot_key *key = &r->boot.key[k];
	char text[KNOB_TEXT_MAX];

	if (key->at != winner || key->outcome != BOOT_REFUSED)
		return "";
	if (key->before_known)
		snprintf(buf, size, ", but the kernel refuses that value: the key keeps %s",
			 knob_format(&key->before, text, sizeof(text)));
	else
		snprintf(buf, size,
			 ", but the kernel refuses that value: the key keeps what it "
			 "held before");
	return buf;
}
static int check_duplicates_and_overrides(struct lint_result *r)
{
	const struct sysctl_config *c = &r->config;
	struct key_history h;
	char kept[KNOB_TEXT_MAX + 96];

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
				    ? "%s = %s is overridden by %s:%u (%s = %s)%s"
				    : "%s = %s is overridden by %s:%u ('-%s' unsets it: the kernel "
				      "default stays%s)",
			    knob_get(k)->name, a->value, file_of(r, winner), winner->line,
			    knob_get(k)->name, winner->value ? winner->value : "",
			    refused_winner(r, k, winner, kept, sizeof(kept))))
			return -ENOMEM;
	}
	return 0;
}

/* ---- the rules, on the files' values */

/* The facts the files describe: what each key holds after boot as
 * predicted, or before boot where no file changes it; nothing live (no
 * census, counters, NAT). */
static int facts_from_files(const struct lint_options *o, const struct lint_result *res,
			    const struct boot_start *start, struct tw_facts *f)
{
	int r = 0;

	facts_init(f);
	f->version = o->version;
	f->version_known = true;
	f->nat.present = -1;
	for (int k = 0; k < KNOB_COUNT && r == 0; k++) {
		const struct boot_key *key = &res->boot.key[k];

		if (!start->key[k].present)
			continue;
		f->sysctl[k].present = true;
		if (key->outcome != BOOT_UNTOUCHED && key->result_known)
			r = facts_set_sysctl_value(f, k, &key->result);
		else if (start->key[k].known)
			r = facts_set_sysctl_value(f, k, &start->key[k].value);
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

static int judge_with_rules(const struct lint_options *o, const struct boot_start *start,
			    struct lint_result *r)
{
	struct findings rule_findings;
	struct tw_facts f;
	int rc;

	if ((rc = facts_from_files(o, r, start, &f)) < 0) {
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

/* What the keys hold before boot: the host's values where lint was given
 * them (it runs on the host the files configure), else this kernel's
 * defaults where twtune knows them, else unknown. */
static void boot_start_init(const struct lint_options *o, struct tw_facts *defaults,
			    struct boot_start *start)
{
	unsigned code = kernel_version_code(&o->version);

	memset(start, 0, sizeof(*start));
	facts_init(defaults);
	defaults->version = o->version;
	defaults->version_known = true;
	for (int k = 0; k < KNOB_COUNT; k++)
		defaults->sysctl[k].present =
			o->host ? o->host->sysctl[k].present : knob_exists_in(k, code);
	for (int k = 0; k < KNOB_COUNT; k++) {
		const struct sysctl_value *now = o->host ? &o->host->sysctl[k] : NULL;
		struct boot_start_key *key = &start->key[k];
		struct knob_value v;

		key->present = defaults->sysctl[k].present;
		key->read_only = now && now->read_only;
		if (now && now->present && now->known) {
			key->known = true;
			key->value = now->value;
		} else if (key->present &&
			   compute_value(COMPUTE_KERNEL_DEFAULT, k, defaults, NULL, &v) == 0) {
			if (facts_set_sysctl_value(defaults, k, &v) == 0) {
				key->known = defaults->sysctl[k].known;
				key->value = defaults->sysctl[k].value;
			}
			knob_value_free(&v);
		}
	}
}

int lint_run(const struct lint_options *o, struct lint_result *out)
{
	struct boot_start start;
	struct tw_facts defaults;
	int rc;

	memset(out, 0, sizeof(*out));
	out->root = o->root;
	if (o->paths)
		rc = sysctld_load_paths(o->paths, o->path_count, &out->config);
	else
		rc = sysctld_load_system(o->root ? o->root : "", o->with_sysctl_conf, &out->config);
	if (rc < 0)
		return rc;
	boot_start_init(o, &defaults, &start);
	count_unjudged(out);
	if ((rc = boot_predict(&out->config, &start, &out->boot)) == 0 &&
	    (rc = check_problems(out)) == 0 &&
	    (rc = check_values(out, kernel_version_code(&o->version), &start)) == 0 &&
	    (rc = check_duplicates_and_overrides(out)) == 0 &&
	    (rc = judge_with_rules(o, &start, out)) == 0)
		findings_sort(&out->findings);
	facts_free(&defaults);
	return rc;
}

void lint_free(struct lint_result *r)
{
	boot_prediction_free(&r->boot);
	sysctld_free(&r->config);
	findings_free(&r->findings);
}
