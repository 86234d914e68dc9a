/* SPDX-License-Identifier: MIT */
#include "inspect/netns.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "inspect/procfs.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

/* NS_GET_NSTYPE (Linux 4.11) tells what kind of namespace an fd is. A
 * regular file bind-mounted at /run/netns/X, or a mount namespace, is
 * refused here rather than by a puzzling setns() failure. */
static int check_is_netns(int fd, const char *label, char *err, size_t errlen)
{
	int type = ioctl(fd, NS_GET_NSTYPE);

	if (type < 0) {
		int e = errno;
		snprintf(err, errlen, "%s: not a namespace file (%s)", label,
			 e == ENOTTY ? "no namespace behind it" : strerror(e));
		return -EINVAL;
	}
	if (type != CLONE_NEWNET) {
		snprintf(err, errlen, "%s: a namespace, but not a network namespace", label);
		return -EINVAL;
	}
	return 0;
}

int netns_open_name(const char *name, char *err, size_t errlen)
{
	char path[300];
	int fd, r;

	if (!*name || strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
		snprintf(err, errlen, "--netns '%s': not a namespace name (names live in %s)", name,
			 NETNS_RUN_DIR);
		return -EINVAL;
	}
	snprintf(path, sizeof(path), "%s/%s", NETNS_RUN_DIR, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		if (r == -ENOENT)
			snprintf(err, errlen,
				 "--netns %s: no such network namespace (nothing at %s)", name,
				 path);
		else
			snprintf(err, errlen, "--netns %s: %s: %s", name, path, strerror(-r));
		return r;
	}
	snprintf(path, sizeof(path), "--netns %s", name);
	if ((r = check_is_netns(fd, path, err, errlen)) < 0) {
		close(fd);
		return r;
	}
	return fd;
}

int netns_open_pid(const char *pid, char *err, size_t errlen)
{
	char path[64], label[64];
	unsigned long v;
	uint64_t number = 0;
	int fd, r;

	if ((r = strict_uint(pid, 1, TW_PID_MAX, &number)) < 0) {
		strict_uint_error(r, "--netns-pid: not a process ID", pid, 1, TW_PID_MAX, err,
				  errlen);
		return -EINVAL;
	}
	v = (unsigned long)number;
	snprintf(path, sizeof(path), "%s/%lu/ns/net", PROCFS_ROOT, v);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		if (r == -ENOENT)
			snprintf(err, errlen,
				 "--netns-pid %lu: no such process (it does not exist "
				 "or has exited)",
				 v);
		else
			snprintf(err, errlen, "--netns-pid %lu: %s: %s", v, path, strerror(-r));
		return r;
	}
	snprintf(label, sizeof(label), "--netns-pid %lu", v);
	if ((r = check_is_netns(fd, label, err, errlen)) < 0) {
		close(fd);
		return r;
	}
	return fd;
}

int netns_enter(int fd, const char *label, char *err, size_t errlen)
{
	if (setns(fd, CLONE_NEWNET) < 0) {
		int r = -errno;
		if (r == -EPERM)
			snprintf(err, errlen, "%s: cannot enter the namespace: needs CAP_SYS_ADMIN",
				 label);
		else
			snprintf(err, errlen, "%s: cannot enter the namespace: %s", label,
				 strerror(-r));
		return r;
	}
	return 0;
}

int netns_enter_path(const char *path, const char *label, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-r));
		return r;
	}
	r = netns_enter(fd, label, err, errlen);
	close(fd);
	return r;
}

int netns_open_current(char *err, size_t errlen)
{
	int fd = open(PROCFS_ROOT "/self/ns/net", O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		int r = -errno;
		snprintf(err, errlen, "%s/self/ns/net: %s", PROCFS_ROOT, strerror(-r));
		return r;
	}
	return fd;
}

/* Find the name under /run/netns whose file is (DEVICE, INODE). */
static void find_name(uint64_t device, uint64_t inode, char *name, size_t size)
{
	DIR *d = opendir(NETNS_RUN_DIR);
	struct dirent *de;

	name[0] = '\0';
	if (!d)
		return;
	while ((de = readdir(d))) {
		struct stat st;
		if (de->d_name[0] == '.')
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, 0) == 0 && st.st_ino == inode &&
		    st.st_dev == device) {
			snprintf(name, size, "%s", de->d_name);
			break;
		}
	}
	closedir(d);
}

/* The namespace's cookie: unlike its inode, never given to another
 * namespace while the machine is up. 0 before Linux 5.14. */
static uint64_t netns_cookie(void)
{
	uint64_t cookie = 0;
	socklen_t len = sizeof(cookie);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return 0;
	if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len) < 0 || len != sizeof(cookie))
		cookie = 0;
	close(fd);
	return cookie;
}

int netns_identify(struct netns_identity *id)
{
	struct stat st;

	memset(id, 0, sizeof(*id));
	if (stat(PROCFS_ROOT "/self/ns/net", &st) < 0)
		return -errno;
	id->known = true;
	id->inode = st.st_ino;
	id->device = st.st_dev;
	id->cookie = netns_cookie();
	find_name(id->device, id->inode, id->name, sizeof(id->name));
	return 0;
}

static struct netns_entry *list_find(struct netns_list *l, uint64_t device, uint64_t inode)
{
	for (size_t i = 0; i < l->count; i++)
		if (l->items[i].inode == inode && l->items[i].device == device)
			return &l->items[i];
	return NULL;
}

