/* SPDX-License-Identifier: MIT */
/* twtune rollback, twtune history: undoing a transaction, and the record. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "apply/journal.h"
#include "apply/run.h"
#include "cli.h"
#include "inspect/netns.h"
#include "report/apply.h"
#include "report/format.h"

void cmd_rollback_help(FILE *out)
{
	fprintf(out,
		"Usage: twtune [GLOBAL OPTIONS] rollback [ID] [OPTIONS]\n"
		"\n"
		"Undo transaction ID (default: the last committed apply in this namespace):\n"
		"restore its keys' old values and the persisted file's old content, as a\n"
		"transaction of its own. Keys changed by someone since are set back too.\n"
		"\n"
		"Options:\n"
		"  --check            show what would be restored, change nothing\n"
		"  --diff             show the persisted file's change as a unified diff\n"
		"  --state-dir DIR    the journal's directory (default %s)\n"
		"  --sysctl-d DIR     where the persisted file is kept (default %s): a\n"
		"                     transaction that persisted elsewhere is refused\n"
		"  --format FORMAT    text (default) or json\n"
		"\n"
		"Exit status as for apply.\n",
		TWTUNE_STATE_DIR, PERSIST_DIR);
}

void cmd_history_help(FILE *out)
{
	fprintf(out, "Usage: twtune [GLOBAL OPTIONS] history [--all] [--state-dir DIR] [--format "
		     "text|json]\n"
		     "\n"
		     "List the transactions of this namespace (--all: of every namespace) from\n"
		     "the journal, oldest first.\n");
}

struct journal_options {
	const char *state_dir;
	const char *sysctl_d;
	bool check, diff, json, all;
};

static int parse_journal_options(const char *command, int argc, char **argv,
				 struct journal_options *o, void (*help)(FILE *))
{
	static const struct option options[] = {
		{"check", no_argument, NULL, 'c'},
		{"diff", no_argument, NULL, 'd'},
		{"all", no_argument, NULL, 'a'},
		{"state-dir", required_argument, NULL, 's'},
		{"sysctl-d", required_argument, NULL, 'D'},
		{"format", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (c) {
		case 'c': o->check = true; break;
		case 'd': o->diff = true; break;
		case 'a': o->all = true; break;
		case 's': o->state_dir = optarg; break;
		case 'D': o->sysctl_d = optarg; break;
		case 'f':
			if ((c = parse_text_or_json(command, optarg)) < 0)
				return EXIT_USAGE;
			o->json = c == 1;
			break;
		case 'h': help(stdout); return -1;
		default: return option_error(command, c, argv);
		}
	}
	return 0;
}

int cmd_rollback(const struct twtune_ctx *ctx, int argc, char **argv)
{
	struct journal_options o = {.state_dir = TWTUNE_STATE_DIR};
	struct apply_outcome out = {.command = "rollback"};
	struct rollback_request req = {.proc_root = ctx->proc_root};
	int r;

	if ((r = parse_journal_options("rollback", argc, argv, &o, cmd_rollback_help)) != 0)
		return r < 0 ? 0 : r;
	out.check_mode = o.check;
	out.diff = o.diff;
	snprintf(out.source, sizeof(out.source), "rollback");
	if (argc - optind > 1) {
		apply_refuse(&out, -EINVAL, "rollback takes at most one transaction id");
		if (o.json)
			report_apply_print_json(&out);
		return usage_error("rollback", "rollback takes at most one transaction id");
	}
	req.id = optind < argc ? argv[optind] : NULL;
	req.state_dir = o.state_dir;
	req.persist_dir = o.sysctl_d;
	req.check = o.check;
	r = report_apply_outcome(rollback_run(&req, &out), &out, o.json);
	apply_outcome_free(&out);
	return r;
}

int cmd_history(const struct twtune_ctx *ctx, int argc, char **argv)
{
	struct journal_options o = {.state_dir = TWTUNE_STATE_DIR};
	struct journal j;
	char ns[160], err[1024];
	json_t *list;
	int r;

	if ((r = parse_journal_options("history", argc, argv, &o, cmd_history_help)) != 0)
		return r < 0 ? 0 : r;
	if (optind < argc)
		return usage_error("history", "unexpected argument '%s'", argv[optind]);
	if (o.sysctl_d)
		return usage_error("history",
				   "--sysctl-d is an option of rollback, not of history");
	netns_journal_name(ctx->proc_root, ns, sizeof(ns));
	if (journal_read(o.state_dir, &j, err, sizeof(err)) < 0) {
		fprintf(stderr, "twtune: %s\n", err);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < j.skipped_count; i++)
		fprintf(stderr, "twtune: journal: skipped %s\n", j.skipped[i]);
	list = json_array();
	if (!o.json)
		printf("%-26s %-20s %-8s %-12s %-8s %s\n", "ID", "TIME", "KIND", "STATUS",
		       "CHANGES", "SOURCE");
	for (size_t i = 0; i < j.count; i++) {
		const struct txn_record *t = &j.records[i];
		if (!o.all && strcmp(t->ns, ns) != 0)
			continue;
		if (o.json)
			json_array_append_new(
				list,
				json_pack("{s:s,s:s,s:s,s:s,s:s,s:i,s:s,s:o}", "id", t->id, "time",
					  t->time, "kind",
					  t->kind == TXN_APPLY ? "apply" : "rollback", "status",
					  txn_status_name(t->status), "source", t->source,
					  "changes", (int)t->change_count, "namespace", t->ns,
					  "rolled_back_by",
					  t->rolled_back_by[0] ? json_string(t->rolled_back_by)
							       : json_null()));
		else
			printf("%-26s %-20s %-8s %-12s %-8u %s%s%s\n", t->id, t->time,
			       t->kind == TXN_APPLY ? "apply" : "rollback",
			       txn_status_name(t->status), t->change_count, t->source,
			       t->rolled_back_by[0] ? ", rolled back by " : "", t->rolled_back_by);
	}
	if (o.json)
		print_json(list, stdout);
	else
		json_decref(list);
	journal_free(&j);
	return 0;
}
