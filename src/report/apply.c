/* SPDX-License-Identifier: MIT */
#include "report/apply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply/txn.h"
#include "common/textdiff.h"
#include "report/format.h"

/* The plan is what was done (or, checking, what would be): not refused,
 * and either checked or carried out to the end. */
static bool plan_stands(const struct apply_outcome *o)
{
	return !o->refused && (o->check_mode || (o->executed && o->status == APPLY_OK));
}

static bool changed(const struct apply_outcome *o)
{
	return plan_stands(o) && plan_changes_anything(&o->plan);
}

/* committed, unchanged, check, refused, rolled-back or failed */
static const char *status_word(const struct apply_outcome *o)
{
	if (o->refused)
		return "refused";
	if (o->check_mode)
		return "check";
	if (!o->executed)
		return o->status == APPLY_OK ? "unchanged" : "failed";
	return txn_status_name(o->plan.record.status);
}

static const char *source(const struct apply_outcome *o)
{
	return o->source[0] ? o->source : o->plan.record.source;
}

/* The persisted file's change as `diff -u` shows it. */
static void print_file_diff(FILE *out, const struct txn_record *r)
{
	char path[4352], *diff;

	snprintf(path, sizeof(path), "%s/%s", r->persist_dir, r->persist_name);
	diff = text_diff(r->file_existed ? r->old_file : NULL, r->old_file_len,
			 r->remove_file ? NULL : r->new_file, r->new_file_len, path, path);
	fputs(diff ? diff : "(no memory for the diff)\n", out);
	free(diff);
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
	fprintf(out, "%s: %s%s\n", o->command, source(o), o->check_mode ? " (check mode)" : "");
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
		fprintf(out, "  %s/%s %s%s\n", r->persist_dir, r->persist_name,
			o->check_mode ? "would be " : "",
			r->remove_file	  ? "removed"
			: r->file_existed ? "updated"
					  : "created");
		if (o->diff)
			print_file_diff(out, r);
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

/* Text for JSON, or null when it is not UTF-8 (a file someone else wrote). */
static json_t *text_or_null(bool present, const char *data, size_t len)
{
	json_t *j = present ? json_stringn(data ? data : "", len) : NULL;

	return j ? j : json_null();
}

/* With --diff: the persisted file's whole text before and after (null: no
 * file), for tools that show their own diff. */
static json_t *file_json(const struct apply_outcome *o, const char *path)
{
	const struct txn_record *r = &o->plan.record;

	if (!o->diff || !o->plan.file_change || o->refused)
		return json_null();
	return json_pack("{s:s,s:o,s:o}", "path", path, "before",
			 text_or_null(r->file_existed, r->old_file, r->old_file_len), "after",
			 text_or_null(!r->remove_file, r->new_file, r->new_file_len));
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
	json_object_set_new(doc, "source", json_string(source(o)));
	for (unsigned i = 0; !o->refused && i < r->change_count; i++)
		json_array_append_new(
			changes,
			json_pack("{s:s,s:o,s:o,s:o}", "key", knob_get(r->changes[i].key)->name,
				  "old", value_json(&r->changes[i].old), "new",
				  value_json(&r->changes[i].new), "state",
				  /* after a failed transaction: how each key was left */
				  r->changes[i].state[0] ? json_string(r->changes[i].state)
							 : json_null()));
	json_object_set_new(doc, "changes", changes);
	for (unsigned i = 0; !o->refused && i < p->skipped_count; i++)
		json_array_append_new(skipped, json_pack("{s:s,s:s}", "key",
							 knob_get(p->skipped[i].key)->name,
							 "reason", p->skipped[i].reason));
	json_object_set_new(doc, "skipped", skipped);
	snprintf(path, sizeof(path), "%s/%s", r->persist_dir, r->persist_name);
	json_object_set_new(doc, "persisted",
			    plan_stands(o) && p->file_change ? json_string(path) : json_null());
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
	json_object_set_new(doc, "diff", file_json(o, path));
	return doc;
}

void report_apply_print_json(const struct apply_outcome *o)
{
	json_t *doc = report_apply_json(o);

	print_json(doc, stdout);
}

/* How the run went: what undoing an interrupted run said (stderr); the
 * outcome on stdout, as text unless the run was refused, as JSON
 * whatever happened; any refusal or failure on stderr too. */
int report_apply_outcome(int r, const struct apply_outcome *o, bool json)
{
	if (o->recovery[0])
		fprintf(stderr, "twtune: %s", o->recovery);
	if (json)
		report_apply_print_json(o);
	else if (r >= 0) {
		report_apply_text(stdout, o);
	}
	if (r < 0 || o->status != APPLY_OK)
		fprintf(stderr, "twtune: %s\n", o->message);
	if (o->warning[0])
		fprintf(stderr, "twtune: %s\n", o->warning);
	return o->status;
}
