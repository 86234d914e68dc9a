/* SPDX-License-Identifier: MIT */
/* Which assignment wins for a key, as systemd-sysctl decides it.
 *
 * Checked against systemd's src/sysctl/sysctl.c (v246 to v258) and
 * sysctl.d(5):
 *
 * - An explicit key always beats a glob, whatever their order ("Keys for
 *   which an explicit pattern exists will be excluded from any glob
 *   matching", sysctl.d(5)); between globs the later entry in systemd's
 *   ordered hashmap wins, and an entry moves to the end only when its value
 *   changes. sysctld_effective() reproduces exactly this. */
#include <fnmatch.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sysctld/internal.h"
#include "sysctld/sysctld.h"

/* Among the matching globs (sorted by key, then order), the winner: for
 * each key its last assignment, unless that one unsets it; placed where
 * systemd's ordered hashmap holds it, which is the start of the final run
 * of equal values (an entry moves to the end only when its value
 * changes); the one placed last wins. Every assignment of a matching
 * glob's key matches too, so the runs are all here. */
static const struct sysctl_assignment *glob_winner(const struct sysctld_placed *m, size_t n)
{
	const struct sysctl_assignment *winner = NULL;
	size_t winner_position = 0;

	for (size_t end = 0; end < n;) {
		size_t start = end, placed;

		while (end < n && strcmp(m[end].a->key, m[start].a->key) == 0)
			end++;
		if (!m[end - 1].a->value)
			continue;
		placed = m[sysctld_entry_start(m, start, end)].position;
		if (!winner || placed > winner_position) {
			winner = m[end - 1].a;
			winner_position = placed;
		}
	}
	return winner;
}

/* One pass over the assignments, then a sort of the globs that match:
 * linear in the configuration (plus n log n in the matching globs), so
 * lint can ask for every key of a file of 40,000 lines. */
const struct sysctl_assignment *sysctld_effective(const struct sysctl_config *c, const char *key)
{
	const struct sysctl_assignment *exact = NULL, *glob = NULL;
	struct sysctld_placed *matches = NULL;
	size_t count = 0, capacity = 0;
	char *wanted = sysctld_normalize_key(key);

	if (!wanted)
		return NULL;
	for (size_t i = 0; i < c->count; i++) {
		const struct sysctl_assignment *a = &c->assignments[i];

		if (!a->is_glob) {
			if (strcmp(a->key, wanted) == 0)
				exact = a;
			continue;
		}
		/* glob(3) over /proc/sys: '*' stops at '/' and skips leading dots. */
		if (exact || fnmatch(a->key, wanted, FNM_PATHNAME | FNM_PERIOD) != 0)
			continue;
		if (count == capacity) {
			size_t more = capacity ? capacity * 2 : 16;
			struct sysctld_placed *grown = realloc(matches, more * sizeof(*grown));

			if (!grown) {
				free(matches);
				free(wanted);
				return NULL;
			}
			matches = grown;
			capacity = more;
		}
		matches[count++] = (struct sysctld_placed){.a = a, .position = i};
	}
	free(wanted);
	if (exact) {
		free(matches);
		return exact->value ? exact : NULL;
	}
	if (count) {
		qsort(matches, count, sizeof(*matches), sysctld_by_key_then_position);
		glob = glob_winner(matches, count);
	}
	free(matches);
	return glob;
}
