/* SPDX-License-Identifier: MIT */
/* sysctl.d configuration: key normalisation, line syntax, hostile bytes,
 * directory precedence and masking under a --root tree (its links resolved
 * inside it), /etc/sysctl.conf, explicit paths, and which assignment wins
 * when globs, exclusions and explicit keys meet, as systemd-sysctl decides.
 * tests/data/sysctld/debian is a Debian-like tree; trees with links and
 * odd bytes are built in a temporary directory. */
#include <errno.h>
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

#include "fixture.h"
#include "sysctld/sysctld.h"

#define DEBIAN_ROOT TEST_SRCDIR "/data/sysctld/debian"

/* ------------------------------------------------------------ helpers */

/* Everything C holds, for failure messages. */
static const char *describe(const struct sysctl_config *c)
{
	static char text[16384];
	size_t n = 0;

	text[0] = '\0';
	for (size_t i = 0; i < c->file_count && n < sizeof(text); i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "\n  file %s", c->files[i].path);
	for (size_t i = 0; i < c->count && n < sizeof(text); i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "\n  %s:%u %s = %s",
				      c->files[c->assignments[i].file].name, c->assignments[i].line,
				      c->assignments[i].key,
				      c->assignments[i].value ? c->assignments[i].value
							      : "(excluded)");
	for (size_t i = 0; i < c->problem_count && n < sizeof(text); i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "\n  problem %d %s:%u: %s",
				      (int)c->problems[i].kind, c->problems[i].path,
				      c->problems[i].line, c->problems[i].message);
	return text;
}

static void assert_effective(const struct sysctl_config *c, const char *key, const char *value)
{
	const struct sysctl_assignment *a = sysctld_effective(c, key);

	if (!value && a)
		fail_msg("%s: expected unset, got \"%s\"%s", key, a->value, describe(c));
	if (value && !a)
		fail_msg("%s: expected \"%s\", got unset%s", key, value, describe(c));
	if (value && strcmp(a->value, value) != 0)
		fail_msg("%s: expected \"%s\", got \"%s\"%s", key, value, a->value, describe(c));
}

static void assert_no_problems(const struct sysctl_config *c)
{
	if (c->problem_count)
		fail_msg("%zu problem(s):%s", c->problem_count, describe(c));
}

/* The problem of KIND whose path ends with PATH_END, at LINE. */
static const struct sysctl_problem *find_problem(const struct sysctl_config *c,
						 enum sysctl_problem_kind kind,
						 const char *path_end, unsigned line)
{
	size_t want = strlen(path_end);

	for (size_t i = 0; i < c->problem_count; i++) {
		const struct sysctl_problem *p = &c->problems[i];
		size_t have = strlen(p->path);

		if (p->kind == kind && p->line == line && have >= want &&
		    strcmp(p->path + have - want, path_end) == 0)
			return p;
	}
	fail_msg("no problem %d at %s:%u:%s", (int)kind, path_end, line, describe(c));
	return NULL;
}

/* The names of the files read, in order, joined by spaces. */
static const char *file_names(const struct sysctl_config *c)
{
	static char text[4096];
	size_t n = 0;

	text[0] = '\0';
	for (size_t i = 0; i < c->file_count && n < sizeof(text); i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s%s", i ? " " : "",
				      c->files[i].name);
	return text;
}

/* Parse one file of CONTENT, written at ROOT/REL, into C. */
static void parse_text(struct fixture *fx, const char *rel, const char *content,
		       struct sysctl_config *c)
{
	char path[PATH_MAX];

	fixture_write(fx->root, rel, content);
	fixture_join(path, sizeof(path), fx->root, rel);
	memset(c, 0, sizeof(*c));
	assert_int_equal(sysctld_parse_file(path, c), 0);
}

static void load(struct fixture *fx, bool with_sysctl_conf, struct sysctl_config *c)
{
	assert_int_equal(sysctld_load_system(fx->root, with_sysctl_conf, c), 0);
}

/* ------------------------------------------------------------ keys */

