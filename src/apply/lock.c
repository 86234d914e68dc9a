/* SPDX-License-Identifier: MIT */
#include "apply/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/strutil.h"
#include "common/trust.h"
#include "inspect/netns.h"

/* "apply.NS.lock", NS as one path component; a long --proc path keeps its
 * end, which is what tells trees apart. */
static void lock_name(const char *ns, char *name, size_t size)
{
	size_t nslen = strlen(ns), room = 100;
	const char *tail = nslen > room ? ns + nslen - room : ns;
	size_t start = strlen("apply.");

	snprintf(name, size, "apply.%s.lock", tail);
	for (size_t i = start; name[i] && i < start + strlen(tail); i++)
		if (name[i] == '/' || name[i] == ':' || name[i] == '[' || name[i] == ']')
			name[i] = '_';
}

/* Who holds the lock, from the pid its holder wrote: "pid N (command)",
 * or "a process" when the file says nothing usable. */
static void describe_holder(int fd, char *buf, size_t size)
{
	char text[24], command[32];
	ssize_t n = pread(fd, text, sizeof(text) - 1, 0);
	uint64_t pid;

	snprintf(buf, size, "a process");
	if (n <= 0)
		return;
	/* "PID\n", as take_lock() writes it */
	text[n] = '\0';
	if (text[n - 1] == '\n')
		text[n - 1] = '\0';
	if (strict_uint(text, 1, TW_PID_MAX, &pid) < 0)
		return;
	process_command((pid_t)pid, command, sizeof(command));
	snprintf(buf, size, "pid %llu (%s)", (unsigned long long)pid, command[0] ? command : "?");
}

int take_lock(const char *dir, const char *ns, unsigned wait_ms, char *err, size_t errlen)
{
	char name[128], holder[96], pid[24], why[512], path[4352];
	int dfd, fd, r;

	if (!dir)
		dir = LOCK_DIR;
	lock_name(ns, name, sizeof(name));
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		r = -errno;
		snprintf(err, errlen, "cannot make the lock directory %s: %s", dir, strerror(-r));
		return r;
	}
	if ((r = trust_dir(dir, false, why, sizeof(why))) < 0) {
		snprintf(err, errlen, "the lock directory: %s%s", why,
			 r == -EPERM ? "; remove it, and twtune makes it again" : "");
		return r;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	fd = dfd < 0 ? -errno
		     : openat(dfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK,
			      0600);
	r = fd < 0 ? -errno : 0;
	if (dfd >= 0)
		close(dfd);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (fd < 0 || (r = trust_fd(fd, path, S_IFREG, why, sizeof(why))) < 0) {
		snprintf(err, errlen, "the lock: %s", fd < 0 ? strerror(-r) : why);
		if (fd >= 0)
			close(fd);
		return r;
	}
	for (unsigned waited = 0;; waited += 100) {
		struct timespec ts = {0, 100 * 1000 * 1000};

		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			break;
		if (errno != EWOULDBLOCK && errno != EINTR) {
			r = -errno;
			snprintf(err, errlen, "cannot take the lock %s/%s: %s", dir, name,
				 strerror(-r));
			close(fd);
			return r;
		}
		if (waited >= wait_ms) {
			describe_holder(fd, holder, sizeof(holder));
			snprintf(err, errlen,
				 "another twtune apply or rollback is running in this namespace "
				 "(%s holds the lock %s/%s); waited %.1f s; try again when it has "
				 "finished",
				 holder, dir, name, wait_ms / 1000.0);
			close(fd);
			return -EBUSY;
		}
		nanosleep(&ts, NULL);
	}
	/* for the message of a run that waits: which process holds it */
	snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, strlen(pid), 0) < 0) {
		/* the lock is held all the same; only the message would lack a name */
	}
	return fd;
}
