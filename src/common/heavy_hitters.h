/* SPDX-License-Identifier: MIT */
/* The heavy hitters of a stream in a fixed number of counters: Space-Saving
 * (Metwally, Agrawal and El Abbadi, "Efficient computation of frequent and
 * top-k elements in data streams", ICDT 2005). Memory is set once, at
 * init, whatever the number of distinct keys the stream holds.
 *
 * Each entry is a key (the first KEY_SIZE bytes of an ENTRY_SIZE-byte
 * entry; the rest is the caller's, zeroed when the key enters) with a
 * count and an error. While fewer than CAPACITY keys have been seen, every
 * count is exact and every error 0. After that, a key that is not in the
 * table takes the place of the entry with the smallest count m: its count
 * starts at m + 1 and its error at m. With N the occurrences counted and
 * m the smallest count at the end (hh_floor()), these hold:
 *
 *   - m <= N / CAPACITY;
 *   - a key that is not in the table occurred at most m times: every key
 *     that occurred more than m times (so every key with more than
 *     N / CAPACITY) is in the table;
 *   - a key in the table occurred between count - error and count times;
 *     count - error is exactly the occurrences since it last entered, which
 *     is what the caller's figures in the entry count; error <= m;
 *   - an entry whose error is 0 has been in the table since the key first
 *     occurred: its count, and the caller's figures, are exact.
 *
 * One occurrence costs a hash lookup and a move between two buckets of
 * equal counts: O(1). */
#ifndef TWTUNE_HEAVY_HITTERS_H
#define TWTUNE_HEAVY_HITTERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The entries ordered by count: a list of buckets in ascending order of
 * count, each with the entries that have that count (the Stream-Summary of
 * the paper). One more occurrence moves an entry to the next bucket, the
 * smallest count is the first bucket's: O(1) each. */
struct hh_bucket {
	uint64_t count;
	uint32_t first;	     /* an entry with this count */
	uint32_t prev, next; /* buckets with smaller and larger counts */
};

struct heavy_hitters {
	uint8_t *entries; /* CAPACITY entries of ENTRY_SIZE bytes, key first */
	uint64_t *error;
	uint32_t *bucket;	       /* each entry's bucket */
	uint32_t *prev, *next;	       /* the other entries of its bucket, a ring */
	uint32_t *hashes;	       /* each entry's key hash (low 32 bits) */
	struct hh_bucket *buckets;     /* CAPACITY of them, at most one per entry */
	uint32_t *free_buckets;	       /* a stack of unused bucket numbers */
	uint32_t free_count, smallest; /* smallest: the first bucket */
	struct hh_slot {
		uint32_t entry; /* entry number + 1; 0: empty */
		uint32_t hash;	/* the key's hash, so probes and moves skip the key */
	} * index;		/* open addressing, linear probing */
	size_t entry_size, key_size;
	uint32_t capacity, used, index_mask;
	uint64_t total;	    /* N: occurrences counted */
	uint64_t evictions; /* keys that lost their entry to another */
};

/* A table of CAPACITY entries (at least 1). 0 or -ENOMEM. */
int hh_init(struct heavy_hitters *h, size_t entry_size, size_t key_size, uint32_t capacity);
void hh_free(struct heavy_hitters *h);

/* Count one occurrence of KEY, whose hash64_bytes() (common/hashtable.h)
 * is HASH: its entry, entering the table (in a free entry, or in place of
 * the smallest count) with the caller's part zeroed when it is not there.
 * Never NULL. */
void *hh_add(struct heavy_hitters *h, const void *key, uint64_t hash);

/* KEY's entry, or NULL when it is not in the table. Counts nothing. */
void *hh_find(const struct heavy_hitters *h, const void *key, uint64_t hash);

/* Entry I, for 0 <= I < h->used, in no particular order. */
static inline void *hh_entry(const struct heavy_hitters *h, uint32_t i)
{
	return h->entries + (size_t)i * h->entry_size;
}

/* The number of an entry hh_add, hh_find or hh_entry returned. */
static inline uint32_t hh_number(const struct heavy_hitters *h, const void *entry)
{
	return (uint32_t)(((const uint8_t *)entry - h->entries) / h->entry_size);
}

/* An entry's count (an upper bound of its key's occurrences) and error
 * (count - error is a lower bound, exact when error is 0). */
static inline uint64_t hh_count(const struct heavy_hitters *h, const void *entry)
{
	return h->buckets[h->bucket[hh_number(h, entry)]].count;
}

static inline uint64_t hh_error(const struct heavy_hitters *h, const void *entry)
{
	return h->error[hh_number(h, entry)];
}

/* The most occurrences a key not in the table can have had: the smallest
 * count once every entry is taken, else 0 (every key seen is there). */
uint64_t hh_floor(const struct heavy_hitters *h);

/* Some key lost its entry: counts may be estimates (see above). */
static inline bool hh_saturated(const struct heavy_hitters *h)
{
	return h->evictions > 0;
}

#endif
