/* SPDX-License-Identifier: MIT */
/* nftables: which base chains translate addresses (type nat), and how
 * many rules they hold, from NFT_MSG_GETCHAIN and NFT_MSG_GETRULE dumps
 * parsed in place. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <netlink/socket.h>
#include <stdio.h>
#include <string.h>

#include "inspect/nat.h"
#include "inspect/nfnl.h"

/* nf_tables flags a dump NLM_F_DUMP_INTR when the ruleset changed under it
 * (nl_dump_check_consistent, since 3.13); nft itself simply asks again. */
#define NFT_DUMP_ATTEMPTS 3

/* Per-chain signals leave room for the ones added after the dumps:
 * iptables_nat_rules, conntrack_nat and the two forwarding knobs. */
#define NAT_SIGNALS_AFTER_CHAINS 4

#define NFT_MSG(m) ((uint16_t)((NFNL_SUBSYS_NFTABLES << 8) | (m)))

static const struct nla_policy chain_policy[NFTA_CHAIN_MAX + 1] = {
	[NFTA_CHAIN_TABLE] = {.type = NLA_STRING, .maxlen = NFT_TABLE_MAXNAMELEN},
	[NFTA_CHAIN_NAME] = {.type = NLA_STRING, .maxlen = NFT_CHAIN_MAXNAMELEN},
	[NFTA_CHAIN_HOOK] = {.type = NLA_NESTED},
	[NFTA_CHAIN_TYPE] = {.type = NLA_STRING},
};

static const struct nla_policy hook_policy[NFTA_HOOK_MAX + 1] = {
	[NFTA_HOOK_HOOKNUM] = {.type = NLA_U32},
};

static const struct nla_policy rule_policy[NFTA_RULE_MAX + 1] = {
	[NFTA_RULE_TABLE] = {.type = NLA_STRING, .maxlen = NFT_TABLE_MAXNAMELEN},
	[NFTA_RULE_CHAIN] = {.type = NLA_STRING, .maxlen = NFT_CHAIN_MAXNAMELEN},
	[NFTA_RULE_EXPRESSIONS] = {.type = NLA_NESTED},
};

static const char *family_name(uint8_t family)
{
	switch (family) {
	case NFPROTO_IPV4: return "ip";
	case NFPROTO_IPV6: return "ip6";
	case NFPROTO_INET: return "inet";
	case NFPROTO_ARP: return "arp";
	case NFPROTO_BRIDGE: return "bridge";
	case NFPROTO_NETDEV: return "netdev";
	default: return "unknown";
	}
}

/* Hook numbers mean different things per family (linux/netfilter.h,
 * netfilter_arp.h); nat chains exist only in ip, ip6 and inet tables. */
static const char *hook_name(uint8_t family, uint32_t hook)
{
	static const char *const inet[] = {
		"prerouting", "input", "forward", "output", "postrouting", "ingress",
	};
	static const char *const arp[] = {"input", "output", "forward"};
	static const char *const netdev[] = {"ingress", "egress"};

	switch (family) {
	case NFPROTO_ARP: return hook < 3 ? arp[hook] : "unknown";
	case NFPROTO_NETDEV: return hook < 2 ? netdev[hook] : "unknown";
	default: return hook < 6 ? inet[hook] : "unknown";
	}
}

void nft_scan_begin(struct nft_scan *s, struct nat_facts *nat)
{
	memset(s, 0, sizeof(*s));
	s->nat = nat;
	nat->nft_nat_chains = 0;
	nat->nodeport_chain[0] = '\0';
	nat->nft_nat_rules = 0;
	snat_rules_reset(&nat->snat);
}

static void remember_chain(struct nft_scan *s, uint8_t family, const char *table, const char *chain,
			   uint32_t hook)
{
	struct nft_chain_ref *ref;

	if (s->chain_count >= NFT_NAT_CHAINS_TRACKED) {
		s->chains_truncated = true;
		return;
	}
	ref = &s->chains[s->chain_count++];
	ref->family = family;
	snprintf(ref->table, sizeof(ref->table), "%s", table);
	snprintf(ref->chain, sizeof(ref->chain), "%s", chain);
	/* masquerade is valid at postrouting only, snat there and at input
	 * (nft_masq_validate, nft_nat_validate) */
	ref->snat = hook == NF_INET_POST_ROUTING || hook == NF_INET_LOCAL_IN;
}

