/* SPDX-License-Identifier: MIT */
#include "lint/drift.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "engine/compute.h"
#include "lint/boot.h"
#include "lint/builtin.h"
#include "lint/internal.h"

/* The kernel's default for K differs from what the host holds now: the
 * finding says so, 0; 1 when they agree or there is no default; -ENOMEM. */
static int differs_from_default(const struct tw_facts *f, enum knob_id k, struct findings *out)
{
	const struct sysctl_value *now = &f->sysctl[k];
	char text[KNOB_TEXT_MAX];
	struct knob_value boot;
	int r = 1;

	if (compute_value(COMPUTE_KERNEL_DEFAULT, k, f, NULL, &boot) < 0)
		return 1;
	if (!(now->known && knob_value_equal(&boot, &now->value)))
		r = findings_add(out, &drift_rule_not_persisted, NULL, 0, k,
				 "%s = %s is set at runtime but in no sysctl.d file: a reboot "
				 "returns it to %s",
				 knob_get(k)->name, now->text,
				 *knob_format(&boot, text, sizeof(text)) ? text : "(empty)")
			    ? 0
			    : -ENOMEM;
	knob_value_free(&boot);
	return r;
}

/* What boot starts from: the kernel's default where twtune knows it (a
 * fresh boot), else the value now. DEFAULTS holds the defaults. */
static void drift_start(const struct tw_facts *f, struct knob_value *defaults, bool *have_default,
			struct boot_start *start)
{
	memset(start, 0, sizeof(*start));
	for (int k = 0; k < KNOB_COUNT; k++) {
		const struct sysctl_value *now = &f->sysctl[k];

		start->key[k].present = now->present;
		start->key[k].read_only = now->read_only;
		have_default[k] =
			compute_value(COMPUTE_KERNEL_DEFAULT, k, f, NULL, &defaults[k]) == 0;
		if (have_default[k]) {
			start->key[k].known = true;
			start->key[k].value = defaults[k];
		} else if (now->known) {
			start->key[k].known = true;
			start->key[k].value = now->value;
		}
	}
}

/* K's boot write against the value now: a finding when they differ. */
static int boot_differs(const struct tw_facts *f, const struct sysctl_config *c,
			const struct boot_key *key, enum knob_id k, struct findings *out)
{
	const struct sysctl_value *now = &f->sysctl[k];
	const char *path = c->files[key->at->file].path;
	char shown[KNOB_TEXT_MAX];

	if (key->outcome == BOOT_APPLIED && key->result_known &&
	    !(now->known && knob_value_equal(&key->result, &now->value)))
		return findings_add(out, &drift_rule_boot_differs, path, key->at->line, k,
				    "%s is %s now, but at boot %s:%u sets %s", knob_get(k)->name,
				    now->text, path, key->at->line,
				    knob_format(&key->result, shown, sizeof(shown)))
			       ? 0
			       : -ENOMEM;
	if (key->outcome == BOOT_REFUSED && key->before_known &&
	    !(now->known && knob_value_equal(&key->before, &now->value)))
		return findings_add(
			       out, &drift_rule_boot_differs, path, key->at->line, k,
			       "%s is %s now, but at boot it stays %s: %s:%u's write fails (%s)",
			       knob_get(k)->name, now->text,
			       knob_format(&key->before, shown, sizeof(shown)), path, key->at->line,
			       key->reason)
			       ? 0
			       : -ENOMEM;
	return 0;
}

int drift_findings(const struct tw_facts *f, const struct sysctl_config *c, struct findings *out)
{
	struct knob_value defaults[KNOB_COUNT];
	bool have_default[KNOB_COUNT];
	struct boot_start start;
	struct boot_prediction boot;
	int r;

	drift_start(f, defaults, have_default, &start);
	r = boot_predict(c, &start, &boot);
	for (int k = 0; r == 0 && k < KNOB_COUNT; k++) {
		const struct sysctl_value *now = &f->sysctl[k];

		if (!now->text || knob_get(k)->read_only)
			continue;
		if (boot.key[k].outcome == BOOT_UNTOUCHED)
			r = differs_from_default(f, k, out) < 0 ? -ENOMEM : 0;
		else if (boot.key[k].outcome != BOOT_ABSENT)
			r = boot_differs(f, c, &boot.key[k], k, out);
	}
	boot_prediction_free(&boot);
	for (int k = 0; k < KNOB_COUNT; k++)
		if (have_default[k])
			knob_value_free(&defaults[k]);
	return r;
}
