/* SPDX-License-Identifier: MIT */
/* Evaluation of the condition language (three-valued), the helpers that
 * prove what a condition requires (for the invariants), and formatting. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "engine/expr_internal.h"
#include "inspect/kernel.h"

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
