/* SPDX-License-Identifier: MIT */
#include "apply/outcome.h"

#include <stdarg.h>
#include <stdio.h>

#include "apply/txn.h"

void apply_note(struct apply_outcome *out, const char *fmt, ...)
{
	va_list ap;

	if (out->note_count >= APPLY_NOTES_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(out->notes[out->note_count++], sizeof(out->notes[0]), fmt, ap);
	va_end(ap);
}

void apply_outcome_free(struct apply_outcome *out)
{
	plan_free(&out->plan);
}

int apply_refuse(struct apply_outcome *out, int error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out->message, sizeof(out->message), fmt, ap);
	va_end(ap);
	out->status = APPLY_REFUSED;
	out->refused = true;
	return error;
}
