#ifndef TWTUNE_SYSCTL_H
#define TWTUNE_SYSCTL_H

#include "inspect/facts.h"

/* Read every known knob from ROOT/sys/...; a missing file is "absent on this
 * kernel", never an error. Also parses the port range, reserved ports and
 * ip_unprivileged_port_start into the facts. Returns how many keys were
 * read (0 means nothing could be). */
int inspect_sysctls(const char *proc_root, struct tw_facts *f);

/* Read one knob now, blanks normalised (the applier reads back what it
 * wrote with this). 0, -ENOENT when this kernel lacks it, or -errno. */
int sysctl_read_one(const char *proc_root, enum knob_id id, char *buf, size_t size);

#endif
