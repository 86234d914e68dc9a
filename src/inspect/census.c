/* SPDX-License-Identifier: MIT */
#include "inspect/census.h"

#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/hashtable.h"
#include "inspect/tw_history.h"

/* The third pass's table of (local address, destination): only the few
 * destinations recounted go there, each from a few local addresses. */
#define RECOUNT_TUPLES_INITIAL 64u
#define RECOUNT_TUPLES_MAX (1u << 16)

struct dest_key {
	uint8_t family;
	uint8_t pad;
	uint16_t port;
	uint8_t addr[16];
};

/* Seconds of closes a destination's entry holds itself. */
#define DEST_AGES 4

/* A tracked destination. Its figures count its sockets since it entered
 * the table (all of them when its Space-Saving error is 0). */
struct dest_entry {
	struct dest_key key; /* first: the table compares the key's bytes */
	uint32_t time_wait;
	uint32_t ports_in_use;
	uint32_t max_from_one_local;
	uint32_t established_ts, established_no_ts; /* by tcp_info, when read */
	uint8_t max_local[16];			    /* the local address that has it */
	struct {
		uint8_t addr[16];
		uint32_t ports;
	} locals[CENSUS_LOCALS];
	uint8_t local_count;
	bool recount;		/* counted again in the third pass */
	bool recounted;		/* ... and exact now */
	bool tuples_incomplete; /* the third pass's tuple table was full */
	/* its minute: up to DEST_AGES seconds held here (age + 1, 0: free)
	 * with their closes; past that, or past a count these hold, its slot
	 * of census_builder.dest_history. Most destinations met among too
	 * many to track lose their entry before they close in that many
	 * seconds, and never touch the table. */
	uint8_t ages[DEST_AGES];
	uint16_t age_closes[DEST_AGES];
	bool history_started;
	uint32_t other_locals; /* sockets from local addresses beyond LOCALS */
};

struct tuple_key {
	struct dest_key remote;
	uint8_t local[16];
};

struct tuple_entry {
	struct tuple_key key;
	uint32_t ports; /* sockets from distinct local ports: each holds one */
};

/* What a pass counts of one socket beside its addresses. */
struct socket_seen {
	unsigned state;
	int timestamps;	      /* 1 or 0 from tcp_info; -1 not known */
	int64_t remaining_ms; /* a TIME_WAIT socket's timer; -1 not known */
};

int census_begin(struct census_builder *b, struct tw_facts *f)
{
	memset(b, 0, sizeof(*b));
	memset(&f->census, 0, sizeof(f->census));
	b->out = &f->census;
	b->range_known = f->port_range_known;
	b->port_low = f->port_low;
	b->port_high = f->port_high;
	b->reserved = f->reserved_ports;
	distinct_init(&b->distinct);
	if (hh_init(&b->dests, sizeof(struct dest_entry), sizeof(struct dest_key), CENSUS_TRACKED) <
	    0) {
		census_discard(b);
		return -ENOMEM;
	}
	return 0;
}

void census_discard(struct census_builder *b)
{
	free(b->dest_history);
	b->dest_history = NULL;
	hh_free(&b->dests);
	hashtable_free(&b->recount_tuples);
	free(b->inbound_by_port);
	b->inbound_by_port = NULL;
}

static bool in_ephemeral_range(const struct census_builder *b, unsigned port)
{
	/* Without a known range every client port counts: better a figure
	 * over every port than none. */
	return !b->range_known || (port >= b->port_low && port <= b->port_high);
}

void census_add_listener(struct census_builder *b, uint16_t port)
{
	struct tw_census *c = b->out;

	c->total++;
	c->states[TCP_STATE_LISTEN]++;
	if (!port_bit(b->listening, port)) {
		port_set(b->listening, port);
		c->listening_ports++;
	}
	if (in_ephemeral_range(b, port) && b->range_known && !port_bit(b->local_in_use, port)) {
		port_set(b->local_in_use, port);
		c->local_ports_in_use++;
	}
}

static void count_inbound(struct census_builder *b, uint16_t port)
{
	if (!b->inbound_by_port && !(b->inbound_by_port = calloc(65536, sizeof(uint32_t))))
		return; /* the per-port ranking is a nicety; the totals stand */
	b->inbound_by_port[port]++;
}

