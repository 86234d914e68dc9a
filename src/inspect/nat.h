/* SPDX-License-Identifier: MIT */
/* NAT and conntrack: does this network namespace translate addresses, and
 * how full is its connection-tracking table? Read-only; aggregates the
 * conntrack dump as it streams, with no object per entry. */
#ifndef TWTUNE_NAT_H
#define TWTUNE_NAT_H

#include <linux/netfilter/nf_tables.h>
#include <linux/netlink.h>

#include "inspect/facts.h"
#include "inspect/snat.h"

/* Fill f->nat and f->conntrack. Sysctls (forwarding, conntrack limits) come
 * from f->sysctl, already read; ROOT/sys/net/netfilter/nf_conntrack_count
 * is read here. With a proc root other than /proc nothing is asked of
 * netlink (a fabricated host has no kernel behind it): the netlink sources
 * are then reported as not inspected. Never fails as a whole. */
void inspect_nat(const char *proc_root, struct tw_facts *f);

/* After the parsers: decide f->nat.present and add the summary signals. */
void nat_conclude(struct tw_facts *f);

/* Append a signal; silently dropped once NAT_MAX_SIGNALS are held. */
void nat_add_signal(struct nat_facts *nat, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A source that could not be read: not inspected, and why. */
void nat_source_failed(struct evidence_source *src, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A source read in part: inspected, incomplete, and what was missed. The
 * first note stays (it is usually the cause of the others). */
void nat_source_partial(struct evidence_source *src, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* --- nftables (nat_nftables.c) --- */

/* Rules are counted per nat chain, so the chain dump hands the chains it
 * found to the rule dump. A host has a handful (one per hook and family);
 * beyond this many the rule count covers only the first ones. */
#define NFT_NAT_CHAINS_TRACKED 16

struct nft_chain_ref {
	uint8_t family; /* nfgen_family: NFPROTO_IPV4, NFPROTO_INET, ... */
	char table[NFT_TABLE_MAXNAMELEN];
	char chain[NFT_CHAIN_MAXNAMELEN];
	/* source NAT happens here (hook postrouting or input, or a chain
	 * such a chain jumps to): its masquerade and snat rules are read */
	bool snat;
	bool jumped; /* a regular chain, followed: its rules are not counted */
};

/* What the nftables dumps learn as they stream. */
struct nft_scan {
	struct nat_facts *nat; /* nft_nat_chains, nft_nat_rules, signals */
	struct nft_chain_ref chains[NFT_NAT_CHAINS_TRACKED];
	unsigned chain_count;
	bool chains_truncated;		  /* more nat chains than tracked */
	const struct nft_chain_ref *only; /* while dumping one chain's rules */
	unsigned long malformed;
	/* the regular chains source-NAT chains jump to, dumped after them */
	struct nft_chain_ref followed[SNAT_JUMPS_TRACKED];
	unsigned followed_count;
	struct snat_jumps jumps; /* those the chain being dumped names */
};

/* Start a scan whose results go to NAT. */
void nft_scan_begin(struct nft_scan *s, struct nat_facts *nat);

/* One NFT_MSG_NEWCHAIN reply of a GETCHAIN dump: a chain of type "nat" is
 * counted, remembered for the rule pass and named in a signal. 0 (counted
 * or not a nat chain), or -EBADMSG when the message is malformed. */
int nat_parse_chain(struct nft_scan *s, const struct nlmsghdr *nlh);

/* One NFT_MSG_NEWRULE reply of a GETRULE dump: counted when its family,
 * table and chain name one of the nat chains found (only S->only when
 * set); in a chain where source NAT happens, its masquerade and snat
 * statements go to S->nat->snat and its jumps to S->jumps. 0 or
 * -EBADMSG. */
int nat_parse_rule(struct nft_scan *s, const struct nlmsghdr *nlh);

/* Dump the nftables chains and rules of the current network namespace into
 * NAT (its nftables source, counts and signals). 0 or a negative errno,
 * which NAT->nftables also explains. */
int nat_dump_nftables(struct nat_facts *nat);

/* --- conntrack (nat_conntrack.c) --- */

/* One IPCTNL_MSG_CT_NEW reply of a conntrack dump (CT_GET accepted too):
 * counted in CT (entries, tcp, time_wait, snat, dnat). 0 or -EBADMSG. */
int nat_parse_conntrack(struct conntrack_facts *ct, const struct nlmsghdr *nlh);

/* The same, and a source-NAT entry tallied in SNAT (NULL: not). */
int nat_parse_conntrack_snat(struct conntrack_facts *ct, struct snat_tally *snat,
			     const struct nlmsghdr *nlh);

/* Dump the conntrack table of the current network namespace into CT (its
 * dump source and counts) and SNAT (may be NULL). 0 or a negative errno,
 * explained in CT->dump. */
int nat_dump_conntrack(struct conntrack_facts *ct, struct snat_tally *snat);

/* With --proc DIR: count DIR/net/nf_conntrack, the kernel's text table
 * (present with CONFIG_NF_CONNTRACK_PROCFS), the same way. 0 or -errno,
 * the outcome recorded in ct->dump. */
int conntrack_read_proc(const char *proc_root, struct conntrack_facts *ct, struct snat_tally *snat);

#endif
