/* SPDX-License-Identifier: MIT */
/* Socket addresses as twtune counts and shows them. */
#ifndef TWTUNE_ADDR_H
#define TWTUNE_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An IPv4 or IPv6 address; IPv4-mapped IPv6 addresses are stored as IPv4,
 * since they compete for the same ports as plain IPv4 ones. */
struct tw_addr {
	uint8_t family; /* AF_INET or AF_INET6 */
	uint8_t bytes[16];
};

/* "10.0.0.1" or "2001:db8::1" (no brackets). */
const char *format_addr(const struct tw_addr *a, char *buf, size_t size);
/* "10.0.0.1:80" or "[2001:db8::1]:80". */
const char *format_endpoint(const struct tw_addr *a, unsigned port, char *buf, size_t size);

/* 127.0.0.0/8, ::1 or ::ffff:127.0.0.0/104: what tcp_tw_reuse=2 counts as
 * loopback. */
bool addr_is_loopback(const struct tw_addr *a);

#endif
