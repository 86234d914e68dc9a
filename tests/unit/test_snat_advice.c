/* SPDX-License-Identifier: MIT */
/* What the shipped rules make of hosts that masquerade, built by hand:
 * SNAT port pressure toward a destination, rules without fully-random,
 * closed connections holding ports in conntrack TIME_WAIT, conntrack's
 * insert failures; and the SNAT section of the JSON, text and Prometheus
 * reports of such a host. */
#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* after <netinet/in.h>: glibc's copy of the in.h structs must win */
/* clang-format off */
#include <linux/netfilter/nf_nat.h>
/* clang-format on */

/* cmocka.h needs these included before it */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include "fixture.h"
#include "hosts.h"
#include "report/format.h"
#include "report/json.h"
#include "report/prometheus.h"
#include "report/text.h"

/* ---- hosts */

static void add_rule(struct snat_facts *s, const char *where, uint32_t flags, unsigned low,
		     unsigned high)
{
	struct snat_rule *r = &s->rule[s->rule_count++];

	snprintf(r->where, sizeof(r->where), "%s", where);
	snprintf(r->action, sizeof(r->action), "masquerade");
	r->flags = flags | (low ? NF_NAT_RANGE_PROTO_SPECIFIED : 0);
	r->ports_known = low != 0;
	r->port_low = (uint16_t)low;
	r->port_high = (uint16_t)high;
	s->rules++;
	if (!(flags & NF_NAT_RANGE_PROTO_RANDOM_FULLY))
		s->rules_without_fully_random++;
	if (low) {
		s->port_low = low;
		s->port_high = high;
	}
}

static void add_snat_destination(struct tw_facts *f, const char *source, const char *address,
				 uint16_t port, uint32_t entries, uint32_t time_wait)
{
	struct snat_destination *d = &f->nat.snat.top[f->nat.snat.top_count++];

	d->protocol = IPPROTO_TCP;
	d->source.family = d->address.family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, source, d->source.bytes), 1);
	assert_int_equal(inet_pton(AF_INET, address, d->address.bytes), 1);
	d->port = port;
	d->entries = entries;
	d->time_wait = time_wait;
	f->nat.snat.entries += entries;
	f->conntrack.snat += entries;
}

/* A 6.1 Kubernetes-like node: a masquerade rule without fully-random,
 * every source read, conntrack with nothing translated yet. */
static void masquerading(struct tw_facts *f)
{
	quiet_host(f);
	set_sysctl(f, KNOB_IP_FORWARD, "1");
	set_sysctl(f, KNOB_NF_CONNTRACK_TCP_TIMEOUT_TIME_WAIT, "120");
	f->nat.present = 1;
	f->nat.nftables.inspected = f->nat.iptables.inspected = true;
	f->conntrack.loaded = f->conntrack.dump.inspected = true;
	f->nat.snat.tallied = true;
	add_rule(&f->nat.snat, "ip nat/KUBE-POSTROUTING", 0, 0, 0);
}

/* 40000 of 64512 ports toward one API (62.0%), 30000 of them closed */
static void snat_pressed(struct tw_facts *f)
{
	masquerading(f);
	add_snat_destination(f, "198.51.100.1", "203.0.113.7", 443, 40000, 30000);
	add_snat_destination(f, "198.51.100.1", "203.0.113.8", 443, 900, 0);
}

static void snat_pressed_fully_random(struct tw_facts *f)
{
	snat_pressed(f);
	f->nat.snat.rule[0].flags |= NF_NAT_RANGE_PROTO_RANDOM_FULLY;
	f->nat.snat.rules_without_fully_random = 0;
}

/* 40000 open connections: nothing waits in TIME_WAIT */
static void snat_pressed_established(struct tw_facts *f)
{
	masquerading(f);
	add_snat_destination(f, "198.51.100.1", "203.0.113.7", 443, 40000, 0);
}

/* 10000 entries: 15.5% */
static void snat_light(struct tw_facts *f)
{
	masquerading(f);
	add_snat_destination(f, "198.51.100.1", "203.0.113.7", 443, 10000, 8000);
}

