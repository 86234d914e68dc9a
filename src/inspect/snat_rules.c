/* SPDX-License-Identifier: MIT */
/* The rules that source-translate, and how they pick ports: nftables masq
 * and nat (snat) expressions, iptables-nft's MASQUERADE and SNAT targets
 * (nft_compat "target" expressions carrying the xt structure), and the
 * legacy IPv4 nat table's. See snat.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* after <netinet/in.h>: glibc's copy of the in.h structs must win */
/* clang-format off */
#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_tables_compat.h>
#include <linux/netfilter_ipv4/ip_tables.h>
/* clang-format on */

#include "inspect/nfnl.h"
#include "inspect/snat.h"

/* kube-proxy's legacy nat table holds a few rules per service: tens of
 * MiB on the largest clusters. Beyond this it is not read. */
#define LEGACY_TABLE_MAX (32u << 20)

/* nf_tables registers: NFT_REG_1..4 are 16 bytes each, the same storage
 * as NFT_REG32_00..15 of 4 bytes (nf_tables.h). */
#define REG32_SLOTS 16

/* What the immediate expressions of a rule loaded, so far. */
struct registers {
	uint8_t value[REG32_SLOTS][4];
	bool known[REG32_SLOTS];
};

const char *snat_rule_text(const struct snat_rule *r, char *buf, size_t size)
{
	char ports[32] = "";

	if (r->ports_known)
		snprintf(ports, sizeof(ports), " to :%u-%u", r->port_low, r->port_high);
	else if (r->flags & NF_NAT_RANGE_PROTO_SPECIFIED)
		snprintf(ports, sizeof(ports), " to a port range");
	snprintf(buf, size, "%s%s%s%s%s", r->action, ports,
		 r->flags & NF_NAT_RANGE_PROTO_RANDOM ? " random" : "",
		 r->flags & NF_NAT_RANGE_PROTO_RANDOM_FULLY ? " fully-random" : "",
		 r->flags & NF_NAT_RANGE_PERSISTENT ? " persistent" : "");
	return buf;
}

void snat_rules_reset(struct snat_facts *s)
{
	s->rules = s->rules_without_fully_random = s->rule_count = 0;
	s->port_low = s->port_high = 0;
	memset(s->rule, 0, sizeof(s->rule));
}

static void add_rule(struct snat_facts *s, struct snat_rule *r)
{
	if (r->ports_known && r->port_low > r->port_high) {
		/* the kernel swaps them (nf_nat_l4proto_unique_tuple) */
		uint16_t low = r->port_high;

		r->port_high = r->port_low;
		r->port_low = low;
	}
	s->rules++;
	if (!(r->flags & NF_NAT_RANGE_PROTO_RANDOM_FULLY))
		s->rules_without_fully_random++;
	if (s->rule_count < SNAT_MAX_RULES)
		s->rule[s->rule_count++] = *r;
	if (r->ports_known && r->port_low &&
	    (!s->port_low || (unsigned)(r->port_high - r->port_low) < s->port_high - s->port_low)) {
		s->port_low = r->port_low;
		s->port_high = r->port_high;
	}
}

static void new_rule(struct snat_rule *r, const char *where, const char *action, uint32_t flags)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->where, sizeof(r->where), "%s", where);
	snprintf(r->action, sizeof(r->action), "%s", action);
	r->flags = flags;
}

/* ---- nftables expressions */

/* The 4-byte slot a register number starts at, or -1. */
static int reg_slot(uint32_t reg)
{
	if (reg >= NFT_REG_1 && reg <= NFT_REG_4)
		return (int)(reg - NFT_REG_1) * 4;
	if (reg >= NFT_REG32_00 && reg < NFT_REG32_00 + REG32_SLOTS)
		return (int)(reg - NFT_REG32_00);
	return -1;
}

/* A port (inet_service, big-endian) loaded into register REG. */
static bool reg_port(const struct registers *regs, struct nlattr *reg, uint16_t *port)
{
	int slot = reg ? reg_slot(ntohl(nla_get_u32(reg))) : -1;

	if (slot < 0 || !regs->known[slot])
		return false;
	*port = (uint16_t)(regs->value[slot][0] << 8 | regs->value[slot][1]);
	return true;
}

/* The port range of a masq or nat expression, when the registers it names
 * were loaded by immediate expressions in the same rule. */
static void expr_ports(struct snat_rule *r, const struct registers *regs, struct nlattr *min,
		       struct nlattr *max)
{
	if (!min)
		return;
	r->flags |= NF_NAT_RANGE_PROTO_SPECIFIED;
	r->ports_known = reg_port(regs, min, &r->port_low);
	if (r->ports_known && !reg_port(regs, max ? max : min, &r->port_high))
		r->ports_known = false;
}

