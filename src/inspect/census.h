/* SPDX-License-Identifier: MIT */
/* The socket census: sockets are counted as the dump streams by, one call per
 * socket, with no object kept per socket. Two passes: the listeners first
 * (so the second pass can tell a server's TIME_WAIT from a client's), then
 * every other state; and, rarely, a third (census_recount_begin). The
 * netlink and /proc/net/tcp readers both feed this.
 *
 * Memory does not depend on the number of distinct peers. Destinations
 * (remote address, port) are counted in CENSUS_TRACKED Space-Saving
 * counters (common/heavy_hitters.h); the number of distinct ones by a
 * HyperLogLog (common/distinct.h). What is exact and what is bounded,
 * with N the outbound sockets, K = CENSUS_TRACKED and m <= N / K the
 * smallest counter once the table is full (destinations_untracked_max):
 *
 *   - exact always: the socket total, the counts per state, TIME_WAIT
 *     inbound and outbound, the listening ports, the distinct local ports
 *     in use (bind pressure), the inbound TIME_WAIT per listening port;
 *   - exact while at most K destinations have outbound sockets (and none
 *     is reached from more than CENSUS_LOCALS local addresses): every
 *     destination figure, as before;
 *   - beyond K: every destination with more than m sockets is tracked; a
 *     tracked one's figures count its sockets since it entered the table
 *     and may be low by at most its error (<= m), 0 when it was there from
 *     its first socket. Any tracked destination that may hold
 *     CENSUS_SIGNIFICANT_PERCENT of the ephemeral range and whose figures
 *     are not known exact is counted again in a third pass, so every
 *     destination with more than max(m, 1% of the range) sockets is
 *     reported exact (as exact as the second dump: sockets come and go
 *     between dumps). The connect pressure is exact when its
 *     destination is, and otherwise a lower bound with its error; the
 *     number of destinations is then an estimate (about 2%). */
#ifndef TWTUNE_CENSUS_H
#define TWTUNE_CENSUS_H

#include <linux/netlink.h>
#include <stdio.h>

#include "common/distinct.h"
#include "common/hashtable.h"
#include "common/heavy_hitters.h"
#include "inspect/facts.h"

/* Destinations tracked: about 1 MiB of counters when all are taken. Hosts
 * with fewer get exact figures for every one. */
#define CENSUS_TRACKED 8192
/* Local addresses counted apart per destination; more is rare (a client
 * spreading over source addresses) and then recounted if it matters. */
#define CENSUS_LOCALS 4
/* A destination holding this share of the ephemeral range is one whose
 * figures drive advice: they are made exact. */
#define CENSUS_SIGNIFICANT_PERCENT 1

struct census_builder {
	struct tw_census *out;
	bool range_known;
	unsigned port_low, port_high;
	const uint8_t *reserved;
	uint8_t listening[PORT_BITMAP_BYTES];
	uint8_t local_in_use[PORT_BITMAP_BYTES];
	struct heavy_hitters dests;	 /* per (remote address, port) */
	struct distinct_count distinct;	 /* how many (remote address, port) */
	bool recounting;		 /* the third pass */
	struct hashtable recount_tuples; /* its (local address, destination) */
	uint32_t *inbound_by_port;	 /* TIME_WAIT per listening port, 65536 slots,
					  * allocated at the first inbound one */
	/* each tracked destination's last minute of closes, by entry number,
	 * for those whose entry's own seconds do not hold it: CENSUS_TRACKED
	 * slots (1.9 MiB), allocated at the first such destination */
	uint32_t (*dest_history)[TW_HISTORY_SECONDS];
	bool dest_history_lost;	 /* ... and there was no memory for it */
	unsigned long malformed; /* messages too short or of an unknown family */
};

/* Start a census for the host described by F (port range, reserved ports);
 * results go to F->census. 0 or -ENOMEM. */
int census_begin(struct census_builder *b, struct tw_facts *f);

/* Pass 1: a listening socket on local port PORT. */
void census_add_listener(struct census_builder *b, uint16_t port);

/* Pass 2: any socket that is not listening. Ports in host byte order. */
void census_add_socket(struct census_builder *b, unsigned state, const struct tw_addr *local,
		       uint16_t local_port, const struct tw_addr *remote, uint16_t remote_port);

/* The same, for a socket whose tcp_info says whether TCP timestamps were
 * negotiated: TIMESTAMPS 1 or 0, -1 when not known. Established outbound
 * sockets are then counted per destination with and without them. */
void census_add_socket_info(struct census_builder *b, unsigned state, const struct tw_addr *local,
			    uint16_t local_port, const struct tw_addr *remote, uint16_t remote_port,
			    int timestamps);

/* The same, with the time left on a TIME_WAIT socket's timer,
 * REMAINING_MS (-1 when not known, or not a TIME_WAIT socket): the socket
 * is then counted in the history of the last minute's closes. */
void census_add_socket_timer(struct census_builder *b, unsigned state, const struct tw_addr *local,
			     uint16_t local_port, const struct tw_addr *remote,
			     uint16_t remote_port, int timestamps, int64_t remaining_ms);

/* Whether a SOCK_DIAG_BY_FAMILY reply NLH (already checked to hold a
 * struct inet_diag_msg) says TCP timestamps were negotiated: 1 or 0 from
 * its INET_DIAG_INFO attribute (struct tcp_info), -1 when it has none
 * (not asked for; a TIME_WAIT or request socket) or a malformed one. */
int census_diag_timestamps(const struct nlmsghdr *nlh);

/* Feed one SOCK_DIAG_BY_FAMILY reply (struct inet_diag_msg), validated for
 * length and family. LISTENERS selects the pass. 0, or -EBADMSG when the
 * message was malformed and skipped. */
int census_add_diag_message(struct census_builder *b, const struct nlmsghdr *nlh, bool listeners);

/* An address of an inet_diag_msg (idiag_src or idiag_dst) as the census
 * counts it: an IPv4-mapped IPv6 address as IPv4, whose ports it shares. */
void census_addr_from_diag(struct tw_addr *a, uint8_t family, const __be32 words[4]);

/* After pass 2: when a destination that may hold a significant share of
 * the range has figures not known exact (the table was full when it came,
 * or it is reached from many local addresses), prepare a third pass that
 * counts just those again, and return true: the caller then feeds every
 * non-listening socket once more (census_add_socket or
 * census_add_diag_message, as in pass 2). False: nothing to recount. */
bool census_recount_begin(struct census_builder *b);

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
