/* SPDX-License-Identifier: MIT */
/* The rule engine: rule files parsed and loaded (every error naming
 * file:line:column), the two invariants enforced at load time and again at
 * evaluation, the shipped and override directories, and every shipped rule
 * judged on hand-built facts and on the fabricated /proc trees of
 * tests/data. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* cmocka.h needs these included before it */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include "engine/engine.h"
#include "engine/factview.h"
#include "engine/rules.h"
#include "fixture.h"
#include "hosts.h"
#include "inspect/inspect.h"
#include "report/format.h"

#define SHIPPED_RULE_COUNT 24

/* ------------------------------------------------------------ helpers */

/* An error reads exactly ROOT/EXPECTED. */
static void assert_error(const struct fixture *fx, const struct rule_errors *errors,
			 const char *expected)
{
	char full[1024];

	fixture_join(full, sizeof(full), fx->root, expected);
	for (unsigned i = 0; i < errors->count; i++)
		if (strcmp(errors->messages[i], full) == 0)
			return;
	fail_msg("no error \"%s\"; the errors are:%s", full, all_errors(errors));
}

/* An error starts with ROOT/WHERE and contains NEEDLE. */
static void assert_error_at(const struct fixture *fx, const struct rule_errors *errors,
			    const char *where, const char *needle)
{
	char prefix[1024];

	fixture_join(prefix, sizeof(prefix), fx->root, where);
	for (unsigned i = 0; i < errors->count; i++)
		if (strncmp(errors->messages[i], prefix, strlen(prefix)) == 0 &&
		    strstr(errors->messages[i], needle))
			return;
	fail_msg("no error at \"%s\" containing \"%s\"; the errors are:%s", prefix, needle,
		 all_errors(errors));
}

/* Write TEXT to ROOT/NAME and parse that one file into SET. */
static int parse_text(const struct fixture *fx, const char *name, const char *text,
		      struct rule_set *set, struct rule_errors *errors)
{
	char path[PATH_MAX];

	memset(set, 0, sizeof(*set));
	memset(errors, 0, sizeof(*errors));
	fixture_write(fx->root, name, text);
	fixture_join(path, sizeof(path), fx->root, name);
	return rules_parse_file(path, set, errors);
}

/* TEXT must fail to load, with no rule kept and exactly one error,
 * ROOT/EXPECTED. */
static void expect_one_error(const struct fixture *fx, const char *name, const char *text,
			     const char *expected)
{
	struct rule_set set;
	struct rule_errors errors;
	int r = parse_text(fx, name, text, &set, &errors);

	assert_error(fx, &errors, expected);
	if (errors.count != 1)
		fail_msg("%u errors, expected one:%s", errors.count, all_errors(&errors));
	assert_int_equal(r, -EINVAL);
	assert_int_equal(set.count, 0);
	rules_free(&set);
}

/* The ids of SET, space-separated. */
static const char *ids_of(const struct rule_set *set)
{
	static char text[1024];
	size_t n = 0;

	text[0] = '\0';
	for (size_t i = 0; i < set->count && n < sizeof(text); i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s%s", i ? " " : "",
				      set->rules[i].id);
	return text;
}

/* ------------------------------------------------- A. parsing, loading */

static const char sample_rule[] = "# a comment before the first rule\n"
				  "[rule sample-rule]\n"
				  "severity  = warning\n"
				  "title     = a sample\n"
				  "            on two lines\n"
				  "when      = sockets.time_wait > 100\n"
				  "            # census && ( would not parse as a condition\n"
				  "            && census.available\n"
				  "recommend = net.ipv4.tcp_max_tw_buckets 262144\n"
				  "recommend = net.ipv4.ip_local_port_range @wider_port_range\n"
				  "summary   = {sockets.time_wait} sockets,\n"
				  "            {{literally}}\n"
				  "explain   = First paragraph\n"
				  "            goes on.\n"
				  "            .\n"
				  "            Second paragraph.\n"
				  "reference = RFC 1\n"
				  "reference = RFC 2,\n"
				  "            section 3\n";

static void test_valid_rule_has_every_field(void **state)
{
	struct fixture *fx = *state;
	struct rule_set set;
	struct rule_errors errors;
	char path[PATH_MAX];
	const struct rule *r;

	if (parse_text(fx, "sample.rule", sample_rule, &set, &errors) != 0 || errors.count)
		fail_msg("the sample did not load:%s", all_errors(&errors));
	assert_int_equal(set.count, 1);
	r = rules_find(&set, "sample-rule");
	assert_non_null(r);
	fixture_join(path, sizeof(path), fx->root, "sample.rule");
	assert_string_equal(r->file, path);
	assert_int_equal(r->line, 2);
	assert_int_equal(r->severity, SEVERITY_WARNING);
	assert_string_equal(r->title, "a sample on two lines");
	assert_string_equal(r->when_text, "sockets.time_wait > 100\n"
					  "# census && ( would not parse as a condition\n"
					  "&& census.available");
	assert_non_null(r->when);
	assert_non_null(r->summary);
	assert_string_equal(r->explanation, "First paragraph\ngoes on.\n\nSecond paragraph.");
	assert_int_equal(r->reference_count, 2);
	assert_string_equal(r->references[0], "RFC 1");
	assert_string_equal(r->references[1], "RFC 2, section 3");
	assert_int_equal(r->setting_count, 2);
	assert_int_equal(r->settings[0].key, KNOB_TCP_MAX_TW_BUCKETS);
	assert_string_equal(fixture_value_text(&r->settings[0].value), "262144");
	assert_int_equal(r->settings[1].key, KNOB_IP_LOCAL_PORT_RANGE);
	assert_int_not_equal(r->settings[1].compute, COMPUTE_NONE); /* no literal */
	assert_int_equal(r->settings[1].compute, COMPUTE_WIDER_PORT_RANGE);
	assert_null(rules_find(&set, "sample"));
	rules_free(&set);
}

/* The multi-line condition, comment line included, is the one evaluated;
 * the multi-line summary renders as one line. */
static void test_multiline_condition_evaluates(void **state)
{
	struct fixture *fx = *state;
	struct rule_set set;
	struct rule_errors errors;
	struct findings fs;

	assert_int_equal(parse_text(fx, "sample.rule", sample_rule, &set, &errors), 0);
	quiet_host(&fx->facts);
	set_time_wait(&fx->facts, 150, 0);
	assert_int_equal(engine_evaluate(&set, &fx->facts, &fs), 0);
	assert_int_equal(fs.count, 1);
	assert_string_equal(fs.items[0].summary, "150 sockets, {literally}");
	findings_free(&fs);

	/* the second line counts: without the census the rule is silent */
	fx->facts.census.available = false;
	assert_int_equal(engine_evaluate(&set, &fx->facts, &fs), 0);
	assert_int_equal(fs.count, 0);
	findings_free(&fs);

	/* and so does the first */
	fx->facts.census.available = true;
	set_time_wait(&fx->facts, 100, 0);
	assert_int_equal(engine_evaluate(&set, &fx->facts, &fs), 0);
	assert_int_equal(fs.count, 0);
	findings_free(&fs);
	rules_free(&set);
}

static void test_explanation_dot_lines(void **state)
{
	struct fixture *fx = *state;
	struct rule_set set;
	struct rule_errors errors;

	assert_int_equal(parse_text(fx, "dots.rule",
				    "[rule dots]\n"
				    "severity = info\n"
				    "title = t\n"
				    "when = true\n"
				    "explain = One.\n"
				    "  .\n"
				    "\t.\n"
				    "  Two ends with a dot.\n"
				    "  ...\n"
				    "  .\n"
				    "  Three.\n",
				    &set, &errors),
			 0);
	assert_int_equal(set.count, 1);
	assert_string_equal(set.rules[0].explanation,
			    "One.\n\n\nTwo ends with a dot.\n...\n\nThree.");
	rules_free(&set);
}

static void test_crlf_lines(void **state)
{
	struct fixture *fx = *state;
	struct rule_set set;
	struct rule_errors errors;

	if (parse_text(fx, "crlf.rule",
		       "# written on Windows\r\n"
		       "[rule crlf]\r\n"
		       "severity = info\r\n"
		       "title = t\r\n"
		       "when = sockets.time_wait > 1\r\n"
		       "       && census.available\r\n"
		       "recommend = net.ipv4.tcp_fin_timeout 60\r\n"
		       "explain = a\r\n"
		       "  .\r\n"
		       "  b\r\n",
		       &set, &errors) != 0)
		fail_msg("CRLF lines were refused:%s", all_errors(&errors));
	assert_int_equal(set.count, 1);
	assert_string_equal(fixture_value_text(&set.rules[0].settings[0].value), "60");
	assert_string_equal(set.rules[0].explanation, "a\n\nb");
	rules_free(&set);
}

/* Settings that cannot hold together are refused at load, naming both
 * lines: a range the kernel would refuse beside that start, reuse that
 * timestamps off would make useless. */
static void test_error_conflicting_settings(void **state)
{
	expect_one_error(
		*state, "range.rule",
		"[rule range]\nseverity = info\ntitle = t\nwhen = true\n"
		"recommend = net.ipv4.ip_unprivileged_port_start 2000\n"
		"recommend = net.ipv4.ip_local_port_range 1024 65535\n",
		"range.rule:6:1: rule range: net.ipv4.ip_local_port_range 1024 65535 starts "
		"below net.ipv4.ip_unprivileged_port_start 2000 (line 5): the kernel refuses "
		"such a range");
	expect_one_error(
		*state, "stamps.rule",
		"[rule stamps]\nseverity = info\ntitle = t\n"
		"when = classification == \"outbound-heavy\" && net.ipv4.tcp_timestamps != 0\n"
		"recommend = net.ipv4.tcp_tw_reuse 1\n"
		"recommend = net.ipv4.tcp_timestamps 0\n",
		"stamps.rule:5:1: rule stamps: net.ipv4.tcp_tw_reuse 1 with "
		"net.ipv4.tcp_timestamps 0 (line 6): reuse needs timestamps and would do "
		"nothing");
}

/* A key set twice in one section is refused where it stands (apply would
 * flip between the values), in any spelling of the key. */
static void test_error_key_set_twice(void **state)
{
	expect_one_error(
		*state, "twice.rule",
		"[rule twice]\nseverity = info\ntitle = t\nwhen = true\n"
		"recommend = net.ipv4.tcp_fin_timeout 30\n"
		"recommend = net/ipv4/tcp_fin_timeout 60\n",
		"twice.rule:6:1: rule twice: recommend net.ipv4.tcp_fin_timeout again (line 5 "
		"sets it already)");
}

static void test_error_when_syntax_position_only(void **state)
{
	struct fixture *fx = *state;
	struct rule_set set;
	struct rule_errors errors;

	/* tabs and a deeper indentation: the column is still the file's */
	parse_text(fx, "tabs.rule",
		   "[rule tabs]\n"
		   "severity = info\n"
		   "title = t\n"
		   "when      = true\n"
		   "\t\t&& (sockets.time_wait > 1\n"
		   "\t\t    || )\n",
		   &set, &errors);
	assert_error_at(fx, &errors, "tabs.rule:6:10: rule tabs: when: ", "'||'");
	assert_int_equal(set.count, 0);
	rules_free(&set);
}

static void test_error_unknown_field(void **state)
{
	struct fixture *fx = *state;
	struct rule_set set;
	struct rule_errors errors;

	parse_text(fx, "field.rule",
		   "[rule field]\n"
		   "severity = info\n"
		   "title = t\n"
		   "explian = typo\n"
		   "when = true\n",
		   &set, &errors);
	assert_error(fx, &errors, "field.rule:4:1: rule field: unknown field 'explian'");
	rules_free(&set);
}

static void test_error_bad_id_drops_its_fields(void **state)
{
	struct fixture *fx = *state;
	struct rule_set set;
	struct rule_errors errors;

	assert_int_equal(parse_text(fx, "id.rule",
				    "[rule two words]\n"
				    "severity = info\n"
				    "title = t\n"
				    "when = true\n",
				    &set, &errors),
			 -EINVAL);
	assert_error(fx, &errors,
		     "id.rule:1:7: rule id 'two words' must be lower-case letters, digits and '-'");
	assert_error(fx, &errors, "id.rule:2:1: 'severity' outside a [rule ID] section");
	assert_int_equal(errors.count, 4);
	assert_int_equal(set.count, 0);
	rules_free(&set);
}

