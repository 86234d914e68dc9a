/* SPDX-License-Identifier: MIT */
#include "report/json.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"

#include "inspect/classify.h"
#include "report/format.h"
#include "report/owners.h"
#include "report/ports.h"
#include "report/snat.h"

static json_t *json_ratio_or_null(double v)
{
	return v < 0 ? json_null() : json_real(round4(v));
}

/* The closes of one direction, newest first, and what they add up to. */
static json_t *history_rates_json(const struct tw_history *h)
{
	return json_pack("{s:o,s:o,s:o,s:i,s:o,s:s}", "last_10s", json_real(round4(h->rate_10s)),
			 "last_60s", json_real(round4(h->rate_60s)), "previous_50s",
			 json_real(round4(h->rate_before)), "peak_second", (int)h->peak_second,
			 "peak_count", json_u64(h->peak_count), "trend", tw_trend_name(h->trend));
}

static json_t *history_seconds_json(const struct tw_history *h)
{
	json_t *a = json_array();

	for (unsigned i = 0; i < TW_HISTORY_SECONDS; i++)
		json_array_append_new(a, json_u64(h->seconds[i]));
	return a;
}

/* A top destination's last minute: its seconds and rates together. */
static json_t *destination_history_json(const struct destination_stat *d)
{
	json_t *o;

	if (!d->history_known)
		return json_null();
	o = history_rates_json(&d->history);
	json_object_set_new(o, "seconds", history_seconds_json(&d->history));
	return o;
}

/* The timers against --sample's counters: null when not compared, an
 * object with the reason alone when they could not be. */
static json_t *timers_check_json(const struct timers_check *t)
{
	if (!t->known)
		return t->reason[0] ? json_pack("{s:s}", "reason", t->reason) : json_null();
	return json_pack(
		"{s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "verdict", timers_verdict_name(t->verdict),
		"window_seconds", json_real(round4(t->window)), "entered",
		json_real(round4(t->entered)), "held", json_real(round4(t->held)), "held_fin_wait2",
		json_real(round4(t->held_fin_wait2)), "left_early",
		json_real(round4(t->left_early)), "recycled", json_real(round4(t->recycled)),
		"unexplained", json_real(round4(t->unexplained)), "no_bucket",
		json_real(round4(t->no_bucket)));
}

static json_t *history_json(const struct tw_facts *f)
{
	const struct tw_census *c = &f->census;
	json_t *rates;

	if (!c->history_known)
		return json_null();
	rates = json_pack("{s:o,s:o}", "outbound", history_rates_json(&c->history_outbound),
			  "inbound", history_rates_json(&c->history_inbound));
	return json_pack("{s:o,s:o,s:o,s:f,s:o}", "outbound",
			 history_seconds_json(&c->history_outbound), "inbound",
			 history_seconds_json(&c->history_inbound), "rates", rates, "trend_margin",
			 TW_HISTORY_TREND_MARGIN, "counters_check",
			 timers_check_json(&f->timers_check));
}

static json_t *kernel_json(const struct tw_facts *f)
{
	char version[32];
	json_t *k = json_object();

	snprintf(version, sizeof(version), "%u.%u.%u", f->version.major, f->version.minor,
		 f->version.patch);
	json_object_set_new(k, "release", f->release_known ? json_string(f->release) : json_null());
	json_object_set_new(k, "version", f->version_known ? json_string(version) : json_null());
	json_object_set_new(k, "version_source",
			    json_string(f->version_overridden ? "override" : "detected"));
	return k;
}

static json_t *sysctl_json(const struct tw_facts *f)
{
	json_t *s = json_object();

	for (int id = 0; id < KNOB_COUNT; id++) {
		const struct sysctl_value *v = &f->sysctl[id];
		json_object_set_new(s, knob_get(id)->name,
				    v->text ? json_string(v->text) : json_null());
	}
	return s;
}

