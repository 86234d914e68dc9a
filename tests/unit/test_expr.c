/* SPDX-License-Identifier: MIT */
/* The rule condition language: parsing, three-valued evaluation, error
 * positions, the invariant helpers and value_format, against a small table
 * of fabricated facts. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cmocka.h needs these included before it */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include "engine/expr.h"

struct fact {
	const char *name;
	struct value value;
};

#define NUMBER(x)                                                                                  \
	{                                                                                          \
		.type = VAL_NUMBER, .number = (x)                                                  \
	}
#define STRING(s)                                                                                  \
	{                                                                                          \
		.type = VAL_STRING, .string = (s)                                                  \
	}

/* One host. conntrack.max is a fact the engine knows but this host lacks;
 * the two broken ones are what a faulty lookup might hand back. */
static const struct fact host[] = {
	{"sockets.time_wait", NUMBER(30000)},
	{"port_range.size", NUMBER(28232)},
	{"net.ipv4.tcp_tw_reuse", NUMBER(2)},
	{"ratio", NUMBER(0.75)},
	{"zero", NUMBER(0)},
	{"classification", STRING("outbound-heavy")},
	{"quote", STRING("say \"hi\" \\")},
	{"kernel.version", {.type = VAL_VERSION, .version = {6, 1, 0}}},
	{"nat.present", {.type = VAL_BOOL, .boolean = true}},
	{"conntrack.max", {.type = VAL_UNDEFINED}},
	{"broken.string", {.type = VAL_STRING, .string = NULL}},
	{"broken.number", NUMBER(NAN)},
};

static const struct fact *find_fact(const char *name)
{
	for (size_t i = 0; i < sizeof(host) / sizeof(host[0]); i++)
		if (strcmp(host[i].name, name) == 0)
			return &host[i];
	return NULL;
}

static bool known_fact(const char *name)
{
	return find_fact(name) != NULL;
}

/* CTX, when given, counts the lookups: it shows the context reaches us. */
static struct value lookup_fact(const char *name, void *ctx)
{
	const struct fact *f = find_fact(name);

	if (ctx)
		(*(unsigned *)ctx)++;
	assert_non_null(f); /* the parser let only known names through */
	return f->value;
}

static const char *type_name(enum value_type type)
{
	static const char *const names[] = {"undefined", "boolean", "number", "string", "version"};

	return type <= VAL_VERSION ? names[type] : "?";
}

static struct expr *parse_or_fail(const char *text)
{
	struct expr_error err;
	struct expr *e = expr_parse(text, 1, 1, known_fact, &err);

	if (!e)
		fail_msg("\"%s\" was rejected: %u:%u: %s", text, err.line, err.column, err.message);
	return e;
}

/* TEXT evaluates to a value of TYPE that value_format renders as SHOWN. */
static void expect_result(const char *text, enum value_type type, const char *shown)
{
	struct expr *e = parse_or_fail(text);
	struct value v = expr_eval(e, lookup_fact, NULL);
	char buf[128];

	value_format(&v, buf, sizeof(buf));
	expr_free(e);
	if (v.type != type || strcmp(buf, shown) != 0)
		fail_msg("\"%s\" gave %s %s, expected %s %s", text, type_name(v.type), buf,
			 type_name(type), shown);
}

static void expect_true(const char *text)
{
	expect_result(text, VAL_BOOL, "true");
}

static void expect_false(const char *text)
{
	expect_result(text, VAL_BOOL, "false");
}

static void expect_undefined(const char *text)
{
	expect_result(text, VAL_UNDEFINED, "unknown");
}

/* TEXT, starting at START_LINE:START_COLUMN of its file, is rejected at
 * LINE:COLUMN with exactly MESSAGE. */
static void expect_error_from(const char *text, unsigned start_line, unsigned start_column,
			      unsigned line, unsigned column, const char *message)
{
	struct expr_error err;
	struct expr *e = expr_parse(text, start_line, start_column, known_fact, &err);

	if (e) {
		expr_free(e);
		fail_msg("\"%s\" was accepted, expected \"%s\"", text, message);
	}
	if (err.line != line || err.column != column || strcmp(err.message, message) != 0)
		fail_msg("\"%s\": got %u:%u: %s\n expected %u:%u: %s", text, err.line, err.column,
			 err.message, line, column, message);
}

