/* SPDX-License-Identifier: MIT */
/* Reuse per destination, bind() before connect(), the exhaustion forecast
 * and PAWS drops, on fabricated hosts: the reuse status of each case, the
 * forecast's figures, what the shipped rules make of them (one verdict
 * per row, as test_advice.c does) and what the reports show. */
#include <arpa/inet.h>
#include <math.h>
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

#include "engine/factview.h"
#include "fixture.h"
#include "hosts.h"
#include "inspect/portuse.h"
#include "inspect/tw_history.h"
#include "report/format.h"
#include "report/json.h"
#include "report/prometheus.h"
#include "report/text.h"

/* ------------------------------------------------------- the hosts */

/* Start F again: the hosts append destinations to what is there. */
static void fresh(struct tw_facts *f)
{
	facts_free(f);
	facts_init(f);
}

/* Every counter sampled and flat, as --sample on a host where nothing
 * moved: rates exist, and are 0. */
static void rates_flat(struct tw_facts *f)
{
	for (int id = 0; id < CTR_COUNT; id++)
		if (!counter_info(id)->is_gauge)
			set_rate(f, (enum counter_id)id, 0);
}

/* The established sockets toward destination I, as sock_diag's tcp_info
 * tells them. */
static void established(struct tw_facts *f, unsigned i, uint32_t with, uint32_t without)
{
	f->census.tcp_info = true;
	f->census.top[i].established_with_timestamps = with;
	f->census.top[i].established_without_timestamps = without;
}

/* 6.18, 30% of the default range toward a database, timestamps on here,
 * tcp_tw_reuse 0 (rows set it otherwise) */
static void database_client(struct tw_facts *f)
{
	busy_client(f, AF_INET, "10.0.0.5", 5432, 8000, 8470);
	set_kernel(f, 6, 18, 0);
	set_sysctl(f, KNOB_TCP_TW_REUSE, "0");
}

/* its connections carry no timestamps: the database (or a middlebox)
 * strips them */
static void peer_strips(struct tw_facts *f)
{
	database_client(f);
	established(f, 0, 0, 12);
}

static void peer_has_timestamps(struct tw_facts *f)
{
	database_client(f);
	established(f, 0, 12, 0);
}

/* a load-balanced destination: some backends strip them */
static void peer_mixed(struct tw_facts *f)
{
	database_client(f);
	established(f, 0, 3, 9);
}

/* the first destination fine, the second without timestamps */
static void second_peer_strips(struct tw_facts *f)
{
	peer_has_timestamps(f);
	add_destination(f, AF_INET, "10.0.0.9", 443, 3000, 3100);
	established(f, 1, 0, 8);
}

/* reuse configured and seen working */
static void reuse_active(struct tw_facts *f)
{
	peer_has_timestamps(f);
	set_sysctl(f, KNOB_TCP_TW_REUSE, "1");
	rates_flat(f);
	set_rate(f, CTR_TW_RECYCLED, 120);
	set_rate(f, CTR_TW, 135);
}

/* working somewhere, while no established socket says anything of this
 * destination's timestamps (/proc/net/tcp has no tcp_info) */
static void reuse_active_unknown_peer(struct tw_facts *f)
{
	reuse_active(f);
	f->census.tcp_info = false;
}

/* working somewhere, not toward this one */
static void reuse_active_peer_strips(struct tw_facts *f)
{
	reuse_active(f);
	established(f, 0, 0, 12);
}

/* tcp_tw_reuse 2, as quiet_host has it */
static void loopback_client(struct tw_facts *f)
{
	busy_client(f, AF_INET, "127.0.0.1", 8080, 8000, 8470);
	established(f, 0, 20, 0);
}

/* 6.18: 20000 of 28232 ports in use, at most 400 toward any destination:
 * an application binding before connect(), 10000 of its sockets on bind(0)'s
 * parity */
static void binding_client(struct tw_facts *f)
{
	quiet_host(f);
	set_kernel(f, 6, 18, 0);
	set_time_wait(f, 20000, 0);
	for (unsigned i = 0; i < 10; i++) {
		char addr[32];

		snprintf(addr, sizeof(addr), "10.0.1.%u", i + 1);
		add_destination(f, AF_INET, addr, 443, 380, 400);
	}
	f->census.local_ports_in_use = 20000;
	f->census.outbound_bind_parity = 10000;
	classify_as(f, HOST_OUTBOUND_HEAVY, 1);
}

static void binding_client_5_10(struct tw_facts *f)
{
	binding_client(f);
	set_kernel(f, 5, 10, 0);
}

