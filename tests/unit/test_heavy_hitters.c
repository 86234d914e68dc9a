/* SPDX-License-Identifier: MIT */
/* The fixed-memory stream summaries the census counts with: Space-Saving's
 * guarantees (common/heavy_hitters.h) on streams with a known truth, and
 * HyperLogLog's estimate (common/distinct.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cmocka.h needs these included before it */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include "common/distinct.h"
#include "common/hashtable.h"
#include "common/heavy_hitters.h"

/* An entry: the key, then what the caller counts since the key entered. */
struct item {
	uint32_t key;
	uint32_t seen;
};

static struct item *add(struct heavy_hitters *h, uint32_t key)
{
	struct item *it = hh_add(h, &key, hash64_bytes(&key, sizeof(key)));

	assert_non_null(it);
	assert_int_equal(it->key, key);
	it->seen++;
	return it;
}

static struct item *find(const struct heavy_hitters *h, uint32_t key)
{
	return hh_find(h, &key, hash64_bytes(&key, sizeof(key)));
}

/* A deterministic generator, so a failure can be replayed. */
static uint32_t next_random(uint64_t *state)
{
	*state = *state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*state >> 33);
}

/* Every guarantee of heavy_hitters.h against TRUTH (occurrences per key,
 * KEYS keys): tracked above the floor, counts bracketing the truth, the
 * caller's count exactly count - error, errors at most the floor, the
 * floor at most N / capacity, and the order of the buckets. */
static void assert_guarantees(const struct heavy_hitters *h, const uint32_t *truth, uint32_t keys)
{
	uint64_t floor = hh_floor(h), total = 0, smallest = UINT64_MAX;

	for (uint32_t k = 0; k < keys; k++)
		total += truth[k];
	assert_int_equal(h->total, total);
	assert_true(floor * h->capacity <= total);
	for (uint32_t k = 0; k < keys; k++) {
		const struct item *it = find(h, k);

		if (!it) {
			if (truth[k] > floor)
				fail_msg("key %u occurred %u times, above the floor %llu, and "
					 "is not tracked",
					 k, truth[k], (unsigned long long)floor);
			continue;
		}
		assert_true(hh_count(h, it) >= truth[k]);
		assert_true(hh_count(h, it) - hh_error(h, it) <= truth[k]);
		assert_int_equal(it->seen, hh_count(h, it) - hh_error(h, it));
		assert_true(hh_error(h, it) <= floor);
		if (hh_error(h, it) == 0)
			assert_int_equal(it->seen, truth[k]);
	}
	for (uint32_t i = 0; i < h->used; i++) {
		uint64_t c = hh_count(h, hh_entry(h, i));
		if (c < smallest)
			smallest = c;
	}
	if (h->used == h->capacity)
		assert_int_equal(smallest, floor);
}

/* Fewer keys than entries: every count exact, nothing estimated. */
static void test_exact_below_capacity(void **state)
{
	struct heavy_hitters h;
	uint32_t truth[100] = {0};

	(void)state;
	assert_int_equal(hh_init(&h, sizeof(struct item), sizeof(uint32_t), 128), 0);
	for (uint32_t round = 0; round < 50; round++)
		for (uint32_t k = 0; k < 100; k++)
			if (k % 7 <= round % 7) {
				add(&h, k);
				truth[k]++;
			}
	assert_false(hh_saturated(&h));
	assert_int_equal(hh_floor(&h), 0);
	assert_int_equal(h.used, 100);
	for (uint32_t k = 0; k < 100; k++) {
		const struct item *it = find(&h, k);
		assert_non_null(it);
		assert_int_equal(hh_error(&h, it), 0);
		assert_int_equal(hh_count(&h, it), truth[k]);
		assert_int_equal(it->seen, truth[k]);
	}
	assert_null(find(&h, 100));
	assert_guarantees(&h, truth, 100);
	hh_free(&h);
}

/* Many more keys than entries, in random order, with a few heavy ones:
 * the guarantees hold at every checkpoint, and memory stays what init
 * allocated. */