static void test_error_duplicate_field(void **state)
{
	struct fixture *fx = *state;
	struct rule_set set;
	struct rule_errors errors;

	assert_int_equal(parse_text(fx, "dup.rule",
				    "[rule dup]\n"
				    "severity = info\n"
				    "title = t\n"
				    "when = true\n"
				    "title = again\n"
				    "reference = one\n"
				    "reference = two\n",
				    &set, &errors),
			 -EINVAL);
	assert_error(fx, &errors, "dup.rule:5:1: rule dup: 'title' given twice");
	assert_int_equal(errors.count, 1); /* reference may repeat */
	rules_free(&set);
}

static void test_error_duplicate_id_across_files(void **state)
{
	struct fixture *fx = *state;
	struct rule_set set;
	struct rule_errors errors;
	char dir[PATH_MAX];

	fixture_write(fx->root, "rules/a.rule",
		      "[rule same]\nseverity = info\ntitle = A\nwhen = true\n");
	fixture_write(fx->root, "rules/b.rule",
		      "[rule other]\nseverity = info\ntitle = O\nwhen = true\n\n"
		      "[rule same]\nseverity = warning\ntitle = B\nwhen = true\n");
	fixture_join(dir, sizeof(dir), fx->root, "rules");
	assert_int_equal(rules_load(dir, NULL, &set, &errors), -EINVAL);
	{
		char expected[2 * PATH_MAX];

		snprintf(expected, sizeof(expected),
			 "rules/b.rule:6:1: rule same: the id is already used by %s/rules/a.rule:1",
			 fx->root);
		assert_error(fx, &errors, expected);
	}
	assert_int_equal(errors.count, 1);
	assert_string_equal(ids_of(&set), "same other");
	assert_string_equal(rules_find(&set, "same")->title, "A");
	rules_free(&set);
}

static const char recommend_rule[] = "[rule rec]\n"
				     "severity = info\n"
				     "title = t\n"
				     "when = true\n"
				     "recommend = %s\n";

static void expect_recommend_error(const struct fixture *fx, const char *recommend,
				   const char *expected)
{
	char text[512], where[600];

	snprintf(text, sizeof(text), recommend_rule, recommend);
	snprintf(where, sizeof(where), "rec.rule:5:13: rule rec: recommend: %s", expected);
	expect_one_error(fx, "rec.rule", text, where);
}

static void test_error_line_too_long(void **state)
{
	struct fixture *fx = *state;
	struct rule_set set;
	struct rule_errors errors;
	const char head[] = "[rule long]\nseverity = info\nwhen = true\n";
	size_t line = 4096, n = strlen(head);
	char *text = malloc(n + line + 2);

	assert_non_null(text);
	/* 4095 bytes fit */
	memcpy(text, head, n);
	memcpy(text + n, "title = ", 8);
	memset(text + n + 8, 'x', line - 1 - 8);
	text[n + line - 1] = '\n';
	text[n + line] = '\0';
	assert_int_equal(parse_text(fx, "fits.rule", text, &set, &errors), 0);
	assert_int_equal(set.count, 1);
	assert_int_equal(strlen(set.rules[0].title), line - 1 - 8);
	rules_free(&set);

	/* 4096 do not */
	memset(text + n + 8, 'x', line - 8);
	text[n + line] = '\n';
	text[n + line + 1] = '\0';
	assert_int_equal(parse_text(fx, "long.rule", text, &set, &errors), -EINVAL);
	free(text);
	assert_error(fx, &errors, "long.rule:4:1: rule long: line longer than 4095 bytes");
	rules_free(&set);
}

/* A rule whose FIELD ("when", "explain") starts on line 4 with FIRST and
 * goes on for LINES continuation lines, each "  " + MORE; the text is
 * newly allocated. */
static char *continued_rule(const char *field, const char *first, const char *more, size_t lines)
{
	static const char head[] = "[rule long]\nseverity = info\ntitle = t\n";
	size_t each = 2 + strlen(more) + 1, size = sizeof(head) + 64 + lines * each + 64;
	char *text = malloc(size), *p = text;

	assert_non_null(text);
	p += sprintf(p, "%s%s = %s\n", head, field, first);
	for (size_t i = 0; i < lines; i++)
		p += sprintf(p, "  %s\n", more);
	if (strcmp(field, "when") != 0)
		p += sprintf(p, "when = true\n");
	sprintf(p, "reference = after\n");
	return text;
}

/* Continuation lines are appended, not re-measured: 160,000 of them load
 * (an explanation has no limit), and the field's text is all of them. */
static void test_long_continued_field_loads(void **state)
{
	struct fixture *fx = *state;
	struct rule_set set;
	struct rule_errors errors;
	const size_t lines = 160000;
	char *text = continued_rule("explain", "start", "more", lines);
	const char *e;
	size_t count = 0;

	if (parse_text(fx, "explain.rule", text, &set, &errors) != 0)
		fail_msg("did not load:%s", all_errors(&errors));
	free(text);
	assert_int_equal(set.count, 1);
	e = set.rules[0].explanation;
	assert_int_equal(strlen(e), strlen("start") + lines * strlen("\nmore"));
	assert_true(strncmp(e, "start\nmore\nmore", 15) == 0);
	for (const char *p = strchr(e, '\n'); p; p = strchr(p + 1, '\n'))
		count++;
	assert_int_equal(count, lines);
	assert_string_equal(set.rules[0].references[0], "after");
	rules_free(&set);
}

/* A condition of continuation lines: up to 8192 bytes it is one
 * condition; beyond, the limit is named at the field's file:line:column,
 * whether one line or 160,000 lines past it. */
static void test_long_continued_condition_limit(void **state)
{
	struct fixture *fx = *state;
	struct rule_set set;
	struct rule_errors errors;
	/* "true" then N x "\n  # padding" (12 bytes each): comments, as a
	 * chain of operators would nest too deep long before */
	size_t fit = (8192 - 4) / 12;
	char *text = continued_rule("when", "true", "# padding", fit);

	if (parse_text(fx, "fits.rule", text, &set, &errors) != 0)
		fail_msg("did not load:%s", all_errors(&errors));
	free(text);
	assert_int_equal(set.count, 1);
	/* shown without the indentation */
	assert_int_equal(strlen(set.rules[0].when_text), 4 + fit * 10);
	rules_free(&set);

	text = continued_rule("when", "true", "# padding", fit + 1);
	expect_one_error(fx, "over.rule", text,
			 "over.rule:4:8: rule long: when: condition longer than 8192 bytes");
	free(text);

	text = continued_rule("when", "true", "# padding", 160000);
	expect_one_error(fx, "huge.rule", text,
			 "huge.rule:4:8: rule long: when: condition longer than 8192 bytes");
	free(text);
}

static void test_error_nul_byte(void **state)
{
	struct fixture *fx = *state;
	static const char text[] = "[rule nul]\nseverity = info\ntitle = a\0b\nwhen = true\n";
	struct rule_set set = {0};
	struct rule_errors errors = {0};
	char path[PATH_MAX];

	fixture_write_bytes(fx->root, "nul.rule", text, sizeof(text) - 1);
	fixture_join(path, sizeof(path), fx->root, "nul.rule");
	assert_int_equal(rules_parse_file(path, &set, &errors), -EINVAL);
	assert_error(fx, &errors, "nul.rule:3:1: rule nul: not a text file (a NUL byte)");
	assert_null(rules_find(&set, "nul"));
	rules_free(&set);
}

static void test_error_indented_line_without_field(void **state)
{
	struct fixture *fx = *state;
	struct rule_set set;
	struct rule_errors errors;

	/* a blank line ends a field: paragraphs are separated by "." */
	parse_text(fx, "blank.rule",
		   "[rule blank]\nseverity = info\ntitle = t\nwhen = true\n"
		   "explain = one\n\n    two\n",
		   &set, &errors);
	assert_error(fx, &errors,
		     "blank.rule:7:1: rule blank: an indented line continues no field");
	rules_free(&set);
}

/* A file that loads no rule and gives exactly one error. */
struct load_error {
	const char *name;
	const char *file; /* under the fixture's root */
	const char *text;
	const char *error; /* the error, less the root and '/' before it */
};

static const struct load_error load_errors[] = {
	{"load error: when, on its second line", "syntax.rule",
	 "[rule syntax]\n"
	 "severity = info\n"
	 "title = t\n"
	 "when = sockets.time_wait > 100\n"
	 "       && > 3\n",
	 "syntax.rule:5:11: rule syntax: when: expected an expression after '&&'"},
	{"load error: when, an unknown fact", "fact.rule",
	 "[rule fact]\n"
	 "severity = info\n"
	 "title = t\n"
	 "when = census.available && sockets.time_wiat > 1\n",
	 "fact.rule:4:28: rule fact: when: unknown fact 'sockets.time_wiat'"},
	{"load error: a field outside a section", "outside.rule", "\n# no header yet\ntitle = t\n",
	 "outside.rule:3:1: 'title' outside a [rule ID] section"},
	{"load error: a header unclosed", "h1.rule", "[rule unclosed\n",
	 "h1.rule:1:1: expected a section header '[rule ID]'"},
	{"load error: a header of another word", "h2.rule", "[rules x]\n",
	 "h2.rule:1:1: expected a section header '[rule ID]'"},
	{"load error: a header with a tail", "h3.rule", "[rule x] trailing\n",
	 "h3.rule:1:1: expected a section header '[rule ID]'"},
	{"load error: an id in upper case", "id1.rule", "[rule Upper_Case]\n",
	 "id1.rule:1:7: rule id 'Upper_Case' must be lower-case letters, digits and '-'"},
	{"load error: an id starting with '-'", "id2.rule", "[rule   -dash]\n",
	 "id2.rule:1:9: rule id '-dash' must be lower-case letters, digits and '-'"},
	{"load error: an empty id", "id3.rule", "[rule ]\n",
	 "id3.rule:1:7: rule id '' must be lower-case letters, digits and '-'"},
	{"load error: no severity", "m1.rule", "[rule m1]\ntitle = t\nwhen = true\n",
	 "m1.rule:1:1: rule m1: has no 'severity'"},
	{"load error: no title", "m2.rule", "\n[rule m2]\nseverity = info\nwhen = true\n",
	 "m2.rule:2:1: rule m2: has no 'title'"},
	{"load error: no when", "m3.rule", "[rule m3]\nseverity = info\ntitle = t\n",
	 "m3.rule:1:1: rule m3: has no 'when'"},
	{"load error: an unknown severity", "sev.rule",
	 "[rule sev]\n"
	 "severity  = fatal\n"
	 "title = t\n"
	 "when = true\n",
	 "sev.rule:2:13: rule sev: severity 'fatal' is not info, warning or critical"},
	{"load error: recommend without a value", "rec.rule",
	 "[rule rec]\nseverity = info\ntitle = t\nwhen = true\n"
	 "recommend = net.ipv4.tcp_tw_reuse\n",
	 "rec.rule:5:13: rule rec: recommend needs KEY VALUE or KEY @computation"},
	{"load error: summary, an unknown fact on its second line", "s1.rule",
	 "[rule s1]\nseverity = info\ntitle = t\nwhen = true\n"
	 "summary   = held {sockets.time_wait}\n"
	 "            then {sockets.tw} more\n",
	 "s1.rule:6:19: rule s1: summary: unknown fact 'sockets.tw'"},
	{"load error: summary, '{' unclosed", "s2.rule",
	 "[rule s2]\nseverity = info\ntitle = t\nwhen = true\n"
	 "summary = held {sockets.time_wait now\n",
	 "s2.rule:5:16: rule s2: summary: '{' without its '}'"},
	{"load error: summary, a lone '}'", "s3.rule",
	 "[rule s3]\nseverity = info\ntitle = t\nwhen = true\n"
	 "summary = held } now\n",
	 "s3.rule:5:16: rule s3: summary: '}' without '{' (write '}}' for a brace)"},
	{"load error: an indented first line", "first.rule", "  stray\n",
	 "first.rule:1:1: an indented line continues no field"},
};

static void test_load_error(void **state)
{
	struct fixture *fx = *state;
	const struct load_error *row = fx->row;

	expect_one_error(fx, row->file, row->text, row->error);
}

