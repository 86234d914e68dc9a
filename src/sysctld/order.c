/* SPDX-License-Identifier: MIT */
/* The writes systemd-sysctl 252 makes, in its order (src/sysctl/sysctl.c):
 *
 * - parse_file() puts each line into an ordered hashmap keyed by the
 *   normalised key; a line whose value equals the entry's keeps the entry
 *   where it is, another value (or "-KEY", value NULL) removes the entry
 *   and appends a new one at the end.
 * - apply_all() walks the hashmap in order: an entry without a value
 *   writes nothing; an exact key is written (a missing key fails with
 *   ENOENT, logged at info level); a glob is expanded by glob(3) over
 *   /proc/sys (existing files only, sorted) and each match is written
 *   unless the hashmap holds it as a key of its own, whatever that entry's
 *   value ("Not setting %s (explicit setting exists)").
 *
 * So a later "-KEY" cancels an earlier assignment of KEY, and globs that
 * overlap write in hashmap order: the last write wins, unless the kernel
 * refuses it. */
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "sysctld/internal.h"
#include "sysctld/sysctld.h"

bool sysctld_same_value(const struct sysctl_assignment *a, const struct sysctl_assignment *b)
{
	if (!a->value || !b->value)
		return a->value == b->value;
	return strcmp(a->value, b->value) == 0;
}

int sysctld_by_key_then_position(const void *x, const void *y)
{
	const struct sysctld_placed *a = x, *b = y;
	int c = strcmp(a->a->key, b->a->key);

	return c ? c : (a->position > b->position) - (a->position < b->position);
}

static int by_position(const void *x, const void *y)
{
	const struct sysctld_placed *a = x, *b = y;

	return (a->position > b->position) - (a->position < b->position);
}

size_t sysctld_entry_start(const struct sysctld_placed *m, size_t start, size_t end)
{
	size_t first = end - 1;

	while (first > start && sysctld_same_value(m[first - 1].a, m[end - 1].a))
		first--;
	return first;
}

/* M (sorted by key, then position) as the hashmap's final entries, in
 * place: for each key its last line, where its entry stands. */
static size_t final_entries(struct sysctld_placed *m, size_t n)
{
	size_t out = 0;

	for (size_t end = 0; end < n;) {
		size_t start = end;

		while (end < n && strcmp(m[end].a->key, m[start].a->key) == 0)
			end++;
		m[out++] = (struct sysctld_placed){m[end - 1].a,
						   m[sysctld_entry_start(m, start, end)].position};
	}
	return out;
}

static int add_write(struct sysctl_write **out, size_t *count, size_t *capacity,
		     const struct sysctl_assignment *a, size_t key)
{
	if (*count == *capacity) {
		size_t more = *capacity ? *capacity * 2 : 16;
		struct sysctl_write *grown = realloc(*out, more * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		*out = grown;
		*capacity = more;
	}
	(*out)[(*count)++] = (struct sysctl_write){a, key};
	return 0;
}

/* Does A (exact) name one of KEYS? Its index, or -1. */
static long exact_key(const struct sysctl_assignment *a, const char *const *keys, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (strcmp(a->key, keys[k]) == 0)
			return (long)k;
	return -1;
}

static bool glob_matches(const struct sysctl_assignment *a, const char *key)
{
	/* glob(3) over /proc/sys: '*' stops at '/' and skips leading dots */
	return fnmatch(a->key, key, FNM_PATHNAME | FNM_PERIOD) == 0;
}

int sysctld_writes(const struct sysctl_config *c, const char *const *keys, const bool *present,
		   size_t key_count, struct sysctl_write **out, size_t *count)
{
	struct sysctld_placed *m = calloc(c->count ? c->count : 1, sizeof(*m));
	bool *shielded = calloc(key_count ? key_count : 1, sizeof(*shielded));
	size_t n = 0, capacity = 0, *order = calloc(key_count ? key_count : 1, sizeof(*order));
	int r = 0;

	*out = NULL;
	*count = 0;
	if (!m || !shielded || !order) {
		r = -ENOMEM;
		goto out;
	}
	/* the lines that touch KEYS: exact ones, and globs matching a key
	 * that exists (others expand to nothing) */
	for (size_t i = 0; i < c->count; i++) {
		const struct sysctl_assignment *a = &c->assignments[i];
		bool relevant = false;
		long k;

		if (!a->is_glob) {
			if ((k = exact_key(a, keys, key_count)) >= 0)
				relevant = shielded[k] = true;
		} else if (a->value) {
			for (size_t j = 0; j < key_count && !relevant; j++)
				relevant = present[j] && glob_matches(a, keys[j]);
		} else {
			relevant = true; /* "-glob" moves an entry as well */
		}
		if (relevant)
			m[n++] = (struct sysctld_placed){a, i};
	}
	qsort(m, n, sizeof(*m), sysctld_by_key_then_position);
	n = final_entries(m, n);
	qsort(m, n, sizeof(*m), by_position);
	/* glob(3) returns its matches sorted */
	for (size_t k = 0; k < key_count; k++)
		order[k] = k;
	for (size_t k = 1; k < key_count; k++)
		for (size_t j = k; j > 0 && strcmp(keys[order[j - 1]], keys[order[j]]) > 0; j--) {
			size_t t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	for (size_t i = 0; i < n && r == 0; i++) {
		const struct sysctl_assignment *a = m[i].a;

		if (!a->value)
			continue;
		if (!a->is_glob) {
			r = add_write(out, count, &capacity, a,
				      (size_t)exact_key(a, keys, key_count));
			continue;
		}
		for (size_t j = 0; j < key_count && r == 0; j++) {
			size_t k = order[j];

			if (present[k] && !shielded[k] && glob_matches(a, keys[k]))
				r = add_write(out, count, &capacity, a, k);
		}
	}
out:
	if (r < 0) {
		free(*out);
		*out = NULL;
		*count = 0;
	}
	free(m);
	free(shielded);
	free(order);
	return r;
}
