/* SPDX-License-Identifier: MIT */
/* The lexer of the condition language: characters to tokens, with the
 * line and column of each, for messages that point into rule files. */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/expr_internal.h"
#include "inspect/kernel.h"

/* Only the first error is kept: it is the one the user has to fix, and what
 * follows it is usually a consequence. */
void expr_fail(struct parser *p, const struct token *at, const char *format, ...)
{
	va_list args;

	if (p->failed)
		return;
	p->failed = true;
	if (!p->err)
		return;
	p->err->line = at->line;
	p->err->column = at->column;
	va_start(args, format);
	vsnprintf(p->err->message, sizeof(p->err->message), format, args);
	va_end(args);
}

void expr_describe(const struct token *t, char *buf, size_t size)
{
	if (t->kind == TOK_END)
		snprintf(buf, size, "the end of the condition");
	else if (t->length > TOKEN_QUOTE_MAX)
		snprintf(buf, size, "'%.*s...'", TOKEN_QUOTE_MAX, t->start);
	else
		snprintf(buf, size, "'%.*s'", (int)t->length, t->start);
}

/* -------------------------------------------------------------- lexer */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_lower(char c)
{
	return (c >= 'a' && c <= 'z') || c == '_';
}

/* Characters that start a number, version or name. Upper-case letters are
 * taken too, so "12abc" or "Foo" is one bad word, not two tokens. */
static bool is_word_start(char c)
{
	return is_lower(c) || is_digit(c) || (c >= 'A' && c <= 'Z');
}

static bool is_word(char c)
{
	return is_word_start(c) || c == '.';
}

static void skip_blanks_and_comments(struct parser *p)
{
	for (;;) {
		char c = *p->cursor;

		if (c == '#') {
			while (*p->cursor && *p->cursor != '\n') {
				p->cursor++;
				p->column++;
			}
		} else if (c == '\n') {
			p->cursor++;
			p->line++;
			p->column = 1;
		} else if (c == ' ' || c == '\t' || c == '\r') {
			p->cursor++;
			p->column++;
		} else {
			return;
		}
	}
}

/* DIGITS at *s into *value (at most MAX); false without a digit or above. */
static bool take_digits(const char **s, unsigned long max, unsigned long *value)
{
	return scan_decimal(s, max, value) == 0;
}

/* "v" MAJOR "." MINOR [ "." PATCH ], exactly the LENGTH characters at S. */
static bool lex_version(struct token *t)
{
	const char *s = t->start + 1, *end = t->start + t->length;
	unsigned long part[3] = {0, 0, 0};
	unsigned count = 0;

	for (;;) {
		if (!take_digits(&s, VERSION_COMPONENT_MAX, &part[count++]))
			return false;
		if (s == end)
			break;
		if (*s != '.' || count == 3)
			return false;
		s++;
	}
	if (count < 2)
		return false;
	t->version.major = (unsigned)part[0];
	t->version.minor = (unsigned)part[1];
	t->version.patch = (unsigned)part[2];
	return true;
}

/* DIGITS [ "." DIGITS ], computed as one division of two exact integers so
 * that the result is correctly rounded without strtod, whose decimal point
 * follows the locale. Returns NULL or what is wrong with the number. */
static const char *lex_number(struct token *t)
{
	const char *s = t->start, *end = t->start + t->length;
	const char *point = memchr(s, '.', t->length);
	uint64_t digits = 0;
	unsigned significant = 0, decimals = 0;
	double scale = 1;

	for (; s < end; s++) {
		if (s == point && s + 1 < end)
			continue;
		if (!is_digit(*s))
			return "bad number";
	}
	for (s = t->start; s < end; s++) {
		if (s == point)
			continue;
		digits = digits * 10 + (uint64_t)(*s - '0');
		significant += digits > 0;
		decimals += point && s > point;
		if (significant > EXACT_INTEGER_DIGITS)
			return point && s > point ? "number has too many digits"
						  : "number too large";
	}
	/* 10^22 is the largest power of ten a double holds exactly */
	if (decimals > 22)
		return "number has too many digits";
	while (decimals--)
		scale *= 10;
	t->number = (double)digits / scale;
	return NULL;
}

/* The contents between the quotes; only \" and \\ are escapes, and a
 * string ends on its line so a missing quote cannot swallow the file. */
