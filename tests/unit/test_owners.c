/* SPDX-License-Identifier: MIT */
/* The processes behind the top destinations: the text of /proc (a
 * descriptor's link, /proc/PID/cgroup, the unit in a cgroup path), the
 * sockets recorded from a dump, the walk of a fabricated /proc tree, the
 * ranking, what cannot be attributed and why, new sockets against a
 * baseline, whether to look at all, and the three reports. */
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* cmocka.h needs these included before it */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include "engine/factview.h"
#include "fixture.h"
#include "hosts.h"
#include "inspect/owners.h"
#include "report/format.h"
#include "report/json.h"
#include "report/owners.h"
#include "report/prometheus.h"
#include "report/text.h"

/* ------------------------------------------------ the text of /proc */

struct link_case {
	const char *name;
	const char *link;
	int result;
	uint32_t inode;
};

static const struct link_case link_cases[] = {
	{"a socket", "socket:[12345]", 0, 12345},
	{"the largest inode", "socket:[4294967295]", 0, 4294967295u},
	{"an inode past 32 bits", "socket:[4294967296]", -EINVAL, 0},
	{"inode 0", "socket:[0]", -EINVAL, 0},
	{"a pipe", "pipe:[12345]", -EINVAL, 0},
	{"a file", "/dev/null", -EINVAL, 0},
	{"an anonymous inode", "anon_inode:[eventpoll]", -EINVAL, 0},
	{"no digits", "socket:[]", -EINVAL, 0},
	{"not digits", "socket:[12a]", -EINVAL, 0},
	{"a sign", "socket:[-1]", -EINVAL, 0},
	{"a blank", "socket:[ 12]", -EINVAL, 0},
	{"unclosed", "socket:[123", -EINVAL, 0},
	{"something after", "socket:[123]x", -EINVAL, 0},
	{"a path named like one", "/tmp/socket:[123]", -EINVAL, 0},
};

static void test_socket_inode(void **state)
{
	const struct link_case *c = ((struct fixture *)*state)->row;
	uint32_t inode = 0;

	assert_int_equal(owners_socket_inode(c->link, strlen(c->link), &inode), c->result);
	if (c->result == 0)
		assert_int_equal(inode, c->inode);
}

/* Only LEN bytes count: readlink() does not terminate what it reads. */
static void test_socket_inode_reads_len_bytes(void **state)
{
	uint32_t inode = 0;

	(void)state;
	assert_int_equal(owners_socket_inode("socket:[77]garbage", 11, &inode), 0);
	assert_int_equal(inode, 77);
}

struct cgroup_case {
	const char *name;
	const char *text;
	const char *path; /* NULL: -ENOENT */
	const char *unit;
};

static const struct cgroup_case cgroup_cases[] = {
	{"cgroup v2", "0::/system.slice/api.service\n", "/system.slice/api.service", "api.service"},
	{"cgroup v2, a sub-cgroup of a unit", "0::/system.slice/api.service/worker\n",
	 "/system.slice/api.service/worker", "api.service"},
	{"a user's scope",
	 "0::/user.slice/user-1000.slice/user@1000.service/app.slice/app-x.scope\n",
	 "/user.slice/user-1000.slice/user@1000.service/app.slice/app-x.scope", "app-x.scope"},
	{"a Kubernetes container",
	 "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1.slice/"
	 "cri-containerd-0123abcd.scope\n",
	 "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1.slice/"
	 "cri-containerd-0123abcd.scope",
	 "cri-containerd-0123abcd.scope"},
	{"the root", "0::/\n", "/", ""},
	{"hybrid, unified tree at its root",
	 "12:memory:/x\n1:name=systemd:/system.slice/db.service\n0::/\n",
	 "/system.slice/db.service", "db.service"},
	{"hybrid, unified tree placed",
	 "1:name=systemd:/system.slice/db.service\n0::/system.slice/db.service\n",
	 "/system.slice/db.service", "db.service"},
	{"hybrid, both at the root", "9:name=systemd:/\n0::/\n", "/", ""},
	{"cgroup v1 only", "3:cpu,cpuacct:/a\n2:name=systemd:/system.slice/cron.service\n",
	 "/system.slice/cron.service", "cron.service"},
	{"no last newline", "0::/system.slice/api.service", "/system.slice/api.service",
	 "api.service"},
	{"colons in the path", "0::/a:b/c.scope\n", "/a:b/c.scope", "c.scope"},
	{"no unit", "0::/machine/qemu-1\n", "/machine/qemu-1", ""},
	{"a unit name alone is no unit", "0::/.service\n", "/.service", ""},
	{"a drop-in directory is no unit", "0::/x.service.d\n", "/x.service.d", ""},
	{"v1 controllers only", "4:memory:/process_api/a6d2\n3:cpuset:/\n", NULL, NULL},
	{"empty", "", NULL, NULL},
	{"not cgroup lines", "hello\nworld\n", NULL, NULL},
};

