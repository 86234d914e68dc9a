/* SPDX-License-Identifier: MIT */
#include <linux/netfilter/nfnetlink.h>

/* cmocka.h needs these included before it */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include "nfmsg.h"

struct nl_msg *nfmsg_reply(int type, uint8_t family)
{
	struct nfgenmsg nfg = {.nfgen_family = family, .version = NFNETLINK_V0};
	struct nl_msg *msg = nlmsg_alloc_simple(type, NLM_F_MULTI);

	assert_non_null(msg);
	assert_int_equal(nlmsg_append(msg, &nfg, sizeof(nfg), NLMSG_ALIGNTO), 0);
	return msg;
}
