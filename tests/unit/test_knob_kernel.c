/* SPDX-License-Identifier: MIT */
/* The kernel's parse of a sysctl write. Every expectation below is what
 * Linux 6.18 did when systemd-sysctl 252 wrote the text inside a throwaway
 * network namespace (unshare -n), starting from the namespace's defaults:
 * ip_local_port_range 32768 60999, ip_unprivileged_port_start 1024. */
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

#include "common/knob_kernel.h"

struct write_case {
	enum knob_id key;
	const char *text;
	int outcome;
	const char *result; /* as /proc/sys prints it, when applied */
	const char *reason; /* in WHY, when refused */
};

#define APPLIED(k, t, res)                                                                         \
	{                                                                                          \
		KNOB_##k, t, KNOB_WRITE_APPLIED, res, NULL                                         \
	}
#define REFUSED(k, t, why)                                                                         \
	{                                                                                          \
		KNOB_##k, t, KNOB_WRITE_REFUSED, NULL, why                                         \
	}

static const struct write_case cases[] = {
	/* proc_dointvec_jiffies: base prefixes, trailing fields ignored */
	APPLIED(TCP_FIN_TIMEOUT, "0x1", "1"),
	APPLIED(TCP_FIN_TIMEOUT, "030", "24"),
	APPLIED(TCP_FIN_TIMEOUT, "30 # thirty", "30"),
	APPLIED(TCP_FIN_TIMEOUT, "1 2", "1"),
	APPLIED(TCP_FIN_TIMEOUT, "-30", "-30"),
	APPLIED(TCP_FIN_TIMEOUT, "-0", "0"),
	APPLIED(TCP_FIN_TIMEOUT, "30\t", "30"),
	APPLIED(TCP_FIN_TIMEOUT, "2147483", "2147483"),
	REFUSED(TCP_FIN_TIMEOUT, "+30", "not a number"),
	REFUSED(TCP_FIN_TIMEOUT, "", "no number"),
	REFUSED(TCP_FIN_TIMEOUT, "1;", "not a number"),
	REFUSED(TCP_FIN_TIMEOUT, "1.0", "not a number"),
	REFUSED(TCP_FIN_TIMEOUT, "30x", "not a number"),
	REFUSED(TCP_FIN_TIMEOUT, "0x", "not a number"),
	REFUSED(TCP_FIN_TIMEOUT, "08", "not a number"),
	REFUSED(TCP_FIN_TIMEOUT, "1,2", "not a number"),
	REFUSED(TCP_FIN_TIMEOUT, "2147483647", "jiffies"),
	REFUSED(TCP_FIN_TIMEOUT, "-2147483648", "jiffies"),
	REFUSED(TCP_FIN_TIMEOUT, "9999999999", "jiffies"),
	/* proc_dointvec */
	APPLIED(TCP_MAX_TW_BUCKETS, "010", "8"),
	APPLIED(TCP_MAX_TW_BUCKETS, "0x10", "16"),
	APPLIED(TCP_MAX_TW_BUCKETS, "-5", "-5"),
	APPLIED(TCP_MAX_TW_BUCKETS, "2147483647", "2147483647"),
	REFUSED(TCP_MAX_TW_BUCKETS, "2147483648", "range of an int"),
	REFUSED(TCP_MAX_TW_BUCKETS, "", "no number"),
	APPLIED(IP_FORWARD, "1 2", "1"),
	APPLIED(IP_FORWARD, "-3", "-3"),
	/* proc_dou8vec_minmax, proc_douintvec_minmax */
	APPLIED(TCP_TW_REUSE, "0x1", "1"),
	APPLIED(TCP_TW_REUSE, "1 2", "1"),
	REFUSED(TCP_TW_REUSE, "3", "3 is outside 0-2"),
	REFUSED(TCP_TW_REUSE, "+1", "not an unsigned number"),
	REFUSED(TCP_TW_REUSE, "-1", "not an unsigned number"),
	REFUSED(TCP_TW_REUSE, "-0", "not an unsigned number"),
	REFUSED(TCP_TW_REUSE, "1#", "not an unsigned number"),
	APPLIED(TCP_TIMESTAMPS, "255", "255"),
	REFUSED(TCP_TIMESTAMPS, "256", "outside 0-255"),
	APPLIED(TCP_TW_REUSE_DELAY, "030", "24"),
	APPLIED(TCP_TW_REUSE_DELAY, "60000", "60000"),
	REFUSED(TCP_TW_REUSE_DELAY, "0", "0 is outside 1-60000"),
	REFUSED(TCP_TW_REUSE_DELAY, "60001", "outside 1-60000"),
	REFUSED(TCP_TW_REUSE_DELAY, "+5", "not an unsigned number"),
	/* ipv4_local_port_range, from 32768 60999 with 1024 unprivileged */
	APPLIED(IP_LOCAL_PORT_RANGE, "40000", "40000\t60999"),
	APPLIED(IP_LOCAL_PORT_RANGE, "1024 65535 1", "1024\t65535"),
	APPLIED(IP_LOCAL_PORT_RANGE, "1024 65535 #x", "1024\t65535"),
	APPLIED(IP_LOCAL_PORT_RANGE, "0x400 0xffff", "1024\t65535"),
	APPLIED(IP_LOCAL_PORT_RANGE, "1025 1025", "1025\t1025"),
	REFUSED(IP_LOCAL_PORT_RANGE, "60000 30000", "below the low end"),
	REFUSED(IP_LOCAL_PORT_RANGE, "61000", "below the low end"),
	REFUSED(IP_LOCAL_PORT_RANGE, "1 65535", "ip_unprivileged_port_start"),
	REFUSED(IP_LOCAL_PORT_RANGE, "1000", "ip_unprivileged_port_start"),
	REFUSED(IP_LOCAL_PORT_RANGE, "0 100", "outside 1-65535"),
	REFUSED(IP_LOCAL_PORT_RANGE, "1024 65536", "outside 1-65535"),
	REFUSED(IP_LOCAL_PORT_RANGE, "1024,65535", "not a number"),
	REFUSED(IP_LOCAL_PORT_RANGE, "+1024 65535", "not a number"),
	REFUSED(IP_LOCAL_PORT_RANGE, "1024 65535x", "not a number"),
	REFUSED(IP_LOCAL_PORT_RANGE, "", "no number"),
	/* ipv4_privileged_ports, against a range starting at 32768 */
	APPLIED(IP_UNPRIVILEGED_PORT_START, "0", "0"),
	APPLIED(IP_UNPRIVILEGED_PORT_START, "32768", "32768"),
	REFUSED(IP_UNPRIVILEGED_PORT_START, "32769", "starts at 32768"),
	REFUSED(IP_UNPRIVILEGED_PORT_START, "65535", "starts at 32768"),
	REFUSED(IP_UNPRIVILEGED_PORT_START, "65536", "outside 0-65535"),
	REFUSED(IP_UNPRIVILEGED_PORT_START, "+1", "not a number"),
	REFUSED(IP_UNPRIVILEGED_PORT_START, "-1", "outside 0-65535"),
	/* proc_do_large_bitmap */
	APPLIED(IP_LOCAL_RESERVED_PORTS, "8080,", "8080"),
	APPLIED(IP_LOCAL_RESERVED_PORTS, "8080,9000", "8080,9000"),
	APPLIED(IP_LOCAL_RESERVED_PORTS, "8080-8090,9000-9001", "8080-8090,9000-9001"),
	APPLIED(IP_LOCAL_RESERVED_PORTS, "", ""),
	APPLIED(IP_LOCAL_RESERVED_PORTS, "0", "0"),
	APPLIED(IP_LOCAL_RESERVED_PORTS, "65535", "65535"),
	APPLIED(IP_LOCAL_RESERVED_PORTS, "0x1f90", "8080"),
	APPLIED(IP_LOCAL_RESERVED_PORTS, "010", "8"),
	APPLIED(IP_LOCAL_RESERVED_PORTS, "8080-0x1f9a", "8080-8090"),
	REFUSED(IP_LOCAL_RESERVED_PORTS, "8080, 9000", "without blanks"),
	REFUSED(IP_LOCAL_RESERVED_PORTS, "8080 9000", "without blanks"),
	REFUSED(IP_LOCAL_RESERVED_PORTS, "8090-8080", "out of order"),
	REFUSED(IP_LOCAL_RESERVED_PORTS, "65536", "outside 0-65535"),
	REFUSED(IP_LOCAL_RESERVED_PORTS, "8080-", "upper end"),
	REFUSED(IP_LOCAL_RESERVED_PORTS, "8080,,9000", "without blanks"),
	REFUSED(IP_LOCAL_RESERVED_PORTS, "8080;", "without blanks"),
	REFUSED(IP_LOCAL_RESERVED_PORTS, "-5", "outside 0-65535"),
	/* read-only in a child namespace */
	REFUSED(TCP_EHASH_ENTRIES, "5", "read-only"),
};

