/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the counter parsers (src/inspect/counters.c), the
 * input as /proc/net/snmp or /proc/net/netstat (tables of name and value
 * lines) and as /proc/net/sockstat (name value pairs), every counter
 * twtune reads looked up both ways; and as /proc/net/stat/nf_conntrack
 * (src/inspect/ct_stats.c), line by line as read_line hands them over. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "inspect/counters.h"
#include "inspect/ct_stats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* TEXT (NUL-terminated, modified) as conntrack's statistics file: lines of
 * at most 1023 bytes, up to the first error, as ct_stats_read() reads it. */
static void conntrack_statistics(char *text)
{
	struct counter out[CTR_COUNT] = {{0}};
	struct ct_stats_text t;
	char why[128];

	ct_stats_text_begin(&t);
	for (char *line = text, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (strlen(line) > 1023 || ct_stats_text_line(&t, line, why, sizeof(why)) < 0)
			return;
	}
	ct_stats_text_finish(&t, out);
}

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
	conntrack_statistics(text);
	free(text);
	return 0;
}