static void test_cgroup_path(void **state)
{
	const struct cgroup_case *c = ((struct fixture *)*state)->row;
	char path[256] = "unset", unit[128] = "unset";

	if (!c->path) {
		assert_int_equal(owners_cgroup_path(c->text, path, sizeof(path)), -ENOENT);
		return;
	}
	assert_int_equal(owners_cgroup_path(c->text, path, sizeof(path)), 0);
	assert_string_equal(path, c->path);
	owners_unit_name(path, unit, sizeof(unit));
	assert_string_equal(unit, c->unit);
}

/* A path longer than its field is cut, never overrun. */
static void test_cgroup_path_cut(void **state)
{
	char text[600], path[32];

	(void)state;
	snprintf(text, sizeof(text), "0::/%0400d.service\n", 0);
	assert_int_equal(owners_cgroup_path(text, path, sizeof(path)), 0);
	assert_int_equal(strlen(path), sizeof(path) - 1);
	assert_int_equal(strncmp(path, "/000", 4), 0);
}

/* ------------------------------------- a host, a tree, the walk */

/* A client churning toward 10.0.0.5:5432 (and a little toward
 * 10.0.0.6:6379), its live sockets in a fabricated /proc: api-worker
 * (812, api.service) holds 1001 and 1002 toward the first, nginx (900)
 * holds 1003 there and 2001 toward the second; 1004 is held by nobody
 * the tree shows. */
static const struct fixture_file tree[] = {
	{"812/comm", "api-worker\n"},
	{"812/cgroup", "0::/system.slice/api.service\n"},
	{"812/fd/0", "not a link: a regular file where a link should be"},
	{"900/comm", "nginx\n"},
	{"900/cgroup", "0::/\n"},
	{"self/comm", "twtune\n"},
	{"net/tcp", FIXTURE_TCP_HEADER},
	{NULL, NULL},
};

static void fabricate(const struct fixture *fx)
{
	fixture_write_files(fx->root, tree);
	fixture_symlink(fx->root, "812/fd/3", "socket:[1001]");
	fixture_symlink(fx->root, "812/fd/4", "socket:[1002]");
	fixture_symlink(fx->root, "812/fd/1", "/dev/null");
	fixture_symlink(fx->root, "812/task/813/fd/3", "socket:[1004]"); /* a thread's view */
	fixture_symlink(fx->root, "900/fd/7", "socket:[1003]");
	fixture_symlink(fx->root, "900/fd/8", "socket:[2001]");
	fixture_symlink(fx->root, "900/fd/9", "pipe:[1004]");
	fixture_mkdir(fx->root, "950");				 /* exited: no fd directory */
	fixture_symlink(fx->root, "self/fd/3", "socket:[1004]"); /* not a process */
}

static void client_host(struct tw_facts *f)
{
	busy_client(f, AF_INET, "10.0.0.5", 5432, 1000, 1003);
	add_destination(f, AF_INET, "10.0.0.6", 6379, 10, 11);
}

static struct tw_addr address(int family, const char *text)
{
	struct tw_addr a;

