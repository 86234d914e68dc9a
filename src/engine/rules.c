#include "engine/rules.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/confdirs.h"
#include "common/lineread.h"
#include "engine/factview.h"

#define RULE_LINE_MAX 4096
#define RULE_FIELDS_MAX 32

enum field_kind {
	FIELD_SEVERITY,
	FIELD_TITLE,
	FIELD_WHEN,
	FIELD_RECOMMEND,
	FIELD_SUMMARY,
	FIELD_EXPLAIN,
	FIELD_REFERENCE,
};

static const char *const field_names[] = {
	[FIELD_SEVERITY] = "severity",	 [FIELD_TITLE] = "title",     [FIELD_WHEN] = "when",
	[FIELD_RECOMMEND] = "recommend", [FIELD_SUMMARY] = "summary", [FIELD_EXPLAIN] = "explain",
	[FIELD_REFERENCE] = "reference",
};

/* A field as written: its text with continuation lines joined by '\n' and
 * kept whole (indentation included, so expression columns stay the
 * file's), and where its value starts. */
struct raw_field {
	enum field_kind kind;
	char *text;
	unsigned line, column;
};

struct raw_rule {
	char id[64];
	unsigned line;
	struct raw_field fields[RULE_FIELDS_MAX];
	unsigned count;
};

/* In a [profile] section, "requires" is the condition and "set" a
 * setting: the same fields under the names a profile reads best with. */
static const char *field_name(enum section_kind section, enum field_kind kind)
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
		return kind != FIELD_SEVERITY && kind != FIELD_SUMMARY;
	return true;
}

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

static const char *const severity_names[] = {[SEVERITY_NONE] = "none",
					     [SEVERITY_INFO] = "info",
					     [SEVERITY_WARNING] = "warning",
					     [SEVERITY_CRITICAL] = "critical"};

const char *severity_name(enum severity s)
{
	return (unsigned)s <= SEVERITY_CRITICAL ? severity_names[s] : "?";
}

static int severity_parse(const char *name)
{
	for (int s = SEVERITY_INFO; s <= SEVERITY_CRITICAL; s++)
		if (strcmp(severity_names[s], name) == 0)
			return s;
	return -1;
}

