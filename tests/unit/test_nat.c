/* SPDX-License-Identifier: MIT */
/* NAT and conntrack: crafted nfnetlink replies fed to the chain, rule and
 * conntrack parsers as the kernel sends them, nat_conclude on fabricated
 * facts, and inspect_nat on a fabricated /proc tree (where netlink is never
 * asked). */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_tcp.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <netinet/in.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cmocka.h needs these included before it */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include "fixture.h"
#include "inspect/nat.h"
#include "inspect/sysctl.h"
#include "nfmsg.h"

#define NFT_TYPE(m) ((NFNL_SUBSYS_NFTABLES << 8) | (m))
#define CT_TYPE(m) ((NFNL_SUBSYS_CTNETLINK << 8) | (m))

/* Hook numbers as nf_tables sends them (enum nf_inet_hooks). */
enum { HOOK_PREROUTING, HOOK_INPUT, HOOK_FORWARD, HOOK_OUTPUT, HOOK_POSTROUTING };

struct nat_test {
	struct nat_facts nat;
	struct conntrack_facts ct;
	struct nft_scan scan;
};

static int nat_setup(void **state)
{
	struct nat_test *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	t->nat.iptables_nat_rules = -1;
	nft_scan_begin(&t->scan, &t->nat);
	*state = t;
	return 0;
}

static int nat_teardown(void **state)
{
	free(*state);
	return 0;
}

static struct nl_msg *reply(int type, uint8_t family)
{
	return nfmsg_reply(type, family);
}

/* NFT_MSG_NEWCHAIN as nf_tables_fill_chain_info sends it: a base chain has
 * a hook and a type, a regular chain (TYPE NULL) neither. */
static struct nl_msg *chain_msg(uint8_t family, const char *table, const char *chain,
				const char *type, uint32_t hook)
{
	struct nl_msg *msg = reply(NFT_TYPE(NFT_MSG_NEWCHAIN), family);
	struct nlattr *nest;

	assert_int_equal(nla_put_string(msg, NFTA_CHAIN_TABLE, table), 0);
	assert_int_equal(nla_put_string(msg, NFTA_CHAIN_NAME, chain), 0);
	if (type) {
		nest = nla_nest_start(msg, NFTA_CHAIN_HOOK | NLA_F_NESTED);
		assert_non_null(nest);
		assert_int_equal(nla_put_u32(msg, NFTA_HOOK_HOOKNUM, htonl(hook)), 0);
		assert_int_equal(nla_put_u32(msg, NFTA_HOOK_PRIORITY, htonl(100)), 0);
		nla_nest_end(msg, nest);
		assert_int_equal(nla_put_u32(msg, NFTA_CHAIN_POLICY, htonl(NF_ACCEPT)), 0);
		assert_int_equal(nla_put_string(msg, NFTA_CHAIN_TYPE, type), 0);
	}
	return msg;
}

static int feed_chain(struct nat_test *t, uint8_t family, const char *table, const char *chain,
		      const char *type, uint32_t hook)
{
	struct nl_msg *msg = chain_msg(family, table, chain, type, hook);
	int r = nat_parse_chain(&t->scan, nlmsg_hdr(msg));

	nlmsg_free(msg);
	return r;
}

static int feed_rule(struct nat_test *t, uint8_t family, const char *table, const char *chain)
{
	struct nl_msg *msg = reply(NFT_TYPE(NFT_MSG_NEWRULE), family);
	struct nlattr *exprs;
	int r;

	assert_int_equal(nla_put_string(msg, NFTA_RULE_TABLE, table), 0);
	assert_int_equal(nla_put_string(msg, NFTA_RULE_CHAIN, chain), 0);
	assert_int_equal(nla_put_u64(msg, NFTA_RULE_HANDLE, 4), 0);
	exprs = nla_nest_start(msg, NFTA_RULE_EXPRESSIONS | NLA_F_NESTED);
	nla_nest_end(msg, exprs);
	r = nat_parse_rule(&t->scan, nlmsg_hdr(msg));
	nlmsg_free(msg);
	return r;
}

struct ct_entry {
	uint8_t protocol;
	uint32_t status;
	int tcp_state; /* -1: no CTA_PROTOINFO (UDP, ICMP) */
};

