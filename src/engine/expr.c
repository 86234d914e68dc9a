/* The condition language of rule files: a hand-written lexer, a
 * recursive-descent parser building a small tree, and a three-valued
 * evaluator. The grammar and the semantics are described in expr.h.
 *
 * Rule files are input we do not trust: the text is bounded in length and
 * the tree in depth, so neither the parser nor the evaluator can be made to
 * recurse without limit. Every tree node records its depth, which is what
 * lets eval, free and the invariant helpers recurse freely. */
#include "engine/expr.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inspect/kernel.h"

#define EXPR_MAX_TEXT 8192 /* bytes of condition text */
#define EXPR_MAX_DEPTH 64  /* levels of parentheses, calls, operators */
#define TOKEN_QUOTE_MAX 32 /* characters of a token quoted in a message */

/* Integers are printed whole below this; it is also the largest literal,
 * which keeps every integer literal exact in a double (2^53 > 1e15). */
#define EXACT_INTEGER_LIMIT 1e15
#define EXACT_INTEGER_DIGITS 15
/* Same bound as kernel_version_parse's components. */
#define VERSION_COMPONENT_MAX 1000000

/* ------------------------------------------------------------- tokens */

enum token_kind {
	TOK_NONE, /* before the first token */
	TOK_ERROR,
	TOK_END,
	TOK_NUMBER,
	TOK_STRING,
	TOK_VERSION,
	TOK_NAME,
	TOK_LPAREN,
	TOK_RPAREN,
	TOK_COMMA,
	TOK_OR,
	TOK_AND,
	TOK_NOT,
	TOK_EQ,
	TOK_NE,
	TOK_LT,
	TOK_LE,
	TOK_GT,
	TOK_GE,
	TOK_PLUS,
	TOK_MINUS,
	TOK_STAR,
	TOK_SLASH,
};

struct token {
	enum token_kind kind;
	const char *start; /* into the text; a STRING keeps its quotes */
	size_t length;
	unsigned line, column;
	double number;		       /* TOK_NUMBER */
	struct kernel_version version; /* TOK_VERSION */
};

enum operator_kind {
	OP_NOT,
	OP_NEGATE,
	OP_PERCENT,
	OP_OR,
	OP_AND,
	OP_EQ,
	OP_NE,
	OP_LT,
	OP_LE,
	OP_GT,
	OP_GE,
	OP_ADD,
	OP_SUB,
	OP_MUL,
	OP_DIV,
	OP_MIN,
	OP_MAX,
};

enum node_kind { NODE_LITERAL, NODE_FACT, NODE_DEFINED, NODE_UNARY, NODE_BINARY };

struct expr {
	enum node_kind kind;
	unsigned depth; /* 1 for a leaf; bounded by EXPR_MAX_DEPTH */
	char *text;	/* owned: a fact name or a string literal's contents */
	union {
		struct value literal; /* NODE_LITERAL; a string points at text */
		struct {
			enum operator_kind op;
			struct expr *left, *right; /* right is NULL for NODE_UNARY */
		} operation;
	} as;
};

struct parser {
	const char *cursor; /* next character to lex */
	unsigned line, column;
	struct token token; /* the current one */
	struct token previous;
	expr_known_fn known;
	unsigned nesting; /* open parentheses, calls, "!" and "-" */
	struct expr_error *err;
	bool failed;
};

/* Only the first error is kept: it is the one the user has to fix, and what
 * follows it is usually a consequence. */
__attribute__((format(printf, 3, 4))) static void fail(struct parser *p, const struct token *at,
						       const char *format, ...)
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