/* A regular chain that REF jumps to, to be read for masquerade and snat
 * after the base chains (once, and at most SNAT_JUMPS_TRACKED of them). */
static void follow_chain(struct nft_scan *s, const struct nft_chain_ref *ref, const char *chain)
{
	struct nft_chain_ref *next;
	size_t len;

	for (unsigned i = 0; i < s->followed_count; i++)
		if (s->followed[i].family == ref->family &&
		    strcmp(s->followed[i].table, ref->table) == 0 &&
		    strcmp(s->followed[i].chain, chain) == 0)
			return;
	if (s->followed_count == SNAT_JUMPS_TRACKED) {
		s->jumps.truncated = true;
		return;
	}
	next = &s->followed[s->followed_count++];
	*next = *ref;
	/* CHAIN is one of s->jumps: never the same bytes as NEXT's */
	len = strnlen(chain, sizeof(next->chain) - 1);
	memcpy(next->chain, chain, len);
	next->chain[len] = '\0';
	next->jumped = true;
}

/* kube-proxy serves NodePorts from chain KUBE-NODEPORTS of the nat table
 * in iptables mode (iptables-nft shows it here), and from chains named
 * nodeport-* of table kube-proxy in nftables mode: either means the
 * NodePort range is in use on this node. */
static void note_nodeport_chain(struct nat_facts *nat, uint8_t family, struct nlattr **tb)
{
	const char *table, *chain;

	if (nat->nodeport_chain[0] || !tb[NFTA_CHAIN_TABLE] || !tb[NFTA_CHAIN_NAME])
		return;
	table = nla_get_string(tb[NFTA_CHAIN_TABLE]);
	chain = nla_get_string(tb[NFTA_CHAIN_NAME]);
	if (strcmp(chain, "KUBE-NODEPORTS") == 0 ||
	    (strcmp(table, "kube-proxy") == 0 && strncmp(chain, "nodeport", 8) == 0))
		snprintf(nat->nodeport_chain, sizeof(nat->nodeport_chain), "%s %s/%s",
			 family_name(family), table, chain);
}

/* Only base chains carry NFTA_CHAIN_TYPE: a regular chain that a nat chain
 * jumps to has no type, and its rules are not counted (an undercount on
 * hosts such as iptables-nft with user chains; the chain count is exact). */
int nat_parse_chain(struct nft_scan *s, const struct nlmsghdr *nlh)
{
	struct nlattr *tb[NFTA_CHAIN_MAX + 1], *hook[NFTA_HOOK_MAX + 1];
	const char *table, *chain, *where = "unknown";
	uint32_t hooknum = UINT32_MAX;
	uint8_t family;

	if (nlh->nlmsg_type != NFT_MSG(NFT_MSG_NEWCHAIN) ||
	    nfnl_attrs(nlh, tb, NFTA_CHAIN_MAX, chain_policy) < 0)
		return -EBADMSG;
	note_nodeport_chain(s->nat, nfnl_family(nlh), tb);
	if (!tb[NFTA_CHAIN_TYPE] || strcmp(nla_get_string(tb[NFTA_CHAIN_TYPE]), "nat") != 0)
		return 0;
	if (!tb[NFTA_CHAIN_TABLE] || !tb[NFTA_CHAIN_NAME])
		return -EBADMSG;
	family = nfnl_family(nlh);
	table = nla_get_string(tb[NFTA_CHAIN_TABLE]);
	chain = nla_get_string(tb[NFTA_CHAIN_NAME]);
	if (tb[NFTA_CHAIN_HOOK]) {
		if (nfnl_nested(hook, NFTA_HOOK_MAX, tb[NFTA_CHAIN_HOOK], hook_policy) < 0)
			return -EBADMSG;
		if (hook[NFTA_HOOK_HOOKNUM]) {
			hooknum = ntohl(nla_get_u32(hook[NFTA_HOOK_HOOKNUM]));
			where = hook_name(family, hooknum);
		}
	}

	s->nat->nft_nat_chains++;
	remember_chain(s, family, table, chain, hooknum);
	if (s->nat->signal_count < NAT_MAX_SIGNALS - NAT_SIGNALS_AFTER_CHAINS)
		nat_add_signal(s->nat, "nft_nat_chain",
			       "nftables chain %s %s/%s (type nat, hook %s)", family_name(family),
			       table, chain, where);
	return 0;
}

