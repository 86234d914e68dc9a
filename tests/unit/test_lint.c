/* SPDX-License-Identifier: MIT */
/* lint: each of lint's own checks (syntax, invalid-value, duplicate-key,
 * overridden, not-on-kernel, unreadable), firing and not firing; the
 * shipped rules judged on the values the files would produce at boot, with
 * the kernel's defaults for keys no file sets; --root trees and explicit
 * paths; the order of findings; the four report formats; and drift for
 * check. sysctl.d trees are built in a temporary directory and linted with
 * lint_options.root set to it, so findings name "etc/sysctl.d/x.conf". */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* cmocka.h needs these included before it */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include <jansson.h>

#include "fixture.h"
#include "lint/builtin.h"
#include "lint/drift.h"
#include "lint/lint.h"
#include "report/lint.h"

#define SHIPPED_RULES TEST_SRCDIR "/../rules"

/* ------------------------------------------------------------ state */

/* One test's tree, the rules it is linted with, and everything a failed
 * assertion would otherwise leave behind: teardown releases it all. */
struct lint_test {
	struct fixture *fx;
	const void *row; /* the lint_cases row of a case made from it */
	struct rule_set rules;
	struct lint_result result;
	bool linted;
	char *output;		   /* a report written to memory */
	json_t *json;		   /* that report, parsed */
	struct sysctl_config boot; /* drift: the host's boot configuration */
	struct findings drift;	   /* and what drift_findings() made of it */
};

static int lint_setup(void **state)
{
	struct lint_test *t = calloc(1, sizeof(*t));
	struct rule_errors errors;
	void *inner = NULL;

	if (!t || fixture_setup(&inner) < 0) {
		free(t);
		return -1;
	}
	t->fx = inner;
	t->row = *state;
	if (rules_load(SHIPPED_RULES, NULL, &t->rules, &errors) < 0) {
		for (unsigned i = 0; i < errors.count; i++)
			fprintf(stderr, "%s\n", errors.messages[i]);
		rules_free(&t->rules);
		fixture_teardown(&inner);
		free(t);
		return -1;
	}
	*state = t;
	return 0;
}

static void forget_result(struct lint_test *t)
{
	if (t->linted)
		lint_free(&t->result);
	t->linted = false;
	free(t->output);
	t->output = NULL;
	json_decref(t->json);
	t->json = NULL;
	sysctld_free(&t->boot);
	findings_free(&t->drift);
}

static int lint_teardown(void **state)
{
	struct lint_test *t = *state;
	void *inner;

	if (!t)
		return 0;
	forget_result(t);
	rules_free(&t->rules);
	inner = t->fx;
	free(t);
	*state = NULL;
	return fixture_teardown(&inner);
}

/* ------------------------------------------------------------ helpers */

/* Lint the tree under the fixture's root for Linux MAJOR.MINOR, from that
 * directory with --root ".", as a CI job at a repository's top runs it:
 * files are named "etc/sysctl.d/...". */
static const struct lint_result *lint_tree(struct lint_test *t, unsigned major, unsigned minor)
{
	struct lint_options o = {
		.root = ".",
		.version = {major, minor, 0},
		.rules = &t->rules,
	};
	char cwd[PATH_MAX];

	forget_result(t);
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(t->fx->root), 0);
	assert_int_equal(lint_run(&o, &t->result), 0);
	assert_int_equal(chdir(cwd), 0);
	t->linted = true;
	return &t->result;
}

/* Lint explicit paths (absolute), as `twtune lint PATH...` does. */
static const struct lint_result *lint_paths(struct lint_test *t, const char *const *paths,
					    size_t count, unsigned major, unsigned minor)
{
	struct lint_options o = {
		.paths = paths,
		.path_count = count,
		.version = {major, minor, 0},
		.rules = &t->rules,
	};

	forget_result(t);
	assert_int_equal(lint_run(&o, &t->result), 0);
	t->linted = true;
	return &t->result;
}

/* Every finding, for failure messages. */
static const char *describe(const struct findings *fs)
{
	static char text[16384];
	size_t n = 0;

	snprintf(text, sizeof(text), "\n  (%zu findings)", fs->count);
	n = strlen(text);
	for (size_t i = 0; i < fs->count && n < sizeof(text); i++) {
		const struct finding *fd = &fs->items[i];

		n += (size_t)snprintf(text + n, sizeof(text) - n, "\n  %s:%u: %s [%s] key %d: %s",
				      fd->file, fd->line, severity_name(fd->severity), fd->rule->id,
				      fd->key, fd->summary);
	}
	return text;
}

/* A finding's file is the root the test gave, then FILE inside it. */
static bool in_root(const char *shown, const char *file)
{
	size_t n = strlen(shown), m = strlen(file);

	return strcmp(shown, file) == 0 ||
	       (n > m && shown[n - m - 1] == '/' && strcmp(shown + n - m, file) == 0);
}

/* The finding of rule ID at FILE:LINE (FILE NULL: anywhere), or NULL. */
static const struct finding *find_finding(const struct findings *fs, const char *id,
					  const char *file, unsigned line)
{
	for (size_t i = 0; i < fs->count; i++) {
		const struct finding *fd = &fs->items[i];

		if (strcmp(fd->rule->id, id) == 0 &&
		    (!file || (in_root(fd->file, file) && fd->line == line)))
			return fd;
	}
	return NULL;
}

static size_t count_findings(const struct findings *fs, const char *id)
{
	size_t n = 0;

	for (size_t i = 0; i < fs->count; i++)
		n += strcmp(fs->items[i].rule->id, id) == 0;
	return n;
}

static void assert_has_text(const struct finding *fd, const char *needle)
{
	if (!strstr(fd->summary, needle))
		fail_msg("[%s] %s:%u: message \"%s\" lacks \"%s\"", fd->rule->id, fd->file,
			 fd->line, fd->summary, needle);
}

/* The finding of rule ID at FILE:LINE, checked for SEVERITY, KEY (a knob
 * id, or -1) and a message holding NEEDLE. */
static const struct finding *assert_finding(const struct findings *fs, const char *id,
					    enum severity severity, const char *file, unsigned line,
					    int key, const char *needle)
{
	const struct finding *fd = find_finding(fs, id, file, line);

	if (!fd)
		fail_msg("no [%s] at %s:%u:%s", id, file, line, describe(fs));
	if (fd->severity != severity)
		fail_msg("[%s] at %s:%u: severity %s, expected %s", id, file, line,
			 severity_name(fd->severity), severity_name(severity));
	if (fd->key != key)
		fail_msg("[%s] at %s:%u: key %d, expected %d", id, file, line, fd->key, key);
	assert_has_text(fd, needle);
	return fd;
}

static void assert_no_finding(const struct findings *fs, const char *id)
{
	if (count_findings(fs, id))
		fail_msg("unexpected [%s]:%s", id, describe(fs));
}

static void assert_count(const struct findings *fs, const char *id, size_t expected)
{
	if (count_findings(fs, id) != expected)
		fail_msg("%zu [%s] findings, expected %zu:%s", count_findings(fs, id), id, expected,
			 describe(fs));
}

static void assert_no_findings(const struct findings *fs)
{
	if (fs->count)
		fail_msg("expected no findings:%s", describe(fs));
}

static bool was_skipped(const struct lint_result *r, const char *id)
{
	for (size_t i = 0; i < r->skipped_count; i++)
		if (strcmp(r->skipped[i], id) == 0)
			return true;
	return false;
}

/* A report written to memory; T keeps it for teardown. */
typedef void (*lint_writer)(FILE *out, const struct lint_result *r);

static const char *capture(struct lint_test *t, lint_writer write_report,
			   const struct lint_result *r)
{
	size_t size = 0;
	FILE *fp;

	free(t->output);
	t->output = NULL;
	fp = open_memstream(&t->output, &size);
	assert_non_null(fp);
	write_report(fp, r);
	assert_int_equal(fclose(fp), 0);
	assert_non_null(t->output);
	return t->output;
}

static json_t *capture_json(struct lint_test *t, lint_writer write_report,
			    const struct lint_result *r)
{
	const char *text = capture(t, write_report, r);
	json_error_t error;

	json_decref(t->json);
	t->json = json_loads(text, 0, &error);
	if (!t->json)
		fail_msg("not JSON: %s at line %d:\n%s", error.text, error.line, text);
	return t->json;
}

/* Replace the shipped rules by those of ROOT/REL (a directory of *.rule). */
static void use_rules(struct lint_test *t, const char *rel)
{
	struct rule_errors errors;
	char dir[PATH_MAX];

	fixture_join(dir, sizeof(dir), t->fx->root, rel);
	forget_result(t);
	rules_free(&t->rules);
	if (rules_load(dir, NULL, &t->rules, &errors) < 0)
		fail_msg("%u rule errors, first: %s", errors.count, errors.messages[0]);
}

/* ------------------------------------------------------------ tree cases */

