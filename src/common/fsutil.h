/* Careful file operations for everything twtune writes: the journal, the
 * persisted sysctl.d file. */
#ifndef TWTUNE_FSUTIL_H
#define TWTUNE_FSUTIL_H

#include <stdbool.h>
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

/* Is the file behind FD of TYPE (S_IFREG, S_IFDIR), the effective user's,
 * and writable by no group or other? */
bool fd_owned(int fd, mode_t type);

/* The same for the directory PATH, not following a symlink at its last
 * component: 0, -ENOENT, -EPERM (a symlink, not a directory, or not the
 * effective user's alone) or -errno. */
int dir_owned(const char *path);

/* read_file_whole() for a file twtune itself keeps and must trust: also
 * -EPERM unless it is a regular file owned by the effective user that no
 * group or other may write, judged on the descriptor it reads. */
int read_file_owned(const char *dir, const char *name, size_t max, char **data, size_t *len);

/* mkdir -p with MODE for the directories it creates. */
int make_directories(const char *path, mode_t mode);

/* Base64 (RFC 4648) for byte-exact file contents inside JSON. encode
 * returns a malloc()ed string; decode returns 0 or -EINVAL. */
char *base64_encode(const void *data, size_t len);
int base64_decode(const char *text, char **data, size_t *len);

#endif
