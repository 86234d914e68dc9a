/* SPDX-License-Identifier: MIT */
#include "apply/journal.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>

#include "common/fsutil.h"
#include "common/trust.h"

#define JOURNAL_RECORD_MAX (4 * 1024 * 1024)

static const char *const status_names[] = {"pending", "committed", "rolled-back", "failed"};
static const char *const kind_names[] = {"apply", "rollback"};

const char *txn_status_name(enum txn_status s)
{
	return (unsigned)s < 4 ? status_names[s] : "?";
}

void txn_record_free(struct txn_record *r)
{
	for (unsigned i = 0; i < r->change_count; i++) {
		knob_value_free(&r->changes[i].old);
		knob_value_free(&r->changes[i].new);
	}
	r->change_count = 0;
	free(r->old_file);
	free(r->new_file);
	r->old_file = r->new_file = NULL;
}

void journal_new_id(char *buf, size_t size)
{
	struct timeval tv;
	struct tm tm;
	char stamp[32];

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm);
	snprintf(buf, size, "%s.%06ldZ", stamp, (long)tv.tv_usec);
}

static json_t *bytes_json(bool present, const char *data, size_t len)
{
	char *b64;
	json_t *v;

	if (!present)
		return json_null();
	b64 = base64_encode(data, len);
	v = b64 ? json_string(b64) : NULL;
	free(b64);
	return v;
}

/* jansson takes UTF-8 only and returns NULL otherwise, which
 * json_object_set_new() would silently turn into a missing member: a
 * record that could not be read back, and a journal that stops every
 * later run. Such a string (a path in another encoding) fails the write
 * instead. */
static json_t *text(const char *s, bool *ok)
{
	json_t *v = json_string(s);

	if (!v) {
		*ok = false;
		return json_null();
	}
	return v;
}

static json_t *record_json(const struct txn_record *r, bool *ok)
{
	json_t *o = json_object(), *changes = json_array();

	json_object_set_new(o, "id", text(r->id, ok));
	json_object_set_new(o, "kind", json_string(kind_names[r->kind]));
	json_object_set_new(o, "status", json_string(status_names[r->status]));
	json_object_set_new(o, "time", text(r->time, ok));
	json_object_set_new(o, "namespace", text(r->ns, ok));
	json_object_set_new(o, "proc_root", text(r->proc_root, ok));
	json_object_set_new(o, "source", text(r->source, ok));
	json_object_set_new(o, "target", r->target[0] ? text(r->target, ok) : json_null());
	json_object_set_new(o, "rolled_back_by",
			    r->rolled_back_by[0] ? text(r->rolled_back_by, ok) : json_null());
	for (unsigned i = 0; i < r->change_count; i++) {
		const struct txn_change *c = &r->changes[i];
		json_t *change = json_object();
		char *old = c->old_present ? knob_text(&c->old) : NULL, *new = knob_text(&c->new);

		if ((c->old_present && !old) || !new)
			*ok = false;
		json_object_set_new(change, "key", text(knob_get(c->key)->name, ok));
		json_object_set_new(change, "old", old ? text(old, ok) : json_null());
		json_object_set_new(change, "new", new ? text(new, ok) : json_null());
		json_object_set_new(change, "state",
				    c->state[0] ? text(c->state, ok) : json_null());
		json_array_append_new(changes, change);
		free(old);
		free(new);
	}
	json_object_set_new(o, "changes", changes);
	if (r->persist) {
		json_t *p = json_object();
		json_object_set_new(p, "dir", text(r->persist_dir, ok));
		json_object_set_new(p, "name", text(r->persist_name, ok));
		json_object_set_new(p, "old_base64",
				    bytes_json(r->file_existed, r->old_file, r->old_file_len));
		json_object_set_new(p, "new_base64",
				    bytes_json(!r->remove_file, r->new_file, r->new_file_len));
		json_object_set_new(p, "mode", json_integer(r->persist_mode));
		json_object_set_new(o, "persist", p);
	} else {
		json_object_set_new(o, "persist", json_null());
	}
	json_object_set_new(o, "message", text(r->message, ok));
	return o;
}

