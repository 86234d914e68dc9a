/* SPDX-License-Identifier: MIT */
#include "report/lint.h"

#include <ctype.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

#include "common/knob_kernel.h"
#include "common/strutil.h"
#include "report/format.h"

static void counts(const struct lint_result *r, unsigned by[SEVERITY_CRITICAL + 1])
{
	memset(by, 0, sizeof(unsigned) * (SEVERITY_CRITICAL + 1));
	for (size_t i = 0; i < r->findings.count; i++)
		by[r->findings.items[i].severity]++;
}

static const char *key_name(const struct finding *fd)
{
	return fd->key >= 0 ? knob_get(fd->key)->name : NULL;
}

void report_lint_text(FILE *out, const struct lint_result *r)
{
	unsigned by[SEVERITY_CRITICAL + 1];

	for (size_t i = 0; i < r->findings.count; i++) {
		const struct finding *fd = &r->findings.items[i];
		fprintf(out, "%s:%u: %s: %s [%s]\n", fd->file, fd->line,
			severity_name(fd->severity), fd->summary, fd->rule->id);
	}
	counts(r, by);
	fprintf(out, "%u critical, %u warning, %u info in %zu file%s", by[SEVERITY_CRITICAL],
		by[SEVERITY_WARNING], by[SEVERITY_INFO], r->config.file_count,
		r->config.file_count == 1 ? "" : "s");
	if (r->skipped_count == 1)
		fprintf(out, "; 1 rule needs live facts (sockets, counters, NAT) and was skipped");
	else if (r->skipped_count)
		fprintf(out,
			"; %zu rules need live facts (sockets, counters, NAT) and were skipped",
			r->skipped_count);
	if (r->unjudged)
		fprintf(out, "; %zu assignment%s of keys twtune does not judge (%s%s) only read",
			r->unjudged, r->unjudged == 1 ? "" : "s", r->unjudged_example,
			r->unjudged > 1 ? ", ..." : "");
	fprintf(out, "\n");
}

static json_t *finding_json(size_t i, const void *arg)
{
	const struct finding *fd = &((const struct lint_result *)arg)->findings.items[i];
	json_t *o = json_object();

	json_object_set_new(o, "file", json_string(fd->file));
	json_object_set_new(o, "line", json_integer(fd->line));
	json_object_set_new(o, "key", key_name(fd) ? json_string(key_name(fd)) : json_null());
	json_object_set_new(o, "severity", json_string(severity_name(fd->severity)));
	json_object_set_new(o, "id", json_string(fd->rule->id));
	json_object_set_new(o, "message", json_string(fd->summary));
	if (fd->setting_count)
		json_object_set_new(o, "recommended", value_json(&fd->settings[0].recommended));
	return o;
}

static json_t *value_or_null(bool known, const struct knob_value *v)
{
	char *text;
	json_t *j;

	if (!known || !(text = knob_proc_text(v)))
		return json_null();
	j = json_string(text);
	free(text);
	return j ? j : json_null();
}

/* TEXT as a JSON string: bytes that are not UTF-8 (systemd does not check)
 * replaced, as in messages. */
static json_t *text_json(const char *text)
{
	char *copy = strdup(text);
	json_t *j;

	if (!copy)
		return json_null();
	utf8_sanitize(copy);
	j = json_string(copy);
	free(copy);
	return j ? j : json_null();
}

static int by_knob_name(const void *x, const void *y)
{
	return strcmp(knob_get(*(const int *)x)->name, knob_get(*(const int *)y)->name);
}

/* "boot": what boot does to each of twtune's keys the files write, by key:
 * the last line written, the kernel's outcome, and the value before and
 * after as /proc/sys prints it (null when unknown). */
