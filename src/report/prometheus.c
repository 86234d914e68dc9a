/* SPDX-License-Identifier: MIT */
#include "report/prometheus.h"

#include <string.h>

#include "config.h"

#include "inspect/classify.h"
#include "inspect/portuse.h"
#include "report/json.h"
#include "report/owners.h"
#include "report/snat.h"

static void family(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void prometheus_label_value(FILE *out, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fprintf(out, "\\%c", *v);
		else if (*v == '\n')
			fputs("\\n", out);
		else
			fputc(*v, out);
	}
}

/* NAME{KEYS[0]="VALUES[0]",...} V, with COUNT labels. */
static void sample_labels(FILE *out, const char *name, const char *const *keys,
			  const char *const *values, unsigned count, double v)
{
	fputs(name, out);
	for (unsigned i = 0; i < count; i++) {
		fprintf(out, "%s%s=\"", i ? "," : "{", keys[i]);
		prometheus_label_value(out, values[i]);
		fputs(i + 1 == count ? "\"}" : "\"", out);
	}
	fprintf(out, " %.17g\n", v);
}

static void sample(FILE *out, const char *name, const char *label, const char *value, double v)
{
	sample_labels(out, name, &label, &value, label ? 1 : 0, v);
}

static void census_metrics(FILE *out, const struct tw_facts *f)
{
	const struct tw_census *c = &f->census;

	if (!c->available)
		return;
	family(out, "twtune_sockets", "gauge", "TCP sockets by state.");
	for (unsigned st = 0; st < TCP_STATE_SLOTS; st++)
		if (tcp_state_name(st))
			sample(out, "twtune_sockets", "state", tcp_state_name(st),
			       (double)c->states[st]);
	family(out, "twtune_time_wait_sockets", "gauge",
	       "TIME_WAIT sockets by who closed first: outbound (this host as client) or inbound.");
	sample(out, "twtune_time_wait_sockets", "direction", "outbound",
	       (double)c->time_wait_outbound);
	sample(out, "twtune_time_wait_sockets", "direction", "inbound",
	       (double)c->time_wait_inbound);
	if (c->history_known) {
		static const char *const keys[] = {"direction", "window"};
		const struct {
			const char *direction;
			const struct tw_history *h;
		} dirs[] = {{"outbound", &c->history_outbound}, {"inbound", &c->history_inbound}};

		family(out, "twtune_time_wait_close_rate", "gauge",
		       "Closes per second by who closed first, from the TIME_WAIT timers: over "
		       "the last 10 s and the last 60 s.");
		for (unsigned i = 0; i < 2; i++) {
			const char *v10[] = {dirs[i].direction, "10s"};
			const char *v60[] = {dirs[i].direction, "60s"};
			sample_labels(out, "twtune_time_wait_close_rate", keys, v10, 2,
				      dirs[i].h->rate_10s);
			sample_labels(out, "twtune_time_wait_close_rate", keys, v60, 2,
				      dirs[i].h->rate_60s);
		}
	}
	if (connect_pressure(f) >= 0) {
		family(out, "twtune_port_pressure_ratio", "gauge",
		       "Ephemeral ports in use over the range size: connect (worst destination) "
		       "and bind (distinct local ports).");
		sample(out, "twtune_port_pressure_ratio", "kind", "connect", connect_pressure(f));
		sample(out, "twtune_port_pressure_ratio", "kind", "bind", bind_pressure(f));
		family(out, "twtune_port_pressure_connect_error_ports", "gauge",
		       "Ports the connect pressure may be missing: 0 when it is exact, more when "
		       "the host has more destinations than the census tracks.");
		sample(out, "twtune_port_pressure_connect_error_ports", NULL, NULL,
		       c->worst_tuple_error);
	}
	family(out, "twtune_listening_in_ephemeral_range", "gauge",
	       "Listening ports inside ip_local_port_range and not reserved.");
	sample(out, "twtune_listening_in_ephemeral_range", NULL, NULL, c->listen_in_range_count);
	if (f->port_range_known) {
		family(out, "twtune_outbound_bound_sockets", "gauge",
		       "Outbound sockets on ports the application bound itself (inferred: outside "
		       "the range, or on bind()'s parity; a lower bound).");
		sample(out, "twtune_outbound_bound_sockets", NULL, NULL,
		       (double)outbound_bound_sockets(f));
	}
}

/* Per top destination (at most 2 * CENSUS_TOP series each): whether
 * reuse works toward it, its established sockets by timestamps, and with
 * rates its forecast. */
