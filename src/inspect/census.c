#include "inspect/census.h"

#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/hashtable.h"

/* Both tables grow by doubling at half load and are capped: a host with more
 * distinct destinations than this gets lower-bound figures and a
 * "truncated" flag, never unbounded memory (2^19 tuples is about 20 MiB). */
#define TABLE_INITIAL 1024u
#define TABLE_MAX (1u << 19)

struct dest_key {
	uint8_t family;
	uint8_t pad;
	uint16_t port;
	uint8_t addr[16];
};

struct dest_entry {
	struct dest_key key; /* first: the table compares KEY_SIZE bytes */
	uint32_t time_wait;
	uint32_t ports_in_use;
	uint32_t max_from_one_local;
};

struct tuple_key {
	struct dest_key remote;
	uint8_t local[16];
};

struct tuple_entry {
	struct tuple_key key;
	uint32_t ports; /* sockets from distinct local ports: each holds one */
};

static struct dest_entry *dest_get(struct hashtable *dests, const struct dest_key *k)
{
	return hashtable_get(dests, k);
}

static struct tuple_entry *tuple_get(struct hashtable *tuples, const struct tuple_key *k)
{
	return hashtable_get(tuples, k);
}

int census_begin(struct census_builder *b, struct tw_facts *f)
{
	memset(b, 0, sizeof(*b));
	memset(&f->census, 0, sizeof(f->census));
	b->out = &f->census;
	b->range_known = f->port_range_known;
	b->port_low = f->port_low;
	b->port_high = f->port_high;
	b->reserved = f->reserved_ports;
	if (hashtable_init(&b->dests, sizeof(struct dest_entry), sizeof(struct dest_key),
			   TABLE_INITIAL, TABLE_MAX) < 0 ||
	    hashtable_init(&b->tuples, sizeof(struct tuple_entry), sizeof(struct tuple_key),
			   TABLE_INITIAL, TABLE_MAX) < 0) {
		census_discard(b);
		return -ENOMEM;
	}
	return 0;
}

void census_discard(struct census_builder *b)
{
	hashtable_free(&b->dests);
	hashtable_free(&b->tuples);
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

void census_add_socket(struct census_builder *b, unsigned state, const struct tw_addr *local,
		       uint16_t local_port, const struct tw_addr *remote, uint16_t remote_port)
{
	struct tw_census *c = b->out;
	bool inbound, in_range;
	struct tuple_key tk;
	struct dest_entry *d;
	struct tuple_entry *t;

	if (state == TCP_STATE_LISTEN)
		return; /* counted in pass 1, by census_add_listener */
	c->total++;
	c->states[state < TCP_STATE_SLOTS ? state : 0]++;

	in_range = in_ephemeral_range(b, local_port);
	if (b->range_known && in_range && !port_bit(b->local_in_use, local_port)) {
		port_set(b->local_in_use, local_port);
		c->local_ports_in_use++;
	}

	/* Who closed first holds TIME_WAIT: on a listening port, the server
	 * side of an accepted connection; anywhere else, a client. A server
	 * whose listener is gone (restarting) still leaves sockets whose local
	 * port lies outside the ephemeral range while the peer's lies inside
	 * it: those are inbound too. */
	inbound = port_bit(b->listening, local_port) ||
		  (b->range_known && !in_range && in_ephemeral_range(b, remote_port));
	if (state == TCP_STATE_TIME_WAIT) {
		if (inbound) {
			c->time_wait_inbound++;
			count_inbound(b, local_port);
		} else {
			c->time_wait_outbound++;
		}
	} else if (inbound) {
		c->inbound_other++;
	} else {
		c->outbound_other++;
	}
	if (inbound || remote_port == 0)
		return;

	memset(&tk, 0, sizeof(tk));
	tk.remote.family = remote->family;
	tk.remote.port = remote_port;
	key_addr(tk.remote.addr, remote);
	key_addr(tk.local, local);

	d = dest_get(&b->dests, &tk.remote);
	if (!d) {
		c->destinations_truncated = true;
		return;
	}
	if (state == TCP_STATE_TIME_WAIT)
		d->time_wait++;
	if (!in_range)
		return;
	d->ports_in_use++;
	t = tuple_get(&b->tuples, &tk);
	if (!t) {
		c->destinations_truncated = true;
		return;
	}
	t->ports++;
	if (t->ports > d->max_from_one_local)
		d->max_from_one_local = t->ports;
	if (t->ports > c->worst_tuple_ports) {
		c->worst_tuple_ports = t->ports;
		c->worst_local = *local;
		c->worst_remote = *remote;
		c->worst_remote_port = remote_port;
	}
}

/* inet_diag carries IPv4-mapped addresses for dual-stack sockets; they use
 * the IPv4 port space, so count them as IPv4. */
static void addr_from_diag(struct tw_addr *a, uint8_t family, const __be32 words[4])
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
	addr_from_diag(&local, m->idiag_family, m->id.idiag_src);
	addr_from_diag(&remote, m->idiag_family, m->id.idiag_dst);
	census_add_socket(b, m->idiag_state, &local, ntohs(m->id.idiag_sport), &remote,
			  ntohs(m->id.idiag_dport));
	return 0;
}

static void dest_to_stat(const struct dest_entry *e, struct destination_stat *s)
{
	memset(s, 0, sizeof(*s));
	s->address.family = e->key.family;
	memcpy(s->address.bytes, e->key.addr, 16);
	s->port = e->key.port;
	s->time_wait = e->time_wait;
	s->ports_in_use = e->ports_in_use;
	s->max_from_one_local = e->max_from_one_local;
}

/* Keep the N best entries by KEY in a small sorted array: the table may
 * hold half a million destinations, the ranking wants ten. */
static unsigned pick_top(const struct hashtable *dests, bool by_time_wait,
			 const struct dest_entry **top, unsigned n)
{
	unsigned have = 0;

	for (uint32_t i = 0; i < dests->size; i++) {
		const struct dest_entry *e = hashtable_slot(dests, i);
		uint32_t v;
		unsigned pos;

		if (!e || (v = by_time_wait ? e->time_wait : e->ports_in_use) == 0)
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

	c->destinations = b->dests.count;
	n_tw = pick_top(&b->dests, true, by_tw, CENSUS_TOP);
	n_ports = pick_top(&b->dests, false, by_ports, CENSUS_TOP);
	c->top_count = 0;
	for (unsigned i = 0; i < n_tw; i++)
		dest_to_stat(by_tw[i], &c->top[c->top_count++]);
	for (unsigned i = 0; i < n_ports; i++) {
		bool seen = false;
		for (unsigned j = 0; j < n_tw && !seen; j++)
			seen = by_tw[j] == by_ports[i];
		if (!seen)
			dest_to_stat(by_ports[i], &c->top[c->top_count++]);
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