static void expect_error(const char *text, unsigned column, const char *message)
{
	expect_error_from(text, 1, 1, 1, column, message);
}

/* ------------------------------------------------------------ values */

static void test_literals(void **state)
{
	(void)state;
	expect_result("42", VAL_NUMBER, "42");
	expect_result("0.75", VAL_NUMBER, "0.75");
	expect_result("007", VAL_NUMBER, "7");
	expect_result("999999999999999", VAL_NUMBER, "999999999999999");
	expect_result("\"outbound-heavy\"", VAL_STRING, "outbound-heavy");
	expect_result("\"\"", VAL_STRING, "");
	expect_result("v4.12", VAL_VERSION, "4.12.0");
	expect_result("v6.14.3", VAL_VERSION, "6.14.3");
	expect_result("true", VAL_BOOL, "true");
	expect_result("false", VAL_BOOL, "false");
	/* decimal literals are correctly rounded, as 1/10 is */
	expect_true("0.1 == 1 / 10");
	expect_true("0.3 == 3 / 10");
}

static void test_precedence_and_associativity(void **state)
{
	(void)state;
	expect_result("1 + 2 * 3", VAL_NUMBER, "7");
	expect_result("(1 + 2) * 3", VAL_NUMBER, "9");
	expect_result("10 - 4 - 3", VAL_NUMBER, "3");
	expect_result("64 / 4 / 2", VAL_NUMBER, "8");
	expect_result("2 * 3 / 6 * 4", VAL_NUMBER, "4");
	expect_result("10 - 2 * 3 + 1", VAL_NUMBER, "5");
	expect_result("-2 * 3", VAL_NUMBER, "-6");
	expect_result("2 * -3", VAL_NUMBER, "-6");
	expect_result("- -2", VAL_NUMBER, "2");
	expect_result("-(1 - 3)", VAL_NUMBER, "2");
	expect_true("1 + 2 == 3");
	expect_true("2 * 3 > 5 && 1 < 2");
	/* "&&" binds tighter than "||" */
	expect_true("true || false && false");
	expect_true("false && true || true");
	expect_false("(true || false) && false");
	/* "!" binds looser than a comparison, tighter than "&&" and "||" */
	expect_true("!1 == 2");
	expect_false("!false && false");
	expect_true("!(false && false)");
	expect_true("!true || true");
	expect_false("!(true || true)");
	expect_true("!!true");
}

static void test_arithmetic(void **state)
{
	(void)state;
	expect_result("7 + 0.5", VAL_NUMBER, "7.50");
	expect_result("7 - 10", VAL_NUMBER, "-3");
	expect_result("6 * 7", VAL_NUMBER, "42");
	expect_result("1 / 4", VAL_NUMBER, "0.25");
	expect_result("sockets.time_wait / port_range.size", VAL_NUMBER, "1.06");
	expect_undefined("1 / 0");
	expect_undefined("0 / 0");
	expect_undefined("sockets.time_wait / zero");
	expect_undefined("(1 / 0) + 1");
	expect_undefined("-(1 / 0)");
}

static void test_overflow_is_undefined(void **state)
{
	char text[512] = "999999999999999";

	(void)state;
	/* (10^15)^24 is past the largest double */
	for (int i = 0; i < 24; i++)
		strcat(text, " * 999999999999999");
	expect_undefined(text);
	strcat(text, " > 0");
	expect_undefined(text);
}

static void test_number_comparisons(void **state)
{
	(void)state;
	expect_true("1 == 1");
	expect_false("1 == 2");
	expect_true("1 != 2");
	expect_false("1 != 1");
	expect_true("1 < 2");
	expect_false("2 < 2");
	expect_true("2 <= 2");
	expect_false("3 <= 2");
	expect_true("3 > 2");
	expect_false("2 > 2");
	expect_true("2 >= 2");
	expect_false("1 >= 2");
	expect_true("sockets.time_wait > port_range.size");
	expect_true("ratio == 0.75");
}

