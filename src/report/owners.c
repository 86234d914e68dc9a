/* SPDX-License-Identifier: MIT */
#include "report/owners.h"

#include <string.h>

#include "inspect/owners.h"
#include "report/format.h"
#include "report/prometheus.h"

/* Prometheus series per destination: the processes with most connections
 * there, so the labels stay bounded (20 destinations, 60 series). */
#define PROMETHEUS_OWNERS 3

static const struct destination_owners *owners_of(const struct tw_facts *f, unsigned i)
{
	return f->owners.attempted && i < f->census.top_count ? &f->owners.destinations[i] : NULL;
}

static double per_second(const struct owner_facts *o, uint32_t sockets)
{
	return o->interval > 0 ? (double)sockets / o->interval : 0;
}

/* ---- text */

/* One line for the sockets of D that no listed process holds. */
static void rest_of_them(FILE *out, const struct destination_owners *d)
{
	char line[256] = "";
	size_t n = 0;

	if (d->other_processes)
		n += (size_t)snprintf(line + n, sizeof(line) - n, "; %u more process%s with %u",
				      d->other_processes, d->other_processes == 1 ? "" : "es",
				      d->other_connections);
	if (d->unattributed && n < sizeof(line))
		n += (size_t)snprintf(line + n, sizeof(line) - n, "; %u not attributed",
				      d->unattributed);
	if (d->orphaned && n < sizeof(line))
		n += (size_t)snprintf(line + n, sizeof(line) - n, "; %u closing (no process)",
				      d->orphaned);
	if (d->unrecorded && n < sizeof(line))
		snprintf(line + n, sizeof(line) - n, "; %u beyond the %d recorded", d->unrecorded,
			 OWNERS_INODES_PER_DESTINATION);
	if (line[0])
		fprintf(out, "    %-7s %s\n", d->count ? "" : "owners:", line + 2);
}

void report_owners_text(FILE *out, const struct tw_facts *f, unsigned i)
{
	const struct destination_owners *d = owners_of(f, i);
	const struct owner_facts *o = &f->owners;
	char label[192];

	if (!d || !d->live)
		return; /* said once for all, after the table */
	for (unsigned k = 0; k < d->count; k++) {
		const struct socket_owner *w = &d->owners[k];

		fprintf(out, "    %-7s %s %u connection%s",
			k ? "" : "owners:", owners_label(w, label, sizeof(label)), w->connections,
			w->connections == 1 ? "" : "s");
		if (o->sampled)
			fprintf(out, ", %u new (%.1f/s)", w->new_sockets,
				per_second(o, w->new_sockets));
		fprintf(out, "\n");
	}
	rest_of_them(out, d);
}

void report_owners_text_status(FILE *out, const struct tw_facts *f)
{
	const struct owner_facts *o = &f->owners;
	unsigned idle = 0;

	if (!f->census.available || !f->census.top_count)
		return;
	if (!o->attempted) {
		fprintf(out, "  Processes: not mapped: %s\n", o->reason);
		return;
	}
	fprintf(out,
		"  Processes: %llu of %llu live socket%s attributed (%u process%s scanned in "
		"%.2f s; %s)\n",
		(unsigned long long)o->attributed, (unsigned long long)o->sockets,
		o->sockets == 1 ? "" : "s", o->processes_scanned,
		o->processes_scanned == 1 ? "" : "es", o->seconds, o->reason);
	for (unsigned i = 0; i < f->census.top_count; i++)
		idle += !o->destinations[i].live;
	if (idle)
		fprintf(out,
			"    no live connection now toward %u of them: their connections are "
			"opened and closed between two looks\n",
			idle);
	if (o->unattributed)
		fprintf(out, "    %llu not attributed: %s\n", (unsigned long long)o->unattributed,
			o->unattributed_why);
	if (o->truncated)
		fprintf(out, "    incomplete: %s\n", o->truncated_why);
	if (o->sampled)
		fprintf(out,
			"    new: sockets opened during the %.1f s sample and still open at its "
			"end, a lower bound\n"
			"    of each process's connect rate (short connections come and go "
			"unseen)\n",
			o->interval);
	else if (o->sample_note[0])
		fprintf(out, "    new sockets not counted: %s\n", o->sample_note);
}

/* ---- JSON */

static json_t *owner_json(const struct owner_facts *o, const struct socket_owner *w)
{
	json_t *j = json_object();

	json_object_set_new(j, "pid", json_integer(w->pid));
	json_object_set_new(j, "command", w->command[0] ? json_string(w->command) : json_null());
	json_object_set_new(j, "unit", w->unit[0] ? json_string(w->unit) : json_null());
	json_object_set_new(j, "cgroup", w->cgroup[0] ? json_string(w->cgroup) : json_null());
	json_object_set_new(j, "connections", json_integer(w->connections));
	json_object_set_new(j, "new_sockets",
			    o->sampled ? json_integer(w->new_sockets) : json_null());
	json_object_set_new(j, "new_per_second",
			    o->sampled ? json_real(round4(per_second(o, w->new_sockets)))
				       : json_null());
	return j;
}

