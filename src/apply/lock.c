#include "apply/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "common/fsutil.h"

int take_lock(const char *state_dir, const char *ns, unsigned wait_ms, char *err, size_t errlen)
{
	char path[PATH_MAX], safe[128];
	int fd, r;

	/* the namespace names a file: keep it to one path component */
	snprintf(safe, sizeof(safe), "%s", ns);
	for (char *p = safe; *p; p++)
		if (*p == '/' || *p == ':' || *p == '[' || *p == ']')
			*p = '_';
	if ((r = make_directories(state_dir, 0700)) < 0) {
		snprintf(err, errlen, "cannot create the state directory %s: %s", state_dir,
			 strerror(-r));
		return r;
	}
	snprintf(path, sizeof(path), "%s/lock.%s", state_dir, safe);
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot open the lock %s: %s", path, strerror(errno));
		return r;
	}
	for (unsigned waited = 0;; waited += 100) {
		struct timespec ts = {0, 100 * 1000 * 1000};

		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return fd;
		if (errno != EWOULDBLOCK && errno != EINTR)
			break;
		if (waited >= wait_ms) {
			snprintf(err, errlen,
				 "another twtune apply or rollback is running in this namespace "
				 "(it holds %s); waited %.1f s; try again when it has finished",
				 path, wait_ms / 1000.0);
			close(fd);
			return -EBUSY;
		}
		nanosleep(&ts, NULL);
	}
	r = -errno;
	snprintf(err, errlen, "cannot lock %s: %s", path, strerror(errno));
	close(fd);
	return r;
}