static void put_tuple(struct nl_msg *msg, int type, uint8_t protocol, uint16_t sport,
		      uint16_t dport)
{
	struct nlattr *tuple = nla_nest_start(msg, type | NLA_F_NESTED);
	struct nlattr *ip = nla_nest_start(msg, CTA_TUPLE_IP | NLA_F_NESTED);
	struct nlattr *proto;

	assert_int_equal(nla_put_u32(msg, CTA_IP_V4_SRC, htonl(0x0a000002)), 0);
	assert_int_equal(nla_put_u32(msg, CTA_IP_V4_DST, htonl(0x0a000001)), 0);
	nla_nest_end(msg, ip);
	proto = nla_nest_start(msg, CTA_TUPLE_PROTO | NLA_F_NESTED);
	assert_int_equal(nla_put_u8(msg, CTA_PROTO_NUM, protocol), 0);
	assert_int_equal(nla_put_u16(msg, CTA_PROTO_SRC_PORT, htons(sport)), 0);
	assert_int_equal(nla_put_u16(msg, CTA_PROTO_DST_PORT, htons(dport)), 0);
	nla_nest_end(msg, proto);
	nla_nest_end(msg, tuple);
}

/* A conntrack dump reply as ctnetlink_fill_info sends it (type CT_NEW):
 * the original and reply tuples, status, timeout, TCP protocol
 * information. */
static struct nl_msg *ct_msg(int type, const struct ct_entry *e)
{
	struct nl_msg *msg = reply(CT_TYPE(type), AF_INET);

	put_tuple(msg, CTA_TUPLE_ORIG, e->protocol, 40000, 80);
	put_tuple(msg, CTA_TUPLE_REPLY, e->protocol, 80, 40000);
	assert_int_equal(nla_put_u32(msg, CTA_STATUS, htonl(e->status)), 0);
	assert_int_equal(nla_put_u32(msg, CTA_TIMEOUT, htonl(110)), 0);
	if (e->tcp_state >= 0) {
		struct nlattr *info = nla_nest_start(msg, CTA_PROTOINFO | NLA_F_NESTED);
		struct nlattr *tcp = nla_nest_start(msg, CTA_PROTOINFO_TCP | NLA_F_NESTED);

		assert_int_equal(nla_put_u8(msg, CTA_PROTOINFO_TCP_STATE, (uint8_t)e->tcp_state),
				 0);
		nla_nest_end(msg, tcp);
		nla_nest_end(msg, info);
	}
	return msg;
}

static int feed_ct(struct nat_test *t, const struct ct_entry *e)
{
	struct nl_msg *msg = ct_msg(IPCTNL_MSG_CT_NEW, e);
	int r = nat_parse_conntrack(&t->ct, nlmsg_hdr(msg));

	nlmsg_free(msg);
	return r;
}

/* --- nftables chains --- */

static void test_nat_chain_counted(void **state)
{
	struct nat_test *t = *state;

	assert_int_equal(feed_chain(t, NFPROTO_IPV4, "nat", "POSTROUTING", "nat", HOOK_POSTROUTING),
			 0);
	assert_int_equal(t->nat.nft_nat_chains, 1);
	assert_int_equal(t->scan.chain_count, 1);
	assert_int_equal(t->nat.signal_count, 1);
	assert_string_equal(t->nat.signals[0].name, "nft_nat_chain");
	assert_string_equal(t->nat.signals[0].detail,
			    "nftables chain ip nat/POSTROUTING (type nat, hook postrouting)");
}

static void test_chain_family_and_hook_names(void **state)
{
	struct nat_test *t = *state;

	assert_int_equal(feed_chain(t, NFPROTO_INET, "fw", "pre", "nat", HOOK_PREROUTING), 0);
	assert_int_equal(feed_chain(t, NFPROTO_IPV6, "nat6", "out", "nat", HOOK_OUTPUT), 0);
	assert_int_equal(feed_chain(t, NFPROTO_IPV4, "nat", "in", "nat", HOOK_INPUT), 0);
	assert_int_equal(t->nat.nft_nat_chains, 3);
	assert_string_equal(t->nat.signals[0].detail,
			    "nftables chain inet fw/pre (type nat, hook prerouting)");
	assert_string_equal(t->nat.signals[1].detail,
			    "nftables chain ip6 nat6/out (type nat, hook output)");
	assert_string_equal(t->nat.signals[2].detail,
			    "nftables chain ip nat/in (type nat, hook input)");
}

