/* SPDX-License-Identifier: MIT */
/* Formatting helpers shared by every renderer. */
#ifndef TWTUNE_FORMAT_H
#define TWTUNE_FORMAT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/addr.h"
#include "engine/engine.h"
#include "inspect/facts.h"
/* Round to 4 decimal places, so ratios read well in JSON. */
double round4(double v);

/* V's whole text as a JSON string (null when out of memory). */
json_t *value_json(const struct knob_value *v);

/* What a finding's setting holds now, as reports show it: its value, or,
 * when that is no value of the key's type, the text host F holds (F may
 * be NULL). Newly allocated; NULL when there is nothing there. */
char *setting_current_text(const struct tw_facts *f, const struct finding_setting *s);

/* An unsigned figure (a counter, an inode) as an exact JSON integer, even
 * above INT64_MAX, where jansson's signed integers end: print_json() then
 * writes its digits (18446744073709551615, never -1). Only print_json()
 * knows how to write such a value. NULL when out of memory. */
json_t *json_u64(uint64_t v);

/* DOC as twtune prints JSON: indented, keys in order, a final newline;
 * then released (DOC may be NULL: out of memory, nothing printed). */
void print_json(json_t *doc, FILE *out);

/* Builds item I of a streamed array (a new reference, or NULL). */
typedef json_t *(*json_item_fn)(size_t i, const void *arg);

/* DOC as print_json() prints it, with the array ITEMS (a member of DOC,
 * empty) holding COUNT items made by ITEM one at a time: each is printed
 * and released before the next is built, so a report of 40,000 findings
 * never stands whole in memory. The bytes are print_json()'s. DOC is
 * released. */
void print_json_streamed(json_t *doc, json_t *items, size_t count, json_item_fn item,
			 const void *arg, FILE *out);

#endif
