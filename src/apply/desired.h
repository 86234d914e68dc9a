/* SPDX-License-Identifier: MIT */
/* What a run wants set on this host: a profile's settings (its literals and
 * the values it computes from the facts), or what the rules recommend. */
#ifndef TWTUNE_APPLY_DESIRED_H
#define TWTUNE_APPLY_DESIRED_H

#include "apply/outcome.h"
#include "apply/plan.h"
#include "engine/rules.h"
#include "inspect/facts.h"

/* Does host F meet PROFILE's requirements ("requires")? When not, WHY
 * names what was required and what the host is. */
bool profile_requirements_met(const struct rule *profile, const struct tw_facts *f, char *why,
			      size_t whylen);

/* PROFILE's settings on host F into DESIRED (KNOB_COUNT entries). Keys
 * absent here, and computed values this host has none for, are left out
 * with a note. */
void desired_from_profile(const struct rule *profile, const struct tw_facts *f,
			  struct desired_setting *desired, unsigned *count,
			  struct apply_outcome *out);

/* What RULES recommend for F, the most severe finding first: a key the
 * first finding sets is not set again by a later one. 0 or -ENOMEM. */
int desired_from_rules(const struct rule_set *rules, const struct tw_facts *f,
		       struct desired_setting *desired, unsigned *count);

#endif
