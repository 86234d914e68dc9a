/* SPDX-License-Identifier: MIT */
#include "engine/factview.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "engine/factview_internal.h"
#include "engine/factview_owners.h"
#include "inspect/classify.h"

static struct value census_number(const struct fact_view *v, uint64_t n)
{
	return v->facts->census.available ? number((double)n) : undefined();
}

static struct value ratio_or_undefined(double r)
{
	return r < 0 ? undefined() : number(r);
}

/* ---- kernel and port range */

static struct value kernel_version(const struct fact_view *v)
{
	if (!v->facts->version_known)
		return undefined();
	return (struct value){.type = VAL_VERSION, .version = v->facts->version};
}

static struct value kernel_release(const struct fact_view *v)
{
	return v->facts->release_known ? string(v->facts->release) : undefined();
}

static struct value range_low(const struct fact_view *v)
{
	return v->facts->port_range_known ? number(v->facts->port_low) : undefined();
}

static struct value range_high(const struct fact_view *v)
{
	return v->facts->port_range_known ? number(v->facts->port_high) : undefined();
}

static struct value range_size(const struct fact_view *v)
{
	return v->facts->port_range_known ? number(port_range_size(v->facts)) : undefined();
}

static struct value range_same_parity(const struct fact_view *v)
{
	if (!v->facts->port_range_known)
		return undefined();
	return boolean((v->facts->port_low & 1) == (v->facts->port_high & 1));
}

/* ---- classification */

static struct value class_verdict(const struct fact_view *v)
{
	enum host_class c = v->facts->classification.verdict;
	return c == HOST_UNKNOWN ? undefined() : string(host_class_name(c));
}

static struct value class_share(const struct fact_view *v)
{
	return v->facts->classification.verdict == HOST_UNKNOWN
		       ? undefined()
		       : number(v->facts->classification.outbound_share);
}

static struct value class_outbound_rate(const struct fact_view *v)
{
	return v->facts->classification.verdict == HOST_UNKNOWN
		       ? undefined()
		       : number(v->facts->classification.outbound);
}

static struct value class_inbound_rate(const struct fact_view *v)
{
	return v->facts->classification.verdict == HOST_UNKNOWN
		       ? undefined()
		       : number(v->facts->classification.inbound);
}

/* ---- census */

static struct value census_available(const struct fact_view *v)
{
	return boolean(v->facts->census.available);
}

static struct value sockets_total(const struct fact_view *v)
{
	return census_number(v, v->facts->census.total);
}

static struct value tw_total(const struct fact_view *v)
{
	return census_number(v, v->facts->census.states[TCP_STATE_TIME_WAIT]);
}

static struct value tw_outbound(const struct fact_view *v)
{
	return census_number(v, v->facts->census.time_wait_outbound);
}

static struct value tw_inbound(const struct fact_view *v)
{
	return census_number(v, v->facts->census.time_wait_inbound);
}

static struct value listening_ports(const struct fact_view *v)
{
	return census_number(v, v->facts->census.listening_ports);
}

static struct value destinations(const struct fact_view *v)
{
	return census_number(v, v->facts->census.destinations);
}

static struct value listen_in_range_count(const struct fact_view *v)
{
	return v->facts->census.available && v->facts->port_range_known
		       ? number(v->facts->census.listen_in_range_count)
		       : undefined();
}

static struct value listen_in_range_list(const struct fact_view *v)
{
	return v->facts->census.available && v->facts->port_range_known ? string(v->listen_in_range)
									: undefined();
}

static struct value inbound_ports(const struct fact_view *v)
{
	return v->facts->census.available ? string(v->inbound_ports) : undefined();
}

static struct value connect_ratio(const struct fact_view *v)
{
	return ratio_or_undefined(connect_pressure(v->facts));
}

static struct value bind_ratio(const struct fact_view *v)
{
	return ratio_or_undefined(bind_pressure(v->facts));
}

static struct value connect_ports(const struct fact_view *v)
{
	return census_number(v, v->facts->census.worst_tuple_ports);
}

