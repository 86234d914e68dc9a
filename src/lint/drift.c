/* SPDX-License-Identifier: MIT */
#include "lint/drift.h"

#include <errno.h>
#include <stdbool.h>

#include "engine/compute.h"
#include "lint/builtin.h"
#include "lint/internal.h"

/* Does the text a file sets for K say what the host holds now? */
static bool same_as_now(const struct sysctl_value *now, enum knob_id k, const char *text)
{
	struct knob_value boot;
	char err[256];
	bool same;

	if (!now->known || knob_parse(k, text, &boot, err, sizeof(err)) < 0)
		return false;
	same = knob_value_equal(&boot, &now->value);
	knob_value_free(&boot);
	return same;
}

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

int drift_findings(const struct tw_facts *f, const struct sysctl_config *c, struct findings *out)
{
	for (int k = 0; k < KNOB_COUNT; k++) {
		const struct sysctl_value *now = &f->sysctl[k];
		const struct sysctl_assignment *a;

		if (!now->text || knob_get(k)->read_only)
			continue;
		if ((a = boot_assignment(c, k))) {
			if (!same_as_now(now, k, a->value) &&
			    !findings_add(out, &drift_rule_boot_differs, c->files[a->file].path,
					  a->line, k, "%s is %s now, but at boot %s:%u sets %s",
					  knob_get(k)->name, now->text, c->files[a->file].path,
					  a->line, a->value))
				return -ENOMEM;
		} else if (differs_from_default(f, k, out) < 0) {
			return -ENOMEM;
		}
	}
	return 0;
}