static void lex_string(struct parser *p, struct token *t)
{
	const char *s = p->cursor + 1;

	for (; *s != '"'; s++) {
		if (*s == '\0' || *s == '\n' || (*s == '\\' && (s[1] == '\0' || s[1] == '\n'))) {
			expr_fail(p, t, "unterminated string");
			t->kind = TOK_ERROR;
			return;
		}
		if (*s == '\\') {
			if (s[1] != '"' && s[1] != '\\') {
				struct token at = *t;

				at.column += (unsigned)(s - p->cursor);
				expr_fail(p, &at,
					  "unknown escape '\\%c' in a string (only \\\" and \\\\)",
					  s[1]);
				t->kind = TOK_ERROR;
				return;
			}
			s++;
		}
	}
	t->kind = TOK_STRING;
	t->length = (size_t)(s + 1 - p->cursor);
}

/* A number, version or name: the whole word, then what it is. */
static void lex_word(struct parser *p, struct token *t)
{
	const char *s = p->cursor;
	char first = *s;
	const char *problem = NULL, *hint = "";

	while (is_word(*s))
		s++;
	t->length = (size_t)(s - p->cursor);
	if (is_digit(first)) {
		t->kind = TOK_NUMBER;
		problem = lex_number(t);
	} else if (first == 'v' && is_digit(p->cursor[1])) {
		t->kind = TOK_VERSION;
		if (!lex_version(t))
			problem = "bad version literal";
	} else {
		t->kind = TOK_NAME;
		for (s = t->start; s < t->start + t->length; s++) {
			if (!is_lower(*s) && !is_digit(*s) && *s != '.') {
				problem = "bad name";
				hint = " (names are lower case)";
			}
		}
	}
	if (problem) {
		char quoted[TOKEN_QUOTE_MAX + 8];

		expr_describe(t, quoted, sizeof(quoted));
		expr_fail(p, t, "%s %s%s", problem, quoted, hint);
		t->kind = TOK_ERROR;
	}
}

struct operator_spelling {
	const char *text;
	enum token_kind kind;
};

/* Two-character spellings first, so "<=" is not read as "<" then "=". */
static const struct operator_spelling operator_spellings[] = {
	{"||", TOK_OR},	  {"&&", TOK_AND},   {"==", TOK_EQ},	{"!=", TOK_NE},
	{"<=", TOK_LE},	  {">=", TOK_GE},    {"!", TOK_NOT},	{"<", TOK_LT},
	{">", TOK_GT},	  {"+", TOK_PLUS},   {"-", TOK_MINUS},	{"*", TOK_STAR},
	{"/", TOK_SLASH}, {"(", TOK_LPAREN}, {")", TOK_RPAREN}, {",", TOK_COMMA},
};

static void lex_operator(struct parser *p, struct token *t)
{
	char c = *p->cursor;

	for (size_t i = 0; i < sizeof(operator_spellings) / sizeof(operator_spellings[0]); i++) {
		const struct operator_spelling *op = &operator_spellings[i];
		size_t n = strlen(op->text);

		if (strncmp(p->cursor, op->text, n) == 0) {
			t->kind = op->kind;
			t->length = n;
			return;
		}
	}
	t->kind = TOK_ERROR;
	t->length = 1;
	if (c == '=' || c == '&' || c == '|')
		expr_fail(p, t, "unexpected '%c' (did you mean '%c%c'?)", c, c, c);
	else if (c > ' ' && c < 0x7f)
		expr_fail(p, t, "unexpected character '%c'", c);
	else
		expr_fail(p, t, "unexpected character '\\x%02x'", (unsigned char)c);
}

static struct token lex_next(struct parser *p)
{
	struct token t = {.kind = TOK_END};

	skip_blanks_and_comments(p);
	t.start = p->cursor;
	t.line = p->line;
	t.column = p->column;
	if (*p->cursor == '\0')
		return t;
	if (is_word_start(*p->cursor))
		lex_word(p, &t);
	else if (*p->cursor == '"')
		lex_string(p, &t);
	else
		lex_operator(p, &t);
	/* no token spans a newline: strings stop at one */
	p->cursor += t.length;
	p->column += (unsigned)t.length;
	return t;
}

/* An error token is never consumed, so the parser stops on it. */
void expr_advance(struct parser *p)
{
	if (p->token.kind == TOK_ERROR || p->token.kind == TOK_END)
		return;
	p->previous = p->token;
	p->token = lex_next(p);
}
