/* SPDX-License-Identifier: MIT */
/* nfnetlink replies built as the kernel sends them, for the tests of the
 * parsers that read them in place (test_nat.c, test_snat.c). Include after
 * <cmocka.h>. */
#ifndef TWTUNE_TEST_NFMSG_H
#define TWTUNE_TEST_NFMSG_H

#include <netlink/msg.h>
#include <stdint.h>

/* A dump reply of TYPE ((subsystem << 8) | message) for FAMILY with its
 * struct nfgenmsg, as nfnl_fill_hdr builds it; the caller appends the
 * attributes and frees it. */
struct nl_msg *nfmsg_reply(int type, uint8_t family);

#endif
