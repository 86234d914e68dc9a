/* SPDX-License-Identifier: MIT */
#include "apply/desired.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "engine/engine.h"
#include "engine/factview.h"

bool profile_requirements_met(const struct rule *profile, const struct tw_facts *f, char *why,
			      size_t whylen)
{
	struct fact_view view;

	if (!profile->when)
		return true;
	fact_view_init(&view, f);
	if (expr_holds(profile->when, fact_lookup, &view))
		return true;
	snprintf(why, whylen,
		 "profile %s requires %s, which this host does not meet: it is %s (%s)%s%s",
		 profile->id, profile->when_text, host_class_name(f->classification.verdict),
		 f->classification.evidence, profile->because ? ". Why: " : "",
		 profile->because ? profile->because : "");
	return false;
}

void desired_from_profile(const struct rule *profile, const struct tw_facts *f,
			  struct desired_setting *desired, unsigned *count,
			  struct apply_outcome *out)
{
	*count = 0;
	for (unsigned i = 0; i < profile->setting_count; i++) {
		const struct rule_setting *rs = &profile->settings[i];
		struct desired_setting *d = &desired[*count];

		d->key = rs->key;
		if (!f->sysctl[rs->key].present) {
			apply_note(out, "%s is absent on this kernel; left out",
				   knob_get(rs->key)->name);
			continue;
		}
		if (rule_setting_value(profile, rs, f, &d->value) < 0) {
			const char *why = compute_why_none(rs->compute, rs->key, f);

			apply_note(out, "%s: %s has no value on this host%s%s; left as it is",
				   knob_get(rs->key)->name, rule_setting_text(rs), why ? ": " : "",
				   why ? why : "");
			continue;
		}
		(*count)++;
	}
}

int desired_from_rules(const struct rule_set *rules, const struct tw_facts *f,
		       struct desired_setting *desired, unsigned *count)
{
	struct findings fs;
	int r = engine_evaluate(rules, f, &fs);

	*count = 0;
	for (size_t i = 0; r == 0 && i < fs.count; i++) {
		for (unsigned k = 0; k < fs.items[i].setting_count; k++) {
			const struct finding_setting *fset = &fs.items[i].settings[k];
			bool seen = false;

			for (unsigned j = 0; j < *count && !seen; j++)
				seen = desired[j].key == fset->key;
			if (seen || *count == KNOB_COUNT)
				continue;
			desired[*count].key = fset->key;
			desired[*count].value = knob_value_copy(&fset->recommended);
			(*count)++;
		}
	}
	findings_free(&fs);
	return r;
}
