/* SPDX-License-Identifier: MIT */
/* The census from the kernel's text tables, ROOT/net/tcp and ROOT/net/tcp6.
 * Netlink cannot be pointed at another tree, so with --proc DIR these files
 * are where a fabricated or copied host keeps its sockets. Format (from
 * net/ipv4/tcp_ipv4.c, get_tcp4_sock):
 *   "  0: 0100007F:1F90 0100007F:D2F4 06 00000000:00000000 ..."
 * addresses are the raw 32-bit words printed in host byte order. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "inspect/census.h"
#include "inspect/procfs.h"

#define PROC_LINE_MAX 512

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Parse DIGITS hex digits at *p into *out, advancing *p. */
static int take_hex(const char **p, unsigned digits, uint32_t *out)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < digits; i++) {
		int d = hex_value((*p)[i]);
		if (d < 0)
			return -EBADMSG;
		v = (v << 4) | (uint32_t)d;
	}
	*p += digits;
	*out = v;
	return 0;
}

/* "0100007F:1F90" (IPv4) or 32 hex digits then ":PORT" (IPv6). */
static int take_endpoint(const char **p, int family, struct tw_addr *a, uint16_t *port)
{
	unsigned words = family == AF_INET ? 1 : 4;
	uint32_t w, v;

	memset(a, 0, sizeof(*a));
	a->family = (uint8_t)family;
	for (unsigned i = 0; i < words; i++) {
		if (take_hex(p, 8, &w) < 0)
			return -EBADMSG;
		memcpy(a->bytes + 4 * i, &w, 4); /* printed in host order */
	}
	if (**p != ':')
		return -EBADMSG;
	(*p)++;
	if (take_hex(p, 4, &v) < 0)
		return -EBADMSG;
	*port = (uint16_t)v;
	if (family == AF_INET6) {
		static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
		if (memcmp(a->bytes, mapped, 12) == 0) {
			a->family = AF_INET;
			memmove(a->bytes, a->bytes + 12, 4);
			memset(a->bytes + 4, 0, 12);
		}
	}
	return 0;
}

/* After the state: "tx_queue:rx_queue tr:tm->when". For a TIME_WAIT socket
 * (get_timewait4_sock, net/ipv4/tcp_ipv4.c; get_timewait6_sock in
 * tcp_ipv6.c) tr is 3 and tm->when the time its timer has left, in clock
 * ticks (jiffies_delta_to_clock_t, never negative): the time left in ms,
 * or -1 when the line does not carry it (older fabricated trees). */
static int64_t time_wait_remaining(const char *p)
{
	uint32_t queues, timer, high, low;
	long ticks_per_second = sysconf(_SC_CLK_TCK);

	if (*p++ != ' ' || take_hex(&p, 8, &queues) < 0 || *p++ != ':' ||
	    take_hex(&p, 8, &queues) < 0 || *p++ != ' ' || take_hex(&p, 2, &timer) < 0 ||
	    *p++ != ':' || take_hex(&p, 8, &low) < 0 || ticks_per_second <= 0)
		return -1;
	/* %08lX: more digits on a 64-bit host only past 2^32 ticks */
	high = 0;
	if (hex_value(*p) >= 0) {
		high = low;
		if (take_hex(&p, 8, &low) < 0)
			return -1;
	}
	if (timer != 3)
		return -1;
	return (int64_t)((((uint64_t)high << 32) | low) * 1000 / (uint64_t)ticks_per_second);
}

static int parse_line(const char *line, int family, struct tw_addr *local, uint16_t *lport,
		      struct tw_addr *remote, uint16_t *rport, unsigned *state,
		      int64_t *remaining_ms)
{
	const char *p = strchr(line, ':');
	uint32_t st;

	if (!p)
		return -EBADMSG;
	p++;
	while (*p == ' ')
		p++;
	if (take_endpoint(&p, family, local, lport) < 0 || *p++ != ' ')
		return -EBADMSG;
	if (take_endpoint(&p, family, remote, rport) < 0 || *p++ != ' ')
		return -EBADMSG;
	if (take_hex(&p, 2, &st) < 0 || st >= TCP_STATE_SLOTS)
		return -EBADMSG;
	*state = st;
	/* tr 3 only on a timewait socket, TIME_WAIT or FIN_WAIT2 substate */
	*remaining_ms = st == TCP_STATE_TIME_WAIT || st == TCP_STATE_FIN_WAIT2
				? time_wait_remaining(p)
				: -1;
	return 0;
}

int census_read_proc_table(struct census_builder *b, FILE *fp, const char *path, int family,
			   bool listeners, char *err, size_t errlen)
{
	char line[PROC_LINE_MAX];
	unsigned number = 0;

	while (fgets(line, sizeof(line), fp)) {
		struct tw_addr local, remote;
		uint16_t lport, rport;
		unsigned state;
		int64_t remaining_ms;

		number++;
		if (!strchr(line, '\n') && !feof(fp)) {
			snprintf(err, errlen, "%s:%u: line longer than %d bytes", path, number,
				 PROC_LINE_MAX);
			return -EBADMSG;
		}
		if (number == 1)
			continue; /* the column header */
		if (parse_line(line, family, &local, &lport, &remote, &rport, &state,
			       &remaining_ms) < 0) {
			snprintf(err, errlen, "%s:%u: malformed socket line", path, number);
			return -EBADMSG;
		}
		if (listeners && state == TCP_STATE_LISTEN)
			census_add_listener(b, lport);
		else if (!listeners && state != TCP_STATE_LISTEN)
			census_add_socket_timer(b, state, &local, lport, &remote, rport, -1,
						remaining_ms);
	}
	return 0;
}

static int read_table(struct census_builder *b, const char *root, const char *rel, int family,
		      bool listeners, char *err, size_t errlen)
{
	char path[4096];
	FILE *fp;
	int r;

	if ((r = procfs_path(root, rel, path, sizeof(path))) < 0)
		return r;
	fp = fopen(path, "re");
	if (!fp) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return r;
	}
	r = census_read_proc_table(b, fp, path, family, listeners, err, errlen);
	fclose(fp);
	return r;
}

int census_read_proc(struct census_builder *b, const char *proc_root, char *err, size_t errlen)
{
	int r;

	b->out->ipv6 = true;
	/* the third pass only when census_recount_begin() asks for it */
	for (int pass = 0; pass < 2 || (pass == 2 && census_recount_begin(b)); pass++) {
		r = read_table(b, proc_root, "net/tcp", AF_INET, pass == 0, err, errlen);
		if (r < 0)
			return r;
		if (!b->out->ipv6)
			continue;
		r = read_table(b, proc_root, "net/tcp6", AF_INET6, pass == 0, err, errlen);
		if (r == -ENOENT) {
			b->out->ipv6 = false;
		} else if (r < 0) {
			return r;
		}
	}
	snprintf(b->out->source, sizeof(b->out->source), "proc");
	return 0;
}