static int trusted_state(const char *state_dir, const char *dir, char *err, size_t errlen)
{
	char reason[512];
	int rc = trust_dir(state_dir, true, reason, sizeof(reason));

	if (rc == 0)
		rc = trust_dir(dir, false, reason, sizeof(reason));
	if (rc < 0 && rc != -ENOENT)
		snprintf(err, errlen,
			 "journal: %s; twtune refuses a state directory it cannot trust", reason);
	return rc;
}

int journal_write(const char *state_dir, const struct txn_record *r, char *err, size_t errlen)
{
	char dir[PATH_MAX], name[96];
	bool ok = true;
	json_t *doc = record_json(r, &ok);
	char *text = doc && ok ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	int rc;

	json_decref(doc);
	if (!ok) {
		snprintf(err, errlen,
			 "journal: transaction %s holds a path or value that is not "
			 "UTF-8 (%s); twtune cannot record it, so it changes nothing",
			 r->id, r->persist_dir);
		return -EILSEQ;
	}
	if (!text) {
		snprintf(err, errlen, "journal: cannot encode transaction %s", r->id);
		return -ENOMEM;
	}
	snprintf(dir, sizeof(dir), "%s/journal", state_dir);
	snprintf(name, sizeof(name), "%s.json", r->id);
	if ((rc = make_directories(dir, 0700)) < 0) {
		snprintf(err, errlen, "journal: cannot create %s: %s", dir, strerror(-rc));
	} else if ((rc = trusted_state(state_dir, dir, err, errlen)) < 0) {
		/* nothing is written where others could read it back to root */
	} else {
		size_t len = strlen(text);
		text[len] = '\n'; /* json_dumps left room: the NUL */
		rc = write_file_atomic(dir, name, text, len + 1, 0600, err, errlen);
	}
	free(text);
	return rc;
}

/* ---- reading back
 *
 * A record is input like any other: the state directory is trusted first
 * (common/trust.h), then each record is judged on its own. Every value is
 * parsed as a profile's would be, keys twtune never sets are refused, the
 * persisted file's name is twtune's own and its mode capped, and the
 * record's id is its file's name. A record that fails is skipped and named
 * (struct journal's skipped), never executed. */

