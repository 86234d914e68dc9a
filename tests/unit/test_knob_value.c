/* SPDX-License-Identifier: MIT */
/* Typed sysctl values: the one parse, check, format and comparison every
 * entry point (inspect, sysctl.d, rules, profiles, the journal) uses. */
#include <errno.h>
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

#include "common/knob_value.h"

struct parse_case {
	enum knob_id key;
	const char *text;
	int setting;	       /* knob_parse_setting's result */
	int fact;	       /* knob_parse's result */
	const char *canonical; /* knob_format of the parsed value, when it parses */
	const char *message;   /* in the error, when the setting is refused */
};

static const struct parse_case parse_cases[] = {
	{KNOB_TCP_TW_REUSE, "1", 0, 0, "1", NULL},
	{KNOB_TCP_TW_REUSE, " 2\t", 0, 0, "2", NULL},
	/* a value of the type, but not one the kernel takes as written: twtune
	 * never writes it (knob_kernel_agrees) */
	{KNOB_TCP_TW_REUSE, "+1", -EINVAL, 0, "1", "the kernel refuses '+1'"},
	{KNOB_TCP_FIN_TIMEOUT, "+30", -EINVAL, 0, "30", "the kernel refuses '+30'"},
	{KNOB_TCP_FIN_TIMEOUT, "030", -EINVAL, 0, "30", "the kernel reads '030' as 24"},
	{KNOB_IP_LOCAL_RESERVED_PORTS, "8080, 9000", -EINVAL, 0, "8080,9000",
	 "the kernel refuses '8080, 9000'"},
	{KNOB_IP_UNPRIVILEGED_PORT_START, "65536", -ERANGE, 0, "65536", "outside 0-65535"},
	{KNOB_IP_UNPRIVILEGED_PORT_START, "65535", 0, 0, "65535", NULL},
	/* the port keys read their numbers like any other: 010000 is octal */
	{KNOB_IP_LOCAL_PORT_RANGE, "010000 65000", -EINVAL, 0, "10000 65000",
	 "the kernel reads '010000 65000' as 4096 65000"},
	{KNOB_IP_UNPRIVILEGED_PORT_START, "01024", -EINVAL, 0, "1024",
	 "the kernel reads '01024' as 532"},
	{KNOB_TCP_TW_REUSE, "3", -ERANGE, 0, "3", "net.ipv4.tcp_tw_reuse: 3 is outside 0-2"},
	{KNOB_TCP_TW_REUSE, "yes", -EINVAL, -EINVAL, NULL, "'yes' is not a whole number"},
	{KNOB_TCP_TW_REUSE, "", -EINVAL, -EINVAL, NULL, "is not a whole number"},
	{KNOB_TCP_TW_REUSE, "1 2", -EINVAL, -EINVAL, NULL, "is not a whole number"},
	{KNOB_TCP_TW_REUSE, "0x1", -EINVAL, -EINVAL, NULL, "is not a whole number"},
	{KNOB_TCP_TW_REUSE, "1\n2", -EINVAL, -EINVAL, NULL, "control character"},
	{KNOB_TCP_TW_REUSE, "1\nnet.ipv4.ip_forward = 1", -EINVAL, -EINVAL, NULL,
	 "control character"},
	{KNOB_TCP_TW_REUSE, "1\r", -EINVAL, -EINVAL, NULL, "control character"},
	/* a whole number, only too large: said so, not "not a whole number" */
	{KNOB_TCP_TW_REUSE, "99999999999999999999", -ERANGE, -ERANGE, NULL,
	 "'99999999999999999999' is out of range (a whole number from -9223372036854775808 to "
	 "9223372036854775807)"},
	{KNOB_TCP_MAX_TW_BUCKETS, "18446744073709551615", -ERANGE, -ERANGE, NULL,
	 "net.ipv4.tcp_max_tw_buckets: '18446744073709551615' is out of range"},
	/* the kernel takes any integer here: a fact, never a setting */
	{KNOB_TCP_FIN_TIMEOUT, "-5", -ERANGE, 0, "-5", "-5 is outside 1-3600"},
	{KNOB_TCP_MAX_TW_BUCKETS, "2147483648", -ERANGE, 0, "2147483648", "is outside"},
	{KNOB_TCP_EHASH_ENTRIES, "-262144", -EPERM, 0, "-262144", "read-only"},
	/* forwarding: twtune judges by it and never writes it */
	{KNOB_IP_FORWARD, "1", -EPERM, 0, "1", "not a key twtune sets"},
	{KNOB_IPV6_FORWARDING, "0", -EPERM, 0, "0", "not a key twtune sets"},
	{KNOB_IP_LOCAL_PORT_RANGE, "32768\t60999", 0, 0, "32768 60999", NULL},
	{KNOB_IP_LOCAL_PORT_RANGE, "  1024   65535 ", 0, 0, "1024 65535", NULL},
	{KNOB_IP_LOCAL_PORT_RANGE, "60999 32768", -ERANGE, 0, "60999 32768",
	 "net.ipv4.ip_local_port_range: '60999 32768' needs 1 <= LOW <= HIGH <= 65535"},
	{KNOB_IP_LOCAL_PORT_RANGE, "0 100", -ERANGE, 0, "0 100", "'0 100' needs 1 <= LOW"},
	{KNOB_IP_LOCAL_PORT_RANGE, "1024", -EINVAL, -EINVAL, NULL,
	 "'1024' is not two port numbers, LOW HIGH"},
	{KNOB_IP_LOCAL_PORT_RANGE, "32768-60999", -EINVAL, -EINVAL, NULL, "not two port numbers"},
	{KNOB_IP_LOCAL_PORT_RANGE, "32768 65536", -ERANGE, -ERANGE, NULL, "not two port numbers"},
	{KNOB_IP_LOCAL_RESERVED_PORTS, "", 0, 0, "", NULL},
	{KNOB_IP_LOCAL_RESERVED_PORTS, "8080", 0, 0, "8080", NULL},
	{KNOB_IP_LOCAL_RESERVED_PORTS, "9000,8080,8081", 0, 0, "8080-8081,9000", NULL},
	{KNOB_IP_LOCAL_RESERVED_PORTS, "8000-8002,8002-8004", 0, 0, "8000-8004", NULL},
	{KNOB_IP_LOCAL_RESERVED_PORTS, "0,65535", 0, 0, "0,65535", NULL},
	{KNOB_IP_LOCAL_RESERVED_PORTS, "9000-8000", -EINVAL, -EINVAL, NULL,
	 "is not a list of ports and ranges"},
	{KNOB_IP_LOCAL_RESERVED_PORTS, "1,", -EINVAL, -EINVAL, NULL, "not a list of ports"},
	{KNOB_IP_LOCAL_RESERVED_PORTS, "8080 9000", -EINVAL, -EINVAL, NULL, "not a list of ports"},
	{KNOB_IP_LOCAL_RESERVED_PORTS, "65536", -EINVAL, -EINVAL, NULL, "not a list of ports"},
};

