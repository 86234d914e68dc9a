/* SPDX-License-Identifier: MIT */
/* Source NAT, as inspect reads it: conntrack's statistics (the text file
 * and ctnetlink's per-CPU replies), masquerade and snat rules from crafted
 * nftables rule dumps and a legacy nat table, and the tally of SNAT
 * entries per destination from crafted conntrack replies and a fabricated
 * /proc tree. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* after <netinet/in.h>: glibc's copy of the in.h structs must win */
/* clang-format off */
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_tcp.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_tables_compat.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
/* clang-format on */

/* cmocka.h needs these included before it */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include "fixture.h"
#include "inspect/counters.h"
#include "inspect/ct_stats.h"
#include "inspect/nat.h"
#include "inspect/snat.h"
#include "inspect/sysctl.h"
#include "nfmsg.h"

#define NFT_TYPE(m) ((NFNL_SUBSYS_NFTABLES << 8) | (m))
#define CT_TYPE(m) ((NFNL_SUBSYS_CTNETLINK << 8) | (m))

/* ------------------------------------------------ conntrack statistics */

/* Feed TEXT to the parser line by line: 0, or the first error. */
static int parse_stats(const char *text, struct counter out[CTR_COUNT], char *why, size_t whylen)
{
	struct ct_stats_text t;
	char *copy = strdup(text), *save = NULL;
	int r = 0;

	assert_non_null(copy);
	memset(out, 0, sizeof(struct counter) * CTR_COUNT);
	ct_stats_text_begin(&t);
	for (char *line = strtok_r(copy, "\n", &save); line && r == 0;
	     line = strtok_r(NULL, "\n", &save))
		r = ct_stats_text_line(&t, line, why, whylen);
	free(copy);
	if (r == 0)
		ct_stats_text_finish(&t, out);
	return r;
}

/* 4.9 names the columns differently: "searched" where 6.x has
 * "clashres", and no clash_resolve at all. */
static void test_stats_older_header(void **state)
{
	struct counter c[CTR_COUNT];
	char why[128] = "";

	(void)state;
	assert_int_equal(
		parse_stats("entries  searched found new invalid ignore delete delete_list "
			    "insert insert_failed drop early_drop icmp_error  expect_new "
			    "expect_create expect_delete search_restart\n"
			    "00000010  00000000 00000002 00000000 00000000 00000000 "
			    "00000000 00000000 00000007 0000000A 0000000b 00000001 "
			    "00000000  00000000 00000000 00000000 00000003\n",
			    c, why, sizeof(why)),
		0);
	assert_true(c[CTR_CT_INSERT_FAILED].present);
	assert_int_equal(c[CTR_CT_INSERT_FAILED].value, 10);
	assert_int_equal(c[CTR_CT_DROP].value, 11);
	assert_int_equal(c[CTR_CT_EARLY_DROP].value, 1);
	assert_int_equal(c[CTR_CT_SEARCH_RESTART].value, 3);
	assert_false(c[CTR_CT_CLASH_RESOLVE].present);
	/* not conntrack's: never touched */
	assert_false(c[CTR_TW].present);
}

/* Per-CPU values are summed into 64 bits: four CPUs near 2^32 do not wrap. */
static void test_stats_summed_wide(void **state)
{
	static const char line[] = "1 2 ffffffff\n";
	char text[256] = "entries insert_failed drop\n";
	struct counter c[CTR_COUNT];
	char why[128] = "";

	(void)state;
	for (int cpu = 0; cpu < 4; cpu++)
		strcat(text, line);
	assert_int_equal(parse_stats(text, c, why, sizeof(why)), 0);
	assert_int_equal(c[CTR_CT_INSERT_FAILED].value, 8);
	assert_int_equal(c[CTR_CT_DROP].value, 4 * 0xffffffffull);
}

static void test_stats_malformed(void **state)
{
	static const struct {
		const char *text, *why;
	} cases[] = {
		{"entries drop\n1\n", "1 values for the header's 2 columns"},
		{"entries drop\n1 2 3\n", "more values than the header's 2 columns"},
		{"entries drop\n1 0x2\n", "column 2: '0x2' is not a hexadecimal counter"},
		{"entries drop\n1 -2\n", "column 2: '-2' is not a hexadecimal counter"},
		{"entries drop\n1 10000000000000000\n", "is not a hexadecimal counter"},
		{"   \n", "no header naming the columns"},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct counter c[CTR_COUNT];
		char why[128] = "";

		assert_int_equal(parse_stats(cases[i].text, c, why, sizeof(why)), -EBADMSG);
		if (!strstr(why, cases[i].why))
			fail_msg("case %zu: '%s' does not say '%s'", i, why, cases[i].why);
	}
}

/* Through read_counters on a tree: an error names the file and line, and
 * the conntrack counters stay absent. */
