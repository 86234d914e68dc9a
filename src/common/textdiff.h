/* SPDX-License-Identifier: MIT */
/* A unified diff of two texts, as `diff -u` prints it, for showing what a
 * change does to a small configuration file. */
#ifndef TWTUNE_TEXTDIFF_H
#define TWTUNE_TEXTDIFF_H

#include <stddef.h>

/* The lines of A (ALEN bytes) turned into those of B, with three lines of
 * context, under the headers "--- NAME_A" and "+++ NAME_B". A NULL text is
 * no file (shown as /dev/null). Newly allocated; "" when they are the
 * same; NULL when out of memory. Past 4 million line pairs between the
 * first and the last difference the middle is shown as replaced whole
 * rather than matched line by line. */
char *text_diff(const char *a, size_t alen, const char *b, size_t blen, const char *name_a,
		const char *name_b);

#endif
