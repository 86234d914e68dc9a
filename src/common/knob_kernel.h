/* SPDX-License-Identifier: MIT */
/* What the kernel does when a text is written to one of twtune's keys: its
 * own parse (base prefixes, the fields it reads and those it ignores, the
 * trailers it permits) and its own checks (ranges, the cross-key check of
 * the port keys), followed handler by handler. The result is a typed value,
 * the one the key reads back afterwards, or a refusal and why.
 *
 * Handlers followed (kernel/sysctl.c, net/ipv4/sysctl_net_ipv4.c, checked
 * on 6.18 in throwaway network namespaces):
 *   proc_dointvec, proc_dointvec_minmax   tcp_max_tw_buckets, ip_forward,
 *                                         conf.all.forwarding, tcp_tw_recycle
 *   proc_dointvec_jiffies                 tcp_fin_timeout,
 *                                         nf_conntrack_tcp_timeout_time_wait
 *   proc_dou8vec_minmax                   tcp_tw_reuse (0-2), tcp_timestamps
 *   proc_douintvec_minmax                 tcp_tw_reuse_delay (1-60000)
 *   ipv4_local_port_range                 ip_local_port_range
 *   ipv4_privileged_ports                 ip_unprivileged_port_start
 *   proc_do_large_bitmap                  ip_local_reserved_ports */
#ifndef TWTUNE_KNOB_KERNEL_H
#define TWTUNE_KNOB_KERNEL_H

#include <stdbool.h>
#include <stddef.h>

#include "common/knob_value.h"

/* What a handler consults besides the key's own value: the other port key
 * (ipv4_local_port_range and ipv4_privileged_ports check each against the
 * other's current value) and the kernel's HZ (proc_dointvec_jiffies
 * refuses seconds above INT_MAX / HZ). Unknown parts are 0 / false. */
struct knob_kernel_state {
	bool unprivileged_port_start_known;
	long unprivileged_port_start;
	bool port_low_known;
	unsigned port_low;
	unsigned hz; /* CONFIG_HZ; 0 when unknown */
};

enum knob_write_outcome {
	KNOB_WRITE_APPLIED, /* AFTER holds the value the key reads back */
	KNOB_WRITE_REFUSED, /* the write fails (EINVAL); the key keeps BEFORE */
	KNOB_WRITE_UNKNOWN, /* it depends on what twtune does not know (BEFORE) */
};

/* Write TEXT to key ID as systemd-sysctl does (TEXT and a newline, one
 * write(2)) on a kernel where the key holds BEFORE (NULL: unknown) and the
 * rest is STATE (NULL: all unknown). APPLIED sets AFTER (the caller frees
 * it); REFUSED and UNKNOWN say why in WHY. -ENOMEM, or an outcome (>= 0). */
int knob_kernel_write(enum knob_id id, const char *text, const struct knob_value *before,
		      const struct knob_kernel_state *state, struct knob_value *after, char *why,
		      size_t whylen);

/* Does the kernel take TEXT as written, as PARSED (twtune's own reading of
 * it)? 0; or -EINVAL with ERR saying that the kernel refuses it and why,
 * or reads it as another value ("030" is octal 24 to it, "+1" an error).
 * The cross-key checks of the port keys are not judged here (they depend
 * on the other key's value when the write happens). -ENOMEM. */
int knob_kernel_agrees(enum knob_id id, const char *text, const struct knob_value *parsed,
		       char *err, size_t errlen);

/* The kernel function that parses writes to key ID ("proc_dointvec_minmax",
 * ...), NULL when twtune does not know it. */
const char *knob_kernel_handler(enum knob_id id);

/* The value as `cat /proc/sys/...` prints it, without the newline: a
 * range's ends separated by a tab. Newly allocated, NULL when out of
 * memory. */
char *knob_proc_text(const struct knob_value *v);

#endif