/* 3.10: no parity to judge by, but the ports lie outside the range */
static void binding_client_3_10(struct tw_facts *f)
{
	binding_client(f);
	set_kernel(f, 3, 10, 0);
	f->census.outbound_bind_parity = 0;
	f->census.outbound_outside_range = 9000;
}

/* 4.4, ports inside the range, no parity: nothing tells bind() from
 * connect() spread over many destinations */
static void spread_client_4_4(struct tw_facts *f)
{
	binding_client(f);
	set_kernel(f, 4, 4, 0);
	f->census.outbound_bind_parity = 0;
}

/* connect() alone toward many destinations on 6.18: its parity's half of
 * the range in use, no socket on bind()'s */
static void connect_only_many(struct tw_facts *f)
{
	binding_client(f);
	f->census.local_ports_in_use = 14116;
	f->census.outbound_bind_parity = 0;
}

/* one destination holds most of the ports: connect()'s own pressure */
static void one_heavy_destination(struct tw_facts *f)
{
	busy_client(f, AF_INET, "10.0.0.7", 443, 20000, 20000);
	set_kernel(f, 6, 18, 0);
}

static void paws_rising(struct tw_facts *f)
{
	quiet_host(f);
	set_kernel(f, 6, 18, 0);
	rates_flat(f);
	set_rate(f, CTR_PAWS_ACTIVE, 2.5);
	set_rate(f, CTR_PAWS_TIMEWAIT, 0.4);
}

/* 4.9 with tcp_tw_recycle on, and its drops counted */
static void recycle_dropping(struct tw_facts *f)
{
	quiet_host(f);
	set_kernel(f, 4, 9, 0);
	set_sysctl(f, KNOB_TCP_TW_RECYCLE, "1");
	set_sysctl(f, KNOB_TCP_TW_REUSE, "0");
	rates_flat(f);
	set_rate(f, CTR_PAWS_PASSIVE, 12.5);
}

static void recycle_dropped_since_boot(struct tw_facts *f)
{
	recycle_dropping(f);
	memset(&f->rates, 0, sizeof(f->rates));
	set_counter(f, CTR_PAWS_PASSIVE, 345);
}

/* a server closing first while its listeners drop SYNs */
static void server_dropping(struct tw_facts *f)
{
	static const unsigned listening[] = {443};

	quiet_host(f);
	set_listening(f, listening, 1);
	set_time_wait(f, 0, 2400);
	f->census.top_inbound[0].port = 443;
	f->census.top_inbound[0].time_wait = 2400;
	f->census.top_inbound_count = 1;
	classify_as(f, HOST_INBOUND_HEAVY, 0);
	rates_flat(f);
	set_rate(f, CTR_LISTEN_DROPS, 3.2);
	set_rate(f, CTR_LISTEN_OVERFLOWS, 3);
}

/* ------------------------------------------------- verdicts */

