/* SPDX-License-Identifier: MIT */
/* The sysctl.d format, parsed the way systemd-sysctl parses it.
 *
 * Checked against systemd's src/sysctl/sysctl.c (v246 to v258),
 * sysctl_normalize() in sysctl-util.c, sysctl.d(5), and procps-ng's
 * sysctl.c (`sysctl --system`). Where the tools differ:
 *
 * - systemd ignores only lines starting with '#' since v254 moved the
 *   parsing into conf_file_read(); sysctl.d(5), procps and earlier systemd
 *   also ignore ';'. We follow the documentation.
 * - "-key" without '=' is an exclusion (systemd v246 and later): the key is
 *   never set by a glob. It is kept as an assignment with a NULL value.
 * - Lines are split by systemd's read_line() (v252, src/basic/fileio.c): a
 *   NUL and a lone CR end a line as "\n" and "\r\n" do; a line may hold up
 *   to LONG_LINE_MAX - 1 bytes, and at LONG_LINE_MAX systemd-sysctl stops
 *   reading the file (what it read before stays); UTF-8 is not checked.
 *   twtune reads the same lines and reports those bytes as problems of a
 *   file that is applied nonetheless. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/lineread.h"
#include "common/strutil.h"
#include "sysctld/internal.h"
#include "sysctld/sysctld.h"

/* systemd's WHITESPACE, which strstrip() removes: a CR of a CRLF line too. */
#define BLANKS " \t\r\n"

/* ------------------------------------------------------------ storage */

/* The arrays of struct sysctl_config carry no capacity; it follows from the
 * count: 8, doubled each time the count reaches a power of two. Counts only
 * fall when a binary file is discarded, and the capacity, a power of two
 * above the old count, still covers every count up to the next one. */
static int grow(void **array, size_t count, size_t elem_size)
{
	size_t want;
	void *p;

	if (count != 0 && (count < 8 || (count & (count - 1)) != 0))
		return 0;
	want = count == 0 ? 8 : count * 2;
	if (want > SIZE_MAX / elem_size)
		return -ENOMEM;
	p = realloc(*array, want * elem_size);
	if (!p)
		return -ENOMEM;
	*array = p;
	return 0;
}

int sysctld_add_problem(struct sysctl_config *c, enum sysctl_problem_kind kind, const char *path,
			unsigned line, const char *fmt, ...)
{
	char message[SYSCTLD_MESSAGE_MAX];
	struct sysctl_problem *p;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	utf8_sanitize(message); /* it may quote a cut-off line */
	if (grow((void **)&c->problems, c->problem_count, sizeof(*c->problems)) < 0)
		return -ENOMEM;
	p = &c->problems[c->problem_count];
	p->kind = kind;
	p->line = line;
	p->path = strdup(path);
	p->message = strdup(message);
	if (!p->path || !p->message) {
		free(p->path);
		free(p->message);
		return -ENOMEM;
	}
	c->problem_count++;
	return 0;
}

static void problem_free(struct sysctl_problem *p)
{
	free(p->path);
	free(p->message);
}