static void add_error(struct rule_errors *errors, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add_error(struct rule_errors *errors, const char *fmt, ...)
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
static void parse_error(struct parse_state *ps, unsigned line, unsigned column, const char *fmt,
			...) __attribute__((format(printf, 4, 5)));

static void parse_error(struct parse_state *ps, unsigned line, unsigned column, const char *fmt,
			...)
{
	char message[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	if (ps->in_rule)
		add_error(ps->errors, "%s:%u:%u: %s %s: %s", ps->path, line, column,
			  ps->section == SECTION_RULE ? "rule" : "profile", ps->raw.id, message);
	else
		add_error(ps->errors, "%s:%u:%u: %s", ps->path, line, column, message);
	ps->failed = 1;
}

static void raw_rule_clear(struct raw_rule *raw)
{
	for (unsigned i = 0; i < raw->count; i++)
		free(raw->fields[i].text);
	memset(raw, 0, sizeof(*raw));
}

static void rule_free(struct rule *r)
{
	free(r->title);
	template_free(r->summary);
	free(r->explanation);
	for (unsigned i = 0; i < r->reference_count; i++)
		free(r->references[i]);
	free(r->references);
	expr_free(r->when);
	free(r->when_text);
	for (unsigned i = 0; i < r->setting_count; i++)
		free(r->settings[i].value);
	memset(r, 0, sizeof(*r));
}

void rules_free(struct rule_set *set)
{
	for (size_t i = 0; i < set->count; i++)
		rule_free(&set->rules[i]);
	free(set->rules);
	set->rules = NULL;
	set->count = 0;
}

const struct rule *rules_find(const struct rule_set *set, const char *id)
{
	for (size_t i = 0; i < set->count; i++)
		if (strcmp(set->rules[i].id, id) == 0)
			return &set->rules[i];
	return NULL;
}

static const struct raw_field *raw_get(const struct raw_rule *raw, enum field_kind kind)
{
	for (unsigned i = 0; i < raw->count; i++)
		if (raw->fields[i].kind == kind)
			return &raw->fields[i];
	return NULL;
}

/* Explanations: continuation lines lose their indentation; a line of "."
 * is an empty line between paragraphs. */
static char *explanation_text(const char *raw)
{
	char *out = malloc(strlen(raw) + 1), *o = out;
	const char *line = raw;

	if (!out)
		return NULL;
	while (*line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		const char *p = line;

		while (p < line + len && (*p == ' ' || *p == '\t'))
			p++;
		if (!(p + 1 == line + len && *p == '.')) {
			memcpy(o, p, (size_t)(line + len - p));
			o += line + len - p;
		}
		if (end)
			*o++ = '\n';
		line = end ? end + 1 : line + len;
	}
	*o = '\0';
	return out;
}

/* One line of text: continuation lines join with a space. */
static char *single_line(const char *raw)
{
	char *out = strdup(raw);

	if (out)
		str_normalize_blanks(out);
	return out;
}

static int parse_setting(struct parse_state *ps, const struct raw_field *field,
			 struct rule_setting *s)
{
	const char *what = field_name(ps->section, FIELD_RECOMMEND);
	char *text = single_line(field->text), *value;
	char err[256];
	int key, comp;

	if (!text)
		return -ENOMEM;
	value = strchr(text, ' ');
	if (!value) {
		parse_error(ps, field->line, field->column,
			    "%s needs KEY VALUE or KEY @computation", what);
		free(text);
		return -EINVAL;
	}
	*value++ = '\0';
	if ((key = knob_find(text)) < 0) {
		parse_error(ps, field->line, field->column, "%s: '%s' is not a key twtune knows",
			    what, text);
		free(text);
		return -EINVAL;
	}
	s->key = key;
	if (value[0] == '@') {
		if ((comp = compute_find(value)) < 0 || !compute_applies(comp, key)) {
			parse_error(ps, field->line, field->column,
				    comp < 0 ? "%s: unknown computation '%s'"
					     : "%s: %s does not compute %s",
				    what, value, knob_get(key)->name);
			free(text);
			return -EINVAL;
		}
		s->compute = comp;
	} else if (knob_validate(key, value, err, sizeof(err)) < 0) {
		parse_error(ps, field->line, field->column, "%s: %s", what, err);
		free(text);
		return -EINVAL;
	} else if (!(s->value = strdup(value))) {
		free(text);
		return -ENOMEM;
	}
	free(text);
	return 0;
}

/* The invariants: see rules.h. They hold whatever a rule file says. */
static int check_invariants(struct parse_state *ps, const struct rule *r)
{
	for (unsigned i = 0; i < r->setting_count; i++) {
		const struct rule_setting *s = &r->settings[i];
		long v = -1;

		if (s->value)
			parse_long(s->value, &v);
		else if (s->compute == COMPUTE_KERNEL_DEFAULT)
			v = s->key == KNOB_TCP_TW_RECYCLE ? 0 : -1; /* its default is 0 */
		if (s->key == KNOB_TCP_TW_RECYCLE && v != 0) {
			parse_error(
				ps, r->line, 1,
				"%s net.ipv4.tcp_tw_recycle = %s; twtune never sets it "
				"to anything but 0 (it drops connections from clients behind NAT, "
				"and Linux 4.12 removed it)",
				r->kind == SECTION_RULE ? "recommends" : "sets",
				s->value ? s->value : "a computed value");
			return -EINVAL;
		}
		if (s->key == KNOB_TCP_TW_REUSE && v == 1 &&
		    !(r->when &&
		      expr_requires_string(r->when, "classification", "outbound-heavy") &&
		      expr_requires_nonzero(r->when, "net.ipv4.tcp_timestamps"))) {
			parse_error(ps, r->line, 1,
				    "%s net.ipv4.tcp_tw_reuse = 1, but its %s does not "
				    "require classification == \"outbound-heavy\" && "
				    "net.ipv4.tcp_timestamps != 0 (reuse only helps outbound "
				    "connections, and only with timestamps)",
				    r->kind == SECTION_RULE ? "recommends" : "sets",
				    r->kind == SECTION_RULE ? "condition" : "requires");
			return -EINVAL;
		}
	}
	return 0;
}

static int build_text_fields(struct parse_state *ps, const struct raw_rule *raw, struct rule *r)
{
	const struct raw_field *f;
	struct expr_error err;

	f = raw_get(raw, FIELD_TITLE);
	if (!(r->title = single_line(f->text)))
		return -ENOMEM;
	if ((f = raw_get(raw, FIELD_SUMMARY))) {
		r->summary = template_parse(f->text, f->line, f->column, fact_known, &err);
		if (!r->summary) {
			parse_error(ps, err.line, err.column, "summary: %s", err.message);
			return -EINVAL;
		}
	}
	if ((f = raw_get(raw, FIELD_EXPLAIN)) && !(r->explanation = explanation_text(f->text)))
		return -ENOMEM;
	return 0;
}

static int build_condition(struct parse_state *ps, const struct raw_rule *raw, struct rule *r)
{
	const struct raw_field *f = raw_get(raw, FIELD_WHEN);
	struct expr_error err;

	if (!f)
		return 0; /* a profile without requirements */
	if (!(r->when = expr_parse(f->text, f->line, f->column, fact_known, &err))) {
		parse_error(ps, err.line, err.column, "%s: %s", field_name(r->kind, FIELD_WHEN),
			    err.message);
		return -EINVAL;
	}
	if (!(r->when_text = explanation_text(f->text)))
		return -ENOMEM;
	return 0;
}

static int build_rule(struct parse_state *ps, const struct raw_rule *raw, struct rule *r)
{
	static const enum field_kind rule_required[] = {FIELD_SEVERITY, FIELD_TITLE, FIELD_WHEN};
	static const enum field_kind profile_required[] = {FIELD_TITLE};
	const enum field_kind *required =
		ps->section == SECTION_RULE ? rule_required : profile_required;
	size_t nrequired = ps->section == SECTION_RULE ? 3 : 1;
	const struct raw_field *f;
	int sev, rc;

	for (size_t i = 0; i < nrequired; i++) {
		if (!raw_get(raw, required[i])) {
			parse_error(ps, raw->line, 1, "has no '%s'",
				    field_name(ps->section, required[i]));
			return -EINVAL;
		}
	}
	r->kind = ps->section;
	snprintf(r->id, sizeof(r->id), "%s", raw->id);
	snprintf(r->file, sizeof(r->file), "%s", ps->path);
	r->line = raw->line;
	if ((f = raw_get(raw, FIELD_SEVERITY))) {
		if ((sev = severity_parse(f->text)) < 0) {
			parse_error(ps, f->line, f->column,
				    "severity '%s' is not info, warning or critical", f->text);
			return -EINVAL;
		}
		r->severity = sev;
	}
	if ((rc = build_condition(ps, raw, r)) < 0)
		return rc;
	if ((rc = build_text_fields(ps, raw, r)) < 0)
		return rc;
	for (unsigned i = 0; i < raw->count; i++) {
		f = &raw->fields[i];
		if (f->kind == FIELD_REFERENCE) {
			char **refs =
				realloc(r->references, (r->reference_count + 1) * sizeof(*refs));
			if (!refs)
				return -ENOMEM;
			r->references = refs;
			if (!(refs[r->reference_count] = single_line(f->text)))
				return -ENOMEM;
			r->reference_count++;
		} else if (f->kind == FIELD_RECOMMEND) {
			if (r->setting_count == RULE_MAX_SETTINGS) {
				parse_error(ps, f->line, f->column, "more than %d %s lines",
					    RULE_MAX_SETTINGS,
					    field_name(r->kind, FIELD_RECOMMEND));
				return -EINVAL;
			}
			if ((rc = parse_setting(ps, f, &r->settings[r->setting_count])) < 0)
				return rc;
			r->setting_count++;
		}
	}
	return check_invariants(ps, r);
}

static void finish_rule(struct parse_state *ps)
{
	struct rule r, *grown;
	const struct rule *other;

	if (!ps->in_rule)
		return;
	memset(&r, 0, sizeof(r));
	if ((other = rules_find(ps->set, ps->raw.id))) {
		parse_error(ps, ps->raw.line, 1, "the id is already used by %s:%u", other->file,
			    other->line);
	} else if (build_rule(ps, &ps->raw, &r) == 0) {
		grown = realloc(ps->set->rules, (ps->set->count + 1) * sizeof(*grown));
		if (grown) {
			ps->set->rules = grown;
			grown[ps->set->count++] = r;
			memset(&r, 0, sizeof(r));
		} else {
			parse_error(ps, ps->raw.line, 1, "out of memory");
		}
	}
	rule_free(&r);
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
		parse_error(ps, number, 1, "expected a section header '%s'",
			    rule ? "[rule ID]" : "[profile NAME]");
		return;
	}
	*end = '\0';
	id = line + klen;
	while (*id == ' ')
		id++;
	if (!valid_id(id)) {
		parse_error(ps, number, (unsigned)(id - line) + 1,
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
		const char *n = field_name(section, i);
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
		parse_error(ps, number, (unsigned)(p - line) + 1, "expected 'name = value'");
		return;
	}
	if ((kind = field_kind(ps->section, line, len)) < 0) {
		parse_error(ps, number, 1, "unknown field '%.*s'", (int)len, line);
		return;
	}
	if (!ps->in_rule) {
		parse_error(ps, number, 1, "'%s' outside a %s section",
			    field_name(ps->section, kind),
			    ps->section == SECTION_RULE ? "[rule ID]" : "[profile NAME]");
		return;
	}
	if (!repeatable(kind) && raw_get(&ps->raw, kind)) {
		parse_error(ps, number, 1, "'%s' given twice", field_name(ps->section, kind));
		return;
	}
	if (ps->raw.count == RULE_FIELDS_MAX) {
		parse_error(ps, number, 1, "more than %d fields", RULE_FIELDS_MAX);
		return;
	}
	value = p + 1;
	while (*value == ' ' || *value == '\t')
		value++;
	f = &ps->raw.fields[ps->raw.count++];
	f->kind = kind;
	f->line = number;
	f->column = (unsigned)(value - line) + 1;
	f->text = strdup(value);
	ps->continuing = true;
}

static void continue_field(struct parse_state *ps, const char *line, unsigned number)
{
	struct raw_field *f;
	size_t old, add;
	char *text;

	if (!ps->in_rule || !ps->continuing || !ps->raw.count) {
		parse_error(ps, number, 1, "an indented line continues no field");
		return;
	}
	f = &ps->raw.fields[ps->raw.count - 1];
	old = f->text ? strlen(f->text) : 0;
	add = strlen(line);
	if (!(text = realloc(f->text, old + add + 2)))
		return;
	text[old] = '\n';
	memcpy(text + old + 1, line, add + 1);
	f->text = text;
}

static void trim_end(char *line)
{
	size_t n = strlen(line);

	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' ' ||
		     line[n - 1] == '\t'))
		line[--n] = '\0';
}