	memset(&a, 0, sizeof(a));
	a.family = (uint8_t)family;
	assert_int_equal(inet_pton(family, text, a.bytes), 1);
	return a;
}

/* Record the client's live sockets as the dump would give them. */
static void record_client(struct owner_collection *c, struct tw_facts *f)
{
	struct tw_addr db = address(AF_INET, "10.0.0.5"), cache = address(AF_INET, "10.0.0.6");
	struct tw_addr other = address(AF_INET, "10.0.0.7");

	owners_collect_begin(c, f);
	owners_add_socket(c, TCP_STATE_ESTABLISHED, &db, 5432, 1001, 0);
	owners_add_socket(c, TCP_STATE_SYN_SENT, &db, 5432, 1002, 0);
	owners_add_socket(c, TCP_STATE_ESTABLISHED, &db, 5432, 1003, 0);
	owners_add_socket(c, TCP_STATE_ESTABLISHED, &db, 5432, 1004, 0);
	owners_add_socket(c, TCP_STATE_FIN_WAIT2, &db, 5432, 0, 0);	 /* closed, orphaned */
	owners_add_socket(c, TCP_STATE_TIME_WAIT, &db, 5432, 0, 0);	 /* not live */
	owners_add_socket(c, TCP_STATE_ESTABLISHED, &db, 5433, 1005, 0); /* another port */
	owners_add_socket(c, TCP_STATE_ESTABLISHED, &other, 5432, 1006, 0);
	owners_add_socket(c, TCP_STATE_ESTABLISHED, &cache, 6379, 2001, 0);
	owners_add_socket(c, TCP_STATE_ESTABLISHED, &cache, 6379, 2001, 0); /* seen twice */
}

/* Map the client of the tree, as inspect_owners does after the dump. */
static void map_client(struct fixture *fx, const struct owner_baseline *baseline)
{
	struct owner_collection c;

	fabricate(fx);
	client_host(&fx->facts);
	fx->facts.owners.attempted = true;
	record_client(&c, &fx->facts);
	assert_int_equal(owners_walk(&c, fx->root, OWNERS_WALK_SECONDS), 0);
	owners_finish(&c, fx->root, baseline);
}

static void assert_owner(const struct socket_owner *o, uint32_t pid, const char *command,
			 const char *unit, const char *cgroup, uint32_t connections)
{
	assert_int_equal(o->pid, pid);
	assert_string_equal(o->command, command);
	assert_string_equal(o->unit, unit);
	assert_string_equal(o->cgroup, cgroup);
	assert_int_equal(o->connections, connections);
}

static void test_walk_names_the_owners(void **state)
{
	struct fixture *fx = *state;
	const struct owner_facts *o = &fx->facts.owners;
	const struct destination_owners *db = &o->destinations[0], *cache = &o->destinations[1];

	map_client(fx, NULL);
	assert_int_equal(db->count, 2);
	assert_owner(&db->owners[0], 812, "api-worker", "api.service", "/system.slice/api.service",
		     2);
	assert_owner(&db->owners[1], 900, "nginx", "", "/", 1);
	assert_int_equal(db->live, 5);
	assert_int_equal(db->orphaned, 1);
	assert_int_equal(db->unattributed, 1); /* 1004: only a thread's directory has it */
	assert_int_equal(db->other_processes, 0);
	assert_int_equal(cache->count, 1);
	assert_owner(&cache->owners[0], 900, "nginx", "", "/", 1);
	assert_int_equal(o->sockets, 6);
	assert_int_equal(o->attributed, 4);
	assert_int_equal(o->unattributed, 1);
	assert_int_equal(o->orphaned, 1);
	assert_int_equal(o->processes_scanned, 2); /* 812, 900; not 950, not self */
	assert_int_equal(o->processes_unreadable, 0);
	assert_false(o->truncated);
	assert_non_null(strstr(o->unattributed_why, "1 closed between the dump and the walk"));
}

