/* SPDX-License-Identifier: MIT */
/* Rules evaluated against one host's facts: findings with reasons and the
 * settings they recommend, most severe first. */
#ifndef TWTUNE_ENGINE_H
#define TWTUNE_ENGINE_H

#include "engine/rules.h"
#include "inspect/facts.h"

struct finding_setting {
	enum knob_id key;
	bool current_present; /* the host holds a value of the key's type */
	struct knob_value current;
	struct knob_value recommended;
};

/* Summaries are cut to this many bytes (less one), as a line of a report. */
#define FINDING_SUMMARY_MAX 512

/* One finding. Its strings and settings are its own, sized to what they
 * hold: lint can make one per line of a large file, and each costs a few
 * dozen bytes, not kilobytes. */
struct finding {
	const struct rule *rule;
	/* the rule's severity, or critical when its "critical" condition
	 * holds too */
	enum severity severity;
	char *summary; /* one line, never NULL */
	/* where it stands, for findings about files (lint, drift): "" if none */
	char *file;
	unsigned line;
	int key;			  /* the knob it is about, or -1 */
	struct finding_setting *settings; /* setting_count of them; NULL when none */
	unsigned setting_count;
};

struct findings {
	struct finding *items;
	size_t count, capacity;
	/* rules whose condition could not be decided on these facts (a fact
	 * they need is missing): lint reports these as skipped */
	size_t undetermined;
	const struct rule **undetermined_rules; /* the undetermined of them */
};

/* A rule's or profile's setting on host F: the literal, or the computed
 * value (the caller frees it). 0, or -ENODATA when the computation has no
 * value here. */
int rule_setting_value(const struct rule *r, const struct rule_setting *rs,
		       const struct tw_facts *f, struct knob_value *out);

/* The setting as written: the literal or the computation's name. */
const char *rule_setting_text(const struct rule_setting *rs);

/* Release a finding setting's values. */
void finding_setting_free(struct finding_setting *s);

/* TO gets FROM's settings, with references of its own (lint moves a
 * rule's finding to where it stands in the files). 0 or -ENOMEM. */
int finding_copy_settings(struct finding *to, const struct finding *from);

/* Evaluate RULES on F. 0 or -ENOMEM. Settings whose recommended value
 * equals the current one are left out (nothing to change). */
int engine_evaluate(const struct rule_set *rules, const struct tw_facts *f, struct findings *out);
void findings_free(struct findings *fs);

/* The most severe finding's severity; SEVERITY_NONE when there is none. */
enum severity findings_worst(const struct findings *fs);

/* Append a finding of RULE (a built-in rule of lint or drift) about FILE
 * and LINE (may be NULL and 0) and KEY (-1: none), with a message.
 * Returns it, or NULL when out of memory. */
struct finding *findings_add(struct findings *fs, const struct rule *rule, const char *file,
			     unsigned line, int key, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* Sort by severity (most severe first), then file, line and id. */
void findings_sort(struct findings *fs);

#endif
