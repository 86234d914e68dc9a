/* SPDX-License-Identifier: MIT */
/* classify_host and the port-pressure figures, on hand-filled facts. */
#include <math.h>
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
#include "inspect/classify.h"

#define assert_contains(haystack, needle)                                                          \
	do {                                                                                       \
		if (!strstr((haystack), (needle)))                                                 \
			fail_msg("\"%s\" does not mention \"%s\"", (haystack), (needle));          \
	} while (0)

static void sampled(struct tw_facts *f, double active, double passive, double interval)
{
	f->rates.basis = RATES_SAMPLED;
	f->rates.interval = interval;
	f->rates.valid[CTR_ACTIVE_OPENS] = true;
	f->rates.valid[CTR_PASSIVE_OPENS] = true;
	f->rates.per_second[CTR_ACTIVE_OPENS] = active;
	f->rates.per_second[CTR_PASSIVE_OPENS] = passive;
}

static void with_census(struct tw_facts *f, uint64_t outbound, uint64_t inbound)
{
	f->census.available = true;
	f->census.time_wait_outbound = outbound;
	f->census.time_wait_inbound = inbound;
	f->census.states[TCP_STATE_TIME_WAIT] = outbound + inbound;
}

static void with_range(struct tw_facts *f, unsigned low, unsigned high)
{
	f->port_range_known = true;
	f->port_low = low;
	f->port_high = high;
}

static enum host_class classify_sampled(double active, double passive)
{
	struct tw_facts f;

	facts_init(&f);
	sampled(&f, active, passive, 10);
	classify_host(&f);
	assert_string_equal(f.classification.basis, "opens_rate");
	assert_near(f.classification.outbound, active);
	assert_near(f.classification.inbound, passive);
	return f.classification.verdict;
}

static void test_sampled_thresholds(void **state)
{
	(void)state;
	assert_int_equal(classify_sampled(75, 25), HOST_OUTBOUND_HEAVY);
	assert_int_equal(classify_sampled(300, 0), HOST_OUTBOUND_HEAVY);
	assert_int_equal(classify_sampled(74, 26), HOST_MIXED);
	assert_int_equal(classify_sampled(50, 50), HOST_MIXED);
	assert_int_equal(classify_sampled(26, 74), HOST_MIXED);
	assert_int_equal(classify_sampled(25, 75), HOST_INBOUND_HEAVY);
	assert_int_equal(classify_sampled(0, 120), HOST_INBOUND_HEAVY);
}

static void test_sampled_idle(void **state)
{
	(void)state;
	assert_int_equal(classify_sampled(0.4, 0.5), HOST_IDLE);
	assert_int_equal(classify_sampled(0, 0), HOST_IDLE);
	/* one connection a second is no longer idle */
	assert_int_equal(classify_sampled(1.0, 0), HOST_OUTBOUND_HEAVY);
	assert_int_equal(classify_sampled(0.5, 0.5), HOST_MIXED);
}

static void test_sampled_evidence(void **state)
{
	struct tw_facts f;

	(void)state;
	facts_init(&f);
	sampled(&f, 90, 10, 5);
	classify_host(&f);
	assert_int_equal(f.classification.verdict, HOST_OUTBOUND_HEAVY);
	assert_near(f.classification.outbound_share, 0.9);
	assert_contains(f.classification.evidence, "ActiveOpens 90.0/s");
	assert_contains(f.classification.evidence, "PassiveOpens 10.0/s");
	assert_contains(f.classification.evidence, "5.0 s");
	assert_contains(f.classification.evidence, "90% outbound");
	assert_string_equal(host_class_name(f.classification.verdict), "outbound-heavy");
}

static void test_census_basis(void **state)
{
	struct tw_facts f;

	(void)state;
	facts_init(&f);
	with_census(&f, 600, 60);
	classify_host(&f);
	assert_string_equal(f.classification.basis, "time_wait");
	/* every TIME_WAIT socket is a close within the last 60 s */
	assert_near(f.classification.outbound, 10.0);
	assert_near(f.classification.inbound, 1.0);
	assert_int_equal(f.classification.verdict, HOST_OUTBOUND_HEAVY);
	assert_contains(f.classification.evidence, "TIME_WAIT outbound 600, inbound 60");
	assert_contains(f.classification.evidence, "10.0 and 1.0 closes/s");
	assert_contains(f.classification.evidence, "91% outbound");
}

