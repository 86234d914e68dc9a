/* SPDX-License-Identifier: MIT */
/* The socket census: crafted sock_diag replies fed through
 * census_add_diag_message in the two passes the netlink dump makes, and
 * census_read_proc on fabricated /proc/net/tcp and tcp6 tables. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* cmocka.h needs these included before it */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include "common/addr.h"
#include "fixture.h"
#include "inspect/census.h"
#include "inspect/tw_history.h"

#define RANGE_LOW 32768
#define RANGE_HIGH 60999

/* Netlink replies back to back, as one recvmsg() would return them. */
struct dump {
	uint8_t *data;
	size_t len, cap;
};

struct census_test {
	struct tw_facts facts;
	struct census_builder b;
	struct dump listeners; /* pass 1: what a LISTEN-only dump returns */
	struct dump others;    /* pass 2: every other state */
};

static int census_setup(void **state)
{
	struct census_test *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	facts_init(&t->facts);
	t->facts.port_range_known = true;
	t->facts.port_low = RANGE_LOW;
	t->facts.port_high = RANGE_HIGH;
	*state = t;
	return 0;
}

static int census_teardown(void **state)
{
	struct census_test *t = *state;

	census_discard(&t->b);
	facts_free(&t->facts);
	free(t->listeners.data);
	free(t->others.data);
	free(t);
	return 0;
}

/* Start the census once the test has set up the facts it needs. */
static void begin(struct census_test *t)
{
	assert_int_equal(census_begin(&t->b, &t->facts), 0);
}

static struct nlmsghdr *dump_reserve(struct dump *d, size_t size)
{
	size_t need = NLMSG_ALIGN(size);
	struct nlmsghdr *nlh;

	if (d->len + need > d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 4096;
		uint8_t *bigger;

		while (cap < d->len + need)
			cap *= 2;
		bigger = realloc(d->data, cap);
		assert_non_null(bigger);
		d->data = bigger;
		d->cap = cap;
	}
	nlh = (struct nlmsghdr *)(d->data + d->len);
	memset(nlh, 0, need);
	d->len += need;
	return nlh;
}

static void parse_addr(int family, const char *text, __be32 words[4])
{
	memset(words, 0, 16);
	if (inet_pton(family, text, words) != 1)
		fail_msg("bad test address %s", text);
}

/* One SOCK_DIAG_BY_FAMILY reply as the kernel builds it (inet_diag.c,
 * inet_sk_diag_fill): ports in network order, addresses in the id. */
static void add(struct census_test *t, int family, unsigned state, const char *src, uint16_t sport,
		const char *dst, uint16_t dport)
{
	struct dump *d = state == TCP_STATE_LISTEN ? &t->listeners : &t->others;
	struct nlmsghdr *nlh = dump_reserve(d, NLMSG_LENGTH(sizeof(struct inet_diag_msg)));
	struct inet_diag_msg *m = NLMSG_DATA(nlh);

	nlh->nlmsg_len = NLMSG_LENGTH(sizeof(*m));
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_MULTI;
	nlh->nlmsg_seq = 1;
	m->idiag_family = (uint8_t)family;
	m->idiag_state = (uint8_t)state;
	m->id.idiag_sport = htons(sport);
	m->id.idiag_dport = htons(dport);
	parse_addr(family, src, m->id.idiag_src);
	parse_addr(family, dst, m->id.idiag_dst);
	m->id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
	/* TIME_WAIT sockets have no inode; the others any non-zero one */
	m->idiag_inode = state == TCP_STATE_TIME_WAIT ? 0 : 10000u + sport;
}

static void add4(struct census_test *t, unsigned state, const char *src, uint16_t sport,
		 const char *dst, uint16_t dport)
{
	add(t, AF_INET, state, src, sport, dst, dport);
}

static void listen4(struct census_test *t, uint16_t port)
{
	add(t, AF_INET, TCP_STATE_LISTEN, "0.0.0.0", port, "0.0.0.0", 0);
}

static void feed(struct census_test *t, const struct dump *d, bool listeners)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)d->data;
	unsigned int left = (unsigned int)d->len;

	for (; NLMSG_OK(nlh, left); nlh = NLMSG_NEXT(nlh, left))
		assert_int_equal(census_add_diag_message(&t->b, nlh, listeners), 0);
	assert_int_equal(left, 0);
}

/* Both passes, the third when the census asks for it, then the ranking. */
static struct tw_census *run(struct census_test *t)
{
	feed(t, &t->listeners, true);
	feed(t, &t->others, false);
	if (census_recount_begin(&t->b))
		feed(t, &t->others, false);
	assert_int_equal(t->b.malformed, 0);
	assert_int_equal(census_finish(&t->b), 0);
	assert_true(t->facts.census.available);
	return &t->facts.census;
}

static void assert_addr(const struct tw_addr *a, int family, const char *text)
{
	uint8_t expected[16] = {0};

	assert_int_equal(a->family, family);
	assert_int_equal(inet_pton(family, text, expected), 1);
	if (memcmp(a->bytes, expected, family == AF_INET ? 4 : 16) != 0) {
		char shown[INET6_ADDRSTRLEN];
		inet_ntop(family, a->bytes, shown, sizeof(shown));
		fail_msg("address is %s, expected %s", shown, text);
	}
}

static void test_counts_per_state(void **state)
{
	struct census_test *t = *state;
	struct tw_census *c;

	begin(t);
	listen4(t, 80);
	listen4(t, 443);
	for (uint16_t i = 0; i < 3; i++)
		add4(t, TCP_STATE_ESTABLISHED, "10.0.0.2", 40000 + i, "10.0.0.1", 5432);
	for (uint16_t i = 0; i < 4; i++)
		add4(t, TCP_STATE_TIME_WAIT, "10.0.0.2", 41000 + i, "10.0.0.1", 5432);
	add4(t, TCP_STATE_SYN_SENT, "10.0.0.2", 42000, "10.0.0.7", 8080);
	add4(t, TCP_STATE_CLOSE_WAIT, "10.0.0.2", 443, "192.0.2.10", 50001);
	add4(t, TCP_STATE_FIN_WAIT2, "10.0.0.2", 443, "192.0.2.11", 50002);
	/* bound, never connected: no peer */
	add4(t, TCP_STATE_CLOSE, "10.0.0.2", 40500, "0.0.0.0", 0);
	c = run(t);

	assert_int_equal(c->states[TCP_STATE_LISTEN], 2);
	assert_int_equal(c->states[TCP_STATE_ESTABLISHED], 3);
	assert_int_equal(c->states[TCP_STATE_TIME_WAIT], 4);
	assert_int_equal(c->states[TCP_STATE_SYN_SENT], 1);
	assert_int_equal(c->states[TCP_STATE_CLOSE_WAIT], 1);
	assert_int_equal(c->states[TCP_STATE_FIN_WAIT2], 1);
	assert_int_equal(c->states[TCP_STATE_CLOSE], 1);
	assert_int_equal(c->states[TCP_STATE_SYN_RECV], 0);
	assert_int_equal(c->total, 13);
	assert_int_equal(c->listening_ports, 2);
	/* 10.0.0.1:5432 and 10.0.0.7:8080; the rest are a server's or have
	 * no peer */
	assert_int_equal(c->destinations, 2);
}

static void test_time_wait_direction(void **state)
{
	struct census_test *t = *state;
	struct tw_census *c;

	begin(t);
	listen4(t, 443);
	/* a server's: on its listening port */
	add4(t, TCP_STATE_TIME_WAIT, "10.0.0.2", 443, "198.51.100.7", 51000);
	add4(t, TCP_STATE_TIME_WAIT, "10.0.0.2", 443, "198.51.100.7", 51001);
	/* a server whose listener is gone: local port outside the range,
	 * the peer's inside it */
	add4(t, TCP_STATE_TIME_WAIT, "10.0.0.2", 8080, "203.0.113.5", 45000);
	/* a client's: ephemeral local port */
	for (uint16_t i = 0; i < 3; i++)
		add4(t, TCP_STATE_TIME_WAIT, "10.0.0.2", 40000 + i, "10.0.0.1", 80);
	/* a client bound to a fixed port outside the range, toward a server */
	add4(t, TCP_STATE_TIME_WAIT, "10.0.0.2", 5000, "10.0.0.9", 80);
	add4(t, TCP_STATE_ESTABLISHED, "10.0.0.2", 443, "198.51.100.8", 52000);
	add4(t, TCP_STATE_ESTABLISHED, "10.0.0.2", 40010, "10.0.0.1", 80);
	c = run(t);

	assert_int_equal(c->time_wait_inbound, 3);
	assert_int_equal(c->time_wait_outbound, 4);
	assert_int_equal(c->inbound_other, 1);
	assert_int_equal(c->outbound_other, 1);
	/* only the host's own connections have destinations */
	assert_int_equal(c->destinations, 2);
}

