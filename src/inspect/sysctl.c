#include "inspect/sysctl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "inspect/procfs.h"

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