static int why(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int why(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int copy_string(json_t *o, const char *key, char *buf, size_t size, bool required, char *err,
		       size_t errlen)
{
	json_t *v = json_object_get(o, key);

	if (json_is_null(v) || !v) {
		buf[0] = '\0';
		return required ? why(err, errlen, "no \"%s\"", key) : 0;
	}
	if (!json_is_string(v) || json_string_length(v) >= size ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return why(err, errlen, "\"%s\" is not a string of at most %zu bytes", key,
			   size - 1);
	memcpy(buf, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

static int name_index(const char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (name && strcmp(names[i], name) == 0)
			return (int)i;
	return -1;
}

static int decode_bytes(json_t *v, const char *what, bool *present, char **data, size_t *len,
			char *err, size_t errlen)
{
	*present = !json_is_null(v) && v;
	*data = NULL;
	*len = 0;
	if (!*present)
		return 0;
	if (!json_is_string(v) || base64_decode(json_string_value(v), data, len) < 0)
		return why(err, errlen, "the persisted file's %s bytes are not base64", what);
	/* the bytes are restored exactly as they were, whatever they are:
	 * only their size is judged */
	if (*len > PERSIST_FILE_MAX)
		return why(err, errlen, "the persisted file's %s bytes are longer than %d", what,
			   PERSIST_FILE_MAX);
	return 0;
}

/* A change: a key twtune sets; the new value one twtune may write (the
 * parser and bounds of a profile's value); the old one a value of the
 * key's type, as a host may hold it (outside twtune's bounds, perhaps). */
static int parse_change(json_t *c, struct txn_change *out, char *err, size_t errlen)
{
	json_t *old = json_object_get(c, "old"), *new = json_object_get(c, "new");
	char key[128], msg[256] = "";
	int id;

	memset(out, 0, sizeof(*out));
	if (copy_string(c, "key", key, sizeof(key), true, err, errlen) < 0)
		return -EINVAL;
	if ((id = knob_find(key)) < 0)
		return why(err, errlen, "'%s' is not a key twtune knows", key);
	out->key = id;
	if (knob_get(id)->read_only || knob_get(id)->judged_only ||
	    (id == KNOB_TCP_TW_RECYCLE && json_is_string(new) &&
	     strcmp(json_string_value(new), "0") != 0))
		return why(err, errlen, "%s is not a key or value twtune ever writes", key);
	out->old_present = json_is_string(old);
	if (copy_string(c, "state", out->state, sizeof(out->state), false, err, errlen) < 0)
		return -EINVAL;
	if (!json_is_string(new) ||
	    knob_parse_setting(id, json_string_value(new), &out->new, msg, sizeof(msg)) < 0)
		return why(err, errlen, "the new value of %s: %s", key,
			   msg[0] ? msg : "not a string");
	if (out->old_present &&
	    knob_parse(id, json_string_value(old), &out->old, msg, sizeof(msg)) < 0) {
		knob_value_free(&out->new);
		return why(err, errlen, "the old value of %s: %s", key, msg);
	}
	if (!out->old_present && old && !json_is_null(old)) {
		knob_value_free(&out->new);
		return why(err, errlen, "the old value of %s is not a string", key);
	}
	return 0;
}

/* The persisted file: its name must be twtune's own, its directory an
 * absolute path (compared with the configured one before use: see
 * journal_same_persist_dir), its mode at most 0644. */
static int parse_persist(json_t *p, struct txn_record *r, char *err, size_t errlen)
{
	json_t *mode = json_object_get(p, "mode");
	bool present;

	if (!p || json_is_null(p))
		return 0;
	r->persist = true;
	if (copy_string(p, "dir", r->persist_dir, sizeof(r->persist_dir), true, err, errlen) < 0 ||
	    copy_string(p, "name", r->persist_name, sizeof(r->persist_name), true, err, errlen) <
		    0 ||
	    decode_bytes(json_object_get(p, "old_base64"), "old", &r->file_existed, &r->old_file,
			 &r->old_file_len, err, errlen) < 0 ||
	    decode_bytes(json_object_get(p, "new_base64"), "new", &present, &r->new_file,
			 &r->new_file_len, err, errlen) < 0)
		return -EINVAL;
	if (strcmp(r->persist_name, PERSIST_NAME) != 0)
		return why(err, errlen, "the persisted file is '%s', not twtune's %s",
			   r->persist_name, PERSIST_NAME);
	if (r->persist_dir[0] != '/')
		return why(err, errlen, "the persisted file's directory '%s' is not absolute",
			   r->persist_dir);
	if (mode && !json_is_null(mode) &&
	    (!json_is_integer(mode) || json_integer_value(mode) < 0 ||
	     json_integer_value(mode) > 07777))
		return why(err, errlen, "the persisted file's mode is not a file mode");
	/* a mode is restored, but never more than rw-r--r--: no setuid,
	 * setgid, sticky, execute or write for others */
	r->persist_mode =
		mode && json_is_integer(mode) ? (unsigned)json_integer_value(mode) & 0644 : 0644;
	r->remove_file = !present;
	return 0;
}

/* Is ID one journal_new_id() makes: YYYYMMDDTHHMMSS.uuuuuuZ? */
static bool valid_id(const char *id)
{
	static const char shape[] = "99999999T999999.999999Z";

	if (strlen(id) != sizeof(shape) - 1)
		return false;
	for (size_t i = 0; shape[i]; i++)
		if (shape[i] == '9' ? !isdigit((unsigned char)id[i]) : id[i] != shape[i])
			return false;
	return true;
}

static int parse_record(json_t *o, const char *file, struct txn_record *r, char *err, size_t errlen)
{
	char kind[16], status[16], expected[96];
	json_t *changes = json_object_get(o, "changes");
	size_t i;
	json_t *c;
	int k, s;

	memset(r, 0, sizeof(*r));
	if (!json_is_object(o))
		return why(err, errlen, "not a JSON object");
	if (copy_string(o, "id", r->id, sizeof(r->id), true, err, errlen) < 0 ||
	    copy_string(o, "kind", kind, sizeof(kind), true, err, errlen) < 0 ||
	    copy_string(o, "status", status, sizeof(status), true, err, errlen) < 0 ||
	    copy_string(o, "time", r->time, sizeof(r->time), true, err, errlen) < 0 ||
	    copy_string(o, "namespace", r->ns, sizeof(r->ns), true, err, errlen) < 0 ||
	    copy_string(o, "proc_root", r->proc_root, sizeof(r->proc_root), true, err, errlen) <
		    0 ||
	    copy_string(o, "source", r->source, sizeof(r->source), false, err, errlen) < 0 ||
	    copy_string(o, "target", r->target, sizeof(r->target), false, err, errlen) < 0 ||
	    copy_string(o, "rolled_back_by", r->rolled_back_by, sizeof(r->rolled_back_by), false,
			err, errlen) < 0 ||
	    copy_string(o, "message", r->message, sizeof(r->message), false, err, errlen) < 0)
		return -EINVAL;
	snprintf(expected, sizeof(expected), "%s.json", r->id);
	if (!valid_id(r->id) || strcmp(expected, file) != 0)
		return why(err, errlen, "its id '%s' is not its file's name", r->id);
	if ((r->target[0] && !valid_id(r->target)) ||
	    (r->rolled_back_by[0] && !valid_id(r->rolled_back_by)))
		return why(err, errlen, "a transaction it names is no transaction id");
	if ((k = name_index(kind_names, 2, kind)) < 0 ||
	    (s = name_index(status_names, 4, status)) < 0)
		return why(err, errlen, "kind '%s' or status '%s' is not one twtune writes", kind,
			   status);
	r->kind = k;
	r->status = s;
	if (!json_is_array(changes) || json_array_size(changes) > KNOB_COUNT)
		return why(err, errlen, "\"changes\" is not a list of at most %d changes",
			   KNOB_COUNT);
	json_array_foreach(changes, i, c)
	{
		for (unsigned j = 0; j < r->change_count; j++)
			if (json_is_string(json_object_get(c, "key")) &&
			    knob_find(json_string_value(json_object_get(c, "key"))) ==
				    (int)r->changes[j].key)
				return why(err, errlen, "a key is changed twice");
		if (parse_change(c, &r->changes[r->change_count], err, errlen) < 0)
			return -EINVAL;
		r->change_count++;
	}
	return parse_persist(json_object_get(o, "persist"), r, err, errlen);
}

int journal_parse_record(const char *data, size_t len, const char *where, struct txn_record *r,
			 char *err, size_t errlen)
{
	const char *file = strrchr(where, '/') ? strrchr(where, '/') + 1 : where;
	char reason[512];
	json_error_t jerr;
	json_t *doc = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	int rc;

	memset(r, 0, sizeof(*r));
	if (!doc) {
		snprintf(err, errlen, "%.400s:%d:%d: %.200s", where, jerr.line, jerr.column,
			 jerr.text);
		return -EBADMSG;
	}
	rc = parse_record(doc, file, r, reason, sizeof(reason));
	json_decref(doc);
	if (rc < 0) {
		txn_record_free(r);
		snprintf(err, errlen, "%.400s: %.300s", where, reason);
		return -EBADMSG;
	}
	return 0;
}

/* DIR/NAME as a record, or -errno with ERR saying why it is skipped. */
static int read_record(const char *dir, const char *name, struct txn_record *r, char *err,
		       size_t errlen)
{
	char where[PATH_MAX + 256];
	size_t len;
	char *text;
	int rc = trust_read(dir, name, JOURNAL_RECORD_MAX, &text, &len, err, errlen);

	memset(r, 0, sizeof(*r));
	if (rc < 0)
		return rc;
	snprintf(where, sizeof(where), "%s/%s", dir, name);
	rc = journal_parse_record(text, len, where, r, err, errlen);
	free(text);
	return rc;
}

static int by_id(const void *a, const void *b)
{
	return strcmp(((const struct txn_record *)a)->id, ((const struct txn_record *)b)->id);
}

static int skip(struct journal *j, const char *reason)
{
	char(*grown)[JOURNAL_SKIP_MAX];

	if (!(grown = realloc(j->skipped, (j->skipped_count + 1) * sizeof(*grown))))
		return -ENOMEM;
	j->skipped = grown;
	snprintf(j->skipped[j->skipped_count++], JOURNAL_SKIP_MAX, "%s", reason);
	return 0;
}

int journal_read(const char *state_dir, struct journal *j, char *err, size_t errlen)
{
	char dir[PATH_MAX], reason[JOURNAL_SKIP_MAX];
	struct dirent *de;
	DIR *d;
	int rc = 0;

	memset(j, 0, sizeof(*j));
	if ((size_t)snprintf(dir, sizeof(dir), "%s/journal", state_dir) >= sizeof(dir)) {
		snprintf(err, errlen, "journal: %s: path too long", state_dir);
		return -ENAMETOOLONG;
	}
	if ((rc = trusted_state(state_dir, dir, err, errlen)) < 0)
		return rc == -ENOENT ? 0 : rc;
	if (!(d = opendir(dir))) {
		if (errno == ENOENT)
			return 0;
		rc = -errno;
		snprintf(err, errlen, "journal: %s: %s", dir, strerror(errno));
		return rc;
	}
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		struct txn_record *grown;

		if (de->d_name[0] == '.' || n < 6 || strcmp(de->d_name + n - 5, ".json") != 0)
			continue;
		if (!(grown = realloc(j->records, (j->count + 1) * sizeof(*grown)))) {
			rc = -ENOMEM;
			break;
		}
		j->records = grown;
		if (read_record(dir, de->d_name, &grown[j->count], reason, sizeof(reason)) < 0) {
			if ((rc = skip(j, reason)) < 0)
				break;
			continue;
		}
		j->count++;
	}
	closedir(d);
	if (rc < 0) {
		snprintf(err, errlen, "journal: %s: %s", dir, strerror(-rc));
		journal_free(j);
		return rc;
	}
	if (j->count)
		qsort(j->records, j->count, sizeof(*j->records), by_id);
	return 0;
}

void journal_free(struct journal *j)
{
	for (size_t i = 0; i < j->count; i++)
		txn_record_free(&j->records[i]);
	free(j->records);
	free(j->skipped);
	memset(j, 0, sizeof(*j));
}

bool journal_same_persist_dir(const char *recorded, const char *configured)
{
	struct stat a, b;

	if (stat(recorded, &a) == 0 && stat(configured, &b) == 0)
		return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
	return strcmp(recorded, configured) == 0;
}

int journal_pending(const char *state_dir, const char *ns, char ids[][64], char sources[][128],
		    char *err, size_t errlen, unsigned max)
{
	struct journal j;
	int n = 0, r = journal_read(state_dir, &j, err, errlen);

	if (r < 0)
		return r;
	for (size_t i = 0; i < j.count && (unsigned)n < max; i++) {
		if (j.records[i].status != TXN_PENDING || strcmp(j.records[i].ns, ns) != 0)
			continue;
		snprintf(ids[n], 64, "%s", j.records[i].id);
		snprintf(sources[n], 128, "%s", j.records[i].source);
		n++;
	}
	journal_free(&j);
	return n;
}
