/* SPDX-License-Identifier: MIT */
#include "lint/builtin.h"

#include <string.h>

/* Lint's and drift's checks, as rules without conditions. */
const struct rule lint_rule_syntax = {
	.id = "syntax",
	.severity = SEVERITY_WARNING,
	.title = (char *)"a line that is not an assignment",
	.explanation =
		(char *)"systemd-sysctl skips a line without '=' with a warning at boot; the "
			"setting it was meant to make is not made. Lines are KEY = VALUE; '#' and "
			"';' start comments; '-KEY' alone excludes KEY from globs."};
const struct rule lint_rule_invalid_value = {
	.id = "invalid-value",
	.severity = SEVERITY_WARNING,
	.title = (char *)"a value the key does not accept",
	.explanation =
		(char *)"What the kernel does with the value is not what the text says. Either it "
			"refuses the write (EINVAL: the key keeps its previous value, "
			"systemd-sysctl "
			"logs an error and boots on), or it reads the text its own way: 030 is "
			"octal "
			"24, 0x1 is 1, \"1 2\" sets 1 and ignores the rest, one number changes "
			"only "
			"the low end of ip_local_port_range. twtune follows each key's kernel "
			"handler "
			"(proc_dointvec_minmax, ipv4_local_port_range, proc_do_large_bitmap, "
			"...)."};
const struct rule lint_rule_duplicate_key = {
	.id = "duplicate-key",
	.severity = SEVERITY_WARNING,
	.title = (char *)"the same key set twice in one file",
	.explanation = (char *)"The later line wins, so the earlier one is dead text that a reader "
			       "may take for the setting in force."};
const struct rule lint_rule_overridden = {
	.id = "overridden",
	.severity = SEVERITY_INFO,
	.title = (char *)"an assignment a later file overrides",
	.explanation = (char *)"sysctl.d files are applied in lexical order of their names across "
			       "/etc, /run, /usr/local/lib and /usr/lib; the last assignment of a "
			       "key wins. The overridden line has no effect at boot."};
const struct rule lint_rule_not_on_kernel = {
	.id = "not-on-kernel",
	.severity = SEVERITY_WARNING,
	.title = (char *)"a key the target kernel does not have",
	.explanation =
		(char *)"systemd-sysctl cannot set a key the kernel lacks; systemd 252 logs it at "
			"info level and goes on (a leading '-' makes it a debug message), so the "
			"setting silently does nothing. tcp_tw_recycle was removed in "
			"4.12; tcp_tw_reuse_delay appeared in 6.14; ip_unprivileged_port_start in "
			"4.11. The target kernel is --kernel's, else the running one."};
const struct rule lint_rule_unreadable = {
	.id = "unreadable",
	.severity = SEVERITY_CRITICAL,
	.title = (char *)"a file or line that cannot be read",
	.explanation = (char *)"A file that cannot be opened or read: lint names it and goes on "
			       "with the rest, and exits 2."};
const struct rule lint_rule_odd_bytes = {
	.id = "odd-bytes",
	.severity = SEVERITY_WARNING,
	.title = (char *)"bytes that systemd-sysctl reads its own way",
	.explanation =
		(char *)"systemd-sysctl 252 ends a line at a NUL byte and at a carriage return "
			"without a line feed, reads lines of up to 1 MiB whole and stops reading a "
			"file at a longer one, and writes invalid UTF-8 as it is. The file is "
			"applied as systemd splits it (twtune reads it the same way), but editors, "
			"procps' sysctl and reviewers see other lines."};
const struct rule drift_rule_boot_differs = {
	.id = "drift-boot-differs",
	.severity = SEVERITY_WARNING,
	.title = (char *)"the running value differs from what boot would set",
	.explanation =
		(char *)"Someone changed the key at runtime (sysctl -w, a tool) or changed the "
			"files since boot: after the next reboot the key will hold the file's "
			"value, not the running one. Persist the running value or drop it."};
const struct rule drift_rule_not_persisted = {
	.id = "drift-not-persisted",
	.severity = SEVERITY_INFO,
	.title = (char *)"set at runtime, in no sysctl.d file: lost at reboot",
	.explanation =
		(char *)"The running value differs from this kernel's default and no sysctl.d file "
			"sets it: a reboot returns the key to the default. twtune apply persists "
			"what it sets in /etc/sysctl.d/90-twtune.conf."};

static const struct rule *const builtin_rules[] = {
	&lint_rule_syntax,     &lint_rule_invalid_value, &lint_rule_duplicate_key,
	&lint_rule_overridden, &lint_rule_not_on_kernel, &lint_rule_unreadable,
	&lint_rule_odd_bytes,  &drift_rule_boot_differs, &drift_rule_not_persisted,
};

const struct rule *builtin_rule_find(const char *id)
{
	for (size_t i = 0; i < sizeof(builtin_rules) / sizeof(builtin_rules[0]); i++)
		if (strcmp(builtin_rules[i]->id, id) == 0)
			return builtin_rules[i];
	return NULL;
}