static void test_strings(void **state)
{
	(void)state;
	expect_true("classification == \"outbound-heavy\"");
	expect_true("\"outbound-heavy\" == classification");
	expect_false("classification == \"inbound-heavy\"");
	expect_true("classification != \"inbound-heavy\"");
	/* escapes: \" and \\ */
	expect_true("quote == \"say \\\"hi\\\" \\\\\"");
	expect_result("\"say \\\"hi\\\" \\\\\"", VAL_STRING, "say \"hi\" \\");
	expect_result("\"a\\\\\\\\b\"", VAL_STRING, "a\\\\b");
	/* a "#" inside a string is not a comment */
	expect_result("\"a#b\" # but this is", VAL_STRING, "a#b");
	/* strings have no order a rule could use */
	expect_undefined("\"a\" < \"b\"");
	expect_undefined("classification >= \"a\"");
}

static void test_versions(void **state)
{
	(void)state;
	expect_true("v4.12 < v4.12.1");
	expect_true("v4.12 == v4.12.0");
	expect_true("v4.12 != v4.13");
	expect_true("v6.14.0 > v6.1");
	expect_true("v6.14.0 >= v6.14");
	expect_true("v4.9.337 <= v4.10");
	expect_false("v5.10 < v5.4");
	expect_false("v5.4 > v5.10");
	/* the host's kernel, 6.1.0 */
	expect_true("kernel.version >= v5.10");
	expect_true("kernel.version == v6.1");
	expect_false("kernel.version < v4.12");
	expect_false("kernel.version > v6.1.0");
	expect_true("v4.12 <= kernel.version && kernel.version < v6.2");
}

static void test_booleans(void **state)
{
	(void)state;
	expect_true("true == true");
	expect_true("true != false");
	expect_false("false == true");
	expect_true("nat.present == true");
	expect_true("nat.present");
	expect_undefined("true < false");
	expect_undefined("nat.present >= true");
}

static void test_facts_and_context(void **state)
{
	struct expr *e = parse_or_fail("sockets.time_wait > 10000 && port_range.size < 30000");
	unsigned lookups = 0;

	(void)state;
	assert_true(expr_holds(e, lookup_fact, &lookups));
	assert_int_equal(lookups, 2);
	/* without a lookup no fact is known: undefined, so it does not hold */
	assert_int_equal(expr_eval(e, NULL, NULL).type, VAL_UNDEFINED);
	assert_false(expr_holds(e, NULL, NULL));
	expr_free(e);
	assert_int_equal(expr_eval(NULL, lookup_fact, NULL).type, VAL_UNDEFINED);
	/* what a lookup cannot mean is undefined */
	expect_undefined("broken.string");
	expect_undefined("broken.number");
	expect_undefined("broken.number == broken.number");
	expect_false("defined(broken.string)");
}

/* ------------------------------------------------------------- logic */

/* Kleene's tables, with undefined spelled three ways: a missing fact, a
 * division by zero, and a number where a boolean belongs. */
static const char *const undefined_spellings[] = {"conntrack.max > 0", "1 / 0 == 1", "1"};

enum { T, F, U };
static const char *const truth_names[] = {"true", "false", "unknown"};

static void expect_truth(const char *text, int truth)
{
	expect_result(text, truth == U ? VAL_UNDEFINED : VAL_BOOL, truth_names[truth]);
}

static void check_table(const char *op, const int table[3][3])
{
	for (size_t u = 0; u < sizeof(undefined_spellings) / sizeof(undefined_spellings[0]); u++) {
		const char *operand[3] = {"true", "false", undefined_spellings[u]};

		for (int a = 0; a < 3; a++) {
			for (int b = 0; b < 3; b++) {
				char text[128];

				snprintf(text, sizeof(text), "(%s) %s (%s)", operand[a], op,
					 operand[b]);
				expect_truth(text, table[a][b]);
			}
		}
	}
}

static void test_and_truth_table(void **state)
{
	static const int and_table[3][3] = {{T, F, U}, {F, F, F}, {U, F, U}};

	(void)state;
	check_table("&&", and_table);
}

static void test_or_truth_table(void **state)
{
	static const int or_table[3][3] = {{T, T, T}, {T, F, U}, {T, U, U}};

	(void)state;
	check_table("||", or_table);
}

static void test_not_truth_table(void **state)
{
	(void)state;
	expect_false("!true");
	expect_true("!false");
	expect_undefined("!(conntrack.max > 0)");
	expect_undefined("!(1 / 0 == 1)");
	expect_undefined("!1");
	expect_undefined("!classification");
	expect_undefined("!!(conntrack.max > 0)");
}

