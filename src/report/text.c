/* SPDX-License-Identifier: MIT */
#include "report/text.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

#include "inspect/classify.h"
#include "report/format.h"
#include "report/json.h"
#include "report/owners.h"
#include "report/ports.h"
#include "report/snat.h"

static void print_percent(FILE *out, double ratio)
{
	if (ratio < 0)
		fprintf(out, "%8s", "n/a");
	else
		fprintf(out, "%7.2f%%", 100 * ratio);
}

static void print_header(FILE *out, const struct tw_facts *f)
{
	fprintf(out, "twtune %s check", PACKAGE_VERSION);
	if (f->release_known)
		fprintf(out, ": kernel %s", f->release);
	if (f->version_known)
		fprintf(out, " (version %u.%u.%u%s)", f->version.major, f->version.minor,
			f->version.patch, f->version_overridden ? ", from --kernel" : "");
	fprintf(out, "\n\n");
}

static const char *severity_colour(enum severity s)
{
	switch (s) {
	case SEVERITY_CRITICAL: return "\033[1;31m";
	case SEVERITY_WARNING: return "\033[1;33m";
	default: return "\033[36m";
	}
}

static void print_severity(FILE *out, enum severity s, bool colour)
{
	char tag[16];

	snprintf(tag, sizeof(tag), "%s", severity_name(s));
	for (char *p = tag; *p; p++)
		*p = (char)(*p - 'a' + 'A');
	if (colour)
		fprintf(out, "%s%-9s\033[0m", severity_colour(s), tag);
	else
		fprintf(out, "%-9s", tag);
}

static void print_verdict(FILE *out, const struct tw_facts *f, const struct findings *fs)
{
	const struct classification *c = &f->classification;
	unsigned by_severity[SEVERITY_CRITICAL + 1] = {0};

	for (size_t i = 0; i < fs->count; i++)
		by_severity[fs->items[i].severity]++;
	fprintf(out, "%-10s %s\n", "Verdict", host_class_name(c->verdict));
	fprintf(out, "%-10s %s\n", "", c->evidence);
	fprintf(out, "%-10s %s", "Status", check_status(f, fs));
	if (fs->count)
		fprintf(out, " (%u critical, %u warning, %u info)", by_severity[SEVERITY_CRITICAL],
			by_severity[SEVERITY_WARNING], by_severity[SEVERITY_INFO]);
	fprintf(out, "\n\n");
}

static void print_findings(FILE *out, const struct tw_facts *f, const struct findings *fs,
			   bool colour)
{
	if (!fs->count)
		return;
	fprintf(out, "Findings\n");
	for (size_t i = 0; i < fs->count; i++) {
		const struct finding *fd = &fs->items[i];

		fprintf(out, "  ");
		print_severity(out, fd->severity, colour);
		fprintf(out, "%s\n", fd->rule->id);
		fprintf(out, "  %9s%s\n", "", fd->summary);
		if (fd->file[0])
			fprintf(out, "  %9sat %s:%u\n", "", fd->file, fd->line);
		for (unsigned k = 0; k < fd->setting_count; k++) {
			const struct finding_setting *s = &fd->settings[k];
			char *current = setting_current_text(f, s);
			char *wanted = knob_text(&s->recommended);

			fprintf(out, "  %9s%s: %s -> %s\n", "", knob_get(s->key)->name,
				current ? current : "(absent)", wanted ? wanted : "?");
			free(current);
			free(wanted);
		}
	}
	fprintf(out, "  (twtune explain ID tells why)\n\n");
}

/* Ten levels that read without colour, from none to the peak. */
static const char sparkline_levels[] = " .:-=+*#%@";

/* One direction's last minute, oldest on the left, newest on the right:
 * any closes at all show at least '.', the peak second '@'. */
static void print_history_line(FILE *out, const char *direction, const struct tw_history *h,
			       uint32_t peak)
{
	char line[TW_HISTORY_SECONDS + 1];
	const unsigned top = sizeof(sparkline_levels) - 2;

	for (unsigned i = 0; i < TW_HISTORY_SECONDS; i++) {
		uint32_t n = h->seconds[TW_HISTORY_SECONDS - 1 - i];
		unsigned level = n ? (unsigned)(((uint64_t)n * top + peak - 1) / peak) : 0;
		line[i] = sparkline_levels[level > top ? top : level];
	}
	line[TW_HISTORY_SECONDS] = '\0';
	fprintf(out, "    %-9s |%s| %.1f/s last %d s, %.1f/s last %d s, peak %u %u s ago, %s\n",
		direction, line, h->rate_10s, TW_HISTORY_RECENT, h->rate_60s, TW_HISTORY_SECONDS,
		h->peak_count, h->peak_second, tw_trend_name(h->trend));
}

