/* SPDX-License-Identifier: MIT */
#include "apply/plan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apply/persist.h"
#include "inspect/sysctl.h"

static void skip(struct plan *p, enum knob_id key, const char *reason)
{
	p->skipped[p->skipped_count].key = key;
	snprintf(p->skipped[p->skipped_count].reason, sizeof(p->skipped[0].reason), "%s", reason);
	p->skipped_count++;
}

static void record_init(struct txn_record *r, const struct plan_options *o, enum txn_kind kind)
{
	time_t now = time(NULL);
	struct tm tm;

	memset(r, 0, sizeof(*r));
	journal_new_id(r->id, sizeof(r->id));
	r->kind = kind;
	r->status = TXN_PENDING;
	gmtime_r(&now, &tm);
	strftime(r->time, sizeof(r->time), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(r->ns, sizeof(r->ns), "%s", o->ns);
	snprintf(r->proc_root, sizeof(r->proc_root), "%s", o->proc_root);
	snprintf(r->source, sizeof(r->source), "%s", o->source);
}

/* The kernel refuses an ip_local_port_range whose low end is below
 * ip_unprivileged_port_start (EINVAL, checked on 6.18): say so before
 * writing anything, with the values the plan would leave. */
static int check_port_range(const struct tw_facts *f, const struct desired_setting *d,
			    unsigned count, char *err, size_t errlen)
{
	const struct sysctl_value *range_now = &f->sysctl[KNOB_IP_LOCAL_PORT_RANGE];
	const struct knob_value *range = range_now->known ? &range_now->value : NULL;
	unsigned start = f->unprivileged_port_start;

	for (unsigned i = 0; i < count; i++) {
		if (d[i].key == KNOB_IP_LOCAL_PORT_RANGE)
			range = &d[i].value;
		if (d[i].key == KNOB_IP_UNPRIVILEGED_PORT_START)
			start = (unsigned)d[i].value.integer;
	}
	if (!range || !f->sysctl[KNOB_IP_UNPRIVILEGED_PORT_START].present)
		return 0;
	if (range->range.low < start) {
		snprintf(
			err, errlen,
			"net.ipv4.ip_local_port_range: the low end %u is below "
			"net.ipv4.ip_unprivileged_port_start (%u); the kernel refuses such a range",
			range->range.low, start);
		return -EINVAL;
	}
	return 0;
}

/* The kernel checks each of ip_unprivileged_port_start and
 * ip_local_port_range against the other's current value (neither may
 * overlap the other; sysctl_net_ipv4.c): lowering the start must come
 * before a range that needs it, raising it after the range has moved up.
 * The table's order writes the range first; swap when the start drops.
 * The undo, in reverse, is then valid too. */
static void order_start_and_range(struct txn_record *r)
{
	int range = -1, start = -1;

	for (unsigned i = 0; i < r->change_count; i++) {
		if (r->changes[i].key == KNOB_IP_LOCAL_PORT_RANGE)
			range = (int)i;
		if (r->changes[i].key == KNOB_IP_UNPRIVILEGED_PORT_START)
			start = (int)i;
	}
	if (range < 0 || start < 0)
		return;
	if ((r->changes[start].new.integer < r->changes[start].old.integer) != (start < range)) {
		struct txn_change moved = r->changes[start];
		int step = start < range ? 1 : -1;

		/* shift the keys between them by one to keep the others' order */
		for (int i = start; i != range; i += step)
			r->changes[i] = r->changes[i + step];
		r->changes[range] = moved;
	}
}

int plan_build(const struct tw_facts *f, const struct desired_setting *desired, unsigned count,
	       const struct plan_options *o, struct plan *p, char *err, size_t errlen)
{
	struct desired_setting kept[KNOB_COUNT];
	unsigned nkept = 0;
	int rc;

	memset(p, 0, sizeof(*p));
	record_init(&p->record, o, TXN_APPLY);
	for (unsigned i = 0; i < count; i++) {
		const struct desired_setting *d = &desired[i];
		const struct sysctl_value *cur = &f->sysctl[d->key];
		char shown[KNOB_TEXT_MAX];

		if (knob_check(d->key, &d->value, err, errlen) < 0)
			return -EINVAL;
		/* The last gate before the kernel: whatever fed the plan, this
		 * value is never written (see rules.h, the invariants). */
		if (d->key == KNOB_TCP_TW_RECYCLE && d->value.integer != 0) {
			snprintf(err, errlen,
				 "net.ipv4.tcp_tw_recycle = %s refused: twtune never sets "
				 "it to anything but 0 (it drops connections from clients "
				 "behind NAT; Linux 4.12 removed it)",
				 knob_format(&d->value, shown, sizeof(shown)));
			return -EINVAL;
		}
		if (!cur->present) {
			skip(p, d->key, "absent on this kernel");
			continue;
		}
		if (!cur->text) {
			snprintf(err, errlen, "%s cannot be read, so it cannot be changed safely",
				 knob_get(d->key)->name);
			return -EINVAL;
		}
		if (cur->read_only) {
			skip(p, d->key, "read-only in this network namespace");
			continue;
		}
		/* what a rollback could not put back is not changed */
		if (!cur->known) {
			skip(p, d->key, "it holds no value of its type; left as it is");
			continue;
		}
		kept[nkept++] = *d;
		if (!knob_value_equal(&cur->value, &d->value)) {
			struct txn_change *c = &p->record.changes[p->record.change_count++];
			c->key = d->key;
			c->old_present = true;
			c->old = knob_value_copy(&cur->value);
			c->new = knob_value_copy(&d->value);
		}
	}
	if ((rc = check_port_range(f, kept, nkept, err, errlen)) < 0)
		return rc;
	order_start_and_range(&p->record);
	if (o->persist_dir && nkept && (rc = plan_persist(p, f, o, kept, nkept, err, errlen)) < 0)
		return rc;
	return 0;
}

int plan_undo(const struct txn_record *t, const struct plan_options *o, struct plan *p, char *err,
	      size_t errlen)
{
	struct txn_record *r = &p->record;
	int rc;

	memset(p, 0, sizeof(*p));
	record_init(r, o, TXN_ROLLBACK);
	snprintf(r->target, sizeof(r->target), "%s", t->id);
	snprintf(r->source, sizeof(r->source), "rollback of %s", t->id);
	for (unsigned i = 0; i < t->change_count; i++) {
		const struct txn_change *tc = &t->changes[i];
		char text[KNOB_TEXT_MAX];
		struct knob_value now;
		struct txn_change *c;

		if (!tc->old_present)
			continue;
		if ((rc = sysctl_read(o->proc_root, tc->key, &now, text, sizeof(text))) < 0) {
			if (rc == -EINVAL)
				snprintf(err, errlen,
					 "%s holds '%.64s', which is no value of its type",
					 knob_get(tc->key)->name, text);
			else
				snprintf(err, errlen, "%s cannot be read: %s",
					 knob_get(tc->key)->name, strerror(-rc));
			return rc;
		}
		if (knob_value_equal(&now, &tc->old)) {
			knob_value_free(&now);
			continue;
		}
		c = &r->changes[r->change_count++];
		c->key = tc->key;
		c->old_present = true;
		c->old = now; /* moved */
		c->new = knob_value_copy(&tc->old);
	}
	order_start_and_range(r); /* the undo of a lowering raises */
	return t->persist ? plan_persist_undo(p, t, err, errlen) : 0;
}

void desired_free(struct desired_setting *desired, unsigned count)
{
	for (unsigned i = 0; i < count; i++)
		knob_value_free(&desired[i].value);
}

bool plan_changes_anything(const struct plan *p)
{
	return p->record.change_count || p->file_change;
}

void plan_free(struct plan *p)
{
	txn_record_free(&p->record);
}