static void test_normalize_key(void **state)
{
	static const char *const cases[][2] = {
		{"net.ipv4.tcp_tw_reuse", "net/ipv4/tcp_tw_reuse"},
		{"net/ipv4/tcp_tw_reuse", "net/ipv4/tcp_tw_reuse"},
		/* a VLAN interface: the dot of its name survives either way */
		{"net.ipv4.conf.enp3s0/200.forwarding", "net/ipv4/conf/enp3s0.200/forwarding"},
		{"net/ipv4/conf/enp3s0.200/forwarding", "net/ipv4/conf/enp3s0.200/forwarding"},
		{"a.b/c.d", "a/b.c/d"},
		{"a/b.c/d", "a/b.c/d"},
		{"a...b...c", "a/b/c"},
		{".a...b...c", "a/b/c"},
		{"/a///b///c", "a/b/c"},
		{"net.ipv4.conf.*.rp_filter", "net/ipv4/conf/*/rp_filter"},
		{"kernel", "kernel"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = sysctld_normalize_key(cases[i][0]);

		assert_non_null(got);
		if (strcmp(got, cases[i][1]) != 0)
			fail_msg("%s: expected %s, got %s", cases[i][0], cases[i][1], got);
		free(got);
	}
}

static void test_key_dotted(void **state)
{
	char buf[128], small[8];
	char *back;

	(void)state;
	assert_string_equal(sysctld_key_dotted("net/ipv4/conf/eth0.1/forwarding", buf, sizeof(buf)),
			    "net.ipv4.conf.eth0/1.forwarding");
	assert_string_equal(sysctld_key_dotted("kernel/sysrq", buf, sizeof(buf)), "kernel.sysrq");
	/* and back again to the same key */
	back = sysctld_normalize_key(
		sysctld_key_dotted("net/ipv4/conf/eth0.1/forwarding", buf, sizeof(buf)));
	assert_non_null(back);
	assert_string_equal(back, "net/ipv4/conf/eth0.1/forwarding");
	free(back);
	/* a short buffer gets what fits, terminated */
	assert_string_equal(sysctld_key_dotted("net/ipv4/tcp_tw_reuse", small, sizeof(small)),
			    "net.ipv");
}

/* ------------------------------------------------------------ a real tree */

static void test_debian_tree(void **state)
{
	struct sysctl_config c;
	const struct sysctl_assignment *a;

	(void)state;
	assert_int_equal(sysctld_load_system(DEBIAN_ROOT, false, &c), 0);
	assert_no_problems(&c);
	/* name order across directories; README.sysctl is not a .conf */
	assert_string_equal(file_names(&c), "10-ipv6-privacy.conf 10-network-security.conf "
					    "50-default.conf 50-pid-max.conf 90-local.conf");
	assert_string_equal(c.files[0].path, DEBIAN_ROOT "/usr/lib/sysctl.d/10-ipv6-privacy.conf");
	assert_string_equal(c.files[4].path, DEBIAN_ROOT "/etc/sysctl.d/90-local.conf");

	assert_effective(&c, "kernel.sysrq", "0x01b6");
	assert_effective(&c, "kernel/pid_max", "4194304");
	assert_effective(&c, "net.ipv4.conf.eth0.rp_filter", "2"); /* by the glob */
	assert_effective(&c, "net.ipv4.conf.default.rp_filter", "2");
	/* 10-network-security.conf sets it, 50-default.conf's exclusion
	 * replaces that: systemd-sysctl leaves it alone */
	assert_effective(&c, "net.ipv4.conf.all.rp_filter", NULL);
	assert_effective(&c, "net.ipv4.conf.all.promote_secondaries", NULL);
	assert_effective(&c, "net.ipv4.ip_local_port_range", "32768 60999");
	assert_effective(&c, "net.ipv4.conf.eth0/100.forwarding", "1");
	assert_effective(&c, "net/ipv4/conf/eth0.100/forwarding", "1");
	assert_effective(&c, "net.ipv4.tcp_fin_timeout", NULL);

	/* 90-local.conf's explicit line comes after the exclusion */
	a = sysctld_effective(&c, "net.ipv4.conf.all.accept_source_route");
	assert_non_null(a);
	assert_string_equal(a->value, "0");
	assert_true(a->ignore_failure);
	assert_string_equal(c.files[a->file].name, "90-local.conf");
	assert_int_equal(a->line, 9);

	a = sysctld_effective(&c, "net.core.default_qdisc");
	assert_non_null(a);
	assert_true(a->ignore_failure);
	a = sysctld_effective(&c, "kernel.sysrq");
	assert_false(a->ignore_failure);
	assert_false(a->is_glob);
	a = sysctld_effective(&c, "net.ipv4.conf.eth0.promote_secondaries");
	assert_non_null(a);
	assert_true(a->is_glob);
	assert_string_equal(a->key, "net/ipv4/conf/*/promote_secondaries");
	sysctld_free(&c);
}

static void test_sysctl_conf_only_with_flag(void **state)
{
	struct sysctl_config c;

	(void)state;
	assert_int_equal(sysctld_load_system(DEBIAN_ROOT, true, &c), 0);
	assert_no_problems(&c);
	assert_int_equal(c.file_count, 6);
	assert_string_equal(c.files[5].name, "sysctl.conf");
	assert_string_equal(c.files[5].path, DEBIAN_ROOT "/etc/sysctl.conf");
	assert_effective(&c, "net.ipv4.ip_local_port_range", "1024 65000");
	sysctld_free(&c);

	assert_int_equal(sysctld_load_system(DEBIAN_ROOT, false, &c), 0);
	for (size_t i = 0; i < c.file_count; i++)
		assert_string_not_equal(c.files[i].name, "sysctl.conf");
	assert_effective(&c, "net.ipv4.ip_local_port_range", "32768 60999");
	sysctld_free(&c);
}

/* Debian's procps links /etc/sysctl.d/99-sysctl.conf to ../sysctl.conf. */
static void test_sysctl_conf_through_link(void **state)
{
	struct fixture *fx = *state;
	struct sysctl_config c;

	fixture_write(fx->root, "etc/sysctl.conf", "net.ipv4.ip_local_port_range = 1024 65000\n");
	fixture_write(fx->root, "etc/sysctl.d/90-local.conf",
		      "net.ipv4.ip_local_port_range = 32768 60999\n");
	fixture_symlink(fx->root, "etc/sysctl.d/99-sysctl.conf", "../sysctl.conf");
	load(fx, false, &c);
	assert_no_problems(&c);
	assert_string_equal(file_names(&c), "90-local.conf 99-sysctl.conf");
	assert_effective(&c, "net.ipv4.ip_local_port_range", "1024 65000");
	sysctld_free(&c);

	/* sysctl --system reads it both ways */
	load(fx, true, &c);
	assert_string_equal(file_names(&c), "90-local.conf 99-sysctl.conf sysctl.conf");
	sysctld_free(&c);
}

/* ------------------------------------------------------------ precedence */

static void test_precedence_and_order(void **state)
{
	struct fixture *fx = *state;
	struct sysctl_config c;
	size_t sysrq_lines = 0;

	fixture_write(fx->root, "etc/sysctl.d/05-early.conf", "net.ipv4.tcp_fin_timeout = 5\n");
	fixture_write(fx->root, "usr/lib/sysctl.d/10-a.conf",
		      "net.ipv4.tcp_fin_timeout = 60\nnet.core.somaxconn = 1024\n");
	fixture_write(fx->root, "etc/sysctl.d/20-b.conf", "net.ipv4.tcp_fin_timeout = 30\n");
	fixture_write(fx->root, "usr/lib/sysctl.d/30-same.conf", "kernel.sysrq = 1\n");
	fixture_write(fx->root, "etc/sysctl.d/30-same.conf", "kernel.sysrq = 0\n");
	fixture_write(fx->root, "usr/local/lib/sysctl.d/40-x.conf", "vm.swappiness = 60\n");
	fixture_write(fx->root, "run/sysctl.d/40-x.conf", "vm.swappiness = 10\n");
	fixture_write(fx->root, "usr/local/lib/sysctl.d/45-local.conf",
		      "vm.overcommit_memory = 1\n");
	load(fx, false, &c);
	assert_no_problems(&c);
	assert_string_equal(
		file_names(&c),
		"05-early.conf 10-a.conf 20-b.conf 30-same.conf 40-x.conf 45-local.conf");
	/* name order, not directory order: /usr/lib's 10-a before /etc's 20-b */
	assert_effective(&c, "net.ipv4.tcp_fin_timeout", "30");
	assert_effective(&c, "net.core.somaxconn", "1024");
	/* the same name: /etc wins and /usr/lib's file is not read at all */
	assert_effective(&c, "kernel.sysrq", "0");
	assert_string_equal(c.files[3].path + strlen(fx->root), "/etc/sysctl.d/30-same.conf");
	for (size_t i = 0; i < c.count; i++)
		sysrq_lines += strcmp(c.assignments[i].key, "kernel/sysrq") == 0;
	assert_int_equal(sysrq_lines, 1);
	/* /run before /usr/local/lib */
	assert_effective(&c, "vm.swappiness", "10");
	assert_string_equal(c.files[4].path + strlen(fx->root), "/run/sysctl.d/40-x.conf");
	assert_effective(&c, "vm.overcommit_memory", "1");
	sysctld_free(&c);
}

static void test_root_missing_or_empty(void **state)
{
	struct fixture *fx = *state;
	struct sysctl_config c;
	char missing[PATH_MAX];

	fixture_join(missing, sizeof(missing), fx->root, "no-such-root");
	assert_int_equal(sysctld_load_system(missing, true, &c), 0);
	assert_int_equal(c.problem_count, 1);
	assert_int_equal(c.problems[0].kind, SYSCTL_PROBLEM_UNREADABLE);
	assert_string_equal(c.problems[0].path, missing);
	assert_int_equal(c.file_count, 0);
	sysctld_free(&c);

	/* an empty tree is a configuration with nothing in it */
	load(fx, true, &c);
	assert_no_problems(&c);
	assert_int_equal(c.file_count, 0);
	assert_int_equal(c.count, 0);
	sysctld_free(&c);
}

/* ------------------------------------------------------------ trees */

/* FILES and LINKS under the fixture's root loaded as the configuration of
 * a boot (without /etc/sysctl.conf), and what it must hold. Each field left
 * out is not checked. */
struct tree_case {
	const char *name;
	struct fixture_file files[6]; /* to the first empty one */
	struct fixture_file links[3]; /* a link's path and its target */
	const char *file_names;	      /* the files read, in order */
	size_t files_read;	      /* how many */
	const char *first_file;	      /* the first one's path under the root */
	struct {
		enum sysctl_problem_kind kind;
		const char *path_end;
		const char *message; /* a part of it */
	} problem;		     /* the only problem, at line 0 (none: no problems) */
	struct {
		const char *key, *value; /* NULL: unset */
	} effective[4];			 /* to the first without a key */
	size_t assignments;		 /* how many assignments were read */
	bool no_assignments;		 /* none at all */
};

static const struct tree_case tree_cases[] = {
	/* the tree has no /dev: the link's text is what masks; and a chain of
	 * links, absolute then relative, ending at /dev/null */
	{"/dev/null masks",
	 .files = {{"usr/lib/sysctl.d/50-default.conf", "kernel.sysrq = 16\n"},
		   {"usr/lib/sysctl.d/60-chain.conf", "vm.swappiness = 1\n"},
		   {"usr/lib/sysctl.d/70-kept.conf", "vm.overcommit_memory = 1\n"}},
	 .links = {{"etc/sysctl.d/50-default.conf", "/dev/null"},
		   {"run/sysctl.d/60-chain.conf", "/etc/masks/null-link"},
		   {"etc/masks/null-link", "../../dev/null"}},
	 .file_names = "70-kept.conf",
	 .effective = {{"kernel.sysrq", NULL},
		       {"vm.swappiness", NULL},
		       {"vm.overcommit_memory", "1"}}},
	/* Absolute links and ".." resolve inside the root, never on the host
	 * (whose /etc/sysctl.conf and /usr/lib/sysctl.d may well exist). */
	{"links stay in the root",
	 .files = {{"etc/sysctl.conf", "kernel.pid_max = 1234\n"},
		   {"usr/lib/sysctl.d/70-only.conf", "vm.swappiness = 7\n"}},
	 .links = {{"etc/sysctl.d/99-sysctl.conf", "/etc/sysctl.conf"},
		   {"etc/sysctl.d/97-up.conf", "../../../../../../../etc/sysctl.conf"},
		   {"lib", "/usr/lib"}},
	 .file_names = "70-only.conf 97-up.conf 99-sysctl.conf", .assignments = 3,
	 .effective = {{"kernel.pid_max", "1234"}, {"vm.swappiness", "7"}}},
	{"a merged /lib read once",
	 .files = {{"usr/lib/sysctl.d/50-x.conf", "vm.swappiness = 1\n"}},
	 .links = {{"lib", "usr/lib"}}, .files_read = 1,
	 .first_file = "/usr/lib/sysctl.d/50-x.conf", .assignments = 1},
	{"a split /lib read last",
	 .files = {{"usr/lib/sysctl.d/70-both.conf", "vm.swappiness = 20\n"},
		   {"lib/sysctl.d/70-both.conf", "vm.swappiness = 30\n"},
		   {"lib/sysctl.d/60-lib.conf", "vm.overcommit_memory = 2\n"}},
	 .file_names = "60-lib.conf 70-both.conf",
	 .effective = {{"vm.swappiness", "20"}, {"vm.overcommit_memory", "2"}}},

	/* ---- odd entries */
	{"an empty file masks",
	 .files = {{"usr/lib/sysctl.d/50-x.conf", "vm.swappiness = 1\n"},
		   {"etc/sysctl.d/50-x.conf", ""}},
	 .files_read = 1, .first_file = "/etc/sysctl.d/50-x.conf", .no_assignments = true,
	 .effective = {{"vm.swappiness", NULL}}},
	/* it still masks by name, as in systemd-sysctl */
	{"a dangling link",
	 .files = {{"usr/lib/sysctl.d/50-x.conf", "vm.swappiness = 1\n"},
		   {"usr/lib/sysctl.d/60-y.conf", "vm.overcommit_memory = 2\n"}},
	 .links = {{"etc/sysctl.d/50-x.conf", "/nowhere/gone.conf"}},
	 .problem = {SYSCTL_PROBLEM_UNREADABLE, "/etc/sysctl.d/50-x.conf", "dangling"},
	 .effective = {{"vm.swappiness", NULL}, {"vm.overcommit_memory", "2"}}},
	{"a directory named .conf",
	 .files = {{"etc/sysctl.d/50-x.conf/inner.conf", "vm.dirty_ratio = 9\n"},
		   {"usr/lib/sysctl.d/50-x.conf", "vm.swappiness = 1\n"},
		   {"usr/lib/sysctl.d/60-y.conf", "vm.overcommit_memory = 2\n"}},
	 .problem = {SYSCTL_PROBLEM_UNREADABLE, "/etc/sysctl.d/50-x.conf", "directory"},
	 .effective = {{"vm.swappiness", NULL},
		       {"vm.dirty_ratio", NULL},
		       {"vm.overcommit_memory", "2"}}},
	{"only visible .conf files",
	 .files = {{"etc/sysctl.d/.hidden.conf", "vm.a = 1\n"},
		   {"etc/sysctl.d/60-x.conf.dpkg-old", "vm.b = 1\n"},
		   {"etc/sysctl.d/README", "vm.c = 1\n"},
		   {"etc/sysctl.d/upper.CONF", "vm.d = 1\n"},
		   {"etc/sysctl.d/.conf", "vm.e = 1\n"},
		   {"etc/sysctl.d/ok.conf", "vm.f = 1\n"}},
	 .file_names = "ok.conf", .assignments = 1, .effective = {{"vm.f", "1"}}},
};

static void test_tree_case(void **state)
{
	struct fixture *fx = *state;
	const struct tree_case *tc = fx->row;
	struct sysctl_config c;

	fixture_write_files(fx->root, tc->files);
	for (size_t i = 0; i < ARRAY_SIZE(tc->links) && tc->links[i].path; i++)
		fixture_symlink(fx->root, tc->links[i].path, tc->links[i].content);
	load(fx, false, &c);
	if (tc->problem.path_end) {
		const struct sysctl_problem *p;

		assert_int_equal(c.problem_count, 1);
		p = find_problem(&c, tc->problem.kind, tc->problem.path_end, 0);
		assert_non_null(strstr(p->message, tc->problem.message));
	} else
		assert_no_problems(&c);
	if (tc->file_names)
		assert_string_equal(file_names(&c), tc->file_names);
	if (tc->files_read)
		assert_int_equal(c.file_count, tc->files_read);
	if (tc->first_file)
		assert_string_equal(c.files[0].path + strlen(fx->root), tc->first_file);
	if (tc->assignments || tc->no_assignments)
		assert_int_equal(c.count, tc->assignments);
	for (size_t i = 0; i < ARRAY_SIZE(tc->effective) && tc->effective[i].key; i++)
		assert_effective(&c, tc->effective[i].key, tc->effective[i].value);
	sysctld_free(&c);
}

/* ------------------------------------------------------------ odd entries */

/* systemd's read_line() ends a line at a NUL byte: the file is applied,
 * the bytes after the NUL are the next line (systemd-sysctl 252 on 6.18). */
static void test_nul_ends_a_line(void **state)
{
	struct fixture *fx = *state;
	static const char binary[] = "vm.c = 2\nnot an assignment\n\x7f"
				     "ELF\0\1\2\nvm.d = 3\0vm.f = 5\n";
	struct sysctl_config c;

	fixture_write(fx->root, "usr/lib/sysctl.d/10-ok.conf", "vm.a = 1\n");
	fixture_write_bytes(fx->root, "etc/sysctl.d/20-bin.conf", binary, sizeof(binary) - 1);
	fixture_write(fx->root, "etc/sysctl.d/30-after.conf", "vm.e = 4\n");
	load(fx, false, &c);
	/* the NUL, once for the file, and lines 2, 3 and 4 are no assignments */
	assert_int_equal(c.problem_count, 4);
	assert_non_null(strstr(
		find_problem(&c, SYSCTL_PROBLEM_BINARY, "/etc/sysctl.d/20-bin.conf", 3)->message,
		"ends the line"));
	find_problem(&c, SYSCTL_PROBLEM_SYNTAX, "/etc/sysctl.d/20-bin.conf", 4);
	assert_effective(&c, "vm.c", "2");
	assert_effective(&c, "vm.d", "3");
	assert_int_equal(sysctld_effective(&c, "vm.f")->line, 6);
	assert_effective(&c, "vm.a", "1");
	assert_effective(&c, "vm.e", "4");
	assert_int_equal(c.count, 5);
	sysctld_free(&c);
}

/* Line ends as read_line_full() (systemd 252) combines them: "\r\n" and
 * "\n\r" are one end, a lone "\r" is one, "\n\n" and "\r\r" are two. */
static void test_line_ends(void **state)
{
	struct fixture *fx = *state;
	struct sysctl_config c;

	parse_text(fx, "ends.conf",
		   "vm.a = 1\r\n"	      /* 1 */
		   "vm.b = 2\rvm.c = 3\n"     /* 2, 3 */
		   "vm.d = 4\n\rvm.e = 5\r\r" /* 4, 5, 6 (empty) */
		   "vm.f = 6",		      /* 7, no end */
		   &c);
	assert_int_equal(c.problem_count, 1);
	find_problem(&c, SYSCTL_PROBLEM_LONE_CR, "/ends.conf", 2);
	assert_effective(&c, "vm.a", "1");
	assert_effective(&c, "vm.b", "2");
	assert_int_equal(sysctld_effective(&c, "vm.c")->line, 3);
	assert_int_equal(sysctld_effective(&c, "vm.d")->line, 4);
	assert_int_equal(sysctld_effective(&c, "vm.e")->line, 5);
	assert_int_equal(sysctld_effective(&c, "vm.f")->line, 7);
	assert_effective(&c, "vm.f", "6");
	sysctld_free(&c);
}

/* ------------------------------------------------------------ lines */

static void test_line_syntax(void **state)
{
	struct fixture *fx = *state;
	struct sysctl_config c;
	const struct sysctl_assignment *a;

	parse_text(fx, "syntax.conf",
		   "# a comment\n"					    /* 1 */
		   "; another comment\n"				    /* 2 */
		   "key.a=1\n"						    /* 3 */
		   "key.b = 2   \n"					    /* 4 */
		   "\tkey.c\t=\tthree\t\n"				    /* 5 */
		   "   net.ipv4.ip_local_port_range =   32768    60999  \n" /* 6 */
		   "-kernel.unknown_knob = 5\n"				    /* 7 */
		   "this line has no equals sign\n"			    /* 8 */
		   "= value\n"						    /* 9 */
		   "-\n"						    /* 10 */
		   "-net.ipv4.conf.all.rp_filter\n"			    /* 11 */
		   "key.a = 4\n"					    /* 12 */
		   "\n"							    /* 13 */
		   "   \t \n"						    /* 14 */
		   "key.d =\n"						    /* 15 */
		   ";key.e = 9\n"					    /* 16 */
		   "  #key.f = 9\n"					    /* 17 */
		   "-=7\n",						    /* 18 */
		   &c);
	assert_int_equal(c.file_count, 1);
	assert_string_equal(c.files[0].name, "syntax.conf");
	assert_int_equal(c.count, 8);
	assert_int_equal(c.problem_count, 4);
	find_problem(&c, SYSCTL_PROBLEM_SYNTAX, "/syntax.conf", 8);
	assert_non_null(strstr(find_problem(&c, SYSCTL_PROBLEM_SYNTAX, "/syntax.conf", 9)->message,
			       "empty key"));
	find_problem(&c, SYSCTL_PROBLEM_SYNTAX, "/syntax.conf", 10);
	find_problem(&c, SYSCTL_PROBLEM_SYNTAX, "/syntax.conf", 18);

	/* a duplicate is no problem here: the later one wins */
	a = sysctld_effective(&c, "key.a");
	assert_non_null(a);
	assert_string_equal(a->value, "4");
	assert_int_equal(a->line, 12);
	assert_effective(&c, "key.b", "2");
	assert_effective(&c, "key.c", "three");
	assert_effective(&c, "net.ipv4.ip_local_port_range", "32768    60999");
	assert_effective(&c, "key.d", "");
	assert_effective(&c, "key.e", NULL);
	assert_effective(&c, "key.f", NULL);

	a = sysctld_effective(&c, "kernel.unknown_knob");
	assert_non_null(a);
	assert_string_equal(a->key, "kernel/unknown_knob");
	assert_true(a->ignore_failure);
	assert_int_equal(a->line, 7);
	assert_false(sysctld_effective(&c, "key.b")->ignore_failure);

	/* "-key" alone excludes the key from globs: no value, no failure mode */
	a = &c.assignments[5];
	assert_string_equal(a->key, "net/ipv4/conf/all/rp_filter");
	assert_null(a->value);
	assert_false(a->ignore_failure);
	assert_int_equal(a->line, 11);
	assert_effective(&c, "net.ipv4.conf.all.rp_filter", NULL);
	sysctld_free(&c);
}

static void test_crlf(void **state)
{
	struct fixture *fx = *state;
	struct sysctl_config c;

	parse_text(fx, "crlf.conf",
		   "vm.a = 1\r\nvm.b = two words\r\n# note\r\n\r\nvm.c=3\r\n-vm.d\r\n", &c);
	assert_no_problems(&c);
	assert_int_equal(c.count, 4);
	assert_effective(&c, "vm.a", "1");
	assert_effective(&c, "vm.b", "two words");
	assert_effective(&c, "vm.c", "3");
	assert_int_equal(c.assignments[2].line, 5);
	assert_string_equal(c.assignments[3].key, "vm/d");
	for (size_t i = 0; i < c.count; i++)
		assert_null(strchr(c.assignments[i].key, '\r'));
	sysctld_free(&c);
}

static void test_no_final_newline(void **state)
{
	struct fixture *fx = *state;
	struct sysctl_config c;
	const struct sysctl_assignment *a;

	parse_text(fx, "tail.conf", "vm.a = 1\nvm.b = 2", &c);
	assert_no_problems(&c);
	assert_int_equal(c.count, 2);
	a = sysctld_effective(&c, "vm.b");
	assert_non_null(a);
	assert_string_equal(a->value, "2");
	assert_int_equal(a->line, 2);
	sysctld_free(&c);

	parse_text(fx, "one.conf", "x.y=z", &c);
	assert_int_equal(c.count, 1);
	assert_effective(&c, "x.y", "z");
	sysctld_free(&c);
}

/* "vm.x = " padded with 'x' to LEN bytes, then a newline. */
static char *long_line(size_t len)
{
	char *s = malloc(len + 2);

	assert_non_null(s);
	memset(s, 'x', len);
	memcpy(s, "vm.x = ", 7);
	s[len] = '\n';
	s[len + 1] = '\0';
	return s;
}

/* Lines of up to LONG_LINE_MAX - 1 bytes are read whole (with a warning
 * from 4096 bytes); at LONG_LINE_MAX systemd-sysctl stops reading the
 * file and keeps what it read (systemd 252 on 6.18). */
static void test_long_lines(void **state)
{
	struct fixture *fx = *state;
	struct sysctl_config c;
	char *five_k = long_line(5000), *fits = long_line(SYSCTLD_LINE_MAX - 1),
	     *over = long_line(SYSCTLD_LINE_MAX);
	size_t size = strlen(five_k) + strlen(fits) + strlen(over) + 64;
	char *text = malloc(size);
	const struct sysctl_assignment *a;

	assert_non_null(text);
	snprintf(text, size, "vm.a = 1\n%svm.b = 2\n%s%svm.c = 3\n", five_k, fits, over);
	parse_text(fx, "long.conf", text, &c);
	assert_int_equal(c.problem_count, 3);
	find_problem(&c, SYSCTL_PROBLEM_LONG_LINE, "/long.conf", 2);
	find_problem(&c, SYSCTL_PROBLEM_LONG_LINE, "/long.conf", 4);
	assert_non_null(strstr(find_problem(&c, SYSCTL_PROBLEM_TOO_LONG, "/long.conf", 5)->message,
			       "stops reading the file here"));
	assert_int_equal(c.count, 4);
	assert_effective(&c, "vm.a", "1");
	assert_int_equal(sysctld_effective(&c, "vm.b")->line, 3);
	/* SYSCTLD_LINE_MAX - 1 bytes is the longest line kept */
	a = sysctld_effective(&c, "vm.x");
	assert_non_null(a);
	assert_int_equal(a->line, 4);
	assert_int_equal(strlen(a->value), SYSCTLD_LINE_MAX - 1 - 7);
	/* the line after the one that stopped the reading is not applied */
	assert_effective(&c, "vm.c", NULL);
	sysctld_free(&c);
	free(text);
	free(five_k);
	free(fits);
	free(over);
}

/* TEXT repeated COUNT times, newly allocated. */
static char *repeated(const char *text, size_t count)
{
	size_t n = strlen(text);
	char *s = malloc(n * count + 1);

	assert_non_null(s);
	for (size_t i = 0; i < count; i++)
		memcpy(s + i * n, text, n);
	s[n * count] = '\0';
	return s;
}

/* Many lines, many problems: every one is kept with its line, and the
 * winner among 40,000 glob lines is the one systemd's ordered hashmap
 * puts last (a key moves there only when its value changes). */
static void test_many_lines(void **state)
{
	struct fixture *fx = *state;
	struct sysctl_config c;
	char *same = repeated("vm.dirty_* = 1\n", 20000),
	     *bad = repeated("no equals sign\n", 20000);
	size_t size = 2 * strlen(same) + strlen(bad) + 64;
	char *text = malloc(size);

	assert_non_null(text);
	/* A = 1 (20,000 times), B = 2, A = 1 (20,000 times): A's entry stays
	 * where its first line put it, so B, placed after, wins */
	snprintf(text, size, "%svm.dirty_[b]ytes = 2\n%s", same, same);
	parse_text(fx, "globs.conf", text, &c);
	assert_no_problems(&c);
	assert_int_equal(c.count, 40001);
	assert_effective(&c, "vm.dirty_bytes", "2");
	assert_int_equal(sysctld_effective(&c, "vm.dirty_bytes")->line, 20001);
	assert_effective(&c, "vm.dirty_ratio", "1");
	assert_int_equal(sysctld_effective(&c, "vm.dirty_ratio")->line, 40001);
	sysctld_free(&c);

	/* ... and A = 3 at the end moves A's entry last: A wins */
	snprintf(text, size, "%svm.dirty_[b]ytes = 2\n%svm.dirty_* = 3\n", same, same);
	parse_text(fx, "globs.conf", text, &c);
	assert_effective(&c, "vm.dirty_bytes", "3");
	sysctld_free(&c);

	/* an exact line beats them all, wherever it stands */
	snprintf(text, size, "vm.dirty_bytes = 9\n%s", same);
	parse_text(fx, "globs.conf", text, &c);
	assert_effective(&c, "vm.dirty_bytes", "9");
	sysctld_free(&c);

	parse_text(fx, "bad.conf", bad, &c);
	assert_int_equal(c.problem_count, 20000);
	find_problem(&c, SYSCTL_PROBLEM_SYNTAX, "/bad.conf", 1);
	find_problem(&c, SYSCTL_PROBLEM_SYNTAX, "/bad.conf", 20000);
	sysctld_free(&c);
	free(text);
	free(same);
	free(bad);
}

static void test_invalid_utf8(void **state)
{
	struct fixture *fx = *state;
	struct sysctl_config c;

	parse_text(fx, "utf8.conf",
		   "kernel.domainname = caf\xc3\xa9\n" /* 1: valid */
		   "kernel.hostname = caf\xe9\n"       /* 2: Latin-1 */
		   "# R\xe9seau, a Latin-1 comment\n"  /* 3: a comment: ignored */
		   "vm.overlong = \xc0\xaf\n"	       /* 4: overlong '/' */
		   "vm.surrogate = \xed\xa0\x80\n"     /* 5: U+D800 */
		   "vm.emoji = \xf0\x9f\x98\x80\n"     /* 6: valid, 4 bytes */
		   "vm.cut = \xe2\x82\n"	       /* 7: truncated */
		   "vm.beyond = \xf4\x90\x80\x80\n"    /* 8: past U+10FFFF */
		   "vm.after = 7\n",		       /* 9 */
		   &c);
	assert_int_equal(c.problem_count, 5);
	assert_non_null(strstr(find_problem(&c, SYSCTL_PROBLEM_ENCODING, "/utf8.conf", 2)->message,
			       "invalid UTF-8 at column 22"));
	find_problem(&c, SYSCTL_PROBLEM_ENCODING, "/utf8.conf", 4);
	find_problem(&c, SYSCTL_PROBLEM_ENCODING, "/utf8.conf", 5);
	find_problem(&c, SYSCTL_PROBLEM_ENCODING, "/utf8.conf", 7);
	find_problem(&c, SYSCTL_PROBLEM_ENCODING, "/utf8.conf", 8);
	/* systemd does not check UTF-8: every line is applied */
	assert_int_equal(c.count, 8);
	assert_effective(&c, "kernel.domainname", "caf\xc3\xa9");
	assert_effective(&c, "kernel.hostname", "caf\xe9");
	assert_effective(&c, "vm.emoji", "\xf0\x9f\x98\x80");
	assert_effective(&c, "vm.after", "7");
	sysctld_free(&c);
}

/* ------------------------------------------------------------ globs */

/* Load the numbered files, in order, each holding one of LINES. */
static void load_lines(struct fixture *fx, const char *const *lines, size_t n,
		       struct sysctl_config *c)
{
	char paths[8][PATH_MAX];
	const char *list[8];

	assert_true(n <= 8);
	for (size_t i = 0; i < n; i++) {
		char rel[32];

		snprintf(rel, sizeof(rel), "glob/%zu.conf", i);
		fixture_write(fx->root, rel, lines[i]);
		fixture_join(paths[i], sizeof(paths[i]), fx->root, rel);
		list[i] = paths[i];
	}
	assert_int_equal(sysctld_load_paths(list, n, c), 0);
	assert_no_problems(c);
}

static void test_glob_then_exact(void **state)
{
	static const char *const lines[] = {
		"net.ipv4.conf.*.rp_filter = 2\n",
		"net.ipv4.conf.eth1.rp_filter = 0\n",
	};
	struct sysctl_config c;

	load_lines(*state, lines, 2, &c);
	assert_effective(&c, "net.ipv4.conf.eth1.rp_filter", "0");
	assert_effective(&c, "net.ipv4.conf.eth0.rp_filter", "2");
	assert_effective(&c, "net/ipv4/conf/eth0/rp_filter", "2");
	/* '*' is one path component, as glob(3) over /proc/sys matches it */
	assert_effective(&c, "net.ipv4.conf.eth0/100.rp_filter", "2");
	assert_effective(&c, "net.ipv4.conf.eth0.x.rp_filter", NULL);
	assert_effective(&c, "net.ipv4.conf.eth0.forwarding", NULL);
	sysctld_free(&c);
}

/* sysctl.d(5): "Keys for which an explicit pattern exists will be excluded
 * from any glob matching", whatever the order. */
static void test_exact_then_glob(void **state)
{
	static const char *const lines[] = {
		"net.ipv4.conf.eth2.rp_filter = 1\n",
		"net.ipv4.conf.*.rp_filter = 5\n",
	};
	struct sysctl_config c;
	const struct sysctl_assignment *a;

	load_lines(*state, lines, 2, &c);
	a = sysctld_effective(&c, "net.ipv4.conf.eth2.rp_filter");
	assert_non_null(a);
	assert_string_equal(a->value, "1");
	assert_int_equal(a->file, 0);
	assert_effective(&c, "net.ipv4.conf.eth0.rp_filter", "5");
	sysctld_free(&c);
}

/* Between globs the later entry of systemd's ordered hashmap wins; an
 * entry moves to the end only when its value changes. */
static void test_glob_order(void **state)
{
	static const char *const lines[] = {
		"net.ipv4.conf.*.rp_filter = 2\n",  "net.ipv4.conf.e*.rp_filter = 3\n",
		"net.ipv4.conf.*.rp_filter = 2\n", /* same value: stays first */
		"net/ipv4/conf/l?/rp_filter = 6\n", "net.ipv4.conf.l[a-z].rp_filter = 7\n",
		"net/ipv4/conf/l?/rp_filter = 6\n", /* likewise */
	};
	static const char *const changed[] = {
		"net.ipv4.conf.*.rp_filter = 2\n", "net.ipv4.conf.e*.rp_filter = 3\n",
		"net.ipv4.conf.*.rp_filter = 4\n", /* a new value moves it last */
	};
	struct sysctl_config c;

	load_lines(*state, lines, 6, &c);
	assert_effective(&c, "net.ipv4.conf.eth0.rp_filter", "3");
	assert_effective(&c, "net.ipv4.conf.wlan0.rp_filter", "2");
	assert_effective(&c, "net.ipv4.conf.lo.rp_filter", "7");
	assert_int_equal(sysctld_effective(&c, "net.ipv4.conf.lo.rp_filter")->file, 4);
	sysctld_free(&c);

	load_lines(*state, changed, 3, &c);
	assert_effective(&c, "net.ipv4.conf.eth0.rp_filter", "4");
	sysctld_free(&c);
}

static void test_exclusions(void **state)
{
	static const char *const lines[] = {
		"-net.ipv4.conf.lo.rp_filter\n",
		"net.ipv4.conf.*.rp_filter = 2\n-net.ipv4.conf.all.rp_filter\n",
		"net.ipv4.conf.default.rp_filter = 1\n-net.ipv4.conf.default.rp_filter\n",
		"net.ipv4.conf.all.rp_filter = 1\n",
		"net.ipv4.conf.e*.rp_filter = 3\n-net.ipv4.conf.e*.rp_filter\n",
	};
	struct sysctl_config c;

	load_lines(*state, lines, 5, &c);
	/* before or after the glob, an exclusion keeps the key out of it */
	assert_effective(&c, "net.ipv4.conf.lo.rp_filter", NULL);
	/* an exclusion replaces an explicit value, and one after it replaces it */
	assert_effective(&c, "net.ipv4.conf.default.rp_filter", NULL);
	assert_effective(&c, "net.ipv4.conf.all.rp_filter", "1");
	/* "-glob" withdraws that glob; the others still apply */
	assert_effective(&c, "net.ipv4.conf.eth0.rp_filter", "2");
	sysctld_free(&c);
}

/* The writes systemd-sysctl 252 makes, as "KEY=VALUE" lines in order,
 * for the keys KEYS (all present but those in ABSENT). */
static const char *writes_of(const struct sysctl_config *c, const char *const *keys, size_t n,
			     const char *absent)
{
	static char out[1024];
	bool present[8];
	char *paths[8];
	struct sysctl_write *w;
	size_t count, used = 0;

	assert_true(n <= 8);
	for (size_t i = 0; i < n; i++) {
		paths[i] = sysctld_normalize_key(keys[i]);
		present[i] = !absent || strcmp(keys[i], absent) != 0;
	}
	assert_int_equal(sysctld_writes(c, (const char *const *)paths, present, n, &w, &count), 0);
	out[0] = '\0';
	for (size_t i = 0; i < count; i++)
		used += (size_t)snprintf(out + used, sizeof(out) - used, "%s%s=%s", i ? " " : "",
					 keys[w[i].key], w[i].a->value);
	free(w);
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	return out;
}

/* systemd's ordered hashmap: an assignment with a new value moves its key
 * last, the same value leaves it; "-KEY" withdraws an earlier value; a
 * glob writes where it stands, over existing keys in sorted order, never
 * over a key with a line of its own (whatever that line's value). */
static void test_write_order(void **state)
{
	static const char *const keys[] = {
		"net.ipv4.ip_unprivileged_port_start", "net.ipv4.ip_local_port_range",
		"net.ipv4.tcp_tw_reuse", "net.ipv4.tcp_tw_reuse_delay", "net.ipv4.tcp_tw_recycle"};
	static const char *const moved[] = {
		"net.ipv4.ip_unprivileged_port_start = 500\n"
		"net.ipv4.ip_local_port_range = 1000 2000\n"
		"net.ipv4.ip_unprivileged_port_start = 800\n",
	};
	static const char *const kept[] = {
		"net.ipv4.ip_unprivileged_port_start = 500\n"
		"net.ipv4.ip_local_port_range = 1000 2000\n"
		"net.ipv4.ip_unprivileged_port_start = 500\n",
	};
	static const char *const globs[] = {
		"net.ipv4.tcp_tw_* = 0\n"
		"net.ipv4.tcp_tw_reuse = 3\n"
		"-net.ipv4.ip_local_port_range\n"
		"net.ipv4.ip_local_port_range = 1 2\n"
		"-net.ipv4.ip_local_port_range\n"
		"net.ipv4.tcp_tw_r*_delay = 5\n",
	};
	struct sysctl_config c;

	load_lines(*state, moved, 1, &c);
	/* the port range is written before the start that moved last */
	assert_string_equal(writes_of(&c, keys, 5, NULL),
			    "net.ipv4.ip_local_port_range=1000 2000 "
			    "net.ipv4.ip_unprivileged_port_start=800");
	sysctld_free(&c);
	load_lines(*state, kept, 1, &c);
	assert_string_equal(writes_of(&c, keys, 5, NULL), "net.ipv4.ip_unprivileged_port_start=500 "
							  "net.ipv4.ip_local_port_range=1000 2000");
	sysctld_free(&c);
	load_lines(*state, globs, 1, &c);
	/* the glob skips tcp_tw_reuse (a line of its own) and the absent
	 * tcp_tw_recycle; the range's value was withdrawn */
	assert_string_equal(writes_of(&c, keys, 5, "net.ipv4.tcp_tw_recycle"),
			    "net.ipv4.tcp_tw_reuse_delay=0 net.ipv4.tcp_tw_reuse=3 "
			    "net.ipv4.tcp_tw_reuse_delay=5");
	sysctld_free(&c);
}

/* ------------------------------------------------------------ explicit paths */

static void test_load_paths(void **state)
{
	struct fixture *fx = *state;
	struct sysctl_config c;
	char dir[PATH_MAX], file[PATH_MAX], missing[PATH_MAX];
	const char *order[3] = {dir, file, missing};
	const char *reverse[2] = {file, dir};

	fixture_write(fx->root, "repo/sysctl.d/20-b.conf", "vm.a = dir\n");
	fixture_write(fx->root, "repo/sysctl.d/10-a.conf", "vm.a = first\nvm.b = 1\n");
	fixture_write(fx->root, "repo/sysctl.d/notes.txt", "vm.a = never\n");
	fixture_write(fx->root, "repo/override.txt", "vm.a = file\n");
	fixture_join(dir, sizeof(dir), fx->root, "repo/sysctl.d");
	fixture_join(file, sizeof(file), fx->root, "repo/override.txt");
	fixture_join(missing, sizeof(missing), fx->root, "repo/missing.conf");
	fixture_symlink(fx->root, "repo/sysctl.d/30-null.conf", "/dev/null");

	assert_int_equal(sysctld_load_paths(order, 3, &c), 0);
	assert_string_equal(file_names(&c), "10-a.conf 20-b.conf override.txt");
	assert_int_equal(c.problem_count, 1);
	assert_string_equal(c.problems[0].path, missing);
	assert_int_equal(c.problems[0].kind, SYSCTL_PROBLEM_UNREADABLE);
	assert_effective(&c, "vm.a", "file");
	assert_effective(&c, "vm.b", "1");
	sysctld_free(&c);

	assert_int_equal(sysctld_load_paths(reverse, 2, &c), 0);
	assert_no_problems(&c);
	assert_effective(&c, "vm.a", "dir");
	sysctld_free(&c);
}

static void test_parse_file_appends(void **state)
{
	struct fixture *fx = *state;
	struct sysctl_config c = {0};
	char one[PATH_MAX], two[PATH_MAX];

	fixture_write(fx->root, "one.conf", "vm.a = 1\n");
	fixture_write(fx->root, "two.conf", "vm.b = 2\nvm.a = 3\n");
	fixture_join(one, sizeof(one), fx->root, "one.conf");
	fixture_join(two, sizeof(two), fx->root, "two.conf");
	assert_int_equal(sysctld_parse_file(one, &c), 0);
	assert_int_equal(sysctld_parse_file(two, &c), 0);
	assert_int_equal(c.file_count, 2);
	assert_string_equal(c.files[1].path, two);
	assert_int_equal(c.count, 3);
	assert_int_equal(c.assignments[0].file, 0);
	assert_int_equal(c.assignments[2].file, 1);
	assert_effective(&c, "vm.a", "3");
	sysctld_free(&c);
	assert_int_equal(c.count, 0);
	assert_null(c.assignments);
}

#define TREE_TEST(fn) cmocka_unit_test_setup_teardown(fn, fixture_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalize_key),
		TREE_TEST(test_write_order),
		cmocka_unit_test(test_key_dotted),
		cmocka_unit_test(test_debian_tree),
		cmocka_unit_test(test_sysctl_conf_only_with_flag),
		TREE_TEST(test_sysctl_conf_through_link),
		TREE_TEST(test_precedence_and_order),
		TREE_TEST(test_root_missing_or_empty),
		TREE_TEST(test_nul_ends_a_line),
		TREE_TEST(test_line_ends),
		TREE_TEST(test_line_syntax),
		TREE_TEST(test_crlf),
		TREE_TEST(test_no_final_newline),
		TREE_TEST(test_long_lines),
		TREE_TEST(test_many_lines),
		TREE_TEST(test_invalid_utf8),
		TREE_TEST(test_glob_then_exact),
		TREE_TEST(test_exact_then_glob),
		TREE_TEST(test_glob_order),
		TREE_TEST(test_exclusions),
		TREE_TEST(test_load_paths),
		TREE_TEST(test_parse_file_appends),
	};

	const struct fixture_table tables[] = {
		FIXTURE_TABLE(tree_cases, test_tree_case, fixture_setup, fixture_teardown),
	};

	return fixture_run(tests, ARRAY_SIZE(tests), tables, ARRAY_SIZE(tables));
}
