/* SPDX-License-Identifier: MIT */
/* The conntrack table's source-NAT entries per (protocol, translated
 * source, destination, destination port), counted as the dump streams
 * by, in SNAT_TRACKED Space-Saving counters. See snat.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "common/hashtable.h"
#include "common/strutil.h"
#include "inspect/nfnl.h"
#include "inspect/snat.h"

struct tuple_key {
	uint8_t family;
	uint8_t protocol;
	uint16_t port;
	uint8_t source[16];
	uint8_t address[16];
};

/* A tracked tuple; its figures count its entries since it entered the
 * table (all of them when its Space-Saving error is 0). */
struct tuple_entry {
	struct tuple_key key; /* first: the table compares the key's bytes */
	uint32_t entries;
	uint32_t time_wait;
};

const char *snat_protocol_name(uint8_t protocol)
{
	switch (protocol) {
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_UDP: return "udp";
	case IPPROTO_SCTP: return "sctp";
	case IPPROTO_ICMP: return "icmp";
	case IPPROTO_ICMPV6: return "icmpv6";
	case IPPROTO_GRE: return "gre";
	default: return "other";
	}
}

int snat_tally_begin(struct snat_tally *t)
{
	memset(t, 0, sizeof(*t));
	return hh_init(&t->tuples, sizeof(struct tuple_entry), sizeof(struct tuple_key),
		       SNAT_TRACKED);
}

void snat_tally_discard(struct snat_tally *t)
{
	hh_free(&t->tuples);
}

static void count(struct snat_tally *t, const struct tuple_key *key, bool time_wait)
{
	struct tuple_entry *e = hh_add(&t->tuples, key, hash64_bytes(key, sizeof(*key)));

	t->entries++;
	e->entries++;
	if (time_wait)
		e->time_wait++;
}

static const struct nla_policy tuple_policy[CTA_TUPLE_MAX + 1] = {
	[CTA_TUPLE_IP] = {.type = NLA_NESTED},
	[CTA_TUPLE_PROTO] = {.type = NLA_NESTED},
};

static const struct nla_policy ip_policy[CTA_IP_MAX + 1] = {
	[CTA_IP_V4_SRC] = {.type = NLA_U32},
	[CTA_IP_V4_DST] = {.type = NLA_U32},
	[CTA_IP_V6_SRC] = {.minlen = 16},
	[CTA_IP_V6_DST] = {.minlen = 16},
};

static const struct nla_policy proto_policy[CTA_PROTO_MAX + 1] = {
	[CTA_PROTO_NUM] = {.type = NLA_U8},
	[CTA_PROTO_SRC_PORT] = {.type = NLA_U16},
};

/* The reply tuple's addresses: its destination is the translated source,
 * its source the destination. */
static int reply_addresses(struct nlattr *nest, struct tuple_key *key)
{
	struct nlattr *ip[CTA_IP_MAX + 1];

	if (nfnl_nested(ip, CTA_IP_MAX, nest, ip_policy) < 0)
		return -EBADMSG;
	if (ip[CTA_IP_V4_SRC] && ip[CTA_IP_V4_DST]) {
		key->family = AF_INET;
		memcpy(key->address, nla_data(ip[CTA_IP_V4_SRC]), 4);
		memcpy(key->source, nla_data(ip[CTA_IP_V4_DST]), 4);
	} else if (ip[CTA_IP_V6_SRC] && ip[CTA_IP_V6_DST]) {
		key->family = AF_INET6;
		memcpy(key->address, nla_data(ip[CTA_IP_V6_SRC]), 16);
		memcpy(key->source, nla_data(ip[CTA_IP_V6_DST]), 16);
	} else {
		return -EBADMSG;
	}
	return 0;
}

int snat_tally_reply(struct snat_tally *t, struct nlattr *reply, bool time_wait)
{
	struct nlattr *tuple[CTA_TUPLE_MAX + 1], *proto[CTA_PROTO_MAX + 1];
	struct tuple_key key = {0};

	if (!reply || nfnl_nested(tuple, CTA_TUPLE_MAX, reply, tuple_policy) < 0 ||
	    !tuple[CTA_TUPLE_IP] || !tuple[CTA_TUPLE_PROTO] ||
	    reply_addresses(tuple[CTA_TUPLE_IP], &key) < 0 ||
	    nfnl_nested(proto, CTA_PROTO_MAX, tuple[CTA_TUPLE_PROTO], proto_policy) < 0 ||
	    !proto[CTA_PROTO_NUM])
		return -EBADMSG;
	key.protocol = nla_get_u8(proto[CTA_PROTO_NUM]);
	/* ICMP and other protocols without ports: one per address pair */
	if (proto[CTA_PROTO_SRC_PORT])
		key.port = ntohs(nla_get_u16(proto[CTA_PROTO_SRC_PORT]));
	count(t, &key, time_wait);
	return 0;
}

static int text_address(const char *text, uint8_t *family, uint8_t bytes[16])
{
	if (inet_pton(AF_INET, text, bytes) == 1) {
		*family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, text, bytes) == 1) {
		*family = AF_INET6;
		return 0;
	}
	return -EINVAL;
}

int snat_tally_text(struct snat_tally *t, uint8_t protocol, const char *source, const char *address,
		    const char *port, bool time_wait)
{
	struct tuple_key key = {.protocol = protocol};
	uint8_t source_family = 0;
	uint64_t p = 0;

	if (text_address(source, &source_family, key.source) < 0 ||
	    text_address(address, &key.family, key.address) < 0 || source_family != key.family ||
	    (port && strict_uint(port, 0, 65535, &p) < 0))
		return -EINVAL;
	key.port = (uint16_t)p;
	count(t, &key, time_wait);
	return 0;
}

static void to_destination(const struct heavy_hitters *h, const struct tuple_entry *e,
			   struct snat_destination *d)
{
	memset(d, 0, sizeof(*d));
	d->protocol = e->key.protocol;
	d->source.family = d->address.family = e->key.family;
	memcpy(d->source.bytes, e->key.source, 16);
	memcpy(d->address.bytes, e->key.address, 16);
	d->port = e->key.port;
	d->entries = e->entries;
	d->time_wait = e->time_wait;
	d->error = (uint32_t)hh_error(h, e);
	d->estimated = d->error > 0;
}

void snat_tally_finish(struct snat_tally *t, struct snat_facts *s)
{
	const struct tuple_entry *top[SNAT_TOP];
	unsigned have = 0;

	/* the busiest few by entries, kept sorted in a small array */
	for (uint32_t i = 0; i < t->tuples.used; i++) {
		const struct tuple_entry *e = hh_entry(&t->tuples, i);
		unsigned pos;

		if (have == SNAT_TOP && e->entries <= top[SNAT_TOP - 1]->entries)
			continue;
		pos = have < SNAT_TOP ? have++ : SNAT_TOP - 1;
		while (pos > 0 && top[pos - 1]->entries < e->entries) {
			top[pos] = top[pos - 1];
			pos--;
		}
		top[pos] = e;
	}
	for (unsigned i = 0; i < have; i++)
		to_destination(&t->tuples, top[i], &s->top[i]);
	s->top_count = have;
	s->tallied = true;
	s->entries = t->entries;
	s->truncated = hh_saturated(&t->tuples);
	s->untracked_max = s->truncated ? hh_floor(&t->tuples) : 0;
	snat_tally_discard(t);
}
