/* SPDX-License-Identifier: MIT */
/* inspect_sysctls on fabricated trees, and the knob table it reads by. */
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

#include "fixture.h"
#include "inspect/sysctl.h"

/* What a 6.8 kernel with ip_local_reserved_ports set shows, as the files
 * read: tabs in the port range, a newline after every value. */
static void write_modern_knobs(const char *root)
{
	fixture_write(root, "sys/net/ipv4/tcp_tw_reuse", "2\n");
	fixture_write(root, "sys/net/ipv4/ip_local_port_range", "32768\t60999\n");
	fixture_write(root, "sys/net/ipv4/tcp_max_tw_buckets", "262144\n");
	fixture_write(root, "sys/net/ipv4/tcp_fin_timeout", "60\n");
	fixture_write(root, "sys/net/ipv4/tcp_timestamps", "1\n");
	fixture_write(root, "sys/net/ipv4/tcp_tw_reuse_delay", "1000\n");
	fixture_write(root, "sys/net/ipv4/ip_local_reserved_ports", "8080,9000-9001\n");
	fixture_write(root, "sys/net/ipv4/ip_unprivileged_port_start", "80\n");
	fixture_write(root, "sys/net/ipv4/ip_forward", "0\n");
	fixture_write(root, "sys/net/ipv6/conf/all/forwarding", "1\n");
	fixture_write(root, "sys/net/netfilter/nf_conntrack_max", "262144\n");
	fixture_write(root, "sys/net/netfilter/nf_conntrack_tcp_timeout_time_wait", "120\n");
	fixture_write(root, "sys/net/ipv4/tcp_ehash_entries", "-262144\n");
	fixture_write(root, "sys/net/ipv4/tcp_max_orphans", "131072\n");
}

static void assert_knob(const struct tw_facts *f, enum knob_id id, const char *value)
{
	const struct sysctl_value *sv = &f->sysctl[id];

	if (!sv->present)
		fail_msg("%s is not present", knob_get(id)->name);
	if (!sv->text || strcmp(sv->text, value) != 0)
		fail_msg("%s is \"%s\", expected \"%s\"", knob_get(id)->name,
			 sv->text ? sv->text : "(null)", value);
	assert_int_equal(sv->error, 0);
}

static void test_all_knobs_present(void **state)
{
	struct fixture *fx = *state;
	struct tw_facts *f = &fx->facts;

	write_modern_knobs(fx->root);
	/* a 4.x kernel still had tcp_tw_recycle */
	fixture_write(fx->root, "sys/net/ipv4/tcp_tw_recycle", "0\n");
	assert_int_equal(inspect_sysctls(fx->root, f), KNOB_COUNT);
	assert_knob(f, KNOB_TCP_TW_REUSE, "2");
	assert_knob(f, KNOB_TCP_TW_RECYCLE, "0");
	assert_knob(f, KNOB_IP_LOCAL_PORT_RANGE, "32768 60999");
	assert_knob(f, KNOB_TCP_MAX_TW_BUCKETS, "262144");
	assert_knob(f, KNOB_TCP_FIN_TIMEOUT, "60");
	assert_knob(f, KNOB_TCP_TIMESTAMPS, "1");
	assert_knob(f, KNOB_TCP_TW_REUSE_DELAY, "1000");
	assert_knob(f, KNOB_IPV6_FORWARDING, "1");
	assert_knob(f, KNOB_NF_CONNTRACK_MAX, "262144");
	assert_knob(f, KNOB_NF_CONNTRACK_TCP_TIMEOUT_TIME_WAIT, "120");
	assert_knob(f, KNOB_IP_LOCAL_RESERVED_PORTS, "8080,9000-9001");
	assert_knob(f, KNOB_IP_UNPRIVILEGED_PORT_START, "80");
	assert_knob(f, KNOB_IP_FORWARD, "0");
	assert_knob(f, KNOB_TCP_MAX_ORPHANS, "131072");
	assert_int_equal(f->error_count, 0);
}

static void test_port_range_normalised_and_parsed(void **state)
{
	struct fixture *fx = *state;
	struct tw_facts *f = &fx->facts;

	fixture_write(fx->root, "sys/net/ipv4/ip_local_port_range", "32768\t60999\n");
	assert_int_equal(inspect_sysctls(fx->root, f), 1);
	assert_string_equal(f->sysctl[KNOB_IP_LOCAL_PORT_RANGE].text, "32768 60999");
	assert_true(f->port_range_known);
	assert_int_equal(f->port_low, 32768);
	assert_int_equal(f->port_high, 60999);
	assert_int_equal(port_range_size(f), 28232);
}

