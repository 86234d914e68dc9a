#!/bin/sh
# SPDX-License-Identifier: MIT
# Source-NAT port exhaustion for real: client -> gateway -> server in
# throwaway namespaces, the gateway masquerading to ten ports only
# (masquerade to :20000-20009). Ten connections the client holds open take
# every port toward the server; the next one's SYN clashes in conntrack
# (insert_failed, drop) and the client's connect() times out, while the
# gateway's own socket table shows nothing. twtune run in the gateway
# reports the pressure (10 of 10 ports), the rule without fully-random and
# the failures as a critical finding; the same gateway with fully-random
# has no fully-random finding. Only the test's own veth addresses are ever
# used as traffic targets.
. "${TEST_SRCDIR:-.}/integration/lib.sh"
need_jq
[ -x "$TWSTORM" ] || fail "TWSTORM=$TWSTORM is not built"
command -v nft >/dev/null 2>&1 || skip "nft (nftables) is not installed (contrib/setup.sh installs it)"
command -v timeout >/dev/null 2>&1 || skip "timeout (coreutils) is not installed"
in_throwaway_netns_and_run

work=$(mktemp -d)
out="$work/out"
trap 'stop_storms; rm -rf "$work"' EXIT

gateway_namespaces 10.78
# A connect() whose SYNs are dropped gives up after 1 + 2 s.
ip netns exec twt-cli sh -c 'echo 1 >/proc/sys/net/ipv4/tcp_syn_retries' ||
	fail "cannot set tcp_syn_retries in the client namespace"

# $1: "" or " fully-random"
masquerade() {
	ip netns exec twt-gw nft -f - <<NFT || fail "cannot load the masquerade rule"
flush ruleset
table ip twtsnat {
	chain post {
		type nat hook postrouting priority 100;
		oifname "veth-gs" jump out
	}
	chain out {
		meta l4proto tcp masquerade to :20000-20009$1
	}
}
NFT
}

# Wait until FILE has a line matching PATTERN (10 s at most).
wait_for() {
	tries=0
	until grep -q "$2" "$1" 2>/dev/null; do
		tries=$((tries + 1))
		[ $tries -lt 100 ] || fail "$3: $(cat "$1" 2>/dev/null)"
		sleep 0.1
	done
}

# twtune in the gateway: STATUS and $out; a state directory that does not
# exist, so nothing is kept between runs.
check_gw() {
	status=0
	"$TWTUNE" --netns twt-gw check --state-dir "$work/no-state" "$@" >"$out" 2>"$work/err" ||
		status=$?
}

# A connect() through the gateway that cannot get a port: its SYNs clash
# in the gateway's conntrack. Output in $work/late.
late_connect() {
	ip netns exec twt-cli timeout 10 "$TWSTORM" --remote --addr 10.78.2.2 --port 8080 \
		--count 1 >"$work/late" 2>&1 &
	late_pid=$!
}

# A new SYN every 0.3 s until stopped, so that any sample, however late
# twtune starts it, sees clashes; its connect()s are cut short.
start_syns() {
	(while :; do
		ip netns exec twt-cli timeout 0.3 "$TWSTORM" --remote --addr 10.78.2.2 \
			--port 8080 --count 1 >/dev/null 2>&1
	done) &
	syns_pid=$!
	STORM_PIDS="$STORM_PIDS $syns_pid"
}

masquerade ""
ip netns exec twt-srv "$TWSTORM" --serve --addr 10.78.2.2 --port 8080 >"$work/srv" &
STORM_PIDS="$!"
wait_for "$work/srv" ready "the server did not start"

# Ten connections, held open: every port the masquerade may use toward
# the server is taken.
ip netns exec twt-cli "$TWSTORM" --remote --addr 10.78.2.2 --port 8080 --count 10 --hold 10 \
	--wait >"$work/held" &
STORM_PIDS="$STORM_PIDS $!"
wait_for "$work/held" ready "the client's ten connections did not open"
[ "$(head -n 1 "$work/held")" = "opened 10 failed 0" ] ||
	fail "ten connections through the gateway: $(cat "$work/held")"
pass "ten connections through the gateway hold its ten SNAT ports"

# The eleventh: its SYN and its one retransmission a second later clash;
# so do the SYNs of the others tried while twtune samples the gateway's
# counters for 2 s.
late_connect
start_syns
check_gw --sample 2 --format json
kill "$syns_pid"
wait "$syns_pid" 2>/dev/null || true
[ "$status" -eq 2 ] || fail "check in twt-gw exited $status, expected 2 (critical): $(cat "$work/err") $(jq -c ".snat,.counters" "$out")"
wait "$late_pid" || true
[ "$(cat "$work/late")" = "opened 0 failed 1 error Connection timed out" ] ||
	fail "the eleventh connect(): $(cat "$work/late")"
pass "the eleventh connect() times out on the client"

