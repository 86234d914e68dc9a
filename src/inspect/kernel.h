/* SPDX-License-Identifier: MIT */
#ifndef TWTUNE_KERNEL_H
#define TWTUNE_KERNEL_H

#include "inspect/facts.h"

/* Parse the version at the start of a release string: "6.1.0-18-amd64",
 * "5.15.0-1051-aws", "4.9.337+", "3.10.0-1160.el7.x86_64", "6.8". At least
 * MAJOR.MINOR is required; PATCH defaults to 0. Returns 0 or -EINVAL. */
int kernel_version_parse(const char *release, struct kernel_version *out);

/* The same for a version a person gives (--kernel): it starts with the
 * major number, and MAJOR.MINOR.PATCH is not followed by a fourth number
 * ("5.5.5.5" is refused, "6.1.0-18-amd64" taken). 0 or -EINVAL. */
int kernel_version_parse_option(const char *text, struct kernel_version *out);

/* Compare two versions: <0, 0, >0. */
int kernel_version_cmp(const struct kernel_version *a, const struct kernel_version *b);

/* Read ROOT/sys/kernel/osrelease into the facts; apply an override when
 * given (the release string is kept, the version replaced). 0 or -errno. */
int inspect_kernel(const char *proc_root, const char *override, struct tw_facts *f);

#endif
