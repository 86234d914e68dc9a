/* SPDX-License-Identifier: MIT */
/* LD_PRELOAD shim for twtune's tests: socket(AF_NETLINK, ...) fails with
 * EACCES, as it does under a seccomp or LSM policy that forbids netlink.
 * Every other socket is created normally. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <sys/socket.h>

int socket(int domain, int type, int protocol)
{
	static int (*real_socket)(int, int, int);

	if (domain == AF_NETLINK) {
		errno = EACCES;
		return -1;
	}
	if (!real_socket)
		real_socket = (int (*)(int, int, int))dlsym(RTLD_NEXT, "socket");
	return real_socket(domain, type, protocol);
}
