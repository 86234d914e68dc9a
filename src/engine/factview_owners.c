/* SPDX-License-Identifier: MIT */
#include "engine/factview_owners.h"

#include <string.h>

#include "inspect/owners.h"

static struct value undefined(void)
{
	return (struct value){.type = VAL_UNDEFINED};
}

static struct value number(double n)
{
	return (struct value){.type = VAL_NUMBER, .number = n};
}

static struct value text(const char *s)
{
	return s && *s ? (struct value){.type = VAL_STRING, .string = s} : undefined();
}

/* The top destination's processes, when they were mapped. */
static const struct destination_owners *top_owners(const struct fact_view *v)
{
	const struct tw_facts *f = v->facts;

	return f->owners.attempted && f->census.available && f->census.top_count
		       ? &f->owners.destinations[0]
		       : NULL;
}

/* The process with most live connections there. */
static const struct socket_owner *top_owner(const struct fact_view *v)
{
	const struct destination_owners *d = top_owners(v);

	return d && d->count ? &d->owners[0] : NULL;
}

enum owner_fact {
	OWNER_COMMAND,
	OWNER_PID,
	OWNER_UNIT,
	OWNER_CGROUP,
	OWNER_LABEL,
	OWNER_CONNECTIONS,
	OWNER_NEW_RATE,
	OWNERS_COUNT,
	OWNERS_LIVE,
	OWNERS_ATTEMPTED,
	OWNERS_NOT_ATTRIBUTED,
};

static const struct {
	const char *name;
	enum owner_fact fact;
	const char *doc;
} owner_facts[] = {
	{"top.owner", OWNER_COMMAND,
	 "command of the process with most live connections toward top.destination (with "
	 "check --processes, or under pressure)"},
	{"top.owner.pid", OWNER_PID, "its process id"},
	{"top.owner.unit", OWNER_UNIT, "its systemd unit or scope (\"api.service\")"},
	{"top.owner.cgroup", OWNER_CGROUP, "its cgroup path"},
	{"top.owner.label", OWNER_LABEL, "\"api-worker (pid 812, api.service)\""},
	{"top.owner.connections", OWNER_CONNECTIONS, "its live connections there"},
	{"top.owner.new_per_second", OWNER_NEW_RATE,
	 "with --sample: its sockets there opened during the sample and open at its end, per "
	 "second (a lower bound of its connect rate)"},
	{"top.owners", OWNERS_COUNT, "processes with live connections toward top.destination"},
	{"top.live_connections", OWNERS_LIVE,
	 "live (not TIME_WAIT) sockets toward top.destination"},
	{"owners.attempted", OWNERS_ATTEMPTED, "sockets were mapped to processes"},
	{"owners.not_attributed", OWNERS_NOT_ATTRIBUTED,
	 "live sockets toward the top destinations whose process was not found"},
};

/* A fact about the top destination's processes as a whole. */
static struct value destination_fact(const struct fact_view *v, enum owner_fact fact)
{
	const struct owner_facts *f = &v->facts->owners;
	const struct destination_owners *d = top_owners(v);

	switch (fact) {
	case OWNERS_ATTEMPTED: return (struct value){.type = VAL_BOOL, .boolean = f->attempted};
	case OWNERS_NOT_ATTRIBUTED:
		return f->attempted ? number((double)f->unattributed) : undefined();
	case OWNERS_COUNT: return d ? number(d->count + d->other_processes) : undefined();
	case OWNERS_LIVE: return d ? number(d->live) : undefined();
	default: return undefined();
	}
}

static struct value owner_value(const struct fact_view *v, enum owner_fact fact)
{
	const struct socket_owner *o = top_owner(v);
	const struct owner_facts *f = &v->facts->owners;

	if (fact >= OWNERS_COUNT)
		return destination_fact(v, fact);
	if (!o)
		return undefined();
	switch (fact) {
	case OWNER_COMMAND: return text(o->command[0] ? o->command : "?");
	case OWNER_PID: return number(o->pid);
	case OWNER_UNIT: return text(o->unit);
	case OWNER_CGROUP: return text(o->cgroup);
	case OWNER_LABEL: return text(v->top_owner);
	case OWNER_CONNECTIONS: return number(o->connections);
	case OWNER_NEW_RATE:
		return f->sampled && f->interval > 0 ? number(o->new_sockets / f->interval)
						     : undefined();
	default: return undefined();
	}
}

#define OWNER_FACT_COUNT (sizeof(owner_facts) / sizeof(owner_facts[0]))

static int find(const char *name)
{
	for (size_t i = 0; i < OWNER_FACT_COUNT; i++)
		if (strcmp(owner_facts[i].name, name) == 0)
			return (int)owner_facts[i].fact;
	return -1;
}

bool owner_fact_known(const char *name)
{
	return find(name) >= 0;
}

bool owner_fact_lookup(const char *name, const struct fact_view *view, struct value *out)
{
	int fact = find(name);

	if (fact < 0)
		return false;
	*out = owner_value(view, (enum owner_fact)fact);
	return true;
}

void owner_fact_names(void (*each)(const char *name, const char *doc, void *arg), void *arg)
{
	for (size_t i = 0; i < OWNER_FACT_COUNT; i++)
		each(owner_facts[i].name, owner_facts[i].doc, arg);
}

void owner_fact_view_init(struct fact_view *view)
{
	const struct socket_owner *o = top_owner(view);

	view->top_owner[0] = '\0';
	if (o)
		owners_label(o, view->top_owner, sizeof(view->top_owner));
}
