/* SPDX-License-Identifier: MIT */
/* Advice an expert signs: fabricated hosts from Linux 3.10 to 6.18, one
 * row per case the shipped rules and profiles must get right (timestamps
 * off, widened ranges that keep to a floor and off Kubernetes' NodePorts,
 * tcp_max_tw_buckets sized from demand and the kernel's own default, a
 * server profile that does no harm, reuse that is seen working), each with
 * the finding ids, severities and values an expert would write down. */
#include <arpa/inet.h>
#include <errno.h>
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

#include "apply/desired.h"
#include "engine/compute.h"
#include "engine/engine.h"
#include "engine/rules.h"
#include "fixture.h"
#include "hosts.h"

/* ------------------------------------------------------- the hosts */

static void kernel_at(struct tw_facts *f, unsigned major, unsigned minor)
{
	set_kernel(f, major, minor, 0);
	/* what each kernel has of the keys twtune reads */
	if (major < 4 || (major == 4 && minor < 12))
		set_sysctl(f, KNOB_TCP_TW_RECYCLE, "0");
	if (major < 4 || (major == 4 && minor < 19))
		set_sysctl(f, KNOB_TCP_TW_REUSE, "0");
	if (major < 6 || (major == 6 && minor < 1))
		set_sysctl(f, KNOB_TCP_EHASH_ENTRIES, NULL);
	else
		set_sysctl(f, KNOB_TCP_EHASH_ENTRIES, "524288");
	if (major > 6 || (major == 6 && minor >= 14))
		set_sysctl(f, KNOB_TCP_TW_REUSE_DELAY, "1000");
	if (major < 4 || (major == 4 && minor < 6))
		set_port_range(f, 32768, 61000);
}

/* 300 connect()s toward 127.0.0.1:8080 on a range of 100 ports: all of
 * them in use (the 6.18 experiment of the expert audit, scaled down) */
static void loopback_full(struct tw_facts *f)
{
	busy_client(f, AF_INET, "127.0.0.1", 8080, 100, 100);
	kernel_at(f, 6, 18);
	set_port_range(f, 60900, 60999);
}

static void loopback_full_no_timestamps(struct tw_facts *f)
{
	loopback_full(f);
	set_sysctl(f, KNOB_TCP_TIMESTAMPS, "0");
}

/* 5.4, 30% of the default range toward a database, reuse off */
static void database_client_5_4(struct tw_facts *f)
{
	busy_client(f, AF_INET, "10.0.0.5", 5432, 8000, 8470);
	kernel_at(f, 5, 4);
	set_sysctl(f, KNOB_TCP_TW_REUSE, "0");
}

static void database_client_5_4_no_timestamps(struct tw_facts *f)
{
	database_client_5_4(f);
	set_sysctl(f, KNOB_TCP_TIMESTAMPS, "0");
}

static void reuse_one_no_timestamps_3_10(struct tw_facts *f)
{
	quiet_host(f);
	kernel_at(f, 3, 10);
	set_sysctl(f, KNOB_TCP_TW_REUSE, "1");
	set_sysctl(f, KNOB_TCP_TIMESTAMPS, "0");
}

/* 6.1, 20000 ports toward one destination (70.8%); only ssh and a web
 * server listen now, MySQL, PostgreSQL and Redis are down */
static void services_down_6_1(struct tw_facts *f)
{
	static const unsigned listening[] = {22, 80};

	busy_client(f, AF_INET, "10.0.0.7", 443, 20000, 20000);
	set_listening(f, listening, 2);
}

/* a Kubernetes node on 6.18: NodePort listeners at 30080 and 31443, and
 * 16000 ports toward one service (56.7%) */
static void kubernetes_node_6_18(struct tw_facts *f)
{
	static const unsigned listening[] = {22, 10250, 30080, 31443};

	services_down_6_1(f);
	kernel_at(f, 6, 18);
	set_listening(f, listening, 4);
	f->census.top_count = 0;
	f->census.worst_tuple_ports = 0;
	add_destination(f, AF_INET, "10.96.0.10", 443, 16000, 16000);
	f->census.local_ports_in_use = 16000;
}

