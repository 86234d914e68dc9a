#!/bin/sh
# SPDX-License-Identifier: MIT
# Real TIME_WAIT storms on loopback in throwaway namespaces: a client that
# closes first leaves outbound TIME_WAIT, a server that closes first leaves
# inbound TIME_WAIT, and twtune must count both as the kernel (and ss) do.
. "${TEST_SRCDIR:-.}/integration/lib.sh"

need_jq
[ -x "$TWSTORM" ] || fail "TWSTORM=$TWSTORM is not built"
in_scenarios "${1:-}" client server mixed ipv6
# tcp_tw_reuse=2 (the default) lets loopback connects reuse TIME_WAIT
# sockets, which would make the counts depend on timing.
ns_sysctl net.ipv4.tcp_tw_reuse 0
out=$(mktemp)
trap 'stop_storms; rm -f "$out"' EXIT

check_json() {
	"$TWTUNE" check --fail-on none --format json >"$out" || fail "check exited $?"
	tw_ss=$(ss -Htan state time-wait | wc -l)
	tw=$(jget "$out" .sockets.states.time_wait)
	[ "$tw" -eq "$tw_ss" ] || fail "$scenario: twtune counts $tw TIME_WAIT, ss counts $tw_ss"
}

# Allow 2% either way for anything the kernel might still be closing.
expect_near() {
	got=$(jget "$out" "$1")
	tol=$(($2 / 50 + 1))
	near "$got" "$2" "$tol" || fail "$scenario: $1 = $got, expected about $2"
	pass "$scenario: $1 = $got (expected $2)"
}

expect_eq() {
	got=$(jget "$out" "$1")
	[ "$got" = "$2" ] || fail "$scenario: $1 = $got, expected $2"
	pass "$scenario: $1 = $got"
}

case "$scenario" in
client)
	start_storm --port 8080 --count 1500 --close client --hold 5
	check_json
	expect_near .sockets.time_wait.outbound 1495
	expect_eq .sockets.time_wait.inbound 0
	expect_eq .sockets.states.established 10
	expect_eq .sockets.states.listen 1
	expect_eq '.sockets.top_destinations[0].address' 127.0.0.1
	expect_eq '.sockets.top_destinations[0].port' 8080
	expect_near '.sockets.top_destinations[0].time_wait' 1495
	expect_near '.sockets.top_destinations[0].ports_in_use' 1500
	expect_near .sockets.port_pressure.connect.ports_in_use 1500
	expect_eq .classification.verdict outbound-heavy
	;;
server)
	start_storm --port 8081 --count 1500 --close server --hold 5
	check_json
	expect_near .sockets.time_wait.inbound 1495
	expect_eq .sockets.time_wait.outbound 0
	expect_eq .classification.verdict inbound-heavy
	# The server's TIME_WAIT sits on its listening port: no destination
	# of ours is involved, only the 5 held client connections.
	expect_eq '.sockets.top_destinations | map(.time_wait) | add // 0' 0
	;;
mixed)
	start_storm --port 8080 --count 1000 --close client
	start_storm --port 8081 --count 800 --close server
	check_json
	expect_near .sockets.time_wait.outbound 1000
	expect_near .sockets.time_wait.inbound 800
	expect_eq .classification.verdict mixed
	;;
ipv6)
	if ! ip -6 addr show dev lo | grep -q '::1'; then
		echo "SKIP: IPv6 is disabled in this kernel"
		exit 77
	fi
	start_storm --addr ::1 --port 8080 --count 700 --close client
	check_json
	expect_eq .sockets.ipv6 true
	expect_near .sockets.time_wait.outbound 700
	expect_eq '.sockets.top_destinations[0].address' ::1
	;;
*)
	fail "unknown scenario $scenario"
	;;
esac
