#include "report/apply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply/txn.h"
#include "report/format.h"

static bool changed(const struct apply_outcome *o)
{
	return plan_changes_anything(&o->plan) &&
	       (o->check_mode || (o->executed && o->status == APPLY_OK));
}

static const char *status_word(const struct apply_outcome *o)
{
	if (o->check_mode)
		return "check";
	if (!o->executed)
		return o->status == APPLY_OK ? "unchanged" : "refused";
	return txn_status_name(o->plan.record.status);
}

/* Lines of A that B lacks, prefixed with MARK: enough of a diff for a file
 * of "key = value" lines. */
static void print_missing_lines(FILE *out, const char *a, size_t alen, const char *b, size_t blen,
				char mark)
{
	for (const char *p = a; a && p < a + alen;) {
		const char *end = memchr(p, '\n', (size_t)(a + alen - p));
		size_t len = end ? (size_t)(end - p) : (size_t)(a + alen - p);
		bool found = false;

		for (const char *q = b; b && q < b + blen && !found;) {
			const char *qend = memchr(q, '\n', (size_t)(b + blen - q));
			size_t qlen = qend ? (size_t)(qend - q) : (size_t)(b + blen - q);
			found = qlen == len && memcmp(p, q, len) == 0;
			q += qlen + 1;
		}
		if (!found)
			fprintf(out, "    %c%.*s\n", mark, (int)len, p);
		p += len + 1;
	}
}

void report_apply_text(FILE *out, const struct apply_outcome *o)
{
	const struct plan *p = &o->plan;
	const struct txn_record *r = &p->record;

	for (unsigned i = 0; i < o->recovered_count; i++)
		fprintf(out, "twtune: finished undoing interrupted transaction %s first\n",
			o->recovered[i]);
	for (unsigned i = 0; i < o->note_count; i++)
		fprintf(out, "twtune: %s\n", o->notes[i]);
	fprintf(out, "%s: %s%s\n", o->command, r->source, o->check_mode ? " (check mode)" : "");
	for (unsigned i = 0; i < r->change_count; i++) {
		char *old = knob_text(&r->changes[i].old), *new = knob_text(&r->changes[i].new);

		fprintf(out, "  %-40s %s -> %s\n", knob_get(r->changes[i].key)->name,
			old ? old : "?", new ? new : "?");
		free(old);
		free(new);
	}
	for (unsigned i = 0; i < p->skipped_count; i++)
		fprintf(out, "  %-40s skipped: %s\n", knob_get(p->skipped[i].key)->name,
			p->skipped[i].reason);
	if (p->file_change) {
		fprintf(out, "  %s/%s %s\n", r->persist_dir, r->persist_name,
			r->remove_file	  ? "removed"
			: r->file_existed ? "updated"
					  : "created");
		if (o->diff) {
			print_missing_lines(out, r->old_file, r->old_file_len, r->new_file,
					    r->new_file_len, '-');
			print_missing_lines(out, r->new_file, r->new_file_len, r->old_file,
					    r->old_file_len, '+');
		}
	}
	for (unsigned i = 0; i < p->warning_count; i++)
		fprintf(out, "warning: %s\n", p->warnings[i]);
	if (!plan_changes_anything(p))
		fprintf(out, "nothing to change: the host already holds these values\n");
	else if (o->check_mode)
		fprintf(out, "check mode: nothing was changed\n");
	else if (o->executed && o->status == APPLY_OK)
		fprintf(out, "transaction %s committed\n", r->id);
	if (o->message[0])
		fprintf(out, "%s\n", o->message);
}

json_t *report_apply_json(const struct apply_outcome *o)
{
	const struct plan *p = &o->plan;
	const struct txn_record *r = &p->record;
	json_t *doc = json_object(), *changes = json_array(), *skipped = json_array();
	json_t *warnings = json_array(), *recovered = json_array(), *notes = json_array();
	char path[4352];

	json_object_set_new(doc, "changed", json_boolean(changed(o)));
	json_object_set_new(doc, "check_mode", json_boolean(o->check_mode));
	json_object_set_new(doc, "transaction", o->executed ? json_string(r->id) : json_null());
	json_object_set_new(doc, "status", json_string(status_word(o)));
	json_object_set_new(doc, "source", json_string(r->source));
	for (unsigned i = 0; i < r->change_count; i++)
		json_array_append_new(changes, json_pack("{s:s,s:o,s:o}", "key",
							 knob_get(r->changes[i].key)->name, "old",
							 value_json(&r->changes[i].old), "new",
							 value_json(&r->changes[i].new)));
	json_object_set_new(doc, "changes", changes);
	for (unsigned i = 0; i < p->skipped_count; i++)
		json_array_append_new(skipped, json_pack("{s:s,s:s}", "key",
							 knob_get(p->skipped[i].key)->name,
							 "reason", p->skipped[i].reason));
	json_object_set_new(doc, "skipped", skipped);
	snprintf(path, sizeof(path), "%s/%s", r->persist_dir, r->persist_name);
	json_object_set_new(
		doc, "persisted",
		p->file_change && (o->check_mode || (o->executed && o->status == APPLY_OK))
			? json_string(path)
			: json_null());
	for (unsigned i = 0; i < p->warning_count; i++)
		json_array_append_new(warnings, json_string(p->warnings[i]));
	json_object_set_new(doc, "warnings", warnings);
	for (unsigned i = 0; i < o->recovered_count; i++)
		json_array_append_new(recovered, json_string(o->recovered[i]));
	json_object_set_new(doc, "recovered", recovered);
	for (unsigned i = 0; i < o->note_count; i++)
		json_array_append_new(notes, json_string(o->notes[i]));
	json_object_set_new(doc, "notes", notes);
	json_object_set_new(doc, "message", o->message[0] ? json_string(o->message) : json_null());
	return doc;
}

/* How the run went: what undoing an interrupted run said, the plan (text
 * or JSON) when there is one to show, and any failure on stderr. */
int report_apply_outcome(int r, const struct apply_outcome *o, bool json)
{
	if (o->recovery[0])
		fprintf(stderr, "twtune: %s", o->recovery);
	if (r < 0) {
		fprintf(stderr, "twtune: %s\n", o->message);
		return o->status;
	}
	if (json) {
		json_t *doc = report_apply_json(o);
		json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(doc);
	} else {
		report_apply_text(stdout, o);
	}
	if (o->status != APPLY_OK)
		fprintf(stderr, "twtune: %s\n", o->message);
	if (o->warning[0])
		fprintf(stderr, "twtune: %s\n", o->warning);
	return o->status;
}
