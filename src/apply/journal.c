#include "apply/journal.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "common/fsutil.h"

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
	} else {
		size_t len = strlen(text);
		text[len] = '\n'; /* json_dumps left room: the NUL */
		rc = write_file_atomic(dir, name, text, len + 1, 0600, err, errlen);
	}
	free(text);
	return rc;
}

/* ---- reading back */

static int copy_string(json_t *o, const char *key, char *buf, size_t size, bool required)
{
	json_t *v = json_object_get(o, key);

	if (json_is_null(v) || !v) {
		buf[0] = '\0';
		return required ? -EINVAL : 0;
	}
	if (!json_is_string(v) || json_string_length(v) >= size)
		return -EINVAL;
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

static int decode_bytes(json_t *v, bool *present, char **data, size_t *len)
{
	*present = !json_is_null(v) && v;
	*data = NULL;
	*len = 0;
	if (!*present)
		return 0;
	if (!json_is_string(v))
		return -EINVAL;
	return base64_decode(json_string_value(v), data, len);
}

/* A value of the record, parsed as any value of the key is: a record
 * holding something else is not one twtune wrote. */
static int parse_value(json_t *c, const char *name, enum knob_id key, struct knob_value *out)
{
	json_t *v = json_object_get(c, name);
	char err[256];

	if (!json_is_string(v))
		return -EINVAL;
	return knob_parse(key, json_string_value(v), out, err, sizeof(err));
}

static int parse_change(json_t *c, struct txn_change *out)
{
	char key[128];
	int id;

	memset(out, 0, sizeof(*out));
	if (copy_string(c, "key", key, sizeof(key), true) < 0 || (id = knob_find(key)) < 0)
		return -EINVAL;
	out->key = id;
	out->old_present = json_is_string(json_object_get(c, "old"));
	if (copy_string(c, "state", out->state, sizeof(out->state), false) < 0 ||
	    (out->old_present && parse_value(c, "old", out->key, &out->old) < 0))
		return -EINVAL;
	if (parse_value(c, "new", out->key, &out->new) < 0) {
		knob_value_free(&out->old);
		return -EINVAL;
	}
	return 0;
}

static int parse_persist(json_t *p, struct txn_record *r)
{
	bool present;

	if (!p || json_is_null(p))
		return 0;
	r->persist = true;
	if (copy_string(p, "dir", r->persist_dir, sizeof(r->persist_dir), true) < 0 ||
	    copy_string(p, "name", r->persist_name, sizeof(r->persist_name), true) < 0 ||
	    decode_bytes(json_object_get(p, "old_base64"), &r->file_existed, &r->old_file,
			 &r->old_file_len) < 0 ||
	    decode_bytes(json_object_get(p, "new_base64"), &present, &r->new_file,
			 &r->new_file_len) < 0)
		return -EINVAL;
	r->persist_mode = json_is_integer(json_object_get(p, "mode"))
				  ? (unsigned)json_integer_value(json_object_get(p, "mode")) & 07777
				  : 0644;
	r->remove_file = !present;
	return 0;
}

static int parse_record(json_t *o, struct txn_record *r)
{
	char kind[16], status[16];
	json_t *changes = json_object_get(o, "changes");
	size_t i;
	json_t *c;
	int k, s;

	memset(r, 0, sizeof(*r));
	if (!json_is_object(o) || !json_is_array(changes) ||
	    json_array_size(changes) > KNOB_COUNT ||
	    copy_string(o, "id", r->id, sizeof(r->id), true) < 0 ||
	    copy_string(o, "kind", kind, sizeof(kind), true) < 0 ||
	    copy_string(o, "status", status, sizeof(status), true) < 0 ||
	    (k = name_index(kind_names, 2, kind)) < 0 ||
	    (s = name_index(status_names, 4, status)) < 0 ||
	    copy_string(o, "time", r->time, sizeof(r->time), true) < 0 ||
	    copy_string(o, "namespace", r->ns, sizeof(r->ns), true) < 0 ||
	    copy_string(o, "proc_root", r->proc_root, sizeof(r->proc_root), true) < 0 ||
	    copy_string(o, "source", r->source, sizeof(r->source), false) < 0 ||
	    copy_string(o, "target", r->target, sizeof(r->target), false) < 0 ||
	    copy_string(o, "rolled_back_by", r->rolled_back_by, sizeof(r->rolled_back_by), false) <
		    0 ||
	    copy_string(o, "message", r->message, sizeof(r->message), false) < 0)
		return -EINVAL;
	r->kind = k;
	r->status = s;
	json_array_foreach(changes, i, c)
	{
		if (parse_change(c, &r->changes[r->change_count++]) < 0)
			return -EINVAL;
	}
	return parse_persist(json_object_get(o, "persist"), r);
}

int journal_parse_record(const char *data, size_t len, const char *where, struct txn_record *r,
			 char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *doc = json_loadb(data, len, 0, &jerr);
	int rc;

	if (!doc) {
		memset(r, 0, sizeof(*r));
		snprintf(err, errlen, "journal: %s:%d:%d: %s", where, jerr.line, jerr.column,
			 jerr.text);
		return -EBADMSG;
	}
	rc = parse_record(doc, r);
	json_decref(doc);
	if (rc < 0) {
		txn_record_free(r);
		snprintf(err, errlen, "journal: %s: not a twtune transaction record", where);
		return -EBADMSG;
	}
	return 0;
}

static int read_record(const char *dir, const char *name, struct txn_record *r, char *err,
		       size_t errlen)
{
	char where[PATH_MAX + 256];
	size_t len;
	char *text;
	int rc = read_file_whole(dir, name, JOURNAL_RECORD_MAX, &text, &len);

	snprintf(where, sizeof(where), "%s/%s", dir, name);
	if (rc < 0) {
		snprintf(err, errlen, "journal: %s: %s", where, strerror(-rc));
		return rc;
	}
	rc = journal_parse_record(text, len, where, r, err, errlen);
	free(text);
	return rc;
}

static int by_id(const void *a, const void *b)
{
	return strcmp(((const struct txn_record *)a)->id, ((const struct txn_record *)b)->id);
}

int journal_list(const char *state_dir, struct txn_record **records, size_t *count, char *err,
		 size_t errlen)
{
	char dir[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int rc = 0;

	*records = NULL;
	*count = 0;
	snprintf(dir, sizeof(dir), "%s/journal", state_dir);
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
		if (!(grown = realloc(*records, (*count + 1) * sizeof(*grown)))) {
			rc = -ENOMEM;
			break;
		}
		*records = grown;
		if ((rc = read_record(dir, de->d_name, &grown[*count], err, errlen)) < 0)
			break;
		(*count)++;
	}
	closedir(d);
	if (rc < 0) {
		journal_list_free(*records, *count);
		*records = NULL;
		*count = 0;
		return rc;
	}
	qsort(*records, *count, sizeof(**records), by_id);
	return 0;
}

void journal_list_free(struct txn_record *records, size_t count)
{
	for (size_t i = 0; i < count; i++)
		txn_record_free(&records[i]);
	free(records);
}

int journal_pending(const char *state_dir, const char *ns, char ids[][64], char sources[][128],
		    char *err, size_t errlen, unsigned max)
{
	struct txn_record *records;
	size_t count;
	int n = 0, r = journal_list(state_dir, &records, &count, err, errlen);

	if (r < 0)
		return r;
	for (size_t i = 0; i < count && (unsigned)n < max; i++) {
		if (records[i].status != TXN_PENDING || strcmp(records[i].ns, ns) != 0)
			continue;
		snprintf(ids[n], 64, "%s", records[i].id);
		snprintf(sources[n], 128, "%s", records[i].source);
		n++;
	}
	journal_list_free(records, count);
	return n;
}
