/* SPDX-License-Identifier: MIT */
#include "apply/privilege.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "inspect/procfs.h"
#include "inspect/sysctl.h"

static bool has_effective(cap_value_t cap)
{
	cap_flag_value_t v = CAP_CLEAR;
	cap_t caps = cap_get_proc();

	if (!caps)
		return false;
	cap_get_flag(caps, cap, CAP_EFFECTIVE, &v);
	cap_free(caps);
	return v == CAP_SET;
}

static int check_keys(const struct plan *p, const char *proc_root, char *err, size_t errlen)
{
	const struct txn_record *r = &p->record;
	int rc;

	/* with the real /proc, privilege_precheck has seen to CAP_NET_ADMIN */
	if (procfs_is_live(proc_root))
		return 0;
	for (unsigned i = 0; i < r->change_count; i++)
		if ((rc = sysctl_writable(proc_root, r->changes[i].key, err, errlen)) < 0)
			return rc;
	return 0;
}

int privilege_check(const struct plan *p, const char *proc_root, char *err, size_t errlen)
{
	int r;

	if ((r = check_keys(p, proc_root, err, errlen)) < 0)
		return r;
	if (p->file_change && access(p->record.persist_dir, W_OK | X_OK) < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot write the sysctl.d directory %s: %s%s",
			 p->record.persist_dir, strerror(errno),
			 errno == ENOENT ? " (--sysctl-d DIR chooses another, --no-persist none)"
					 : "");
		return r;
	}
	return 0;
}

/* The directory itself if it exists, else the nearest parent that does:
 * that is what must be writable to create it. */
static int writable_or_creatable(const char *dir)
{
	char path[4096];
	char *slash;

	snprintf(path, sizeof(path), "%s", dir);
	for (;;) {
		if (access(path, F_OK) == 0)
			return access(path, W_OK | X_OK) == 0 ? 0 : -errno;
		if (!(slash = strrchr(path, '/')) || slash == path)
			return access("/", W_OK | X_OK) == 0 ? 0 : -errno;
		*slash = '\0';
	}
}

int privilege_precheck(const char *proc_root, const char *state_dir, char *err, size_t errlen)
{
	int r;

	if (procfs_is_live(proc_root) && !has_effective(CAP_NET_ADMIN)) {
		snprintf(err, errlen,
			 "changing net sysctls needs CAP_NET_ADMIN, which this process "
			 "lacks (run twtune apply as root)");
		return -EPERM;
	}
	if ((r = writable_or_creatable(state_dir)) < 0) {
		snprintf(err, errlen,
			 "cannot write the state directory %s: %s (--state-dir DIR "
			 "chooses another)",
			 state_dir, strerror(-r));
		return r;
	}
	return 0;
}

int drop_capabilities(void)
{
	static const cap_value_t keep[] = {CAP_NET_ADMIN, CAP_DAC_OVERRIDE};
	cap_t now = cap_get_proc(), next = cap_init();
	int r = 0;

	if (!now || !next) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		cap_flag_value_t permitted = CAP_CLEAR;

		cap_get_flag(now, keep[i], CAP_PERMITTED, &permitted);
		if (permitted != CAP_SET)
			continue;
		cap_set_flag(next, CAP_PERMITTED, 1, &keep[i], CAP_SET);
		cap_set_flag(next, CAP_EFFECTIVE, 1, &keep[i], CAP_SET);
	}
	if (cap_set_proc(next) < 0)
		r = -errno;
out:
	if (now)
		cap_free(now);
	if (next)
		cap_free(next);
	return r;
}
