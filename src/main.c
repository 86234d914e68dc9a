/* SPDX-License-Identifier: MIT */
/* twtune: find and fix TCP TIME_WAIT trouble. Global options, then one
 * command; each command lives in its own cmd_*.c. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

#include "cli.h"
#include "engine/rules.h"
#include "inspect/kernel.h"
#include "inspect/netns.h"
#include "inspect/procfs.h"

static int cmd_help(const struct twtune_ctx *ctx, int argc, char **argv);
static void cmd_help_help(FILE *out);

static const struct command commands[] = {
	{"check", "inspect this host and report its TIME_WAIT situation", cmd_check,
	 cmd_check_help},
	{"lint", "check sysctl.d files, as systemd-sysctl reads them", cmd_lint, cmd_lint_help},
	{"apply", "change the TIME_WAIT knobs, transactionally", cmd_apply, cmd_apply_help},
	{"rollback", "undo an apply", cmd_rollback, cmd_rollback_help},
	{"history", "list the transactions of apply and rollback", cmd_history, cmd_history_help},
	{"profiles", "list the profiles, or show what one would set here", cmd_profiles,
	 cmd_profiles_help},
	{"rules", "list the rules check applies", cmd_rules, cmd_rules_help},
	{"explain", "explain a rule: what it checks, why, what to do", cmd_explain,
	 cmd_explain_help},
	{"help", "show help for a command", cmd_help, cmd_help_help},
};

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static void help(FILE *out)
{
	fprintf(out, "Usage: twtune [GLOBAL OPTIONS] COMMAND [OPTIONS]\n"
		     "\n"
		     "Find and fix TCP TIME_WAIT trouble: ephemeral port exhaustion, time-wait\n"
		     "bucket overflow and the dangerous folk remedies.\n"
		     "\n"
		     "Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out,
		"\n"
		"Global options:\n"
		"  --proc DIR         read everything from DIR instead of /proc (sysctls,\n"
		"                     counters, and sockets from DIR/net/tcp and tcp6)\n"
		"  --kernel VERSION   judge as if the kernel were VERSION (e.g. 4.9 or 6.1.0)\n"
		"  --netns NAME       run the command in network namespace NAME (/run/netns)\n"
		"  --netns-pid PID    run the command in the network namespace of process PID\n"
		"  --rules DIR        read rules from DIR only (default: the shipped rules,\n"
		"                     replaced file by file from " RULES_OVERRIDE_DIR ")\n"
		"  --profiles DIR     read profiles from DIR only (default: the shipped ones,\n"
		"                     replaced file by file from " PROFILES_OVERRIDE_DIR ")\n"
		"  -h, --help         show this help\n"
		"  -V, --version      show the version\n"
		"\n"
		"Global options may also follow the command name, spelled in full.\n"
		"'twtune help COMMAND' shows a command's options. See twtune(1).\n");
}

static void cmd_help_help(FILE *out)
{
	fprintf(out,
		"Usage: twtune help [COMMAND]\n\nShow help for COMMAND, or list the commands.\n");
}

static int cmd_help(const struct twtune_ctx *ctx, int argc, char **argv)
{
	const struct command *c;

	(void)ctx;
	if (argc < 2) {
		help(stdout);
		return 0;
	}
	if (argc > 2)
		return usage_error("help", "help takes one command name");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		cmd_help_help(stdout);
		return 0;
	}
	c = find_command(argv[1]);
	if (!c)
		return usage_error(NULL, "unknown command '%s'", argv[1]);
	c->help(stdout);
	return 0;
}

/* Enter the namespace the global options name, before any command looks
 * at /proc/sys/net or opens a socket: both follow the calling task's
 * namespace. Nothing has been read or written yet if this fails. */
static int enter_namespace(const char *name, const char *pid)
{
	char err[512];
	int fd = name ? netns_open_name(name, err, sizeof(err))
		      : netns_open_pid(pid, err, sizeof(err));
	int r;

	if (fd < 0) {
		fprintf(stderr, "twtune: %s\n", err);
		return fd;
	}
	r = netns_enter(fd, name ? name : pid, err, sizeof(err));
	close(fd);
	if (r < 0)
		fprintf(stderr, "twtune: %s\n", err);
	return r;
}

enum { OPT_PROC = 256, OPT_KERNEL, OPT_NETNS, OPT_NETNS_PID, OPT_RULES, OPT_PROFILES };