/* A finding a run must hold: rule ID at FILE:LINE with SEVERITY and KEY (a
 * knob, or -1), its message holding TEXT and each of ALSO. */
struct expected_finding {
	const char *id;
	enum severity severity;
	const char *file;
	unsigned line;
	int key;
	const char *text;
	const char *also[2];
};

/* FILES linted for KERNEL under the fixture's root, and what the result
 * must show. Each field left out is not checked. */
struct lint_case {
	const char *name;
	struct fixture_file files[4]; /* to the first empty one */
	struct {
		unsigned major, minor;
	} kernel;
	struct expected_finding findings[6]; /* to the first without an id */
	struct {
		const char *id;
		size_t findings;
	} count;	       /* rule ID has exactly that many findings */
	const char *absent[2]; /* rules without a finding */
	bool no_findings;      /* no finding at all */
	bool no_input_errors;  /* every file was read */
	size_t files_read;     /* that many files were read */
};

static const struct lint_case lint_cases[] = {
	/* ---- syntax */
	/* a syntax error is not an input error: the file was read */
	{"syntax fires",
	 .files = {{"etc/sysctl.d/x.conf", "# a comment\n"
					   "net.ipv4.tcp_tw_reuse = 2\n"
					   "net.ipv4.tcp_fin_timeout 30\n"}},
	 .kernel = {6, 1},
	 .findings = {{"syntax", SEVERITY_WARNING, "etc/sysctl.d/x.conf", 3, -1,
		       "not an assignment", .also = {"net.ipv4.tcp_fin_timeout 30"}}},
	 .count = {"syntax", 1}, .no_input_errors = true},
	/* nothing else is wrong with it either */
	{"syntax not for exclusions and comments",
	 .files = {{"etc/sysctl.d/x.conf", "# a comment without '='\n"
					   "; another comment without '='\n"
					   "   # an indented comment\n"
					   "\n"
					   "-net.ipv4.conf.all.rp_filter\n"
					   "net.ipv4.conf.*.rp_filter = 2\n"
					   "net.ipv4.tcp_tw_reuse = 2\n"}},
	 .kernel = {6, 1}, .absent = {"syntax"}, .no_findings = true, .no_input_errors = true},

	/* ---- invalid-value */
	/* a refused value never reaches the rules: the default stays */
	{"invalid value fires",
	 .files = {{"etc/sysctl.d/a.conf", "net.ipv4.tcp_tw_reuse = 3\n"
					   "net.ipv4.ip_local_port_range = 60999 32768\n"
					   "net.ipv4.tcp_fin_timeout = abc\n"
					   "net.ipv4.tcp_ehash_entries = 5\n"},
		   {"etc/sysctl.d/b.conf", "net.ipv4.ip_local_port_range = 0 100\n"}},
	 .kernel = {6, 1},
	 .findings = {{"invalid-value", SEVERITY_WARNING, "etc/sysctl.d/a.conf", 1,
		       KNOB_TCP_TW_REUSE, "3 is outside 0-2"},
		      {"invalid-value", SEVERITY_WARNING, "etc/sysctl.d/a.conf", 2,
		       KNOB_IP_LOCAL_PORT_RANGE, "the high end 32768 is below the low end 60999"},
		      {"invalid-value", SEVERITY_WARNING, "etc/sysctl.d/a.conf", 3,
		       KNOB_TCP_FIN_TIMEOUT, "refuses 'abc'"},
		      {"invalid-value", SEVERITY_WARNING, "etc/sysctl.d/a.conf", 4,
		       KNOB_TCP_EHASH_ENTRIES, "read-only"},
		      {"invalid-value", SEVERITY_WARNING, "etc/sysctl.d/b.conf", 1,
		       KNOB_IP_LOCAL_PORT_RANGE, "0 is outside 1-65535"}},
	 .count = {"invalid-value", 5}, .absent = {"fin-timeout-lowered"}},
	{"invalid value not for valid values",
	 .files = {{"etc/sysctl.d/a.conf", "net.ipv4.tcp_tw_reuse = 0\n"
					   "net.ipv4.ip_local_port_range = 1024 65535\n"
					   "net.ipv4.tcp_fin_timeout = 60\n"
					   "net.ipv4.tcp_timestamps = 1\n"
					   "net.ipv4.ip_local_reserved_ports = 8080,9000-9010\n"
					   "net.ipv4.tcp_max_tw_buckets = 262144\n"},
		   {"etc/sysctl.d/b.conf", "net.ipv4.tcp_tw_reuse = 2\n"
					   "net.ipv4.ip_local_port_range = 1024 1024\n"}},
	 .kernel = {6, 1}, .absent = {"invalid-value"}},
	/* what the kernel makes of the text (6.18 in a namespace): it takes
	 * 030 as octal 24 and one number as the low end only; it refuses
	 * "8080, 9000", "+30" and 65536 */
	{"invalid value as the kernel reads it",
	 .files = {{"etc/sysctl.d/a.conf", "net.ipv4.tcp_fin_timeout = 030\n"
					   "net.ipv4.ip_local_port_range = 40000\n"
					   "net.ipv4.ip_local_reserved_ports = 8080, 9000\n"
					   "net.ipv4.tcp_max_tw_buckets = +30\n"
					   "net.ipv4.ip_unprivileged_port_start = 65536\n"
					   "net.ipv4.tcp_tw_reuse = 1 2\n"}},
	 .kernel = {6, 14},
	 .findings = {{"invalid-value", SEVERITY_WARNING, "etc/sysctl.d/a.conf", 1,
		       KNOB_TCP_FIN_TIMEOUT, "the kernel takes it as 24"},
		      {"invalid-value", SEVERITY_WARNING, "etc/sysctl.d/a.conf", 2,
		       KNOB_IP_LOCAL_PORT_RANGE, "reads it as 40000 60999"},
		      {"invalid-value", SEVERITY_WARNING, "etc/sysctl.d/a.conf", 3,
		       KNOB_IP_LOCAL_RESERVED_PORTS, "refuses '8080, 9000'"},
		      {"invalid-value", SEVERITY_WARNING, "etc/sysctl.d/a.conf", 4,
		       KNOB_TCP_MAX_TW_BUCKETS, "refuses '+30'"},
		      {"invalid-value", SEVERITY_WARNING, "etc/sysctl.d/a.conf", 5,
		       KNOB_IP_UNPRIVILEGED_PORT_START, "65536 is outside 0-65535"},
		      {"invalid-value", SEVERITY_WARNING, "etc/sysctl.d/a.conf", 6,
		       KNOB_TCP_TW_REUSE, "the kernel takes it as 1"}},
	 .count = {"invalid-value", 6}},
	/* a glob never writes a key with a line of its own: no finding for
	 * what it would have set there */
	{"glob shielded by an exact line",
	 .files = {{"etc/sysctl.d/a.conf", "net.ipv4.tcp_tw_reuse = 1\n"
					   "net.ipv4.tcp_tw_* = 5\n"}},
	 .kernel = {6, 14}, .absent = {"invalid-value"}},
	/* whether the kernel takes 5000000 s depends on its HZ; out of
	 * twtune's bounds either way */
	{"value out of bounds, the kernel's answer unknown",
	 .files = {{"etc/sysctl.d/a.conf", "net.ipv4.tcp_fin_timeout = 5000000\n"}},
	 .kernel = {6, 1},
	 .findings = {{"invalid-value",
		       SEVERITY_WARNING,
		       "etc/sysctl.d/a.conf",
		       1,
		       KNOB_TCP_FIN_TIMEOUT,
		       "5000000 is outside 1-3600",
		       {"depends on its HZ"}}}},
	/* systemd keeps one entry per key: the overridden line is never
	 * written, and when the kernel refuses the winner the key keeps its
	 * value from before boot, not the overridden one */
	{"overridden by a refused value",
	 .files = {{"usr/lib/sysctl.d/50-a.conf", "net.ipv4.ip_local_port_range = 1024 65535\n"},
		   {"etc/sysctl.d/60-b.conf", "net.ipv4.ip_local_port_range = 60000 30000\n"}},
	 .kernel = {6, 1},
	 .findings = {{"overridden", SEVERITY_INFO, "usr/lib/sysctl.d/50-a.conf", 1,
		       KNOB_IP_LOCAL_PORT_RANGE,
		       "but the kernel refuses that value: the key keeps 32768 60999"},
		      {"invalid-value", SEVERITY_WARNING, "etc/sysctl.d/60-b.conf", 1,
		       KNOB_IP_LOCAL_PORT_RANGE, "the key keeps 32768 60999"}}},
	/* the port keys check each other when written, in systemd's order:
	 * the start re-assigned another value moves after the range, which
	 * then meets the default start 1024 and is refused ... */
	{"port keys in systemd's write order",
	 .files = {{"etc/sysctl.d/a.conf", "net.ipv4.ip_unprivileged_port_start = 500\n"
					   "net.ipv4.ip_local_port_range = 1000 2000\n"
					   "net.ipv4.ip_unprivileged_port_start = 800\n"}},
	 .kernel = {6, 1},
	 .findings = {{"invalid-value", SEVERITY_WARNING, "etc/sysctl.d/a.conf", 2,
		       KNOB_IP_LOCAL_PORT_RANGE,
		       "below net.ipv4.ip_unprivileged_port_start (1024)"}},
	 .count = {"invalid-value", 1}},
	/* ... while the same value keeps its place: 500 first, the range
	 * accepted */
	{"port keys, the start kept first",
	 .files = {{"etc/sysctl.d/a.conf", "net.ipv4.ip_unprivileged_port_start = 500\n"
					   "net.ipv4.ip_local_port_range = 1000 2000\n"
					   "net.ipv4.ip_unprivileged_port_start = 500\n"}},
	 .kernel = {6, 1}, .absent = {"invalid-value"}},
	/* a glob the kernel takes for tcp_tw_reuse and refuses for
	 * tcp_tw_reuse_delay (1-60000) */
	{"invalid value through a glob, for one key only",
	 .files = {{"etc/sysctl.d/a.conf", "net.ipv4.tcp_tw_* = 0\n"}}, .kernel = {6, 14},
	 .findings = {{"invalid-value", SEVERITY_WARNING, "etc/sysctl.d/a.conf", 1,
		       KNOB_TCP_TW_REUSE_DELAY, "0 is outside 1-60000"}},
	 .count = {"invalid-value", 1}},
	/* systemd writes a glob's value to every key it matches: a twtune key
	 * among them that refuses it is reported, at the glob's line; a glob
	 * matching none of twtune's keys is none of lint's business.
	 * tcp_tw_reuse refuses 7; tcp_tw_reuse_delay takes it; tcp_tw_recycle
	 * is not on 6.1. */
	{"invalid value through globs",
	 .files = {{"etc/sysctl.d/x.conf", "net.ipv4.tcp_tw_* = 7\n"
					   "net.ipv4.conf.*.rp_filter = abc\n"}},
	 .kernel = {6, 1},
	 .findings = {{"invalid-value", SEVERITY_WARNING, "etc/sysctl.d/x.conf", 1,
		       KNOB_TCP_TW_REUSE,
		       "the pattern net/ipv4/tcp_tw_* sets net.ipv4.tcp_tw_reuse too"}},
	 .count = {"invalid-value", 1}},

	/* ---- duplicate-key */
	/* within one file it is a duplicate, not an override */
	{"duplicate key fires",
	 .files = {{"etc/sysctl.d/x.conf", "net.ipv4.tcp_fin_timeout = 30\n"
					   "net.ipv4.tcp_tw_reuse = 2\n"
					   "net/ipv4/tcp_fin_timeout = 45\n"}},
	 .kernel = {6, 1},
	 .findings = {{"duplicate-key", SEVERITY_WARNING, "etc/sysctl.d/x.conf", 3,
		       KNOB_TCP_FIN_TIMEOUT, "net.ipv4.tcp_fin_timeout is set again",
		       .also = {"line 1 set it to 30"}}},
	 .count = {"duplicate-key", 1}, .absent = {"overridden"}},
	/* what it is instead */
	{"duplicate key not across files",
	 .files = {{"etc/sysctl.d/a.conf", "net.ipv4.tcp_fin_timeout = 30\n"},
		   {"etc/sysctl.d/b.conf", "net/ipv4/tcp_fin_timeout = 45\n"}},
	 .kernel = {6, 1},
	 .findings = {{"overridden", SEVERITY_INFO, "etc/sysctl.d/a.conf", 1, KNOB_TCP_FIN_TIMEOUT,
		       "etc/sysctl.d/b.conf:1"}},
	 .absent = {"duplicate-key"}},

	/* ---- overridden */
	/* /etc has precedence for masking only: the files are applied in
	 * lexical order of their names, wherever they are; the effective value
	 * is the winner's: 90 is not below 60 */
	{"overridden across directories",
	 .files = {{"etc/sysctl.d/10-a.conf", "net.ipv4.tcp_fin_timeout = 30\n"},
		   {"usr/lib/sysctl.d/20-b.conf", "net.ipv4.tcp_tw_reuse = 2\n"
						  "net.ipv4.tcp_fin_timeout = 90\n"}},
	 .kernel = {6, 1},
	 .findings = {{"overridden", SEVERITY_INFO, "etc/sysctl.d/10-a.conf", 1,
		       KNOB_TCP_FIN_TIMEOUT, "overridden by usr/lib/sysctl.d/20-b.conf:2",
		       .also = {"net.ipv4.tcp_fin_timeout = 30",
				"(net.ipv4.tcp_fin_timeout = 90)"}}},
	 .count = {"overridden", 1}, .absent = {"fin-timeout-lowered"}},
	/* the masked file is not read at all */
	{"overridden not for a masked file",
	 .files = {{"etc/sysctl.d/50-x.conf", "net.ipv4.tcp_fin_timeout = 60\n"},
		   {"usr/lib/sysctl.d/50-x.conf", "net.ipv4.tcp_fin_timeout = 30\n"}},
	 .kernel = {6, 1}, .absent = {"overridden", "fin-timeout-lowered"}, .no_findings = true,
	 .files_read = 1},
	/* Found as a bug, now fixed: check_duplicates_and_overrides()
	 * (src/sysctld/lint.c) asks sysctld_effective() for the winner, which
	 * returns NULL when the last entry for the key is an exclusion ("-KEY"
	 * without '='). systemd-sysctl (v246+) replaces the earlier exact
	 * assignment with the exclusion and then sets nothing (sysctld.h:
	 * "unsets an earlier exact value"), so the line of 10-a.conf has no
	 * effect at boot, yet lint reported nothing about it (the message
	 * already handles a winner without a value: "(KEY = -)"). The files'
	 * value is the default: that much held already. */
	{"overridden by a later exclusion",
	 .files = {{"etc/sysctl.d/10-a.conf", "net.ipv4.tcp_fin_timeout = 30\n"},
		   {"etc/sysctl.d/20-b.conf", "-net.ipv4.tcp_fin_timeout\n"}},
	 .kernel = {6, 1},
	 .findings = {{"overridden", SEVERITY_INFO, "etc/sysctl.d/10-a.conf", 1,
		       KNOB_TCP_FIN_TIMEOUT, "etc/sysctl.d/20-b.conf:1"}},
	 .absent = {"fin-timeout-lowered"}},

	/* ---- not-on-kernel */
	/* a key that does not exist is nothing the rules can judge */
	{"not on kernel: tcp_tw_recycle on 6.1",
	 .files = {{"etc/sysctl.d/x.conf", "# old advice\n"
					   "net.ipv4.tcp_tw_recycle = 1\n"}},
	 .kernel = {6, 1},
	 .findings = {{"not-on-kernel", SEVERITY_WARNING, "etc/sysctl.d/x.conf", 2,
		       KNOB_TCP_TW_RECYCLE, "does not exist on Linux 6.1",
		       .also = {"removed in 4.12", "net.ipv4.tcp_tw_recycle"}}},
	 .count = {"not-on-kernel", 1}, .absent = {"tw-recycle-enabled"}},
	/* with the rule's value, nothing */
	{"not on kernel: tcp_tw_recycle = 0 on 4.9",
	 .files = {{"etc/sysctl.d/x.conf", "net.ipv4.tcp_tw_recycle = 0\n"}}, .kernel = {4, 9},
	 .absent = {"tw-recycle-enabled"}},
	{"not on kernel: tcp_tw_reuse_delay on 6.1",
	 .files = {{"etc/sysctl.d/x.conf", "net.ipv4.tcp_tw_reuse_delay = 500\n"}},
	 .kernel = {6, 1},
	 .findings = {{"not-on-kernel", SEVERITY_WARNING, "etc/sysctl.d/x.conf", 1,
		       KNOB_TCP_TW_REUSE_DELAY, "added in 6.14",
		       .also = {"net.ipv4.tcp_tw_reuse_delay does not exist on Linux 6.1",
				"logs that at info level and goes on"}}}},
	{"not on kernel: tcp_tw_reuse_delay on 6.14",
	 .files = {{"etc/sysctl.d/x.conf", "net.ipv4.tcp_tw_reuse_delay = 500\n"}},
	 .kernel = {6, 14}, .absent = {"not-on-kernel", "invalid-value"}},
	/* a leading '-' silences systemd-sysctl; lint still says so */
	{"not on kernel: tcp_tw_reuse_delay behind '-'",
	 .files = {{"etc/sysctl.d/x.conf", "-net.ipv4.tcp_tw_reuse_delay = 500\n"}},
	 .kernel = {6, 1},
	 .findings = {{"not-on-kernel", SEVERITY_WARNING, "etc/sysctl.d/x.conf", 1,
		       KNOB_TCP_TW_REUSE_DELAY, "the leading '-' makes that a debug message"}}},
	{"not on kernel: ip_unprivileged_port_start on 4.9",
	 .files = {{"etc/sysctl.d/x.conf", "net.ipv4.ip_unprivileged_port_start = 1024\n"}},
	 .kernel = {4, 9},
	 .findings = {{"not-on-kernel", SEVERITY_WARNING, "etc/sysctl.d/x.conf", 1,
		       KNOB_IP_UNPRIVILEGED_PORT_START, "added in 4.11", .also = {"Linux 4.9"}}}},
	{"not on kernel: ip_unprivileged_port_start on 4.11",
	 .files = {{"etc/sysctl.d/x.conf", "net.ipv4.ip_unprivileged_port_start = 1024\n"}},
	 .kernel = {4, 11}, .absent = {"not-on-kernel"}},

	/* ---- the rules */
	/* timestamps in another file, reuse unset: the default 2 is not 1 */
	{"tw-reuse-without-timestamps on the default reuse",
	 .files = {{"etc/sysctl.d/x.conf", "net.ipv4.tcp_timestamps = 0\n"}}, .kernel = {6, 1},
	 .absent = {"tw-reuse-without-timestamps"}},
	{"fin-timeout-lowered fires",
	 .files = {{"etc/sysctl.d/x.conf", "net.ipv4.tcp_tw_reuse = 2\n"
					   "net.ipv4.tcp_fin_timeout = 15\n"}},
	 .kernel = {6, 1},
	 .findings = {{"fin-timeout-lowered", SEVERITY_INFO, "etc/sysctl.d/x.conf", 2,
		       KNOB_TCP_FIN_TIMEOUT, "tcp_fin_timeout = 15 s",
		       .also = {"TIME_WAIT still lasts 60 s"}}}},
	{"fin-timeout-lowered not at 60",
	 .files = {{"etc/sysctl.d/x.conf", "net.ipv4.tcp_fin_timeout = 60\n"}}, .kernel = {6, 1},
	 .absent = {"fin-timeout-lowered"}},
	/* before 4.6 the parity split did not exist */
	{"port-range-parity not before 4.6",
	 .files = {{"etc/sysctl.d/x.conf", "net.ipv4.ip_local_port_range = 32768 61000\n"}},
	 .kernel = {4, 4}, .absent = {"port-range-parity"}},
	{"port-range-parity not for ends of different parity",
	 .files = {{"etc/sysctl.d/x.conf", "net.ipv4.ip_local_port_range = 32768 60999\n"}},
	 .kernel = {6, 1}, .absent = {"port-range-parity"}},

	/* ---- effective values */
	/* timestamps unset: the default, 1 */
	{"effective values: a default",
	 .files = {{"etc/sysctl.d/10-reuse.conf", "net.ipv4.tcp_tw_reuse = 1\n"}}, .kernel = {6, 1},
	 .absent = {"tw-reuse-without-timestamps"}, .no_findings = true},
	/* timestamps 0, then 1 in a later file: 1 is in force */
	{"effective values: a later file",
	 .files = {{"etc/sysctl.d/10-reuse.conf", "net.ipv4.tcp_tw_reuse = 1\n"},
		   {"etc/sysctl.d/20-off.conf", "net.ipv4.tcp_timestamps = 0\n"},
		   {"etc/sysctl.d/30-on.conf", "net.ipv4.tcp_timestamps = 1\n"}},
	 .kernel = {6, 1},
	 .findings = {{"overridden", SEVERITY_INFO, "etc/sysctl.d/20-off.conf", 1,
		       KNOB_TCP_TIMESTAMPS, "etc/sysctl.d/30-on.conf:1"}},
	 .absent = {"tw-reuse-without-timestamps"}},
	/* the other way round: the finding stands at the line in force */
	{"effective values: the line in force",
	 .files = {{"etc/sysctl.d/10-reuse.conf", "net.ipv4.tcp_tw_reuse = 1\n"},
		   {"etc/sysctl.d/20-off.conf", "net.ipv4.tcp_timestamps = 1\n"},
		   {"etc/sysctl.d/30-on.conf", "# off after all\n"
					       "net.ipv4.tcp_timestamps = 0\n"}},
	 .kernel = {6, 1},
	 .findings = {{"tw-reuse-without-timestamps", SEVERITY_WARNING, "etc/sysctl.d/30-on.conf",
		       2, KNOB_TCP_TIMESTAMPS, "tcp_timestamps = 0"}},
	 .count = {"tw-reuse-without-timestamps", 1}},
};