static void test_stats_file_errors_named(void **state)
{
	static const struct {
		const char *text, *where, *why;
	} cases[] = {
		{"entries drop\n1 2\n1 zz\n", "net/stat/nf_conntrack:3:", "'zz' is not"},
		{"entries drop\n", "net/stat/nf_conntrack:2:", "no line of values"},
		{"", "net/stat/nf_conntrack:1:", "empty"},
	};
	struct fixture *fx = *state;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct counter c[CTR_COUNT];
		const char *msg;

		facts_free(&fx->facts);
		facts_init(&fx->facts);
		fixture_write(fx->root, "net/stat/nf_conntrack", cases[i].text);
		assert_int_equal(read_counters(fx->root, c, &fx->facts), 0);
		assert_false(c[CTR_CT_DROP].present);
		msg = fixture_find_error(&fx->facts, "conntrack", cases[i].where);
		if (!msg || !strstr(msg, cases[i].why))
			fail_msg("case %zu: no error at %s saying %s (%s)", i, cases[i].where,
				 cases[i].why, msg ? msg : "none");
	}
	/* no file at all: no nf_conntrack in that tree, nothing to say */
	facts_free(&fx->facts);
	facts_init(&fx->facts);
	fixture_unlink(fx->root, "net/stat/nf_conntrack");
	assert_int_equal(ct_stats_read(fx->root, (struct counter[CTR_COUNT]){{0}}, &fx->facts), 0);
	assert_int_equal(fx->facts.error_count, 0);
}

/* IPCTNL_MSG_CT_GET_STATS_CPU as ctnetlink_ct_stat_cpu_fill_info sends
 * it: big-endian u32 attributes, the CPU in res_id. */
static struct nl_msg *stats_msg(uint32_t insert_failed, uint32_t drop, bool clash_resolve)
{
	struct nl_msg *msg = nfmsg_reply(CT_TYPE(IPCTNL_MSG_CT_GET_STATS_CPU), AF_UNSPEC);

	assert_int_equal(nla_put_u32(msg, CTA_STATS_FOUND, htonl(9)), 0);
	assert_int_equal(nla_put_u32(msg, CTA_STATS_INSERT_FAILED, htonl(insert_failed)), 0);
	assert_int_equal(nla_put_u32(msg, CTA_STATS_DROP, htonl(drop)), 0);
	assert_int_equal(nla_put_u32(msg, CTA_STATS_EARLY_DROP, htonl(1)), 0);
	assert_int_equal(nla_put_u32(msg, CTA_STATS_SEARCH_RESTART, htonl(2)), 0);
	if (clash_resolve)
		assert_int_equal(nla_put_u32(msg, CTA_STATS_CLASH_RESOLVE, htonl(5)), 0);
	return msg;
}

static void test_stats_netlink(void **state)
{
	uint64_t sum[CTR_COUNT] = {0};
	bool seen[CTR_COUNT] = {false};
	struct nl_msg *msgs[] = {stats_msg(3, 4, false), stats_msg(0x80000000u, 1, false)};
	struct nl_msg *bad;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(msgs); i++) {
		assert_int_equal(ct_stats_parse_cpu(nlmsg_hdr(msgs[i]), sum, seen), 0);
		nlmsg_free(msgs[i]);
	}
	assert_true(seen[CTR_CT_INSERT_FAILED]);
	assert_int_equal(sum[CTR_CT_INSERT_FAILED], 0x80000003ull);
	assert_int_equal(sum[CTR_CT_DROP], 5);
	assert_int_equal(sum[CTR_CT_EARLY_DROP], 2);
	assert_int_equal(sum[CTR_CT_SEARCH_RESTART], 4);
	/* a kernel before clash_resolve (5.x) does not send it */
	assert_false(seen[CTR_CT_CLASH_RESOLVE]);

	/* another message type; a counter of two bytes */
	bad = nfmsg_reply(CT_TYPE(IPCTNL_MSG_CT_NEW), AF_UNSPEC);
	assert_int_equal(ct_stats_parse_cpu(nlmsg_hdr(bad), sum, seen), -EBADMSG);
	nlmsg_free(bad);
	bad = nfmsg_reply(CT_TYPE(IPCTNL_MSG_CT_GET_STATS_CPU), AF_UNSPEC);
	nla_put_u16(bad, CTA_STATS_DROP, 7);
	assert_int_equal(ct_stats_parse_cpu(nlmsg_hdr(bad), sum, seen), -EBADMSG);
	nlmsg_free(bad);
	assert_int_equal(sum[CTR_CT_DROP], 5);
}

/* ------------------------------------------------------ nftables rules */

struct rules_test {
	struct nat_facts nat;
	struct nft_scan scan;
};

static void base_chain(struct rules_test *t, const char *chain, uint32_t hook)
{
	struct nl_msg *msg = nfmsg_reply(NFT_TYPE(NFT_MSG_NEWCHAIN), NFPROTO_IPV4);
	struct nlattr *nest;

	nla_put_string(msg, NFTA_CHAIN_TABLE, "nat");
	nla_put_string(msg, NFTA_CHAIN_NAME, chain);
	nest = nla_nest_start(msg, NFTA_CHAIN_HOOK | NLA_F_NESTED);
	nla_put_u32(msg, NFTA_HOOK_HOOKNUM, htonl(hook));
	nla_nest_end(msg, nest);
	nla_put_string(msg, NFTA_CHAIN_TYPE, "nat");
	assert_int_equal(nat_parse_chain(&t->scan, nlmsg_hdr(msg)), 0);
	nlmsg_free(msg);
}

/* A scan that has seen the base chain ip nat/POSTROUTING. */
static int rules_setup(void **state)
{
	struct rules_test *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	nft_scan_begin(&t->scan, &t->nat);
	base_chain(t, "POSTROUTING", NF_INET_POST_ROUTING);
	*state = t;
	return 0;
}

