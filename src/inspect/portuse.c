/* SPDX-License-Identifier: MIT */
#include "inspect/portuse.h"

#include "inspect/classify.h"

static const char *const status_names[] = {
	[REUSE_UNKNOWN] = "unknown",
	[REUSE_ACTIVE] = "active",
	[REUSE_PEER_LACKS_TIMESTAMPS] = "configured-but-peer-lacks-timestamps",
	[REUSE_TIMESTAMPS_OFF] = "timestamps-off",
	[REUSE_NOT_APPLICABLE] = "not-applicable",
	[REUSE_OFF] = "off",
};

const char *reuse_status_name(enum reuse_status s)
{
	return (unsigned)s < sizeof(status_names) / sizeof(status_names[0]) ? status_names[s]
									    : "unknown";
}

double destination_timestamps_share(const struct tw_facts *f, const struct destination_stat *d)
{
	uint64_t with = d->established_with_timestamps, without = d->established_without_timestamps;

	if (!f->census.available || !f->census.tcp_info || with + without == 0)
		return -1;
	return (double)with / (double)(with + without);
}

bool destination_lacks_timestamps(const struct tw_facts *f, const struct destination_stat *d)
{
	return d->time_wait > 0 && destination_timestamps_share(f, d) == 0;
}

static bool recycling(const struct tw_facts *f)
{
	return f->rates.valid[CTR_TW_RECYCLED] && f->rates.per_second[CTR_TW_RECYCLED] > 0;
}

/* The order matters: timestamps off disables every mode (mode 2 and
 * bind() before connect() included); then whether tcp_tw_reuse covers the
 * destination at all (mode 2: 127/8, ::1 and mapped 127/8 only, as
 * addr_is_loopback says); then whether its connections could ever leave a
 * TIME_WAIT socket with a peer timestamp; only then what the counters
 * show. TWRecycled is host-wide: it says reuse works somewhere, and this
 * destination is eligible. Loopback that mode 1 or 2 covers needs no
 * advice, whether or not reuse was seen. */
enum reuse_status destination_reuse(const struct tw_facts *f, const struct destination_stat *d)
{
	bool loopback = addr_is_loopback(&d->address);
	long timestamps, reuse;

	if (!facts_int(f, KNOB_TCP_TIMESTAMPS, &timestamps))
		return REUSE_UNKNOWN;
	if (timestamps == 0)
		return REUSE_TIMESTAMPS_OFF;
	if (!facts_int(f, KNOB_TCP_TW_REUSE, &reuse))
		return REUSE_UNKNOWN;
	if (reuse != 1 && !(reuse == 2 && loopback))
		return REUSE_OFF;
	if (destination_timestamps_share(f, d) == 0)
		return REUSE_PEER_LACKS_TIMESTAMPS;
	if (recycling(f))
		return REUSE_ACTIVE;
	return loopback ? REUSE_NOT_APPLICABLE : REUSE_UNKNOWN;
}

/* Since Linux 5.18 ("tcp/dccp: no longer use twsk_net(tw) from
 * tw_timer_handler()") TW and TWKilled count a socket when it enters
 * TIME_WAIT (__inet_twsk_schedule()), a socket later taken over
 * included. Before, they counted it when its timer fired, and one taken
 * over never got there: as many enter as leave by all three ways while
 * the load holds steady. An unknown kernel is taken for a recent one. */
double time_wait_close_rate(const struct tw_facts *f)
{
	const struct tw_rates *r = &f->rates;
	double sum;

	if (!r->valid[CTR_TW])
		return -1;
	sum = r->per_second[CTR_TW];
	if (r->valid[CTR_TW_KILLED])
		sum += r->per_second[CTR_TW_KILLED];
	if (f->version_known && kernel_version_code(&f->version) < KERNEL_VERSION_CODE(5, 18, 0) &&
	    r->valid[CTR_TW_RECYCLED])
		sum += r->per_second[CTR_TW_RECYCLED];
	return sum;
}

double recycled_share(const struct tw_facts *f)
{
	double closes = time_wait_close_rate(f);

	if (closes <= 0 || !f->rates.valid[CTR_TW_RECYCLED])
		return -1;
	return f->rates.per_second[CTR_TW_RECYCLED] / closes;
}