static void test_lint_case(void **state)
{
	struct lint_test *t = *state;
	const struct lint_case *c = t->row;
	const struct lint_result *r;

	fixture_write_files(t->fx->root, c->files);
	r = lint_tree(t, c->kernel.major, c->kernel.minor);
	for (size_t i = 0; i < ARRAY_SIZE(c->findings) && c->findings[i].id; i++) {
		const struct expected_finding *e = &c->findings[i];
		const struct finding *fd = assert_finding(&r->findings, e->id, e->severity, e->file,
							  e->line, e->key, e->text);

		for (size_t k = 0; k < ARRAY_SIZE(e->also) && e->also[k]; k++)
			assert_has_text(fd, e->also[k]);
	}
	if (c->count.id)
		assert_count(&r->findings, c->count.id, c->count.findings);
	for (size_t i = 0; i < ARRAY_SIZE(c->absent) && c->absent[i]; i++)
		assert_no_finding(&r->findings, c->absent[i]);
	if (c->no_findings)
		assert_no_findings(&r->findings);
	if (c->no_input_errors)
		assert_int_equal(r->input_errors, 0);
	if (c->files_read)
		assert_int_equal(r->config.file_count, c->files_read);
	if (!c->findings[0].id && !c->count.id && !c->absent[0] && !c->no_findings)
		fail_msg("%s checks no finding", c->name);
}

