#include "apply/lock.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "inspect/netns.h"

/* The lock's abstract address: a NUL, then the name (no terminator). */
static socklen_t lock_address(const char *ns, struct sockaddr_un *addr, char *name, size_t size)
{
	static const char prefix[] = "twtune/apply/";
	/* sun_path holds 107 bytes after the NUL: a long --proc path keeps its
	 * end, which is what tells trees apart */
	size_t room = sizeof(addr->sun_path) - 1 - (sizeof(prefix) - 1), nslen = strlen(ns);
	size_t len;

	snprintf(name, size, "%s%s", prefix, nslen > room ? ns + nslen - room : ns);
	len = strlen(name);
	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	memcpy(addr->sun_path + 1, name, len);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len);
}

/* Who holds the lock: its listening socket accepts a connection into its
 * backlog, and the kernel tells the peer's credentials. */
static void describe_holder(const struct sockaddr_un *addr, socklen_t addrlen, char *buf,
			    size_t size)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct ucred cred;
	socklen_t credlen = sizeof(cred);
	char command[32];

	snprintf(buf, size, "a process");
	if (fd < 0)
		return;
	if (connect(fd, (const struct sockaddr *)addr, addrlen) == 0 &&
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &credlen) == 0 && cred.pid > 0) {
		process_command(cred.pid, command, sizeof(command));
		snprintf(buf, size, "pid %d (%s)", (int)cred.pid, command[0] ? command : "?");
	}
	close(fd);
}

int take_lock(const char *ns, unsigned wait_ms, char *err, size_t errlen)
{
	struct sockaddr_un addr;
	char name[160], holder[96];
	socklen_t addrlen = lock_address(ns, &addr, name, sizeof(name));
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), r;

	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot make the lock @%s: %s", name, strerror(-r));
		return r;
	}
	for (unsigned waited = 0;; waited += 100) {
		struct timespec ts = {0, 100 * 1000 * 1000};

		if (bind(fd, (const struct sockaddr *)&addr, addrlen) == 0)
			break;
		if (errno != EADDRINUSE) {
			r = -errno;
			snprintf(err, errlen, "cannot take the lock @%s: %s", name, strerror(-r));
			close(fd);
			return r;
		}
		if (waited >= wait_ms) {
			describe_holder(&addr, addrlen, holder, sizeof(holder));
			snprintf(err, errlen,
				 "another twtune apply or rollback is running in this namespace "
				 "(%s holds the lock @%s); waited %.1f s; try again when it has "
				 "finished",
				 holder, name, wait_ms / 1000.0);
			close(fd);
			return -EBUSY;
		}
		nanosleep(&ts, NULL);
	}
	/* listening lets a waiting run ask who holds the lock */
	if (listen(fd, 1) < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot take the lock @%s: %s", name, strerror(-r));
		close(fd);
		return r;
	}
	return fd;
}
