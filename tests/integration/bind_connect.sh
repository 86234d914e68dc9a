#!/bin/sh
# SPDX-License-Identifier: MIT
# bind() before connect(), for real, each scenario in a namespace of its
# own with a range of 1000 ports (40000-40999) and 50 destinations on
# loopback (127.0.0.1-127.0.0.50, port 8080), the client closing first:
#
# source-port: the client binds port 40000 + n itself before connect()
#   (700 sockets): 70% of the range in use, at most 14 ports toward any
#   destination; half the ports lie on bind(0)'s parity. twtune warns that
#   ports are taken at bind(), across all destinations, and names
#   IP_BIND_ADDRESS_NO_PORT and IP_LOCAL_PORT_RANGE.
# bind-zero: the client binds 127.0.0.1 port 0 before connect(), as an
#   application setting its source address does (600 sockets): bind(0)
#   takes the 500 ports of its parity first, then 100 of connect()'s. The
#   same warning.
# connect-only: the same 700 connections with connect() alone: it shares
#   ports among destinations and keeps to its parity's half, so fewer than
#   half the ports are in use, none on bind(0)'s parity, and no warning.
. "${TEST_SRCDIR:-.}/integration/lib.sh"

need_jq
[ -x "$TWSTORM" ] || fail "TWSTORM=$TWSTORM is not built"
in_scenarios "${1:-}" source-port bind-zero connect-only

out=$(mktemp)
trap 'rm -f "$out"' EXIT
ns_sysctl net.ipv4.ip_local_port_range "40000 40999"

storm() {
	result=$("$TWSTORM" --port 8080 --destinations 50 --close client "$@")
	case "$result" in
	"opened $count failed 0") ;;
	*) fail "storm $*: $result" ;;
	esac
}

case "$scenario" in
source-port) count=700 && storm --count 700 --source-port 40000 ;;
bind-zero) count=600 && storm --count 600 --bind-first ;;
connect-only) count=700 && storm --count 700 ;;
esac

"$TWTUNE" check --fail-on none --format json >"$out" || fail "check exited $?"
bind=$(jget "$out" .sockets.port_pressure.bind.ports_in_use)
parity=$(jget "$out" .sockets.port_pressure.bind.outbound_bind_parity)
bound=$(jget "$out" .sockets.port_pressure.bind.explicitly_bound)
toward=$(jget "$out" .sockets.port_pressure.connect.ports_in_use)
f='.findings[] | select(.id == "bind-before-connect")'
case "$scenario" in
source-port | bind-zero)
	[ "$bind" -eq "$count" ] || fail "$bind local ports in use, expected $count"
	[ "$toward" -le 14 ] || fail "$toward ports toward one destination, expected at most 14"
	expected=$((count / 2))
	[ "$scenario" = bind-zero ] && expected=500
	[ "$parity" -eq "$expected" ] && [ "$bound" -eq "$expected" ] ||
		fail "$parity sockets on bind()'s parity ($bound bound), expected $expected"
	pass "$scenario: $bind ports in use, at most $toward toward one destination, $bound bound by the application"
	[ "$(jget "$out" "$f | .severity")" = warning ] ||
		fail "no bind-before-connect warning: $(jget "$out" '[.findings[] | .id]')"
	summary=$(jget "$out" "$f | .summary")
	case "$summary" in
	"$count of 1000 local ports in use ($((count / 10))%), at most $toward toward one destination"*"ports are taken at bind(), each across all destinations ($bound sockets on ports connect() would not pick)"*IP_BIND_ADDRESS_NO_PORT*IP_LOCAL_PORT_RANGE*) ;;
	*) fail "summary: $summary" ;;
	esac
	pass "check: bind-before-connect, $(echo "$summary" | cut -c1-70)..."
	;;
connect-only)
	[ "$bind" -lt 500 ] || fail "connect() alone used $bind ports, expected fewer than half the range"
	[ "$parity" -eq 0 ] || fail "$parity sockets on bind()'s parity from connect() alone"
	[ "$(jget "$out" "[$f] | length")" = 0 ] ||
		fail "bind-before-connect fired for connect() alone: $(jget "$out" "$f | .summary")"
	pass "connect-only: $bind ports shared among 50 destinations, none on bind()'s parity, no warning"
	;;
esac
