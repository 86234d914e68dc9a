/* SPDX-License-Identifier: MIT */
/* What boot does to each of twtune's keys: the writes systemd-sysctl 252
 * makes (sysctld_writes), each through the kernel's own parse and checks
 * (knob_kernel_write), from the values the keys hold before. lint and
 * drift both judge by this one prediction. */
#ifndef TWTUNE_BOOT_H
#define TWTUNE_BOOT_H

#include "common/knob_kernel.h"
#include "sysctld/sysctld.h"

/* What a key holds before boot's writes. */
struct boot_start_key {
	bool present; /* the key exists */
	/* its file has no write permission here: nf_conntrack_max outside
	 * the initial network namespace; a write fails with EACCES */
	bool read_only;
	bool known;		 /* VALUE holds it */
	struct knob_value value; /* borrowed */
};

/* What the keys hold before boot. The kernel's CONFIG_HZ is not among
 * them: no interface tells it (USER_HZ is another clock), so a write whose
 * fate depends on it is unknown. */
struct boot_start {
	struct boot_start_key key[KNOB_COUNT];
};

enum boot_outcome {
	BOOT_UNTOUCHED, /* no line writes the key */
	BOOT_APPLIED,
	BOOT_REFUSED, /* the kernel refuses the last write: the key keeps BEFORE */
	BOOT_ABSENT,  /* an exact line names a key this kernel lacks (ENOENT) */
	BOOT_UNKNOWN, /* the kernel's answer depends on what twtune does not know
		       * (its HZ, the other port key): REASON says what */
};

struct boot_key {
	enum boot_outcome outcome;
	const struct sysctl_assignment *at; /* the last line written to the key */
	bool before_known, result_known;    /* RESULT unknown: the kernel's answer depends
					       on what twtune does not know */
	struct knob_value before, result;   /* owned */
	char reason[320];		    /* why refused, or why unknown */
};

struct boot_prediction {
	struct boot_key key[KNOB_COUNT];
};

/* 0 or -ENOMEM. */
int boot_predict(const struct sysctl_config *c, const struct boot_start *start,
		 struct boot_prediction *out);
void boot_prediction_free(struct boot_prediction *p);

#endif
