/* SPDX-License-Identifier: MIT */
#include "common/lineread.h"

#include <errno.h>
#include <stdlib.h>

int read_line(FILE *fp, char *buf, size_t size, size_t *len)
{
	size_t n = 0;
	int too_long = 0, nul = 0, c;

	while ((c = getc(fp)) != EOF && c != '\n') {
		if (c == '\0')
			nul = 1;
		if (n + 1 < size)
			buf[n++] = (char)c;
		else
			too_long = 1;
	}
	if (c == EOF && ferror(fp))
		return -(errno ? errno : EIO);
	if (c == EOF && n == 0 && !too_long && !nul)
		return 0;
	buf[n] = '\0';
	*len = n;
	if (too_long)
		return -E2BIG;
	return nul ? -EBADMSG : 1;
}

static unsigned line_end_of(int c)
{
	return c == '\n' ? LINE_END_LF : c == '\r' ? LINE_END_CR : c == '\0' ? LINE_END_NUL : 0;
}

int read_line_systemd(FILE *fp, size_t limit, char **buf, size_t *cap, size_t *len, unsigned *ends)
{
	size_t n = 0, count = 0;
	unsigned previous = 0;
	int c;

	*ends = 0;
	for (;;) {
		unsigned end;

		/* read_line_full(): "if (n >= limit) return -ENOBUFS", before
		 * the next byte is looked at */
		if (n >= limit)
			return -ENOBUFS;
		if ((c = getc(fp)) == EOF) {
			if (ferror(fp))
				return -(errno ? errno : EIO);
			break;
		}
		end = line_end_of(c);
		if ((previous & LINE_END_NUL) || (!end && previous) || (end & previous)) {
			ungetc(c, fp);
			break;
		}
		count++;
		if (end) {
			previous |= end;
			continue;
		}
		if (n + 2 > *cap) {
			size_t want = *cap ? *cap * 2 : 256;
			char *grown;

			while (want < n + 2)
				want *= 2;
			if (!(grown = realloc(*buf, want)))
				return -ENOMEM;
			*buf = grown;
			*cap = want;
		}
		(*buf)[n++] = (char)c;
	}
	if (count == 0)
		return 0;
	if (!*buf) {
		if (!(*buf = malloc(256)))
			return -ENOMEM;
		*cap = 256;
	}
	(*buf)[n] = '\0';
	*len = n;
	*ends = previous;
	return 1;
}
