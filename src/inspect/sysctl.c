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
	char rel[256];
	char buf[65536];
	long n;

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
	sv->value = strdup(buf);
	if (!sv->value)
		sv->error = -ENOMEM;
}

unsigned facts_derive_ports(struct tw_facts *f)
{
	const char *range = f->sysctl[KNOB_IP_LOCAL_PORT_RANGE].value;
	const char *reserved = f->sysctl[KNOB_IP_LOCAL_RESERVED_PORTS].value;
	const char *unpriv = f->sysctl[KNOB_IP_UNPRIVILEGED_PORT_START].value;
	unsigned bad = 0;
	long v;

	if (range) {
		if (parse_port_range(range, &f->port_low, &f->port_high) == 0 &&
		    f->port_low <= f->port_high)
			f->port_range_known = true;
		else
			bad |= PORTS_BAD_RANGE;
	}
	if (reserved && parse_port_list(reserved, f->reserved_ports) < 0) {
		memset(f->reserved_ports, 0, sizeof(f->reserved_ports));
		bad |= PORTS_BAD_RESERVED;
	}
	if (unpriv && parse_long(unpriv, &v) == 0 && v >= 0 && v <= 65536)
		f->unprivileged_port_start = (unsigned)v;
	return bad;
}

static void parse_derived(const char *root, struct tw_facts *f)
{
	unsigned bad = facts_derive_ports(f);

	if (bad & PORTS_BAD_RANGE)
		facts_add_error(f, "sysctl",
				"%s/sys/net/ipv4/ip_local_port_range: malformed value \"%s\"", root,
				f->sysctl[KNOB_IP_LOCAL_PORT_RANGE].value);
	if (bad & PORTS_BAD_RESERVED)
		facts_add_error(
			f, "sysctl",
			"%s/sys/net/ipv4/ip_local_reserved_ports: malformed value \"%.64s\"", root,
			f->sysctl[KNOB_IP_LOCAL_RESERVED_PORTS].value);
}

int inspect_sysctls(const char *proc_root, struct tw_facts *f)
{
	int read = 0;

	for (int id = 0; id < KNOB_COUNT; id++) {
		read_one(proc_root, id, f);
		if (f->sysctl[id].value)
			read++;
	}
	parse_derived(proc_root, f);
	return read;
}

int sysctl_read_one(const char *proc_root, enum knob_id id, char *buf, size_t size)
{
	char rel[256];
	long n;

	if (knob_proc_path(id, rel, sizeof(rel)) < 0)
		return -EINVAL;
	n = procfs_read(proc_root, rel, buf, size);
	if (n == -ENOTDIR)
		n = -ENOENT;
	if (n < 0)
		return (int)n;
	str_normalize_blanks(buf);
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
	char path[4096], line[1024];
	int fd, r = 0;
	size_t len;
	ssize_t n;

	if (procfs_knob_path(proc_root, id, path, sizeof(path)) < 0)
		return -ENAMETOOLONG;
	len = (size_t)snprintf(line, sizeof(line), "%s\n", text);
	if (len >= sizeof(line))
		return -E2BIG;
	fd = open(path, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* one write: the kernel parses the value from a single buffer */
	n = write(fd, line, len);
	if (n < 0)
		r = -errno;
	else if ((size_t)n != len)
		r = -EIO;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}
