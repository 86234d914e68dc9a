/* SPDX-License-Identifier: MIT */
#include "engine/compute.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	enum knob_id key;
} computations[] = {
	[COMPUTE_NONE] = {NULL, KNOB_COUNT},
	[COMPUTE_WIDER_PORT_RANGE] = {"@wider_port_range", KNOB_IP_LOCAL_PORT_RANGE},
	[COMPUTE_RESERVED_PORTS] = {"@reserved_ports", KNOB_IP_LOCAL_RESERVED_PORTS},
	[COMPUTE_TW_BUCKETS] = {"@tw_buckets", KNOB_TCP_MAX_TW_BUCKETS},
	[COMPUTE_CONNTRACK_MAX] = {"@conntrack_max", KNOB_NF_CONNTRACK_MAX},
	[COMPUTE_PARITY_PORT_RANGE] = {"@parity_port_range", KNOB_IP_LOCAL_PORT_RANGE},
	[COMPUTE_KERNEL_DEFAULT] = {"@kernel_default", KNOB_COUNT},
};

#define COMPUTATIONS (sizeof(computations) / sizeof(computations[0]))

int compute_find(const char *name)
{
	for (size_t i = 1; i < COMPUTATIONS; i++)
		if (strcmp(computations[i].name, name) == 0)
			return (int)i;
	return -1;
}

const char *compute_name(enum computation c)
{
	return (size_t)c < COMPUTATIONS ? computations[c].name : NULL;
}

static int kernel_default(enum knob_id key, const struct tw_facts *f, struct knob_value *out);

bool compute_applies(enum computation c, enum knob_id key)
{
	struct knob_value probe;
	struct tw_facts none;

	if ((size_t)c >= COMPUTATIONS || c == COMPUTE_NONE)
		return false;
	if (c != COMPUTE_KERNEL_DEFAULT)
		return computations[c].key == key;
	/* a key has a known default when the table answers for it at all */
	memset(&none, 0, sizeof(none));
	return kernel_default(key, &none, &probe) != -EINVAL;
}

bool compute_argument_range(enum computation c, uint64_t *low, uint64_t *high)
{
	if (c != COMPUTE_WIDER_PORT_RANGE)
		return false;
	*low = 1024;
	*high = 65534;
	return true;
}

/* The lowest port a widened range may start at: the rule's floor
 * (COMPUTE_PORT_FLOOR unless it names one), never below
 * ip_unprivileged_port_start (the kernel refuses such a range, EINVAL),
 * and, where Kubernetes hands out NodePorts, above their range, unless the
 * range in force already starts inside or below it (then it widens
 * upward only, or @reserved_ports keeps the NodePorts out). */
static unsigned range_floor(const struct tw_facts *f, long argument)
{
	unsigned floor = argument >= 1024 ? (unsigned)argument : COMPUTE_PORT_FLOOR;

	if (f->unprivileged_port_start > floor)
		floor = f->unprivileged_port_start;
	if (nodeports_seen(f) && floor <= NODEPORT_HIGH) {
		if (f->port_low > NODEPORT_HIGH)
			floor = NODEPORT_HIGH + 1;
		else if (f->port_low >= NODEPORT_LOW && f->port_low > floor)
			floor = f->port_low;
	}
	return floor;
}

/* The most ports one destination, or bind(), holds now. */
static uint64_t port_demand(const struct tw_facts *f)
{
	uint64_t demand = f->census.worst_tuple_ports;

	return f->census.local_ports_in_use > demand ? f->census.local_ports_in_use : demand;
}

/* A wider range: upward first, to 65535; downward only when that is not
 * room for four times the ports in use (so that the pressure that made a
 * rule recommend it falls to a quarter), and then no lower than the
 * floor. The low end is even, so with 65535 at the top the ends differ in
 * parity (Linux 4.6+: connect() and bind() each get half). Sized from the
 * demand, never from the range in force, so it is a fixed point: applied,
 * the pressure falls and nothing asks for more. */
