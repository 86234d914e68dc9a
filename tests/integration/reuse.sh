#!/bin/sh
# SPDX-License-Identifier: MIT
# TIME_WAIT reuse, for real, in two scenarios of its own namespace each.
#
# timestamps-off: with tcp_timestamps = 0 and tcp_tw_reuse = 2, a range of
#   100 ports spent toward 127.0.0.1 stays spent: the next 100 connect()s
#   fail with EADDRNOTAVAIL although mode 2 covers loopback, TWRecycled
#   does not move, and twtune says that all reuse is off (critical, the
#   range being spent) and recommends tcp_timestamps = 1.
# working: with timestamps on, the same storm reuses every TIME_WAIT socket
#   once the reuse delay has passed; TWRecycled rises while twtune samples,
#   and twtune says reuse is working instead of advising it.
. "${TEST_SRCDIR:-.}/integration/lib.sh"

need_jq
[ -x "$TWSTORM" ] || fail "TWSTORM=$TWSTORM is not built"
in_scenarios "${1:-}" timestamps-off working

out=$(mktemp)
trap 'rm -f "$out"' EXIT

recycled() {
	awk '/^TcpExt:/ { if (!n) { split($0, names); n = 1 } else { split($0, values); for (i in names) if (names[i] == "TWRecycled") print values[i] } }' /proc/net/netstat
}

# COUNT connections to 127.0.0.1:PORT that this host closes first; the
# listener goes with the storm, the client's TIME_WAIT sockets stay.
storm() {
	"$TWSTORM" --port "$1" --count "$2" --close client
}

ns_sysctl net.ipv4.ip_local_port_range "40000 40099"
ns_sysctl net.ipv4.tcp_tw_reuse 2

case "$scenario" in
timestamps-off)
	ns_sysctl net.ipv4.tcp_timestamps 0
	first=$(storm 8080 100)
	[ "$first" = "opened 100 failed 0" ] || fail "first storm: $first"
	sleep 2 # past any reuse delay: only the timestamps stand in the way
	before=$(recycled)
	second=$(storm 8080 100)
	case "$second" in
	"opened 0 failed 100 error Cannot assign requested address") ;;
	*) fail "second storm, expected 100 EADDRNOTAVAIL: $second" ;;
	esac
	[ "$(recycled)" = "$before" ] || fail "TWRecycled moved: $before -> $(recycled)"
	pass "timestamps off: $second, TWRecycled stays $before"

	status=0
	"$TWTUNE" check --format json >"$out" || status=$?
	[ "$status" -eq 2 ] || fail "check exited $status, expected 2 (critical): $(cat "$out")"
	f='.findings[] | select(.id == "tw-reuse-without-timestamps")'
	[ "$(jget "$out" "$f | .severity")" = critical ] &&
		[ "$(jget "$out" "$f | .key")" = net.ipv4.tcp_timestamps ] &&
		[ "$(jget "$out" "$f | .recommended")" = 1 ] ||
		fail "no critical tw-reuse-without-timestamps: $(jget "$out" '[.findings[] | {id, severity, recommended}]')"
	jget "$out" "$f | .summary" | grep -q '^tcp_timestamps = 0 turns off every kind of TIME_WAIT reuse (tcp_tw_reuse = 2, loopback' ||
		fail "summary: $(jget "$out" "$f | .summary")"
	[ "$(jget "$out" '[.findings[] | select(.id == "tw-reuse-for-outbound-pressure")] | length')" = 0 ] ||
		fail "tcp_tw_reuse advised although timestamps are off"
	pass "check: critical tw-reuse-without-timestamps, tcp_timestamps 0 -> 1"
	;;
working)
	ns_sysctl net.ipv4.tcp_timestamps 1
	first=$(storm 8090 100)
	[ "$first" = "opened 100 failed 0" ] || fail "first storm: $first"
	sleep 2 # past the reuse delay (1 s, or the next wall-clock second)
	before=$(recycled)
	"$TWTUNE" check --sample 3 --format json >"$out" &
	check=$!
	sleep 1
	second=$(storm 8090 100)
	status=0
	wait "$check" || status=$?
	after=$(recycled)
	[ "$second" = "opened 100 failed 0" ] || fail "second storm, expected reuse: $second"
	[ "$((after - before))" -ge 100 ] || fail "TWRecycled rose by $((after - before)), expected 100"
	pass "timestamps on: $second, TWRecycled $before -> $after"

	[ "$status" -le 1 ] || fail "check exited $status: $(cat "$out")"
	f='.findings[] | select(.id == "tw-reuse-active")'
	[ "$(jget "$out" "$f | .severity")" = info ] ||
		fail "reuse not said to work: $(jget "$out" '[.findings[] | {id, summary}]')"
	jget "$out" "$f | .summary" | grep -q 'connections/s took over a TIME_WAIT socket (TcpExt TWRecycled) with tcp_tw_reuse = 2' ||
		fail "summary: $(jget "$out" "$f | .summary")"
	[ "$(jget "$out" '[.findings[] | select(.id == "tw-reuse-for-outbound-pressure" or .id == "tw-reuse-without-timestamps")] | length')" = 0 ] ||
		fail "reuse advised although it works: $(jget "$out" '[.findings[] | .id]')"
	pass "check --sample: tw-reuse-active, $(jget "$out" "$f | .summary" | cut -c1-60)..."
	;;
esac
