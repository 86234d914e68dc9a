/* SPDX-License-Identifier: MIT */
/* A hash table of fixed-size entries for counting as a stream goes by:
 * open addressing with linear probing, entries whose first KEY_SIZE bytes
 * are the key, grown by doubling at half load up to a cap. At the cap a key
 * that is not there yet is refused (the caller flags its figures as lower
 * bounds), so memory never follows the input unbounded. */
#ifndef TWTUNE_HASHTABLE_H
#define TWTUNE_HASHTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct hashtable {
	uint8_t *entries;
	uint8_t *used; /* one byte per slot: 1 when it holds an entry */
	size_t entry_size, key_size;
	uint32_t size, count, max_size;
};

/* FNV-1a over LEN bytes, its high bits folded into the low ones (tables
 * take the low bits). */
static inline uint32_t hashtable_hash(const void *key, size_t len)
{
	const uint8_t *p = key;
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 16777619u;
	return h ^ (h >> 15);
}

/* A 64-bit hash of LEN bytes, eight at a time, each word mixed with
 * splitmix64's finaliser: fast for short keys (an address and a port),
 * and every output bit depends on every input bit. */
static inline uint64_t hash64_mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static inline uint64_t hash64_bytes(const void *key, size_t len)
{
	const uint8_t *p = key;
	uint64_t h = 0x9e3779b97f4a7c15ull * (len + 1), w;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		memcpy(&w, p + i, 8);
		h = hash64_mix(h ^ w);
	}
	if (i < len) {
		w = 0;
		memcpy(&w, p + i, len - i);
		h = hash64_mix(h ^ w ^ 0xff00000000000000ull);
	}
	return h;
}

/* An empty table of INITIAL slots, growing to at most MAX_SIZE (both
 * powers of two). 0 or -ENOMEM. */
int hashtable_init(struct hashtable *t, size_t entry_size, size_t key_size, uint32_t initial,
		   uint32_t max_size);
void hashtable_free(struct hashtable *t);

/* The entry for KEY, inserted zeroed (beyond the key) when new; NULL when
 * the table is at its cap, or out of memory, and KEY is not there. */
void *hashtable_get(struct hashtable *t, const void *key);

/* The entry in slot I (0 <= I < size), or NULL when the slot is empty. */
static inline const void *hashtable_slot(const struct hashtable *t, uint32_t i)
{
	return t->used[i] ? t->entries + (size_t)i * t->entry_size : NULL;
}

#endif
