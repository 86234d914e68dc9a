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

/* Does VAR name STEP, and this the call it names? */
static bool hook_matches(const char *var, const char *step, unsigned call)
{
	const char *spec = getenv(var);
	size_t n = strlen(step);
	uint64_t want = 1;
	int r;

	if (!spec || strncmp(spec, step, n) != 0 || (spec[n] != '\0' && spec[n] != ':'))
		return false;
	/* a count that is no count matches no call, and the test that set it
	 * is told why its fault never came */
	if (spec[n] == ':' && (r = strict_uint(spec + n + 1, 1, UINT_MAX, &want)) < 0) {
		char message[160];

		strict_uint_error(r, var, spec + n + 1, 1, UINT_MAX, message, sizeof(message));
		fprintf(stderr, "twtune: %s\n", message);
		return false;
	}
	return call == want;
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
