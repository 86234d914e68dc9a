/* SPDX-License-Identifier: MIT */
/* What twtune trusts on disk, judged before it is used (the way doas
 * judges its configuration): files and directories owned by root or by
 * the effective user, that no group or other may write, of the expected
 * type, and not symlinks where a symlink could redirect a write. Anything
 * else is refused with a message naming the path and what is wrong.
 *
 * Used for the state directory (journal, counters), the lock, the
 * sysctl.d directory and file apply writes, and the rules and profiles
 * directories. Not for what lint judges: that is input, not trust. */
#ifndef TWTUNE_TRUST_H
#define TWTUNE_TRUST_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Judge the file behind FD, known as PATH: 0, or -EPERM with WHY saying
 * what is wrong ("PATH is a FIFO, not a regular file", "PATH belongs to
 * uid 1000", "PATH is writable by group or others (mode 0777)"). TYPE is
 * S_IFREG or S_IFDIR. */
int trust_fd(int fd, const char *path, mode_t type, char *why, size_t whylen);

/* The directory PATH. FOLLOW: a symlink is resolved and its target
 * judged; otherwise a symlink is refused. 0, -ENOENT, or -EPERM/-errno
 * with WHY naming PATH. */
int trust_dir(const char *path, bool follow, char *why, size_t whylen);

/* Open DIR/NAME for reading without blocking on a FIFO, and judge it as a
 * regular file: the descriptor, -ENOENT, or -EPERM/-errno with WHY naming
 * DIR/NAME. FOLLOW: a symlink is resolved and its target judged (for a
 * trusted directory, where only its owner could have made the link), and
 * /dev/null, the conventional mask, is -ENODEV; otherwise a symlink is
 * refused. */
int trust_open(const char *dir, const char *name, bool follow, char *why, size_t whylen);

/* trust_open(), then read it whole (at most MAX bytes; NUL-terminated,
 * the length excludes it): 0, -ENOENT, -EFBIG, or -EPERM/-errno with WHY. */
int trust_read(const char *dir, const char *name, size_t max, char **data, size_t *len, char *why,
	       size_t whylen);

#endif
