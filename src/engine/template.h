/* SPDX-License-Identifier: MIT */
/* Messages with facts in them: "{top.destination}" is replaced by the value
 * of the expression between the braces; "{{" and "}}" stand for braces. */
#ifndef TWTUNE_TEMPLATE_H
#define TWTUNE_TEMPLATE_H

#include <stddef.h>

#include "engine/expr.h"

struct template;

/* Parse TEXT (at LINE:COLUMN of its file); every expression is checked
 * with KNOWN. NULL with ERR filled on error. */
struct template *template_parse(const char *text, unsigned line, unsigned column,
				expr_known_fn known, struct expr_error *err);
void template_free(struct template *t);

/* Render into BUF (always NUL-terminated, truncated to SIZE). */
void template_render(const struct template *t, expr_lookup_fn lookup, void *ctx, char *buf,
		     size_t size);

#endif
