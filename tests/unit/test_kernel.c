/* SPDX-License-Identifier: MIT */
/* kernel_version_parse on the release strings distributions really ship,
 * and inspect_kernel on a fabricated proc tree. */
#include <errno.h>
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

#include "fixture.h"
#include "inspect/kernel.h"

static void assert_parses(const char *release, unsigned major, unsigned minor, unsigned patch)
{
	struct kernel_version v = {99, 99, 99};

	if (kernel_version_parse(release, &v) != 0)
		fail_msg("\"%s\" was rejected", release);
	if (v.major != major || v.minor != minor || v.patch != patch)
		fail_msg("\"%s\" parsed as %u.%u.%u, expected %u.%u.%u", release, v.major, v.minor,
			 v.patch, major, minor, patch);
}

static void assert_rejected(const char *release)
{
	struct kernel_version v = {7, 7, 7};

	if (kernel_version_parse(release, &v) != -EINVAL)
		fail_msg("\"%s\" was not rejected with -EINVAL", release);
	/* a rejected string leaves the caller's version alone */
	assert_int_equal(v.major, 7);
	assert_int_equal(v.minor, 7);
	assert_int_equal(v.patch, 7);
}

static void test_parse_distribution_releases(void **state)
{
	(void)state;
	assert_parses("6.1.0-18-amd64", 6, 1, 0);	   /* Debian 12 */
	assert_parses("5.15.0-1051-aws", 5, 15, 0);	   /* Ubuntu on AWS */
	assert_parses("4.9.337+", 4, 9, 337);		   /* Raspberry Pi OS */
	assert_parses("3.10.0-1160.el7.x86_64", 3, 10, 0); /* CentOS 7 */
	assert_parses("6.8", 6, 8, 0);			   /* no patch level */
	assert_parses("6.18.44-fc-v769", 6, 18, 44);
	assert_parses("4.12.0-rc3", 4, 12, 0);
}

static void test_parse_rejects_garbage(void **state)
{
	(void)state;
	assert_rejected("");
	assert_rejected("abc");
	assert_rejected("6");
	assert_rejected("6.x");
	assert_rejected("600.1.0");
}

static void test_parse_option(void **state)
{
	struct kernel_version v = {7, 7, 7};

	(void)state;
	assert_int_equal(kernel_version_parse_option("6.1.0-18-amd64", &v), 0);
	assert_int_equal(v.major, 6);
	assert_int_equal(v.minor, 1);
	assert_int_equal(v.patch, 0);
	assert_int_equal(kernel_version_parse_option("4.9", &v), 0);
	assert_int_equal(kernel_version_parse_option("3.10.0-1160.el7.x86_64", &v), 0);
	assert_int_equal(v.patch, 0);
	/* a fourth number was silently dropped: 5.5.5.5 judged as 5.5.5 */
	v.patch = 7;
	assert_int_equal(kernel_version_parse_option("5.5.5.5", &v), -EINVAL);
	assert_int_equal(kernel_version_parse_option("5.5.5.5-1-amd64", &v), -EINVAL);
	assert_int_equal(kernel_version_parse_option(" 5.5", &v), -EINVAL);
	assert_int_equal(kernel_version_parse_option("+5.5", &v), -EINVAL);
	assert_int_equal(kernel_version_parse_option("5", &v), -EINVAL);
	assert_int_equal(kernel_version_parse_option("", &v), -EINVAL);
	assert_int_equal(v.patch, 7);
	/* a host's release keeps its leniency: a 2.6 stable update's fourth
	 * number is below what twtune compares */
	assert_parses("2.6.32.27", 2, 6, 32);
}

static struct kernel_version version(unsigned major, unsigned minor, unsigned patch)
{
	struct kernel_version v = {major, minor, patch};
	return v;
}

static int cmp(struct kernel_version a, struct kernel_version b)
{
	return kernel_version_cmp(&a, &b);
}

static void test_cmp_orders_numerically(void **state)
{
	(void)state;
	assert_true(cmp(version(6, 1, 0), version(6, 8, 0)) < 0);
	assert_true(cmp(version(6, 8, 0), version(6, 1, 0)) > 0);
	/* 10 > 9: numbers, not strings */
	assert_true(cmp(version(3, 10, 0), version(3, 9, 0)) > 0);
	/* the major number decides before the others */
	assert_true(cmp(version(5, 15, 200), version(6, 0, 0)) < 0);
	assert_true(cmp(version(4, 9, 337), version(4, 9, 3)) > 0);
	assert_true(cmp(version(4, 9, 3), version(4, 9, 337)) < 0);
	assert_int_equal(cmp(version(6, 1, 0), version(6, 1, 0)), 0);
}

