/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* cmocka.h needs these included before it */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include "fixture.h"

void fixture_join(char *buf, size_t size, const char *root, const char *rel)
{
	int n = snprintf(buf, size, "%s/%s", root, rel);

	if (n < 0 || (size_t)n >= size)
		fail_msg("path too long: %s/%s", root, rel);
}

/* mkdir -p for every directory above PATH (PATH itself too when LAST). */
static void make_parents(char *path, bool last)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			fail_msg("mkdir %s: %s", path, strerror(errno));
		*p = '/';
	}
	if (last && mkdir(path, 0755) < 0 && errno != EEXIST)
		fail_msg("mkdir %s: %s", path, strerror(errno));
}

void fixture_write_bytes(const char *root, const char *rel, const void *data, size_t len)
{
	char path[PATH_MAX];
	FILE *fp;

	fixture_join(path, sizeof(path), root, rel);
	make_parents(path, false);
	fp = fopen(path, "we");
	if (!fp)
		fail_msg("open %s: %s", path, strerror(errno));
	if (fwrite(data, 1, len, fp) != len || fclose(fp) != 0)
		fail_msg("write %s: %s", path, strerror(errno));
}

void fixture_write(const char *root, const char *rel, const char *content)
{
	fixture_write_bytes(root, rel, content, strlen(content));
}

void fixture_mkdir(const char *root, const char *rel)
{
	char path[PATH_MAX];

	fixture_join(path, sizeof(path), root, rel);
	make_parents(path, true);
}

void fixture_symlink(const char *root, const char *rel, const char *target)
{
	char path[PATH_MAX];

	fixture_join(path, sizeof(path), root, rel);
	make_parents(path, false);
	if (symlink(target, path) < 0)
		fail_msg("symlink %s -> %s: %s", path, target, strerror(errno));
}

void fixture_unlink(const char *root, const char *rel)
{
	char path[PATH_MAX];

	fixture_join(path, sizeof(path), root, rel);
	if (unlink(path) < 0)
		fail_msg("unlink %s: %s", path, strerror(errno));
}

char *fixture_read(const char *path, size_t *len)
{
	size_t cap = 256, n = 0;
	char *buf = malloc(cap + 1);
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (!buf || fd < 0)
		fail_msg("open %s: %s", path, strerror(errno));
	for (;;) {
		ssize_t got;

		if (n == cap && !(buf = realloc(buf, (cap *= 2) + 1)))
			fail_msg("out of memory");
		got = read(fd, buf + n, cap - n);
		if (got < 0)
			fail_msg("read %s: %s", path, strerror(errno));
		if (got == 0)
			break;
		n += (size_t)got;
	}
	close(fd);
	buf[n] = '\0';
	*len = n;
	return buf;
}

void fixture_write_files(const char *root, const struct fixture_file *files)
{
	for (const struct fixture_file *f = files; f && f->path; f++)
		if (f->content)
			fixture_write(root, f->path, f->content);
}

/* What a 6.1 host shows with the kernel's defaults and hardly a socket. */
static const struct fixture_file proc_tree[] = {
	{"sys/kernel/osrelease", "6.1.0-18-amd64\n"},
	{"sys/net/ipv4/tcp_tw_reuse", "2\n"},
	{"sys/net/ipv4/ip_local_port_range", "32768 60999\n"},
	{"sys/net/ipv4/tcp_max_tw_buckets", "262144\n"},
	{"sys/net/ipv4/tcp_fin_timeout", "60\n"},
	{"sys/net/ipv4/tcp_timestamps", "1\n"},
	{"sys/net/ipv4/ip_local_reserved_ports", "\n"},
	{"sys/net/ipv4/ip_unprivileged_port_start", "1024\n"},
	{"sys/net/ipv4/ip_forward", "0\n"},
	{"net/snmp", "Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens "
		     "AttemptFails EstabResets CurrEstab\n"
		     "Tcp: 1 200 120000 -1 4821 187 3 9 2\n"},
	{"net/netstat", "TcpExt: SyncookiesSent TW TWRecycled TWKilled TCPTimeWaitOverflow\n"
			"TcpExt: 0 1834 0 0 0\n"},
	{"net/sockstat", "sockets: used 9\nTCP: inuse 2 orphan 0 tw 0 alloc 4 mem 1\n"},
	{"net/tcp", FIXTURE_TCP_HEADER},
	{NULL, NULL},
};

static bool overridden(const struct fixture_file *overrides, const char *path)
{
	for (const struct fixture_file *f = overrides; f && f->path; f++)
		if (strcmp(f->path, path) == 0)
			return true;
	return false;
}

