/* SPDX-License-Identifier: MIT */
#include "inspect/kernel.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "inspect/procfs.h"

static int take_number(const char **s, unsigned *out)
{
	unsigned long v;

	if (scan_decimal(s, 1000000, &v) < 0)
		return -EINVAL;
	*out = (unsigned)v;
	return 0;
}

/* The version at the start of RELEASE, and *REST after it. */
static int parse_version(const char *release, struct kernel_version *out, const char **rest)
{
	struct kernel_version v = {0, 0, 0};
	const char *p = release;

	while (*p == ' ' || *p == '\t')
		p++;
	if (take_number(&p, &v.major) < 0 || *p != '.')
		return -EINVAL;
	p++;
	if (take_number(&p, &v.minor) < 0)
		return -EINVAL;
	if (*p == '.' && isdigit((unsigned char)p[1])) {
		p++;
		if (take_number(&p, &v.patch) < 0)
			return -EINVAL;
	}
	if (v.major == 0 || v.major > 99)
		return -EINVAL;
	*out = v;
	*rest = p;
	return 0;
}

int kernel_version_parse(const char *release, struct kernel_version *out)
{
	const char *rest;

	/* What follows is the distribution's business: "-18-amd64", "+",
	 * ".el7.x86_64", "-rc3"; and a 2.6 release's fourth number
	 * ("2.6.32.27", its stable update) is below what twtune compares. */
	return parse_version(release, out, &rest);
}

int kernel_version_parse_option(const char *text, struct kernel_version *out)
{
	struct kernel_version v;
	const char *rest;

	/* What a person types: no blanks before it, and a fourth number
	 * ("5.5.5.5") is a version twtune would not judge by, not a
	 * distribution's suffix. */
	if (!isdigit((unsigned char)text[0]) || parse_version(text, &v, &rest) < 0 ||
	    (*rest == '.' && isdigit((unsigned char)rest[1])))
		return -EINVAL;
	*out = v;
	return 0;
}

int kernel_version_cmp(const struct kernel_version *a, const struct kernel_version *b)
{
	if (a->major != b->major)
		return a->major < b->major ? -1 : 1;
	if (a->minor != b->minor)
		return a->minor < b->minor ? -1 : 1;
	if (a->patch != b->patch)
		return a->patch < b->patch ? -1 : 1;
	return 0;
}

int inspect_kernel(const char *proc_root, const char *override, struct tw_facts *f)
{
	char buf[256];
	long n = procfs_read(proc_root, "sys/kernel/osrelease", buf, sizeof(buf));
	int r = 0;

	if (n < 0) {
		facts_add_error(f, "kernel", "%s/sys/kernel/osrelease: %s", proc_root,
				strerror((int)-n));
		r = (int)n;
	} else {
		str_normalize_blanks(buf);
		snprintf(f->release, sizeof(f->release), "%s", buf);
		f->release_known = true;
		if (kernel_version_parse(buf, &f->version) == 0) {
			f->version_known = true;
		} else {
			facts_add_error(
				f, "kernel",
				"%s/sys/kernel/osrelease: cannot read a version from \"%s\"",
				proc_root, buf);
			r = -EINVAL;
		}
	}
	if (override) {
		/* main() validated it; parse again so this stays self-contained */
		if (kernel_version_parse_option(override, &f->version) < 0)
			return -EINVAL;
		f->version_known = true;
		f->version_overridden = true;
	}
	return r;
}
