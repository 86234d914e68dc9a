/* SPDX-License-Identifier: MIT */
/* The command-line frame: global options and the command table. */
#ifndef TWTUNE_CLI_H
#define TWTUNE_CLI_H

#include <stdbool.h>
#include <stdio.h>

/* Exit codes shared by every command (see twtune(1), EXIT STATUS). */
#define EXIT_USAGE 2

/* Where apply keeps its journal and lock, unless --state-dir. */
#define TWTUNE_STATE_DIR TWTUNE_LOCALSTATEDIR "/lib/twtune"

/* Parsed global options; the only process-wide state twtune has. */
struct twtune_ctx {
	const char *proc_root;	     /* --proc, default PROCFS_ROOT */
	const char *kernel_override; /* --kernel */
	bool netns_selected;	     /* --netns or --netns-pid was given */
	const char *rules_dir;	     /* --rules or $TWTUNE_RULES: only this directory */
	const char *profiles_dir;    /* --profiles or $TWTUNE_PROFILES: likewise */
};

struct command {
	const char *name;
	const char *summary;
	int (*run)(const struct twtune_ctx *ctx, int argc, char **argv);
	void (*help)(FILE *out);
};

int cmd_check(const struct twtune_ctx *ctx, int argc, char **argv);
void cmd_check_help(FILE *out);
int cmd_rules(const struct twtune_ctx *ctx, int argc, char **argv);
void cmd_rules_help(FILE *out);
int cmd_explain(const struct twtune_ctx *ctx, int argc, char **argv);
void cmd_explain_help(FILE *out);

int cmd_apply(const struct twtune_ctx *ctx, int argc, char **argv);
void cmd_apply_help(FILE *out);
int cmd_profiles(const struct twtune_ctx *ctx, int argc, char **argv);
void cmd_profiles_help(FILE *out);
int cmd_rollback(const struct twtune_ctx *ctx, int argc, char **argv);
void cmd_rollback_help(FILE *out);
int cmd_history(const struct twtune_ctx *ctx, int argc, char **argv);
void cmd_history_help(FILE *out);
int cmd_lint(const struct twtune_ctx *ctx, int argc, char **argv);
void cmd_lint_help(FILE *out);

struct rule_set;

/* Load the rules (or profiles) the context names (see twtune.rules(5),
 * twtune.profile(5)). Problems are printed to stderr, each naming
 * file:line:column; returns 0 or negative. */
int load_rules(const struct twtune_ctx *ctx, struct rule_set *set);
int load_profiles(const struct twtune_ctx *ctx, struct rule_set *set);

/* --output FILE: the command's standard output goes to a temporary file
 * in FILE's directory, renamed over FILE once complete, so that a reader
 * (node_exporter's textfile collector) never sees half a report. */
struct atomic_output {
	char path[4096];
	char temporary[4096];
	int fd;
};

/* Send standard output to a new temporary file beside PATH. 0, or -errno
 * with the reason printed (naming the directory). */
int output_begin(struct atomic_output *o, const char *path);

/* Flush standard output into the temporary file, make it 0644, sync it and
 * rename it over PATH; on a failure remove it and leave PATH as it was.
 * 0, or -errno with the reason printed. */
int output_commit(struct atomic_output *o);

/* Print "twtune: MESSAGE" and a hint to stderr; returns EXIT_USAGE. */
int usage_error(const char *command, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* getopt_long's ':' (missing argument) or '?' (unknown option) as a usage
 * error; returns EXIT_USAGE. */
int option_error(const char *command, int c, char **argv);

/* The index of ARG among CHOICES (NULL-terminated), or -1 after a usage
 * error: "OPTION: unknown WHAT 'ARG' (expected a, b or c)". */
int parse_choice(const char *command, const char *option, const char *what, const char *arg,
		 const char *const *choices);

/* --format text|json: 0 text, 1 json, -1 after a usage error. */
int parse_text_or_json(const char *command, const char *arg);

/* --fail-on none|info|warning|critical: the severity (SEVERITY_NONE for
 * none), or -1 after a usage error. */
int parse_fail_on(const char *command, const char *arg);

#endif
