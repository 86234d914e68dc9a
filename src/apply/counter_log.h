/* SPDX-License-Identifier: MIT */
/* The TCP counters a run read, kept for the next run: a counter since boot
 * (TCPTimeWaitOverflow, TWKilled, ...) says nothing about now, but its
 * growth since the previous run does. One file per namespace,
 * STATE_DIR/counters/NS.json, written atomically, read as untrusted input:
 * a regular file of this user's that nobody else may write, for this
 * namespace and this boot, or it is ignored and said so. */
#ifndef TWTUNE_COUNTER_LOG_H
#define TWTUNE_COUNTER_LOG_H

#include <stdbool.h>

#include "inspect/facts.h"

/* When F has no rates (no --sample), fill them from the previous run's
 * counters in STATE_DIR for namespace NS: per second over the time
 * between the runs. Either way F->rates.note says why there are none. */
void counter_log_rates(const char *state_dir, const char *ns, struct tw_facts *f);

/* Keep F's counters for the next run. CREATE: make the directories when
 * they do not exist (apply, which writes the state directory anyway);
 * otherwise only where STATE_DIR already exists (check leaves no trace on
 * a host that never ran apply: -ENOENT, nothing said). The state and
 * counters directories must be this user's alone. 0, -ENOENT, -ENODATA
 * (no boot id to tie them to), or -errno with ERR naming what failed. */
int counter_log_save(const char *state_dir, const char *ns, const struct tw_facts *f, bool create,
		     char *err, size_t errlen);

#endif