void fixture_proc_tree(const char *root, const struct fixture_file *overrides)
{
	for (const struct fixture_file *f = proc_tree; f->path; f++)
		if (!overridden(overrides, f->path))
			fixture_write(root, f->path, f->content);
	fixture_write_files(root, overrides);
}

/* rm -r PATH without following symbolic links; keeps the first error and
 * carries on, so one stubborn entry does not leave the rest behind. */
static int remove_tree(const char *path)
{
	struct stat st;
	struct dirent *e;
	DIR *d;
	int r = 0;

	if (lstat(path, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return unlink(path) < 0 ? -errno : 0;
	d = opendir(path);
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		char child[PATH_MAX];
		int n, k;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		n = snprintf(child, sizeof(child), "%s/%s", path, e->d_name);
		if (n < 0 || (size_t)n >= sizeof(child)) {
			if (r == 0)
				r = -ENAMETOOLONG;
			continue;
		}
		k = remove_tree(child);
		if (k < 0 && r == 0)
			r = k;
	}
	closedir(d);
	if (rmdir(path) < 0 && r == 0)
		r = -errno;
	return r;
}

int fixture_setup(void **state)
{
	const char *tmp = getenv("TMPDIR");
	struct fixture *fx = calloc(1, sizeof(*fx));
	int n;

	if (!fx)
		return -1;
	if (!tmp || !*tmp)
		tmp = "/tmp";
	n = snprintf(fx->root, sizeof(fx->root), "%s/twtune-unit.XXXXXX", tmp);
	if (n < 0 || (size_t)n >= sizeof(fx->root) || !mkdtemp(fx->root)) {
		fprintf(stderr, "cannot make a temporary directory under %s: %s\n", tmp,
			strerror(errno));
		free(fx);
		return -1;
	}
	facts_init(&fx->facts);
	fx->row = *state;
	*state = fx;
	return 0;
}

int fixture_teardown(void **state)
{
	struct fixture *fx = *state;
	int r;

	if (!fx)
		return 0;
	facts_free(&fx->facts);
	r = remove_tree(fx->root);
	if (r < 0)
		fprintf(stderr, "cannot remove %s: %s\n", fx->root, strerror(-r));
	free(fx);
	*state = NULL;
	return r < 0 ? -1 : 0;
}

const char *fixture_find_error(const struct tw_facts *f, const char *what, const char *needle)
{
	for (unsigned i = 0; i < f->error_count; i++)
		if (strcmp(f->errors[i].what, what) == 0 && strstr(f->errors[i].message, needle))
			return f->errors[i].message;
	return NULL;
}

void fixture_set_sysctl(struct tw_facts *f, enum knob_id key, const char *text)
{
	struct sysctl_value *sv = &f->sysctl[key];
	char err[256];

	if (!text) {
		free(sv->text);
		memset(sv, 0, sizeof(*sv));
		return;
	}
	if (facts_set_sysctl(f, key, text, err, sizeof(err)) == -ENOMEM)
		fail_msg("out of memory");
}

struct knob_value fixture_value(enum knob_id key, const char *text)
{
	struct knob_value v;
	char err[256];

	if (knob_parse(key, text, &v, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	return v;
}

const char *fixture_value_text(const struct knob_value *v)
{
	static char *texts[4];
	static unsigned next;
	char **slot = &texts[next++ % 4];

	free(*slot);
	if (!(*slot = knob_text(v)))
		fail_msg("out of memory");
	return *slot;
}

int fixture_run(const struct CMUnitTest *tests, size_t test_count,
		const struct fixture_table *tables, size_t table_count)
{
	size_t total = test_count, n = test_count;
	struct CMUnitTest *all;
	int failed;

	for (size_t t = 0; t < table_count; t++)
		total += tables[t].count;
	all = calloc(total, sizeof(*all));
	if (!all) {
		fprintf(stderr, "out of memory\n");
		return 1;
	}
	memcpy(all, tests, test_count * sizeof(*all));
	for (size_t t = 0; t < table_count; t++) {
		const struct fixture_table *table = &tables[t];

		for (size_t i = 0; i < table->count; i++) {
			const char *row = (const char *)table->rows + i * table->row_size;

			all[n++] = (struct CMUnitTest){
				.name = *(const char *const *)row,
				.test_func = table->test,
				.setup_func = table->setup,
				.teardown_func = table->teardown,
				.initial_state = (void *)row,
			};
		}
	}
	failed = _cmocka_run_group_tests("tests", all, total, NULL, NULL);
	free(all);
	return failed;
}