static void test_non_nat_chains_ignored(void **state)
{
	struct nat_test *t = *state;

	/* a filter base chain, a route chain, and a regular chain (no type,
	 * no hook) even in a table called nat */
	assert_int_equal(feed_chain(t, NFPROTO_INET, "filter", "input", "filter", HOOK_INPUT), 0);
	assert_int_equal(feed_chain(t, NFPROTO_IPV4, "mangle", "out", "route", HOOK_OUTPUT), 0);
	assert_int_equal(feed_chain(t, NFPROTO_IPV4, "nat", "DOCKER", NULL, 0), 0);
	assert_int_equal(t->nat.nft_nat_chains, 0);
	assert_int_equal(t->scan.chain_count, 0);
	assert_int_equal(t->nat.signal_count, 0);
}

static void test_many_nat_chains_bounded(void **state)
{
	struct nat_test *t = *state;
	char name[32];

	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "post%d", i);
		assert_int_equal(feed_chain(t, NFPROTO_IPV4, "nat", name, "nat", HOOK_POSTROUTING),
				 0);
	}
	assert_int_equal(t->nat.nft_nat_chains, 40);
	assert_int_equal(t->scan.chain_count, NFT_NAT_CHAINS_TRACKED);
	assert_true(t->scan.chains_truncated);
	/* room is left for the summary signals nat_conclude adds */
	assert_true(t->nat.signal_count < NAT_MAX_SIGNALS);
	assert_string_equal(t->nat.signals[0].detail,
			    "nftables chain ip nat/post0 (type nat, hook postrouting)");
}

/* --- nftables rules --- */

static void test_rules_in_nat_chains_counted(void **state)
{
	struct nat_test *t = *state;

	feed_chain(t, NFPROTO_IPV4, "nat", "POSTROUTING", "nat", HOOK_POSTROUTING);
	feed_chain(t, NFPROTO_INET, "fw", "dstnat", "nat", HOOK_PREROUTING);
	feed_chain(t, NFPROTO_IPV4, "nat", "DOCKER", NULL, 0);
	feed_chain(t, NFPROTO_INET, "fw", "input", "filter", HOOK_INPUT);

	assert_int_equal(feed_rule(t, NFPROTO_IPV4, "nat", "POSTROUTING"), 0);
	assert_int_equal(feed_rule(t, NFPROTO_IPV4, "nat", "POSTROUTING"), 0);
	assert_int_equal(feed_rule(t, NFPROTO_INET, "fw", "dstnat"), 0);
	/* not counted: a regular chain, a filter chain, the same names in
	 * another family, a prefix of a nat chain's name */
	assert_int_equal(feed_rule(t, NFPROTO_IPV4, "nat", "DOCKER"), 0);
	assert_int_equal(feed_rule(t, NFPROTO_INET, "fw", "input"), 0);
	assert_int_equal(feed_rule(t, NFPROTO_IPV6, "nat", "POSTROUTING"), 0);
	assert_int_equal(feed_rule(t, NFPROTO_IPV4, "nat", "POST"), 0);
	assert_int_equal(t->nat.nft_nat_rules, 3);
	assert_int_equal(t->nat.nft_nat_chains, 2);
}

static void test_rules_of_one_chain(void **state)
{
	struct nat_test *t = *state;

	feed_chain(t, NFPROTO_IPV4, "nat", "POSTROUTING", "nat", HOOK_POSTROUTING);
	feed_chain(t, NFPROTO_IPV4, "nat", "PREROUTING", "nat", HOOK_PREROUTING);
	/* a kernel that ignores the dump filter sends every rule */
	t->scan.only = &t->scan.chains[1];
	feed_rule(t, NFPROTO_IPV4, "nat", "POSTROUTING");
	feed_rule(t, NFPROTO_IPV4, "nat", "PREROUTING");
	assert_int_equal(t->nat.nft_nat_rules, 1);
}

/* --- conntrack --- */