static void test_census_verdicts(void **state)
{
	struct tw_facts f;

	(void)state;
	facts_init(&f);
	with_census(&f, 30, 1200);
	classify_host(&f);
	assert_int_equal(f.classification.verdict, HOST_INBOUND_HEAVY);

	facts_init(&f);
	with_census(&f, 600, 600);
	classify_host(&f);
	assert_int_equal(f.classification.verdict, HOST_MIXED);

	/* 50 closes in a minute: under one a second */
	facts_init(&f);
	with_census(&f, 50, 0);
	classify_host(&f);
	assert_int_equal(f.classification.verdict, HOST_IDLE);
}

static void test_unusable_sample_falls_back_to_census(void **state)
{
	struct tw_facts f;

	(void)state;
	facts_init(&f);
	sampled(&f, 100, 0, 10);
	f.rates.valid[CTR_PASSIVE_OPENS] = false; /* went backwards */
	with_census(&f, 0, 1200);
	classify_host(&f);
	assert_string_equal(f.classification.basis, "time_wait");
	assert_int_equal(f.classification.verdict, HOST_INBOUND_HEAVY);
}

static void test_pressure_is_never_idle(void **state)
{
	struct tw_facts f;

	(void)state;
	facts_init(&f);
	with_range(&f, 32768, 60999); /* 28232 ports */
	with_census(&f, 10, 0);	      /* a sixth of a close per second */
	f.census.worst_tuple_ports = 20000;
	classify_host(&f);
	assert_int_not_equal(f.classification.verdict, HOST_IDLE);
	assert_int_equal(f.classification.verdict, HOST_OUTBOUND_HEAVY);
	assert_contains(f.classification.evidence, "not idle: 71% of the port range");

	/* exactly half the range is pressure enough */
	facts_init(&f);
	with_range(&f, 32768, 60999);
	with_census(&f, 0, 0);
	f.census.worst_tuple_ports = 14116;
	classify_host(&f);
	assert_int_not_equal(f.classification.verdict, HOST_IDLE);
	assert_contains(f.classification.evidence, "not idle: 50%");

	/* just under half is not */
	f.census.worst_tuple_ports = 14115;
	classify_host(&f);
	assert_int_equal(f.classification.verdict, HOST_IDLE);
	assert_null(strstr(f.classification.evidence, "not idle"));
}

static void test_nothing_to_judge(void **state)
{
	struct tw_facts f;

	(void)state;
	facts_init(&f);
	f.classification.verdict = HOST_MIXED; /* left over from before */
	classify_host(&f);
	assert_int_equal(f.classification.verdict, HOST_UNKNOWN);
	assert_string_equal(f.classification.basis, "none");
	assert_contains(f.classification.evidence, "no socket census");
	assert_string_equal(host_class_name(HOST_UNKNOWN), "unknown");
}

static void test_connect_pressure(void **state)
{
	struct tw_facts f;

	(void)state;
	facts_init(&f);
	with_census(&f, 0, 0);
	f.census.worst_tuple_ports = 7058;
	/* range unknown: no figure */
	assert_near(connect_pressure(&f), -1);
	with_range(&f, 32768, 60999);
	assert_near(connect_pressure(&f), 0.25);
	with_range(&f, 40000, 40099);
	f.census.worst_tuple_ports = 100;
	assert_near(connect_pressure(&f), 1.0);
	/* no census: no figure either */
	f.census.available = false;
	assert_near(connect_pressure(&f), -1);
}

static void test_bind_pressure(void **state)
{
	struct tw_facts f;

	(void)state;
	facts_init(&f);
	with_census(&f, 0, 0);
	f.census.local_ports_in_use = 14116;
	assert_near(bind_pressure(&f), -1);
	with_range(&f, 32768, 60999);
	assert_near(bind_pressure(&f), 0.5);
	f.census.local_ports_in_use = 0;
	assert_near(bind_pressure(&f), 0);
	/* a range the kernel would refuse is no range */
	with_range(&f, 60999, 32768);
	assert_near(bind_pressure(&f), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sampled_thresholds),
		cmocka_unit_test(test_sampled_idle),
		cmocka_unit_test(test_sampled_evidence),
		cmocka_unit_test(test_census_basis),
		cmocka_unit_test(test_census_verdicts),
		cmocka_unit_test(test_unusable_sample_falls_back_to_census),
		cmocka_unit_test(test_pressure_is_never_idle),
		cmocka_unit_test(test_nothing_to_judge),
		cmocka_unit_test(test_connect_pressure),
		cmocka_unit_test(test_bind_pressure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
