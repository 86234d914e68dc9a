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

/* How read_line_systemd() found a line's end: any of these, each at most
 * once, in any order, NUL last. */
enum line_end {
	LINE_END_NUL = 1 << 0,
	LINE_END_LF = 1 << 1,
	LINE_END_CR = 1 << 2,
};

/* Read the next line of FP as systemd's read_line_full() (src/basic/fileio.c,
 * v252) splits lines: a line ends at "\n", "\r", NUL or EOF, and one
 * ending may combine one of each ("\r\n", "\n\r", "\r\n\0"; after a NUL
 * nothing more belongs to it), so a lone CR and a NUL end lines too.
 * *BUF (of *CAP bytes, grown as needed; the caller frees it) receives the
 * line without its end, NUL-terminated, *LEN its length, *ENDS the
 * line_end bits that ended it (0 at EOF). Returns 1, 0 at end of file,
 * -ENOBUFS when the line reaches LIMIT bytes (systemd's read_line() fails
 * there and its callers stop reading the file), -ENOMEM, or -errno. */
int read_line_systemd(FILE *fp, size_t limit, char **buf, size_t *cap, size_t *len, unsigned *ends);

#endif