static const struct verdict reuse_verdicts[] = {
	/* a peer that strips timestamps never gets tcp_tw_reuse advised */
	{"peer strips timestamps, reuse 1", peer_strips, .sysctl = {{KNOB_TCP_TW_REUSE, "1"}},
	 .fires = "peer-lacks-timestamps", .severity = SEVERITY_WARNING, .only_these = true,
	 .summary = "10.0.0.5:5432 (12 established, none with timestamps; 8000 TIME_WAIT): the "
		    "peer, or a middlebox on the way, strips TCP timestamps, so no TIME_WAIT "
		    "socket toward it is ever reused (tcp_tw_reuse = 1 here); each port serves it "
		    "once per 60 s, at most 470.5 new connections/s",
	 .nobody = {KNOB_TCP_TW_REUSE, NULL, "1"}},
	{"peer strips timestamps, reuse 0 under pressure", peer_strips,
	 .fires = "peer-lacks-timestamps", .severity = SEVERITY_WARNING,
	 .summary_has = {"(tcp_tw_reuse = 0 here)"}, .silent = {"tw-reuse-for-outbound-pressure"},
	 .nobody = {KNOB_TCP_TW_REUSE, NULL, "1"}},
	{"peer has timestamps, reuse 0", peer_has_timestamps,
	 .fires = "tw-reuse-for-outbound-pressure", .severity = SEVERITY_WARNING,
	 .settings = {{KNOB_TCP_TW_REUSE, "0", "1"}}, .silent = {"peer-lacks-timestamps"}},
	{"some backends strip timestamps", peer_mixed, .fires = "tw-reuse-for-outbound-pressure",
	 .severity = SEVERITY_WARNING, .settings = {{KNOB_TCP_TW_REUSE, "0", "1"}},
	 .silent = {"peer-lacks-timestamps"}},
	{"the second destination strips timestamps", second_peer_strips,
	 .fires = "peer-lacks-timestamps", .severity = SEVERITY_WARNING,
	 .summary_starts = "10.0.0.9:443 (8 established, none with timestamps; 3000 TIME_WAIT)",
	 .findings = "peer-lacks-timestamps tw-reuse-for-outbound-pressure outbound-concentrated"},
	{"nothing known of the peer (/proc)", database_client,
	 .fires = "tw-reuse-for-outbound-pressure", .severity = SEVERITY_WARNING,
	 .silent = {"peer-lacks-timestamps"}},
	{"timestamps off here", peer_strips, .sysctl = {{KNOB_TCP_TIMESTAMPS, "0"}},
	 .fires = "tw-reuse-without-timestamps", .severity = SEVERITY_WARNING,
	 .silent = {"peer-lacks-timestamps"}},
	{"reuse working", reuse_active, .fires = "tw-reuse-active", .severity = SEVERITY_INFO,
	 .silent = {"peer-lacks-timestamps"}},
	{"reuse working elsewhere, not toward a peer without timestamps", reuse_active_peer_strips,
	 .fires = "peer-lacks-timestamps", .severity = SEVERITY_WARNING,
	 .findings = "peer-lacks-timestamps outbound-concentrated tw-reuse-active"},

	/* bind() before connect() */
	{"6.18 bind() before connect()", binding_client, .fires = "bind-before-connect",
	 .severity = SEVERITY_WARNING, .only_these = true,
	 .summary =
		 "20000 of 28232 local ports in use (70.8%), at most 400 toward one "
		 "destination (1.42%): ports are taken at bind(), each across all destinations "
		 "(10000 sockets on ports connect() would not pick); set IP_BIND_ADDRESS_NO_PORT "
		 "before bind() so that connect() picks the port per destination, or "
		 "IP_LOCAL_PORT_RANGE (this kernel has both)"},
	{"5.10 bind() before connect()", binding_client_5_10, .fires = "bind-before-connect",
	 .severity = SEVERITY_WARNING,
	 .summary_has = {"set IP_BIND_ADDRESS_NO_PORT before bind() so that connect() picks the "
			 "port per destination (IP_LOCAL_PORT_RANGE needs 6.3)"}},
	{"3.10 ports bound outside the range", binding_client_3_10, .fires = "bind-before-connect",
	 .severity = SEVERITY_WARNING,
	 .summary_has = {"(9000 sockets on ports connect() would not pick)",
			 "this kernel (before 4.2) has neither IP_BIND_ADDRESS_NO_PORT nor "
			 "IP_LOCAL_PORT_RANGE"}},
	{"4.4 ports spread, nothing to tell bind() by", spread_client_4_4,
	 .fires = "port-range-narrow", .severity = SEVERITY_WARNING,
	 .silent = {"bind-before-connect"}},
	{"connect() alone toward many destinations", connect_only_many,
	 .fires = "port-range-narrow", .severity = SEVERITY_WARNING,
	 .silent = {"bind-before-connect"}},
	{"one destination holds the ports", one_heavy_destination, .fires = "port-range-narrow",
	 .severity = SEVERITY_WARNING, .silent = {"bind-before-connect"}},

	/* PAWS and listen drops as evidence */
	{"PAWS drops rising", paws_rising, .fires = "paws-rejections", .severity = SEVERITY_INFO,
	 .only_these = true,
	 .summary_starts = "TcpExt PAWSActive 2.50/s, PAWSTimewait 0.40/s while twtune watched: "
			   "segments carrying a TCP timestamp older than their connection's were "
			   "dropped",
	 .count = 1},
	{"PAWS flat", quiet_host, .silent = {"paws-rejections"}},
	{"recycle dropping SYNs now", recycle_dropping, .fires = "tw-recycle-enabled",
	 .severity = SEVERITY_CRITICAL,
	 .summary = "tcp_tw_recycle = 1: SYNs from clients that share an address behind NAT are "
		    "silently dropped; TcpExt PAWSPassive rose by 12.5/s while twtune watched: "
		    "SYNs are being dropped now; set it to 0"},
	{"recycle dropped SYNs since boot", recycle_dropped_since_boot,
	 .fires = "tw-recycle-enabled", .severity = SEVERITY_CRITICAL,
	 .summary_has =
		 {"; TcpExt PAWSPassive has counted 345 such drops since boot; set it to 0"}},
	{"a server closing first drops SYNs", server_dropping,
	 .fires = "inbound-time-wait-dominant", .severity = SEVERITY_INFO,
	 .summary_has = {"the server closes first; listeners dropped 3.20 SYNs/s meanwhile (TcpExt "
			 "ListenDrops; ListenOverflows 3/s: accept queues full); let clients "
			 "close"}},
};

