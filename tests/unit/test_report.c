/* SPDX-License-Identifier: MIT */
/* The `check` JSON document, from facts inspected off a fabricated tree or
 * filled by hand, and the endpoint formatting every renderer shares. */
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* cmocka.h needs these included before it */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include "config.h"

#include "fixture.h"
#include "inspect/inspect.h"
#include "report/format.h"
#include "report/json.h"

/* The member at PATH: names separated by '/' (sysctl names hold dots), a
 * number indexes an array. */
static json_t *at(json_t *doc, const char *path)
{
	char copy[256], *save = NULL;
	json_t *node = doc;

	snprintf(copy, sizeof(copy), "%s", path);
	for (char *name = strtok_r(copy, "/", &save); name; name = strtok_r(NULL, "/", &save)) {
		if (json_is_array(node))
			node = json_array_get(node, strtoul(name, NULL, 10));
		else if (json_is_object(node))
			node = json_object_get(node, name);
		else
			fail_msg("%s: \"%s\" is not inside an object or array", path, name);
		if (!node)
			fail_msg("%s: no member \"%s\"", path, name);
	}
	return node;
}

static void assert_json_string(json_t *doc, const char *path, const char *expected)
{
	json_t *v = at(doc, path);

	if (!json_is_string(v))
		fail_msg("%s is not a string", path);
	if (strcmp(json_string_value(v), expected) != 0)
		fail_msg("%s is \"%s\", expected \"%s\"", path, json_string_value(v), expected);
}

static void assert_json_integer(json_t *doc, const char *path, json_int_t expected)
{
	json_t *v = at(doc, path);

	if (!json_is_integer(v))
		fail_msg("%s is not an integer", path);
	if (json_integer_value(v) != expected)
		fail_msg("%s is %lld, expected %lld", path, (long long)json_integer_value(v),
			 (long long)expected);
}

static void assert_json_real(json_t *doc, const char *path, double expected)
{
	json_t *v = at(doc, path);

	if (!json_is_real(v))
		fail_msg("%s is not a real number", path);
	assert_near(json_real_value(v), expected);
}

static void assert_json_null(json_t *doc, const char *path)
{
	if (!json_is_null(at(doc, path)))
		fail_msg("%s is not null", path);
}

/* The default proc tree with a port range of 100 ports and a few sockets:
 * listener :80; 10.0.0.2 -> 10.0.0.1:80 from 40000-40002 (two in
 * TIME_WAIT); one inbound TIME_WAIT on :80. */
static void write_host(const char *root)
{
	char tcp[2048];
	const struct fixture_file overrides[] = {
		{"sys/net/ipv4/ip_local_port_range", "40000\t40099\n"},
		{"net/sockstat", "sockets: used 9\n"
				 "TCP: inuse 2 orphan 0 tw 3 alloc 4 mem 1\n"},
		{"net/tcp", tcp},
		{NULL},
	};

	/* The kernel prints each address as the 32-bit word it stores, in
	 * host order: htonl gives that word on any host. */
	snprintf(tcp, sizeof(tcp),
		 FIXTURE_TCP_HEADER
		 "   0: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 "
		 "100 1 0000000000000000 100 0 0 10 0\n"
		 "   1: %08X:9C40 %08X:0050 06 00000000:00000000 03:00000DAC 00000000 0 0 0 3 "
		 "0000000000000000\n"
		 "   2: %08X:9C41 %08X:0050 06 00000000:00000000 03:00000DAC 00000000 0 0 0 3 "
		 "0000000000000000\n"
		 "   3: %08X:9C42 %08X:0050 01 00000000:00000000 00:00000000 00000000 0 0 101 1 "
		 "0000000000000000 20 4 30 10 -1\n"
		 "   4: %08X:0050 %08X:C350 06 00000000:00000000 03:00000DAC 00000000 0 0 0 3 "
		 "0000000000000000\n",
		 htonl(0x0a000002), htonl(0x0a000001), htonl(0x0a000002), htonl(0x0a000001),
		 htonl(0x0a000002), htonl(0x0a000001), htonl(0x0a000002), htonl(0xc6336407));
	fixture_proc_tree(root, overrides);
}

/* The facts alone: the rule engine has its own tests. */
static const struct findings no_findings;

static json_t *inspect_and_report(struct fixture *fx, int expected)
{
	struct inspect_options o = {.proc_root = fx->root};
	json_t *doc;

	assert_int_equal(inspect_host(&o, &fx->facts), expected);
	doc = report_check_json(&fx->facts, &no_findings);
	assert_non_null(doc);
	assert_true(json_is_object(doc));
	return doc;
}