const struct destination_stat *top_destination(const struct fact_view *v)
{
	const struct tw_census *c = &v->facts->census;
	return c->available && c->top_count ? &c->top[0] : NULL;
}

static struct value top_endpoint(const struct fact_view *v)
{
	return top_destination(v) ? string(v->top_destination) : undefined();
}

static struct value top_time_wait(const struct fact_view *v)
{
	const struct destination_stat *d = top_destination(v);
	return d ? number(d->time_wait) : undefined();
}

static struct value top_ports(const struct fact_view *v)
{
	const struct destination_stat *d = top_destination(v);
	return d ? number(d->ports_in_use) : undefined();
}

static struct value top_pressure(const struct fact_view *v)
{
	const struct destination_stat *d = top_destination(v);
	unsigned size = port_range_size(v->facts);
	return d && size ? number((double)d->max_from_one_local / size) : undefined();
}

static struct value top_is_loopback(const struct fact_view *v)
{
	const struct destination_stat *d = top_destination(v);
	return d ? boolean(addr_is_loopback(&d->address)) : undefined();
}

/* Share of outbound TIME_WAIT held by the three destinations with most. */
static struct value top3_share(const struct fact_view *v)
{
	const struct tw_census *c = &v->facts->census;
	uint64_t sum = 0;

	if (!c->available || !c->time_wait_outbound)
		return undefined();
	for (unsigned i = 0; i < c->top_count && i < 3; i++)
		sum += c->top[i].time_wait;
	return number((double)sum / (double)c->time_wait_outbound);
}

static struct value top3_list(const struct fact_view *v)
{
	return top_destination(v) ? string(v->top3_list) : undefined();
}

/* ---- counters and rates */

static struct value rates_sampled(const struct fact_view *v)
{
	return boolean(v->facts->rates.basis == RATES_SAMPLED);
}

static struct value close_estimate(const struct fact_view *v)
{
	return v->facts->census.available ? number(v->facts->rates.close_rate_estimate)
					  : undefined();
}

/* Outbound closes per second from the TIME_WAIT timers: undefined where
 * the census had none (a /proc tree without them, no census at all). */
static const struct tw_history *outbound_history(const struct fact_view *v)
{
	const struct tw_census *c = &v->facts->census;
	return c->available && c->history_known ? &c->history_outbound : NULL;
}

static struct value close_10s(const struct fact_view *v)
{
	const struct tw_history *h = outbound_history(v);
	return h ? number(h->rate_10s) : undefined();
}

static struct value close_60s(const struct fact_view *v)
{
	const struct tw_history *h = outbound_history(v);
	return h ? number(h->rate_60s) : undefined();
}

static struct value close_trend(const struct fact_view *v)
{
	const struct tw_history *h = outbound_history(v);
	return h ? string(tw_trend_name(h->trend)) : undefined();
}

/* The timers against --sample's counters: undefined unless compared. */
static const struct timers_check *timers_check(const struct fact_view *v)
{
	return v->facts->timers_check.known ? &v->facts->timers_check : NULL;
}

static struct value timers_verdict(const struct fact_view *v)
{
	const struct timers_check *t = timers_check(v);
	return t ? string(timers_verdict_name(t->verdict)) : undefined();
}

static struct value timers_window(const struct fact_view *v)
{
	const struct timers_check *t = timers_check(v);
	return t ? number(t->window) : undefined();
}

static struct value timers_left_early(const struct fact_view *v)
{
	const struct timers_check *t = timers_check(v);
	return t ? number(t->left_early) : undefined();
}

static struct value timers_recycled(const struct fact_view *v)
{
	const struct timers_check *t = timers_check(v);
	return t ? number(t->recycled) : undefined();
}

static struct value timers_unexplained(const struct fact_view *v)
{
	const struct timers_check *t = timers_check(v);
	return t ? number(t->unexplained) : undefined();
}

static struct value timers_no_bucket(const struct fact_view *v)
{
	const struct timers_check *t = timers_check(v);
	return t ? number(t->no_bucket) : undefined();
}

/* The top destination's closes per second: its own over the last 10 s
 * when the timers are known, TIME_WAIT / 60 s otherwise. */
