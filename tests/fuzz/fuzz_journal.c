/* SPDX-License-Identifier: MIT */
/* libFuzzer target: one journal record (src/apply/journal.c), the input
 * as the bytes of STATE_DIR/journal/ID.json, parsed as journal_read reads
 * every record, and the values of an accepted one turned back into the
 * text a rollback writes. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply/journal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct txn_record record;
	char err[512], where[128] = "journal/fuzz.json";
	json_t *doc = json_loadb((const char *)data, size, 0, NULL);
	const char *id = json_string_value(json_object_get(doc, "id"));

	/* a record is read from the file its id names: name it so, so that
	 * the input reaches past that check */
	if (id && strlen(id) < 64 && !strchr(id, '/'))
		snprintf(where, sizeof(where), "journal/%s.json", id);
	json_decref(doc);
	if (journal_parse_record((const char *)data, size, where, &record, err, sizeof(err)) < 0)
		return 0;
	for (unsigned i = 0; i < record.change_count; i++) {
		const struct txn_change *c = &record.changes[i];

		if (c->old_present)
			free(knob_text(&c->old));
		free(knob_text(&c->new));
	}
	txn_record_free(&record);
	return 0;
}