/* 5.15, kube-proxy in iptables mode (no NodePort listener), as above */
static void kubernetes_chains_5_15(struct tw_facts *f)
{
	static const unsigned listening[] = {22, 10250};

	kubernetes_node_6_18(f);
	kernel_at(f, 5, 15);
	set_listening(f, listening, 2);
	snprintf(f->nat.nodeport_chain, sizeof(f->nat.nodeport_chain), "ip nat/KUBE-NODEPORTS");
}

/* the same node after a folk "1024 65535": the range covers the NodePorts */
static void kubernetes_folk_range(struct tw_facts *f)
{
	kubernetes_chains_5_15(f);
	set_port_range(f, 1024, 65535);
	f->census.top_count = 0;
	f->census.worst_tuple_ports = 0;
	add_destination(f, AF_INET, "10.96.0.10", 443, 100, 100);
	f->census.local_ports_in_use = 100;
}

/* 10001 ports (40000-50000), 6000 in use: upward is room enough */
static void upward_is_enough(struct tw_facts *f)
{
	busy_client(f, AF_INET, "10.0.0.5", 443, 6000, 6000);
	kernel_at(f, 5, 15);
	set_port_range(f, 40000, 50000);
}

static void rate(struct tw_facts *f, enum counter_id id, double per_second)
{
	f->rates.basis = RATES_SAMPLED;
	f->rates.interval = 10;
	f->rates.valid[id] = true;
	f->rates.per_second[id] = per_second;
}

/* 4.9 with the folk tcp_max_tw_buckets = 1000, held at the cap, 200
 * closes/s finding no bucket; tcp_max_orphans at its boot value, half of
 * a 131072-entry hash */
static void folk_buckets_4_9(struct tw_facts *f)
{
	quiet_host(f);
	kernel_at(f, 4, 9);
	set_sysctl(f, KNOB_TCP_MAX_TW_BUCKETS, "1000");
	set_sysctl(f, KNOB_TCP_MAX_ORPHANS, "65536");
	set_time_wait(f, 0, 1000);
	classify_as(f, HOST_INBOUND_HEAVY, 0);
	rate(f, CTR_TW, 16.5);
	rate(f, CTR_TIME_WAIT_OVERFLOW, 200);
}

/* the same in a container on 4.4: no tcp_max_orphans there */
static void folk_buckets_4_4_container(struct tw_facts *f)
{
	folk_buckets_4_9(f);
	kernel_at(f, 4, 4);
	set_sysctl(f, KNOB_TCP_MAX_ORPHANS, NULL);
}

/* tcp_max_orphans tuned to a value no hash gives */
static void folk_buckets_tuned_orphans(struct tw_facts *f)
{
	folk_buckets_4_9(f);
	set_sysctl(f, KNOB_TCP_MAX_ORPHANS, "100000");
}

/* 6.1: the hash's size is shown, and the default is half of it */
static void folk_buckets_6_1(struct tw_facts *f)
{
	folk_buckets_4_9(f);
	kernel_at(f, 6, 1);
	set_sysctl(f, KNOB_TCP_MAX_ORPHANS, "65536");
}

/* 6.18, tcp_tw_reuse 1 on an outbound host, and TWRecycled rising */
static void reuse_working(struct tw_facts *f)
{
	database_client_5_4(f);
	kernel_at(f, 6, 18);
	set_sysctl(f, KNOB_TCP_TW_REUSE, "1");
	rate(f, CTR_TW_RECYCLED, 120);
	rate(f, CTR_TW, 135);
}

static void toward_mapped_loopback(struct tw_facts *f)
{
	busy_client(f, AF_INET6, "::ffff:127.0.0.1", 8080, 13000, 14000);
}

/* the host's own address is not loopback to the kernel */
static void toward_own_address(struct tw_facts *f)
{
	busy_client(f, AF_INET, "10.0.0.1", 8080, 13000, 14000);
}

