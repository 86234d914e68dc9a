/* SPDX-License-Identifier: MIT */
/* The facts as rule conditions and messages see them: dotted names bound
 * to values of struct tw_facts, plus a few figures derived from them.
 * The full list is in twtune.rules(5); fact_names() walks it. */
#ifndef TWTUNE_FACTVIEW_H
#define TWTUNE_FACTVIEW_H

#include "engine/expr.h"
#include "inspect/facts.h"

/* The strings factview_ports.c derives: destinations whose connections
 * carry no timestamps, those the forecast says run out, and the counters'
 * evidence for the findings that cite it ("" when there is none). */
struct fact_view_ports {
	char lacking_timestamps[320];
	char exhausting[320];
	char paws[256];
	char recycle_drops[192];
	char listen_drops[192];
};

/* A view over one host's facts, with the few strings derived from them
 * ("10.0.0.1:5432 (1200), ...") kept here so values may borrow them. */
struct fact_view {
	const struct tw_facts *facts;
	char top_destination[80];
	char top3_list[320];
	char inbound_ports[256];
	char listen_in_range[256];
	char top_owner[192]; /* "api-worker (pid 812, api.service)" */
	/* the recommendation of the finding being rendered, if any */
	const struct knob_value *recommended;
	char recommended_text[KNOB_TEXT_MAX];
	/* the port range it recommends, if any, and what that changes, for
	 * recommended.range_change */
	const struct knob_value *recommended_range;
	char range_change[192];
	struct fact_view_ports ports;
	/* source NAT (factview_snat.c) */
	char snat_rules[320];
	char snat_top_source[64];
	char snat_top_destination[80];
};

/* Fill VIEW's recommendation of a finding whose settings are SETTINGS, or
 * clear it (COUNT 0). */
struct finding_setting;
void fact_view_recommend(struct fact_view *view, const struct finding_setting *settings,
			 unsigned count);

void fact_view_init(struct fact_view *view, const struct tw_facts *f);

/* expr_known_fn and expr_lookup_fn for the engine (ctx: struct fact_view). */
bool fact_known(const char *name);
struct value fact_lookup(const char *name, void *ctx);

/* The snat.* facts (factview_snat.c), for the functions above. */
bool snat_fact_known(const char *name);
bool snat_fact_lookup(const char *name, const struct fact_view *v, struct value *out);
void snat_fact_names(void (*each)(const char *name, const char *doc, void *arg), void *arg);
void snat_fact_view_init(struct fact_view *view);

/* Each fact name with a line of documentation, for `twtune rules --facts`
 * and the manual. Sysctl keys are listed once, as "KEY". */
void fact_names(void (*each)(const char *name, const char *doc, void *arg), void *arg);

#endif
