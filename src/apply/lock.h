/* One apply or rollback at a time per network namespace, whatever state
 * directory each was given.
 *
 * The lock is a Unix socket bound to the abstract name
 * "twtune/apply/NS" (NS as the journal names the namespace: net:[INODE],
 * or proc:DIR for a --proc tree). Abstract names live in the network
 * namespace itself, so the lock is exactly as wide as what apply changes;
 * nothing on disk can go stale, the kernel releases it when the holder
 * exits however it ends, and `ss -xlp | grep twtune/apply` shows who holds
 * it. */
#ifndef TWTUNE_LOCK_H
#define TWTUNE_LOCK_H

#include <stddef.h>

/* Take the lock of namespace NS, waiting up to WAIT_MS. Returns the lock's
 * descriptor (close it to release), or a negative errno with ERR saying
 * who holds it (-EBUSY) or what failed. */
int take_lock(const char *ns, unsigned wait_ms, char *err, size_t errlen);

#endif
