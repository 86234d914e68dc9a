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

struct hashtable {
	uint8_t *entries;
	uint8_t *used; /* one byte per slot: 1 when it holds an entry */
	size_t entry_size, key_size;
	uint32_t size, count, max_size;
};

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
