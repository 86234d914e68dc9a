/* SPDX-License-Identifier: MIT */
#include "engine/rules.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/confdirs.h"
#include "common/trust.h"
#include "engine/rules_internal.h"

static const char *section_suffix(enum section_kind section)
{
	return section == SECTION_RULE ? ".rule" : ".profile";
}

/* Rules and profiles decide what root writes: they are loaded only from
 * directories twtune trusts, and each file only if it is a regular file
 * of root's (or the user's) that no one else may write (common/trust.h).
 * In such a directory no one else can swap the file once judged. */
static int load_file(enum section_kind section, const char *dir, const char *name,
		     struct rule_set *set, struct rule_errors *errors)
{
	char path[PATH_MAX], why[512];
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path)) {
		rules_add_error(errors, "%s/%s: path too long", dir, name);
		return -ENAMETOOLONG;
	}
	/* a symlink an administrator made in a trusted directory is followed,
	 * and its target judged; one to /dev/null masks the name */
	if ((fd = trust_open(dir, name, true, why, sizeof(why))) == -ENODEV)
		return 0;
	if (fd < 0) {
		rules_add_error(errors, "%s; twtune loads %s only from files no one else may write",
				why, section == SECTION_RULE ? "rules" : "profiles");
		return fd;
	}
	close(fd);
	return rules_read_file(section, path, set, errors);
}

/* DIR, unless it is missing (the caller's to judge), must be trusted. */
static int trusted(const char *dir, enum section_kind section, struct rule_errors *errors)
{
	char why[512];
	int r = trust_dir(dir, true, why, sizeof(why));

	if (r < 0 && r != -ENOENT)
		rules_add_error(errors,
				"%s; twtune loads %s only from directories no one else may "
				"write",
				why, section == SECTION_RULE ? "rules" : "profiles");
	return r;
}

/* Directory indexes in LIST: the override comes first, so that its files
 * mask the shipped ones of the same name. */
enum { DIR_OVERRIDE, DIR_SHIPPED };

static int load_dirs(enum section_kind section, const char *shipped, const char *override,
		     struct rule_set *set, struct rule_errors *errors)
{
	const char *suffix = section_suffix(section);
	struct conf_files list = {0};
	int r, r_override = 0, failed = 0;

	memset(set, 0, sizeof(*set));
	memset(errors, 0, sizeof(*errors));
	if ((r = trusted(shipped, section, errors)) < 0 && r != -ENOENT)
		return r;
	/* an override that cannot be trusted is reported and not read; the
	 * shipped files still load */
	if (override && (r = trusted(override, section, errors)) < 0 && r != -ENOENT) {
		override = NULL;
		failed = 1;
	}
	if (override)
		r_override = conf_files_add_dir(&list, override, DIR_OVERRIDE, suffix);
	if ((r = conf_files_add_dir(&list, shipped, DIR_SHIPPED, suffix)) < 0) {
		rules_add_error(errors, "%s: cannot read the %s directory: %s", shipped,
				section == SECTION_RULE ? "rules" : "profiles", strerror(-r));
		conf_files_free(&list);
		return r;
	}
	if (r_override < 0 && r_override != -ENOENT) {
		rules_add_error(errors, "%s: %s", override, strerror(-r_override));
		failed = 1;
	}
	/* In file-name order: a local file stands in for the shipped file of
	 * the same name. */
	conf_files_sort(&list);
	for (size_t i = 0; i < list.count; i++) {
		const struct conf_file *file = &list.items[i];

		if (load_file(section, file->dir == DIR_OVERRIDE ? override : shipped, file->name,
			      set, errors) < 0)
			failed = 1;
	}
	conf_files_free(&list);
	return failed || errors->count ? -EINVAL : 0;
}

int rules_load(const char *shipped, const char *override, struct rule_set *set,
	       struct rule_errors *errors)
{
	return load_dirs(SECTION_RULE, shipped, override, set, errors);
}

int profiles_load(const char *shipped, const char *override, struct rule_set *set,
		  struct rule_errors *errors)
{
	return load_dirs(SECTION_PROFILE, shipped, override, set, errors);
}