static const struct knob_kernel_state fresh_namespace = {
	.unprivileged_port_start_known = true,
	.unprivileged_port_start = 1024,
	.port_low_known = true,
	.port_low = 32768,
	.hz = 250, /* CONFIG_HZ of the kernel the cases were taken on */
};

static void test_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct write_case *c = &cases[i];
		struct knob_value before, after;
		char why[512] = "", *text;
		int r;

		before = c->key == KNOB_IP_LOCAL_PORT_RANGE ? knob_value_range(32768, 60999)
							    : knob_value_int(0);
		before.type = knob_get(c->key)->type;
		if (before.type == KNOB_TYPE_PORT_LIST)
			before.ports = NULL;
		r = knob_kernel_write(c->key, c->text, &before, &fresh_namespace, &after, why,
				      sizeof(why));
		if (r != c->outcome)
			fail_msg("%s = '%s': outcome %d, expected %d (%s)", knob_get(c->key)->name,
				 c->text, r, c->outcome, why);
		if (r == KNOB_WRITE_APPLIED) {
			text = knob_proc_text(&after);
			assert_non_null(text);
			if (strcmp(text, c->result) != 0)
				fail_msg("%s = '%s': '%s', expected '%s'", knob_get(c->key)->name,
					 c->text, text, c->result);
			free(text);
			knob_value_free(&after);
		} else if (!strstr(why, c->reason)) {
			fail_msg("%s = '%s': '%s' does not say '%s'", knob_get(c->key)->name,
				 c->text, why, c->reason);
		}
	}
}

