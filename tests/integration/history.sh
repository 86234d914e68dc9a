#!/bin/sh
# SPDX-License-Identifier: MIT
# The last minute of closes, from the TIME_WAIT timers, in two scenarios
# of their own namespace each.
#
# bursts: 3,000 connections this host closes first, 20 s later 6,000 more
#   toward another port. One census then shows the 6,000 in the newest
#   seconds of sockets.time_wait.history.outbound, the 3,000 about 20 s
#   back and nothing in between; the last 10 s run at about 600 closes/s,
#   rising. Each top destination has its own history (the 6,000 toward
#   8081, the 3,000 toward 8080) and its forecast runs on it, no --sample
#   needed. A copy of /proc/net/tcp taken at once, read with --proc, gives
#   the same history from its tm->when column.
# takeover: with reuse on and a range of 100 ports, 100 connections, then
#   100 more 1.5 s later that take over every TIME_WAIT socket of the
#   first, all while check samples for 4 s: TcpExt TW counts 200 entering
#   TIME_WAIT, the timers hold 100, and the cross-check says 100 left
#   early, taken over by reuse (TWRecycled), none unexplained.
# reopened: 100 connections the server closes first (its TIME_WAIT), then
#   the same 100 again from the same client ports 1 s later: each SYN
#   reopens the server's TIME_WAIT socket (tcp_timewait_state_process()),
#   which no counter counts. TW counts 200 entering, the timers hold 100,
#   and the 100 that left early are unexplained by TWRecycled.
. "${TEST_SRCDIR:-.}/integration/lib.sh"

need_jq
[ -x "$TWSTORM" ] || fail "TWSTORM=$TWSTORM is not built"
in_scenarios "${1:-}" bursts takeover reopened

out=$(mktemp)
tree=$(mktemp -d)
trap 'rm -rf "$out" "$tree"' EXIT

if [ "$scenario" = reopened ]; then
	for format in json text; do
		"$TWTUNE" check --sample 4 --format "$format" >"$out.$format" &
		check=$!
		sleep 0.5
		first=$("$TWSTORM" --port 8080 --count 100 --close server --source-port 40000)
		sleep 1
		second=$("$TWSTORM" --port 8080 --count 100 --close server --source-port 40000)
		status=0
		wait "$check" || status=$?
		[ "$first" = "opened 100 failed 0" ] && [ "$second" = "opened 100 failed 0" ] ||
			fail "storms: $first / $second"
		[ "$status" -le 2 ] || fail "check exited $status: $(cat "$out.$format")"
		sleep 1 # the next round's sample starts after this one's TIME_WAIT
	done
	c='.sockets.time_wait.history.counters_check'
	[ "$(jget "$out.json" "$c.verdict")" = left-early ] &&
		near "$(jget "$out.json" "$c.entered | round")" 200 2 &&
		near "$(jget "$out.json" "$c.held | round")" 100 2 &&
		near "$(jget "$out.json" "$c.unexplained | round")" 100 4 &&
		[ "$(jget "$out.json" "$c.recycled | round")" = 0 ] ||
		fail "counters check: $(jget "$out.json" "$c | tostring")"
	pass "reopened: $(jget "$out.json" "$c | tostring")"
	grep -q 'left TIME_WAIT early: .* by what no counter counts: an RST received in TIME_WAIT' "$out.text" ||
		fail "text: $(grep -A3 'against the sampled' "$out.text")"
	pass "text: $(grep -A1 'against the sampled' "$out.text" | tr -s ' ' | tr '\n' ' ')"
	rm -f "$out.json" "$out.text"
	exit 0
fi

if [ "$scenario" = takeover ]; then
	ns_sysctl net.ipv4.ip_local_port_range "40000 40099"
	ns_sysctl net.ipv4.tcp_tw_reuse 1
	ns_sysctl net.ipv4.tcp_timestamps 1
	"$TWTUNE" check --sample 4 --format json >"$out" &
	check=$!
	sleep 0.5
	first=$("$TWSTORM" --port 8090 --count 100 --close client)
	sleep 1.5 # past the reuse delay (1 s, or the next wall-clock second)
	second=$("$TWSTORM" --port 8090 --count 100 --close client)
	status=0
	wait "$check" || status=$?
	[ "$first" = "opened 100 failed 0" ] && [ "$second" = "opened 100 failed 0" ] ||
		fail "storms: $first / $second"
	[ "$status" -le 2 ] || fail "check exited $status: $(cat "$out")"
	c='.sockets.time_wait.history.counters_check'
	[ "$(jget "$out" "$c.verdict")" = left-early ] ||
		fail "verdict: $(jget "$out" "$c | tostring")"
	entered=$(jget "$out" "$c.entered | round")
	held=$(jget "$out" "$c.held | round")
	early=$(jget "$out" "$c.left_early | round")
	recycled=$(jget "$out" "$c.recycled | round")
	near "$entered" 200 2 && near "$held" 100 2 && near "$early" 100 4 && near "$recycled" 100 2 &&
		[ "$(jget "$out" "$c.unexplained | round")" -le 4 ] ||
		fail "counters check: $(jget "$out" "$c | tostring")"
	pass "takeover: $entered entered, $held held, $early left early, $recycled taken over by reuse"

	"$TWTUNE" check --sample 2 >"$out" || [ $? -le 2 ] || fail "text check failed"
	# nothing closes during this sample: the timers and counters agree
	grep -q '^  against the sampled counters, last 2\.[0-9] s: 0 entered TIME_WAIT (TcpExt TW), 0 are still in it: they agree$' "$out" ||
		fail "text: $(grep -A2 'against the sampled' "$out")"
	pass "quiet sample: $(grep 'against the sampled' "$out")"
	exit 0
