/* SPDX-License-Identifier: MIT */
#ifndef TWTUNE_COUNTERS_H
#define TWTUNE_COUNTERS_H

#include "inspect/facts.h"

/* /proc/net/snmp and /proc/net/netstat hold pairs of lines:
 *   "Tcp: RtoAlgorithm RtoMin ... ActiveOpens ..."
 *   "Tcp: 1 200 ... 4711 ..."
 * Look FIELD up in SECTION. Returns 0, -ENOENT (no such section or field),
 * or -EBADMSG with *bad_line set to the 1-based line at fault. */
int counter_table_lookup(const char *text, const char *section, const char *field, uint64_t *value,
			 unsigned *bad_line);

/* /proc/net/sockstat holds "TCP: inuse 5 orphan 0 tw 3 alloc 7 mem 1". */
int counter_pairs_lookup(const char *text, const char *section, const char *field, uint64_t *value,
			 unsigned *bad_line);

/* Read every counter from ROOT/net/{snmp,netstat,sockstat}, and conntrack's
 * from ROOT/net/stat/nf_conntrack (ct_stats.h). Problems are
 * recorded in f->errors (F may be NULL to keep quiet). Returns the number of counters read. */
int read_counters(const char *proc_root, struct counter out[CTR_COUNT], struct tw_facts *f);

/* Per-second rates between two readings taken INTERVAL seconds apart; a
 * counter that went backwards (namespace reset) gets no rate. */
void compute_rates(const struct counter before[CTR_COUNT], const struct counter after[CTR_COUNT],
		   double interval, struct tw_rates *rates);

#endif