static void key_addr(uint8_t *dst, const struct tw_addr *a)
{
	memset(dst, 0, 16);
	memcpy(dst, a->bytes, a->family == AF_INET ? 4 : 16);
}

static void note_local_ports(struct dest_entry *d, const uint8_t *local, uint32_t ports)
{
	if (ports > d->max_from_one_local) {
		d->max_from_one_local = ports;
		memcpy(d->max_local, local, 16);
	}
}

/* An established socket toward D whose tcp_info said whether timestamps
 * were negotiated (TIMESTAMPS 1 or 0; -1: not known, not counted). */
static void count_timestamps(struct dest_entry *d, unsigned state, int timestamps)
{
	if (state != TCP_STATE_ESTABLISHED || timestamps < 0)
		return;
	if (timestamps)
		d->established_ts++;
	else
		d->established_no_ts++;
}

/* D's last minute of closes once its entry's own seconds are not enough:
 * its slot of the table, taken over (zeroed, then given the entry's
 * seconds) when D entered the table after another destination had it.
 * NULL when the table could not be had: the host's history stands, D's is
 * left out. The table is allocated whole at the first need, its pages
 * touched only by the destinations that spill into it. */
static uint32_t *dest_history(struct census_builder *b, struct dest_entry *d)
{
	uint32_t *slot;

	if (!b->dest_history &&
	    !(b->dest_history = calloc(CENSUS_TRACKED, sizeof(*b->dest_history)))) {
		b->dest_history_lost = true;
		return NULL;
	}
	/* hh_number()'s division, by a constant here */
	slot = b->dest_history[((uint8_t *)d - b->dests.entries) / sizeof(*d)];
	if (!d->history_started) {
		memset(slot, 0, sizeof(*b->dest_history));
		for (unsigned i = 0; i < DEST_AGES && d->ages[i]; i++)
			slot[d->ages[i] - 1] = d->age_closes[i];
		d->history_started = true;
	}
	return slot;
}

/* One close AGE seconds ago toward D: in the entry's own seconds while
 * they hold it, else in its slot of the table. */
static void count_close(struct census_builder *b, struct dest_entry *d, unsigned age)
{
	uint32_t *history;
	unsigned i;

	if (!d->history_started) {
		for (i = 0; i < DEST_AGES && d->ages[i] && d->ages[i] != age + 1; i++)
			;
		if (i < DEST_AGES && d->age_closes[i] < UINT16_MAX) {
			d->ages[i] = (uint8_t)(age + 1);
			d->age_closes[i]++;
			return;
		}
	}
	if ((history = dest_history(b, d)))
		history[age]++;
}

/* What every pass counts of a socket toward D: its TIME_WAIT (with the
 * second it entered it, when REMAINING_MS is known), its timestamps, and
 * a port in use when its local port is in the range. Whether the caller
 * goes on to count the port per local address. */
static bool count_socket(struct census_builder *b, struct dest_entry *d,
			 const struct socket_seen *s, bool in_range)
{
	if (s->state == TCP_STATE_TIME_WAIT) {
		d->time_wait++;
		if (s->remaining_ms >= 0)
			count_close(b, d, tw_history_age((uint64_t)s->remaining_ms));
	}
	count_timestamps(d, s->state, s->timestamps);
	if (!in_range)
		return false;
	d->ports_in_use++;
	return true;
}

static void count_destination(struct census_builder *b, const struct socket_seen *s,
			      const struct tuple_key *tk, bool in_range)
{
	uint64_t hash = hash64_bytes(&tk->remote, sizeof(tk->remote));
	struct dest_entry *d;
	unsigned i;

	distinct_add_hash(&b->distinct, hash);
	d = hh_add(&b->dests, &tk->remote, hash);
	if (!count_socket(b, d, s, in_range))
		return;
	for (i = 0; i < d->local_count; i++)
		if (memcmp(d->locals[i].addr, tk->local, 16) == 0)
			break;
	if (i == d->local_count) {
		if (i == CENSUS_LOCALS) {
			d->other_locals++;
			return;
		}
		memcpy(d->locals[i].addr, tk->local, 16);
		d->local_count++;
	}
	note_local_ports(d, tk->local, ++d->locals[i].ports);
}