/* A token as the user wrote it, for messages: "'&&'" or "the end". */
static void describe(const struct token *t, char *buf, size_t size)
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
			fail(p, t, "unterminated string");
			t->kind = TOK_ERROR;
			return;
		}
		if (*s == '\\') {
			if (s[1] != '"' && s[1] != '\\') {
				struct token at = *t;

				at.column += (unsigned)(s - p->cursor);
				fail(p, &at,
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

		describe(t, quoted, sizeof(quoted));
		fail(p, t, "%s %s%s", problem, quoted, hint);
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
		fail(p, t, "unexpected '%c' (did you mean '%c%c'?)", c, c, c);
	else if (c > ' ' && c < 0x7f)
		fail(p, t, "unexpected character '%c'", c);
	else
		fail(p, t, "unexpected character '\\x%02x'", (unsigned char)c);
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
static void advance(struct parser *p)
{
	if (p->token.kind == TOK_ERROR || p->token.kind == TOK_END)
		return;
	p->previous = p->token;
	p->token = lex_next(p);
}

/* --------------------------------------------------------------- tree */

static struct expr *new_node(struct parser *p, enum node_kind kind, const struct token *at)
{
	struct expr *e = calloc(1, sizeof(*e));

	if (!e) {
		fail(p, at, "out of memory");
		return NULL;
	}
	e->kind = kind;
	e->depth = 1;
	return e;
}

void expr_free(struct expr *e)
{
	if (!e)
		return;
	if (e->kind == NODE_UNARY || e->kind == NODE_BINARY) {
		expr_free(e->as.operation.left);
		expr_free(e->as.operation.right);
	}
	free(e->text);
	free(e);
}

/* Takes LEFT and RIGHT (RIGHT NULL for a unary operator), freeing them on
 * failure; fails when either is missing or the tree would be too deep. */
static struct expr *new_operation(struct parser *p, enum operator_kind op, struct expr *left,
				  struct expr *right, bool unary, const struct token *at)
{
	unsigned depth;
	struct expr *e;

	if (!left || (!unary && !right))
		goto fail;
	depth = 1 + (right && right->depth > left->depth ? right->depth : left->depth);
	if (depth > EXPR_MAX_DEPTH) {
		fail(p, at, "expression nested too deeply (more than %d levels)", EXPR_MAX_DEPTH);
		goto fail;
	}
	e = new_node(p, unary ? NODE_UNARY : NODE_BINARY, at);
	if (!e)
		goto fail;
	e->depth = depth;
	e->as.operation.op = op;
	e->as.operation.left = left;
	e->as.operation.right = right;
	return e;
fail:
	expr_free(left);
	expr_free(right);
	return NULL;
}

/* ------------------------------------------------------------- parser */

static struct expr *parse_or(struct parser *p);
static struct expr *parse_not(struct parser *p);
static struct expr *parse_unary(struct parser *p);

/* Parentheses, calls, "!" and "-" recurse; bound them before recursing. */
static bool enter(struct parser *p, const struct token *at)
{
	if (++p->nesting > EXPR_MAX_DEPTH) {
		fail(p, at, "expression nested too deeply (more than %d levels)", EXPR_MAX_DEPTH);
		return false;
	}
	return true;
}

static char *token_copy(struct parser *p, const struct token *t, size_t skip)
{
	char *copy = strndup(t->start + skip, t->length - 2 * skip);

	if (!copy)
		fail(p, t, "out of memory");
	return copy;
}

static bool is_boolean_word(const struct token *t)
{
	return (t->length == 4 && strncmp(t->start, "true", 4) == 0) ||
	       (t->length == 5 && strncmp(t->start, "false", 5) == 0);
}

/* A NAME that is a fact: checked against the engine's list now, so that a
 * typo fails when the rule file is loaded rather than never matching. */
static char *fact_name(struct parser *p, const struct token *t)
{
	char *name = token_copy(p, t, 0);

	if (name && !(p->known && p->known(name))) {
		fail(p, t, "unknown fact '%s'", name);
		free(name);
		return NULL;
	}
	return name;
}

/* The lexer checked the escapes: each backslash is followed by '"' or '\\'. */
static void unescape(char *s)
{
	char *to = s;

	for (const char *from = s; *from; from++) {
		if (*from == '\\')
			from++;
		*to++ = *from;
	}
	*to = '\0';
}

static struct expr *literal_node(struct parser *p, const struct token *t)
{
	struct expr *e = new_node(p, NODE_LITERAL, t);
	struct value *v;

	if (!e)
		return NULL;
	v = &e->as.literal;
	if (t->kind == TOK_NUMBER) {
		v->type = VAL_NUMBER;
		v->number = t->number;
	} else if (t->kind == TOK_VERSION) {
		v->type = VAL_VERSION;
		v->version = t->version;
	} else if (t->kind == TOK_NAME) {
		v->type = VAL_BOOL;
		v->boolean = t->start[0] == 't';
	} else {
		e->text = token_copy(p, t, 1);
		if (!e->text) {
			expr_free(e);
			return NULL;
		}
		unescape(e->text);
		v->type = VAL_STRING;
		v->string = e->text;
	}
	return e;
}

static struct expr *name_node(struct parser *p, enum node_kind kind, const struct token *t)
{
	char *name = fact_name(p, t);
	struct expr *e;

	if (!name)
		return NULL;
	e = new_node(p, kind, t);
	if (!e) {
		free(name);
		return NULL;
	}
	e->text = name;
	return e;
}

/* The "(" at OPEN was never closed, or something else stands where ")"
 * should. */
static void fail_unclosed(struct parser *p, const struct token *open, const char *expected)
{
	char found[TOKEN_QUOTE_MAX + 8];

	if (p->token.kind == TOK_END) {
		fail(p, open, "unclosed '('");
		return;
	}
	describe(&p->token, found, sizeof(found));
	fail(p, &p->token, "expected %s instead of %s", expected, found);
}

/* "defined" "(" NAME ")": the argument is a fact name, not an expression,
 * since asking whether "a + 1" is defined has no useful meaning. */
static struct expr *parse_defined(struct parser *p, const struct token *open)
{
	struct token name = p->token;
	struct expr *e;

	if (name.kind != TOK_NAME || is_boolean_word(&name)) {
		if (name.kind == TOK_END)
			fail_unclosed(p, open, "')'");
		else
			fail(p, &name, "defined() takes one fact name");
		return NULL;
	}
	e = name_node(p, NODE_DEFINED, &name);
	if (!e)
		return NULL;
	advance(p);
	if (p->token.kind != TOK_RPAREN) {
		if (p->token.kind == TOK_END)
			fail_unclosed(p, open, "')'");
		else
			fail(p, &p->token, "defined() takes one fact name");
		expr_free(e);
		return NULL;
	}
	return e;
}

struct function {
	const char *name;
	unsigned arity; /* 0: defined(), which takes a fact name */
	enum operator_kind op;
};

static const struct function functions[] = {
	{"defined", 0, OP_NOT}, /* op unused */
	{"min", 2, OP_MIN},
	{"max", 2, OP_MAX},
	{"percent", 1, OP_PERCENT},
};

static const struct function *find_function(const struct token *name)
{
	for (size_t i = 0; i < sizeof(functions) / sizeof(functions[0]); i++)
		if (strlen(functions[i].name) == name->length &&
		    strncmp(functions[i].name, name->start, name->length) == 0)
			return &functions[i];
	return NULL;
}

/* Up to F->arity comma-separated expressions into ARGS, ending on ")". */
static bool parse_arguments(struct parser *p, const struct function *f, const struct token *open,
			    struct expr **args)
{
	unsigned count = 0;

	for (bool more = p->token.kind != TOK_RPAREN; more;) {
		args[count] = parse_or(p);
		if (!args[count++])
			return false;
		/* one argument too many: say so at the comma */
		more = p->token.kind == TOK_COMMA && count < f->arity;
		if (more)
			advance(p); /* an argument must follow, even before ")" */
	}
	if (p->token.kind != TOK_RPAREN && p->token.kind != TOK_COMMA) {
		fail_unclosed(p, open, "',' or ')'");
		return false;
	}
	if (count != f->arity || p->token.kind != TOK_RPAREN) {
		fail(p, &p->token, "%s() takes %u argument%s", f->name, f->arity,
		     f->arity == 1 ? "" : "s");
		return false;
	}
	return true;
}

/* NAME "(" ... ")", with the current token on the "(". */
static struct expr *parse_call(struct parser *p, const struct token *name)
{
	const struct function *f = find_function(name);
	struct token open = p->token;
	struct expr *args[2] = {NULL, NULL}, *e = NULL;

	if (!f) {
		fail(p, name, "unknown function '%.*s'", (int)name->length, name->start);
		return NULL;
	}
	if (!enter(p, &open))
		return NULL;
	advance(p);
	if (f->arity == 0)
		e = parse_defined(p, &open);
	else if (parse_arguments(p, f, &open, args))
		e = new_operation(p, f->op, args[0], args[1], f->arity == 1, name);
	else {
		expr_free(args[0]);
		expr_free(args[1]);
	}
	p->nesting--;
	if (e)
		advance(p); /* the ")" */
	return e;
}

static struct expr *parse_parenthesized(struct parser *p)
{
	struct token open = p->token;
	struct expr *inner;

	if (!enter(p, &open))
		return NULL;
	advance(p);
	inner = parse_or(p);
	p->nesting--;
	if (!inner)
		return NULL;
	if (p->token.kind != TOK_RPAREN) {
		fail_unclosed(p, &open, "')'");
		expr_free(inner);
		return NULL;
	}
	advance(p);
	return inner;
}

/* Where an operand should start but does not. */
static struct expr *fail_missing_operand(struct parser *p)
{
	char found[TOKEN_QUOTE_MAX + 8], after[TOKEN_QUOTE_MAX + 8];

	if (p->token.kind == TOK_ERROR)
		return NULL; /* the lexer said why */
	describe(&p->token, found, sizeof(found));
	if (p->previous.kind != TOK_NONE) {
		describe(&p->previous, after, sizeof(after));
		fail(p, &p->token, "expected an expression after %s", after);
	} else if (p->token.kind == TOK_END) {
		fail(p, &p->token, "empty condition");
	} else {
		fail(p, &p->token, "unexpected %s", found);
	}
	return NULL;
}

static struct expr *parse_primary(struct parser *p)
{
	struct token t = p->token;

	switch (t.kind) {
	case TOK_NUMBER:
	case TOK_STRING:
	case TOK_VERSION: advance(p); return literal_node(p, &t);
	case TOK_NAME:
		advance(p);
		if (p->token.kind == TOK_LPAREN)
			return parse_call(p, &t);
		if (is_boolean_word(&t))
			return literal_node(p, &t);
		return name_node(p, NODE_FACT, &t);
	case TOK_LPAREN: return parse_parenthesized(p);
	default: return fail_missing_operand(p);
	}
}

/* "!" and "-" share this shape: OPERATOR OPERAND, recursing for the
 * operand, so "!!x" and "--x" nest. */
static struct expr *parse_prefixed(struct parser *p, enum operator_kind op,
				   struct expr *(*operand)(struct parser *))
{
	struct token at = p->token;
	struct expr *inner;

	if (!enter(p, &at))
		return NULL;
	advance(p);
	inner = operand(p);
	p->nesting--;
	return new_operation(p, op, inner, NULL, true, &at);
}

static struct expr *parse_unary(struct parser *p)
{
	if (p->token.kind == TOK_MINUS)
		return parse_prefixed(p, OP_NEGATE, parse_unary);
	return parse_primary(p);
}

/* One level of left-associative binary operators: OPERAND { OP OPERAND }. */
static struct expr *parse_chain(struct parser *p, struct expr *(*operand)(struct parser *),
				enum operator_kind (*match)(enum token_kind, bool *))
{
	struct expr *left = operand(p);
	enum operator_kind op;
	bool matched;

	for (;;) {
		struct token at = p->token;

		op = match(at.kind, &matched);
		if (!left || !matched)
			return left;
		advance(p);
		left = new_operation(p, op, left, operand(p), false, &at);
	}
}

static enum operator_kind match_product(enum token_kind kind, bool *matched)
{
	*matched = kind == TOK_STAR || kind == TOK_SLASH;
	return kind == TOK_STAR ? OP_MUL : OP_DIV;
}

static enum operator_kind match_sum(enum token_kind kind, bool *matched)
{
	*matched = kind == TOK_PLUS || kind == TOK_MINUS;
	return kind == TOK_PLUS ? OP_ADD : OP_SUB;
}

static enum operator_kind match_comparison(enum token_kind kind, bool *matched)
{
	*matched = true;
	switch (kind) {
	case TOK_EQ: return OP_EQ;
	case TOK_NE: return OP_NE;
	case TOK_LT: return OP_LT;
	case TOK_LE: return OP_LE;
	case TOK_GT: return OP_GT;
	case TOK_GE: return OP_GE;
	default: *matched = false; return OP_EQ;
	}
}

static enum operator_kind match_and(enum token_kind kind, bool *matched)
{
	*matched = kind == TOK_AND;
	return OP_AND;
}

static enum operator_kind match_or(enum token_kind kind, bool *matched)
{
	*matched = kind == TOK_OR;
	return OP_OR;
}

static struct expr *parse_product(struct parser *p)
{
	return parse_chain(p, parse_unary, match_product);
}

static struct expr *parse_sum(struct parser *p)
{
	return parse_chain(p, parse_product, match_sum);
}

/* At most one comparison: "a < b < c" reads like a range but would compare
 * a boolean with c, so it is refused rather than quietly undefined. */
static struct expr *parse_compare(struct parser *p)
{
	struct expr *left = parse_sum(p);
	struct token at = p->token;
	enum operator_kind op;
	bool matched;

	op = match_comparison(at.kind, &matched);
	if (!left || !matched)
		return left;
	advance(p);
	left = new_operation(p, op, left, parse_sum(p), false, &at);
	match_comparison(p->token.kind, &matched);
	if (left && matched) {
		fail(p, &p->token, "comparisons do not chain: join them with '&&'");
		expr_free(left);
		return NULL;
	}
	return left;
}

static struct expr *parse_not(struct parser *p)
{
	if (p->token.kind == TOK_NOT)
		return parse_prefixed(p, OP_NOT, parse_not);
	return parse_compare(p);
}

static struct expr *parse_and(struct parser *p)
{
	return parse_chain(p, parse_not, match_and);
}

static struct expr *parse_or(struct parser *p)
{
	return parse_chain(p, parse_and, match_or);
}

struct expr *expr_parse(const char *text, unsigned line, unsigned column, expr_known_fn known,
			struct expr_error *err)
{
	struct parser p = {
		.cursor = text, .line = line, .column = column, .known = known, .err = err};
	struct expr *e;

	if (err)
		memset(err, 0, sizeof(*err));
	p.token.line = line;
	p.token.column = column;
	if (!text) {
		fail(&p, &p.token, "empty condition");
		return NULL;
	}
	if (strnlen(text, EXPR_MAX_TEXT + 1) > EXPR_MAX_TEXT) {
		fail(&p, &p.token, "condition longer than %d bytes", EXPR_MAX_TEXT);
		return NULL;
	}
	p.token = lex_next(&p);
	e = parse_or(&p);
	if (e && p.token.kind != TOK_END) {
		char found[TOKEN_QUOTE_MAX + 8];

		describe(&p.token, found, sizeof(found));
		if (p.token.kind == TOK_RPAREN)
			fail(&p, &p.token, "unexpected ')' without a matching '('");
		else
			fail(&p, &p.token, "unexpected %s after the expression", found);
	}
	if (p.failed) {
		expr_free(e);
		return NULL;
	}
	return e;
}

/* --------------------------------------------------------- evaluation */

struct environment {
	expr_lookup_fn lookup;
	void *ctx;
};

static struct value undefined(void)
{
	return (struct value){.type = VAL_UNDEFINED};
}

static struct value boolean(bool b)
{
	return (struct value){.type = VAL_BOOL, .boolean = b};
}

/* An overflow to infinity is no more a measurement than a division by
 * zero: both are undefined. */
static struct value number(double x)
{
	if (!isfinite(x))
		return undefined();
	return (struct value){.type = VAL_NUMBER, .number = x};
}

/* The fact as the host has it; what a lookup cannot mean is undefined, so
 * the rest of the evaluator trusts its values. */
static struct value fact_value(const struct expr *e, const struct environment *env)
{
	struct value v;

	if (!env->lookup)
		return undefined();
	v = env->lookup(e->text, env->ctx);
	switch (v.type) {
	case VAL_BOOL:
	case VAL_VERSION: return v;
	case VAL_NUMBER: return number(v.number);
	case VAL_STRING: return v.string ? v : undefined();
	default: return undefined();
	}
}

static bool is_true(struct value v)
{
	return v.type == VAL_BOOL && v.boolean;
}

static bool is_false(struct value v)
{
	return v.type == VAL_BOOL && !v.boolean;
}

static struct value evaluate(const struct expr *e, const struct environment *env);

/* Kleene logic: one false operand decides "&&" whatever the other is, one
 * true operand decides "||". A non-boolean operand counts as undefined. */
static struct value evaluate_logic(const struct expr *e, const struct environment *env)
{
	bool is_and = e->as.operation.op == OP_AND;
	bool (*decides)(struct value) = is_and ? is_false : is_true;
	struct value left = evaluate(e->as.operation.left, env), right;

	if (decides(left))
		return left;
	right = evaluate(e->as.operation.right, env);
	if (decides(right))
		return right;
	if (left.type == VAL_BOOL && right.type == VAL_BOOL)
		return boolean(is_and); /* neither decided: both true, or both false */
	return undefined();
}

static bool order_holds(enum operator_kind op, int order)
{
	switch (op) {
	case OP_EQ: return order == 0;
	case OP_NE: return order != 0;
	case OP_LT: return order < 0;
	case OP_LE: return order <= 0;
	case OP_GT: return order > 0;
	default: return order >= 0;
	}
}

/* Values of the same type only. Strings and booleans have no order a
 * rule could rely on, so ordering them is undefined like a type mismatch. */
static struct value compare(enum operator_kind op, struct value left, struct value right)
{
	bool equality = op == OP_EQ || op == OP_NE;
	int order;

	if (left.type != right.type)
		return undefined();
	switch (left.type) {
	case VAL_NUMBER: order = (left.number > right.number) - (left.number < right.number); break;
	case VAL_VERSION: order = kernel_version_cmp(&left.version, &right.version); break;
	case VAL_STRING:
		if (!equality)
			return undefined();
		order = strcmp(left.string, right.string) != 0;
		break;
	case VAL_BOOL:
		if (!equality)
			return undefined();
		order = left.boolean != right.boolean;
		break;
	default: return undefined();
	}
	return boolean(order_holds(op, order));
}

static struct value arithmetic(enum operator_kind op, struct value left, struct value right)
{
	double a = left.number, b = right.number;

	if (left.type != VAL_NUMBER || right.type != VAL_NUMBER)
		return undefined();
	switch (op) {
	case OP_ADD: return number(a + b);
	case OP_SUB: return number(a - b);
	case OP_MUL: return number(a * b);
	case OP_DIV: return b == 0 ? undefined() : number(a / b);
	case OP_MIN: return number(a < b ? a : b);
	default: return number(a > b ? a : b);
	}
}

static struct value evaluate_unary(const struct expr *e, const struct environment *env)
{
	struct value operand = evaluate(e->as.operation.left, env);

	if (e->as.operation.op == OP_NOT)
		return operand.type == VAL_BOOL ? boolean(!operand.boolean) : undefined();
	if (operand.type != VAL_NUMBER)
		return undefined();
	if (e->as.operation.op == OP_NEGATE)
		return number(-operand.number);
	return number(100 * operand.number);
}

static struct value evaluate_binary(const struct expr *e, const struct environment *env)
{
	enum operator_kind op = e->as.operation.op;
	struct value left, right;

	if (op == OP_AND || op == OP_OR)
		return evaluate_logic(e, env);
	left = evaluate(e->as.operation.left, env);
	right = evaluate(e->as.operation.right, env);
	if (op >= OP_EQ && op <= OP_GE)
		return compare(op, left, right);
	return arithmetic(op, left, right);
}

static struct value evaluate(const struct expr *e, const struct environment *env)
{
	switch (e->kind) {
	case NODE_LITERAL: return e->as.literal;
	case NODE_FACT: return fact_value(e, env);
	case NODE_DEFINED: return boolean(fact_value(e, env).type != VAL_UNDEFINED);
	case NODE_UNARY: return evaluate_unary(e, env);
	default: return evaluate_binary(e, env);
	}
}

struct value expr_eval(const struct expr *e, expr_lookup_fn lookup, void *ctx)
{
	struct environment env = {lookup, ctx};

	if (!e)
		return undefined();
	return evaluate(e, &env);
}

bool expr_holds(const struct expr *e, expr_lookup_fn lookup, void *ctx)
{
	return is_true(expr_eval(e, lookup, ctx));
}

/* ---------------------------------------------------------- invariants */

/* A comparison between the fact NAME and a literal, seen with the fact on
 * the left: "0 < x" is returned as "x > 0". */
struct fact_comparison {
	enum operator_kind op;
	const struct value *literal;
};

static enum operator_kind mirrored(enum operator_kind op)
{
	switch (op) {
	case OP_LT: return OP_GT;
	case OP_LE: return OP_GE;
	case OP_GT: return OP_LT;
	case OP_GE: return OP_LE;
	default: return op; /* == and != are symmetric */
	}
}

static bool is_fact(const struct expr *e, const char *name)
{
	return e->kind == NODE_FACT && strcmp(e->text, name) == 0;
}

static bool as_fact_comparison(const struct expr *e, const char *name, struct fact_comparison *out)
{
	const struct expr *left, *right;

	if (e->kind != NODE_BINARY || e->as.operation.op < OP_EQ || e->as.operation.op > OP_GE)
		return false;
	left = e->as.operation.left;
	right = e->as.operation.right;
	if (is_fact(left, name) && right->kind == NODE_LITERAL) {
		out->op = e->as.operation.op;
		out->literal = &right->as.literal;
		return true;
	}
	if (is_fact(right, name) && left->kind == NODE_LITERAL) {
		out->op = mirrored(e->as.operation.op);
		out->literal = &left->as.literal;
		return true;
	}
	return false;
}

struct requirement {
	const char *name;
	const char *value; /* the string, for requires_string */
	bool (*met_by)(const struct fact_comparison *c, const struct requirement *r);
};

/* Only the operands of "&&" are followed: a comparison under "||" or "!"
 * does not have to hold for the condition to be true. */
static bool conjunction_requires(const struct expr *e, const struct requirement *r)
{
	struct fact_comparison c;

	if (e->kind == NODE_BINARY && e->as.operation.op == OP_AND)
		return conjunction_requires(e->as.operation.left, r) ||
		       conjunction_requires(e->as.operation.right, r);
	return as_fact_comparison(e, r->name, &c) && r->met_by(&c, r);
}

static bool equals_string(const struct fact_comparison *c, const struct requirement *r)
{
	return c->op == OP_EQ && c->literal->type == VAL_STRING &&
	       strcmp(c->literal->string, r->value) == 0;
}

/* Exactly the four forms of expr.h: != 0, == 1, >= 1, > 0. */
static bool makes_nonzero(const struct fact_comparison *c, const struct requirement *r)
{
	double n = c->literal->number;

	(void)r;
	if (c->literal->type != VAL_NUMBER)
		return false;
	return (c->op == OP_NE && n == 0) || (c->op == OP_EQ && n == 1) ||
	       (c->op == OP_GE && n == 1) || (c->op == OP_GT && n == 0);
}

bool expr_requires_string(const struct expr *e, const char *name, const char *value)
{
	struct requirement r = {name, value, equals_string};

	return e && name && value && conjunction_requires(e, &r);
}

bool expr_requires_nonzero(const struct expr *e, const char *name)
{
	struct requirement r = {name, NULL, makes_nonzero};

	return e && name && conjunction_requires(e, &r);
}

/* ---------------------------------------------------------- formatting */

static void format_number(double x, char *buf, size_t size)
{
	if (!isfinite(x))
		snprintf(buf, size, "unknown");
	else if (x == floor(x) && fabs(x) < EXACT_INTEGER_LIMIT)
		snprintf(buf, size, "%.0f", x == 0 ? 0.0 : x); /* no "-0" */
	else if (fabs(x) < 10)
		snprintf(buf, size, "%.2f", x);
	else
		snprintf(buf, size, "%.1f", x);
}

void value_format(const struct value *v, char *buf, size_t size)
{
	if (!buf || size == 0)
		return;
	switch (v ? v->type : VAL_UNDEFINED) {
	case VAL_BOOL: snprintf(buf, size, "%s", v->boolean ? "true" : "false"); break;
	case VAL_NUMBER: format_number(v->number, buf, size); break;
	case VAL_STRING: snprintf(buf, size, "%s", v->string ? v->string : "unknown"); break;
	case VAL_VERSION:
		snprintf(buf, size, "%u.%u.%u", v->version.major, v->version.minor,
			 v->version.patch);
		break;
	default: snprintf(buf, size, "unknown"); break;
	}
}