static json_t *destination_json(const struct tw_facts *f, const struct destination_stat *d)
{
	unsigned size = port_range_size(f);
	char addr[64];
	json_t *o = json_object();

	json_object_set_new(o, "address",
			    json_string(format_addr(&d->address, addr, sizeof(addr))));
	json_object_set_new(o, "port", json_integer(d->port));
	json_object_set_new(o, "time_wait", json_integer(d->time_wait));
	json_object_set_new(o, "ports_in_use", json_integer(d->ports_in_use));
	json_object_set_new(o, "port_pressure",
			    json_ratio_or_null(size ? (double)d->max_from_one_local / size : -1));
	/* false: more destinations than the census tracks, and this one not
	 * counted whole; each figure may be low by at most "error" sockets */
	json_object_set_new(o, "exact", json_boolean(!d->estimated));
	json_object_set_new(o, "error", json_integer(d->error));
	json_object_set_new(o, "history", destination_history_json(d));
	json_object_set_new(o, "reuse", destination_reuse_json(f, d));
	json_object_set_new(o, "forecast", destination_forecast_json(f, d));
	return o;
}

static json_t *pressure_json(const struct tw_facts *f)
{
	const struct tw_census *c = &f->census;
	json_t *p = json_object(), *conn = json_object(), *bind = json_object();
	char addr[64];

	json_object_set_new(p, "range_size",
			    port_range_size(f) ? json_integer(port_range_size(f)) : json_null());
	json_object_set_new(conn, "ratio", json_ratio_or_null(connect_pressure(f)));
	json_object_set_new(conn, "ports_in_use", json_integer(c->worst_tuple_ports));
	if (c->worst_tuple_ports) {
		json_object_set_new(conn, "local_address",
				    json_string(format_addr(&c->worst_local, addr, sizeof(addr))));
		json_object_set_new(conn, "address",
				    json_string(format_addr(&c->worst_remote, addr, sizeof(addr))));
		json_object_set_new(conn, "port", json_integer(c->worst_remote_port));
	}
	json_object_set_new(conn, "exact", json_boolean(!c->worst_tuple_estimated));
	json_object_set_new(conn, "error", json_integer(c->worst_tuple_error));
	json_object_set_new(bind, "ratio", json_ratio_or_null(bind_pressure(f)));
	json_object_set_new(bind, "ports_in_use", json_integer(c->local_ports_in_use));
	bind_evidence_json(bind, f);
	json_object_set_new(p, "connect", conn);
	json_object_set_new(p, "bind", bind);
	return p;
}

static json_t *sockets_json(const struct tw_facts *f)
{
	const struct tw_census *c = &f->census;
	json_t *s = json_object(), *states = json_object(), *tw = json_object();
	json_t *top = json_array(), *listen = json_array();

	if (!c->available) {
		json_object_set_new(s, "available", json_false());
		json_decref(states);
		json_decref(tw);
		json_decref(top);
		json_decref(listen);
		return s;
	}
	json_object_set_new(s, "available", json_true());
	json_object_set_new(s, "source", json_string(c->source));
	json_object_set_new(s, "ipv6", json_boolean(c->ipv6));
	json_object_set_new(s, "total", json_u64(c->total));
	for (unsigned st = 0; st < TCP_STATE_SLOTS; st++) {
		const char *name = tcp_state_name(st);
		if (name)
			json_object_set_new(states, name, json_u64(c->states[st]));
	}
	json_object_set_new(s, "states", states);
	json_object_set_new(tw, "total", json_u64(c->states[TCP_STATE_TIME_WAIT]));
	json_object_set_new(tw, "outbound", json_u64(c->time_wait_outbound));
	json_object_set_new(tw, "inbound", json_u64(c->time_wait_inbound));
	json_object_set_new(tw, "history", history_json(f));
	json_object_set_new(s, "time_wait", tw);
	json_object_set_new(s, "listening_ports", json_integer(c->listening_ports));
	for (unsigned i = 0; i < c->listen_in_range_count; i++)
		json_array_append_new(listen, json_integer(c->listen_in_range[i]));
	json_object_set_new(s, "listening_in_ephemeral_range", listen);
	{
		json_t *all = json_array(), *inbound = json_array();
		for (unsigned i = 0; i < c->listening_count; i++)
			json_array_append_new(all, json_integer(c->listening[i]));
		json_object_set_new(s, "listening", all);
		for (unsigned i = 0; i < c->top_inbound_count; i++)
			json_array_append_new(inbound,
					      json_pack("{s:i,s:o}", "port", c->top_inbound[i].port,
							"time_wait",
							json_u64(c->top_inbound[i].time_wait)));
		json_object_set_new(s, "top_inbound_ports", inbound);
	}
	json_object_set_new(s, "destinations", json_u64(c->destinations));
	json_object_set_new(s, "destinations_truncated", json_boolean(c->destinations_truncated));
	json_object_set_new(s, "destinations_untracked_max",
			    json_integer((json_int_t)c->destinations_untracked_max));
	for (unsigned i = 0; i < c->top_count; i++) {
		json_t *d = destination_json(f, &c->top[i]);
		report_owners_json(d, f, i);
		json_array_append_new(top, d);
	}
	json_object_set_new(s, "top_destinations", top);
	json_object_set_new(s, "owners", report_owners_json_status(f));
	json_object_set_new(s, "port_pressure", pressure_json(f));
	return s;
}