static int wider_port_range(const struct tw_facts *f, long argument, struct knob_value *out)
{
	uint64_t size, want;
	unsigned low, floor;

	if (!f->port_range_known || !f->census.available)
		return -ENODATA;
	size = port_range_size(f);
	floor = range_floor(f, argument);
	want = 4 * port_demand(f);
	if (want <= size)
		want = size + 1;
	low = f->port_low;
	if (65536 - (uint64_t)low < want)
		low = want >= 65536 - (uint64_t)floor ? floor : (unsigned)(65536 - want);
	if (low > f->port_low)
		low = f->port_low; /* never narrower at the bottom than now */
	low += low & 1u;
	if (low >= 65535 || 65536 - (uint64_t)low <= size)
		return -ENODATA; /* 65535 and the floor leave no wider range */
	*out = knob_value_range(low, 65535);
	return 0;
}

static void protect(uint8_t *wanted, unsigned from, unsigned to, unsigned port, unsigned *added)
{
	if (port >= from && port <= to && !port_bit(wanted, port)) {
		port_set(wanted, port);
		(*added)++;
	}
}

/* Keep the ports of the range FROM..TO that no client may take: every
 * listening port there, and where NodePorts are handed out, theirs. */
static void protect_range(const struct tw_facts *f, uint8_t *wanted, unsigned from, unsigned to,
			  unsigned *added)
{
	for (unsigned i = 0; i < f->census.listening_count; i++)
		protect(wanted, from, to, f->census.listening[i], added);
	if (nodeports_seen(f))
		for (unsigned p = NODEPORT_LOW; p <= NODEPORT_HIGH; p++)
			protect(wanted, from, to, p, added);
}

/* What is reserved now, plus every listening port (and NodePort) that the
 * ephemeral range covers now or will cover: the range the same rule or
 * profile sets, or else the one @wider_port_range would give. A service's
 * port then stays its own whichever range is in force. */
static int reserved_ports(const struct tw_facts *f, const struct knob_value *planned,
			  struct knob_value *out)
{
	uint8_t wanted[PORT_BITMAP_BYTES];
	struct knob_value wider;
	unsigned added = 0;

	if (!f->port_range_known || !f->census.available)
		return -ENODATA;
	memcpy(wanted, f->reserved_ports, sizeof(wanted));
	protect_range(f, wanted, f->port_low, f->port_high, &added);
	if (planned && planned->type == KNOB_TYPE_PORT_RANGE)
		protect_range(f, wanted, planned->range.low, planned->range.high, &added);
	else if (!planned && wider_port_range(f, -1, &wider) == 0)
		protect_range(f, wanted, wider.range.low, wider.range.high, &added);
	if (!added)
		return -ENODATA;
	/* more separate runs than a value holds: nothing this host can be given */
	return knob_value_ports(wanted, out) < 0 ? -ENODATA : 0;
}

static uint64_t next_power_of_two(uint64_t v)
{
	uint64_t p = 1;

	while (p < v && p < (UINT64_C(1) << 40))
		p <<= 1;
	return p;
}

static bool sysctl_u64(const struct tw_facts *f, enum knob_id id, uint64_t *out)
{
	if (!f->sysctl[id].known || f->sysctl[id].value.integer < 0)
		return false;
	*out = (uint64_t)f->sysctl[id].value.integer;
	return true;
}

/* The TIME_WAIT sockets this host needs room for: what it holds now (the
 * census, or sockstat's tw, which also counts orphaned FIN_WAIT2 sockets
 * that share the limit), or, where rates are known, a minute of closes:
 * a TIME_WAIT socket lives 60 s. At the limit the count held is capped by
 * the limit itself, so the closes that found no bucket count too: TcpExt
 * TW counts sockets leaving TIME_WAIT by the timer, TCPTimeWaitOverflow
 * the ones that never got one (inet_twsk_alloc() refused). */
static uint64_t time_wait_demand(const struct tw_facts *f)
{
	uint64_t demand = f->census.states[TCP_STATE_TIME_WAIT];
	double per_second = 0, per_minute;

	if (f->counters[CTR_SOCKSTAT_TW].present && f->counters[CTR_SOCKSTAT_TW].value > demand)
		demand = f->counters[CTR_SOCKSTAT_TW].value;
	if (f->rates.valid[CTR_TW])
		per_second += f->rates.per_second[CTR_TW];
	if (f->rates.valid[CTR_TIME_WAIT_OVERFLOW])
		per_second += f->rates.per_second[CTR_TIME_WAIT_OVERFLOW];
	per_minute = per_second * TIME_WAIT_SECONDS;
	if (per_minute > (double)demand && per_minute < 1e12)
		demand = (uint64_t)per_minute;
	return demand;
}

