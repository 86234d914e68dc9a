/* SPDX-License-Identifier: MIT */
/* The condition language of rule files: a small expression language with a
 * real parser. Grammar (lowest precedence first):
 *
 *   expr    := or
 *   or      := and { "||" and }
 *   and     := not { "&&" not }
 *   not     := "!" not | compare
 *   compare := sum [ ("==" | "!=" | "<" | "<=" | ">" | ">=") sum ]
 *   sum     := product { ("+" | "-") product }
 *   product := unary { ("*" | "/") unary }
 *   unary   := "-" unary | primary
 *   primary := NUMBER | STRING | VERSION | "true" | "false"
 *            | NAME | NAME "(" [ expr { "," expr } ] ")" | "(" expr ")"
 *
 *   NUMBER  := digits [ "." digits ]            42, 0.75
 *   STRING  := '"' chars '"'  with \" and \\     "outbound-heavy"
 *   VERSION := "v" digits "." digits [ "." digits ]   v4.12, v6.14.0
 *   NAME    := [a-z_][a-z0-9_.]*  (dots allowed)  net.ipv4.tcp_tw_reuse
 *   functions: defined(NAME), min(a, b), max(a, b), percent(x) = 100 * x
 *
 * Comments: "#" to the end of the line. Whitespace and newlines are free.
 *
 * Values are undefined, booleans, numbers (double), strings or kernel
 * versions. Logic is three-valued (Kleene): a fact the host does not have
 * is undefined, and so is any comparison or arithmetic involving it or
 * mixing types (a number with a string), or a division by zero;
 * undefined && false is false, undefined || true is true, !undefined is
 * undefined. A rule fires only when its condition is true. defined(NAME)
 * is true or false, never undefined.
 */
#ifndef TWTUNE_EXPR_H
#define TWTUNE_EXPR_H

#include <stdbool.h>
#include <stddef.h>

#include "inspect/facts.h"

enum value_type { VAL_UNDEFINED, VAL_BOOL, VAL_NUMBER, VAL_STRING, VAL_VERSION };

struct value {
	enum value_type type;
	bool boolean;
	double number;
	const char *string; /* borrowed: from the expression or the facts */
	struct kernel_version version;
};

/* Resolves a NAME to its value on this host; VAL_UNDEFINED when the host
 * lacks the fact. Only called for names the KNOWN check accepted. */
typedef struct value (*expr_lookup_fn)(const char *name, void *ctx);

/* Is NAME a fact the engine knows (whether or not a host has it)? Unknown
 * names are parse errors, so a typo in a rule fails at load time. */
typedef bool (*expr_known_fn)(const char *name);

struct expr; /* the parsed tree; opaque */

struct expr_error {
	unsigned line, column; /* 1-based, in the file the text came from */
	char message[256];
};

/* Parse TEXT, whose first character stands at LINE:COLUMN of its file
 * (newlines inside TEXT advance the line; columns count from the start of
 * each line of TEXT, which keeps the file's own indentation). Returns NULL
 * and fills ERR on a syntax error, an unknown name or function, a wrong
 * number of arguments, or trailing input. */
struct expr *expr_parse(const char *text, unsigned line, unsigned column, expr_known_fn known,
			struct expr_error *err);

void expr_free(struct expr *e);

/* Evaluate against facts reached through LOOKUP. */
struct value expr_eval(const struct expr *e, expr_lookup_fn lookup, void *ctx);

/* The truth of a condition: true only when it evaluates to boolean true.
 * (A condition that evaluates to undefined could not be decided on these
 * facts: lint reports such rules as skipped.) */
bool expr_holds(const struct expr *e, expr_lookup_fn lookup, void *ctx);

/* For the invariants enforced in C: does the top-level conjunction of E
 * (E itself, or the operands of its chain of "&&") contain the comparison
 * NAME == "VALUE" (string), in either operand order? */
bool expr_requires_string(const struct expr *e, const char *name, const char *value);
/* ... a comparison that makes NAME non-zero: NAME != 0, NAME == 1, NAME >= 1
 * or NAME > 0 (either operand order, mirrored operators)? */
bool expr_requires_nonzero(const struct expr *e, const char *name);

/* Render a value for a message: integers without decimals, other numbers
 * with two decimals below 10 and one above, versions as 4.12.0, booleans
 * as true/false, undefined as "unknown". */
void value_format(const struct value *v, char *buf, size_t size);

#endif
