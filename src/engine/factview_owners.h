/* SPDX-License-Identifier: MIT */
/* The facts about the processes behind the top destination (struct
 * owner_facts) as rules see them: top.owner, top.owner.pid, ... Part of
 * the fact view (factview.h), kept apart as its own concern. */
#ifndef TWTUNE_FACTVIEW_OWNERS_H
#define TWTUNE_FACTVIEW_OWNERS_H

#include <stdbool.h>

#include "engine/factview.h"

/* Fill the strings the owner facts borrow (VIEW->top_owner). */
void owner_fact_view_init(struct fact_view *view);

bool owner_fact_known(const char *name);

/* NAME's value on VIEW into *OUT; false when NAME is no owner fact. */
bool owner_fact_lookup(const char *name, const struct fact_view *view, struct value *out);

void owner_fact_names(void (*each)(const char *name, const char *doc, void *arg), void *arg);

#endif
