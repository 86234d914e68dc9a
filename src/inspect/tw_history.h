/* SPDX-License-Identifier: MIT */
/* The last minute of closes, read from the TIME_WAIT timers the census
 * streams by (facts.h, struct tw_history): one subtraction and one
 * increment per socket, no memory per socket. */
#ifndef TWTUNE_TW_HISTORY_H
#define TWTUNE_TW_HISTORY_H

#include <stdint.h>

#include "inspect/facts.h"

/* The second since a TIME_WAIT socket with REMAINING_MS left on its timer
 * entered TIME_WAIT: 60 - remaining, in whole seconds, 0..59. */
unsigned tw_history_age(uint64_t remaining_ms);

/* Count one TIME_WAIT socket with REMAINING_MS left into H. */
void tw_history_add(struct tw_history *h, uint64_t remaining_ms);

/* The rates, the peak and the trend from H's seconds. */
void tw_history_finish(struct tw_history *h);

/* F's census timers against its sampled counters (F->timers_check):
 * known only for a --sample that ended at the census, on 5.18 or later. */
void tw_history_check_counters(struct tw_facts *f);

#endif