static const struct verdict advice_verdicts[] = {
	/* 1. timestamps off: all reuse is off, loopback mode 2 included */
	{"6.18 timestamps off, reuse 2, the range spent toward loopback",
	 loopback_full_no_timestamps, .fires = "tw-reuse-without-timestamps",
	 .severity = SEVERITY_CRITICAL, .settings = {{KNOB_TCP_TIMESTAMPS, "0", "1"}},
	 .only_these = true,
	 .summary_starts = "tcp_timestamps = 0 turns off every kind of TIME_WAIT reuse "
			   "(tcp_tw_reuse = 2, loopback and bind() before connect() included)",
	 .silent = {"tw-reuse-for-outbound-pressure"}},
	{"6.18 timestamps on, reuse 2, the range spent toward loopback", loopback_full,
	 .fires = "port-range-narrow", .severity = SEVERITY_WARNING,
	 .silent = {"tw-reuse-without-timestamps", "tw-reuse-for-outbound-pressure"}},
	{"5.4 timestamps off, reuse 0, 30% toward a database", database_client_5_4_no_timestamps,
	 .fires = "tw-reuse-without-timestamps", .severity = SEVERITY_WARNING,
	 .settings = {{KNOB_TCP_TIMESTAMPS, "0", "1"}},
	 .summary_has = {"(tcp_tw_reuse = 0,", "at most 470.5 new connections/s"},
	 .nobody = {KNOB_TCP_TW_REUSE, NULL, "1"}},
	{"5.4 timestamps on, reuse 0, 30% toward a database", database_client_5_4,
	 .fires = "tw-reuse-for-outbound-pressure", .severity = SEVERITY_WARNING,
	 .settings = {{KNOB_TCP_TW_REUSE, "0", "1"}}, .silent = {"tw-reuse-without-timestamps"}},
	{"3.10 timestamps off, reuse 1, no pressure", reuse_one_no_timestamps_3_10,
	 .fires = "tw-reuse-without-timestamps", .severity = SEVERITY_WARNING},

	/* 2. widened ranges keep to the floor and off the NodePorts */
	{"6.1 services down: the range stops at the floor", services_down_6_1,
	 .fires = "port-range-narrow", .severity = SEVERITY_WARNING,
	 .settings = {{KNOB_IP_LOCAL_PORT_RANGE, "32768 60999", "10000 65535"},
		      {KNOB_IP_LOCAL_RESERVED_PORTS, .none = true}},
	 .summary_has = {"widening it to 10000 65535 adds 27304 ports"},
	 .nobody = {KNOB_IP_LOCAL_PORT_RANGE, NULL, "1024 65535"}},
	{"6.18 Kubernetes node with NodePort listeners", kubernetes_node_6_18,
	 .fires = "port-range-narrow", .severity = SEVERITY_WARNING,
	 .settings = {{KNOB_IP_LOCAL_PORT_RANGE, "32768 60999", "32768 65535"},
		      {KNOB_IP_LOCAL_RESERVED_PORTS, .none = true}},
	 .summary_has = {"widening it to 32768 65535 adds 4536 ports"},
	 .silent = {"nodeports-in-ephemeral-range"}},
	{"5.15 Kubernetes node, kube-proxy chains only", kubernetes_chains_5_15,
	 .fires = "port-range-narrow", .severity = SEVERITY_WARNING,
	 .settings = {{KNOB_IP_LOCAL_PORT_RANGE, "32768 60999", "32768 65535"}}},
	{"5.15 Kubernetes node with a folk 1024 65535", kubernetes_folk_range,
	 .fires = "nodeports-in-ephemeral-range", .severity = SEVERITY_WARNING,
	 .settings = {{KNOB_IP_LOCAL_RESERVED_PORTS, "", "10250,30000-32767"}}, .only_these = true,
	 .summary_has = {"covers 2768 of them unreserved"}, .silent = {"port-range-narrow"}},
	{"5.15 upward is room enough", upward_is_enough, .fires = "port-range-narrow",
	 .severity = SEVERITY_WARNING,
	 .settings = {{KNOB_IP_LOCAL_PORT_RANGE, "40000 50000", "40000 65535"}},
	 .summary_has = {"widening it to 40000 65535 adds 15535 ports"}},

	/* 3. tcp_max_tw_buckets from demand and the kernel's default */
	{"4.9 folk buckets at the cap, default from tcp_max_orphans", folk_buckets_4_9,
	 .fires = "tw-buckets-near-limit", .severity = SEVERITY_WARNING,
	 .settings = {{KNOB_TCP_MAX_TW_BUCKETS, "1000", "65536"}}},
	{"4.4 container: demand alone", folk_buckets_4_4_container,
	 .fires = "tw-buckets-near-limit", .severity = SEVERITY_WARNING,
	 /* (16.5 + 200)/s x 60 s = 12990, twice that rounded up */
	 .settings = {{KNOB_TCP_MAX_TW_BUCKETS, "1000", "32768"}}},
	{"4.9 tcp_max_orphans tuned: demand alone", folk_buckets_tuned_orphans,
	 .fires = "tw-buckets-near-limit", .severity = SEVERITY_WARNING,
	 .settings = {{KNOB_TCP_MAX_TW_BUCKETS, "1000", "32768"}}},
	{"6.1 folk buckets: half the hash", folk_buckets_6_1, .fires = "tw-buckets-near-limit",
	 .severity = SEVERITY_WARNING, .settings = {{KNOB_TCP_MAX_TW_BUCKETS, "1000", "262144"}}},

	/* 5. what the kernel calls loopback */
	{"::ffff:127.0.0.1 is loopback", toward_mapped_loopback, .fires = "loopback-upstream-churn",
	 .severity = SEVERITY_INFO, .silent = {"tw-reuse-for-outbound-pressure"}},
	{"the host's own address is not loopback", toward_own_address,
	 .fires = "tw-reuse-for-outbound-pressure", .severity = SEVERITY_WARNING,
	 .silent = {"loopback-upstream-churn"}},

	/* 6. reuse seen working */
	{"6.18 reuse working", reuse_working, .fires = "tw-reuse-active", .severity = SEVERITY_INFO,
	 .summary_starts = "120 connections/s took over a TIME_WAIT socket (TcpExt TWRecycled) "
			   "with tcp_tw_reuse = 1, against 135 sockets/s",
	 .silent = {"tw-reuse-for-outbound-pressure"}},
	{"reuse not seen without rates", database_client_5_4, .silent = {"tw-reuse-active"}},
};

