#!/bin/sh
# SPDX-License-Identifier: MIT
# The seeds' experiment, for real: with ip_local_port_range '32768 32768'
# one TIME_WAIT socket toward a destination uses the whole range, the next
# connect() fails with EADDRNOTAVAIL, and twtune reports 100% pressure.
. "${TEST_SRCDIR:-.}/integration/lib.sh"

need_jq
[ -x "$TWSTORM" ] || fail "TWSTORM=$TWSTORM is not built"
in_throwaway_netns
ns_sysctl net.ipv4.tcp_tw_reuse 0
ns_sysctl net.ipv4.ip_local_port_range "32768 32768"
out=$(mktemp)
trap 'stop_storms; rm -f "$out"' EXIT

start_storm --port 8080 --count 3 --close client
case "$STORM_OUT" in
"opened 1 failed 2 error Cannot assign requested address") pass "connect() fails: $STORM_OUT" ;;
*) fail "expected one connection and two EADDRNOTAVAIL failures, got: $STORM_OUT" ;;
esac

# The whole range is in use toward one destination: a warning, exit 1.
status=0
"$TWTUNE" check --format json >"$out" || status=$?
[ "$status" -eq 1 ] || fail "check exited $status, expected 1 (warning)"
[ "$(jget "$out" .sysctl.\"net.ipv4.ip_local_port_range\")" = "32768 32768" ] ||
	fail "port range not read back"
[ "$(jget "$out" .sockets.port_pressure.range_size)" -eq 1 ] || fail "range size is not 1"
ratio=$(jget "$out" .sockets.port_pressure.connect.ratio)
[ "$ratio" = 1 ] || [ "$ratio" = 1.0 ] || fail "connect pressure is $ratio, expected 1.0"
pass "connect pressure $ratio"
dest=$(jget "$out" '.sockets.top_destinations[0] | "\(.address):\(.port) \(.ports_in_use) \(.port_pressure)"')
case "$dest" in
"127.0.0.1:8080 1 1" | "127.0.0.1:8080 1 1.0") pass "top destination $dest" ;;
*) fail "top destination is '$dest', expected 127.0.0.1:8080 at 100%" ;;
esac

# And the advice: a wider range, upward first (one port in use needs no
# more; the listener on 8080 and everything below 10000 stay out of it),
# with the gain said, and tcp_tw_reuse for this outbound host.
[ "$(jget "$out" '.findings[] | select(.id == "port-range-narrow") | .recommended')" = "32768 65535" ] ||
	fail "no wider range recommended: $(jget "$out" '[.findings[] | {id, recommended}]')"
[ "$(jget "$out" '.findings[] | select(.id == "tw-reuse-for-outbound-pressure") | .recommended')" = 1 ] ||
	fail "tcp_tw_reuse=1 not recommended: $(jget "$out" '[.findings[] | {id, recommended}]')"
jget "$out" '.findings[] | select(.id == "port-range-narrow") | .summary' |
	grep -q 'widening it to 32768 65535 adds 32767 ports$' ||
	fail "the gain is not said: $(jget "$out" '.findings[] | select(.id == "port-range-narrow") | .summary')"
pass "findings: ip_local_port_range 32768 65535 (+32767 ports) and tcp_tw_reuse 1"

# The text report says it too, in the figures a person reads first.
"$TWTUNE" check --fail-on none >"$out" || fail "check exited $?"
grep -q 'connect() *100.00% *1 ports from 127.0.0.1 toward 127.0.0.1:8080' "$out" ||
	fail "text report does not show 100% connect() pressure: $(cat "$out")"
pass "text report shows 100% pressure"