/* ------------------------------------------------- reuse status */

struct status_case {
	const char *name;
	void (*host)(struct tw_facts *f);
	struct sysctl_change sysctl; /* then this, when it names a key */
	const char *status;
};

static const struct status_case statuses[] = {
	{"status: reuse working", reuse_active, .status = "active"},
	{"status: working, peer unknown", reuse_active_unknown_peer, .status = "active"},
	{"status: working elsewhere, peer strips", reuse_active_peer_strips,
	 .status = "configured-but-peer-lacks-timestamps"},
	{"status: configured, peer strips", peer_strips,
	 .sysctl = {.key = KNOB_TCP_TW_REUSE, .value = "1"},
	 .status = "configured-but-peer-lacks-timestamps"},
	{"status: timestamps off here", peer_strips,
	 .sysctl = {.key = KNOB_TCP_TIMESTAMPS, .value = "0"}, .status = "timestamps-off"},
	{"status: loopback with mode 2", loopback_client, .status = "not-applicable"},
	{"status: loopback with mode 1", loopback_client,
	 .sysctl = {.key = KNOB_TCP_TW_REUSE, .value = "1"}, .status = "not-applicable"},
	{"status: reuse 0", peer_has_timestamps, .status = "off"},
	{"status: mode 2 toward a peer not on loopback", peer_has_timestamps,
	 .sysctl = {.key = KNOB_TCP_TW_REUSE, .value = "2"}, .status = "off"},
	{"status: configured, nothing seen yet", peer_has_timestamps,
	 .sysctl = {.key = KNOB_TCP_TW_REUSE, .value = "1"}, .status = "unknown"},
	{"status: tcp_timestamps unreadable", peer_has_timestamps,
	 .sysctl = {.key = KNOB_TCP_TIMESTAMPS, .absent = true}, .status = "unknown"},
};

static struct value fact(const struct tw_facts *f, const char *name)
{
	static struct fact_view view;

	assert_true(fact_known(name));
	fact_view_init(&view, f);
	return fact_lookup(name, &view);
}

/* The top destination's closes now: TIME_WAIT / 60 s without timers; its
 * own closes of the last 10 s with them. */
static void test_recent_closes(void **state)
{
	struct fixture *fx = *state;
	struct tw_facts *f = &fx->facts;
	struct tw_history *h = &f->census.history_outbound;

	pressured_client(f, HOST_OUTBOUND_HEAVY, 1);
	set_time_wait(f, 9000, 0);
	f->census.top[0].time_wait = 6000;
	assert_near(fact(f, "top.closes_recent").number, 100);
	assert_string_equal(fact(f, "top.closes_window").string, "averaged over the last 60 s");
	assert_int_equal(fact(f, "rates.close_10s").type, VAL_UNDEFINED);

	f->census.history_known = true;
	h->seconds[0] = 6000; /* 6000 in the last second, 3000 20 s ago */
	h->seconds[20] = 3000;
	tw_history_finish(h);
	/* the top destination's own: 4000 of the newest, 2000 of the older */
	set_destination_history(&f->census.top[0], 0, 1, 4000);
	set_destination_history(&f->census.top[0], 20, 1, 2000);
	assert_near(fact(f, "rates.close_10s").number, 600);
	assert_near(fact(f, "rates.close_60s").number, 150);
	assert_string_equal(fact(f, "rates.close_trend").string, "rising");
	assert_near(fact(f, "top.closes_recent").number, 400);
	assert_string_equal(fact(f, "top.closes_window").string, "over the last 10 s");
}

static void test_status(void **state)
{
	struct fixture *fx = *state;
	const struct status_case *c = fx->row;
	struct value v;

	c->host(&fx->facts);
	if (c->sysctl.value || c->sysctl.absent)
		set_sysctl(&fx->facts, c->sysctl.key, c->sysctl.value);
	assert_string_equal(
		reuse_status_name(destination_reuse(&fx->facts, &fx->facts.census.top[0])),
		c->status);
	v = fact(&fx->facts, "top.reuse_status");
	assert_int_equal(v.type, VAL_STRING);
	assert_string_equal(v.string, c->status);
}

