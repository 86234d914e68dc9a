/* SPDX-License-Identifier: MIT */
#include "report/format.h"

#include <math.h>
#include <stdint.h>
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

/* jansson's integers are signed 64-bit, and a counter is not: a figure
 * above INT64_MAX is held as an object whose one key starts with a NUL
 * byte, {"\0u64": "DIGITS"}, and print_json() writes DIGITS in its place.
 * No other key can hold a NUL (twtune's keys are C strings), and no string
 * value can hold the unescaped quotes around it, so nothing else is ever
 * taken for one. */
#define U64_KEY "\0u64"
#define U64_KEY_LEN 4
#define U64_KEY_DUMPED "\"\\u0000u64\": \""

json_t *json_u64(uint64_t v)
{
	char digits[24];
	json_t *o;

	if (v <= INT64_MAX)
		return json_integer((json_int_t)v);
	snprintf(digits, sizeof(digits), "%llu", (unsigned long long)v);
	o = json_object();
	if (o && json_object_setn_new(o, U64_KEY, U64_KEY_LEN, json_string(digits)) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* TEXT as dumped, with each {"\u0000u64": "DIGITS"} written as DIGITS. */
static void put_expanded(const char *text, FILE *out)
{
	const char *p = text, *key;

	while ((key = strstr(p, U64_KEY_DUMPED))) {
		const char *open = key, *digits = key + strlen(U64_KEY_DUMPED);
		const char *end = digits + strspn(digits, "0123456789");
		const char *close = *end == '"' ? end + 1 + strspn(end + 1, " \n") : end;

		while (open > p && (open[-1] == ' ' || open[-1] == '\n'))
			open--;
		if (open > p && open[-1] == '{' && *close == '}') {
			fwrite(p, 1, (size_t)(open - 1 - p), out);
			fwrite(digits, 1, (size_t)(end - digits), out);
			p = close + 1;
		} else { /* not the marker's object (it cannot be): as it is */
			fwrite(p, 1, (size_t)(digits - p), out);
			p = digits;
		}
	}
	fputs(p, out);
}

void print_json(json_t *doc, FILE *out)
{
	char *text;

	if (!doc)
		return;
	text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (!text)
		return;
	put_expanded(text, out);
	fputc('\n', out);
	free(text);
}

#define JSON_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER)

/* A string no renderer produces, put where the streamed items go; and
 * how jansson writes it. */
#define STREAM_MARK "\001twtune-stream\001"
#define STREAM_MARK_DUMPED "\"\\u0001twtune-stream\\u0001\""

/* TEXT, expanded as put_expanded() writes it, and each line after the
 * first indented by INDENT spaces. */
static void print_indented(const char *text, int indent, FILE *out)
{
	char *plain = NULL;
	size_t size = 0;
	FILE *mem = open_memstream(&plain, &size);

	if (mem) {
		put_expanded(text, mem);
		if (fclose(mem) == 0)
			text = plain;
	}
	for (const char *p = text; *p; p++) {
		fputc(*p, out);
		if (*p == '\n') /* JSON strings escape newlines: this is layout */
			fprintf(out, "%*s", indent, "");
	}
	free(plain);
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
	*mark = '\0'; /* what comes before the items, then after */
	put_expanded(text, out);
	for (size_t i = 0; i < count; i++) {
		json_t *o = item(i, arg);
		char *one = o ? json_dumps(o, JSON_FLAGS) : NULL;

		if (i)
			fprintf(out, ",\n%*s", indent, "");
		print_indented(one ? one : "null", indent, out);
		free(one);
		json_decref(o);
	}
	put_expanded(mark + strlen(STREAM_MARK_DUMPED), out);
	fputc('\n', out);
	free(text);
}
