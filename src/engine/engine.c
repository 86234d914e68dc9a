/* SPDX-License-Identifier: MIT */
#include "engine/engine.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/factview.h"

/* The invariants again, at the last moment, on the facts themselves: a rule
 * that slipped past the load-time check (a bug) still cannot recommend
 * them. */
static bool setting_allowed(const struct finding_setting *s, const struct tw_facts *f)
{
	const struct sysctl_value *timestamps = &f->sysctl[KNOB_TCP_TIMESTAMPS];

	if (s->key == KNOB_TCP_TW_RECYCLE)
		return s->recommended.integer == 0;
	if (s->key == KNOB_TCP_TW_REUSE && s->recommended.integer == 1)
		return f->classification.verdict == HOST_OUTBOUND_HEAVY && timestamps->known &&
		       timestamps->value.integer != 0;
	return true;
}

/* The port range R itself sets on F (literal or computed), into OUT: what
 * its @reserved_ports must keep free of services. */
static int planned_range(const struct rule *r, const struct tw_facts *f, struct knob_value *out)
{
	for (unsigned i = 0; i < r->setting_count; i++) {
		const struct rule_setting *rs = &r->settings[i];

		if (rs->key == KNOB_IP_LOCAL_PORT_RANGE)
			return rule_setting_value(r, rs, f, out);
	}
	return -ENODATA;
}

int rule_setting_value(const struct rule *r, const struct rule_setting *rs,
		       const struct tw_facts *f, struct knob_value *out)
{
	struct compute_input in = {.argument = rs->argument};
	struct knob_value range;
	int rc;

	if (rs->compute == COMPUTE_NONE) {
		*out = knob_value_copy(&rs->value);
		return 0;
	}
	if (rs->compute != COMPUTE_RESERVED_PORTS || planned_range(r, f, &range) < 0)
		return compute_value(rs->compute, rs->key, f, &in, out);
	in.planned_range = &range;
	rc = compute_value(rs->compute, rs->key, f, &in, out);
	knob_value_free(&range);
	return rc;
}

const char *rule_setting_text(const struct rule_setting *rs)
{
	return rs->text ? rs->text : compute_name(rs->compute);
}

static int fill_settings(const struct rule *r, const struct tw_facts *f, struct finding *fd)
{
	if (r->setting_count && !(fd->settings = calloc(r->setting_count, sizeof(*fd->settings))))
		return -ENOMEM;
	for (unsigned i = 0; i < r->setting_count; i++) {
		const struct rule_setting *rs = &r->settings[i];
		struct finding_setting *s = &fd->settings[fd->setting_count];
		const struct sysctl_value *cur = &f->sysctl[rs->key];

		memset(s, 0, sizeof(*s));
		s->key = rs->key;
		if (rule_setting_value(r, rs, f, &s->recommended) < 0)
			continue; /* nothing this host can be given */
		s->current_present = cur->known;
		if (cur->known)
			s->current = knob_value_copy(&cur->value);
		if ((s->current_present && knob_value_equal(&s->current, &s->recommended)) ||
		    !setting_allowed(s, f)) {
			finding_setting_free(s);
			continue;
		}
		fd->setting_count++;
	}
	return 0;
}

static int by_severity(const void *a, const void *b)
{
	const struct finding *x = a, *y = b;
	int c;

	if (x->severity != y->severity)
		return x->severity > y->severity ? -1 : 1;
	if ((c = strcmp(x->file, y->file)) != 0)
		return c;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return strcmp(x->rule->id, y->rule->id);
}

void findings_sort(struct findings *fs)
{
	if (fs->count)
		qsort(fs->items, fs->count, sizeof(*fs->items), by_severity);
}

/* The summary and file of a finding, each allocated to its length. */
static int finding_set_text(struct finding *fd, const char *file, const char *summary)
{
	char text[FINDING_SUMMARY_MAX];

	snprintf(text, sizeof(text), "%s", summary);
	utf8_sanitize(text); /* cut at the limit, maybe inside a character */
	free(fd->summary);
	if (!(fd->summary = strdup(text)))
		return -ENOMEM;
	if (file && !fd->file) {
		if (!(fd->file = strdup(file)))
			return -ENOMEM;
		utf8_sanitize(fd->file);
	}
	return 0;
}