static void test_direction_without_range(void **state)
{
	struct census_test *t = *state;
	struct tw_census *c;

	t->facts.port_range_known = false;
	begin(t);
	listen4(t, 443);
	add4(t, TCP_STATE_TIME_WAIT, "10.0.0.2", 443, "198.51.100.7", 51000);
	/* with no range to judge by, only a listener makes it inbound */
	add4(t, TCP_STATE_TIME_WAIT, "10.0.0.2", 8080, "203.0.113.5", 45000);
	c = run(t);

	assert_int_equal(c->time_wait_inbound, 1);
	assert_int_equal(c->time_wait_outbound, 1);
	assert_int_equal(c->local_ports_in_use, 0);
	assert_int_equal(c->listen_in_range_count, 0);
	assert_null(c->listen_in_range);
}

static void assert_top(const struct destination_stat *d, const char *addr, uint16_t port,
		       uint32_t time_wait, uint32_t ports_in_use, uint32_t max_from_one_local)
{
	assert_addr(&d->address, AF_INET, addr);
	assert_int_equal(d->port, port);
	assert_int_equal(d->time_wait, time_wait);
	assert_int_equal(d->ports_in_use, ports_in_use);
	assert_int_equal(d->max_from_one_local, max_from_one_local);
}

static void test_top_destinations_ranking(void **state)
{
	struct census_test *t = *state;
	struct tw_census *c;
	uint16_t port = 40000;

	begin(t);
	add4(t, TCP_STATE_ESTABLISHED, "10.0.0.100", port++, "10.0.0.3", 6379);
	add4(t, TCP_STATE_ESTABLISHED, "10.0.0.100", port++, "10.0.0.3", 6379);
	for (int i = 0; i < 3; i++)
		add4(t, TCP_STATE_TIME_WAIT, "10.0.0.100", port++, "10.0.0.2", 5432);
	for (int i = 0; i < 7; i++)
		add4(t, TCP_STATE_ESTABLISHED, "10.0.0.100", port++, "10.0.0.2", 5432);
	for (int i = 0; i < 5; i++)
		add4(t, TCP_STATE_TIME_WAIT, "10.0.0.100", port++, "10.0.0.1", 80);
	c = run(t);

	assert_int_equal(c->destinations, 3);
	assert_int_equal(c->top_count, 3);
	/* by TIME_WAIT first, then those with ports in use the first missed */
	assert_top(&c->top[0], "10.0.0.1", 80, 5, 5, 5);
	assert_top(&c->top[1], "10.0.0.2", 5432, 3, 10, 10);
	assert_top(&c->top[2], "10.0.0.3", 6379, 0, 2, 2);
}

static void test_top_destinations_capped(void **state)
{
	struct census_test *t = *state;
	struct tw_census *c;
	uint16_t port = 40000;
	char addr[32];

	begin(t);
	/* twelve destinations with 1..12 TIME_WAIT sockets each */
	for (int i = 0; i < 12; i++) {
		snprintf(addr, sizeof(addr), "10.1.0.%d", i);
		for (int k = 0; k <= i; k++)
			add4(t, TCP_STATE_TIME_WAIT, "10.0.0.100", port++, addr, 80);
	}
	/* and a pool of idle connections with no TIME_WAIT at all */
	for (int i = 0; i < 30; i++)
		add4(t, TCP_STATE_ESTABLISHED, "10.0.0.100", port++, "10.2.0.1", 3306);
	c = run(t);

	assert_int_equal(c->destinations, 13);
	assert_int_equal(c->top_count, CENSUS_TOP + 1);
	for (unsigned i = 0; i < CENSUS_TOP; i++) {
		snprintf(addr, sizeof(addr), "10.1.0.%u", 11 - i);
		assert_top(&c->top[i], addr, 80, 12 - i, 12 - i, 12 - i);
	}
	assert_top(&c->top[CENSUS_TOP], "10.2.0.1", 3306, 0, 30, 30);
}

static void test_worst_tuple_across_local_addresses(void **state)
{
	struct census_test *t = *state;
	struct tw_census *c;

	begin(t);
	/* the same port numbers on two local addresses are different ports */
	for (uint16_t i = 0; i < 3; i++)
		add4(t, TCP_STATE_TIME_WAIT, "10.0.0.2", 40000 + i, "10.0.0.1", 80);
	for (uint16_t i = 0; i < 5; i++)
		add4(t, TCP_STATE_TIME_WAIT, "10.0.0.3", 40000 + i, "10.0.0.1", 80);
	/* same pair of addresses, another remote port: a tuple of its own */
	for (uint16_t i = 0; i < 4; i++)
		add4(t, TCP_STATE_ESTABLISHED, "10.0.0.2", 41000 + i, "10.0.0.1", 443);
	c = run(t);

	assert_int_equal(c->worst_tuple_ports, 5);
	assert_addr(&c->worst_local, AF_INET, "10.0.0.3");
	assert_addr(&c->worst_remote, AF_INET, "10.0.0.1");
	assert_int_equal(c->worst_remote_port, 80);
	assert_int_equal(c->top_count, 2);
	assert_top(&c->top[0], "10.0.0.1", 80, 8, 8, 5);
	assert_top(&c->top[1], "10.0.0.1", 443, 0, 4, 4);
	assert_int_equal(c->local_ports_in_use, 5 + 4);
}

static void test_local_ports_in_use_counts_range_only(void **state)
{
	struct census_test *t = *state;
	struct tw_census *c;

	begin(t);
	add4(t, TCP_STATE_ESTABLISHED, "10.0.0.2", 40000, "10.0.0.1", 80);
	add4(t, TCP_STATE_ESTABLISHED, "10.0.0.2", 40000, "10.0.0.5", 80); /* same port */
	add4(t, TCP_STATE_TIME_WAIT, "10.0.0.2", 40001, "10.0.0.1", 80);
	add(t, AF_INET6, TCP_STATE_TIME_WAIT, "2001:db8::2", 40001, "2001:db8::1", 80);
	add4(t, TCP_STATE_TIME_WAIT, "10.0.0.2", RANGE_LOW, "10.0.0.1", 80);
	add4(t, TCP_STATE_TIME_WAIT, "10.0.0.2", RANGE_HIGH, "10.0.0.1", 80);
	/* outside the range */
	add4(t, TCP_STATE_TIME_WAIT, "10.0.0.2", RANGE_LOW - 1, "10.0.0.1", 80);
	add4(t, TCP_STATE_TIME_WAIT, "10.0.0.2", RANGE_HIGH + 1, "10.0.0.1", 80);
	add4(t, TCP_STATE_ESTABLISHED, "10.0.0.2", 5000, "10.0.0.1", 80);
	c = run(t);

	assert_int_equal(c->local_ports_in_use, 4);
	/* ports outside the range do not compete for it */
	assert_int_equal(c->top[0].ports_in_use, 4);
	assert_int_equal(c->top[0].time_wait, 5);
}

static void test_listen_in_range(void **state)
{
	struct census_test *t = *state;
	struct tw_census *c;

	port_set(t->facts.reserved_ports, 45000);
	begin(t);
	listen4(t, 22);
	listen4(t, 80);
	listen4(t, 50000);
	listen4(t, 33000);
	listen4(t, 45000); /* reserved: the kernel never hands it out */
	add(t, AF_INET6, TCP_STATE_LISTEN, "::", 33000, "::", 0);
	c = run(t);

	assert_int_equal(c->states[TCP_STATE_LISTEN], 6);
	assert_int_equal(c->listening_ports, 5);
	assert_int_equal(c->listen_in_range_count, 2);
	assert_non_null(c->listen_in_range);
	assert_int_equal(c->listen_in_range[0], 33000);
	assert_int_equal(c->listen_in_range[1], 50000);
}

