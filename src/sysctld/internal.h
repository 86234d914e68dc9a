/* SPDX-License-Identifier: MIT */
/* Private to src/sysctld/: what the parser (parse.c), the path resolution
 * inside --root (root.c) and the loader (load.c) share. */
#ifndef TWTUNE_SYSCTLD_INTERNAL_H
#define TWTUNE_SYSCTLD_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "sysctld/sysctld.h"

/* Record a problem of KIND with PATH (and LINE, 0 for the whole file) in
 * C. 0 or -ENOMEM. */
int sysctld_add_problem(struct sysctl_config *c, enum sysctl_problem_kind kind, const char *path,
			unsigned line, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* An open or stat failure ERR (-errno) on PATH, as a problem worded for
 * the user. 0 or -ENOMEM. */
int sysctld_add_unreadable(struct sysctl_config *c, const char *path, int err);

/* Parse the file OPEN_PATH on disk into C as PATH (in messages) named NAME
 * (the name that orders and masks); FLAGS are added to open(2)'s.
 * /dev/null contributes nothing; anything but a regular file is a problem.
 * 0 or -ENOMEM. */
int sysctld_read_opened(struct sysctl_config *c, const char *open_path, const char *path,
			const char *name, int flags);

/* Resolve PATH inside ROOT as the kernel would after chroot(ROOT) (root.c
 * says how): 0 when it exists, RESOLVED holding the path inside ROOT; 1
 * when a component is missing; or -errno. */
int sysctld_chase(const char *root, const char *path, char *resolved, size_t size);

/* An assignment and where it stands in the configuration (its index). */
struct sysctld_placed {
	const struct sysctl_assignment *a;
	size_t position;
};

/* The same value, or both "-KEY" (no value). */
bool sysctld_same_value(const struct sysctl_assignment *a, const struct sysctl_assignment *b);

/* qsort() order of struct sysctld_placed: by key, then position. */
int sysctld_by_key_then_position(const void *x, const void *y);

/* M[START..END) are one key's assignments in the order of the files:
 * the index of the first of the final run of equal values. systemd's
 * ordered hashmap holds the key's entry there, at that line's position (an
 * assignment moves the entry to the end only when its value changes),
 * with the value of M[END - 1]. */
size_t sysctld_entry_start(const struct sysctld_placed *m, size_t start, size_t end);

#endif
