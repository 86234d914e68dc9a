/* SPDX-License-Identifier: MIT */
#include "engine/template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct segment {
	char *text;	   /* literal text, or NULL */
	struct expr *expr; /* an expression, or NULL */
};

struct template
{
	struct segment *segments;
	size_t count, capacity;
};

void template_free(struct template *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->count; i++) {
		free(t->segments[i].text);
		expr_free(t->segments[i].expr);
	}
	free(t->segments);
	free(t);
}

/* The array doubles when full: a summary of many segments is built in
 * linear time. */
static int add_segment(struct template *t, char *text, struct expr *e)
{
	struct segment *s = t->segments;

	if (t->count == t->capacity) {
		size_t capacity = t->capacity ? t->capacity * 2 : 8;

		if (!(s = realloc(t->segments, capacity * sizeof(*s))))
			return -1;
		t->segments = s;
		t->capacity = capacity;
	}
	s[t->count].text = text;
	s[t->count].expr = e;
	t->count++;
	return 0;
}

/* Where the expression that starts at P ends: the "}" outside any string
 * literal, or NULL. */
static const char *expression_end(const char *p)
{
	bool quoted = false;

	for (; *p; p++) {
		if (quoted && *p == '\\' && p[1])
			p++;
		else if (*p == '"')
			quoted = !quoted;
		else if (!quoted && *p == '}')
			return p;
	}
	return NULL;
}

/* Advance LINE and COLUMN over the text from FROM to TO. */
static void advance(const char *from, const char *to, unsigned *line, unsigned *column)
{
	for (; from < to; from++) {
		if (*from == '\n') {
			(*line)++;
			*column = 1;
		} else {
			(*column)++;
		}
	}
}

static int fail(struct expr_error *err, unsigned line, unsigned column, const char *message)
{
	err->line = line;
	err->column = column;
	snprintf(err->message, sizeof(err->message), "%s", message);
	return -1;
}

static int parse_into(struct template *t, const char *text, unsigned line, unsigned column,
		      expr_known_fn known, struct expr_error *err)
{
	size_t cap = strlen(text) + 1;
	char *literal = malloc(cap);
	size_t n = 0;
	const char *p = text;

	if (!literal)
		return fail(err, line, column, "out of memory");
	while (*p) {
		const char *end;
		char *inner;
		struct expr *e;

		if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
			literal[n++] = *p;
			advance(p, p + 2, &line, &column);
			p += 2;
			continue;
		}
		if (*p == '}') {
			free(literal);
			return fail(err, line, column, "'}' without '{' (write '}}' for a brace)");
		}
		if (*p != '{') {
			literal[n++] = *p;
			advance(p, p + 1, &line, &column);
			p++;
			continue;
		}
		if (!(end = expression_end(p + 1))) {
			free(literal);
			return fail(err, line, column, "'{' without its '}'");
		}
		if (n) {
			literal[n] = '\0';
			if (add_segment(t, strndup(literal, n), NULL) < 0) {
				free(literal);
				return fail(err, line, column, "out of memory");
			}
			n = 0;
		}
		advance(p, p + 1, &line, &column);
		inner = strndup(p + 1, (size_t)(end - p - 1));
		e = inner ? expr_parse(inner, line, column, known, err) : NULL;
		free(inner);
		if (!e || add_segment(t, NULL, e) < 0) {
			expr_free(e);
			free(literal);
			return -1;
		}
		advance(p + 1, end + 1, &line, &column);
		p = end + 1;
	}
	if (n && add_segment(t, strndup(literal, n), NULL) < 0) {
		free(literal);
		return fail(err, line, column, "out of memory");
	}
	free(literal);
	return 0;
}

struct template *template_parse(const char *text, unsigned line, unsigned column,
				expr_known_fn known, struct expr_error *err)
{
	struct template *t = calloc(1, sizeof(*t));

	if (!t) {
		fail(err, line, column, "out of memory");
		return NULL;
	}
	if (parse_into(t, text, line, column, known, err) < 0) {
		template_free(t);
		return NULL;
	}
	return t;
}

void template_render(const struct template *t, expr_lookup_fn lookup, void *ctx, char *buf,
		     size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < t->count && n < size - 1; i++) {
		/* a string fact (a list of destinations, a remedy) may be long: the
		 * summary it goes into is cut at its own limit anyway */
		char value[512];
		const char *piece = t->segments[i].text;

		if (!piece) {
			struct value v = expr_eval(t->segments[i].expr, lookup, ctx);
			value_format(&v, value, sizeof(value));
			piece = value;
		}
		n += (size_t)snprintf(buf + n, size - n, "%s", piece);
	}
}
