/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the condition language (src/engine/expr*.c), the
 * input as the text of a condition and as a message template, each parsed
 * with the engine's own list of facts, then evaluated, rendered and asked
 * the invariants' questions on a fabricated host. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/expr.h"
#include "engine/factview.h"
#include "engine/template.h"
#include "host.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fact_view view;
	struct expr_error err;
	struct template *t;
	char rendered[512];
	struct expr *e;
	char *text;

	/* the parsers take C strings: a NUL ends the text as it would a
	 * field read from a file */
	if (!(text = malloc(size + 1)))
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	fact_view_init(&view, fuzz_host());
	if ((e = expr_parse(text, 1, 1, fact_known, &err))) {
		struct value v = expr_eval(e, fact_lookup, &view);

		value_format(&v, rendered, sizeof(rendered));
		expr_holds(e, fact_lookup, &view);
		expr_requires_string(e, "classification", "outbound-heavy");
		expr_requires_nonzero(e, "net.ipv4.tcp_timestamps");
		expr_free(e);
	}
	if ((t = template_parse(text, 1, 1, fact_known, &err))) {
		template_render(t, fact_lookup, &view, rendered, sizeof(rendered));
		template_free(t);
	}
	free(text);
	return 0;
}
