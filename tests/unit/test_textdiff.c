/* SPDX-License-Identifier: MIT */
/* Unified diffs of the persisted file, as --diff prints them: each expected
 * text is what GNU diff -u prints for the same two files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cmocka.h needs these included before it */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include "common/textdiff.h"

struct diff_case {
	const char *name;
	const char *a, *b; /* NULL: no file */
	const char *expected;
};

static const struct diff_case cases[] = {
	{"the same text", "x = 1\n", "x = 1\n", ""},
	{"no file either side", NULL, NULL, ""},
	{"a new file", NULL, "# head\nx = 1\n",
	 "--- /dev/null\n+++ f\n@@ -0,0 +1,2 @@\n+# head\n+x = 1\n"},
	{"a file removed", "x = 1\n", NULL, "--- f\n+++ /dev/null\n@@ -1 +0,0 @@\n-x = 1\n"},
	{"a line rewritten in place, with context", "a\nb\nc\nd\ne\nf\ng\nh\n",
	 "a\nb\nc\nd\nE\nf\ng\nh\n",
	 "--- f\n+++ f\n@@ -2,7 +2,7 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n"},
	{"a key added at the end", "a\nb\n", "a\nb\nc = 1\n",
	 "--- f\n+++ f\n@@ -1,2 +1,3 @@\n a\n b\n+c = 1\n"},
	{"two changes far apart: two hunks", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n",
	 "one\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\ntwelve\n",
	 "--- f\n+++ f\n@@ -1,4 +1,4 @@\n-1\n+one\n 2\n 3\n 4\n@@ -9,4 +9,4 @@\n 9\n 10\n 11\n"
	 "-12\n+twelve\n"},
	{"two changes close together: one hunk", "1\n2\n3\n4\n5\n", "one\n2\n3\n4\nfive\n",
	 "--- f\n+++ f\n@@ -1,5 +1,5 @@\n-1\n+one\n 2\n 3\n 4\n-5\n+five\n"},
	{"a last line without a newline", "a\nb", "a\nc",
	 "--- f\n+++ f\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n"
	 "\\ No newline at end of file\n"},
	{"only the final newline taken away", "x\ny\n", "x\ny",
	 "--- f\n+++ f\n@@ -1,2 +1,2 @@\n x\n-y\n+y\n\\ No newline at end of file\n"},
	{"a final newline given, and a line", "x\ny", "x\ny\nz\n",
	 "--- f\n+++ f\n@@ -1,2 +1,3 @@\n x\n-y\n\\ No newline at end of file\n+y\n+z\n"},
	{"lines moved: matched, not replaced", "x\na\nb\nc\n", "a\nb\nc\nx\n",
	 "--- f\n+++ f\n@@ -1,4 +1,4 @@\n-x\n a\n b\n c\n+x\n"},
};

static void test_diffs(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct diff_case *c = &cases[i];
		char *d = text_diff(c->a, c->a ? strlen(c->a) : 0, c->b, c->b ? strlen(c->b) : 0,
				    "f", "f");

		if (!d)
			fail_msg("%s: no diff (out of memory)", c->name);
		if (strcmp(d, c->expected) != 0)
			fail_msg("%s:\n%s\nexpected:\n%s", c->name, d, c->expected);
		free(d);
	}
}

/* A file too long to match line by line still gives a correct diff: the
 * changed middle shown as replaced. */
static void test_large_middle(void **state)
{
	size_t n = 3000, len = 0;
	char *a = malloc(n * 8), *b = malloc(n * 8), *d;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(a + len, "%zu\n", i);
	memcpy(b, a, len + 1);
	a[0] = 'x'; /* the first and the last line differ */
	b[len - 2] = 'y';
	d = text_diff(a, len, b, len, "f", "f");
	assert_non_null(d);
	assert_non_null(strstr(d, "\n-x\n"));
	assert_non_null(strstr(d, "\n+0\n"));
	assert_non_null(strstr(d, "\n+299y\n"));
	/* 3,000 by 3,000 lines between the changes: replaced, not matched */
	assert_non_null(strstr(d, "\n-1500\n"));
	assert_non_null(strstr(d, "\n+1500\n"));
	free(d);
	free(a);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diffs),
		cmocka_unit_test(test_large_middle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