static void test_guarantees_when_saturated(void **state)
{
	const uint32_t keys = 20000, capacity = 256;
	uint32_t *truth = calloc(keys, sizeof(*truth));
	struct heavy_hitters h;
	uint64_t rng = 11;
	uint8_t *entries;

	(void)state;
	assert_non_null(truth);
	assert_int_equal(hh_init(&h, sizeof(struct item), sizeof(uint32_t), capacity), 0);
	entries = h.entries;
	for (uint32_t n = 1; n <= 200000; n++) {
		uint32_t r = next_random(&rng), k;

		/* keys 0-4 take a fifth of the stream; the rest is spread */
		k = r % 5 == 0 ? (r / 5) % 5 : 5 + (r / 5) % (keys - 5);
		add(&h, k);
		truth[k]++;
		if (n % 50000 == 0)
			assert_guarantees(&h, truth, keys);
	}
	assert_true(hh_saturated(&h));
	assert_int_equal(h.used, capacity);
	assert_ptr_equal(h.entries, entries); /* nothing grew */
	for (uint32_t k = 0; k < 5; k++)
		assert_non_null(find(&h, k));
	hh_free(&h);
	free(truth);
}

/* A key that enters after the table is full and then takes more than
 * N / capacity is tracked; its count overestimates by at most the floor,
 * and what the caller counted is exactly its occurrences since. One that
 * was there from the start, and heavy, is exact. */
static void test_heavy_key_late_and_early(void **state)
{
	const uint32_t capacity = 64;
	uint32_t truth[5000] = {0};
	struct heavy_hitters h;
	const struct item *late, *early;

	(void)state;
	assert_int_equal(hh_init(&h, sizeof(struct item), sizeof(uint32_t), capacity), 0);
	for (uint32_t i = 0; i < 3000; i++) {
		add(&h, 0); /* heavy from the first occurrence */
		truth[0]++;
		add(&h, 10 + i % 4000); /* a crowd of light keys */
		truth[10 + i % 4000]++;
	}
	for (uint32_t i = 0; i < 2000; i++) {
		add(&h, 1); /* heavy, but only once the table is full */
		truth[1]++;
		add(&h, 10 + (3000 + i) % 4000);
		truth[10 + (3000 + i) % 4000]++;
	}
	assert_true(hh_saturated(&h));
	assert_guarantees(&h, truth, 5000);
	early = find(&h, 0);
	late = find(&h, 1);
	assert_non_null(early);
	assert_non_null(late);
	assert_int_equal(hh_error(&h, early), 0);
	assert_int_equal(early->seen, 3000);
	assert_int_equal(late->seen, 2000);
	assert_int_equal(hh_count(&h, late) - hh_error(&h, late), 2000);
	assert_true(hh_error(&h, late) <= hh_floor(&h));
	hh_free(&h);
}

/* Keys all distinct: every one is evicted in turn, and the index still
 * finds exactly the keys the table holds (deletion without tombstones). */
static void test_index_after_evictions(void **state)
{
	const uint32_t capacity = 100, keys = 30000;
	struct heavy_hitters h;
	uint32_t found = 0;

	(void)state;
	assert_int_equal(hh_init(&h, sizeof(struct item), sizeof(uint32_t), capacity), 0);
	for (uint32_t k = 0; k < keys; k++)
		add(&h, k * 2654435761u);
	assert_int_equal(h.evictions, keys - capacity);
	assert_int_equal(hh_floor(&h), keys / capacity);
	for (uint32_t i = 0; i < h.used; i++) {
		const struct item *it = hh_entry(&h, i);
		assert_ptr_equal(find(&h, it->key), it);
	}
	for (uint32_t k = 0; k < keys; k++)
		found += find(&h, k * 2654435761u) != NULL;
	assert_int_equal(found, capacity);
	hh_free(&h);
}

/* HyperLogLog: exact-ish when small, within 5% at every size tried. */
static void test_distinct_estimate(void **state)
{
	static const uint32_t sizes[] = {0, 1, 10, 1000, 50000, 600000};
	struct distinct_count d;

	(void)state;
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		uint64_t estimate;

		distinct_init(&d);
		for (uint32_t round = 0; round < 2; round++) /* repeats change nothing */
			for (uint32_t k = 0; k < sizes[s]; k++)
				distinct_add_hash(&d, hash64_bytes(&k, sizeof(k)));
		estimate = distinct_estimate(&d);
		if (sizes[s] <= 10)
			assert_int_equal(estimate, sizes[s]);
		else if (estimate * 100 < sizes[s] * 95ull || estimate * 100 > sizes[s] * 105ull)
			fail_msg("%u distinct keys estimated at %llu", sizes[s],
				 (unsigned long long)estimate);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_below_capacity),
		cmocka_unit_test(test_guarantees_when_saturated),
		cmocka_unit_test(test_heavy_key_late_and_early),
		cmocka_unit_test(test_index_after_evictions),
		cmocka_unit_test(test_distinct_estimate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