/* Room for twice DEMAND, rounded up to a power of two (so that small
 * swings in traffic do not move it), at least FLOOR, never less than
 * CURRENT (an administrator's larger choice stands) and never more than
 * what KEY accepts. Sized from demand, never from the value it sets, so
 * that applying it twice changes nothing. */
static struct knob_value room_for(enum knob_id key, uint64_t demand, uint64_t floor,
				  uint64_t current)
{
	uint64_t max = (uint64_t)knob_get(key)->max;
	uint64_t need = demand >= max ? max : next_power_of_two(2 * demand);

	if (need < floor)
		need = floor;
	if (need < current)
		need = current;
	return knob_value_int((long)(need < max ? need : max));
}

static int tw_buckets(const struct tw_facts *f, struct knob_value *out)
{
	uint64_t limit;
	struct knob_value floor = knob_value_int(0);

	if (!sysctl_u64(f, KNOB_TCP_MAX_TW_BUCKETS, &limit))
		return -ENODATA;
	kernel_default(KNOB_TCP_MAX_TW_BUCKETS, f, &floor);
	*out = room_for(KNOB_TCP_MAX_TW_BUCKETS, time_wait_demand(f),
			floor.integer > 0 ? (uint64_t)floor.integer : 0, limit);
	return 0;
}

/* Room for twice the entries conntrack holds now: a fixed point like
 * @tw_buckets. */
static int conntrack_max(const struct tw_facts *f, struct knob_value *out)
{
	const struct conntrack_facts *ct = &f->conntrack;
	uint64_t entries = ct->count_known ? ct->count : 0;

	if (!ct->max_known)
		return -ENODATA;
	if (ct->dump.inspected && ct->entries > entries)
		entries = ct->entries;
	*out = room_for(KNOB_NF_CONNTRACK_MAX, entries, 0, ct->max);
	return 0;
}

/* The same range with ends of different parity: the high end moves down
 * one (or up, when that would empty the range). */
static int parity_port_range(const struct tw_facts *f, struct knob_value *out)
{
	unsigned high;

	if (!f->port_range_known || (f->port_low & 1) != (f->port_high & 1))
		return -ENODATA;
	high = f->port_high > f->port_low ? f->port_high - 1 : f->port_high + 1;
	if (high > 65535)
		return -ENODATA;
	*out = knob_value_range(f->port_low, high);
	return 0;
}

static bool is_power_of_two(long v)
{
	return v > 0 && (v & (v - 1)) == 0;
}

/* tcp_max_tw_buckets at boot (and in a new namespace) is half the
 * established hash: tcp_sk_init() sets it to (ehash_mask + 1) / 2. Since
 * 6.1 the hash's size is net.ipv4.tcp_ehash_entries (negative in a
 * namespace sharing the initial one's hash). Before, the one other value
 * the kernel derives from the same size is tcp_max_orphans: tcp_init()
 * sets it to the same half, in the initial namespace only. The hash has
 * a power-of-two size, so a tcp_max_orphans that is not a power of two
 * was changed and says nothing. 0 when neither source is there. */
static long tw_buckets_default(const struct tw_facts *f)
{
	const struct sysctl_value *ehash = &f->sysctl[KNOB_TCP_EHASH_ENTRIES];
	const struct sysctl_value *orphans = &f->sysctl[KNOB_TCP_MAX_ORPHANS];

	if (ehash->known && ehash->value.integer != 0)
		return (ehash->value.integer < 0 ? -ehash->value.integer : ehash->value.integer) /
		       2;
	if (!ehash->present && orphans->known && is_power_of_two(orphans->value.integer))
		return orphans->value.integer;
	return 0;
}

const char *compute_why_none(enum computation c, enum knob_id key, const struct tw_facts *f)
{
	if (c != COMPUTE_KERNEL_DEFAULT && c != COMPUTE_TW_BUCKETS)
		return NULL;
	if (key != KNOB_TCP_MAX_TW_BUCKETS || !f->sysctl[key].present || tw_buckets_default(f))
		return NULL;
	if (f->sysctl[KNOB_TCP_EHASH_ENTRIES].present)
		return "net.ipv4.tcp_ehash_entries, half of which is the default, could not be "
		       "read";
	if (f->sysctl[KNOB_TCP_MAX_ORPHANS].known)
		return "this kernel (before 6.1) does not show the established hash's size, and "
		       "net.ipv4.tcp_max_orphans, which the kernel sets to the same half of it at "
		       "boot, is not a power of two: it was changed, so the default is unknown";
	return "this kernel (before 6.1) does not show the established hash's size, and "
	       "net.ipv4.tcp_max_orphans, which the kernel sets to the same half of it at boot, "
	       "cannot be read here (it exists in the initial network namespace only)";
}