static void test_recycle_absent(void **state)
{
	struct fixture *fx = *state;
	struct tw_facts *f = &fx->facts;

	/* tcp_tw_recycle was removed in 4.12 */
	write_modern_knobs(fx->root);
	assert_int_equal(inspect_sysctls(fx->root, f), KNOB_COUNT - 1);
	assert_false(f->sysctl[KNOB_TCP_TW_RECYCLE].present);
	assert_null(f->sysctl[KNOB_TCP_TW_RECYCLE].text);
	assert_int_equal(f->sysctl[KNOB_TCP_TW_RECYCLE].error, 0);
	/* a knob this kernel lacks is not an error */
	assert_int_equal(f->error_count, 0);
}

static void test_reserved_ports_bitmap(void **state)
{
	struct fixture *fx = *state;
	struct tw_facts *f = &fx->facts;

	fixture_write(fx->root, "sys/net/ipv4/ip_local_reserved_ports", "8080,9000-9001\n");
	assert_int_equal(inspect_sysctls(fx->root, f), 1);
	assert_true(port_bit(f->reserved_ports, 8080));
	assert_true(port_bit(f->reserved_ports, 9000));
	assert_true(port_bit(f->reserved_ports, 9001));
	assert_false(port_bit(f->reserved_ports, 8081));
	assert_false(port_bit(f->reserved_ports, 8999));
	assert_false(port_bit(f->reserved_ports, 9002));
	assert_int_equal(f->error_count, 0);
}

static void test_empty_reserved_ports(void **state)
{
	struct fixture *fx = *state;
	struct tw_facts *f = &fx->facts;

	/* the kernel's default: an empty line */
	fixture_write(fx->root, "sys/net/ipv4/ip_local_reserved_ports", "\n");
	assert_int_equal(inspect_sysctls(fx->root, f), 1);
	assert_knob(f, KNOB_IP_LOCAL_RESERVED_PORTS, "");
	assert_false(port_bit(f->reserved_ports, 8080));
	assert_int_equal(f->error_count, 0);
}

static void test_malformed_port_range(void **state)
{
	struct fixture *fx = *state;
	struct tw_facts *f = &fx->facts;
	const char *msg;

	fixture_write(fx->root, "sys/net/ipv4/ip_local_port_range", "60999 32768\n");
	assert_int_equal(inspect_sysctls(fx->root, f), 1);
	assert_false(f->port_range_known);
	assert_int_equal(port_range_size(f), 0);
	msg = fixture_find_error(f, "sysctl", "ip_local_port_range");
	assert_non_null(msg);
	assert_non_null(strstr(msg, fx->root));
	assert_non_null(strstr(msg, "\"60999 32768\""));
}

static void test_port_range_missing_high(void **state)
{
	struct fixture *fx = *state;
	struct tw_facts *f = &fx->facts;

	fixture_write(fx->root, "sys/net/ipv4/ip_local_port_range", "32768\n");
	inspect_sysctls(fx->root, f);
	assert_false(f->port_range_known);
	assert_non_null(fixture_find_error(f, "sysctl", "ip_local_port_range: malformed"));
}

static void test_malformed_reserved_ports(void **state)
{
	struct fixture *fx = *state;
	struct tw_facts *f = &fx->facts;

	fixture_write(fx->root, "sys/net/ipv4/ip_local_reserved_ports", "8080,9001-9000\n");
	inspect_sysctls(fx->root, f);
	/* nothing half-parsed is kept */
	assert_false(port_bit(f->reserved_ports, 8080));
	assert_non_null(fixture_find_error(f, "sysctl", "ip_local_reserved_ports"));
}

static void test_unprivileged_port_start(void **state)
{
	struct fixture *fx = *state;
	struct tw_facts *f = &fx->facts;

	assert_int_equal(f->unprivileged_port_start, 1024);
	fixture_write(fx->root, "sys/net/ipv4/ip_unprivileged_port_start", "443\n");
	assert_int_equal(inspect_sysctls(fx->root, f), 1);
	assert_int_equal(f->unprivileged_port_start, 443);
}