static void test_ipv4_mapped_is_ipv4(void **state)
{
	struct census_test *t = *state;
	struct tw_census *c;

	begin(t);
	add(t, AF_INET6, TCP_STATE_TIME_WAIT, "::ffff:10.0.0.2", 40000, "::ffff:10.0.0.1", 80);
	add4(t, TCP_STATE_TIME_WAIT, "10.0.0.2", 40001, "10.0.0.1", 80);
	add(t, AF_INET6, TCP_STATE_TIME_WAIT, "2001:db8::2", 40002, "2001:db8::1", 443);
	c = run(t);

	assert_int_equal(c->destinations, 2);
	assert_int_equal(c->top_count, 2);
	assert_top(&c->top[0], "10.0.0.1", 80, 2, 2, 2);
	assert_addr(&c->top[1].address, AF_INET6, "2001:db8::1");
	assert_int_equal(c->top[1].time_wait, 1);
	/* one IPv4 local address toward one destination: one tuple */
	assert_int_equal(c->worst_tuple_ports, 2);
	assert_addr(&c->worst_local, AF_INET, "10.0.0.2");
}

/* A well-formed TIME_WAIT reply in BUF, to be spoiled by the caller. */
static struct nlmsghdr *good_message(struct dump *d)
{
	struct nlmsghdr *nlh;
	struct inet_diag_msg *m;

	d->len = 0;
	nlh = dump_reserve(d, NLMSG_LENGTH(sizeof(*m)));
	m = NLMSG_DATA(nlh);
	nlh->nlmsg_len = NLMSG_LENGTH(sizeof(*m));
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	m->idiag_family = AF_INET;
	m->idiag_state = TCP_STATE_TIME_WAIT;
	m->id.idiag_sport = htons(40000);
	m->id.idiag_dport = htons(80);
	parse_addr(AF_INET, "10.0.0.2", m->id.idiag_src);
	parse_addr(AF_INET, "10.0.0.1", m->id.idiag_dst);
	return nlh;
}

static void assert_rejected(struct census_test *t, const struct nlmsghdr *nlh, bool listeners,
			    unsigned long malformed_before)
{
	assert_int_equal(census_add_diag_message(&t->b, nlh, listeners), -EBADMSG);
	assert_int_equal(t->b.malformed, malformed_before + 1);
}

static void test_malformed_messages(void **state)
{
	struct census_test *t = *state;
	struct nlmsghdr *nlh;
	struct inet_diag_msg *m;
	struct tw_census *c;

	begin(t);
	nlh = good_message(&t->others);
	nlh->nlmsg_len = NLMSG_LENGTH(sizeof(*m)) - 1;
	assert_rejected(t, nlh, false, 0);
	nlh->nlmsg_len = NLMSG_HDRLEN;
	assert_rejected(t, nlh, true, 1);

	nlh = good_message(&t->others);
	nlh->nlmsg_type = NLMSG_ERROR;
	assert_rejected(t, nlh, false, 2);
	nlh->nlmsg_type = NLMSG_DONE;
	assert_rejected(t, nlh, true, 3);

	nlh = good_message(&t->others);
	m = NLMSG_DATA(nlh);
	m->idiag_family = AF_UNIX;
	assert_rejected(t, nlh, false, 4);

	nlh = good_message(&t->others);
	m = NLMSG_DATA(nlh);
	m->idiag_state = TCP_STATE_SLOTS;
	assert_rejected(t, nlh, false, 5);
	m->idiag_state = 255;
	assert_rejected(t, nlh, true, 6);

	/* nothing of those was counted; a good one still is */
	nlh = good_message(&t->others);
	assert_int_equal(census_add_diag_message(&t->b, nlh, false), 0);
	assert_int_equal(t->b.malformed, 7);
	assert_int_equal(census_finish(&t->b), 0);
	c = &t->facts.census;
	assert_int_equal(c->total, 1);
	assert_int_equal(c->states[TCP_STATE_TIME_WAIT], 1);
	assert_int_equal(c->destinations, 1);
}

static void test_many_destinations(void **state)
{
	struct census_test *t = *state;
	struct tw_census *c;
	char addr[32];

	begin(t);
	for (int i = 0; i < 5000; i++) {
		snprintf(addr, sizeof(addr), "10.20.%d.%d", i / 250, i % 250 + 1);
		add4(t, TCP_STATE_TIME_WAIT, "10.0.0.2", (uint16_t)(RANGE_LOW + i), addr, 443);
	}
	for (uint16_t i = 0; i < 3; i++)
		add4(t, TCP_STATE_TIME_WAIT, "10.0.0.2", 60000 + i, "192.0.2.1", 443);
	c = run(t);

	assert_int_equal(c->destinations, 5001);
	assert_false(c->destinations_truncated);
	assert_int_equal(c->states[TCP_STATE_TIME_WAIT], 5003);
	assert_int_equal(c->time_wait_outbound, 5003);
	assert_int_equal(c->local_ports_in_use, 5003);
	assert_in_range(c->top_count, CENSUS_TOP, 2 * CENSUS_TOP);
	assert_top(&c->top[0], "192.0.2.1", 443, 3, 3, 3);
	assert_int_equal(c->top[1].time_wait, 1);
	assert_int_equal(c->worst_tuple_ports, 3);
}

static void test_destination_table_is_capped(void **state)
{
	struct census_test *t = *state;
	const unsigned sockets = 600000;
	struct tw_addr local, remote;
	struct tw_census *c;

	begin(t);
	memset(&local, 0, sizeof(local));
	local.family = AF_INET;
	memcpy(local.bytes, "\x0a\x00\x00\x02", 4);
	remote = local;
	/* more distinct destinations than any table should hold: memory
	 * stays bounded, the figures become lower bounds and say so */
	for (unsigned i = 0; i < sockets; i++) {
		uint32_t word = htonl(0x0b000000u + i);

		memcpy(remote.bytes, &word, 4);
		census_add_socket(&t->b, TCP_STATE_TIME_WAIT, &local,
				  (uint16_t)(RANGE_LOW + i % 28000), &remote, 443);
	}
	assert_false(census_recount_begin(&t->b)); /* none holds 1% of the range */
	assert_int_equal(t->b.dests.used, CENSUS_TRACKED);
	assert_int_equal(census_finish(&t->b), 0);
	c = &t->facts.census;
	/* the distinct count is an estimate, within a few percent */
	assert_true(c->destinations_truncated);
	assert_in_range(c->destinations, sockets * 95 / 100, sockets * 105 / 100);
	assert_in_range(c->destinations_untracked_max, 1, sockets / CENSUS_TRACKED);
	assert_true(c->top[0].estimated);
	assert_true(c->top[0].error <= c->destinations_untracked_max);
	assert_true(c->worst_tuple_estimated);
	/* the state counts do not depend on the table */
	assert_int_equal(c->states[TCP_STATE_TIME_WAIT], sockets);
	assert_int_equal(c->time_wait_outbound, sockets);
	assert_int_equal(c->local_ports_in_use, 28000);
}

/* One socket each toward DESTINATIONS light destinations 11.0.0.0 + i,
 * from FROM on. */
static void light_destinations(struct census_test *t, unsigned from, unsigned count)
{
	char addr[32];

	for (unsigned i = from; i < from + count; i++) {
		snprintf(addr, sizeof(addr), "11.%u.%u.%u", i >> 16, (i >> 8) & 255, i & 255);
		add4(t, TCP_STATE_TIME_WAIT, "10.0.0.2", (uint16_t)(RANGE_LOW + i % 28000), addr,
		     443);
	}
}

/* A destination that holds a significant share of the range stays exact
 * among more destinations than the census tracks, even when its first
 * socket comes after the table is full: the third pass counts it again. */
