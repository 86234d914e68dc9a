/* SPDX-License-Identifier: MIT */
#include "apply/counter_log.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/trust.h"
#include "inspect/counters.h"

#define LOG_FILE_MAX (16 * 1024)

static double boottime_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* STATE_DIR/counters and the file's name: the namespace as one path
 * component ("net:[4026531993]" -> "net__4026531993_.json"). */
static int log_path(const char *state_dir, const char *ns, char *dir, size_t dirlen, char *name,
		    size_t namelen)
{
	size_t n;

	if ((size_t)snprintf(dir, dirlen, "%s/counters", state_dir) >= dirlen ||
	    (size_t)snprintf(name, namelen, "%s.json", ns) >= namelen)
		return -ENAMETOOLONG;
	n = strlen(name) - strlen(".json");
	for (size_t i = 0; i < n; i++)
		if (name[i] == '/' || name[i] == ':' || name[i] == '[' || name[i] == ']')
			name[i] = '_';
	return 0;
}

/* The previous run's file, whole, if it can be trusted (common/trust.h).
 * 0, -ENOENT, or -errno with WHY saying what is wrong with it. */
static int read_log(const char *dir, const char *name, char **text, size_t *len, char *why,
		    size_t whylen)
{
	return trust_read(dir, name, LOG_FILE_MAX, text, len, why, whylen);
}

/* The previous reading from TEXT, for namespace NS and boot BOOT_ID:
 * 0, or -EINVAL with WHY. */
static int parse_log(const char *text, size_t len, const char *ns, uint64_t cookie,
		     const char *boot_id, struct counter before[CTR_COUNT], double *at, char *why,
		     size_t whylen)
{
	json_t *doc = json_loadb(text, len, 0, NULL), *counters, *v, *doc_cookie;
	const char *doc_ns, *doc_boot;
	int r = -EINVAL;

	memset(before, 0, sizeof(struct counter) * CTR_COUNT);
	counters = json_object_get(doc, "counters");
	doc_ns = json_string_value(json_object_get(doc, "namespace"));
	doc_boot = json_string_value(json_object_get(doc, "boot_id"));
	v = json_object_get(doc, "boottime");
	doc_cookie = json_object_get(doc, "netns_cookie");
	if (!json_is_object(doc) || !json_is_object(counters) || !doc_ns || !doc_boot ||
	    !json_is_number(v)) {
		snprintf(why, whylen, "not a record of twtune's counters");
		goto out;
	}
	/* the inode of a namespace that is gone may name a new one; the
	 * cookie never does */
	if (strcmp(doc_ns, ns) != 0 || (cookie && json_is_integer(doc_cookie) &&
					(uint64_t)json_integer_value(doc_cookie) != cookie)) {
		snprintf(why, whylen, "a record of another namespace (%.64s)", doc_ns);
		goto out;
	}
	if (!*boot_id || strcmp(doc_boot, boot_id) != 0) {
		snprintf(why, whylen, "the previous run was before the last boot");
		goto out;
	}
	*at = json_number_value(v);
	if (!(*at >= 0 && *at <= boottime_seconds())) {
		snprintf(why, whylen, "its time (%.0f s after boot) is not in this boot", *at);
		goto out;
	}
	for (int id = 0; id < CTR_COUNT; id++) {
		json_t *c = json_object_get(counters, counter_info(id)->json_name);

		if (json_is_integer(c) && json_integer_value(c) >= 0) {
			before[id].present = true;
			before[id].value = (uint64_t)json_integer_value(c);
		}
	}
	r = 0;
out:
	json_decref(doc);
	return r;
}

/* STATE_DIR (as given; a symlink resolved) and its counters directory (a
 * symlink refused) must be trusted: what they hold decides what root is
 * told. 0, -ENOENT, or -EPERM/-errno with WHY naming the directory. */
static int trusted_dirs(const char *state_dir, const char *dir, char *why, size_t whylen)
{
	int r = trust_dir(state_dir, true, why, whylen);

	return r < 0 ? r : trust_dir(dir, false, why, whylen);
}

void counter_log_rates(const char *state_dir, const char *ns, struct tw_facts *f)
{
	struct counter before[CTR_COUNT];
	char dir[PATH_MAX], name[256], why[256] = "", *text = NULL;
	double at = 0, now = boottime_seconds();
	size_t len = 0;
	int r;

	if (f->rates.basis != RATES_NONE)
		return;
	if (log_path(state_dir, ns, dir, sizeof(dir), name, sizeof(name)) < 0)
		return;
	r = trusted_dirs(state_dir, dir, why, sizeof(why));
	if (r == 0)
		r = read_log(dir, name, &text, &len, why, sizeof(why));
	if (r == -ENOENT) {
		snprintf(f->rates.note, sizeof(f->rates.note),
			 "no rates yet: the counters are kept for the next run");
	} else if (r < 0 || parse_log(text, len, ns, f->netns.cookie, f->boot_id, before, &at, why,
				      sizeof(why)) < 0) {
		snprintf(f->rates.note, sizeof(f->rates.note), "no rates: %s", why);
	} else if (!(now - at >= 1.0)) {
		snprintf(f->rates.note, sizeof(f->rates.note),
			 "no rates: the previous run was less than a second ago");
	} else {
		compute_rates(before, f->counters, now - at, &f->rates);
		f->rates.basis = RATES_PREVIOUS_RUN;
	}
	free(text);
}

int counter_log_save(const char *state_dir, const char *ns, const struct tw_facts *f, bool create,
		     char *err, size_t errlen)
{
	char dir[PATH_MAX], name[256], stamp[32], *text;
	json_t *doc, *counters;
	time_t wall = time(NULL);
	struct stat st;
	struct tm tm;
	int r;

	if (!*f->boot_id)
		return -ENODATA; /* no boot to tie the counters to: nothing to keep */
	if ((r = log_path(state_dir, ns, dir, sizeof(dir), name, sizeof(name))) < 0) {
		snprintf(err, errlen, "%.180s/counters: path too long", state_dir);
		return r;
	}
	if (!create && (stat(state_dir, &st) < 0 || !S_ISDIR(st.st_mode)))
		return -ENOENT;
	if ((r = make_directories(dir, 0700)) < 0) {
		snprintf(err, errlen, "%.180s: %s", dir, strerror(-r));
		return r;
	}
	if ((r = trusted_dirs(state_dir, dir, err, errlen)) < 0)
		return r;
	counters = json_object();
	/* jansson holds signed integers: a counter above INT64_MAX would be
	 * written negative. Left out, the next run has no rate for it, which
	 * is what a run with no record of it gets. */
	for (int id = 0; id < CTR_COUNT; id++)
		if (f->counters[id].present && f->counters[id].value <= INT64_MAX)
			json_object_set_new(counters, counter_info(id)->json_name,
					    json_integer((json_int_t)f->counters[id].value));
	gmtime_r(&wall, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	doc = json_pack("{s:s,s:I,s:s,s:f,s:s,s:o}", "namespace", ns, "netns_cookie",
			(json_int_t)f->netns.cookie, "boot_id", f->boot_id, "boottime",
			boottime_seconds(), "time", stamp, "counters", counters);
	text = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	json_decref(doc);
	if (!text) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	r = write_file_atomic(dir, name, text, strlen(text), 0600, err, errlen);
	free(text);
	return r;
}
