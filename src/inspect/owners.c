/* SPDX-License-Identifier: MIT */
/* The processes behind the top destinations (owners.h says how, and within
 * which bounds): whether to look, the sockets recorded from the dump, and
 * each destination's processes ranked by their connections there. */
#include "inspect/owners.h"

#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/strutil.h"
#include "inspect/census.h"
#include "inspect/classify.h"
#include "inspect/procfs.h"

static double monotonic_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

bool owners_pressure(const struct tw_facts *f, char *why, size_t size)
{
	double connect = connect_pressure(f), bind = bind_pressure(f);
	uint64_t outbound = f->census.time_wait_outbound;

	if (connect >= OWNERS_PRESSURE)
		snprintf(why, size, "connect() pressure %.0f%% >= %.0f%%", 100 * connect,
			 100 * OWNERS_PRESSURE);
	else if (bind >= OWNERS_PRESSURE)
		snprintf(why, size, "bind() pressure %.0f%% >= %.0f%%", 100 * bind,
			 100 * OWNERS_PRESSURE);
	else if (outbound >= OWNERS_TIME_WAIT)
		snprintf(why, size, "%llu outbound TIME_WAIT >= %d", (unsigned long long)outbound,
			 OWNERS_TIME_WAIT);
	else {
		snprintf(why, size,
			 "no pressure worth explaining (connect() and bind() pressure below "
			 "%.0f%%, outbound TIME_WAIT below %d): check --processes maps them anyway",
			 100 * OWNERS_PRESSURE, OWNERS_TIME_WAIT);
		return false;
	}
	return true;
}

const char *owners_label(const struct socket_owner *o, char *buf, size_t size)
{
	snprintf(buf, size, "%s (pid %u%s%s)", o->command[0] ? o->command : "?", o->pid,
		 o->unit[0] ? ", " : "", o->unit);
	utf8_trim(buf);
	return buf;
}

void owners_collect_begin(struct owner_collection *c, struct tw_facts *f)
{
	memset(c, 0, sizeof(*c));
	c->census = &f->census;
	c->out = &f->owners;
}

void owners_discard(struct owner_collection *c)
{
	free(c->sockets);
	c->sockets = NULL;
	c->count = c->capacity = 0;
}

/* The index of the top destination REMOTE:PORT, or -1. */
static int find_destination(const struct tw_census *census, const struct tw_addr *remote,
			    uint16_t port)
{
	for (unsigned i = 0; i < census->top_count; i++) {
		const struct destination_stat *d = &census->top[i];

		if (d->port == port && d->address.family == remote->family &&
		    memcmp(d->address.bytes, remote->bytes, sizeof(remote->bytes)) == 0)
			return (int)i;
	}
	return -1;
}

static struct owned_socket *record(struct owner_collection *c)
{
	if (c->count == c->capacity) {
		size_t capacity = c->capacity ? 2 * c->capacity : 256;
		struct owned_socket *grown = realloc(c->sockets, capacity * sizeof(*grown));

		if (!grown) {
			c->out_of_memory = true;
			return NULL;
		}
		c->sockets = grown;
		c->capacity = capacity;
	}
	return &c->sockets[c->count++];
}

void owners_add_socket(struct owner_collection *c, unsigned state, const struct tw_addr *remote,
		       uint16_t remote_port, uint32_t inode, uint32_t uid)
{
	struct destination_owners *d;
	struct owned_socket *s;
	int dest;

	/* the dump asks for live states only; a request socket or a server's
	 * half-open one is inbound */
	if (state == TCP_STATE_TIME_WAIT || state == TCP_STATE_LISTEN ||
	    state == TCP_STATE_SYN_RECV || state == TCP_STATE_NEW_SYN_RECV ||
	    (dest = find_destination(c->census, remote, remote_port)) < 0)
		return;
	d = &c->out->destinations[dest];
	d->live++;
	/* a socket its process has closed (FIN_WAIT, LAST_ACK, CLOSING)
	 * keeps no file: sock_i_ino() reports 0 (net/ipv4/inet_diag.c,
	 * inet_sk_diag_fill) */
	if (!inode) {
		d->orphaned++;
		return;
	}
	if (c->recorded[dest] >= OWNERS_INODES_PER_DESTINATION || !(s = record(c))) {
		d->unrecorded++;
		return;
	}
	c->recorded[dest]++;
	memset(s, 0, sizeof(*s));
	s->inode = inode;
	s->uid = uid;
	s->destination = (uint8_t)dest;
}

