/* SPDX-License-Identifier: MIT */
/* Facts about how ports are taken and given back (inspect/portuse.h):
 * whether reuse works toward the top destinations, how long their ports
 * last at the rate measured, ports the applications bound themselves,
 * and the counters' evidence that findings cite. */
#include "engine/factview_internal.h"
#include "inspect/classify.h"
#include "inspect/portuse.h"

/* Lists name at most this many destinations, then "...". */
#define LIST_MAX 3

static const char *figure(double x, char *buf, size_t size)
{
	struct value v = number(x);

	value_format(&v, buf, size);
	return buf;
}

static bool timestamps_read(const struct fact_view *v)
{
	return v->facts->census.available && v->facts->census.tcp_info;
}

/* ---- reuse toward the top destination */

static struct value top_reuse_status(const struct fact_view *v)
{
	const struct destination_stat *d = top_destination(v);
	return d ? string(reuse_status_name(destination_reuse(v->facts, d))) : undefined();
}

static struct value top_with_timestamps(const struct fact_view *v)
{
	const struct destination_stat *d = top_destination(v);
	return d && timestamps_read(v) ? number(d->established_with_timestamps) : undefined();
}

static struct value top_without_timestamps(const struct fact_view *v)
{
	const struct destination_stat *d = top_destination(v);
	return d && timestamps_read(v) ? number(d->established_without_timestamps) : undefined();
}

static struct value top_timestamps_share(const struct fact_view *v)
{
	const struct destination_stat *d = top_destination(v);
	double share = d ? destination_timestamps_share(v->facts, d) : -1;
	return share >= 0 ? number(share) : undefined();
}

/* ---- the forecast of the top destination */

static bool top_forecast(const struct fact_view *v, struct destination_forecast *fc)
{
	const struct destination_stat *d = top_destination(v);

	if (!d)
		return false;
	destination_forecast(v->facts, d, fc);
	return fc->known;
}

static struct value top_close_rate(const struct fact_view *v)
{
	struct destination_forecast fc;
	return top_forecast(v, &fc) ? number(fc.close_rate) : undefined();
}

static struct value top_sustainable(const struct fact_view *v)
{
	unsigned size = port_range_size(v->facts);
	return top_destination(v) && size ? number((double)size / TIME_WAIT_SECONDS) : undefined();
}

static struct value top_headroom(const struct fact_view *v)
{
	struct destination_forecast fc;
	return top_forecast(v, &fc) ? number(fc.headroom) : undefined();
}

static struct value top_exhaustion(const struct fact_view *v)
{
	struct destination_forecast fc;
	return top_forecast(v, &fc) && fc.exhausts ? number(fc.seconds_to_exhaustion) : undefined();
}

/* ---- every destination listed */

/* How many listed destinations PICK holds for; undefined unless the
 * timestamps were read. */
static struct value count_listed(const struct fact_view *v,
				 bool (*pick)(const struct tw_facts *f,
					      const struct destination_stat *d))
{
	const struct tw_census *c = &v->facts->census;
	unsigned n = 0;

	if (!timestamps_read(v))
		return undefined();
	for (unsigned i = 0; i < c->top_count; i++)
		n += pick(v->facts, &c->top[i]);
	return number(n);
}

static bool reuse_lacks(const struct tw_facts *f, const struct destination_stat *d)
{
	return destination_reuse(f, d) == REUSE_PEER_LACKS_TIMESTAMPS;
}

static struct value lacking_count(const struct fact_view *v)
{
	return count_listed(v, destination_lacks_timestamps);
}

static struct value lacking_list(const struct fact_view *v)
{
	return timestamps_read(v) ? string(v->ports.lacking_timestamps) : undefined();
}

static struct value reuse_lacking_count(const struct fact_view *v)
{
	return count_listed(v, reuse_lacks);
}

static struct value exhausting_count(const struct fact_view *v)
{
	const struct tw_census *c = &v->facts->census;
	struct destination_forecast fc;
	unsigned n = 0;

