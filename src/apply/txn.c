/* SPDX-License-Identifier: MIT */
#include "apply/txn.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apply/plan.h"
#include "common/fsutil.h"
#include "common/strutil.h"
#include "inspect/sysctl.h"

static void say(struct txn_result *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(struct txn_result *out, const char *fmt, ...)
{
	size_t n = strlen(out->message);
	va_list ap;

	if (n >= sizeof(out->message) - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(out->message + n, sizeof(out->message) - n, fmt, ap);
	va_end(ap);
}

/* Write KEY = VALUE and read it back. "write" and "readback" are the fault
 * points; a mismatch is an error like any other. */
static int set_and_verify(struct txn_env *env, enum knob_id key, const struct knob_value *value,
			  bool hooks, char *why, size_t whylen)
{
	char shown[KNOB_TEXT_MAX], back[KNOB_TEXT_MAX], *text;
	struct knob_value now;
	int r;

	knob_format(value, shown, sizeof(shown));
	if (hooks && test_fault(&env->hooks, "write")) {
		snprintf(why, whylen, "writing %s failed (test fault)", knob_get(key)->name);
		return -EIO;
	}
	if (!(text = knob_text(value))) {
		snprintf(why, whylen, "writing %s: out of memory", knob_get(key)->name);
		return -ENOMEM;
	}
	r = sysctl_write(env->proc_root, key, text);
	free(text);
	if (r < 0) {
		snprintf(why, whylen, "writing %s = %.100s failed: %s", knob_get(key)->name, shown,
			 strerror(-r));
		return r;
	}
	if (hooks)
		test_pause(&env->hooks, "after-write");
	r = sysctl_read(env->proc_root, key, &now, back, sizeof(back));
	if (r < 0 && r != -EINVAL) {
		snprintf(why, whylen, "reading %s back failed: %s", knob_get(key)->name,
			 strerror(-r));
		return r;
	}
	if ((hooks && test_fault(&env->hooks, "readback")) || r < 0 ||
	    !knob_value_equal(&now, value)) {
		snprintf(why, whylen, "%s reads back as '%.100s' after writing '%.100s'",
			 knob_get(key)->name, back, shown);
		r = -EIO;
	}
	knob_value_free(&now);
	return r < 0 ? r : 0;
}

/* Put changes [0, count) back to their old values, last first. Each key's
 * outcome goes into its state; returns the number that failed. */
static unsigned undo_keys(struct txn_env *env, struct txn_record *r, unsigned count,
			  struct txn_result *out)
{
	unsigned failed = 0;

	for (unsigned i = count; i-- > 0;) {
		struct txn_change *c = &r->changes[i];
		char why[256] = "", now[KNOB_TEXT_MAX], old[KNOB_TEXT_MAX];
		struct knob_value ignored;
		int rc;

		if (!c->old_present)
			continue; /* nothing was there to restore */
		knob_format(&c->old, old, sizeof(old));
		if (test_fault(&env->hooks, "undo") ||
		    set_and_verify(env, c->key, &c->old, false, why, sizeof(why)) < 0) {
			failed++;
			rc = sysctl_read(env->proc_root, c->key, &ignored, now, sizeof(now));
			knob_value_free(&ignored);
			if (rc == 0 || rc == -EINVAL)
				snprintf(c->state, sizeof(c->state),
					 "holds '%.30s', not the old '%.30s'", now, old);
			else
				snprintf(c->state, sizeof(c->state), "unknown: cannot be read");
			say(out, "\n  %s: could not be restored to '%s'%s%s; it %s",
			    knob_get(c->key)->name, old, why[0] ? ": " : "", why, c->state);
		} else {
			snprintf(c->state, sizeof(c->state), "restored to '%.60s'", old);
			test_pause(&env->hooks, "after-undo");
		}
	}
	return failed;
}

static int write_file(const struct txn_record *r, bool want_new, char *err, size_t errlen)
{
	if (want_new ? r->remove_file : !r->file_existed)
		return remove_file_synced(r->persist_dir, r->persist_name, err, errlen);
	return write_file_atomic(r->persist_dir, r->persist_name,
				 want_new ? r->new_file : r->old_file,
				 want_new ? r->new_file_len : r->old_file_len,
				 r->persist_mode ? r->persist_mode : 0644, err, errlen);
}

/* Undo everything: keys and file; the journal says how it ended. */
static void roll_back(struct txn_env *env, struct txn_record *r, unsigned written,
		      bool file_written, struct txn_result *out)
{
	unsigned failed = undo_keys(env, r, written, out);
	char err[512];

	if (file_written && write_file(r, false, err, sizeof(err)) < 0) {
		failed++;
		say(out, "\n  %s/%s: could not be restored: %s", r->persist_dir, r->persist_name,
		    err);
	}
	r->status = failed ? TXN_FAILED : TXN_ROLLED_BACK;
	if (failed) {
		out->status = APPLY_INCOMPLETE;
		say(out, "\nThe host is NOT as it was: %u item(s) above could not be restored.",
		    failed);
	} else {
		out->status = APPLY_ROLLED_BACK;
		say(out, "\nEvery change was undone and read back: the host is as it was.");
	}
	snprintf(r->message, sizeof(r->message), "%.*s", (int)sizeof(r->message) - 1, out->message);
	utf8_trim(r->message);
	if (journal_write(env->state_dir, r, err, sizeof(err)) < 0)
		say(out, "\n(the journal could not record this: %s)", err);
}

void txn_execute(struct txn_env *env, struct txn_record *r, struct txn_result *out)
{
	char err[512], why[256] = "";
	unsigned written = 0;
	bool file_written = false;

	memset(out, 0, sizeof(*out));
	r->status = TXN_PENDING;
	/* 1. The journal first: nothing changes before it is on disk. */
	snprintf(err, sizeof(err), "test fault");
	if (test_fault(&env->hooks, "journal") ||
	    journal_write(env->state_dir, r, err, sizeof(err)) < 0) {
		out->status = APPLY_ROLLED_BACK;
		say(out, "cannot write the journal (%s); nothing was changed", err);
		return;
	}
	test_pause(&env->hooks, "after-journal");
	/* 2. Each key, read back. */
	for (; written < r->change_count; written++) {
		struct txn_change *c = &r->changes[written];
		if (set_and_verify(env, c->key, &c->new, true, why, sizeof(why)) < 0) {
			say(out, "%s", why);
			/* a failed write may still have changed the key: undo it too */
			roll_back(env, r, written + 1, false, out);
			return;
		}
	}
	/* 3. The file, atomically. */
	if (r->persist) {
		snprintf(err, sizeof(err), "test fault");
		if (test_fault(&env->hooks, "persist") ||
		    write_file(r, true, err, sizeof(err)) < 0) {
			say(out, "persisting to %s/%s failed: %s", r->persist_dir, r->persist_name,
			    err);
			roll_back(env, r, written, false, out);
			return;
		}
		file_written = true;
		test_pause(&env->hooks, "after-persist");
	}
	/* 4. Committed. */
	r->status = TXN_COMMITTED;
	snprintf(r->message, sizeof(r->message), "committed");
	snprintf(err, sizeof(err), "test fault");
	if (test_fault(&env->hooks, "commit") ||
	    journal_write(env->state_dir, r, err, sizeof(err)) < 0) {
		r->status = TXN_PENDING;
		say(out, "cannot mark the transaction committed in the journal: %s", err);
		roll_back(env, r, written, file_written, out);
		return;
	}
	test_pause(&env->hooks, "after-commit");
	out->status = APPLY_OK;
}

/* Undo one interrupted transaction: keys still holding what it wrote go
 * back; keys someone has changed since are left alone, and said so. */
static int recover_one(struct txn_env *env, struct txn_record *r, struct txn_result *out)
{
	unsigned failed = 0;
	char err[512];

	say(out, "transaction %s (%s) was interrupted; undoing it:", r->id, r->source);
	for (unsigned i = r->change_count; i-- > 0;) {
		struct txn_change *c = &r->changes[i];
		char text[KNOB_TEXT_MAX], old[KNOB_TEXT_MAX], why[256] = "";
		struct knob_value now;
		int rc = sysctl_read(env->proc_root, c->key, &now, text, sizeof(text));

		knob_format(&c->old, old, sizeof(old));
		if (rc < 0 && rc != -EINVAL) {
			snprintf(c->state, sizeof(c->state), "unknown: cannot be read");
			failed++;
		} else if (rc == 0 && c->old_present && knob_value_equal(&now, &c->old)) {
			snprintf(c->state, sizeof(c->state), "was never changed");
		} else if (rc < 0 || !knob_value_equal(&now, &c->new) || !c->old_present) {
			snprintf(c->state, sizeof(c->state),
				 "changed since, to '%.40s': left alone", text);
		} else if (set_and_verify(env, c->key, &c->old, false, why, sizeof(why)) < 0) {
			snprintf(c->state, sizeof(c->state), "could not be restored: %.60s", why);
			failed++;
		} else {
			snprintf(c->state, sizeof(c->state), "restored to '%.60s'", old);
		}
		knob_value_free(&now);
		say(out, "\n  %s %s", knob_get(c->key)->name, c->state);
	}
	if (r->persist) {
		char *now = NULL;
		size_t len = 0;
		int rc = read_file_whole(r->persist_dir, r->persist_name, PERSIST_FILE_MAX, &now,
					 &len);
		bool is_new = rc == 0 && !r->remove_file && len == r->new_file_len &&
			      memcmp(now, r->new_file, len) == 0;
		bool gone_as_planned = rc == -ENOENT && r->remove_file;

		free(now);
		if ((is_new || gone_as_planned) && write_file(r, false, err, sizeof(err)) < 0) {
			say(out, "\n  %s/%s could not be restored: %s", r->persist_dir,
			    r->persist_name, err);
			failed++;
		} else if (is_new || gone_as_planned) {
			say(out, "\n  %s/%s restored", r->persist_dir, r->persist_name);
		}
	}
	r->status = failed ? TXN_FAILED : TXN_ROLLED_BACK;
	snprintf(r->message, sizeof(r->message), "interrupted; undone at the next run%s",
		 failed ? ", not entirely" : "");
	if (journal_write(env->state_dir, r, err, sizeof(err)) < 0) {
		say(out, "\n  (the journal could not record this: %s)", err);
		failed++;
	}
	return failed ? -1 : 0;
}

int txn_recover(struct txn_env *env, struct journal *j, char ids[][64], unsigned max,
		struct txn_result *out)
{
	int n = 0;

	memset(out, 0, sizeof(*out));
	/* the persisted file is written where twtune is configured to keep
	 * it, never where a record says: a record of another directory is
	 * left pending, and the run refused, before anything is undone */
	for (size_t i = 0; i < j->count; i++) {
		struct txn_record *r = &j->records[i];

		if (r->status != TXN_PENDING || strcmp(r->ns, env->ns) != 0 || !r->persist)
			continue;
		if (!env->persist_dir ||
		    !journal_same_persist_dir(r->persist_dir, env->persist_dir)) {
			say(out,
			    "transaction %s was interrupted and persisted to %s, not to %s; run "
			    "again with --sysctl-d %s to undo it; nothing was changed",
			    r->id, r->persist_dir, env->persist_dir ? env->persist_dir : "(none)",
			    r->persist_dir);
			out->status = APPLY_REFUSED;
			return -1;
		}
		snprintf(r->persist_dir, sizeof(r->persist_dir), "%s", env->persist_dir);
	}
	for (size_t i = 0; i < j->count; i++) {
		struct txn_record *r = &j->records[i];

		if (r->status != TXN_PENDING || strcmp(r->ns, env->ns) != 0)
			continue;
		if (recover_one(env, r, out) < 0) {
			out->status = APPLY_INCOMPLETE;
			return -1;
		}
		if ((unsigned)n < max)
			snprintf(ids[n], 64, "%s", r->id);
		n++;
		say(out, "\n");
	}
	return n;
}