/* ------------------------------------------------------ profiles */

static const struct rule *load_profile(struct rule_set *set, const char *name)
{
	struct rule_errors errors;
	const struct rule *p;

	if (profiles_load(SHIPPED_PROFILES, NULL, set, &errors) != 0 || errors.count)
		fail_msg("the shipped profiles:%s", all_errors(&errors));
	p = rules_find(set, name);
	assert_non_null(p);
	return p;
}

/* PROFILE's settings on F, as "key=value " text, and its notes */
static const char *desired_text(const struct rule *profile, const struct tw_facts *f,
				struct apply_outcome *out)
{
	static char text[1024];
	struct desired_setting desired[KNOB_COUNT];
	unsigned count = 0;
	size_t n = 0;

	memset(out, 0, sizeof(*out));
	desired_from_profile(profile, f, desired, &count, out);
	text[0] = '\0';
	for (unsigned i = 0; i < count && n < sizeof(text); i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s=%s ",
				      knob_get(desired[i].key)->name,
				      fixture_value_text(&desired[i].value));
	desired_free(desired, count);
	return text;
}

/* A mixed host with tcp_tw_reuse 1 holding 32% of its range toward Redis:
 * the server profile refuses it, says why, and would not touch reuse. */
static void test_server_profile_refuses_mixed_host(void **state)
{
	struct fixture *fx = *state;
	struct tw_facts *f = &fx->facts;
	struct apply_outcome out;
	struct rule_set set;
	const struct rule *server = load_profile(&set, "server");
	char why[1024];

	quiet_host(f);
	set_sysctl(f, KNOB_TCP_TW_REUSE, "1");
	add_destination(f, AF_INET, "10.0.0.9", 6379, 9000, 9034);
	classify_as(f, HOST_MIXED, 0.45);
	assert_false(profile_requirements_met(server, f, why, sizeof(why)));
	if (!strstr(why, "it is mixed") || !strstr(why, "Why: a mixed host also makes many "
							"outbound connections"))
		fail_msg("the refusal does not say why: %s", why);
	if (strstr(desired_text(server, f, &out), "tcp_tw_reuse"))
		fail_msg("the server profile sets tcp_tw_reuse: %s", desired_text(server, f, &out));
	apply_outcome_free(&out);
	rules_free(&set);
}

