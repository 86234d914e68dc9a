/* One apply or rollback at a time per network namespace. */
#ifndef TWTUNE_LOCK_H
#define TWTUNE_LOCK_H

#include <stddef.h>

/* Take STATE_DIR/lock.NS (flock), waiting up to WAIT_MS. Returns the lock's
 * descriptor (close it to release), or a negative errno with ERR saying
 * who holds it or what failed. */
int take_lock(const char *state_dir, const char *ns, unsigned wait_ms, char *err, size_t errlen);

#endif
