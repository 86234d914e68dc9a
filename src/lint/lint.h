/* SPDX-License-Identifier: MIT */
/* lint: sysctl.d files judged before they reach a host. The same rules as
 * check, on the values the files would produce at boot (with this
 * kernel's defaults for keys no file sets), plus lint's own checks. */
#ifndef TWTUNE_LINT_H
#define TWTUNE_LINT_H

#include "engine/engine.h"
#include "lint/boot.h"
#include "sysctld/sysctld.h"

struct lint_options {
	const char *root;	  /* --root DIR; NULL with paths or for the host */
	const char *const *paths; /* files and directories, or NULL */
	size_t path_count;
	bool with_sysctl_conf;	       /* procps: /etc/sysctl.conf last */
	struct kernel_version version; /* the target kernel */
	/* the host's values now, which boot starts from (lint runs on the host
	 * the files configure); NULL: the target kernel's defaults */
	const struct tw_facts *host;
	const struct rule_set *rules;
};

#define LINT_MAX_SKIPPED 64

struct lint_result {
	const char *root; /* --root, as given */
	struct sysctl_config config;
	struct boot_prediction boot;	       /* what boot does to each of twtune's keys */
	struct findings findings;	       /* lint's own and the rules', with file:line */
	size_t input_errors;		       /* files that cannot be opened or read */
	const char *skipped[LINT_MAX_SKIPPED]; /* rules needing live facts */
	size_t skipped_count;
	/* assignments of keys twtune does not judge (not TIME_WAIT knobs),
	 * read for precedence only, and the first of them */
	size_t unjudged;
	const char *unjudged_example;
};

/* Read the files and judge them. Files are named as given (--root config
 * names config/etc/sysctl.d/x.conf): what a CI job on a configuration
 * repository and its annotations need. 0 or -ENOMEM. */
int lint_run(const struct lint_options *o, struct lint_result *out);
void lint_free(struct lint_result *r);

/* PATH as reports show it: as given (a leading "./" dropped), so that
 * CI tools find the repository file it names. */
const char *lint_shown_path(const char *path);

#endif
