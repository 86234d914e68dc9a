#!/bin/sh
# SPDX-License-Identifier: MIT
# Network namespaces: --netns-pid shows the namespace of a process that sits
# in its own (its sysctls and sockets, not ours), --netns by name,
# --all-netns finds every namespace the test made, an unprivileged run
# reports what it could not enter and why, and bad names or PIDs are
# refused with exit 2.
. "${TEST_SRCDIR:-.}/integration/lib.sh"
need_jq
[ -x "$TWSTORM" ] || fail "TWSTORM=$TWSTORM is not built"
in_throwaway_netns_and_run

out=$(mktemp)
err=$(mktemp)
child_out=$(mktemp)
trap 'stop_storms; [ -n "${child:-}" ] && kill "$child" 2>/dev/null; rm -f "$out" "$err" "$child_out"' EXIT

ns_sysctl net.ipv4.tcp_tw_reuse 0
ns_sysctl net.ipv4.ip_local_port_range "32768 60999"

# A process in a namespace of its own, with a different port range and 25
# TIME_WAIT sockets; this (parent) namespace gets 70 of its own.
unshare -n sh -c '
	ip link set lo up
	echo 0 >/proc/sys/net/ipv4/tcp_tw_reuse
	echo "40000 40100" >/proc/sys/net/ipv4/ip_local_port_range
	exec "$0" --wait --port 9090 --count 25 --close client' "$TWSTORM" >"$child_out" &
child=$!
STORM_PIDS="$child"
tries=0
until grep -q ready "$child_out"; do
	tries=$((tries + 1))
	[ $tries -lt 100 ] || fail "the child namespace's storm did not start: $(cat "$child_out")"
	sleep 0.1
done
start_storm --port 8080 --count 70 --close client
child_inode=$(stat -L -c %i "/proc/$child/ns/net")
self_inode=$(stat -L -c %i /proc/self/ns/net)
[ "$child_inode" != "$self_inode" ] || fail "the child did not get its own namespace"

"$TWTUNE" --netns-pid "$child" check --fail-on none --format json >"$out" || fail "--netns-pid exited $?"
[ "$(jget "$out" '.sysctl."net.ipv4.ip_local_port_range"')" = "40000 40100" ] ||
	fail "--netns-pid: port range $(jget "$out" '.sysctl."net.ipv4.ip_local_port_range"'), expected the child's"
[ "$(jget "$out" .sockets.states.time_wait)" -eq 25 ] ||
	fail "--netns-pid: $(jget "$out" .sockets.states.time_wait) TIME_WAIT, expected the child's 25"
[ "$(jget "$out" .netns.inode)" = "$child_inode" ] || fail "--netns-pid: wrong netns.inode"
pass "--netns-pid: the child's range and its 25 TIME_WAIT sockets"

"$TWTUNE" check --fail-on none --format json >"$out" || fail "check exited $?"
[ "$(jget "$out" .sockets.states.time_wait)" -eq 70 ] || fail "parent: TIME_WAIT is not 70"
[ "$(jget "$out" '.sysctl."net.ipv4.ip_local_port_range"')" = "32768 60999" ] || fail "parent: range"
pass "parent: its own range and 70 TIME_WAIT sockets"

# A named namespace, by name.
ip netns add twt-named || fail "ip netns add"
ip netns exec twt-named sh -c 'echo 4096 >/proc/sys/net/ipv4/tcp_max_tw_buckets'
"$TWTUNE" --netns twt-named check --fail-on none --format json >"$out" || fail "--netns exited $?"
[ "$(jget "$out" .netns.name)" = twt-named ] || fail "--netns: netns.name"
[ "$(jget "$out" '.sysctl."net.ipv4.tcp_max_tw_buckets"')" = 4096 ] || fail "--netns: the namespace's value"
pass "--netns twt-named: its name and its own tcp_max_tw_buckets"

# Every namespace at once.
"$TWTUNE" check --all-netns --fail-on none --format json >"$out" || fail "--all-netns exited $?"
named_inode=$(stat -L -c %i /run/netns/twt-named)
for inode in "$self_inode" "$child_inode" "$named_inode"; do
	[ "$(jget "$out" "map(select(.netns.inode == $inode and .netns.inspected)) | length")" -eq 1 ] ||
		fail "--all-netns: namespace $inode missing or not inspected"
done
[ "$(jget "$out" "map(select(.netns.inode == $child_inode))[0].sockets.states.time_wait")" -eq 25 ] ||
	fail "--all-netns: the child's document does not carry its 25 TIME_WAIT"
[ "$(jget "$out" "map(select(.netns.inode == $self_inode))[0].netns.current")" = true ] ||
	fail "--all-netns: the starting namespace is not marked current"
pass "--all-netns: the test's three namespaces, each inspected once"
"$TWTUNE" check --all-netns --fail-on none >"$out" || fail "--all-netns text exited $?"
grep -Eq '^twt-named +0 +0 +idle +none$' "$out" || fail "--all-netns: no summary row for twt-named: $(tail -n 12 "$out")"
grep -q '=== network namespace twt-named' "$out" || fail "--all-netns: no report for twt-named"
pass "--all-netns: a report per namespace and a summary table"

# Without privilege: what cannot be entered is reported, with the reason;
# the namespace twtune runs in is still inspected.
if command -v setpriv >/dev/null 2>&1; then
	setpriv --reuid 65534 --regid 65534 --clear-groups --inh-caps=-all \
		"$TWTUNE" check --all-netns --fail-on none --format json >"$out" 2>"$err" ||
		fail "unprivileged --all-netns exited $?: $(cat "$err")"
	[ "$(jget "$out" "map(select(.netns.inode == $self_inode))[0].netns.inspected")" = true ] ||
		fail "unprivileged: the current namespace was not inspected"
	reason=$(jget "$out" "map(select(.netns.inode == $named_inode))[0].netns.reason")
	case "$reason" in
	*CAP_SYS_ADMIN*) pass "unprivileged: twt-named not inspected: $reason" ;;
	*) fail "unprivileged: twt-named reason is '$reason'" ;;
	esac
fi

# Bad input: exit 2, a message naming the culprit, nothing else done.
expect_refused() {
	pattern=$1
	shift
	status=0
	"$TWTUNE" "$@" check >"$out" 2>"$err" || status=$?
	[ "$status" -eq 2 ] || fail "twtune $*: exit $status, expected 2"
	grep -q -- "$pattern" "$err" || fail "twtune $*: stderr lacks '$pattern': $(cat "$err")"
	[ ! -s "$out" ] || fail "twtune $*: printed a report anyway"
	pass "twtune $* -> exit 2: $(head -n 1 "$err")"
}
expect_refused "no such network namespace" --netns twt-nonexistent
expect_refused "not a namespace name" --netns ../etc
expect_refused "no such process" --netns-pid 4194303
sh -c 'exit 0' &
gone=$!
wait "$gone"
expect_refused "--netns-pid $gone: no such process" --netns-pid "$gone"
expect_refused "not a process ID" --netns-pid 12abc
: >/run/netns/not-a-namespace
expect_refused "not a namespace file" --netns not-a-namespace
expect_refused "give one" --netns twt-named --netns-pid "$child"
status=0
"$TWTUNE" --netns twt-named check --all-netns >"$out" 2>"$err" || status=$?
[ "$status" -eq 2 ] || fail "--netns with --all-netns: exit $status"
pass "--netns with --all-netns -> exit 2"
