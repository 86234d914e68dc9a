/* SPDX-License-Identifier: MIT */
/* Rule files: the engine's judgement as data (format in twtune.rules(5)).
 * Two invariants are enforced here, in C, when a rule is loaded, so that no
 * rule file can break them:
 *  - nothing recommends net.ipv4.tcp_tw_recycle other than 0;
 *  - a rule that recommends net.ipv4.tcp_tw_reuse = 1 must require, in the
 *    top-level conjunction of its condition, classification ==
 *    "outbound-heavy" and net.ipv4.tcp_timestamps on. */
#ifndef TWTUNE_RULES_H
#define TWTUNE_RULES_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/knobs.h"
#include "engine/compute.h"
#include "engine/expr.h"
#include "engine/template.h"

enum severity { SEVERITY_NONE = 0, SEVERITY_INFO, SEVERITY_WARNING, SEVERITY_CRITICAL };

const char *severity_name(enum severity s);
/* A rule or profile sets each key twtune knows at most once. */
#define RULE_MAX_SETTINGS KNOB_COUNT

struct rule_setting {
	enum knob_id key;
	enum computation compute; /* COMPUTE_NONE: the literal VALUE */
	long argument;		  /* the computation's "(N)", or -1 when none was given */
	struct knob_value value;
	char *text;    /* the value as written (literal or "@name(N)"), for listings */
	unsigned line; /* where the file sets it */
};

/* Rule files hold [rule ID] sections; profile files, of the same syntax,
 * hold [profile NAME] sections (twtune.profile(5)): a title, an optional
 * "requires" condition and "set" lines, checked by the same invariants. */
enum section_kind { SECTION_RULE, SECTION_PROFILE };

struct rule {
	enum section_kind kind;
	char id[64];
	enum severity severity;
	char *title;		  /* one plain line, for listings */
	struct template *summary; /* one line with facts in it; NULL: title */
	char *explanation;	  /* paragraphs, plain text */
	char **references;
	unsigned reference_count;
	struct expr *when; /* a profile's "requires"; may be NULL there */
	char *when_text;   /* as written, for explain */
	/* a rule's "critical": when it also holds, the finding is critical
	 * (the rule's severity is what it is otherwise); NULL when none */
	struct expr *critical;
	char *critical_text;
	/* a profile's "because": why its requirement matters, said when a
	 * host does not meet it; NULL when none */
	char *because;
	struct rule_setting *settings; /* SETTING_COUNT of them, allocated */
	unsigned setting_count;
	char file[PATH_MAX];
	unsigned line; /* of its [rule ID] header */
};

struct rule_set {
	struct rule *rules;
	size_t count;
};

#define RULE_MAX_ERRORS 32

/* Every problem found while loading, each naming file:line:column. */
struct rule_errors {
	char messages[RULE_MAX_ERRORS][512];
	unsigned count;
	unsigned more; /* not kept: beyond RULE_MAX_ERRORS */
};

/* The shipped rules, and the directory whose files replace them by name (an
 * empty file there disables the shipped one). */
#define RULES_OVERRIDE_DIR TWTUNE_SYSCONFDIR "/twtune/rules.d"

/* Load every *.rule file of SHIPPED, each replaced by the file of the same
 * name in OVERRIDE (NULL: none) when there is one, in file-name order.
 * Returns 0 or -EINVAL when ERRORS holds problems (the rules that did load
 * are in SET either way); -ENOENT when SHIPPED cannot be read. */
int rules_load(const char *shipped, const char *override, struct rule_set *set,
	       struct rule_errors *errors);

/* Parse one file into SET (appending). 0 or -EINVAL / -errno. */
int rules_parse_file(const char *path, struct rule_set *set, struct rule_errors *errors);

/* Parse LEN bytes read from PATH (named in messages) as a file of
 * SECTION's kind, rules or profiles, into SET (appending): what loading a
 * file does once it has the bytes. 0 or -EINVAL / -errno. */
int rules_parse_buffer(enum section_kind section, const char *path, const char *data, size_t len,
		       struct rule_set *set, struct rule_errors *errors);

/* The same for profiles: *.profile files of SHIPPED, replaced by name from
 * OVERRIDE, holding [profile NAME] sections. */
#define PROFILES_OVERRIDE_DIR TWTUNE_SYSCONFDIR "/twtune/profiles.d"
int profiles_load(const char *shipped, const char *override, struct rule_set *set,
		  struct rule_errors *errors);

void rules_free(struct rule_set *set);
const struct rule *rules_find(const struct rule_set *set, const char *id);

#endif
