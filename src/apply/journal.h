/* SPDX-License-Identifier: MIT */
/* The journal: one record per transaction in STATE_DIR/journal/ID.json,
 * written (atomically, fsynced) before anything on the host changes, and
 * rewritten as the transaction ends. It holds what is needed to put the
 * host back: the old values and the persisted file's old bytes. */
#ifndef TWTUNE_JOURNAL_H
#define TWTUNE_JOURNAL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/knob_value.h"
#include "common/knobs.h"

/* The file twtune keeps in a sysctl.d directory. It sorts after the files
 * packages ship (10-, 50-) so its values win at boot, and before
 * 99-sysctl.conf, the link Debian keeps to /etc/sysctl.conf, so an
 * administrator's own sysctl.conf still has the last word (apply warns
 * when it overrides a key). */
#define PERSIST_NAME "90-twtune.conf"
#define PERSIST_DIR "/etc/sysctl.d"
/* The persisted file is read whole, up to this. */
#define PERSIST_FILE_MAX (1024 * 1024)

enum txn_kind { TXN_APPLY, TXN_ROLLBACK };
enum txn_status { TXN_PENDING, TXN_COMMITTED, TXN_ROLLED_BACK, TXN_FAILED };

const char *txn_status_name(enum txn_status s);

struct txn_change {
	enum knob_id key;
	bool old_present;
	struct knob_value old;
	struct knob_value new;
	char state[96]; /* after a failed undo: what the key holds now */
};

struct txn_record {
	char id[64];
	enum txn_kind kind;
	enum txn_status status;
	char time[32]; /* UTC, ISO 8601 */
	char ns[128];  /* the namespace: "net:[INODE]" or "proc:DIR" */
	char proc_root[PATH_MAX];
	char source[128];	 /* "profile client-heavy", "recommended", ... */
	char target[64];	 /* a rollback: the transaction it undoes */
	char rolled_back_by[64]; /* an apply: the rollback that undid it */
	struct txn_change changes[KNOB_COUNT];
	unsigned change_count;
	/* the persisted file, when the transaction writes it */
	bool persist;
	char persist_dir[PATH_MAX];
	char persist_name[256];
	bool file_existed; /* before the transaction */
	char *old_file;	   /* its bytes before (malloc'd) */
	size_t old_file_len;
	char *new_file; /* its bytes after (malloc'd) */
	size_t new_file_len;
	bool remove_file;      /* after: no file (a rollback to "there was none") */
	unsigned persist_mode; /* the file's permissions, kept as they were */
	char message[512];     /* how it ended */
};

void txn_record_free(struct txn_record *r);

/* A new, sortable transaction id: 20261123T193000.123456Z. */
void journal_new_id(char *buf, size_t size);

/* Write (or rewrite) R as STATE_DIR/journal/ID.json. 0 or -errno. */
int journal_write(const char *state_dir, const struct txn_record *r, char *err, size_t errlen);

#define JOURNAL_SKIP_MAX 768

/* The journal as read: the records twtune can trust, and the files it
 * skipped, each as "PATH: why". */
struct journal {
	struct txn_record *records; /* sorted by id, oldest first */
	size_t count;
	char (*skipped)[JOURNAL_SKIP_MAX];
	size_t skipped_count;
};

/* Read STATE_DIR/journal. The state directory (a symlink resolved) and
 * its journal directory (a symlink refused) must be trusted
 * (common/trust.h), or the call fails (-EPERM) with ERR naming the path
 * and what is wrong: nothing in an untrusted journal is used. A missing
 * journal is an empty one. Each record is then judged alone: read without
 * following a symlink or blocking on a FIFO, a regular file of root's (or
 * the effective user's) that no one else may write, its id its file's
 * name, every value parsed as a profile's value is, only keys twtune
 * sets, the persisted file twtune's own with its mode at most 0644. One
 * that fails is skipped and named in J->skipped, never used. */
int journal_read(const char *state_dir, struct journal *j, char *err, size_t errlen);
void journal_free(struct journal *j);

/* Is the directory a record persisted to (RECORDED) the one twtune is
 * configured for now (CONFIGURED: --sysctl-d or the default)? A record
 * is never trusted to name where twtune writes. */
bool journal_same_persist_dir(const char *recorded, const char *configured);

/* Parse one record: LEN bytes of JSON read from WHERE (DIR/ID.json, named
 * in ERR; the record's id must be its file's name), judged as
 * journal_read() judges each file. 0, or -EBADMSG with ERR saying why and
 * R holding nothing to free. */
int journal_parse_record(const char *data, size_t len, const char *where, struct txn_record *r,
			 char *err, size_t errlen);

/* The ids of NS's interrupted (pending) transactions, up to MAX, with
 * their sources. Returns how many, or -errno with ERR saying why the
 * journal cannot be read (an unprivileged check cannot, and says
 * nothing; apply --check refuses, as the real run would). */
int journal_pending(const char *state_dir, const char *ns, char ids[][64], char sources[][128],
		    char *err, size_t errlen, unsigned max);

#endif
