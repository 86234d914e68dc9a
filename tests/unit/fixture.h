/* SPDX-License-Identifier: MIT */
/* Helpers shared by the unit tests: a temporary directory and a facts
 * struct for each case, files written into it (a fabricated proc tree
 * among them), and tables of cases run one cmocka case per row. Include
 * after <cmocka.h>. */
#ifndef TWTUNE_TEST_FIXTURE_H
#define TWTUNE_TEST_FIXTURE_H

#include <limits.h>
#include <math.h>

#include "inspect/facts.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

struct fixture {
	char root[PATH_MAX];   /* the fabricated proc root, made by mkdtemp */
	struct tw_facts facts; /* facts_init'ed; freed in teardown */
	const void *row;       /* the table row the case runs (fixture_run), or NULL */
};

/* For cmocka_unit_test_setup_teardown: *state becomes a struct fixture *
 * with an empty tree under $TMPDIR (or /tmp), its row the case's prestate;
 * teardown removes the tree recursively and frees the facts. */
int fixture_setup(void **state);
int fixture_teardown(void **state);

/* ---- files; each fails the test when it cannot do what it says */

/* ROOT/REL into BUF. */
void fixture_join(char *buf, size_t size, const char *root, const char *rel);
/* Write CONTENT to ROOT/REL, creating the parent directories. */
void fixture_write(const char *root, const char *rel, const char *content);
/* fixture_write for LEN bytes that may hold NUL. */
void fixture_write_bytes(const char *root, const char *rel, const void *data, size_t len);
/* Create the directory ROOT/REL and its parents. */
void fixture_mkdir(const char *root, const char *rel);
/* Make ROOT/REL a symbolic link to TARGET, creating the parent directories. */
void fixture_symlink(const char *root, const char *rel, const char *target);
/* Remove ROOT/REL (a file). */
void fixture_unlink(const char *root, const char *rel);
/* The bytes of PATH, NUL-terminated, their count in *LEN; the caller frees
 * them. */
char *fixture_read(const char *path, size_t *len);

/* A file of a tree, relative to its root; a list of them ends with {NULL}. */
struct fixture_file {
	const char *path;
	const char *content; /* NULL: no such file */
};

/* Write each file of FILES (NULL: none) under ROOT. */
void fixture_write_files(const char *root, const struct fixture_file *files);

/* The first line of /proc/net/tcp. */
#define FIXTURE_TCP_HEADER                                                                         \
	"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   "           \
	"uid  timeout inode\n"

/* ROOT as /proc on a quiet Linux 6.1 host: sys/kernel/osrelease, the
 * sys/net/ipv4 knobs at the kernel's defaults (no tcp_tw_recycle, gone
 * since 4.12, nor tcp_tw_reuse_delay, added in 6.14), net/snmp,
 * net/netstat, net/sockstat and a net/tcp with no socket.
 * OVERRIDES (NULL: none) replace files of that tree, add to it, or with
 * NULL content leave a file out. */
void fixture_proc_tree(const char *root, const struct fixture_file *overrides);

/* ---- checks */

/* The first error recorded in F whose part is WHAT and whose message
 * contains NEEDLE, or NULL. */
const char *fixture_find_error(const struct tw_facts *f, const char *what, const char *needle);

/* Key KEY of F holds TEXT, as if inspect had read it (NULL: absent). */
void fixture_set_sysctl(struct tw_facts *f, enum knob_id key, const char *text);

/* TEXT as a value of KEY (it must parse). */
struct knob_value fixture_value(enum knob_id key, const char *text);

/* V's canonical text, in one of a few rotating buffers: for assertions
 * that compare values as the reports show them. */
const char *fixture_value_text(const struct knob_value *v);

/* Doubles compared to within a millionth, reporting both values. */
#define assert_near(actual, expected)                                                              \
	do {                                                                                       \
		double actual_ = (actual), expected_ = (expected);                                 \
		if (fabs(actual_ - expected_) > 1e-6)                                              \
			fail_msg("%s is %.9g, expected %.9g", #actual, actual_, expected_);        \
	} while (0)

/* ---- tables of cases */

/* A table whose every row is a case of its own: ROWS is an array of
 * structs whose first member, `const char *name`, names the case; each
 * runs TEST between SETUP and TEARDOWN with the row as its prestate
 * (fixture_setup keeps it in fx->row). A failing row is reported by name. */
struct fixture_table {
	const void *rows;
	size_t row_size, count;
	CMUnitTestFunction test;
	CMFixtureFunction setup, teardown;
};

#define FIXTURE_TABLE(rows, test, setup, teardown)                                                 \
	((struct fixture_table){(rows), sizeof((rows)[0]), ARRAY_SIZE(rows), (test), (setup),      \
				(teardown)})

/* cmocka_run_group_tests for TESTS and then every row of TABLES. */
int fixture_run(const struct CMUnitTest *tests, size_t test_count,
		const struct fixture_table *tables, size_t table_count);

#endif
