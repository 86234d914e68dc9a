/* SPDX-License-Identifier: MIT */
/* Recommended values the engine computes from facts, named "@name" in rule
 * files. Each belongs to one key: a computation cannot be pointed at a key
 * it was not written for (so none can ever produce tcp_tw_recycle). */
#ifndef TWTUNE_COMPUTE_H
#define TWTUNE_COMPUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/knob_value.h"
#include "common/knobs.h"
#include "inspect/facts.h"

enum computation {
	COMPUTE_NONE,
	COMPUTE_WIDER_PORT_RANGE,  /* @wider_port_range  -> ip_local_port_range */
	COMPUTE_RESERVED_PORTS,	   /* @reserved_ports    -> ip_local_reserved_ports */
	COMPUTE_TW_BUCKETS,	   /* @tw_buckets        -> tcp_max_tw_buckets */
	COMPUTE_CONNTRACK_MAX,	   /* @conntrack_max     -> nf_conntrack_max */
	COMPUTE_PARITY_PORT_RANGE, /* @parity_port_range -> ip_local_port_range */
	COMPUTE_KERNEL_DEFAULT,	   /* @kernel_default    -> any key with a known default */
};

/* "@wider_port_range" -> COMPUTE_WIDER_PORT_RANGE; -1 when unknown. */
int compute_find(const char *name);
const char *compute_name(enum computation c);
/* May computation C set KEY? Each belongs to one key, but @kernel_default
 * to every key whose default twtune knows. */
bool compute_applies(enum computation c, enum knob_id key);

/* Does C take an argument, "@name(N)"? Then N must lie in *LOW..*HIGH.
 * Only @wider_port_range does: the lowest port a widened range may start
 * at (default COMPUTE_PORT_FLOOR). */
bool compute_argument_range(enum computation c, uint64_t *low, uint64_t *high);

/* Ports below this stay out of a widened range unless a rule or profile
 * says otherwise: the well-known service ports (3306, 5432, 6379, 8080,
 * 9090, 9100, ...) of services that may be down when twtune runs. */
#define COMPUTE_PORT_FLOOR 10000

/* What a computation works from besides the facts. */
struct compute_input {
	long argument; /* "@name(N)": N, or -1 */
	/* the port range the same rule or profile sets, or NULL: what
	 * @reserved_ports must protect besides the current range */
	const struct knob_value *planned_range;
};

/* The value for KEY on this host into OUT: 0, or -ENODATA when the facts
 * do not allow one (the range cannot be made wider; nothing to reserve;
 * the key is absent on this kernel). IN may be NULL. */
int compute_value(enum computation c, enum knob_id key, const struct tw_facts *f,
		  const struct compute_input *in, struct knob_value *out);

/* Why C has no value for KEY on F, in a few words for a person ("this
 * kernel (before 6.1) does not show ..."); NULL when it has one or no
 * better reason than "no value here" can be given. */
const char *compute_why_none(enum computation c, enum knob_id key, const struct tw_facts *f);

/* Bytes per TIME_WAIT socket: the tw_sock_TCP slab object (256 on 6.x,
 * /proc/slabinfo). */
#define TIME_WAIT_SOCKET_BYTES 256

#endif