/* The processes of the namespace inspected are walked first, and the
 * others only while sockets remain without a process. */
static void test_walk_starts_in_this_namespace(void **state)
{
	struct fixture *fx = *state;
	struct tw_addr db = address(AF_INET, "10.0.0.5");
	const struct owner_facts *o = &fx->facts.owners;
	struct owner_collection c;

	fabricate(fx);
	fixture_symlink(fx->root, "thread-self/ns/net", "net:[4026531840]");
	fixture_symlink(fx->root, "812/ns/net", "net:[4026532000]");
	fixture_symlink(fx->root, "900/ns/net", "net:[4026531840]");
	client_host(&fx->facts);
	owners_collect_begin(&c, &fx->facts);
	owners_add_socket(&c, TCP_STATE_ESTABLISHED, &db, 5432, 1003, 0);
	assert_int_equal(owners_walk(&c, fx->root, OWNERS_WALK_SECONDS), 0);
	assert_int_equal(o->processes_scanned, 1); /* 900 had it: 812 was not read */
	owners_add_socket(&c, TCP_STATE_ESTABLISHED, &db, 5432, 1001, 0);
	c.out->processes_scanned = 0;
	assert_int_equal(owners_walk(&c, fx->root, OWNERS_WALK_SECONDS), 0);
	assert_int_equal(o->processes_scanned, 2); /* 1001 is 812's, in another namespace */
	owners_finish(&c, fx->root, NULL);
	assert_int_equal(o->attributed, 2);
	assert_int_equal(o->destinations[0].count, 2);
}

/* With the sockets live at the start of the sample, the others are new. */
static void test_new_sockets_against_the_baseline(void **state)
{
	struct fixture *fx = *state;
	uint32_t live_at_start[] = {17, 1001, 1003};
	struct owner_baseline b = {
		.taken = true, .complete = true, .inodes = live_at_start, .count = 3};
	const struct destination_owners *db = &fx->facts.owners.destinations[0];

	map_client(fx, &b);
	assert_int_equal(db->owners[0].new_sockets, 1); /* 1002 */
	assert_int_equal(db->owners[1].new_sockets, 0);
	assert_int_equal(db->new_sockets, 2); /* and 1004, not attributed */
	assert_int_equal(fx->facts.owners.destinations[1].new_sockets, 1);
}

/* Seven processes: the five with most connections are listed, the rest
 * summed; ties go to the lower pid. */
static void test_ranking_lists_the_most_connected(void **state)
{
	struct fixture *fx = *state;
	struct tw_addr db = address(AF_INET, "10.0.0.5");
	const struct destination_owners *d = &fx->facts.owners.destinations[0];
	static const unsigned connections[] = {1, 3, 2, 7, 3, 5, 1};
	struct owner_collection c;
	uint32_t inode = 100;
	char rel[64], link[64];

	client_host(&fx->facts);
	owners_collect_begin(&c, &fx->facts);
	for (unsigned p = 0; p < 7; p++) {
		snprintf(rel, sizeof(rel), "%u/comm", 10 + p);
		fixture_write(fx->root, rel, "worker\n");
		for (unsigned k = 0; k < connections[p]; k++, inode++) {
			snprintf(rel, sizeof(rel), "%u/fd/%u", 10 + p, 3 + k);
			snprintf(link, sizeof(link), "socket:[%u]", inode);
			fixture_symlink(fx->root, rel, link);
			owners_add_socket(&c, TCP_STATE_ESTABLISHED, &db, 5432, inode, 0);
		}
	}
	assert_int_equal(owners_walk(&c, fx->root, OWNERS_WALK_SECONDS), 0);
	owners_finish(&c, fx->root, NULL);
	assert_int_equal(d->count, OWNERS_LISTED);
	assert_int_equal(d->owners[0].pid, 13);
	assert_int_equal(d->owners[1].pid, 15);
	assert_int_equal(d->owners[2].pid, 11); /* 3 connections, before 14 */
	assert_int_equal(d->owners[3].pid, 14);
	assert_int_equal(d->owners[4].pid, 12);
	assert_int_equal(d->other_processes, 2);
	assert_int_equal(d->other_connections, 2);
	assert_int_equal(fx->facts.owners.attributed, 22);
}

