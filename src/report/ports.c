/* SPDX-License-Identifier: MIT */
#include "report/ports.h"

#include "inspect/portuse.h"
#include "report/format.h"

/* A rate or ratio that may be unknown (negative). */
static json_t *real_or_null(double v)
{
	return v < 0 ? json_null() : json_real(round4(v));
}

json_t *destination_reuse_json(const struct tw_facts *f, const struct destination_stat *d)
{
	bool read = f->census.tcp_info;

	return json_pack("{s:s,s:o,s:o}", "status", reuse_status_name(destination_reuse(f, d)),
			 "established_with_timestamps",
			 read ? json_integer(d->established_with_timestamps) : json_null(),
			 "established_without",
			 read ? json_integer(d->established_without_timestamps) : json_null());
}

json_t *destination_forecast_json(const struct tw_facts *f, const struct destination_stat *d)
{
	struct destination_forecast fc;

	destination_forecast(f, d, &fc);
	if (!fc.known)
		return json_null();
	/* estimated: the destination's rate is the host's, split by its
	 * share of TIME_WAIT, never measured on its own; the timers measure
	 * it (its closes of the last 10 s), exactly unless the census could
	 * not count the destination whole */
	return json_pack("{s:s,s:o,s:b,s:o,s:o,s:b,s:o}", "basis",
			 fc.basis == FORECAST_TIMERS ? "timers" : "counters", "close_rate",
			 json_real(round4(fc.close_rate)), "estimated",
			 fc.basis == FORECAST_COUNTERS || d->estimated, "sustainable_rate",
			 json_real(round4(fc.sustainable_rate)), "headroom",
			 json_real(round4(fc.headroom)), "exhausts", fc.exhausts,
			 "seconds_to_exhaustion",
			 fc.exhausts ? json_real(round4(fc.seconds_to_exhaustion)) : json_null());
}

json_t *reuse_json(const struct tw_facts *f)
{
	const struct tw_rates *r = &f->rates;

	return json_pack("{s:b,s:o,s:o,s:o}", "timestamps_inspected",
			 f->census.available && f->census.tcp_info, "time_wait_closes_per_second",
			 real_or_null(time_wait_close_rate(f)), "recycled_per_second",
			 r->valid[CTR_TW_RECYCLED]
				 ? json_real(round4(r->per_second[CTR_TW_RECYCLED]))
				 : json_null(),
			 "recycled_share", real_or_null(recycled_share(f)));
}

void bind_evidence_json(json_t *bind, const struct tw_facts *f)
{
	const struct tw_census *c = &f->census;
	bool known = f->port_range_known;

	json_object_set_new(bind, "outbound_outside_range",
			    known ? json_u64(c->outbound_outside_range) : json_null());
	json_object_set_new(bind, "outbound_bind_parity",
			    known ? json_u64(c->outbound_bind_parity) : json_null());
	json_object_set_new(bind, "explicitly_bound",
			    known ? json_u64(outbound_bound_sockets(f)) : json_null());
}

/* ---- text */

static void print_knob(FILE *out, const struct tw_facts *f, enum knob_id id, const char *name)
{
	const char *text = f->sysctl[id].text;

	fprintf(out, "%s = %s", name, text ? text : "unknown");
}