/* Pass 3: the same socket, counted only toward a destination recounted. */
static void recount_destination(struct census_builder *b, const struct socket_seen *s,
				const struct tuple_key *tk, bool in_range)
{
	struct dest_entry *d =
		hh_find(&b->dests, &tk->remote, hash64_bytes(&tk->remote, sizeof(tk->remote)));
	struct tuple_entry *t;

	if (!d || !d->recount || !count_socket(b, d, s, in_range))
		return;
	if (!(t = hashtable_get(&b->recount_tuples, tk))) {
		d->tuples_incomplete = true;
		return;
	}
	note_local_ports(d, tk->local, ++t->ports);
}

/* An outbound socket's local port: one outside the range was bound by
 * the application itself; one inside it on bind(0)'s parity (the other
 * half since 4.6: __inet_hash_connect() starts from an offset of the low
 * end's parity, inet_csk_find_open_port() from an odd one) most likely
 * by bind() too, unless connect() spilled over, which needs half the
 * range toward one destination. */
static void count_outbound_port(struct census_builder *b, uint16_t local_port, bool in_range)
{
	if (!b->range_known)
		return;
	if (!in_range)
		b->out->outbound_outside_range++;
	else if (in_range && ((local_port - b->port_low) & 1u))
		b->out->outbound_bind_parity++;
}

void census_add_socket(struct census_builder *b, unsigned state, const struct tw_addr *local,
		       uint16_t local_port, const struct tw_addr *remote, uint16_t remote_port)
{
	census_add_socket_timer(b, state, local, local_port, remote, remote_port, -1, -1);
}

void census_add_socket_info(struct census_builder *b, unsigned state, const struct tw_addr *local,
			    uint16_t local_port, const struct tw_addr *remote, uint16_t remote_port,
			    int timestamps)
{
	census_add_socket_timer(b, state, local, local_port, remote, remote_port, timestamps, -1);
}

void census_add_socket_timer(struct census_builder *b, unsigned state, const struct tw_addr *local,
			     uint16_t local_port, const struct tw_addr *remote,
			     uint16_t remote_port, int timestamps, int64_t remaining_ms)
{
	struct tw_census *c = b->out;
	const struct socket_seen seen = {state, timestamps, remaining_ms};
	bool inbound, in_range;
	struct tuple_key tk;

	if (state == TCP_STATE_LISTEN)
		return; /* counted in pass 1, by census_add_listener */
	in_range = in_ephemeral_range(b, local_port);
	/* Who closed first holds TIME_WAIT: on a listening port, the server
	 * side of an accepted connection; anywhere else, a client. A server
	 * whose listener is gone (restarting) still leaves sockets whose local
	 * port lies outside the ephemeral range while the peer's lies inside
	 * it: those are inbound too. */
	inbound = port_bit(b->listening, local_port) ||
		  (b->range_known && !in_range && in_ephemeral_range(b, remote_port));

	if (!b->recounting) {
		c->total++;
		c->states[state < TCP_STATE_SLOTS ? state : 0]++;
		if (b->range_known && in_range && !port_bit(b->local_in_use, local_port)) {
			port_set(b->local_in_use, local_port);
			c->local_ports_in_use++;
		}
		if (state == TCP_STATE_FIN_WAIT2 && remaining_ms >= 0) {
			uint64_t left = (uint64_t)remaining_ms / 1000;

			c->fin_wait2_timewait++;
			c->fin_wait2_left[left < TW_HISTORY_SECONDS ? left : TW_HISTORY_SECONDS]++;
		}
		if (state == TCP_STATE_TIME_WAIT) {
			if (inbound) {
				c->time_wait_inbound++;
				count_inbound(b, local_port);
			} else {
				c->time_wait_outbound++;
			}
			if (remaining_ms >= 0) {
				c->history_known = true;
				tw_history_add(inbound ? &c->history_inbound : &c->history_outbound,
					       (uint64_t)remaining_ms);
			}
		} else if (inbound) {
			c->inbound_other++;
		} else {
			c->outbound_other++;
		}
	}
	if (inbound || remote_port == 0)
		return;
	if (!b->recounting)
		count_outbound_port(b, local_port, in_range);

	memset(&tk, 0, sizeof(tk));
	tk.remote.family = remote->family;
	tk.remote.port = remote_port;
	key_addr(tk.remote.addr, remote);
	key_addr(tk.local, local);
	if (b->recounting)
		recount_destination(b, &seen, &tk, in_range);
	else
		count_destination(b, &seen, &tk, in_range);
}

