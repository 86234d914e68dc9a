/* SPDX-License-Identifier: MIT */
/* The sysctl keys twtune knows: the TIME_WAIT knobs and the facts around
 * them. Inspector, rule engine, applier and lint all index this one table. */
#ifndef TWTUNE_KNOBS_H
#define TWTUNE_KNOBS_H

#include <stdbool.h>
#include <stddef.h>

enum knob_id {
	KNOB_TCP_TW_REUSE,
	KNOB_TCP_TW_RECYCLE,
	KNOB_IP_LOCAL_PORT_RANGE,
	KNOB_TCP_MAX_TW_BUCKETS,
	KNOB_TCP_FIN_TIMEOUT,
	KNOB_TCP_TIMESTAMPS,
	KNOB_TCP_TW_REUSE_DELAY,
	KNOB_IP_LOCAL_RESERVED_PORTS,
	KNOB_IP_UNPRIVILEGED_PORT_START,
	KNOB_IP_FORWARD,
	KNOB_IPV6_FORWARDING,
	KNOB_NF_CONNTRACK_MAX,
	KNOB_NF_CONNTRACK_TCP_TIMEOUT_TIME_WAIT,
	KNOB_TCP_EHASH_ENTRIES,
	KNOB_TCP_MAX_ORPHANS,
	KNOB_COUNT
};

enum knob_type {
	KNOB_TYPE_INT,	      /* one integer in [min, max] */
	KNOB_TYPE_PORT_RANGE, /* "LOW HIGH", both ports, LOW <= HIGH */
	KNOB_TYPE_PORT_LIST,  /* "", "P", "P1-P2,P3": ip_local_reserved_ports */
};

struct knob {
	const char *name; /* dotted sysctl name, e.g. net.ipv4.tcp_tw_reuse */
	enum knob_type type;
	long min, max;	  /* for KNOB_TYPE_INT */
	bool read_only;	  /* a fact to read, never a setting */
	bool judged_only; /* read to judge (NAT), never set by twtune */
	unsigned since;	  /* first kernel with it (KERNEL_VERSION_CODE), 0: always */
	unsigned until;	  /* first kernel without it, 0: still there */
	bool unbounded;	  /* the kernel takes any integer: the range is twtune's */
};

#define KNOB_VERSION(a, b) (((unsigned)(a) << 16) + ((unsigned)(b) << 8))

/* Does a kernel of version CODE (KERNEL_VERSION_CODE) have the key? */
bool knob_exists_in(enum knob_id id, unsigned code);

const struct knob *knob_get(enum knob_id id);
/* Look a key up by its dotted or slashed name; -1 when unknown. */
int knob_find(const char *name);
/* Relative path under the proc root: "sys/net/ipv4/tcp_tw_reuse". */
int knob_proc_path(enum knob_id id, char *buf, size_t size);

#endif