static void test_heavy_destination_exact_among_many(void **state)
{
	struct census_test *t = *state;
	const unsigned light = 20000, heavy = 3000;
	struct tw_census *c;

	begin(t);
	light_destinations(t, 0, 10000); /* the table is full after 8192 */
	for (unsigned i = 0; i < heavy; i++) {
		unsigned from = 10000 + i * (light - 10000) / heavy,
			 to = 10000 + (i + 1) * (light - 10000) / heavy;

		add4(t, TCP_STATE_TIME_WAIT, "10.0.0.2", (uint16_t)(RANGE_LOW + i), "192.0.2.1",
		     443);
		light_destinations(t, from, to - from);
	}
	feed(t, &t->listeners, true);
	feed(t, &t->others, false);
	/* counted from after the table filled: not exact yet */
	assert_true(census_recount_begin(&t->b));
	feed(t, &t->others, false);
	assert_int_equal(census_finish(&t->b), 0);
	c = &t->facts.census;

	assert_int_equal(c->time_wait_outbound, light + heavy);
	assert_true(c->destinations_truncated);
	assert_in_range(c->destinations, 19000, 21000);
	assert_in_range(c->destinations_untracked_max, 1, (light + heavy) / CENSUS_TRACKED);
	assert_top(&c->top[0], "192.0.2.1", 443, heavy, heavy, heavy);
	assert_false(c->top[0].estimated);
	assert_int_equal(c->top[0].error, 0);
	assert_int_equal(c->worst_tuple_ports, heavy);
	assert_addr(&c->worst_remote, AF_INET, "192.0.2.1");
	assert_addr(&c->worst_local, AF_INET, "10.0.0.2");
	assert_false(c->worst_tuple_estimated);
	/* the light ones listed are estimates, low by at most their error */
	for (unsigned i = 1; i < c->top_count; i++) {
		assert_true(c->top[i].time_wait <= 2);
		assert_true(c->top[i].time_wait + c->top[i].error >= 1);
		assert_true(c->top[i].error <= c->destinations_untracked_max);
	}
}

/* Only light destinations, more than are tracked: nothing to recount;
 * every figure shown brackets the truth with its error. */
static void test_light_destinations_are_estimates(void **state)
{
	struct census_test *t = *state;
	const unsigned destinations = 30000;
	struct tw_census *c;

	begin(t);
	light_destinations(t, 0, destinations);
	light_destinations(t, 0, destinations); /* two sockets each */
	feed(t, &t->listeners, true);
	feed(t, &t->others, false);
	assert_false(census_recount_begin(&t->b));
	assert_int_equal(census_finish(&t->b), 0);
	c = &t->facts.census;

	assert_int_equal(c->time_wait_outbound, 2 * destinations);
	assert_true(c->destinations_truncated);
	assert_in_range(c->destinations_untracked_max, 1, 2 * destinations / CENSUS_TRACKED);
	assert_true(c->top_count > 0);
	for (unsigned i = 0; i < c->top_count; i++) {
		assert_true(c->top[i].time_wait <= 2);
		if (c->top[i].estimated)
			assert_true(c->top[i].time_wait + c->top[i].error >= 2);
		else
			assert_int_equal(c->top[i].time_wait, 2);
	}
	/* the worst tuple holds 2 ports: shown, or within the error */
	assert_true(c->worst_tuple_ports <= 2);
	assert_true(c->worst_tuple_ports + c->worst_tuple_error >= 2);
}

/* Toward one destination from more local addresses than are counted
 * apart: the most from one address is found by the third pass when the
 * destination matters, and is an estimate with its bound when not. */
static void test_many_local_addresses(void **state)
{
	struct census_test *t = *state;
	struct tw_census *c;
	char local[32];

	begin(t);
	for (unsigned a = 1; a <= 6; a++) {
		unsigned heavy = a == 6 ? 400 : 10, light = a == 6 ? 9 : 2;

		snprintf(local, sizeof(local), "10.0.0.%u", a);
		for (unsigned i = 0; i < heavy; i++)
			add4(t, TCP_STATE_ESTABLISHED, local, (uint16_t)(RANGE_LOW + i),
			     "192.0.2.1", 5432);
		for (unsigned i = 0; i < light; i++)
			add4(t, TCP_STATE_ESTABLISHED, local, (uint16_t)(RANGE_LOW + i),
			     "192.0.2.2", 5432);
	}
	c = run(t);
	assert_false(c->destinations_truncated);
	assert_int_equal(c->destinations, 2);
	/* 450 sockets, more than 1% of the range: counted again, exact */
	assert_top(&c->top[0], "192.0.2.1", 5432, 0, 450, 400);
	assert_false(c->top[0].estimated);
	assert_int_equal(c->worst_tuple_ports, 400);
	assert_addr(&c->worst_local, AF_INET, "10.0.0.6");
	assert_false(c->worst_tuple_estimated);
	/* 19 sockets: the 2 from 10.0.0.5 and the 9 from 10.0.0.6 were not
	 * counted apart */
	assert_int_equal(c->top[1].ports_in_use, 19);
	assert_true(c->top[1].estimated);
	assert_int_equal(c->top[1].max_from_one_local, 2);
	assert_true(c->top[1].max_from_one_local + c->top[1].error >= 9);
}

/* ---- census_read_proc: the kernel's text tables */

/* An address as get_tcp4_sock/get_tcp6_sock print it: each 32-bit word of
 * the address, as stored, printed with %08X, so in host byte order. */
static void kernel_hex(int family, const char *text, char *out, size_t size)
{
	uint8_t bytes[16];
	size_t used = 0;

	assert_int_equal(inet_pton(family, text, bytes), 1);
	for (int i = 0; i < (family == AF_INET ? 1 : 4); i++) {
		uint32_t word;

		memcpy(&word, bytes + 4 * i, 4);
		used += (size_t)snprintf(out + used, size - used, "%08X", word);
	}
}

static const char tcp_header[] = "  sl  local_address rem_address   st tx_queue rx_queue tr "
				 "tm->when retrnsmt   uid  timeout inode\n";
static const char tcp6_header[] = "  sl  local_address                         remote_address"
				  "                        st tx_queue rx_queue tr tm->when "
				  "retrnsmt   uid  timeout inode\n";

/* Append one socket line to TEXT (of SIZE bytes). */
static void proc_line(char *text, size_t size, int family, const char *local, unsigned lport,
		      const char *remote, unsigned rport, unsigned state)
{
	char lhex[40], rhex[40];
	size_t used = strlen(text);
	unsigned slot = 0;

	for (const char *p = text; (p = strchr(p, '\n')); p++)
		slot++;
	kernel_hex(family, local, lhex, sizeof(lhex));
	kernel_hex(family, remote, rhex, sizeof(rhex));
	snprintf(text + used, size - used,
		 "%4u: %s:%04X %s:%04X %02X 00000000:00000000 00:00000000 00000000  1000        0 "
		 "%u 1 0000000000000000 20 4 30 10 -1\n",
		 slot - 1, lhex, lport, rhex, rport, state,
		 state == TCP_STATE_TIME_WAIT ? 0 : 4711);
}

static int proc_setup(void **state)
{
	struct fixture *fx;

	if (fixture_setup(state) < 0)
		return -1;
	fx = *state;
	fx->facts.port_range_known = true;
	fx->facts.port_low = RANGE_LOW;
	fx->facts.port_high = RANGE_HIGH;
	return 0;
}

static void write_tcp(const char *root)
{
	char text[4096];

	snprintf(text, sizeof(text), "%s", tcp_header);
	proc_line(text, sizeof(text), AF_INET, "127.0.0.1", 8080, "0.0.0.0", 0, TCP_STATE_LISTEN);
	proc_line(text, sizeof(text), AF_INET, "0.0.0.0", 443, "0.0.0.0", 0, TCP_STATE_LISTEN);
	proc_line(text, sizeof(text), AF_INET, "10.0.0.2", 40000, "10.0.0.1", 80,
		  TCP_STATE_TIME_WAIT);
	proc_line(text, sizeof(text), AF_INET, "10.0.0.2", 40001, "10.0.0.1", 80,
		  TCP_STATE_ESTABLISHED);
	proc_line(text, sizeof(text), AF_INET, "10.0.0.2", 443, "198.51.100.7", 51000,
		  TCP_STATE_TIME_WAIT);
	fixture_write(root, "net/tcp", text);
}

