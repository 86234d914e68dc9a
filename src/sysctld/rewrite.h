/* SPDX-License-Identifier: MIT */
/* A sysctl.d file rewritten to set some keys, keeping what its owner
 * wrote around them: each existing assignment of one of the keys is
 * rewritten in place, the rest of the file is kept as it is, and keys not
 * there yet are added at the end. */
#ifndef TWTUNE_SYSCTLD_REWRITE_H
#define TWTUNE_SYSCTLD_REWRITE_H

#include <stdbool.h>
#include <stddef.h>

#include "sysctld/sysctld.h"

struct sysctld_setting {
	const char *key;   /* the dotted name, written as it is: "net.ipv4.tcp_tw_reuse" */
	const char *value; /* the value text */
};

/* The new bytes of a file that held OLD_LEN bytes OLD (when EXISTED),
 * PARSED from those very bytes (so that its line numbers are theirs; NULL:
 * no line assigns anything): every line that assigns the key of one of
 * SETTINGS[0..COUNT) becomes "key = value", every other line stays (a last
 * line without a newline gets one), and the settings no line assigned
 * follow in their order. A new file starts with HEADER (NULL: none).
 * Returns the text, malloc()ed and NUL-terminated, its length in *LEN; or
 * NULL when out of memory. */
char *sysctld_rewrite(const char *old, size_t old_len, bool existed,
		      const struct sysctl_config *parsed, const struct sysctld_setting *settings,
		      size_t count, const char *header, size_t *len);

#endif
