#include "engine/factview_owners.h"

#include <string.h>

#include "inspect/owners.h"

typedef struct value (*owner_getter)(const struct fact_view *v);

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

static struct value owner_command(const struct fact_view *v)
{
	const struct socket_owner *o = top_owner(v);
	return o ? text(o->command[0] ? o->command : "?") : undefined();
}

static struct value owner_pid(const struct fact_view *v)
{
	const struct socket_owner *o = top_owner(v);
	return o ? number(o->pid) : undefined();
}

static struct value owner_unit(const struct fact_view *v)
{
	const struct socket_owner *o = top_owner(v);
	return o ? text(o->unit) : undefined();
}

static struct value owner_cgroup(const struct fact_view *v)
{
	const struct socket_owner *o = top_owner(v);
	return o ? text(o->cgroup) : undefined();
}

static struct value owner_label(const struct fact_view *v)
{
	return top_owner(v) ? text(v->top_owner) : undefined();
}

static struct value owner_connections(const struct fact_view *v)
{
	const struct socket_owner *o = top_owner(v);
	return o ? number(o->connections) : undefined();
}

static struct value owner_new_rate(const struct fact_view *v)
{
	const struct socket_owner *o = top_owner(v);
	const struct owner_facts *f = &v->facts->owners;

	return o && f->sampled && f->interval > 0 ? number(o->new_sockets / f->interval)
						  : undefined();
}

static struct value owner_count(const struct fact_view *v)
{
	const struct destination_owners *d = top_owners(v);
	return d ? number(d->count + d->other_processes) : undefined();
}

static struct value live_connections(const struct fact_view *v)
{
	const struct destination_owners *d = top_owners(v);
	return d ? number(d->live) : undefined();
}

static struct value attempted(const struct fact_view *v)
{
	return (struct value){.type = VAL_BOOL, .boolean = v->facts->owners.attempted};
}

static struct value not_attributed(const struct fact_view *v)
{
	const struct owner_facts *f = &v->facts->owners;
	return f->attempted ? number((double)f->unattributed) : undefined();
}

static const struct {
	const char *name;
	owner_getter get;
	const char *doc;
} owner_facts[] = {
	{"top.owner", owner_command,
	 "command of the process with most live connections toward top.destination (with "
	 "check --processes, or under pressure)"},
	{"top.owner.pid", owner_pid, "its process id"},
	{"top.owner.unit", owner_unit, "its systemd unit or scope (\"api.service\")"},
	{"top.owner.cgroup", owner_cgroup, "its cgroup path"},
	{"top.owner.label", owner_label, "\"api-worker (pid 812, api.service)\""},
	{"top.owner.connections", owner_connections, "its live connections there"},
	{"top.owner.new_per_second", owner_new_rate,
	 "with --sample: its sockets there opened during the sample and open at its end, per "
	 "second (a lower bound of its connect rate)"},
	{"top.owners", owner_count, "processes with live connections toward top.destination"},
	{"top.live_connections", live_connections,
	 "live (not TIME_WAIT) sockets toward top.destination"},
	{"owners.attempted", attempted, "sockets were mapped to processes"},
	{"owners.not_attributed", not_attributed,
	 "live sockets toward the top destinations whose process was not found"},
};

#define OWNER_FACT_COUNT (sizeof(owner_facts) / sizeof(owner_facts[0]))

static owner_getter find(const char *name)
{
	for (size_t i = 0; i < OWNER_FACT_COUNT; i++)
		if (strcmp(owner_facts[i].name, name) == 0)
			return owner_facts[i].get;
	return NULL;
}

bool owner_fact_known(const char *name)
{
	return find(name) != NULL;
}

bool owner_fact_lookup(const char *name, const struct fact_view *view, struct value *out)
{
	owner_getter get = find(name);

	if (!get)
		return false;
	*out = get(view);
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