static void write_tcp6(const char *root)
{
	char text[4096];

	snprintf(text, sizeof(text), "%s", tcp6_header);
	proc_line(text, sizeof(text), AF_INET6, "::", 22, "::", 0, TCP_STATE_LISTEN);
	proc_line(text, sizeof(text), AF_INET6, "::ffff:10.0.0.2", 40002, "::ffff:10.0.0.1", 80,
		  TCP_STATE_TIME_WAIT);
	proc_line(text, sizeof(text), AF_INET6, "2001:db8::2", 40003, "2001:db8::1", 443,
		  TCP_STATE_TIME_WAIT);
	fixture_write(root, "net/tcp6", text);
}

static void test_proc_tables(void **state)
{
	struct fixture *fx = *state;
	struct census_builder b;
	struct tw_census *c = &fx->facts.census;
	char err[512] = "";

	write_tcp(fx->root);
	write_tcp6(fx->root);
	assert_int_equal(census_begin(&b, &fx->facts), 0);
	assert_int_equal(census_read_proc(&b, fx->root, err, sizeof(err)), 0);
	assert_int_equal(census_finish(&b), 0);

	assert_true(c->available);
	assert_string_equal(c->source, "proc");
	assert_true(c->ipv6);
	assert_int_equal(c->total, 8);
	assert_int_equal(c->states[TCP_STATE_LISTEN], 3);
	assert_int_equal(c->states[TCP_STATE_TIME_WAIT], 4);
	assert_int_equal(c->states[TCP_STATE_ESTABLISHED], 1);
	assert_int_equal(c->listening_ports, 3);
	assert_int_equal(c->time_wait_outbound, 3);
	assert_int_equal(c->time_wait_inbound, 1);
	assert_int_equal(c->local_ports_in_use, 4);
	assert_int_equal(c->destinations, 2);
	/* the mapped IPv6 socket joins its IPv4 destination */
	assert_top(&c->top[0], "10.0.0.1", 80, 2, 3, 3);
	assert_addr(&c->top[1].address, AF_INET6, "2001:db8::1");
	assert_int_equal(c->top[1].port, 443);
	assert_int_equal(c->worst_tuple_ports, 3);
	assert_addr(&c->worst_local, AF_INET, "10.0.0.2");
	assert_false(c->history_known); /* no timer on these lines (tr 0) */
}

static void test_proc_literal_little_endian(void **state)
{
	struct fixture *fx = *state;
	struct census_builder b;
	struct tw_census *c = &fx->facts.census;
	char err[512] = "";

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
	skip(); /* the text below is what a little-endian kernel prints */
#endif
	fixture_write(fx->root, "net/tcp",
		      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
		      "retrnsmt   uid  timeout inode\n"
		      "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 "
		      "00000000     0        0 12345 1 0000000000000000 100 0 0 10 0\n"
		      "   1: 0200000A:9C40 0100000A:0050 06 00000000:00000000 03:00000DAC "
		      "00000000     0        0 0 3 0000000000000000\n");
	assert_int_equal(census_begin(&b, &fx->facts), 0);
	assert_int_equal(census_read_proc(&b, fx->root, err, sizeof(err)), 0);
	assert_int_equal(census_finish(&b), 0);

	assert_false(c->ipv6);
	assert_int_equal(c->listening_ports, 1);
	assert_int_equal(c->states[TCP_STATE_LISTEN], 1);
	assert_int_equal(c->time_wait_outbound, 1);
	assert_top(&c->top[0], "10.0.0.1", 80, 1, 1, 1);
	assert_addr(&c->worst_local, AF_INET, "10.0.0.2");
}

static void test_proc_malformed_line(void **state)
{
	struct fixture *fx = *state;
	struct census_builder b;
	char text[4096], expected[PATH_MAX + 64];
	char err[PATH_MAX + 128] = "";

	snprintf(text, sizeof(text), "%s", tcp_header);
	proc_line(text, sizeof(text), AF_INET, "10.0.0.2", 40000, "10.0.0.1", 80,
		  TCP_STATE_TIME_WAIT);
	strcat(text, "   1: 0200000A:9C4G 0100000A:0050 06 00000000:00000000 00:00000000\n");
	fixture_write(fx->root, "net/tcp", text);
	assert_int_equal(census_begin(&b, &fx->facts), 0);
	assert_int_equal(census_read_proc(&b, fx->root, err, sizeof(err)), -EBADMSG);
	census_discard(&b);
	snprintf(expected, sizeof(expected), "%s/net/tcp:3:", fx->root);
	if (!strstr(err, expected))
		fail_msg("error \"%s\" does not name %s", err, expected);
	assert_non_null(strstr(err, "malformed"));
}

static void test_proc_bad_state(void **state)
{
	struct fixture *fx = *state;
	struct census_builder b;
	char text[4096], err[PATH_MAX + 128] = "";

	snprintf(text, sizeof(text), "%s", tcp_header);
	proc_line(text, sizeof(text), AF_INET, "10.0.0.2", 40000, "10.0.0.1", 80, 0x10);
	fixture_write(fx->root, "net/tcp", text);
	assert_int_equal(census_begin(&b, &fx->facts), 0);
	assert_int_equal(census_read_proc(&b, fx->root, err, sizeof(err)), -EBADMSG);
	census_discard(&b);
	assert_non_null(strstr(err, "net/tcp:2:"));
}

static void test_proc_without_tcp6(void **state)
{
	struct fixture *fx = *state;
	struct census_builder b;
	struct tw_census *c = &fx->facts.census;
	char err[512] = "";

	write_tcp(fx->root);
	assert_int_equal(census_begin(&b, &fx->facts), 0);
	assert_int_equal(census_read_proc(&b, fx->root, err, sizeof(err)), 0);
	assert_int_equal(census_finish(&b), 0);
	assert_false(c->ipv6);
	assert_string_equal(c->source, "proc");
	assert_int_equal(c->total, 5);
	assert_int_equal(c->states[TCP_STATE_LISTEN], 2);
	assert_int_equal(c->time_wait_inbound, 1);
	assert_int_equal(c->time_wait_outbound, 1);
}

static void test_proc_without_tcp(void **state)
{
	struct fixture *fx = *state;
	struct census_builder b;
	char err[PATH_MAX + 128] = "";

	write_tcp6(fx->root);
	assert_int_equal(census_begin(&b, &fx->facts), 0);
	assert_int_equal(census_read_proc(&b, fx->root, err, sizeof(err)), -ENOENT);
	census_discard(&b);
	assert_non_null(strstr(err, "/net/tcp:"));
}

static void test_proc_overlong_line(void **state)
{
	struct fixture *fx = *state;
	struct census_builder b;
	char text[2048], err[PATH_MAX + 128] = "";
	size_t used;

	snprintf(text, sizeof(text), "%s", tcp_header);
	proc_line(text, sizeof(text), AF_INET, "10.0.0.2", 40000, "10.0.0.1", 80,
		  TCP_STATE_TIME_WAIT);
	used = strlen(text) - 1; /* drop the newline, pad the line past 512 */
	memset(text + used, ' ', 600);
	strcpy(text + used + 600, "\n");
	fixture_write(fx->root, "net/tcp", text);
	assert_int_equal(census_begin(&b, &fx->facts), 0);
	assert_int_equal(census_read_proc(&b, fx->root, err, sizeof(err)), -EBADMSG);
	census_discard(&b);
	assert_non_null(strstr(err, "net/tcp:2: line longer than"));
}

/* ---- tcp_info: timestamps per destination */

/* One attribute after the reply in D's last message: TYPE, LEN bytes of
 * PAYLOAD (NULL: zeros), padded as the kernel pads (nla_put). */
static void append_attr(struct dump *d, struct nlmsghdr *nlh, uint16_t type, const void *payload,
			size_t len)
{
	size_t offset = (size_t)((uint8_t *)nlh - d->data), need = NLA_ALIGN(NLA_HDRLEN + len);
	struct nlattr *a;

	dump_reserve(d, need);
	nlh = (struct nlmsghdr *)(d->data + offset);
	a = (struct nlattr *)((uint8_t *)nlh + nlh->nlmsg_len);
	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	if (payload)
		memcpy((uint8_t *)a + NLA_HDRLEN, payload, len);
	nlh->nlmsg_len += (uint32_t)need;
}

