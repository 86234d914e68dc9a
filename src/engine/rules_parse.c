/* SPDX-License-Identifier: MIT */
/* Rule and profile files, line by line (twtune.rules(5)): section headers,
 * "name = value" fields and their indented continuation lines become raw
 * sections, each problem named FILE:LINE:COL. rules_build.c makes rules
 * of them. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/lineread.h"
#include "engine/rules_internal.h"

#define RULE_LINE_MAX 4096

static const char *const field_names[] = {
	[FIELD_SEVERITY] = "severity",	 [FIELD_TITLE] = "title",	[FIELD_WHEN] = "when",
	[FIELD_RECOMMEND] = "recommend", [FIELD_SUMMARY] = "summary",	[FIELD_EXPLAIN] = "explain",
	[FIELD_REFERENCE] = "reference", [FIELD_CRITICAL] = "critical", [FIELD_BECAUSE] = "because",
};

/* In a [profile] section, "requires" is the condition and "set" a
 * setting: the same fields under the names a profile reads best with. */
const char *rules_field_name(enum section_kind section, enum field_kind kind)
{
	if (section == SECTION_PROFILE && kind == FIELD_WHEN)
		return "requires";
	if (section == SECTION_PROFILE && kind == FIELD_RECOMMEND)
		return "set";
	return field_names[kind];
}

/* Which fields a section may have. */
static bool field_allowed(enum section_kind section, enum field_kind kind)
{
	if (section == SECTION_PROFILE)
		return kind != FIELD_SEVERITY && kind != FIELD_SUMMARY && kind != FIELD_CRITICAL;
	return kind != FIELD_BECAUSE;
}

void rules_add_error(struct rule_errors *errors, const char *fmt, ...)
{
	va_list ap;

	if (errors->count >= RULE_MAX_ERRORS) {
		errors->more++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(errors->messages[errors->count++], sizeof(errors->messages[0]), fmt, ap);
	va_end(ap);
}

/* "FILE:LINE:COL: [rule ID: ]MESSAGE" */
void rules_parse_error(struct parse_state *ps, unsigned line, unsigned column, const char *fmt, ...)
{
	char message[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	if (ps->in_rule)
		rules_add_error(ps->errors, "%s:%u:%u: %s %s: %s", ps->path, line, column,
				ps->section == SECTION_RULE ? "rule" : "profile", ps->raw.id,
				message);
	else
		rules_add_error(ps->errors, "%s:%u:%u: %s", ps->path, line, column, message);
	ps->failed = 1;
}

static void raw_rule_clear(struct raw_rule *raw)
{
	for (unsigned i = 0; i < raw->count; i++)
		free(raw->fields[i].text);
	memset(raw, 0, sizeof(*raw));
}

const struct raw_field *rules_raw_field(const struct raw_rule *raw, enum field_kind kind)
{
	for (unsigned i = 0; i < raw->count; i++)
		if (raw->fields[i].kind == kind)
			return &raw->fields[i];
	return NULL;
}

static void finish_rule(struct parse_state *ps)
{
	if (!ps->in_rule)
		return;
	rules_add_section(ps);
	raw_rule_clear(&ps->raw);
	ps->in_rule = false;
}

static bool valid_id(const char *id)
{
	if (!islower((unsigned char)id[0]) && !isdigit((unsigned char)id[0]))
		return false;
	for (const char *p = id; *p; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '-')
			return false;
	return strlen(id) < 64;
}

static void parse_header(struct parse_state *ps, char *line, unsigned number)
{
	bool rule = ps->section == SECTION_RULE;
	const char *keyword = rule ? "[rule " : "[profile ";
	size_t klen = strlen(keyword);
	char *end = strchr(line, ']'), *id;

	finish_rule(ps);
	if (!end || end[1] != '\0' || strncmp(line, keyword, klen) != 0) {
		rules_parse_error(ps, number, 1, "expected a section header '%s'",
				  rule ? "[rule ID]" : "[profile NAME]");
		return;
	}
	*end = '\0';
	id = line + klen;
	while (*id == ' ')
		id++;
	if (!valid_id(id)) {
		rules_parse_error(ps, number, (unsigned)(id - line) + 1,
				  "%s '%s' must be lower-case letters, digits and '-'",
				  rule ? "rule id" : "profile name", id);
		return;
	}
	ps->in_rule = true;
	snprintf(ps->raw.id, sizeof(ps->raw.id), "%s", id);
	ps->raw.line = number;
}

static int field_kind(enum section_kind section, const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(field_names) / sizeof(field_names[0]); i++) {
		const char *n = rules_field_name(section, i);
		if (field_allowed(section, i) && strlen(n) == len && strncmp(n, name, len) == 0)
			return (int)i;
	}
	return -1;
}

static bool repeatable(enum field_kind k)
{
	return k == FIELD_RECOMMEND || k == FIELD_REFERENCE;
}

static void parse_field(struct parse_state *ps, char *line, unsigned number)
{
	char *p = line, *value;
	struct raw_field *f;
	size_t len;
	int kind;

	/* a refused field takes its continuation lines with it */
	ps->continuing = false;
	while (islower((unsigned char)*p))
		p++;
	len = (size_t)(p - line);
	while (*p == ' ' || *p == '\t')
		p++;
	if (len == 0 || *p != '=') {
		rules_parse_error(ps, number, (unsigned)(p - line) + 1, "expected 'name = value'");
		return;
	}
	if ((kind = field_kind(ps->section, line, len)) < 0) {
		rules_parse_error(ps, number, 1, "unknown field '%.*s'", (int)len, line);
		return;
	}
	if (!ps->in_rule) {
		rules_parse_error(ps, number, 1, "'%s' outside a %s section",
				  rules_field_name(ps->section, kind),
				  ps->section == SECTION_RULE ? "[rule ID]" : "[profile NAME]");
		return;
	}
	if (!repeatable(kind) && rules_raw_field(&ps->raw, kind)) {
		rules_parse_error(ps, number, 1, "'%s' given twice",
				  rules_field_name(ps->section, kind));
		return;
	}
	if (ps->raw.count == RULE_FIELDS_MAX) {
		rules_parse_error(ps, number, 1, "more than %d fields", RULE_FIELDS_MAX);
		return;
	}
	value = p + 1;
	while (*value == ' ' || *value == '\t')
		value++;
	f = &ps->raw.fields[ps->raw.count++];
	f->kind = kind;
	f->line = number;
	f->column = (unsigned)(value - line) + 1;
	f->length = strlen(value);
	f->capacity = f->length + 1;
	f->text = strdup(value);
	if (!f->text)
		f->length = f->capacity = 0;
	ps->continuing = true;
}

/* Append "\nLINE" to the field being read. The buffer doubles when it is
 * full, so a field of N continuation lines costs O(its size), not O(N^2):
 * the length is kept, never measured again. */
static void continue_field(struct parse_state *ps, const char *line, size_t len, unsigned number)
{
	struct raw_field *f;
	size_t need;

	if (!ps->in_rule || !ps->continuing || !ps->raw.count) {
		rules_parse_error(ps, number, 1, "an indented line continues no field");
		return;
	}
	f = &ps->raw.fields[ps->raw.count - 1];
	if (!f->text)
		return; /* out of memory when it started: nothing to join to */
	need = f->length + 1 + len + 1;
	if (need > f->capacity) {
		size_t capacity = f->capacity * 2 > need ? f->capacity * 2 : need;
		char *text = realloc(f->text, capacity);

		if (!text)
			return;
		f->text = text;
		f->capacity = capacity;
	}
	f->text[f->length] = '\n';
	memcpy(f->text + f->length + 1, line, len + 1);
	f->length += 1 + len;
}

/* Drop trailing blanks from LINE of LEN bytes; its new length. */
static size_t trim_end(char *line, size_t n)
{
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' ' ||
		     line[n - 1] == '\t'))
		line[--n] = '\0';
	return n;
}

