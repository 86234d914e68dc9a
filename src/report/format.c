#include "report/format.h"

#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
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

double round4(double v)
{
	return round(v * 10000.0) / 10000.0;
}