static void test_document_top_level(void **state)
{
	struct fixture *fx = *state;
	json_t *doc;

	write_host(fx->root);
	doc = inspect_and_report(fx, 0);
	assert_json_string(doc, "version", PACKAGE_VERSION);
	assert_json_string(doc, "kernel/release", "6.1.0-18-amd64");
	assert_json_string(doc, "kernel/version", "6.1.0");
	assert_json_string(doc, "kernel/version_source", "detected");
	assert_true(json_is_array(at(doc, "findings")));
	assert_int_equal(json_array_size(at(doc, "findings")), 0);
	assert_json_string(doc, "status", "ok");
	assert_true(json_is_array(at(doc, "errors")));
	assert_int_equal(json_array_size(at(doc, "errors")), 0);
	json_decref(doc);
}

static void test_document_sysctl(void **state)
{
	struct fixture *fx = *state;
	json_t *doc, *sysctl;

	write_host(fx->root);
	doc = inspect_and_report(fx, 0);
	sysctl = at(doc, "sysctl");
	assert_true(json_is_object(sysctl));
	assert_int_equal(json_object_size(sysctl), KNOB_COUNT);
	for (int id = 0; id < KNOB_COUNT; id++)
		if (!json_object_get(sysctl, knob_get(id)->name))
			fail_msg("sysctl has no %s", knob_get(id)->name);
	/* values stay strings, as the kernel shows them */
	assert_json_string(sysctl, "net.ipv4.tcp_tw_reuse", "2");
	assert_json_string(sysctl, "net.ipv4.ip_local_port_range", "40000 40099");
	assert_json_string(sysctl, "net.ipv4.ip_local_reserved_ports", "");
	assert_json_string(sysctl, "net.ipv4.tcp_max_tw_buckets", "262144");
	/* absent on this kernel */
	assert_json_null(sysctl, "net.ipv4.tcp_tw_recycle");
	assert_json_null(sysctl, "net.ipv4.tcp_tw_reuse_delay");
	json_decref(doc);
}

static void test_document_sockets(void **state)
{
	struct fixture *fx = *state;
	json_t *doc, *states, *top, *first;

	write_host(fx->root);
	doc = inspect_and_report(fx, 0);
	assert_true(json_is_true(at(doc, "sockets/available")));
	assert_json_string(doc, "sockets/source", "proc");
	states = at(doc, "sockets/states");
	for (unsigned st = 0; st < TCP_STATE_SLOTS; st++) {
		const char *name = tcp_state_name(st);
		if (name && !json_is_integer(json_object_get(states, name)))
			fail_msg("sockets.states.%s is not an integer", name);
	}
	assert_json_integer(states, "time_wait", 3);
	assert_json_integer(states, "established", 1);
	assert_json_integer(states, "listen", 1);
	assert_json_integer(states, "syn_sent", 0);
	assert_null(json_object_get(states, "TIME_WAIT"));
	assert_json_integer(doc, "sockets/time_wait/total", 3);
	assert_json_integer(doc, "sockets/time_wait/outbound", 2);
	assert_json_integer(doc, "sockets/time_wait/inbound", 1);

	top = at(doc, "sockets/top_destinations");
	assert_true(json_is_array(top));
	assert_int_equal(json_array_size(top), 1);
	first = json_array_get(top, 0);
	assert_json_string(first, "address", "10.0.0.1");
	assert_json_integer(first, "port", 80);
	assert_json_integer(first, "time_wait", 2);
	assert_json_integer(first, "ports_in_use", 3);
	assert_json_real(first, "port_pressure", 0.03); /* 3 of 100 ports */
	json_decref(doc);
}

static void test_document_port_pressure(void **state)
{
	struct fixture *fx = *state;
	json_t *doc, *pressure;

	write_host(fx->root);
	doc = inspect_and_report(fx, 0);
	pressure = at(doc, "sockets/port_pressure");
	assert_true(json_is_object(pressure));
	assert_json_integer(pressure, "range_size", 100);
	assert_json_real(pressure, "connect/ratio", 0.03);
	assert_json_integer(pressure, "connect/ports_in_use", 3);
	assert_json_string(pressure, "connect/local_address", "10.0.0.2");
	assert_json_string(pressure, "connect/address", "10.0.0.1");
	assert_json_integer(pressure, "connect/port", 80);
	assert_json_real(pressure, "bind/ratio", 0.03);
	assert_json_integer(pressure, "bind/ports_in_use", 3);
	json_decref(doc);
}