static void test_unreadable_knob_is_an_error(void **state)
{
	struct fixture *fx = *state;
	struct tw_facts *f = &fx->facts;

	/* a directory where the file should be: present, but read() fails */
	fixture_mkdir(fx->root, "sys/net/ipv4/tcp_tw_reuse");
	fixture_write(fx->root, "sys/net/ipv4/tcp_fin_timeout", "30\n");
	assert_int_equal(inspect_sysctls(fx->root, f), 1);
	assert_true(f->sysctl[KNOB_TCP_TW_REUSE].present);
	assert_null(f->sysctl[KNOB_TCP_TW_REUSE].text);
	assert_int_equal(f->sysctl[KNOB_TCP_TW_REUSE].error, -EISDIR);
	assert_non_null(fixture_find_error(f, "sysctl", "sys/net/ipv4/tcp_tw_reuse"));
	assert_knob(f, KNOB_TCP_FIN_TIMEOUT, "30");
}

static void test_empty_tree(void **state)
{
	struct fixture *fx = *state;
	struct tw_facts *f = &fx->facts;

	assert_int_equal(inspect_sysctls(fx->root, f), 0);
	for (int id = 0; id < KNOB_COUNT; id++) {
		assert_false(f->sysctl[id].present);
		assert_null(f->sysctl[id].text);
	}
	assert_false(f->port_range_known);
	assert_int_equal(f->unprivileged_port_start, 1024);
	assert_int_equal(f->error_count, 0);
}

static void test_knob_find(void **state)
{
	(void)state;
	assert_int_equal(knob_find("net.ipv4.tcp_tw_reuse"), KNOB_TCP_TW_REUSE);
	assert_int_equal(knob_find("net/ipv4/tcp_tw_reuse"), KNOB_TCP_TW_REUSE);
	assert_int_equal(knob_find("net/ipv4.ip_local_port_range"), KNOB_IP_LOCAL_PORT_RANGE);
	/* a longer name that starts like a shorter one is its own knob */
	assert_int_equal(knob_find("net.ipv4.tcp_tw_reuse_delay"), KNOB_TCP_TW_REUSE_DELAY);
	assert_int_equal(knob_find("net.ipv4.ip_local_reserved_ports"),
			 KNOB_IP_LOCAL_RESERVED_PORTS);
	assert_int_equal(knob_find("net.ipv4.tcp_tw_reus"), -1);
	assert_int_equal(knob_find("net.ipv4.tcp_tw_reuse.x"), -1);
	assert_int_equal(knob_find("net.ipv6.tcp_tw_reuse"), -1);
	assert_int_equal(knob_find(""), -1);
}

static void test_knob_proc_path(void **state)
{
	char buf[128], tiny[8];

	(void)state;
	assert_int_equal(knob_proc_path(KNOB_TCP_TW_REUSE, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "sys/net/ipv4/tcp_tw_reuse");
	assert_int_equal(knob_proc_path(KNOB_IP_LOCAL_PORT_RANGE, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "sys/net/ipv4/ip_local_port_range");
	assert_int_equal(knob_proc_path(KNOB_TCP_TW_REUSE, tiny, sizeof(tiny)), -1);
	assert_int_equal(knob_proc_path(KNOB_COUNT, buf, sizeof(buf)), -1);
	/* every name maps to a path and back */
	for (int id = 0; id < KNOB_COUNT; id++) {
		assert_int_equal(knob_proc_path(id, buf, sizeof(buf)), 0);
		assert_int_equal(knob_find(buf + strlen("sys/")), id);
	}
}

#define FIXTURE_TEST(fn) cmocka_unit_test_setup_teardown(fn, fixture_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		FIXTURE_TEST(test_all_knobs_present),
		FIXTURE_TEST(test_port_range_normalised_and_parsed),
		FIXTURE_TEST(test_recycle_absent),
		FIXTURE_TEST(test_reserved_ports_bitmap),
		FIXTURE_TEST(test_empty_reserved_ports),
		FIXTURE_TEST(test_malformed_port_range),
		FIXTURE_TEST(test_port_range_missing_high),
		FIXTURE_TEST(test_malformed_reserved_ports),
		FIXTURE_TEST(test_unprivileged_port_start),
		FIXTURE_TEST(test_unreadable_knob_is_an_error),
		FIXTURE_TEST(test_empty_tree),
		cmocka_unit_test(test_knob_find),
		cmocka_unit_test(test_knob_proc_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
