/* SPDX-License-Identifier: MIT */
/* How ports are taken and given back, from the facts alone (no /proc, no
 * netlink), so that rules, reports and tests judge the same figures:
 * per destination of the census, whether TIME_WAIT reuse works toward it
 * and how long its ports last at the rate measured; host-wide, how many
 * TIME_WAIT sockets are taken over and how many ports the applications
 * bound themselves. */
#ifndef TWTUNE_PORTUSE_H
#define TWTUNE_PORTUSE_H

#include "inspect/facts.h"

/* Whether connect() can take over TIME_WAIT sockets toward a destination
 * (tcp_twsk_unique(), net/ipv4/tcp_ipv4.c). */
enum reuse_status {
	REUSE_UNKNOWN,		     /* cannot be told from what was read */
	REUSE_ACTIVE,		     /* TWRecycled rising and the destination eligible */
	REUSE_PEER_LACKS_TIMESTAMPS, /* configured for it, its connections carry none */
	REUSE_TIMESTAMPS_OFF,	     /* tcp_timestamps = 0: no reuse anywhere */
	REUSE_NOT_APPLICABLE,	     /* loopback, covered already; or inbound */
	REUSE_OFF,		     /* tcp_tw_reuse 0, or 2 toward a peer not on loopback */
};

/* "active", "configured-but-peer-lacks-timestamps", ... */
const char *reuse_status_name(enum reuse_status s);

enum reuse_status destination_reuse(const struct tw_facts *f, const struct destination_stat *d);

/* The share of D's established sockets that negotiated timestamps, 0-1;
 * negative when unknown (no tcp_info read, or none established). */
double destination_timestamps_share(const struct tw_facts *f, const struct destination_stat *d);

/* D has TIME_WAIT sockets and established ones, none with timestamps:
 * no reuse can ever take its TIME_WAIT over. */
bool destination_lacks_timestamps(const struct tw_facts *f, const struct destination_stat *d);

/* Connections entering TIME_WAIT per second, host-wide: TcpExt TW +
 * TWKilled, which count them on entry since Linux 5.18; before, on
 * expiry, and then TWRecycled (taken over, never expired) is added: as
 * many leave as enter while the load holds steady. Negative without rates
 * (--sample, or the previous run's counters). */
double time_wait_close_rate(const struct tw_facts *f);

/* TWRecycled over that rate: the share of TIME_WAIT sockets that a new
 * connection took over; negative when unknown or nothing closed. */
double recycled_share(const struct tw_facts *f);

/* How long the ephemeral range lasts toward one destination, without
 * reuse, at the rate measured: from D's TIME_WAIT timers when the census
 * read them, else from the sampled counters. */
enum forecast_basis {
	/* D's own closes over the last 10 s, and each TIME_WAIT port given
	 * back when its timer runs out */
	FORECAST_TIMERS,
	/* the host's sampled closes split by D's share of TIME_WAIT, given
	 * back evenly over 60 s */
	FORECAST_COUNTERS,
};

struct destination_forecast {
	bool known; /* a range, a census, and D's timers or rates to judge by */
	enum forecast_basis basis;
	double close_rate;	      /* per second, as BASIS says */
	double sustainable_rate;      /* range size / 60 s */
	double headroom;	      /* sustainable - close rate; negative: over */
	bool exhausts;		      /* at this rate the range runs out toward D */
	double seconds_to_exhaustion; /* then, from now (0: already) */
};

void destination_forecast(const struct tw_facts *f, const struct destination_stat *d,
			  struct destination_forecast *out);

/* Whether the listed destinations have forecasts: a census, a range, and
 * the timers or rates. */
bool destination_forecasts_known(const struct tw_facts *f);

/* Outbound sockets holding a port the application chose with bind(): those
 * outside the ephemeral range (connect() and bind(0) never pick one), and,
 * on 4.6+ while no destination holds half the range (connect() would then
 * spill over), those on the parity bind(0) prefers. A lower bound of the
 * sockets bound before connect(): a bind() to a chosen port of connect()'s
 * parity looks like connect()'s own. 0 without a census or a range. */
uint64_t outbound_bound_sockets(const struct tw_facts *f);

#endif
