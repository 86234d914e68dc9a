/* SPDX-License-Identifier: MIT */
/* The string helpers every parser in twtune leans on. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

/* cmocka.h needs these included before it */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include "common/strutil.h"

static void assert_normalized(const char *input, const char *expected)
{
	char buf[128];

	snprintf(buf, sizeof(buf), "%s", input);
	str_normalize_blanks(buf);
	assert_string_equal(buf, expected);
}

static void test_normalize_blanks(void **state)
{
	(void)state;
	assert_normalized("32768\t60999\n", "32768 60999");
	assert_normalized("  \t1\n", "1");
	assert_normalized("1\r\n", "1");
	assert_normalized("8080,9000-9001\r\n", "8080,9000-9001");
	assert_normalized("a \t\r\n b  c   ", "a b c");
	assert_normalized("\n\t \r", "");
	assert_normalized("", "");
	assert_normalized("plain", "plain");
}

static void test_parse_long(void **state)
{
	long v = 0;

	(void)state;
	assert_int_equal(parse_long("42", &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(parse_long(" -7\n", &v), 0);
	assert_int_equal(v, -7);
	assert_int_equal(parse_long("+3", &v), 0);
	assert_int_equal(v, 3);
	assert_int_equal(parse_long("9223372036854775807", &v), 0);
	assert_true(v == 9223372036854775807L);

	v = 5;
	assert_int_equal(parse_long("", &v), -EINVAL);
	assert_int_equal(parse_long(" \t\n", &v), -EINVAL);
	assert_int_equal(parse_long("12abc", &v), -EINVAL);
	assert_int_equal(parse_long("0x10", &v), -EINVAL);
	assert_int_equal(parse_long("1 2", &v), -EINVAL);
	assert_int_equal(parse_long("-", &v), -EINVAL);
	assert_int_equal(parse_long("abc", &v), -EINVAL);
	assert_int_equal(parse_long("9223372036854775808", &v), -ERANGE);
	assert_int_equal(parse_long("-9223372036854775809", &v), -ERANGE);
	assert_int_equal(v, 5); /* failures leave the output alone */
}

static void test_parse_u64(void **state)
{
	uint64_t v = 0;

	(void)state;
	assert_int_equal(parse_u64("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(parse_u64(" 262144\n", &v), 0);
	assert_int_equal(v, 262144);
	assert_int_equal(parse_u64("18446744073709551615", &v), 0);
	assert_true(v == UINT64_MAX);

	v = 9;
	assert_int_equal(parse_u64("18446744073709551616", &v), -ERANGE);
	assert_int_equal(parse_u64("-1", &v), -EINVAL);
	assert_int_equal(parse_u64("+1", &v), -EINVAL);
	assert_int_equal(parse_u64("", &v), -EINVAL);
	assert_int_equal(parse_u64("  ", &v), -EINVAL);
	assert_int_equal(parse_u64("7 8", &v), -EINVAL);
	assert_int_equal(parse_u64("7x", &v), -EINVAL);
	assert_int_equal(v, 9);
}

/* twtune's own numbers: one table, each input against a range. */
static const struct strict_case {
	const char *text;
	uint64_t min, max;
	int expected;
	uint64_t value;
} strict_cases[] = {
	{"0", 0, 3600, 0, 0},
	{"007", 0, 3600, 0, 7}, /* decimal, never octal */
	{"3600", 0, 3600, 0, 3600},
	{"3601", 0, 3600, -ERANGE, 0},
	{"0", 1, 3600, -ERANGE, 0},
	{"0x5", 0, 3600, -EINVAL, 0},
	{"0X5", 0, 3600, -EINVAL, 0},
	{"+5", 0, 3600, -EINVAL, 0},
	{"-1", 0, 3600, -EINVAL, 0},
	{"-0", 0, 3600, -EINVAL, 0},
	{" 5", 0, 3600, -EINVAL, 0},
	{"5 ", 0, 3600, -EINVAL, 0},
	{"5\n", 0, 3600, -EINVAL, 0},
	{"", 0, 3600, -EINVAL, 0},
	{"5s", 0, 3600, -EINVAL, 0},
	{"1e3", 0, 3600, -EINVAL, 0},
	{"5.0", 0, 3600, -EINVAL, 0},
	{"-", 0, 3600, -EINVAL, 0},
	{"4194304", 1, 4194304, 0, 4194304},
	{"4194305", 1, 4194304, -ERANGE, 0},
	{"65535", 0, 65535, 0, 65535},
	{"65536", 0, 65535, -ERANGE, 0},
	{"18446744073709551615", 0, UINT64_MAX, 0, UINT64_MAX},
	{"018446744073709551615", 0, UINT64_MAX, 0, UINT64_MAX},
	{"18446744073709551616", 0, UINT64_MAX, -ERANGE, 0},
	{"99999999999999999999999", 0, UINT64_MAX, -ERANGE, 0},
	{"18446744073709551615", 0, 3600, -ERANGE, 0},
	{"9223372036854775808", 0, UINT64_MAX, 0, 9223372036854775808ULL},
};

static void test_strict_uint(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(strict_cases) / sizeof(strict_cases[0]); i++) {
		const struct strict_case *c = &strict_cases[i];
		uint64_t v = 42;
		int r = strict_uint(c->text, c->min, c->max, &v);

		if (r != c->expected)
			fail_msg("'%s' in %llu..%llu: %d, expected %d", c->text,
				 (unsigned long long)c->min, (unsigned long long)c->max, r,
				 c->expected);
		if (v != (r == 0 ? c->value : 42))
			fail_msg("'%s': value %llu", c->text, (unsigned long long)v);
	}
}

static void test_strict_uint_n(void **state)
{
	const char *line = "Tcp: 48213 0x10 7";
	uint64_t v = 0;

	(void)state;
	assert_int_equal(strict_uint_n(line + 5, 5, 0, UINT64_MAX, &v), 0);
	assert_true(v == 48213);
	assert_int_equal(strict_uint_n(line + 11, 4, 0, UINT64_MAX, &v), -EINVAL);
	assert_int_equal(strict_uint_n(line + 5, 0, 0, UINT64_MAX, &v), -EINVAL);
	/* the length bounds the number, whatever follows */
	assert_int_equal(strict_uint_n("123456", 3, 0, UINT64_MAX, &v), 0);
	assert_true(v == 123);
}

static void test_strict_uint_error(void **state)
{
	char err[160];

	(void)state;
	strict_uint_error(-EINVAL, "--netns-pid", "0x5", 1, 4194304, err, sizeof(err));
	assert_string_equal(err, "--netns-pid: '0x5' is not written in plain decimal digits "
				 "(expected 1 to 4194304)");
	strict_uint_error(-ERANGE, "net/snmp:8: Tcp ActiveOpens", "18446744073709551616", 0,
			  UINT64_MAX, err, sizeof(err));
	assert_string_equal(err, "net/snmp:8: Tcp ActiveOpens: '18446744073709551616' is out of "
				 "range (expected 0 to 18446744073709551615)");
}

static void test_strict_seconds(void **state)
{
	static const struct {
		const char *text;
		int expected;
		double value;
	} cases[] = {
		{"10", 0, 10},
		{"0.5", 0, 0.5},
		{"3600", 0, 3600},
		{"3600.000", 0, 3600},
		{"007.25", 0, 7.25},
		{"0.0000000000000000000001", -ERANGE, 0}, /* below what is counted: 0 */
		{"0", -ERANGE, 0},
		{"0.0", -ERANGE, 0},
		{"3600.001", -ERANGE, 0},
		{"3601", -ERANGE, 0},
		{"18446744073709551616", -ERANGE, 0},
		{"0x5", -EINVAL, 0},
		{"0x1p3", -EINVAL, 0},
		{"1e3", -EINVAL, 0},
		{"-1", -EINVAL, 0},
		{"+5", -EINVAL, 0},
		{" 5", -EINVAL, 0},
		{"5 ", -EINVAL, 0},
		{"", -EINVAL, 0},
		{".5", -EINVAL, 0},
		{"5.", -EINVAL, 0},
		{"1.2.3", -EINVAL, 0},
		{"inf", -EINVAL, 0},
		{"nan", -EINVAL, 0},
		{"soon", -EINVAL, 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		double v = -1;
		int r = strict_seconds(cases[i].text, 3600, &v);

		if (r != cases[i].expected)
			fail_msg("'%s': %d, expected %d", cases[i].text, r, cases[i].expected);
		if (r == 0 && v != cases[i].value)
			fail_msg("'%s': %g, expected %g", cases[i].text, v, cases[i].value);
		if (r < 0 && v != -1)
			fail_msg("'%s': output changed on failure", cases[i].text);
	}
}

static void test_parse_port_range(void **state)
{
	unsigned low = 0, high = 0;

	(void)state;
	assert_int_equal(parse_port_range("32768\t60999\n", &low, &high), 0);
	assert_int_equal(low, 32768);
	assert_int_equal(high, 60999);
	assert_int_equal(parse_port_range("1 65535", &low, &high), 0);
	assert_int_equal(low, 1);
	assert_int_equal(high, 65535);
	assert_int_equal(parse_port_range("  1024   2048  ", &low, &high), 0);
	assert_int_equal(low, 1024);
	assert_int_equal(high, 2048);

	low = high = 7;
	assert_int_not_equal(parse_port_range("32768 65536", &low, &high), 0);
	assert_int_not_equal(parse_port_range("65536 65537", &low, &high), 0);
	assert_int_equal(parse_port_range("32768", &low, &high), -EINVAL);
	assert_int_equal(parse_port_range("32768 ", &low, &high), -EINVAL);
	assert_int_equal(parse_port_range("32768-60999", &low, &high), -EINVAL);
	assert_int_equal(parse_port_range("low high", &low, &high), -EINVAL);
	assert_int_equal(parse_port_range("1 2 3", &low, &high), -EINVAL);
	assert_int_equal(parse_port_range("", &low, &high), -EINVAL);
	assert_int_equal(low, 7);
	assert_int_equal(high, 7);
}

static unsigned bits_set(const uint8_t *bitmap)
{
	unsigned n = 0;

	for (unsigned p = 0; p < 65536; p++)
		n += port_bit(bitmap, p);
	return n;
}

static void test_parse_port_list_ok(void **state)
{
	static uint8_t bitmap[PORT_BITMAP_BYTES];

	(void)state;
	memset(bitmap, 0, sizeof(bitmap));
	assert_int_equal(parse_port_list("", bitmap), 0);
	assert_int_equal(bits_set(bitmap), 0);

	assert_int_equal(parse_port_list("8080", bitmap), 0);
	assert_true(port_bit(bitmap, 8080));
	assert_int_equal(bits_set(bitmap), 1);

	memset(bitmap, 0, sizeof(bitmap));
	assert_int_equal(parse_port_list("8000-8002,9000\n", bitmap), 0);
	assert_false(port_bit(bitmap, 7999));
	assert_true(port_bit(bitmap, 8000));
	assert_true(port_bit(bitmap, 8001));
	assert_true(port_bit(bitmap, 8002));
	assert_false(port_bit(bitmap, 8003));
	assert_true(port_bit(bitmap, 9000));
	assert_int_equal(bits_set(bitmap), 4);

	memset(bitmap, 0, sizeof(bitmap));
	assert_int_equal(parse_port_list("65535", bitmap), 0);
	assert_true(port_bit(bitmap, 65535));
	assert_int_equal(bits_set(bitmap), 1);
}

static void test_parse_port_list_bad(void **state)
{
	static uint8_t bitmap[PORT_BITMAP_BYTES];

	(void)state;
	assert_int_equal(parse_port_list("9000-8000", bitmap), -EINVAL);
	assert_int_equal(parse_port_list("1,", bitmap), -EINVAL);
	assert_int_equal(parse_port_list("x", bitmap), -EINVAL);
	assert_int_equal(parse_port_list(",1", bitmap), -EINVAL);
	assert_int_equal(parse_port_list("8080 9000", bitmap), -EINVAL);
	assert_int_equal(parse_port_list("8000-", bitmap), -EINVAL);
	assert_int_not_equal(parse_port_list("65536", bitmap), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalize_blanks),
		cmocka_unit_test(test_parse_long),
		cmocka_unit_test(test_parse_u64),
		cmocka_unit_test(test_strict_uint),
		cmocka_unit_test(test_strict_uint_n),
		cmocka_unit_test(test_strict_uint_error),
		cmocka_unit_test(test_strict_seconds),
		cmocka_unit_test(test_parse_port_range),
		cmocka_unit_test(test_parse_port_list_ok),
		cmocka_unit_test(test_parse_port_list_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