/* The counts and their share are facts; unknown without tcp_info. */
static void test_timestamps_facts(void **state)
{
	struct fixture *fx = *state;
	struct tw_facts *f = &fx->facts;

	peer_mixed(f);
	assert_near(fact(f, "top.established_with_timestamps").number, 3);
	assert_near(fact(f, "top.established_without_timestamps").number, 9);
	assert_near(fact(f, "top.timestamps_share").number, 0.25);
	assert_near(fact(f, "destinations.lacking_timestamps").number, 0);
	fresh(f);
	second_peer_strips(f);
	assert_near(fact(f, "destinations.lacking_timestamps").number, 1);
	assert_near(fact(f, "destinations.reuse_lacking_timestamps").number, 0);
	fresh(f);
	database_client(f);
	assert_int_equal(fact(f, "top.timestamps_share").type, VAL_UNDEFINED);
	assert_int_equal(fact(f, "top.established_with_timestamps").type, VAL_UNDEFINED);
	assert_int_equal(fact(f, "destinations.lacking_timestamps").type, VAL_UNDEFINED);
	/* established sockets none: the share is unknown, not 0 */
	fresh(f);
	peer_has_timestamps(f);
	established(f, 0, 0, 0);
	assert_int_equal(fact(f, "top.timestamps_share").type, VAL_UNDEFINED);
	assert_string_equal(fact(f, "top.reuse_status").string, "off");
}

/* ------------------------------------------------- forecast */

/* 600 closes/s into TIME_WAIT, all toward the database holding 14000 of
 * the 28232 ports with 9000 in TIME_WAIT: 470.5/s sustainable, over by
 * 129.5/s; it gains 600 - 9000/60 = 450 ports/s, and the 14232 left last
 * 31.6 s. */
static void test_forecast_exhausts(void **state)
{
	struct fixture *fx = *state;
	struct tw_facts *f = &fx->facts;
	struct destination_forecast fc;

	pressured_client(f, HOST_OUTBOUND_HEAVY, 1);
	set_time_wait(f, 9000, 0);
	rates_flat(f);
	set_rate(f, CTR_TW, 590);
	set_rate(f, CTR_TW_KILLED, 10);
	set_rate(f, CTR_TW_RECYCLED, 50); /* counted in TW already, since 5.18 */
	destination_forecast(f, &f->census.top[0], &fc);
	assert_true(fc.known);
	assert_near(fc.close_rate, 600);
	assert_near(fc.sustainable_rate, 28232.0 / 60);
	assert_near(fc.headroom, 28232.0 / 60 - 600);
	assert_true(fc.exhausts);
	assert_near(fc.seconds_to_exhaustion, (28232.0 - 14000) / 450);
	assert_near(fact(f, "top.close_rate").number, 600);
	assert_near(fact(f, "top.seconds_to_exhaustion").number, (28232.0 - 14000) / 450);
	assert_near(fact(f, "destinations.exhausting").number, 1);
	assert_string_equal(fact(f, "destinations.exhausting.list").string,
			    "10.0.0.5:5432 (about 600/s of 470.5/s sustainable: 31.6 s)");
	assert_near(fact(f, "rates.time_wait_closes").number, 600);
	assert_near(fact(f, "rates.recycled_share").number, 50.0 / 600);

	/* before 5.18 TW counted expiry: the sockets taken over are added */
	set_kernel(f, 5, 10, 0);
	assert_near(fact(f, "rates.time_wait_closes").number, 650);
}

/* The host's closes are split by each destination's share of TIME_WAIT:
 * 100/s, a third of it toward a destination with a third of TIME_WAIT. */
static void test_forecast_split_and_sustainable(void **state)
{
	struct fixture *fx = *state;
	struct tw_facts *f = &fx->facts;
	struct destination_forecast fc;

	pressured_client(f, HOST_OUTBOUND_HEAVY, 1);
	add_destination(f, AF_INET, "10.0.0.6", 5432, 4500, 4500);
	set_time_wait(f, 9000, 4500);
	rates_flat(f);
	set_rate(f, CTR_TW, 120);
	destination_forecast(f, &f->census.top[1], &fc);
	assert_near(fc.close_rate, 40);
	assert_false(fc.exhausts);
	assert_near(fc.headroom, 28232.0 / 60 - 40);
	assert_int_equal(fact(f, "top.seconds_to_exhaustion").type, VAL_UNDEFINED);
	assert_near(fact(f, "top.headroom").number, 28232.0 / 60 - 80);
	assert_near(fact(f, "destinations.exhausting").number, 0);

	/* no rates: the sustainable rate stands, the rest is unknown */
	memset(&f->rates, 0, sizeof(f->rates));
	destination_forecast(f, &f->census.top[0], &fc);
	assert_false(fc.known);
	assert_near(fact(f, "top.sustainable_rate").number, 28232.0 / 60);
	assert_int_equal(fact(f, "top.close_rate").type, VAL_UNDEFINED);
	assert_int_equal(fact(f, "destinations.exhausting").type, VAL_UNDEFINED);
}

