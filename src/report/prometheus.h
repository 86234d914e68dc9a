/* SPDX-License-Identifier: MIT */
#ifndef TWTUNE_REPORT_PROMETHEUS_H
#define TWTUNE_REPORT_PROMETHEUS_H

#include <stdio.h>

#include "engine/engine.h"
#include "inspect/facts.h"

/* The check as Prometheus text exposition (format 0.0.4), for
 * node_exporter's textfile collector: gauges for the census, knobs, port
 * pressure, NAT and conntrack, and findings by severity and by rule. */
void report_check_prometheus(FILE *out, const struct tw_facts *f, const struct findings *fs);

/* What a scrape sees when nothing was judged: twtune_up 0 with REASON
 * ("rules": they could not be loaded) and twtune_info. */
void report_prometheus_down(FILE *out, const char *reason);

/* A label's value, escaped as the format wants: backslash, double quote
 * and newline. */
void prometheus_label_value(FILE *out, const char *v);

#endif