/* ------------------------------------------------------------ not-on-kernel */

/* On a kernel that has it, the rules judge tcp_tw_recycle. */
static void test_tw_recycle_on_4_9(void **state)
{
	struct lint_test *t = *state;
	const struct lint_result *r;
	const struct finding *fd;

	fixture_write(t->fx->root, "etc/sysctl.d/x.conf",
		      "# old advice\n"
		      "net.ipv4.tcp_tw_recycle = 1\n");
	r = lint_tree(t, 4, 9);
	assert_no_finding(&r->findings, "not-on-kernel");
	fd = assert_finding(&r->findings, "tw-recycle-enabled", SEVERITY_CRITICAL,
			    "etc/sysctl.d/x.conf", 2, KNOB_TCP_TW_RECYCLE, "tcp_tw_recycle = 1");
	assert_int_equal(fd->setting_count, 1);
	assert_int_equal(fd->settings[0].key, KNOB_TCP_TW_RECYCLE);
	assert_string_equal(fixture_value_text(&fd->settings[0].recommended), "0");
	assert_string_equal(fixture_value_text(&fd->settings[0].current), "1");
}

/* ------------------------------------------------------------ unreadable */

/* NUL bytes and long lines are warnings about files that systemd-sysctl
 * applies nonetheless, as it splits them; only a file that cannot be read
 * is critical. */
static void test_odd_bytes_are_applied(void **state)
{
	static const char binary[] = "net.ipv4.tcp_timestamps = 0\n\0\0garbage\n";
	struct lint_test *t = *state;
	const struct lint_result *r;
	size_t long_size = 100 * 1024 + 64;
	char *long_text = malloc(long_size);

	assert_non_null(long_text);
	memset(long_text, 'x', 100 * 1024);
	snprintf(long_text + 100 * 1024, long_size - 100 * 1024, "\nnet.ipv4.tcp_tw_reuse = 3\n");
	fixture_write_bytes(t->fx->root, "etc/sysctl.d/10-binary.conf", binary, sizeof(binary) - 1);
	fixture_write(t->fx->root, "etc/sysctl.d/20-long.conf", long_text);
	free(long_text);
	fixture_write(t->fx->root, "etc/sysctl.d/30-ok.conf",
		      "net.ipv4.tcp_fin_timeout = 30\n"
		      "net.ipv4.tcp_tw_reuse = 1\n");
	r = lint_tree(t, 6, 1);

	assert_no_finding(&r->findings, "unreadable");
	assert_int_equal(r->input_errors, 0);
	/* "\n\0" is one line end for read_line_full(), the next NUL another */
	assert_finding(&r->findings, "odd-bytes", SEVERITY_WARNING, "etc/sysctl.d/10-binary.conf",
		       1, -1, "NUL byte");
	assert_finding(&r->findings, "odd-bytes", SEVERITY_WARNING, "etc/sysctl.d/20-long.conf", 1,
		       -1, "a line of 102400 bytes");
	assert_finding(&r->findings, "invalid-value", SEVERITY_WARNING, "etc/sysctl.d/20-long.conf",
		       2, KNOB_TCP_TW_REUSE, "3 is outside 0-2");
	assert_finding(&r->findings, "fin-timeout-lowered", SEVERITY_INFO,
		       "etc/sysctl.d/30-ok.conf", 1, KNOB_TCP_FIN_TIMEOUT, "tcp_fin_timeout = 30");
	/* the file with the NUL is applied: its timestamps = 0 makes reuse = 1
	 * useless */
	assert_non_null(find_finding(&r->findings, "tw-reuse-without-timestamps", NULL, 0));
}

