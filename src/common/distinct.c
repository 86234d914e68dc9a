/* SPDX-License-Identifier: MIT */
#include "common/distinct.h"

#include <math.h>
#include <string.h>

#define REGISTER_BITS 12 /* 2^12 = DISTINCT_REGISTERS */

void distinct_init(struct distinct_count *d)
{
	memset(d, 0, sizeof(*d));
}

void distinct_add_hash(struct distinct_count *d, uint64_t h)
{
	uint32_t reg = (uint32_t)(h >> (64 - REGISTER_BITS));
	uint64_t rest = h << REGISTER_BITS;
	/* the position of the first 1 bit in the remaining 52 bits */
	uint8_t rank = rest ? (uint8_t)(__builtin_clzll(rest) + 1) : 64 - REGISTER_BITS + 1;

	if (rank > d->registers[reg])
		d->registers[reg] = rank;
}

uint64_t distinct_estimate(const struct distinct_count *d)
{
	const double m = DISTINCT_REGISTERS, alpha = 0.7213 / (1 + 1.079 / m);
	double sum = 0, estimate;
	unsigned zeros = 0;

	for (unsigned i = 0; i < DISTINCT_REGISTERS; i++) {
		sum += ldexp(1.0, -d->registers[i]);
		zeros += d->registers[i] == 0;
	}
	estimate = alpha * m * m / sum;
	/* small counts: linear counting over the empty registers is better */
	if (estimate <= 2.5 * m && zeros)
		estimate = m * log(m / zeros);
	return (uint64_t)llround(estimate);
}
