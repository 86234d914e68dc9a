#!/bin/sh
# SPDX-License-Identifier: MIT
# Bad input on the live path: a refused netlink socket. The census is
# reported as not inspected, with the reason; the rest of the report is
# still printed and check still exits 0. No privilege needed.
. "${TEST_SRCDIR:-.}/integration/lib.sh"
need_jq
[ -f "$REFUSE_NETLINK" ] || fail "REFUSE_NETLINK=$REFUSE_NETLINK is not built"

out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

status=0
LD_PRELOAD="$REFUSE_NETLINK" "$TWTUNE" check --fail-on none --format json >"$out" 2>"$err" || status=$?
[ "$status" -eq 0 ] || fail "exit $status with netlink refused, expected 0"
[ "$(jget "$out" .sockets.available)" = false ] || fail "census reported despite refused netlink"
grep -q 'census: sock_diag: netlink socket refused' "$err" ||
	fail "stderr does not say the netlink socket was refused: $(cat "$err")"
[ "$(jget "$out" '.errors[0].part')" = census ] || fail "errors[] lacks the census"
[ "$(jget "$out" .kernel.release)" = "$(uname -r)" ] || fail "kernel not reported"
[ "$(jget "$out" '.sysctl."net.ipv4.ip_local_port_range" != null')" = true ] || fail "knobs not reported"
[ "$(jget "$out" .counters.active_opens)" != null ] || fail "counters not reported"
[ "$(jget "$out" .classification.verdict)" = unknown ] || fail "a verdict without evidence"
pass "netlink refused: census not inspected, named; the rest reported"

LD_PRELOAD="$REFUSE_NETLINK" "$TWTUNE" check --fail-on none >"$out" 2>&1 || fail "text: exit $?"
grep -q 'Sockets: not inspected' "$out" || fail "text report does not say sockets were not inspected"
grep -q 'census    sock_diag: netlink socket refused' "$out" || fail "text report lacks the reason"
pass "netlink refused: text report says why"