void report_owners_json(json_t *destination, const struct tw_facts *f, unsigned i)
{
	const struct destination_owners *d = owners_of(f, i);
	const struct owner_facts *o = &f->owners;
	json_t *list, *live;

	if (!d) {
		json_object_set_new(destination, "owners", json_null());
		json_object_set_new(destination, "live_sockets", json_null());
		return;
	}
	list = json_array();
	for (unsigned k = 0; k < d->count; k++)
		json_array_append_new(list, owner_json(o, &d->owners[k]));
	json_object_set_new(destination, "owners", list);
	live = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:o}", "total", (json_int_t)d->live,
			 "other_processes", (json_int_t)d->other_processes, "other_connections",
			 (json_int_t)d->other_connections, "not_attributed",
			 (json_int_t)d->unattributed, "closing", (json_int_t)d->orphaned,
			 "unrecorded", (json_int_t)d->unrecorded, "new",
			 o->sampled ? json_integer(d->new_sockets) : json_null());
	json_object_set_new(destination, "live_sockets", live);
}

static json_t *string_or_null(const char *s)
{
	return s[0] ? json_string(s) : json_null();
}

json_t *report_owners_json_status(const struct tw_facts *f)
{
	const struct owner_facts *o = &f->owners;
	json_t *j = json_pack("{s:b,s:s}", "attempted", o->attempted, "reason", o->reason);

	if (!o->attempted)
		return j;
	json_object_update_new(
		j, json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:i,s:i,s:b,s:o,s:f,s:b,s:o,s:o}", "sockets",
			     json_u64(o->sockets), "attributed", json_u64(o->attributed),
			     "not_attributed", json_u64(o->unattributed), "not_attributed_reason",
			     string_or_null(o->unattributed_why), "closing", json_u64(o->orphaned),
			     "unrecorded", json_u64(o->unrecorded), "processes_scanned",
			     (int)o->processes_scanned, "processes_unreadable",
			     (int)o->processes_unreadable, "truncated", o->truncated,
			     "truncated_reason", string_or_null(o->truncated_why), "seconds",
			     round4(o->seconds), "sampled", o->sampled, "interval",
			     o->sampled ? json_real(round4(o->interval)) : json_null(),
			     "sample_note", string_or_null(o->sample_note)));
	return j;
}

/* ---- Prometheus */

static void owner_series(FILE *out, const char *name, const char *destination,
			 const struct socket_owner *w, double value)
{
	char pid[16];

	snprintf(pid, sizeof(pid), "%u", w->pid);
	fprintf(out, "%s{destination=\"", name);
	prometheus_label_value(out, destination);
	fputs("\",command=\"", out);
	prometheus_label_value(out, w->command);
	fprintf(out, "\",pid=\"%s\",unit=\"", pid);
	prometheus_label_value(out, w->unit);
	fprintf(out, "\"} %.17g\n", value);
}

static void owner_family(FILE *out, const struct tw_facts *f, const char *name, const char *help,
			 bool rate)
{
	const struct owner_facts *o = &f->owners;
	char dest[80];

	fprintf(out, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
	for (unsigned i = 0; i < f->census.top_count; i++) {
		const struct destination_owners *d = &o->destinations[i];
		const struct destination_stat *s = &f->census.top[i];

		format_endpoint(&s->address, s->port, dest, sizeof(dest));
		for (unsigned k = 0; k < d->count && k < PROMETHEUS_OWNERS; k++)
			owner_series(out, name, dest, &d->owners[k],
				     rate ? per_second(o, d->owners[k].new_sockets)
					  : d->owners[k].connections);
	}
}

void report_owners_prometheus(FILE *out, const struct tw_facts *f)
{
	const struct owner_facts *o = &f->owners;

	if (!o->attempted)
		return;
	owner_family(out, f, "twtune_destination_owner_connections",
		     "Live connections a process holds toward a top destination (the 3 "
		     "processes with most, per destination).",
		     false);
	if (o->sampled)
		owner_family(out, f, "twtune_destination_owner_new_per_second",
			     "New sockets per second a process opened toward a top destination "
			     "and still held at the end of the sample: a lower bound.",
			     true);
	fprintf(out, "# HELP twtune_owner_sockets Live sockets toward the top destinations, "
		     "by whether their process was found.\n"
		     "# TYPE twtune_owner_sockets gauge\n");
	fprintf(out, "twtune_owner_sockets{attribution=\"attributed\"} %llu\n",
		(unsigned long long)o->attributed);
	fprintf(out, "twtune_owner_sockets{attribution=\"not_attributed\"} %llu\n",
		(unsigned long long)o->unattributed);
	fprintf(out, "twtune_owner_sockets{attribution=\"closing\"} %llu\n",
		(unsigned long long)o->orphaned);
}
