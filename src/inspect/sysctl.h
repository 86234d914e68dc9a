/* SPDX-License-Identifier: MIT */
#ifndef TWTUNE_SYSCTL_H
#define TWTUNE_SYSCTL_H

#include "inspect/facts.h"

/* Read every known knob from ROOT/sys/...; a missing file is "absent on this
 * kernel", never an error, and a value that is not one of the key's type
 * is kept as text and named in F's errors. The port facts follow.
 * Returns how many keys were read (0 means nothing could be). */
int inspect_sysctls(const char *proc_root, struct tw_facts *f);

/* Read key ID now (the applier reads back what it wrote, and what a
 * rollback finds): VALUE gets the parsed value (the caller frees it), TEXT
 * what the key holds, blanks normalised, as much as SIZE takes (for
 * messages). 0, -ENOENT when this kernel lacks it, -EINVAL when it holds
 * no value of the key's type, or -errno. */
int sysctl_read(const char *proc_root, enum knob_id id, struct knob_value *value, char *text,
		size_t size);

/* May this process write key ID under the proc root (a --proc tree's file
 * permissions)? 0, or -errno with ERR naming the file. */
int sysctl_writable(const char *proc_root, enum knob_id id, char *err, size_t errlen);

/* Write TEXT and a newline to key ID, in one write(). The one place twtune
 * writes to the kernel; only the transaction (apply/txn.c) calls it. 0 or
 * -errno. */
int sysctl_write(const char *proc_root, enum knob_id id, const char *text);

#endif
