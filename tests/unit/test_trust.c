/* SPDX-License-Identifier: MIT */
/* What twtune trusts on disk: root's or its own, writable by no one else,
 * of the expected type; symlinks refused where asked; a FIFO judged
 * without blocking. Each refusal names the path and what is wrong. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* cmocka.h needs these included before it */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include "common/trust.h"
#include "fixture.h"

static void assert_contains(const char *text, const char *part)
{
	if (!strstr(text, part))
		fail_msg("\"%s\" does not contain \"%s\"", text, part);
}

static void test_directories(void **state)
{
	struct fixture *fx = *state;
	char dir[PATH_MAX], link[PATH_MAX], why[512] = "";

	fixture_join(dir, sizeof(dir), fx->root, "d");
	fixture_join(link, sizeof(link), fx->root, "l");
	assert_int_equal(trust_dir(dir, false, why, sizeof(why)), -ENOENT);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(trust_dir(dir, false, why, sizeof(why)), 0);
	assert_int_equal(chmod(dir, 0755), 0);
	assert_int_equal(trust_dir(dir, false, why, sizeof(why)), 0);
	assert_int_equal(chmod(dir, 01777), 0); /* like /tmp: sticky is no defence here */
	assert_int_equal(trust_dir(dir, false, why, sizeof(why)), -EPERM);
	assert_contains(why, "/d is writable by group or others (mode 1777)");
	assert_int_equal(chmod(dir, 0770), 0);
	assert_int_equal(trust_dir(dir, false, why, sizeof(why)), -EPERM);
	assert_int_equal(chmod(dir, 0700), 0);

	/* a symlink: resolved when asked, else refused */
	assert_int_equal(symlink(dir, link), 0);
	assert_int_equal(trust_dir(link, true, why, sizeof(why)), 0);
	assert_int_equal(trust_dir(link, false, why, sizeof(why)), -EPERM);
	assert_contains(why, "/l is a symlink, not a directory");

	/* a file where a directory should be */
	fixture_write(fx->root, "f", "x");
	fixture_join(dir, sizeof(dir), fx->root, "f");
	assert_int_equal(trust_dir(dir, false, why, sizeof(why)), -EPERM);
	assert_contains(why, "/f is a regular file, not a directory");
}

static void test_files(void **state)
{
	struct fixture *fx = *state;
	char path[PATH_MAX], why[512] = "", *data;
	size_t len;

	fixture_write(fx->root, "ok", "hello\n");
	assert_int_equal(trust_read(fx->root, "ok", 100, &data, &len, why, sizeof(why)), 0);
	assert_int_equal(len, 6);
	assert_string_equal(data, "hello\n");
	free(data);
	assert_int_equal(trust_read(fx->root, "ok", 3, &data, &len, why, sizeof(why)), -EFBIG);
	assert_null(data);
	assert_int_equal(trust_read(fx->root, "none", 100, &data, &len, why, sizeof(why)), -ENOENT);

	fixture_join(path, sizeof(path), fx->root, "ok");
	assert_int_equal(chmod(path, 0664), 0);
	assert_int_equal(trust_read(fx->root, "ok", 100, &data, &len, why, sizeof(why)), -EPERM);
	assert_contains(why, "/ok is writable by group or others (mode 0664)");
	assert_int_equal(chmod(path, 0644), 0);

	/* another user's file, when this test can make one */
	if (geteuid() == 0) {
		assert_int_equal(chown(path, 65534, 65534), 0);
		assert_int_equal(trust_read(fx->root, "ok", 100, &data, &len, why, sizeof(why)),
				 -EPERM);
		assert_contains(why, "/ok belongs to uid 65534");
	}

	/* a FIFO: judged at once, never waited on */
	fixture_join(path, sizeof(path), fx->root, "fifo");
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(trust_read(fx->root, "fifo", 100, &data, &len, why, sizeof(why)), -EPERM);
	assert_contains(why, "/fifo is a FIFO, not a regular file");

	/* a symlink, even to a good file: not followed */
	fixture_write(fx->root, "good", "x");
	fixture_join(path, sizeof(path), fx->root, "link");
	assert_int_equal(symlink("good", path), 0);
	assert_int_equal(trust_read(fx->root, "link", 100, &data, &len, why, sizeof(why)), -EPERM);
	assert_contains(why, "/link is a symlink, not a regular file");

	/* a device */
	assert_int_equal(trust_read("/dev", "null", 100, &data, &len, why, sizeof(why)), -EPERM);
	assert_contains(why, "/dev/null is a character device, not a regular file");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_directories, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_files, fixture_setup, fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