/* A recommend line of rec.rule (recommend_rule) refused where it stands. */
struct recommend_error {
	const char *name;
	const char *recommend;
	const char *error; /* after "recommend: " */
};

static const struct recommend_error recommend_errors[] = {
	{"recommend error: an unknown key", "net.ipv4.tcp_tw_reuse_typo 1",
	 "'net.ipv4.tcp_tw_reuse_typo' is not a key twtune knows"},
	{"recommend error: out of range", "net.ipv4.tcp_tw_reuse 7",
	 "net.ipv4.tcp_tw_reuse: 7 is outside 0-2"},
	{"recommend error: not a number", "net.ipv4.tcp_tw_reuse yes",
	 "net.ipv4.tcp_tw_reuse: 'yes' is not a whole number"},
	{"recommend error: a port range upside down", "net.ipv4.ip_local_port_range 60999 32768",
	 "net.ipv4.ip_local_port_range: '60999 32768' needs 1 <= LOW <= HIGH <= 65535"},
	{"recommend error: an unknown computation",
	 "net.ipv4.ip_local_port_range @widest_port_range",
	 "unknown computation '@widest_port_range'"},
	{"recommend error: a computation of another key",
	 "net.ipv4.tcp_max_tw_buckets @wider_port_range",
	 "@wider_port_range does not compute net.ipv4.tcp_max_tw_buckets"},
	{"recommend error: a computation for tcp_tw_recycle", "net.ipv4.tcp_tw_recycle @tw_buckets",
	 "@tw_buckets does not compute net.ipv4.tcp_tw_recycle"},
	{"recommend error: forwarding, which twtune never sets", "net.ipv4.ip_forward 1",
	 "net.ipv4.ip_forward is not a key twtune sets: it only reads it to judge the namespace"},
};

static void test_recommend_error(void **state)
{
	struct fixture *fx = *state;
	const struct recommend_error *row = fx->row;

	expect_recommend_error(fx, row->recommend, row->error);
}

static void test_load_keeps_good_rules_reports_every_error(void **state)
{
	struct fixture *fx = *state;
	struct rule_set set;
	struct rule_errors errors;
	char dir[PATH_MAX];

	fixture_write(fx->root, "d/10-good.rule",
		      "[rule good-one]\nseverity = info\ntitle = 1\nwhen = true\n");
	fixture_write(fx->root, "d/20-mixed.rule",
		      "[rule bad-fact]\nseverity = info\ntitle = x\nwhen = nosuch.fact\n"
		      "[rule good-two]\nseverity = info\ntitle = 2\nwhen = true\n"
		      "[rule bad-severity]\nseverity = loud\ntitle = y\nwhen = true\n");
	fixture_write(fx->root, "d/30-bad.rule",
		      "[rule bad-when]\nseverity = info\ntitle = z\nwhen = (\n");
	fixture_write(fx->root, "d/40-good.rule",
		      "[rule good-three]\nseverity = info\ntitle = 3\nwhen = true\n");
	fixture_join(dir, sizeof(dir), fx->root, "d");
	assert_int_equal(rules_load(dir, NULL, &set, &errors), -EINVAL);
	assert_string_equal(ids_of(&set), "good-one good-two good-three");
	assert_error(fx, &errors,
		     "d/20-mixed.rule:4:8: rule bad-fact: when: unknown fact 'nosuch.fact'");
	assert_error(
		fx, &errors,
		"d/20-mixed.rule:10:12: rule bad-severity: severity 'loud' is not info, warning "
		"or critical");
	assert_error_at(fx, &errors, "d/30-bad.rule:4:", "rule bad-when: when: ");
	if (errors.count != 3)
		fail_msg("%u errors, expected 3:%s", errors.count, all_errors(&errors));
	assert_int_equal(errors.more, 0);
	rules_free(&set);
}

static void test_errors_beyond_the_limit_are_counted(void **state)
{
	struct fixture *fx = *state;
	struct rule_set set;
	struct rule_errors errors;
	char text[40 * 16] = "";

	for (int i = 0; i < 40; i++)
		strcat(text, "bogus = 1\n");
	assert_int_equal(parse_text(fx, "many.rule", text, &set, &errors), -EINVAL);
	assert_int_equal(errors.count, RULE_MAX_ERRORS);
	assert_int_equal(errors.more, 40 - RULE_MAX_ERRORS);
	assert_error(fx, &errors, "many.rule:32:1: unknown field 'bogus'");
	rules_free(&set);
}

/* ------------------------------------------------------ B. invariants */

static int parse_setting_rule(const struct fixture *fx, const char *when, const char *setting,
			      struct rule_set *set, struct rule_errors *errors)
{
	char text[1024];

	snprintf(text, sizeof(text),
		 "# the invariants hold whatever the file says\n"
		 "[rule try-it]\n"
		 "severity = warning\n"
		 "title = t\n"
		 "when = %s\n"
		 "recommend = %s\n",
		 when, setting);
	return parse_text(fx, "try.rule", text, set, errors);
}

static const char reuse_refusal[] =
	"try.rule:2:1: rule try-it: recommends net.ipv4.tcp_tw_reuse = 1, but its condition does "
	"not require classification == \"outbound-heavy\" && net.ipv4.tcp_timestamps != 0 (reuse "
	"only helps outbound connections, and only with timestamps)";

static void expect_refused(const struct fixture *fx, const char *when, const char *setting,
			   const char *expected)
{
	struct rule_set set;
	struct rule_errors errors;
	int r = parse_setting_rule(fx, when, setting, &set, &errors);

	if (r != -EINVAL || set.count != 0 || errors.count != 1)
		fail_msg("\"%s\" with %s: %d, %zu rules, errors:%s", when, setting, r, set.count,
			 all_errors(&errors));
	assert_error(fx, &errors, expected);
	rules_free(&set);
}

static void expect_accepted(const struct fixture *fx, const char *when, const char *setting)
{
	struct rule_set set;
	struct rule_errors errors;
	int r = parse_setting_rule(fx, when, setting, &set, &errors);

	if (r != 0 || set.count != 1)
		fail_msg("\"%s\" with %s was refused:%s", when, setting, all_errors(&errors));
	rules_free(&set);
}

static void test_recycle_never_recommended(void **state)
{
	struct fixture *fx = *state;
	static const char refusal[] =
		"try.rule:2:1: rule try-it: recommends net.ipv4.tcp_tw_recycle = 1; twtune never "
		"sets it to anything but 0 (it drops connections from clients behind NAT, and "
		"Linux 4.12 removed it)";

	expect_refused(fx, "true", "net.ipv4.tcp_tw_recycle 1", refusal);
	/* however safe the condition looks */
	expect_refused(fx, "defined(nat.present) && !nat.present && kernel.version < v4.12",
		       "net.ipv4.tcp_tw_recycle 1", refusal);
	expect_refused(fx, "true", "net.ipv4.tcp_tw_recycle 01",
		       "try.rule:2:1: rule try-it: recommends net.ipv4.tcp_tw_recycle = 01; twtune "
		       "never sets it to anything but 0 (it drops connections from clients behind "
		       "NAT, and Linux 4.12 removed it)");
	/* the slashed spelling of the key is the same key */
	expect_refused(fx, "true", "net/ipv4/tcp_tw_recycle 1", refusal);
	expect_accepted(fx, "net.ipv4.tcp_tw_recycle != 0", "net.ipv4.tcp_tw_recycle 0");
}

static void test_recycle_refused_from_override_dir(void **state)
{
	struct fixture *fx = *state;
	struct rule_set set;
	struct rule_errors errors;
	char shipped[PATH_MAX], local[PATH_MAX];

	fixture_write(fx->root, "shipped/a.rule",
		      "[rule a]\nseverity = info\ntitle = a\nwhen = true\n");
	fixture_write(fx->root, "local/a.rule",
		      "[rule a]\nseverity = info\ntitle = a\nwhen = true\n"
		      "recommend = net.ipv4.tcp_tw_recycle 1\n");
	fixture_join(shipped, sizeof(shipped), fx->root, "shipped");
	fixture_join(local, sizeof(local), fx->root, "local");
	assert_int_equal(rules_load(shipped, local, &set, &errors), -EINVAL);
	assert_int_equal(set.count, 0);
	assert_error_at(fx, &errors,
			"local/a.rule:1:1: rule a: ", "recommends net.ipv4.tcp_tw_recycle = 1");
	rules_free(&set);
}

static void test_reuse_one_needs_outbound_and_timestamps(void **state)
{
	struct fixture *fx = *state;
	static const char *const refused[] = {
		/* a requirement missing */
		"net.ipv4.tcp_timestamps != 0",
		"classification == \"outbound-heavy\"",
		"true",
		/* present, but not binding */
		"(classification == \"outbound-heavy\" || pressure.connect > 0.5) && "
		"net.ipv4.tcp_timestamps != 0",
		"classification == \"outbound-heavy\" && (net.ipv4.tcp_timestamps != 0 || true)",
		"classification == \"outbound-heavy\" && net.ipv4.tcp_timestamps != 0 || "
		"pressure.connect > 0.5",
		"!(classification != \"outbound-heavy\") && net.ipv4.tcp_timestamps != 0",
		"classification == \"outbound-heavy\" && !(net.ipv4.tcp_timestamps == 0)",
		"!(classification == \"outbound-heavy\" && net.ipv4.tcp_timestamps != 0)",
		/* the wrong comparison */
		"classification == \"inbound-heavy\" && net.ipv4.tcp_timestamps != 0",
		"classification != \"outbound-heavy\" && net.ipv4.tcp_timestamps != 0",
		"classification == \"outbound-heavy\" && net.ipv4.tcp_timestamps >= 0",
		"classification == \"outbound-heavy\" && net.ipv4.tcp_timestamps != 1",
		"classification == \"outbound-heavy\" && net.ipv4.tcp_timestamps == 0",
		"classification == \"outbound-heavy\" && net.ipv4.tcp_timestamps > -1",
		"classification == \"outbound-heavy\" && net.ipv4.tcp_timestamps == \"1\"",
		"classification == \"outbound-heavy\" && defined(net.ipv4.tcp_timestamps)",
		"classification == \"outbound-heavy\" && net.ipv4.tcp_tw_reuse != 0",
	};

	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		expect_refused(fx, refused[i], "net.ipv4.tcp_tw_reuse 1", reuse_refusal);
	/* the value is read as a number, however it is spelled; a spelling
	 * the kernel refuses is refused for that */
	expect_refused(fx, "net.ipv4.tcp_timestamps != 0", "net.ipv4.tcp_tw_reuse +1",
		       "try.rule:6:13: rule try-it: recommend: the kernel refuses '+1' for "
		       "net.ipv4.tcp_tw_reuse: not an unsigned number the kernel reads (digits, "
		       "with 0x hex and 0 octal prefixes) (proc_dou8vec_minmax)");
	expect_refused(fx, "net.ipv4.tcp_timestamps != 0", "net.ipv4.tcp_tw_reuse 01",
		       reuse_refusal);
}

static void test_reuse_one_accepted_when_required(void **state)
{
	struct fixture *fx = *state;
	static const char *const accepted[] = {
		"classification == \"outbound-heavy\" && net.ipv4.tcp_timestamps != 0",
		"net.ipv4.tcp_timestamps != 0 && classification == \"outbound-heavy\"",
		"\"outbound-heavy\" == classification && 0 != net.ipv4.tcp_timestamps",
		"classification == \"outbound-heavy\" && net.ipv4.tcp_timestamps == 1",
		"classification == \"outbound-heavy\" && net.ipv4.tcp_timestamps >= 1",
		"classification == \"outbound-heavy\" && 1 <= net.ipv4.tcp_timestamps",
		"classification == \"outbound-heavy\" && net.ipv4.tcp_timestamps > 0",
		"classification == \"outbound-heavy\" && 0 < net.ipv4.tcp_timestamps",
		"pressure.connect >= 0.2 && (classification == \"outbound-heavy\"\n"
		"  && (net.ipv4.tcp_timestamps == 1)) && !top.is_loopback",
	};

	for (size_t i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++)
		expect_accepted(fx, accepted[i], "net.ipv4.tcp_tw_reuse 1");
}