/* 4.9, an inbound-heavy host with tcp_tw_recycle 1: recycle goes to 0 */
static void test_server_profile_turns_recycle_off(void **state)
{
	struct fixture *fx = *state;
	struct tw_facts *f = &fx->facts;
	struct apply_outcome out;
	struct rule_set set;
	const struct rule *server = load_profile(&set, "server");
	char why[1024];

	quiet_host(f);
	kernel_at(f, 4, 9);
	set_sysctl(f, KNOB_TCP_TW_RECYCLE, "1");
	classify_as(f, HOST_INBOUND_HEAVY, 0.1);
	assert_true(profile_requirements_met(server, f, why, sizeof(why)));
	assert_string_equal(desired_text(server, f, &out),
			    "net.ipv4.tcp_tw_recycle=0 net.ipv4.tcp_timestamps=1 "
			    "net.ipv4.tcp_max_tw_buckets=262144 ");
	apply_outcome_free(&out);
	/* 6.1: the key is gone, and said so */
	kernel_at(f, 6, 1);
	set_sysctl(f, KNOB_TCP_TW_RECYCLE, NULL);
	assert_null(strstr(desired_text(server, f, &out), "recycle"));
	assert_true(out.note_count >= 1);
	assert_string_equal(out.notes[0],
			    "net.ipv4.tcp_tw_recycle is absent on this kernel; left out");
	apply_outcome_free(&out);
	rules_free(&set);
}

/* kernel-defaults restores tcp_max_tw_buckets from the hash's size, from
 * tcp_max_orphans before 6.1, and says plainly when it cannot. */
static void test_kernel_defaults_buckets(void **state)
{
	struct fixture *fx = *state;
	struct tw_facts *f = &fx->facts;
	struct apply_outcome out;
	struct rule_set set;
	const struct rule *defaults = load_profile(&set, "kernel-defaults");

	folk_buckets_6_1(f);
	assert_non_null(strstr(desired_text(defaults, f, &out), "tcp_max_tw_buckets=262144 "));
	apply_outcome_free(&out);

	folk_buckets_4_9(f);
	assert_non_null(strstr(desired_text(defaults, f, &out), "tcp_max_tw_buckets=65536 "));
	apply_outcome_free(&out);

	folk_buckets_4_4_container(f);
	assert_null(strstr(desired_text(defaults, f, &out), "tcp_max_tw_buckets"));
	for (unsigned i = 0; i <= out.note_count; i++) {
		if (i == out.note_count)
			fail_msg("no note says why tcp_max_tw_buckets is left");
		if (strstr(out.notes[i], "net.ipv4.tcp_max_tw_buckets: @kernel_default has no "
					 "value on this host: this kernel (before 6.1) does not "
					 "show the established hash's size") &&
		    strstr(out.notes[i], "initial network namespace only"))
			break;
	}
	apply_outcome_free(&out);

	folk_buckets_tuned_orphans(f);
	assert_null(strstr(desired_text(defaults, f, &out), "tcp_max_tw_buckets"));
	apply_outcome_free(&out);
	rules_free(&set);
}

/* client-heavy widens like port-range-narrow: the same floor, the same
 * NodePorts kept out */
static void test_client_heavy_range(void **state)
{
	struct fixture *fx = *state;
	struct apply_outcome out;
	struct rule_set set;
	const struct rule *client = load_profile(&set, "client-heavy");

	kubernetes_node_6_18(&fx->facts);
	assert_string_equal(desired_text(client, &fx->facts, &out),
			    "net.ipv4.tcp_tw_reuse=1 net.ipv4.ip_local_port_range=32768 65535 ");
	apply_outcome_free(&out);
	services_down_6_1(&fx->facts);
	assert_string_equal(desired_text(client, &fx->facts, &out),
			    "net.ipv4.tcp_tw_reuse=1 net.ipv4.ip_local_port_range=10000 65535 ");
	apply_outcome_free(&out);
	rules_free(&set);
}

/* -------------------------------------- @wider_port_range(FLOOR) */