/* Past OWNERS_INODES_PER_DESTINATION a destination's sockets are counted,
 * not recorded, and the result says it is incomplete. */
static void test_records_are_bounded(void **state)
{
	struct fixture *fx = *state;
	struct tw_addr db = address(AF_INET, "10.0.0.5");
	struct owner_collection c;

	client_host(&fx->facts);
	owners_collect_begin(&c, &fx->facts);
	for (uint32_t i = 1; i <= OWNERS_INODES_PER_DESTINATION + 3; i++)
		owners_add_socket(&c, TCP_STATE_ESTABLISHED, &db, 5432, i, 0);
	assert_int_equal(c.count, OWNERS_INODES_PER_DESTINATION);
	assert_int_equal(owners_walk(&c, fx->root, OWNERS_WALK_SECONDS), 0);
	owners_finish(&c, fx->root, NULL);
	assert_int_equal(fx->facts.owners.unrecorded, 3);
	assert_int_equal(fx->facts.owners.unattributed, OWNERS_INODES_PER_DESTINATION);
	assert_true(fx->facts.owners.truncated);
	assert_non_null(strstr(fx->facts.owners.truncated_why, "beyond the 4096 recorded"));
}

/* A sock_diag reply: an IPv4-mapped IPv6 socket counts toward the IPv4
 * destination; a short or foreign message is refused. */
static void test_diag_messages(void **state)
{
	struct fixture *fx = *state;
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_msg m;
	} reply;
	struct owner_collection c;
	uint8_t mapped[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 5};

	client_host(&fx->facts);
	owners_collect_begin(&c, &fx->facts);
	memset(&reply, 0, sizeof(reply));
	reply.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	reply.nlh.nlmsg_len = NLMSG_LENGTH(sizeof(reply.m));
	reply.m.idiag_family = AF_INET6;
	reply.m.idiag_state = TCP_STATE_ESTABLISHED;
	reply.m.id.idiag_dport = htons(5432);
	memcpy(reply.m.id.idiag_dst, mapped, 16);
	reply.m.idiag_inode = 4242;
	reply.m.idiag_uid = 1000;
	assert_int_equal(owners_add_diag_message(&c, &reply.nlh), 0);
	assert_int_equal(c.count, 1);
	assert_int_equal(c.sockets[0].inode, 4242);
	assert_int_equal(c.sockets[0].uid, 1000);
	assert_int_equal(c.sockets[0].destination, 0);
	reply.m.idiag_family = AF_UNIX;
	assert_int_equal(owners_add_diag_message(&c, &reply.nlh), -EBADMSG);
	reply.m.idiag_family = AF_INET6;
	reply.nlh.nlmsg_len = NLMSG_LENGTH(sizeof(reply.m) - 1);
	assert_int_equal(owners_add_diag_message(&c, &reply.nlh), -EBADMSG);
	assert_int_equal(c.count, 1);
	owners_discard(&c);
}

/* ------------------------------------------------- whether to look */

static void test_pressure_worth_explaining(void **state)
{
	struct fixture *fx = *state;
	char why[256];

	busy_client(&fx->facts, AF_INET, "10.0.0.5", 5432, 500, 600);
	assert_false(owners_pressure(&fx->facts, why, sizeof(why)));
	assert_non_null(strstr(why, "check --processes maps them anyway"));
	fx->facts.census.worst_tuple_ports = 6000; /* 21% of 28232 */
	assert_true(owners_pressure(&fx->facts, why, sizeof(why)));
	assert_string_equal(why, "connect() pressure 21% >= 20%");
	fx->facts.census.worst_tuple_ports = 600;
	fx->facts.census.time_wait_outbound = OWNERS_TIME_WAIT;
	assert_true(owners_pressure(&fx->facts, why, sizeof(why)));
	assert_string_equal(why, "10000 outbound TIME_WAIT >= 10000");
}

