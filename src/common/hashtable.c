/* SPDX-License-Identifier: MIT */
#include "common/hashtable.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The slot holding KEY, or the empty one where it would go. */
static void *find_slot(const struct hashtable *t, const void *key, uint32_t *index)
{
	uint32_t mask = t->size - 1;
	uint32_t i = hashtable_hash(key, t->key_size) & mask;

	for (;;) {
		uint8_t *e = t->entries + (size_t)i * t->entry_size;
		if (!t->used[i] || memcmp(e, key, t->key_size) == 0) {
			*index = i;
			return e;
		}
		i = (i + 1) & mask;
	}
}

static int grow(struct hashtable *t, uint32_t new_size)
{
	struct hashtable bigger = *t;

	bigger.entries = calloc(new_size, t->entry_size);
	bigger.used = calloc(new_size, 1);
	if (!bigger.entries || !bigger.used) {
		free(bigger.entries);
		free(bigger.used);
		return -ENOMEM;
	}
	bigger.size = new_size;
	for (uint32_t i = 0; i < t->size; i++) {
		const uint8_t *old = hashtable_slot(t, i);
		uint32_t at;
		void *e;

		if (!old)
			continue;
		e = find_slot(&bigger, old, &at);
		memcpy(e, old, t->entry_size);
		bigger.used[at] = 1;
	}
	free(t->entries);
	free(t->used);
	*t = bigger;
	return 0;
}

int hashtable_init(struct hashtable *t, size_t entry_size, size_t key_size, uint32_t initial,
		   uint32_t max_size)
{
	memset(t, 0, sizeof(*t));
	t->entry_size = entry_size;
	t->key_size = key_size;
	t->max_size = max_size;
	return grow(t, initial);
}

void hashtable_free(struct hashtable *t)
{
	free(t->entries);
	free(t->used);
	t->entries = t->used = NULL;
	t->size = t->count = 0;
}

void *hashtable_get(struct hashtable *t, const void *key)
{
	bool may_insert = true;
	uint32_t at;
	uint8_t *e;

	/* Past half load the table doubles; at its cap it fills to three
	 * quarters, which still leaves every probe sequence short. */
	if (t->count * 2 >= t->size) {
		if (t->size >= t->max_size)
			may_insert = t->count * 4 < t->size * 3;
		else
			may_insert = grow(t, t->size * 2) == 0 || t->count * 4 < t->size * 3;
	}
	e = find_slot(t, key, &at);
	if (t->used[at])
		return e;
	if (!may_insert)
		return NULL;
	memset(e, 0, t->entry_size);
	memcpy(e, key, t->key_size);
	t->used[at] = 1;
	t->count++;
	return e;
}