	if (!destination_forecasts_known(v->facts))
		return undefined();
	for (unsigned i = 0; i < c->top_count; i++) {
		destination_forecast(v->facts, &c->top[i], &fc);
		n += fc.exhausts;
	}
	return number(n);
}

static struct value exhausting_list(const struct fact_view *v)
{
	return exhausting_count(v).type == VAL_NUMBER ? string(v->ports.exhausting) : undefined();
}

/* ---- host-wide */

static struct value closes(const struct fact_view *v)
{
	double r = time_wait_close_rate(v->facts);
	return r >= 0 ? number(r) : undefined();
}

static struct value recycled(const struct fact_view *v)
{
	double r = recycled_share(v->facts);
	return r >= 0 ? number(r) : undefined();
}

static const enum counter_id paws_counters[] = {CTR_PAWS_ACTIVE, CTR_PAWS_ESTAB, CTR_PAWS_TIMEWAIT};

static struct value paws_rejected(const struct fact_view *v)
{
	const struct tw_rates *r = &v->facts->rates;
	double sum = 0;
	bool any = false;

	for (size_t i = 0; i < sizeof(paws_counters) / sizeof(paws_counters[0]); i++) {
		if (!r->valid[paws_counters[i]])
			continue;
		sum += r->per_second[paws_counters[i]];
		any = true;
	}
	return any ? number(sum) : undefined();
}

static struct value bind_ports(const struct fact_view *v)
{
	return v->facts->census.available ? number(v->facts->census.local_ports_in_use)
					  : undefined();
}

static struct value outside_range(const struct fact_view *v)
{
	const struct tw_facts *f = v->facts;
	return f->census.available && f->port_range_known
		       ? number((double)f->census.outbound_outside_range)
		       : undefined();
}

static struct value bind_parity(const struct fact_view *v)
{
	const struct tw_facts *f = v->facts;
	return f->census.available && f->port_range_known
		       ? number((double)f->census.outbound_bind_parity)
		       : undefined();
}

static struct value bound(const struct fact_view *v)
{
	const struct tw_facts *f = v->facts;
	return f->census.available && f->port_range_known
		       ? number((double)outbound_bound_sockets(f))
		       : undefined();
}

/* What an application that binds before connecting can do, on this
 * kernel: IP_BIND_ADDRESS_NO_PORT (4.2, "ipv4: add IP_BIND_ADDRESS_NO_PORT
 * to defer port allocation at connect() time"), IP_LOCAL_PORT_RANGE (6.3,
 * "ipv4: Add IP_LOCAL_PORT_RANGE socket option"). */
static struct value bind_remedy(const struct fact_view *v)
{
	const struct tw_facts *f = v->facts;
	unsigned code = f->version_known ? kernel_version_code(&f->version) : 0;

	if (!f->version_known)
		return string("set IP_BIND_ADDRESS_NO_PORT (4.2+) before bind() so that "
			      "connect() picks the port per destination, or IP_LOCAL_PORT_RANGE "
			      "(6.3+)");
	if (code >= KERNEL_VERSION_CODE(6, 3, 0))
		return string("set IP_BIND_ADDRESS_NO_PORT before bind() so that connect() picks "
			      "the port per destination, or IP_LOCAL_PORT_RANGE (this kernel has "
			      "both)");
	if (code >= KERNEL_VERSION_CODE(4, 2, 0))
		return string("set IP_BIND_ADDRESS_NO_PORT before bind() so that connect() picks "
			      "the port per destination (IP_LOCAL_PORT_RANGE needs 6.3)");
	return string("this kernel (before 4.2) has neither IP_BIND_ADDRESS_NO_PORT nor "
		      "IP_LOCAL_PORT_RANGE: do not bind() before connect(), or upgrade");
}

static struct value evidence_paws(const struct fact_view *v)
{
	return string(v->ports.paws);
}

static struct value evidence_recycle(const struct fact_view *v)
{
	return string(v->ports.recycle_drops);
}