/* An established socket as a dump asking for INET_DIAG_INFO returns it:
 * INET_DIAG_SHUTDOWN first (every full socket has it), then its tcp_info
 * with TCPI_OPT_TIMESTAMPS set or not. */
static void add_established(struct census_test *t, const char *src, uint16_t sport, const char *dst,
			    uint16_t dport, bool timestamps)
{
	struct tcp_info info;
	struct nlmsghdr *nlh;
	uint8_t shutdown = 0;

	add4(t, TCP_STATE_ESTABLISHED, src, sport, dst, dport);
	nlh = (struct nlmsghdr *)(t->others.data + t->others.len -
				  NLMSG_ALIGN(NLMSG_LENGTH(sizeof(struct inet_diag_msg))));
	memset(&info, 0, sizeof(info));
	info.tcpi_state = TCP_STATE_ESTABLISHED;
	info.tcpi_options =
		TCPI_OPT_SACK | TCPI_OPT_WSCALE | (timestamps ? TCPI_OPT_TIMESTAMPS : 0);
	append_attr(&t->others, nlh, INET_DIAG_SHUTDOWN, &shutdown, 1);
	nlh = (struct nlmsghdr *)(t->others.data + t->others.len -
				  NLMSG_ALIGN(NLMSG_LENGTH(sizeof(struct inet_diag_msg))) -
				  NLA_ALIGN(NLA_HDRLEN + 1));
	append_attr(&t->others, nlh, INET_DIAG_INFO, &info, sizeof(info));
}

static void assert_timestamps(const struct destination_stat *d, uint32_t with, uint32_t without)
{
	assert_int_equal(d->established_with_timestamps, with);
	assert_int_equal(d->established_without_timestamps, without);
}

/* Established sockets are counted per destination with and without
 * timestamps; TIME_WAIT sockets (no tcp_info), sockets without the
 * attribute and a server's sockets are not. */
static void test_timestamps_per_destination(void **state)
{
	struct census_test *t = *state;
	struct tw_census *c;

	begin(t);
	listen4(t, 443);
	for (uint16_t i = 0; i < 3; i++)
		add_established(t, "10.0.0.2", 40000 + i, "10.0.0.1", 5432, true);
	add_established(t, "10.0.0.2", 40003, "10.0.0.1", 5432, false);
	for (uint16_t i = 0; i < 2; i++)
		add_established(t, "10.0.0.2", 40100 + i, "192.0.2.9", 80, false);
	for (uint16_t i = 0; i < 5; i++)
		add4(t, TCP_STATE_TIME_WAIT, "10.0.0.2", 41000 + i, "192.0.2.9", 80);
	/* no attribute: as /proc/net/tcp or a dump that did not ask */
	add4(t, TCP_STATE_ESTABLISHED, "10.0.0.2", 40200, "10.0.0.1", 5432);
	/* a server's connection: inbound, no destination */
	add_established(t, "10.0.0.2", 443, "198.51.100.7", 51000, false);
	c = run(t);

	assert_int_equal(c->states[TCP_STATE_ESTABLISHED], 8);
	assert_int_equal(c->top_count, 2);
	assert_top(&c->top[0], "192.0.2.9", 80, 5, 7, 7);
	assert_timestamps(&c->top[0], 0, 2);
	assert_top(&c->top[1], "10.0.0.1", 5432, 0, 5, 5);
	assert_timestamps(&c->top[1], 3, 1);
}

/* The reply's attributes, read only within the message. */
static void test_timestamps_attribute_bounds(void **state)
{
	struct census_test *t = *state;
	struct nlmsghdr *nlh = good_message(&t->others);
	uint8_t info[sizeof(struct tcp_info)] = {0};
	size_t base;

	assert_int_equal(census_diag_timestamps(nlh), -1); /* none at all */
	info[offsetof(struct tcp_info, tcpi_options)] = TCPI_OPT_TIMESTAMPS;
	append_attr(&t->others, nlh, INET_DIAG_INFO, info, sizeof(info));
	nlh = (struct nlmsghdr *)t->others.data;
	assert_int_equal(census_diag_timestamps(nlh), 1);
	info[offsetof(struct tcp_info, tcpi_options)] = TCPI_OPT_SACK;
	memcpy((uint8_t *)NLMSG_DATA(nlh) + NLMSG_ALIGN(sizeof(struct inet_diag_msg)) + NLA_HDRLEN,
	       info, sizeof(info));
	assert_int_equal(census_diag_timestamps(nlh), 0);

	/* an older kernel's shorter tcp_info still holds tcpi_options */
	nlh = good_message(&t->others);
	info[offsetof(struct tcp_info, tcpi_options)] = TCPI_OPT_TIMESTAMPS;
	append_attr(&t->others, nlh, INET_DIAG_INFO, info, 8);
	nlh = (struct nlmsghdr *)t->others.data;
	assert_int_equal(census_diag_timestamps(nlh), 1);

	/* too short to hold tcpi_options */
	nlh = good_message(&t->others);
	append_attr(&t->others, nlh, INET_DIAG_INFO, info, 5);
	nlh = (struct nlmsghdr *)t->others.data;
	assert_int_equal(census_diag_timestamps(nlh), -1);

	/* an attribute longer than the message, or shorter than its header */
	nlh = good_message(&t->others);
	append_attr(&t->others, nlh, INET_DIAG_INFO, info, sizeof(info));
	nlh = (struct nlmsghdr *)t->others.data;
	base = NLMSG_LENGTH(NLMSG_ALIGN(sizeof(struct inet_diag_msg)));
	((struct nlattr *)((uint8_t *)nlh + base))->nla_len = (uint16_t)(nlh->nlmsg_len - base + 4);
	assert_int_equal(census_diag_timestamps(nlh), -1);
	((struct nlattr *)((uint8_t *)nlh + base))->nla_len = 2;
	assert_int_equal(census_diag_timestamps(nlh), -1);
	/* and a message cut inside the attribute header */
	((struct nlattr *)((uint8_t *)nlh + base))->nla_len = NLA_HDRLEN + sizeof(info);
	nlh->nlmsg_len = (uint32_t)(base + 2);
	assert_int_equal(census_diag_timestamps(nlh), -1);
}

/* A destination counted again in the third pass has its timestamps
 * counted once, not twice. */
static void test_timestamps_recounted(void **state)
{
	struct census_test *t = *state;
	const unsigned heavy = 3000;
	struct tw_census *c;

	begin(t);
	light_destinations(t, 0, 10000); /* the table is full after 8192 */
	for (unsigned i = 0; i < heavy; i++)
		add4(t, TCP_STATE_TIME_WAIT, "10.0.0.2", (uint16_t)(RANGE_LOW + i), "192.0.2.1",
		     443);
	for (uint16_t i = 0; i < 10; i++)
		add_established(t, "10.0.0.2", (uint16_t)(RANGE_LOW + heavy + i), "192.0.2.1", 443,
				i < 4);
	c = run(t);

	assert_top(&c->top[0], "192.0.2.1", 443, heavy, heavy + 10, heavy + 10);
	assert_false(c->top[0].estimated);
	assert_timestamps(&c->top[0], 4, 6);
}

/* Outbound sockets on ports the application chose: outside the range,
 * or inside it on bind(0)'s parity (odd offsets from the low end). */
static void test_outbound_bound_ports(void **state)
{
	struct census_test *t = *state;
	struct tw_census *c;

	begin(t);
	listen4(t, 8080);
	add4(t, TCP_STATE_TIME_WAIT, "10.0.0.2", 5000, "10.0.0.9", 80);		 /* outside */
	add4(t, TCP_STATE_ESTABLISHED, "10.0.0.2", 5001, "10.0.0.9", 80);	 /* outside */
	add4(t, TCP_STATE_TIME_WAIT, "10.0.0.2", RANGE_LOW, "10.0.0.9", 80);	 /* connect()'s */
	add4(t, TCP_STATE_TIME_WAIT, "10.0.0.2", RANGE_LOW + 1, "10.0.0.9", 80); /* bind()'s */
	add4(t, TCP_STATE_TIME_WAIT, "10.0.0.2", RANGE_LOW + 3, "10.0.0.8", 80); /* bind()'s */
	/* a server's, on its listening port or toward a peer's ephemeral port */
	add4(t, TCP_STATE_TIME_WAIT, "10.0.0.2", 8080, "198.51.100.7", 51000);
	add4(t, TCP_STATE_TIME_WAIT, "10.0.0.2", 9000, "198.51.100.7", 40001);
	c = run(t);

	assert_int_equal(c->outbound_outside_range, 2);
	assert_int_equal(c->outbound_bind_parity, 2);
}

