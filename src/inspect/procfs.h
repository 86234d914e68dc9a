/* SPDX-License-Identifier: MIT */
/* Bounded reads of files under the proc root (/proc, or --proc DIR). */
#ifndef TWTUNE_PROCFS_H
#define TWTUNE_PROCFS_H

#include <stdbool.h>
#include <stddef.h>

#include "common/knobs.h"

/* The kernel's own proc filesystem: the default root, and the only one
 * behind which netlink, namespaces and capabilities mean this host. */
#define PROCFS_ROOT "/proc"

/* Is ROOT the live kernel's /proc (not a --proc tree)? */
bool procfs_is_live(const char *root);

/* Build ROOT/REL into buf; -ENAMETOOLONG if it does not fit. */
int procfs_path(const char *root, const char *rel, char *buf, size_t size);

/* ROOT/sys/net/... for knob ID. */
int procfs_knob_path(const char *root, enum knob_id id, char *buf, size_t size);

/* Read the whole of ROOT/REL into buf (NUL-terminated). Returns the length,
 * or a negative errno; -EFBIG when the file does not fit in size - 1 bytes
 * (nothing in /proc that twtune reads whole comes near 64 KiB). */
long procfs_read(const char *root, const char *rel, char *buf, size_t size);

#endif
