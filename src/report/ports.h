/* SPDX-License-Identifier: MIT */
/* How ports are taken and given back (inspect/portuse.h), as the check
 * report shows it: per top destination its reuse status and forecast,
 * host-wide the TIME_WAIT sockets taken over and the ports applications
 * bound. JSON members for json.c, a text section for text.c; Prometheus
 * metrics are in prometheus.c. */
#ifndef TWTUNE_REPORT_PORTS_H
#define TWTUNE_REPORT_PORTS_H

#include <jansson.h>
#include <stdio.h>

#include "inspect/facts.h"

/* {"status", "established_with_timestamps", "established_without"}; the
 * counts are null when no tcp_info was read (/proc/net/tcp). */
json_t *destination_reuse_json(const struct tw_facts *f, const struct destination_stat *d);

/* {"close_rate", "estimated", "sustainable_rate", "headroom", "exhausts",
 * "seconds_to_exhaustion"}, or null without rates. */
json_t *destination_forecast_json(const struct tw_facts *f, const struct destination_stat *d);

/* The host-wide "reuse" member: timestamps read, TIME_WAIT leaving and
 * taken over per second, the share taken over. */
json_t *reuse_json(const struct tw_facts *f);

/* Add to the port_pressure.bind object BIND what says the applications
 * bound ports themselves. */
void bind_evidence_json(json_t *bind, const struct tw_facts *f);

/* The text report's "Reuse per destination" and "Forecast" sections. */
void print_port_outlook(FILE *out, const struct tw_facts *f);

#endif