static struct value top_recent_closes(const struct fact_view *v)
{
	const struct destination_stat *d = top_destination(v);

	if (!d)
		return undefined();
	return number(d->history_known ? d->history.rate_10s
				       : (double)d->time_wait / TIME_WAIT_SECONDS);
}

static struct value top_close_window(const struct fact_view *v)
{
	if (!top_destination(v))
		return undefined();
	return string(top_destination(v)->history_known ? "over the last 10 s"
							: "averaged over the last 60 s");
}

/* ---- NAT and conntrack */

static struct value nat_present(const struct fact_view *v)
{
	return v->facts->nat.present < 0 ? undefined() : boolean(v->facts->nat.present);
}

static struct value conntrack_loaded(const struct fact_view *v)
{
	return boolean(v->facts->conntrack.loaded);
}

static struct value conntrack_entries(const struct fact_view *v)
{
	const struct conntrack_facts *ct = &v->facts->conntrack;
	return ct->count_known ? number((double)ct->count) : undefined();
}

static struct value conntrack_max(const struct fact_view *v)
{
	const struct conntrack_facts *ct = &v->facts->conntrack;
	return ct->max_known ? number((double)ct->max) : undefined();
}

static struct value conntrack_fill(const struct fact_view *v)
{
	const struct conntrack_facts *ct = &v->facts->conntrack;
	return ct->count_known && ct->max_known && ct->max
		       ? number((double)ct->count / (double)ct->max)
		       : undefined();
}

static struct value conntrack_time_wait(const struct fact_view *v)
{
	const struct conntrack_facts *ct = &v->facts->conntrack;
	return ct->dump.inspected ? number((double)ct->time_wait) : undefined();
}

static struct value conntrack_tcp(const struct fact_view *v)
{
	const struct conntrack_facts *ct = &v->facts->conntrack;
	return ct->dump.inspected ? number((double)ct->tcp) : undefined();
}

static struct value nodeports(const struct fact_view *v)
{
	return boolean(nodeports_seen(v->facts));
}

/* NodePorts the ephemeral range covers and ip_local_reserved_ports does
 * not keep out. */
static unsigned nodeports_exposed(const struct tw_facts *f)
{
	unsigned n = 0;

	if (!f->port_range_known || !nodeports_seen(f))
		return 0;
	for (unsigned p = NODEPORT_LOW; p <= NODEPORT_HIGH; p++)
		if (p >= f->port_low && p <= f->port_high && !port_bit(f->reserved_ports, p))
			n++;
	return n;
}

static struct value nodeports_in_range(const struct fact_view *v)
{
	return v->facts->port_range_known ? boolean(nodeports_exposed(v->facts) > 0) : undefined();
}

static struct value nodeports_in_range_count(const struct fact_view *v)
{
	return v->facts->port_range_known ? number(nodeports_exposed(v->facts)) : undefined();
}

static struct value ports_gained(const struct fact_view *v)
{
	const struct knob_value *r = v->recommended_range;

	if (!r || !v->facts->port_range_known)
		return undefined();
	return number((double)(r->range.high - r->range.low + 1) - port_range_size(v->facts));
}

static struct value range_change(const struct fact_view *v)
{
	return v->facts->port_range_known ? string(v->range_change) : undefined();
}

static struct value recommended(const struct fact_view *v)
{
	if (!v->recommended)
		return undefined();
	if (v->recommended->type == KNOB_TYPE_INT)
		return number((double)v->recommended->integer);
	return string(v->recommended_text);
}