static const struct option global_options[] = {
	{"proc", required_argument, NULL, OPT_PROC},
	{"kernel", required_argument, NULL, OPT_KERNEL},
	{"netns", required_argument, NULL, OPT_NETNS},
	{"netns-pid", required_argument, NULL, OPT_NETNS_PID},
	{"rules", required_argument, NULL, OPT_RULES},
	{"profiles", required_argument, NULL, OPT_PROFILES},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

struct global_choice {
	struct twtune_ctx ctx;
	const char *netns_name, *netns_pid;
};

/* One global option, wherever it was given. 0, or the exit status of a
 * usage error. */
static int global_option(int id, const char *value, struct global_choice *g)
{
	struct kernel_version kv;

	switch (id) {
	case OPT_PROC: g->ctx.proc_root = value; break;
	case OPT_KERNEL:
		if (kernel_version_parse_option(value, &kv) < 0)
			return usage_error(NULL,
					   "--kernel: '%s' is not a kernel version "
					   "(expected MAJOR.MINOR or MAJOR.MINOR.PATCH, "
					   "with a release suffix if any: e.g. 4.9, 5.15.0 "
					   "or 6.1.0-18-amd64)",
					   value);
		g->ctx.kernel_override = value;
		break;
	case OPT_NETNS: g->netns_name = value; break;
	case OPT_NETNS_PID: g->netns_pid = value; break;
	case OPT_RULES: g->ctx.rules_dir = value; break;
	case OPT_PROFILES: g->ctx.profiles_dir = value; break;
	}
	return 0;
}

/* Global options given after the command name ("lint --kernel 4.9 DIR"),
 * taken out of ARGV (the command's arguments, ARGV[0] its name) before the
 * command parses the rest: "--name VALUE" or "--name=VALUE", spelled in
 * full, up to a "--". ARGC is updated. 0 or a usage error's status. */
static int globals_after_command(int *argc, char **argv, struct global_choice *g)
{
	int out = 1, r;

	for (int i = 1; i < *argc; i++) {
		const struct option *o = NULL;
		const char *value = NULL;
		size_t len;

		if (strcmp(argv[i], "--") == 0) {
			while (i < *argc)
				argv[out++] = argv[i++];
			break;
		}
		for (const struct option *c = global_options; c->name && !o; c++) {
			len = strlen(c->name);
			if (c->has_arg == required_argument && strncmp(argv[i], "--", 2) == 0 &&
			    strncmp(argv[i] + 2, c->name, len) == 0 &&
			    (argv[i][2 + len] == '\0' || argv[i][2 + len] == '='))
				o = c;
		}
		if (!o) {
			argv[out++] = argv[i];
			continue;
		}
		if (argv[i][2 + strlen(o->name)] == '=')
			value = argv[i] + 3 + strlen(o->name);
		else if (i + 1 < *argc)
			value = argv[++i];
		else
			return usage_error(NULL, "option '--%s' needs an argument", o->name);
		if ((r = global_option(o->val, value, g)) != 0)
			return r;
	}
	argv[out] = NULL;
	*argc = out;
	return 0;
}

int main(int argc, char **argv)
{
	struct global_choice g = {.ctx = {.proc_root = PROCFS_ROOT,
					  .rules_dir = getenv("TWTUNE_RULES"),
					  .profiles_dir = getenv("TWTUNE_PROFILES")}};
	const struct command *cmd;
	struct stat st;
	int c, r;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:hV", global_options, NULL)) != -1) {
		switch (c) {
		case 'h': help(stdout); return 0;
		case 'V': printf("twtune %s\n", PACKAGE_VERSION); return 0;
		case ':':
			return usage_error(NULL, "option '%s' needs an argument", argv[optind - 1]);
		case '?': return usage_error(NULL, "unknown option '%s'", argv[optind - 1]);
		default:
			if ((r = global_option(c, optarg, &g)) != 0)
				return r;
		}
	}
	if (optind >= argc) {
		help(stderr);
		return EXIT_USAGE;
	}
	cmd = find_command(argv[optind]);
	if (!cmd)
		return usage_error(NULL, "unknown command '%s'", argv[optind]);
	argc -= optind;
	argv += optind;
	if ((r = globals_after_command(&argc, argv, &g)) != 0)
		return r;
	if (stat(g.ctx.proc_root, &st) < 0)
		return usage_error(NULL, "--proc %s: %s", g.ctx.proc_root, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return usage_error(NULL, "--proc %s: not a directory", g.ctx.proc_root);
	if (g.netns_name && g.netns_pid)
		return usage_error(NULL, "--netns and --netns-pid name two namespaces: give one");
	if (g.netns_name || g.netns_pid) {
		if (enter_namespace(g.netns_name, g.netns_pid) < 0)
			return EXIT_USAGE;
		g.ctx.netns_selected = true;
	}
	/* The command parses its own options from scratch, and in any order
	 * around its operands ("rollback ID --state-dir DIR"): getopt_long
	 * permutes unless POSIXLY_CORRECT is set. */
	optind = 0;
	return cmd->run(&g.ctx, argc, argv);
}
