/* SPDX-License-Identifier: MIT */
#include "common/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

__attribute__((format(printf, 4, 5))) static int fail(char *err, size_t errlen, int r,
						      const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(err, errlen, "%s: %s", what, strerror(-r));
	return r;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A fresh name for the temporary file: ".NAME.twtune-XXXXXXXX". */
static int open_temporary(int dirfd, const char *name, char *tmp, size_t size, mode_t mode)
{
	for (int attempt = 0; attempt < 16; attempt++) {
		uint32_t r = 0;
		int fd;

		if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
			r = (uint32_t)getpid() * 2654435761u + (uint32_t)attempt;
		snprintf(tmp, size, ".%s.twtune-%08x", name, r);
		fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
		if (fd >= 0 || errno != EEXIST)
			return fd < 0 ? -errno : fd;
	}
	return -EEXIST;
}

int write_file_atomic(const char *dir, const char *name, const void *data, size_t len, mode_t mode,
		      char *err, size_t errlen)
{
	char tmp[300];
	struct stat st;
	int dirfd, fd = -1, r;

	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return fail(err, errlen, -errno, "%s", dir);
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
		close(dirfd);
		return fail(err, errlen, -ELOOP,
			    "%s/%s is a symlink; twtune does not write through one", dir, name);
	}
	if ((fd = open_temporary(dirfd, name, tmp, sizeof(tmp), mode)) < 0) {
		r = fd;
		fail(err, errlen, r, "creating a temporary file in %s", dir);
		goto out;
	}
	if ((r = write_all(fd, data, len)) < 0) {
		fail(err, errlen, r, "writing %s/%s", dir, tmp);
		goto undo;
	}
	if (fchmod(fd, mode) < 0 || fsync(fd) < 0) {
		r = -errno;
		fail(err, errlen, r, "syncing %s/%s", dir, tmp);
		goto undo;
	}
	if (close(fd) < 0) {
		fd = -1;
		r = -errno;
		fail(err, errlen, r, "closing %s/%s", dir, tmp);
		goto undo;
	}
	fd = -1;
	if (renameat(dirfd, tmp, dirfd, name) < 0) {
		r = -errno;
		fail(err, errlen, r, "renaming into %s/%s", dir, name);
		goto undo;
	}
	if (fsync(dirfd) < 0) {
		r = -errno; /* renamed, but the rename may not survive a crash */
		fail(err, errlen, r, "syncing the directory %s", dir);
		goto out;
	}
	r = 0;
	goto out;
undo:
	if (fd >= 0)
		close(fd);
	unlinkat(dirfd, tmp, 0);
out:
	close(dirfd);
	return r;
}

int remove_file_synced(const char *dir, const char *name, char *err, size_t errlen)
{
	int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r = 0;

	if (dirfd < 0)
		return errno == ENOENT ? 0 : fail(err, errlen, -errno, "%s", dir);
	if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
		r = fail(err, errlen, -errno, "removing %s/%s", dir, name);
	else if (fsync(dirfd) < 0)
		r = fail(err, errlen, -errno, "syncing the directory %s", dir);
	close(dirfd);
	return r;
}

/* DIR/NAME opened for reading, not following a symlink (O_NONBLOCK: a
 * FIFO put in its place does not hang the open). fd or -errno. */
static int open_in(const char *dir, const char *name)
{
	int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), fd, r;

	if (dirfd < 0)
		return -errno;
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	r = fd < 0 ? -errno : fd;
	close(dirfd);
	return r;
}

int read_fd_whole(int fd, size_t max, char **data, size_t *len)
{
	size_t cap = max < 4096 ? max + 1 : 4096, n = 0;
	char *buf;
	int r = 0;

	/* read up to MAX + 1 bytes: one more than allowed proves too large */
	if (!(buf = malloc(cap + 1))) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t got;

		if (n == cap) {
			char *bigger;
			if (cap > max) {
				r = -EFBIG;
				break;
			}
			cap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			if (!(bigger = realloc(buf, cap + 1))) {
				r = -ENOMEM;
				break;
			}
			buf = bigger;
		}
		got = read(fd, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			r = -errno;
			break;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	close(fd);
	if (r == 0 && n > max)
		r = -EFBIG;
	if (r < 0) {
		free(buf);
		return r;
	}
	buf[n] = '\0';
	*data = buf;
	*len = n;
	return 0;
}

int read_file_whole(const char *dir, const char *name, size_t max, char **data, size_t *len)
{
	int fd = open_in(dir, name);

	*data = NULL;
	*len = 0;
	return fd < 0 ? fd : read_fd_whole(fd, max, data, len);
}

int make_directories(const char *path, mode_t mode)
{
	char buf[4096];
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *base64_encode(const void *data, size_t len)
{
	const unsigned char *in = data;
	char *out = malloc(4 * ((len + 2) / 3) + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < len)
			v |= in[i + 2];
		*o++ = alphabet[(v >> 18) & 63];
		*o++ = alphabet[(v >> 12) & 63];
		*o++ = i + 1 < len ? alphabet[(v >> 6) & 63] : '=';
		*o++ = i + 2 < len ? alphabet[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

static int sextet(char c)
{
	const char *p = c ? strchr(alphabet, c) : NULL;
	return p ? (int)(p - alphabet) : -1;
}

int base64_decode(const char *text, char **data, size_t *len)
{
	size_t n = strlen(text), o = 0;
	unsigned char *out;

	if (n % 4)
		return -EINVAL;
	if (!(out = malloc(n / 4 * 3 + 1)))
		return -ENOMEM;
	for (size_t i = 0; i < n; i += 4) {
		int a = sextet(text[i]), b = sextet(text[i + 1]);
		int c = text[i + 2] == '=' ? 0 : sextet(text[i + 2]);
		int d = text[i + 3] == '=' ? 0 : sextet(text[i + 3]);
		bool pad2 = text[i + 2] == '=', pad3 = text[i + 3] == '=';

		if (a < 0 || b < 0 || c < 0 || d < 0 || (pad2 && !pad3) ||
		    ((pad2 || pad3) && i + 4 != n)) {
			free(out);
			return -EINVAL;
		}
		out[o++] = (unsigned char)((a << 2) | (b >> 4));
		if (!pad2)
			out[o++] = (unsigned char)(((b & 15) << 4) | (c >> 2));
		if (!pad3)
			out[o++] = (unsigned char)(((c & 3) << 6) | d);
	}
	out[o] = '\0';
	*data = (char *)out;
	*len = o;
	return 0;
}