static json_t *boot_json(const struct lint_result *r)
{
	static const char *const outcomes[] = {[BOOT_APPLIED] = "applied",
					       [BOOT_REFUSED] = "refused",
					       [BOOT_ABSENT] = "absent",
					       [BOOT_UNKNOWN] = "unknown"};
	json_t *list = json_array();
	int order[KNOB_COUNT], n = 0;

	for (int k = 0; k < KNOB_COUNT; k++)
		if (r->boot.key[k].outcome != BOOT_UNTOUCHED)
			order[n++] = k;
	qsort(order, (size_t)n, sizeof(order[0]), by_knob_name);
	for (int i = 0; i < n; i++) {
		const struct boot_key *key = &r->boot.key[order[i]];
		bool refused = key->outcome == BOOT_REFUSED;
		json_t *o = json_object();

		json_object_set_new(o, "key", json_string(knob_get(order[i])->name));
		json_object_set_new(
			o, "file",
			json_string(lint_shown_path(r->config.files[key->at->file].path)));
		json_object_set_new(o, "line", json_integer(key->at->line));
		json_object_set_new(o, "value", text_json(key->at->value));
		json_object_set_new(o, "outcome", json_string(outcomes[key->outcome]));
		json_object_set_new(o, "result",
				    refused ? value_or_null(key->before_known, &key->before)
					    : value_or_null(key->result_known, &key->result));
		json_object_set_new(o, "before", value_or_null(key->before_known, &key->before));
		json_object_set_new(o, "reason",
				    key->reason[0] ? text_json(key->reason) : json_null());
		json_array_append_new(list, o);
	}
	return list;
}

void report_lint_json(FILE *out, const struct lint_result *r)
{
	json_t *doc = json_object(), *list = json_array(), *summary = json_object();
	json_t *skipped = json_array(), *files = json_array();
	unsigned by[SEVERITY_CRITICAL + 1];

	counts(r, by);
	for (size_t i = 0; i < r->config.file_count; i++)
		json_array_append_new(files, json_string(lint_shown_path(r->config.files[i].path)));
	for (size_t i = 0; i < r->skipped_count; i++)
		json_array_append_new(skipped, json_string(r->skipped[i]));
	json_object_set_new(summary, "files", files);
	json_object_set_new(summary, "critical", json_integer(by[SEVERITY_CRITICAL]));
	json_object_set_new(summary, "warning", json_integer(by[SEVERITY_WARNING]));
	json_object_set_new(summary, "info", json_integer(by[SEVERITY_INFO]));
	json_object_set_new(summary, "input_errors", json_integer((json_int_t)r->input_errors));
	json_object_set_new(summary, "skipped_rules", skipped);
	json_object_set_new(summary, "unjudged_assignments", json_integer((json_int_t)r->unjudged));
	json_object_set_new(summary, "skipped_reason",
			    json_string("these rules need live facts (sockets, counters, NAT), "
					"which files do not have"));
	json_object_set_new(doc, "findings", json_incref(list));
	json_object_set_new(doc, "summary", summary);
	json_object_set_new(doc, "boot", boot_json(r));
	/* one finding at a time: a file of 40,000 lines makes 40,000 */
	print_json_streamed(doc, list, r->findings.count, finding_json, r, out);
	json_decref(list);
}

/* A file name as a URI reference (RFC 3986): unreserved characters and '/'
 * as they are, everything else percent-encoded. */
static void uri_encode(const char *path, char *buf, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)path; *p && n + 4 < size; p++) {
		if (isalnum(*p) || strchr("-._~/", *p)) {
			buf[n++] = (char)*p;
		} else {
			buf[n++] = '%';
			buf[n++] = hex[*p >> 4];
			buf[n++] = hex[*p & 15];
		}
	}
	buf[n] = '\0';
}

/* A file as a SARIF artifact location: a relative path is relative to
 * SRCROOT, the directory lint ran in (originalUriBaseIds says which), so
 * that code scanning resolves it against the repository; an absolute one
 * is a file: URI. */
static json_t *artifact_location(const char *path)
{
	char uri[3 * 4096 + 1], absolute[3 * 4096 + 8];

	uri_encode(path, uri, sizeof(uri));
	if (path[0] == '/') {
		snprintf(absolute, sizeof(absolute), "file://%s", uri);
		return json_pack("{s:s}", "uri", absolute);
	}
	return json_pack("{s:s,s:s}", "uri", uri, "uriBaseId", "SRCROOT");
}

static const char *sarif_level(enum severity s)
{
	return s == SEVERITY_CRITICAL ? "error" : s == SEVERITY_WARNING ? "warning" : "note";
}

