/* The socket census: sockets are counted as the dump streams by, one call per
 * socket, with no object kept per socket. Two passes: the listeners first
 * (so the second pass can tell a server's TIME_WAIT from a client's), then
 * every other state. The netlink and /proc/net/tcp readers both feed this. */
#ifndef TWTUNE_CENSUS_H
#define TWTUNE_CENSUS_H

#include <linux/netlink.h>
#include <stdio.h>

#include "common/hashtable.h"
#include "inspect/facts.h"

struct census_builder {
	struct tw_census *out;
	bool range_known;
	unsigned port_low, port_high;
	const uint8_t *reserved;
	uint8_t listening[PORT_BITMAP_BYTES];
	uint8_t local_in_use[PORT_BITMAP_BYTES];
	struct hashtable dests;	   /* per (remote address, port) */
	struct hashtable tuples;   /* per (local address, remote address, port) */
	uint32_t *inbound_by_port; /* TIME_WAIT per listening port, 65536 slots,
				    * allocated at the first inbound one */
	unsigned long malformed;   /* messages too short or of an unknown family */
};

/* Start a census for the host described by F (port range, reserved ports);
 * results go to F->census. 0 or -ENOMEM. */
int census_begin(struct census_builder *b, struct tw_facts *f);

/* Pass 1: a listening socket on local port PORT. */
void census_add_listener(struct census_builder *b, uint16_t port);

/* Pass 2: any socket that is not listening. Ports in host byte order. */
void census_add_socket(struct census_builder *b, unsigned state, const struct tw_addr *local,
		       uint16_t local_port, const struct tw_addr *remote, uint16_t remote_port);

/* Feed one SOCK_DIAG_BY_FAMILY reply (struct inet_diag_msg), validated for
 * length and family. LISTENERS selects the pass. 0, or -EBADMSG when the
 * message was malformed and skipped. */
int census_add_diag_message(struct census_builder *b, const struct nlmsghdr *nlh, bool listeners);

/* Rank destinations, list the listeners inside the ephemeral range, free
 * the tables. 0 or -ENOMEM. */
int census_finish(struct census_builder *b);

/* Free the tables without producing results (on error). */
void census_discard(struct census_builder *b);

/* Dump the kernel's TCP sockets over NETLINK_SOCK_DIAG (IPv4, then IPv6)
 * into B. 0 or a negative errno; ERR gets a message naming what failed. */
int census_dump_netlink(struct census_builder *b, char *err, size_t errlen);

/* Read ROOT/net/tcp and ROOT/net/tcp6 (the kernel's text tables) into B:
 * used when --proc points at a fabricated or copied tree. */
int census_read_proc(struct census_builder *b, const char *proc_root, char *err, size_t errlen);

/* One of those tables, open as FP and named PATH in messages: its lines
 * of FAMILY (AF_INET for tcp, AF_INET6 for tcp6) fed to B, the listeners
 * when LISTENERS, every other socket otherwise. 0, or -EBADMSG with ERR
 * naming the line at fault. */
int census_read_proc_table(struct census_builder *b, FILE *fp, const char *path, int family,
			   bool listeners, char *err, size_t errlen);

#endif
