/* SPDX-License-Identifier: MIT */
#include "report/snat.h"

#include <netinet/in.h>
#include <string.h>

/* after <netinet/in.h>: glibc's copy of the in.h structs must win */
/* clang-format off */
#include <linux/netfilter/nf_nat.h>
/* clang-format on */

#include "inspect/snat.h"
#include "report/format.h"

/* ---- JSON */

static json_t *rule_json(const struct snat_rule *r)
{
	char ports[16], text[128];

	snprintf(ports, sizeof(ports), "%u-%u", r->port_low, r->port_high);
	return json_pack("{s:s,s:s,s:s,s:b,s:b,s:b,s:o}", "where", r->where, "action", r->action,
			 "statement", snat_rule_text(r, text, sizeof(text)), "fully_random",
			 (r->flags & NF_NAT_RANGE_PROTO_RANDOM_FULLY) != 0, "random",
			 (r->flags & NF_NAT_RANGE_PROTO_RANDOM) != 0, "persistent",
			 (r->flags & NF_NAT_RANGE_PERSISTENT) != 0, "ports",
			 r->ports_known ? json_string(ports) : json_null());
}

static json_t *rules_json(const struct tw_facts *f)
{
	const struct snat_facts *s = &f->nat.snat;
	json_t *o = json_object(), *list = json_array();
	bool read = f->nat.nftables.inspected;

	json_object_set_new(o, "count", read ? json_integer(s->rules) : json_null());
	json_object_set_new(o, "without_fully_random",
			    read ? json_integer(s->rules_without_fully_random) : json_null());
	for (unsigned i = 0; i < s->rule_count; i++)
		json_array_append_new(list, rule_json(&s->rule[i]));
	json_object_set_new(o, "list", list);
	return o;
}

static json_t *destination_json(const struct snat_facts *s, const struct snat_destination *d)
{
	char addr[64];
	json_t *o = json_object();

	json_object_set_new(o, "protocol", json_string(snat_protocol_name(d->protocol)));
	json_object_set_new(o, "source", json_string(format_addr(&d->source, addr, sizeof(addr))));
	json_object_set_new(o, "address",
			    json_string(format_addr(&d->address, addr, sizeof(addr))));
	json_object_set_new(o, "port", json_integer(d->port));
	json_object_set_new(o, "entries", json_integer(d->entries));
	json_object_set_new(o, "time_wait", json_integer(d->time_wait));
	json_object_set_new(o, "pressure", json_real(round4(snat_pressure(s, d))));
	/* false: more tuples than tracked, and this one not counted whole;
	 * its figures may be low by at most "error" entries */
	json_object_set_new(o, "exact", json_boolean(!d->estimated));
	json_object_set_new(o, "error", json_integer(d->error));
	return o;
}

json_t *snat_json(const struct tw_facts *f)
{
	const struct snat_facts *s = &f->nat.snat;
	int present = snat_present(f);
	unsigned low, high, size = snat_port_range(s, &low, &high);
	json_t *o = json_object(), *top = json_array();

	json_object_set_new(o, "present", present < 0 ? json_null() : json_boolean(present));
	json_object_set_new(o, "rules", rules_json(f));
	json_object_set_new(o, "port_range",
			    json_pack("{s:i,s:i,s:i,s:s}", "low", low, "high", high, "size", size,
				      "from", s->port_low ? "rule" : "kernel default"));
	json_object_set_new(o, "entries", s->tallied ? json_u64(s->entries) : json_null());
	json_object_set_new(o, "destinations_truncated", json_boolean(s->truncated));
	json_object_set_new(o, "destinations_untracked_max", json_u64(s->untracked_max));
	for (unsigned i = 0; i < s->top_count; i++)
		json_array_append_new(top, destination_json(s, &s->top[i]));
	json_object_set_new(o, "top_destinations", top);
	return o;
}

/* ---- text */

static void text_rules(FILE *out, const struct tw_facts *f)
{
	const struct snat_facts *s = &f->nat.snat;
	char text[128];

	if (!f->nat.nftables.inspected) {
		fprintf(out, "SNAT       rules not read (see the NAT sources above)\n");
		return;
	}
	fprintf(out, "SNAT       %u masquerade/snat rule%s, %u without fully-random\n", s->rules,
		s->rules == 1 ? "" : "s", s->rules_without_fully_random);
	for (unsigned i = 0; i < s->rule_count; i++)
		fprintf(out, "  %-30s %s\n", s->rule[i].where,
			snat_rule_text(&s->rule[i], text, sizeof(text)));
	if (s->rules > s->rule_count)
		fprintf(out, "  (and %u more)\n", s->rules - s->rule_count);
}