static int rules_teardown(void **state)
{
	free(*state);
	return 0;
}

/* A rule of ip nat/CHAIN; expressions are added between rule_begin and
 * rule_end, as nf_tables_fill_rule_info nests them. */
struct rule_msg {
	struct nl_msg *msg;
	struct nlattr *list;
};

static struct rule_msg rule_begin(const char *chain)
{
	struct rule_msg r = {nfmsg_reply(NFT_TYPE(NFT_MSG_NEWRULE), NFPROTO_IPV4), NULL};

	nla_put_string(r.msg, NFTA_RULE_TABLE, "nat");
	nla_put_string(r.msg, NFTA_RULE_CHAIN, chain);
	nla_put_u64(r.msg, NFTA_RULE_HANDLE, 7);
	r.list = nla_nest_start(r.msg, NFTA_RULE_EXPRESSIONS | NLA_F_NESTED);
	return r;
}

static int rule_end(struct rules_test *t, struct rule_msg *r)
{
	int ret;

	nla_nest_end(r->msg, r->list);
	ret = nat_parse_rule(&t->scan, nlmsg_hdr(r->msg));
	nlmsg_free(r->msg);
	return ret;
}

/* One expression NAME; returns its NFTA_EXPR_DATA nest, to fill and end
 * with expr_end. */
static struct nlattr *expr_begin(struct rule_msg *r, const char *name, struct nlattr **elem)
{
	*elem = nla_nest_start(r->msg, NFTA_LIST_ELEM | NLA_F_NESTED);
	nla_put_string(r->msg, NFTA_EXPR_NAME, name);
	return nla_nest_start(r->msg, NFTA_EXPR_DATA | NLA_F_NESTED);
}

static void expr_end(struct rule_msg *r, struct nlattr *data, struct nlattr *elem)
{
	nla_nest_end(r->msg, data);
	nla_nest_end(r->msg, elem);
}

/* meta load oifname => reg 1: loads a register twtune cannot follow */
static void add_meta(struct rule_msg *r)
{
	struct nlattr *elem, *data = expr_begin(r, "meta", &elem);

	nla_put_u32(r->msg, NFTA_META_KEY, htonl(NFT_META_OIFNAME));
	nla_put_u32(r->msg, NFTA_META_DREG, htonl(NFT_REG_1));
	expr_end(r, data, elem);
}

/* immediate reg REG PORT, as nft loads a port: two bytes, big-endian */
static void add_port(struct rule_msg *r, uint32_t reg, uint16_t port)
{
	struct nlattr *elem, *data = expr_begin(r, "immediate", &elem), *value;
	uint16_t be = htons(port);

	nla_put_u32(r->msg, NFTA_IMMEDIATE_DREG, htonl(reg));
	value = nla_nest_start(r->msg, NFTA_IMMEDIATE_DATA | NLA_F_NESTED);
	nla_put(r->msg, NFTA_DATA_VALUE, sizeof(be), &be);
	nla_nest_end(r->msg, value);
	expr_end(r, data, elem);
}

/* immediate verdict: jump CHAIN (or goto) */
static void add_jump(struct rule_msg *r, int code, const char *chain)
{
	struct nlattr *elem, *data = expr_begin(r, "immediate", &elem), *value, *verdict;

	nla_put_u32(r->msg, NFTA_IMMEDIATE_DREG, htonl(NFT_REG_VERDICT));
	value = nla_nest_start(r->msg, NFTA_IMMEDIATE_DATA | NLA_F_NESTED);
	verdict = nla_nest_start(r->msg, NFTA_DATA_VERDICT | NLA_F_NESTED);
	nla_put_u32(r->msg, NFTA_VERDICT_CODE, htonl((uint32_t)code));
	nla_put_string(r->msg, NFTA_VERDICT_CHAIN, chain);
	nla_nest_end(r->msg, verdict);
	nla_nest_end(r->msg, value);
	expr_end(r, data, elem);
}

/* masq [flags F] [proto-min reg MIN proto-max reg MAX]; 0: left out */
static void add_masq(struct rule_msg *r, uint32_t flags, uint32_t min, uint32_t max)
{
	struct nlattr *elem, *data = expr_begin(r, "masq", &elem);

	if (flags)
		nla_put_u32(r->msg, NFTA_MASQ_FLAGS, htonl(flags));
	if (min)
		nla_put_u32(r->msg, NFTA_MASQ_REG_PROTO_MIN, htonl(min));
	if (max)
		nla_put_u32(r->msg, NFTA_MASQ_REG_PROTO_MAX, htonl(max));
	expr_end(r, data, elem);
}

static void add_nat(struct rule_msg *r, uint32_t type, uint32_t flags)
{
	struct nlattr *elem, *data = expr_begin(r, "nat", &elem);

	nla_put_u32(r->msg, NFTA_NAT_TYPE, htonl(type));
	nla_put_u32(r->msg, NFTA_NAT_FAMILY, htonl(NFPROTO_IPV4));
	nla_put_u32(r->msg, NFTA_NAT_REG_ADDR_MIN, htonl(NFT_REG_1));
	if (flags)
		nla_put_u32(r->msg, NFTA_NAT_FLAGS, htonl(flags));
	expr_end(r, data, elem);
}