static void test_parse_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		const struct parse_case *c = &parse_cases[i];
		struct knob_value v;
		char err[256] = "", text[KNOB_TEXT_MAX];
		int r = knob_parse(c->key, c->text, &v, err, sizeof(err));

		if (r != c->fact)
			fail_msg("row %zu: knob_parse(%s, '%s') = %d, expected %d (%s)", i,
				 knob_get(c->key)->name, c->text, r, c->fact, err);
		if (r == 0 && strcmp(knob_format(&v, text, sizeof(text)), c->canonical) != 0)
			fail_msg("row %zu: '%s' formats as '%s', expected '%s'", i, c->text, text,
				 c->canonical);
		knob_value_free(&v);
		err[0] = '\0';
		r = knob_parse_setting(c->key, c->text, &v, err, sizeof(err));
		knob_value_free(&v);
		if (r != c->setting)
			fail_msg("row %zu: knob_parse_setting(%s, '%s') = %d, expected %d (%s)", i,
				 knob_get(c->key)->name, c->text, r, c->setting, err);
		if (c->message && !strstr(err, c->message))
			fail_msg("row %zu: '%s' does not say '%s'", i, err, c->message);
		if (r < 0 && !strstr(err, knob_get(c->key)->name))
			fail_msg("row %zu: '%s' does not name the key", i, err);
	}
}