static void destination_metrics(FILE *out, const struct tw_facts *f)
{
	static const char *const keys[] = {"destination", "status"};
	/* in the order of the figures below: close rate, headroom, seconds */
	static const struct {
		const char *name, *help;
	} forecasts[] = {
		{"twtune_destination_close_rate",
		 "Closes per second toward each top destination: its own over the last 10 s "
		 "from its TIME_WAIT timers, or where the census has none an estimate, the "
		 "host's sampled closes split by its share of TIME_WAIT."},
		{"twtune_destination_headroom",
		 "New connections per second each top destination sustains without reuse (range "
		 "size / 60 s) less its close rate; negative: the range runs out (with its "
		 "timers it can run out sooner: see seconds_to_exhaustion)."},
		{"twtune_destination_seconds_to_exhaustion",
		 "Seconds until the range runs out toward a top destination at its close rate; "
		 "only those that run out."},
	};
	const struct tw_census *c = &f->census;
	char dest[2 * CENSUS_TOP][80];
	struct destination_forecast fc;

	if (!c->available || !c->top_count)
		return;
	for (unsigned i = 0; i < c->top_count; i++)
		format_endpoint(&c->top[i].address, c->top[i].port, dest[i], sizeof(dest[i]));
	family(out, "twtune_destination_reuse", "gauge",
	       "1 for each top destination, labelled with whether TIME_WAIT reuse works toward "
	       "it.");
	for (unsigned i = 0; i < c->top_count; i++) {
		const char *values[] = {dest[i],
					reuse_status_name(destination_reuse(f, &c->top[i]))};
		sample_labels(out, "twtune_destination_reuse", keys, values, 2, 1);
	}
	if (c->tcp_info) {
		static const char *const ts_keys[] = {"destination", "timestamps"};

		family(out, "twtune_destination_established", "gauge",
		       "Established sockets toward each top destination, by whether they "
		       "negotiated TCP timestamps.");
		for (unsigned i = 0; i < c->top_count; i++) {
			const char *with[] = {dest[i], "with"}, *without[] = {dest[i], "without"};
			sample_labels(out, "twtune_destination_established", ts_keys, with, 2,
				      c->top[i].established_with_timestamps);
			sample_labels(out, "twtune_destination_established", ts_keys, without, 2,
				      c->top[i].established_without_timestamps);
		}
	}
	if (!destination_forecasts_known(f))
		return;
	for (size_t k = 0; k < sizeof(forecasts) / sizeof(forecasts[0]); k++) {
		family(out, forecasts[k].name, "gauge", forecasts[k].help);
		for (unsigned i = 0; i < c->top_count; i++) {
			double v[] = {0, 0, 0};

			destination_forecast(f, &c->top[i], &fc);
			if (!fc.known)
				continue;
			v[0] = fc.close_rate;
			v[1] = fc.headroom;
			v[2] = fc.seconds_to_exhaustion;
			if (k != 2 || fc.exhausts)
				sample(out, forecasts[k].name, "destination", dest[i], v[k]);
		}
	}
}

static void knob_metrics(FILE *out, const struct tw_facts *f)
{
	const struct sysctl_value *ehash = &f->sysctl[KNOB_TCP_EHASH_ENTRIES];

	family(out, "twtune_sysctl", "gauge",
	       "TIME_WAIT knobs with a numeric value (tcp_ehash_entries as the hash's size).");
	for (int id = 0; id < KNOB_COUNT; id++) {
		const struct sysctl_value *v = &f->sysctl[id];
		long value = v->value.integer;

		/* a child namespace shows the initial one's hash, shared, as
		 * a negative size: the size is the magnitude */
		if (id == KNOB_TCP_EHASH_ENTRIES && value < 0)
			value = -value;
		if (v->known && v->value.type == KNOB_TYPE_INT)
			sample(out, "twtune_sysctl", "key", knob_get(id)->name, (double)value);
	}
	if (ehash->known && ehash->value.integer != 0) {
		family(out, "twtune_ehash_shared", "gauge",
		       "1 when this namespace shares the initial namespace's established hash "
		       "(tcp_ehash_entries reads negative), 0 when it has its own.");
		sample(out, "twtune_ehash_shared", NULL, NULL, ehash->value.integer < 0);
	}
	if (f->port_range_known) {
		family(out, "twtune_port_range", "gauge", "ip_local_port_range ends.");
		sample(out, "twtune_port_range", "end", "low", f->port_low);
		sample(out, "twtune_port_range", "end", "high", f->port_high);
	}
}

