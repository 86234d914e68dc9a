/* SPDX-License-Identifier: MIT */
/* nfnetlink plumbing shared by the nftables and conntrack readers: a
 * libnl-3 core socket with a large receive buffer, one dump at a time with
 * our own callback, replies parsed in place with nla_parse. No libnl-nf
 * object caches (the census measured libnl's caches at 40 times the
 * kernel's dump time; see DESIGN.md). Functions return 0 or a negative
 * errno. */
#ifndef TWTUNE_NFNL_H
#define TWTUNE_NFNL_H

#include <linux/netfilter/nfnetlink.h>
#include <netlink/attr.h>
#include <netlink/handlers.h>
#include <netlink/msg.h>
#include <stdint.h>

/* A NETLINK_NETFILTER socket ready for dumps. */
int nfnl_open(struct nl_sock **out);

/* A dump request of TYPE ((subsystem << 8) | message) for FAMILY
 * (NFPROTO_UNSPEC: every family), for the caller to add attributes to;
 * NULL when out of memory. */
struct nl_msg *nfnl_request(uint16_t type, uint8_t family);

/* Send MSG (a NULL one is -ENOMEM), free it, and hand every reply to
 * ON_REPLY until the dump ends. -EINTR when the kernel flagged the dump
 * NLM_F_DUMP_INTR (ON_REPLY has still seen every reply); -ENOBUFS when
 * replies were lost; the kernel's own error otherwise. */
int nfnl_dump(struct nl_sock *sk, struct nl_msg *msg, nl_recvmsg_msg_cb_t on_reply, void *arg);

/* Check that NLH holds its struct nfgenmsg and that its attributes fill it
 * exactly, and index them into TB under POLICY (lengths; strings end in
 * NUL). 0 or -EBADMSG. */
int nfnl_attrs(const struct nlmsghdr *nlh, struct nlattr **tb, int max,
	       const struct nla_policy *policy);

/* The same for the attributes nested in NEST. 0 or -EBADMSG. */
int nfnl_nested(struct nlattr **tb, int max, struct nlattr *nest, const struct nla_policy *policy);

/* nfgen_family of a message nfnl_attrs accepted. */
uint8_t nfnl_family(const struct nlmsghdr *nlh);

#endif