static void test_conntrack_entries_counted(void **state)
{
	struct nat_test *t = *state;
	const struct ct_entry entries[] = {
		{IPPROTO_TCP, IPS_CONFIRMED | IPS_SRC_NAT | IPS_SRC_NAT_DONE,
		 TCP_CONNTRACK_TIME_WAIT},
		{IPPROTO_TCP, IPS_CONFIRMED | IPS_DST_NAT | IPS_DST_NAT_DONE,
		 TCP_CONNTRACK_ESTABLISHED},
		{IPPROTO_TCP, IPS_CONFIRMED | IPS_ASSURED, TCP_CONNTRACK_TIME_WAIT},
		{IPPROTO_TCP, IPS_CONFIRMED, TCP_CONNTRACK_CLOSE},
		/* a NAT'ed UDP flow: NAT counted, neither TCP nor TIME_WAIT */
		{IPPROTO_UDP, IPS_CONFIRMED | IPS_SRC_NAT | IPS_DST_NAT, -1},
		/* the *_NAT_DONE bits alone are a null binding, not a translation */
		{IPPROTO_ICMP, IPS_CONFIRMED | IPS_SRC_NAT_DONE | IPS_DST_NAT_DONE, -1},
	};

	for (size_t i = 0; i < sizeof(entries) / sizeof(entries[0]); i++)
		assert_int_equal(feed_ct(t, &entries[i]), 0);
	assert_int_equal(t->ct.entries, 6);
	assert_int_equal(t->ct.tcp, 4);
	assert_int_equal(t->ct.time_wait, 2);
	assert_int_equal(t->ct.snat, 2);
	assert_int_equal(t->ct.dnat, 2);
}

static void test_conntrack_get_type_accepted(void **state)
{
	struct nat_test *t = *state;
	const struct ct_entry e = {IPPROTO_TCP, IPS_SRC_NAT, TCP_CONNTRACK_TIME_WAIT};
	struct nl_msg *msg = ct_msg(IPCTNL_MSG_CT_GET, &e);

	assert_int_equal(nat_parse_conntrack(&t->ct, nlmsg_hdr(msg)), 0);
	nlmsg_free(msg);
	assert_int_equal(t->ct.entries, 1);
	assert_int_equal(t->ct.time_wait, 1);
	assert_int_equal(t->ct.snat, 1);
}

/* --- malformed replies --- */

/* A header claiming LEN bytes of TYPE, followed by zeros. */
static struct nlmsghdr *short_message(uint8_t *buf, size_t size, uint16_t type, uint32_t len)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;

	memset(buf, 0, size);
	nlh->nlmsg_len = len;
	nlh->nlmsg_type = type;
	return nlh;
}

static void test_short_messages_rejected(void **state)
{
	struct nat_test *t = *state;
	_Alignas(struct nlmsghdr) uint8_t buf[64];
	const uint32_t lens[] = {0, NLMSG_HDRLEN, NLMSG_HDRLEN + 2};

	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		struct nlmsghdr *nlh;

		nlh = short_message(buf, sizeof(buf), NFT_TYPE(NFT_MSG_NEWCHAIN), lens[i]);
		assert_int_equal(nat_parse_chain(&t->scan, nlh), -EBADMSG);
		nlh = short_message(buf, sizeof(buf), NFT_TYPE(NFT_MSG_NEWRULE), lens[i]);
		assert_int_equal(nat_parse_rule(&t->scan, nlh), -EBADMSG);
		nlh = short_message(buf, sizeof(buf), CT_TYPE(IPCTNL_MSG_CT_NEW), lens[i]);
		assert_int_equal(nat_parse_conntrack(&t->ct, nlh), -EBADMSG);
	}
	assert_int_equal(t->ct.entries, 0);
	assert_int_equal(t->nat.nft_nat_chains, 0);
}

static void test_wrong_type_rejected(void **state)
{
	struct nat_test *t = *state;
	struct nl_msg *msg = reply(NFT_TYPE(NFT_MSG_NEWTABLE), NFPROTO_IPV4);

	assert_int_equal(nla_put_string(msg, NFTA_CHAIN_TYPE, "nat"), 0);
	assert_int_equal(nat_parse_chain(&t->scan, nlmsg_hdr(msg)), -EBADMSG);
	assert_int_equal(nat_parse_rule(&t->scan, nlmsg_hdr(msg)), -EBADMSG);
	assert_int_equal(nat_parse_conntrack(&t->ct, nlmsg_hdr(msg)), -EBADMSG);
	nlmsg_free(msg);
	assert_int_equal(t->nat.nft_nat_chains, 0);
	assert_int_equal(t->ct.entries, 0);
}

