/* SPDX-License-Identifier: MIT */
/* The directory-precedence helper behind sysctl.d, rules and profiles: the
 * first directory that holds a name provides it, whatever the entry is;
 * the result is in name order; hidden names and other suffixes are not
 * configuration; a missing directory is the caller's to judge. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

/* cmocka.h needs these included before it */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include "common/confdirs.h"
#include "fixture.h"

/* A tree, the directories to gather from it in precedence order, and what
 * the list must then hold, in order. Lists end with NULL. */
struct gather_case {
	const char *files[8]; /* under the fixture; a trailing '/' makes a directory */
	const char *dirs[4];
	const char *suffix;
	struct {
		const char *name;
		size_t dir;
	} expected[8];
};

static void join(char *buf, size_t size, const char *root, const char *rel)
{
	int n = snprintf(buf, size, "%s/%s", root, rel);

	if (n < 0 || (size_t)n >= size)
		fail_msg("path too long: %s/%s", root, rel);
}

static void make_tree(const struct fixture *fx, const char *const *files)
{
	for (size_t i = 0; files[i]; i++) {
		char rel[PATH_MAX];
		size_t n = strlen(files[i]);

		snprintf(rel, sizeof(rel), "%s", files[i]);
		if (n && rel[n - 1] == '/') {
			rel[n - 1] = '\0';
			fixture_mkdir(fx->root, rel);
		} else {
			fixture_write(fx->root, rel, "");
		}
	}
}

static void check_gather(const struct fixture *fx, const struct gather_case *c)
{
	struct conf_files list = {0};
	size_t n = 0;

	make_tree(fx, c->files);
	for (size_t i = 0; c->dirs[i]; i++) {
		char dir[PATH_MAX];

		join(dir, sizeof(dir), fx->root, c->dirs[i]);
		assert_int_equal(conf_files_add_dir(&list, dir, i, c->suffix), 0);
	}
	conf_files_sort(&list);
	for (; c->expected[n].name; n++) {
		assert_true(n < list.count);
		assert_string_equal(list.items[n].name, c->expected[n].name);
		assert_int_equal(list.items[n].dir, c->expected[n].dir);
	}
	assert_int_equal(list.count, n);
	conf_files_free(&list);
	assert_null(list.items);
	assert_int_equal(list.count, 0);
}

static void test_first_directory_wins(void **state)
{
	static const struct gather_case c = {
		.files = {"etc/50-a.conf", "run/50-a.conf", "run/60-b.conf", "usr/60-b.conf",
			  "usr/70-c.conf"},
		.dirs = {"etc", "run", "usr"},
		.suffix = ".conf",
		.expected = {{"50-a.conf", 0}, {"60-b.conf", 1}, {"70-c.conf", 2}},
	};

	check_gather(*state, &c);
}

/* A directory of the name masks too: the name decides, not the entry. */
static void test_masking_by_name(void **state)
{
	static const struct gather_case c = {
		.files = {"etc/10-x.conf/", "etc/20-y.conf", "usr/10-x.conf", "usr/20-y.conf"},
		.dirs = {"etc", "usr"},
		.suffix = ".conf",
		.expected = {{"10-x.conf", 0}, {"20-y.conf", 0}},
	};

	check_gather(*state, &c);
}

/* strcmp order across directories: digits, then upper case, then lower. */
static void test_sorted_by_name(void **state)
{
	static const struct gather_case c = {
		.files = {"first/b.rule", "first/9.rule", "second/a.rule", "second/Z.rule",
			  "second/10.rule"},
		.dirs = {"first", "second"},
		.suffix = ".rule",
		.expected = {{"10.rule", 1},
			     {"9.rule", 0},
			     {"Z.rule", 1},
			     {"a.rule", 1},
			     {"b.rule", 0}},
	};

	check_gather(*state, &c);
}

/* A hidden file neither counts nor masks. */
static void test_hidden_names_skipped(void **state)
{
	static const struct gather_case c = {
		.files = {"etc/.a.conf", "etc/.conf", "usr/.a.conf", "usr/a.conf"},
		.dirs = {"etc", "usr"},
		.suffix = ".conf",
		.expected = {{"a.conf", 1}},
	};

	check_gather(*state, &c);
}

/* The suffix ends the name, and a name that is only the suffix is none. */
static void test_suffix(void **state)
{
	static const struct gather_case c = {
		.files = {"d/a.profile", "d/a.profile.bak", "d/b.rule", "d/profile", "d/xprofile"},
		.dirs = {"d"},
		.suffix = "profile",
		.expected = {{"a.profile", 0}, {"xprofile", 0}},
	};

	check_gather(*state, &c);
}

/* -ENOENT and -ENOTDIR leave the list as it was: whether they matter is
 * the caller's to say (sysctl.d directories are mostly absent). */
static void test_missing_directory(void **state)
{
	struct fixture *fx = *state;
	struct conf_files list = {0};
	char path[PATH_MAX];

	fixture_write(fx->root, "file", "");
	join(path, sizeof(path), fx->root, "nowhere");
	assert_int_equal(conf_files_add_dir(&list, path, 0, ".conf"), -ENOENT);
	join(path, sizeof(path), fx->root, "file");
	assert_int_equal(conf_files_add_dir(&list, path, 0, ".conf"), -ENOTDIR);
	assert_int_equal(list.count, 0);
	conf_files_free(&list);
}

#define TREE_TEST(fn) cmocka_unit_test_setup_teardown(fn, fixture_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TREE_TEST(test_first_directory_wins),
		TREE_TEST(test_masking_by_name),
		TREE_TEST(test_sorted_by_name),
		TREE_TEST(test_hidden_names_skipped),
		TREE_TEST(test_suffix),
		TREE_TEST(test_missing_directory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