static void test_reuse_zero_and_two_unrestricted(void **state)
{
	struct fixture *fx = *state;

	expect_accepted(fx, "true", "net.ipv4.tcp_tw_reuse 2");
	expect_accepted(fx, "classification == \"inbound-heavy\"", "net.ipv4.tcp_tw_reuse 0");
	expect_accepted(fx, "net.ipv4.tcp_timestamps == 0", "net.ipv4.tcp_tw_reuse 0");
}

/* The guard at evaluation, the honest way: a valid reuse rule gives reuse
 * = 1 only to an outbound-heavy host with timestamps on. */
static void test_reuse_rule_fires_only_where_allowed(void **state)
{
	struct fixture *fx = *state;
	struct rule_set set;
	struct rule_errors errors;
	struct findings fs;

	assert_int_equal(parse_setting_rule(fx,
					    "classification == \"outbound-heavy\" && "
					    "net.ipv4.tcp_timestamps != 0",
					    "net.ipv4.tcp_tw_reuse 1", &set, &errors),
			 0);
	quiet_host(&fx->facts);
	classify_as(&fx->facts, HOST_OUTBOUND_HEAVY, 0.9);
	assert_int_equal(engine_evaluate(&set, &fx->facts, &fs), 0);
	assert_int_equal(fs.count, 1);
	assert_setting(&fs.items[0], KNOB_TCP_TW_REUSE, "2", "1");
	findings_free(&fs);

	classify_as(&fx->facts, HOST_INBOUND_HEAVY, 0.1);
	assert_int_equal(engine_evaluate(&set, &fx->facts, &fs), 0);
	assert_int_equal(fs.count, 0);
	findings_free(&fs);

	classify_as(&fx->facts, HOST_OUTBOUND_HEAVY, 0.9);
	set_sysctl(&fx->facts, KNOB_TCP_TIMESTAMPS, "0");
	assert_int_equal(engine_evaluate(&set, &fx->facts, &fs), 0);
	assert_int_equal(fs.count, 0);
	findings_free(&fs);

	set_sysctl(&fx->facts, KNOB_TCP_TIMESTAMPS, NULL);
	assert_int_equal(engine_evaluate(&set, &fx->facts, &fs), 0);
	assert_int_equal(fs.count, 0);
	findings_free(&fs);
	rules_free(&set);
}

/* The guard itself: a rule that slipped past the load-time check (built
 * here by hand, as a bug in the loader would) fires, but its forbidden
 * settings are dropped on the facts. */
static void hand_built_rule(struct rule_set *set)
{
	struct expr_error err;
	struct rule *r;

	set->count = 1;
	set->rules = calloc(1, sizeof(*set->rules));
	assert_non_null(set->rules);
	r = &set->rules[0];
	snprintf(r->id, sizeof(r->id), "slipped-through");
	r->severity = SEVERITY_WARNING;
	r->title = strdup("bypasses the loader");
	r->when = expr_parse("true", 1, 1, fact_known, &err);
	assert_non_null(r->when);
	r->settings = calloc(2, sizeof(*r->settings));
	assert_non_null(r->settings);
	r->settings[0].key = KNOB_TCP_TW_RECYCLE;
	r->settings[0].value = knob_value_int(1);
	r->settings[1].key = KNOB_TCP_TW_REUSE;
	r->settings[1].value = knob_value_int(1);
	r->setting_count = 2;
}

static void test_evaluation_guard_drops_forbidden_settings(void **state)
{
	struct fixture *fx = *state;
	struct rule_set set = {0};
	struct findings fs;

	hand_built_rule(&set);
	quiet_host(&fx->facts);
	set_kernel(&fx->facts, 4, 9, 0);
	set_sysctl(&fx->facts, KNOB_TCP_TW_RECYCLE, "0");

	classify_as(&fx->facts, HOST_INBOUND_HEAVY, 0.1);
	assert_int_equal(engine_evaluate(&set, &fx->facts, &fs), 0);
	assert_int_equal(fs.count, 1);
	assert_int_equal(fs.items[0].setting_count, 0);
	findings_free(&fs);

	classify_as(&fx->facts, HOST_OUTBOUND_HEAVY, 0.9);
	set_sysctl(&fx->facts, KNOB_TCP_TIMESTAMPS, "0");
	assert_int_equal(engine_evaluate(&set, &fx->facts, &fs), 0);
	assert_int_equal(fs.items[0].setting_count, 0);
	findings_free(&fs);

	set_sysctl(&fx->facts, KNOB_TCP_TIMESTAMPS, NULL);
	assert_int_equal(engine_evaluate(&set, &fx->facts, &fs), 0);
	assert_int_equal(fs.items[0].setting_count, 0);
	findings_free(&fs);

	/* allowed here: reuse stays, recycle still goes */
	set_sysctl(&fx->facts, KNOB_TCP_TIMESTAMPS, "1");
	assert_int_equal(engine_evaluate(&set, &fx->facts, &fs), 0);
	assert_int_equal(fs.items[0].setting_count, 1);
	assert_setting(&fs.items[0], KNOB_TCP_TW_REUSE, "2", "1");
	assert_no_setting(&fs.items[0], KNOB_TCP_TW_RECYCLE);
	findings_free(&fs);
	rules_free(&set);
}

/* --------------------------------------------- C. shipped and override */

static void write_simple(const char *root, const char *rel, const char *id)
{
	char text[256];

	snprintf(text, sizeof(text), "[rule %s]\nseverity = info\ntitle = %s\nwhen = true\n", id,
		 rel);
	fixture_write(root, rel, text);
}

static void test_override_replaces_disables_adds(void **state)
{
	struct fixture *fx = *state;
	struct rule_set set;
	struct rule_errors errors;
	char shipped[PATH_MAX], local[PATH_MAX];

	write_simple(fx->root, "shipped/a.rule", "a");
	write_simple(fx->root, "shipped/b.rule", "b");
	write_simple(fx->root, "shipped/c.rule", "c");
	write_simple(fx->root, "local/a.rule", "a"); /* replaces, same id */
	fixture_write(fx->root, "local/b.rule", ""); /* disables */
	write_simple(fx->root, "local/d.rule", "d"); /* adds */
	fixture_join(shipped, sizeof(shipped), fx->root, "shipped");
	fixture_join(local, sizeof(local), fx->root, "local");

	if (rules_load(shipped, local, &set, &errors) != 0)
		fail_msg("the override did not load:%s", all_errors(&errors));
	assert_int_equal(set.count, 3);
	assert_non_null(rules_find(&set, "a"));
	assert_string_equal(rules_find(&set, "a")->title, "local/a.rule");
	assert_null(rules_find(&set, "b"));
	assert_string_equal(rules_find(&set, "c")->title, "shipped/c.rule");
	assert_string_equal(rules_find(&set, "d")->title, "local/d.rule");
	rules_free(&set);

	/* without the override: the shipped three */
	assert_int_equal(rules_load(shipped, NULL, &set, &errors), 0);
	assert_string_equal(ids_of(&set), "a b c");
	rules_free(&set);
}

/* twtune.rules(5): a file of comments only, or a symbolic link to
 * /dev/null, disables its shipped namesake as an empty file does. */
static void test_override_disables_by_comments_or_dev_null(void **state)
{
	struct fixture *fx = *state;
	struct rule_set set;
	struct rule_errors errors;
	char shipped[PATH_MAX], local[PATH_MAX];

	write_simple(fx->root, "shipped/a.rule", "a");
	write_simple(fx->root, "shipped/b.rule", "b");
	write_simple(fx->root, "shipped/c.rule", "c");
	fixture_write(fx->root, "local/a.rule", "# not on this fleet\n\n# (see ticket 42)\n");
	fixture_symlink(fx->root, "local/b.rule", "/dev/null");
	fixture_join(shipped, sizeof(shipped), fx->root, "shipped");
	fixture_join(local, sizeof(local), fx->root, "local");
	if (rules_load(shipped, local, &set, &errors) != 0)
		fail_msg("the override did not load:%s", all_errors(&errors));
	assert_string_equal(ids_of(&set), "c");
	rules_free(&set);
}

static void test_override_replaces_whole_file(void **state)
{
	struct fixture *fx = *state;
	struct rule_set set;
	struct rule_errors errors;
	char shipped[PATH_MAX], local[PATH_MAX];

	/* the local file drops one of the two rules its shipped namesake had */
	fixture_write(fx->root, "shipped/pair.rule",
		      "[rule one]\nseverity = info\ntitle = 1\nwhen = true\n"
		      "[rule two]\nseverity = info\ntitle = 2\nwhen = true\n");
	fixture_write(fx->root, "local/pair.rule",
		      "[rule two]\nseverity = critical\ntitle = mine\nwhen = false\n");
	fixture_join(shipped, sizeof(shipped), fx->root, "shipped");
	fixture_join(local, sizeof(local), fx->root, "local");
	assert_int_equal(rules_load(shipped, local, &set, &errors), 0);
	assert_string_equal(ids_of(&set), "two");
	assert_int_equal(set.rules[0].severity, SEVERITY_CRITICAL);
	rules_free(&set);
}

static void test_missing_override_dir_is_fine(void **state)
{
	struct fixture *fx = *state;
	struct rule_set set;
	struct rule_errors errors;
	char shipped[PATH_MAX], local[PATH_MAX];

	write_simple(fx->root, "shipped/a.rule", "a");
	fixture_join(shipped, sizeof(shipped), fx->root, "shipped");
	fixture_join(local, sizeof(local), fx->root, "no-such-dir");
	assert_int_equal(rules_load(shipped, local, &set, &errors), 0);
	assert_int_equal(errors.count, 0);
	assert_string_equal(ids_of(&set), "a");
	rules_free(&set);

	/* an override path that is not a directory is a problem, reported;
	 * the shipped rules still load */
	fixture_write(fx->root, "not-a-dir", "x");
	fixture_join(local, sizeof(local), fx->root, "not-a-dir");
	assert_int_equal(rules_load(shipped, local, &set, &errors), -EINVAL);
	assert_error_at(fx, &errors, "not-a-dir is a regular file", "not a directory");
	assert_string_equal(ids_of(&set), "a");
	rules_free(&set);
}

/* Rules decide what root writes: a directory or a file others may write,
 * or a FIFO, is refused and named, and nothing in it is loaded; a symlink
 * an administrator made in a trusted directory is followed and its target
 * judged. */
static void test_rules_only_from_trusted_places(void **state)
{
	struct fixture *fx = *state;
	struct rule_set set;
	struct rule_errors errors;
	char shipped[PATH_MAX], local[PATH_MAX], path[PATH_MAX];

	write_simple(fx->root, "shipped/a.rule", "a");
	write_simple(fx->root, "local/b.rule", "b");
	fixture_join(shipped, sizeof(shipped), fx->root, "shipped");
	fixture_join(local, sizeof(local), fx->root, "local");

	assert_int_equal(chmod(local, 0777), 0);
	assert_int_equal(rules_load(shipped, local, &set, &errors), -EINVAL);
	assert_error_at(fx, &errors, "local is writable by group or others (mode 0777)",
			"only from directories no one else may write");
	assert_string_equal(ids_of(&set), "a");
	rules_free(&set);
	assert_int_equal(chmod(local, 0755), 0);

	fixture_join(path, sizeof(path), local, "b.rule");
	assert_int_equal(chmod(path, 0666), 0);
	assert_int_equal(rules_load(shipped, local, &set, &errors), -EINVAL);
	assert_error_at(fx, &errors, "local/b.rule is writable by group or others", "(mode 0666)");
	rules_free(&set);
	assert_int_equal(unlink(path), 0);

	assert_int_equal(mkfifo(path, 0644), 0);
	assert_int_equal(rules_load(shipped, local, &set, &errors), -EINVAL);
	assert_error_at(fx, &errors, "local/b.rule is a FIFO", "not a regular file");
	rules_free(&set);
	assert_int_equal(unlink(path), 0);

	write_simple(fx->root, "elsewhere/c.rule", "c");
	fixture_join(shipped, sizeof(shipped), fx->root, "elsewhere/c.rule");
	assert_int_equal(symlink(shipped, path), 0);
	fixture_join(shipped, sizeof(shipped), fx->root, "shipped");
	assert_int_equal(rules_load(shipped, local, &set, &errors), 0);
	assert_string_equal(ids_of(&set), "a c");
	rules_free(&set);

	assert_int_equal(chmod(shipped, 0777), 0);
	assert_int_equal(rules_load(shipped, local, &set, &errors), -EPERM);
	assert_error_at(fx, &errors, "shipped is writable by group or others", "(mode 0777)");
	assert_int_equal(set.count, 0);
	rules_free(&set);
	assert_int_equal(chmod(shipped, 0755), 0);
}

