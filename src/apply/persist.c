/* SPDX-License-Identifier: MIT */
/* The persisted file's part of a plan: its bytes before, the bytes the
 * transaction will write, and whether a later sysctl.d file would undo the
 * setting at boot. */
#include "apply/persist.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/fsutil.h"
#include "common/knob_kernel.h"
#include "common/trust.h"
#include "sysctld/rewrite.h"
#include "sysctld/sysctld.h"

static void plan_warn(struct plan *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void plan_warn(struct plan *p, const char *fmt, ...)
{
	va_list ap;

	if (p->warning_count >= PLAN_MAX_WARNINGS)
		return;
	va_start(ap, fmt);
	vsnprintf(p->warnings[p->warning_count++], sizeof(p->warnings[0]), fmt, ap);
	va_end(ap);
}

/* Said at the top of the file when apply creates it. */
static const char persist_header[] =
	"# Written by twtune apply. twtune rewrites the lines of the keys it sets and\n"
	"# keeps the rest; 'twtune rollback' restores this file as it was.\n";

/* The persisted file with the keys of D set: see sysctld_rewrite(). */
static char *merged_file(const struct txn_record *r, const struct sysctl_config *parsed,
			 const struct desired_setting *d, unsigned count, size_t *len)
{
	struct sysctld_setting settings[KNOB_COUNT];
	char *values[KNOB_COUNT] = {NULL}, *file = NULL;
	unsigned made = 0;

	for (; made < count; made++) {
		if (!(values[made] = knob_text(&d[made].value)))
			goto out;
		settings[made] =
			(struct sysctld_setting){knob_get(d[made].key)->name, values[made]};
	}
	file = sysctld_rewrite(r->old_file, r->old_file_len, r->file_existed, parsed, settings,
			       count, persist_header, len);
out:
	for (unsigned i = 0; i < made; i++)
		free(values[i]);
	return file;
}

/* The persisted file as it is now, from a directory twtune trusts
 * (common/trust.h: root's alone; a symlink to one is resolved): a regular
 * file of root's that no one else may write, read without following a
 * symlink or waiting on a FIFO. 0, -ENOENT (no file yet), or -errno with
 * ERR naming the path and what is wrong: nothing is written there then. */
static int read_persisted(const char *dir, char **data, size_t *len, char *err, size_t errlen)
{
	char why[512];
	int rc = trust_dir(dir, true, why, sizeof(why));

	*data = NULL;
	*len = 0;
	if (rc == 0)
		rc = trust_read(dir, PERSIST_NAME, PERSIST_FILE_MAX, data, len, why, sizeof(why));
	if (rc < 0 && rc != -ENOENT)
		snprintf(err, errlen, "%s; twtune writes only where it can trust what is there",
			 why);
	return rc;
}

/* What the port keys' handlers check a write against: the other port
 * key as the host holds it now (at boot, the default or a file's). */
static void port_state(const struct tw_facts *f, struct knob_kernel_state *s)
{
	long start;

	memset(s, 0, sizeof(*s));
	if (facts_int(f, KNOB_IP_UNPRIVILEGED_PORT_START, &start)) {
		s->unprivileged_port_start_known = true;
		s->unprivileged_port_start = start;
	}
	if (f->port_range_known) {
		s->port_low_known = true;
		s->port_low = f->port_low;
	}
}

/* Files applied after ours that set one of our keys decide the boot value:
 * systemd-sysctl keeps one entry per key, the last, so ours is not even
 * written; the later line's text is what the kernel gets, read as the
 * kernel reads it (from the key's default, unknown here). */
static void warn_overrides(struct plan *p, const struct tw_facts *f, const struct plan_options *o,
			   const struct desired_setting *d, unsigned count)
{
	struct sysctl_config cfg;
	struct knob_kernel_state state;
	const char *dir = o->persist_dir;

	memset(&cfg, 0, sizeof(cfg));
	if (o->persist_dir_given ? sysctld_load_paths(&dir, 1, &cfg) < 0
				 : sysctld_load_system("", false, &cfg) < 0)
		return;
	port_state(f, &state);
	for (unsigned i = 0; i < count; i++) {
		const char *name = knob_get(d[i].key)->name;
		const struct sysctl_assignment *winner = sysctld_effective(&cfg, name);
		const struct sysctl_file *file = winner ? &cfg.files[winner->file] : NULL;
		char why[320], wanted[KNOB_TEXT_MAX], boot_text[KNOB_TEXT_MAX];
		struct knob_value boot;
		bool same;
		int r;

		if (!file || strcmp(file->name, PERSIST_NAME) <= 0)
			continue;
		r = knob_kernel_write(d[i].key, winner->value, NULL, &state, &boot, why,
				      sizeof(why));
		if (r < 0)
			continue;
		knob_format(&d[i].value, wanted, sizeof(wanted));
		switch (r) {
		case KNOB_WRITE_APPLIED:
			same = knob_value_equal(&boot, &d[i].value);
			knob_format(&boot, boot_text, sizeof(boot_text));
			knob_value_free(&boot);
			if (!same)
				plan_warn(p,
					  "%s:%u sets %s = %s and is applied after %s: at boot %s "
					  "would be %s, not %s",
					  file->path, winner->line, name, winner->value,
					  PERSIST_NAME, name, boot_text, wanted);
			break;
		case KNOB_WRITE_REFUSED:
			plan_warn(p,
				  "%s:%u sets %s = %s and is applied after %s: systemd-sysctl "
				  "writes only that last assignment and %s, so at boot %s keeps "
				  "its default, not %s",
				  file->path, winner->line, name, winner->value, PERSIST_NAME, why,
				  name, wanted);
			break;
		default: /* KNOB_WRITE_UNKNOWN */
			plan_warn(p,
				  "%s:%u sets %s = %s and is applied after %s: systemd-sysctl "
				  "writes only that last assignment, and %s; at boot %s is not %s",
				  file->path, winner->line, name, winner->value, PERSIST_NAME, why,
				  name, wanted);
		}
	}
	sysctld_free(&cfg);
}

int plan_persist(struct plan *p, const struct tw_facts *f, const struct plan_options *o,
		 const struct desired_setting *d, unsigned count, char *err, size_t errlen)
{
	struct txn_record *r = &p->record;
	struct sysctl_config parsed;
	char path[4096];
	struct stat st;
	int rc;

	r->persist = true;
	snprintf(r->persist_dir, sizeof(r->persist_dir), "%s", o->persist_dir);
	snprintf(r->persist_name, sizeof(r->persist_name), "%s", PERSIST_NAME);
	if ((rc = read_persisted(o->persist_dir, &r->old_file, &r->old_file_len, err, errlen)) <
		    0 &&
	    rc != -ENOENT)
		return rc;
	r->file_existed = rc == 0;
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
	warn_overrides(p, f, o, d, count);
	return 0;
}

int plan_persist_undo(struct plan *p, const struct txn_record *t, char *err, size_t errlen)
{
	struct txn_record *r = &p->record;
	int rc;

	r->persist = true;
	snprintf(r->persist_dir, sizeof(r->persist_dir), "%s", t->persist_dir);
	snprintf(r->persist_name, sizeof(r->persist_name), "%s", PERSIST_NAME);
	if ((rc = read_persisted(t->persist_dir, &r->old_file, &r->old_file_len, err, errlen)) <
		    0 &&
	    rc != -ENOENT)
		return rc;
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