/* iptables-nft: an x_tables target and its structure */
static void add_target(struct rule_msg *r, const char *name, uint32_t rev, const void *info,
		       size_t len)
{
	struct nlattr *elem, *data = expr_begin(r, "target", &elem);

	nla_put_string(r->msg, NFTA_TARGET_NAME, name);
	nla_put_u32(r->msg, NFTA_TARGET_REV, htonl(rev));
	nla_put(r->msg, NFTA_TARGET_INFO, (int)len, info);
	expr_end(r, data, elem);
}

static void assert_rule(const struct snat_facts *s, unsigned i, const char *where, const char *text)
{
	char buf[128];

	assert_true(i < s->rule_count);
	assert_string_equal(s->rule[i].where, where);
	assert_string_equal(snat_rule_text(&s->rule[i], buf, sizeof(buf)), text);
}

/* oifname "eth0" masquerade; masquerade to :20000-20009 fully-random, as
 * nft 1.0 compiles them; a range twtune cannot follow */
static void test_masquerade_rules(void **state)
{
	struct rules_test *t = *state;
	const struct snat_facts *s = &t->nat.snat;
	unsigned low, high;
	struct rule_msg r;

	r = rule_begin("POSTROUTING");
	add_meta(&r);
	add_masq(&r, 0, 0, 0);
	assert_int_equal(rule_end(t, &r), 0);
	assert_int_equal(snat_port_range(s, &low, &high), 64512);
	assert_int_equal(low, 1024);

	r = rule_begin("POSTROUTING");
	add_meta(&r);
	add_port(&r, NFT_REG_1, 20000);
	add_port(&r, NFT_REG_2, 20009);
	add_masq(&r, NF_NAT_RANGE_PROTO_SPECIFIED | NF_NAT_RANGE_PROTO_RANDOM_FULLY, NFT_REG_1,
		 NFT_REG_2);
	assert_int_equal(rule_end(t, &r), 0);

	assert_int_equal(t->nat.nft_nat_rules, 2);
	assert_int_equal(s->rules, 2);
	assert_int_equal(s->rules_without_fully_random, 1);
	assert_rule(s, 0, "ip nat/POSTROUTING", "masquerade");
	assert_rule(s, 1, "ip nat/POSTROUTING", "masquerade to :20000-20009 fully-random");
	assert_int_equal(snat_port_range(s, &low, &high), 10);
	assert_int_equal(low, 20000);
	assert_int_equal(high, 20009);

	/* a range whose registers something else loaded since is not guessed */
	r = rule_begin("POSTROUTING");
	add_port(&r, NFT_REG_1, 20000);
	add_meta(&r);
	add_port(&r, NFT_REG_2, 20009);
	add_masq(&r, NF_NAT_RANGE_PROTO_SPECIFIED, NFT_REG_1, NFT_REG_2);
	assert_int_equal(rule_end(t, &r), 0);
	assert_rule(s, 2, "ip nat/POSTROUTING", "masquerade to a port range");
	assert_false(s->rule[2].ports_known);
	assert_int_equal(snat_port_range(s, &low, &high), 10);
}

/* snat to ADDR random persistent, with 32-bit registers; a dnat is no
 * source NAT */
static void test_snat_and_dnat(void **state)
{
	struct rules_test *t = *state;
	const struct snat_facts *s = &t->nat.snat;
	struct rule_msg r;

	r = rule_begin("POSTROUTING");
	add_nat(&r, NFT_NAT_SNAT, NF_NAT_RANGE_PROTO_RANDOM | NF_NAT_RANGE_PERSISTENT);
	assert_int_equal(rule_end(t, &r), 0);
	r = rule_begin("POSTROUTING");
	add_nat(&r, NFT_NAT_DNAT, 0);
	assert_int_equal(rule_end(t, &r), 0);
	r = rule_begin("POSTROUTING");
	add_port(&r, NFT_REG32_08, 40000);
	add_nat(&r, NFT_NAT_SNAT, NF_NAT_RANGE_PROTO_RANDOM_FULLY);
	assert_int_equal(rule_end(t, &r), 0);

	assert_int_equal(s->rules, 2);
	assert_int_equal(s->rules_without_fully_random, 1);
	assert_rule(s, 0, "ip nat/POSTROUTING", "snat random persistent");
	assert_rule(s, 1, "ip nat/POSTROUTING", "snat fully-random");
}

/* iptables-nft: MASQUERADE --random-fully (revision 0, the IPv4 compat
 * layout) and SNAT --to-source A:1024-2047 (revision 2) */
