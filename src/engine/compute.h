/* Recommended values the engine computes from facts, named "@name" in rule
 * files. Each belongs to one key: a computation cannot be pointed at a key
 * it was not written for (so none can ever produce tcp_tw_recycle). */
#ifndef TWTUNE_COMPUTE_H
#define TWTUNE_COMPUTE_H

#include <stdbool.h>
#include <stddef.h>

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

/* The value for KEY on this host into OUT: 0, or -ENODATA when the facts
 * do not allow one (the range cannot be made wider; nothing to reserve;
 * the key is absent on this kernel). */
int compute_value(enum computation c, enum knob_id key, const struct tw_facts *f,
		  struct knob_value *out);

/* Bytes per TIME_WAIT socket: the tw_sock_TCP slab object (256 on 6.x,
 * /proc/slabinfo). */
#define TIME_WAIT_SOCKET_BYTES 256

#endif