static struct value evidence_listen(const struct fact_view *v)
{
	return string(v->ports.listen_drops);
}

const struct fact port_facts[] = {
	{"top.reuse_status", top_reuse_status,
	 "whether reuse works toward it: active, configured-but-peer-lacks-timestamps, "
	 "timestamps-off, not-applicable, off or unknown"},
	{"top.established_with_timestamps", top_with_timestamps,
	 "its established sockets that negotiated timestamps (sock_diag only)"},
	{"top.established_without_timestamps", top_without_timestamps,
	 "its established sockets without timestamps (sock_diag only)"},
	{"top.timestamps_share", top_timestamps_share,
	 "share of its established sockets with timestamps, 0-1"},
	{"top.close_rate", top_close_rate,
	 "its closes/s, an estimate: the host's TIME_WAIT close rate times its share of "
	 "TIME_WAIT (rates)"},
	{"top.sustainable_rate", top_sustainable,
	 "new connections/s one destination sustains without reuse: range size / 60 s"},
	{"top.headroom", top_headroom, "sustainable rate less its close rate; negative: over"},
	{"top.seconds_to_exhaustion", top_exhaustion,
	 "seconds until the range runs out toward it at that rate (only when it does)"},
	{"destinations.lacking_timestamps", lacking_count,
	 "listed destinations with TIME_WAIT whose established sockets all lack timestamps"},
	{"destinations.lacking_timestamps.list", lacking_list, "those destinations, as text"},
	{"destinations.reuse_lacking_timestamps", reuse_lacking_count,
	 "listed destinations with reuse configured but no timestamps"},
	{"destinations.exhausting", exhausting_count,
	 "listed destinations whose range runs out at the rate measured"},
	{"destinations.exhausting.list", exhausting_list, "those destinations, as text"},
	{"rates.time_wait_closes", closes,
	 "connections entering TIME_WAIT per second: TW + TWKilled (+ TWRecycled before 5.18)"},
	{"rates.recycled_share", recycled, "TWRecycled over that: the share taken over, 0-1"},
	{"rates.paws_rejected", paws_rejected,
	 "segments/s rejected by PAWS: PAWSActive + PAWSEstab + PAWSTimewait"},
	{"pressure.bind.ports", bind_ports, "distinct local ports in use in the range"},
	{"sockets.outbound.outside_range", outside_range,
	 "outbound sockets on a local port outside the range: bound by the application"},
	{"sockets.outbound.bind_parity", bind_parity,
	 "outbound sockets on ports of the parity bind(0) prefers"},
	{"sockets.outbound.bound", bound,
	 "outbound sockets whose port the application bound (a lower bound, inferred)"},
	{"bind.remedy", bind_remedy, "in messages: what an application binding first can do here"},
	{"evidence.paws", evidence_paws, "in messages: the PAWS counters that rose, with rates"},
	{"evidence.recycle_drops", evidence_recycle,
	 "in messages: what PAWSPassive says of tcp_tw_recycle's drops, or nothing"},
	{"evidence.listen_drops", evidence_listen,
	 "in messages: listen queue drops while twtune watched, or nothing"},
};

const size_t port_fact_count = sizeof(port_facts) / sizeof(port_facts[0]);

/* ---- the derived strings */

static void list_lacking(struct fact_view *view)
{
	const struct tw_census *c = &view->facts->census;
	char item[160], endpoint[80];
	unsigned n = 0;

	for (unsigned i = 0; i < c->top_count; i++) {
		const struct destination_stat *d = &c->top[i];

		if (!destination_lacks_timestamps(view->facts, d))
			continue;
		if (n++ == LIST_MAX) {
			append(view->ports.lacking_timestamps,
			       sizeof(view->ports.lacking_timestamps), ", ...");
			break;
		}
		snprintf(item, sizeof(item),
			 "%s%s (%u established, none with timestamps; %u TIME_WAIT)",
			 n > 1 ? ", " : "",
			 format_endpoint(&d->address, d->port, endpoint, sizeof(endpoint)),
			 d->established_without_timestamps, d->time_wait);
		append(view->ports.lacking_timestamps, sizeof(view->ports.lacking_timestamps),
		       item);
	}
}

