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
#include <stdlib.h>
#include <string.h>

#include "sysctld/sysctld.h"

/* Where systemd's ordered hashmap holds the entry that assignment LAST (the
 * last one of its key) left: a key moves to the end only when its value
 * changes, so it is the start of the final run of equal values. */
static size_t hashmap_position(const struct sysctl_config *c, size_t last)
{
	const struct sysctl_assignment *a = &c->assignments[last];
	size_t position = last;

	for (size_t i = last; i-- > 0;) {
		const struct sysctl_assignment *b = &c->assignments[i];

		if (strcmp(b->key, a->key) != 0)
			continue;
		if ((a->value == NULL) != (b->value == NULL) ||
		    (a->value && strcmp(a->value, b->value) != 0))
			break;
		position = i;
	}
	return position;
}

static bool is_last_of_key(const struct sysctl_config *c, size_t i)
{
	for (size_t j = i + 1; j < c->count; j++)
		if (strcmp(c->assignments[j].key, c->assignments[i].key) == 0)
			return false;
	return true;
}

const struct sysctl_assignment *sysctld_effective(const struct sysctl_config *c, const char *key)
{
	const struct sysctl_assignment *exact = NULL, *glob = NULL;
	size_t glob_position = 0;
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
		if (exact || fnmatch(a->key, wanted, FNM_PATHNAME | FNM_PERIOD) != 0 ||
		    !is_last_of_key(c, i) || !a->value)
			continue;
		if (!glob || hashmap_position(c, i) > glob_position) {
			glob = a;
			glob_position = hashmap_position(c, i);
		}
	}
	free(wanted);
	if (exact)
		return exact->value ? exact : NULL;
	return glob;
}
