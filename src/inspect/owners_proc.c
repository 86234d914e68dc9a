/* SPDX-License-Identifier: MIT */
/* The processes behind sockets, from PROC (/proc, or a fabricated tree in
 * the tests): the walk of PROC/[pid]/fd and the text of comm and cgroup.
 * All of it is input: a link, a cgroup line, a command name is validated
 * where it is read, and never trusted for length. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "common/strutil.h"
#include "inspect/netns.h"
#include "inspect/owners.h"
#include "inspect/procfs.h"

/* /proc/PID/cgroup: one line per hierarchy, 13 or so on a cgroup v1 host
 * with every controller, each path at most a few hundred bytes. */
#define CGROUP_FILE_MAX 8192

int owners_socket_inode(const char *link, size_t len, uint32_t *inode)
{
	static const char prefix[] = "socket:[";
	const size_t plen = sizeof(prefix) - 1;
	uint64_t value;

	/* sockfs names its inodes "socket:[%lu]" (net/socket.c,
	 * sockfs_dname); get_next_ino() hands out 32-bit numbers, as
	 * inet_diag's idiag_inode carries them */
	if (len < plen + 2 || memcmp(link, prefix, plen) != 0 || link[len - 1] != ']')
		return -EINVAL;
	if (strict_uint_n(link + plen, len - plen - 1, 1, UINT32_MAX, &value) < 0)
		return -EINVAL;
	*inode = (uint32_t)value;
	return 0;
}

/* Copy the LEN bytes at S into BUF, cut to fit. */
static void copy_text(char *buf, size_t size, const char *s, size_t len)
{
	snprintf(buf, size, "%.*s", (int)(len < size ? len : size - 1), s);
	utf8_sanitize(buf);
}

int owners_cgroup_path(const char *text, char *path, size_t size)
{
	const char *v2 = NULL, *v1 = NULL;
	size_t v2_len = 0, v1_len = 0;

	for (const char *line = text; *line;) {
		const char *end = strchr(line, '\n'), *first, *second;
		size_t len = end ? (size_t)(end - line) : strlen(line);

		/* "ID:CONTROLLERS:PATH"; the path may itself hold colons */
		first = memchr(line, ':', len);
		second = first ? memchr(first + 1, ':', len - (size_t)(first + 1 - line)) : NULL;
		if (second) {
			const char *p = second + 1;
			size_t plen = len - (size_t)(p - line);
			size_t id_len = (size_t)(first - line);
			size_t ctl_len = (size_t)(second - first - 1);

			if (id_len == 1 && line[0] == '0' && ctl_len == 0 && !v2) {
				v2 = p;
				v2_len = plen;
			} else if (ctl_len == 12 && memcmp(first + 1, "name=systemd", 12) == 0 &&
				   !v1) {
				v1 = p;
				v1_len = plen;
			}
		}
		line += len + (end ? 1 : 0);
	}
	/* a hybrid host without systemd managing the unified tree keeps
	 * every process at its root there, while name=systemd says more */
	if (v2 && v1 && v2_len == 1 && v2[0] == '/' && !(v1_len == 1 && v1[0] == '/'))
		v2 = NULL;
	if (v2)
		copy_text(path, size, v2, v2_len);
	else if (v1)
		copy_text(path, size, v1, v1_len);
	else
		return -ENOENT;
	return 0;
}

static bool ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len > n && memcmp(s + len - n, suffix, n) == 0;
}

void owners_unit_name(const char *path, char *unit, size_t size)
{
	size_t end = strlen(path);

	unit[0] = '\0';
	while (end > 0) {
		size_t start = end;

		while (start > 0 && path[start - 1] != '/')
			start--;
		if (ends_with(path + start, end - start, ".service") ||
		    ends_with(path + start, end - start, ".scope")) {
			copy_text(unit, size, path + start, end - start);
			return;
		}
		end = start > 0 ? start - 1 : 0;
	}
}