static void test_type_mismatches(void **state)
{
	(void)state;
	expect_undefined("1 == \"1\"");
	expect_undefined("1 != \"1\"");
	expect_undefined("\"a\" + 1");
	expect_undefined("classification * 2");
	expect_undefined("v4.1 == 4.1");
	expect_undefined("kernel.version > 5");
	expect_undefined("true == 1");
	expect_undefined("1 < true");
	expect_undefined("-\"a\"");
	expect_undefined("-true");
	expect_undefined("percent(\"a\")");
	expect_undefined("min(1, true)");
	expect_undefined("max(v4.1, v4.2)");
	expect_undefined("v4.1 + 1");
	/* anything with undefined is undefined */
	expect_undefined("conntrack.max");
	expect_undefined("conntrack.max > 0");
	expect_undefined("conntrack.max == conntrack.max");
	expect_undefined("conntrack.max + 1");
	expect_undefined("-conntrack.max");
	expect_undefined("(conntrack.max > 0) == true");
	/* and a mismatch does not hold */
	struct expr *e = parse_or_fail("1 == \"1\"");
	assert_false(expr_holds(e, lookup_fact, NULL));
	expr_free(e);
}

static void test_defined(void **state)
{
	(void)state;
	expect_true("defined(sockets.time_wait)");
	expect_true("defined(classification)");
	expect_true("defined( nat.present )");
	expect_false("defined(conntrack.max)");
	expect_true("!defined(conntrack.max)");
	/* the usual guard: skip a test on a host without the fact */
	expect_false("defined(conntrack.max) && conntrack.max < 65536");
	expect_true("!defined(conntrack.max) || conntrack.max < 65536");
}

static void test_functions(void **state)
{
	(void)state;
	expect_result("min(3, 5)", VAL_NUMBER, "3");
	expect_result("min(5, 3)", VAL_NUMBER, "3");
	expect_result("max(3, 5)", VAL_NUMBER, "5");
	expect_result("max(-3, -5)", VAL_NUMBER, "-3");
	expect_result("percent(0.75)", VAL_NUMBER, "75");
	expect_result("percent(ratio)", VAL_NUMBER, "75");
	expect_result("percent(1 / 3)", VAL_NUMBER, "33.3");
	expect_result("min(max(1, 2), 3)", VAL_NUMBER, "2");
	expect_result("max(sockets.time_wait, port_range.size) - 2 * min(1, 2)", VAL_NUMBER,
		      "29998");
	expect_true("percent(sockets.time_wait / port_range.size) > 100");
	expect_undefined("min(1 / 0, 2)");
	expect_undefined("max(conntrack.max, 2)");
	expect_undefined("percent(conntrack.max)");
}

static void test_comments_and_lines(void **state)
{
	(void)state;
	expect_true("# outbound hosts only\n"
		    "classification == \"outbound-heavy\" # said the classifier\n"
		    "\t&& sockets.time_wait   >\n"
		    "      10000 # plenty\n");
	expect_true("nat.present &&\r\n  true\r\n");
	expect_result("1 +# a comment between operands\n2", VAL_NUMBER, "3");
}

/* ------------------------------------------------------------ errors */