/* What the counters of --sample say of the timers. */
static void print_timers_check(FILE *out, const struct timers_check *t)
{
	if (!t->known) {
		if (t->reason[0])
			fprintf(out, "  not checked against the sampled counters: %s\n", t->reason);
		return;
	}
	fprintf(out,
		"  against the sampled counters, last %.1f s: %.0f entered TIME_WAIT (TcpExt TW), "
		"%.0f are still in it",
		t->window, t->entered, t->held);
	if (t->held_fin_wait2 >= 1)
		fprintf(out, " (%.0f in FIN_WAIT2, the peer's FIN still to come)",
			t->held_fin_wait2);
	switch (t->verdict) {
	case TIMERS_AGREE: fprintf(out, ": they agree\n"); break;
	case TIMERS_MORE_HELD:
		fprintf(out, ";\n  more than entered: a segment received in TIME_WAIT restarts "
			     "its 60 s, so a socket closed\n  earlier shows as new (a peer "
			     "retransmitting its FIN)\n");
		break;
	case TIMERS_LEFT_EARLY:
		fprintf(out, ":\n  %.0f left TIME_WAIT early", t->left_early);
		if (t->recycled >= 1)
			fprintf(out, ", %.0f of them taken over by new connections (TWRecycled)",
				t->recycled < t->left_early ? t->recycled : t->left_early);
		if (t->unexplained >= 1)
			fprintf(out,
				"%s %.0f by what no counter counts: an RST received in TIME_WAIT "
				"(tcp_rfc1337 = 0\n  lets it end it), a new SYN to a server's "
				"TIME_WAIT, or a FIN_WAIT2 timed out before\n  the peer's FIN",
				t->recycled >= 1 ? "," : ":", t->unexplained);
		fprintf(out, "\n");
		break;
	}
	if (t->no_bucket >= 1)
		fprintf(out,
			"  %.0f closes found no TIME_WAIT bucket (TCPTimeWaitOverflow) and never "
			"entered it: the\n  timers cannot show them, the close rate above is low "
			"by %.1f/s\n",
			t->no_bucket, t->no_bucket / t->window);
}

static void print_history(FILE *out, const struct tw_facts *f)
{
	const struct tw_census *c = &f->census;
	uint32_t peak = c->history_outbound.peak_count > c->history_inbound.peak_count
				? c->history_outbound.peak_count
				: c->history_inbound.peak_count;

	if (!c->history_known)
		return;
	fprintf(out,
		"  closes by the second they entered TIME_WAIT, last %d s (newest on the right;\n"
		"  '%s' from none to the peak, %u in one second):\n",
		TW_HISTORY_SECONDS, sparkline_levels, peak);
	print_history_line(out, "outbound", &c->history_outbound, peak ? peak : 1);
	print_history_line(out, "inbound", &c->history_inbound, peak ? peak : 1);
	print_timers_check(out, &f->timers_check);
}

static void print_sockets(FILE *out, const struct tw_facts *f)
{
	const struct tw_census *c = &f->census;
	char title[64];

	if (!c->available) {
		fprintf(out, "Sockets: not inspected (see below)\n\n");
		return;
	}
	snprintf(title, sizeof(title), "Sockets (%s, IPv4%s)", c->source, c->ipv6 ? " + IPv6" : "");
	fprintf(out, "%-40s total %llu\n", title, (unsigned long long)c->total);
	fprintf(out, "  %-14s %9llu   outbound %llu, inbound %llu\n", "time_wait",
		(unsigned long long)c->states[TCP_STATE_TIME_WAIT],
		(unsigned long long)c->time_wait_outbound,
		(unsigned long long)c->time_wait_inbound);
	for (unsigned st = 0; st < TCP_STATE_SLOTS; st++) {
		const char *name = tcp_state_name(st);
		if (name && st != TCP_STATE_TIME_WAIT && c->states[st])
			fprintf(out, "  %-14s %9llu\n", name, (unsigned long long)c->states[st]);
	}
	print_history(out, f);
	fprintf(out, "\n");
}