static void test_iptables_nft_targets(void **state)
{
	struct rules_test *t = *state;
	const struct snat_facts *s = &t->nat.snat;
	struct nf_nat_ipv4_multi_range_compat masq = {.rangesize = 1};
	struct nf_nat_range2 snat = {.flags = NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED};
	struct rule_msg r;

	masq.range[0].flags = NF_NAT_RANGE_PROTO_RANDOM_FULLY;
	snat.min_proto.all = htons(1024);
	snat.max_proto.all = htons(2047);
	r = rule_begin("POSTROUTING");
	add_target(&r, "MASQUERADE", 0, &masq, sizeof(masq));
	assert_int_equal(rule_end(t, &r), 0);
	r = rule_begin("POSTROUTING");
	add_target(&r, "SNAT", 2, &snat, sizeof(snat));
	assert_int_equal(rule_end(t, &r), 0);
	/* not a source-NAT target */
	r = rule_begin("POSTROUTING");
	add_target(&r, "MARK", 2, &snat, 8);
	assert_int_equal(rule_end(t, &r), 0);

	assert_int_equal(s->rules, 2);
	assert_int_equal(s->rules_without_fully_random, 1);
	assert_rule(s, 0, "ip nat/POSTROUTING", "masquerade fully-random");
	assert_rule(s, 1, "ip nat/POSTROUTING", "snat to :1024-2047");

	/* a structure shorter than its revision's layout */
	r = rule_begin("POSTROUTING");
	add_target(&r, "SNAT", 2, &snat, sizeof(struct nf_nat_range) - 4);
	assert_int_equal(rule_end(t, &r), -EBADMSG);
}

/* kube-proxy's layout: POSTROUTING jumps to KUBE-POSTROUTING, where the
 * MASQUERADE is. Jumps are collected from source-NAT chains only. */
static void test_jumps_collected(void **state)
{
	struct rules_test *t = *state;
	struct rule_msg r;

	base_chain(t, "PREROUTING", NF_INET_PRE_ROUTING);
	assert_true(t->scan.chains[0].snat);
	assert_false(t->scan.chains[1].snat);

	r = rule_begin("POSTROUTING");
	add_jump(&r, NFT_JUMP, "KUBE-POSTROUTING");
	assert_int_equal(rule_end(t, &r), 0);
	r = rule_begin("POSTROUTING");
	add_jump(&r, NFT_GOTO, "DOCKER-POST");
	assert_int_equal(rule_end(t, &r), 0);
	r = rule_begin("POSTROUTING");
	add_jump(&r, NFT_JUMP, "KUBE-POSTROUTING"); /* once */
	assert_int_equal(rule_end(t, &r), 0);
	r = rule_begin("PREROUTING");
	add_jump(&r, NFT_JUMP, "KUBE-SERVICES");
	assert_int_equal(rule_end(t, &r), 0);

	assert_int_equal(t->scan.jumps.count, 2);
	assert_string_equal(t->scan.jumps.chain[0].chain, "KUBE-POSTROUTING");
	assert_string_equal(t->scan.jumps.chain[1].chain, "DOCKER-POST");
	assert_int_equal(t->nat.nft_nat_rules, 4);
	assert_int_equal(t->nat.snat.rules, 0);
}

/* A followed regular chain: its masquerade counts as a rule of source NAT,
 * not as a rule of a nat chain. */
static void test_followed_chain(void **state)
{
	struct rules_test *t = *state;
	struct nft_chain_ref followed = {.family = NFPROTO_IPV4, .snat = true, .jumped = true};
	struct rule_msg r;

	snprintf(followed.table, sizeof(followed.table), "nat");
	snprintf(followed.chain, sizeof(followed.chain), "KUBE-POSTROUTING");
	t->scan.only = &followed;
	r = rule_begin("KUBE-POSTROUTING");
	add_masq(&r, 0, 0, 0);
	assert_int_equal(rule_end(t, &r), 0);
	assert_int_equal(t->nat.nft_nat_rules, 0);
	assert_int_equal(t->nat.snat.rules, 1);
	assert_rule(&t->nat.snat, 0, "ip nat/KUBE-POSTROUTING", "masquerade");
}

/* Many rules: all counted, the first SNAT_MAX_RULES described. */
static void test_many_rules_bounded(void **state)
{
	struct rules_test *t = *state;
	struct rule_msg r;

	for (int i = 0; i < 3 * SNAT_MAX_RULES; i++) {
		r = rule_begin("POSTROUTING");
		add_masq(&r, i % 2 ? NF_NAT_RANGE_PROTO_RANDOM_FULLY : 0, 0, 0);
		assert_int_equal(rule_end(t, &r), 0);
	}
	assert_int_equal(t->nat.snat.rules, 3 * SNAT_MAX_RULES);
	assert_int_equal(t->nat.snat.rules_without_fully_random, 3 * SNAT_MAX_RULES / 2);
	assert_int_equal(t->nat.snat.rule_count, SNAT_MAX_RULES);
}