static void test_error_messages(void **state)
{
	(void)state;
	expect_error(")", 1, "unexpected ')'");
	expect_error("", 1, "empty condition");
	expect_error("  # only a comment", 19, "empty condition");
	expect_error("\"abc", 1, "unterminated string");
	expect_error("classification == \"abc\\", 19, "unterminated string");
	expect_error("\"a\\nb\"", 3, "unknown escape '\\n' in a string (only \\\" and \\\\)");
	expect_error("nat.present &&", 15, "expected an expression after '&&'");
	expect_error("sockets.time_wait > ", 21, "expected an expression after '>'");
	expect_error("1 +* 2", 4, "expected an expression after '+'");
	expect_error("!", 2, "expected an expression after '!'");
	expect_error("()", 2, "expected an expression after '('");
	expect_error("sockets.tw > 100", 1, "unknown fact 'sockets.tw'");
	expect_error("foo(1)", 1, "unknown function 'foo'");
	expect_error("true(1)", 1, "unknown function 'true'");
	expect_error("defined(1)", 9, "defined() takes one fact name");
	expect_error("defined()", 9, "defined() takes one fact name");
	expect_error("defined(true)", 9, "defined() takes one fact name");
	expect_error("defined(zero + 1)", 14, "defined() takes one fact name");
	expect_error("defined(zero, ratio)", 13, "defined() takes one fact name");
	expect_error("defined(nosuch)", 9, "unknown fact 'nosuch'");
	expect_error("defined(zero", 8, "unclosed '('");
	expect_error("min(1)", 6, "min() takes 2 arguments");
	expect_error("min()", 5, "min() takes 2 arguments");
	expect_error("min(1, 2, 3)", 9, "min() takes 2 arguments");
	expect_error("percent()", 9, "percent() takes 1 argument");
	expect_error("percent(1, 2)", 10, "percent() takes 1 argument");
	expect_error("min(1 2)", 7, "expected ',' or ')' instead of '2'");
	expect_error("min(1,)", 7, "expected an expression after ','");
	expect_error("1 x", 3, "unexpected 'x' after the expression");
	expect_error("true false", 6, "unexpected 'false' after the expression");
	expect_error("(1))", 4, "unexpected ')' without a matching '('");
	expect_error("(1 + 2", 1, "unclosed '('");
	expect_error("(1 2)", 4, "expected ')' instead of '2'");
	expect_error("1 < 2 < 3", 7, "comparisons do not chain: join them with '&&'");
	expect_error("1 = 1", 3, "unexpected '=' (did you mean '=='?)");
	expect_error("true & false", 6, "unexpected '&' (did you mean '&&'?)");
	expect_error("true | false", 6, "unexpected '|' (did you mean '||'?)");
	expect_error("1 @ 2", 3, "unexpected character '@'");
	expect_error("1 + \x01", 5, "unexpected character '\\x01'");
	expect_error(".5", 1, "unexpected character '.'");
	expect_error("10000000000000000", 1, "number too large '10000000000000000'");
	expect_error("0.1234567890123456", 1, "number has too many digits '0.1234567890123456'");
	expect_error("12abc", 1, "bad number '12abc'");
	expect_error("1.", 1, "bad number '1.'");
	expect_error("1.2.3", 1, "bad number '1.2.3'");
	expect_error("kernel.version > v4", 18, "bad version literal 'v4'");
	expect_error("v4.", 1, "bad version literal 'v4.'");
	expect_error("v4.12.", 1, "bad version literal 'v4.12.'");
	expect_error("v4.12.1.2", 1, "bad version literal 'v4.12.1.2'");
	expect_error("v4.x", 1, "bad version literal 'v4.x'");
	expect_error("v4.99999999", 1, "bad version literal 'v4.99999999'");
	expect_error("Sockets > 1", 1, "bad name 'Sockets' (names are lower case)");
	expect_error("zero > 0 && net.ipv4.Tcp", 13,
		     "bad name 'net.ipv4.Tcp' (names are lower case)");
	/* a long token is quoted shortened */
	expect_error("1 abcdefghijklmnopqrstuvwxyz0123456789", 3,
		     "unexpected 'abcdefghijklmnopqrstuvwxyz012345...' after the expression");
}

/* Errors found after part of the tree was built: the parser must free it
 * (valgrind checks), and the first error is the one reported. */
static void test_errors_after_partial_trees(void **state)
{
	(void)state;
	expect_error("nat.present && (zero == 0 && nosuch == 1)", 30, "unknown fact 'nosuch'");
	expect_error("min(max(1, 2), 3, 4)", 17, "min() takes 2 arguments");
	expect_error("min(1 + 2, )", 12, "expected an expression after ','");
	expect_error("(1 + 2) * (3", 11, "unclosed '('");
	expect_error("percent(ratio) > 50 && classification == \"x", 42, "unterminated string");
	expect_error("defined(zero) && defined(ratio", 25, "unclosed '('");
	expect_error("-(ratio * 2) + min(1, 2) @", 26, "unexpected character '@'");
	expect_error("1 + 2 == 3 == true", 12, "comparisons do not chain: join them with '&&'");
	expect_error("\"a\" == \"b\" \"c\"", 12, "unexpected '\"c\"' after the expression");
}

