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

int rule_setting_value(const struct rule_setting *rs, const struct tw_facts *f,
		       struct knob_value *out)
{
	if (rs->compute == COMPUTE_NONE) {
		*out = knob_value_copy(&rs->value);
		return 0;
	}
	return compute_value(rs->compute, rs->key, f, out);
}

const char *rule_setting_text(const struct rule_setting *rs)
{
	return rs->compute == COMPUTE_NONE ? rs->text : compute_name(rs->compute);
}

static void fill_settings(const struct rule *r, const struct tw_facts *f, struct finding *fd)
{
	for (unsigned i = 0; i < r->setting_count; i++) {
		const struct rule_setting *rs = &r->settings[i];
		struct finding_setting *s = &fd->settings[fd->setting_count];
		const struct sysctl_value *cur = &f->sysctl[rs->key];

		memset(s, 0, sizeof(*s));
		s->key = rs->key;
		if (rule_setting_value(rs, f, &s->recommended) < 0)
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
}

static int by_severity(const void *a, const void *b)
{
	const struct finding *x = a, *y = b;
	int c;

	if (x->rule->severity != y->rule->severity)
		return x->rule->severity > y->rule->severity ? -1 : 1;
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

struct finding *findings_add(struct findings *fs, const struct rule *rule, const char *file,
			     unsigned line, int key, const char *fmt, ...)
{
	struct finding *grown = realloc(fs->items, (fs->count + 1) * sizeof(*grown)), *fd;
	va_list ap;

	if (!grown)
		return NULL;
	fs->items = grown;
	fd = &fs->items[fs->count++];
	memset(fd, 0, sizeof(*fd));
	fd->rule = rule;
	fd->key = key;
	fd->line = line;
	snprintf(fd->file, sizeof(fd->file), "%s", file ? file : "");
	va_start(ap, fmt);
	vsnprintf(fd->summary, sizeof(fd->summary), fmt, ap);
	va_end(ap);
	utf8_sanitize(fd->summary);
	utf8_sanitize(fd->file);
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
		fill_settings(r, f, fd);
		/* the summary may quote the first recommended value */
		view.recommended = fd->setting_count ? &fd->settings[0].recommended : NULL;
		if (view.recommended)
			knob_format(view.recommended, view.recommended_text,
				    sizeof(view.recommended_text));
		if (r->summary)
			template_render(r->summary, fact_lookup, &view, fd->summary,
					sizeof(fd->summary));
		else
			snprintf(fd->summary, sizeof(fd->summary), "%s", r->title);
		/* one line, however the rule file wrapped it; valid UTF-8 */
		str_normalize_blanks(fd->summary);
		utf8_sanitize(fd->summary);
		view.recommended = NULL;
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

void finding_copy_settings(struct finding *to, const struct finding *from)
{
	for (unsigned i = 0; i < from->setting_count; i++) {
		to->settings[i] = from->settings[i];
		to->settings[i].current = knob_value_copy(&from->settings[i].current);
		to->settings[i].recommended = knob_value_copy(&from->settings[i].recommended);
	}
	to->setting_count = from->setting_count;
}

void findings_free(struct findings *fs)
{
	for (size_t i = 0; i < fs->count; i++)
		for (unsigned k = 0; k < fs->items[i].setting_count; k++)
			finding_setting_free(&fs->items[i].settings[k]);
	free(fs->items);
	free(fs->undetermined_rules);
	memset(fs, 0, sizeof(*fs));
}

enum severity findings_worst(const struct findings *fs)
{
	enum severity worst = SEVERITY_NONE;

	for (size_t i = 0; i < fs->count; i++)
		if (fs->items[i].rule->severity > worst)
			worst = fs->items[i].rule->severity;
	return worst;
}
