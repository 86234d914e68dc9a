/* SPDX-License-Identifier: MIT */
#include "common/trust.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/fsutil.h"

static const char *type_name(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "a regular file";
	case S_IFDIR: return "a directory";
	case S_IFLNK: return "a symlink";
	case S_IFIFO: return "a FIFO";
	case S_IFSOCK: return "a socket";
	case S_IFCHR: return "a character device";
	case S_IFBLK: return "a block device";
	default: return "of an unknown type";
	}
}

static int judge(const struct stat *st, const char *path, mode_t type, char *why, size_t whylen)
{
	if ((st->st_mode & S_IFMT) != type) {
		snprintf(why, whylen, "%s is %s, not %s", path, type_name(st->st_mode),
			 type == S_IFDIR ? "a directory" : "a regular file");
		return -EPERM;
	}
	if (st->st_uid != 0 && st->st_uid != geteuid()) {
		snprintf(why, whylen, "%s belongs to uid %u; twtune trusts only root's and its own",
			 path, (unsigned)st->st_uid);
		return -EPERM;
	}
	if (st->st_mode & 022) {
		snprintf(why, whylen, "%s is writable by group or others (mode %04o)", path,
			 (unsigned)(st->st_mode & 07777));
		return -EPERM;
	}
	return 0;
}

int trust_fd(int fd, const char *path, mode_t type, char *why, size_t whylen)
{
	struct stat st;

	if (fstat(fd, &st) < 0) {
		int r = -errno;
		snprintf(why, whylen, "%s: %s", path, strerror(-r));
		return r;
	}
	return judge(&st, path, type, why, whylen);
}

int trust_dir(const char *path, bool follow, char *why, size_t whylen)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW)), r;
	struct stat st;

	if (fd < 0) {
		r = -errno;
		/* say what is there instead of a directory */
		if ((r == -ENOTDIR || r == -ELOOP) && lstat(path, &st) == 0)
			return judge(&st, path, S_IFDIR, why, whylen);
		if (r != -ENOENT)
			snprintf(why, whylen, "%s: %s", path, strerror(-r));
		return r;
	}
	r = trust_fd(fd, path, S_IFDIR, why, whylen);
	close(fd);
	return r;
}

int trust_open(const char *dir, const char *name, bool follow, char *why, size_t whylen)
{
	char path[4352];
	int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), fd, r;
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (dirfd < 0) {
		r = -errno;
		snprintf(why, whylen, "%s: %s", dir, strerror(-r));
		return r;
	}
	fd = openat(dirfd, name,
		    O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | (follow ? 0 : O_NOFOLLOW));
	if (fd < 0) {
		r = -errno;
		if (r == -ELOOP && fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
			r = judge(&st, path, S_IFREG, why, whylen);
		else if (r != -ENOENT)
			snprintf(why, whylen, "%s: %s", path, strerror(-r));
		close(dirfd);
		return r;
	}
	close(dirfd);
	if (follow && fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3)) {
		close(fd);
		return -ENODEV;
	}
	if ((r = trust_fd(fd, path, S_IFREG, why, whylen)) < 0) {
		close(fd);
		return r;
	}
	return fd;
}

int trust_read(const char *dir, const char *name, size_t max, char **data, size_t *len, char *why,
	       size_t whylen)
{
	int fd = trust_open(dir, name, false, why, whylen), r;

	*data = NULL;
	*len = 0;
	if (fd < 0)
		return fd;
	if ((r = read_fd_whole(fd, max, data, len)) < 0)
		snprintf(why, whylen, "%s/%s: %s", dir, name,
			 r == -EFBIG ? "larger than twtune reads" : strerror(-r));
	return r;
}