static json_t *counters_json(const struct tw_facts *f)
{
	static const char *const bases[] = {[RATES_NONE] = NULL,
					    [RATES_SAMPLED] = "sample",
					    [RATES_PREVIOUS_RUN] = "previous run"};
	json_t *o = json_object(), *rates = json_object();

	for (int id = 0; id < CTR_COUNT; id++) {
		const struct counter *c = &f->counters[id];
		json_object_set_new(o, counter_info(id)->json_name,
				    c->present ? json_u64(c->value) : json_null());
	}
	json_object_set_new(rates, "sampled", json_boolean(f->rates.basis == RATES_SAMPLED));
	json_object_set_new(rates, "basis",
			    bases[f->rates.basis] ? json_string(bases[f->rates.basis])
						  : json_null());
	json_object_set_new(rates, "note",
			    f->rates.note[0] ? json_string(f->rates.note) : json_null());
	if (f->rates.basis != RATES_NONE) {
		json_t *per = json_object();
		json_object_set_new(rates, "interval", json_real(round4(f->rates.interval)));
		for (int id = 0; id < CTR_COUNT; id++) {
			if (counter_info(id)->is_gauge)
				continue;
			json_object_set_new(per, counter_info(id)->json_name,
					    f->rates.valid[id]
						    ? json_real(round4(f->rates.per_second[id]))
						    : json_null());
		}
		json_object_set_new(rates, "per_second", per);
	}
	json_object_set_new(rates, "close_rate_estimate",
			    f->census.available ? json_real(round4(f->rates.close_rate_estimate))
						: json_null());
	json_object_set_new(
		rates, "close_rate_estimate_basis",
		json_string(f->rates.close_rate_from_history
				    ? "TIME_WAIT sockets that closed in the last 10 s / 10 s"
				    : "TIME_WAIT sockets / 60 s (an estimate)"));
	json_object_set_new(o, "rates", rates);
	return o;
}

static json_t *classification_json(const struct tw_facts *f)
{
	const struct classification *c = &f->classification;
	json_t *o = json_object();

	json_object_set_new(o, "verdict", json_string(host_class_name(c->verdict)));
	json_object_set_new(o, "basis", json_string(c->basis ? c->basis : "none"));
	json_object_set_new(o, "outbound_per_second", json_real(round4(c->outbound)));
	json_object_set_new(o, "inbound_per_second", json_real(round4(c->inbound)));
	json_object_set_new(o, "outbound_share", json_real(round4(c->outbound_share)));
	json_object_set_new(o, "evidence", json_string(c->evidence));
	return o;
}

static json_t *source_json(const struct evidence_source *src)
{
	/* An inspected source may still be incomplete (a dump the kernel
	 * interrupted): then "error" carries the note, and figures are lower
	 * bounds. */
	bool note = src->error[0] && (!src->inspected || src->incomplete);

	return json_pack("{s:b,s:b,s:o}", "inspected", src->inspected, "incomplete",
			 src->incomplete, "error", note ? json_string(src->error) : json_null());
}