void owners_describe(const char *proc_root, struct socket_owner *o)
{
	char rel[64], text[CGROUP_FILE_MAX];

	/* comm is at most 15 bytes and a newline; more is not a comm */
	snprintf(rel, sizeof(rel), "%u/comm", o->pid);
	if (procfs_read(proc_root, rel, text, 64) < 0)
		text[0] = '\0';
	str_normalize_blanks(text);
	copy_text(o->command, sizeof(o->command), text, strlen(text));
	snprintf(rel, sizeof(rel), "%u/cgroup", o->pid);
	if (procfs_read(proc_root, rel, text, sizeof(text)) < 0 ||
	    owners_cgroup_path(text, o->cgroup, sizeof(o->cgroup)) < 0)
		o->cgroup[0] = '\0';
	owners_unit_name(o->cgroup, o->unit, sizeof(o->unit));
}

static double monotonic_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int by_inode(const void *a, const void *b)
{
	uint32_t x = ((const struct owned_socket *)a)->inode;
	uint32_t y = ((const struct owned_socket *)b)->inode;

	return x < y ? -1 : x > y;
}

/* A dump is no snapshot: a socket that moves in the kernel's hash while
 * it runs may be reported twice. Count it once (C sorted by inode). */
static void drop_duplicates(struct owner_collection *c)
{
	size_t kept = 0;

	for (size_t i = 0; i < c->count; i++) {
		if (kept && c->sockets[kept - 1].inode == c->sockets[i].inode) {
			c->out->destinations[c->sockets[i].destination].live--;
			continue;
		}
		c->sockets[kept++] = c->sockets[i];
	}
	c->count = kept;
}

struct walk {
	struct owner_collection *c;
	int proc_fd;
	double start, seconds;
	unsigned long links;
	char netns[64];	     /* "net:[INODE]" of the namespace inspected; "" unknown */
	uint32_t *elsewhere; /* processes of other namespaces, for the second pass */
	size_t elsewhere_count, elsewhere_capacity;
};

/* Look up one descriptor's link, NAME in FD_DIR, in the records. */
static void look_up(struct walk *w, int fd_dir, const char *name, uint32_t pid)
{
	struct owned_socket key, *s;
	char link[64];
	ssize_t n;

	w->links++;
	n = readlinkat(fd_dir, name, link, sizeof(link));
	if (n <= 0 || (size_t)n >= sizeof(link) ||
	    owners_socket_inode(link, (size_t)n, &key.inode) < 0)
		return;
	s = bsearch(&key, w->c->sockets, w->c->count, sizeof(*s), by_inode);
	if (s && !s->pid) {
		s->pid = pid;
		w->c->unowned--;
	}
}

/* One process's descriptors: each socket link looked up in the records.
 * getdents64 into a buffer on the stack rather than opendir(), whose 32
 * KiB buffer, fstat and fcntl cost as much as the links of a small
 * process: the walk visits every process on the host. */