static void test_unreadable_not_for_text(void **state)
{
	struct lint_test *t = *state;
	const struct lint_result *r;
	char line[5000 + 8];

	/* a long comment: a warning at most, never critical */
	memset(line, 'x', sizeof(line));
	line[0] = '#';
	line[5000 - 1] = '\n';
	line[5000] = '\0';
	fixture_write(t->fx->root, "etc/sysctl.d/10-long-comment.conf", line);
	fixture_write(t->fx->root, "etc/sysctl.d/20-utf8.conf",
		      "# caf\xc3\xa9 \xe2\x80\x94 UTF-8 in a comment\n"
		      "net.ipv4.tcp_tw_reuse = 2\r\n");
	r = lint_tree(t, 6, 1);
	assert_no_finding(&r->findings, "unreadable");
	assert_int_equal(r->input_errors, 0);
	assert_int_equal(r->config.file_count, 2);
	assert_int_equal(findings_worst(&r->findings) <= SEVERITY_WARNING, 1);
}

/* ------------------------------------------------------------ the rules */

static void test_rule_tw_reuse_without_timestamps(void **state)
{
	struct lint_test *t = *state;
	const struct lint_result *r;
	const struct finding *fd;

	fixture_write(t->fx->root, "etc/sysctl.d/x.conf",
		      "net.ipv4.tcp_tw_reuse = 1\n"
		      "net.ipv4.tcp_timestamps = 0\n");
	r = lint_tree(t, 6, 1);
	fd = assert_finding(
		&r->findings, "tw-reuse-without-timestamps", SEVERITY_WARNING,
		"etc/sysctl.d/x.conf", 2, KNOB_TCP_TIMESTAMPS,
		"tcp_timestamps = 0 turns off every kind of TIME_WAIT reuse (tcp_tw_reuse = 1");
	assert_int_equal(fd->setting_count, 1);
	assert_int_equal(fd->settings[0].key, KNOB_TCP_TIMESTAMPS);
	assert_string_equal(fixture_value_text(&fd->settings[0].recommended), "1");
	assert_count(&r->findings, "tw-reuse-without-timestamps", 1);
}

static void test_rule_port_range_parity(void **state)
{
	struct lint_test *t = *state;
	const struct lint_result *r;
	const struct finding *fd;

	fixture_write(t->fx->root, "etc/sysctl.d/x.conf",
		      "net.ipv4.ip_local_port_range = 32768 61000\n");
	r = lint_tree(t, 6, 1);
	fd = assert_finding(&r->findings, "port-range-parity", SEVERITY_INFO, "etc/sysctl.d/x.conf",
			    1, KNOB_IP_LOCAL_PORT_RANGE, "ip_local_port_range 32768 61000");
	assert_int_equal(fd->setting_count, 1);
	assert_string_equal(fixture_value_text(&fd->settings[0].recommended), "32768 60999");
}

static void test_rules_needing_live_facts_are_skipped(void **state)
{
	struct lint_test *t = *state;
	const struct lint_result *r;

	fixture_write(t->fx->root, "etc/sysctl.d/x.conf", "net.ipv4.tcp_fin_timeout = 30\n");
	r = lint_tree(t, 6, 1);
	assert_true(was_skipped(r, "inbound-time-wait-dominant"));
	assert_true(was_skipped(r, "tw-reuse-for-outbound-pressure"));
	assert_no_finding(&r->findings, "inbound-time-wait-dominant");
	assert_no_finding(&r->findings, "tw-reuse-for-outbound-pressure");
	/* a rule the files decide is not skipped, whether it fires or not */
	assert_false(was_skipped(r, "fin-timeout-lowered"));
	assert_false(was_skipped(r, "tw-reuse-without-timestamps"));
	assert_non_null(find_finding(&r->findings, "fin-timeout-lowered", NULL, 0));
	assert_true(r->skipped_count < t->rules.count);
}

/* A rule that holds on the kernel's defaults speaks about the kernel, not
 * about the files: with nothing in the files to point at, no finding. */
static void test_rules_on_kernel_defaults_only_are_not_reported(void **state)
{
	struct lint_test *t = *state;
	const struct lint_result *r;

	/* the shipped rules: nothing on an empty tree, old kernel or new */
	r = lint_tree(t, 6, 1);
	assert_no_findings(&r->findings);
	assert_int_equal(r->config.file_count, 0);
	r = lint_tree(t, 4, 4);
	assert_no_findings(&r->findings);

	/* a rule that does hold on the defaults */
	fixture_write(t->fx->root, "rules/defaults.rule",
		      "[rule fires-on-defaults]\n"
		      "severity = warning\n"
		      "title    = fires on the default tcp_fin_timeout\n"
		      "when     = net.ipv4.tcp_fin_timeout == 60\n"
		      "summary  = tcp_fin_timeout = {net.ipv4.tcp_fin_timeout}\n");
	use_rules(t, "rules");
	assert_int_equal(t->rules.count, 1);
	r = lint_tree(t, 6, 1);
	assert_no_findings(&r->findings);
	/* control: once a file sets the value, it is about that file */
	fixture_write(t->fx->root, "etc/sysctl.d/x.conf", "net.ipv4.tcp_fin_timeout = 60\n");
	r = lint_tree(t, 6, 1);
	assert_finding(&r->findings, "fires-on-defaults", SEVERITY_WARNING, "etc/sysctl.d/x.conf",
		       1, KNOB_TCP_FIN_TIMEOUT, "tcp_fin_timeout = 60");
}

/* Found as a bug, now fixed: rule_location() (src/sysctld/lint.c), pass 1, finds the keys a
 * rule's condition names with strstr(rule->when_text, knob name), walking
 * the knob table in enum order. "net.ipv4.tcp_tw_reuse" is a substring of
 * "net.ipv4.tcp_tw_reuse_delay" and comes first in the table, so a rule
 * whose condition names only tcp_tw_reuse_delay is located at the
 * tcp_tw_reuse line of the files (key net.ipv4.tcp_tw_reuse) whenever a
 * file sets tcp_tw_reuse too. */
static void test_rule_located_at_the_key_it_names(void **state)
{
	struct lint_test *t = *state;
	const struct lint_result *r;

	fixture_write(t->fx->root, "rules/delay.rule",
		      "[rule short-reuse-delay]\n"
		      "severity = info\n"
		      "title    = a short tcp_tw_reuse_delay\n"
		      "when     = net.ipv4.tcp_tw_reuse_delay < 1000\n"
		      "summary  = tcp_tw_reuse_delay = {net.ipv4.tcp_tw_reuse_delay}\n");
	use_rules(t, "rules");
	fixture_write(t->fx->root, "etc/sysctl.d/x.conf",
		      "net.ipv4.tcp_tw_reuse = 2\n"
		      "net.ipv4.tcp_tw_reuse_delay = 500\n");
	r = lint_tree(t, 6, 14);
	assert_finding(&r->findings, "short-reuse-delay", SEVERITY_INFO, "etc/sysctl.d/x.conf", 2,
		       KNOB_TCP_TW_REUSE_DELAY, "tcp_tw_reuse_delay = 500");
}

/* ------------------------------------------------------------ explicit paths */

static void test_paths_single_file(void **state)
{
	struct lint_test *t = *state;
	const struct lint_result *r;
	char path[PATH_MAX];
	const char *paths[1] = {path};

	fixture_write(t->fx->root, "conf/x.conf",
		      "net.ipv4.tcp_fin_timeout = 30\n"
		      "bad line\n");
	fixture_join(path, sizeof(path), t->fx->root, "conf/x.conf");
	r = lint_paths(t, paths, 1, 6, 1);
	assert_int_equal(r->config.file_count, 1);
	/* without --root, files are named as given */
	assert_finding(&r->findings, "fin-timeout-lowered", SEVERITY_INFO, path, 1,
		       KNOB_TCP_FIN_TIMEOUT, "tcp_fin_timeout = 30");
	assert_finding(&r->findings, "syntax", SEVERITY_WARNING, path, 2, -1, "bad line");
	assert_int_equal(r->findings.count, 2);
	assert_int_equal(r->input_errors, 0);
}