static void test_missing_shipped_dir(void **state)
{
	struct fixture *fx = *state;
	struct rule_set set;
	struct rule_errors errors;
	char shipped[PATH_MAX];

	fixture_join(shipped, sizeof(shipped), fx->root, "gone");
	assert_int_equal(rules_load(shipped, NULL, &set, &errors), -ENOENT);
	assert_int_equal(set.count, 0);
	assert_int_equal(errors.count, 1);
	assert_error(fx, &errors,
		     "gone: cannot read the rules directory: No such file or directory");
	rules_free(&set);
}

static void test_only_rule_files_are_read(void **state)
{
	struct fixture *fx = *state;
	struct rule_set set;
	struct rule_errors errors;
	char shipped[PATH_MAX];
	static const char garbage[] = "this is not a rule file\n";

	write_simple(fx->root, "shipped/real.rule", "real");
	fixture_write(fx->root, "shipped/README", garbage);
	fixture_write(fx->root, "shipped/notes.rules", garbage);
	fixture_write(fx->root, "shipped/old.rule~", garbage);
	fixture_write(fx->root, "shipped/old.rule.bak", garbage);
	fixture_write(fx->root, "shipped/.hidden.rule", garbage);
	fixture_write(fx->root, "shipped/.rule", garbage);
	fixture_write(fx->root, "shipped/rule", garbage);
	fixture_join(shipped, sizeof(shipped), fx->root, "shipped");
	if (rules_load(shipped, NULL, &set, &errors) != 0)
		fail_msg("a file that is not *.rule was read:%s", all_errors(&errors));
	assert_string_equal(ids_of(&set), "real");
	rules_free(&set);
}

static void test_load_order_is_file_name_order(void **state)
{
	struct fixture *fx = *state;
	struct rule_set set;
	struct rule_errors errors;
	char shipped[PATH_MAX];

	/* created out of order; directory order is the file system's */
	write_simple(fx->root, "shipped/20-b.rule", "b");
	write_simple(fx->root, "shipped/30-c.rule", "c");
	write_simple(fx->root, "shipped/10-a.rule", "a");
	write_simple(fx->root, "shipped/100-z.rule", "z");
	fixture_join(shipped, sizeof(shipped), fx->root, "shipped");
	assert_int_equal(rules_load(shipped, NULL, &set, &errors), 0);
	assert_string_equal(ids_of(&set), "a z b c"); /* strcmp order: "100-" before "20-" */
	rules_free(&set);
}

/* Rules from both directories load in one file-name order, as rules.h and
 * twtune.rules(5) promise: `twtune rules` lists them so, and of two files
 * defining one id the one loaded first wins. */
static void test_load_order_across_dirs(void **state)
{
	struct fixture *fx = *state;
	struct rule_set set;
	struct rule_errors errors;
	char shipped[PATH_MAX], local[PATH_MAX], order[64];

	write_simple(fx->root, "shipped/10-a.rule", "a");
	write_simple(fx->root, "shipped/30-c.rule", "c");
	write_simple(fx->root, "local/10-a.rule", "a");
	write_simple(fx->root, "local/20-b.rule", "b");
	fixture_join(shipped, sizeof(shipped), fx->root, "shipped");
	fixture_join(local, sizeof(local), fx->root, "local");
	assert_int_equal(rules_load(shipped, local, &set, &errors), 0);
	snprintf(order, sizeof(order), "%s", ids_of(&set));
	rules_free(&set);
	assert_string_equal(order, "a b c");
}

/* ------------------------------------------------- D. the shipped rules */

static const char *const shipped_ids[] = {
	"bind-before-connect",
	"conntrack-insert-failed",
	"conntrack-near-full",
	"fin-timeout-lowered",
	"inbound-time-wait-dominant",
	"listening-in-ephemeral-range",
	"loopback-upstream-churn",
	"nodeports-in-ephemeral-range",
	"outbound-churn-owner",
	"outbound-concentrated",
	"paws-rejections",
	"peer-lacks-timestamps",
	"port-range-narrow",
	"port-range-parity",
	"snat-not-fully-random",
	"snat-port-pressure",
	"snat-time-wait-timeout",
	"tw-buckets-near-limit",
	"tw-recycle-enabled",
	"tw-recycle-with-nat",
	"tw-reuse-active",
	"tw-reuse-for-outbound-pressure",
	"tw-reuse-on-inbound-host",
	"tw-reuse-without-timestamps",
};

static void test_shipped_rules_load_cleanly(void **state)
{
	struct rule_set set;

	(void)state;
	load_shipped(&set);
	assert_int_equal(set.count, SHIPPED_RULE_COUNT);
	assert_int_equal(sizeof(shipped_ids) / sizeof(shipped_ids[0]), SHIPPED_RULE_COUNT);
	for (size_t i = 0; i < SHIPPED_RULE_COUNT; i++) {
		const struct rule *r = rules_find(&set, shipped_ids[i]);

		if (!r)
			fail_msg("%s is not shipped", shipped_ids[i]);
		assert_non_null(r->explanation);
		assert_true(r->reference_count > 0);
	}
	rules_free(&set);
}

static void test_quiet_host_has_no_findings(void **state)
{
	struct fixture *fx = *state;
	struct judgement j;

	quiet_host(&fx->facts);
	judge(&fx->facts, &j);
	if (j.findings.count)
		fail_msg("a quiet host got %s", finding_ids(&j.findings));
	assert_int_equal(findings_worst(&j.findings), SEVERITY_NONE);
	judgement_free(&j);
}

/* On a host whose counters were read once (no --sample, no previous run)
 * every shipped rule is decided: none needs a rate it cannot have (rates.*
 * are undefined then, so a rule must guard them with defined()). */
static void test_quiet_host_decides_every_rule(void **state)
{
	struct fixture *fx = *state;
	struct judgement j;

	size_t undetermined;

	quiet_host(&fx->facts);
	judge(&fx->facts, &j);
	undetermined = j.findings.undetermined;
	judgement_free(&j);
	assert_int_equal(undetermined, 0);
}

static void test_undetermined_counted(void **state)
{
	struct fixture *fx = *state;
	struct rule_set set;
	struct rule_errors errors;
	struct findings fs;
	struct judgement j;

	/* facts_init only: no census, no sysctls, no kernel */
	assert_int_equal(parse_text(fx, "u.rule",
				    "[rule needs-census]\nseverity = info\ntitle = a\n"
				    "when = sockets.time_wait > 10\n"
				    "[rule checks-first]\nseverity = info\ntitle = b\n"
				    "when = defined(sockets.time_wait) && sockets.time_wait > 10\n"
				    "[rule true-anyway]\nseverity = info\ntitle = c\n"
				    "when = sockets.time_wait > 10 || true\n",
				    &set, &errors),
			 0);
	assert_int_equal(engine_evaluate(&set, &fx->facts, &fs), 0);
	assert_int_equal(fs.undetermined, 1);
	assert_string_equal(finding_ids(&fs), "true-anyway");
	findings_free(&fs);
	rules_free(&set);

	/* the shipped rules: the seven that need the census, the port range
	 * or the kernel version; the rest are decided false by defined() or
	 * nat.present (tw-buckets-near-limit too: it reads a rate of
	 * overflows, never the counter since boot) */
	judge(&fx->facts, &j);
	assert_int_equal(j.findings.count, 0);
	assert_int_equal(j.findings.undetermined, 7);
	judgement_free(&j);
}

/* ---- tcp_tw_recycle */

static void recycling_host(struct tw_facts *f, int nat)
{
	quiet_host(f);
	set_kernel(f, 4, 9, 0);
	set_sysctl(f, KNOB_TCP_TW_RECYCLE, "1");
	f->nat.present = nat;
}

static void recycling_with_nat(struct tw_facts *f)
{
	recycling_host(f, 1);
}

static void recycling_without_nat(struct tw_facts *f)
{
	recycling_host(f, 0);
}

static void recycling_nat_unknown(struct tw_facts *f)
{
	recycling_without_nat(f);
	f->nat.present = -1;
}

/* 4.12 and later: the key is gone */
static void recycle_gone(struct tw_facts *f)
{
	recycling_host(f, 1);
	set_sysctl(f, KNOB_TCP_TW_RECYCLE, "0");
	quiet_host(f);
	f->nat.present = 1;
}

static const struct verdict recycle_verdicts[] = {
	{"recycle with NAT", recycling_with_nat, .fires = "tw-recycle-with-nat",
	 .severity = SEVERITY_CRITICAL, .settings = {{KNOB_TCP_TW_RECYCLE, "1", "0"}},
	 .summary_starts = "tcp_tw_recycle = 1 on a host that translates addresses",
	 .silent = {"tw-recycle-enabled"}, .count = 1},
	{"recycle without NAT", recycling_without_nat, .fires = "tw-recycle-enabled",
	 .severity = SEVERITY_CRITICAL, .settings = {{KNOB_TCP_TW_RECYCLE, "1", "0"}},
	 .summary = "tcp_tw_recycle = 1: SYNs from clients that share an address behind NAT are "
		    "silently dropped; set it to 0",
	 .silent = {"tw-recycle-with-nat"}},
	/* still the plain finding, once */
	{"recycle, NAT unknown", recycling_nat_unknown, .fires = "tw-recycle-enabled",
	 .severity = SEVERITY_CRITICAL, .silent = {"tw-recycle-with-nat"}},
	{"recycle off", recycling_with_nat, .sysctl = {{KNOB_TCP_TW_RECYCLE, "0"}},
	 .silent = {"tw-recycle-with-nat", "tw-recycle-enabled"}},
	{"recycle gone", recycle_gone, .silent = {"tw-recycle-with-nat", "tw-recycle-enabled"}},
};

static void test_proc_nat_4_9(void **state)
{
	struct fixture *fx = *state;
	struct judgement j;
	const struct finding *fd;

	inspect_tree(&fx->facts, "proc-nat-4.9", NULL);
	assert_int_equal(fx->facts.nat.present, 1);
	judge(&fx->facts, &j);
	fd = assert_fires(&j.findings, "tw-recycle-with-nat", SEVERITY_CRITICAL);
	assert_setting(fd, KNOB_TCP_TW_RECYCLE, "1", "0");
	assert_int_equal(fd->setting_count, 1);
	assert_silent(&j.findings, "tw-recycle-enabled");
	/* 1024 65000: both even, and 4.9 has the parity preference */
	fd = assert_fires(&j.findings, "port-range-parity", SEVERITY_INFO);
	assert_setting(fd, KNOB_IP_LOCAL_PORT_RANGE, "1024 65000", "1024 64999");
	assert_summary_starts(fd, "ip_local_port_range 1024 65000 starts and ends on ports of the "
				  "same parity");
	/* 8080 and 9000 listen inside the range but are reserved */
	assert_silent(&j.findings, "listening-in-ephemeral-range");
	assert_string_equal(finding_ids(&j.findings), "tw-recycle-with-nat port-range-parity");
	assert_int_equal(findings_worst(&j.findings), SEVERITY_CRITICAL);
	judgement_free(&j);
}

/* ---- tcp_tw_reuse */

static void outbound_pressure(struct tw_facts *f)
{
	pressured_client(f, HOST_OUTBOUND_HEAVY, 0.99);
}

/* little pressure toward any one destination, but 12000 closes a minute */
static void many_closes(struct tw_facts *f)
{
	quiet_host(f);
	set_sysctl(f, KNOB_TCP_TW_REUSE, "0");
	set_time_wait(f, 12000, 0);
	add_destination(f, AF_INET, "10.0.0.5", 443, 3000, 3000);
	classify_as(f, HOST_OUTBOUND_HEAVY, 1);
}

/* 10.6% toward it, 9999 closes */
static void fewer_closes(struct tw_facts *f)
{
	many_closes(f);
	set_time_wait(f, 9999, 0);
}

/* or 20% of the range toward one destination: 21.0% */
static void one_destination_above(struct tw_facts *f)
{
	fewer_closes(f);
	f->census.top_count = 0;
	f->census.worst_tuple_ports = 0;
	add_destination(f, AF_INET, "10.0.0.5", 443, 3000, 5929);
}