static void list_exhausting(struct fact_view *view)
{
	const struct tw_census *c = &view->facts->census;
	char item[192], endpoint[80], rate[32], sustainable[32], seconds[32];
	struct destination_forecast fc;
	unsigned n = 0;

	for (unsigned i = 0; i < c->top_count; i++) {
		const struct destination_stat *d = &c->top[i];

		destination_forecast(view->facts, d, &fc);
		if (!fc.exhausts)
			continue;
		if (n++ == LIST_MAX) {
			append(view->ports.exhausting, sizeof(view->ports.exhausting), ", ...");
			break;
		}
		snprintf(item, sizeof(item), "%s%s (about %s/s of %s/s sustainable: %s s)",
			 n > 1 ? ", " : "",
			 format_endpoint(&d->address, d->port, endpoint, sizeof(endpoint)),
			 figure(fc.close_rate, rate, sizeof(rate)),
			 figure(fc.sustainable_rate, sustainable, sizeof(sustainable)),
			 figure(fc.seconds_to_exhaustion, seconds, sizeof(seconds)));
		append(view->ports.exhausting, sizeof(view->ports.exhausting), item);
	}
}

static bool rising(const struct tw_facts *f, enum counter_id id)
{
	return f->rates.valid[id] && f->rates.per_second[id] > 0;
}

static void evidence(struct fact_view *view)
{
	const struct tw_facts *f = view->facts;
	struct fact_view_ports *p = &view->ports;
	char rate[32], item[96];

	for (size_t i = 0; i < sizeof(paws_counters) / sizeof(paws_counters[0]); i++) {
		if (!rising(f, paws_counters[i]))
			continue;
		snprintf(item, sizeof(item), "%s%s %s/s", p->paws[0] ? ", " : "TcpExt ",
			 counter_info(paws_counters[i])->field,
			 figure(f->rates.per_second[paws_counters[i]], rate, sizeof(rate)));
		append(p->paws, sizeof(p->paws), item);
	}
	if (rising(f, CTR_PAWS_PASSIVE))
		snprintf(p->recycle_drops, sizeof(p->recycle_drops),
			 "; TcpExt PAWSPassive rose by %s/s while twtune watched: SYNs are being "
			 "dropped now",
			 figure(f->rates.per_second[CTR_PAWS_PASSIVE], rate, sizeof(rate)));
	else if (f->counters[CTR_PAWS_PASSIVE].present && f->counters[CTR_PAWS_PASSIVE].value)
		snprintf(p->recycle_drops, sizeof(p->recycle_drops),
			 "; TcpExt PAWSPassive has counted %llu such drops since boot",
			 (unsigned long long)f->counters[CTR_PAWS_PASSIVE].value);
	if (rising(f, CTR_LISTEN_DROPS)) {
		snprintf(p->listen_drops, sizeof(p->listen_drops),
			 "; listeners dropped %s SYNs/s meanwhile (TcpExt ListenDrops",
			 figure(f->rates.per_second[CTR_LISTEN_DROPS], rate, sizeof(rate)));
		if (rising(f, CTR_LISTEN_OVERFLOWS)) {
			snprintf(item, sizeof(item), "; ListenOverflows %s/s: accept queues full",
				 figure(f->rates.per_second[CTR_LISTEN_OVERFLOWS], rate,
					sizeof(rate)));
			append(p->listen_drops, sizeof(p->listen_drops), item);
		}
		append(p->listen_drops, sizeof(p->listen_drops), ")");
	}
}

void fact_view_init_ports(struct fact_view *view)
{
	memset(&view->ports, 0, sizeof(view->ports));
	list_lacking(view);
	list_exhausting(view);
	evidence(view);
}
