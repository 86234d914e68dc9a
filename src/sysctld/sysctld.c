/* sysctl.d configuration, read the way systemd-sysctl reads it.
 *
 * Checked against systemd's src/sysctl/sysctl.c (v246 to v258),
 * src/basic/conf-files.c, sysctl_normalize() in sysctl-util.c, sysctl.d(5),
 * and procps-ng's sysctl.c (`sysctl --system`). Where the tools differ:
 *
 * - systemd-sysctl never reads /etc/sysctl.conf (Debian links
 *   /etc/sysctl.d/99-sysctl.conf to it instead); procps' `sysctl --system`
 *   applies the same sysctl.d directories, then /etc/sysctl.conf last when
 *   it exists. WITH_SYSCTL_CONF follows procps, and a file reached both ways
 *   is read twice, as `sysctl --system` does.
 * - Masking is by file name only: systemd-sysctl lists entries without
 *   checking their type (conf_files_list_strv(..., CONF_FILES_WARN)), so an
 *   empty file, a link to /dev/null, a dangling link and a directory named
 *   "x.conf" all hide a same-named file in a later directory. The first two
 *   then contribute nothing and are not problems; the last two are
 *   SYSCTL_PROBLEM_UNREADABLE here (systemd skips a dangling link silently
 *   and fails reading the directory).
 * - systemd ignores only lines starting with '#' since v254 moved the
 *   parsing into conf_file_read(); sysctl.d(5), procps and earlier systemd
 *   also ignore ';'. We follow the documentation.
 * - "-key" without '=' is an exclusion (systemd v246 and later): the key is
 *   never set by a glob. It is kept as an assignment with a NULL value.
 * - An explicit key always beats a glob, whatever their order ("Keys for
 *   which an explicit pattern exists will be excluded from any glob
 *   matching", sysctl.d(5)); between globs the later entry in systemd's
 *   ordered hashmap wins, and an entry moves to the end only when its value
 *   changes. sysctld_effective() reproduces exactly this.
 * - twtune is stricter than systemd about bytes: a NUL byte makes the whole
 *   file binary (its assignments are dropped: it is not configuration), and
 *   a non-comment line that is not UTF-8 is reported and skipped. */
#include "sysctld/sysctld.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/confdirs.h"
#include "common/lineread.h"
#include "common/strutil.h"

/* systemd's WHITESPACE, which strstrip() removes: a CR of a CRLF line too. */
#define BLANKS " \t\r\n"
/* The kernel's own limit on links followed in one lookup (MAXSYMLINKS). */
#define MAX_LINK_HOPS 40

static const char *const sysctld_standard_dirs[] = {
	"/etc/sysctl.d",     "/run/sysctl.d", "/usr/local/lib/sysctl.d",
	"/usr/lib/sysctl.d", "/lib/sysctl.d", NULL,
};

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