static void print_pressure(FILE *out, const struct tw_facts *f)
{
	const struct tw_census *c = &f->census;
	unsigned size = port_range_size(f);
	char local[64], dest[80];

	if (!c->available)
		return;
	if (size)
		fprintf(out, "Port pressure (ephemeral range %u-%u, %u ports)\n", f->port_low,
			f->port_high, size);
	else
		fprintf(out, "Port pressure (ephemeral range unknown)\n");
	fprintf(out, "  %-10s", "connect()");
	print_percent(out, connect_pressure(f));
	if (c->worst_tuple_ports)
		fprintf(out, "   %u ports from %s toward %s", c->worst_tuple_ports,
			format_addr(&c->worst_local, local, sizeof(local)),
			format_endpoint(&c->worst_remote, c->worst_remote_port, dest,
					sizeof(dest)));
	else
		fprintf(out, "   no outbound connections");
	if (c->worst_tuple_estimated)
		fprintf(out, " (at least: up to %u more)", c->worst_tuple_error);
	fprintf(out, "\n");
	fprintf(out, "  %-10s", "bind()");
	print_percent(out, bind_pressure(f));
	fprintf(out, "   %u distinct local ports in use\n", c->local_ports_in_use);

	if (c->top_count) {
		fprintf(out, "\n  %-44s %9s %9s %9s\n", "Top destinations", "TIME_WAIT", "in use",
			"pressure");
		if (c->history_known)
			fprintf(out,
				"  (under each, its closes by the second over the last %d s, "
				"scaled to its own peak)\n",
				TW_HISTORY_SECONDS);
		for (unsigned i = 0; i < c->top_count; i++) {
			const struct destination_stat *d = &c->top[i];
			fprintf(out, "  %-44s %9u %9u ",
				format_endpoint(&d->address, d->port, dest, sizeof(dest)),
				d->time_wait, d->ports_in_use);
			print_percent(out, size ? (double)d->max_from_one_local / size : -1);
			if (d->estimated)
				fprintf(out, "   ~ up to %u more", d->error);
			fprintf(out, "\n");
			if (d->history_known && d->time_wait)
				print_history_line(out, "closes", &d->history,
						   d->history.peak_count);
			report_owners_text(out, f, i);
		}
		report_owners_text_status(out, f);
		if (c->destinations_truncated)
			fprintf(out,
				"  (about %llu destinations, more than are tracked: any not "
				"tracked holds at most %llu\n"
				"   sockets; '~' marks figures that may be low by the number "
				"shown)\n",
				(unsigned long long)c->destinations,
				(unsigned long long)c->destinations_untracked_max);
	}
	if (c->listen_in_range_count) {
		fprintf(out, "\n  Listening inside the ephemeral range, not reserved:");
		for (unsigned i = 0; i < c->listen_in_range_count && i < 32; i++)
			fprintf(out, " %u", c->listen_in_range[i]);
		if (c->listen_in_range_count > 32)
			fprintf(out, " ... (%u in all)", c->listen_in_range_count);
		fprintf(out, "\n");
	}
	fprintf(out, "\n");
}

/* A source of NAT evidence that could not be read, or only in part. */
static void print_source(FILE *out, const struct evidence_source *src)
{
	if (src->error[0] && (!src->inspected || src->incomplete))
		fprintf(out, "  %-18s %s\n", src->inspected ? "incomplete" : "not inspected",
			src->error);
}

static void print_nat(FILE *out, const struct tw_facts *f)
{
	const struct nat_facts *nat = &f->nat;
	const struct conntrack_facts *ct = &f->conntrack;

	fprintf(out, "NAT        %s\n",
		nat->present > 0    ? "yes"
		: nat->present == 0 ? "no"
				    : "unknown (not every source could be read)");
	for (unsigned i = 0; i < nat->signal_count; i++)
		fprintf(out, "  %-18s %s\n", nat->signals[i].name, nat->signals[i].detail);
	if (nodeports_seen(f))
		fprintf(out, "  %-18s %s\n", "nodeports",
			nat->nodeport_chain[0]
				? nat->nodeport_chain
				: "a listener in 30000-32767 (Kubernetes NodePorts)");
	print_source(out, &nat->nftables);
	print_source(out, &nat->iptables);
	if (!ct->loaded) {
		fprintf(out, "Conntrack  not loaded in this namespace\n\n");
		return;
	}
	fprintf(out, "Conntrack  ");
	if (ct->count_known)
		fprintf(out, "%llu entries", (unsigned long long)ct->count);
	if (ct->max_known)
		fprintf(out, " of %llu max (%.1f%%)", (unsigned long long)ct->max,
			ct->max ? 100.0 * (double)ct->count / (double)ct->max : 0.0);
	if (ct->timeout_known)
		fprintf(out, ", TIME_WAIT timeout %llu s",
			(unsigned long long)ct->time_wait_timeout);
	fprintf(out, "\n");
	if (ct->dump.inspected)
		fprintf(out,
			"  %llu TCP, %llu in TIME_WAIT, %llu with source NAT, %llu with "
			"destination NAT\n",
			(unsigned long long)ct->tcp, (unsigned long long)ct->time_wait,
			(unsigned long long)ct->snat, (unsigned long long)ct->dnat);
	print_source(out, &ct->dump);
	fprintf(out, "\n");
}