/* ---- the last minute of closes, from the TIME_WAIT timers */

/* A TIME_WAIT reply with EXPIRES_MS left on its timer (inet_twsk_diag_fill). */
static void add_time_wait(struct census_test *t, uint16_t sport, uint16_t dport,
			  uint32_t expires_ms)
{
	struct inet_diag_msg *m;

	add4(t, TCP_STATE_TIME_WAIT, "10.0.0.2", sport, "10.0.0.1", dport);
	m = NLMSG_DATA((struct nlmsghdr *)(t->others.data + t->others.len -
					   NLMSG_ALIGN(NLMSG_LENGTH(sizeof(*m)))));
	m->idiag_expires = expires_ms;
}

static void test_history_from_sock_diag(void **state)
{
	struct census_test *t = *state;
	struct tw_census *c;
	struct inet_diag_msg *m;

	begin(t);
	listen4(t, 8080);
	add_time_wait(t, 40000, 80, 59999);   /* entered 1 ms ago: second 0 */
	add_time_wait(t, 40001, 80, 60000);   /* a full timer (rearmed): second 0 */
	add_time_wait(t, 40002, 80, 59000);   /* 1 s ago */
	add_time_wait(t, 40003, 80, 50001);   /* 9.999 s ago: still the last 10 s */
	add_time_wait(t, 40004, 80, 50000);   /* 10 s ago */
	add_time_wait(t, 40005, 80, 0);	      /* overdue: the oldest second */
	add_time_wait(t, 8080, 51000, 30000); /* inbound, 30 s ago */
	add_time_wait(t, 8080, 51001, 30500); /* inbound, 29.5 s ago */
	/* a timewait socket in the FIN_WAIT2 substate (timer 3): counted
	 * apart by the time it has left, not in the history */
	add4(t, TCP_STATE_FIN_WAIT2, "10.0.0.2", 40020, "10.0.0.1", 80);
	m = NLMSG_DATA((struct nlmsghdr *)(t->others.data + t->others.len -
					   NLMSG_ALIGN(NLMSG_LENGTH(sizeof(*m)))));
	m->idiag_timer = 3;
	m->idiag_expires = 58500;
	/* a full FIN_WAIT2 socket's timer (2, keepalive) is not one */
	add4(t, TCP_STATE_FIN_WAIT2, "10.0.0.2", 40021, "10.0.0.1", 80);
	m = NLMSG_DATA((struct nlmsghdr *)(t->others.data + t->others.len -
					   NLMSG_ALIGN(NLMSG_LENGTH(sizeof(*m)))));
	m->idiag_timer = 2;
	m->idiag_expires = 30000;
	/* idiag_expires of a live socket is another timer: not a close */
	add4(t, TCP_STATE_ESTABLISHED, "10.0.0.2", 40010, "10.0.0.1", 80);
	m = NLMSG_DATA((struct nlmsghdr *)(t->others.data + t->others.len -
					   NLMSG_ALIGN(NLMSG_LENGTH(sizeof(*m)))));
	m->idiag_expires = 5000;
	c = run(t);

	assert_true(c->history_known);
	assert_int_equal(c->time_wait_outbound, 6);
	assert_int_equal(c->time_wait_inbound, 2);
	assert_int_equal(c->fin_wait2_timewait, 1);
	assert_int_equal(c->fin_wait2_left[58], 1);
	assert_int_equal(c->states[TCP_STATE_FIN_WAIT2], 2);
	assert_int_equal(c->history_outbound.seconds[0], 2);
	assert_int_equal(c->history_outbound.seconds[1], 1);
	assert_int_equal(c->history_outbound.seconds[9], 1);
	assert_int_equal(c->history_outbound.seconds[10], 1);
	assert_int_equal(c->history_outbound.seconds[59], 1);
	assert_int_equal(c->history_inbound.seconds[29], 1);
	assert_int_equal(c->history_inbound.seconds[30], 1);
	for (unsigned i = 0, out = 0, in = 0; i < TW_HISTORY_SECONDS; i++) {
		out += c->history_outbound.seconds[i];
		in += c->history_inbound.seconds[i];
		if (i == TW_HISTORY_SECONDS - 1) {
			assert_int_equal(out, 6);
			assert_int_equal(in, 2);
		}
	}
	/* 4 closes in the last 10 s, 2 in the 50 s before */
	assert_near(c->history_outbound.rate_10s, 0.4);
	assert_near(c->history_outbound.rate_before, 0.04);
	assert_near(c->history_outbound.rate_60s, 0.1);
	assert_int_equal(c->history_outbound.peak_second, 0);
	assert_int_equal(c->history_outbound.peak_count, 2);
	assert_int_equal(c->history_outbound.trend, TW_TREND_RISING);
	assert_near(c->history_inbound.rate_10s, 0);
	assert_int_equal(c->history_inbound.peak_second, 29);
	assert_int_equal(c->history_inbound.trend, TW_TREND_FALLING);
}

/* A TIME_WAIT socket toward REMOTE:443 from local port SPORT, with
 * EXPIRES_MS left on its timer. */
static void add_time_wait_to(struct census_test *t, const char *remote, uint16_t sport,
			     uint32_t expires_ms)
{
	struct inet_diag_msg *m;

	add4(t, TCP_STATE_TIME_WAIT, "10.0.0.2", sport, remote, 443);
	m = NLMSG_DATA((struct nlmsghdr *)(t->others.data + t->others.len -
					   NLMSG_ALIGN(NLMSG_LENGTH(sizeof(*m)))));
	m->idiag_expires = expires_ms;
}

/* Each top destination's own minute. Among more destinations than are
 * tracked, one that takes over another's entry starts from an empty
 * minute (not the other's), and one counted again by the third pass gets
 * its whole minute, exact. */
static void test_history_per_destination(void **state)
{
	struct census_test *t = *state;
	const struct destination_stat *heavy = NULL, *mid = NULL;
	struct tw_census *c;
	char addr[32];

	begin(t);
	/* one socket each, 30 s ago, toward more destinations than fit */
	for (unsigned i = 0; i < CENSUS_TRACKED + 100; i++) {
		snprintf(addr, sizeof(addr), "11.%u.%u.%u", i >> 16, (i >> 8) & 255, i & 255);
		add_time_wait_to(t, addr, (uint16_t)(RANGE_LOW + i % 28000), 30000);
	}
	/* then 400 (over 1% of the range: recounted) and 200 (not), all in
	 * the last second */
	for (unsigned i = 0; i < 400; i++)
		add_time_wait_to(t, "192.0.2.9", (uint16_t)(RANGE_LOW + i), 59500);
	for (unsigned i = 0; i < 200; i++)
		add_time_wait_to(t, "192.0.2.8", (uint16_t)(RANGE_LOW + i), 59500);
	c = run(t);
	assert_true(c->destinations_truncated);
	for (unsigned i = 0; i < c->top_count; i++) {
		char text[64];

		format_addr(&c->top[i].address, text, sizeof(text));
		if (strcmp(text, "192.0.2.9") == 0)
			heavy = &c->top[i];
		else if (strcmp(text, "192.0.2.8") == 0)
			mid = &c->top[i];
	}
	assert_non_null(heavy);
	assert_non_null(mid);
	assert_true(heavy->history_known);
	assert_false(heavy->estimated);
	assert_int_equal(heavy->history.seconds[0], 400);
	assert_int_equal(heavy->history.seconds[30], 0);
	assert_near(heavy->history.rate_10s, 40);
	assert_true(mid->estimated);
	assert_int_equal(mid->history.seconds[0], 200);
	assert_int_equal(mid->history.seconds[30], 0); /* not the evicted one's */
	assert_int_equal(c->history_outbound.seconds[30], CENSUS_TRACKED + 100);
	assert_int_equal(c->history_outbound.seconds[0], 600);
}

