/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the sysctl.d parser (src/sysctld/parse.c), the input
 * as the bytes of one file, then what lint and drift do with the result:
 * the winner of each key it sets, and the value parsed as its key's type
 * when twtune knows the key. */
#include <stddef.h>
#include <stdint.h>

#include "common/knob_value.h"
#include "common/knobs.h"
#include "sysctld/sysctld.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void judge(const struct sysctl_config *config, const struct sysctl_assignment *a)
{
	const struct sysctl_assignment *winner;
	struct knob_value value;
	char dotted[256], err[256];
	int key;

	sysctld_key_dotted(a->key, dotted, sizeof(dotted));
	winner = sysctld_effective(config, dotted);
	if (!winner || !winner->value || (key = knob_find(dotted)) < 0)
		return;
	if (knob_parse(key, winner->value, &value, err, sizeof(err)) == 0)
		knob_value_free(&value);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sysctl_config config = {0};

	if (sysctld_parse_buffer("/etc/sysctl.d/fuzz.conf", (const char *)data, size, &config) ==
	    0) {
		for (size_t i = 0; i < config.count; i++)
			judge(&config, &config.assignments[i]);
	}
	sysctld_free(&config);
	return 0;
}
