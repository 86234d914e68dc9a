/* libFuzzer target: the counter parsers (src/inspect/counters.c), the
 * input as /proc/net/snmp or /proc/net/netstat (tables of name and value
 * lines) and as /proc/net/sockstat (name value pairs), every counter
 * twtune reads looked up both ways. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "inspect/counters.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;

	/* read_counters hands the parsers a NUL-terminated buffer */
	if (!(text = malloc(size + 1)))
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	for (int id = 0; id < CTR_COUNT; id++) {
		const struct counter_info *ci = counter_info(id);
		unsigned bad_line = 0;
		uint64_t value;

		counter_table_lookup(text, ci->section, ci->field, &value, &bad_line);
		counter_pairs_lookup(text, ci->section, ci->field, &value, &bad_line);
	}
	free(text);
	return 0;
}