struct finding *findings_add(struct findings *fs, const struct rule *rule, const char *file,
			     unsigned line, int key, const char *fmt, ...)
{
	char summary[FINDING_SUMMARY_MAX];
	struct finding *fd;
	va_list ap;

	/* doubling: lint may add one per line of a file */
	if (fs->count == fs->capacity) {
		size_t capacity = fs->capacity ? fs->capacity * 2 : 16;
		struct finding *grown = realloc(fs->items, capacity * sizeof(*grown));

		if (!grown)
			return NULL;
		fs->items = grown;
		fs->capacity = capacity;
	}
	fd = &fs->items[fs->count];
	memset(fd, 0, sizeof(*fd));
	fd->rule = rule;
	fd->severity = rule->severity;
	fd->key = key;
	fd->line = line;
	va_start(ap, fmt);
	vsnprintf(summary, sizeof(summary), fmt, ap);
	va_end(ap);
	if (finding_set_text(fd, file ? file : "", summary) < 0) {
		free(fd->summary);
		free(fd->file);
		return NULL;
	}
	fs->count++;
	return fd;
}

/* Remember R as undetermined; false when out of memory. */
static bool note_undetermined(struct findings *out, const struct rule *r)
{
	const struct rule **grown =
		realloc(out->undetermined_rules, (out->undetermined + 1) * sizeof(*grown));

	if (!grown)
		return false;
	out->undetermined_rules = grown;
	grown[out->undetermined++] = r;
	return true;
}

int engine_evaluate(const struct rule_set *rules, const struct tw_facts *f, struct findings *out)
{
	char summary[FINDING_SUMMARY_MAX];
	struct fact_view view;

	memset(out, 0, sizeof(*out));
	fact_view_init(&view, f);
	for (size_t i = 0; i < rules->count; i++) {
		const struct rule *r = &rules->rules[i];
		struct value v = expr_eval(r->when, fact_lookup, &view);
		struct finding *fd;

		if (v.type == VAL_UNDEFINED && !note_undetermined(out, r))
			goto nomem;
		if (v.type != VAL_BOOL || !v.boolean)
			continue;
		if (!(fd = findings_add(out, r, NULL, 0,
					r->setting_count ? (int)r->settings[0].key : -1, "%s", "")))
			goto nomem;
		if (r->critical && expr_holds(r->critical, fact_lookup, &view))
			fd->severity = SEVERITY_CRITICAL;
		if (fill_settings(r, f, fd) < 0)
			goto nomem;
		/* the summary may quote the first recommended value */
		fact_view_recommend(&view, fd->settings, fd->setting_count);
		if (r->summary)
			template_render(r->summary, fact_lookup, &view, summary, sizeof(summary));
		else
			snprintf(summary, sizeof(summary), "%s", r->title);
		/* one line, however the rule file wrapped it; valid UTF-8 */
		str_normalize_blanks(summary);
		fact_view_recommend(&view, NULL, 0);
		if (finding_set_text(fd, NULL, summary) < 0)
			goto nomem;
	}
	findings_sort(out);
	return 0;
nomem:
	findings_free(out);
	return -ENOMEM;
}

void finding_setting_free(struct finding_setting *s)
{
	knob_value_free(&s->current);
	knob_value_free(&s->recommended);
}

int finding_copy_settings(struct finding *to, const struct finding *from)
{
	if (!from->setting_count)
		return 0;
	if (!(to->settings = calloc(from->setting_count, sizeof(*to->settings))))
		return -ENOMEM;
	for (unsigned i = 0; i < from->setting_count; i++) {
		to->settings[i] = from->settings[i];
		to->settings[i].current = knob_value_copy(&from->settings[i].current);
		to->settings[i].recommended = knob_value_copy(&from->settings[i].recommended);
	}
	to->setting_count = from->setting_count;
	return 0;
}

void findings_free(struct findings *fs)
{
	for (size_t i = 0; i < fs->count; i++) {
		struct finding *fd = &fs->items[i];

		for (unsigned k = 0; k < fd->setting_count; k++)
			finding_setting_free(&fd->settings[k]);
		free(fd->settings);
		free(fd->summary);
		free(fd->file);
	}
	free(fs->items);
	free(fs->undetermined_rules);
	memset(fs, 0, sizeof(*fs));
}

enum severity findings_worst(const struct findings *fs)
{
	enum severity worst = SEVERITY_NONE;

	for (size_t i = 0; i < fs->count; i++)
		if (fs->items[i].severity > worst)
			worst = fs->items[i].severity;
	return worst;
}
