/* SPDX-License-Identifier: MIT */
#include "apply/hooks.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/strutil.h"

static unsigned count_call(struct test_hooks *h, const char *step)
{
	for (int i = 0; i < TEST_HOOK_STEPS; i++) {
		if (!h->counters[i].step[0])
			snprintf(h->counters[i].step, sizeof(h->counters[i].step), "%s", step);
		if (strcmp(h->counters[i].step, step) == 0)
			return ++h->counters[i].calls;
	}
	return 0;
}

/* Does VAR name STEP, and this the call it names? VAR holds one or more
 * STEP[:N] separated by commas. */
static bool hook_matches(const char *var, const char *step, unsigned call)
{
	const char *spec = getenv(var);
	size_t n = strlen(step);

	for (const char *item = spec; item && *item;
	     item = strchr(item, ',') ? strchr(item, ',') + 1 : NULL) {
		size_t len = strchr(item, ',') ? (size_t)(strchr(item, ',') - item) : strlen(item);
		uint64_t want = 1;
		int r;

		if (strncmp(item, step, n) != 0 ||
		    (item[n] != '\0' && item[n] != ':' && item[n] != ','))
			continue;
		/* a count that is no count matches no call, and the test that
		 * set it is told why its fault never came */
		if (item[n] == ':' &&
		    (r = strict_uint_n(item + n + 1, len - n - 1, 1, UINT_MAX, &want)) < 0) {
			char message[160], count[24];

			snprintf(count, sizeof(count), "%.*s", (int)(len - n - 1), item + n + 1);
			strict_uint_error(r, var, count, 1, UINT_MAX, message, sizeof(message));
			fprintf(stderr, "twtune: %s\n", message);
			continue;
		}
		if (call == want)
			return true;
	}
	return false;
}

bool test_fault(struct test_hooks *h, const char *step)
{
	return hook_matches("TWTUNE_TEST_FAULT", step, count_call(h, step));
}

void test_pause(struct test_hooks *h, const char *step)
{
	char name[32];

	snprintf(name, sizeof(name), "pause-%s", step);
	if (!hook_matches("TWTUNE_TEST_PAUSE", step, count_call(h, name)))
		return;
	fprintf(stderr, "twtune: test pause %s\n", step);
	fflush(stderr);
	sleep(60);
}
