/* SPDX-License-Identifier: MIT */
#include "inspect/nlerr.h"

#include <errno.h>
#include <netlink/errno.h>

/* libnl errors are its own small numbers; map them back to errno so the
 * callers can read the kernel's answer in its own terms. libnl folds
 * ENOBUFS (socket buffer overrun) into NLE_NOMEM with ENOMEM; both leave a
 * dump cut short, so both read as ENOBUFS. */
int nl_errno(int nlerr)
{
	switch (-nlerr) {
	case NLE_PERM: return -EPERM;
	case NLE_NOACCESS: return -EACCES;
	case NLE_INVAL: return -EINVAL;
	case NLE_OBJ_NOTFOUND: return -ENOENT;
	case NLE_OPNOTSUPP: return -EOPNOTSUPP;
	case NLE_AF_NOSUPPORT: return -EAFNOSUPPORT;
	case NLE_PROTO_MISMATCH: return -EPROTONOSUPPORT;
	case NLE_DUMP_INTR: return -EINTR;
	case NLE_NOMEM: return -ENOBUFS;
	default: return -EIO;
	}
}