/* conntrack failing to insert, measured over a sample */
static void sampled(struct tw_facts *f, double insert_failed, double drop)
{
	f->rates.basis = RATES_SAMPLED;
	f->rates.interval = 10;
	f->rates.valid[CTR_CT_INSERT_FAILED] = f->rates.valid[CTR_CT_DROP] = true;
	f->rates.per_second[CTR_CT_INSERT_FAILED] = insert_failed;
	f->rates.per_second[CTR_CT_DROP] = drop;
	set_counter(f, CTR_CT_INSERT_FAILED, 1234);
	set_counter(f, CTR_CT_DROP, 1300);
}

static void snat_light_failing(struct tw_facts *f)
{
	snat_light(f);
	sampled(f, 2.5, 2.5);
}

/* the table full: drops without insert failures, no NAT at all */
static void table_full_dropping(struct tw_facts *f)
{
	quiet_host(f);
	f->conntrack.loaded = true;
	sampled(f, 0, 40);
}

static void failures_since_boot(struct tw_facts *f)
{
	snat_light(f);
	set_counter(f, CTR_CT_INSERT_FAILED, 5000);
}

/* the test's gateway: ten ports, all taken */
static void snat_ten_ports(struct tw_facts *f)
{
	masquerading(f);
	f->nat.snat.rules = f->nat.snat.rules_without_fully_random = f->nat.snat.rule_count = 0;
	add_rule(&f->nat.snat, "ip twtsnat/out", 0, 20000, 20009);
	add_snat_destination(f, "10.78.2.1", "10.78.2.2", 8080, 10, 0);
}

static const struct verdict snat_verdicts[] = {
	{"SNAT pressure", snat_pressed, .fires = "snat-port-pressure", .severity = SEVERITY_WARNING,
	 .summary =
		 "tcp connections translated to 198.51.100.1 hold 40000 of the 64512 ports source "
		 "NAT may use toward 203.0.113.7:443 (62.0%), 30000 of them closed and kept in "
		 "conntrack TIME_WAIT; at 100% the next connection there is dropped"},
	{"SNAT without fully-random", snat_pressed, .fires = "snat-not-fully-random",
	 .severity = SEVERITY_WARNING,
	 .summary = "ip nat/KUBE-POSTROUTING: masquerade: without fully-random, while SNAT toward "
		    "203.0.113.7:443 holds 62.0% of its ports"},
	{"SNAT ports in conntrack TIME_WAIT", snat_pressed, .fires = "snat-time-wait-timeout",
	 .severity = SEVERITY_WARNING,
	 .settings = {{KNOB_NF_CONNTRACK_TCP_TIMEOUT_TIME_WAIT, "120", "60"}}, .only_these = true,
	 .summary = "30000 of the 40000 SNAT entries toward 203.0.113.7:443 are closed connections "
		    "kept for 120 s: at most 537.6 new connections/s there, 1075.2/s at 60 s"},
	{"SNAT pressure, the findings", snat_pressed,
	 .findings = "snat-not-fully-random snat-port-pressure snat-time-wait-timeout"},
	{"SNAT pressure, fully-random", snat_pressed_fully_random, .fires = "snat-port-pressure",
	 .severity = SEVERITY_WARNING, .silent = {"snat-not-fully-random"}},
	{"SNAT pressure of open connections", snat_pressed_established,
	 .fires = "snat-port-pressure", .severity = SEVERITY_WARNING,
	 .silent = {"snat-time-wait-timeout"}},
	{"SNAT pressure, timeout already 60 s", snat_pressed,
	 .sysctl = {{KNOB_NF_CONNTRACK_TCP_TIMEOUT_TIME_WAIT, "60"}}, .fires = "snat-port-pressure",
	 .severity = SEVERITY_WARNING, .silent = {"snat-time-wait-timeout"}},
	{"SNAT light", snat_light, .count = 0,
	 .silent = {"snat-port-pressure", "snat-not-fully-random"}},
	{"SNAT light, nothing", snat_light, .findings = "(none)"},
	{"SNAT light, insert failures rising", snat_light_failing,
	 .fires = "conntrack-insert-failed", .severity = SEVERITY_CRITICAL,
	 .summary =
		 "conntrack failed to insert 2.50 new connections/s and dropped 2.50 packets/s "
		 "(1234 insert failures, 0 early drops since boot): each is a connection attempt "
		 "lost, retried by its client after 1 s, 3 s, 7 s ..."},
	{"SNAT light, insert failures rising, port selection", snat_light_failing,
	 .fires = "snat-not-fully-random", .severity = SEVERITY_WARNING,
	 .silent = {"snat-port-pressure"}},
	{"conntrack table full", table_full_dropping, .fires = "conntrack-insert-failed",
	 .severity = SEVERITY_CRITICAL, .findings = "conntrack-insert-failed"},
	{"insert failures since boot only", failures_since_boot, .findings = "(none)"},
	{"ten SNAT ports taken", snat_ten_ports, .fires = "snat-port-pressure",
	 .severity = SEVERITY_WARNING,
	 .summary_starts = "tcp connections translated to 10.78.2.1 hold 10 of the 10 ports source "
			   "NAT may use toward 10.78.2.2:8080 (100%)"},
	{"ten SNAT ports, the rule", snat_ten_ports, .fires = "snat-not-fully-random",
	 .severity = SEVERITY_WARNING,
	 .summary_starts = "ip twtsnat/out: masquerade to :20000-20009: without fully-random"},
	/* a host that does not translate decides every rule: none fires */
	{"quiet host", quiet_host, .findings = "(none)"},
};

