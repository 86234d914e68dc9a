#include "apply/plan.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "common/fsutil.h"
#include "inspect/sysctl.h"
#include "sysctld/rewrite.h"
#include "sysctld/sysctld.h"

static void warn(struct plan *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void warn(struct plan *p, const char *fmt, ...)
{
	va_list ap;

	if (p->warning_count >= PLAN_MAX_WARNINGS)
		return;
	va_start(ap, fmt);
	vsnprintf(p->warnings[p->warning_count++], sizeof(p->warnings[0]), fmt, ap);
	va_end(ap);
}

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
	const char *range = f->sysctl[KNOB_IP_LOCAL_PORT_RANGE].value;
	unsigned low, high, start = f->unprivileged_port_start;
	long v;

	for (unsigned i = 0; i < count; i++) {
		if (d[i].key == KNOB_IP_LOCAL_PORT_RANGE)
			range = d[i].value;
		if (d[i].key == KNOB_IP_UNPRIVILEGED_PORT_START && parse_long(d[i].value, &v) == 0)
			start = (unsigned)v;
	}
	if (!range || parse_port_range(range, &low, &high) < 0 ||
	    !f->sysctl[KNOB_IP_UNPRIVILEGED_PORT_START].present)
		return 0;
	if (low < start) {
		snprintf(
			err, errlen,
			"net.ipv4.ip_local_port_range: the low end %u is below "
			"net.ipv4.ip_unprivileged_port_start (%u); the kernel refuses such a range",
			low, start);
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
	long from, to;

	for (unsigned i = 0; i < r->change_count; i++) {
		if (r->changes[i].key == KNOB_IP_LOCAL_PORT_RANGE)
			range = (int)i;
		if (r->changes[i].key == KNOB_IP_UNPRIVILEGED_PORT_START)
			start = (int)i;
	}
	if (range < 0 || start < 0 || parse_long(r->changes[start].old, &from) < 0 ||
	    parse_long(r->changes[start].new, &to) < 0)
		return;
	if ((to < from) != (start < range)) {
		struct txn_change moved = r->changes[start];
		int step = start < range ? 1 : -1;

		/* shift the keys between them by one to keep the others' order */
		for (int i = start; i != range; i += step)
			r->changes[i] = r->changes[i + step];
		r->changes[range] = moved;
	}
}

/* ---- the persisted file */

/* Said at the top of the file when apply creates it. */
static const char persist_header[] =
	"# Written by twtune apply. twtune rewrites the lines of the keys it sets and\n"
	"# keeps the rest; 'twtune rollback' restores this file as it was.\n";

/* The persisted file with the keys of D set: see sysctld_rewrite(). */
static char *merged_file(const struct txn_record *r, const struct sysctl_config *parsed,
			 const struct desired_setting *d, unsigned count, size_t *len)
{
	struct sysctld_setting settings[KNOB_COUNT];

	for (unsigned i = 0; i < count; i++)
		settings[i] = (struct sysctld_setting){knob_get(d[i].key)->name, d[i].value};
	return sysctld_rewrite(r->old_file, r->old_file_len, r->file_existed, parsed, settings,
			       count, persist_header, len);
}

/* Files applied after ours that set one of our keys decide the boot value. */
static void warn_overrides(struct plan *p, const struct plan_options *o,
			   const struct desired_setting *d, unsigned count)
{
	struct sysctl_config cfg;
	const char *dir = o->persist_dir;

	memset(&cfg, 0, sizeof(cfg));
	if (o->persist_dir_given ? sysctld_load_paths(&dir, 1, &cfg) < 0
				 : sysctld_load_system("", false, &cfg) < 0)
		return;
	for (unsigned i = 0; i < count; i++) {
		const struct sysctl_assignment *winner =
			sysctld_effective(&cfg, knob_get(d[i].key)->name);
		const struct sysctl_file *file = winner ? &cfg.files[winner->file] : NULL;

		if (file && strcmp(file->name, PERSIST_NAME) > 0 &&
		    !values_equal(winner->value, d[i].value))
			warn(p,
			     "%s:%u sets %s = %s and is applied after %s: at boot %s would be %s, "
			     "not %s",
			     file->path, winner->line, knob_get(d[i].key)->name, winner->value,
			     PERSIST_NAME, knob_get(d[i].key)->name, winner->value, d[i].value);
	}
	sysctld_free(&cfg);
}

static int plan_file(struct plan *p, const struct plan_options *o, const struct desired_setting *d,
		     unsigned count, char *err, size_t errlen)
{
	struct txn_record *r = &p->record;
	struct sysctl_config parsed;
	char path[4096];
	struct stat st;
	int rc;

	r->persist = true;
	snprintf(r->persist_dir, sizeof(r->persist_dir), "%s", o->persist_dir);
	snprintf(r->persist_name, sizeof(r->persist_name), "%s", PERSIST_NAME);
	rc = read_file_whole(o->persist_dir, PERSIST_NAME, PERSIST_FILE_MAX, &r->old_file,
			     &r->old_file_len);
	if (rc == -ENOENT) {
		r->file_existed = false;
	} else if (rc < 0) {
		snprintf(err, errlen, "%s/%s: %s", o->persist_dir, PERSIST_NAME,
			 rc == -ELOOP ? "a symlink; twtune does not write through one"
				      : strerror(-rc));
		return rc;
	} else {
		r->file_existed = true;
	}
	memset(&parsed, 0, sizeof(parsed));
	snprintf(path, sizeof(path), "%s/%s", o->persist_dir, PERSIST_NAME);
	if (r->file_existed && lstat(path, &st) == 0)
		r->persist_mode = st.st_mode & 07777; /* kept as the owner set it */
	/* the bytes just read, not the file again: the line numbers must be
	 * those of the bytes that merged_file rewrites */
	if (r->file_existed &&
	    sysctld_parse_buffer(path, r->old_file, r->old_file_len, &parsed) < 0)
		return -ENOMEM;
	r->new_file = merged_file(r, &parsed, d, count, &r->new_file_len);
	sysctld_free(&parsed);
	if (!r->new_file)
		return -ENOMEM;
	p->file_change = !r->file_existed || r->new_file_len != r->old_file_len ||
			 memcmp(r->new_file, r->old_file, r->new_file_len) != 0;
	warn_overrides(p, o, d, count);
	return 0;
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
		char why[256];

		if ((rc = knob_validate(d->key, d->value, why, sizeof(why))) < 0) {
			snprintf(err, errlen, "%s", why);
			return -EINVAL;
		}
		/* The last gate before the kernel: whatever fed the plan, this
		 * value is never written (see rules.h, the invariants). */
		if (d->key == KNOB_TCP_TW_RECYCLE && !values_equal(d->value, "0")) {
			snprintf(err, errlen,
				 "net.ipv4.tcp_tw_recycle = %s refused: twtune never sets "
				 "it to anything but 0 (it drops connections from clients "
				 "behind NAT; Linux 4.12 removed it)",
				 d->value);
			return -EINVAL;
		}
		if (!cur->present) {
			skip(p, d->key, "absent on this kernel");
			continue;
		}
		if (!cur->value) {
			snprintf(err, errlen, "%s cannot be read, so it cannot be changed safely",
				 knob_get(d->key)->name);
			return -EINVAL;
		}
		if (cur->read_only) {
			skip(p, d->key, "read-only in this network namespace");
			continue;
		}
		kept[nkept++] = *d;
		if (!values_equal(cur->value, d->value)) {
			struct txn_change *c = &p->record.changes[p->record.change_count++];
			c->key = d->key;
			c->old_present = true;
			snprintf(c->old, sizeof(c->old), "%s", cur->value);
			snprintf(c->new, sizeof(c->new), "%s", d->value);
		}
	}
	if ((rc = check_port_range(f, kept, nkept, err, errlen)) < 0)
		return rc;
	order_start_and_range(&p->record);
	if (o->persist_dir && nkept && (rc = plan_file(p, o, kept, nkept, err, errlen)) < 0)
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
		char now[TXN_VALUE_MAX];
		struct txn_change *c;

		if (!tc->old_present)
			continue;
		if ((rc = sysctl_read_one(o->proc_root, tc->key, now, sizeof(now))) < 0) {
			snprintf(err, errlen, "%s cannot be read: %s", knob_get(tc->key)->name,
				 strerror(-rc));
			return rc;
		}
		if (values_equal(now, tc->old))
			continue;
		c = &r->changes[r->change_count++];
		c->key = tc->key;
		c->old_present = true;
		snprintf(c->old, sizeof(c->old), "%s", now);
		snprintf(c->new, sizeof(c->new), "%s", tc->old);
	}
	order_start_and_range(r); /* the undo of a lowering raises */
	if (!t->persist)
		return 0;
	r->persist = true;
	snprintf(r->persist_dir, sizeof(r->persist_dir), "%s", t->persist_dir);
	snprintf(r->persist_name, sizeof(r->persist_name), "%s", t->persist_name);
	rc = read_file_whole(t->persist_dir, t->persist_name, PERSIST_FILE_MAX, &r->old_file,
			     &r->old_file_len);
	if (rc < 0 && rc != -ENOENT) {
		snprintf(err, errlen, "%s/%s: %s", t->persist_dir, t->persist_name, strerror(-rc));
		return rc;
	}
	r->file_existed = rc == 0;
	r->remove_file = !t->file_existed;
	r->persist_mode = t->persist_mode;
	if (t->file_existed) {
		if (!(r->new_file = malloc(t->old_file_len + 1)))
			return -ENOMEM;
		memcpy(r->new_file, t->old_file, t->old_file_len);
		r->new_file_len = t->old_file_len;
	}
	p->file_change = r->remove_file
				 ? r->file_existed
				 : !r->file_existed || r->new_file_len != r->old_file_len ||
					   memcmp(r->new_file, r->old_file, r->new_file_len) != 0;
	if (!p->file_change) { /* nothing to do to the file: leave it out */
		txn_record_free(r);
		r->persist = false;
	}
	return 0;
}

bool plan_changes_anything(const struct plan *p)
{
	return p->record.change_count || p->file_change;
}

void plan_free(struct plan *p)
{
	txn_record_free(&p->record);
}