/* What the kernel accepts (lint's judgement of sysctl.d files) is not what
 * twtune may write: forwarding is accepted, and never set. */
static void test_accepted_is_not_settable(void **state)
{
	struct knob_value v;
	char err[256] = "";

	(void)state;
	assert_int_equal(knob_parse_accepted(KNOB_IP_FORWARD, "1", &v, err, sizeof(err)), 0);
	assert_int_equal(knob_check(KNOB_IP_FORWARD, &v, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "net.ipv4.ip_forward is not a key twtune sets"));
	knob_value_free(&v);
	assert_int_equal(knob_parse_accepted(KNOB_IP_FORWARD, "2", &v, err, sizeof(err)), -ERANGE);
	assert_int_equal(knob_parse_accepted(KNOB_TCP_EHASH_ENTRIES, "1", &v, err, sizeof(err)),
			 -EPERM);
	assert_int_equal(knob_parse_accepted(KNOB_TCP_TW_REUSE, "1", &v, err, sizeof(err)), 0);
	knob_value_free(&v);
}

static struct knob_value parsed(enum knob_id key, const char *text)
{
	struct knob_value v;
	char err[256];

	if (knob_parse(key, text, &v, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	return v;
}

/* Values compare as values: however the blanks fall, in whatever order the
 * ports were listed; a different number is a different value. */
static void test_values_compare_as_values(void **state)
{
	static const struct {
		enum knob_id key;
		const char *a, *b;
		bool equal;
	} pairs[] = {
		{KNOB_IP_LOCAL_PORT_RANGE, "32768\t60999", "32768 60999", true},
		{KNOB_IP_LOCAL_PORT_RANGE, "32768 60999", "32768 61000", false},
		{KNOB_TCP_TW_REUSE, " 1", "1 ", true},
		{KNOB_TCP_TW_REUSE, "1", "12", false},
		{KNOB_TCP_TW_REUSE, "12", "1", false},
		{KNOB_IP_LOCAL_RESERVED_PORTS, "", "  ", true},
		{KNOB_IP_LOCAL_RESERVED_PORTS, "1", "", false},
		{KNOB_IP_LOCAL_RESERVED_PORTS, "8080,9000-9001", "8080,9000-9001", true},
		{KNOB_IP_LOCAL_RESERVED_PORTS, "9000,8080-8081", "8080,8081,9000", true},
	};
	struct knob_value a, b;

	(void)state;
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		a = parsed(pairs[i].key, pairs[i].a);
		b = parsed(pairs[i].key, pairs[i].b);
		if (knob_value_equal(&a, &b) != pairs[i].equal)
			fail_msg("'%s' and '%s' compare %s", pairs[i].a, pairs[i].b,
				 pairs[i].equal ? "unequal" : "equal");
		knob_value_free(&a);
		knob_value_free(&b);
	}
	/* the same digits in another type are another value */
	a = knob_value_int(8080);
	b = parsed(KNOB_IP_LOCAL_RESERVED_PORTS, "8080");
	assert_false(knob_value_equal(&a, &b));
	knob_value_free(&b);
}

/* Every canonical text parses back to the same value. */
static void test_format_round_trip(void **state)
{
	static const struct {
		enum knob_id key;
		const char *text;
	} values[] = {
		{KNOB_TCP_TW_REUSE, "0"},
		{KNOB_TCP_FIN_TIMEOUT, "-5"},
		{KNOB_TCP_MAX_TW_BUCKETS, "9223372036854775807"},
		{KNOB_IP_LOCAL_PORT_RANGE, "1 65535"},
		{KNOB_IP_LOCAL_RESERVED_PORTS, "1-3,5,65535"},
	};
	char text[KNOB_TEXT_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		struct knob_value a = parsed(values[i].key, values[i].text), b;

		assert_string_equal(knob_format(&a, text, sizeof(text)), values[i].text);
		b = parsed(values[i].key, text);
		assert_true(knob_value_equal(&a, &b));
		knob_value_free(&a);
		knob_value_free(&b);
	}
}

/* As many separate runs of ports as a host can reserve: the whole list
 * parses, prints back whole, and a message gets a cut copy. */
static void test_long_port_lists(void **state)
{
	static uint8_t bits[PORT_BITMAP_BYTES], back[PORT_BITMAP_BYTES];
	static char text[32768 * 6];
	char cut[KNOB_TEXT_MAX], err[256] = "";
	struct knob_value v, again, copy;
	size_t n = 0;
	char *whole;

	(void)state;
	/* every other port from 1 to 65535: the most runs there can be */
	for (unsigned p = 1; p < 65536; p += 2)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s%u", p > 1 ? "," : "", p);
	assert_int_equal(knob_parse(KNOB_IP_LOCAL_RESERVED_PORTS, text, &v, err, sizeof(err)), 0);
	assert_int_equal(v.ports->count, 32768);
	whole = knob_text(&v);
	assert_non_null(whole);
	assert_string_equal(whole, text);
	free(whole);
	knob_format(&v, cut, sizeof(cut));
	assert_int_equal(strlen(cut), sizeof(cut) - 1);
	assert_string_equal(cut + sizeof(cut) - 4, "...");

	/* bitmap -> runs -> bitmap is the identity */
	memset(bits, 0, sizeof(bits));
	knob_value_port_bits(&v, bits);
	assert_true(port_bit(bits, 1) && !port_bit(bits, 2) && port_bit(bits, 65535));
	assert_int_equal(knob_value_ports(bits, &again), 0);
	assert_true(knob_value_equal(&v, &again));
	memset(back, 0, sizeof(back));
	knob_value_port_bits(&again, back);
	assert_memory_equal(bits, back, sizeof(bits));

	/* a copy shares the runs and outlives the original */
	copy = knob_value_copy(&v);
	assert_ptr_equal(copy.ports, v.ports);
	knob_value_free(&v);
	assert_int_equal(copy.ports->count, 32768);
	assert_true(knob_value_equal(&copy, &again));
	knob_value_free(&copy);
	knob_value_free(&again);

	/* no ports at all: nothing allocated, nothing printed */
	assert_int_equal(knob_parse(KNOB_IP_LOCAL_RESERVED_PORTS, "", &v, err, sizeof(err)), 0);
	assert_null(v.ports);
	assert_string_equal(knob_format(&v, cut, sizeof(cut)), "");
	knob_value_free(&v);
}

static void test_check_typed(void **state)
{
	struct knob_value v = knob_value_range(60999, 32768);
	char err[256] = "";

	(void)state;
	assert_int_equal(knob_check(KNOB_IP_LOCAL_PORT_RANGE, &v, err, sizeof(err)), -ERANGE);
	assert_non_null(strstr(err, "'60999 32768' needs 1 <= LOW <= HIGH"));
	v = knob_value_range(32768, 60999);
	assert_int_equal(knob_check(KNOB_IP_LOCAL_PORT_RANGE, &v, err, sizeof(err)), 0);
	v = knob_value_int(1);
	/* a value of another type is no value of this key */
	assert_int_equal(knob_check(KNOB_IP_LOCAL_PORT_RANGE, &v, err, sizeof(err)), -EINVAL);
	assert_int_equal(knob_check(KNOB_TCP_TW_REUSE, &v, err, sizeof(err)), 0);
	v = knob_value_int(3);
	assert_int_equal(knob_check(KNOB_TCP_TW_REUSE, &v, err, sizeof(err)), -ERANGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_accepted_is_not_settable),
		cmocka_unit_test(test_values_compare_as_values),
		cmocka_unit_test(test_format_round_trip),
		cmocka_unit_test(test_long_port_lists),
		cmocka_unit_test(test_check_typed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