[ "$(jget "$out" .snat.present)" = true ] || fail "snat.present is $(jget "$out" .snat.present)"
[ "$(jget "$out" .snat.rules.count)" -eq 1 ] || fail "snat.rules: $(jget "$out" .snat.rules)"
[ "$(jget "$out" .snat.rules.without_fully_random)" -eq 1 ] ||
	fail "snat.rules.without_fully_random is $(jget "$out" .snat.rules.without_fully_random)"
[ "$(jget "$out" '.snat.rules.list[0].where')" = "ip twtsnat/out" ] ||
	fail "the rule's chain: $(jget "$out" .snat.rules.list)"
[ "$(jget "$out" '.snat.rules.list[0].ports')" = "20000-20009" ] ||
	fail "the rule's ports: $(jget "$out" .snat.rules.list)"
pass "the masquerade rule, followed from the postrouting chain: ports 20000-20009, not fully-random"
[ "$(jget "$out" .snat.port_range.size)" -eq 10 ] || fail "port range: $(jget "$out" .snat.port_range)"
top='.snat.top_destinations[0]'
[ "$(jget "$out" "$top.source") $(jget "$out" "$top.address"):$(jget "$out" "$top.port")" = \
	"10.78.2.1 10.78.2.2:8080" ] || fail "top SNAT destination: $(jget "$out" "$top")"
[ "$(jget "$out" "$top.entries")" -ge 10 ] || fail "top SNAT entries: $(jget "$out" "$top")"
pressure=$(jget "$out" "$top.pressure")
[ "${pressure%.*}" -ge 1 ] || fail "SNAT pressure is $pressure, expected 1 (10 of 10 ports)"
pass "SNAT pressure toward 10.78.2.2:8080 from 10.78.2.1: $pressure"
[ "$(jget "$out" .counters.conntrack_insert_failed)" -ge 1 ] ||
	fail "insert_failed: $(jget "$out" .counters.conntrack_insert_failed)"
rate=$(jget "$out" .counters.rates.per_second.conntrack_insert_failed)
[ "$rate" != null ] && [ "$(jq -n "$rate > 0")" = true ] || fail "insert_failed rate is $rate"
pass "conntrack insert_failed $(jget "$out" .counters.conntrack_insert_failed), $rate/s while sampled"
[ "$(jget "$out" .sockets.time_wait.total)" -eq 0 ] ||
	fail "the gateway's own sockets: $(jget "$out" .sockets.time_wait)"

finding() {
	jget "$out" ".findings[] | select(.id == \"$1\") | .severity"
}
[ "$(finding conntrack-insert-failed)" = critical ] ||
	fail "no critical conntrack-insert-failed: $(jget "$out" '[.findings[].id]')"
[ "$(finding snat-port-pressure)" = warning ] ||
	fail "no snat-port-pressure warning: $(jget "$out" '[.findings[].id]')"
[ "$(finding snat-not-fully-random)" = warning ] ||
	fail "no snat-not-fully-random warning: $(jget "$out" '[.findings[].id]')"
jget "$out" '.findings[] | select(.id == "snat-port-pressure") | .summary' |
	grep -q '10.78.2.2:8080' || fail "the pressure finding does not name the destination"
pass "findings: $(jget "$out" '[.findings[] | .id + " (" + .severity + ")"] | join(", ")')"

# The text report and the metrics say the same.
check_gw
grep -q '^SNAT ' "$out" || fail "no SNAT section in the text report: $(cat "$out")"
grep -q 'tcp 10.78.2.1 -> 10.78.2.2:8080 .* 100.00%' "$out" ||
	fail "the text report does not show the pressure: $(sed -n '/^SNAT/,/^$/p' "$out")"
check_gw --format prometheus
grep -q '^twtune_snat_port_pressure_ratio{protocol="tcp",source="10.78.2.1",destination="10.78.2.2:8080"} 1$' "$out" ||
	fail "no SNAT pressure metric: $(grep snat "$out")"
grep -q '^twtune_conntrack_stat_total{stat="insert_failed"} [1-9]' "$out" ||
	fail "no insert_failed metric: $(grep conntrack_stat "$out")"
pass "text and Prometheus reports show the SNAT pressure and the failures"

# The same gateway choosing ports fully at random: the held connections
# keep their ports (and the pressure), but no rule lacks fully-random.
masquerade " fully-random"
check_gw --format json
[ "$(jget "$out" .snat.rules.without_fully_random)" -eq 0 ] ||
	fail "fully-random not seen: $(jget "$out" .snat.rules)"
[ "$(jget "$out" '.snat.rules.list[0].fully_random')" = true ] ||
	fail "fully-random not seen: $(jget "$out" .snat.rules.list)"
[ -z "$(finding snat-not-fully-random)" ] || fail "snat-not-fully-random fired with fully-random"
[ "$(finding snat-port-pressure)" = warning ] ||
	fail "snat-port-pressure gone with fully-random: $(jget "$out" '[.findings[].id]')"
pass "with fully-random: no snat-not-fully-random finding, the pressure stays"
