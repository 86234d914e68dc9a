/* SPDX-License-Identifier: MIT */
/* One apply or rollback at a time per network namespace, whatever state
 * directory each was given.
 *
 * The lock is an flock(2) on LOCK_DIR/apply.NS.lock (NS as the journal
 * names the namespace, made one path component: net:[4026531993] becomes
 * net__4026531993_). LOCK_DIR is /run/twtune: a tmpfs, so nothing outlives
 * a boot, and a directory that must be the effective user's and writable
 * by no one else, so no other user can take the lock first and hold root's
 * runs off. The kernel releases an flock when its holder exits however it
 * ends; the file only names the last holder's pid, for the message of a
 * run that waits. */
#ifndef TWTUNE_LOCK_H
#define TWTUNE_LOCK_H

#include <stddef.h>

#define LOCK_DIR TWTUNE_RUNSTATEDIR "/twtune"

/* Take the lock of namespace NS in DIR (NULL: LOCK_DIR), waiting up to
 * WAIT_MS. Returns the lock's descriptor (close it to release), or a
 * negative errno with ERR saying who holds it (-EBUSY) or what is wrong
 * (-EPERM: DIR or the file is not the effective user's alone). */
int take_lock(const char *dir, const char *ns, unsigned wait_ms, char *err, size_t errlen);

#endif
