#include "apply/hooks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
		unsigned want = 1;

		if (strncmp(item, step, n) != 0 ||
		    (item[n] != '\0' && item[n] != ':' && item[n] != ','))
			continue;
		if (item[n] == ':')
			want = (unsigned)strtoul(item + n + 1, NULL, 10);
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
