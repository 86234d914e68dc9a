#!/bin/sh
# SPDX-License-Identifier: MIT
# twtune on fabricated hosts (--proc DIR): a tree captured from a real
# namespace after a storm, a hand-made 4.9 NAT gateway with tcp_tw_recycle,
# a broken tree, and an empty one. No privilege needed.
. "${TEST_SRCDIR:-.}/integration/lib.sh"
need_jq

data="$TEST_SRCDIR/data"
out=$(mktemp)
err=$(mktemp)
copy=$(mktemp -d)
trap 'rm -f "$out" "$err"; rm -rf "$copy"' EXIT

expect_eq() {
	got=$(jget "$out" "$1")
	[ "$got" = "$2" ] || fail "$3: $1 = $got, expected $2"
	pass "$3: $1 = $got"
}

# A 6.1 client captured from a namespace: 197 outbound TIME_WAIT toward
# 127.0.0.1:8080 (200 connections, 3 still open), 50 inbound on port 9000.
"$TWTUNE" --proc "$data/proc-client-6.1" check --fail-on none --format json >"$out" || fail "exit $?"
t=client-6.1
expect_eq .kernel.release 6.1.0-18-amd64 $t
expect_eq .kernel.version 6.1.0 $t
expect_eq .sockets.source proc $t
expect_eq .sockets.states.time_wait 247 $t
expect_eq .sockets.time_wait.outbound 197 $t
expect_eq .sockets.time_wait.inbound 50 $t
expect_eq .sockets.states.listen 2 $t
expect_eq '.sockets.top_destinations[0] | "\(.address):\(.port) \(.time_wait) \(.ports_in_use)"' \
	"127.0.0.1:8080 197 200" $t
expect_eq '.sysctl."net.ipv4.ip_local_port_range"' "32768 60999" $t
expect_eq '.sysctl."net.ipv4.tcp_tw_recycle"' null $t
expect_eq '.sysctl."net.ipv4.tcp_tw_reuse_delay"' null $t
expect_eq .counters.active_opens 250 $t
expect_eq .classification.verdict outbound-heavy $t
expect_eq '.errors | length' 0 $t
expect_eq .status ok $t

# --kernel overrides the version but keeps the release read from the tree.
"$TWTUNE" --proc "$data/proc-client-6.1" --kernel 4.9 check --fail-on none --format json >"$out" || fail "exit $?"
expect_eq .kernel.version 4.9.0 kernel-override
expect_eq .kernel.version_source override kernel-override
expect_eq .kernel.release 6.1.0-18-amd64 kernel-override

# A 4.9 NAT gateway: tcp_tw_recycle is present (and on), a knob newer than
# 4.11 (ip_unprivileged_port_start) is absent, reserved ports are honoured,
# and its conntrack table (net/nf_conntrack, captured from a real
# masquerading namespace) shows the translation. tcp_tw_recycle there is
# critical: exit 2.
status=0
"$TWTUNE" --proc "$data/proc-nat-4.9" check --format json >"$out" || status=$?
[ "$status" -eq 2 ] || fail "nat-4.9: exit $status, expected 2 (critical)"
t=nat-4.9
expect_eq .kernel.version 4.9.337 $t
expect_eq '.sysctl."net.ipv4.tcp_tw_recycle"' 1 $t
expect_eq '.sysctl."net.ipv4.ip_forward"' 1 $t
expect_eq '.sysctl."net.ipv4.ip_unprivileged_port_start"' null $t
expect_eq '.sysctl."net.ipv4.ip_local_port_range"' "1024 65000" $t
expect_eq .sockets.port_pressure.range_size 63977 $t
expect_eq '.sockets.listening_in_ephemeral_range | length' 0 $t
expect_eq .nat.present true $t
expect_eq .conntrack.snat 40 $t
expect_eq .status critical $t
expect_eq '.findings[0] | "\(.id) \(.key) \(.current) \(.recommended)"' \
	"tw-recycle-with-nat net.ipv4.tcp_tw_recycle 1 0" $t
# tcp_tw_recycle cuts TIME_WAIT timers to 3.5 RTO: they are no history
# of closes, the rates fall back to TIME_WAIT / 60 s, and stderr says why
expect_eq .sockets.time_wait.history null $t
expect_eq '.classification.basis' time_wait $t
"$TWTUNE" --proc "$data/proc-nat-4.9" check --fail-on none --format json 2>"$err" >/dev/null ||
	fail "nat-4.9: exit $?"
grep -q 'census: the TIME_WAIT timers are no history of closes here: tcp_tw_recycle = 1 cuts them to 3.5 RTO' "$err" ||
	fail "nat-4.9: the recycled timers are not named: $(cat "$err")"
