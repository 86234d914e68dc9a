#!/bin/sh
# SPDX-License-Identifier: MIT
# A widened range keeps off Kubernetes' NodePorts, for real: 9000 of a
# 10000-port range in use toward one destination asks for room below the
# range; without kube-proxy it reaches down to 29536, with kube-proxy's
# KUBE-NODEPORTS chain in the ruleset (as iptables-nft makes it) it stops at
# 32768. A folk "1024 65535" on such a node gets the NodePorts reserved.
. "${TEST_SRCDIR:-.}/integration/lib.sh"

need_jq
command -v nft >/dev/null 2>&1 || skip "nft (nftables) is not installed (contrib/setup.sh installs it)"
[ -x "$TWSTORM" ] || fail "TWSTORM=$TWSTORM is not built"
in_throwaway_netns
out=$(mktemp)
trap 'rm -f "$out"' EXIT

ns_sysctl net.ipv4.ip_local_port_range "50000 59999"
ns_sysctl net.ipv4.tcp_tw_reuse 0
storm=$("$TWSTORM" --port 8080 --count 9000 --close client)
[ "$storm" = "opened 9000 failed 0" ] || fail "storm: $storm"

narrow='.findings[] | select(.id == "port-range-narrow") | .recommended'
"$TWTUNE" check --format json >"$out" || [ $? -le 2 ] || fail "check failed: $(cat "$out")"
[ "$(jget "$out" "$narrow")" = "29536 65535" ] ||
	fail "without kube-proxy: $(jget "$out" '[.findings[] | {id, recommended}]')"
pass "no NodePorts: 9000 ports in use widen the range to 29536 65535"

nft -f - <<'NFT' || fail "cannot add kube-proxy's chain"
table ip nat {
	chain KUBE-NODEPORTS {
	}
}
NFT
"$TWTUNE" check --format json >"$out" || [ $? -le 2 ] || fail "check failed: $(cat "$out")"
[ "$(jget "$out" "$narrow")" = "32768 65535" ] ||
	fail "with KUBE-NODEPORTS: $(jget "$out" '[.findings[] | {id, recommended}]')"
jget "$out" '.findings[] | select(.id == "port-range-narrow") | .summary' |
	grep -q 'widening it to 32768 65535 adds 22768 ports$' ||
	fail "summary: $(jget "$out" '.findings[] | select(.id == "port-range-narrow") | .summary')"
[ "$(jget "$out" '[.findings[] | select(.id == "nodeports-in-ephemeral-range")] | length')" = 0 ] ||
	fail "NodePorts reported inside 50000 59999"
pass "KUBE-NODEPORTS: the range stops at 32768 (+22768 ports)"

ns_sysctl net.ipv4.ip_local_port_range "1024 65535"
"$TWTUNE" check --format json >"$out" || [ $? -le 2 ] || fail "check failed: $(cat "$out")"
f='.findings[] | select(.id == "nodeports-in-ephemeral-range")'
[ "$(jget "$out" "$f | .severity")" = warning ] &&
	[ "$(jget "$out" "$f | .key")" = net.ipv4.ip_local_reserved_ports ] &&
	jget "$out" "$f | .recommended" | grep -q '30000-32767' ||
	fail "folk range on a node: $(jget "$out" '[.findings[] | {id, recommended}]')"
pass "1024 65535 on a node: NodePorts 30000-32767 reserved ($(jget "$out" "$f | .recommended"))"