/* An open or stat failure, worded for the user. */
int sysctld_add_unreadable(struct sysctl_config *c, const char *path, int err)
{
	struct stat st;

	if (err == -ENOENT && lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
		return sysctld_add_problem(c, SYSCTL_PROBLEM_UNREADABLE, path, 0,
					   "dangling symbolic link");
	return sysctld_add_problem(c, SYSCTL_PROBLEM_UNREADABLE, path, 0, "cannot read: %s",
				   strerror(-err));
}

void sysctld_free(struct sysctl_config *c)
{
	for (size_t i = 0; i < c->count; i++) {
		free(c->assignments[i].key);
		free(c->assignments[i].value);
	}
	free(c->assignments);
	free(c->files);
	for (size_t i = 0; i < c->problem_count; i++)
		problem_free(&c->problems[i]);
	free(c->problems);
	memset(c, 0, sizeof(*c));
}

/* ------------------------------------------------------------ keys */

/* sysctl_normalize() into OUT (strlen(KEY) + 1 bytes): when the first
 * separator is '.', dots and slashes swap; then empty and "." components
 * go, and with them leading, trailing and doubled slashes. */
static void normalize_into(const char *key, char *out)
{
	const char *first = strpbrk(key, "./");
	bool swap = first && *first == '.';
	size_t len = strlen(key), w = 0, r = 0;

	for (size_t i = 0; i < len; i++) {
		char ch = key[i];

		if (swap && (ch == '.' || ch == '/'))
			ch = ch == '.' ? '/' : '.';
		out[i] = ch;
	}
	out[len] = '\0';
	while (out[r]) {
		size_t start = r, n;

		while (out[r] && out[r] != '/')
			r++;
		n = r - start;
		if (out[r] == '/')
			r++;
		if (n == 0 || (n == 1 && out[start] == '.'))
			continue;
		if (w)
			out[w++] = '/';
		memmove(out + w, out + start, n);
		w += n;
	}
	out[w] = '\0';
}

char *sysctld_normalize_key(const char *key)
{
	char *out = malloc(strlen(key) + 1);

	if (out)
		normalize_into(key, out);
	return out;
}

const char *sysctld_key_dotted(const char *path_key, char *buf, size_t size)
{
	size_t i;

	if (size == 0)
		return "";
	for (i = 0; path_key[i] && i + 1 < size; i++) {
		char ch = path_key[i];

		buf[i] = ch == '/' ? '.' : ch == '.' ? '/' : ch;
	}
	buf[i] = '\0';
	return buf;
}

/* ------------------------------------------------------------ lines */

static char *trim(char *s)
{
	size_t n;

	s += strspn(s, BLANKS);
	n = strlen(s);
	while (n > 0 && strchr(BLANKS, s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* The column (from 1) of the first byte that is not UTF-8 as RFC 3629
 * allows it (no overlong forms, no surrogates, nothing past U+10FFFF), or
 * 0 when the text is valid. */
static size_t utf8_bad_column(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned char b = s[i];
		uint32_t cp, min;
		size_t tail;

		if (b < 0x80) {
			i++;
			continue;
		}
		if (b >= 0xc2 && b <= 0xdf)
			tail = 1, cp = b & 0x1f, min = 0x80;
		else if ((b & 0xf0) == 0xe0)
			tail = 2, cp = b & 0x0f, min = 0x800;
		else if (b >= 0xf0 && b <= 0xf4)
			tail = 3, cp = b & 0x07, min = 0x10000;
		else
			return i + 1;
		if (len - i <= tail)
			return i + 1;
		for (size_t k = 1; k <= tail; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return i + 1;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return i + 1;
		i += tail + 1;
	}
	return 0;
}

/* One line of a file, as systemd's parse_line() reads it. */
static int parse_line(struct sysctl_config *c, size_t file, const char *path, unsigned lineno,
		      char *line)
{
	struct sysctl_assignment *a;
	char *p = trim(line), *eq, *key_text, *value_text = NULL, *key, *value = NULL;
	bool ignore_failure = false;
	size_t column;

	if (!*p || *p == '#' || *p == ';')
		return 0;
	column = utf8_bad_column((const unsigned char *)p, strlen(p));
	if (column &&
	    sysctld_add_problem(c, SYSCTL_PROBLEM_ENCODING, path, lineno,
				"invalid UTF-8 at column %zu: systemd-sysctl does not check "
				"and writes the bytes as they are",
				(size_t)(p - line) + column) < 0)
		return -ENOMEM;
	eq = strchr(p, '=');
	if (eq) {
		ignore_failure = *p == '-';
		if (ignore_failure)
			p++;
		*eq = '\0';
		key_text = trim(p);
		value_text = trim(eq + 1);
	} else if (*p == '-') {
		key_text = trim(p + 1); /* an exclusion from globs */
	} else {
		return sysctld_add_problem(c, SYSCTL_PROBLEM_SYNTAX, path, lineno,
					   "not an assignment (no '='): \"%.60s\"", p);
	}
	key = sysctld_normalize_key(key_text);
	if (!key)
		return -ENOMEM;
	if (!*key) {
		free(key);
		return sysctld_add_problem(c, SYSCTL_PROBLEM_SYNTAX, path, lineno, "empty key");
	}
	if ((value_text && !(value = strdup(value_text))) ||
	    grow((void **)&c->assignments, c->count, sizeof(*c->assignments)) < 0) {
		free(key);
		free(value);
		return -ENOMEM;
	}
	a = &c->assignments[c->count++];
	*a = (struct sysctl_assignment){
		.key = key,
		.value = value,
		.ignore_failure = ignore_failure,
		.is_glob = strpbrk(key, "*?[") != NULL,
		.file = file,
		.line = lineno,
	};
	return 0;
}

/* The bytes of a line that systemd reads its own way, once a file for
 * each kind (SEEN holds the kinds reported): the line is applied as
 * systemd splits it. */
static int note_line_bytes(struct sysctl_config *c, const char *path, unsigned lineno, size_t len,
			   unsigned ends, unsigned *seen)
{
	int r = 0;

	if ((ends & LINE_END_NUL) && !(*seen & LINE_END_NUL)) {
		*seen |= LINE_END_NUL;
		r = sysctld_add_problem(
			c, SYSCTL_PROBLEM_BINARY, path, lineno,
			"NUL byte: systemd-sysctl ends the line there and reads what "
			"follows as the next line");
	}
	if (r == 0 && (ends & LINE_END_CR) && !(ends & LINE_END_LF) && !(*seen & LINE_END_CR)) {
		*seen |= LINE_END_CR;
		r = sysctld_add_problem(c, SYSCTL_PROBLEM_LONE_CR, path, lineno,
					"carriage return without a line feed: systemd-sysctl ends "
					"the line there (procps' sysctl does not)");
	}
	if (r == 0 && len >= SYSCTLD_LONG_LINE)
		r = sysctld_add_problem(c, SYSCTL_PROBLEM_LONG_LINE, path, lineno,
					"a line of %zu bytes: systemd-sysctl reads it whole (up to "
					"%d bytes), other tools may cut it",
					len, SYSCTLD_LINE_MAX - 1);
	return r;
}

static int parse_stream(struct sysctl_config *c, FILE *fp, const char *path, const char *name)
{
	size_t file = c->file_count, cap = 0, len;
	unsigned lineno = 0, ends, seen = 0;
	char *line = NULL;
	int r;

	if (grow((void **)&c->files, c->file_count, sizeof(*c->files)) < 0)
		return -ENOMEM;
	snprintf(c->files[file].path, sizeof(c->files[file].path), "%s", path);
	snprintf(c->files[file].name, sizeof(c->files[file].name), "%s", name);
	c->file_count++;

	while ((r = read_line_systemd(fp, SYSCTLD_LINE_MAX, &line, &cap, &len, &ends)) > 0) {
		lineno++;
		if ((r = note_line_bytes(c, path, lineno, len, ends, &seen)) < 0 ||
		    (r = parse_line(c, file, path, lineno, line)) < 0)
			break;
	}
	free(line);
	if (r == -ENOBUFS)
		r = sysctld_add_problem(c, SYSCTL_PROBLEM_TOO_LONG, path, lineno + 1,
					"a line of %d bytes or more: systemd-sysctl stops reading "
					"the file here; the lines before it are applied, the rest "
					"are not",
					SYSCTLD_LINE_MAX);
	else if (r < 0 && r != -ENOMEM)
		r = sysctld_add_problem(c, SYSCTL_PROBLEM_UNREADABLE, path, lineno + 1,
					"read error: %s", strerror(-r));
	return r;
}

/* ------------------------------------------------------------ files */

static bool is_dev_null(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && st->st_rdev == makedev(1, 3);
}

/* Open PATH (OPEN_PATH on disk) and parse it. /dev/null is an empty file
 * that is not worth a problem; anything but a regular file is one. */
int sysctld_read_opened(struct sysctl_config *c, const char *open_path, const char *path,
			const char *name, int flags)
{
	struct stat st;
	FILE *fp = NULL;
	int fd, r;

	/* stat first: opening a FIFO or a device may block or act. */
	if (stat(open_path, &st) < 0)
		return sysctld_add_unreadable(c, path, -errno);
	if (is_dev_null(&st))
		return 0;
	if (S_ISDIR(st.st_mode))
		return sysctld_add_problem(c, SYSCTL_PROBLEM_UNREADABLE, path, 0,
					   "is a directory, not a configuration file");
	if (!S_ISREG(st.st_mode))
		return sysctld_add_problem(c, SYSCTL_PROBLEM_UNREADABLE, path, 0,
					   "not a regular file");
	fd = open(open_path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | flags);
	if (fd < 0)
		return sysctld_add_unreadable(c, path, -errno);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return sysctld_add_problem(c, SYSCTL_PROBLEM_UNREADABLE, path, 0,
					   "changed while being read");
	}
	fp = fdopen(fd, "r");
	if (!fp) {
		r = -errno;
		close(fd);
		return r == -ENOMEM ? r : sysctld_add_unreadable(c, path, r);
	}
	r = parse_stream(c, fp, path, name);
	fclose(fp);
	return r;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

int sysctld_parse_file(const char *path, struct sysctl_config *out)
{
	return sysctld_read_opened(out, path, path, base_name(path), 0);
}

int sysctld_parse_buffer(const char *path, const char *data, size_t len, struct sysctl_config *out)
{
	/* fmemopen of 0 bytes fails: an empty buffer is an empty file */
	FILE *fp = fmemopen((void *)(len ? data : "\n"), len ? len : 1, "r");
	int r;

	if (!fp)
		return -errno;
	r = parse_stream(out, fp, path, base_name(path));
	fclose(fp);
	return r;
}
