#!/bin/sh
# SPDX-License-Identifier: MIT
# apply on a schedule, on a real kernel in a throwaway namespace: every
# shipped profile and --recommended, applied under a TIME_WAIT storm,
# reaches a fixed point (the second run changes nothing, twenty runs leave
# the values of the first); a converged host that is quiet now is left as
# it is (exit 0, unchanged); two applies with different state directories
# are serialised by the namespace's lock. State and sysctl.d directories
# are temporary.
. "${TEST_SRCDIR:-.}/integration/lib.sh"
need_jq
[ -x "$TWSTORM" ] || fail "TWSTORM=$TWSTORM is not built"
command -v sysctl >/dev/null 2>&1 || skip "sysctl (procps) is not installed (contrib/setup.sh installs it)"

# Each scenario in a namespace of its own: a quiet host must be one that
# no storm has left TIME_WAIT sockets in.
in_scenarios --private-run "${1:-}" storm quiet

apply_workdir

ns_sysctl net.ipv4.tcp_tw_reuse 0
ns_sysctl net.ipv4.ip_local_port_range "40000 40999"
ns_sysctl net.ipv4.tcp_max_tw_buckets 512

case "$scenario" in
storm)
start_storm --port 8080 --count 600 --close client
start_storm --port 8081 --count 300 --close server
before=$(snapshot)

# Each source of settings, from the same starting point: run 1 may change
# things; runs 2 to 20 change nothing and leave run 1's values.
for source in "--profile client-heavy" "--profile server" "--profile nat-gateway" \
	"--profile kernel-defaults" "--recommended"; do
	# --force: the storms make the host mixed, which not every profile
	# takes (the source is two words on purpose)
	apply $source --force --format json
	[ "$status" -eq 0 ] || fail "$source, run 1: exit $status: $(cat "$err")"
	first=$(snapshot)
	file=$(cat "$sysd/90-twtune.conf" 2>/dev/null)
	run=2
	while [ "$run" -le 20 ]; do
		apply $source --force --format json
		[ "$status" -eq 0 ] || fail "$source, run $run: exit $status: $(cat "$err")"
		[ "$(jget "$out" .changed)" = false ] && [ "$(jget "$out" .status)" = unchanged ] ||
			fail "$source, run $run changed something: $(jget "$out" '.changes')"
		run=$((run + 1))
	done
	[ "$(snapshot)" = "$first" ] || fail "$source: after 20 runs $(snapshot), after 1 $first"
	[ "$(cat "$sysd/90-twtune.conf" 2>/dev/null)" = "$file" ] || fail "$source: the file moved"
	pass "$source under a storm: run 1 applied, runs 2-20 unchanged, the same values"
	# back to the start for the next source
	while "$TWTUNE" rollback --state-dir "$state" --sysctl-d "$sysd" >/dev/null 2>&1; do :; done
	[ "$(snapshot)" = "$before" ] || fail "rollbacks after $source: $(snapshot)"
done

;;
quiet)
# A converged client-heavy host that is quiet now (no storm): the settings
# are there, so nothing is refused and nothing changes.
apply --profile client-heavy --force --format json
[ "$status" -eq 0 ] && [ "$(jget "$out" .changed)" = true ] || fail "client-heavy --force: $(cat "$out")"
apply --profile client-heavy --format json
[ "$status" -eq 0 ] && [ "$(jget "$out" .status)" = unchanged ] ||
	fail "converged quiet host: exit $status: $(cat "$out") $(cat "$err")"
jget "$out" '.notes[]' | grep -q 'requires .* which this host does not meet' ||
	fail "the unmet requirement is not noted: $(jget "$out" .notes)"
apply --profile client-heavy --check --format json
[ "$status" -eq 0 ] && [ "$(jget "$out" .changed)" = false ] || fail "check mode on it: $(cat "$out")"
pass "converged client-heavy host, quiet now: exit 0, unchanged, the requirement noted"

# The same host drifts: the requirement gates the change, in check mode
# as in the real run, and the refusal is a JSON document.
ns_sysctl net.ipv4.tcp_tw_reuse 0
apply --profile client-heavy --check --format json
[ "$status" -eq 2 ] && [ "$(jget "$out" .status)" = refused ] &&
	jget "$out" .message | grep -q 'requires classification == "outbound-heavy"' ||
	fail "check mode on a drifted quiet host: exit $status: $(cat "$out")"
apply --profile client-heavy --format json
[ "$status" -eq 2 ] && [ "$(jget "$out" .status)" = refused ] && [ "$(sysctl -n net.ipv4.tcp_tw_reuse)" = 0 ] ||
	fail "real run on a drifted quiet host: exit $status: $(cat "$out")"
pass "a change on a host that does not meet the requirements: refused, in JSON, check mode alike"
while "$TWTUNE" rollback --state-dir "$state" --sysctl-d "$sysd" >/dev/null 2>&1; do :; done

# Check mode refuses what the real run would: a sysctl.d directory that
# does not exist.
status=0
"$TWTUNE" apply --state-dir "$state" --sysctl-d "$work/missing" --profile kernel-defaults --check \
	--format json >"$out" 2>"$err" || status=$?
[ "$status" -eq 2 ] && [ "$(jget "$out" .status)" = refused ] && grep -q "$work/missing" "$err" ||
	fail "check mode with a missing sysctl.d directory: exit $status: $(cat "$out")"
pass "check mode refuses a missing sysctl.d directory, as the real run does"

# Two applies with different state directories: the second waits for the
# first (the lock is the namespace's) and names it while it waits.
TWTUNE_TEST_PAUSE=after-write:1 "$TWTUNE" apply --state-dir "$work/state-a" --sysctl-d "$sysd" \
	--profile kernel-defaults >"$work/a.out" 2>"$work/a.err" &
first_pid=$!
tries=0
until grep -q 'test pause after-write' "$work/a.err"; do
	tries=$((tries + 1))
	[ $tries -lt 100 ] || fail "the first apply never paused: $(cat "$work/a.err")"
	sleep 0.1
done
status=0
"$TWTUNE" apply --state-dir "$work/state-b" --sysctl-d "$sysd" --profile kernel-defaults \
	--format json >"$out" 2>"$err" || status=$?
[ "$status" -eq 2 ] && grep -q "pid $first_pid (twtune) holds the lock" "$err" ||
	fail "a second apply with another state dir: exit $status: $(cat "$err")"
"$TWTUNE" apply --state-dir "$work/state-b" --sysctl-d "$sysd" --profile kernel-defaults \
	--format json >"$out" 2>"$err" &
second_pid=$!
sleep 1
kill -0 "$second_pid" 2>/dev/null || fail "the second apply did not wait: $(cat "$err")"
kill -9 "$first_pid"
wait "$first_pid" 2>/dev/null || true
status=0
wait "$second_pid" || status=$?
[ "$status" -eq 0 ] || fail "the second apply, once the first was gone: exit $status: $(cat "$err")"
pass "two applies with different state dirs: the second waits, names the first, then runs"
;;
esac
