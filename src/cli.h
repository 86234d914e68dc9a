/* The command-line frame: global options and the command table. */
#ifndef TWTUNE_CLI_H
#define TWTUNE_CLI_H

#include <stdbool.h>
#include <stdio.h>

/* Exit codes shared by every command (see twtune(1), EXIT STATUS). */
#define EXIT_USAGE 2

/* Parsed global options; the only process-wide state twtune has. */
struct twtune_ctx {
	const char *proc_root;       /* --proc, default "/proc" */
	const char *kernel_override; /* --kernel */
	bool netns_selected;         /* --netns or --netns-pid was given */
	const char *rules_dir;       /* --rules or $TWTUNE_RULES: only this directory */
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

struct rule_set;
/* Load the rules the context names (see twtune.rules(5), FILES). Problems
 * are printed to stderr, each naming file:line:column; returns 0 or
 * negative. */
int load_rules(const struct twtune_ctx *ctx, struct rule_set *set);

/* Print "twtune: MESSAGE" and a hint to stderr; returns EXIT_USAGE. */
int usage_error(const char *command, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
