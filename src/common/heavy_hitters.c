/* SPDX-License-Identifier: MIT */
#include "common/heavy_hitters.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/hashtable.h"

#define NONE UINT32_MAX

int hh_init(struct heavy_hitters *h, size_t entry_size, size_t key_size, uint32_t capacity)
{
	uint32_t index_size = 2;

	memset(h, 0, sizeof(*h));
	if (capacity == 0 || key_size > entry_size || capacity > (1u << 30))
		return -EINVAL;
	/* the index at most half full keeps probe sequences short */
	while (index_size < 2 * capacity)
		index_size *= 2;
	h->entry_size = entry_size;
	h->key_size = key_size;
	h->capacity = capacity;
	h->index_mask = index_size - 1;
	h->smallest = NONE;
	/* calloc: pages a small stream never reaches are never touched */
	h->entries = calloc(capacity, entry_size);
	h->error = calloc(capacity, sizeof(*h->error));
	h->bucket = calloc(capacity, sizeof(*h->bucket));
	h->prev = calloc(capacity, sizeof(*h->prev));
	h->next = calloc(capacity, sizeof(*h->next));
	h->hashes = calloc(capacity, sizeof(*h->hashes));
	h->buckets = calloc(capacity, sizeof(*h->buckets));
	h->free_buckets = calloc(capacity, sizeof(*h->free_buckets));
	h->index = calloc(index_size, sizeof(*h->index));
	if (!h->entries || !h->error || !h->bucket || !h->prev || !h->next || !h->hashes ||
	    !h->buckets || !h->free_buckets || !h->index) {
		hh_free(h);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < capacity; i++)
		h->free_buckets[i] = capacity - 1 - i;
	h->free_count = capacity;
	return 0;
}

void hh_free(struct heavy_hitters *h)
{
	free(h->entries);
	free(h->error);
	free(h->bucket);
	free(h->prev);
	free(h->next);
	free(h->hashes);
	free(h->buckets);
	free(h->free_buckets);
	free(h->index);
	memset(h, 0, sizeof(*h));
}

/* ---- the buckets: entries of equal count, in ascending order */

/* A new bucket of COUNT holding entry E alone, after bucket AFTER (NONE:
 * first). There is always one free: buckets are never empty, and there
 * are as many as entries. */
static void bucket_insert(struct heavy_hitters *h, uint32_t after, uint64_t count, uint32_t e)
{
	uint32_t b = h->free_buckets[--h->free_count];
	struct hh_bucket *nb = &h->buckets[b];

	nb->count = count;
	nb->first = e;
	nb->prev = after;
	nb->next = after == NONE ? h->smallest : h->buckets[after].next;
	if (nb->next != NONE)
		h->buckets[nb->next].prev = b;
	if (after == NONE)
		h->smallest = b;
	else
		h->buckets[after].next = b;
	h->bucket[e] = b;
	h->prev[e] = h->next[e] = e;
}

/* Take entry E out of its bucket, which goes when E was its last. */
static void bucket_remove(struct heavy_hitters *h, uint32_t e)
{
	uint32_t b = h->bucket[e];
	struct hh_bucket *ob = &h->buckets[b];

	if (h->next[e] != e) {
		h->next[h->prev[e]] = h->next[e];
		h->prev[h->next[e]] = h->prev[e];
		if (ob->first == e)
			ob->first = h->next[e];
		return;
	}
	if (ob->prev != NONE)
		h->buckets[ob->prev].next = ob->next;
	else
		h->smallest = ob->next;
	if (ob->next != NONE)
		h->buckets[ob->next].prev = ob->prev;
	h->free_buckets[h->free_count++] = b;
}

/* Put entry E (in no bucket) into bucket B. */
static void bucket_join(struct heavy_hitters *h, uint32_t b, uint32_t e)
{
	uint32_t first = h->buckets[b].first;

	h->bucket[e] = b;
	h->next[e] = first;
	h->prev[e] = h->prev[first];
	h->next[h->prev[first]] = e;
	h->prev[first] = e;
}

/* Entry E's count goes from its bucket's to COUNT (larger): into the
 * bucket of COUNT, made where the order wants it. */
