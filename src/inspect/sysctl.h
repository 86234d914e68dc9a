#ifndef TWTUNE_SYSCTL_H
#define TWTUNE_SYSCTL_H

#include "inspect/facts.h"

/* Read every known knob from ROOT/sys/...; a missing file is "absent on this
 * kernel", never an error. Also parses the port range, reserved ports and
 * ip_unprivileged_port_start into the facts. Returns how many keys were
 * read (0 means nothing could be). */
int inspect_sysctls(const char *proc_root, struct tw_facts *f);

/* Parse the port facts out of f->sysctl: the range, the reserved ports
 * and ip_unprivileged_port_start. Returns a mask of the values that do not
 * parse (PORTS_BAD_RANGE, PORTS_BAD_RESERVED). Shared by the inspector and
 * by lint, whose values come from files. */
#define PORTS_BAD_RANGE 1u
#define PORTS_BAD_RESERVED 2u
unsigned facts_derive_ports(struct tw_facts *f);

/* Read one knob now, blanks normalised (the applier reads back what it
 * wrote with this). 0, -ENOENT when this kernel lacks it, or -errno. */
int sysctl_read_one(const char *proc_root, enum knob_id id, char *buf, size_t size);

/* May this process write key ID under the proc root (a --proc tree's file
 * permissions)? 0, or -errno with ERR naming the file. */
int sysctl_writable(const char *proc_root, enum knob_id id, char *err, size_t errlen);

/* Write TEXT and a newline to key ID, in one write(). The one place twtune
 * writes to the kernel; only the transaction (apply/txn.c) calls it. 0 or
 * -errno. */
int sysctl_write(const char *proc_root, enum knob_id id, const char *text);

#endif
