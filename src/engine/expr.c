/* SPDX-License-Identifier: MIT */
/* The parser of the condition language: recursive descent over the tokens
 * of expr_lex.c, building the small tree that expr_eval.c evaluates. The
 * grammar and the semantics are described in expr.h.
 *
 * Rule files are input we do not trust: the text is bounded in length and
 * the tree in depth, so neither the parser nor the evaluator can be made to
 * recurse without limit. Every tree node records its depth, which is what
 * lets eval, free and the invariant helpers recurse freely. */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/expr_internal.h"
#include "inspect/kernel.h"

/* --------------------------------------------------------------- tree */

static struct expr *new_node(struct parser *p, enum node_kind kind, const struct token *at)
{
	struct expr *e = calloc(1, sizeof(*e));

	if (!e) {
		expr_fail(p, at, "out of memory");
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
		expr_fail(p, at, "expression nested too deeply (more than %d levels)",
			  EXPR_MAX_DEPTH);
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
		expr_fail(p, at, "expression nested too deeply (more than %d levels)",
			  EXPR_MAX_DEPTH);
		return false;
	}
	return true;
}

static char *token_copy(struct parser *p, const struct token *t, size_t skip)
{
	char *copy = strndup(t->start + skip, t->length - 2 * skip);

	if (!copy)
		expr_fail(p, t, "out of memory");
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
		expr_fail(p, t, "unknown fact '%s'", name);
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
		expr_fail(p, open, "unclosed '('");
		return;
	}
	expr_describe(&p->token, found, sizeof(found));
	expr_fail(p, &p->token, "expected %s instead of %s", expected, found);
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
			expr_fail(p, &name, "defined() takes one fact name");
		return NULL;
	}
	e = name_node(p, NODE_DEFINED, &name);
	if (!e)
		return NULL;
	expr_advance(p);
	if (p->token.kind != TOK_RPAREN) {
		if (p->token.kind == TOK_END)
			fail_unclosed(p, open, "')'");
		else
			expr_fail(p, &p->token, "defined() takes one fact name");
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
			expr_advance(p); /* an argument must follow, even before ")" */
	}
	if (p->token.kind != TOK_RPAREN && p->token.kind != TOK_COMMA) {
		fail_unclosed(p, open, "',' or ')'");
		return false;
	}
	if (count != f->arity || p->token.kind != TOK_RPAREN) {
		expr_fail(p, &p->token, "%s() takes %u argument%s", f->name, f->arity,
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
		expr_fail(p, name, "unknown function '%.*s'", (int)name->length, name->start);
		return NULL;
	}
	if (!enter(p, &open))
		return NULL;
	expr_advance(p);
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
		expr_advance(p); /* the ")" */
	return e;
}

static struct expr *parse_parenthesized(struct parser *p)
{
	struct token open = p->token;
	struct expr *inner;

	if (!enter(p, &open))
		return NULL;
	expr_advance(p);
	inner = parse_or(p);
	p->nesting--;
	if (!inner)
		return NULL;
	if (p->token.kind != TOK_RPAREN) {
		fail_unclosed(p, &open, "')'");
		expr_free(inner);
		return NULL;
	}
	expr_advance(p);
	return inner;
}

/* Where an operand should start but does not. */
static struct expr *fail_missing_operand(struct parser *p)
{
	char found[TOKEN_QUOTE_MAX + 8], after[TOKEN_QUOTE_MAX + 8];

	if (p->token.kind == TOK_ERROR)
		return NULL; /* the lexer said why */
	expr_describe(&p->token, found, sizeof(found));
	if (p->previous.kind != TOK_NONE) {
		expr_describe(&p->previous, after, sizeof(after));
		expr_fail(p, &p->token, "expected an expression after %s", after);
	} else if (p->token.kind == TOK_END) {
		expr_fail(p, &p->token, "empty condition");
	} else {
		expr_fail(p, &p->token, "unexpected %s", found);
	}
	return NULL;
}

static struct expr *parse_primary(struct parser *p)
{
	struct token t = p->token;

	switch (t.kind) {
	case TOK_NUMBER:
	case TOK_STRING:
	case TOK_VERSION: expr_advance(p); return literal_node(p, &t);
	case TOK_NAME:
		expr_advance(p);
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
	expr_advance(p);
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
		expr_advance(p);
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
	expr_advance(p);
	left = new_operation(p, op, left, parse_sum(p), false, &at);
	match_comparison(p->token.kind, &matched);
	if (left && matched) {
		expr_fail(p, &p->token, "comparisons do not chain: join them with '&&'");
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
		expr_fail(&p, &p.token, "empty condition");
		return NULL;
	}
	if (strnlen(text, EXPR_MAX_TEXT + 1) > EXPR_MAX_TEXT) {
		expr_fail(&p, &p.token, "condition longer than %d bytes", EXPR_MAX_TEXT);
		return NULL;
	}
	expr_advance(&p); /* the first token */
	e = parse_or(&p);
	if (e && p.token.kind != TOK_END) {
		char found[TOKEN_QUOTE_MAX + 8];

		expr_describe(&p.token, found, sizeof(found));
		if (p.token.kind == TOK_RPAREN)
			expr_fail(&p, &p.token, "unexpected ')' without a matching '('");
		else
			expr_fail(&p, &p.token, "unexpected %s after the expression", found);
	}
	if (p.failed) {
		expr_free(e);
		return NULL;
	}
	return e;
}