static const struct fact facts_table[] = {
	{"kernel.version", kernel_version, "kernel version (compare with v4.12)"},
	{"kernel.release", kernel_release, "kernel release string"},
	{"port_range.low", range_low, "low end of ip_local_port_range"},
	{"port_range.high", range_high, "high end of ip_local_port_range"},
	{"port_range.size", range_size, "ports in the ephemeral range"},
	{"port_range.same_parity", range_same_parity, "both ends even or both odd"},
	{"classification", class_verdict, "outbound-heavy, inbound-heavy, mixed or idle"},
	{"classification.outbound_share", class_share, "outbound share of the churn, 0-1"},
	{"classification.outbound_per_second", class_outbound_rate, "outbound opens or closes/s"},
	{"classification.inbound_per_second", class_inbound_rate, "inbound opens or closes/s"},
	{"census.available", census_available, "the socket census could be taken"},
	{"sockets.total", sockets_total, "sockets counted"},
	{"sockets.time_wait", tw_total, "TIME_WAIT sockets"},
	{"sockets.time_wait.outbound", tw_outbound, "TIME_WAIT this host holds as a client"},
	{"sockets.time_wait.inbound", tw_inbound, "TIME_WAIT this host holds as a server"},
	{"sockets.listening_ports", listening_ports, "distinct listening ports"},
	{"sockets.destinations", destinations,
	 "distinct remote (address, port) with outbound sockets"},
	{"sockets.listening_in_range", listen_in_range_count,
	 "listening ports inside the ephemeral range, not reserved"},
	{"sockets.listening_in_range.list", listen_in_range_list, "those ports, as text"},
	{"sockets.inbound_ports", inbound_ports,
	 "listening ports with most inbound TIME_WAIT, as text"},
	{"pressure.connect", connect_ratio, "most ports toward one destination / range size"},
	{"pressure.connect.ports", connect_ports, "ports in use toward that destination"},
	{"pressure.bind", bind_ratio, "distinct local ports in use / range size"},
	{"top.destination", top_endpoint, "destination with most TIME_WAIT, address:port"},
	{"top.time_wait", top_time_wait, "its TIME_WAIT sockets"},
	{"top.ports_in_use", top_ports, "its ports in use"},
	{"top.port_pressure", top_pressure, "its port pressure"},
	{"top.is_loopback", top_is_loopback, "it is a loopback address"},
	{"top.closes_recent", top_recent_closes,
	 "its closes/s over the last 10 s (its TIME_WAIT timers), else TIME_WAIT / 60 s"},
	{"top.closes_window", top_close_window, "the window of top.closes_recent, as text"},
	{"top3.time_wait_share", top3_share, "share of outbound TIME_WAIT on the top 3"},
	{"top3.list", top3_list, "the top 3 with their TIME_WAIT, as text"},
	{"rates.sampled", rates_sampled, "counters were sampled (--sample)"},
	{"rates.close_estimate", close_estimate,
	 "closes/s: over the last 10 s from the TIME_WAIT timers, else TIME_WAIT / 60 s"},
	{"rates.close_10s", close_10s, "outbound closes/s over the last 10 s (TIME_WAIT timers)"},
	{"rates.close_60s", close_60s, "outbound closes/s over the last 60 s (TIME_WAIT timers)"},
	{"rates.close_trend", close_trend,
	 "\"rising\", \"steady\" or \"falling\": the last 10 s against the 50 s before"},
	{"timers.check", timers_verdict,
	 "\"agree\", \"left-early\" or \"more-held\": the TIME_WAIT timers against TcpExt TW "
	 "over the --sample window (5.18+)"},
	{"timers.window", timers_window, "the seconds compared: the sample's, at most 60"},
	{"timers.left_early", timers_left_early,
	 "sockets that entered TIME_WAIT in the window but are no longer in it"},
	{"timers.recycled", timers_recycled, "TWRecycled in the window: taken over by reuse"},
	{"timers.unexplained", timers_unexplained,
	 "left early beyond TWRecycled: an RST, a SYN reopening it, a FIN_WAIT2 timed out"},
	{"timers.no_bucket", timers_no_bucket,
	 "TCPTimeWaitOverflow in the window: closes that never entered TIME_WAIT"},
	{"nat.present", nat_present, "this namespace translates addresses"},
	{"conntrack.loaded", conntrack_loaded, "nf_conntrack is loaded here"},
	{"conntrack.entries", conntrack_entries, "conntrack entries"},
	{"conntrack.max", conntrack_max, "nf_conntrack_max"},
	{"conntrack.fill", conntrack_fill, "entries / max"},
	{"conntrack.time_wait", conntrack_time_wait, "conntrack entries in TIME_WAIT"},
	{"conntrack.tcp", conntrack_tcp, "TCP conntrack entries"},
	{"nodeports.seen", nodeports,
	 "Kubernetes NodePorts (30000-32767) are served here: kube-proxy's chain, or a listener"},
	{"nodeports.in_range", nodeports_in_range,
	 "the ephemeral range covers NodePorts that are not reserved"},
	{"nodeports.in_range_count", nodeports_in_range_count, "how many such NodePorts"},
	{"recommended", recommended, "in messages: the finding's recommended value"},
	{"recommended.ports_gained", ports_gained,
	 "in messages: ports the recommended ip_local_port_range adds"},
	{"recommended.range_change", range_change,
	 "in messages: the recommended range and its gain, or why there is none"},
};

