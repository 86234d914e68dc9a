/* SPDX-License-Identifier: MIT */
/* Internal to the expression language: the tokens, the tree and the
 * parser state shared by expr_lex.c (lexer), expr.c (parser) and
 * expr_eval.c (evaluation, invariant helpers, formatting). */
#ifndef TWTUNE_EXPR_INTERNAL_H
#define TWTUNE_EXPR_INTERNAL_H

#include "engine/expr.h"

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

/* Record the first error at token AT (later ones are consequences). */
void expr_fail(struct parser *p, const struct token *at, const char *format, ...)
	__attribute__((format(printf, 3, 4)));

/* A token as the user wrote it, for messages: "'&&'" or "the end". */
void expr_describe(const struct token *t, char *buf, size_t size);

/* Move to the next token: p->previous gets the current one. */
void expr_advance(struct parser *p);

#endif
