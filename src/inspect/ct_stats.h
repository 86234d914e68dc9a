/* SPDX-License-Identifier: MIT */
/* conntrack's own statistics as twtune's counters: insert_failed, drop,
 * early_drop, search_restart and clash_resolve, summed over CPUs. They are
 * where source-NAT port exhaustion shows (a translated tuple that clashes
 * at confirmation is counted in insert_failed and drop, and the packet is
 * dropped: nf_ct_resolve_clash in net/netfilter/nf_conntrack_core.c), not
 * in this host's socket table. Per network namespace (net->ct.stat). */
#ifndef TWTUNE_CT_STATS_H
#define TWTUNE_CT_STATS_H

#include <linux/netlink.h>

#include "inspect/facts.h"

/* /proc/net/stat/nf_conntrack (ct_cpu_seq_show in
 * net/netfilter/nf_conntrack_standalone.c): a header naming the columns,
 * then one line per possible CPU of values in hex (%08x). Columns come and
 * go between releases ("searched" became "clashres" in 5.x; several are
 * printed as 0 since the 4.x series), so they are found by name. */
struct ct_stats_text {
	int column[CTR_COUNT]; /* where each conntrack counter is; -1: not there */
	unsigned columns;      /* names in the header; 0 before it */
	unsigned cpus;	       /* value lines read */
	uint64_t sum[CTR_COUNT];
};

void ct_stats_text_begin(struct ct_stats_text *t);

/* The next line of the file (the header first), modified in place. 0, or
 * -EBADMSG with WHY saying what is wrong with it. */
int ct_stats_text_line(struct ct_stats_text *t, char *line, char *why, size_t whylen);

/* The counters found into OUT (the others untouched); how many. */
int ct_stats_text_finish(const struct ct_stats_text *t, struct counter out[CTR_COUNT]);

/* One IPCTNL_MSG_CT_GET_STATS_CPU reply (ctnetlink_ct_stat_cpu_fill_info:
 * one per CPU), added to SUM; SEEN marks the counters it carried. 0 or
 * -EBADMSG. */
int ct_stats_parse_cpu(const struct nlmsghdr *nlh, uint64_t sum[CTR_COUNT], bool seen[CTR_COUNT]);

/* Read the conntrack counters of ROOT into OUT: from ROOT/net/stat/nf_conntrack,
 * or, on the live /proc of a kernel built without CONFIG_NF_CONNTRACK_PROCFS
 * and with nf_conntrack loaded, from ctnetlink (CAP_NET_ADMIN). Without
 * nf_conntrack they stay absent, silently. Problems go to F (NULL: quiet).
 * Returns how many were read. */
int ct_stats_read(const char *proc_root, struct counter out[CTR_COUNT], struct tw_facts *f);

#endif