static void test_error_positions_on_later_lines(void **state)
{
	const char *rule = "nat.present &&\n"
			   "    sockets.time_wait > 1000 &&\n"
			   "    nosuch == 1";

	(void)state;
	expect_error_from(rule, 1, 1, 3, 5, "unknown fact 'nosuch'");
	/* the text of a rule file's "when =" starts at line 7, column 8 */
	expect_error_from(rule, 7, 8, 9, 5, "unknown fact 'nosuch'");
	/* on the first line the start column counts; later lines restart at 1 */
	expect_error_from("zero > 0 )", 7, 8, 7, 17, "unexpected ')' without a matching '('");
	expect_error_from("\n\n\tfoo(1)", 7, 8, 9, 2, "unknown function 'foo'");
	expect_error_from("zero > 0 &&\n  classification == \"open", 7, 8, 8, 21,
			  "unterminated string");
	expect_error_from("zero > 0 &&\n  # nothing here\n  ", 1, 1, 3, 3,
			  "expected an expression after '&&'");
	expect_error_from("nat.present &&\r\n  nosuch", 1, 1, 2, 3, "unknown fact 'nosuch'");
	expect_error_from("(zero\n  +\n  1", 4, 2, 4, 2, "unclosed '('");
	expect_error_from("min(1,\n    2,\n    3)", 1, 1, 2, 6, "min() takes 2 arguments");
}

static void test_error_without_error_struct(void **state)
{
	(void)state;
	assert_null(expr_parse("1 +", 1, 1, known_fact, NULL));
	assert_null(expr_parse(NULL, 1, 1, known_fact, NULL));
	/* without a KNOWN check no fact is known: fail closed */
	assert_null(expr_parse("zero == 0", 1, 1, NULL, NULL));
	expr_free(NULL);
}

/* ------------------------------------------------------------ limits */

static char *repeated(const char *prefix, const char *unit, unsigned count, const char *suffix)
{
	size_t size = strlen(prefix) + strlen(unit) * count + strlen(suffix) + 1;
	char *text = malloc(size);

	assert_non_null(text);
	strcpy(text, prefix);
	for (unsigned i = 0; i < count; i++)
		strcat(text, unit);
	strcat(text, suffix);
	return text;
}

static void expect_depth_error(const char *text)
{
	struct expr_error err;
	struct expr *e = expr_parse(text, 1, 1, known_fact, &err);

	if (e) {
		expr_free(e);
		fail_msg("a condition nested too deeply was accepted");
	}
	assert_string_equal(err.message, "expression nested too deeply (more than 64 levels)");
}

static void test_nesting_limit(void **state)
{
	char *text;

	(void)state;
	text = repeated("", "(", 64, "1");
	text = realloc(text, strlen(text) + 65);
	assert_non_null(text);
	for (int i = 0; i < 64; i++)
		strcat(text, ")");
	expect_result(text, VAL_NUMBER, "1");
	free(text);

	text = repeated("", "(", 65, "1");
	expect_depth_error(text);
	expect_error(text, 65, "expression nested too deeply (more than 64 levels)");
	free(text);

	/* a hostile file does not recurse past the limit */
	text = repeated("", "(", 8000, "");
	expect_depth_error(text);
	free(text);
	text = repeated("", "!", 8000, "true");
	expect_depth_error(text);
	free(text);
	text = repeated("", "-", 8000, "1");
	expect_depth_error(text);
	free(text);
	text = repeated("", "min(", 100, "");
	expect_depth_error(text);
	free(text);

	/* a long chain of operators is a deep tree too */
	text = repeated("1", " + 1", 63, "");
	expect_result(text, VAL_NUMBER, "64");
	free(text);
	text = repeated("1", "+1", 4000, "");
	expect_depth_error(text);
	free(text);
	text = repeated("", "!", 63, "false");
	expect_true(text);
	free(text);
}

static void test_length_limit(void **state)
{
	char *text;

	(void)state;
	text = repeated("true", " ", 8192 - 4, "");
	assert_int_equal(strlen(text), 8192);
	expect_true(text);
	free(text);

	text = repeated("true", " ", 8192 - 3, "");
	expect_error_from(text, 7, 8, 7, 8, "condition longer than 8192 bytes");
	free(text);

	text = repeated("\"", "a", 100000, "\"");
	expect_error(text, 1, "condition longer than 8192 bytes");
	free(text);
}