static void print_reuse(FILE *out, const struct tw_facts *f)
{
	const struct tw_census *c = &f->census;
	const struct tw_rates *r = &f->rates;
	char dest[80], status[96];
	double closes = time_wait_close_rate(f);

	fprintf(out, "Reuse per destination (");
	print_knob(out, f, KNOB_TCP_TW_REUSE, "tcp_tw_reuse");
	fprintf(out, ", ");
	print_knob(out, f, KNOB_TCP_TIMESTAMPS, "tcp_timestamps");
	fprintf(out, ")\n  %-44s %-38s %s\n", "destination", "status", "established: timestamps");
	for (unsigned i = 0; i < c->top_count; i++) {
		const struct destination_stat *d = &c->top[i];
		enum reuse_status s = destination_reuse(f, d);

		if (s == REUSE_ACTIVE)
			snprintf(status, sizeof(status), "active (%.1f/s host-wide)",
				 r->per_second[CTR_TW_RECYCLED]);
		else
			snprintf(status, sizeof(status), "%s", reuse_status_name(s));
		fprintf(out, "  %-44s %-38s ",
			format_endpoint(&d->address, d->port, dest, sizeof(dest)), status);
		if (c->tcp_info)
			fprintf(out, "%u with, %u without\n", d->established_with_timestamps,
				d->established_without_timestamps);
		else
			fprintf(out, "not read\n");
	}
	if (!c->tcp_info)
		fprintf(out, "  (timestamps per destination come from the tcp_info of "
			     "sock_diag; a tree read from files has none)\n");
	if (closes > 0 && r->valid[CTR_TW_RECYCLED])
		fprintf(out,
			"  TWRecycled %.1f/s of %.1f/s entering TIME_WAIT: %.1f%% taken over\n",
			r->per_second[CTR_TW_RECYCLED], closes, 100 * recycled_share(f));
	fprintf(out, "\n");
}

static void print_forecast(FILE *out, const struct tw_facts *f)
{
	const struct tw_census *c = &f->census;
	struct destination_forecast fc;
	char dest[80], rate[32];

	if (!destination_forecasts_known(f)) {
		fprintf(out,
			"Forecast per destination: needs the TIME_WAIT timers (sock_diag, or "
			"the tm->when column\n  of a --proc tree's net/tcp) or rates (--sample "
			"SECONDS, or the previous run's counters)\n\n");
		return;
	}
	fprintf(out,
		"Forecast per destination (without reuse each sustains %.1f new connections/s)\n",
		(double)port_range_size(f) / TIME_WAIT_SECONDS);
	for (unsigned i = 0; i < c->top_count; i++) {
		const struct destination_stat *d = &c->top[i];

		destination_forecast(f, d, &fc);
		if (!fc.known) { /* its minute lost (no memory) and no rates */
			fprintf(out, "  %-44s no timers or rates to judge by\n",
				format_endpoint(&d->address, d->port, dest, sizeof(dest)));
			continue;
		}
		snprintf(rate, sizeof(rate), "%s%.1f/s", fc.basis == FORECAST_COUNTERS ? "~" : "",
			 fc.close_rate);
		fprintf(out, "  %-44s %-12s ",
			format_endpoint(&d->address, d->port, dest, sizeof(dest)), rate);
		if (!fc.exhausts)
			fprintf(out, "headroom %.1f/s\n", fc.headroom);
		else if (fc.seconds_to_exhaustion == 0 && fc.headroom >= 0)
			fprintf(out, "headroom %.1f/s, but the range is spent now\n", fc.headroom);
		else if (fc.seconds_to_exhaustion == 0)
			fprintf(out, "over by %.1f/s: the range is spent\n", -fc.headroom);
		else if (fc.headroom >= 0)
			fprintf(out,
				"headroom %.1f/s, but the ports taken lately run out the range "
				"in about %.0f s\n",
				fc.headroom, fc.seconds_to_exhaustion);
		else
			fprintf(out, "over by %.1f/s: the range runs out in about %.0f s\n",
				-fc.headroom, fc.seconds_to_exhaustion);
	}
	if (c->history_known)
		fprintf(out,
			"  (each destination's own closes over the last %d s, from its "
			"TIME_WAIT timers, which\n   also say when each port held comes "
			"back)\n\n",
			TW_HISTORY_RECENT);
	else
		fprintf(out, "  (~: an estimate, the host's closes into TIME_WAIT (TcpExt TW + "
			     "TWKilled) split by each\n   destination's share of TIME_WAIT)\n\n");
}

void print_port_outlook(FILE *out, const struct tw_facts *f)
{
	if (!f->census.available || !f->census.top_count)
		return;
	print_reuse(out, f);
	print_forecast(out, f);
}
