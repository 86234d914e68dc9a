#!/bin/sh
# SPDX-License-Identifier: MIT
# A NAT gateway for real: three throwaway namespaces joined by veth pairs,
# client -> gateway (nftables masquerade) -> server, traffic through it.
# twtune run against the gateway reports NAT with the rule and conntrack
# signals; against the client, which translates nothing, it reports none.
# Only the test's own veth addresses are ever used as traffic targets.
. "${TEST_SRCDIR:-.}/integration/lib.sh"
need_jq
[ -x "$TWSTORM" ] || fail "TWSTORM=$TWSTORM is not built"
command -v nft >/dev/null 2>&1 || skip "nft (nftables) is not installed (contrib/setup.sh installs it)"
in_throwaway_netns_and_run

out=$(mktemp)
trap 'stop_storms; rm -f "$out"' EXIT

gateway_namespaces 10.77
# Under load a server may retransmit its FIN; the duplicate ACK then finds
# the server socket closed and draws a RST, which kills the client's
# TIME_WAIT socket (RFC 1337 "TIME-WAIT assassination", silent while
# tcp_rfc1337 = 0): seen in CI as 29 of 40. Protect the count.
ip netns exec twt-cli sh -c 'echo 1 >/proc/sys/net/ipv4/tcp_rfc1337' ||
	fail "cannot set tcp_rfc1337 in the client namespace"
ip netns exec twt-gw nft -f - <<'NFT' || fail "cannot load the masquerade rule"
table ip twtnat {
	chain post {
		type nat hook postrouting priority 100;
		oifname "veth-gs" masquerade
	}
}
NFT

# The server waits in its own namespace; 40 connections from the client
# cross the gateway, the client closing first.
out_srv=$(mktemp)
ip netns exec twt-srv "$TWSTORM" --serve --addr 10.77.2.2 --port 8080 >"$out_srv" &
STORM_PIDS="$!"
tries=0
until grep -q ready "$out_srv"; do
	tries=$((tries + 1))
	[ $tries -lt 100 ] || fail "server did not start"
	sleep 0.1
done
rm -f "$out_srv"
result=$(ip netns exec twt-cli "$TWSTORM" --remote --addr 10.77.2.2 --port 8080 --count 40)
[ "$result" = "opened 40 failed 0" ] || fail "traffic through the gateway: $result"
# The client closed first and exited at once: its last sockets may still
# be in FIN_WAIT2 until the server's FIN crosses the gateway.
tries=0
until [ "$(ip netns exec twt-cli ss -Htan state time-wait | wc -l)" -ge 40 ]; do
	tries=$((tries + 1))
	[ $tries -lt 100 ] || fail "the client's 40 connections did not all reach TIME_WAIT: $(ip netns exec twt-cli ss -Htan | awk '{print $1}' | sort | uniq -c | tr '\n' ' ')"
	sleep 0.1
done
pass "40 connections through the gateway, all in TIME_WAIT on the client"

"$TWTUNE" --netns twt-gw check --format json >"$out" || fail "check in twt-gw exited $?"
[ "$(jget "$out" .netns.name)" = twt-gw ] || fail "gateway: netns.name is $(jget "$out" .netns.name)"
[ "$(jget "$out" .nat.present)" = true ] || fail "gateway: nat.present is $(jget "$out" .nat.present)"
pass "gateway: nat.present = true"
jget "$out" '.nat.signals[] | select(.name == "nft_nat_chain") | .detail' | grep -q 'twtnat/post' ||
	fail "gateway: no nft_nat_chain signal naming twtnat/post: $(jget "$out" .nat.signals)"
pass "gateway: the masquerade chain is named"
[ "$(jget "$out" .nat.nft_nat_rules)" -ge 1 ] || fail "gateway: nft_nat_rules < 1"
jget "$out" '.nat.signals[] | select(.name == "conntrack_nat") | .detail' | grep -q 'source' ||
	fail "gateway: no conntrack_nat signal: $(jget "$out" .nat.signals)"
[ "$(jget "$out" .conntrack.snat)" -ge 40 ] || fail "gateway: conntrack.snat = $(jget "$out" .conntrack.snat), expected >= 40"
pass "gateway: $(jget "$out" .conntrack.snat) conntrack entries with source NAT"
[ "$(jget "$out" .conntrack.time_wait)" -ge 1 ] ||
	fail "gateway: conntrack.time_wait = $(jget "$out" .conntrack.time_wait)"
pass "gateway: $(jget "$out" .conntrack.time_wait) conntrack entries in TIME_WAIT"
jget "$out" '.nat.signals[] | select(.name == "ipv4_forwarding") | .name' | grep -q . ||
	fail "gateway: forwarding not among the signals"
[ "$(jget "$out" .conntrack.max)" -gt 0 ] || fail "gateway: conntrack.max missing"

# The text report says the same to a person.
"$TWTUNE" --netns twt-gw check >"$out" || fail "text check in twt-gw exited $?"
grep -q '^NAT        yes' "$out" || fail "gateway text report does not say NAT yes"
pass "gateway: text report says NAT yes"

"$TWTUNE" --netns twt-cli check --fail-on none --format json >"$out" || fail "check in twt-cli exited $?"
[ "$(jget "$out" .nat.present)" = false ] || fail "client: nat.present is $(jget "$out" .nat.present)"
[ "$(jget "$out" .nat.signals | jq length)" -eq 0 ] || fail "client: signals $(jget "$out" .nat.signals)"
[ "$(jget "$out" .sockets.time_wait.outbound)" -eq 40 ] ||
	fail "client: outbound TIME_WAIT $(jget "$out" .sockets.time_wait.outbound), expected 40"
pass "client: nat.present = false, its own 40 outbound TIME_WAIT"