static void test_paths_missing_file(void **state)
{
	struct lint_test *t = *state;
	const struct lint_result *r;
	char missing[PATH_MAX], present[PATH_MAX];
	const char *paths[2] = {missing, present};

	fixture_write(t->fx->root, "conf/present.conf", "net.ipv4.tcp_fin_timeout = 30\n");
	fixture_join(missing, sizeof(missing), t->fx->root, "conf/missing.conf");
	fixture_join(present, sizeof(present), t->fx->root, "conf/present.conf");
	r = lint_paths(t, paths, 2, 6, 1);
	assert_finding(&r->findings, "unreadable", SEVERITY_CRITICAL, missing, 0, -1,
		       "No such file");
	assert_int_equal(r->input_errors, 1);
	assert_finding(&r->findings, "fin-timeout-lowered", SEVERITY_INFO, present, 1,
		       KNOB_TCP_FIN_TIMEOUT, "tcp_fin_timeout = 30");
}

static void test_paths_directory(void **state)
{
	struct lint_test *t = *state;
	const struct lint_result *r;
	char dir[PATH_MAX], first[PATH_MAX], second[PATH_MAX];
	const char *paths[1] = {dir};

	fixture_write(t->fx->root, "conf/20-b.conf", "net.ipv4.tcp_fin_timeout = 90\n");
	fixture_write(t->fx->root, "conf/10-a.conf", "net.ipv4.tcp_fin_timeout = 30\n");
	fixture_write(t->fx->root, "conf/README", "not a configuration file\n");
	fixture_join(dir, sizeof(dir), t->fx->root, "conf");
	fixture_join(first, sizeof(first), t->fx->root, "conf/10-a.conf");
	fixture_join(second, sizeof(second), t->fx->root, "conf/20-b.conf");
	r = lint_paths(t, paths, 1, 6, 1);
	assert_int_equal(r->config.file_count, 2);
	assert_no_finding(&r->findings, "syntax");
	assert_finding(&r->findings, "overridden", SEVERITY_INFO, first, 1, KNOB_TCP_FIN_TIMEOUT,
		       second);
	/* 90 wins, so the lowered 30 is not in force */
	assert_no_finding(&r->findings, "fin-timeout-lowered");
	assert_int_equal(r->findings.count, 1);
}

/* ------------------------------------------------------------ order */

/* The files in lexical order hold info, warning, critical: reported the
 * other way round. */
static void write_three_severities(const struct fixture *fx)
{
	fixture_write(fx->root, "etc/sysctl.d/01-info.conf", "net.ipv4.tcp_fin_timeout = 30\n");
	fixture_write(fx->root, "etc/sysctl.d/02-warning.conf", "no equals sign here\n");
	fixture_write(fx->root, "etc/sysctl.d/03-critical.conf", "net.ipv4.tcp_tw_recycle = 1\n");
}

static void test_findings_sorted(void **state)
{
	struct lint_test *t = *state;
	const struct lint_result *r;

	write_three_severities(t->fx);
	r = lint_tree(t, 4, 9);
	if (r->findings.count != 3)
		fail_msg("expected 3 findings:%s", describe(&r->findings));
	assert_string_equal(r->findings.items[0].rule->id, "tw-recycle-enabled");
	assert_string_equal(r->findings.items[1].rule->id, "syntax");
	assert_string_equal(r->findings.items[2].rule->id, "fin-timeout-lowered");
	for (size_t i = 1; i < r->findings.count; i++)
		if (r->findings.items[i - 1].rule->severity < r->findings.items[i].rule->severity)
			fail_msg("not most severe first:%s", describe(&r->findings));
}

/* 40,000 copies of one key, then a later file that overrides it: every
 * copy after the first is a duplicate naming line 1, and every copy is
 * overridden, naming the later file. Each line's finding costs its own
 * strings, not a fixed few kilobytes (lint once took 513 MB here). */
static void test_many_duplicates(void **state)
{
	struct lint_test *t = *state;
	const size_t copies = 40000;
	const char line[] = "net.ipv4.tcp_fin_timeout = 30\n";
	char *text = malloc(copies * (sizeof(line) - 1) + 1), *p = text;
	const struct lint_result *r;
	json_t *findings;

	assert_non_null(text);
	for (size_t i = 0; i < copies; i++)
		p += sprintf(p, "%s", line);
	fixture_write(t->fx->root, "etc/sysctl.d/50-many.conf", text);
	free(text);
	fixture_write(t->fx->root, "etc/sysctl.d/90-last.conf", "net.ipv4.tcp_fin_timeout = 40\n");
	r = lint_tree(t, 6, 1);
	assert_count(&r->findings, "duplicate-key", copies - 1);
	assert_count(&r->findings, "overridden", copies);
	assert_finding(&r->findings, "duplicate-key", SEVERITY_WARNING, "etc/sysctl.d/50-many.conf",
		       2, KNOB_TCP_FIN_TIMEOUT, "(line 1 set it to 30)");
	assert_finding(&r->findings, "duplicate-key", SEVERITY_WARNING, "etc/sysctl.d/50-many.conf",
		       (unsigned)copies, KNOB_TCP_FIN_TIMEOUT, "(line 1 set it to 30)");
	assert_finding(&r->findings, "overridden", SEVERITY_INFO, "etc/sysctl.d/50-many.conf",
		       (unsigned)copies, KNOB_TCP_FIN_TIMEOUT,
		       "overridden by etc/sysctl.d/90-last.conf:1");
	assert_no_finding(&r->findings, "syntax");
	/* a finding holds its strings by reference: no path-sized buffer each */
	assert_true(sizeof(struct finding) <= 64);

	/* the streamed JSON report holds them all, in order */
	findings = json_object_get(capture_json(t, report_lint_json, r), "findings");
	assert_int_equal(json_array_size(findings), r->findings.count);
	for (size_t i = 0; i < r->findings.count; i += 997)
		assert_int_equal(
			json_integer_value(json_object_get(json_array_get(findings, i), "line")),
			r->findings.items[i].line);
}

/* ------------------------------------------------------------ reports */

static void test_report_text(void **state)
{
	struct lint_test *t = *state;
	const struct lint_result *r;
	const char *text;
	char expected[4096];
	size_t n = 0;

	write_three_severities(t->fx);
	/* a second warning, so that no two counts are alike */
	fixture_write(t->fx->root, "etc/sysctl.d/04-warning.conf", "net.ipv4.tcp_tw_reuse = 9\n");
	r = lint_tree(t, 4, 9);
	assert_int_equal(r->findings.count, 4);
	assert_true(r->skipped_count > 1);
	text = capture(t, report_lint_text, r);
	/* FILE:LINE: severity: message [ID], most severe first */
	n += (size_t)snprintf(
		expected + n, sizeof(expected) - n,
		"etc/sysctl.d/03-critical.conf:1: critical: %s [tw-recycle-enabled]\n",
		r->findings.items[0].summary);
	n += (size_t)snprintf(expected + n, sizeof(expected) - n,
			      "etc/sysctl.d/02-warning.conf:1: warning: %s [syntax]\n",
			      r->findings.items[1].summary);
	n += (size_t)snprintf(
		expected + n, sizeof(expected) - n,
		"etc/sysctl.d/04-warning.conf:1: warning: the kernel refuses '9' for "
		"net.ipv4.tcp_tw_reuse: 9 is outside 0-2 (proc_dou8vec_minmax); the key keeps "
		"0 [invalid-value]\n");
	n += (size_t)snprintf(expected + n, sizeof(expected) - n,
			      "etc/sysctl.d/01-info.conf:1: info: %s [fin-timeout-lowered]\n",
			      r->findings.items[3].summary);
	snprintf(expected + n, sizeof(expected) - n,
		 "1 critical, 2 warning, 1 info in 4 files; %zu rules need live facts (sockets, "
		 "counters, NAT) and were skipped\n",
		 r->skipped_count);
	assert_string_equal(text, expected);
	assert_non_null(strstr(text, "tcp_tw_recycle = 1"));
	assert_non_null(strstr(text, "not an assignment"));

	/* an empty tree: the summary alone */
	fixture_unlink(t->fx->root, "etc/sysctl.d/01-info.conf");
	fixture_unlink(t->fx->root, "etc/sysctl.d/02-warning.conf");
	fixture_unlink(t->fx->root, "etc/sysctl.d/04-warning.conf");
	fixture_write(t->fx->root, "etc/sysctl.d/03-critical.conf", "net.ipv4.tcp_tw_reuse = 2\n");
	r = lint_tree(t, 6, 1);
	text = capture(t, report_lint_text, r);
	snprintf(expected, sizeof(expected),
		 "0 critical, 0 warning, 0 info in 1 file; %zu rules need live facts (sockets, "
		 "counters, NAT) and were skipped\n",
		 r->skipped_count);
	assert_string_equal(text, expected);
}