static void test_document_counters_and_verdict(void **state)
{
	struct fixture *fx = *state;
	json_t *doc;

	write_host(fx->root);
	doc = inspect_and_report(fx, 0);
	assert_json_integer(doc, "counters/active_opens", 4821);
	assert_json_integer(doc, "counters/passive_opens", 187);
	assert_json_integer(doc, "counters/curr_estab", 2);
	assert_json_integer(doc, "counters/tw", 1834);
	assert_json_integer(doc, "counters/sockstat_tw", 3);
	assert_true(json_is_false(at(doc, "counters/rates/sampled")));
	/* three closes 25 s ago (35 s left on each timer, 3500 ticks at
	 * USER_HZ 100), none in the last 10 s */
	assert_json_integer(doc, "sockets/time_wait/history/outbound/25", 2);
	assert_json_integer(doc, "sockets/time_wait/history/inbound/25", 1);
	assert_json_integer(doc, "sockets/time_wait/history/outbound/0", 0);
	assert_json_real(doc, "sockets/time_wait/history/rates/outbound/last_10s", 0);
	assert_json_real(doc, "sockets/time_wait/history/rates/outbound/last_60s",
			 0.0333); /* 2 / 60 s, to 4 places */
	assert_json_integer(doc, "sockets/time_wait/history/rates/outbound/peak_second", 25);
	assert_json_string(doc, "sockets/time_wait/history/rates/outbound/trend", "falling");
	assert_json_real(doc, "counters/rates/close_rate_estimate", 0);
	assert_json_string(doc, "classification/verdict", "idle");
	assert_json_string(doc, "classification/basis", "time_wait_history");
	json_decref(doc);
}

static void test_document_nothing_inspected(void **state)
{
	struct fixture *fx = *state;
	json_t *doc, *errors, *first;

	doc = inspect_and_report(fx, -ENODATA);
	assert_json_string(doc, "status", "unknown");
	assert_json_null(doc, "kernel/release");
	assert_json_null(doc, "kernel/version");
	assert_json_null(doc, "sysctl/net.ipv4.tcp_tw_reuse");
	assert_json_null(doc, "counters/active_opens");
	assert_true(json_is_false(at(doc, "sockets/available")));
	assert_json_string(doc, "classification/verdict", "unknown");
	errors = at(doc, "errors");
	assert_true(json_is_array(errors));
	assert_int_equal(json_array_size(errors), fx->facts.error_count);
	assert_true(json_array_size(errors) > 0);
	first = json_array_get(errors, 0);
	assert_json_string(first, "part", "kernel");
	assert_non_null(strstr(json_string_value(at(first, "message")), "sys/kernel/osrelease"));
	json_decref(doc);
}

static void set_addr(struct tw_addr *a, int family, const char *text)
{
	memset(a, 0, sizeof(*a));
	a->family = (uint8_t)family;
	assert_int_equal(inet_pton(family, text, a->bytes), 1);
}

static void test_document_by_hand(void **state)
{
	struct fixture *fx = *state;
	struct tw_facts *f = &fx->facts;
	struct destination_stat *d = &f->census.top[0];
	json_t *doc;

	f->parts_inspected = 1;
	f->version_known = true;
	f->version_overridden = true;
	f->version = (struct kernel_version){5, 4, 0};
	f->port_range_known = true;
	f->port_low = 32768;
	f->port_high = 60999;
	f->census.available = true;
	snprintf(f->census.source, sizeof(f->census.source), "sock_diag");
	f->census.states[TCP_STATE_TIME_WAIT] = 1200;
	f->census.time_wait_outbound = 1200;
	f->census.worst_tuple_ports = 800;
	set_addr(&f->census.worst_local, AF_INET6, "2001:db8::2");
	set_addr(&f->census.worst_remote, AF_INET6, "2001:db8::1");
	f->census.worst_remote_port = 443;
	f->census.local_ports_in_use = 14116;
	f->census.top_count = 1;
	set_addr(&d->address, AF_INET6, "2001:db8::1");
	d->port = 443;
	d->time_wait = 1200;
	d->ports_in_use = 1600; /* from two local addresses, at most 800 from one */
	d->max_from_one_local = 800;
	facts_add_error(f, "census", "sock_diag: netlink socket refused");
	doc = report_check_json(f, &no_findings);

	/* an error in one part does not make the whole run unknown */
	assert_json_string(doc, "status", "ok");
	assert_json_string(doc, "errors/0/part", "census");
	assert_json_string(doc, "errors/0/message", "sock_diag: netlink socket refused");
	assert_json_null(doc, "kernel/release");
	assert_json_string(doc, "kernel/version", "5.4.0");
	assert_json_string(doc, "kernel/version_source", "override");
	assert_json_string(doc, "sockets/source", "sock_diag");
	assert_json_string(doc, "sockets/top_destinations/0/address", "2001:db8::1");
	assert_json_integer(doc, "sockets/top_destinations/0/time_wait", 1200);
	assert_json_integer(doc, "sockets/top_destinations/0/ports_in_use", 1600);
	/* connect() runs out per local address: 800 of 28232 */
	assert_json_real(doc, "sockets/top_destinations/0/port_pressure", 0.0283);
	assert_json_integer(doc, "sockets/port_pressure/range_size", 28232);
	assert_json_real(doc, "sockets/port_pressure/connect/ratio", 0.0283);
	assert_json_string(doc, "sockets/port_pressure/connect/local_address", "2001:db8::2");
	assert_json_real(doc, "sockets/port_pressure/bind/ratio", 0.5);
	json_decref(doc);
}

