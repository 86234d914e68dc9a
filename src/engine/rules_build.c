/* SPDX-License-Identifier: MIT */
/* A raw section made a rule or a profile: its settings checked against
 * the keys and computations twtune knows, its condition and summary
 * parsed, and the two invariants of rules.h enforced. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/strutil.h"
#include "engine/factview.h"
#include "engine/rules_internal.h"

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
	expr_free(r->critical);
	free(r->critical_text);
	free(r->because);
	for (unsigned i = 0; i < r->setting_count; i++) {
		free(r->settings[i].text);
		knob_value_free(&r->settings[i].value);
	}
	free(r->settings);
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

/* "@name" or "@name(N)": a computation for KEY, with its argument when the
 * computation takes one (compute_argument_range() says which do). */
static int parse_computation(struct parse_state *ps, const struct raw_field *field,
			     const char *what, enum knob_id key, const char *value,
			     struct rule_setting *s)
{
	const char *open = strchr(value, '(');
	int len = open ? (int)(open - value) : (int)strlen(value);
	uint64_t low, high, n;
	char name[64], err[256];
	size_t inner;
	int comp, r;

	snprintf(name, sizeof(name), "%.*s", len, value);
	if ((comp = compute_find(name)) < 0 || !compute_applies(comp, key)) {
		rules_parse_error(ps, field->line, field->column,
				  comp < 0 ? "%s: unknown computation '%s'"
					   : "%s: %s does not compute %s",
				  what, name, knob_get(key)->name);
		return -EINVAL;
	}
	s->compute = comp;
	if (!open)
		return 0;
	if (!compute_argument_range(comp, &low, &high)) {
		rules_parse_error(ps, field->line, field->column, "%s: %s takes no argument", what,
				  name);
		return -EINVAL;
	}
	inner = strlen(open + 1);
	if (inner == 0 || open[inner] != ')') {
		rules_parse_error(ps, field->line, field->column,
				  "%s: %s(N) needs one number between %" PRIu64 " and %" PRIu64
				  " and a closing ')'",
				  what, name, low, high);
		return -EINVAL;
	}
	if ((r = strict_uint_n(open + 1, inner - 1, low, high, &n)) < 0) {
		char digits[64];

		snprintf(digits, sizeof(digits), "%.*s", (int)(inner - 1), open + 1);
		strict_uint_error(r, name, digits, low, high, err, sizeof(err));
		rules_parse_error(ps, field->line, field->column, "%s: %s", what, err);
		return -EINVAL;
	}
	s->argument = (long)n;
	return 0;
}

static int parse_setting(struct parse_state *ps, const struct raw_field *field,
			 struct rule_setting *s)
{
	const char *what = rules_field_name(ps->section, FIELD_RECOMMEND);
	char *text = single_line(field->text), *value;
	char err[256];
	int key;

	if (!text)
		return -ENOMEM;
	value = strchr(text, ' ');
	if (!value) {
		rules_parse_error(ps, field->line, field->column,
				  "%s needs KEY VALUE or KEY @computation", what);
		free(text);
		return -EINVAL;
	}
	*value++ = '\0';
	if ((key = knob_find(text)) < 0) {
		rules_parse_error(ps, field->line, field->column,
				  "%s: '%s' is not a key twtune knows", what, text);
		free(text);
		return -EINVAL;
	}
	s->key = key;
	s->line = field->line;
	s->argument = -1;
	if (value[0] == '@') {
		if (parse_computation(ps, field, what, key, value, s) < 0) {
			free(text);
			return -EINVAL;
		}
	} else if (knob_parse_setting(key, value, &s->value, err, sizeof(err)) < 0) {
		rules_parse_error(ps, field->line, field->column, "%s: %s", what, err);
		free(text);
		return -EINVAL;
	}
	if (!(s->text = strdup(value))) {
		knob_value_free(&s->value);
		free(text);
		return -ENOMEM;
	}
	free(text);
	return 0;
}

/* A section sets each key once: a second line would make the result
 * depend on which line wins, and apply would flip between them. */