fi

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

# The same from the kernel's text table: its tm->when column carries the
# timers, read with --proc.
mkdir -p "$tree/net" "$tree/sys/net/ipv4" "$tree/sys/kernel"
cp /proc/net/tcp /proc/net/tcp6 /proc/net/snmp /proc/net/netstat /proc/net/sockstat "$tree/net/"
for k in ip_local_port_range tcp_tw_reuse tcp_timestamps tcp_fin_timeout tcp_max_tw_buckets; do
	cat "/proc/sys/net/ipv4/$k" >"$tree/sys/net/ipv4/$k"
done
cat /proc/sys/kernel/osrelease >"$tree/sys/kernel/osrelease"
"$TWTUNE" --proc "$tree" check --format json >"$tree/out.json" || [ $? -le 2 ] ||
	fail "check --proc failed: $(cat "$tree/out.json")"
[ "$(jget "$tree/out.json" '.sockets.source')" = proc ] || fail "not read from the tree"
pnewest=$(jget "$tree/out.json" "$h.outbound[0:3] | add")
polder=$(jget "$tree/out.json" "$h.outbound[18:23] | add")
pbetween=$(jget "$tree/out.json" "$h.outbound[4:17] | add")
near "$pnewest" 6000 60 && near "$polder" 3000 30 && [ "$pbetween" = 0 ] ||
	fail "--proc history: $(jget "$tree/out.json" "$h.outbound | map(tostring) | join(\" \")")"
pass "--proc tree (tm->when): $pnewest in the newest 3 s, $polder 18..22 s back, none between"

# Each top destination's own minute, and its forecast from it
d='.sockets.top_destinations[] | select(.port == 8081)'
dnewest=$(jget "$out" "$d | .history.seconds[0:3] | add")
[ "$(jget "$out" "$d | .history.seconds[4:60] | add")" = 0 ] && near "$dnewest" 6000 60 ||
	fail "8081's history: $(jget "$out" "$d | .history | tostring")"
d8080='.sockets.top_destinations[] | select(.port == 8080)'
dolder=$(jget "$out" "$d8080 | .history.seconds[18:23] | add")
[ "$(jget "$out" "$d8080 | .history.seconds[0:17] | add")" = 0 ] && near "$dolder" 3000 30 ||
	fail "8080's history: $(jget "$out" "$d8080 | .history | tostring")"
[ "$(jget "$out" "$d | .forecast.basis")" = timers ] &&
	[ "$(jget "$out" "$d | .forecast.estimated")" = false ] &&
	near "$(jget "$out" "$d | .forecast.close_rate | round")" 600 10 &&
	[ "$(jget "$out" "$d8080 | .forecast.close_rate")" = 0 ] ||
	fail "forecasts: $(jget "$out" "[.sockets.top_destinations[] | {port, forecast}] | tostring")"
pass "per destination: 8081 $dnewest newest (600/s, forecast from its timers), 8080 $dolder 18..22 s back (0/s now)"

r="$h.rates.outbound"
rate=$(jget "$out" "$r.last_10s | round")
near "$rate" 600 10 || fail "10 s rate $rate/s, expected about 600: $(jget "$out" "$r")"
[ "$(jget "$out" "$r.trend")" = rising ] || fail "trend: $(jget "$out" "$r")"
[ "$(jget "$out" "$r.peak_second")" -le 2 ] || fail "peak: $(jget "$out" "$r")"
pass "rates: $(jget "$out" "$r | tostring")"

# The classification runs on the last 10 s, and says so
[ "$(jget "$out" '.classification.basis')" = time_wait_history ] &&
	near "$(jget "$out" '.classification.outbound_per_second | round')" 600 10 &&
	[ "$(jget "$out" '.classification.verdict')" = outbound-heavy ] ||
	fail "classification: $(jget "$out" '.classification | tostring')"
jget "$out" '.classification.evidence' | grep -q 'last 10 s' ||
	fail "the evidence does not name its window: $(jget "$out" '.classification.evidence')"
pass "classification: $(jget "$out" '.classification.evidence')"

"$TWTUNE" check >"$out" || [ $? -le 2 ] || fail "text check failed: $(cat "$out")"
grep -q '^    outbound  |[^|]*@[^|]*|.* 600\.0/s last 10 s, .*rising$' "$out" ||
	fail "no outbound sparkline: $(grep -A3 'closes by the second' "$out")"
pass "text: $(grep '^    outbound  |' "$out")"
grep -A1 '^  127\.0\.0\.1:8081 ' "$out" | grep -q '^    closes    |[^|]*@[^|]*|.* 600\.0/s last 10 s' ||
	fail "no sparkline under 127.0.0.1:8081: $(grep -A2 'Top destinations' "$out")"
grep -q '^  127\.0\.0\.1:8081 .* 600\.0/s  *headroom ' "$out" ||
	fail "no forecast from the timers: $(grep -A4 '^Forecast' "$out")"
pass "text per destination: $(grep -A1 '^  127\.0\.0\.1:8081 ' "$out" | grep '^    closes')"

"$TWTUNE" check --format prometheus >"$out" || [ $? -le 2 ] || fail "no Prometheus output"
metric=$(awk '/^twtune_time_wait_close_rate\{direction="outbound",window="10s"\} / { printf "%.0f", $2 }' "$out")
[ -n "$metric" ] && near "$metric" 600 10 ||
	fail "no 10 s close rate metric of about 600: $(grep close_rate "$out")"
pass "prometheus: $(grep -c '^twtune_time_wait_close_rate' "$out") close rate samples"
