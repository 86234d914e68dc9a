/* SPDX-License-Identifier: MIT */
/* The live sockets over NETLINK_SOCK_DIAG, for the owners of the top
 * destinations and the baseline of --sample: the kernel filters by state
 * (inet_diag_dump_icsk() tests idiag_states before it builds a reply), so
 * the TIME_WAIT sockets that fill a busy client's table cost a walk of the
 * hash and no message. */
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

#include "inspect/nlerr.h"
#include "inspect/owners.h"

#define LIVE_STATES                                                                                \
	((1u << TCP_STATE_ESTABLISHED) | (1u << TCP_STATE_SYN_SENT) |                              \
	 (1u << TCP_STATE_FIN_WAIT1) | (1u << TCP_STATE_FIN_WAIT2) |                               \
	 (1u << TCP_STATE_CLOSE_WAIT) | (1u << TCP_STATE_LAST_ACK) | (1u << TCP_STATE_CLOSING))

struct live_dump {
	void (*each)(const struct nlmsghdr *nlh, void *arg);
	void *arg;
};

static int on_live_reply(struct nl_msg *msg, void *arg)
{
	struct live_dump *dump = arg;

	dump->each(nlmsg_hdr(msg), dump->arg);
	return NL_OK;
}

static int request_live(struct nl_sock *sk, uint8_t family)
{
	struct inet_diag_req_v2 req = {
		.sdiag_family = family, .sdiag_protocol = IPPROTO_TCP, .idiag_states = LIVE_STATES};
	int r = nl_send_simple(sk, SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, &req,
			       sizeof(req));

	return r < 0 ? r : nl_recvmsgs_default(sk);
}

int owners_dump_live(void (*each)(const struct nlmsghdr *nlh, void *arg), void *arg, char *err,
		     size_t errlen)
{
	struct live_dump dump = {.each = each, .arg = arg};
	struct nl_sock *sk = nl_socket_alloc();
	int r;

	if (!sk) {
		snprintf(err, errlen, "sock_diag: cannot allocate a netlink socket");
		return -ENOMEM;
	}
	if ((r = nl_connect(sk, NETLINK_SOCK_DIAG)) < 0) {
		snprintf(err, errlen, "sock_diag: netlink socket refused: %s", nl_geterror(r));
		goto out;
	}
	nl_socket_set_buffer_size(sk, 1024 * 1024, 0);
	nl_socket_set_msg_buf_size(sk, 64 * 1024);
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, on_live_reply, &dump);
	if ((r = request_live(sk, AF_INET)) < 0) {
		snprintf(err, errlen, "sock_diag: IPv4 dump of the live sockets failed: %s",
			 nl_geterror(r));
		goto out;
	}
	r = request_live(sk, AF_INET6);
	if (r == -NLE_OBJ_NOTFOUND || r == -NLE_AF_NOSUPPORT || r == -NLE_OPNOTSUPP)
		r = 0; /* IPv6 disabled or not built in */
	else if (r < 0)
		snprintf(err, errlen, "sock_diag: IPv6 dump of the live sockets failed: %s",
			 nl_geterror(r));
out:
	nl_socket_free(sk);
	return r < 0 ? nl_errno(r) : 0;
}
