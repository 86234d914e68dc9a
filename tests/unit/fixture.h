/* Helpers shared by the unit tests: a fabricated proc tree in a temporary
 * directory, and a facts struct to inspect it into. Include after
 * <cmocka.h>. */
#ifndef TWTUNE_TEST_FIXTURE_H
#define TWTUNE_TEST_FIXTURE_H

#include <limits.h>
#include <math.h>

#include "inspect/facts.h"

struct fixture {
	char root[PATH_MAX];   /* the fabricated proc root, made by mkdtemp */
	struct tw_facts facts; /* facts_init'ed; freed in teardown */
};

/* For cmocka_unit_test_setup_teardown: *state becomes a struct fixture *
 * with an empty tree under $TMPDIR (or /tmp); teardown removes the tree
 * recursively and frees the facts. */
int fixture_setup(void **state);
int fixture_teardown(void **state);

/* Write CONTENT to ROOT/REL, creating the parent directories. */
void fixture_write(const char *root, const char *rel, const char *content);
/* Create the directory ROOT/REL and its parents. */
void fixture_mkdir(const char *root, const char *rel);
/* Remove ROOT/REL (a file). */
void fixture_unlink(const char *root, const char *rel);

/* The first error recorded in F whose part is WHAT and whose message
 * contains NEEDLE, or NULL. */
const char *fixture_find_error(const struct tw_facts *f, const char *what, const char *needle);

/* Doubles compared to within a millionth, reporting both values. */
#define assert_near(actual, expected)                                                              \
	do {                                                                                       \
		double actual_ = (actual), expected_ = (expected);                                 \
		if (fabs(actual_ - expected_) > 1e-6)                                              \
			fail_msg("%s is %.9g, expected %.9g", #actual, actual_, expected_);        \
	} while (0)

#endif
