/* SPDX-License-Identifier: MIT */
/* sysctl.d directories, loaded the way systemd-sysctl loads them.
 *
 * Checked against systemd's src/sysctl/sysctl.c (v246 to v258),
 * src/basic/conf-files.c, sysctl.d(5), and procps-ng's sysctl.c
 * (`sysctl --system`). Where the tools differ:
 *
 * - systemd-sysctl never reads /etc/sysctl.conf (Debian links
 *   /etc/sysctl.d/99-sysctl.conf to it instead); procps' `sysctl --system`
 *   applies the same sysctl.d directories, then /etc/sysctl.conf last when
 *   it exists. WITH_SYSCTL_CONF follows procps, and a file reached both ways
 *   is read twice, as `sysctl --system` does.
 * - Masking is by file name only: systemd-sysctl lists entries without
 *   checking their type (conf_files_list_strv(..., CONF_FILES_WARN)), so an
 *   empty file, a link to /dev/null, a dangling link and a directory named
 *   "x.conf" all hide a same-named file in a later directory. The first two
 *   then contribute nothing and are not problems; the last two are
 *   SYSCTL_PROBLEM_UNREADABLE here (systemd skips a dangling link silently
 *   and fails reading the directory). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "common/confdirs.h"
#include "sysctld/internal.h"

static const char *const sysctld_standard_dirs[] = {
	"/etc/sysctl.d",     "/run/sysctl.d", "/usr/local/lib/sysctl.d",
	"/usr/lib/sysctl.d", "/lib/sysctl.d", NULL,
};

/* Read the entry PATH of a tree under ROOT (ROOT + PATH in messages). A
 * link that ends at /dev/null is a mask; MISSING_OK: an absent file is no
 * problem (procps skips a missing /etc/sysctl.conf). */
static int read_in_root(struct sysctl_config *c, const char *root, const char *path,
			const char *name, bool missing_ok)
{
	char shown[PATH_MAX], resolved[PATH_MAX], open_path[PATH_MAX];
	int r;

	if ((size_t)snprintf(shown, sizeof(shown), "%s%s", root, path) >= sizeof(shown))
		return sysctld_add_problem(c, SYSCTL_PROBLEM_UNREADABLE, path, 0, "path too long");
	r = sysctld_chase(root, path, resolved, sizeof(resolved));
	if (r == 1 && strcmp(resolved, "/dev/null") == 0)
		return 0;
	if (r == 1 && missing_ok)
		return 0;
	if (r != 0)
		return sysctld_add_unreadable(c, shown, r == 1 ? -ENOENT : r);
	if ((size_t)snprintf(open_path, sizeof(open_path), "%s%s", root, resolved) >=
	    sizeof(open_path))
		return sysctld_add_problem(c, SYSCTL_PROBLEM_UNREADABLE, shown, 0, "path too long");
	/* sysctld_chase() resolved every link: one appearing now is a race, not
	 * ours to follow. */
	return sysctld_read_opened(c, open_path, shown, name, O_NOFOLLOW);
}

/* Add DIR_PATH's configuration files to LIST, unless a file of the same
 * name is there already (from a directory of higher precedence). A
 * directory that is not there is no problem: most of the standard ones
 * are absent on any one system. */
static int list_dir(struct sysctl_config *c, const char *dir_path, const char *shown, size_t dir,
		    struct conf_files *list)
{
	int r = conf_files_add_dir(list, dir_path, dir, ".conf");

	if (r == 0 || r == -ENOENT || r == -ENOTDIR)
		return 0;
	return r == -ENOMEM ? r : sysctld_add_unreadable(c, shown, r);
}

static void strip_root(const char *root, char *buf, size_t size)
{
	size_t n;

	snprintf(buf, size, "%s", root ? root : "");
	n = strlen(buf);
	while (n > 0 && buf[n - 1] == '/')
		buf[--n] = '\0';
}

