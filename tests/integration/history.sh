#!/bin/sh
# SPDX-License-Identifier: MIT
# The last minute of closes, from the TIME_WAIT timers (issue 15): 3,000
# connections this host closes first, 20 s later 6,000 more toward another
# port. One census then shows the 6,000 in the newest seconds of
# sockets.time_wait.history.outbound, the 3,000 about 20 s back and
# nothing in between; the last 10 s run at about 600 closes/s, rising.
. "${TEST_SRCDIR:-.}/integration/lib.sh"

need_jq
[ -x "$TWSTORM" ] || fail "TWSTORM=$TWSTORM is not built"
in_throwaway_netns "$@"

out=$(mktemp)
trap 'rm -f "$out"' EXIT

# Room for 9,000 ports toward 127.0.0.1 without reuse.
ns_sysctl net.ipv4.ip_local_port_range "20000 60999"
ns_sysctl net.ipv4.tcp_tw_reuse 0

first=$("$TWSTORM" --port 8080 --count 3000 --close client)
[ "$first" = "opened 3000 failed 0" ] || fail "first storm: $first"
sleep 20
second=$("$TWSTORM" --port 8081 --count 6000 --close client)
[ "$second" = "opened 6000 failed 0" ] || fail "second storm: $second"
await_time_wait 9000

"$TWTUNE" check --format json >"$out" || [ $? -le 2 ] || fail "check failed: $(cat "$out")"
h='.sockets.time_wait.history'
[ "$(jget "$out" "$h | type")" = object ] || fail "no history: $(jget "$out" '.sockets.time_wait')"
[ "$(jget "$out" "$h.outbound | length")" = 60 ] && [ "$(jget "$out" "$h.inbound | length")" = 60 ] ||
	fail "not 60 seconds per direction: $(jget "$out" "$h")"
seconds=$(jget "$out" "$h.outbound | map(tostring) | join(\" \")")

newest=$(jget "$out" "$h.outbound[0:3] | add")
near "$newest" 6000 60 || fail "the newest 3 s hold $newest closes, expected about 6000: $seconds"
older=$(jget "$out" "$h.outbound[18:23] | add")
near "$older" 3000 30 || fail "18..22 s back hold $older closes, expected about 3000: $seconds"
between=$(jget "$out" "$h.outbound[4:17] | add")
[ "$between" = 0 ] || fail "$between closes between the bursts: $seconds"
[ "$(jget "$out" "$h.outbound | add")" = "$(jget "$out" '.sockets.time_wait.outbound')" ] ||
	fail "the history does not add up to the outbound TIME_WAIT: $seconds"
pass "history: $newest in the newest 3 s, $older 18..22 s back, none between"

r="$h.rates.outbound"
rate=$(jget "$out" "$r.last_10s | round")
near "$rate" 600 10 || fail "10 s rate $rate/s, expected about 600: $(jget "$out" "$r")"
[ "$(jget "$out" "$r.trend")" = rising ] || fail "trend: $(jget "$out" "$r")"
[ "$(jget "$out" "$r.peak_second")" -le 2 ] || fail "peak: $(jget "$out" "$r")"
pass "rates: $(jget "$out" "$r | tostring")"

"$TWTUNE" check >"$out" || [ $? -le 2 ] || fail "text check failed: $(cat "$out")"
grep -q '^    outbound  |.*@|.* 600\.0/s last 10 s, .*rising$' "$out" ||
	fail "no outbound sparkline: $(grep -A3 'closes by the second' "$out")"
pass "text: $(grep '^    outbound  |' "$out")"

"$TWTUNE" check --format prometheus >"$out" || [ $? -le 2 ] || fail "no Prometheus output"
metric=$(awk '/^twtune_time_wait_close_rate\{direction="outbound",window="10s"\} / { printf "%.0f", $2 }' "$out")
[ -n "$metric" ] && near "$metric" 600 10 ||
	fail "no 10 s close rate metric of about 600: $(grep close_rate "$out")"
pass "prometheus: $(grep -c '^twtune_time_wait_close_rate' "$out") close rate samples"