static bool blank(const char *line)
{
	return line[strspn(line, " \t")] == '\0';
}

static void parse_line(struct parse_state *ps, char *line, unsigned number)
{
	trim_end(line);
	if (line[0] == '#')
		return;
	if (blank(line)) {
		ps->continuing = false;
		return;
	}
	if (line[0] == ' ' || line[0] == '\t')
		continue_field(ps, line, number);
	else if (line[0] == '[')
		parse_header(ps, line, number);
	else
		parse_field(ps, line, number);
}

static int parse_file(enum section_kind section, const char *path, struct rule_set *set,
		      struct rule_errors *errors)
{
	struct parse_state ps = {.section = section, .path = path, .set = set, .errors = errors};
	char line[RULE_LINE_MAX];
	unsigned number = 0;
	FILE *fp = fopen(path, "re");

	if (!fp) {
		int r = -errno;
		add_error(errors, "%s: %s", path, strerror(errno));
		return r;
	}
	for (;;) {
		size_t len;
		int r = read_line(fp, line, sizeof(line), &len);

		if (r == 0)
			break;
		number++;
		if (r == -E2BIG) {
			parse_error(&ps, number, 1, "line longer than %d bytes", RULE_LINE_MAX - 1);
			break;
		}
		if (r == -EBADMSG) {
			parse_error(&ps, number, 1, "not a text file (a NUL byte)");
			break;
		}
		if (r < 0) {
			parse_error(&ps, number, 1, "read error: %s", strerror(-r));
			break;
		}
		parse_line(&ps, line, number);
	}
	finish_rule(&ps);
	raw_rule_clear(&ps.raw);
	fclose(fp);
	return ps.failed ? -EINVAL : 0;
}