static void text_destinations(FILE *out, const struct snat_facts *s)
{
	unsigned low, high, size = snat_port_range(s, &low, &high);
	char source[64], dest[80], tuple[160];

	fprintf(out, "  %-22s %u (%u-%u, %s)\n", "ports per destination", size, low, high,
		s->port_low ? "the narrowest rule's range" : "the kernel's, no rule sets one");
	if (!s->tallied)
		return;
	fprintf(out, "  %-22s %llu\n", "conntrack entries", (unsigned long long)s->entries);
	if (!s->top_count)
		return;
	fprintf(out, "  %-52s %8s %9s %9s\n", "Translated source -> destination", "entries",
		"TIME_WAIT", "pressure");
	for (unsigned i = 0; i < s->top_count; i++) {
		const struct snat_destination *d = &s->top[i];

		snprintf(tuple, sizeof(tuple), "%s %s -> %s", snat_protocol_name(d->protocol),
			 format_addr(&d->source, source, sizeof(source)),
			 format_endpoint(&d->address, d->port, dest, sizeof(dest)));
		fprintf(out, "  %-52s %8u %9u %8.2f%%", tuple, d->entries, d->time_wait,
			100 * snat_pressure(s, d));
		if (d->estimated)
			fprintf(out, "   ~ up to %u more", d->error);
		fprintf(out, "\n");
	}
	if (s->truncated)
		fprintf(out, "  (more tuples than are tracked: any not shown holds at most %llu)\n",
			(unsigned long long)s->untracked_max);
}

/* conntrack's failures, with their rates when known: the evidence that
 * the port pressure above is costing connections now. */
static void text_failures(FILE *out, const struct tw_facts *f)
{
	static const enum counter_id shown[] = {CTR_CT_INSERT_FAILED, CTR_CT_DROP,
						CTR_CT_EARLY_DROP};
	const char *sep = "";

	if (!f->counters[CTR_CT_INSERT_FAILED].present)
		return;
	fprintf(out, "  %-22s ", "conntrack failures");
	for (size_t i = 0; i < sizeof(shown) / sizeof(shown[0]); i++) {
		const struct counter *c = &f->counters[shown[i]];

		if (!c->present)
			continue;
		fprintf(out, "%s%s %llu", sep, counter_info(shown[i])->field,
			(unsigned long long)c->value);
		if (f->rates.valid[shown[i]])
			fprintf(out, " (%.1f/s)", f->rates.per_second[shown[i]]);
		sep = ", ";
	}
	fprintf(out, "%s\n", f->rates.basis == RATES_NONE ? ", since boot" : "");
}

void snat_text(FILE *out, const struct tw_facts *f)
{
	int present = snat_present(f);

	if (present == 0)
		return;
	if (present < 0) {
		/* nothing seen, not everything read: no figures to give */
		fprintf(out, "SNAT       unknown (not every NAT source could be read)\n");
		text_failures(out, f);
		fprintf(out, "\n");
		return;
	}
	text_rules(out, f);
	text_destinations(out, &f->nat.snat);
	text_failures(out, f);
	fprintf(out, "\n");
}

/* ---- Prometheus */

static void family(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void snat_prometheus(FILE *out, const struct tw_facts *f)
{
	const struct snat_facts *s = &f->nat.snat;
	unsigned low, high, size = snat_port_range(s, &low, &high);
	char source[64], dest[80];

	if (f->counters[CTR_CT_INSERT_FAILED].present) {
		family(out, "twtune_conntrack_stat_total", "counter",
		       "conntrack's statistics (/proc/net/stat/nf_conntrack), summed over CPUs.");
		for (int id = 0; id < CTR_COUNT; id++)
			if (counter_is_conntrack(id) && f->counters[id].present)
				fprintf(out, "twtune_conntrack_stat_total{stat=\"%s\"} %llu\n",
					counter_info(id)->json_name + strlen("conntrack_"),
					(unsigned long long)f->counters[id].value);
	}
	if (snat_present(f) <= 0)
		return;
	if (f->nat.nftables.inspected) {
		family(out, "twtune_snat_rules", "gauge",
		       "Masquerade and snat rules, by port selection.");
		fprintf(out, "twtune_snat_rules{port_selection=\"fully_random\"} %u\n",
			s->rules - s->rules_without_fully_random);
		fprintf(out, "twtune_snat_rules{port_selection=\"other\"} %u\n",
			s->rules_without_fully_random);
	}
	family(out, "twtune_snat_port_range_ports", "gauge",
	       "Ports source NAT may give one destination.");
	fprintf(out, "twtune_snat_port_range_ports %u\n", size);
	if (!s->tallied)
		return;
	family(out, "twtune_snat_entries", "gauge", "Conntrack entries with source NAT.");
	fprintf(out, "twtune_snat_entries %llu\n", (unsigned long long)s->entries);
	family(out, "twtune_snat_port_pressure_ratio", "gauge",
	       "SNAT entries toward a destination over the ports SNAT may use there (the "
	       "busiest few).");
	for (unsigned i = 0; i < s->top_count; i++)
		fprintf(out,
			"twtune_snat_port_pressure_ratio{protocol=\"%s\",source=\"%s\","
			"destination=\"%s\"} %.17g\n",
			snat_protocol_name(s->top[i].protocol),
			format_addr(&s->top[i].source, source, sizeof(source)),
			format_endpoint(&s->top[i].address, s->top[i].port, dest, sizeof(dest)),
			snat_pressure(s, &s->top[i]));
}
