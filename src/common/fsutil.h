/* SPDX-License-Identifier: MIT */
/* Careful file operations for everything twtune writes: the journal, the
 * persisted sysctl.d file. */
#ifndef TWTUNE_FSUTIL_H
#define TWTUNE_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

/* Replace DIR/NAME with DATA atomically: a temporary file in DIR (so the
 * rename stays on one filesystem), written, fsync()ed, renamed over NAME,
 * then DIR fsync()ed so the rename itself is durable. NAME is never
 * followed if it is a symlink: that is refused (-ELOOP). On failure nothing
 * is left behind and NAME is as it was. 0 or -errno, ERR says which step. */
int write_file_atomic(const char *dir, const char *name, const void *data, size_t len, mode_t mode,
		      char *err, size_t errlen);

/* Remove DIR/NAME (not following a symlink) and fsync DIR; -ENOENT is
 * success. */
int remove_file_synced(const char *dir, const char *name, char *err, size_t errlen);

/* Read DIR/NAME whole, at most MAX bytes, not following a symlink. *DATA is
 * malloc()ed and NUL-terminated (the length excludes it). -ENOENT when it
 * does not exist, -ELOOP when it is a symlink, -EFBIG when larger. */
int read_file_whole(const char *dir, const char *name, size_t max, char **data, size_t *len);

/* Read FD whole, at most MAX bytes, and close it (see read_file_whole). */
int read_fd_whole(int fd, size_t max, char **data, size_t *len);

/* mkdir -p with MODE for the directories it creates. */
int make_directories(const char *path, mode_t mode);

/* Base64 (RFC 4648) for byte-exact file contents inside JSON. encode
 * returns a malloc()ed string; decode returns 0 or -EINVAL. */
char *base64_encode(const void *data, size_t len);
int base64_decode(const char *text, char **data, size_t *len);

#endif
