/* SPDX-License-Identifier: MIT */
/* The processes behind the top destinations (struct owner_facts), in each
 * format: lines under each destination of the text report, "owners" and
 * "live_sockets" on each destination in JSON with a status object beside
 * them, and gauges for Prometheus. */
#ifndef TWTUNE_REPORT_OWNERS_H
#define TWTUNE_REPORT_OWNERS_H

#include <jansson.h>
#include <stdio.h>

#include "inspect/facts.h"

/* The owners of top destination I, under its line of the table. */
void report_owners_text(FILE *out, const struct tw_facts *f, unsigned i);
/* After the table: whether processes were mapped, how many sockets were
 * attributed, and why the rest were not. */
void report_owners_text_status(FILE *out, const struct tw_facts *f);

/* "owners" and "live_sockets" of top destination I, set on DESTINATION
 * (null when no mapping was attempted). */
void report_owners_json(json_t *destination, const struct tw_facts *f, unsigned i);
/* sockets.owners: attempted, reason, and the counts. */
json_t *report_owners_json_status(const struct tw_facts *f);

void report_owners_prometheus(FILE *out, const struct tw_facts *f);

#endif
