/* SPDX-License-Identifier: MIT */
#include "inspect/classify.h"

#include <stdio.h>
#include <string.h>

double connect_pressure(const struct tw_facts *f)
{
	unsigned size = port_range_size(f);

	if (!f->census.available || size == 0)
		return -1;
	return (double)f->census.worst_tuple_ports / size;
}

double bind_pressure(const struct tw_facts *f)
{
	unsigned size = port_range_size(f);

	if (!f->census.available || size == 0)
		return -1;
	return (double)f->census.local_ports_in_use / size;
}

void classify_host(struct tw_facts *f)
{
	struct classification *c = &f->classification;
	const struct tw_rates *r = &f->rates;
	double total, pressure = connect_pressure(f);

	c->verdict = HOST_UNKNOWN;
	if (r->basis == RATES_SAMPLED && r->valid[CTR_ACTIVE_OPENS] &&
	    r->valid[CTR_PASSIVE_OPENS]) {
		/* Opens over an interval are the direct measure of who starts
		 * connections; ActiveOpens counts failed connect()s too, which
		 * is right here: a host short of ports still tries. */
		c->basis = "opens_rate";
		c->outbound = r->per_second[CTR_ACTIVE_OPENS];
		c->inbound = r->per_second[CTR_PASSIVE_OPENS];
	} else if (f->census.available && f->census.history_known) {
		/* The TIME_WAIT timers date each close: the last 10 s are the
		 * churn now, not the minute's average. */
		c->basis = "time_wait_history";
		c->outbound = f->census.history_outbound.rate_10s;
		c->inbound = f->census.history_inbound.rate_10s;
	} else if (f->census.available) {
		/* Every TIME_WAIT socket is a close of the last 60 s by the side
		 * that closed first: a window onto the recent churn. */
		c->basis = "time_wait";
		c->outbound = (double)f->census.time_wait_outbound / TIME_WAIT_SECONDS;
		c->inbound = (double)f->census.time_wait_inbound / TIME_WAIT_SECONDS;
	} else {
		c->basis = "none";
		snprintf(c->evidence, sizeof(c->evidence),
			 "no socket census and no sampled counters to judge by");
		return;
	}
	total = c->outbound + c->inbound;
	c->outbound_share = total > 0 ? c->outbound / total : 0;

	if (total < CLASSIFY_IDLE_RATE && pressure < CLASSIFY_BUSY_PRESSURE)
		c->verdict = HOST_IDLE;
	else if (total > 0 && c->outbound_share >= CLASSIFY_HEAVY_SHARE)
		c->verdict = HOST_OUTBOUND_HEAVY;
	else if (total > 0 && c->outbound_share <= 1 - CLASSIFY_HEAVY_SHARE)
		c->verdict = HOST_INBOUND_HEAVY;
	else if (total > 0)
		c->verdict = HOST_MIXED;
	else
		c->verdict = HOST_OUTBOUND_HEAVY; /* under pressure, no closes yet */

	if (c->basis[0] == 'o')
		snprintf(c->evidence, sizeof(c->evidence),
			 "ActiveOpens %.1f/s, PassiveOpens %.1f/s over %.1f s (%.0f%% outbound)",
			 c->outbound, c->inbound, r->interval, 100 * c->outbound_share);
	else if (strcmp(c->basis, "time_wait_history") == 0)
		snprintf(c->evidence, sizeof(c->evidence),
			 "closes from the TIME_WAIT timers: %.1f/s outbound, %.1f/s inbound over "
			 "the last %d s (%.0f%% outbound; %s)",
			 c->outbound, c->inbound, TW_HISTORY_RECENT, 100 * c->outbound_share,
			 tw_trend_name(f->census.history_outbound.trend));
	else
		snprintf(c->evidence, sizeof(c->evidence),
			 "TIME_WAIT outbound %llu, inbound %llu: about %.1f and %.1f closes/s "
			 "over the last %d s (%.0f%% outbound)",
			 (unsigned long long)f->census.time_wait_outbound,
			 (unsigned long long)f->census.time_wait_inbound, c->outbound, c->inbound,
			 TIME_WAIT_SECONDS, 100 * c->outbound_share);
	if (total < CLASSIFY_IDLE_RATE && pressure >= CLASSIFY_BUSY_PRESSURE) {
		size_t n = strlen(c->evidence);
		snprintf(c->evidence + n, sizeof(c->evidence) - n,
			 "; not idle: %.0f%% of the port range in use toward one destination",
			 100 * pressure);
	}
}
