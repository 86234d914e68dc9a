#include "lint/drift.h"

#include <errno.h>

#include "common/strutil.h"
#include "engine/compute.h"
#include "lint/builtin.h"
#include "lint/internal.h"

int drift_findings(const struct tw_facts *f, const struct sysctl_config *c, struct findings *out)
{
	for (int k = 0; k < KNOB_COUNT; k++) {
		const struct sysctl_value *now = &f->sysctl[k];
		const struct sysctl_assignment *a;
		char boot[256];

		if (!now->value || knob_get(k)->read_only)
			continue;
		if ((a = boot_assignment(c, k))) {
			if (!values_equal(a->value, now->value) &&
			    !findings_add(out, &drift_rule_boot_differs, c->files[a->file].path,
					  a->line, k, "%s is %s now, but at boot %s:%u sets %s",
					  knob_get(k)->name, now->value, c->files[a->file].path,
					  a->line, a->value))
				return -ENOMEM;
		} else if (compute_value(COMPUTE_KERNEL_DEFAULT, k, f, boot, sizeof(boot)) == 0 &&
			   !values_equal(boot, now->value) &&
			   !findings_add(
				   out, &drift_rule_not_persisted, NULL, 0, k,
				   "%s = %s is set at runtime but in no sysctl.d file: a reboot "
				   "returns it to %s",
				   knob_get(k)->name, now->value, boot[0] ? boot : "(empty)")) {
			return -ENOMEM;
		}
	}
	return 0;
}