static void test_malformed_attributes_rejected(void **state)
{
	struct nat_test *t = *state;
	const char unterminated[3] = {'n', 'a', 't'};
	struct nl_msg *msg;
	struct nlattr *nest;

	/* a chain type without its NUL */
	msg = reply(NFT_TYPE(NFT_MSG_NEWCHAIN), NFPROTO_IPV4);
	nla_put_string(msg, NFTA_CHAIN_TABLE, "nat");
	nla_put_string(msg, NFTA_CHAIN_NAME, "post");
	nla_put(msg, NFTA_CHAIN_TYPE, sizeof(unterminated), unterminated);
	assert_int_equal(nat_parse_chain(&t->scan, nlmsg_hdr(msg)), -EBADMSG);
	nlmsg_free(msg);

	/* a nat chain without its table */
	msg = reply(NFT_TYPE(NFT_MSG_NEWCHAIN), NFPROTO_IPV4);
	nla_put_string(msg, NFTA_CHAIN_NAME, "post");
	nla_put_string(msg, NFTA_CHAIN_TYPE, "nat");
	assert_int_equal(nat_parse_chain(&t->scan, nlmsg_hdr(msg)), -EBADMSG);
	nlmsg_free(msg);

	/* a hook number of two bytes */
	msg = reply(NFT_TYPE(NFT_MSG_NEWCHAIN), NFPROTO_IPV4);
	nla_put_string(msg, NFTA_CHAIN_TABLE, "nat");
	nla_put_string(msg, NFTA_CHAIN_NAME, "post");
	nest = nla_nest_start(msg, NFTA_CHAIN_HOOK | NLA_F_NESTED);
	nla_put_u16(msg, NFTA_HOOK_HOOKNUM, 4);
	nla_nest_end(msg, nest);
	nla_put_string(msg, NFTA_CHAIN_TYPE, "nat");
	assert_int_equal(nat_parse_chain(&t->scan, nlmsg_hdr(msg)), -EBADMSG);
	nlmsg_free(msg);

	/* a rule without its chain */
	msg = reply(NFT_TYPE(NFT_MSG_NEWRULE), NFPROTO_IPV4);
	nla_put_string(msg, NFTA_RULE_TABLE, "nat");
	assert_int_equal(nat_parse_rule(&t->scan, nlmsg_hdr(msg)), -EBADMSG);
	nlmsg_free(msg);

	/* a conntrack status of two bytes */
	msg = reply(CT_TYPE(IPCTNL_MSG_CT_NEW), AF_INET);
	nla_put_u16(msg, CTA_STATUS, 0xffff);
	assert_int_equal(nat_parse_conntrack(&t->ct, nlmsg_hdr(msg)), -EBADMSG);
	nlmsg_free(msg);

	/* an empty TCP state inside the protocol information */
	msg = reply(CT_TYPE(IPCTNL_MSG_CT_NEW), AF_INET);
	put_tuple(msg, CTA_TUPLE_ORIG, IPPROTO_TCP, 1, 2);
	nest = nla_nest_start(msg, CTA_PROTOINFO | NLA_F_NESTED);
	{
		struct nlattr *tcp = nla_nest_start(msg, CTA_PROTOINFO_TCP | NLA_F_NESTED);

		nla_put(msg, CTA_PROTOINFO_TCP_STATE, 0, NULL);
		nla_nest_end(msg, tcp);
	}
	nla_nest_end(msg, nest);
	assert_int_equal(nat_parse_conntrack(&t->ct, nlmsg_hdr(msg)), -EBADMSG);
	nlmsg_free(msg);

	/* an attribute running past the end of the message */
	msg = reply(CT_TYPE(IPCTNL_MSG_CT_NEW), AF_INET);
	nla_put_u32(msg, CTA_STATUS, htonl(IPS_SRC_NAT));
	nlmsg_hdr(msg)->nlmsg_len -= 2;
	assert_int_equal(nat_parse_conntrack(&t->ct, nlmsg_hdr(msg)), -EBADMSG);
	nlmsg_free(msg);

	/* a nat chain whose type runs past the end of the message */
	msg = chain_msg(NFPROTO_IPV4, "nat", "post", "nat", HOOK_POSTROUTING);
	nlmsg_hdr(msg)->nlmsg_len -= 4;
	assert_int_equal(nat_parse_chain(&t->scan, nlmsg_hdr(msg)), -EBADMSG);
	nlmsg_free(msg);

	assert_int_equal(t->ct.entries, 0);
	assert_int_equal(t->nat.nft_nat_chains, 0);
	assert_int_equal(t->nat.nft_nat_rules, 0);
	assert_int_equal(t->ct.snat, 0);
}

/* --- nat_conclude --- */