pass "$t: timers cut by tcp_tw_recycle are not read as a history"

# Without the reservation, both listeners sit inside 1024-65000.
tree=$(mktemp -d)
cp -r "$data/proc-nat-4.9/." "$tree/"
: >"$tree/sys/net/ipv4/ip_local_reserved_ports"
"$TWTUNE" --proc "$tree" check --fail-on none --format json >"$out" || fail "exit $?"
rm -rf "$tree"
expect_eq '.sockets.listening_in_ephemeral_range | map(tostring) | join(",")' "8080,9000" nat-unreserved

# A broken tree: each fault is named, everything else is still reported.
"$TWTUNE" --proc "$data/proc-broken" check --fail-on none --format json >"$out" 2>"$err" ||
	fail "a partly readable tree must still exit 0, got $?"
t=broken
expect_eq .sockets.states.time_wait 247 $t
expect_eq .sockets.ipv6 false $t
expect_eq '.sysctl."net.ipv4.tcp_fin_timeout"' null $t
expect_eq .counters.active_opens 250 $t
expect_eq .counters.tw null $t
grep -q 'proc-broken/sys/net/ipv4/tcp_fin_timeout: Is a directory' "$err" || fail "fin_timeout error not named"
grep -q 'proc-broken/net/netstat:2: malformed TcpExt line' "$err" || fail "netstat line not named"
grep -q 'proc-broken/net/sockstat: No such file or directory' "$err" || fail "sockstat not named"
pass "$t: every fault named on stderr"
"$TWTUNE" --proc "$data/proc-broken" check --fail-on none >"$out" 2>&1 || fail "text: exit $?"
grep -q 'Not inspected' "$out" && grep -q 'tcp_fin_timeout: Is a directory' "$out" ||
	fail "text report does not list what was not inspected"
pass "$t: text report lists what was not inspected"

# An empty or garbage net/snmp is an inspection error naming the file, not
# counters quietly "absent" as on a kernel too old for them.
cp -R "$data/proc-client-6.1/." "$copy/"
for content in "" "garbage"; do
	printf '%s' "$content" >"$copy/net/snmp"
	status=0
	"$TWTUNE" --proc "$copy" check --fail-on none --format json >"$out" 2>"$err" || status=$?
	[ "$status" -eq 0 ] || fail "net/snmp '$content': exit $status, expected 0"
	grep -q "$copy/net/snmp: no Tcp: line (empty, or not a /proc/net/snmp file)" "$err" ||
		fail "net/snmp '$content' not named: $(cat "$err")"
	expect_eq '[.errors[] | select(.part == "counters")] | length' 1 "net/snmp '$content'"
	expect_eq .counters.active_opens null "net/snmp '$content'"
done
cp "$data/proc-client-6.1/net/snmp" "$copy/net/snmp"

# A counter of 2^64-1 is printed as that integer, exactly (it was -1); jq
# holds doubles, so the text itself is read.
awk 'NR == 2 { $12 = "18446744073709551615" } { print }' "$data/proc-client-6.1/net/netstat" \
	>"$copy/net/netstat"
"$TWTUNE" --proc "$copy" check --fail-on none --format json >"$out" 2>"$err" || fail "2^64-1: exit $?"
grep -q '^    "tw": 18446744073709551615,$' "$out" || fail "2^64-1: $(grep '"tw"' "$out")"
expect_eq '.errors | length' 0 "2^64-1"
pass "a counter of 2^64-1 is printed exactly"
awk 'NR == 2 { $12 = "18446744073709551616" } { print }' "$data/proc-client-6.1/net/netstat" \
	>"$copy/net/netstat"
"$TWTUNE" --proc "$copy" check --fail-on none --format json >"$out" 2>"$err" || fail "2^64: exit $?"
grep -q "$copy/net/netstat:2: malformed TcpExt line: TW: '18446744073709551616' is out of range" "$err" ||
	fail "2^64: not named: $(cat "$err")"
expect_eq .counters.tw null "2^64"

# An empty tree: nothing at all could be inspected, exit 3.
tree=$(mktemp -d)
status=0
"$TWTUNE" --proc "$tree" check --format json >"$out" 2>"$err" || status=$?
rmdir "$tree"
[ "$status" -eq 3 ] || fail "empty tree: exit $status, expected 3"
expect_eq .status unknown empty
grep -q 'sys/kernel/osrelease: No such file or directory' "$err" || fail "empty tree: osrelease not named"
pass "empty tree: exit 3, each missing file named"
