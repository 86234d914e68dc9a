/* SPDX-License-Identifier: MIT */
/* Source NAT in every format check prints: its rules, its port pressure
 * per destination, and conntrack's failures. */
#ifndef TWTUNE_REPORT_SNAT_H
#define TWTUNE_REPORT_SNAT_H

#include <jansson.h>
#include <stdio.h>

#include "inspect/facts.h"

/* The "snat" member of the check document (twtune(1), JSON OUTPUT). */
json_t *snat_json(const struct tw_facts *f);

/* The SNAT lines of the text report; nothing on a host without SNAT. */
void snat_text(FILE *out, const struct tw_facts *f);

/* The SNAT and conntrack-statistics metrics. */
void snat_prometheus(FILE *out, const struct tw_facts *f);

#endif