static void inspected_all(struct tw_facts *f)
{
	f->nat.nftables.inspected = true;
	f->nat.iptables.inspected = true;
	f->nat.iptables_nat_rules = -1;
	f->conntrack.loaded = true;
	f->conntrack.dump.inspected = true;
}

static bool has_signal(const struct nat_facts *nat, const char *name)
{
	for (unsigned i = 0; i < nat->signal_count; i++)
		if (strcmp(nat->signals[i].name, name) == 0)
			return true;
	return false;
}

static void set_knob(struct tw_facts *f, enum knob_id id, const char *value)
{
	fixture_set_sysctl(f, id, value);
}

static void test_conclude_present_with_nat_chain(void **state)
{
	struct fixture *fx = *state;
	struct tw_facts *f = &fx->facts;
	struct nft_scan scan;

	inspected_all(f);
	/* conntrack refused: still a yes, the chain is evidence enough */
	f->conntrack.dump.inspected = false;
	nft_scan_begin(&scan, &f->nat);
	{
		struct nl_msg *msg =
			chain_msg(NFPROTO_IPV4, "nat", "post", "nat", HOOK_POSTROUTING);

		assert_int_equal(nat_parse_chain(&scan, nlmsg_hdr(msg)), 0);
		nlmsg_free(msg);
	}
	nat_conclude(f);
	assert_int_equal(f->nat.present, 1);
	assert_true(has_signal(&f->nat, "nft_nat_chain"));
}

static void test_conclude_present_with_conntrack_nat(void **state)
{
	struct fixture *fx = *state;
	struct tw_facts *f = &fx->facts;

	inspected_all(f);
	f->conntrack.entries = 10;
	f->conntrack.dnat = 3;
	nat_conclude(f);
	assert_int_equal(f->nat.present, 1);
	assert_true(has_signal(&f->nat, "conntrack_nat"));
	assert_string_equal(f->nat.signals[0].detail,
			    "3 of 10 conntrack entries carry NAT (0 source, 3 destination)");
}

static void test_conclude_absent_when_all_inspected(void **state)
{
	struct fixture *fx = *state;
	struct tw_facts *f = &fx->facts;

	inspected_all(f);
	f->nat.iptables_nat_rules = 0; /* a legacy nat table, empty */
	f->conntrack.entries = 500;
	f->conntrack.tcp = 500;
	nat_conclude(f);
	assert_int_equal(f->nat.present, 0);
	assert_int_equal(f->nat.signal_count, 0);
}

static void test_conclude_absent_without_conntrack(void **state)
{
	struct fixture *fx = *state;
	struct tw_facts *f = &fx->facts;

	inspected_all(f);
	/* no nf_conntrack: there is no table to dump, nothing is missing */
	f->conntrack.loaded = false;
	f->conntrack.dump.inspected = false;
	nat_conclude(f);
	assert_int_equal(f->nat.present, 0);
}

static void test_conclude_unknown_when_not_inspected(void **state)
{
	struct fixture *fx = *state;
	struct tw_facts *f = &fx->facts;

	inspected_all(f);
	f->nat.nftables.inspected = false;
	nat_conclude(f);
	assert_int_equal(f->nat.present, -1);

	memset(&f->nat, 0, sizeof(f->nat));
	inspected_all(f);
	f->conntrack.dump.inspected = false; /* loaded, but refused */
	nat_conclude(f);
	assert_int_equal(f->nat.present, -1);

	memset(&f->nat, 0, sizeof(f->nat));
	inspected_all(f);
	f->nat.iptables.inspected = false;
	nat_conclude(f);
	assert_int_equal(f->nat.present, -1);
}

static void test_conclude_forwarding_alone_is_not_nat(void **state)
{
	struct fixture *fx = *state;
	struct tw_facts *f = &fx->facts;

	set_knob(f, KNOB_IP_FORWARD, "1");
	set_knob(f, KNOB_IPV6_FORWARDING, "1");
	inspected_all(f);
	nat_conclude(f);
	assert_int_equal(f->nat.present, 0);
	assert_true(has_signal(&f->nat, "ipv4_forwarding"));
	assert_true(has_signal(&f->nat, "ipv6_forwarding"));

	/* and with a source missing it stays unknown, not yes */
	memset(&f->nat, 0, sizeof(f->nat));
	inspected_all(f);
	f->conntrack.dump.inspected = false;
	nat_conclude(f);
	assert_int_equal(f->nat.present, -1);
}

