/* SPDX-License-Identifier: MIT */
/* See nfnl.h. Shared by nat_nftables.c and nat_conntrack.c. */
#include "inspect/nfnl.h"

#include <errno.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <stdbool.h>

#include "inspect/nlerr.h"

/* A conntrack reply is 200-350 bytes; the kernel fills at most 32 KiB per
 * recvmsg() (netlink_dump, since 3.x), so 64 KiB never truncates, and a
 * 1 MiB socket buffer lets it run ahead of us. */
#define NL_MSG_BUFFER (64 * 1024)
#define NL_RCVBUF (1024 * 1024)

int nfnl_open(struct nl_sock **out)
{
	struct nl_sock *sk = nl_socket_alloc();
	int r;

	if (!sk)
		return -ENOMEM;
	r = nl_connect(sk, NETLINK_NETFILTER);
	if (r < 0) {
		nl_socket_free(sk);
		return nl_errno(r);
	}
	nl_socket_set_buffer_size(sk, NL_RCVBUF, 0);
	nl_socket_set_msg_buf_size(sk, NL_MSG_BUFFER);
	*out = sk;
	return 0;
}

struct nl_msg *nfnl_request(uint16_t type, uint8_t family)
{
	struct nfgenmsg req = {.nfgen_family = family, .version = NFNETLINK_V0};
	struct nl_msg *msg = nlmsg_alloc_simple(type, NLM_F_REQUEST | NLM_F_DUMP);

	if (msg && nlmsg_append(msg, &req, sizeof(req), NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

/* With NLM_F_DUMP_INTR seen, libnl reads the dump to its end and then
 * reports it (since libnl 3.2.26). */
int nfnl_dump(struct nl_sock *sk, struct nl_msg *msg, nl_recvmsg_msg_cb_t on_reply, void *arg)
{
	int r;

	if (!msg)
		return -ENOMEM;
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, on_reply, arg);
	r = nl_send_auto(sk, msg);
	nlmsg_free(msg);
	if (r >= 0)
		r = nl_recvmsgs_default(sk);
	return r < 0 ? nl_errno(r) : 0;
}

/* Whether the attributes fill LEN exactly: nla_parse silently stops at
 * the first one that does not fit, and the kernel never sends that. */
static bool attrs_fill(const struct nlattr *head, int len)
{
	const struct nlattr *a = head;
	int rem = len;

	while (nla_ok(a, rem))
		a = nla_next(a, &rem);
	return rem <= 0;
}

int nfnl_attrs(const struct nlmsghdr *nlh, struct nlattr **tb, int max,
	       const struct nla_policy *policy)
{
	const int hdrlen = sizeof(struct nfgenmsg);
	struct nlattr *head;
	int len;

	if (nlh->nlmsg_len < NLMSG_LENGTH(hdrlen))
		return -EBADMSG;
	head = nlmsg_attrdata(nlh, hdrlen);
	len = nlmsg_attrlen(nlh, hdrlen);
	if (!attrs_fill(head, len) || nla_parse(tb, max, head, len, policy) < 0)
		return -EBADMSG;
	return 0;
}

uint8_t nfnl_family(const struct nlmsghdr *nlh)
{
	return ((const struct nfgenmsg *)NLMSG_DATA(nlh))->nfgen_family;
}

int nfnl_nested(struct nlattr **tb, int max, struct nlattr *nest, const struct nla_policy *policy)
{
	return nla_parse_nested(tb, max, nest, policy) < 0 ? -EBADMSG : 0;
}
