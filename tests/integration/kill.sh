#!/bin/sh
# SPDX-License-Identifier: MIT
# SIGKILL at every point of a transaction, on a real kernel in a throwaway
# namespace: after the journal is written, after each key, after the file,
# after the commit, and in the middle of undoing a failed run. The next
# run recovers the host exactly: the old values and the file's old bytes
# when the kill came before the commit, the new ones after it (and a
# rollback then gives the old ones back). Then the path where undoing
# itself fails (two faults in one run): exit 3, and each key's state said.
. "${TEST_SRCDIR:-.}/integration/lib.sh"
need_jq
command -v sysctl >/dev/null 2>&1 || skip "sysctl (procps) is not installed (contrib/setup.sh installs it)"
in_throwaway_netns_and_run

apply_workdir
old_file='# kept by hand
net.core.somaxconn = 4096
'

# The host as a run leaves it: the knobs, and the persisted file's bytes.
host() {
	snapshot
	if [ -e "$sysd/90-twtune.conf" ]; then md5sum <"$sysd/90-twtune.conf"; else echo "no file"; fi
}

reset() {
	rm -rf "$state"
	ns_sysctl net.ipv4.tcp_tw_reuse 0
	ns_sysctl net.ipv4.ip_local_port_range "40000 40999"
	ns_sysctl net.ipv4.tcp_timestamps 1
	ns_sysctl net.ipv4.tcp_max_tw_buckets 4096
	printf '%s' "$old_file" >"$sysd/90-twtune.conf"
	chmod 644 "$sysd/90-twtune.conf"
}

# Run kernel-defaults (which puts back the keys reset() moved) with
# TWTUNE_TEST_PAUSE=$1 (and TWTUNE_TEST_FAULT=$2), and kill it with
# SIGKILL once it says it has paused there.
kill_at() {
	TWTUNE_TEST_PAUSE=$1 TWTUNE_TEST_FAULT=${2:-} \
		"$TWTUNE" apply --state-dir "$state" --sysctl-d "$sysd" --profile kernel-defaults \
		>"$out" 2>"$err" &
	pid=$!
	tries=0
	until grep -q "test pause ${1%%:*}" "$err"; do
		tries=$((tries + 1))
		if [ $tries -ge 100 ] || ! kill -0 $pid 2>/dev/null; then
			kill -9 $pid 2>/dev/null
			fail "$1: never paused: $(cat "$err")"
		fi
		sleep 0.1
	done
	kill -9 $pid
	wait $pid 2>/dev/null || :
}

# What the profile gives when it runs to the end.
reset
old=$(host)
apply --profile kernel-defaults --format json
[ "$status" -eq 0 ] || fail "a whole run: exit $status: $(cat "$err")"
new=$(host)
changes=$(jget "$out" '.changes | length')
[ "$old" != "$new" ] && [ "$changes" -ge 3 ] || fail "the profile changes too little to test: $changes"

points="after-journal"
i=1
while [ $i -le "$changes" ]; do
	points="$points after-write:$i"
	i=$((i + 1))
done
points="$points after-persist after-commit"
for point in $points; do
	reset
	kill_at "$point"
	# the next run of any kind recovers first; a refused rollback (nothing
	# committed to undo) still does
	status=0
	"$TWTUNE" rollback --state-dir "$state" --sysctl-d "$sysd" >"$out" 2>"$err" || status=$?
	if [ "$point" = after-commit ]; then
		[ "$status" -eq 0 ] && [ "$(host)" = "$old" ] ||
			fail "$point: the rollback of a committed run: exit $status, $(host)"
		pass "killed $point: committed, and rolled back exactly"
		continue
	fi
	[ "$status" -eq 2 ] && grep -q 'was interrupted' "$err" ||
		fail "$point: recovery not said: exit $status: $(cat "$err")"
	[ "$(host)" = "$old" ] || fail "$point: recovered to $(host), not to $old"
	# and an apply after recovery reaches the whole run's state
	apply --profile kernel-defaults
	[ "$status" -eq 0 ] && [ "$(host)" = "$new" ] || fail "$point: apply after recovery: $(host)"
	pass "killed $point: the next run recovers the old state exactly"
done

# Killed while undoing a failed run (the file fails, the keys are put back
# one by one): the next run finishes the undo.
reset
kill_at after-undo:1 persist
status=0
"$TWTUNE" rollback --state-dir "$state" --sysctl-d "$sysd" >"$out" 2>"$err" || status=$?
[ "$(host)" = "$old" ] || fail "killed while undoing: recovered to $(host)"
pass "killed while undoing a failed run: the next run finishes the undo"

# Two faults in one run: the file cannot be written, and then the first key
# cannot be put back. Exit 3, each key's state in the JSON.
reset
status=0
TWTUNE_TEST_FAULT=persist,undo:1 "$TWTUNE" apply --state-dir "$state" --sysctl-d "$sysd" \
	--profile kernel-defaults --format json >"$out" 2>"$err" || status=$?
[ "$status" -eq 3 ] && [ "$(jget "$out" .status)" = failed ] || fail "two faults: exit $status: $(cat "$out")"
[ "$(jq '[.changes[] | select(.state != null)] | length' "$out")" -eq "$changes" ] ||
	fail "two faults: not every key's state: $(jq -c .changes "$out")"
[ "$(jq '[.changes[] | select(.state | test("^holds .*, not the old"))] | length' "$out")" -eq 1 ] &&
	[ "$(jq '[.changes[] | select(.state | test("^restored to"))] | length' "$out")" -eq $((changes - 1)) ] ||
	fail "two faults: states $(jq -c '[.changes[].state]' "$out")"
grep -q 'The host is NOT as it was' "$out" || jq -r .message "$out" | grep -q 'NOT as it was' ||
	fail "two faults: the message does not say the host is not as it was"
pass "undo fails too: exit 3, one key left as it is, the others restored, each said"