static bool at_least(const struct tw_facts *f, unsigned major, unsigned minor)
{
	return f->version_known &&
	       kernel_version_code(&f->version) >= KERNEL_VERSION_CODE(major, minor, 0);
}

/* What this kernel sets at boot (or at namespace creation), for the keys
 * where it is a constant or can be derived; -EINVAL for keys twtune keeps no
 * default for (forwarding is not a TIME_WAIT knob; nf_conntrack_max is
 * sized from memory), -ENODATA when the key is absent here or the version
 * unknown. Sources: Documentation/networking/ip-sysctl.rst, and
 * tcp_sk_init() for tcp_max_tw_buckets = established hash size / 2. */
static int kernel_default(enum knob_id key, const struct tw_facts *f, struct knob_value *out)
{
	uint8_t none[PORT_BITMAP_BYTES];

	switch (key) {
	case KNOB_TCP_TW_REUSE:
	case KNOB_TCP_TW_RECYCLE:
	case KNOB_IP_LOCAL_PORT_RANGE:
	case KNOB_TCP_MAX_TW_BUCKETS:
	case KNOB_TCP_FIN_TIMEOUT:
	case KNOB_TCP_TIMESTAMPS:
	case KNOB_TCP_TW_REUSE_DELAY:
	case KNOB_IP_LOCAL_RESERVED_PORTS:
	case KNOB_IP_UNPRIVILEGED_PORT_START:
	case KNOB_NF_CONNTRACK_TCP_TIMEOUT_TIME_WAIT: break;
	default: return -EINVAL;
	}
	if (!f->sysctl[key].present || !f->version_known)
		return -ENODATA;
	switch (key) {
	case KNOB_TCP_TW_REUSE: /* mode 2, loopback only, and the default: 4.19 */
		*out = knob_value_int(at_least(f, 4, 19) ? 2 : 0);
		return 0;
	case KNOB_TCP_TW_RECYCLE: *out = knob_value_int(0); return 0;
	case KNOB_IP_LOCAL_PORT_RANGE: /* 60999 since 4.6, for different parity */
		*out = knob_value_range(32768, at_least(f, 4, 6) ? 60999 : 61000);
		return 0;
	case KNOB_TCP_MAX_TW_BUCKETS: {
		long half = tw_buckets_default(f);

		if (half <= 0)
			return -ENODATA;
		*out = knob_value_int(half);
		return 0;
	}
	case KNOB_TCP_FIN_TIMEOUT: *out = knob_value_int(60); return 0;
	case KNOB_TCP_TIMESTAMPS: *out = knob_value_int(1); return 0;
	case KNOB_TCP_TW_REUSE_DELAY: *out = knob_value_int(1000); return 0;
	case KNOB_IP_LOCAL_RESERVED_PORTS:
		memset(none, 0, sizeof(none));
		return knob_value_ports(none, out);
	/* PROT_SOCK, where ip_unprivileged_port_start (4.11) starts */
	case KNOB_IP_UNPRIVILEGED_PORT_START: *out = knob_value_int(1024); return 0;
	case KNOB_NF_CONNTRACK_TCP_TIMEOUT_TIME_WAIT: *out = knob_value_int(120); return 0;
	default: return -EINVAL;
	}
}

int compute_value(enum computation c, enum knob_id key, const struct tw_facts *f,
		  const struct compute_input *in, struct knob_value *out)
{
	switch (c) {
	case COMPUTE_KERNEL_DEFAULT: return kernel_default(key, f, out);
	case COMPUTE_PARITY_PORT_RANGE: return parity_port_range(f, out);
	case COMPUTE_WIDER_PORT_RANGE: return wider_port_range(f, in ? in->argument : -1, out);
	case COMPUTE_RESERVED_PORTS: return reserved_ports(f, in ? in->planned_range : NULL, out);
	case COMPUTE_TW_BUCKETS: return tw_buckets(f, out);
	case COMPUTE_CONNTRACK_MAX: return conntrack_max(f, out);
	case COMPUTE_NONE: break;
	}
	return -EINVAL;
}