static const struct nla_policy data_policy[NFTA_DATA_MAX + 1] = {
	[NFTA_DATA_VALUE] = {.type = NLA_UNSPEC},
	[NFTA_DATA_VERDICT] = {.type = NLA_NESTED},
};

static const struct nla_policy verdict_policy[NFTA_VERDICT_MAX + 1] = {
	[NFTA_VERDICT_CODE] = {.type = NLA_U32},
	[NFTA_VERDICT_CHAIN] = {.type = NLA_STRING, .maxlen = NFT_CHAIN_MAXNAMELEN},
};

static void note_jump(struct snat_jumps *jumps, const char *chain)
{
	for (unsigned i = 0; i < jumps->count; i++)
		if (strcmp(jumps->chain[i].chain, chain) == 0)
			return;
	if (jumps->count == SNAT_JUMPS_TRACKED) {
		jumps->truncated = true;
		return;
	}
	snprintf(jumps->chain[jumps->count++].chain, sizeof(jumps->chain[0].chain), "%s", chain);
}

/* A jump or goto to a chain; any other verdict says nothing. */
static int verdict(struct nlattr *nest, struct snat_jumps *jumps)
{
	struct nlattr *tb[NFTA_VERDICT_MAX + 1];
	int32_t code;

	if (nfnl_nested(tb, NFTA_VERDICT_MAX, nest, verdict_policy) < 0 || !tb[NFTA_VERDICT_CODE])
		return -EBADMSG;
	code = (int32_t)ntohl(nla_get_u32(tb[NFTA_VERDICT_CODE]));
	if ((code == NFT_JUMP || code == NFT_GOTO) && tb[NFTA_VERDICT_CHAIN] && jumps)
		note_jump(jumps, nla_get_string(tb[NFTA_VERDICT_CHAIN]));
	return 0;
}

static const struct nla_policy immediate_policy[NFTA_IMMEDIATE_MAX + 1] = {
	[NFTA_IMMEDIATE_DREG] = {.type = NLA_U32},
	[NFTA_IMMEDIATE_DATA] = {.type = NLA_NESTED},
};

/* immediate: a value into a register, or a verdict (a jump). */
static int immediate(struct nlattr *nest, struct registers *regs, struct snat_jumps *jumps)
{
	struct nlattr *tb[NFTA_IMMEDIATE_MAX + 1], *data[NFTA_DATA_MAX + 1];
	const uint8_t *bytes;
	int slot, len;

	if (nfnl_nested(tb, NFTA_IMMEDIATE_MAX, nest, immediate_policy) < 0 ||
	    !tb[NFTA_IMMEDIATE_DREG] || !tb[NFTA_IMMEDIATE_DATA] ||
	    nfnl_nested(data, NFTA_DATA_MAX, tb[NFTA_IMMEDIATE_DATA], data_policy) < 0)
		return -EBADMSG;
	if (data[NFTA_DATA_VERDICT])
		return verdict(data[NFTA_DATA_VERDICT], jumps);
	slot = reg_slot(ntohl(nla_get_u32(tb[NFTA_IMMEDIATE_DREG])));
	if (!data[NFTA_DATA_VALUE] || slot < 0)
		return 0;
	bytes = nla_data(data[NFTA_DATA_VALUE]);
	len = nla_len(data[NFTA_DATA_VALUE]);
	for (int off = 0; off < len && slot < REG32_SLOTS; off += 4, slot++) {
		memset(regs->value[slot], 0, 4);
		memcpy(regs->value[slot], bytes + off, len - off < 4 ? (size_t)(len - off) : 4);
		regs->known[slot] = true;
	}
	return 0;
}

static const struct nla_policy masq_policy[NFTA_MASQ_MAX + 1] = {
	[NFTA_MASQ_FLAGS] = {.type = NLA_U32},
	[NFTA_MASQ_REG_PROTO_MIN] = {.type = NLA_U32},
	[NFTA_MASQ_REG_PROTO_MAX] = {.type = NLA_U32},
};

static int masq(struct snat_facts *s, const char *where, struct nlattr *nest,
		const struct registers *regs)
{
	struct nlattr *tb[NFTA_MASQ_MAX + 1] = {NULL};
	struct snat_rule r;

	/* a plain "masquerade" has no attributes: its data nest may be empty,
	 * or (trimmed on the way) absent */
	if (nest && nfnl_nested(tb, NFTA_MASQ_MAX, nest, masq_policy) < 0)
		return -EBADMSG;
	new_rule(&r, where, "masquerade",
		 tb[NFTA_MASQ_FLAGS] ? ntohl(nla_get_u32(tb[NFTA_MASQ_FLAGS])) : 0);
	expr_ports(&r, regs, tb[NFTA_MASQ_REG_PROTO_MIN], tb[NFTA_MASQ_REG_PROTO_MAX]);
	add_rule(s, &r);
	return 0;
}

