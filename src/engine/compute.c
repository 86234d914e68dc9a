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

/* The low end of a wider range: at least 1024 and ip_unprivileged_port_start
 * (the kernel refuses a range that starts below it), above every listening
 * port that lies below the current low end (so none of those services can
 * lose its port to a client), and even: with 65535 at the top the ends then
 * differ in parity, which since Linux 4.6 lets connect() and bind() each
 * have half the range. Listeners above it are for ip_local_reserved_ports. */
static unsigned wider_low(const struct tw_facts *f)
{
	unsigned low = f->unprivileged_port_start > 1024 ? f->unprivileged_port_start : 1024;
	const struct tw_census *c = &f->census;

	for (unsigned i = 0; i < c->listening_count; i++)
		if (c->listening[i] < f->port_low && c->listening[i] >= low)
			low = c->listening[i] + 1u;
	return low + (low & 1);
}

static int wider_port_range(const struct tw_facts *f, struct knob_value *out)
{
	unsigned low;

	if (!f->port_range_known || !f->census.available)
		return -ENODATA;
	low = wider_low(f);
	if (low >= 65535 || 65535 - low + 1 <= port_range_size(f))
		return -ENODATA; /* no wider range avoids the listeners */
	*out = knob_value_range(low, 65535);
	return 0;
}

/* What is reserved now, plus every listening port the ephemeral range
 * covers now or would cover once widened: a service's port then stays its
 * own whichever range is in force. */
static int reserved_ports(const struct tw_facts *f, struct knob_value *out)
{
	uint8_t wanted[PORT_BITMAP_BYTES];
	unsigned from, added = 0;

	if (!f->port_range_known || !f->census.available)
		return -ENODATA;
	memcpy(wanted, f->reserved_ports, sizeof(wanted));
	from = wider_low(f) < f->port_low ? wider_low(f) : f->port_low;
	for (unsigned i = 0; i < f->census.listening_count; i++) {
		unsigned p = f->census.listening[i];
		if (p >= from && !port_bit(wanted, p)) {
			port_set(wanted, p);
			added++;
		}
	}
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
 * that share the limit), or, where a rate of TcpExt TW is known, a
 * minute of closes at that rate: a TIME_WAIT socket lives 60 s. */
static uint64_t time_wait_demand(const struct tw_facts *f)
{
	uint64_t demand = f->census.states[TCP_STATE_TIME_WAIT];
	double per_minute;

	if (f->counters[CTR_SOCKSTAT_TW].present && f->counters[CTR_SOCKSTAT_TW].value > demand)
		demand = f->counters[CTR_SOCKSTAT_TW].value;
	if (f->rates.valid[CTR_TW]) {
		per_minute = f->rates.per_second[CTR_TW] * TIME_WAIT_SECONDS;
		if (per_minute > (double)demand && per_minute < 1e12)
			demand = (uint64_t)per_minute;
	}
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
	const struct sysctl_value *ehash = &f->sysctl[KNOB_TCP_EHASH_ENTRIES];
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
	case KNOB_TCP_MAX_TW_BUCKETS: /* negative when shared with init_net */
		if (!ehash->known || ehash->value.integer == 0)
			return -ENODATA;
		*out = knob_value_int(
			(ehash->value.integer < 0 ? -ehash->value.integer : ehash->value.integer) /
			2);
		return 0;
	case KNOB_TCP_FIN_TIMEOUT: *out = knob_value_int(60); return 0;
	case KNOB_TCP_TIMESTAMPS: *out = knob_value_int(1); return 0;
	case KNOB_TCP_TW_REUSE_DELAY: *out = knob_value_int(1000); return 0;
	case KNOB_IP_LOCAL_RESERVED_PORTS:
		memset(none, 0, sizeof(none));
		return knob_value_ports(none, out);
	case KNOB_NF_CONNTRACK_TCP_TIMEOUT_TIME_WAIT: *out = knob_value_int(120); return 0;
	default: return -EINVAL;
	}
}

int compute_value(enum computation c, enum knob_id key, const struct tw_facts *f,
		  struct knob_value *out)
{
	switch (c) {
	case COMPUTE_KERNEL_DEFAULT: return kernel_default(key, f, out);
	case COMPUTE_PARITY_PORT_RANGE: return parity_port_range(f, out);
	case COMPUTE_WIDER_PORT_RANGE: return wider_port_range(f, out);
	case COMPUTE_RESERVED_PORTS: return reserved_ports(f, out);
	case COMPUTE_TW_BUCKETS: return tw_buckets(f, out);
	case COMPUTE_CONNTRACK_MAX: return conntrack_max(f, out);
	case COMPUTE_NONE: break;
	}
	return -EINVAL;
}