/* --- inspect_nat on a fabricated tree --- */

static void test_fabricated_tree_with_conntrack(void **state)
{
	struct fixture *fx = *state;
	struct tw_facts *f = &fx->facts;

	fixture_write(fx->root, "sys/net/ipv4/ip_forward", "1\n");
	fixture_write(fx->root, "sys/net/netfilter/nf_conntrack_max", "262144\n");
	fixture_write(fx->root, "sys/net/netfilter/nf_conntrack_tcp_timeout_time_wait", "120\n");
	fixture_write(fx->root, "sys/net/netfilter/nf_conntrack_count", "31337\n");
	/* a tree copied from a legacy-iptables NAT gateway: still not asked */
	fixture_write(fx->root, "net/ip_tables_names", "filter\nnat\n");
	inspect_sysctls(fx->root, f);
	inspect_nat(fx->root, f);

	assert_true(f->conntrack.loaded);
	assert_true(f->conntrack.count_known);
	assert_int_equal(f->conntrack.count, 31337);
	assert_true(f->conntrack.max_known);
	assert_int_equal(f->conntrack.max, 262144);
	assert_true(f->conntrack.timeout_known);
	assert_int_equal(f->conntrack.time_wait_timeout, 120);

	assert_false(f->nat.nftables.inspected);
	assert_false(f->nat.iptables.inspected);
	assert_false(f->conntrack.dump.inspected);
	assert_non_null(strstr(f->nat.nftables.error, "no kernel behind it"));
	assert_non_null(strstr(f->nat.iptables.error, "no kernel behind it"));
	/* the tree has no net/nf_conntrack: the text table is named */
	assert_non_null(strstr(f->conntrack.dump.error, "net/nf_conntrack: No such file"));
	assert_int_equal(f->nat.iptables_nat_rules, -1);
	assert_int_equal(f->conntrack.entries, 0);

	/* forwarding is shown, but decides nothing */
	assert_int_equal(f->nat.present, -1);
	assert_true(has_signal(&f->nat, "ipv4_forwarding"));
}

/* A count file that says no number was taken for "unknown" without a word. */
static void test_fabricated_tree_bad_count_named(void **state)
{
	struct fixture *fx = *state;
	struct tw_facts *f = &fx->facts;

	fixture_write(fx->root, "sys/net/netfilter/nf_conntrack_max", "64\n");
	fixture_write(fx->root, "sys/net/netfilter/nf_conntrack_count", "0x10\n");
	inspect_sysctls(fx->root, f);
	inspect_nat(fx->root, f);
	assert_true(f->conntrack.loaded);
	assert_false(f->conntrack.count_known);
	assert_non_null(fixture_find_error(f, "conntrack",
					   "sys/net/netfilter/nf_conntrack_count: '0x10' is not "
					   "written in plain decimal digits"));
}

/* A copied tree that carries /proc/net/nf_conntrack: the entries are
 * counted from the text, and the reply tuples show the translation. */
static void test_fabricated_tree_conntrack_text(void **state)
{
	struct fixture *fx = *state;
	struct tw_facts *f = &fx->facts;

	fixture_write(fx->root, "sys/net/netfilter/nf_conntrack_max", "64\n");
	fixture_write(fx->root, "sys/net/netfilter/nf_conntrack_count", "3\n");
	fixture_write(
		fx->root, "net/nf_conntrack",
		/* masqueraded: the reply goes to the gateway's address */
		"ipv4     2 tcp      6 119 TIME_WAIT src=10.77.1.2 dst=10.77.2.2 sport=53390 "
		"dport=8080 src=10.77.2.2 dst=10.77.2.1 sport=8080 dport=53390 [ASSURED] "
		"mark=0 zone=0 use=2\n"
		/* redirected: the reply comes from another address */
		"ipv4     2 tcp      6 431999 ESTABLISHED src=10.0.0.5 dst=10.96.0.10 sport=40000 "
		"dport=80 src=10.244.1.7 dst=10.0.0.5 sport=8080 dport=40000 [ASSURED] "
		"mark=0 zone=0 use=2\n"
		/* untranslated UDP */
		"ipv4     2 udp      17 29 src=10.0.0.5 dst=10.0.0.53 sport=5353 dport=53 "
		"src=10.0.0.53 dst=10.0.0.5 sport=53 dport=5353 mark=0 zone=0 use=2\n");
	inspect_sysctls(fx->root, f);
	inspect_nat(fx->root, f);

	assert_true(f->conntrack.dump.inspected);
	assert_int_equal(f->conntrack.entries, 3);
	assert_int_equal(f->conntrack.tcp, 2);
	assert_int_equal(f->conntrack.time_wait, 1);
	assert_int_equal(f->conntrack.snat, 1);
	assert_int_equal(f->conntrack.dnat, 1);
	assert_int_equal(f->nat.present, 1);
	assert_true(has_signal(&f->nat, "conntrack_nat"));
}