/* The distinct rules that fired, in order of first appearance. */
static size_t fired_rules(const struct lint_result *r, const struct rule **rules, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < r->findings.count; i++) {
		const struct rule *rule = r->findings.items[i].rule;
		bool seen = false;
		for (size_t j = 0; j < n && !seen; j++)
			seen = rules[j] == rule;
		if (!seen && n < max)
			rules[n++] = rule;
	}
	return n;
}

struct sarif_results {
	const struct lint_result *lint;
	const struct rule **rules; /* the rules that fired, as in the descriptors */
	size_t rule_count;
};

static json_t *sarif_result(size_t i, const void *arg)
{
	const struct sarif_results *s = arg;
	const struct finding *fd = &s->lint->findings.items[i];
	size_t index = 0;

	while (index < s->rule_count && s->rules[index] != fd->rule)
		index++;
	return json_pack("{s:s,s:i,s:s,s:{s:s},s:[{s:{s:o,s:{s:i}}}]}", "ruleId", fd->rule->id,
			 "ruleIndex", (int)index, "level", sarif_level(fd->severity), "message",
			 "text", fd->summary, "locations", "physicalLocation", "artifactLocation",
			 artifact_location(fd->file), "region", "startLine",
			 fd->line ? (int)fd->line : 1);
}

/* Where the rule is explained: its file in the repository for a rule
 * file, twtune(1) for lint's own checks. */
static void help_uri(const struct rule *rule, char *buf, size_t size)
{
	const char *slash = strrchr(rule->file, '/');

	if (rule->file[0])
		snprintf(buf, size, "%s/blob/main/rules/%s", PACKAGE_URL,
			 slash ? slash + 1 : rule->file);
	else
		snprintf(buf, size, "%s/blob/main/man/twtune.1", PACKAGE_URL);
}

/* A rule's help for code scanning: its explanation and references, as
 * text and as Markdown. */
static json_t *rule_help(const struct rule *rule)
{
	json_t *help;
	char *text = NULL, *markdown = NULL;
	size_t tlen = 0, mlen = 0;
	FILE *t = open_memstream(&text, &tlen), *m = open_memstream(&markdown, &mlen);

	if (!t || !m) {
		if (t)
			fclose(t);
		if (m)
			fclose(m);
		free(text);
		free(markdown);
		return NULL;
	}
	fprintf(t, "%s", rule->explanation ? rule->explanation : rule->title);
	fprintf(m, "**%s**\n\n%s", rule->title, rule->explanation ? rule->explanation : "");
	if (rule->reference_count) {
		fputs("\n\nReferences:", t);
		fputs("\n\nReferences:\n", m);
	}
	for (unsigned i = 0; i < rule->reference_count; i++) {
		fprintf(t, "\n- %s", rule->references[i]);
		fprintf(m, "\n- %s", rule->references[i]);
	}
	fclose(t);
	fclose(m);
	help = json_pack("{s:s,s:s}", "text", text, "markdown", markdown);
	free(text);
	free(markdown);
	return help;
}

