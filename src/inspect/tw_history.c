/* SPDX-License-Identifier: MIT */
#include "inspect/tw_history.h"

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
