/* SPDX-License-Identifier: MIT */
/* sysctl.d configuration read exactly as systemd-sysctl reads it: one parser
 * shared by lint, by apply (the persisted file, and the warning when a later
 * file would override it at boot) and by check (drift between the running
 * kernel and its boot configuration).
 *
 * Directories, in precedence order: /etc/sysctl.d, /run/sysctl.d,
 * /usr/local/lib/sysctl.d, /usr/lib/sysctl.d, /lib/sysctl.d (when it is not
 * the same directory as /usr/lib/sysctl.d). A file in an earlier directory
 * masks a file of the same name in a later one; a symlink to /dev/null masks
 * it entirely. All remaining files are applied in lexical order of their
 * names; later assignments override earlier ones. Optionally, procps'
 * /etc/sysctl.conf last, as `sysctl --system` does. */
#ifndef TWTUNE_SYSCTLD_H
#define TWTUNE_SYSCTLD_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

/* systemd's LONG_LINE_MAX: read_line() fails on a line of this many bytes
 * and systemd-sysctl 252 stops reading the file there ("Failed to read
 * file ..., ignoring"); the lines before it stay applied. */
#define SYSCTLD_LINE_MAX (1024 * 1024)
/* Lines this long or longer are read whole, but lint warns: other tools
 * (procps' sysctl, editors) cut them. */
#define SYSCTLD_LONG_LINE 4096

struct sysctl_assignment {
	char *key;	     /* normalised to systemd's path form: "net/ipv4/x" */
	char *value;	     /* whitespace around it trimmed; NULL for "-KEY" without
			      * "=", which (systemd v246+) excludes KEY from globs
			      * and unsets an earlier exact value */
	bool ignore_failure; /* the line started with '-' */
	bool is_glob;	     /* the key holds *, ? or [ (systemd matches it) */
	size_t file;	     /* index into sysctl_config.files */
	unsigned line;
};

struct sysctl_file {
	char path[PATH_MAX]; /* as opened (under --root when one was given) */
	char name[256];	     /* the file name that orders and masks */
};

enum sysctl_problem_kind {
	SYSCTL_PROBLEM_SYNTAX,	   /* a line that is not an assignment */
	SYSCTL_PROBLEM_UNREADABLE, /* cannot open or read the file */
	SYSCTL_PROBLEM_TOO_LONG,   /* a line of SYSCTLD_LINE_MAX bytes: the rest is unread */
	/* bytes systemd reads its own way; the file is applied all the same */
	SYSCTL_PROBLEM_BINARY,	  /* a NUL byte, which ends a line */
	SYSCTL_PROBLEM_ENCODING,  /* invalid UTF-8, which systemd does not check */
	SYSCTL_PROBLEM_LONE_CR,	  /* a CR not followed by LF, which ends a line */
	SYSCTL_PROBLEM_LONG_LINE, /* SYSCTLD_LONG_LINE bytes or more */
};

/* Messages are cut to this many bytes (less one). */
#define SYSCTLD_MESSAGE_MAX 256

/* A problem's strings are allocated to their length: a file may have one
 * problem a line. */
struct sysctl_problem {
	enum sysctl_problem_kind kind;
	char *path;
	unsigned line; /* 0: the file as a whole */
	char *message;
};

struct sysctl_config {
	struct sysctl_file *files; /* in application order */
	size_t file_count;
	struct sysctl_assignment *assignments; /* in application order */
	size_t count;
	struct sysctl_problem *problems;
	size_t problem_count;
};

/* Read the standard directories under ROOT ("" or NULL for /), with
 * masking and lexical order; and ROOT/etc/sysctl.conf last when
 * WITH_SYSCTL_CONF. Unreadable files and bad lines become problems; the
 * rest is still read. Returns 0 or -ENOMEM. */
int sysctld_load_system(const char *root, bool with_sysctl_conf, struct sysctl_config *out);

/* Read the given paths: a directory is read as one sysctl.d directory
 * (its *.conf files, lexical order, /dev/null links mask nothing else but
 * contribute nothing); a file is read as it is. Paths are applied in the
 * order given. Returns 0 or -ENOMEM; a path that does not exist is a
 * problem, not an error. */
int sysctld_load_paths(const char *const *paths, size_t count, struct sysctl_config *out);

/* Parse one file into OUT (appending a file entry and its assignments). */
int sysctld_parse_file(const char *path, struct sysctl_config *out);

/* Parse LEN bytes already read from PATH (its name as the file's name). */
int sysctld_parse_buffer(const char *path, const char *data, size_t len, struct sysctl_config *out);

void sysctld_free(struct sysctl_config *c);

/* The assignment that wins for KEY (dotted or slashed), as systemd decides
 * it: an exact assignment beats any glob whatever their order (sysctl.d(5):
 * keys with an explicit entry are excluded from glob matching); among
 * exact ones, and among globs, the last in application order wins. NULL
 * when none matches or when KEY is excluded ("-KEY"). */
const struct sysctl_assignment *sysctld_effective(const struct sysctl_config *c, const char *key);

/* One write systemd-sysctl makes to one of the keys asked about. */
struct sysctl_write {
	const struct sysctl_assignment *a; /* the line whose value is written */
	size_t key;			   /* index into the keys asked about */
};

/* The writes systemd-sysctl 252 makes to KEYS (path form, "net/ipv4/x"),
 * in its order (order.c says how): the order of its ordered hashmap,
 * globs expanded where they stand, keys with a line of their own (even
 * "-KEY") shielded from globs. PRESENT[i] says whether key i exists: a
 * glob expands only to existing keys, an exact key is written (and fails)
 * either way. *OUT is allocated (free() it). 0 or -ENOMEM. */
int sysctld_writes(const struct sysctl_config *c, const char *const *keys, const bool *present,
		   size_t key_count, struct sysctl_write **out, size_t *count);

/* Normalise a key as systemd-sysctl does (sysctl_normalize()): when the
 * first separator is '/', the key is a path already and dots inside a
 * component stay (net/ipv4/conf/eth0.1/forwarding); when it is '.', dots
 * become '/' and slashes become '.' (net.ipv4.conf.eth0/1.forwarding is the
 * same key). Returns the path form, newly allocated, or NULL. */
char *sysctld_normalize_key(const char *key);

/* The dotted form for messages and for twtune's own key names:
 * "net/ipv4/conf/eth0.1/forwarding" -> "net.ipv4.conf.eth0/1.forwarding".
 * Writes into BUF. */
const char *sysctld_key_dotted(const char *path_key, char *buf, size_t size);

#endif
