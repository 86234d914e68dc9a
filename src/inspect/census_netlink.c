/* SPDX-License-Identifier: MIT */
/* The census over NETLINK_SOCK_DIAG, through libnl-3's socket and receive
 * loop with our own callback: each reply is parsed in place and counted,
 * never turned into an object (libnl's idiag cache costs 40 times the
 * kernel's dump time on 180k sockets; see DESIGN.md). */
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "inspect/census.h"
#include "inspect/nlerr.h"

/* Replies are 88 bytes each; a large receive buffer means fewer
 * recvmsg() calls per dump. */
#define NL_MSG_BUFFER (64 * 1024)
#define NL_RCVBUF (1024 * 1024)

struct dump_ctx {
	struct census_builder *builder;
	bool listeners;
};

static int on_reply(struct nl_msg *msg, void *arg)
{
	struct dump_ctx *ctx = arg;

	census_add_diag_message(ctx->builder, nlmsg_hdr(msg), ctx->listeners);
	return NL_OK;
}

static int dump_family(struct nl_sock *sk, uint8_t family, uint32_t states)
{
	struct inet_diag_req_v2 req;
	int r;

	memset(&req, 0, sizeof(req));
	req.sdiag_family = family;
	req.sdiag_protocol = IPPROTO_TCP;
	req.idiag_states = states;
	/* Each full socket's tcp_info, for whether timestamps were
	 * negotiated: the kernel adds it to established sockets only (never
	 * to TIME_WAIT or request sockets), so a dump of TIME_WAIT costs the
	 * same; the listeners' pass needs none. */
	if (!(states & (1u << TCP_STATE_LISTEN)))
		req.idiag_ext = 1u << (INET_DIAG_INFO - 1);
	r = nl_send_simple(sk, SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, &req, sizeof(req));
	if (r < 0)
		return r;
	return nl_recvmsgs_default(sk);
}

int census_dump_netlink(struct census_builder *b, char *err, size_t errlen)
{
	/* Listeners first: the second pass needs them to tell a server's
	 * TIME_WAIT (on a listening port) from a client's. The kernel adds
	 * request sockets (NEW_SYN_RECV) whenever SYN_RECV is asked for. */
	const uint32_t listen_mask = 1u << TCP_STATE_LISTEN;
	const uint32_t other_mask = ((1u << TCP_STATE_SLOTS) - 1) & ~listen_mask & ~1u &
				    ~(1u << TCP_STATE_BOUND_INACTIVE);
	struct dump_ctx ctx = {.builder = b};
	struct nl_sock *sk;
	int r;

	sk = nl_socket_alloc();
	if (!sk) {
		snprintf(err, errlen, "sock_diag: cannot allocate a netlink socket");
		return -ENOMEM;
	}
	r = nl_connect(sk, NETLINK_SOCK_DIAG);
	if (r < 0) {
		snprintf(err, errlen, "sock_diag: netlink socket refused: %s", nl_geterror(r));
		nl_socket_free(sk);
		return nl_errno(r);
	}
	nl_socket_set_buffer_size(sk, NL_RCVBUF, 0);
	nl_socket_set_msg_buf_size(sk, NL_MSG_BUFFER);
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, on_reply, &ctx);

	b->out->ipv6 = true;
	b->out->tcp_info = true;
	/* the third pass only when census_recount_begin() asks for it */
	for (int pass = 0; pass < 2 || (pass == 2 && census_recount_begin(b)); pass++) {
		ctx.listeners = pass == 0;
		r = dump_family(sk, AF_INET, ctx.listeners ? listen_mask : other_mask);
		if (r < 0) {
			snprintf(err, errlen, "sock_diag: IPv4 TCP dump failed: %s",
				 nl_geterror(r));
			goto out;
		}
		if (!b->out->ipv6)
			continue;
		r = dump_family(sk, AF_INET6, ctx.listeners ? listen_mask : other_mask);
		if (r == -NLE_OBJ_NOTFOUND || r == -NLE_AF_NOSUPPORT || r == -NLE_OPNOTSUPP) {
			b->out->ipv6 = false; /* IPv6 disabled or not built in */
			r = 0;
		} else if (r < 0) {
			snprintf(err, errlen, "sock_diag: IPv6 TCP dump failed: %s",
				 nl_geterror(r));
			goto out;
		}
	}
	snprintf(b->out->source, sizeof(b->out->source), "sock_diag");
out:
	nl_socket_free(sk);
	return r < 0 ? nl_errno(r) : 0;
}