static void test_malformed_expressions(void **state)
{
	struct rules_test *t = *state;
	struct nlattr *elem, *data;
	struct rule_msg r;

	/* an expression without its name */
	r = rule_begin("POSTROUTING");
	elem = nla_nest_start(r.msg, NFTA_LIST_ELEM | NLA_F_NESTED);
	nla_put_u32(r.msg, NFTA_EXPR_DATA, 0);
	nla_nest_end(r.msg, elem);
	assert_int_equal(rule_end(t, &r), -EBADMSG);
	/* masq flags of two bytes */
	r = rule_begin("POSTROUTING");
	data = expr_begin(&r, "masq", &elem);
	nla_put_u16(r.msg, NFTA_MASQ_FLAGS, 4);
	expr_end(&r, data, elem);
	assert_int_equal(rule_end(t, &r), -EBADMSG);
	/* a nat expression without its type */
	r = rule_begin("POSTROUTING");
	data = expr_begin(&r, "nat", &elem);
	nla_put_u32(r.msg, NFTA_NAT_FLAGS, 0);
	expr_end(&r, data, elem);
	assert_int_equal(rule_end(t, &r), -EBADMSG);
	/* a verdict without its code */
	r = rule_begin("POSTROUTING");
	data = expr_begin(&r, "immediate", &elem);
	nla_put_u32(r.msg, NFTA_IMMEDIATE_DREG, 0);
	{
		struct nlattr *value = nla_nest_start(r.msg, NFTA_IMMEDIATE_DATA | NLA_F_NESTED);
		struct nlattr *verdict = nla_nest_start(r.msg, NFTA_DATA_VERDICT | NLA_F_NESTED);

		nla_put_string(r.msg, NFTA_VERDICT_CHAIN, "x");
		nla_nest_end(r.msg, verdict);
		nla_nest_end(r.msg, value);
	}
	expr_end(&r, data, elem);
	assert_int_equal(rule_end(t, &r), -EBADMSG);
	/* a list element of another type */
	r = rule_begin("POSTROUTING");
	nla_put_u32(r.msg, NFTA_LIST_UNSPEC, 0);
	assert_int_equal(rule_end(t, &r), -EBADMSG);
	assert_int_equal(t->nat.snat.rules, 0);
}

/* ------------------------------------------------- the legacy nat table */

/* One ipt_entry with a target of NAME, revision REV and DATA, at *OFF of
 * TABLE; as the kernel lays them out (XT_ALIGN'ed). */
static void legacy_entry(uint8_t *table, size_t *off, const char *name, uint8_t rev,
			 const void *data, size_t len)
{
	struct ipt_entry *e = (struct ipt_entry *)(table + *off);
	struct xt_entry_target *t = (struct xt_entry_target *)e->elems;
	size_t target_size = XT_ALIGN(sizeof(*t) + len);

	memset(e, 0, sizeof(*e) + target_size);
	e->target_offset = sizeof(*e);
	e->next_offset = (uint16_t)(sizeof(*e) + target_size);
	t->u.user.target_size = (uint16_t)target_size;
	snprintf(t->u.user.name, sizeof(t->u.user.name), "%s", name);
	t->u.user.revision = rev;
	memcpy(t->data, data, len);
	*off += e->next_offset;
}

static void test_legacy_table(void **state)
{
	_Alignas(8) uint8_t table[2048];
	struct nf_nat_ipv4_multi_range_compat masq = {.rangesize = 1}, plain = {.rangesize = 1};
	int verdict = -NF_ACCEPT - 1;
	struct snat_facts s = {0};
	size_t off = 0;

	(void)state;
	masq.range[0].flags = NF_NAT_RANGE_PROTO_SPECIFIED | NF_NAT_RANGE_PROTO_RANDOM_FULLY;
	masq.range[0].min.all = htons(30000);
	masq.range[0].max.all = htons(30999);
	/* written the wrong way round: the kernel swaps the ends */
	plain.range[0].flags = NF_NAT_RANGE_PROTO_SPECIFIED;
	plain.range[0].min.all = htons(31000);
	plain.range[0].max.all = htons(30500);
	legacy_entry(table, &off, "", 0, &verdict, sizeof(verdict)); /* a policy */
	legacy_entry(table, &off, "MASQUERADE", 0, &masq, sizeof(masq));
	legacy_entry(table, &off, "SNAT", 0, &plain, sizeof(plain));
	legacy_entry(table, &off, "ERROR", 0, "ERROR", 6);
	assert_int_equal(snat_parse_legacy(&s, table, off), 0);
	assert_int_equal(s.rules, 2);
	assert_int_equal(s.rules_without_fully_random, 1);
	assert_rule(&s, 0, "iptables-legacy nat", "masquerade to :30000-30999 fully-random");
	assert_rule(&s, 1, "iptables-legacy nat", "snat to :30500-31000");
	/* the narrower of the two ranges */
	assert_int_equal(s.port_low, 30500);
	assert_int_equal(s.port_high, 31000);

	/* cut in the middle of an entry; a target running past its entry */
	assert_int_equal(snat_parse_legacy(&s, table, off - 8), -EBADMSG);
	((struct ipt_entry *)table)->target_offset = 8;
	assert_int_equal(snat_parse_legacy(&s, table, off), -EBADMSG);
}

/* ------------------------------------------------------- SNAT entries */

struct tally_test {
	struct conntrack_facts ct;
	struct snat_tally tally;
	struct snat_facts snat;
};

static int tally_setup(void **state)
{
	struct tally_test *t = calloc(1, sizeof(*t));

	if (!t || snat_tally_begin(&t->tally) < 0)
		return -1;
	*state = t;
	return 0;
}

static int tally_teardown(void **state)
{
	struct tally_test *t = *state;

	snat_tally_discard(&t->tally);
	free(t);
	return 0;
}

static void put_tuple(struct nl_msg *msg, int type, uint32_t src, uint32_t dst, uint16_t sport,
		      uint16_t dport)
{
	struct nlattr *tuple = nla_nest_start(msg, type | NLA_F_NESTED);
	struct nlattr *ip = nla_nest_start(msg, CTA_TUPLE_IP | NLA_F_NESTED), *proto;

	nla_put_u32(msg, CTA_IP_V4_SRC, htonl(src));
	nla_put_u32(msg, CTA_IP_V4_DST, htonl(dst));
	nla_nest_end(msg, ip);
	proto = nla_nest_start(msg, CTA_TUPLE_PROTO | NLA_F_NESTED);
	nla_put_u8(msg, CTA_PROTO_NUM, IPPROTO_TCP);
	nla_put_u16(msg, CTA_PROTO_SRC_PORT, htons(sport));
	nla_put_u16(msg, CTA_PROTO_DST_PORT, htons(dport));
	nla_nest_end(msg, proto);
	nla_nest_end(msg, tuple);
}

