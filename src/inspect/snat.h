/* SPDX-License-Identifier: MIT */
/* Source NAT, the exhaustion that is not local TIME_WAIT: on a host that
 * masquerades (a gateway, a Kubernetes node) connections from containers
 * or clients leave with this host's address and a port conntrack chooses,
 * unique per (protocol, translated address, destination address,
 * destination port) (nf_nat_used_tuple in net/netfilter/nf_nat_core.c).
 * When those ports run out, or two connections race for the same one,
 * the new connection's packet is dropped at confirmation and counted in
 * conntrack's insert_failed, while this host's own socket table shows
 * nothing.
 *
 * snat_rules.c reads the rules (nftables masq and nat expressions,
 * iptables-nft's and legacy iptables' MASQUERADE and SNAT targets) for
 * their port range and port selection; snat_tally.c counts the conntrack
 * table's SNAT entries per destination as the dump streams by. */
#ifndef TWTUNE_SNAT_H
#define TWTUNE_SNAT_H

#include <linux/netlink.h>
#include <netlink/attr.h>

#include "common/heavy_hitters.h"
#include "inspect/facts.h"

/* Without a range the kernel maps a source port of 1024 or more into
 * 1024-65535 (nf_nat_l4proto_unique_tuple); clients use such ports. */
#define SNAT_DEFAULT_PORT_LOW 1024
#define SNAT_DEFAULT_PORT_HIGH 65535

/* The ports a destination may take: the narrowest range a rule sets, or
 * the kernel's 1024-65535. */
static inline unsigned snat_port_range(const struct snat_facts *s, unsigned *low, unsigned *high)
{
	*low = s->port_low ? s->port_low : SNAT_DEFAULT_PORT_LOW;
	*high = s->port_low ? s->port_high : SNAT_DEFAULT_PORT_HIGH;
	return *high - *low + 1;
}

/* Source NAT here: 1 when a rule or a conntrack entry translates
 * sources, 0 when every source was read and none does, -1 unknown. */
static inline int snat_present(const struct tw_facts *f)
{
	const struct conntrack_facts *ct = &f->conntrack;
	bool entries_read = ct->dump.inspected || !ct->loaded;

	if (f->nat.snat.rules || (ct->dump.inspected && ct->snat))
		return 1;
	return f->nat.nftables.inspected && f->nat.iptables.inspected && entries_read ? 0 : -1;
}

/* The share of its ports the busiest destination's SNAT entries hold, or
 * -1 without one. */
static inline double snat_pressure(const struct snat_facts *s, const struct snat_destination *d)
{
	unsigned low, high, size = snat_port_range(s, &low, &high);

	return d && size ? (double)d->entries / size : -1;
}

/* "tcp", "udp", ... for a layer-4 protocol number. */
const char *snat_protocol_name(uint8_t protocol);

/* --- rules (snat_rules.c) --- */

/* R as nft would print it, for people: "masquerade to :20000-20009
 * fully-random". */
const char *snat_rule_text(const struct snat_rule *r, char *buf, size_t size);

/* Forget the rules read so far (a dump started again). */
void snat_rules_reset(struct snat_facts *s);

/* Regular chains a chain that source-translates jumps to; their rules are
 * read too, since that is where kube-proxy (KUBE-POSTROUTING), Calico and
 * kube-proxy's nftables mode keep their masquerade. */
#define SNAT_JUMPS_TRACKED 32

struct snat_jump {
	char chain[256];
};

struct snat_jumps {
	struct snat_jump chain[SNAT_JUMPS_TRACKED];
	unsigned count;
	bool truncated;
};

/* The expressions of one rule (NFTA_RULE_EXPRESSIONS, parsed in place) of
 * FAMILY's chain WHERE ("ip nat/POSTROUTING"): each masq expression, nat
 * expression of type snat, or iptables-nft MASQUERADE/SNAT target is
 * added to S, with the port range loaded by the immediate expressions
 * before it; with JUMPS, the chains it jumps or goes to are added there
 * (once). 0 or -EBADMSG. */
int snat_parse_rule(struct snat_facts *s, uint8_t family, const char *where,
		    struct nlattr *expressions, struct snat_jumps *jumps);

/* The MASQUERADE and SNAT targets of the legacy IPv4 nat table, read with
 * IPT_SO_GET_ENTRIES (the table's SIZE bytes, from IPT_SO_GET_INFO) into
 * S. 0, -EFBIG when the table is larger than twtune reads, or -errno. */
int snat_read_legacy(struct snat_facts *s, unsigned size);

/* The entries of an IPT_SO_GET_ENTRIES answer, TABLE of SIZE bytes. 0 or
 * -EBADMSG. */
int snat_parse_legacy(struct snat_facts *s, const void *table, size_t size);

/* --- the conntrack table (snat_tally.c) --- */

/* Distinct tuples followed exactly; a busier host is ranked with
 * Space-Saving like the census (common/heavy_hitters.h). */
#define SNAT_TRACKED 4096

struct snat_tally {
	struct heavy_hitters tuples;
	uint64_t entries;
	unsigned long malformed;
};

int snat_tally_begin(struct snat_tally *t);
void snat_tally_discard(struct snat_tally *t);

/* One SNAT entry, from its reply tuple (CTA_TUPLE_REPLY): the reply's
 * destination is the translated source, its source the destination
 * (after any DNAT). TIME_WAIT: the entry is in TCP TIME_WAIT. 0 or
 * -EBADMSG. */
int snat_tally_reply(struct snat_tally *t, struct nlattr *reply, bool time_wait);

/* The same from /proc/net/nf_conntrack's reply tuple, as text. 0 or
 * -EINVAL. */
int snat_tally_text(struct snat_tally *t, uint8_t protocol, const char *source, const char *address,
		    const char *port, bool time_wait);

/* The ranking into S (top, entries, truncation); T is freed. */
void snat_tally_finish(struct snat_tally *t, struct snat_facts *s);

#endif