static int add_problem(struct sysctl_config *c, enum sysctl_problem_kind kind, const char *path,
		       unsigned line, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int add_problem(struct sysctl_config *c, enum sysctl_problem_kind kind, const char *path,
		       unsigned line, const char *fmt, ...)
{
	struct sysctl_problem *p;
	va_list ap;

	if (grow((void **)&c->problems, c->problem_count, sizeof(*c->problems)) < 0)
		return -ENOMEM;
	p = &c->problems[c->problem_count++];
	p->kind = kind;
	p->line = line;
	snprintf(p->path, sizeof(p->path), "%s", path);
	va_start(ap, fmt);
	vsnprintf(p->message, sizeof(p->message), fmt, ap);
	va_end(ap);
	utf8_sanitize(p->message); /* it may quote a cut-off line */
	return 0;
}

/* An open or stat failure, worded for the user. */
static int add_unreadable(struct sysctl_config *c, const char *path, int err)
{
	struct stat st;

	if (err == -ENOENT && lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
		return add_problem(c, SYSCTL_PROBLEM_UNREADABLE, path, 0, "dangling symbolic link");
	return add_problem(c, SYSCTL_PROBLEM_UNREADABLE, path, 0, "cannot read: %s",
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
	if (column)
		return add_problem(c, SYSCTL_PROBLEM_ENCODING, path, lineno,
				   "invalid UTF-8 at column %zu", (size_t)(p - line) + column);
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
		return add_problem(c, SYSCTL_PROBLEM_SYNTAX, path, lineno,
				   "not an assignment (no '='): \"%.60s\"", p);
	}
	key = sysctld_normalize_key(key_text);
	if (!key)
		return -ENOMEM;
	if (!*key) {
		free(key);
		return add_problem(c, SYSCTL_PROBLEM_SYNTAX, path, lineno, "empty key");
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

/* Forget what file index FILE added from assignment FIRST and problem
 * FIRST_PROBLEM on: it turned out not to be a text file. */
static void discard_file(struct sysctl_config *c, size_t first, size_t first_problem)
{
	for (size_t i = first; i < c->count; i++) {
		free(c->assignments[i].key);
		free(c->assignments[i].value);
	}
	c->count = first;
	c->problem_count = first_problem;
}

static int parse_stream(struct sysctl_config *c, FILE *fp, const char *path, const char *name)
{
	char line[SYSCTLD_LINE_MAX];
	size_t file = c->file_count, first = c->count, first_problem = c->problem_count, len;
	unsigned lineno = 0;
	int r;

	if (grow((void **)&c->files, c->file_count, sizeof(*c->files)) < 0)
		return -ENOMEM;
	snprintf(c->files[file].path, sizeof(c->files[file].path), "%s", path);
	snprintf(c->files[file].name, sizeof(c->files[file].name), "%s", name);
	c->file_count++;

	while ((r = read_line(fp, line, sizeof(line), &len)) != 0) {
		lineno++;
		if (r == -E2BIG) {
			r = add_problem(c, SYSCTL_PROBLEM_TOO_LONG, path, lineno,
					"line longer than %d bytes, skipped", SYSCTLD_LINE_MAX - 1);
		} else if (r == -EBADMSG) {
			discard_file(c, first, first_problem);
			return add_problem(c, SYSCTL_PROBLEM_BINARY, path, lineno,
					   "NUL byte: not a text file, none of it is used");
		} else if (r < 0) {
			return add_problem(c, SYSCTL_PROBLEM_UNREADABLE, path, lineno,
					   "read error: %s", strerror(-r));
		} else {
			r = parse_line(c, file, path, lineno, line);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

/* ------------------------------------------------------------ files */

static bool is_dev_null(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && st->st_rdev == makedev(1, 3);
}

/* Open PATH (OPEN_PATH on disk) and parse it. /dev/null is an empty file
 * that is not worth a problem; anything but a regular file is one. */
static int read_opened(struct sysctl_config *c, const char *open_path, const char *path,
		       const char *name, int flags)
{
	struct stat st;
	FILE *fp = NULL;
	int fd, r;

	/* stat first: opening a FIFO or a device may block or act. */
	if (stat(open_path, &st) < 0)
		return add_unreadable(c, path, -errno);
	if (is_dev_null(&st))
		return 0;
	if (S_ISDIR(st.st_mode))
		return add_problem(c, SYSCTL_PROBLEM_UNREADABLE, path, 0,
				   "is a directory, not a configuration file");
	if (!S_ISREG(st.st_mode))
		return add_problem(c, SYSCTL_PROBLEM_UNREADABLE, path, 0, "not a regular file");
	fd = open(open_path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | flags);
	if (fd < 0)
		return add_unreadable(c, path, -errno);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return add_problem(c, SYSCTL_PROBLEM_UNREADABLE, path, 0,
				   "changed while being read");
	}
	fp = fdopen(fd, "r");
	if (!fp) {
		r = -errno;
		close(fd);
		return r == -ENOMEM ? r : add_unreadable(c, path, r);
	}
	r = parse_stream(c, fp, path, name);
	fclose(fp);
	return r;
}

/* Resolve PATH (absolute, as seen inside ROOT) one component at a time, as
 * the kernel would after chroot(ROOT): an absolute link target starts over
 * at ROOT and ".." stops there, so a configuration tree given with --root
 * never reaches the host's files through its links (systemd's chaseat()
 * does the same for its --root). RESOLVED receives the path inside ROOT.
 * Returns 0 when it exists; 1 when a component is missing, RESOLVED then
 * ending with the rest taken literally (which is how a link to /dev/null is
 * told in a tree without /dev); or -errno. */
static int chase(const char *root, const char *path, char *resolved, size_t size)
{
	char todo[PATH_MAX], next[PATH_MAX], full[PATH_MAX], target[PATH_MAX];
	const char *p = todo;
	size_t done = 0;
	unsigned hops = 0;
	bool missing = false;

	if ((size_t)snprintf(todo, sizeof(todo), "%s", path) >= sizeof(todo) || size < 2)
		return -ENAMETOOLONG;
	resolved[0] = '\0';
	for (;;) {
		size_t n, before = done;
		struct stat st;
		ssize_t len;

		p += strspn(p, "/");
		if (!*p)
			break;
		n = strcspn(p, "/");
		if (n == 1 && p[0] == '.') {
			p += n;
			continue;
		}
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			while (done > 0 && resolved[done - 1] != '/')
				done--;
			done -= done > 0;
			resolved[done] = '\0';
			p += n;
			continue;
		}
		if (done + 1 + n + 1 > size)
			return -ENAMETOOLONG;
		resolved[done] = '/';
		memcpy(resolved + done + 1, p, n);
		done += 1 + n;
		resolved[done] = '\0';
		p += n;
		if (missing)
			continue;
		if ((size_t)snprintf(full, sizeof(full), "%s%s", root, resolved) >= sizeof(full))
			return -ENAMETOOLONG;
		if (lstat(full, &st) < 0) {
			if (errno != ENOENT)
				return -errno;
			missing = true;
			continue;
		}
		if (!S_ISLNK(st.st_mode))
			continue;
		if (++hops > MAX_LINK_HOPS)
			return -ELOOP;
		len = readlink(full, target, sizeof(target) - 1);
		if (len < 0)
			return -errno;
		target[len] = '\0';
		if ((size_t)snprintf(next, sizeof(next), "%s%s%s", target, *p ? "/" : "", p) >=
		    sizeof(next))
			return -ENAMETOOLONG;
		memcpy(todo, next, strlen(next) + 1);
		p = todo;
		done = target[0] == '/' ? 0 : before;
		resolved[done] = '\0';
	}
	if (done == 0)
		strcpy(resolved, "/");
	return missing ? 1 : 0;
}

/* Read the entry PATH of a tree under ROOT (ROOT + PATH in messages). A
 * link that ends at /dev/null is a mask; MISSING_OK: an absent file is no
 * problem (procps skips a missing /etc/sysctl.conf). */
static int read_in_root(struct sysctl_config *c, const char *root, const char *path,
			const char *name, bool missing_ok)
{
	char shown[PATH_MAX], resolved[PATH_MAX], open_path[PATH_MAX];
	int r;

	if ((size_t)snprintf(shown, sizeof(shown), "%s%s", root, path) >= sizeof(shown))
		return add_problem(c, SYSCTL_PROBLEM_UNREADABLE, path, 0, "path too long");
	r = chase(root, path, resolved, sizeof(resolved));
	if (r == 1 && strcmp(resolved, "/dev/null") == 0)
		return 0;
	if (r == 1 && missing_ok)
		return 0;
	if (r != 0)
		return add_unreadable(c, shown, r == 1 ? -ENOENT : r);
	if ((size_t)snprintf(open_path, sizeof(open_path), "%s%s", root, resolved) >=
	    sizeof(open_path))
		return add_problem(c, SYSCTL_PROBLEM_UNREADABLE, shown, 0, "path too long");
	/* chase() resolved every link: one appearing now is a race, not ours to follow. */
	return read_opened(c, open_path, shown, name, O_NOFOLLOW);
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

int sysctld_parse_file(const char *path, struct sysctl_config *out)
{
	return read_opened(out, path, path, base_name(path), 0);
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

/* ------------------------------------------------------------ directories */

/* Add DIR_PATH's configuration files to LIST, unless a file of the same
 * name is there already (from a directory of higher precedence). A
 * directory that is not there is no problem: most of the standard ones
 * are absent on any one system. */
static int list_dir(struct sysctl_config *c, const char *dir_path, const char *shown, size_t dir,
		    struct conf_files *list)
{
	int r = conf_files_add_dir(list, dir_path, dir, ".conf");

	if (r == 0 || r == -ENOENT || r == -ENOTDIR)
		return 0;
	return r == -ENOMEM ? r : add_unreadable(c, shown, r);
}

static void strip_root(const char *root, char *buf, size_t size)
{
	size_t n;

	snprintf(buf, size, "%s", root ? root : "");
	n = strlen(buf);
	while (n > 0 && buf[n - 1] == '/')
		buf[--n] = '\0';
}

int sysctld_load_system(const char *root_arg, bool with_sysctl_conf, struct sysctl_config *out)
{
	struct conf_files list = {0};
	dev_t devs[8];
	ino_t inodes[8];
	size_t seen = 0;
	char root[PATH_MAX];
	struct stat st;
	int r = 0;

	memset(out, 0, sizeof(*out));
	strip_root(root_arg, root, sizeof(root));
	if (root[0]) {
		int err = stat(root, &st) < 0 ? errno : S_ISDIR(st.st_mode) ? 0 : ENOTDIR;

		if (err)
			return add_problem(out, SYSCTL_PROBLEM_UNREADABLE, root, 0,
					   "cannot use as root: %s", strerror(err));
	}

	for (size_t i = 0; sysctld_standard_dirs[i] && r == 0; i++) {
		char shown[PATH_MAX], resolved[PATH_MAX], dir_path[PATH_MAX];
		bool same = false;
		int k;

		if ((size_t)snprintf(shown, sizeof(shown), "%s%s", root,
				     sysctld_standard_dirs[i]) >= sizeof(shown)) {
			r = add_problem(out, SYSCTL_PROBLEM_UNREADABLE, root, 0, "path too long");
			continue;
		}
		k = chase(root, sysctld_standard_dirs[i], resolved, sizeof(resolved));
		if (k == 1 || k == -ENOTDIR)
			continue;
		if (k < 0) {
			r = add_unreadable(out, shown, k);
			continue;
		}
		if ((size_t)snprintf(dir_path, sizeof(dir_path), "%s%s", root, resolved) >=
		    sizeof(dir_path)) {
			r = add_problem(out, SYSCTL_PROBLEM_UNREADABLE, shown, 0, "path too long");
			continue;
		}
		if (stat(dir_path, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		/* Merged /usr: /lib/sysctl.d is /usr/lib/sysctl.d, already listed. */
		for (size_t j = 0; j < seen && !same; j++)
			same = devs[j] == st.st_dev && inodes[j] == st.st_ino;
		if (same)
			continue;
		devs[seen] = st.st_dev;
		inodes[seen++] = st.st_ino;
		r = list_dir(out, dir_path, shown, i, &list);
	}
	if (r < 0)
		goto out;

	conf_files_sort(&list);
	for (size_t i = 0; i < list.count && r == 0; i++) {
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s/%s", sysctld_standard_dirs[list.items[i].dir],
			 list.items[i].name);
		r = read_in_root(out, root, path, list.items[i].name, false);
	}
	if (r == 0 && with_sysctl_conf)
		r = read_in_root(out, root, "/etc/sysctl.conf", "sysctl.conf", true);
out:
	conf_files_free(&list);
	if (r < 0)
		sysctld_free(out);
	return r;
}

/* One directory given to lint: its configuration files in name order. */
static int read_dir(struct sysctl_config *c, const char *dir_path)
{
	struct conf_files list = {0};
	int r = list_dir(c, dir_path, dir_path, 0, &list);

	if (r == 0)
		conf_files_sort(&list);
	for (size_t i = 0; i < list.count && r == 0; i++) {
		char path[PATH_MAX];

		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir_path, list.items[i].name) >=
		    sizeof(path))
			r = add_problem(c, SYSCTL_PROBLEM_UNREADABLE, dir_path, 0,
					"path too long: %s", list.items[i].name);
		else
			r = read_opened(c, path, path, list.items[i].name, 0);
	}
	conf_files_free(&list);
	return r;
}

int sysctld_load_paths(const char *const *paths, size_t count, struct sysctl_config *out)
{
	int r = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < count && r == 0; i++) {
		struct stat st;

		if (stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode))
			r = read_dir(out, paths[i]);
		else
			r = sysctld_parse_file(paths[i], out);
	}
	if (r < 0)
		sysctld_free(out);
	return r;
}

/* ------------------------------------------------------------ the winner */

/* Where systemd's ordered hashmap holds the entry that assignment LAST (the
 * last one of its key) left: a key moves to the end only when its value
 * changes, so it is the start of the final run of equal values. */
static size_t hashmap_position(const struct sysctl_config *c, size_t last)
{
	const struct sysctl_assignment *a = &c->assignments[last];
	size_t position = last;

	for (size_t i = last; i-- > 0;) {
		const struct sysctl_assignment *b = &c->assignments[i];

		if (strcmp(b->key, a->key) != 0)
			continue;
		if ((a->value == NULL) != (b->value == NULL) ||
		    (a->value && strcmp(a->value, b->value) != 0))
			break;
		position = i;
	}
	return position;
}

static bool is_last_of_key(const struct sysctl_config *c, size_t i)
{
	for (size_t j = i + 1; j < c->count; j++)
		if (strcmp(c->assignments[j].key, c->assignments[i].key) == 0)
			return false;
	return true;
}

const struct sysctl_assignment *sysctld_effective(const struct sysctl_config *c, const char *key)
{
	const struct sysctl_assignment *exact = NULL, *glob = NULL;
	size_t glob_position = 0;
	char *wanted = sysctld_normalize_key(key);

	if (!wanted)
		return NULL;
	for (size_t i = 0; i < c->count; i++) {
		const struct sysctl_assignment *a = &c->assignments[i];

		if (!a->is_glob) {
			if (strcmp(a->key, wanted) == 0)
				exact = a;
			continue;
		}
		/* glob(3) over /proc/sys: '*' stops at '/' and skips leading dots. */
		if (exact || fnmatch(a->key, wanted, FNM_PATHNAME | FNM_PERIOD) != 0 ||
		    !is_last_of_key(c, i) || !a->value)
			continue;
		if (!glob || hashmap_position(c, i) > glob_position) {
			glob = a;
			glob_position = hashmap_position(c, i);
		}
	}
	free(wanted);
	if (exact)
		return exact->value ? exact : NULL;
	return glob;
}
