#!/bin/sh
# SPDX-License-Identifier: MIT
# The rule engine on real TIME_WAIT storms in throwaway namespaces: a client
# that closes first gets the tcp_tw_reuse recommendation, a server that
# closes first does not, and gets the keep-alive advice instead. Also the
# formats (JSON, Prometheus, colour) and the exit codes of check.
. "${TEST_SRCDIR:-.}/integration/lib.sh"

need_jq
[ -x "$TWSTORM" ] || fail "TWSTORM=$TWSTORM is not built"
in_scenarios "${1:-}" client server
ns_sysctl net.ipv4.tcp_tw_reuse 0
ns_sysctl net.ipv4.tcp_timestamps 1
# The client scenario narrows the range to 1000 ports: 600 connections are
# 60% of it, pressure enough for the rules without a storm of tens of
# thousands. The server scenario keeps the default range: with few client
# ports they recur, and a SYN from a recurring port takes over the
# server's TIME_WAIT socket for it (tcp_timewait_state_process), so fewer
# would remain.
if [ "$scenario" = client ]; then
	ns_sysctl net.ipv4.ip_local_port_range "40000 40999"
else
	ns_sysctl net.ipv4.ip_local_port_range "32768 60999"
fi
out=$(mktemp)
trap 'stop_storms; rm -f "$out"' EXIT

# check with the given options; the exit status goes to $status
run_check() {
	status=0
	"$TWTUNE" check "$@" >"$out" 2>/dev/null || status=$?
}

reuse_recommended() {
	jget "$out" '[.findings[].settings[] | select(.key == "net.ipv4.tcp_tw_reuse" and .recommended == "1")] | length'
}

case "$scenario" in
client)
	start_storm --port 8080 --count 600 --close client
	run_check --format json
	[ "$status" -eq 1 ] || fail "client: exit $status, expected 1 (warning)"
	[ "$(jget "$out" .classification.verdict)" = outbound-heavy ] || fail "client: not outbound-heavy"
	[ "$(jget "$out" .status)" = warning ] || fail "client: status $(jget "$out" .status)"
	finding='.findings[] | select(.id == "tw-reuse-for-outbound-pressure")'
	[ "$(jget "$out" "$finding | \"\(.key) \(.current) \(.recommended)\"")" = "net.ipv4.tcp_tw_reuse 0 1" ] ||
		fail "client: no tcp_tw_reuse 0 -> 1 recommendation: $(jget "$out" '[.findings[].id]')"
	summary=$(jget "$out" "$finding | .summary")
	# 1000 ports / 60 s: at most 16.7 new connections/s to 127.0.0.1:8080
	case "$summary" in
	*"127.0.0.1:8080 holds 600 of 1000"*"16.7 new connections/s"*) ;;
	*) fail "client: the summary lacks the per-destination arithmetic: $summary" ;;
	esac
	pass "client: tcp_tw_reuse 0 -> 1, $summary"
	[ "$(jget "$out" '.findings[0].severity')" = warning ] || fail "client: findings not sorted by severity"
	jget "$out" '.findings[].id' | grep -qx loopback-upstream-churn || fail "client: no loopback advice"
	pass "client: loopback upstream advice"

	run_check --fail-on critical
	[ "$status" -eq 0 ] || fail "client: --fail-on critical exited $status"
	pass "client: --fail-on critical -> exit 0"

	# Prometheus text exposition: every sample line well-formed, the
	# finding and the status present.
	run_check --format prometheus
	[ "$status" -eq 1 ] || fail "client: prometheus exit $status"
	sample_line='^[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? -?[0-9.e+-]+$'
	grep -v '^#' "$out" | grep -Evq "$sample_line" &&
		fail "client: malformed exposition line: $(grep -v '^#' "$out" | grep -Ev "$sample_line" | head -n 1)"
	grep -qx 'twtune_finding{id="tw-reuse-for-outbound-pressure"} 1' "$out" || fail "client: no finding metric"
	grep -qx 'twtune_status 1' "$out" || fail "client: twtune_status is not 1"
	grep -qx 'twtune_time_wait_sockets{direction="outbound"} 600' "$out" || fail "client: no TIME_WAIT gauge"
	grep -qx 'twtune_port_pressure_ratio{kind="connect"} 0.59999999999999998' "$out" ||
		grep -qx 'twtune_port_pressure_ratio{kind="connect"} 0.6' "$out" || fail "client: no pressure gauge"
	[ "$(grep -c '^# TYPE twtune_sockets gauge$' "$out")" -eq 1 ] || fail "client: TYPE lines repeated"
	pass "client: prometheus exposition"

	# Colour only on a terminal, and never with NO_COLOR.
	run_check
	! grep -q "$(printf '\033')" "$out" || fail "client: colour on a pipe"
	if command -v script >/dev/null 2>&1; then
		script -qec "\"$TWTUNE\" check" /dev/null >"$out" 2>&1 || true
		grep -q "$(printf '\033')\[1;33mWARNING" "$out" || fail "client: no colour on a terminal"
		NO_COLOR=1 script -qec "\"$TWTUNE\" check" /dev/null >"$out" 2>&1 || true
		! grep -q "$(printf '\033')" "$out" || fail "client: colour despite NO_COLOR"
		pass "client: colour on a terminal only, none with NO_COLOR"
	fi
	;;
server)
	start_storm --port 8081 --count 600 --close server
	run_check --format json
	[ "$status" -eq 0 ] || fail "server: exit $status, expected 0 (info only)"
	[ "$(jget "$out" .classification.verdict)" = inbound-heavy ] || fail "server: not inbound-heavy"
	[ "$(reuse_recommended)" -eq 0 ] || fail "server: tcp_tw_reuse=1 recommended to an inbound-heavy host"
	pass "server: no tcp_tw_reuse=1 for an inbound-heavy host"
	summary=$(jget "$out" '.findings[] | select(.id == "inbound-time-wait-dominant") | .summary')
	case "$summary" in
	*"600 inbound TIME_WAIT sockets on ports 8081 (600 TIME_WAIT)"*"keep connections alive"*) ;;
	*) fail "server: no keep-alive advice naming port 8081: '$summary'" ;;
	esac
	pass "server: $summary"
	run_check --fail-on info
	[ "$status" -eq 1 ] || fail "server: --fail-on info exited $status, expected 1"
	pass "server: --fail-on info -> exit 1"
	;;
*)
	fail "unknown scenario $scenario"
	;;
esac
