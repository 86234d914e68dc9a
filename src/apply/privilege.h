/* Privilege, checked before anything is written, and shed after. */
#ifndef TWTUNE_PRIVILEGE_H
#define TWTUNE_PRIVILEGE_H

#include <stddef.h>

#include "apply/plan.h"

/* Can this process do what plan P needs: write the keys (net sysctls need
 * CAP_NET_ADMIN; under --proc DIR, write access to the files), the
 * sysctl.d directory and the state directory? 0, or -EPERM / -EACCES with
 * ERR saying what is missing. */
int privilege_check(const struct plan *p, const char *proc_root, const char *state_dir, char *err,
		    size_t errlen);

/* Before the lock (whose file is the first thing written): may this
 * process change net sysctls at all (CAP_NET_ADMIN, with the real /proc),
 * and write the state directory (or create it)? 0 or -EPERM / -EACCES. */
int privilege_precheck(const char *proc_root, const char *state_dir, char *err, size_t errlen);

/* Keep only CAP_NET_ADMIN and CAP_DAC_OVERRIDE (effective and permitted,
 * when held); everything else goes, inheritable included. 0 or -errno. */
int drop_capabilities(void);

#endif
