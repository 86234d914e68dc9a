/* libFuzzer target: one journal record (src/apply/journal.c), the input
 * as the bytes of STATE_DIR/journal/ID.json, parsed as journal_list reads
 * every record, and the values of an accepted one turned back into the
 * text a rollback writes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "apply/journal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct txn_record record;
	char err[512];

	if (journal_parse_record((const char *)data, size, "journal/fuzz.json", &record, err,
				 sizeof(err)) < 0)
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
