/* SPDX-License-Identifier: MIT */
#include "common/addr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

const char *format_addr(const struct tw_addr *a, char *buf, size_t size)
{
	if (!inet_ntop(a->family == AF_INET6 ? AF_INET6 : AF_INET, a->bytes, buf, (socklen_t)size))
		snprintf(buf, size, "?");
	return buf;
}

const char *format_endpoint(const struct tw_addr *a, unsigned port, char *buf, size_t size)
{
	char addr[64];

	format_addr(a, addr, sizeof(addr));
	if (a->family == AF_INET6)
		snprintf(buf, size, "[%s]:%u", addr, port);
	else
		snprintf(buf, size, "%s:%u", addr, port);
	return buf;
}

/* What tcp_tw_reuse = 2 calls loopback (tcp_twsk_unique(), Linux 4.19+):
 * 127.0.0.0/8, ::1, and 127/8 mapped into IPv6 (::ffff:127.x.y.z). The
 * host's other addresses are not loopback, even though their traffic
 * stays on the host. */
bool addr_is_loopback(const struct tw_addr *a)
{
	static const uint8_t v6_loopback[16] = {[15] = 1};
	static const uint8_t v4_mapped[12] = {[10] = 0xff, [11] = 0xff};

	if (a->family == AF_INET)
		return a->bytes[0] == 127;
	if (memcmp(a->bytes, v4_mapped, 12) == 0)
		return a->bytes[12] == 127;
	return memcmp(a->bytes, v6_loopback, 16) == 0;
}