static bool chain_is(const struct nft_chain_ref *ref, uint8_t family, const char *table,
		     const char *chain)
{
	return ref->family == family && strcmp(ref->table, table) == 0 &&
	       strcmp(ref->chain, chain) == 0;
}

/* The chain scanned that a rule belongs to, or NULL. */
static const struct nft_chain_ref *scanned_chain(const struct nft_scan *s, uint8_t family,
						 const char *table, const char *chain)
{
	if (s->only)
		return chain_is(s->only, family, table, chain) ? s->only : NULL;
	for (unsigned i = 0; i < s->chain_count; i++) {
		if (chain_is(&s->chains[i], family, table, chain))
			return &s->chains[i];
	}
	return NULL;
}

int nat_parse_rule(struct nft_scan *s, const struct nlmsghdr *nlh)
{
	struct nlattr *tb[NFTA_RULE_MAX + 1];
	const struct nft_chain_ref *ref;
	char where[sizeof(ref->table) + sizeof(ref->chain) + 16];
	uint8_t family = nfnl_family(nlh);

	if (nlh->nlmsg_type != NFT_MSG(NFT_MSG_NEWRULE) ||
	    nfnl_attrs(nlh, tb, NFTA_RULE_MAX, rule_policy) < 0)
		return -EBADMSG;
	if (!tb[NFTA_RULE_TABLE] || !tb[NFTA_RULE_CHAIN])
		return -EBADMSG;
	ref = scanned_chain(s, family, nla_get_string(tb[NFTA_RULE_TABLE]),
			    nla_get_string(tb[NFTA_RULE_CHAIN]));
	if (!ref)
		return 0;
	if (!ref->jumped)
		s->nat->nft_nat_rules++;
	if (!ref->snat || !tb[NFTA_RULE_EXPRESSIONS])
		return 0;
	snprintf(where, sizeof(where), "%s %s/%s", family_name(family), ref->table, ref->chain);
	return snat_parse_rule(&s->nat->snat, family, where, tb[NFTA_RULE_EXPRESSIONS], &s->jumps);
}

static int on_chain(struct nl_msg *msg, void *arg)
{
	struct nft_scan *s = arg;

	if (nat_parse_chain(s, nlmsg_hdr(msg)) < 0)
		s->malformed++;
	return NL_OK;
}

static int on_rule(struct nl_msg *msg, void *arg)
{
	struct nft_scan *s = arg;

	if (nat_parse_rule(s, nlmsg_hdr(msg)) < 0)
		s->malformed++;
	return NL_OK;
}

/* The rules of one nat chain, asked for by table and chain name, so the
 * dump is the size of that chain rather than of the whole ruleset: on a
 * host whose ruleset keeps changing (kube-proxy) a dump spanning several
 * recvmsg() batches is flagged NLM_F_DUMP_INTR almost every time, while one
 * that fits in a single batch never is. The filter is understood since the
 * 4.x series (nft_rule_dump_ctx); an older kernel sends every rule, and
 * s->only keeps the count to the chain asked for. */