/* With the timers, a destination's forecast is its own: its closes of the
 * last 10 s, and each TIME_WAIT port given back when its timer says. The
 * database holds 14000 of 28232 ports, 9000 in TIME_WAIT: 600 a second
 * over the last 10 s, 300 a second 50..59 s ago. The 3000 old ones come
 * back over the next 10 s (net +300/s: 17000 at 10 s), then nothing does
 * (+600/s): the range is reached 18.72 s later, at 28.72 s; the even
 * give-back of the counters' model said 31.6 s. */
static void test_forecast_timers(void **state)
{
	struct fixture *fx = *state;
	struct tw_facts *f = &fx->facts;
	struct destination_stat *d;
	struct destination_forecast fc;

	pressured_client(f, HOST_OUTBOUND_HEAVY, 1);
	set_time_wait(f, 9000, 0);
	f->census.history_known = true;
	d = &f->census.top[0];
	set_destination_history(d, 0, 10, 600);
	set_destination_history(d, 50, 10, 300);
	destination_forecast(f, d, &fc); /* no rates needed */
	assert_true(fc.known);
	assert_int_equal(fc.basis, FORECAST_TIMERS);
	assert_near(fc.close_rate, 600);
	assert_near(fc.headroom, 28232.0 / 60 - 600);
	assert_true(fc.exhausts);
	assert_near(fc.seconds_to_exhaustion, 28 + (28232.0 - 27800) / 600);
	assert_near(fact(f, "destinations.exhausting").number, 1);

	/* 400/s is sustainable (470.5/s), but 28000 ports are held and none
	 * comes back for 50 s: the last 232 go in 0.58 s */
	memset(&d->history, 0, sizeof(d->history));
	set_destination_history(d, 0, 10, 400);
	d->time_wait = 4000;
	d->ports_in_use = d->max_from_one_local = 28000;
	destination_forecast(f, d, &fc);
	assert_true(fc.headroom > 0);
	assert_true(fc.exhausts);
	assert_near(fc.seconds_to_exhaustion, 232.0 / 400);

	/* the same rate with only its 4000 TIME_WAIT held levels off at
	 * 24000: no exhaustion */
	d->ports_in_use = d->max_from_one_local = 4000;
	destination_forecast(f, d, &fc);
	assert_false(fc.exhausts);
	assert_near(fact(f, "destinations.exhausting").number, 0);
}

/* The timers against the counters over a 4.5 s sample: 1125 entered
 * TIME_WAIT (TW 250/s) and 600 are still in it, 100 a second over the
 * last 4 s and 200 in the half second the window cuts. Of the 525 that
 * left early, 337.5 were taken over (TWRecycled 75/s), 187.5 no counter
 * explains; 45 closes never entered (TCPTimeWaitOverflow 10/s). */