static void move_up(struct heavy_hitters *h, uint32_t e, uint64_t count)
{
	uint32_t b = h->bucket[e], after = b;

	/* alone in its bucket, and the next is not COUNT: the bucket moves */
	if (h->next[e] == e &&
	    (h->buckets[b].next == NONE || h->buckets[h->buckets[b].next].count > count)) {
		h->buckets[b].count = count;
		return;
	}
	while (h->buckets[after].next != NONE && h->buckets[h->buckets[after].next].count <= count)
		after = h->buckets[after].next;
	bucket_remove(h, e);
	if (after != NONE && h->buckets[after].count == count)
		bucket_join(h, after, e);
	else
		bucket_insert(h, after, count, e);
}

/* The index slot holding KEY's entry, or the empty slot where it would go. */
static uint32_t index_slot(const struct heavy_hitters *h, const void *key, uint32_t hash)
{
	uint32_t i = hash & h->index_mask;

	while (h->index[i].entry &&
	       (h->index[i].hash != hash ||
		memcmp(hh_entry(h, h->index[i].entry - 1), key, h->key_size) != 0))
		i = (i + 1) & h->index_mask;
	return i;
}

/* The index slot of entry E (its key's hash is kept: no key compared). */
static uint32_t entry_slot(const struct heavy_hitters *h, uint32_t e)
{
	uint32_t i = h->hashes[e] & h->index_mask;

	while (h->index[i].entry != e + 1)
		i = (i + 1) & h->index_mask;
	return i;
}

/* Empty index slot I, moving back the entries of the probe sequence after
 * it that would no longer be found (deletion without tombstones). */
static void index_remove(struct heavy_hitters *h, uint32_t i)
{
	uint32_t j = i;

	h->index[i].entry = 0;
	for (;;) {
		uint32_t home;

		j = (j + 1) & h->index_mask;
		if (!h->index[j].entry)
			return;
		home = h->index[j].hash & h->index_mask;
		/* the entry at J may fill the hole at I when its home slot is
		 * not cyclically within (I, J] */
		if (((j - home) & h->index_mask) >= ((j - i) & h->index_mask)) {
			h->index[i] = h->index[j];
			h->index[j].entry = 0;
			i = j;
		}
	}
}

void *hh_add(struct heavy_hitters *h, const void *key, uint64_t hash64)
{
	uint32_t hash = (uint32_t)hash64, slot = index_slot(h, key, hash), e;
	uint8_t *entry;

	h->total++;
	if (h->index[slot].entry) {
		e = h->index[slot].entry - 1;
		move_up(h, e, h->buckets[h->bucket[e]].count + 1);
		return hh_entry(h, e);
	}
	if (h->used < h->capacity) {
		e = h->used++;
		h->error[e] = 0;
		/* a count of 1 is the smallest there can be */
		if (h->smallest != NONE && h->buckets[h->smallest].count == 1)
			bucket_join(h, h->smallest, e);
		else
			bucket_insert(h, NONE, 1, e);
	} else {
		/* an entry of the smallest count gives its place up; the
		 * newcomer inherits that count as its possible overestimate */
		uint64_t floor = h->buckets[h->smallest].count;

		e = h->buckets[h->smallest].first;
		index_remove(h, entry_slot(h, e));
		slot = index_slot(h, key, hash); /* the removal may have moved it */
		h->error[e] = floor;
		h->evictions++;
		move_up(h, e, floor + 1);
	}
	entry = hh_entry(h, e);
	memcpy(entry, key, h->key_size);
	memset(entry + h->key_size, 0, h->entry_size - h->key_size);
	h->index[slot].entry = e + 1;
	h->index[slot].hash = hash;
	h->hashes[e] = hash;
	return entry;
}

void *hh_find(const struct heavy_hitters *h, const void *key, uint64_t hash)
{
	uint32_t slot = index_slot(h, key, (uint32_t)hash);

	return h->index[slot].entry ? hh_entry(h, h->index[slot].entry - 1) : NULL;
}

uint64_t hh_floor(const struct heavy_hitters *h)
{
	return h->used == h->capacity ? h->buckets[h->smallest].count : 0;
}
