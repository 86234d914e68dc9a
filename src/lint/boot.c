/* SPDX-License-Identifier: MIT */
#include "lint/boot.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Files that write one of twtune's keys under another name: the same
 * kernel variable behind two sysctl files. ip_forward is registered by
 * devinet.c (ctl_forward_entry) on IPV4_DEVCONF_ALL's FORWARDING, with
 * the same handler (devinet_sysctl_forward()) as conf/all/forwarding. */
static const struct {
	const char *path;
	enum knob_id key;
} aliases[] = {
	{"net/ipv4/conf/all/forwarding", KNOB_IP_FORWARD},
};

#define ALIAS_COUNT (sizeof(aliases) / sizeof(aliases[0]))

/* The port keys each check the other's current value (ipv4_local_port_range,
 * ipv4_privileged_ports): the state the next write meets. */
static void kernel_state(const struct boot_key *now, struct knob_kernel_state *s)
{
	const struct boot_key *range = &now[KNOB_IP_LOCAL_PORT_RANGE],
			      *start = &now[KNOB_IP_UNPRIVILEGED_PORT_START];

	memset(s, 0, sizeof(*s));
	if (range->result_known) {
		s->port_low_known = true;
		s->port_low = range->result.range.low;
	}
	if (start->result_known) {
		s->unprivileged_port_start_known = true;
		s->unprivileged_port_start = start->result.integer;
	}
}

/* One write of A's value to K, on top of what K holds now (RESULT). */
static int predict_write(struct boot_prediction *p, enum knob_id k,
			 const struct sysctl_assignment *a, const struct boot_start_key *start)
{
	struct boot_key *key = &p->key[k];
	struct knob_kernel_state state;
	struct knob_value after;
	int r;

	knob_value_free(&key->before);
	key->before_known = key->result_known;
	key->before = knob_value_copy(&key->result);
	key->at = a;
	key->reason[0] = '\0';
	if (!start->present) {
		/* sysctl_write_or_warn(): ENOENT is logged at info level */
		key->outcome = BOOT_ABSENT;
		snprintf(key->reason, sizeof(key->reason),
			 "%s does not exist on this kernel: systemd-sysctl 252 logs that at info "
			 "level and goes on",
			 knob_get(k)->name);
		return 0;
	}
	if (start->read_only) {
		/* the open for writing fails: systemd logs it and goes on */
		key->outcome = BOOT_REFUSED;
		snprintf(key->reason, sizeof(key->reason),
			 "%s is read-only in this network namespace (the write fails with "
			 "EACCES): only the initial namespace sets it",
			 knob_get(k)->name);
		return 0;
	}
	kernel_state(p->key, &state);
	r = knob_kernel_write(k, a->value, key->result_known ? &key->result : NULL, &state, &after,
			      key->reason, sizeof(key->reason));
	if (r < 0)
		return r;
	if (r == KNOB_WRITE_REFUSED) {
		key->outcome = BOOT_REFUSED;
		return 0;
	}
	key->outcome = r == KNOB_WRITE_APPLIED ? BOOT_APPLIED : BOOT_UNKNOWN;
	knob_value_free(&key->result);
	key->result_known = r == KNOB_WRITE_APPLIED;
	key->result = r == KNOB_WRITE_APPLIED ? after : (struct knob_value){.type = after.type};
	return 0;
}

int boot_predict(const struct sysctl_config *c, const struct boot_start *start,
		 struct boot_prediction *out)
{
	char *keys[KNOB_COUNT + ALIAS_COUNT] = {0};
	bool present[KNOB_COUNT + ALIAS_COUNT];
	struct sysctl_write *writes = NULL;
	size_t count = 0;
	int r = 0;

	memset(out, 0, sizeof(*out));
	for (int k = 0; k < KNOB_COUNT; k++) {
		const struct boot_start_key *s = &start->key[k];

		out->key[k].before.type = out->key[k].result.type = knob_get(k)->type;
		out->key[k].result_known = s->present && s->known;
		if (out->key[k].result_known)
			out->key[k].result = knob_value_copy(&s->value);
		present[k] = s->present;
		if (!(keys[k] = sysctld_normalize_key(knob_get(k)->name)))
			r = -ENOMEM;
	}
	for (size_t i = 0; i < ALIAS_COUNT && r == 0; i++) {
		present[KNOB_COUNT + i] = present[aliases[i].key];
		if (!(keys[KNOB_COUNT + i] = strdup(aliases[i].path)))
			r = -ENOMEM;
	}
	if (r == 0)
		r = sysctld_writes(c, (const char *const *)keys, present, KNOB_COUNT + ALIAS_COUNT,
				   &writes, &count);
	for (size_t i = 0; r == 0 && i < count; i++) {
		enum knob_id k = writes[i].key < KNOB_COUNT
					 ? (enum knob_id)writes[i].key
					 : aliases[writes[i].key - KNOB_COUNT].key;

		r = predict_write(out, k, writes[i].a, &start->key[k]);
	}
	free(writes);
	for (size_t k = 0; k < KNOB_COUNT + ALIAS_COUNT; k++)
		free(keys[k]);
	return r;
}

void boot_prediction_free(struct boot_prediction *p)
{
	for (int k = 0; k < KNOB_COUNT; k++) {
		knob_value_free(&p->key[k].before);
		knob_value_free(&p->key[k].result);
	}
}
