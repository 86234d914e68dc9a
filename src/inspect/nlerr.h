/* SPDX-License-Identifier: MIT */
/* libnl-3 reports its own error numbers; twtune speaks errno. */
#ifndef TWTUNE_NLERR_H
#define TWTUNE_NLERR_H

/* Map a negative libnl error (-NLE_*) to a negative errno. */
int nl_errno(int nlerr);

#endif