static int check_set_once(struct parse_state *ps, const struct rule *r)
{
	const struct rule_setting *last = &r->settings[r->setting_count - 1];

	for (unsigned i = 0; i + 1 < r->setting_count; i++) {
		if (r->settings[i].key != last->key)
			continue;
		rules_parse_error(ps, last->line, 1, "%s %s again (line %u sets it already)",
				  rules_field_name(r->kind, FIELD_RECOMMEND),
				  knob_get(last->key)->name, r->settings[i].line);
		return -EINVAL;
	}
	return 0;
}

static const struct rule_setting *literal(const struct rule *r, enum knob_id key)
{
	for (unsigned i = 0; i < r->setting_count; i++)
		if (r->settings[i].key == key && r->settings[i].compute == COMPUTE_NONE)
			return &r->settings[i];
	return NULL;
}

/* Settings that cannot hold together: the kernel refuses a port range that
 * starts below ip_unprivileged_port_start (EINVAL, checked on 6.18), and
 * tcp_tw_reuse does nothing with tcp_timestamps off (tcp_twsk_unique()
 * needs the peer's timestamp). */
static int check_conflicts(struct parse_state *ps, const struct rule *r)
{
	const struct rule_setting *range = literal(r, KNOB_IP_LOCAL_PORT_RANGE);
	const struct rule_setting *start = literal(r, KNOB_IP_UNPRIVILEGED_PORT_START);
	const struct rule_setting *reuse = literal(r, KNOB_TCP_TW_REUSE);
	const struct rule_setting *stamps = literal(r, KNOB_TCP_TIMESTAMPS);

	if (range && start && range->value.range.low < (unsigned long)start->value.integer) {
		rules_parse_error(ps, range->line, 1,
				  "net.ipv4.ip_local_port_range %s starts below "
				  "net.ipv4.ip_unprivileged_port_start %s (line %u): the kernel "
				  "refuses such a range",
				  range->text, start->text, start->line);
		return -EINVAL;
	}
	if (reuse && stamps && reuse->value.integer != 0 && stamps->value.integer == 0) {
		rules_parse_error(
			ps, reuse->line, 1,
			"net.ipv4.tcp_tw_reuse %s with net.ipv4.tcp_timestamps 0 (line %u): "
			"reuse needs timestamps and would do nothing",
			reuse->text, stamps->line);
		return -EINVAL;
	}
	return 0;
}

