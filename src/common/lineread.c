/* SPDX-License-Identifier: MIT */
#include "common/lineread.h"

#include <errno.h>

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