/* facts_init only, nothing inspected: every SNAT rule decided false */
static void test_nothing_inspected(void **state)
{
	struct fixture *fx = *state;
	struct judgement j;

	judge(&fx->facts, &j);
	for (const char *const *id =
		     (const char *const[]){"conntrack-insert-failed", "snat-port-pressure",
					   "snat-not-fully-random", "snat-time-wait-timeout", NULL};
	     *id; id++)
		assert_silent(&j.findings, *id);
	judgement_free(&j);
}

/* ---- reports */

/* What RENDER printed for the pressed host, whole. */
static char *rendered(struct tw_facts *f, int format)
{
	struct judgement j;
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	assert_non_null(out);
	judge(f, &j);
	if (format == 0)
		print_json(report_check_json(f, &j.findings), out);
	else if (format == 1)
		report_check_text(out, f, &j.findings, false);
	else
		report_check_prometheus(out, f, &j.findings);
	fclose(out);
	judgement_free(&j);
	return text;
}

static void assert_has(const char *text, const char *needle)
{
	if (!strstr(text, needle))
		fail_msg("no \"%s\" in:\n%s", needle, text);
}

static void test_json(void **state)
{
	struct fixture *fx = *state;
	char *text, *where, *ports_from;
	json_t *doc, *top;
	json_int_t count, without, size, entries, port, tw;
	double pressure;
	int present, fully_random, exact;

	snat_pressed(&fx->facts);
	set_counter(&fx->facts, CTR_CT_INSERT_FAILED, 77);
	text = rendered(&fx->facts, 0);
	doc = json_loads(text, 0, NULL);
	assert_non_null(doc);
	assert_int_equal(json_unpack(doc, "{s:{s:b,s:{s:I,s:I,s:[{s:s,s:b}]},s:{s:I,s:s},s:I,s:o}}",
				     "snat", "present", &present, "rules", "count", &count,
				     "without_fully_random", &without, "list", "where", &where,
				     "fully_random", &fully_random, "port_range", "size", &size,
				     "from", &ports_from, "entries", &entries, "top_destinations",
				     &top),
			 0);
	assert_true(present);
	assert_int_equal(count, 1);
	assert_int_equal(without, 1);
	assert_string_equal(where, "ip nat/KUBE-POSTROUTING");
	assert_false(fully_random);
	assert_int_equal(size, 64512);
	assert_string_equal(ports_from, "kernel default");
	assert_int_equal(entries, 40900);
	assert_int_equal(json_array_size(top), 2);
	assert_int_equal(json_unpack(json_array_get(top, 0), "{s:s,s:s,s:I,s:I,s:I,s:F,s:b}",
				     "source", &where, "address", &ports_from, "port", &port,
				     "entries", &entries, "time_wait", &tw, "pressure", &pressure,
				     "exact", &exact),
			 0);
	assert_string_equal(where, "198.51.100.1");
	assert_string_equal(ports_from, "203.0.113.7");
	assert_int_equal(port, 443);
	assert_int_equal(entries, 40000);
	assert_int_equal(tw, 30000);
	assert_near(pressure, 0.62);
	assert_true(exact);
	assert_int_equal(
		json_unpack(doc, "{s:{s:I}}", "counters", "conntrack_insert_failed", &count), 0);
	assert_int_equal(count, 77);
	json_decref(doc);
	free(text);
}