int owners_add_diag_message(struct owner_collection *c, const struct nlmsghdr *nlh)
{
	const struct inet_diag_msg *m;
	struct tw_addr remote;

	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
	    nlh->nlmsg_len < NLMSG_LENGTH(sizeof(struct inet_diag_msg)))
		return -EBADMSG;
	m = NLMSG_DATA(nlh);
	if (m->idiag_family != AF_INET && m->idiag_family != AF_INET6)
		return -EBADMSG;
	census_addr_from_diag(&remote, m->idiag_family, m->id.idiag_dst);
	owners_add_socket(c, m->idiag_state, &remote, ntohs(m->id.idiag_dport), m->idiag_inode,
			  m->idiag_uid);
	return 0;
}

static int by_destination_and_pid(const void *a, const void *b)
{
	const struct owned_socket *x = a, *y = b;

	if (x->destination != y->destination)
		return x->destination < y->destination ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

static int by_inode_number(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* One process's sockets toward destination D: listed when among the most
 * connections there (ties to the lower pid, met first), else summed up. */
static void rank_owner(struct destination_owners *d, uint32_t pid, uint32_t connections,
		       uint32_t new_sockets)
{
	unsigned pos = d->count;

	if (d->count == OWNERS_LISTED) {
		struct socket_owner *last = &d->owners[OWNERS_LISTED - 1];

		if (connections <= last->connections) {
			d->other_processes++;
			d->other_connections += connections;
			return;
		}
		d->other_processes++;
		d->other_connections += last->connections;
		pos = --d->count;
	}
	while (pos > 0 && d->owners[pos - 1].connections < connections) {
		d->owners[pos] = d->owners[pos - 1];
		pos--;
	}
	memset(&d->owners[pos], 0, sizeof(d->owners[pos]));
	d->owners[pos].pid = pid;
	d->owners[pos].connections = connections;
	d->owners[pos].new_sockets = new_sockets;
	d->count++;
}

/* Each run of records of one destination and one process becomes an owner. */
static void rank_owners(struct owner_collection *c, uint64_t *unattributed_other_users)
{
	struct owner_facts *out = c->out;
	uid_t self = geteuid();
	size_t i = 0;

	qsort(c->sockets, c->count, sizeof(*c->sockets), by_destination_and_pid);
	while (i < c->count) {
		const struct owned_socket *first = &c->sockets[i];
		struct destination_owners *d = &out->destinations[first->destination];
		uint32_t connections = 0, fresh = 0;

		for (; i < c->count && c->sockets[i].destination == first->destination &&
		       c->sockets[i].pid == first->pid;
		     i++) {
			connections++;
			fresh += c->sockets[i].is_new;
			if (!first->pid && c->sockets[i].uid != self)
				(*unattributed_other_users)++;
		}
		d->new_sockets += fresh;
		if (!first->pid) {
			d->unattributed += connections;
			continue;
		}
		out->attributed += connections;
		rank_owner(d, first->pid, connections, fresh);
	}
}

/* Why sockets stayed unattributed, for a person: OTHER_USERS of them
 * were created by another user than twtune's. */
static void explain_unattributed(struct owner_facts *out, uint64_t other_users)
{
	uint64_t rest = out->unattributed;
	char *why = out->unattributed_why;
	size_t n = 0, size = sizeof(out->unattributed_why);

	why[0] = '\0';
	if (out->processes_unreadable && other_users) {
		n += (size_t)snprintf(why, size,
				      "%llu belong to other users, whose processes' descriptors "
				      "could not be read (EACCES on %u processes: root or "
				      "CAP_SYS_PTRACE is needed)",
				      (unsigned long long)other_users, out->processes_unreadable);
		rest -= other_users;
	}
	if (rest && n < size)
		snprintf(why + n, size - n, "%s%llu %s", n ? "; " : "", (unsigned long long)rest,
			 out->truncated ? "not reached: the walk stopped early"
					: "closed between the dump and the walk, or are held by "
					  "processes this /proc does not show");
	utf8_trim(why);
}

void owners_finish(struct owner_collection *c, const char *proc_root,
		   const struct owner_baseline *baseline)
{
	struct owner_facts *out = c->out;
	uint64_t other_users = 0;

	for (size_t i = 0; baseline && baseline->complete && i < c->count; i++)
		c->sockets[i].is_new = !bsearch(&c->sockets[i].inode, baseline->inodes,
						baseline->count, sizeof(uint32_t), by_inode_number);
	rank_owners(c, &other_users);
	for (unsigned i = 0; i < c->census->top_count; i++) {
		struct destination_owners *d = &out->destinations[i];

		out->sockets += d->live;
		out->unattributed += d->unattributed;
		out->orphaned += d->orphaned;
		out->unrecorded += d->unrecorded;
		for (unsigned k = 0; k < d->count; k++)
			owners_describe(proc_root, &d->owners[k]);
	}
	if (out->unrecorded && !out->truncated) {
		out->truncated = true;
		snprintf(out->truncated_why, sizeof(out->truncated_why),
			 "%llu sockets beyond the %d recorded per destination%s",
			 (unsigned long long)out->unrecorded, OWNERS_INODES_PER_DESTINATION,
			 c->out_of_memory ? " (or out of memory)" : "");
	}
	explain_unattributed(out, other_users);
	owners_discard(c);
}

/* ---- the baseline of --sample */

static void baseline_add(const struct nlmsghdr *nlh, void *arg)
{
	struct owner_baseline *b = arg;
	const struct inet_diag_msg *m;

	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
	    nlh->nlmsg_len < NLMSG_LENGTH(sizeof(struct inet_diag_msg)))
		return;
	m = NLMSG_DATA(nlh);
	if (!m->idiag_inode)
		return;
	if (b->count == b->capacity) {
		size_t capacity = b->capacity ? 2 * b->capacity : 1024;
		uint32_t *grown;

		if (capacity > OWNERS_BASELINE_MAX ||
		    !(grown = realloc(b->inodes, capacity * sizeof(*grown)))) {
			b->complete = false;
			return;
		}
		b->inodes = grown;
		b->capacity = capacity;
	}
	b->inodes[b->count++] = m->idiag_inode;
}

int owners_baseline_take(struct owner_baseline *b, char *err, size_t errlen)
{
	int r;

	memset(b, 0, sizeof(*b));
	b->complete = true;
	b->started = monotonic_seconds();
	if ((r = owners_dump_live(baseline_add, b, err, errlen)) < 0) {
		owners_baseline_free(b);
		return r;
	}
	qsort(b->inodes, b->count, sizeof(*b->inodes), by_inode_number);
	b->taken = true;
	return 0;
}

void owners_baseline_free(struct owner_baseline *b)
{
	free(b->inodes);
	b->inodes = NULL;
	b->count = b->capacity = 0;
}

/* ---- all of it */

static void collect_each(const struct nlmsghdr *nlh, void *arg)
{
	owners_add_diag_message(arg, nlh);
}

/* Whether to look, and why; the answer goes to OUT->reason. */
static bool wanted(const char *proc_root, enum owners_mode mode, const struct tw_facts *f,
		   struct owner_facts *out)
{
	const char *no = NULL;

	if (mode == OWNERS_NEVER)
		no = "turned off (--no-processes)";
	else if (!procfs_is_live(proc_root))
		no = "a --proc tree: no processes to map";
	else if (!f->census.available)
		no = "no socket census";
	else if (!f->census.top_count)
		no = "no outbound destinations";
	if (no) {
		snprintf(out->reason, sizeof(out->reason), "%s", no);
		return false;
	}
	if (mode == OWNERS_ALWAYS) {
		snprintf(out->reason, sizeof(out->reason), "--processes was given");
		return true;
	}
	return owners_pressure(f, out->reason, sizeof(out->reason));
}

void inspect_owners(const char *proc_root, enum owners_mode mode, struct tw_facts *f,
		    struct owner_baseline *baseline)
{
	struct owner_facts *out = &f->owners;
	struct owner_collection c;
	double start = monotonic_seconds(), end;
	char err[256] = "";
	int r;

	memset(out, 0, sizeof(*out));
	if (!wanted(proc_root, mode, f, out))
		goto done;
	out->attempted = true;
	owners_collect_begin(&c, f);
	if ((r = owners_dump_live(collect_each, &c, err, sizeof(err))) < 0) {
		owners_discard(&c);
		facts_add_error(f, "processes", "%s", err);
		out->attempted = false;
		snprintf(out->reason, sizeof(out->reason), "the socket dump failed");
		goto done;
	}
	end = monotonic_seconds();
	if ((r = owners_walk(&c, proc_root, OWNERS_WALK_SECONDS)) < 0)
		facts_add_error(f, "processes", "%s: cannot list the processes: %s", proc_root,
				strerror(-r));
	owners_finish(&c, proc_root, baseline->taken ? baseline : NULL);
	out->seconds = monotonic_seconds() - start;
	if (baseline->taken && baseline->complete) {
		out->sampled = true;
		out->interval = end - baseline->started;
	} else if (baseline->taken) {
		snprintf(out->sample_note, sizeof(out->sample_note),
			 "more than %u live sockets when the sample began: new sockets are not "
			 "told from old",
			 OWNERS_BASELINE_MAX);
	}
done:
	owners_baseline_free(baseline);
}