/* A client CLIENT:SPORT masqueraded to GW:XPORT toward SERVER:DPORT. */
static int feed_snat(struct tally_test *t, uint32_t client, uint32_t gw, uint32_t server,
		     uint16_t sport, uint16_t xport, uint16_t dport, int tcp_state)
{
	struct nl_msg *msg = nfmsg_reply(CT_TYPE(IPCTNL_MSG_CT_NEW), AF_INET);
	struct nlattr *info, *tcp;
	int r;

	put_tuple(msg, CTA_TUPLE_ORIG, client, server, sport, dport);
	put_tuple(msg, CTA_TUPLE_REPLY, server, gw, dport, xport);
	nla_put_u32(msg, CTA_STATUS, htonl(IPS_CONFIRMED | IPS_SRC_NAT | IPS_SRC_NAT_DONE));
	info = nla_nest_start(msg, CTA_PROTOINFO | NLA_F_NESTED);
	tcp = nla_nest_start(msg, CTA_PROTOINFO_TCP | NLA_F_NESTED);
	nla_put_u8(msg, CTA_PROTOINFO_TCP_STATE, (uint8_t)tcp_state);
	nla_nest_end(msg, tcp);
	nla_nest_end(msg, info);
	r = nat_parse_conntrack_snat(&t->ct, &t->tally, nlmsg_hdr(msg));
	nlmsg_free(msg);
	return r;
}

/* N connections from CLIENT's ports FIRST, FIRST + 1, ... kept as the
 * same ports on GW toward SERVER:DPORT, in TCP state STATE. */
static void feed_many(struct tally_test *t, unsigned n, uint32_t client, uint32_t gw,
		      uint32_t server, uint16_t first, uint16_t dport, int state)
{
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(feed_snat(t, client, gw, server, (uint16_t)(first + i),
					   (uint16_t)(first + i), dport, state),
				 0);
}

#define CLIENT 0x0a000002u /* 10.0.0.2 */
#define GW 0xc6336401u	   /* 198.51.100.1 */
#define GW2 0xc6336402u	   /* 198.51.100.2 */
#define SERVER 0xcb007107u /* 203.0.113.7 */

static void test_tally_ranks_destinations(void **state)
{
	struct tally_test *t = *state;
	char addr[64];

	feed_many(t, 20, CLIENT, GW, SERVER, 40000, 443, TCP_CONNTRACK_TIME_WAIT);
	feed_many(t, 10, CLIENT, GW, SERVER, 40020, 443, TCP_CONNTRACK_ESTABLISHED);
	/* the same destination from another translated address, another port */
	feed_many(t, 5, CLIENT, GW2, SERVER, 41000, 443, TCP_CONNTRACK_ESTABLISHED);
	feed_many(t, 12, CLIENT, GW, SERVER, 42000, 80, TCP_CONNTRACK_SYN_SENT);
	snat_tally_finish(&t->tally, &t->snat);
	assert_int_equal(t->ct.snat, 47);
	assert_true(t->snat.tallied);
	assert_int_equal(t->snat.entries, 47);
	assert_int_equal(t->snat.top_count, 3);
	assert_false(t->snat.truncated);
	assert_string_equal(format_addr(&t->snat.top[0].source, addr, sizeof(addr)),
			    "198.51.100.1");
	assert_string_equal(
		format_endpoint(&t->snat.top[0].address, t->snat.top[0].port, addr, sizeof(addr)),
		"203.0.113.7:443");
	assert_int_equal(t->snat.top[0].protocol, IPPROTO_TCP);
	assert_int_equal(t->snat.top[0].entries, 30);
	assert_int_equal(t->snat.top[0].time_wait, 20);
	assert_false(t->snat.top[0].estimated);
	assert_int_equal(t->snat.top[1].port, 80);
	assert_int_equal(t->snat.top[1].entries, 12);
	assert_string_equal(format_addr(&t->snat.top[2].source, addr, sizeof(addr)),
			    "198.51.100.2");
	assert_int_equal(t->snat.top[2].entries, 5);
	assert_near(snat_pressure(&t->snat, &t->snat.top[0]), 30.0 / 64512);
}

/* More tuples than tracked: the busy one is still first, the rest bounded. */
static void test_tally_bounded(void **state)
{
	struct tally_test *t = *state;

	for (uint32_t i = 0; i < SNAT_TRACKED + 500; i++)
		assert_int_equal(feed_snat(t, CLIENT, GW, 0xcb007100u + i, 40000, 40000, 443,
					   TCP_CONNTRACK_ESTABLISHED),
				 0);
	feed_many(t, 50, CLIENT, GW, SERVER, 50000, 8443, TCP_CONNTRACK_ESTABLISHED);
	snat_tally_finish(&t->tally, &t->snat);
	assert_true(t->snat.truncated);
	assert_true(t->snat.untracked_max <= 1);
	assert_int_equal(t->snat.top[0].port, 8443);
	assert_true(t->snat.top[0].entries + t->snat.top[0].error >= 50);
	assert_int_equal(t->snat.entries, SNAT_TRACKED + 550);
}