static void test_document_range_unknown(void **state)
{
	struct fixture *fx = *state;
	struct tw_facts *f = &fx->facts;
	struct destination_stat *d = &f->census.top[0];
	json_t *doc, *first;

	f->parts_inspected = 1;
	f->census.available = true;
	f->census.worst_tuple_ports = 800;
	f->census.top_count = 1;
	set_addr(&d->address, AF_INET6, "2001:db8::1");
	d->port = 443;
	d->ports_in_use = 800;
	d->max_from_one_local = 800;
	f->counters[CTR_TW].present = true;
	f->counters[CTR_TW].value = 5;
	facts_add_error(f, "sysctl", "ip_local_port_range: malformed value \"x\"");
	doc = report_check_json(f, &no_findings);

	first = json_array_get(at(doc, "sockets/top_destinations"), 0);
	assert_non_null(first);
	assert_json_string(first, "address", "2001:db8::1");
	assert_json_integer(first, "port", 443);
	/* no range: no ratio can be given */
	assert_json_null(first, "port_pressure");
	assert_json_null(doc, "sockets/port_pressure/range_size");
	assert_json_null(doc, "sockets/port_pressure/connect/ratio");
	assert_json_null(doc, "sockets/port_pressure/bind/ratio");
	assert_json_integer(doc, "sockets/port_pressure/connect/ports_in_use", 800);
	assert_json_integer(doc, "counters/tw", 5);
	assert_json_null(doc, "counters/tw_killed");
	assert_int_equal(json_array_size(at(doc, "errors")), 1);
	assert_json_string(json_array_get(at(doc, "errors"), 0), "part", "sysctl");
	json_decref(doc);
}

static void test_format_endpoint(void **state)
{
	struct tw_addr a;
	char buf[80];

	(void)state;
	set_addr(&a, AF_INET, "10.0.0.1");
	assert_string_equal(format_endpoint(&a, 80, buf, sizeof(buf)), "10.0.0.1:80");
	assert_string_equal(format_addr(&a, buf, sizeof(buf)), "10.0.0.1");
	set_addr(&a, AF_INET6, "2001:db8::1");
	assert_string_equal(format_endpoint(&a, 80, buf, sizeof(buf)), "[2001:db8::1]:80");
	assert_string_equal(format_addr(&a, buf, sizeof(buf)), "2001:db8::1");
	set_addr(&a, AF_INET6, "::");
	assert_string_equal(format_endpoint(&a, 65535, buf, sizeof(buf)), "[::]:65535");
	assert_near(round4(0.123456), 0.1235);
	assert_near(round4(2.0 / 3.0), 0.6667);
}

/* DOC as print_json() writes it, newly allocated. */
static char *printed(json_t *doc)
{
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	assert_non_null(out);
	print_json(doc, out);
	assert_int_equal(fclose(out), 0);
	return text;
}

