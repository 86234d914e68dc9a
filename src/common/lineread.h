/* SPDX-License-Identifier: MIT */
/* Reading text files line by line, bounded: a line longer than the buffer
 * or one holding a NUL byte is reported, never silently split or cut. */
#ifndef TWTUNE_LINEREAD_H
#define TWTUNE_LINEREAD_H

#include <stddef.h>
#include <stdio.h>

/* Read the next line of FP into BUF (without its '\n'; a final line without
 * one counts). Returns 1 with *LEN set, 0 at end of file, -E2BIG when the
 * line does not fit in SIZE - 1 bytes (the rest of it is skipped, so the
 * caller may go on), -EBADMSG when it holds a NUL byte (likewise), or
 * -errno on a read error. */
int read_line(FILE *fp, char *buf, size_t size, size_t *len);

#endif