/* A SNAT entry without a usable reply tuple is malformed; entries without
 * SNAT are not tallied. */
static void test_tally_malformed_and_unnatted(void **state)
{
	struct tally_test *t = *state;
	struct nl_msg *msg = nfmsg_reply(CT_TYPE(IPCTNL_MSG_CT_NEW), AF_INET);

	put_tuple(msg, CTA_TUPLE_ORIG, CLIENT, SERVER, 1, 2);
	nla_put_u32(msg, CTA_STATUS, htonl(IPS_SRC_NAT));
	assert_int_equal(nat_parse_conntrack_snat(&t->ct, &t->tally, nlmsg_hdr(msg)), -EBADMSG);
	nlmsg_free(msg);

	msg = nfmsg_reply(CT_TYPE(IPCTNL_MSG_CT_NEW), AF_INET);
	put_tuple(msg, CTA_TUPLE_ORIG, CLIENT, SERVER, 1, 2);
	put_tuple(msg, CTA_TUPLE_REPLY, SERVER, CLIENT, 2, 1);
	nla_put_u32(msg, CTA_STATUS, htonl(IPS_CONFIRMED | IPS_DST_NAT));
	assert_int_equal(nat_parse_conntrack_snat(&t->ct, &t->tally, nlmsg_hdr(msg)), 0);
	nlmsg_free(msg);
	snat_tally_finish(&t->tally, &t->snat);
	assert_int_equal(t->snat.entries, 0);
	assert_int_equal(t->snat.top_count, 0);
}

/* A copied tree's nf_conntrack: SNAT entries from the text's reply tuples. */
static void test_tally_from_text(void **state)
{
	struct fixture *fx = *state;
	const struct snat_facts *s = &fx->facts.nat.snat;
	char addr[64];

	fixture_write(fx->root, "sys/net/netfilter/nf_conntrack_max", "64\n");
	fixture_write(
		fx->root, "net/nf_conntrack",
		"ipv4     2 tcp      6 119 TIME_WAIT src=10.77.1.2 dst=10.77.2.2 sport=53390 "
		"dport=8080 src=10.77.2.2 dst=10.77.2.1 sport=8080 dport=20003 [ASSURED] use=2\n"
		"ipv4     2 tcp      6 300 ESTABLISHED src=10.77.1.2 dst=10.77.2.2 sport=53391 "
		"dport=8080 src=10.77.2.2 dst=10.77.2.1 sport=8080 dport=20004 [ASSURED] use=2\n"
		"ipv6     10 udp      17 29 src=fd00::2 dst=2001:db8::53 sport=5353 dport=53 "
		"src=2001:db8::53 dst=2001:db8::1 sport=53 dport=5353 use=2\n"
		"ipv4     2 udp      17 29 src=10.0.0.5 dst=10.0.0.53 sport=5353 dport=53 "
		"src=10.0.0.53 dst=10.0.0.5 sport=53 dport=5353 use=2\n");
	inspect_sysctls(fx->root, &fx->facts);
	inspect_nat(fx->root, &fx->facts);
	assert_true(s->tallied);
	assert_int_equal(s->entries, 3);
	assert_int_equal(s->top_count, 2);
	assert_int_equal(s->top[0].entries, 2);
	assert_int_equal(s->top[0].time_wait, 1);
	assert_string_equal(format_endpoint(&s->top[0].address, s->top[0].port, addr, sizeof(addr)),
			    "10.77.2.2:8080");
	assert_int_equal(s->top[1].protocol, IPPROTO_UDP);
	assert_string_equal(format_addr(&s->top[1].source, addr, sizeof(addr)), "2001:db8::1");
	/* rules were not read: a tree has no kernel behind it */
	assert_int_equal(snat_present(&fx->facts), 1);
	assert_int_equal(s->rules, 0);
}

#define RULES_TEST(fn) cmocka_unit_test_setup_teardown(fn, rules_setup, rules_teardown)
#define TALLY_TEST(fn) cmocka_unit_test_setup_teardown(fn, tally_setup, tally_teardown)
#define FIXTURE_TEST(fn) cmocka_unit_test_setup_teardown(fn, fixture_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stats_older_header),
		cmocka_unit_test(test_stats_summed_wide),
		cmocka_unit_test(test_stats_malformed),
		FIXTURE_TEST(test_stats_file_errors_named),
		cmocka_unit_test(test_stats_netlink),
		RULES_TEST(test_masquerade_rules),
		RULES_TEST(test_snat_and_dnat),
		RULES_TEST(test_iptables_nft_targets),
		RULES_TEST(test_jumps_collected),
		RULES_TEST(test_followed_chain),
		RULES_TEST(test_many_rules_bounded),
		RULES_TEST(test_malformed_expressions),
		cmocka_unit_test(test_legacy_table),
		TALLY_TEST(test_tally_ranks_destinations),
		TALLY_TEST(test_tally_bounded),
		TALLY_TEST(test_tally_malformed_and_unnatted),
		FIXTURE_TEST(test_tally_from_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