/* A counter of 2^64-1 was -1 in JSON: jansson's integers are signed. */
static void test_print_json_u64_exact(void **state)
{
	json_t *doc = json_object(), *list = json_array();
	json_t *back;
	json_error_t jerr;
	char *text;

	(void)state;
	json_object_set_new(doc, "max", json_u64(UINT64_MAX));
	json_object_set_new(doc, "signed_max", json_u64(INT64_MAX));
	json_object_set_new(doc, "above", json_u64((uint64_t)INT64_MAX + 1));
	json_object_set_new(doc, "zero", json_u64(0));
	json_array_append_new(list, json_u64(UINT64_MAX - 1));
	json_array_append_new(list, json_u64(7));
	json_object_set_new(doc, "list", list);
	/* strings that look like the held form stay strings */
	json_object_set_new(doc, "text", json_string("{\"\\u0000u64\": \"5\"}"));
	json_object_set_new(doc, "bytes", json_stringn("\0u64", 4));
	text = printed(doc);
	assert_non_null(strstr(text, "\"max\": 18446744073709551615,\n"));
	assert_non_null(strstr(text, "\"signed_max\": 9223372036854775807,\n"));
	assert_non_null(strstr(text, "\"above\": 9223372036854775808,\n"));
	assert_non_null(strstr(text, "\"zero\": 0,\n"));
	assert_non_null(strstr(text, "\"list\": [\n    18446744073709551614,\n    7\n  ],\n"));
	assert_non_null(strstr(text, "\"text\": \"{\\\"\\\\u0000u64\\\": \\\"5\\\"}\",\n"));
	assert_non_null(strstr(text, "\"bytes\": \"\\u0000u64\"\n"));
	assert_null(strstr(text, "-1"));
	/* still JSON: jansson reads the numbers it can hold back exactly */
	back = json_loads(text, JSON_DECODE_INT_AS_REAL | JSON_ALLOW_NUL, &jerr);
	if (!back)
		fail_msg("not JSON: %s: %s", jerr.text, text);
	assert_true(json_is_real(json_object_get(back, "max")));
	json_decref(back);
	free(text);
}

/* print_json_streamed() writes print_json()'s bytes, item by item: at the
 * top level and nested, for none, one and many items. */
static json_t *streamed_item(size_t i, const void *arg)
{
	(void)arg;
	return json_pack("{s:i,s:[i,{s:s}],s:{}}", "n", (int)i, "list", (int)i, "text",
			 i % 2 ? "odd \"quoted\"\nline" : "even", "empty");
}

static char *printed_either(json_t *doc, json_t *items, size_t count, bool streamed)
{
	char *text = NULL;
	size_t size = 0;
	FILE *fp = open_memstream(&text, &size);

	assert_non_null(fp);
	if (streamed) {
		print_json_streamed(doc, items, count, streamed_item, NULL, fp);
	} else {
		for (size_t i = 0; i < count; i++)
			json_array_append_new(items, streamed_item(i, NULL));
		print_json(doc, fp);
	}
	assert_int_equal(fclose(fp), 0);
	return text;
}

static void test_print_json_streamed(void **state)
{
	static const size_t counts[] = {0, 1, 5};

	(void)state;
	for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
		for (int nested = 0; nested < 2; nested++) {
			char *whole, *streamed;
			json_t *items[2];

			for (int k = 0; k < 2; k++) {
				json_t *doc = json_object(), *list = json_array();

				items[k] = list;
				json_object_set_new(doc, "before", json_string("x"));
				if (nested)
					json_object_set_new(
						doc, "outer",
						json_pack("{s:[{s:O}]}", "deeper", "items", list));
				else
					json_object_set_new(doc, "items", json_incref(list));
				json_object_set_new(doc, "after", json_pack("{s:i}", "n", 1));
				if (k == 0)
					whole = printed_either(doc, list, counts[c], false);
				else
					streamed = printed_either(doc, list, counts[c], true);
				json_decref(items[k]);
			}
			assert_string_equal(streamed, whole);
			free(whole);
			free(streamed);
		}
	}
}

#define FIXTURE_TEST(fn) cmocka_unit_test_setup_teardown(fn, fixture_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		FIXTURE_TEST(test_document_top_level),
		FIXTURE_TEST(test_document_sysctl),
		FIXTURE_TEST(test_document_sockets),
		FIXTURE_TEST(test_document_port_pressure),
		FIXTURE_TEST(test_document_counters_and_verdict),
		FIXTURE_TEST(test_document_nothing_inspected),
		FIXTURE_TEST(test_document_by_hand),
		FIXTURE_TEST(test_document_range_unknown),
		cmocka_unit_test(test_format_endpoint),
		cmocka_unit_test(test_print_json_u64_exact),
		cmocka_unit_test(test_print_json_streamed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
