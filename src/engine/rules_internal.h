/* SPDX-License-Identifier: MIT */
/* Internal to rule and profile files: the raw sections and the parser
 * state shared by rules_parse.c (lines into raw sections and fields),
 * rules_build.c (a raw section into a struct rule) and rules.c (the
 * directories). */
#ifndef TWTUNE_RULES_INTERNAL_H
#define TWTUNE_RULES_INTERNAL_H

#include <stdbool.h>

#include "engine/rules.h"

#define RULE_FIELDS_MAX 32

enum field_kind {
	FIELD_SEVERITY,
	FIELD_TITLE,
	FIELD_WHEN,
	FIELD_RECOMMEND,
	FIELD_SUMMARY,
	FIELD_EXPLAIN,
	FIELD_REFERENCE,
	FIELD_CRITICAL, /* rules only */
	FIELD_BECAUSE,	/* profiles only */
};

/* A field as written: its text with continuation lines joined by '\n' and
 * kept whole (indentation included, so expression columns stay the
 * file's), and where its value starts. LENGTH and CAPACITY let a line be
 * appended without measuring the text again: a field of many continuation
 * lines is read in time linear in its size. */
struct raw_field {
	enum field_kind kind;
	char *text;
	size_t length, capacity;
	unsigned line, column;
};

struct raw_rule {
	char id[64];
	unsigned line;
	struct raw_field fields[RULE_FIELDS_MAX];
	unsigned count;
};

struct parse_state {
	enum section_kind section; /* what the file holds */
	const char *path;
	struct rule_set *set;
	struct rule_errors *errors;
	struct raw_rule raw;
	bool in_rule;
	bool continuing; /* the last line was a field that may continue */
	int failed;
};

/* The name field KIND goes by in a section of kind SECTION. */
const char *rules_field_name(enum section_kind section, enum field_kind kind);

/* The first field of KIND in RAW, or NULL. */
const struct raw_field *rules_raw_field(const struct raw_rule *raw, enum field_kind kind);

/* Add a message to ERRORS (counted in errors->more once it is full). */
void rules_add_error(struct rule_errors *errors, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Add "FILE:LINE:COL: [rule ID: ]MESSAGE" to PS->errors and mark the file
 * as failed. */
void rules_parse_error(struct parse_state *ps, unsigned line, unsigned column, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Parse the file PATH of SECTION kind into SET (appending). 0, -EINVAL
 * when ERRORS holds its problems, or -errno when it cannot be opened. */
int rules_read_file(enum section_kind section, const char *path, struct rule_set *set,
		    struct rule_errors *errors);

/* Build the section just read (PS->raw) into a rule and append it to
 * PS->set; what is wrong with it goes to PS->errors. */
void rules_add_section(struct parse_state *ps);

#endif