static void test_text(void **state)
{
	struct fixture *fx = *state;
	char *text;

	snat_pressed(&fx->facts);
	sampled(&fx->facts, 2.5, 3);
	text = rendered(&fx->facts, 1);
	assert_has(text, "SNAT       1 masquerade/snat rule, 1 without fully-random\n");
	assert_has(text, "  ip nat/KUBE-POSTROUTING        masquerade\n");
	assert_has(text, "  ports per destination  64512 (1024-65535, the kernel's, no rule sets "
			 "one)\n");
	assert_has(text, "  tcp 198.51.100.1 -> 203.0.113.7:443");
	assert_has(text, "   40000     30000    62.00%\n");
	assert_has(text, "  conntrack failures     insert_failed 1234 (2.5/s), drop 1300 (3.0/s), "
			 "early_drop 0\n");
	assert_has(text, "  conntrack insert_failed            1234            2.5\n");
	free(text);

	/* a host that translates nothing has no SNAT section */
	facts_free(&fx->facts);
	facts_init(&fx->facts);
	quiet_host(&fx->facts);
	fx->facts.nat.nftables.inspected = fx->facts.nat.iptables.inspected = true;
	text = rendered(&fx->facts, 1);
	if (strstr(text, "SNAT "))
		fail_msg("a SNAT section without SNAT:\n%s", text);
	free(text);
}

static void test_prometheus(void **state)
{
	struct fixture *fx = *state;
	char *text;

	snat_pressed(&fx->facts);
	set_counter(&fx->facts, CTR_CT_INSERT_FAILED, 77);
	text = rendered(&fx->facts, 2);
	assert_has(text, "twtune_conntrack_stat_total{stat=\"insert_failed\"} 77\n");
	assert_has(text, "twtune_snat_rules{port_selection=\"other\"} 1\n");
	assert_has(text, "twtune_snat_port_range_ports 64512\n");
	assert_has(text, "twtune_snat_entries 40900\n");
	assert_has(text, "twtune_snat_port_pressure_ratio{protocol=\"tcp\",source=\"198.51.100.1\","
			 "destination=\"203.0.113.7:443\"} 0.62");
	/* conntrack's counters are not TCP's */
	if (strstr(text, "twtune_tcp_stat_total{stat=\"conntrack_"))
		fail_msg("conntrack counters among TCP's:\n%s", text);
	free(text);
}

#define FIXTURE_TEST(fn) cmocka_unit_test_setup_teardown(fn, fixture_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		FIXTURE_TEST(test_nothing_inspected),
		FIXTURE_TEST(test_json),
		FIXTURE_TEST(test_text),
		FIXTURE_TEST(test_prometheus),
	};
	const struct fixture_table tables[] = {
		FIXTURE_TABLE(snat_verdicts, test_verdict, fixture_setup, fixture_teardown),
	};

	return fixture_run(tests, ARRAY_SIZE(tests), tables, ARRAY_SIZE(tables));
}