static void test_timers_check(void **state)
{
	struct fixture *fx = *state;
	struct tw_facts *f = &fx->facts;
	struct timers_check *t = &f->timers_check;
	struct tw_history *h = &f->census.history_outbound;

	pressured_client(f, HOST_OUTBOUND_HEAVY, 1);
	f->census.history_known = true;
	for (unsigned i = 0; i < 4; i++)
		h->seconds[i] = 100;
	h->seconds[4] = 400; /* half of it within the window */
	h->seconds[30] = 5000;
	tw_history_finish(h);
	rates_flat(f);
	set_rate(f, CTR_TW, 250);
	set_rate(f, CTR_TW_RECYCLED, 75);
	set_rate(f, CTR_TIME_WAIT_OVERFLOW, 10);
	f->rates.interval = 4.5;
	tw_history_check_counters(f);
	assert_true(t->known);
	assert_near(t->window, 4.5);
	assert_near(t->entered, 1125);
	assert_near(t->held, 600);
	assert_near(t->left_early, 525);
	assert_near(t->recycled, 337.5);
	assert_near(t->unexplained, 187.5);
	assert_near(t->no_bucket, 45);
	assert_int_equal(t->verdict, TIMERS_LEFT_EARLY);
	assert_string_equal(fact(f, "timers.check").string, "left-early");
	assert_near(fact(f, "timers.unexplained").number, 187.5);

	/* FIN_WAIT2 timewait sockets entered too (TW counted them): with
	 * tcp_fin_timeout 60, those with 56 s or more left entered within
	 * the 4.5 s; those with 10 s left, 50 s ago */
	set_sysctl(f, KNOB_TCP_FIN_TIMEOUT, "60");
	f->census.fin_wait2_left[58] = 30;
	f->census.fin_wait2_left[10] = 20;
	f->census.fin_wait2_timewait = 50;
	tw_history_check_counters(f);
	assert_near(t->held_fin_wait2, 30);
	assert_near(t->held, 630);
	assert_near(t->left_early, 495);
	memset(f->census.fin_wait2_left, 0, sizeof(f->census.fin_wait2_left));
	f->census.fin_wait2_timewait = 0;

	/* within 10%: they agree */
	set_rate(f, CTR_TW, 600.0 / 4.5 * 1.09);
	f->rates.interval = 4.5;
	tw_history_check_counters(f);
	assert_int_equal(t->verdict, TIMERS_AGREE);
	assert_near(t->unexplained, 0);

	/* more held than entered: timers restarted */
	set_rate(f, CTR_TW, 100);
	f->rates.interval = 4.5;
	tw_history_check_counters(f);
	assert_int_equal(t->verdict, TIMERS_MORE_HELD);
	assert_near(t->left_early, 0);

	/* a sample longer than the minute compares the minute */
	set_rate(f, CTR_TW, 100);
	f->rates.interval = 300;
	tw_history_check_counters(f);
	assert_near(t->window, 60);
	assert_near(t->held, 5800);
	assert_near(t->entered, 6000);

	/* an unknown kernel may be older than 5.18: not compared */
	f->version_known = false;
	tw_history_check_counters(f);
	assert_false(t->known);
	assert_non_null(strstr(t->reason, "not known"));
	f->version_known = true;

	/* before 5.18 TW counts at the timer's end: not compared, and why */
	set_kernel(f, 5, 15, 0);
	tw_history_check_counters(f);
	assert_false(t->known);
	assert_non_null(strstr(t->reason, "before Linux 5.18"));
	assert_int_equal(fact(f, "timers.check").type, VAL_UNDEFINED);

	/* the previous run's rates are no window ending at the census */
	set_kernel(f, 6, 1, 0);
	f->rates.basis = RATES_PREVIOUS_RUN;
	tw_history_check_counters(f);
	assert_false(t->known);
	assert_string_equal(t->reason, "");
}

/* A destination that holds the whole range is spent now: 0 s. */
static void test_forecast_spent(void **state)
{
	struct fixture *fx = *state;
	struct tw_facts *f = &fx->facts;
	struct destination_forecast fc;

	busy_client(f, AF_INET, "127.0.0.1", 8080, 100, 100);
	set_port_range(f, 60900, 60999);
	rates_flat(f);
	set_rate(f, CTR_TW, 50);
	destination_forecast(f, &f->census.top[0], &fc);
	assert_true(fc.exhausts);
	assert_near(fc.seconds_to_exhaustion, 0);
}

/* ------------------------------------------------- bound ports */

static void test_bound_sockets(void **state)
{
	struct fixture *fx = *state;
	struct tw_facts *f = &fx->facts;

	binding_client(f);
	f->census.outbound_outside_range = 7;
	assert_int_equal(outbound_bound_sockets(f), 10007);
	assert_near(fact(f, "sockets.outbound.bound").number, 10007);
	assert_near(fact(f, "pressure.bind.ports").number, 20000);
	/* before 4.6 parity says nothing */
	set_kernel(f, 4, 4, 0);
	assert_int_equal(outbound_bound_sockets(f), 7);
	/* nor when connect() may have spilled over: half the range toward
	 * one destination */
	fresh(f);
	one_heavy_destination(f);
	f->census.outbound_bind_parity = 6000;
	assert_int_equal(outbound_bound_sockets(f), 0);
}

/* ------------------------------------------------- reports */

static char *render(const struct tw_facts *f, const struct findings *fs, int format)
{
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	assert_non_null(out);
	if (format == 'j')
		print_json(report_check_json(f, fs), out);
	else if (format == 'p')
		report_check_prometheus(out, f, fs);
	else
		report_check_text(out, f, fs, false);
	fclose(out);
	return text;
}

