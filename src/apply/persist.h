/* SPDX-License-Identifier: MIT */
/* The persisted file's part of a plan (apply/plan.h): the bytes of
 * sysctl.d/90-twtune.conf before and after, read and computed before
 * anything is written. */
#ifndef TWTUNE_APPLY_PERSIST_H
#define TWTUNE_APPLY_PERSIST_H

#include "apply/plan.h"

/* Plan writing the COUNT settings D to O->persist_dir's file: each line
 * that sets one of them is rewritten in place, the rest kept, new keys
 * added at the end (sysctld_rewrite); a warning for each key a file
 * applied later at boot would set otherwise. 0 or -errno with ERR naming
 * the file. F: the host, whose port keys the kernel checks a later
 * file's port values against. */
int plan_persist(struct plan *p, const struct tw_facts *f, const struct plan_options *o,
		 const struct desired_setting *d, unsigned count, char *err, size_t errlen);

/* Plan putting back the file as transaction T found it (or removing it,
 * when T created it); nothing, when it holds that already. */
int plan_persist_undo(struct plan *p, const struct txn_record *t, char *err, size_t errlen);

#endif