/* What twtune cannot know, it says it does not know. */
static void test_unknowns(void **state)
{
	struct knob_value after;
	struct knob_kernel_state no_hz = fresh_namespace;
	char why[512];

	(void)state;
	assert_int_equal(knob_kernel_write(KNOB_IP_LOCAL_PORT_RANGE, "40000", NULL,
					   &fresh_namespace, &after, why, sizeof(why)),
			 KNOB_WRITE_UNKNOWN);
	assert_non_null(strstr(why, "high end is unknown"));
	assert_int_equal(knob_kernel_write(KNOB_IP_LOCAL_PORT_RANGE, "1024 65535", NULL, NULL,
					   &after, why, sizeof(why)),
			 KNOB_WRITE_UNKNOWN);
	assert_int_equal(knob_kernel_write(KNOB_IP_UNPRIVILEGED_PORT_START, "1000", NULL, NULL,
					   &after, why, sizeof(why)),
			 KNOB_WRITE_UNKNOWN);
	no_hz.hz = 0;
	assert_int_equal(knob_kernel_write(KNOB_TCP_FIN_TIMEOUT, "8589934", NULL, &no_hz, &after,
					   why, sizeof(why)),
			 KNOB_WRITE_UNKNOWN);
	assert_int_equal(knob_kernel_write(KNOB_TCP_FIN_TIMEOUT, "2147483", NULL, &no_hz, &after,
					   why, sizeof(why)),
			 KNOB_WRITE_APPLIED);
	assert_int_equal(knob_kernel_write(KNOB_TCP_FIN_TIMEOUT, "21474837", NULL, &no_hz, &after,
					   why, sizeof(why)),
			 KNOB_WRITE_REFUSED);
}

/* proc_do_large_bitmap reads PAGE_SIZE - 1 bytes a pass, and systemd writes
 * the rest in further passes: 5,000 bytes of ports are all reserved (as
 * on 6.18). */
static void test_long_bitmap(void **state)
{
	struct knob_value after;
	char why[512], *text, *list = malloc(8192);
	size_t n = 0;

	(void)state;
	assert_non_null(list);
	for (unsigned port = 10000; n < 5000; port++)
		n += (size_t)sprintf(list + n, "%u,", port);
	assert_int_equal(knob_kernel_write(KNOB_IP_LOCAL_RESERVED_PORTS, list, NULL, NULL, &after,
					   why, sizeof(why)),
			 KNOB_WRITE_APPLIED);
	text = knob_proc_text(&after);
	assert_string_equal(text, "10000-10833");
	free(text);
	free(list);
	knob_value_free(&after);
}

/* Every key twtune knows names the kernel handler its writes go through. */
static void test_every_knob_has_a_handler(void **state)
{
	(void)state;
	for (int k = 0; k < KNOB_COUNT; k++)
		if (!knob_kernel_handler(k))
			fail_msg("%s has no handler in specs[] (src/common/knob_kernel.c)",
				 knob_get(k)->name);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_knob_has_a_handler),
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_unknowns),
		cmocka_unit_test(test_long_bitmap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