static void counter_metrics(FILE *out, const struct tw_facts *f)
{
	family(out, "twtune_tcp_stat_total", "counter",
	       "TCP counters from /proc/net/snmp and /proc/net/netstat.");
	for (int id = 0; id < CTR_COUNT; id++)
		if (f->counters[id].present && !counter_info(id)->is_gauge &&
		    !counter_is_conntrack(id))
			sample(out, "twtune_tcp_stat_total", "stat", counter_info(id)->json_name,
			       (double)f->counters[id].value);
	family(out, "twtune_tcp_level", "gauge", "TCP levels: CurrEstab, sockstat tw.");
	for (int id = 0; id < CTR_COUNT; id++)
		if (f->counters[id].present && counter_info(id)->is_gauge)
			sample(out, "twtune_tcp_level", "name", counter_info(id)->json_name,
			       (double)f->counters[id].value);
}

static void nat_metrics(FILE *out, const struct tw_facts *f)
{
	const struct conntrack_facts *ct = &f->conntrack;

	if (f->nat.present >= 0) {
		family(out, "twtune_nat_present", "gauge",
		       "1 when this namespace translates addresses.");
		sample(out, "twtune_nat_present", NULL, NULL, f->nat.present);
	}
	if (!ct->loaded)
		return;
	family(out, "twtune_conntrack_entries", "gauge",
	       "Conntrack entries, all and in TIME_WAIT.");
	if (ct->count_known)
		sample(out, "twtune_conntrack_entries", "state", "all", (double)ct->count);
	if (ct->dump.inspected)
		sample(out, "twtune_conntrack_entries", "state", "time_wait",
		       (double)ct->time_wait);
	if (ct->max_known) {
		family(out, "twtune_conntrack_max", "gauge", "nf_conntrack_max.");
		sample(out, "twtune_conntrack_max", NULL, NULL, (double)ct->max);
	}
}

static void finding_metrics(FILE *out, const struct tw_facts *f, const struct findings *fs)
{
	static const char *const statuses[] = {"ok", "warning", "critical", "unknown"};
	const char *status = check_status(f, fs);
	unsigned count[SEVERITY_CRITICAL + 1] = {0};

	for (size_t i = 0; i < fs->count; i++)
		count[fs->items[i].severity]++;
	family(out, "twtune_findings", "gauge", "Findings by severity.");
	for (int s = SEVERITY_INFO; s <= SEVERITY_CRITICAL; s++)
		sample(out, "twtune_findings", "severity", severity_name(s), count[s]);
	family(out, "twtune_finding", "gauge", "1 for each rule that fired.");
	for (size_t i = 0; i < fs->count; i++)
		sample(out, "twtune_finding", "id", fs->items[i].rule->id, 1);
	family(out, "twtune_status", "gauge", "0 ok, 1 warning, 2 critical, 3 unknown.");
	for (int i = 0; i < 4; i++)
		if (strcmp(statuses[i], status) == 0)
			sample(out, "twtune_status", NULL, NULL, i);
	family(out, "twtune_classification", "gauge", "1 for the host's classification.");
	sample(out, "twtune_classification", "verdict", host_class_name(f->classification.verdict),
	       1);
}

/* twtune_info: the version, and the kernel judged (when known), as labels
 * of a constant 1, as exporters do. */
static void info_metric(FILE *out, const struct tw_facts *f)
{
	family(out, "twtune_info", "gauge", "twtune's version and the kernel it judged.");
	fprintf(out, "twtune_info{version=\"");
	prometheus_label_value(out, PACKAGE_VERSION);
	fputs("\",kernel=\"", out);
	prometheus_label_value(out, f && f->release_known ? f->release : "");
	fputs("\"} 1\n", out);
}

void report_check_prometheus(FILE *out, const struct tw_facts *f, const struct findings *fs)
{
	family(out, "twtune_up", "gauge",
	       "1 when twtune could inspect and judge; 0, with the reason, when it could not.");
	if (f->parts_inspected)
		sample(out, "twtune_up", NULL, NULL, 1);
	else
		sample(out, "twtune_up", "reason", "inspection", 0);
	info_metric(out, f);
	finding_metrics(out, f, fs);
	census_metrics(out, f);
	destination_metrics(out, f);
	report_owners_prometheus(out, f);
	knob_metrics(out, f);
	counter_metrics(out, f);
	nat_metrics(out, f);
	snat_prometheus(out, f);
}

void report_prometheus_down(FILE *out, const char *reason)
{
	family(out, "twtune_up", "gauge",
	       "1 when twtune could inspect and judge; 0, with the reason, when it could not.");
	sample(out, "twtune_up", "reason", reason, 0);
	info_metric(out, NULL);
}