/* 19.0% */
static void one_destination_below(struct tw_facts *f)
{
	one_destination_above(f);
	f->census.top_count = 0;
	f->census.worst_tuple_ports = 0;
	add_destination(f, AF_INET, "10.0.0.5", 443, 3000, 5364);
}

static void inbound_pressure(struct tw_facts *f)
{
	pressured_client(f, HOST_INBOUND_HEAVY, 0.05);
}

static void mixed_pressure(struct tw_facts *f)
{
	pressured_client(f, HOST_MIXED, 0.5);
}

static void loopback_top(struct tw_facts *f)
{
	busy_client(f, AF_INET, "127.0.0.1", 8080, 13000, 14000);
	f->census.local_ports_in_use = 0;
}

static void inbound_host(struct tw_facts *f)
{
	quiet_host(f);
	classify_as(f, HOST_INBOUND_HEAVY, 0.125);
}

static void outbound_host(struct tw_facts *f)
{
	quiet_host(f);
	classify_as(f, HOST_OUTBOUND_HEAVY, 0.9);
}

static const struct verdict reuse_verdicts[] = {
	{"reuse for outbound pressure", outbound_pressure,
	 .fires = "tw-reuse-for-outbound-pressure", .severity = SEVERITY_WARNING,
	 .settings = {{KNOB_TCP_TW_REUSE, "2", "1"}}, .only_these = true,
	 .summary = "10.0.0.5:5432 holds 14000 of 28232 ephemeral ports (49.6%); without reuse it "
		    "sustains at most 470.5 new connections/s, and about 150/s are closing now, "
		    "averaged over the last 60 s (headroom 320.5/s)",
	 .silent = {"port-range-narrow"}}, /* 49.6% < 50% */
	/* reuse already 1: nothing to say */
	{"reuse for outbound pressure, already on", outbound_pressure,
	 .sysctl = {{KNOB_TCP_TW_REUSE, "1"}}, .silent = {"tw-reuse-for-outbound-pressure"}},
	{"reuse for many closes", many_closes, .fires = "tw-reuse-for-outbound-pressure",
	 .severity = SEVERITY_WARNING, .settings = {{KNOB_TCP_TW_REUSE, "0", "1"}}},
	{"reuse not for fewer closes", fewer_closes, .silent = {"tw-reuse-for-outbound-pressure"}},
	{"reuse for 21% toward one destination", one_destination_above,
	 .fires = "tw-reuse-for-outbound-pressure", .severity = SEVERITY_WARNING},
	{"reuse not for 19% toward one destination", one_destination_below,
	 .silent = {"tw-reuse-for-outbound-pressure"}},
	{"reuse never on an inbound host, reuse 0", inbound_pressure,
	 .sysctl = {{KNOB_TCP_TW_REUSE, "0"}}, .silent = {"tw-reuse-for-outbound-pressure"},
	 .nobody = {KNOB_TCP_TW_REUSE, NULL, "1"}},
	{"reuse never on an inbound host, reuse 2", inbound_pressure,
	 .sysctl = {{KNOB_TCP_TW_REUSE, "2"}}, .silent = {"tw-reuse-for-outbound-pressure"},
	 .nobody = {KNOB_TCP_TW_REUSE, NULL, "1"}},
	{"reuse never on a mixed host", mixed_pressure, .nobody = {KNOB_TCP_TW_REUSE, NULL, "1"}},
	{"reuse never without timestamps", outbound_pressure,
	 .sysctl = {{KNOB_TCP_TIMESTAMPS, "0"}}, .silent = {"tw-reuse-for-outbound-pressure"},
	 .nobody = {KNOB_TCP_TW_REUSE, NULL, "1"}},
	{"reuse never with timestamps unknown", outbound_pressure,
	 .sysctl = {{KNOB_TCP_TIMESTAMPS, .absent = true}},
	 .nobody = {KNOB_TCP_TW_REUSE, NULL, "1"}},
	{"reuse 2 with a loopback top", loopback_top, .fires = "loopback-upstream-churn",
	 .severity = SEVERITY_INFO, .silent = {"tw-reuse-for-outbound-pressure"},
	 .nobody = {KNOB_TCP_TW_REUSE, NULL, "1"}},
	/* mode 0 does not reuse on loopback: then reuse helps */
	{"reuse 0 with a loopback top", loopback_top, .sysctl = {{KNOB_TCP_TW_REUSE, "0"}},
	 .fires = "tw-reuse-for-outbound-pressure", .severity = SEVERITY_WARNING,
	 .settings = {{KNOB_TCP_TW_REUSE, "0", "1"}}},
	{"reuse on an inbound host", inbound_host, .sysctl = {{KNOB_TCP_TW_REUSE, "1"}},
	 .fires = "tw-reuse-on-inbound-host", .severity = SEVERITY_INFO, .only_these = true,
	 .summary_starts = "tcp_tw_reuse = 1 on an inbound-heavy host (87.5% inbound): "},
	{"reuse on an outbound host", outbound_host, .sysctl = {{KNOB_TCP_TW_REUSE, "1"}},
	 .silent = {"tw-reuse-on-inbound-host"}},
	{"reuse 2 on an inbound host", inbound_host, .sysctl = {{KNOB_TCP_TW_REUSE, "2"}},
	 .silent = {"tw-reuse-on-inbound-host"}},
	{"reuse without timestamps", quiet_host,
	 .sysctl = {{KNOB_TCP_TW_REUSE, "1"}, {KNOB_TCP_TIMESTAMPS, "0"}},
	 .fires = "tw-reuse-without-timestamps", .severity = SEVERITY_WARNING,
	 .settings = {{KNOB_TCP_TIMESTAMPS, "0", "1"}},
	 .summary_starts = "tcp_timestamps = 0 turns off every kind of TIME_WAIT reuse "
			   "(tcp_tw_reuse = 1, "},
	{"reuse with timestamps 2", quiet_host,
	 .sysctl = {{KNOB_TCP_TW_REUSE, "1"}, {KNOB_TCP_TIMESTAMPS, "2"}},
	 .silent = {"tw-reuse-without-timestamps"}},
	{"reuse 2 without timestamps", quiet_host,
	 .sysctl = {{KNOB_TCP_TW_REUSE, "2"}, {KNOB_TCP_TIMESTAMPS, "0"}},
	 .silent = {"tw-reuse-without-timestamps"}},
};

/* ---- the port range */

static void narrow_range_listeners_below(struct tw_facts *f)
{
	static const unsigned listening[] = {8080, 9000};

	quiet_host(f);
	set_port_range(f, 32768, 32768);
	set_listening(f, listening, 2);
	add_destination(f, AF_INET, "10.0.0.5", 5432, 1, 1);
	f->census.local_ports_in_use = 1;
	set_time_wait(f, 1, 0);
}

static void narrow_range_listeners_inside(struct tw_facts *f)
{
	static const unsigned listening[] = {22, 5432, 8080, 40000, 62000};

	quiet_host(f);
	set_reserved(f, "40001-40002");
	set_listening(f, listening, 5);
	add_destination(f, AF_INET, "10.0.0.5", 5432, 5000, 8470);
	f->census.local_ports_in_use = 17000;
	set_time_wait(f, 5000, 0);
}

static void narrow_range_unprivileged_start(struct tw_facts *f)
{
	static const unsigned listening[] = {8080};

	quiet_host(f);
	set_unprivileged_start(f, 10001);
	set_listening(f, listening, 1);
	add_destination(f, AF_INET, "10.0.0.5", 5432, 100, 15000);
}

/* 49.6% both */
static void half_the_range(struct tw_facts *f)
{
	quiet_host(f);
	add_destination(f, AF_INET, "10.0.0.5", 5432, 100, 14000);
	f->census.local_ports_in_use = 14000;
}

static void half_the_range_no_census(struct tw_facts *f)
{
	half_the_range(f);
	f->census.available = false;
}

static void range_of_one_parity(struct tw_facts *f)
{
	quiet_host(f);
	set_port_range(f, 32768, 61000);
}

static void range_of_one_parity_4_6(struct tw_facts *f)
{
	range_of_one_parity(f);
	set_kernel(f, 4, 6, 0);
}

static void range_of_one_parity_4_5(struct tw_facts *f)
{
	range_of_one_parity_4_6(f);
	set_kernel(f, 4, 5, 7);
}

static void nat_4_9_as_4_4(struct tw_facts *f)
{
	inspect_tree(f, "proc-nat-4.9", "4.4");
}

static void listening_in_range(struct tw_facts *f)
{
	static const unsigned listening[] = {22, 8080, 9000, 9001};
	static const unsigned in_range[] = {8080, 9001};

	quiet_host(f);
	set_port_range(f, 1024, 65001);
	set_reserved(f, "9000");
	set_listening(f, listening, 4);
	set_listen_in_range(f, in_range, 2);
}

/* all reserved */
static void listening_in_range_reserved(struct tw_facts *f)
{
	listening_in_range(f);
	set_reserved(f, "8080,9000-9001");
	set_listen_in_range(f, NULL, 0);
}

static void twenty_listening_in_range(struct tw_facts *f)
{
	unsigned ports[20];

	for (unsigned i = 0; i < 20; i++)
		ports[i] = 40000 + 2 * i;
	quiet_host(f);
	set_listening(f, ports, 20);
	set_listen_in_range(f, ports, 20);
}

static const struct verdict port_range_verdicts[] = {
	/* upward is room enough: the listeners below are never reached, and
	 * nothing listens where the new range reaches */
	{"port range narrow, listeners below it", narrow_range_listeners_below,
	 .fires = "port-range-narrow", .severity = SEVERITY_WARNING,
	 .settings = {{KNOB_IP_LOCAL_PORT_RANGE, "32768 32768", "32768 65535"},
		      {KNOB_IP_LOCAL_RESERVED_PORTS, .none = true}},
	 .only_these = true,
	 .summary = "100% of ip_local_port_range (32768 32768, 1 ports) is in use, up to 1 "
		    "ports toward one destination; widening it to 32768 65535 adds 32767 ports"},
	/* 17000 ports in use: upward is not room for four times that, so
	 * down to the floor, 10000 (22, 5432 and 8080 stay below it); 40000
	 * inside the range and 62000 inside the wider one are reserved, and
	 * what was reserved stays */
	{"port range narrow, listeners inside it", narrow_range_listeners_inside,
	 .fires = "port-range-narrow", .severity = SEVERITY_WARNING,
	 .settings = {{KNOB_IP_LOCAL_PORT_RANGE, "32768 60999", "10000 65535"},
		      {KNOB_IP_LOCAL_RESERVED_PORTS, "40001-40002", "40000-40002,62000"}},
	 .summary = "60.2% of ip_local_port_range (32768 60999, 28232 ports) is in use, up "
		    "to 8470 ports toward one destination; widening it to 10000 65535 adds 27304 "
		    "ports"},
	{"port range narrow, above the unprivileged start", narrow_range_unprivileged_start,
	 .fires = "port-range-narrow", .severity = SEVERITY_WARNING,
	 .settings = {{KNOB_IP_LOCAL_PORT_RANGE, "32768 60999", "10002 65535"}}},
	{"port range not narrow", half_the_range, .silent = {"port-range-narrow"}},
	{"port range not narrow, no census", half_the_range_no_census,
	 .silent = {"port-range-narrow"}},
	{"port range of one parity", range_of_one_parity, .fires = "port-range-parity",
	 .severity = SEVERITY_INFO,
	 .settings = {{KNOB_IP_LOCAL_PORT_RANGE, "32768 61000", "32768 60999"}}},
	{"port range of one parity, 4.6", range_of_one_parity_4_6, .fires = "port-range-parity",
	 .severity = SEVERITY_INFO},
	{"port range of one parity, 4.5", range_of_one_parity_4_5, .silent = {"port-range-parity"}},
	{"port range of both parities", quiet_host, .silent = {"port-range-parity"}},
	{"port range parity, kernel given", nat_4_9_as_4_4, .fires = "tw-recycle-with-nat",
	 .severity = SEVERITY_CRITICAL, .silent = {"port-range-parity"}},
	{"listening in the ephemeral range", listening_in_range,
	 .fires = "listening-in-ephemeral-range", .severity = SEVERITY_WARNING,
	 .settings = {{KNOB_IP_LOCAL_RESERVED_PORTS, "9000", "8080,9000-9001"}}, .only_these = true,
	 .summary_starts = "listening ports 8080, 9001 lie inside ip_local_port_range (1024 65001) "
			   "and are not reserved"},
	{"listening in the ephemeral range, reserved", listening_in_range_reserved,
	 .silent = {"listening-in-ephemeral-range"}},
	{"listening in the ephemeral range, a long list", twenty_listening_in_range,
	 .fires = "listening-in-ephemeral-range", .severity = SEVERITY_WARNING,
	 .settings = {{KNOB_IP_LOCAL_RESERVED_PORTS, "",
		       "40000,40002,40004,40006,40008,40010,40012,40014,40016,40018,40020,40022,"
		       "40024,40026,40028,40030,40032,40034,40036,40038"}},
	 .summary_has = {"40028, 40030, ... lie inside"}},
};