/* A destination's closes over more seconds than its entry holds itself,
 * and more in one second than those counters hold, spill into its slot
 * of the table with nothing lost. */
static void test_history_spills(void **state)
{
	struct census_test *t = *state;
	struct tw_addr local = {.family = AF_INET}, remote = {.family = AF_INET};
	struct tw_census *c;
	const unsigned heavy = 70000;

	begin(t);
	memcpy(local.bytes, "\x0a\x00\x00\x02", 4);
	memcpy(remote.bytes, "\xc0\x00\x02\x07", 4);
	/* 6 seconds, i + 1 closes in second 5 * i */
	for (unsigned i = 0; i < 6; i++)
		for (unsigned n = 0; n <= i; n++)
			census_add_socket_timer(&t->b, TCP_STATE_TIME_WAIT, &local,
						(uint16_t)(RANGE_LOW + 10 * i + n), &remote, 443,
						-1, 60000 - 5000 * (int64_t)i - 1);
	memcpy(remote.bytes, "\xc0\x00\x02\x08", 4);
	for (unsigned n = 0; n < heavy; n++)
		census_add_socket_timer(&t->b, TCP_STATE_TIME_WAIT, &local,
					(uint16_t)(RANGE_LOW + n % 28000), &remote, 443, -1, 59000);
	assert_false(census_recount_begin(&t->b));
	assert_int_equal(census_finish(&t->b), 0);
	c = &t->facts.census;
	assert_int_equal(c->top_count, 2);
	assert_int_equal(c->top[0].time_wait, heavy);
	assert_int_equal(c->top[0].history.seconds[1], heavy);
	for (unsigned i = 0; i < 6; i++)
		assert_int_equal(c->top[1].history.seconds[5 * i], i + 1);
	assert_int_equal(c->top[1].history.seconds[1], 0);
}

static void test_history_unknown_without_timers(void **state)
{
	struct census_test *t = *state;
	struct tw_census *c;

	begin(t);
	add4(t, TCP_STATE_ESTABLISHED, "10.0.0.2", 40010, "10.0.0.1", 80);
	c = run(t);
	assert_false(c->history_known);
}

static void history_of(struct tw_history *h, unsigned recent_each, unsigned before_each)
{
	memset(h, 0, sizeof(*h));
	for (unsigned i = 0; i < TW_HISTORY_SECONDS; i++)
		h->seconds[i] = i < TW_HISTORY_RECENT ? recent_each : before_each;
	tw_history_finish(h);
}

/* Rising or falling only beyond 25% of the 50 s before. */
static void test_history_trend(void **state)
{
	struct tw_history h;

	(void)state;
	history_of(&h, 100, 100);
	assert_int_equal(h.trend, TW_TREND_STEADY);
	assert_near(h.rate_10s, 100);
	assert_near(h.rate_60s, 100);
	history_of(&h, 125, 100); /* +25%: still steady */
	assert_int_equal(h.trend, TW_TREND_STEADY);
	history_of(&h, 126, 100);
	assert_int_equal(h.trend, TW_TREND_RISING);
	history_of(&h, 75, 100); /* -25%: still steady */
	assert_int_equal(h.trend, TW_TREND_STEADY);
	history_of(&h, 74, 100);
	assert_int_equal(h.trend, TW_TREND_FALLING);
	history_of(&h, 0, 0); /* no closes at all */
	assert_int_equal(h.trend, TW_TREND_STEADY);
	assert_int_equal(h.peak_count, 0);
	history_of(&h, 1, 0); /* closes after none */
	assert_int_equal(h.trend, TW_TREND_RISING);
	assert_string_equal(tw_trend_name(TW_TREND_RISING), "rising");
	assert_int_equal(tw_history_age(60000), 0);
	assert_int_equal(tw_history_age(1000), 59);
	assert_int_equal(tw_history_age(1001), 58);
	assert_int_equal(tw_history_age(0), 59);
}

/* /proc/net/tcp: tr 3 and tm->when in clock ticks (get_timewait4_sock). */
static void test_proc_history(void **state)
{
	struct fixture *fx = *state;
	struct census_builder b;
	struct tw_census *c = &fx->facts.census;
	long hz = sysconf(_SC_CLK_TCK);
	char text[4096], line[256], lhex[40], rhex[40];
	char err[512] = "";
	/* remaining ms for each TIME_WAIT line, then a live socket's timer */
	const unsigned remaining[] = {59500, 58000, 40000, 1000};

	assert_true(hz > 0);
	snprintf(text, sizeof(text), "%s", tcp_header);
	kernel_hex(AF_INET, "10.0.0.2", lhex, sizeof(lhex));
	kernel_hex(AF_INET, "10.0.0.1", rhex, sizeof(rhex));
	for (unsigned i = 0; i < 4; i++) {
		snprintf(line, sizeof(line),
			 "%4u: %s:%04X %s:%04X 06 00000000:00000000 03:%08lX 00000000     0        "
			 "0 0 3 0000000000000000\n",
			 i, lhex, 40000 + i, rhex, 80, (unsigned long)remaining[i] * hz / 1000);
		strncat(text, line, sizeof(text) - strlen(text) - 1);
	}
	/* an established socket's retransmit timer is no TIME_WAIT timer */
	snprintf(line, sizeof(line),
		 "%4u: %s:%04X %s:%04X 01 00000000:00000000 01:00000100 00000000  1000        0 "
		 "4711 1 0000000000000000 20 4 30 10 -1\n",
		 4u, lhex, 40010, rhex, 80);
	strncat(text, line, sizeof(text) - strlen(text) - 1);
	fixture_write(fx->root, "net/tcp", text);
	assert_int_equal(census_begin(&b, &fx->facts), 0);
	assert_int_equal(census_read_proc(&b, fx->root, err, sizeof(err)), 0);
	assert_int_equal(census_finish(&b), 0);

	assert_true(c->history_known);
	assert_int_equal(c->time_wait_outbound, 4);
	assert_int_equal(c->history_outbound.seconds[0], 1);
	assert_int_equal(c->history_outbound.seconds[2], 1);
	assert_int_equal(c->history_outbound.seconds[20], 1);
	assert_int_equal(c->history_outbound.seconds[59], 1);
	assert_near(c->history_outbound.rate_10s, 0.2);
}

#define CENSUS_TEST(fn) cmocka_unit_test_setup_teardown(fn, census_setup, census_teardown)
#define PROC_TEST(fn) cmocka_unit_test_setup_teardown(fn, proc_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		CENSUS_TEST(test_counts_per_state),
		CENSUS_TEST(test_time_wait_direction),
		CENSUS_TEST(test_direction_without_range),
		CENSUS_TEST(test_top_destinations_ranking),
		CENSUS_TEST(test_top_destinations_capped),
		CENSUS_TEST(test_worst_tuple_across_local_addresses),
		CENSUS_TEST(test_local_ports_in_use_counts_range_only),
		CENSUS_TEST(test_listen_in_range),
		CENSUS_TEST(test_ipv4_mapped_is_ipv4),
		CENSUS_TEST(test_malformed_messages),
		CENSUS_TEST(test_many_destinations),
		CENSUS_TEST(test_destination_table_is_capped),
		CENSUS_TEST(test_heavy_destination_exact_among_many),
		CENSUS_TEST(test_light_destinations_are_estimates),
		CENSUS_TEST(test_many_local_addresses),
		CENSUS_TEST(test_timestamps_per_destination),
		CENSUS_TEST(test_timestamps_attribute_bounds),
		CENSUS_TEST(test_timestamps_recounted),
		CENSUS_TEST(test_outbound_bound_ports),
		PROC_TEST(test_proc_tables),
		PROC_TEST(test_proc_literal_little_endian),
		PROC_TEST(test_proc_malformed_line),
		PROC_TEST(test_proc_bad_state),
		PROC_TEST(test_proc_without_tcp6),
		PROC_TEST(test_proc_without_tcp),
		PROC_TEST(test_proc_overlong_line),
		CENSUS_TEST(test_history_from_sock_diag),
		CENSUS_TEST(test_history_unknown_without_timers),
		CENSUS_TEST(test_history_per_destination),
		CENSUS_TEST(test_history_spills),
		cmocka_unit_test(test_history_trend),
		PROC_TEST(test_proc_history),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
