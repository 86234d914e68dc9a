/* SPDX-License-Identifier: MIT */
/* twtune rules, twtune explain: the rule set, for people who audit it. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "engine/engine.h"
#include "engine/factview.h"
#include "engine/rules.h"
#include "lint/builtin.h"
#include "report/format.h"

void cmd_rules_help(FILE *out)
{
	fprintf(out, "Usage: twtune [GLOBAL OPTIONS] rules [--format text|json] [--facts]\n"
		     "\n"
		     "List the rules check applies: id, severity, what they may set, title.\n"
		     "With --facts, list the facts conditions and messages can use instead.\n"
		     "The rule file format is in twtune.rules(5).\n");
}

static void print_fact(const char *name, const char *doc, void *arg)
{
	fprintf(arg, "%-42s %s\n", name, doc);
}

static void print_rules_text(const struct rule_set *set)
{
	printf("%-32s %-9s %s\n", "ID", "SEVERITY", "TITLE");
	for (size_t i = 0; i < set->count; i++) {
		const struct rule *r = &set->rules[i];

		printf("%-32s %-9s %s\n", r->id, severity_name(r->severity), r->title);
		for (unsigned k = 0; k < r->setting_count; k++)
			printf("%-32s %-9s   sets %s = %s\n", "", "",
			       knob_get(r->settings[k].key)->name,
			       rule_setting_text(&r->settings[k]));
	}
}

static json_t *rule_json(const struct rule *r)
{
	json_t *settings = json_array();

	for (unsigned k = 0; k < r->setting_count; k++)
		json_array_append_new(
			settings, json_pack("{s:s,s:s}", "key", knob_get(r->settings[k].key)->name,
					    "value", rule_setting_text(&r->settings[k])));
	json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:o,s:s,s:i}", "id", r->id, "severity",
			      severity_name(r->severity), "title", r->title, "when", r->when_text,
			      "settings", settings, "file", r->file, "line", r->line);

	if (o && r->critical_text)
		json_object_set_new(o, "critical_when", json_string(r->critical_text));
	return o;
}

int cmd_rules(const struct twtune_ctx *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{"format", required_argument, NULL, 'f'},
		{"facts", no_argument, NULL, 'F'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool json = false, facts = false;
	struct rule_set set;
	int c, r;

	while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (c) {
		case 'f':
			if ((c = parse_text_or_json("rules", optarg)) < 0)
				return EXIT_USAGE;
			json = c == 1;
			break;
		case 'F': facts = true; break;
		case 'h': cmd_rules_help(stdout); return 0;
		default: return option_error("rules", c, argv);
		}
	}
	if (optind < argc)
		return usage_error("rules", "unexpected argument '%s'", argv[optind]);
	if (facts) {
		fact_names(print_fact, stdout);
		return 0;
	}
	r = load_rules(ctx, &set);
	if (json) {
		json_t *list = json_array();
		for (size_t i = 0; i < set.count; i++)
			json_array_append_new(list, rule_json(&set.rules[i]));
		print_json(list, stdout);
	} else {
		print_rules_text(&set);
	}
	rules_free(&set);
	return r < 0 ? EXIT_USAGE : 0;
}

void cmd_explain_help(FILE *out)
{
	fprintf(out, "Usage: twtune [GLOBAL OPTIONS] explain ID\n"
		     "\n"
		     "Explain rule ID: what it checks (its condition), what it recommends, why,\n"
		     "and where to read more. 'twtune rules' lists the ids.\n");
}

/* A condition under HEADING: its first line indented by two, the lines
 * that continue it by four, whatever the rule file's indentation. */
static void print_condition(const char *heading, const char *text)
{
	printf("%s\n", heading);
	for (const char *line = text; *line;) {
		size_t len = strcspn(line, "\n");

		printf("%s%.*s\n", line == text ? "  " : "    ", (int)len, line);
		line += len + (line[len] == '\n');
	}
	printf("\n");
}

static void explain(const struct rule *r)
{
	printf("%s (%s)\n%s\n\n", r->id, severity_name(r->severity), r->title);
	print_condition("When:", r->when_text);
	if (r->critical_text)
		print_condition("Critical when also:", r->critical_text);
	if (r->setting_count) {
		printf("Recommends:\n");
		for (unsigned k = 0; k < r->setting_count; k++)
			printf("  %s = %s\n", knob_get(r->settings[k].key)->name,
			       rule_setting_text(&r->settings[k]));
		printf("\n");
	}
	if (r->explanation)
		printf("%s\n\n", r->explanation);
	if (r->reference_count) {
		printf("References:\n");
		for (unsigned i = 0; i < r->reference_count; i++)
			printf("  - %s\n", r->references[i]);
		printf("\n");
	}
	printf("Defined in %s:%u\n", r->file, r->line);
}

int cmd_explain(const struct twtune_ctx *ctx, int argc, char **argv)
{
	const struct rule *rule;
	struct rule_set set;
	int r;

	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		cmd_explain_help(stdout);
		return 0;
	}
	if (argc != 2 || argv[1][0] == '-')
		return usage_error("explain",
				   argc < 2   ? "explain needs a rule id"
				   : argc > 2 ? "explain takes one rule id"
					      : "unknown option '%s'",
				   argv[1]);
	r = load_rules(ctx, &set);
	rule = rules_find(&set, argv[1]);
	if (!rule && (rule = builtin_rule_find(argv[1]))) {
		printf("%s (%s)\n%s\n\nA check built into twtune (lint and drift).\n\n%s\n",
		       rule->id, severity_name(rule->severity), rule->title, rule->explanation);
		rules_free(&set);
		return 0;
	}
	if (!rule) {
		fprintf(stderr, "twtune: no rule '%s'%s; 'twtune rules' lists them\n", argv[1],
			r < 0 ? " was loaded" : "");
		rules_free(&set);
		return EXIT_USAGE;
	}
	explain(rule);
	rules_free(&set);
	return 0;
}
