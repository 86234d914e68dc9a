#!/bin/sh
# SPDX-License-Identifier: MIT
# Reuse toward a peer that does not negotiate timestamps, for real: this
# namespace is the client (tcp_timestamps = 1), a second one joined by a
# veth pair is the server; each scenario gets namespaces of its own. The
# client opens 100 connections to the server and closes first (TIME_WAIT
# here), keeping the last 10 established, on a range of 200 ports.
#
# peer-off-reuse-on: the server has tcp_timestamps = 0 and the client
#   tcp_tw_reuse = 1: the established sockets carry no timestamps, the
#   destination's reuse status is configured-but-peer-lacks-timestamps,
#   peer-lacks-timestamps warns, and nothing recommends tcp_tw_reuse = 1.
# peer-off-reuse-off: the same with tcp_tw_reuse = 0 and half the range in
#   use toward the server: tw-reuse-for-outbound-pressure would recommend
#   tcp_tw_reuse = 1 and does not, since reuse could never help there.
# peer-on: the control: the server keeps timestamps, the client's
#   connections carry them, and tcp_tw_reuse = 1 is recommended.
#
# Then the kernel's side: with tcp_tw_reuse = 1, 150 more connections
# (only 100 ports are free) all succeed toward the peer with timestamps,
# TWRecycled rising, and 50 fail with EADDRNOTAVAIL toward the one without.
. "${TEST_SRCDIR:-.}/integration/lib.sh"
need_jq
[ -x "$TWSTORM" ] || fail "TWSTORM=$TWSTORM is not built"
in_scenarios --private-run "${1:-}" peer-off-reuse-on peer-off-reuse-off peer-on

out=$(mktemp)
trap 'stop_storms; rm -f "$out"' EXIT

ip netns add twt-peer || fail "ip netns add twt-peer"
ip -n twt-peer link set lo up
ip link add veth-c type veth peer name veth-p || skip "veth is not available"
ip link set veth-p netns twt-peer
ip addr add 10.79.0.1/24 dev veth-c
ip -n twt-peer addr add 10.79.0.2/24 dev veth-p
ip link set veth-c up
ip -n twt-peer link set veth-p up
# a FIN the server retransmits under load would draw a RST that kills the
# client's TIME_WAIT socket (RFC 1337): keep the count (see nat.sh)
ns_sysctl net.ipv4.tcp_rfc1337 1
ns_sysctl net.ipv4.tcp_timestamps 1
ns_sysctl net.ipv4.ip_local_port_range "40000 40199"
case "$scenario" in
peer-off-reuse-on) peer_timestamps=0 reuse=1 ;;
peer-off-reuse-off) peer_timestamps=0 reuse=0 ;;
peer-on) peer_timestamps=1 reuse=0 ;;
esac
ns_sysctl net.ipv4.tcp_tw_reuse "$reuse"
ip netns exec twt-peer sh -c "echo $peer_timestamps >/proc/sys/net/ipv4/tcp_timestamps" ||
	fail "cannot set tcp_timestamps in the server's namespace"

serve_in twt-peer 10.79.0.2 8080
start_storm --remote --addr 10.79.0.2 --port 8080 --count 100 --hold 10 --close client
[ "$STORM_OUT" = "opened 100 failed 0" ] || fail "client: $STORM_OUT"
await_time_wait 90
pass "$scenario: 90 TIME_WAIT and 10 established toward 10.79.0.2:8080 (server tcp_timestamps = $peer_timestamps)"

"$TWTUNE" check --fail-on none --format json >"$out" || fail "check exited $?"
d='.sockets.top_destinations[] | select(.address == "10.79.0.2" and .port == 8080)'
with=$(jget "$out" "$d | .reuse.established_with_timestamps")
without=$(jget "$out" "$d | .reuse.established_without")
status=$(jget "$out" "$d | .reuse.status")
reuse_advised=$(jget "$out" '[.findings[] | .settings[] | select(.key == "net.ipv4.tcp_tw_reuse" and .recommended == "1")] | length')
lacks='.findings[] | select(.id == "peer-lacks-timestamps")'
case "$scenario" in
peer-off-reuse-on | peer-off-reuse-off)
	[ "$with" = 0 ] && [ "$without" = 10 ] ||
		fail "established toward the server: $with with timestamps, $without without; expected 0 and 10"
	expected=configured-but-peer-lacks-timestamps
	[ "$reuse" = 1 ] || expected=off
	[ "$status" = "$expected" ] || fail "reuse status $status, expected $expected"
	pass "tcp_info: 10 established without timestamps, reuse status $status"
	[ "$(jget "$out" "$lacks | .severity")" = warning ] ||
		fail "no peer-lacks-timestamps: $(jget "$out" '[.findings[] | .id]')"
	jget "$out" "$lacks | .summary" |
		grep -q '^10.79.0.2:8080 (10 established, none with timestamps; 90 TIME_WAIT): the peer, or a middlebox on the way, strips TCP timestamps' ||
		fail "summary: $(jget "$out" "$lacks | .summary")"
	[ "$reuse_advised" = 0 ] || fail "tcp_tw_reuse = 1 recommended toward a peer without timestamps"
	[ "$(jget "$out" '[.findings[] | select(.id == "tw-reuse-for-outbound-pressure")] | length')" = 0 ] ||
		fail "tw-reuse-for-outbound-pressure fired"
	pass "peer-lacks-timestamps warns, nothing recommends tcp_tw_reuse = 1"
	;;