static void print_knobs(FILE *out, const struct tw_facts *f)
{
	int width = 0;

	/* one column for the values, as wide as the longest key needs */
	for (int id = 0; id < KNOB_COUNT; id++)
		if ((int)strlen(knob_get(id)->name) > width)
			width = (int)strlen(knob_get(id)->name);
	fprintf(out, "Knobs\n");
	for (int id = 0; id < KNOB_COUNT; id++) {
		const struct sysctl_value *v = &f->sysctl[id];
		const char *shown = v->text	 ? v->text
				    : v->present ? "unreadable"
						 : "absent on this kernel";

		fprintf(out, "  %-*s  %s\n", width, knob_get(id)->name, *shown ? shown : "(empty)");
	}
	fprintf(out, "\n");
}

static void print_counters(FILE *out, const struct tw_facts *f)
{
	bool rates = f->rates.basis != RATES_NONE;

	if (rates)
		fprintf(out, "Counters %31s %14s\n", "value", "per second");
	else
		fprintf(out, "Counters %31s\n", "value");
	for (int id = 0; id < CTR_COUNT; id++) {
		const struct counter_info *ci = counter_info(id);
		const struct counter *c = &f->counters[id];
		char label[64];

		snprintf(label, sizeof(label), "%s %s", ci->section, ci->field);
		if (!c->present && counter_is_conntrack(id))
			continue; /* no nf_conntrack here: nothing to say */
		if (!c->present) {
			fprintf(out, "  %-28s %10s\n", label, "absent");
			continue;
		}
		fprintf(out, "  %-28s %10llu", label, (unsigned long long)c->value);
		if (rates && f->rates.valid[id])
			fprintf(out, " %14.1f", f->rates.per_second[id]);
		fprintf(out, "\n");
	}
	if (f->rates.basis == RATES_SAMPLED)
		fprintf(out, "  (rates over %.1f s)\n", f->rates.interval);
	else if (rates)
		fprintf(out, "  (rates over the %.0f s since the previous run)\n",
			f->rates.interval);
	else if (f->rates.note[0])
		fprintf(out, "  (%s)\n", f->rates.note);
	if (f->rates.basis != RATES_SAMPLED && f->rates.close_rate_from_history)
		fprintf(out,
			"  close rate: %.1f/s over the last %d s, from the TIME_WAIT timers "
			"(use --sample SECONDS to measure)\n",
			f->rates.close_rate_estimate, TW_HISTORY_RECENT);
	else if (f->rates.basis != RATES_SAMPLED && f->census.available)
		fprintf(out,
			"  close rate: about %.1f/s, an estimate from TIME_WAIT / %d s "
			"(use --sample SECONDS to measure)\n",
			f->rates.close_rate_estimate, TIME_WAIT_SECONDS);
	fprintf(out, "\n");
}

static void print_errors(FILE *out, const struct tw_facts *f)
{
	if (!f->error_count)
		return;
	fprintf(out, "Not inspected\n");
	for (unsigned i = 0; i < f->error_count; i++)
		fprintf(out, "  %-9s %s\n", f->errors[i].what, f->errors[i].message);
	if (!f->cap_net_admin)
		fprintf(out, "  (running without CAP_NET_ADMIN)\n");
}

bool want_colour(int fd)
{
	const char *no_colour = getenv("NO_COLOR");

	return isatty(fd) && !(no_colour && *no_colour);
}

void report_check_text(FILE *out, const struct tw_facts *f, const struct findings *fs, bool colour)
{
	print_header(out, f);
	print_verdict(out, f, fs);
	print_findings(out, f, fs, colour);
	print_sockets(out, f);
	print_pressure(out, f);
	print_port_outlook(out, f);
	print_nat(out, f);
	snat_text(out, f);
	print_knobs(out, f);
	print_counters(out, f);
	print_errors(out, f);
}

void report_netns_summary(FILE *out, const struct netns_summary_row *rows, size_t count,
			  unsigned unreadable_processes)
{
	fprintf(out, "%-32s %9s %10s  %-15s %s\n", "Namespace", "Processes", "TIME_WAIT",
		"Classification", "Worst finding");
	for (size_t i = 0; i < count; i++) {
		const struct netns_summary_row *r = &rows[i];

		fprintf(out, "%-32s %9u ", r->label, r->processes);
		if (!r->inspected) {
			fprintf(out, "%10s  not inspected: %s\n", "-", r->reason);
			continue;
		}
		if (r->time_wait < 0)
			fprintf(out, "%10s", "?");
		else
			fprintf(out, "%10lld", r->time_wait);
		fprintf(out, "  %-15s %s\n", r->verdict, r->worst_finding);
	}
	if (unreadable_processes)
		fprintf(out, "(%u process%s whose namespace could not be read)\n",
			unreadable_processes, unreadable_processes == 1 ? "" : "es");
}