static void test_not_attempted(void **state)
{
	struct fixture *fx = *state;
	struct owner_baseline b = {0};

	client_host(&fx->facts);
	inspect_owners("/proc", OWNERS_NEVER, &fx->facts, &b);
	assert_false(fx->facts.owners.attempted);
	assert_string_equal(fx->facts.owners.reason, "turned off (--no-processes)");
	inspect_owners(fx->root, OWNERS_ALWAYS, &fx->facts, &b);
	assert_false(fx->facts.owners.attempted);
	assert_string_equal(fx->facts.owners.reason, "a --proc tree: no processes to map");
	fx->facts.census.top_count = 0;
	inspect_owners("/proc", OWNERS_ALWAYS, &fx->facts, &b);
	assert_string_equal(fx->facts.owners.reason, "no outbound destinations");
}

/* ------------------------------------------------------- the reports */

static char *rendered(const struct tw_facts *f, int format)
{
	struct findings none = {0};
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	assert_non_null(out);
	if (format == 0)
		report_check_text(out, f, &none, false);
	else if (format == 1)
		print_json(report_check_json(f, &none), out);
	else
		report_check_prometheus(out, f, &none);
	assert_int_equal(fclose(out), 0);
	return text;
}

static void assert_has(const char *text, const char *needle)
{
	if (!strstr(text, needle))
		fail_msg("no \"%s\" in:\n%s", needle, text);
}

static void test_text_report(void **state)
{
	struct fixture *fx = *state;
	char *text;

	map_client(fx, NULL);
	text = rendered(&fx->facts, 0);
	assert_has(text, "    owners: api-worker (pid 812, api.service) 2 connections\n"
			 "            nginx (pid 900) 1 connection\n"
			 "            1 not attributed; 1 closing (no process)\n");
	assert_has(text, "  Processes: 4 of 6 live sockets attributed (2 processes scanned in ");
	assert_has(text, "    1 not attributed: 1 closed between the dump and the walk");
	free(text);
}

static void test_json_report(void **state)
{
	struct fixture *fx = *state;
	json_t *doc, *dest, *owner, *status;
	json_error_t jerr;
	char *text;

	map_client(fx, NULL);
	text = rendered(&fx->facts, 1);
	doc = json_loads(text, 0, &jerr);
	if (!doc)
		fail_msg("not JSON: %s", jerr.text);
	dest = json_array_get(json_object_get(json_object_get(doc, "sockets"), "top_destinations"),
			      0);
	owner = json_array_get(json_object_get(dest, "owners"), 0);
	assert_int_equal(json_integer_value(json_object_get(owner, "pid")), 812);
	assert_string_equal(json_string_value(json_object_get(owner, "command")), "api-worker");
	assert_string_equal(json_string_value(json_object_get(owner, "unit")), "api.service");
	assert_string_equal(json_string_value(json_object_get(owner, "cgroup")),
			    "/system.slice/api.service");
	assert_int_equal(json_integer_value(json_object_get(owner, "connections")), 2);
	assert_true(json_is_null(json_object_get(owner, "new_per_second")));
	owner = json_array_get(json_object_get(dest, "owners"), 1);
	assert_true(json_is_null(json_object_get(owner, "unit")));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(dest, "live_sockets"),
							    "not_attributed")),
			 1);
	status = json_object_get(json_object_get(doc, "sockets"), "owners");
	assert_true(json_is_true(json_object_get(status, "attempted")));
	assert_int_equal(json_integer_value(json_object_get(status, "attributed")), 4);
	assert_int_equal(json_integer_value(json_object_get(status, "not_attributed")), 1);
	assert_int_equal(json_integer_value(json_object_get(status, "processes_scanned")), 2);
	assert_true(json_is_false(json_object_get(status, "truncated")));
	json_decref(doc);
	free(text);
}