static void walk_process(struct walk *w, const char *name, uint32_t pid)
{
	struct owner_facts *out = w->c->out;
	char rel[300], buf[4096] __attribute__((aligned(8)));
	long n;
	int fd;

	snprintf(rel, sizeof(rel), "%s/fd", name);
	if ((fd = openat(w->proc_fd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		/* another user's process (ptrace access mode read, denied);
		 * one that exited meanwhile is not worth a word */
		if (errno == EACCES || errno == EPERM)
			out->processes_unreadable++;
		return;
	}
	out->processes_scanned++;
	while (w->c->unowned && (n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (long at = 0; at < n && w->c->unowned;) {
			const struct dirent64 *de = (const struct dirent64 *)(buf + at);

			if (de->d_reclen == 0 || at + de->d_reclen > n)
				break; /* never from the kernel; never trusted either */
			if (de->d_name[0] != '.')
				look_up(w, fd, de->d_name, pid);
			at += de->d_reclen;
		}
		/* procfs fills the buffer until the table ends (fs/proc/fd.c,
		 * proc_readfd_common): room left for the largest entry means
		 * there is no more, and saves a call per process */
		if ((size_t)n + sizeof(struct dirent64) <= sizeof(buf))
			break;
	}
	close(fd);
}

/* Is process NAME in the namespace inspected? Unknown counts as no: it is
 * walked in the second pass. */
static bool in_this_netns(const struct walk *w, const char *name)
{
	char rel[300], link[64];
	ssize_t n;

	if (!w->netns[0])
		return true; /* no namespaces to tell apart (a fabricated tree) */
	snprintf(rel, sizeof(rel), "%s/ns/net", name);
	n = readlinkat(w->proc_fd, rel, link, sizeof(link));
	return n > 0 && (size_t)n == strlen(w->netns) && memcmp(link, w->netns, (size_t)n) == 0;
}

/* Keep PID for the second pass; false when there is no memory for it. */
static bool keep_for_later(struct walk *w, uint32_t pid)
{
	if (w->elsewhere_count == w->elsewhere_capacity) {
		size_t capacity = w->elsewhere_capacity ? 2 * w->elsewhere_capacity : 256;
		uint32_t *grown = realloc(w->elsewhere, capacity * sizeof(*grown));

		if (!grown)
			return false;
		w->elsewhere = grown;
		w->elsewhere_capacity = capacity;
	}
	w->elsewhere[w->elsewhere_count++] = pid;
	return true;
}

/* Walk process NAME; false once the walk is over: every socket found, or
 * a bound reached (said in the facts). */
static bool visit(struct walk *w, const char *name, uint32_t pid, const char *proc_root)
{
	struct owner_facts *out = w->c->out;
	double elapsed;

	walk_process(w, name, pid);
	if (!w->c->unowned)
		return false;
	elapsed = monotonic_seconds() - w->start;
	if (w->links < OWNERS_WALK_LINKS && elapsed < w->seconds)
		return true;
	out->truncated = true;
	snprintf(out->truncated_why, sizeof(out->truncated_why),
		 "the walk of %s/*/fd stopped after %.1f s and %lu descriptors (bounds: %.0f s, "
		 "%u)",
		 proc_root, elapsed, w->links, OWNERS_WALK_SECONDS, OWNERS_WALK_LINKS);
	return false;
}

/* The processes of the namespace inspected first: they hold its sockets,
 * nearly always, and on a container host they are few among many. The
 * others only while sockets remain without a process (one created before
 * a setns(), or passed over a Unix socket). */
static void walk_all(struct walk *w, DIR *proc, const char *proc_root)
{
	struct dirent *de;
	char name[16];
	bool going = true;

	while (going && (de = readdir(proc))) {
		uint64_t pid;

		if (strict_uint(de->d_name, 1, TW_PID_MAX, &pid) < 0)
			continue; /* not a process: self, net, sys, ... */
		if (!in_this_netns(w, de->d_name) && keep_for_later(w, (uint32_t)pid))
			continue;
		going = visit(w, de->d_name, (uint32_t)pid, proc_root);
	}
	for (size_t i = 0; going && i < w->elsewhere_count; i++) {
		snprintf(name, sizeof(name), "%u", w->elsewhere[i]);
		going = visit(w, name, w->elsewhere[i], proc_root);
	}
}

int owners_walk(struct owner_collection *c, const char *proc_root, double seconds)
{
	struct walk w = {.c = c, .start = monotonic_seconds(), .seconds = seconds};
	ssize_t n;
	DIR *proc;

	qsort(c->sockets, c->count, sizeof(*c->sockets), by_inode);
	drop_duplicates(c);
	c->unowned = 0;
	for (size_t i = 0; i < c->count; i++)
		c->unowned += !c->sockets[i].pid;
	if (!c->unowned)
		return 0;
	if (!(proc = opendir(proc_root)))
		return -errno;
	w.proc_fd = dirfd(proc);
	n = readlinkat(w.proc_fd, "thread-self/ns/net", w.netns, sizeof(w.netns) - 1);
	w.netns[n > 0 ? n : 0] = '\0';
	walk_all(&w, proc, proc_root);
	free(w.elsewhere);
	closedir(proc);
	return 0;
}
