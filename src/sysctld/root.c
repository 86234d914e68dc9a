/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sysctld/internal.h"

/* The kernel's own limit on links followed in one lookup (MAXSYMLINKS). */
#define MAX_LINK_HOPS 40

/* Resolve PATH (absolute, as seen inside ROOT) one component at a time, as
 * the kernel would after chroot(ROOT): an absolute link target starts over
 * at ROOT and ".." stops there, so a configuration tree given with --root
 * never reaches the host's files through its links (systemd's chaseat()
 * does the same for its --root). RESOLVED receives the path inside ROOT.
 * Returns 0 when it exists; 1 when a component is missing, RESOLVED then
 * ending with the rest taken literally (which is how a link to /dev/null is
 * told in a tree without /dev); or -errno. */
int sysctld_chase(const char *root, const char *path, char *resolved, size_t size)
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