void report_lint_sarif(FILE *out, const struct lint_result *r)
{
	const struct rule *rules[128];
	struct sarif_results results = {.lint = r, .rules = rules};
	json_t *descriptors = json_array(), *list = json_array();

	results.rule_count = fired_rules(r, rules, 128);
	for (size_t i = 0; i < results.rule_count; i++) {
		json_t *d =
			json_pack("{s:s,s:{s:s},s:{s:s}}", "id", rules[i]->id, "shortDescription",
				  "text", rules[i]->title, "defaultConfiguration", "level",
				  sarif_level(rules[i]->severity));
		char uri[PATH_MAX + 128];
		json_t *help = rule_help(rules[i]);

		if (rules[i]->explanation)
			json_object_set_new(d, "fullDescription",
					    json_pack("{s:s}", "text", rules[i]->explanation));
		if (help)
			json_object_set_new(d, "help", help);
		help_uri(rules[i], uri, sizeof(uri));
		json_object_set_new(d, "helpUri", json_string(uri));
		json_array_append_new(descriptors, d);
	}
	json_t *doc =
		json_pack("{s:s,s:s,s:[{s:{s:{s:s,s:s,s:s,s:o}},s:O}]}", "$schema",
			  "https://json.schemastore.org/sarif-2.1.0.json", "version", "2.1.0",
			  "runs", "tool", "driver", "name", "twtune", "version", PACKAGE_VERSION,
			  "informationUri", PACKAGE_URL, "rules", descriptors, "results", list);
	char cwd[PATH_MAX], base[3 * PATH_MAX + 16];

	/* SRCROOT: where lint ran, which relative paths are relative to */
	if (getcwd(cwd, sizeof(cwd))) {
		uri_encode(cwd, base, sizeof(base) - 16);
		memmove(base + 7, base, strlen(base) + 1);
		memcpy(base, "file://", 7);
		if (base[strlen(base) - 1] != '/')
			strcat(base, "/");
		json_object_set_new(json_array_get(json_object_get(doc, "runs"), 0),
				    "originalUriBaseIds",
				    json_pack("{s:{s:s}}", "SRCROOT", "uri", base));
	}
	/* one result at a time: a file of 40,000 lines makes 40,000 */
	print_json_streamed(doc, list, r->findings.count, sarif_result, &results, out);
	json_decref(list);
}

/* Workflow command data escapes %, CR and LF; properties also : and ,
 * (GitHub's toolkit, escapeData and escapeProperty). */
static void escaped(FILE *out, const char *s, bool property)
{
	for (; *s; s++) {
		switch (*s) {
		case '%': fputs("%25", out); break;
		case '\r': fputs("%0D", out); break;
		case '\n': fputs("%0A", out); break;
		case ':': fputs(property ? "%3A" : ":", out); break;
		case ',': fputs(property ? "%2C" : ",", out); break;
		default: fputc(*s, out);
		}
	}
}

void report_lint_github(FILE *out, const struct lint_result *r)
{
	for (size_t i = 0; i < r->findings.count; i++) {
		const struct finding *fd = &r->findings.items[i];
		enum severity s = fd->severity;

		fprintf(out, "::%s file=",
			s == SEVERITY_CRITICAL	? "error"
			: s == SEVERITY_WARNING ? "warning"
						: "notice");
		escaped(out, fd->file, true);
		fprintf(out, ",line=%u,title=", fd->line ? fd->line : 1);
		escaped(out, fd->rule->id, true);
		fputs("::", out);
		escaped(out, fd->summary, false);
		fputc('\n', out);
	}
}

/* GitLab's severities: critical and major fail a merge request's widget
 * as errors do; info is informational. */
static const char *codequality_severity(enum severity s)
{
	return s == SEVERITY_CRITICAL ? "critical" : s == SEVERITY_WARNING ? "major" : "info";
}

/* A finding's fingerprint: the same finding on the same line gets the same
 * one from run to run (GitLab compares them between branches), two
 * different ones differ. 64-bit FNV-1a over rule, file, line and message. */
static void fingerprint(const struct finding *fd, char *buf, size_t size)
{
	uint64_t h = UINT64_C(14695981039346656037);
	char line[16];
	const char *parts[] = {fd->rule->id, fd->file, line, fd->summary};

	snprintf(line, sizeof(line), "%u", fd->line);
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		for (const unsigned char *p = (const unsigned char *)parts[i];; p++) {
			h ^= *p;
			h *= UINT64_C(1099511628211);
			if (!*p)
				break;
		}
	snprintf(buf, size, "%016" PRIx64, h);
}

static json_t *codequality_issue(size_t i, const void *arg)
{
	const struct finding *fd = &((const struct lint_result *)arg)->findings.items[i];
	char print[17];

	fingerprint(fd, print, sizeof(print));
	return json_pack("{s:s,s:s,s:s,s:s,s:{s:s,s:{s:i}}}", "description", fd->summary,
			 "check_name", fd->rule->id, "fingerprint", print, "severity",
			 codequality_severity(fd->severity), "location", "path", fd->file, "lines",
			 "begin", fd->line ? (int)fd->line : 1);
}

void report_lint_codequality(FILE *out, const struct lint_result *r)
{
	json_t *list = json_array();

	print_json_streamed(list, list, r->findings.count, codequality_issue, r, out);
}