/* The entry's figures are all its sockets: it was tracked from its first
 * one (or counted again) and every local address was counted apart. */
static bool entry_exact(const struct heavy_hitters *h, const struct dest_entry *d)
{
	if (d->recounted)
		return !d->tuples_incomplete;
	return hh_error(h, d) == 0 && d->other_locals == 0;
}

/* The most each figure of D may be low by: the sockets before it entered
 * the table; and for the most from one local address, what the local
 * addresses not counted apart may hold beyond it. */
static uint32_t entry_error(const struct heavy_hitters *h, const struct dest_entry *d)
{
	uint64_t missed, beyond = 0;

	if (d->recounted)
		return d->tuples_incomplete ? d->ports_in_use - d->max_from_one_local : 0;
	missed = hh_error(h, d);
	if (d->other_locals > d->max_from_one_local)
		beyond = d->other_locals - d->max_from_one_local;
	return (uint32_t)(missed + beyond > UINT32_MAX ? UINT32_MAX : missed + beyond);
}

bool census_recount_begin(struct census_builder *b)
{
	unsigned range = b->range_known ? b->port_high - b->port_low + 1 : 65536;
	uint64_t significant = range * CENSUS_SIGNIFICANT_PERCENT / 100;
	bool any = false;

	if (significant == 0)
		significant = 1;
	for (uint32_t i = 0; i < b->dests.used; i++) {
		struct dest_entry *d = hh_entry(&b->dests, i);

		/* its count is an upper bound of its sockets */
		if (entry_exact(&b->dests, d) || hh_count(&b->dests, d) < significant)
			continue;
		d->recount = true;
		d->time_wait = d->ports_in_use = d->max_from_one_local = 0;
		d->established_ts = d->established_no_ts = 0;
		d->history_started = false;
		memset(d->ages, 0, sizeof(d->ages));
		memset(d->age_closes, 0, sizeof(d->age_closes));
		any = true;
	}
	if (!any)
		return false;
	if (hashtable_init(&b->recount_tuples, sizeof(struct tuple_entry), sizeof(struct tuple_key),
			   RECOUNT_TUPLES_INITIAL, RECOUNT_TUPLES_MAX) < 0) {
		/* no third pass: the figures stay estimates, and say so */
		for (uint32_t i = 0; i < b->dests.used; i++)
			((struct dest_entry *)hh_entry(&b->dests, i))->recount = false;
		return false;
	}
	b->recounting = true;
	return true;
}

/* inet_diag carries IPv4-mapped addresses for dual-stack sockets; they use
 * the IPv4 port space, so count them as IPv4. */
void census_addr_from_diag(struct tw_addr *a, uint8_t family, const __be32 words[4])
{
	static const uint8_t mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	memset(a, 0, sizeof(*a));
	if (family == AF_INET6 && memcmp(words, mapped_prefix, 12) == 0) {
		a->family = AF_INET;
		memcpy(a->bytes, (const uint8_t *)words + 12, 4);
	} else if (family == AF_INET6) {
		a->family = AF_INET6;
		memcpy(a->bytes, words, 16);
	} else {
		a->family = AF_INET;
		memcpy(a->bytes, words, 4);
	}
}

/* The timer of a timewait socket: a TIME_WAIT one always has it; a
 * FIN_WAIT2 one when it is the timewait socket this host keeps once it
 * closed first and the peer has not (timer 3), not a full socket. */
static bool timewait_timer(const struct inet_diag_msg *m)
{
	return m->idiag_state == TCP_STATE_TIME_WAIT ||
	       (m->idiag_state == TCP_STATE_FIN_WAIT2 && m->idiag_timer == 3);
}