/* -------------------------------------------------------- invariants */

static void expect_requires_string(const char *text, bool expected)
{
	struct expr *e = parse_or_fail(text);
	bool got = expr_requires_string(e, "classification", "outbound-heavy");

	expr_free(e);
	if (got != expected)
		fail_msg("\"%s\" %s classification == \"outbound-heavy\"", text,
			 got ? "was said to require" : "was not said to require");
}

static void test_requires_string(void **state)
{
	(void)state;
	expect_requires_string("classification == \"outbound-heavy\"", true);
	expect_requires_string("\"outbound-heavy\" == classification", true);
	expect_requires_string("nat.present && classification == \"outbound-heavy\" && zero == 0",
			       true);
	expect_requires_string("(nat.present && (classification == \"outbound-heavy\")) && true",
			       true);
	expect_requires_string("nat.present && (zero == 0 && \"outbound-heavy\" == classification)",
			       true);
	/* under "||" or "!" the comparison need not hold */
	expect_requires_string("nat.present || classification == \"outbound-heavy\"", false);
	expect_requires_string("(classification == \"outbound-heavy\" || zero > 1) && true", false);
	expect_requires_string("!(classification == \"outbound-heavy\")", false);
	expect_requires_string("!(classification != \"outbound-heavy\")", false);
	expect_requires_string("!!(classification == \"outbound-heavy\")", false);
	/* not the comparison asked about */
	expect_requires_string("classification != \"outbound-heavy\"", false);
	expect_requires_string("classification == \"inbound-heavy\"", false);
	expect_requires_string("classification == \"outbound-heavy-ish\"", false);
	expect_requires_string("quote == \"outbound-heavy\"", false);
	expect_requires_string("classification == classification", false);
	expect_requires_string("defined(classification)", false);
	expect_requires_string("true", false);

	assert_false(expr_requires_string(NULL, "classification", "outbound-heavy"));
}

static void expect_requires_nonzero(const char *text, bool expected)
{
	struct expr *e = parse_or_fail(text);
	bool got = expr_requires_nonzero(e, "net.ipv4.tcp_tw_reuse");

	expr_free(e);
	if (got != expected)
		fail_msg("\"%s\" %s net.ipv4.tcp_tw_reuse to be non-zero", text,
			 got ? "was said to require" : "was not said to require");
}

static void test_requires_nonzero(void **state)
{
	(void)state;
	expect_requires_nonzero("net.ipv4.tcp_tw_reuse != 0", true);
	expect_requires_nonzero("net.ipv4.tcp_tw_reuse == 1", true);
	expect_requires_nonzero("net.ipv4.tcp_tw_reuse >= 1", true);
	expect_requires_nonzero("net.ipv4.tcp_tw_reuse > 0", true);
	expect_requires_nonzero("0 != net.ipv4.tcp_tw_reuse", true);
	expect_requires_nonzero("1 == net.ipv4.tcp_tw_reuse", true);
	expect_requires_nonzero("1 <= net.ipv4.tcp_tw_reuse", true);
	expect_requires_nonzero("0 < net.ipv4.tcp_tw_reuse", true);
	expect_requires_nonzero("nat.present && (zero == 0 && net.ipv4.tcp_tw_reuse > 0.0)", true);
	expect_requires_nonzero("(net.ipv4.tcp_tw_reuse != 0 && nat.present) && true", true);
	/* comparisons that allow zero */
	expect_requires_nonzero("net.ipv4.tcp_tw_reuse == 0", false);
	expect_requires_nonzero("net.ipv4.tcp_tw_reuse != 1", false);
	expect_requires_nonzero("net.ipv4.tcp_tw_reuse >= 0", false);
	expect_requires_nonzero("net.ipv4.tcp_tw_reuse < 1", false);
	expect_requires_nonzero("net.ipv4.tcp_tw_reuse <= 1", false);
	expect_requires_nonzero("1 >= net.ipv4.tcp_tw_reuse", false);
	expect_requires_nonzero("0 > net.ipv4.tcp_tw_reuse", false);
	expect_requires_nonzero("net.ipv4.tcp_tw_reuse > -1", false);
	expect_requires_nonzero("net.ipv4.tcp_tw_reuse == \"1\"", false);
	/* under "||" or "!" */
	expect_requires_nonzero("net.ipv4.tcp_tw_reuse != 0 || nat.present", false);
	expect_requires_nonzero("nat.present && (net.ipv4.tcp_tw_reuse > 0 || true)", false);
	expect_requires_nonzero("!(net.ipv4.tcp_tw_reuse == 0)", false);
	expect_requires_nonzero("!(net.ipv4.tcp_tw_reuse != 0)", false);
	/* another fact, or arithmetic on this one */
	expect_requires_nonzero("zero != 0", false);
	expect_requires_nonzero("net.ipv4.tcp_tw_reuse + 0 != 0", false);
	expect_requires_nonzero("defined(net.ipv4.tcp_tw_reuse)", false);

	assert_false(expr_requires_nonzero(NULL, "net.ipv4.tcp_tw_reuse"));
}