static json_t *nat_json(const struct tw_facts *f)
{
	const struct nat_facts *nat = &f->nat;
	json_t *o = json_object(), *signals = json_array(), *sources = json_object();

	json_object_set_new(o, "present",
			    nat->present < 0 ? json_null() : json_boolean(nat->present));
	for (unsigned i = 0; i < nat->signal_count; i++)
		json_array_append_new(signals, json_pack("{s:s,s:s}", "name", nat->signals[i].name,
							 "detail", nat->signals[i].detail));
	json_object_set_new(o, "signals", signals);
	json_object_set_new(sources, "nftables", source_json(&nat->nftables));
	json_object_set_new(sources, "iptables_legacy", source_json(&nat->iptables));
	json_object_set_new(sources, "conntrack", source_json(&f->conntrack.dump));
	json_object_set_new(o, "sources", sources);
	json_object_set_new(o, "nft_nat_chains",
			    nat->nftables.inspected ? json_integer(nat->nft_nat_chains)
						    : json_null());
	json_object_set_new(o, "nft_nat_rules",
			    nat->nftables.inspected ? json_integer(nat->nft_nat_rules)
						    : json_null());
	json_object_set_new(o, "iptables_nat_rules",
			    nat->iptables_nat_rules < 0 ? json_null()
							: json_integer(nat->iptables_nat_rules));
	/* Kubernetes NodePorts: kube-proxy's chain, or a listener in the range */
	json_object_set_new(o, "nodeports", json_boolean(nodeports_seen(f)));
	json_object_set_new(o, "nodeport_chain",
			    nat->nodeport_chain[0] ? json_string(nat->nodeport_chain)
						   : json_null());
	return o;
}

static json_t *known_or_null(bool known, uint64_t v)
{
	return known ? json_u64(v) : json_null();
}

static json_t *conntrack_json(const struct tw_facts *f)
{
	const struct conntrack_facts *ct = &f->conntrack;
	bool dumped = ct->dump.inspected;
	json_t *o;

	if (!ct->loaded)
		return json_null();
	o = json_object();
	json_object_set_new(o, "entries", known_or_null(ct->count_known, ct->count));
	json_object_set_new(o, "max", known_or_null(ct->max_known, ct->max));
	json_object_set_new(o, "fill",
			    ct->count_known && ct->max_known && ct->max
				    ? json_real(round4((double)ct->count / ct->max))
				    : json_null());
	json_object_set_new(o, "tcp_timeout_time_wait",
			    known_or_null(ct->timeout_known, ct->time_wait_timeout));
	json_object_set_new(o, "time_wait", known_or_null(dumped, ct->time_wait));
	json_object_set_new(o, "tcp", known_or_null(dumped, ct->tcp));
	json_object_set_new(o, "snat", known_or_null(dumped, ct->snat));
	json_object_set_new(o, "dnat", known_or_null(dumped, ct->dnat));
	json_object_set_new(o, "dump", source_json(&ct->dump));
	return o;
}

static json_t *netns_identity_json(const struct netns_identity *id)
{
	if (!id->known)
		return json_null();
	return json_pack("{s:o,s:o}", "inode", json_u64(id->inode), "name",
			 id->name[0] ? json_string(id->name) : json_null());
}

static json_t *errors_json(const struct tw_facts *f)
{
	json_t *a = json_array();

	for (unsigned i = 0; i < f->error_count; i++) {
		json_t *e = json_object();
		json_object_set_new(e, "part", json_string(f->errors[i].what));
		json_object_set_new(e, "message", json_string(f->errors[i].message));
		json_array_append_new(a, e);
	}
	return a;
}

const char *check_status(const struct tw_facts *f, const struct findings *fs)
{
	if (!f->parts_inspected)
		return "unknown";
	switch (findings_worst(fs)) {
	case SEVERITY_CRITICAL: return "critical";
	case SEVERITY_WARNING: return "warning";
	default: return "ok";
	}
}

static json_t *current_json(const struct tw_facts *f, const struct finding_setting *s)
{
	char *current = setting_current_text(f, s);
	json_t *j = current ? json_string(current) : json_null();

	free(current);
	return j;
}

static json_t *setting_json(const struct tw_facts *f, const struct finding_setting *s)
{
	return json_pack("{s:s,s:o,s:o}", "key", knob_get(s->key)->name, "current",
			 current_json(f, s), "recommended", value_json(&s->recommended));
}

