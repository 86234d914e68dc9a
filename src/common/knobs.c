/* SPDX-License-Identifier: MIT */
#include "common/knobs.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Ranges are what the kernel accepts where it checks (tcp_tw_reuse 0-2,
 * tcp_tw_reuse_delay 1-60000 since 6.14) and what is sane where it does not:
 * tcp_max_tw_buckets and tcp_fin_timeout take negative values without
 * complaint (checked on 6.18), so twtune sets its own bounds. */
static const struct knob knobs[KNOB_COUNT] = {
	[KNOB_TCP_TW_REUSE] = {"net.ipv4.tcp_tw_reuse", KNOB_TYPE_INT, 0, 2},
	/* removed in 4.12 ("tcp: remove tcp_tw_recycle") */
	[KNOB_TCP_TW_RECYCLE] = {"net.ipv4.tcp_tw_recycle", KNOB_TYPE_INT, 0, 1,
				 .until = KNOB_VERSION(4, 12)},
	[KNOB_IP_LOCAL_PORT_RANGE] = {"net.ipv4.ip_local_port_range", KNOB_TYPE_PORT_RANGE, 1,
				      65535},
	[KNOB_TCP_MAX_TW_BUCKETS] = {"net.ipv4.tcp_max_tw_buckets", KNOB_TYPE_INT, 0, 2147483647,
				     .unbounded = true},
	[KNOB_TCP_FIN_TIMEOUT] = {"net.ipv4.tcp_fin_timeout", KNOB_TYPE_INT, 1, 3600,
				  .unbounded = true},
	[KNOB_TCP_TIMESTAMPS] = {"net.ipv4.tcp_timestamps", KNOB_TYPE_INT, 0, 2},
	[KNOB_TCP_TW_REUSE_DELAY] = {"net.ipv4.tcp_tw_reuse_delay", KNOB_TYPE_INT, 1, 60000,
				     .since = KNOB_VERSION(6, 14)},
	[KNOB_IP_LOCAL_RESERVED_PORTS] = {"net.ipv4.ip_local_reserved_ports", KNOB_TYPE_PORT_LIST,
					  1, 65535},
	/* ipv4_privileged_ports(): 0-65535, and below the range's low end */
	[KNOB_IP_UNPRIVILEGED_PORT_START] = {"net.ipv4.ip_unprivileged_port_start", KNOB_TYPE_INT,
					     0, 65535, .since = KNOB_VERSION(4, 11)},
	/* forwarding says whether a namespace routes (NAT); turning it on or
	 * off is no TIME_WAIT tuning, so no profile, rule or journal record
	 * may make twtune write it */
	[KNOB_IP_FORWARD] = {"net.ipv4.ip_forward", KNOB_TYPE_INT, 0, 1, .judged_only = true},
	[KNOB_IPV6_FORWARDING] = {"net.ipv6.conf.all.forwarding", KNOB_TYPE_INT, 0, 1,
				  .judged_only = true},
	/* present only while nf_conntrack is loaded */
	[KNOB_NF_CONNTRACK_MAX] = {"net.netfilter.nf_conntrack_max", KNOB_TYPE_INT, 0, 2147483647},
	[KNOB_NF_CONNTRACK_TCP_TIMEOUT_TIME_WAIT] =
		{"net.netfilter.nf_conntrack_tcp_timeout_time_wait", KNOB_TYPE_INT, 1, 3600},
	/* read-only, Linux 6.1+: the established hash's size, negative when
	 * shared with the initial namespace; tcp_max_tw_buckets defaults to
	 * half of it */
	[KNOB_TCP_EHASH_ENTRIES] = {"net.ipv4.tcp_ehash_entries", KNOB_TYPE_INT, -2147483647,
				    2147483647, true, .since = KNOB_VERSION(6, 1)},
	/* the kernel sets it at boot to half the established hash, the same
	 * half tcp_max_tw_buckets defaults to (tcp_init()); read to find that
	 * default before 6.1. Not a TIME_WAIT knob: never set. Global, shown
	 * in the initial namespace only. */
	[KNOB_TCP_MAX_ORPHANS] = {"net.ipv4.tcp_max_orphans", KNOB_TYPE_INT, 0, 2147483647,
				  .judged_only = true, .unbounded = true},
};

const struct knob *knob_get(enum knob_id id)
{
	if ((unsigned)id >= KNOB_COUNT)
		return NULL;
	return &knobs[id];
}

/* sysctl.d accepts "net/ipv4/x" as well as "net.ipv4.x"; compare with '/'
 * and '.' treated alike. */
static int same_key(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char ca = *a == '/' ? '.' : *a;
		char cb = *b == '/' ? '.' : *b;
		if (ca != cb)
			return 0;
	}
	return *a == *b;
}

int knob_find(const char *name)
{
	for (int i = 0; i < KNOB_COUNT; i++)
		if (same_key(knobs[i].name, name))
			return i;
	return -1;
}

int knob_proc_path(enum knob_id id, char *buf, size_t size)
{
	const struct knob *k = knob_get(id);
	int n;

	if (!k)
		return -1;
	n = snprintf(buf, size, "sys/%s", k->name);
	if (n < 0 || (size_t)n >= size)
		return -1;
	for (char *p = buf + 4; *p; p++)
		if (*p == '.')
			*p = '/';
	return 0;
}

bool knob_exists_in(enum knob_id id, unsigned code)
{
	const struct knob *k = knob_get(id);

	return k && (!k->since || code >= k->since) && (!k->until || code < k->until);
}
