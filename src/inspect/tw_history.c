/* SPDX-License-Identifier: MIT */
#include "inspect/tw_history.h"

#include <stdio.h>
#include <string.h>

#define TW_LIFETIME_MS (TIME_WAIT_SECONDS * 1000ull)

const char *tw_trend_name(enum tw_trend t)
{
	switch (t) {
	case TW_TREND_RISING: return "rising";
	case TW_TREND_FALLING: return "falling";
	case TW_TREND_STEADY: break;
	}
	return "steady";
}

unsigned tw_history_age(uint64_t remaining_ms)
{
	uint64_t elapsed_ms;

	/* A full timer is the newest second; an overdue one (reported as 0)
	 * the oldest. A segment received in TIME_WAIT rearms the timer to the
	 * full 60 s (tcp_timewait_state_process): such a socket counts from
	 * then. */
	if (remaining_ms >= TW_LIFETIME_MS)
		return 0;
	elapsed_ms = TW_LIFETIME_MS - remaining_ms;
	return elapsed_ms / 1000 >= TW_HISTORY_SECONDS ? TW_HISTORY_SECONDS - 1
						       : (unsigned)(elapsed_ms / 1000);
}

void tw_history_add(struct tw_history *h, uint64_t remaining_ms)
{
	h->seconds[tw_history_age(remaining_ms)]++;
}

void tw_history_finish(struct tw_history *h)
{
	uint64_t recent = 0, before = 0;

	h->peak_second = 0;
	h->peak_count = 0;
	for (unsigned i = 0; i < TW_HISTORY_SECONDS; i++) {
		if (i < TW_HISTORY_RECENT)
			recent += h->seconds[i];
		else
			before += h->seconds[i];
		if (h->seconds[i] > h->peak_count) {
			h->peak_count = h->seconds[i];
			h->peak_second = i;
		}
	}
	h->rate_10s = (double)recent / TW_HISTORY_RECENT;
	h->rate_before = (double)before / (TW_HISTORY_SECONDS - TW_HISTORY_RECENT);
	h->rate_60s = (double)(recent + before) / TW_HISTORY_SECONDS;
	/* Rising: the last 10 s run more than 25% above the 50 s before
	 * (any closes at all after none); falling: more than 25% below. */
	if (h->rate_10s > h->rate_before * (1 + TW_HISTORY_TREND_MARGIN) && h->rate_10s > 0)
		h->trend = TW_TREND_RISING;
	else if (h->rate_10s < h->rate_before * (1 - TW_HISTORY_TREND_MARGIN))
		h->trend = TW_TREND_FALLING;
	else
		h->trend = TW_TREND_STEADY;
}

const char *timers_verdict_name(enum timers_verdict v)
{
	switch (v) {
	case TIMERS_LEFT_EARLY: return "left-early";
	case TIMERS_MORE_HELD: return "more-held";
	case TIMERS_AGREE: break;
	}
	return "agree";
}

/* The TIME_WAIT sockets of H that entered it within the last WINDOW
 * seconds: whole seconds, and the part of the one the window cuts. */
static double held_within(const struct tw_history *h, double window)
{
	unsigned whole = (unsigned)window;
	double sum = 0;

	for (unsigned i = 0; i < whole && i < TW_HISTORY_SECONDS; i++)
		sum += h->seconds[i];
	if (whole < TW_HISTORY_SECONDS)
		sum += (window - whole) * h->seconds[whole];
	return sum;
}

/* The FIN_WAIT2 timewait sockets that entered within the last WINDOW
 * seconds: their timer ran from tcp_fin_timeout (tcp_fin_time(), at least
 * 3.5 RTO), so one with R s left entered about tcp_fin_timeout - R s ago
 * (the middle of its whole second). All of them when tcp_fin_timeout is
 * not known. */
static double fin_wait2_within(const struct tw_facts *f, double window)
{
	const struct tw_census *c = &f->census;
	long timeout;
	double sum = 0;

	if (!facts_int(f, KNOB_TCP_FIN_TIMEOUT, &timeout) || timeout <= 0)
		return (double)c->fin_wait2_timewait;
	for (unsigned left = 0; left <= TW_HISTORY_SECONDS; left++)
		if ((double)timeout - left - 0.5 < window)
			sum += c->fin_wait2_left[left];
	return sum;
}

void tw_history_check_counters(struct tw_facts *f)
{
	struct timers_check *t = &f->timers_check;
	const struct tw_rates *r = &f->rates;
	double gap;

	memset(t, 0, sizeof(*t));
	if (r->basis != RATES_SAMPLED || !f->census.available || !f->census.history_known)
		return;
	if (!r->valid[CTR_TW] || r->interval <= 0) {
		snprintf(t->reason, sizeof(t->reason), "TcpExt TW could not be sampled");
		return;
	}
	/* Linux 5.18 ("tcp/dccp: no longer use twsk_net(tw) from
	 * tw_timer_handler()") moved TW's count from the timer's end to
	 * entry (__inet_twsk_schedule()); before, it counts what left */
	if (!f->version_known) {
		snprintf(
			t->reason, sizeof(t->reason),
			"the kernel's version is not known, and before Linux 5.18 TcpExt TW counts "
			"a socket when its timer ends");
		return;
	}
	if (kernel_version_code(&f->version) < KERNEL_VERSION_CODE(5, 18, 0)) {
		snprintf(t->reason, sizeof(t->reason),
			 "before Linux 5.18 TcpExt TW counts a socket when its timer ends, not "
			 "when it enters TIME_WAIT");
		return;
	}
	t->known = true;
	/* a sample longer than the timers' minute: its rate over the minute */
	t->window = r->interval < TIME_WAIT_SECONDS ? r->interval : TIME_WAIT_SECONDS;
	t->entered = r->per_second[CTR_TW] * t->window;
	t->held_fin_wait2 = fin_wait2_within(f, t->window);
	t->held = held_within(&f->census.history_outbound, t->window) +
		  held_within(&f->census.history_inbound, t->window) + t->held_fin_wait2;
	if (r->valid[CTR_TW_RECYCLED])
		t->recycled = r->per_second[CTR_TW_RECYCLED] * t->window;
	if (r->valid[CTR_TIME_WAIT_OVERFLOW])
		t->no_bucket = r->per_second[CTR_TIME_WAIT_OVERFLOW] * t->window;
	gap = t->entered - t->held;
	if (gap > 0)
		t->left_early = gap;
	/* reuse took over at most what left early; the rest no counter
	 * counts: tcp_timewait_state_process() ends TIME_WAIT on an RST
	 * (unless tcp_rfc1337) and on a new SYN to a server's TIME_WAIT; a
	 * FIN_WAIT2 one whose timer runs out before the peer's FIN ends too */
	t->unexplained = t->left_early > t->recycled ? t->left_early - t->recycled : 0;
	if (gap > t->entered * TIMERS_CHECK_SLACK && gap >= TIMERS_CHECK_MIN_GAP)
		t->verdict = TIMERS_LEFT_EARLY;
	else if (-gap > t->entered * TIMERS_CHECK_SLACK && -gap >= TIMERS_CHECK_MIN_GAP)
		t->verdict = TIMERS_MORE_HELD;
	else
		t->verdict = TIMERS_AGREE;
}