static json_t *finding_json(const struct tw_facts *f, const struct finding *fd)
{
	const struct rule *r = fd->rule;
	json_t *o = json_object(), *settings = json_array(), *refs = json_array();

	json_object_set_new(o, "id", json_string(r->id));
	json_object_set_new(o, "severity", json_string(severity_name(fd->severity)));
	json_object_set_new(o, "title", json_string(r->title));
	json_object_set_new(o, "summary", json_string(fd->summary));
	if (fd->file[0]) {
		json_object_set_new(o, "file", json_string(fd->file));
		json_object_set_new(o, "line", json_integer(fd->line));
	}
	/* The first setting flat, for the common one-setting case; all of
	 * them in "settings". */
	if (fd->setting_count) {
		const struct finding_setting *s = &fd->settings[0];
		json_object_set_new(o, "key", json_string(knob_get(s->key)->name));
		json_object_set_new(o, "current", current_json(f, s));
		json_object_set_new(o, "recommended", value_json(&s->recommended));
	}
	for (unsigned i = 0; i < fd->setting_count; i++)
		json_array_append_new(settings, setting_json(f, &fd->settings[i]));
	json_object_set_new(o, "settings", settings);
	for (unsigned i = 0; i < r->reference_count; i++)
		json_array_append_new(refs, json_string(r->references[i]));
	json_object_set_new(o, "references", refs);
	json_object_set_new(o, "explanation",
			    r->explanation ? json_string(r->explanation) : json_null());
	return o;
}

json_t *report_check_json(const struct tw_facts *f, const struct findings *fs)
{
	json_t *doc = json_object(), *findings = json_array();

	json_object_set_new(doc, "version", json_string(PACKAGE_VERSION));
	json_object_set_new(doc, "kernel", kernel_json(f));
	json_object_set_new(doc, "sysctl", sysctl_json(f));
	json_object_set_new(doc, "sockets", sockets_json(f));
	json_object_set_new(doc, "counters", counters_json(f));
	json_object_set_new(doc, "reuse", reuse_json(f));
	json_object_set_new(doc, "classification", classification_json(f));
	json_object_set_new(doc, "nat", nat_json(f));
	json_object_set_new(doc, "conntrack", conntrack_json(f));
	json_object_set_new(doc, "snat", snat_json(f));
	json_object_set_new(doc, "netns", netns_identity_json(&f->netns));
	json_object_set_new(doc, "privileges",
			    json_pack("{s:b}", "cap_net_admin", f->cap_net_admin));
	json_object_set_new(doc, "errors", errors_json(f));
	for (size_t i = 0; i < fs->count; i++)
		json_array_append_new(findings, finding_json(f, &fs->items[i]));
	json_object_set_new(doc, "findings", findings);
	json_object_set_new(doc, "status", json_string(check_status(f, fs)));
	return doc;
}

json_t *report_netns_json(const struct netns_entry *e, const struct tw_facts *f,
			  const struct findings *fs, const char *reason)
{
	json_t *doc = f ? report_check_json(f, fs) : json_object();
	json_t *id = json_object();

	json_object_set_new(id, "inode", json_u64(e->inode));
	json_object_set_new(id, "name", e->name[0] ? json_string(e->name) : json_null());
	json_object_set_new(id, "processes", json_integer(e->processes));
	json_object_set_new(id, "example_pid",
			    e->example_pid ? json_integer(e->example_pid) : json_null());
	json_object_set_new(id, "example_command",
			    e->example_command[0] ? json_string(e->example_command) : json_null());
	json_object_set_new(id, "current", json_boolean(e->current));
	json_object_set_new(id, "inspected", json_boolean(f != NULL));
	json_object_set_new(id, "reason", f || !reason ? json_null() : json_string(reason));
	json_object_set_new(doc, "netns", id);
	return doc;
}

json_t *report_check_result_json(const struct check_result *r)
{
	json_t *doc = report_check_json(&r->facts, &r->findings), *ids = json_array();

	for (unsigned i = 0; i < r->interrupted_count; i++)
		json_array_append_new(ids, json_string(r->interrupted[i].id));
	json_object_set_new(doc, "interrupted_transactions", ids);
	json_object_set_new(
		doc, "drift",
		json_pack("{s:b,s:o,s:o}", "checked", r->drift.checked, "root",
			  r->drift.root[0] ? json_string(r->drift.root) : json_null(), "reason",
			  r->drift.reason ? json_string(r->drift.reason) : json_null()));
	return doc;
}
