/* SPDX-License-Identifier: MIT */
/* libFuzzer target: rule and profile files (src/engine/rules_parse.c and
 * rules_build.c), the input as the bytes of one file read both ways, and
 * what loaded evaluated by the engine on a fabricated host, as check and
 * apply do: conditions, summaries, computed and literal settings. */
#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"
#include "engine/rules.h"
#include "host.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void load(enum section_kind section, const char *path, const uint8_t *data, size_t size)
{
	struct rule_set set = {0};
	struct rule_errors errors = {0};
	struct findings findings;

	rules_parse_buffer(section, path, (const char *)data, size, &set, &errors);
	if (set.count && engine_evaluate(&set, fuzz_host(), &findings) == 0)
		findings_free(&findings);
	rules_free(&set);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	load(SECTION_RULE, "/etc/twtune/rules.d/fuzz.rule", data, size);
	load(SECTION_PROFILE, "/etc/twtune/profiles.d/fuzz.profile", data, size);
	return 0;
}