int rules_parse_file(const char *path, struct rule_set *set, struct rule_errors *errors)
{
	return parse_file(SECTION_RULE, path, set, errors);
}

static const char *section_suffix(enum section_kind section)
{
	return section == SECTION_RULE ? ".rule" : ".profile";
}

static int load_file(enum section_kind section, const char *dir, const char *name,
		     struct rule_set *set, struct rule_errors *errors)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path)) {
		add_error(errors, "%s/%s: path too long", dir, name);
		return -ENAMETOOLONG;
	}
	return parse_file(section, path, set, errors);
}

/* Directory indexes in LIST: the override comes first, so that its files
 * mask the shipped ones of the same name. */
enum { DIR_OVERRIDE, DIR_SHIPPED };

static int load_dirs(enum section_kind section, const char *shipped, const char *override,
		     struct rule_set *set, struct rule_errors *errors)
{
	const char *suffix = section_suffix(section);
	struct conf_files list = {0};
	int r, r_override = 0, failed = 0;

	memset(set, 0, sizeof(*set));
	memset(errors, 0, sizeof(*errors));
	if (override)
		r_override = conf_files_add_dir(&list, override, DIR_OVERRIDE, suffix);
	if ((r = conf_files_add_dir(&list, shipped, DIR_SHIPPED, suffix)) < 0) {
		add_error(errors, "%s: cannot read the %s directory: %s", shipped,
			  section == SECTION_RULE ? "rules" : "profiles", strerror(-r));
		conf_files_free(&list);
		return r;
	}
	if (r_override < 0 && r_override != -ENOENT) {
		add_error(errors, "%s: %s", override, strerror(-r_override));
		failed = 1;
	}
	/* In file-name order: a local file stands in for the shipped file of
	 * the same name. */
	conf_files_sort(&list);
	for (size_t i = 0; i < list.count; i++) {
		const struct conf_file *file = &list.items[i];

		if (load_file(section, file->dir == DIR_OVERRIDE ? override : shipped, file->name,
			      set, errors) < 0)
			failed = 1;
	}
	conf_files_free(&list);
	return failed || errors->count ? -EINVAL : 0;
}

int rules_load(const char *shipped, const char *override, struct rule_set *set,
	       struct rule_errors *errors)
{
	return load_dirs(SECTION_RULE, shipped, override, set, errors);
}

int profiles_load(const char *shipped, const char *override, struct rule_set *set,
		  struct rule_errors *errors)
{
	return load_dirs(SECTION_PROFILE, shipped, override, set, errors);
}