static void test_cmp_of_parsed_releases(void **state)
{
	struct kernel_version debian, ubuntu;

	(void)state;
	assert_int_equal(kernel_version_parse("6.1.0-18-amd64", &debian), 0);
	assert_int_equal(kernel_version_parse("5.15.0-1051-aws", &ubuntu), 0);
	assert_true(kernel_version_cmp(&ubuntu, &debian) < 0);
	assert_true(kernel_version_code(&ubuntu) < kernel_version_code(&debian));
}

static void test_inspect_reads_osrelease(void **state)
{
	struct fixture *fx = *state;
	struct tw_facts *f = &fx->facts;

	fixture_write(fx->root, "sys/kernel/osrelease", "6.1.0-18-amd64\n");
	assert_int_equal(inspect_kernel(fx->root, NULL, f), 0);
	assert_true(f->release_known);
	assert_string_equal(f->release, "6.1.0-18-amd64");
	assert_true(f->version_known);
	assert_false(f->version_overridden);
	assert_int_equal(f->version.major, 6);
	assert_int_equal(f->version.minor, 1);
	assert_int_equal(f->version.patch, 0);
	assert_int_equal(f->error_count, 0);
}

static void test_inspect_missing_osrelease(void **state)
{
	struct fixture *fx = *state;
	struct tw_facts *f = &fx->facts;
	char path[PATH_MAX + 32];

	fixture_mkdir(fx->root, "sys/kernel");
	assert_int_equal(inspect_kernel(fx->root, NULL, f), -ENOENT);
	assert_false(f->release_known);
	assert_false(f->version_known);
	assert_int_equal(f->error_count, 1);
	assert_string_equal(f->errors[0].what, "kernel");
	fixture_join(path, sizeof(path), fx->root, "sys/kernel/osrelease");
	assert_non_null(strstr(f->errors[0].message, path));
}

static void test_inspect_unparsable_release(void **state)
{
	struct fixture *fx = *state;
	struct tw_facts *f = &fx->facts;

	fixture_write(fx->root, "sys/kernel/osrelease", "custom-build\n");
	assert_int_equal(inspect_kernel(fx->root, NULL, f), -EINVAL);
	/* the release is still worth showing, the version is not known */
	assert_true(f->release_known);
	assert_string_equal(f->release, "custom-build");
	assert_false(f->version_known);
	assert_non_null(fixture_find_error(f, "kernel", "\"custom-build\""));
}

static void test_inspect_override_keeps_release(void **state)
{
	struct fixture *fx = *state;
	struct tw_facts *f = &fx->facts;

	fixture_write(fx->root, "sys/kernel/osrelease", "6.1.0-18-amd64\n");
	assert_int_equal(inspect_kernel(fx->root, "5.4.0", f), 0);
	assert_string_equal(f->release, "6.1.0-18-amd64");
	assert_true(f->version_known);
	assert_true(f->version_overridden);
	assert_int_equal(f->version.major, 5);
	assert_int_equal(f->version.minor, 4);
	assert_int_equal(f->version.patch, 0);
	assert_int_equal(f->error_count, 0);
}

static void test_inspect_override_without_osrelease(void **state)
{
	struct fixture *fx = *state;
	struct tw_facts *f = &fx->facts;

	assert_int_equal(inspect_kernel(fx->root, "4.19.0", f), -ENOENT);
	assert_false(f->release_known);
	assert_true(f->version_known);
	assert_true(f->version_overridden);
	assert_int_equal(f->version.major, 4);
	assert_int_equal(f->version.minor, 19);
	assert_non_null(fixture_find_error(f, "kernel", "sys/kernel/osrelease"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_distribution_releases),
		cmocka_unit_test(test_parse_rejects_garbage),
		cmocka_unit_test(test_parse_option),
		cmocka_unit_test(test_cmp_orders_numerically),
		cmocka_unit_test(test_cmp_of_parsed_releases),
		cmocka_unit_test_setup_teardown(test_inspect_reads_osrelease, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_inspect_missing_osrelease, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_inspect_unparsable_release, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_inspect_override_keeps_release, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_inspect_override_without_osrelease,
						fixture_setup, fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