/* A malformed line names the file and line. */
static void test_fabricated_tree_conntrack_text_malformed(void **state)
{
	struct fixture *fx = *state;
	struct tw_facts *f = &fx->facts;

	fixture_write(fx->root, "sys/net/netfilter/nf_conntrack_max", "64\n");
	fixture_write(fx->root, "net/nf_conntrack",
		      "ipv4     2 tcp      6 119 TIME_WAIT src=10.77.1.2 dst=10.77.2.2 sport=1 "
		      "dport=2 src=10.77.2.2 dst=10.77.2.1 sport=2 dport=1 use=2\n"
		      "ipv4 2 tcp 6 garbage\n");
	inspect_sysctls(fx->root, f);
	inspect_nat(fx->root, f);
	assert_false(f->conntrack.dump.inspected);
	assert_non_null(strstr(f->conntrack.dump.error, "net/nf_conntrack:2: malformed entry"));
}

static void test_fabricated_tree_without_conntrack(void **state)
{
	struct fixture *fx = *state;
	struct tw_facts *f = &fx->facts;

	fixture_write(fx->root, "sys/net/ipv4/ip_forward", "0\n");
	inspect_sysctls(fx->root, f);
	inspect_nat(fx->root, f);

	assert_false(f->conntrack.loaded);
	assert_false(f->conntrack.count_known);
	assert_false(f->conntrack.max_known);
	assert_int_equal(f->nat.present, -1);
	assert_int_equal(f->nat.signal_count, 0);
}

static void test_count_file_alone_means_loaded(void **state)
{
	struct fixture *fx = *state;
	struct tw_facts *f = &fx->facts;

	/* a partial copy: the count, but not the sysctls */
	fixture_write(fx->root, "sys/net/netfilter/nf_conntrack_count", "12\n");
	inspect_sysctls(fx->root, f);
	inspect_nat(fx->root, f);
	assert_true(f->conntrack.loaded);
	assert_int_equal(f->conntrack.count, 12);
	assert_false(f->conntrack.max_known);
}

#define NAT_TEST(fn) cmocka_unit_test_setup_teardown(fn, nat_setup, nat_teardown)
#define FIXTURE_TEST(fn) cmocka_unit_test_setup_teardown(fn, fixture_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		NAT_TEST(test_nat_chain_counted),
		NAT_TEST(test_chain_family_and_hook_names),
		NAT_TEST(test_non_nat_chains_ignored),
		NAT_TEST(test_many_nat_chains_bounded),
		NAT_TEST(test_rules_in_nat_chains_counted),
		NAT_TEST(test_rules_of_one_chain),
		NAT_TEST(test_conntrack_entries_counted),
		NAT_TEST(test_conntrack_get_type_accepted),
		NAT_TEST(test_short_messages_rejected),
		NAT_TEST(test_wrong_type_rejected),
		NAT_TEST(test_malformed_attributes_rejected),
		FIXTURE_TEST(test_conclude_present_with_nat_chain),
		FIXTURE_TEST(test_conclude_present_with_conntrack_nat),
		FIXTURE_TEST(test_conclude_absent_when_all_inspected),
		FIXTURE_TEST(test_conclude_absent_without_conntrack),
		FIXTURE_TEST(test_conclude_unknown_when_not_inspected),
		FIXTURE_TEST(test_conclude_forwarding_alone_is_not_nat),
		FIXTURE_TEST(test_fabricated_tree_with_conntrack),
		FIXTURE_TEST(test_fabricated_tree_bad_count_named),
		FIXTURE_TEST(test_fabricated_tree_conntrack_text),
		FIXTURE_TEST(test_fabricated_tree_conntrack_text_malformed),
		FIXTURE_TEST(test_fabricated_tree_without_conntrack),
		FIXTURE_TEST(test_count_file_alone_means_loaded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
