/* SPDX-License-Identifier: MIT */
#include "inspect/inspect.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <time.h>

#include "inspect/census.h"
#include "inspect/classify.h"
#include "inspect/counters.h"
#include "inspect/kernel.h"
#include "inspect/nat.h"
#include "inspect/netns.h"
#include "inspect/owners.h"
#include "inspect/procfs.h"
#include "inspect/sysctl.h"
#include "inspect/tw_history.h"

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_seconds(double s)
{
	struct timespec ts = {.tv_sec = (time_t)s,
			      .tv_nsec = (long)((s - (double)(time_t)s) * 1e9)};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Two readings SECONDS apart; the facts keep the second. */
static void sample_counters(const struct inspect_options *o, struct tw_facts *f)
{
	struct counter before[CTR_COUNT];
	double start, elapsed;

	read_counters(o->proc_root, before, f);
	start = now_seconds();
	for (;;) {
		elapsed = now_seconds() - start;
		if (o->progress)
			o->progress(elapsed, o->sample_seconds, o->progress_arg);
		if (elapsed >= o->sample_seconds)
			break;
		sleep_seconds(o->sample_seconds - elapsed < 0.1 ? o->sample_seconds - elapsed
								: 0.1);
	}
	/* Errors were recorded by the first reading; do not repeat them. */
	read_counters(o->proc_root, f->counters, NULL);
	compute_rates(before, f->counters, now_seconds() - start, &f->rates);
}

static int take_census(const char *proc_root, struct tw_facts *f)
{
	struct census_builder b;
	char err[512] = "";
	int r;

	if ((r = census_begin(&b, f)) < 0) {
		facts_add_error(f, "census", "out of memory");
		return r;
	}
	if (procfs_is_live(proc_root))
		r = census_dump_netlink(&b, err, sizeof(err));
	else
		r = census_read_proc(&b, proc_root, err, sizeof(err));
	if (r < 0) {
		census_discard(&b);
		memset(&f->census, 0, sizeof(f->census));
		facts_add_error(f, "census", "%s", err);
		return r;
	}
	if (b.malformed)
		facts_add_error(f, "census", "%lu malformed sock_diag messages skipped",
				b.malformed);
	return census_finish(&b);
}

/* Which boot the counters belong to: they start again at every one. */
static void read_boot_id(const char *proc_root, struct tw_facts *f)
{
	char buf[sizeof(f->boot_id)];

	if (procfs_read(proc_root, "sys/kernel/random/boot_id", buf, sizeof(buf)) < 0)
		return;
	str_normalize_blanks(buf);
	memcpy(f->boot_id, buf, sizeof(buf));
}

static bool holds_cap_net_admin(void)
{
	cap_flag_value_t v = CAP_CLEAR;
	cap_t caps = cap_get_proc();

	if (!caps)
		return false;
	cap_get_flag(caps, CAP_NET_ADMIN, CAP_EFFECTIVE, &v);
	cap_free(caps);
	return v == CAP_SET;
}

/* With --sample, the live sockets when it begins: those of the top
 * destinations' processes not among them at the end are new. */
static void take_owner_baseline(const struct inspect_options *o, struct tw_facts *f,
				struct owner_baseline *b)
{
	char err[256] = "";

	if (o->owners == OWNERS_NEVER || !procfs_is_live(o->proc_root))
		return;
	if (owners_baseline_take(b, err, sizeof(err)) < 0)
		facts_add_error(f, "processes", "the sockets at the start of the sample: %s", err);
}

/* tcp_tw_recycle (before 4.12) cuts a TIME_WAIT socket's timer from 60 s
 * to 3.5 RTO wherever the peer's timestamps allow (tcp_time_wait(),
 * recycle_ok): the time left no longer says when a socket closed, and
 * such sockets would all look a minute old. The history is not used. */
static void drop_shortened_history(struct tw_facts *f)
{
	struct tw_census *c = &f->census;
	long recycle;

	if (!c->history_known || !facts_int(f, KNOB_TCP_TW_RECYCLE, &recycle) || recycle == 0)
		return;
	c->history_known = false;
	memset(&c->history_outbound, 0, sizeof(c->history_outbound));
	memset(&c->history_inbound, 0, sizeof(c->history_inbound));
	for (unsigned i = 0; i < c->top_count; i++) {
		c->top[i].history_known = false;
		memset(&c->top[i].history, 0, sizeof(c->top[i].history));
	}
	facts_add_error(
		f, "census",
		"the TIME_WAIT timers are no history of closes here: tcp_tw_recycle = %ld "
		"cuts them to 3.5 RTO (tcp_time_wait()); rates fall back to TIME_WAIT / 60 s",
		recycle);
}

int inspect_host(const struct inspect_options *o, struct tw_facts *f)
{
	struct owner_baseline baseline = {0};
	unsigned parts = 0;

	if (inspect_kernel(o->proc_root, o->kernel_override, f) == 0 || f->release_known)
		parts++;
	read_boot_id(o->proc_root, f);
	if (inspect_sysctls(o->proc_root, f) > 0)
		parts++;
	else
		facts_add_error(f, "sysctl",
				"%s/sys/net/ipv4: none of the TIME_WAIT knobs could be read",
				o->proc_root);

	if (o->sample_seconds > 0) {
		take_owner_baseline(o, f, &baseline);
		sample_counters(o, f);
	} else
		read_counters(o->proc_root, f->counters, f);
	for (int i = 0; i < CTR_COUNT; i++) {
		if (f->counters[i].present) {
			parts++;
			break;
		}
	}

	if (take_census(o->proc_root, f) == 0)
		parts++;
	drop_shortened_history(f);
	inspect_owners(o->proc_root, o->owners, f, &baseline);
	inspect_nat(o->proc_root, f);
	/* A --proc tree describes some other host: this process's namespace
	 * is not its identity. */
	if (procfs_is_live(o->proc_root))
		netns_identify(&f->netns);
	/* The timers tell when each socket closed: the last 10 s say what
	 * happens now, where TIME_WAIT / 60 s averages over the minute. */
	if (f->census.available && f->census.history_known) {
		f->rates.close_rate_from_history = true;
		f->rates.close_rate_estimate =
			f->census.history_outbound.rate_10s + f->census.history_inbound.rate_10s;
	} else if (f->census.available) {
		f->rates.close_rate_estimate =
			(double)f->census.states[TCP_STATE_TIME_WAIT] / TIME_WAIT_SECONDS;
	}

	tw_history_check_counters(f);
	classify_host(f);
	f->cap_net_admin = holds_cap_net_admin();
	f->parts_inspected = parts;
	return parts ? 0 : -ENODATA;
}
