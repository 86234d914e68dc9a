/* SPDX-License-Identifier: MIT */
/* Whether an established socket negotiated TCP timestamps, from the
 * struct tcp_info that sock_diag appends (INET_DIAG_INFO) when the dump
 * asks for it: every kind of TIME_WAIT reuse needs the peer's timestamp
 * (tcp_twsk_unique() refuses when tw_ts_recent_stamp is 0), so a peer or
 * a middlebox that strips them makes tcp_tw_reuse useless toward it. */
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/tcp.h>
#include <stddef.h>
#include <stdint.h>

#include "inspect/census.h"

int census_diag_timestamps(const struct nlmsghdr *nlh)
{
	/* the attributes follow the message, each 4-byte aligned */
	size_t at = NLMSG_LENGTH(NLMSG_ALIGN(sizeof(struct inet_diag_msg)));
	const size_t options_end = offsetof(struct tcp_info, tcpi_options) + 1;

	while (at + NLA_HDRLEN <= nlh->nlmsg_len) {
		const struct nlattr *a = (const struct nlattr *)((const char *)nlh + at);

		if (a->nla_len < NLA_HDRLEN || a->nla_len > nlh->nlmsg_len - at)
			return -1; /* malformed: stop, never read past the message */
		if ((a->nla_type & NLA_TYPE_MASK) == INET_DIAG_INFO) {
			/* one byte read where it lies: the attribute is only
			 * 4-byte aligned, struct tcp_info wants 8 */
			const uint8_t *info = (const uint8_t *)a + NLA_HDRLEN;

			/* older kernels send a shorter struct; tcpi_options
			 * has been there since the first */
			if ((size_t)a->nla_len - NLA_HDRLEN < options_end)
				return -1;
			return (info[offsetof(struct tcp_info, tcpi_options)] &
				TCPI_OPT_TIMESTAMPS) != 0;
		}
		at += NLA_ALIGN(a->nla_len);
	}
	return -1;
}
