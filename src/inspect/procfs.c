/* SPDX-License-Identifier: MIT */
#include "inspect/procfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

bool procfs_is_live(const char *root)
{
	return strcmp(root, PROCFS_ROOT) == 0;
}

int procfs_path(const char *root, const char *rel, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s/%s", root, rel);

	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

int procfs_knob_path(const char *root, enum knob_id id, char *buf, size_t size)
{
	char rel[256];

	if (knob_proc_path(id, rel, sizeof(rel)) < 0)
		return -EINVAL;
	return procfs_path(root, rel, buf, size);
}

long procfs_read(const char *root, const char *rel, char *buf, size_t size)
{
	char path[4096];
	size_t len = 0;
	int fd, r;

	if (size < 2)
		return -EINVAL;
	if ((r = procfs_path(root, rel, path, sizeof(path))) < 0)
		return r;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	/* /proc files report size 0: read until EOF, never past the buffer. */
	for (;;) {
		ssize_t n = read(fd, buf + len, size - 1 - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			close(fd);
			return r;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == size - 1) {
			char extra;
			n = read(fd, &extra, 1);
			close(fd);
			if (n > 0)
				return -EFBIG;
			buf[len] = '\0';
			return (long)len;
		}
	}
	close(fd);
	buf[len] = '\0';
	return (long)len;
}