static struct netns_entry *list_add(struct netns_list *l, uint64_t device, uint64_t inode)
{
	struct netns_entry *e;

	if (l->count == l->capacity) {
		size_t cap = l->capacity ? 2 * l->capacity : 16;
		struct netns_entry *items = realloc(l->items, cap * sizeof(*items));
		if (!items)
			return NULL;
		l->items = items;
		l->capacity = cap;
	}
	e = &l->items[l->count++];
	memset(e, 0, sizeof(*e));
	e->device = device;
	e->inode = inode;
	return e;
}

void process_command(pid_t pid, char *buf, size_t size)
{
	char rel[64];
	long n;

	snprintf(rel, sizeof(rel), "%d/comm", (int)pid);
	n = procfs_read(PROCFS_ROOT, rel, buf, size);
	if (n < 0)
		buf[0] = '\0';
	else
		str_normalize_blanks(buf);
}

static int add_named(struct netns_list *l)
{
	DIR *d = opendir(NETNS_RUN_DIR);
	struct dirent *de;

	if (!d)
		return 0; /* no named namespaces at all */
	while ((de = readdir(d))) {
		struct netns_entry *e;
		struct stat st;

		if (de->d_name[0] == '.' || fstatat(dirfd(d), de->d_name, &st, 0) < 0)
			continue;
		if (list_find(l, st.st_dev, st.st_ino))
			continue;
		if (!(e = list_add(l, st.st_dev, st.st_ino))) {
			closedir(d);
			return -ENOMEM;
		}
		snprintf(e->name, sizeof(e->name), "%s", de->d_name);
		snprintf(e->path, sizeof(e->path), "%s/%s", NETNS_RUN_DIR, de->d_name);
	}
	closedir(d);
	return 0;
}

static int add_processes(struct netns_list *l)
{
	DIR *d = opendir(PROCFS_ROOT);
	struct dirent *de;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		struct netns_entry *e;
		char path[300];
		struct stat st;
		pid_t pid;

		uint64_t number;

		if (strict_uint(de->d_name, 1, TW_PID_MAX, &number) < 0)
			continue; /* not a process: self, net, sys, ... */
		pid = (pid_t)number;
		snprintf(path, sizeof(path), "%s/%d/ns/net", PROCFS_ROOT, (int)pid);
		if (stat(path, &st) < 0) {
			if (errno != ENOENT) /* exited meanwhile is not worth a word */
				l->unreadable_processes++;
			continue;
		}
		e = list_find(l, st.st_dev, st.st_ino);
		if (!e) {
			if (!(e = list_add(l, st.st_dev, st.st_ino))) {
				closedir(d);
				return -ENOMEM;
			}
			snprintf(e->path, sizeof(e->path), "%s", path);
		}
		e->processes++;
		if (!e->example_pid || pid < e->example_pid) {
			e->example_pid = pid;
			process_command(pid, e->example_command, sizeof(e->example_command));
		}
	}
	closedir(d);
	return 0;
}

int netns_list_all(struct netns_list *l)
{
	struct netns_identity self;
	struct netns_entry *e;
	int r;

	memset(l, 0, sizeof(*l));
	if ((r = netns_identify(&self)) < 0)
		return r;
	if (!(e = list_add(l, self.device, self.inode)))
		return -ENOMEM;
	snprintf(e->name, sizeof(e->name), "%s", self.name);
	snprintf(e->path, sizeof(e->path), "%s/self/ns/net", PROCFS_ROOT);
	e->current = true;
	if ((r = add_named(l)) < 0 || (r = add_processes(l)) < 0) {
		netns_list_free(l);
		return r;
	}
	return 0;
}

void netns_list_free(struct netns_list *l)
{
	free(l->items);
	memset(l, 0, sizeof(*l));
}

const char *netns_entry_label(const struct netns_entry *e, char *buf, size_t size)
{
	const char *mark = e->current ? " *" : "";

	if (e->name[0])
		snprintf(buf, size, "%s%s", e->name, mark);
	else if (e->example_pid)
		snprintf(buf, size, "pid %d (%s)%s", (int)e->example_pid,
			 e->example_command[0] ? e->example_command : "?", mark);
	else
		snprintf(buf, size, "net:[%llu]%s", (unsigned long long)e->inode, mark);
	return buf;
}

int netns_is_initial(const struct netns_identity *id)
{
	struct stat st;

	if (!id->known || stat(PROCFS_ROOT "/1/ns/net", &st) < 0)
		return -1;
	return st.st_ino == id->inode && st.st_dev == id->device;
}

void netns_journal_name_of(const char *proc_root, const struct netns_identity *id, char *buf,
			   size_t size)
{
	char real[PATH_MAX];

	if (procfs_is_live(proc_root) && id->known)
		snprintf(buf, size, "net:[%llu]", (unsigned long long)id->inode);
	else
		snprintf(buf, size, "proc:%s", realpath(proc_root, real) ? real : proc_root);
}

void netns_journal_name(const char *proc_root, char *buf, size_t size)
{
	struct netns_identity id = {0};

	if (procfs_is_live(proc_root))
		netns_identify(&id);
	netns_journal_name_of(proc_root, &id, buf, size);
}