/* -------------------------------------------------------- formatting */

static void expect_format(struct value v, const char *shown)
{
	char buf[64];

	memset(buf, 'x', sizeof(buf));
	value_format(&v, buf, sizeof(buf));
	assert_string_equal(buf, shown);
}

static void expect_number_format(double x, const char *shown)
{
	expect_format((struct value)NUMBER(x), shown);
}

static void test_value_format(void **state)
{
	char small[4] = "abc";

	(void)state;
	expect_number_format(42, "42");
	expect_number_format(-7, "-7");
	expect_number_format(0, "0");
	expect_number_format(-0.0, "0");
	expect_number_format(123456789012345, "123456789012345");
	expect_number_format(-999999999999999, "-999999999999999");
	expect_number_format(1e15, "1000000000000000.0");
	expect_number_format(0.756, "0.76");
	expect_number_format(9.994, "9.99");
	expect_number_format(-3.5, "-3.50");
	expect_number_format(0.001, "0.00");
	expect_number_format(10.26, "10.3");
	expect_number_format(12.34, "12.3");
	expect_number_format(-12.36, "-12.4");
	expect_number_format(28232.26, "28232.3");
	expect_number_format(NAN, "unknown");
	expect_number_format(INFINITY, "unknown");
	expect_format((struct value){.type = VAL_VERSION, .version = {4, 12, 0}}, "4.12.0");
	expect_format((struct value){.type = VAL_VERSION, .version = {6, 14, 3}}, "6.14.3");
	expect_format((struct value){.type = VAL_BOOL, .boolean = true}, "true");
	expect_format((struct value){.type = VAL_BOOL, .boolean = false}, "false");
	expect_format((struct value)STRING("outbound-heavy"), "outbound-heavy");
	expect_format((struct value)STRING("50%s"), "50%s");
	expect_format((struct value){.type = VAL_UNDEFINED}, "unknown");

	/* truncated to the buffer, never past it */
	value_format(&(struct value)STRING("outbound-heavy"), small, sizeof(small));
	assert_string_equal(small, "out");
	value_format(&(struct value)NUMBER(1), small, 0);
	assert_string_equal(small, "out");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_literals),
		cmocka_unit_test(test_precedence_and_associativity),
		cmocka_unit_test(test_arithmetic),
		cmocka_unit_test(test_overflow_is_undefined),
		cmocka_unit_test(test_number_comparisons),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_booleans),
		cmocka_unit_test(test_facts_and_context),
		cmocka_unit_test(test_and_truth_table),
		cmocka_unit_test(test_or_truth_table),
		cmocka_unit_test(test_not_truth_table),
		cmocka_unit_test(test_type_mismatches),
		cmocka_unit_test(test_defined),
		cmocka_unit_test(test_functions),
		cmocka_unit_test(test_comments_and_lines),
		cmocka_unit_test(test_error_messages),
		cmocka_unit_test(test_errors_after_partial_trees),
		cmocka_unit_test(test_error_positions_on_later_lines),
		cmocka_unit_test(test_error_without_error_struct),
		cmocka_unit_test(test_nesting_limit),
		cmocka_unit_test(test_length_limit),
		cmocka_unit_test(test_requires_string),
		cmocka_unit_test(test_requires_nonzero),
		cmocka_unit_test(test_value_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