/* The ports the worst (local address, D) holds over the next 60 s, second
 * by second, from D's timers: new connections take ports at D's rate of
 * the last 10 s; the TIME_WAIT sockets that entered it A seconds ago give
 * theirs back 60 - A seconds from now (their timers say when, to the
 * second); every other port held stays held. TUPLE is the worst local
 * address's share of D's ports. Returns when the range is reached (0:
 * already), or -1 when it is not within 60 s: by then every TIME_WAIT
 * port held is one taken at this rate, so the level reached is the one it
 * keeps. */
static double timers_exhaustion(const struct destination_stat *d, double range, double tuple)
{
	double held = d->max_from_one_local, growth = tuple * d->history.rate_10s;

	if (held >= range)
		return 0;
	for (unsigned t = 1; t <= TIME_WAIT_SECONDS; t++) {
		/* within second t the new ports come before the expiries of
		 * its end: the earliest the range can be reached */
		if (growth > 0 && held + growth >= range)
			return t - 1 + (range - held) / growth;
		held += growth - tuple * d->history.seconds[TW_HISTORY_SECONDS - t];
	}
	return -1;
}

/* The same from the host's sampled closes: a fluid model of one (local
 * address, destination) whose TIME_WAIT ports are given back evenly over
 * 60 s, as they would be if the last minute's closes were even. At or
 * below size / 60 per second the ports held level off below the range.
 * Above it, they grow by the rate less what expires, and reach the range
 * within 60 s at the latest. */
static double counters_exhaustion(const struct destination_stat *d, double range, double tuple,
				  double close_rate)
{
	double expiring, growth;

	if (d->max_from_one_local >= range)
		return 0;
	expiring = tuple * d->time_wait / TIME_WAIT_SECONDS;
	growth = tuple * close_rate - expiring;
	if (growth > 0 && (range - d->max_from_one_local) / growth < TIME_WAIT_SECONDS)
		return (range - d->max_from_one_local) / growth;
	return TIME_WAIT_SECONDS;
}

bool destination_forecasts_known(const struct tw_facts *f)
{
	return f->census.available && port_range_size(f) &&
	       (f->census.history_known || time_wait_close_rate(f) >= 0);
}

void destination_forecast(const struct tw_facts *f, const struct destination_stat *d,
			  struct destination_forecast *out)
{
	const struct tw_census *c = &f->census;
	double closes = time_wait_close_rate(f), range = port_range_size(f);
	double tuple = 1, seconds;

	*out = (struct destination_forecast){0};
	if (range == 0 || !c->available || (!d->history_known && closes < 0))
		return;
	out->known = true;
	out->sustainable_rate = range / TIME_WAIT_SECONDS;
	/* the tuple that runs out first: its share of the destination */
	if (d->ports_in_use)
		tuple = (double)d->max_from_one_local / d->ports_in_use;
	if (d->history_known) {
		out->basis = FORECAST_TIMERS;
		out->close_rate = d->history.rate_10s;
		out->headroom = out->sustainable_rate - out->close_rate;
		/* the timers say exactly when ports come back: the range can
		 * run out within the minute even at a sustainable rate, when
		 * the ports held now were all taken lately */
		seconds = timers_exhaustion(d, range, tuple);
		out->exhausts = seconds >= 0;
		out->seconds_to_exhaustion = out->exhausts ? seconds : 0;
		return;
	}
	out->basis = FORECAST_COUNTERS;
	out->close_rate = c->states[TCP_STATE_TIME_WAIT]
				  ? closes * d->time_wait / (double)c->states[TCP_STATE_TIME_WAIT]
				  : 0;
	out->headroom = out->sustainable_rate - out->close_rate;
	if (out->headroom >= 0)
		return;
	out->exhausts = true;
	out->seconds_to_exhaustion = counters_exhaustion(d, range, tuple, out->close_rate);
}

uint64_t outbound_bound_sockets(const struct tw_facts *f)
{
	const struct tw_census *c = &f->census;
	uint64_t bound;

	if (!c->available || !f->port_range_known)
		return 0;
	bound = c->outbound_outside_range;
	/* Linux 4.6, "tcp/dccp: try to not exhaust ip_local_port_range in
	 * connect()": before it both searched the whole range alike */
	if (f->version_known && kernel_version_code(&f->version) >= KERNEL_VERSION_CODE(4, 6, 0) &&
	    connect_pressure(f) < 0.5)
		bound += c->outbound_bind_parity;
	return bound;
}