static const struct nla_policy nat_policy[NFTA_NAT_MAX + 1] = {
	[NFTA_NAT_TYPE] = {.type = NLA_U32},
	[NFTA_NAT_REG_PROTO_MIN] = {.type = NLA_U32},
	[NFTA_NAT_REG_PROTO_MAX] = {.type = NLA_U32},
	[NFTA_NAT_FLAGS] = {.type = NLA_U32},
};

/* nat: snat counts, dnat does not. */
static int nat(struct snat_facts *s, const char *where, struct nlattr *nest,
	       const struct registers *regs)
{
	struct nlattr *tb[NFTA_NAT_MAX + 1];
	struct snat_rule r;

	if (nfnl_nested(tb, NFTA_NAT_MAX, nest, nat_policy) < 0 || !tb[NFTA_NAT_TYPE])
		return -EBADMSG;
	if (ntohl(nla_get_u32(tb[NFTA_NAT_TYPE])) != NFT_NAT_SNAT)
		return 0;
	new_rule(&r, where, "snat",
		 tb[NFTA_NAT_FLAGS] ? ntohl(nla_get_u32(tb[NFTA_NAT_FLAGS])) : 0);
	expr_ports(&r, regs, tb[NFTA_NAT_REG_PROTO_MIN], tb[NFTA_NAT_REG_PROTO_MAX]);
	add_rule(s, &r);
	return 0;
}

/* The range of an x_tables MASQUERADE or SNAT target's data, in the
 * layout its revision and family use (xt_MASQUERADE.c, xt_nat.c): 0 and
 * *R filled, 1 when NAME is no source-NAT target, -EBADMSG when the data
 * is too short for its layout. */
static int xt_target(const char *name, unsigned revision, uint8_t family, const void *data,
		     size_t len, const char *where, struct snat_rule *r)
{
	bool masquerade = strcmp(name, "MASQUERADE") == 0;
	struct nf_nat_range2 range = {0};

	if (!masquerade && strcmp(name, "SNAT") != 0)
		return 1;
	if (revision == 0 && family != NFPROTO_IPV6) {
		struct nf_nat_ipv4_multi_range_compat compat;

		if (len < sizeof(compat))
			return -EBADMSG;
		memcpy(&compat, data, sizeof(compat));
		range.flags = compat.range[0].flags;
		range.min_proto = compat.range[0].min;
		range.max_proto = compat.range[0].max;
	} else if (revision <= 1) {
		if (len < sizeof(struct nf_nat_range))
			return -EBADMSG;
		memcpy(&range, data, sizeof(struct nf_nat_range));
	} else if (revision == 2) {
		if (len < sizeof(range))
			return -EBADMSG;
		memcpy(&range, data, sizeof(range));
	} else {
		return 1; /* a revision this twtune does not know */
	}
	new_rule(r, where, masquerade ? "masquerade" : "snat", range.flags);
	if (range.flags & NF_NAT_RANGE_PROTO_SPECIFIED) {
		r->ports_known = true;
		r->port_low = ntohs(range.min_proto.all);
		r->port_high = ntohs(range.max_proto.all);
	}
	return 0;
}

static const struct nla_policy target_policy[NFTA_TARGET_MAX + 1] = {
	[NFTA_TARGET_NAME] = {.type = NLA_STRING, .maxlen = NFT_COMPAT_NAME_MAX},
	[NFTA_TARGET_REV] = {.type = NLA_U32},
	[NFTA_TARGET_INFO] = {.type = NLA_UNSPEC},
};

/* iptables-nft: an x_tables target inside nftables (nft_compat.c). */
static int target(struct snat_facts *s, uint8_t family, const char *where, struct nlattr *nest)
{
	struct nlattr *tb[NFTA_TARGET_MAX + 1];
	struct snat_rule r;
	int ret;

	if (nfnl_nested(tb, NFTA_TARGET_MAX, nest, target_policy) < 0 || !tb[NFTA_TARGET_NAME] ||
	    !tb[NFTA_TARGET_REV] || !tb[NFTA_TARGET_INFO])
		return -EBADMSG;
	ret = xt_target(nla_get_string(tb[NFTA_TARGET_NAME]),
			ntohl(nla_get_u32(tb[NFTA_TARGET_REV])), family,
			nla_data(tb[NFTA_TARGET_INFO]), (size_t)nla_len(tb[NFTA_TARGET_INFO]),
			where, &r);
	if (ret == 0)
		add_rule(s, &r);
	return ret < 0 ? ret : 0;
}

