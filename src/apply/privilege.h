/* SPDX-License-Identifier: MIT */
/* Privilege, checked before anything is written, and shed after. */
#ifndef TWTUNE_PRIVILEGE_H
#define TWTUNE_PRIVILEGE_H

#include <stddef.h>

#include "apply/plan.h"

/* What plan P needs beyond privilege_precheck (which the lock came after):
 * write access to the keys' files under --proc DIR, and to the sysctl.d
 * directory when the file changes. 0, or -errno with ERR saying what is
 * missing. */
int privilege_check(const struct plan *p, const char *proc_root, char *err, size_t errlen);

/* Before the lock (whose file is the first thing written): may this
 * process change net sysctls at all (CAP_NET_ADMIN, with the real /proc),
 * and write the state directory (or create it)? 0 or -EPERM / -EACCES. */
int privilege_precheck(const char *proc_root, const char *state_dir, char *err, size_t errlen);

/* Keep only CAP_NET_ADMIN and CAP_DAC_OVERRIDE (effective and permitted,
 * when held); everything else goes, inheritable included. 0 or -errno. */
int drop_capabilities(void);

#endif
