/* SPDX-License-Identifier: MIT */
/* The source-NAT facts, snat.*: what rules can say about a host that
 * masquerades. Kept beside factview.c, which asks here for the names it
 * does not know. */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

/* after <netinet/in.h>: glibc's copy of the in.h structs must win */
/* clang-format off */
#include <linux/netfilter/nf_nat.h>
/* clang-format on */

#include "engine/factview.h"
#include "inspect/snat.h"

#define UNDEFINED ((struct value){.type = VAL_UNDEFINED})
#define NUMBER(n) ((struct value){.type = VAL_NUMBER, .number = (double)(n)})

typedef struct value (*snat_getter)(const struct fact_view *v);

static const struct snat_facts *snat(const struct fact_view *v)
{
	return &v->facts->nat.snat;
}

static const struct snat_destination *top(const struct fact_view *v)
{
	return snat(v)->top_count ? &snat(v)->top[0] : NULL;
}

static bool rules_read(const struct fact_view *v)
{
	return v->facts->nat.nftables.inspected;
}

static struct value present(const struct fact_view *v)
{
	int p = snat_present(v->facts);

	return p < 0 ? UNDEFINED : (struct value){.type = VAL_BOOL, .boolean = p > 0};
}

static struct value rules(const struct fact_view *v)
{
	return rules_read(v) ? NUMBER(snat(v)->rules) : UNDEFINED;
}

static struct value without_fully_random(const struct fact_view *v)
{
	return rules_read(v) ? NUMBER(snat(v)->rules_without_fully_random) : UNDEFINED;
}

static struct value without_fully_random_list(const struct fact_view *v)
{
	return rules_read(v) ? (struct value){.type = VAL_STRING, .string = v->snat_rules}
			     : UNDEFINED;
}

static struct value range_size(const struct fact_view *v)
{
	unsigned low, high;

	return NUMBER(snat_port_range(snat(v), &low, &high));
}

static struct value entries(const struct fact_view *v)
{
	return snat(v)->tallied ? NUMBER(snat(v)->entries) : UNDEFINED;
}

static struct value top_destination(const struct fact_view *v)
{
	return top(v) ? (struct value){.type = VAL_STRING, .string = v->snat_top_destination}
		      : UNDEFINED;
}

static struct value top_source(const struct fact_view *v)
{
	return top(v) ? (struct value){.type = VAL_STRING, .string = v->snat_top_source}
		      : UNDEFINED;
}

static struct value top_protocol(const struct fact_view *v)
{
	return top(v) ? (struct value){.type = VAL_STRING,
				       .string = snat_protocol_name(top(v)->protocol)}
		      : UNDEFINED;
}

static struct value top_entries(const struct fact_view *v)
{
	return top(v) ? NUMBER(top(v)->entries) : UNDEFINED;
}

static struct value top_time_wait(const struct fact_view *v)
{
	return top(v) ? NUMBER(top(v)->time_wait) : UNDEFINED;
}

static struct value top_pressure(const struct fact_view *v)
{
	return top(v) ? NUMBER(snat_pressure(snat(v), top(v))) : UNDEFINED;
}

static const struct {
	const char *name;
	snat_getter get;
	const char *doc;
} snat_facts[] = {
	{"snat.present", present,
	 "this namespace translates source addresses (a masquerade or snat rule, or such "
	 "conntrack entries)"},
	{"snat.rules", rules,
	 "masquerade and snat rules (nftables, iptables-nft, legacy iptables)"},
	{"snat.rules_without_fully_random", without_fully_random,
	 "of them, those that do not pick ports fully at random"},
	{"snat.rules_without_fully_random.list", without_fully_random_list,
	 "those rules, where they are and what they say, as text"},
	{"snat.port_range.size", range_size,
	 "ports SNAT may give one destination: the narrowest rule's range, else 64512"},
	{"snat.entries", entries, "conntrack entries with source NAT"},
	{"snat.top.destination", top_destination,
	 "the destination (address:port) whose SNAT entries hold the most ports"},
	{"snat.top.source", top_source, "the translated source address they leave from"},
	{"snat.top.protocol", top_protocol, "their protocol: tcp, udp, ..."},
	{"snat.top.entries", top_entries, "their conntrack entries: the ports they hold"},
	{"snat.top.time_wait", top_time_wait, "of them, entries in conntrack's TCP TIME_WAIT"},
	{"snat.top.pressure", top_pressure, "their entries / snat.port_range.size"},
};

#define SNAT_FACT_COUNT (sizeof(snat_facts) / sizeof(snat_facts[0]))

static int find(const char *name)
{
	for (size_t i = 0; i < SNAT_FACT_COUNT; i++)
		if (strcmp(snat_facts[i].name, name) == 0)
			return (int)i;
	return -1;
}

bool snat_fact_known(const char *name)
{
	return find(name) >= 0;
}

bool snat_fact_lookup(const char *name, const struct fact_view *v, struct value *out)
{
	int i = find(name);

	if (i < 0)
		return false;
	*out = snat_facts[i].get(v);
	return true;
}

void snat_fact_names(void (*each)(const char *name, const char *doc, void *arg), void *arg)
{
	for (size_t i = 0; i < SNAT_FACT_COUNT; i++)
		each(snat_facts[i].name, snat_facts[i].doc, arg);
}

void snat_fact_view_init(struct fact_view *view)
{
	const struct snat_facts *s = &view->facts->nat.snat;
	const size_t size = sizeof(view->snat_rules);
	unsigned listed = 0;
	char text[128];
	size_t n = 0;

	for (unsigned i = 0; i < s->rule_count && n < size; i++) {
		if (s->rule[i].flags & NF_NAT_RANGE_PROTO_RANDOM_FULLY)
			continue;
		n += (size_t)snprintf(view->snat_rules + n, size - n, "%s%s: %s", n ? "; " : "",
				      s->rule[i].where,
				      snat_rule_text(&s->rule[i], text, sizeof(text)));
		listed++;
	}
	if (s->rules_without_fully_random > listed && n < size)
		snprintf(view->snat_rules + n, size - n, "; and %u more",
			 s->rules_without_fully_random - listed);
	if (s->top_count) {
		format_addr(&s->top[0].source, view->snat_top_source,
			    sizeof(view->snat_top_source));
		format_endpoint(&s->top[0].address, s->top[0].port, view->snat_top_destination,
				sizeof(view->snat_top_destination));
	}
}