/* ---- tcp_max_tw_buckets */

static void buckets_near_limit(struct tw_facts *f)
{
	quiet_host(f);
	set_sysctl(f, KNOB_TCP_MAX_TW_BUCKETS, "4096");
	set_time_wait(f, 3000, 900);
}

/* sockstat counts FIN_WAIT2 timewait sockets too, and more than the
 * limit: twice that */
static void buckets_over_limit_in_sockstat(struct tw_facts *f)
{
	buckets_near_limit(f);
	set_counter(f, CTR_SOCKSTAT_TW, 5000);
}

/* 73%: not yet */
static void buckets_73_percent(struct tw_facts *f)
{
	buckets_over_limit_in_sockstat(f);
	set_time_wait(f, 3000, 0);
}

static void buckets_overflowed(struct tw_facts *f)
{
	quiet_host(f);
	set_time_wait(f, 100, 0);
	set_counter(f, CTR_TIME_WAIT_OVERFLOW, 17);
}

/* overflows since the previous run of twtune: happening now */
static void buckets_overflowing_since_previous_run(struct tw_facts *f)
{
	buckets_overflowed(f);
	f->rates.basis = RATES_PREVIOUS_RUN;
	f->rates.interval = 3600;
	f->rates.valid[CTR_TIME_WAIT_OVERFLOW] = true;
	f->rates.per_second[CTR_TIME_WAIT_OVERFLOW] = 17.0 / 3600;
}

/* overflows long ago, none while sampling */
static void buckets_overflowed_before_sampling(struct tw_facts *f)
{
	buckets_overflowed(f);
	f->rates.basis = RATES_SAMPLED;
	f->rates.interval = 5;
	for (int i = 0; i < CTR_COUNT; i++)
		f->rates.valid[i] = !counter_info((enum counter_id)i)->is_gauge;
}

static void buckets_overflowing_while_sampling(struct tw_facts *f)
{
	buckets_overflowed_before_sampling(f);
	f->rates.per_second[CTR_TIME_WAIT_OVERFLOW] = 0.4;
}

static const struct verdict tw_buckets_verdicts[] = {
	{"tw buckets near the limit", buckets_near_limit, .fires = "tw-buckets-near-limit",
	 .severity = SEVERITY_WARNING, .settings = {{KNOB_TCP_MAX_TW_BUCKETS, "4096", "8192"}},
	 .summary = "3900 TIME_WAIT sockets against a limit of 4096, 0 overflows so far; 8192 "
		    "buckets cost at most 2 MiB of kernel memory"},
	{"tw buckets over the limit in sockstat", buckets_over_limit_in_sockstat,
	 .fires = "tw-buckets-near-limit", .severity = SEVERITY_WARNING,
	 .settings = {{KNOB_TCP_MAX_TW_BUCKETS, "4096", "16384"}}},
	{"tw buckets at 73%", buckets_73_percent, .silent = {"tw-buckets-near-limit"}},
	/* overflows since boot, and no rate to tell whether they go on: no
	 * evidence of now */
	{"tw buckets overflowed, no rate", buckets_overflowed, .silent = {"tw-buckets-near-limit"}},
	/* 100 TIME_WAIT need far less than the limit in force, which stands */
	{"tw buckets overflowing since the previous run", buckets_overflowing_since_previous_run,
	 .fires = "tw-buckets-near-limit", .severity = SEVERITY_WARNING,
	 .summary_has = {"100 TIME_WAIT sockets against a limit of 262144, 17 overflows"}},
	{"tw buckets overflowed before sampling", buckets_overflowed_before_sampling,
	 .silent = {"tw-buckets-near-limit"}},
	{"tw buckets overflowing while sampling", buckets_overflowing_while_sampling,
	 .fires = "tw-buckets-near-limit", .severity = SEVERITY_WARNING},
};

/* ---- the rest */

static void inbound_dominant(struct tw_facts *f)
{
	quiet_host(f);
	set_time_wait(f, 100, 2400);
	f->census.top_inbound[0].port = 443;
	f->census.top_inbound[0].time_wait = 2000;
	f->census.top_inbound[1].port = 8443;
	f->census.top_inbound[1].time_wait = 400;
	f->census.top_inbound_count = 2;
	classify_as(f, HOST_INBOUND_HEAVY, 0.04);
}

/* not more than 3 times */
static void inbound_not_dominant(struct tw_facts *f)
{
	inbound_dominant(f);
	set_time_wait(f, 800, 2400);
}

static void inbound_few(struct tw_facts *f)
{
	inbound_not_dominant(f);
	set_time_wait(f, 0, 499);
}

static void outbound_concentrated(struct tw_facts *f)
{
	quiet_host(f);
	set_time_wait(f, 1600, 0);
	add_destination(f, AF_INET, "10.0.0.5", 5432, 1000, 1000);
	add_destination(f, AF_INET, "10.0.0.6", 6379, 250, 250);
	add_destination(f, AF_INET6, "2001:db8::7", 443, 150, 150);
	add_destination(f, AF_INET, "10.0.0.8", 80, 100, 100);
	classify_as(f, HOST_OUTBOUND_HEAVY, 1);
}

/* spread: 1400 of 2000 on the top three */
static void outbound_spread(struct tw_facts *f)
{
	outbound_concentrated(f);
	set_time_wait(f, 2000, 0);
}

static void loopback_churn(struct tw_facts *f)
{
	quiet_host(f);
	set_time_wait(f, 1000, 0);
	add_destination(f, AF_INET, "127.0.0.1", 8080, 900, 900);
	classify_as(f, HOST_OUTBOUND_HEAVY, 1);
}

static void loopback6_churn(struct tw_facts *f)
{
	loopback_churn(f);
	f->census.top_count = 0;
	add_destination(f, AF_INET6, "::1", 8080, 900, 900);
}

/* not loopback: the other rule's case */
static void remote_churn(struct tw_facts *f)
{
	loopback6_churn(f);
	f->census.top_count = 0;
	add_destination(f, AF_INET, "10.0.0.5", 8080, 900, 900);
}

/* outbound_concentrated, with the processes behind 10.0.0.5:5432 mapped
 * (check --processes): 37 of its 40 live sockets are api-worker's */
static void churn_with_owner(struct tw_facts *f)
{
	struct destination_owners *d = &f->owners.destinations[0];

	outbound_concentrated(f);
	f->owners.attempted = true;
	d->live = 40;
	d->unattributed = 3;
	d->count = 1;
	d->owners[0] = (struct socket_owner){.pid = 812,
					     .command = "api-worker",
					     .unit = "api.service",
					     .cgroup = "/system.slice/api.service",
					     .connections = 37};
}

/* the same process outside any unit */
static void churn_with_bare_owner(struct tw_facts *f)
{
	churn_with_owner(f);
	f->owners.destinations[0].owners[0].unit[0] = '\0';
}

/* mapped, but too little churn toward it to be worth a word */
static void calm_with_owner(struct tw_facts *f)
{
	churn_with_owner(f);
	f->census.top[0].time_wait = 100;
}

/* mapped, and nobody holds a live connection there */
static void churn_without_live_owner(struct tw_facts *f)
{
	churn_with_owner(f);
	memset(&f->owners.destinations[0], 0, sizeof(f->owners.destinations[0]));
}

static void gateway(struct tw_facts *f)
{
	inspect_tree(f, "proc-gateway-6.1", NULL);
}

static void gateway_without_nat(struct tw_facts *f)
{
	gateway(f);
	f->nat.present = 0;
}

static const struct verdict other_verdicts[] = {
	{"fin timeout lowered", quiet_host, .sysctl = {{KNOB_TCP_FIN_TIMEOUT, "30"}},
	 .fires = "fin-timeout-lowered", .severity = SEVERITY_INFO, .only_these = true,
	 .summary_starts = "tcp_fin_timeout = 30 s: TIME_WAIT still lasts 60 s; this only"},
	{"fin timeout at the default", quiet_host, .sysctl = {{KNOB_TCP_FIN_TIMEOUT, "60"}},
	 .silent = {"fin-timeout-lowered"}},
	{"fin timeout unknown", quiet_host, .sysctl = {{KNOB_TCP_FIN_TIMEOUT, .absent = true}},
	 .silent = {"fin-timeout-lowered"}},
	{"inbound TIME_WAIT dominant", inbound_dominant, .fires = "inbound-time-wait-dominant",
	 .severity = SEVERITY_INFO, .only_these = true,
	 .summary_starts =
		 "2400 inbound TIME_WAIT sockets on ports 443 (2000 TIME_WAIT), 8443 (400 "
		 "TIME_WAIT): the server closes first"},
	{"inbound TIME_WAIT not dominant", inbound_not_dominant,
	 .silent = {"inbound-time-wait-dominant"}},
	{"inbound TIME_WAIT few", inbound_few, .silent = {"inbound-time-wait-dominant"}},
	{"outbound concentrated", outbound_concentrated, .fires = "outbound-concentrated",
	 .severity = SEVERITY_INFO,
	 .summary =
		 "87.5% of 1600 outbound TIME_WAIT goes to 10.0.0.5:5432 (1000 TIME_WAIT), "
		 "10.0.0.6:6379 (250 TIME_WAIT), [2001:db8::7]:443 (150 TIME_WAIT): pool or keep "
		 "alive the connections to them",
	 .silent = {"loopback-upstream-churn"}},
	{"outbound spread", outbound_spread, .silent = {"outbound-concentrated"}},
	{"loopback upstream churn", loopback_churn, .fires = "loopback-upstream-churn",
	 .severity = SEVERITY_INFO,
	 .summary_starts = "900 outbound TIME_WAIT toward 127.0.0.1:8080 on loopback: ",
	 .silent = {"outbound-concentrated"}},
	{"loopback upstream churn, IPv6", loopback6_churn, .fires = "loopback-upstream-churn",
	 .severity = SEVERITY_INFO,
	 .summary_starts = "900 outbound TIME_WAIT toward [::1]:8080 on loopback: "},
	{"remote upstream churn", remote_churn, .fires = "outbound-concentrated",
	 .severity = SEVERITY_INFO, .silent = {"loopback-upstream-churn"}},
	{"churn with its owner", churn_with_owner, .fires = "outbound-churn-owner",
	 .severity = SEVERITY_INFO,
	 .summary = "api-worker (pid 812, api.service) holds 37 of the 40 live connections to "
		    "10.0.0.5:5432, where this host leaves 1000 TIME_WAIT (about 16.7 closes/s): "
		    "pool or keep alive its connections there",
	 .silent = {"loopback-upstream-churn"}},
	{"churn with an owner outside units", churn_with_bare_owner,
	 .fires = "outbound-churn-owner", .severity = SEVERITY_INFO,
	 .summary_starts = "api-worker (pid 812) holds 37 of the 40 live connections"},
	{"owners not mapped", outbound_concentrated, .fires = "outbound-concentrated",
	 .severity = SEVERITY_INFO, .silent = {"outbound-churn-owner"}},
	{"owner of little churn", calm_with_owner, .silent = {"outbound-churn-owner"}},
	{"churn without a live owner", churn_without_live_owner,
	 .silent = {"outbound-churn-owner"}},
	{"conntrack near full", gateway, .fires = "conntrack-near-full",
	 .severity = SEVERITY_WARNING,
	 .settings = {{KNOB_NF_CONNTRACK_MAX, "48", "128"},
		      {KNOB_NF_CONNTRACK_TCP_TIMEOUT_TIME_WAIT, "120", "60"}},
	 .summary = "conntrack holds 40 of 48 entries (83.3%), 40 of them in TIME_WAIT for 120 s "
		    "each",
	 .findings = "conntrack-near-full"},
	/* a value already right is not recommended again */
	{"conntrack near full, timeout right", gateway,
	 .sysctl = {{KNOB_NF_CONNTRACK_TCP_TIMEOUT_TIME_WAIT, "60"}},
	 .fires = "conntrack-near-full", .severity = SEVERITY_WARNING,
	 .settings = {{KNOB_NF_CONNTRACK_MAX, "48", "128"}}, .only_these = true},
	{"conntrack without NAT", gateway_without_nat,
	 .sysctl = {{KNOB_NF_CONNTRACK_TCP_TIMEOUT_TIME_WAIT, "60"}},
	 .silent = {"conntrack-near-full"}},
};