int census_add_diag_message(struct census_builder *b, const struct nlmsghdr *nlh, bool listeners)
{
	const struct inet_diag_msg *m;
	struct tw_addr local, remote;

	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
	    nlh->nlmsg_len < NLMSG_LENGTH(sizeof(struct inet_diag_msg))) {
		b->malformed++;
		return -EBADMSG;
	}
	m = NLMSG_DATA(nlh);
	if ((m->idiag_family != AF_INET && m->idiag_family != AF_INET6) ||
	    m->idiag_state >= TCP_STATE_SLOTS) {
		b->malformed++;
		return -EBADMSG;
	}
	if (listeners) {
		if (m->idiag_state == TCP_STATE_LISTEN)
			census_add_listener(b, ntohs(m->id.idiag_sport));
		return 0;
	}
	census_addr_from_diag(&local, m->idiag_family, m->id.idiag_src);
	census_addr_from_diag(&remote, m->idiag_family, m->id.idiag_dst);
	/* For a timewait socket (idiag_timer 3: inet_twsk_diag_fill,
	 * net/ipv4/inet_diag.c, which reports its substate, TIME_WAIT or
	 * FIN_WAIT2) idiag_expires is the time its timer has left, in ms,
	 * 0 once overdue; for other sockets it means other timers. */
	census_add_socket_timer(b, m->idiag_state, &local, ntohs(m->id.idiag_sport), &remote,
				ntohs(m->id.idiag_dport), census_diag_timestamps(nlh),
				timewait_timer(m) ? (int64_t)m->idiag_expires : -1);
	return 0;
}

static void dest_to_stat(const struct census_builder *b, const struct dest_entry *e,
			 struct destination_stat *s)
{
	const struct heavy_hitters *h = &b->dests;

	memset(s, 0, sizeof(*s));
	s->address.family = e->key.family;
	memcpy(s->address.bytes, e->key.addr, 16);
	s->port = e->key.port;
	s->time_wait = e->time_wait;
	s->ports_in_use = e->ports_in_use;
	s->max_from_one_local = e->max_from_one_local;
	s->established_with_timestamps = e->established_ts;
	s->established_without_timestamps = e->established_no_ts;
	s->estimated = !entry_exact(h, e);
	s->error = s->estimated ? entry_error(h, e) : 0;
	/* the host's history is known but D's table could not be had: D's
	 * stays unknown rather than empty */
	s->history_known = b->out->history_known && !b->dest_history_lost;
	if (e->history_started && b->dest_history)
		memcpy(s->history.seconds, b->dest_history[hh_number(h, e)],
		       sizeof(s->history.seconds));
	else
		for (unsigned i = 0; i < DEST_AGES && e->ages[i]; i++)
			s->history.seconds[e->ages[i] - 1] = e->age_closes[i];
	if (s->history_known)
		tw_history_finish(&s->history);
}

/* Keep the N best entries by KEY in a small sorted array: the table holds
 * thousands of destinations, the ranking wants ten. */
static unsigned pick_top(const struct heavy_hitters *dests, bool by_time_wait,
			 const struct dest_entry **top, unsigned n)
{
	unsigned have = 0;

	for (uint32_t i = 0; i < dests->used; i++) {
		const struct dest_entry *e = hh_entry(dests, i);
		uint32_t v;
		unsigned pos;

		if ((v = by_time_wait ? e->time_wait : e->ports_in_use) == 0)
			continue;
		if (have == n) {
			const struct dest_entry *last = top[n - 1];
			if (v <= (by_time_wait ? last->time_wait : last->ports_in_use))
				continue;
			have--;
		}
		pos = have;
		while (pos > 0 &&
		       (by_time_wait ? top[pos - 1]->time_wait : top[pos - 1]->ports_in_use) < v) {
			top[pos] = top[pos - 1];
			pos--;
		}
		top[pos] = e;
		have++;
	}
	return have;
}

/* The connect() limit: the most ports from one local address toward one
 * destination. The largest counted is a lower bound of the truth; the
 * truth is at most the largest that any destination may hold (counted
 * plus error), or the most an untracked one may (the floor). */
static void find_worst_tuple(const struct census_builder *b, struct tw_census *c)
{
	const struct heavy_hitters *h = &b->dests;
	const struct dest_entry *worst = NULL;
	uint64_t possible = hh_floor(h);

	for (uint32_t i = 0; i < h->used; i++) {
		const struct dest_entry *e = hh_entry(h, i);
		uint64_t most = (uint64_t)e->max_from_one_local + entry_error(h, e);

		if (e->max_from_one_local &&
		    (!worst || e->max_from_one_local > worst->max_from_one_local))
			worst = e;
		if (most > possible)
			possible = most;
	}
	c->worst_tuple_ports = worst ? worst->max_from_one_local : 0;
	if (worst) {
		c->worst_remote.family = c->worst_local.family = worst->key.family;
		memcpy(c->worst_remote.bytes, worst->key.addr, 16);
		memcpy(c->worst_local.bytes, worst->max_local, 16);
		c->worst_remote_port = worst->key.port;
	}
	if (possible > c->worst_tuple_ports) {
		c->worst_tuple_estimated = true;
		c->worst_tuple_error = (uint32_t)(possible - c->worst_tuple_ports);
	}
}

