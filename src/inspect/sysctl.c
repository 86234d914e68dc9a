/* SPDX-License-Identifier: MIT */
#include "inspect/sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "inspect/procfs.h"

static bool read_only_file(const char *root, enum knob_id id)
{
	char path[4096];
	struct stat st;

	if (procfs_knob_path(root, id, path, sizeof(path)) < 0 || stat(path, &st) < 0)
		return false;
	return (st.st_mode & 0222) == 0;
}

static void read_one(const char *root, enum knob_id id, struct tw_facts *f)
{
	struct sysctl_value *sv = &f->sysctl[id];
	char rel[256], err[256];
	char buf[65536];
	long n;
	int r;

	if (knob_proc_path(id, rel, sizeof(rel)) < 0)
		return;
	n = procfs_read(root, rel, buf, sizeof(buf));
	if (n == -ENOENT || n == -ENOTDIR) {
		sv->present = false; /* this kernel has no such knob */
		return;
	}
	sv->present = true;
	sv->read_only = read_only_file(root, id);
	if (n < 0) {
		sv->error = (int)n;
		facts_add_error(f, "sysctl", "%s/%s: %s", root, rel, strerror((int)-n));
		return;
	}
	str_normalize_blanks(buf);
	r = facts_set_sysctl(f, id, buf, err, sizeof(err));
	if (r == -ENOMEM)
		sv->error = r;
	/* a range whose ends are out of order is no range the kernel holds */
	else if (r < 0 || (id == KNOB_IP_LOCAL_PORT_RANGE && !f->port_range_known))
		facts_add_error(f, "sysctl", "%s/%s: malformed value \"%.64s\"", root, rel, buf);
}

int inspect_sysctls(const char *proc_root, struct tw_facts *f)
{
	int read = 0;

	for (int id = 0; id < KNOB_COUNT; id++) {
		read_one(proc_root, id, f);
		if (f->sysctl[id].text)
			read++;
	}
	return read;
}

int sysctl_read(const char *proc_root, enum knob_id id, struct knob_value *value, char *text,
		size_t size)
{
	char rel[256], err[256], buf[65536];
	long n;
	int r;

	memset(value, 0, sizeof(*value)); /* nothing to free, whatever happens */
	if (size)
		text[0] = '\0';
	if (knob_proc_path(id, rel, sizeof(rel)) < 0)
		return -EINVAL;
	n = procfs_read(proc_root, rel, buf, sizeof(buf));
	if (n == -ENOTDIR)
		n = -ENOENT;
	if (n < 0)
		return (int)n;
	str_normalize_blanks(buf);
	if (size)
		snprintf(text, size, "%s", buf);
	if ((r = knob_parse(id, buf, value, err, sizeof(err))) < 0)
		return r == -ENOMEM ? r : -EINVAL;
	return 0;
}

int sysctl_writable(const char *proc_root, enum knob_id id, char *err, size_t errlen)
{
	char path[4096];
	int r;

	if (procfs_knob_path(proc_root, id, path, sizeof(path)) < 0)
		return -ENAMETOOLONG;
	if (access(path, W_OK) < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(-r));
		return r;
	}
	return 0;
}

int sysctl_write(const char *proc_root, enum knob_id id, const char *text)
{
	size_t len = strlen(text) + 1;
	char path[4096], *line;
	int fd, r = 0;
	ssize_t n;

	if (procfs_knob_path(proc_root, id, path, sizeof(path)) < 0)
		return -ENAMETOOLONG;
	if (!(line = malloc(len + 1)))
		return -ENOMEM;
	snprintf(line, len + 1, "%s\n", text);
	fd = open(path, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		free(line);
		return r;
	}
	/* The kernel takes a page of text per write; a longer value (a long
	 * ip_local_reserved_ports list) goes on in further writes, which the
	 * kernel adds to the first (proc_do_large_bitmap at a non-zero
	 * offset). Anything shorter is parsed from one buffer, in one go. */
	for (size_t done = 0; done < len && r == 0; done += (size_t)n) {
		n = write(fd, line + done, len - done);
		if (n < 0 && errno == EINTR)
			n = 0;
		else if (n < 0)
			r = -errno;
		else if (n == 0)
			r = -EIO;
	}
	if (close(fd) < 0 && r == 0)
		r = -errno;
	free(line);
	return r;
}
