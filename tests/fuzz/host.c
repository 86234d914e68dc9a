/* SPDX-License-Identifier: MIT */
#include "host.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "inspect/census.h"
#include "inspect/classify.h"
#include "inspect/kernel.h"
#include "inspect/tw_history.h"

static struct tw_facts host;
static bool made;

static void set(enum knob_id key, const char *text)
{
	char err[256];

	if (facts_set_sysctl(&host, key, text, err, sizeof(err)) < 0)
		abort();
}

static struct tw_addr ipv4(const char *text)
{
	struct tw_addr a = {.family = AF_INET};

	if (inet_pton(AF_INET, text, a.bytes) != 1)
		abort();
	return a;
}

/* 200 outbound TIME_WAIT toward 10.0.0.5:5432 and 50 inbound on a
 * listener at 8080, as twstorm makes them in tests/data/proc-client-6.1,
 * with timers spread over the last minute so the history is known. */
static void census(void)
{
	struct tw_addr local = ipv4("10.0.0.2"), db = ipv4("10.0.0.5"), peer = ipv4("10.0.1.9");
	struct census_builder b;

	if (census_begin(&b, &host) < 0)
		abort();
	census_add_listener(&b, 8080);
	census_add_listener(&b, 40000); /* inside the ephemeral range */
	for (unsigned i = 0; i < 200; i++)
		census_add_socket_timer(&b, TCP_STATE_TIME_WAIT, &local, (uint16_t)(33000 + i), &db,
					5432, -1, 60000 - 290 * (int64_t)i);
	for (unsigned i = 0; i < 50; i++)
		census_add_socket_timer(&b, TCP_STATE_TIME_WAIT, &local, 8080, &peer,
					(uint16_t)(50000 + i), -1, 60000 - 1000 * (int64_t)i);
	if (census_finish(&b) < 0)
		abort();
	host.census.available = true;
}

const struct tw_facts *fuzz_host(void)
{
	if (made)
		return &host;
	facts_init(&host);
	snprintf(host.release, sizeof(host.release), "6.1.0-28-amd64");
	host.release_known = kernel_version_parse(host.release, &host.version) == 0;
	host.version_known = host.release_known;
	set(KNOB_TCP_TW_REUSE, "2");
	set(KNOB_IP_LOCAL_PORT_RANGE, "32768\t60999");
	set(KNOB_TCP_MAX_TW_BUCKETS, "262144");
	set(KNOB_TCP_FIN_TIMEOUT, "60");
	set(KNOB_TCP_TIMESTAMPS, "1");
	set(KNOB_IP_LOCAL_RESERVED_PORTS, "8080,40000-40010");
	set(KNOB_IP_UNPRIVILEGED_PORT_START, "1024");
	set(KNOB_IP_FORWARD, "0");
	census();
	for (int id = 0; id < CTR_COUNT; id++) {
		host.counters[id].present = true;
		host.counters[id].value = 1000u * (unsigned)(id + 1);
	}
	/* sampled over 10 s: 40 entered TIME_WAIT, 5 taken over */
	host.rates.basis = RATES_SAMPLED;
	host.rates.interval = 10;
	host.rates.valid[CTR_TW] = host.rates.valid[CTR_TW_RECYCLED] = true;
	host.rates.per_second[CTR_TW] = 4;
	host.rates.per_second[CTR_TW_RECYCLED] = 0.5;
	tw_history_check_counters(&host);
	classify_host(&host);
	made = true;
	return &host;
}