static void test_report_json(void **state)
{
	struct lint_test *t = *state;
	const struct lint_result *r;
	json_t *doc, *findings, *summary, *skipped;

	write_three_severities(t->fx);
	fixture_write(t->fx->root, "etc/sysctl.d/04-warning.conf", "net.ipv4.tcp_tw_reuse = 9\n");
	r = lint_tree(t, 4, 9);
	assert_int_equal(r->findings.count, 4);
	doc = capture_json(t, report_lint_json, r);
	findings = json_object_get(doc, "findings");
	summary = json_object_get(doc, "summary");
	assert_true(json_is_array(findings));
	assert_true(json_is_object(summary));
	assert_int_equal(json_array_size(findings), r->findings.count);
	for (size_t i = 0; i < r->findings.count; i++) {
		const struct finding *fd = &r->findings.items[i];
		json_t *o = json_array_get(findings, i), *key = json_object_get(o, "key");

		assert_string_equal(json_string_value(json_object_get(o, "file")), fd->file);
		assert_int_equal(json_integer_value(json_object_get(o, "line")), fd->line);
		assert_string_equal(json_string_value(json_object_get(o, "severity")),
				    severity_name(fd->rule->severity));
		assert_string_equal(json_string_value(json_object_get(o, "id")), fd->rule->id);
		assert_string_equal(json_string_value(json_object_get(o, "message")), fd->summary);
		if (fd->key < 0)
			assert_true(json_is_null(key));
		else
			assert_string_equal(json_string_value(key), knob_get(fd->key)->name);
	}
	/* the values themselves, not only as the result holds them */
	assert_string_equal(json_string_value(json_object_get(json_array_get(findings, 0), "file")),
			    "etc/sysctl.d/03-critical.conf");
	assert_string_equal(json_string_value(json_object_get(json_array_get(findings, 0), "key")),
			    "net.ipv4.tcp_tw_recycle");
	assert_string_equal(
		json_string_value(json_object_get(json_array_get(findings, 0), "recommended")),
		"0");
	assert_true(json_is_null(json_object_get(json_array_get(findings, 1), "key")));
	assert_string_equal(json_string_value(json_object_get(json_array_get(findings, 2), "key")),
			    "net.ipv4.tcp_tw_reuse");
	assert_string_equal(json_string_value(json_object_get(json_array_get(findings, 3), "id")),
			    "fin-timeout-lowered");

	assert_int_equal(json_integer_value(json_object_get(summary, "critical")), 1);
	assert_int_equal(json_integer_value(json_object_get(summary, "warning")), 2);
	assert_int_equal(json_integer_value(json_object_get(summary, "info")), 1);
	assert_int_equal(json_integer_value(json_object_get(summary, "input_errors")), 0);
	assert_int_equal(json_array_size(json_object_get(summary, "files")), 4);
	skipped = json_object_get(summary, "skipped_rules");
	assert_true(json_is_array(skipped));
	assert_int_equal(json_array_size(skipped), r->skipped_count);
	for (size_t i = 0; i < r->skipped_count; i++)
		assert_string_equal(json_string_value(json_array_get(skipped, i)), r->skipped[i]);
	assert_true(r->skipped_count > 0);
}

/* Found as a bug, now fixed: report_lint_json() (src/report/lint.c) lists summary.files from
 * r->config.files[i].path, the path as opened, so under --root it is
 * "/tmp/twtune-unit.X/etc/sysctl.d/01-info.conf" while every finding's
 * "file" is "etc/sysctl.d/01-info.conf" (relative to --root, as
 * lint_run() documents). A CI job cannot match the two. */
static void test_report_json_files_relative_to_root(void **state)
{
	struct lint_test *t = *state;
	const struct lint_result *r;
	json_t *files;

	write_three_severities(t->fx);
	r = lint_tree(t, 4, 9);
	files = json_object_get(json_object_get(capture_json(t, report_lint_json, r), "summary"),
				"files");
	assert_int_equal(json_array_size(files), 3);
	assert_string_equal(json_string_value(json_array_get(files, 0)),
			    "etc/sysctl.d/01-info.conf");
	assert_string_equal(json_string_value(json_array_get(files, 2)),
			    "etc/sysctl.d/03-critical.conf");
}

/* Found as a bug, now fixed: report_lint_text() (src/report/lint.c) writes "1 rule need live
 * facts (sockets, counters, NAT) and were skipped" when exactly one rule is
 * skipped: the verb does not follow the count ("needs", "was"). */
static void test_report_text_one_skipped_rule(void **state)
{
	struct lint_test *t = *state;
	const struct lint_result *r;

	fixture_write(t->fx->root, "rules/live.rule",
		      "[rule needs-sockets]\n"
		      "severity = info\n"
		      "title    = needs the socket census\n"
		      "when     = sockets.time_wait.inbound >= 500\n");
	use_rules(t, "rules");
	r = lint_tree(t, 6, 1);
	assert_int_equal(r->skipped_count, 1);
	assert_string_equal(capture(t, report_lint_text, r),
			    "0 critical, 0 warning, 0 info in 0 files; 1 rule needs live facts "
			    "(sockets, counters, NAT) and was skipped\n");
}

/* Found as a bug, now fixed: parse_line() (src/sysctld/sysctld.c) quotes a line that is not an
 * assignment with "%.60s", which cuts bytes, not characters: 59 ASCII
 * bytes and then "\xc3\xa9" (e-acute) leave a lone 0xc3 in the message.
 * Lint's reports then break: report_lint_json() (src/report/lint.c) gets
 * NULL from json_string() and the finding has no "message" at all, and
 * report_lint_sarif() gets NULL from json_pack() and drops the whole
 * result (its rule descriptor stays); the text report prints the invalid
 * byte. The line itself is valid UTF-8, so nothing else reports it. */
static void test_report_syntax_message_stays_utf8(void **state)
{
	struct lint_test *t = *state;
	const struct lint_result *r;
	json_t *doc;

	fixture_write(t->fx->root, "etc/sysctl.d/x.conf",
		      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		      "\xc3\xa9 no equals sign\n");
	r = lint_tree(t, 6, 1);
	assert_count(&r->findings, "syntax", 1);
	doc = capture_json(t, report_lint_json, r);
	assert_true(json_is_string(
		json_object_get(json_array_get(json_object_get(doc, "findings"), 0), "message")));
	doc = capture_json(t, report_lint_sarif, r);
	assert_int_equal(json_array_size(json_object_get(
				 json_array_get(json_object_get(doc, "runs"), 0), "results")),
			 1);
}

static void test_report_sarif(void **state)
{
	static const char *const levels[] = {"error", "warning", "note"};
	struct lint_test *t = *state;
	const struct lint_result *r;
	json_t *doc, *run, *rules, *results;

	write_three_severities(t->fx);
	/* and a second finding of a rule already seen, so that indexes repeat */
	fixture_write(t->fx->root, "etc/sysctl.d/04-warning.conf", "another bad line\n");
	r = lint_tree(t, 4, 9);
	assert_int_equal(r->findings.count, 4);
	doc = capture_json(t, report_lint_sarif, r);
	assert_string_equal(json_string_value(json_object_get(doc, "version")), "2.1.0");
	run = json_array_get(json_object_get(doc, "runs"), 0);
	assert_non_null(run);
	assert_int_equal(json_array_size(json_object_get(doc, "runs")), 1);
	assert_string_equal(
		json_string_value(json_object_get(
			json_object_get(json_object_get(run, "tool"), "driver"), "name")),
		"twtune");
	rules = json_object_get(json_object_get(json_object_get(run, "tool"), "driver"), "rules");
	results = json_object_get(run, "results");
	assert_true(json_is_array(rules));
	assert_int_equal(json_array_size(rules), 3); /* distinct rules that fired */
	assert_true(strncmp(json_string_value(json_object_get(
				    json_object_get(json_object_get(run, "originalUriBaseIds"),
						    "SRCROOT"),
				    "uri")),
			    "file:///", 8) == 0);
	for (size_t i = 0; i < json_array_size(rules); i++) {
		json_t *rule = json_array_get(rules, i);

		assert_true(
			json_is_string(json_object_get(json_object_get(rule, "help"), "markdown")));
		assert_true(strncmp(json_string_value(json_object_get(rule, "helpUri")), "https://",
				    8) == 0);
	}
	assert_int_equal(json_array_size(results), r->findings.count);
	for (size_t i = 0; i < r->findings.count; i++) {
		const struct finding *fd = &r->findings.items[i];
		json_t *res = json_array_get(results, i);
		json_t *location = json_object_get(
			json_array_get(json_object_get(res, "locations"), 0), "physicalLocation");
		json_t *descriptor;
		json_int_t index;

		assert_string_equal(json_string_value(json_object_get(res, "ruleId")),
				    fd->rule->id);
		assert_string_equal(json_string_value(json_object_get(res, "level")),
				    levels[SEVERITY_CRITICAL - fd->rule->severity]);
		assert_string_equal(json_string_value(json_object_get(
					    json_object_get(location, "artifactLocation"), "uri")),
				    fd->file);
		/* relative to where lint ran, which the run names */
		assert_string_equal(
			json_string_value(json_object_get(
				json_object_get(location, "artifactLocation"), "uriBaseId")),
			"SRCROOT");
		assert_int_equal(json_integer_value(json_object_get(
					 json_object_get(location, "region"), "startLine")),
				 fd->line);
		assert_string_equal(
			json_string_value(json_object_get(json_object_get(res, "message"), "text")),
			fd->summary);
		assert_true(json_is_integer(json_object_get(res, "ruleIndex")));
		index = json_integer_value(json_object_get(res, "ruleIndex"));
		descriptor = json_array_get(rules, (size_t)index);
		if (!descriptor)
			fail_msg("result %zu: ruleIndex %lld out of range", i, (long long)index);
		assert_string_equal(json_string_value(json_object_get(descriptor, "id")),
				    fd->rule->id);
	}
	/* the levels themselves */
	assert_string_equal(json_string_value(json_object_get(json_array_get(results, 0), "level")),
			    "error");
	assert_string_equal(json_string_value(json_object_get(json_array_get(results, 1), "level")),
			    "warning");
	assert_string_equal(json_string_value(json_object_get(json_array_get(results, 3), "level")),
			    "note");
}