#define FACT_COUNT (sizeof(facts_table) / sizeof(facts_table[0]))

static const struct fact *find_fact(const char *name)
{
	for (size_t i = 0; i < FACT_COUNT; i++)
		if (strcmp(facts_table[i].name, name) == 0)
			return &facts_table[i];
	for (size_t i = 0; i < port_fact_count; i++)
		if (strcmp(port_facts[i].name, name) == 0)
			return &port_facts[i];
	return NULL;
}

/* "sockets.states.time_wait": the census count of one TCP state. */
static int state_of(const char *name)
{
	static const char prefix[] = "sockets.states.";

	if (strncmp(name, prefix, sizeof(prefix) - 1) != 0)
		return -1;
	for (unsigned st = 0; st < TCP_STATE_SLOTS; st++)
		if (tcp_state_name(st) &&
		    strcmp(tcp_state_name(st), name + sizeof(prefix) - 1) == 0)
			return (int)st;
	return -1;
}

/* "counters.tw", "rates.tw": a counter, or its per-second rate. */
static int counter_of(const char *name, const char *prefix)
{
	size_t n = strlen(prefix);

	if (strncmp(name, prefix, n) != 0)
		return -1;
	for (int id = 0; id < CTR_COUNT; id++)
		if (strcmp(counter_info(id)->json_name, name + n) == 0)
			return id;
	return -1;
}

bool fact_known(const char *name)
{
	int c;

	if (find_fact(name) || knob_find(name) >= 0 || state_of(name) >= 0 ||
	    counter_of(name, "counters.") >= 0 || snat_fact_known(name) || owner_fact_known(name))
		return true;
	c = counter_of(name, "rates.");
	return c >= 0 && !counter_info(c)->is_gauge;
}

/* A sysctl: an integer key as a number, the others (a port range, a list
 * of ports) as their text; a value that is none of the key's type, as the
 * text the host holds. */
static struct value sysctl_value(const struct tw_facts *f, int id)
{
	const struct sysctl_value *sv = &f->sysctl[id];

	if (!sv->text)
		return undefined();
	if (sv->known && sv->value.type == KNOB_TYPE_INT)
		return number((double)sv->value.integer);
	return string(sv->text);
}

struct value fact_lookup(const char *name, void *ctx)
{
	const struct fact_view *v = ctx;
	const struct fact *fact = find_fact(name);
	struct value snat;
	struct value owner;
	int id;

	if (fact)
		return fact->get(v);
	if (snat_fact_lookup(name, v, &snat))
		return snat;
	if (owner_fact_lookup(name, v, &owner))
		return owner;
	if ((id = knob_find(name)) >= 0)
		return sysctl_value(v->facts, id);
	if ((id = state_of(name)) >= 0)
		return census_number(v, v->facts->census.states[id]);
	if ((id = counter_of(name, "counters.")) >= 0)
		return v->facts->counters[id].present ? number((double)v->facts->counters[id].value)
						      : undefined();
	if ((id = counter_of(name, "rates.")) >= 0)
		return v->facts->rates.valid[id] ? number(v->facts->rates.per_second[id])
						 : undefined();
	return undefined();
}

