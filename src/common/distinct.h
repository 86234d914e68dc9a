/* SPDX-License-Identifier: MIT */
/* How many distinct keys a stream holds, in fixed memory: HyperLogLog
 * (Flajolet, Fusy, Gandouet and Meunier, "HyperLogLog: the analysis of a
 * near-optimal cardinality estimation algorithm", AofA 2007) with 2^12
 * one-byte registers and a 64-bit hash, with the linear-counting
 * correction for small counts. The relative standard error is
 * 1.04 / sqrt(4096), about 1.6%: within 5% in practice for every count. */
#ifndef TWTUNE_DISTINCT_H
#define TWTUNE_DISTINCT_H

#include <stddef.h>
#include <stdint.h>

#define DISTINCT_REGISTERS 4096

struct distinct_count {
	uint8_t registers[DISTINCT_REGISTERS];
};

void distinct_init(struct distinct_count *d);

/* Count a key by its 64-bit hash (hash64_bytes() in common/hashtable.h),
 * again if it was seen: that changes nothing. */
void distinct_add_hash(struct distinct_count *d, uint64_t hash);

/* The estimated number of distinct keys added. */
uint64_t distinct_estimate(const struct distinct_count *d);

#endif