static const struct rule *one_rule(const struct fixture *fx, struct rule_set *set,
				   const char *recommend, struct rule_errors *errors)
{
	char text[512], path[PATH_MAX];

	snprintf(text, sizeof(text),
		 "[rule r]\nseverity = warning\ntitle = t\nwhen = true\nrecommend = %s\n",
		 recommend);
	fixture_write(fx->root, "r.rule", text);
	fixture_join(path, sizeof(path), fx->root, "r.rule");
	memset(set, 0, sizeof(*set));
	memset(errors, 0, sizeof(*errors));
	rules_parse_file(path, set, errors);
	return rules_find(set, "r");
}

static void test_floor_argument(void **state)
{
	struct fixture *fx = *state;
	struct rule_errors errors;
	struct rule_set set;
	const struct rule *r;
	struct findings fs;

	r = one_rule(fx, &set, "net.ipv4.ip_local_port_range @wider_port_range(20000)", &errors);
	assert_non_null(r);
	assert_string_equal(rule_setting_text(&r->settings[0]), "@wider_port_range(20000)");
	services_down_6_1(&fx->facts);
	assert_int_equal(engine_evaluate(&set, &fx->facts, &fs), 0);
	assert_int_equal(fs.count, 1);
	assert_string_equal(fixture_value_text(&fs.items[0].settings[0].recommended),
			    "20000 65535");
	findings_free(&fs);
	rules_free(&set);

	assert_null(
		one_rule(fx, &set, "net.ipv4.ip_local_port_range @wider_port_range(80)", &errors));
	assert_int_equal(errors.count, 1);
	if (!strstr(errors.messages[0],
		    "r.rule:5:13: rule r: recommend: @wider_port_range: '80' is out "
		    "of range (expected 1024 to 65534)"))
		fail_msg("%s", errors.messages[0]);
	rules_free(&set);
	assert_null(
		one_rule(fx, &set, "net.ipv4.ip_local_reserved_ports @reserved_ports(5)", &errors));
	assert_non_null(strstr(errors.messages[0], "@reserved_ports takes no argument"));
	rules_free(&set);
	assert_null(
		one_rule(fx, &set, "net.ipv4.ip_local_port_range @wider_port_range(2000", &errors));
	assert_non_null(strstr(errors.messages[0], "needs one number"));
	rules_free(&set);
}

/* A rule's "critical" raises its finding; a rule already critical may not
 * have one. */
static void test_critical_condition(void **state)
{
	struct fixture *fx = *state;
	struct rule_errors errors;
	struct rule_set set;
	struct findings fs;
	char path[PATH_MAX];

	fixture_write(fx->root, "c.rule",
		      "[rule c]\nseverity = info\ntitle = t\nwhen = true\n"
		      "critical = sockets.time_wait > 5\n"
		      "[rule d]\nseverity = critical\ntitle = t\nwhen = true\ncritical = true\n");
	fixture_join(path, sizeof(path), fx->root, "c.rule");
	memset(&set, 0, sizeof(set));
	memset(&errors, 0, sizeof(errors));
	assert_int_equal(rules_parse_file(path, &set, &errors), -EINVAL);
	assert_int_equal(errors.count, 1);
	if (!strstr(errors.messages[0], "c.rule:10:1: rule d: 'critical' raises a finding to "
					"critical, but the severity is critical already"))
		fail_msg("%s", errors.messages[0]);
	quiet_host(&fx->facts);
	assert_int_equal(engine_evaluate(&set, &fx->facts, &fs), 0);
	assert_string_equal(severity_name(fs.items[0].severity), "info");
	findings_free(&fs);
	set_time_wait(&fx->facts, 6, 0);
	assert_int_equal(engine_evaluate(&set, &fx->facts, &fs), 0);
	assert_string_equal(severity_name(fs.items[0].severity), "critical");
	assert_int_equal(findings_worst(&fs), SEVERITY_CRITICAL);
	findings_free(&fs);
	rules_free(&set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_server_profile_refuses_mixed_host,
						fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_server_profile_turns_recycle_off,
						fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_kernel_defaults_buckets, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_client_heavy_range, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_floor_argument, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_critical_condition, fixture_setup,
						fixture_teardown),
	};
	const struct fixture_table tables[] = {
		FIXTURE_TABLE(advice_verdicts, test_verdict, fixture_setup, fixture_teardown),
	};

	return fixture_run(tests, ARRAY_SIZE(tests), tables, ARRAY_SIZE(tables));
}