static void assert_has(const char *text, const char *needle)
{
	if (!strstr(text, needle)) {
		fprintf(stderr, "%s", text); /* cmocka cuts its messages short */
		fail_msg("no \"%s\" in the text above", needle);
	}
}

/* Spent, though the rate of the last 10 s is sustainable: the text says
 * the headroom and that the range is spent, never a negative "over by". */
static void test_report_spent_with_headroom(void **state)
{
	struct fixture *fx = *state;
	struct tw_facts *f = &fx->facts;
	struct destination_forecast fc;
	struct findings fs = {0};
	char *text;

	busy_client(f, AF_INET, "127.0.0.1", 8080, 100, 100);
	set_port_range(f, 60900, 60999);
	f->census.history_known = true;
	set_destination_history(&f->census.top[0], 0, 1, 10);
	destination_forecast(f, &f->census.top[0], &fc);
	assert_true(fc.exhausts);
	assert_near(fc.seconds_to_exhaustion, 0);
	assert_true(fc.headroom > 0);
	text = render(f, &fs, 't');
	assert_has(text, "1.0/s        headroom 0.7/s, but the range is spent now");
	assert_null(strstr(text, "over by -"));
	free(text);
}

static void test_reports(void **state)
{
	struct fixture *fx = *state;
	struct tw_facts *f = &fx->facts;
	struct judgement j;
	json_error_t error;
	json_t *doc, *d;
	char *text;

	second_peer_strips(f);
	set_sysctl(f, KNOB_TCP_TW_REUSE, "1");
	rates_flat(f);
	set_rate(f, CTR_TW, 600);
	judge(f, &j);

	text = render(f, &j.findings, 'j');
	doc = json_loads(text, 0, &error);
	if (!doc)
		fail_msg("JSON: %s", error.text);
	d = json_object_get(json_object_get(doc, "sockets"), "top_destinations");
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(json_array_get(d, 1), "reuse"), "status")),
			    "configured-but-peer-lacks-timestamps");
	assert_int_equal(
		json_integer_value(json_object_get(json_object_get(json_array_get(d, 1), "reuse"),
						   "established_without")),
		8);
	assert_true(json_is_true(
		json_object_get(json_object_get(json_array_get(d, 0), "forecast"), "exhausts")));
	assert_true(json_is_true(
		json_object_get(json_object_get(doc, "reuse"), "timestamps_inspected")));
	assert_near(json_number_value(json_object_get(json_object_get(doc, "reuse"),
						      "time_wait_closes_per_second")),
		    600);
	assert_near(json_number_value(json_object_get(
			    json_object_get(json_object_get(json_object_get(doc, "sockets"),
							    "port_pressure"),
					    "bind"),
			    "explicitly_bound")),
		    0);
	json_decref(doc);
	free(text);

	text = render(f, &j.findings, 'p');
	assert_has(text,
		   "twtune_destination_reuse{destination=\"10.0.0.9:443\",status=\"configured-"
		   "but-peer-lacks-timestamps\"} 1\n");
	assert_has(text, "twtune_destination_established{destination=\"10.0.0.9:443\",timestamps="
			 "\"without\"} 8\n");
	assert_has(text, "twtune_destination_seconds_to_exhaustion{destination=\"10.0.0.5:5432\"}");
	assert_has(text, "twtune_tcp_stat_total{stat=\"paws_active\"} 0\n");
	free(text);

	text = render(f, &j.findings, 't');
	assert_has(text, "Reuse per destination (tcp_tw_reuse = 1, tcp_timestamps = 1)");
	assert_has(text, "configured-but-peer-lacks-timestamps   0 with, 8 without");
	assert_has(text, "over by 129.5/s: the range runs out in about");
	assert_has(text, "TcpExt PAWSActive");
	free(text);
	judgement_free(&j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_timestamps_facts, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_forecast_exhausts, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_forecast_split_and_sustainable, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_recent_closes, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_forecast_timers, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_timers_check, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_report_spent_with_headroom, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_forecast_spent, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_bound_sockets, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_reports, fixture_setup, fixture_teardown),
	};
	const struct fixture_table tables[] = {
		FIXTURE_TABLE(reuse_verdicts, test_verdict, fixture_setup, fixture_teardown),
		FIXTURE_TABLE(statuses, test_status, fixture_setup, fixture_teardown),
	};

	return fixture_run(tests, ARRAY_SIZE(tests), tables, ARRAY_SIZE(tables));
}