static void test_proc_client_is_quiet(void **state)
{
	struct fixture *fx = *state;
	struct judgement j;

	/* 197 TIME_WAIT toward 127.0.0.1:8080: too few for any rule */
	inspect_tree(&fx->facts, "proc-client-6.1", NULL);
	judge(&fx->facts, &j);
	if (j.findings.count)
		fail_msg("proc-client-6.1 got %s", finding_ids(&j.findings));
	judgement_free(&j);
}

static void test_findings_sorted_and_worst(void **state)
{
	struct fixture *fx = *state;
	struct judgement j;
	struct findings none = {0};

	recycling_host(&fx->facts, 0);
	set_sysctl(&fx->facts, KNOB_TCP_FIN_TIMEOUT, "30");
	set_port_range(&fx->facts, 32768, 61000);
	set_sysctl(&fx->facts, KNOB_TCP_MAX_TW_BUCKETS, "4096");
	set_time_wait(&fx->facts, 3000, 900);
	judge(&fx->facts, &j);
	assert_string_equal(finding_ids(&j.findings), "tw-recycle-enabled tw-buckets-near-limit "
						      "fin-timeout-lowered port-range-parity");
	assert_int_equal(findings_worst(&j.findings), SEVERITY_CRITICAL);
	judgement_free(&j);

	set_sysctl(&fx->facts, KNOB_TCP_TW_RECYCLE, "0");
	judge(&fx->facts, &j);
	assert_int_equal(findings_worst(&j.findings), SEVERITY_WARNING);
	judgement_free(&j);

	set_sysctl(&fx->facts, KNOB_TCP_MAX_TW_BUCKETS, "262144");
	judge(&fx->facts, &j);
	assert_int_equal(findings_worst(&j.findings), SEVERITY_INFO);
	judgement_free(&j);

	assert_int_equal(findings_worst(&none), SEVERITY_NONE);
}

/* Computed once and applied, a limit asks for nothing more: computing it
 * again on a host that holds it gives the same value. Sized from demand
 * (twice what is held, a power of two), at least the kernel's default, never
 * below the limit in force. */
static void test_computed_limits_have_fixed_points(void **state)
{
	static const struct {
		uint64_t time_wait, sockstat;
		const char *limit, *ehash;
		long first;
	} hosts[] = {
		{100, 100, "262144", NULL, 262144},	 /* room enough: the limit stands */
		{3900, 3900, "4096", NULL, 8192},	 /* near it: twice the demand */
		{3900, 5000, "4096", NULL, 16384},	 /* sockstat counts more */
		{100, 100, "4096", "262144", 131072},	 /* below the kernel's default */
		{100, 100, "4096", "-262144", 131072},	 /* shared with init_net */
		{70000, 70000, "65536", "4096", 262144}, /* demand above the default */
		/* a demand no key can hold (a --proc tree says anything): the
		 * largest value the key accepts, not a wrapped-around one */
		{UINT64_MAX / 2 + 2, 100, "4096", NULL, 2147483647},
		{100, UINT64_MAX, "4096", NULL, 2147483647},
		{1500000000, 100, "4096", NULL, 2147483647},
	};
	struct fixture *fx = *state;
	struct tw_facts *f = &fx->facts;
	struct knob_value first, again;
	char text[32];

	for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		quiet_host(f);
		set_sysctl(f, KNOB_TCP_MAX_TW_BUCKETS, hosts[i].limit);
		set_sysctl(f, KNOB_TCP_EHASH_ENTRIES, hosts[i].ehash);
		set_time_wait(f, hosts[i].time_wait, 0);
		set_counter(f, CTR_SOCKSTAT_TW, hosts[i].sockstat);
		assert_int_equal(
			compute_value(COMPUTE_TW_BUCKETS, KNOB_TCP_MAX_TW_BUCKETS, f, NULL, &first),
			0);
		if (first.integer != hosts[i].first)
			fail_msg("host %zu: @tw_buckets %ld, expected %ld", i, first.integer,
				 hosts[i].first);
		snprintf(text, sizeof(text), "%ld", first.integer);
		set_sysctl(f, KNOB_TCP_MAX_TW_BUCKETS, text);
		assert_int_equal(
			compute_value(COMPUTE_TW_BUCKETS, KNOB_TCP_MAX_TW_BUCKETS, f, NULL, &again),
			0);
		if (!knob_value_equal(&first, &again))
			fail_msg("host %zu: @tw_buckets %ld, then %ld", i, first.integer,
				 again.integer);
	}

	/* conntrack: twice the entries, never below the maximum in force */
	quiet_host(f);
	f->conntrack.max_known = f->conntrack.count_known = true;
	f->conntrack.max = 65536;
	f->conntrack.count = 60000;
	assert_int_equal(
		compute_value(COMPUTE_CONNTRACK_MAX, KNOB_NF_CONNTRACK_MAX, f, NULL, &first), 0);
	assert_int_equal(first.integer, 131072);
	f->conntrack.max = (uint64_t)first.integer;
	assert_int_equal(
		compute_value(COMPUTE_CONNTRACK_MAX, KNOB_NF_CONNTRACK_MAX, f, NULL, &again), 0);
	assert_int_equal(again.integer, first.integer);
	f->conntrack.max = 100000; /* an administrator's odd number, roomy enough */
	f->conntrack.count = 1000;
	assert_int_equal(
		compute_value(COMPUTE_CONNTRACK_MAX, KNOB_NF_CONNTRACK_MAX, f, NULL, &first), 0);
	assert_int_equal(first.integer, 100000);
	f->conntrack.count = UINT64_MAX / 2 + 2; /* saturates, never wraps */
	assert_int_equal(
		compute_value(COMPUTE_CONNTRACK_MAX, KNOB_NF_CONNTRACK_MAX, f, NULL, &first), 0);
	assert_int_equal(first.integer, 2147483647);
}

static void test_settings_equal_to_current_dropped(void **state)
{
	struct fixture *fx = *state;
	struct rule_set set;
	struct rule_errors errors;
	struct findings fs;

	assert_int_equal(parse_text(fx, "same.rule",
				    "[rule same]\nseverity = info\ntitle = t\nwhen = true\n"
				    "recommend = net.ipv4.tcp_tw_reuse 2\n"
				    "recommend = net.ipv4.ip_local_port_range 32768 60999\n"
				    "recommend = net.ipv4.tcp_fin_timeout 60\n"
				    "recommend = net.ipv4.tcp_tw_reuse_delay 1000\n"
				    "summary = now {recommended}\n",
				    &set, &errors),
			 0);
	quiet_host(&fx->facts);
	/* blanks as the kernel may print them */
	set_sysctl(&fx->facts, KNOB_IP_LOCAL_PORT_RANGE, "32768\t 60999");
	set_sysctl(&fx->facts, KNOB_TCP_FIN_TIMEOUT, "30");
	assert_int_equal(engine_evaluate(&set, &fx->facts, &fs), 0);
	assert_int_equal(fs.count, 1);
	assert_int_equal(fs.items[0].setting_count, 2);
	assert_setting(&fs.items[0], KNOB_TCP_FIN_TIMEOUT, "30", "60");
	/* absent on this kernel: recommended, nothing current */
	assert_setting(&fs.items[0], KNOB_TCP_TW_REUSE_DELAY, NULL, "1000");
	assert_false(fs.items[0].settings[1].current_present);
	assert_null(setting_current_text(NULL, &fs.items[0].settings[1]));
	/* {recommended} is the first setting kept */
	assert_string_equal(fs.items[0].summary, "now 60");
	findings_free(&fs);
	rules_free(&set);
}

#define FIXTURE_TEST(fn) cmocka_unit_test_setup_teardown(fn, fixture_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		/* A. parsing and loading */
		FIXTURE_TEST(test_valid_rule_has_every_field),
		FIXTURE_TEST(test_multiline_condition_evaluates),
		FIXTURE_TEST(test_explanation_dot_lines),
		FIXTURE_TEST(test_crlf_lines),
		FIXTURE_TEST(test_error_key_set_twice),
		FIXTURE_TEST(test_error_conflicting_settings),
		FIXTURE_TEST(test_error_when_syntax_position_only),
		FIXTURE_TEST(test_error_unknown_field),
		FIXTURE_TEST(test_error_bad_id_drops_its_fields),
		FIXTURE_TEST(test_error_duplicate_field),
		FIXTURE_TEST(test_error_duplicate_id_across_files),
		FIXTURE_TEST(test_error_line_too_long),
		FIXTURE_TEST(test_error_nul_byte),
		FIXTURE_TEST(test_long_continued_field_loads),
		FIXTURE_TEST(test_long_continued_condition_limit),
		FIXTURE_TEST(test_error_indented_line_without_field),
		FIXTURE_TEST(test_load_keeps_good_rules_reports_every_error),
		FIXTURE_TEST(test_errors_beyond_the_limit_are_counted),
		/* B. the invariants */
		FIXTURE_TEST(test_recycle_never_recommended),
		FIXTURE_TEST(test_recycle_refused_from_override_dir),
		FIXTURE_TEST(test_reuse_one_needs_outbound_and_timestamps),
		FIXTURE_TEST(test_reuse_one_accepted_when_required),
		FIXTURE_TEST(test_reuse_zero_and_two_unrestricted),
		FIXTURE_TEST(test_reuse_rule_fires_only_where_allowed),
		FIXTURE_TEST(test_evaluation_guard_drops_forbidden_settings),
		/* C. shipped and override directories */
		FIXTURE_TEST(test_override_replaces_disables_adds),
		FIXTURE_TEST(test_override_replaces_whole_file),
		FIXTURE_TEST(test_override_disables_by_comments_or_dev_null),
		FIXTURE_TEST(test_missing_override_dir_is_fine),
		FIXTURE_TEST(test_rules_only_from_trusted_places),
		FIXTURE_TEST(test_missing_shipped_dir),
		FIXTURE_TEST(test_only_rule_files_are_read),
		FIXTURE_TEST(test_load_order_is_file_name_order),
		/* D. the shipped rules */
		FIXTURE_TEST(test_shipped_rules_load_cleanly),
		FIXTURE_TEST(test_quiet_host_has_no_findings),
		FIXTURE_TEST(test_undetermined_counted),
		FIXTURE_TEST(test_proc_nat_4_9),
		FIXTURE_TEST(test_proc_client_is_quiet),
		FIXTURE_TEST(test_findings_sorted_and_worst),
		FIXTURE_TEST(test_computed_limits_have_fixed_points),
		FIXTURE_TEST(test_settings_equal_to_current_dropped),
		FIXTURE_TEST(test_load_order_across_dirs),
		FIXTURE_TEST(test_quiet_host_decides_every_rule),
	};

	const struct fixture_table tables[] = {
		FIXTURE_TABLE(load_errors, test_load_error, fixture_setup, fixture_teardown),
		FIXTURE_TABLE(recommend_errors, test_recommend_error, fixture_setup,
			      fixture_teardown),
		FIXTURE_TABLE(recycle_verdicts, test_verdict, fixture_setup, fixture_teardown),
		FIXTURE_TABLE(reuse_verdicts, test_verdict, fixture_setup, fixture_teardown),
		FIXTURE_TABLE(port_range_verdicts, test_verdict, fixture_setup, fixture_teardown),
		FIXTURE_TABLE(tw_buckets_verdicts, test_verdict, fixture_setup, fixture_teardown),
		FIXTURE_TABLE(other_verdicts, test_verdict, fixture_setup, fixture_teardown),
	};

	return fixture_run(tests, ARRAY_SIZE(tests), tables, ARRAY_SIZE(tables));
}