static bool blank(const char *line)
{
	return line[strspn(line, " \t")] == '\0';
}

static void parse_line(struct parse_state *ps, char *line, size_t len, unsigned number)
{
	len = trim_end(line, len);
	if (line[0] == '#')
		return;
	if (blank(line)) {
		ps->continuing = false;
		return;
	}
	if (line[0] == ' ' || line[0] == '\t')
		continue_field(ps, line, len, number);
	else if (line[0] == '[')
		parse_header(ps, line, number);
	else
		parse_field(ps, line, number);
}

static int parse_stream(enum section_kind section, FILE *fp, const char *path, struct rule_set *set,
			struct rule_errors *errors)
{
	struct parse_state ps = {.section = section, .path = path, .set = set, .errors = errors};
	char line[RULE_LINE_MAX];
	unsigned number = 0;

	for (;;) {
		size_t len;
		int r = read_line(fp, line, sizeof(line), &len);

		if (r == 0)
			break;
		number++;
		if (r == -E2BIG) {
			rules_parse_error(&ps, number, 1, "line longer than %d bytes",
					  RULE_LINE_MAX - 1);
			break;
		}
		if (r == -EBADMSG) {
			rules_parse_error(&ps, number, 1, "not a text file (a NUL byte)");
			break;
		}
		if (r < 0) {
			rules_parse_error(&ps, number, 1, "read error: %s", strerror(-r));
			break;
		}
		parse_line(&ps, line, len, number);
	}
	finish_rule(&ps);
	raw_rule_clear(&ps.raw);
	return ps.failed ? -EINVAL : 0;
}

/* Parse FP (NULL: it could not be opened, errno says why), then close it. */
static int parse_opened(enum section_kind section, FILE *fp, const char *path, struct rule_set *set,
			struct rule_errors *errors)
{
	int r;

	if (!fp) {
		r = -errno;
		rules_add_error(errors, "%s: %s", path, strerror(errno));
		return r;
	}
	r = parse_stream(section, fp, path, set, errors);
	fclose(fp);
	return r;
}

int rules_read_file(enum section_kind section, const char *path, struct rule_set *set,
		    struct rule_errors *errors)
{
	return parse_opened(section, fopen(path, "re"), path, set, errors);
}

int rules_parse_buffer(enum section_kind section, const char *path, const char *data, size_t len,
		       struct rule_set *set, struct rule_errors *errors)
{
	/* fmemopen of 0 bytes fails: an empty buffer is an empty file */
	return parse_opened(section, fmemopen((void *)(len ? data : "\n"), len ? len : 1, "r"),
			    path, set, errors);
}

int rules_parse_file(const char *path, struct rule_set *set, struct rule_errors *errors)
{
	return rules_read_file(SECTION_RULE, path, set, errors);
}