static int dump_chain_rules(struct nl_sock *sk, struct nft_scan *s, const struct nft_chain_ref *ref)
{
	struct nl_msg *msg = nfnl_request(NFT_MSG(NFT_MSG_GETRULE), ref->family);
	int r;

	if (msg && (nla_put_string(msg, NFTA_RULE_TABLE, ref->table) < 0 ||
		    nla_put_string(msg, NFTA_RULE_CHAIN, ref->chain) < 0)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	s->only = ref;
	s->jumps.count = 0;
	r = nfnl_dump(sk, msg, on_rule, s);
	s->only = NULL;
	for (unsigned i = 0; ref->snat && i < s->jumps.count; i++)
		follow_chain(s, ref, s->jumps.chain[i].chain);
	return r;
}

/* Chains, then the rules of each nat chain found. Separate dumps, not one
 * snapshot: a rule added between them may be missed, which a count can
 * bear (nft would compare NFT_MSG_GETGEN before and after). */
static int nft_scan(struct nl_sock *sk, struct nft_scan *s)
{
	int r = nfnl_dump(sk, nfnl_request(NFT_MSG(NFT_MSG_GETCHAIN), NFPROTO_UNSPEC), on_chain, s);
	bool interrupted = r == -EINTR;

	/* an interrupted dump still delivered every reply: carry on, so the
	 * last attempt's figures cover every chain */
	for (unsigned i = 0; (r == 0 || r == -EINTR) && i < s->chain_count; i++) {
		r = dump_chain_rules(sk, s, &s->chains[i]);
		interrupted |= r == -EINTR;
	}
	/* then the chains they jump to, and those these jump to, in turn */
	for (unsigned i = 0; (r == 0 || r == -EINTR) && i < s->followed_count; i++) {
		r = dump_chain_rules(sk, s, &s->followed[i]);
		interrupted |= r == -EINTR;
	}
	if (r < 0 && r != -EINTR)
		return r;
	return interrupted ? -EINTR : 0;
}

/* Turn the outcome of the dumps into the nftables evidence source. */
static int nft_record(struct nat_facts *nat, const struct nft_scan *s, int r)
{
	struct evidence_source *src = &nat->nftables;

	switch (r) {
	case 0: src->inspected = true; break;
	case -EPERM:
	case -EACCES:
		/* nfnetlink_rcv checks CAP_NET_ADMIN in the namespace's user
		 * namespace before anything else, for reads too. */
		nat_source_failed(src, "nftables: netlink refused: needs CAP_NET_ADMIN");
		return r;
	case -EINVAL:
	case -EOPNOTSUPP:
	case -ENOENT:
	case -EAFNOSUPPORT:
	case -EPROTONOSUPPORT:
		/* No nf_tables here, so no nftables NAT: a kernel without
		 * nfnetlink refuses the socket (EPROTONOSUPPORT); nfnetlink
		 * without the nf_tables subsystem, even after trying to load
		 * it, answers EINVAL (nfnetlink_rcv_msg). Inspected, nothing
		 * found. */
		src->inspected = true;
		return 0;
	case -EINTR:
		nat_source_partial(src,
				   "nftables: the ruleset changed during %d dumps in a row; "
				   "figures may be off",
				   NFT_DUMP_ATTEMPTS);
		break;
	default: nat_source_failed(src, "nftables: dump failed: %s", strerror(-r)); return r;
	}
	if (s->malformed)
		nat_source_partial(
			src, "nftables: %lu malformed replies skipped; figures are lower bounds",
			s->malformed);
	if (s->chains_truncated)
		nat_source_partial(
			src, "nftables: more than %d nat chains; rules counted in the first %d",
			NFT_NAT_CHAINS_TRACKED, NFT_NAT_CHAINS_TRACKED);
	if (s->jumps.truncated)
		nat_source_partial(src,
				   "nftables: source-NAT chains jump to more than %d chains; "
				   "masquerade and snat read in the first %d",
				   SNAT_JUMPS_TRACKED, SNAT_JUMPS_TRACKED);
	return 0;
}

int nat_dump_nftables(struct nat_facts *nat)
{
	const unsigned signals_before = nat->signal_count;
	struct nl_sock *sk;
	struct nft_scan s;
	int r;

	nft_scan_begin(&s, nat);
	r = nfnl_open(&sk);
	if (r == 0) {
		for (int attempt = 1;; attempt++) {
			nat->signal_count = signals_before;
			nft_scan_begin(&s, nat);
			r = nft_scan(sk, &s);
			if (r != -EINTR || attempt == NFT_DUMP_ATTEMPTS)
				break;
		}
		nl_socket_free(sk);
	}
	r = nft_record(nat, &s, r);
	if (!nat->nftables.inspected) {
		nat->signal_count = signals_before;
		nft_scan_begin(&s, nat);
	}
	return r;
}
