/* SPDX-License-Identifier: MIT */
#ifndef TWTUNE_CLASSIFY_H
#define TWTUNE_CLASSIFY_H

#include "inspect/facts.h"

/* Thresholds, documented in twtune(1) under CLASSIFICATION. */
#define CLASSIFY_IDLE_RATE 1.0	   /* connections per second */
#define CLASSIFY_HEAVY_SHARE 0.75  /* share of one direction */
#define CLASSIFY_BUSY_PRESSURE 0.5 /* a host this short of ports is never idle */

/* Worst connect() pressure: most ports toward one (local address, remote
 * address, remote port) over the range size; negative when unknown. */
double connect_pressure(const struct tw_facts *f);
/* bind() pressure: distinct local ports in use over the range size. */
double bind_pressure(const struct tw_facts *f);

/* Fill f->classification from the sampled open rates when there are any,
 * else from the TIME_WAIT split of the census. */
void classify_host(struct tw_facts *f);

#endif