/* Not attempted: null owners, and the status says why. */
static void test_json_report_not_attempted(void **state)
{
	struct fixture *fx = *state;
	json_t *doc, *sockets;
	json_error_t jerr;
	char *text;

	client_host(&fx->facts);
	snprintf(fx->facts.owners.reason, sizeof(fx->facts.owners.reason), "why not");
	text = rendered(&fx->facts, 1);
	assert_non_null(doc = json_loads(text, 0, &jerr));
	sockets = json_object_get(doc, "sockets");
	assert_true(json_is_null(json_object_get(
		json_array_get(json_object_get(sockets, "top_destinations"), 0), "owners")));
	assert_true(
		json_is_false(json_object_get(json_object_get(sockets, "owners"), "attempted")));
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(sockets, "owners"), "reason")),
		"why not");
	json_decref(doc);
	free(text);
}

static void test_prometheus_report(void **state)
{
	struct fixture *fx = *state;
	char *text;

	map_client(fx, NULL);
	snprintf(fx->facts.owners.destinations[0].owners[0].command, 16, "a\"b");
	text = rendered(&fx->facts, 2);
	assert_has(text, "twtune_destination_owner_connections{destination=\"10.0.0.5:5432\","
			 "command=\"a\\\"b\",pid=\"812\",unit=\"api.service\"} 2\n");
	assert_has(text, "twtune_destination_owner_connections{destination=\"10.0.0.6:6379\","
			 "command=\"nginx\",pid=\"900\",unit=\"\"} 1\n");
	assert_has(text, "twtune_owner_sockets{attribution=\"not_attributed\"} 1\n");
	assert_null(strstr(text, "new_per_second"));
	free(text);
}

/* The facts rules read, and the label they print. */
static void test_owner_facts(void **state)
{
	struct fixture *fx = *state;
	struct fact_view view;
	struct value v;

	map_client(fx, NULL);
	fact_view_init(&view, &fx->facts);
	v = fact_lookup("top.owner.label", &view);
	assert_int_equal(v.type, VAL_STRING);
	assert_string_equal(v.string, "api-worker (pid 812, api.service)");
	assert_string_equal(fact_lookup("top.owner", &view).string, "api-worker");
	assert_string_equal(fact_lookup("top.owner.unit", &view).string, "api.service");
	assert_near(fact_lookup("top.owner.pid", &view).number, 812);
	assert_near(fact_lookup("top.owner.connections", &view).number, 2);
	assert_near(fact_lookup("top.owners", &view).number, 2);
	assert_near(fact_lookup("top.live_connections", &view).number, 5);
	assert_near(fact_lookup("owners.not_attributed", &view).number, 1);
	assert_int_equal(fact_lookup("top.owner.new_per_second", &view).type, VAL_UNDEFINED);
	assert_true(fact_known("top.owner.cgroup"));
	fx->facts.owners.attempted = false;
	fact_view_init(&view, &fx->facts);
	assert_int_equal(fact_lookup("top.owner", &view).type, VAL_UNDEFINED);
	assert_int_equal(fact_lookup("owners.not_attributed", &view).type, VAL_UNDEFINED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_socket_inode_reads_len_bytes),
		cmocka_unit_test(test_cgroup_path_cut),
		cmocka_unit_test_setup_teardown(test_walk_names_the_owners, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_walk_starts_in_this_namespace, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_new_sockets_against_the_baseline,
						fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_ranking_lists_the_most_connected,
						fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_records_are_bounded, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_diag_messages, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_pressure_worth_explaining, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_not_attempted, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_text_report, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_json_report, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_json_report_not_attempted, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_prometheus_report, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_owner_facts, fixture_setup, fixture_teardown),
	};
	const struct fixture_table tables[] = {
		FIXTURE_TABLE(link_cases, test_socket_inode, fixture_setup, fixture_teardown),
		FIXTURE_TABLE(cgroup_cases, test_cgroup_path, fixture_setup, fixture_teardown),
	};

	return fixture_run(tests, ARRAY_SIZE(tests), tables, ARRAY_SIZE(tables));
}