static void test_report_github(void **state)
{
	struct lint_test *t = *state;
	struct lint_result *r = &t->result;
	const char *text;

	/* a result made by hand: messages and names with what GitHub escapes */
	forget_result(t);
	memset(r, 0, sizeof(*r));
	t->linted = true;
	assert_non_null(findings_add(&r->findings, &lint_rule_syntax, "etc/sysctl.d/a,b:c.conf", 7,
				     -1, "50%% done\nnext\rline: a, b"));
	assert_non_null(findings_add(&r->findings, &lint_rule_unreadable, "etc/sysctl.d/z.conf", 0,
				     -1, "NUL byte"));
	assert_non_null(findings_add(&r->findings, &lint_rule_overridden, "etc/sysctl.d/y.conf", 3,
				     KNOB_TCP_FIN_TIMEOUT, "overridden by etc/sysctl.d/z.conf:1"));
	text = capture(t, report_lint_github, r);
	assert_string_equal(text,
			    "::warning file=etc/sysctl.d/a%2Cb%3Ac.conf,line=7,title=syntax::"
			    "50%25 done%0Anext%0Dline: a, b\n"
			    "::error file=etc/sysctl.d/z.conf,line=1,title=unreadable::NUL byte\n"
			    "::notice file=etc/sysctl.d/y.conf,line=3,title=overridden::"
			    "overridden by etc/sysctl.d/z.conf:1\n");

	/* and from a real run: one line per finding */
	write_three_severities(t->fx);
	lint_tree(t, 4, 9);
	text = capture(t, report_lint_github, &t->result);
	assert_non_null(strstr(text, "::error file=etc/sysctl.d/03-critical.conf,line=1,"
				     "title=tw-recycle-enabled::"));
	assert_non_null(strstr(text, "\n::warning file=etc/sysctl.d/02-warning.conf,line=1,"
				     "title=syntax::not an assignment"));
	assert_non_null(strstr(text, "\n::notice file=etc/sysctl.d/01-info.conf,line=1,"
				     "title=fin-timeout-lowered::"));
}

/* ------------------------------------------------------------ drift */

static void set_running(struct tw_facts *f, enum knob_id key, const char *value)
{
	fixture_set_sysctl(f, key, value);
}

/* The fixture's facts as a 6.1 host whose boot configuration (T->boot) is
 * one file, 90-local.conf. */
static struct tw_facts *drift_host(struct lint_test *t)
{
	struct tw_facts *f = &t->fx->facts;

	fixture_write(t->fx->root, "etc/sysctl.d/90-local.conf",
		      "net.ipv4.tcp_fin_timeout = 30\n"
		      "net.ipv4.tcp_tw_reuse = 1\n"
		      "net.ipv4.ip_local_port_range = 32768\t60999\n"
		      "net.ipv4.tcp_ehash_entries = 5\n");
	assert_int_equal(sysctld_load_system(t->fx->root, false, &t->boot), 0);
	assert_int_equal(t->boot.file_count, 1);
	f->version = (struct kernel_version){6, 1, 0};
	f->version_known = true;
	/* as the file says, blanks aside */
	set_running(f, KNOB_TCP_FIN_TIMEOUT, "30");
	set_running(f, KNOB_TCP_TW_REUSE, "1");
	set_running(f, KNOB_IP_LOCAL_PORT_RANGE, "32768 60999");
	/* read-only: the file's 5 is never a boot value */
	set_running(f, KNOB_TCP_EHASH_ENTRIES, "4096");
	return f;
}

static const struct findings *drift(struct lint_test *t, const struct tw_facts *f)
{
	findings_free(&t->drift);
	assert_int_equal(drift_findings(f, &t->boot, &t->drift), 0);
	return &t->drift;
}

static void test_drift_boot_differs(void **state)
{
	struct lint_test *t = *state;
	struct tw_facts *f = drift_host(t);
	const struct findings *fs;
	const struct finding *fd;
	char file[PATH_MAX];

	fixture_join(file, sizeof(file), t->fx->root, "etc/sysctl.d/90-local.conf");
	/* all as the files say: nothing */
	fs = drift(t, f);
	assert_no_findings(fs);

	set_running(f, KNOB_TCP_FIN_TIMEOUT, "45");
	fs = drift(t, f);
	/* check runs on the host: the path as read */
	fd = assert_finding(fs, "drift-boot-differs", SEVERITY_WARNING, file, 1,
			    KNOB_TCP_FIN_TIMEOUT, "net.ipv4.tcp_fin_timeout is 45 now");
	assert_has_text(fd, "90-local.conf:1 sets 30");
	assert_int_equal(fs->count, 1);
}

static void test_drift_not_persisted(void **state)
{
	struct lint_test *t = *state;
	struct tw_facts *f = drift_host(t);
	const struct findings *fs;
	const struct finding *fd;

	/* in no file, at their defaults: nothing */
	set_running(f, KNOB_TCP_TIMESTAMPS, "1");
	set_running(f, KNOB_NF_CONNTRACK_TCP_TIMEOUT_TIME_WAIT, "120");
	set_running(f, KNOB_TCP_MAX_TW_BUCKETS, "2048"); /* tcp_ehash_entries / 2 */
	fs = drift(t, f);
	assert_no_findings(fs);

	set_running(f, KNOB_TCP_TIMESTAMPS, "0");
	fs = drift(t, f);
	fd = assert_finding(
		fs, "drift-not-persisted", SEVERITY_INFO, "", 0, KNOB_TCP_TIMESTAMPS,
		"net.ipv4.tcp_timestamps = 0 is set at runtime but in no sysctl.d file");
	assert_has_text(fd, "returns it to 1");
	assert_int_equal(fs->count, 1);

	/* a default derived from another fact */
	set_running(f, KNOB_TCP_TIMESTAMPS, "1");
	set_running(f, KNOB_TCP_MAX_TW_BUCKETS, "1000");
	fs = drift(t, f);
	assert_finding(fs, "drift-not-persisted", SEVERITY_INFO, "", 0, KNOB_TCP_MAX_TW_BUCKETS,
		       "returns it to 2048");
	assert_int_equal(fs->count, 1);
}

#define LINT_TEST(name) cmocka_unit_test_setup_teardown(name, lint_setup, lint_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		LINT_TEST(test_tw_recycle_on_4_9),
		LINT_TEST(test_odd_bytes_are_applied),
		LINT_TEST(test_unreadable_not_for_text),
		LINT_TEST(test_rule_tw_reuse_without_timestamps),
		LINT_TEST(test_rule_port_range_parity),
		LINT_TEST(test_rules_needing_live_facts_are_skipped),
		LINT_TEST(test_rules_on_kernel_defaults_only_are_not_reported),
		LINT_TEST(test_rule_located_at_the_key_it_names),
		LINT_TEST(test_paths_single_file),
		LINT_TEST(test_paths_directory),
		LINT_TEST(test_paths_missing_file),
		LINT_TEST(test_findings_sorted),
		LINT_TEST(test_many_duplicates),
		LINT_TEST(test_report_text),
		LINT_TEST(test_report_json),
		LINT_TEST(test_report_json_files_relative_to_root),
		LINT_TEST(test_report_text_one_skipped_rule),
		LINT_TEST(test_report_syntax_message_stays_utf8),
		LINT_TEST(test_report_sarif),
		LINT_TEST(test_report_github),
		LINT_TEST(test_drift_boot_differs),
		LINT_TEST(test_drift_not_persisted),
	};
	const struct fixture_table tables[] = {
		FIXTURE_TABLE(lint_cases, test_lint_case, lint_setup, lint_teardown),
	};

	return fixture_run(tests, ARRAY_SIZE(tests), tables, ARRAY_SIZE(tables));
}