void fact_names(void (*each)(const char *name, const char *doc, void *arg), void *arg)
{
	char name[64];

	for (size_t i = 0; i < FACT_COUNT; i++)
		each(facts_table[i].name, facts_table[i].doc, arg);
	for (size_t i = 0; i < port_fact_count; i++)
		each(port_facts[i].name, port_facts[i].doc, arg);
	snat_fact_names(each, arg);
	owner_fact_names(each, arg);
	for (int id = 0; id < KNOB_COUNT; id++)
		each(knob_get(id)->name, "the sysctl's value (a number when it is one)", arg);
	for (unsigned st = 0; st < TCP_STATE_SLOTS; st++) {
		if (!tcp_state_name(st))
			continue;
		snprintf(name, sizeof(name), "sockets.states.%s", tcp_state_name(st));
		each(name, "sockets in that TCP state", arg);
	}
	for (int id = 0; id < CTR_COUNT; id++) {
		snprintf(name, sizeof(name), "counters.%s", counter_info(id)->json_name);
		each(name, "the counter's value", arg);
		if (counter_info(id)->is_gauge)
			continue;
		snprintf(name, sizeof(name), "rates.%s", counter_info(id)->json_name);
		each(name, "per second, with --sample or since the previous run", arg);
	}
}

/* ---- the derived strings */

void fact_view_init(struct fact_view *view, const struct tw_facts *f)
{
	const struct tw_census *c = &f->census;
	char item[128], endpoint[80];

	memset(view, 0, sizeof(*view));
	view->facts = f;
	if (c->top_count)
		format_endpoint(&c->top[0].address, c->top[0].port, view->top_destination,
				sizeof(view->top_destination));
	for (unsigned i = 0; i < c->top_count && i < 3 && c->top[i].time_wait; i++) {
		snprintf(item, sizeof(item), "%s%s (%u TIME_WAIT)", i ? ", " : "",
			 format_endpoint(&c->top[i].address, c->top[i].port, endpoint,
					 sizeof(endpoint)),
			 c->top[i].time_wait);
		append(view->top3_list, sizeof(view->top3_list), item);
	}
	for (unsigned i = 0; i < c->top_inbound_count && i < 5; i++) {
		snprintf(item, sizeof(item), "%s%u (%u TIME_WAIT)", i ? ", " : "",
			 c->top_inbound[i].port, c->top_inbound[i].time_wait);
		append(view->inbound_ports, sizeof(view->inbound_ports), item);
	}
	for (unsigned i = 0; i < c->listen_in_range_count && i < 16; i++) {
		snprintf(item, sizeof(item), "%s%u", i ? ", " : "", c->listen_in_range[i]);
		append(view->listen_in_range, sizeof(view->listen_in_range), item);
	}
	if (c->listen_in_range_count > 16)
		append(view->listen_in_range, sizeof(view->listen_in_range), ", ...");
	fact_view_init_ports(view);
	snat_fact_view_init(view);
	owner_fact_view_init(view);
}

void fact_view_recommend(struct fact_view *view, const struct finding_setting *settings,
			 unsigned count)
{
	const struct tw_facts *f = view->facts;

	view->recommended = count ? &settings[0].recommended : NULL;
	view->recommended_range = NULL;
	view->recommended_text[0] = view->range_change[0] = '\0';
	if (view->recommended)
		knob_format(view->recommended, view->recommended_text,
			    sizeof(view->recommended_text));
	for (unsigned i = 0; i < count; i++)
		if (settings[i].key == KNOB_IP_LOCAL_PORT_RANGE)
			view->recommended_range = &settings[i].recommended;
	if (view->recommended_range) {
		const struct knob_value *r = view->recommended_range;
		long gained = (long)(r->range.high - r->range.low + 1) - (long)port_range_size(f);

		snprintf(view->range_change, sizeof(view->range_change), "%s %u %u %s %ld ports",
			 gained >= 0 ? "widening it to" : "setting it to", r->range.low,
			 r->range.high, gained >= 0 ? "adds" : "removes",
			 gained >= 0 ? gained : -gained);
	} else if (f->port_range_known) {
		snprintf(view->range_change, sizeof(view->range_change),
			 "no wider range is left above the lowest port twtune may use%s: fewer "
			 "connections (keep-alive, pools) are the remedy",
			 nodeports_seen(f) ? " and the NodePorts" : "");
	}
}
