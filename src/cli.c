/* SPDX-License-Identifier: MIT */
/* What every command shares: usage errors, the choice options (--format,
 * --fail-on), loading the rules and profiles the global options name,
 * with their problems printed, and --output's atomic file. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/rules.h"

int usage_error(const char *command, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "twtune: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'twtune %s%s--help' for more information.\n", command ? command : "",
		command ? " " : "");
	return EXIT_USAGE;
}

int option_error(const char *command, int c, char **argv)
{
	if (c == ':')
		return usage_error(command, "option '%s' needs an argument", argv[optind - 1]);
	return usage_error(command, "unknown option '%s'", argv[optind - 1]);
}

int parse_choice(const char *command, const char *option, const char *what, const char *arg,
		 const char *const *choices)
{
	char expected[256] = "";
	size_t n = 0, count = 0;

	for (int i = 0; choices[i]; i++) {
		if (strcmp(choices[i], arg) == 0)
			return i;
		count++;
	}
	for (size_t i = 0; i < count; i++)
		n += (size_t)snprintf(expected + n, n < sizeof(expected) ? sizeof(expected) - n : 0,
				      "%s%s",
				      i == 0	       ? ""
				      : i + 1 == count ? " or "
						       : ", ",
				      choices[i]);
	usage_error(command, "%s: unknown %s '%s' (expected %s)", option, what, arg, expected);
	return -1;
}

int parse_text_or_json(const char *command, const char *arg)
{
	static const char *const formats[] = {"text", "json", NULL};

	return parse_choice(command, "--format", "format", arg, formats);
}

int parse_fail_on(const char *command, const char *arg)
{
	/* in the order of enum severity: none is SEVERITY_NONE (0) */
	static const char *const levels[] = {"none", "info", "warning", "critical", NULL};

	return parse_choice(command, "--fail-on", "level", arg, levels);
}

#ifndef TWTUNE_RULES_DIR
#define TWTUNE_RULES_DIR "/usr/local/share/twtune/rules"
#endif
#ifndef TWTUNE_PROFILES_DIR
#define TWTUNE_PROFILES_DIR "/usr/local/share/twtune/profiles"
#endif

typedef int (*load_fn)(const char *, const char *, struct rule_set *, struct rule_errors *);

static int load_set(load_fn load, const char *only, const char *shipped, const char *override,
		    const char *option, struct rule_set *set)
{
	struct rule_errors errors;
	int r;

	only = only && *only ? only : NULL;
	r = load(only ? only : shipped, only ? NULL : override, set, &errors);
	for (unsigned i = 0; i < errors.count; i++)
		fprintf(stderr, "twtune: %s\n", errors.messages[i]);
	if (errors.more)
		fprintf(stderr, "twtune: ... and %u more problems in the rules\n", errors.more);
	if (r == -ENOENT && !only)
		fprintf(stderr, "twtune: (is twtune installed? %s DIR points at a source tree's)\n",
			option);
	return r;
}

int load_rules(const struct twtune_ctx *ctx, struct rule_set *set)
{
	const char *only = ctx->rules_dir && *ctx->rules_dir ? ctx->rules_dir : NULL;
	int r = load_set(rules_load, only, TWTUNE_RULES_DIR, RULES_OVERRIDE_DIR, "--rules", set);

	/* No rule at all judges nothing: a check would say "ok" of any host.
	 * That is a broken configuration, like an unreadable directory. */
	if (r == 0 && set->count == 0) {
		if (only)
			fprintf(stderr,
				"twtune: %s: no *.rule files there: nothing would be judged\n",
				only);
		else
			fprintf(stderr,
				"twtune: no rules: %s holds no *.rule files, or %s disables "
				"each: nothing would be judged\n",
				TWTUNE_RULES_DIR, RULES_OVERRIDE_DIR);
		r = -ENOENT;
	}
	return r;
}

int load_profiles(const struct twtune_ctx *ctx, struct rule_set *set)
{
	return load_set(profiles_load, ctx->profiles_dir, TWTUNE_PROFILES_DIR,
			PROFILES_OVERRIDE_DIR, "--profiles", set);
}

int output_begin(struct atomic_output *o, const char *path)
{
	const char *slash = strrchr(path, '/');
	int n;

	snprintf(o->path, sizeof(o->path), "%s", path);
	/* a dot file beside it: the textfile collector reads *.prom only */
	n = slash ? snprintf(o->temporary, sizeof(o->temporary), "%.*s/.%s.XXXXXX",
			     (int)(slash - path), path, slash + 1)
		  : snprintf(o->temporary, sizeof(o->temporary), ".%s.XXXXXX", path);
	if (n < 0 || (size_t)n >= sizeof(o->temporary) || strlen(path) >= sizeof(o->path)) {
		fprintf(stderr, "twtune: --output %s: path too long\n", path);
		return -ENAMETOOLONG;
	}
	if ((o->fd = mkstemp(o->temporary)) < 0) {
		int err = errno;

		fprintf(stderr, "twtune: --output %s: cannot create a file in %s: %s\n", path,
			slash ? "its directory" : "the current directory", strerror(err));
		return -err;
	}
	fflush(stdout);
	if (dup2(o->fd, STDOUT_FILENO) < 0) {
		int err = errno;

		unlink(o->temporary);
		close(o->fd);
		fprintf(stderr, "twtune: --output %s: %s\n", path, strerror(err));
		return -err;
	}
	return 0;
}

int output_commit(struct atomic_output *o)
{
	int err = 0;

	if (fflush(stdout) != 0 || ferror(stdout))
		err = errno ? errno : EIO;
	else if (fchmod(o->fd, 0644) < 0 || fsync(o->fd) < 0)
		err = errno;
	else if (rename(o->temporary, o->path) < 0)
		err = errno;
	close(o->fd);
	if (err) {
		unlink(o->temporary);
		fprintf(stderr, "twtune: --output %s: %s; the file was left as it was\n", o->path,
			strerror(err));
		return -err;
	}
	return 0;
}