/* The invariants: see rules.h. They hold whatever a rule file says. */
static int check_invariants(struct parse_state *ps, const struct rule *r)
{
	for (unsigned i = 0; i < r->setting_count; i++) {
		const struct rule_setting *s = &r->settings[i];
		long v = -1;

		if (s->compute == COMPUTE_NONE)
			v = s->value.integer; /* both keys are integers */
		else if (s->compute == COMPUTE_KERNEL_DEFAULT)
			v = s->key == KNOB_TCP_TW_RECYCLE ? 0 : -1; /* its default is 0 */
		if (s->key == KNOB_TCP_TW_RECYCLE && v != 0) {
			rules_parse_error(
				ps, r->line, 1,
				"%s net.ipv4.tcp_tw_recycle = %s; twtune never sets it "
				"to anything but 0 (it drops connections from clients behind NAT, "
				"and Linux 4.12 removed it)",
				r->kind == SECTION_RULE ? "recommends" : "sets",
				s->text ? s->text : "a computed value");
			return -EINVAL;
		}
		if (s->key == KNOB_TCP_TW_REUSE && v == 1 &&
		    !(r->when &&
		      expr_requires_string(r->when, "classification", "outbound-heavy") &&
		      expr_requires_nonzero(r->when, "net.ipv4.tcp_timestamps"))) {
			rules_parse_error(ps, r->line, 1,
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

	f = rules_raw_field(raw, FIELD_TITLE);
	if (!(r->title = single_line(f->text)))
		return -ENOMEM;
	if ((f = rules_raw_field(raw, FIELD_SUMMARY))) {
		r->summary = template_parse(f->text, f->line, f->column, fact_known, &err);
		if (!r->summary) {
			rules_parse_error(ps, err.line, err.column, "summary: %s", err.message);
			return -EINVAL;
		}
	}
	if ((f = rules_raw_field(raw, FIELD_EXPLAIN)) &&
	    !(r->explanation = explanation_text(f->text)))
		return -ENOMEM;
	return 0;
}

/* The expression of field KIND into *EXPR and its text into *TEXT. */
static int build_expression(struct parse_state *ps, const struct raw_rule *raw,
			    enum field_kind kind, struct expr **expr, char **text)
{
	const struct raw_field *f = rules_raw_field(raw, kind);
	struct expr_error err;

	if (!f)
		return 0;
	if (!(*expr = expr_parse(f->text, f->line, f->column, fact_known, &err))) {
		rules_parse_error(ps, err.line, err.column, "%s: %s",
				  rules_field_name(ps->section, kind), err.message);
		return -EINVAL;
	}
	if (!(*text = explanation_text(f->text)))
		return -ENOMEM;
	return 0;
}

/* "when" (a profile's "requires", which it may lack), and a rule's
 * "critical": a finding raised to critical must start below it. */
static int build_condition(struct parse_state *ps, const struct raw_rule *raw, struct rule *r)
{
	const struct raw_field *f;
	int rc;

	if ((rc = build_expression(ps, raw, FIELD_WHEN, &r->when, &r->when_text)) < 0)
		return rc;
	if ((rc = build_expression(ps, raw, FIELD_CRITICAL, &r->critical, &r->critical_text)) < 0)
		return rc;
	if (r->critical && r->severity == SEVERITY_CRITICAL) {
		f = rules_raw_field(raw, FIELD_CRITICAL);
		rules_parse_error(ps, f->line, 1,
				  "'critical' raises a finding to critical, but the severity is "
				  "critical already");
		return -EINVAL;
	}
	if ((f = rules_raw_field(raw, FIELD_BECAUSE)) && !(r->because = single_line(f->text)))
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
		if (!rules_raw_field(raw, required[i])) {
			rules_parse_error(ps, raw->line, 1, "has no '%s'",
					  rules_field_name(ps->section, required[i]));
			return -EINVAL;
		}
	}
	r->kind = ps->section;
	snprintf(r->id, sizeof(r->id), "%s", raw->id);
	snprintf(r->file, sizeof(r->file), "%s", ps->path);
	r->line = raw->line;
	if ((f = rules_raw_field(raw, FIELD_SEVERITY))) {
		if ((sev = severity_parse(f->text)) < 0) {
			rules_parse_error(ps, f->line, f->column,
					  "severity '%s' is not info, warning or critical",
					  f->text);
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
			struct rule_setting *grown =
				realloc(r->settings, (r->setting_count + 1) * sizeof(*grown));

			if (!grown)
				return -ENOMEM;
			r->settings = grown;
			memset(&grown[r->setting_count], 0, sizeof(*grown));
			if ((rc = parse_setting(ps, f, &r->settings[r->setting_count])) < 0)
				return rc;
			r->setting_count++;
			if ((rc = check_set_once(ps, r)) < 0)
				return rc;
		}
	}
	if ((rc = check_invariants(ps, r)) < 0)
		return rc;
	return check_conflicts(ps, r);
}

void rules_add_section(struct parse_state *ps)
{
	struct rule r, *grown;
	const struct rule *other;

	memset(&r, 0, sizeof(r));
	if ((other = rules_find(ps->set, ps->raw.id))) {
		rules_parse_error(ps, ps->raw.line, 1, "the id is already used by %s:%u",
				  other->file, other->line);
	} else if (build_rule(ps, &ps->raw, &r) == 0) {
		grown = realloc(ps->set->rules, (ps->set->count + 1) * sizeof(*grown));
		if (grown) {
			ps->set->rules = grown;
			grown[ps->set->count++] = r;
			memset(&r, 0, sizeof(r));
		} else {
			rules_parse_error(ps, ps->raw.line, 1, "out of memory");
		}
	}
	rule_free(&r);
}