/* The listening ports in [LOW, HIGH] not set in EXCLUDED (may be NULL),
 * ascending; an empty list is a valid allocation, NULL means no memory. */
static uint16_t *listening_ports(const struct census_builder *b, unsigned low, unsigned high,
				 const uint8_t *excluded, unsigned *count)
{
	unsigned n = 0;
	uint16_t *list;

	for (unsigned p = low; p <= high; p++)
		if (port_bit(b->listening, p) && !(excluded && port_bit(excluded, p)))
			n++;
	list = malloc((n ? n : 1) * sizeof(*list));
	if (!list)
		return NULL;
	*count = 0;
	for (unsigned p = low; p <= high; p++)
		if (port_bit(b->listening, p) && !(excluded && port_bit(excluded, p)))
			list[(*count)++] = (uint16_t)p;
	return list;
}

static void rank_inbound_ports(struct census_builder *b)
{
	struct tw_census *c = b->out;

	c->top_inbound_count = 0;
	if (!b->inbound_by_port)
		return;
	for (unsigned p = 0; p < 65536; p++) {
		uint32_t tw = b->inbound_by_port[p];
		unsigned pos;

		if (!tw)
			continue;
		if (c->top_inbound_count == CENSUS_TOP) {
			if (tw <= c->top_inbound[CENSUS_TOP - 1].time_wait)
				continue;
			c->top_inbound_count--;
		}
		pos = c->top_inbound_count++;
		while (pos > 0 && c->top_inbound[pos - 1].time_wait < tw) {
			c->top_inbound[pos] = c->top_inbound[pos - 1];
			pos--;
		}
		c->top_inbound[pos].port = (uint16_t)p;
		c->top_inbound[pos].time_wait = tw;
	}
}

int census_finish(struct census_builder *b)
{
	struct tw_census *c = b->out;
	const struct dest_entry *by_tw[CENSUS_TOP], *by_ports[CENSUS_TOP];
	unsigned n_tw, n_ports;

	if (b->recounting) /* the third pass is over: its figures stand */
		for (uint32_t i = 0; i < b->dests.used; i++) {
			struct dest_entry *d = hh_entry(&b->dests, i);
			d->recounted = d->recount;
		}
	if (c->history_known) {
		tw_history_finish(&c->history_outbound);
		tw_history_finish(&c->history_inbound);
	}
	c->destinations_truncated = hh_saturated(&b->dests);
	c->destinations = b->dests.used;
	if (c->destinations_truncated) {
		uint64_t estimate = distinct_estimate(&b->distinct);

		/* more than the table holds, whatever the estimate says */
		c->destinations = estimate > b->dests.used ? estimate : b->dests.used + 1;
		c->destinations_untracked_max = hh_floor(&b->dests);
	}
	find_worst_tuple(b, c);
	n_tw = pick_top(&b->dests, true, by_tw, CENSUS_TOP);
	n_ports = pick_top(&b->dests, false, by_ports, CENSUS_TOP);
	c->top_count = 0;
	for (unsigned i = 0; i < n_tw; i++)
		dest_to_stat(b, by_tw[i], &c->top[c->top_count++]);
	for (unsigned i = 0; i < n_ports; i++) {
		bool seen = false;
		for (unsigned j = 0; j < n_tw && !seen; j++)
			seen = by_tw[j] == by_ports[i];
		if (!seen)
			dest_to_stat(b, by_ports[i], &c->top[c->top_count++]);
	}

	rank_inbound_ports(b);
	free(c->listening);
	free(c->listen_in_range);
	c->listen_in_range = NULL;
	c->listen_in_range_count = 0;
	c->listening = listening_ports(b, 0, 65535, NULL, &c->listening_count);
	if (b->range_known)
		c->listen_in_range = listening_ports(b, b->port_low, b->port_high, b->reserved,
						     &c->listen_in_range_count);
	if (!c->listening || (b->range_known && !c->listen_in_range)) {
		census_discard(b);
		return -ENOMEM;
	}
	c->available = true;
	census_discard(b);
	return 0;
}