peer-on)
	[ "$with" = 10 ] && [ "$without" = 0 ] ||
		fail "established toward the server: $with with timestamps, $without without; expected 10 and 0"
	[ "$status" = off ] || fail "reuse status $status, expected off"
	[ "$(jget "$out" "[$lacks] | length")" = 0 ] || fail "peer-lacks-timestamps fired"
	[ "$reuse_advised" = 1 ] ||
		fail "tcp_tw_reuse = 1 not recommended: $(jget "$out" '[.findings[] | .id]')"
	pass "control: 10 established with timestamps, tcp_tw_reuse = 1 recommended"
	;;
esac

# And the kernel agrees: 100 of the 200 ports are held; 150 more
# connections need 50 TIME_WAIT sockets taken over, which tcp_tw_reuse = 1
# does toward a peer with timestamps and cannot toward one without.
recycled() {
	awk '/^TcpExt:/ { if (!n) { split($0, names); n = 1 } else { split($0, values); for (i in names) if (names[i] == "TWRecycled") print values[i] } }' /proc/net/netstat
}
case "$scenario" in
peer-off-reuse-on | peer-on)
	ns_sysctl net.ipv4.tcp_tw_reuse 1
	sleep 2 # past the reuse delay
	before=$(recycled)
	# twtune samples the counters meanwhile: reuse seen working
	"$TWTUNE" check --fail-on none --sample 3 --format json >"$out" &
	check=$!
	sleep 1
	second=$("$TWSTORM" --remote --addr 10.79.0.2 --port 8080 --count 150 --close client)
	wait "$check" || fail "check --sample exited $?"
	if [ "$scenario" = peer-on ]; then
		[ "$second" = "opened 150 failed 0" ] && [ "$(recycled)" -ge $((before + 50)) ] ||
			fail "reuse toward a peer with timestamps: $second, TWRecycled $before -> $(recycled)"
		[ "$(jget "$out" "$d | .reuse.status")" = active ] ||
			fail "reuse status while it works: $(jget "$out" "$d | .reuse")"
		rate=$(jget "$out" "$d | .forecast.close_rate")
		# the destination's own rate, from its TIME_WAIT timers
		[ "$(jget "$out" "$d | .forecast.basis")" = timers ] &&
			[ "$(jget "$out" "$d | .forecast.estimated")" = false ] &&
			[ "$(jget "$out" "$d | .forecast.close_rate > 0")" = true ] &&
			[ "$(jget "$out" '.reuse.recycled_per_second > 0')" = true ] ||
			fail "forecast or reuse rates missing: $(jget "$out" "$d | .forecast") $(jget "$out" .reuse)"
		pass "check --sample meanwhile: reuse active, about $(printf %.0f "$rate") closes/s toward the server (its own, from its timers)"
	else
		case "$second" in
		"opened 100 failed 50 error Cannot assign requested address") ;;
		*) fail "reuse toward a peer without timestamps: $second" ;;
		esac
		[ "$(recycled)" = "$before" ] || fail "TWRecycled moved: $before -> $(recycled)"
	fi
	pass "150 more connections with tcp_tw_reuse = 1: $second, TWRecycled $before -> $(recycled)"
	ns_sysctl net.ipv4.tcp_tw_reuse "$reuse"
	;;
esac

# The text report and the metrics say the same.
"$TWTUNE" check --fail-on none >"$out" || fail "text check exited $?"
grep -q "^  10.79.0.2:8080  *$status  *$with with, $without without\$" "$out" ||
	fail "text report: $(sed -n '/^Reuse per destination/,/^$/p' "$out")"
"$TWTUNE" check --fail-on none --format prometheus >"$out" || fail "prometheus check exited $?"
grep -q "^twtune_destination_reuse{destination=\"10.79.0.2:8080\",status=\"$status\"} 1\$" "$out" ||
	fail "metrics: $(grep twtune_destination_ "$out")"
pass "text report and metrics show $status"
