/* SPDX-License-Identifier: MIT */
/* Who holds the live sockets toward the top destinations (check
 * --processes; twtune(1) PROCESSES). TIME_WAIT sockets have no owner: the
 * kernel keeps only a small timewait socket, with no file and no inode. The
 * live sockets toward the same destination do have one, and a process that
 * churns toward a destination nearly always holds a few open there too.
 *
 * After the census has ranked the destinations: one sock_diag dump of the
 * live states only (the kernel skips TIME_WAIT and LISTEN sockets without
 * building a reply, so the dump costs what the live sockets cost, a small
 * part of the census on a host full of TIME_WAIT), each socket matched
 * against census.top and its inode (idiag_inode) recorded; then one walk of
 * PROC/[pid]/fd, one directory per process (the tgids /proc lists: threads
 * share their process's table), each "socket:[INODE]" link looked up in the
 * records. The processes of the namespace inspected (PROC/PID/ns/net) come
 * first; the others only while sockets remain without a process (one made
 * before a setns(), or passed over a Unix socket): on a container host the
 * inspected namespace holds a few of the host's processes.
 *
 * Bounds, in memory and in time:
 *   - at most OWNERS_INODES_PER_DESTINATION (4096) sockets recorded per
 *     destination, 16 bytes each: 20 destinations, 1.3 MiB at most; the
 *     rest are counted (unrecorded), not attributed;
 *   - the walk stops as soon as every recorded socket has its process, and
 *     otherwise after OWNERS_WALK_SECONDS (2 s) or OWNERS_WALK_LINKS
 *     (1,000,000 descriptors read), saying so (truncated); it keeps the pids
 *     of other namespaces for its second pass, 4 bytes each;
 *   - with --sample, the inodes live when the sample began, to tell new
 *     sockets from old: at most OWNERS_BASELINE_MAX (131,072), 512 KiB.
 *
 * Unprivileged, another user's PROC/PID/fd cannot be opened (EACCES): those
 * processes are counted, and their sockets stay unattributed with the
 * reason said. */
#ifndef TWTUNE_OWNERS_H
#define TWTUNE_OWNERS_H

#include <linux/netlink.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "inspect/facts.h"
#include "inspect/inspect.h"

#define OWNERS_INODES_PER_DESTINATION 4096
#define OWNERS_WALK_SECONDS 2.0
#define OWNERS_WALK_LINKS 1000000u
#define OWNERS_BASELINE_MAX 131072u

/* What makes the mapping worth its walk without --processes: either
 * pressure at this share of the ephemeral range, or this many outbound
 * TIME_WAIT sockets (about 170 closes a second). */
#define OWNERS_PRESSURE 0.2
#define OWNERS_TIME_WAIT 10000

/* The inodes of the sockets live when --sample began, ascending. */
struct owner_baseline {
	bool taken;
	bool complete; /* every live socket is in it */
	uint32_t *inodes;
	size_t count, capacity;
	double started; /* CLOCK_MONOTONIC, seconds */
};

/* One live socket toward a top destination. */
struct owned_socket {
	uint32_t inode;
	uint32_t pid; /* 0 until the walk finds its process */
	uint32_t uid; /* idiag_uid: who created it */
	uint8_t destination;
	bool is_new; /* not open when the sample began */
};

struct owner_collection {
	const struct tw_census *census;
	struct owner_facts *out;
	struct owned_socket *sockets;
	size_t count, capacity;
	uint32_t recorded[2 * CENSUS_TOP]; /* per destination */
	size_t unowned;			   /* records the walk has not found yet */
	bool out_of_memory;
};

/* Fill F->owners as MODE says, for the live kernel at PROC_ROOT ("/proc"):
 * decide, dump, walk, rank. BASELINE (taken by owners_baseline_take, or
 * not) is freed. What fails is recorded in F->errors as "processes". */
void inspect_owners(const char *proc_root, enum owners_mode mode, struct tw_facts *f,
		    struct owner_baseline *baseline);

/* Is there pressure worth explaining on F? WHY says which, or that there
 * is none. */
bool owners_pressure(const struct tw_facts *f, char *why, size_t size);

/* The inodes of every live socket now, when --sample begins. 0 or a
 * negative errno, with ERR saying what failed. */
int owners_baseline_take(struct owner_baseline *b, char *err, size_t errlen);
void owners_baseline_free(struct owner_baseline *b);

/* An owner as people name it: "api-worker (pid 812, api.service)",
 * "api-worker (pid 812)" outside any unit, "? (pid 812)" when its command
 * could not be read. */
const char *owners_label(const struct socket_owner *o, char *buf, size_t size);

/* ---- the steps, for inspect_owners and the tests */

/* Start recording sockets toward F's top destinations into F->owners. */
void owners_collect_begin(struct owner_collection *c, struct tw_facts *f);

/* One socket of the dump. Ports in host byte order. */
void owners_add_socket(struct owner_collection *c, unsigned state, const struct tw_addr *remote,
		       uint16_t remote_port, uint32_t inode, uint32_t uid);

/* One SOCK_DIAG_BY_FAMILY reply, validated for length and family. 0 or
 * -EBADMSG. */
int owners_add_diag_message(struct owner_collection *c, const struct nlmsghdr *nlh);

/* Walk PROC_ROOT/[pid]/fd, giving each recorded socket without one its
 * process: those of the namespace inspected first, then the others; stop
 * early as said above. 0, or a negative errno when PROC_ROOT cannot be
 * listed. */
int owners_walk(struct owner_collection *c, const char *proc_root, double seconds);

/* Rank each destination's processes, read the listed ones' command and
 * cgroup under PROC_ROOT, and say what could not be attributed. With
 * BASELINE complete, mark the sockets it lacks as new. Frees C's records. */
void owners_finish(struct owner_collection *c, const char *proc_root,
		   const struct owner_baseline *baseline);

void owners_discard(struct owner_collection *c);

/* Every live TCP socket (IPv4 and IPv6; not LISTEN, TIME_WAIT or a
 * request socket) over NETLINK_SOCK_DIAG, each reply handed to EACH. 0 or
 * a negative errno, with ERR naming what failed. */
int owners_dump_live(void (*each)(const struct nlmsghdr *nlh, void *arg), void *arg, char *err,
		     size_t errlen);

/* ---- the text of /proc (owners_proc.c) */

/* The inode of a descriptor's link text ("socket:[12345]", LEN bytes).
 * 0, or -EINVAL for anything else (a file, a pipe, "socket:[x]"). */
int owners_socket_inode(const char *link, size_t len, uint32_t *inode);

/* The cgroup of a process from the text of /proc/PID/cgroup: the cgroup v2
 * line ("0::/system.slice/api.service"), unless it is the root while the
 * v1 name=systemd line says more (a hybrid host), else that line. 0, or
 * -ENOENT when TEXT has neither. */
int owners_cgroup_path(const char *text, char *path, size_t size);

/* The unit of a cgroup path: its last component named *.service or
 * *.scope ("api.service" in "/system.slice/api.service/worker"), "" when
 * none. */
void owners_unit_name(const char *path, char *unit, size_t size);

/* Read PROC_ROOT/PID/comm and PROC_ROOT/PID/cgroup into O ("" where they
 * cannot be read: the process may have exited). */
void owners_describe(const char *proc_root, struct socket_owner *o);

#endif