int sysctld_load_system(const char *root_arg, bool with_sysctl_conf, struct sysctl_config *out)
{
	struct conf_files list = {0};
	dev_t devs[8];
	ino_t inodes[8];
	size_t seen = 0;
	char root[PATH_MAX];
	struct stat st;
	int r = 0;

	memset(out, 0, sizeof(*out));
	strip_root(root_arg, root, sizeof(root));
	if (root[0]) {
		int err = stat(root, &st) < 0 ? errno : S_ISDIR(st.st_mode) ? 0 : ENOTDIR;

		if (err)
			return sysctld_add_problem(out, SYSCTL_PROBLEM_UNREADABLE, root, 0,
						   "cannot use as root: %s", strerror(err));
	}

	for (size_t i = 0; sysctld_standard_dirs[i] && r == 0; i++) {
		char shown[PATH_MAX], resolved[PATH_MAX], dir_path[PATH_MAX];
		bool same = false;
		int k;

		if ((size_t)snprintf(shown, sizeof(shown), "%s%s", root,
				     sysctld_standard_dirs[i]) >= sizeof(shown)) {
			r = sysctld_add_problem(out, SYSCTL_PROBLEM_UNREADABLE, root, 0,
						"path too long");
			continue;
		}
		k = sysctld_chase(root, sysctld_standard_dirs[i], resolved, sizeof(resolved));
		if (k == 1 || k == -ENOTDIR)
			continue;
		if (k < 0) {
			r = sysctld_add_unreadable(out, shown, k);
			continue;
		}
		if ((size_t)snprintf(dir_path, sizeof(dir_path), "%s%s", root, resolved) >=
		    sizeof(dir_path)) {
			r = sysctld_add_problem(out, SYSCTL_PROBLEM_UNREADABLE, shown, 0,
						"path too long");
			continue;
		}
		if (stat(dir_path, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		/* Merged /usr: /lib/sysctl.d is /usr/lib/sysctl.d, already listed. */
		for (size_t j = 0; j < seen && !same; j++)
			same = devs[j] == st.st_dev && inodes[j] == st.st_ino;
		if (same)
			continue;
		devs[seen] = st.st_dev;
		inodes[seen++] = st.st_ino;
		r = list_dir(out, dir_path, shown, i, &list);
	}
	if (r < 0)
		goto out;

	conf_files_sort(&list);
	for (size_t i = 0; i < list.count && r == 0; i++) {
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s/%s", sysctld_standard_dirs[list.items[i].dir],
			 list.items[i].name);
		r = read_in_root(out, root, path, list.items[i].name, false);
	}
	if (r == 0 && with_sysctl_conf)
		r = read_in_root(out, root, "/etc/sysctl.conf", "sysctl.conf", true);
out:
	conf_files_free(&list);
	if (r < 0)
		sysctld_free(out);
	return r;
}

/* One directory given to lint: its configuration files in name order. */
static int read_dir(struct sysctl_config *c, const char *dir_path)
{
	struct conf_files list = {0};
	int r = list_dir(c, dir_path, dir_path, 0, &list);

	if (r == 0)
		conf_files_sort(&list);
	for (size_t i = 0; i < list.count && r == 0; i++) {
		char path[PATH_MAX];

		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir_path, list.items[i].name) >=
		    sizeof(path))
			r = sysctld_add_problem(c, SYSCTL_PROBLEM_UNREADABLE, dir_path, 0,
						"path too long: %s", list.items[i].name);
		else
			r = sysctld_read_opened(c, path, path, list.items[i].name, 0);
	}
	conf_files_free(&list);
	return r;
}

int sysctld_load_paths(const char *const *paths, size_t count, struct sysctl_config *out)
{
	int r = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < count && r == 0; i++) {
		struct stat st;

		if (stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode))
			r = read_dir(out, paths[i]);
		else
			r = sysctld_parse_file(paths[i], out);
	}
	if (r < 0)
		sysctld_free(out);
	return r;
}