static const struct nla_policy expr_policy[NFTA_EXPR_MAX + 1] = {
	[NFTA_EXPR_NAME] = {.type = NLA_STRING},
	[NFTA_EXPR_DATA] = {.type = NLA_NESTED},
};

static int expression(struct snat_facts *s, uint8_t family, const char *where, struct nlattr *elem,
		      struct registers *regs, struct snat_jumps *jumps)
{
	struct nlattr *tb[NFTA_EXPR_MAX + 1], *data;
	const char *name;

	if (nla_type(elem) != NFTA_LIST_ELEM ||
	    nfnl_nested(tb, NFTA_EXPR_MAX, elem, expr_policy) < 0 || !tb[NFTA_EXPR_NAME])
		return -EBADMSG;
	name = nla_get_string(tb[NFTA_EXPR_NAME]);
	data = tb[NFTA_EXPR_DATA];
	if (strcmp(name, "masq") == 0)
		return masq(s, where, data, regs);
	if (!data)
		return strcmp(name, "immediate") == 0 || strcmp(name, "nat") == 0 ||
				       strcmp(name, "target") == 0
			       ? -EBADMSG
			       : 0; /* no data (counter, notrack): loads nothing */
	if (strcmp(name, "immediate") == 0)
		return immediate(data, regs, jumps);
	if (strcmp(name, "nat") == 0)
		return nat(s, where, data, regs);
	if (strcmp(name, "target") == 0)
		return target(s, family, where, data);
	/* anything else may load any register: forget what they held, so a
	 * range is read only from immediates that nothing overwrote since */
	memset(regs, 0, sizeof(*regs));
	return 0;
}

int snat_parse_rule(struct snat_facts *s, uint8_t family, const char *where,
		    struct nlattr *expressions, struct snat_jumps *jumps)
{
	struct registers regs = {0};
	struct nlattr *elem;
	int rem, r;

	nla_for_each_nested(elem, expressions, rem)
	{
		if ((r = expression(s, family, where, elem, &regs, jumps)) < 0)
			return r;
	}
	return rem > 0 ? -EBADMSG : 0;
}

/* ---- the legacy nat table */

int snat_parse_legacy(struct snat_facts *s, const void *table, size_t size)
{
	const uint8_t *base = table;

	for (size_t off = 0; off < size;) {
		const struct ipt_entry *e = (const struct ipt_entry *)(base + off);
		const struct xt_entry_target *t;
		char name[XT_EXTENSION_MAXNAMELEN];
		struct snat_rule r;

		if (size - off < sizeof(*e) || e->next_offset < sizeof(*e) ||
		    e->next_offset > size - off || e->target_offset < sizeof(*e) ||
		    (size_t)e->target_offset + sizeof(*t) > e->next_offset)
			return -EBADMSG;
		t = (const struct xt_entry_target *)(base + off + e->target_offset);
		if (t->u.target_size < sizeof(*t) ||
		    t->u.target_size > e->next_offset - e->target_offset)
			return -EBADMSG;
		memcpy(name, t->u.user.name, sizeof(name));
		name[sizeof(name) - 1] = '\0';
		if (xt_target(name, t->u.user.revision, NFPROTO_IPV4, t->data,
			      t->u.target_size - sizeof(*t), "iptables-legacy nat", &r) == 0)
			add_rule(s, &r);
		off += e->next_offset;
	}
	return 0;
}

int snat_read_legacy(struct snat_facts *s, unsigned size)
{
	struct ipt_get_entries *entries;
	socklen_t len = (socklen_t)(sizeof(*entries) + size);
	int fd, r;

	if (size > LEGACY_TABLE_MAX)
		return -EFBIG;
	if (!(entries = calloc(1, len)))
		return -ENOMEM;
	snprintf(entries->name, sizeof(entries->name), "nat");
	entries->size = size;
	fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	if (fd < 0) {
		r = -errno;
	} else {
		/* EAGAIN: the table changed size since IPT_SO_GET_INFO */
		r = getsockopt(fd, IPPROTO_IP, IPT_SO_GET_ENTRIES, entries, &len) < 0 ? -errno : 0;
		close(fd);
	}
	if (r == 0)
		r = snat_parse_legacy(s, entries->entrytable, entries->size);
	free(entries);
	return r;
}
