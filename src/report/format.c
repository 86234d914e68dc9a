#include "report/format.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double round4(double v)
{
	return round(v * 10000.0) / 10000.0;
}

json_t *value_json(const struct knob_value *v)
{
	char *text = knob_text(v);
	json_t *j = text ? json_string(text) : json_null();

	free(text);
	return j;
}

char *setting_current_text(const struct tw_facts *f, const struct finding_setting *s)
{
	if (s->current_present)
		return knob_text(&s->current);
	return f && f->sysctl[s->key].text ? strdup(f->sysctl[s->key].text) : NULL;
}

void print_json(json_t *doc, FILE *out)
{
	if (!doc)
		return;
	json_dumpf(doc, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', out);
	json_decref(doc);
}

#define JSON_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER)

/* A string no renderer produces, put where the streamed items go; and
 * how jansson writes it. */
#define STREAM_MARK "\001twtune-stream\001"
#define STREAM_MARK_DUMPED "\"\\u0001twtune-stream\\u0001\""

/* TEXT, each line after the first indented by INDENT spaces. */
static void print_indented(const char *text, int indent, FILE *out)
{
	for (const char *p = text; *p; p++) {
		fputc(*p, out);
		if (*p == '\n') /* JSON strings escape newlines: this is layout */
			fprintf(out, "%*s", indent, "");
	}
}

void print_json_streamed(json_t *doc, json_t *items, size_t count, json_item_fn item,
			 const void *arg, FILE *out)
{
	char *text = NULL, *mark, *line;
	int indent;

	if (!doc)
		return;
	if (count && json_array_append_new(items, json_string(STREAM_MARK)) == 0)
		text = json_dumps(doc, JSON_FLAGS);
	mark = text ? strstr(text, STREAM_MARK_DUMPED) : NULL;
	if (!mark) {
		/* nothing to stream (or no memory to stream it): whole */
		free(text);
		json_array_clear(items);
		for (size_t i = 0; i < count; i++)
			json_array_append_new(items, item(i, arg));
		print_json(doc, out);
		return;
	}
	json_decref(doc);
	for (line = mark; line > text && line[-1] == ' '; line--)
		;
	indent = (int)(mark - line);
	fwrite(text, 1, (size_t)(mark - text), out);
	for (size_t i = 0; i < count; i++) {
		json_t *o = item(i, arg);
		char *one = o ? json_dumps(o, JSON_FLAGS) : NULL;

		if (i)
			fprintf(out, ",\n%*s", indent, "");
		print_indented(one ? one : "null", indent, out);
		free(one);
		json_decref(o);
	}
	fputs(mark + strlen(STREAM_MARK_DUMPED), out);
	fputc('\n', out);
	free(text);
}
