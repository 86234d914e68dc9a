#!/bin/sh
# SPDX-License-Identifier: MIT
# Who causes the churn: a named client process (a copy of twstorm called
# api-worker) leaves TIME_WAIT toward 127.0.0.1:8080 and holds five
# connections there; twtune check names it, with its pid and cgroup, in
# each scenario's own namespace.
#
# named: with --processes, in JSON, text and Prometheus, and in the finding
#   outbound-churn-owner; placed in a cgroup of its own named like a unit
#   (api-worker.service) where a writable cgroup v2 hierarchy allows, its
#   cgroup otherwise compared with /proc/PID/cgroup; not mapped without
#   pressure or with --no-processes; unprivileged, its sockets are counted
#   as not attributed, and the reason says EACCES.
# pressure: a narrow range makes the connect pressure worth explaining, so
#   the mapping happens unasked; with --sample, a second process that opens
#   its connections during the sample has them counted as new.
. "${TEST_SRCDIR:-.}/integration/lib.sh"

need_jq
[ -x "$TWSTORM" ] || fail "TWSTORM=$TWSTORM is not built"
in_scenarios "${1:-}" named pressure

work=$(mktemp -d)
report="$work/report"
cgroup_dir=
cleanup() {
	stop_storms
	if [ -n "$cgroup_dir" ]; then
		rmdir "$cgroup_dir/api-worker.service" "$cgroup_dir" 2>/dev/null ||
			echo "warning: could not remove $cgroup_dir" >&2
	fi
	rm -rf "$work"
}
trap cleanup EXIT

# A storm run by a copy of twstorm named $1 (its comm), the rest its
# arguments; its pid in $pid.
named_storm() {
	name=$1
	shift
	cp "$TWSTORM" "$work/$name"
	storm=$TWSTORM
	TWSTORM="$work/$name"
	start_storm "$@"
	TWSTORM=$storm
}

# The cgroup twtune should report for PID: the v2 line, unless it is the
# root while name=systemd says more (a hybrid host), else name=systemd's.
expected_cgroup() {
	v2=$(sed -n 's/^0:://p' "/proc/$1/cgroup")
	v1=$(sed -n 's/^[0-9]*:name=systemd://p' "/proc/$1/cgroup")
	if [ -n "$v2" ] && { [ "$v2" != / ] || [ -z "$v1" ] || [ "$v1" = / ]; }; then
		echo "$v2"
	else
		echo "$v1"
	fi
}

# Put PID in a throwaway cgroup named like a systemd service, under a
# writable cgroup v2 hierarchy; false when there is none.
place_in_unit() {
	root=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
	[ -n "$root" ] && [ -w "$root" ] || return 1
	dir="$root/twtune-test-$$.slice"
	mkdir -p "$dir/api-worker.service" 2>/dev/null || return 1
	cgroup_dir=$dir
	echo "$1" >"$dir/api-worker.service/cgroup.procs" 2>/dev/null
}

owner='.sockets.top_destinations[] | select(.port == 8080) | .owners[0]'

case "$scenario" in
named)
	named_storm api-worker --port 8080 --count 600 --hold 5 --close client
	[ "$STORM_OUT" = "opened 600 failed 0" ] || fail "storm: $STORM_OUT"
	worker=$pid
	unit=null
	if place_in_unit "$worker"; then
		unit=api-worker.service
		pass "api-worker placed in $(expected_cgroup "$worker")"
	else
		echo "note: no writable cgroup v2 hierarchy: the cgroup is compared only"
	fi
	cgroup=$(expected_cgroup "$worker")

	"$TWTUNE" check --format json --fail-on none >"$report" || fail "check exited $?"
	[ "$(jget "$report" .sockets.owners.attempted)" = false ] ||
		fail "mapped without pressure: $(jget "$report" .sockets.owners)"
	jget "$report" .sockets.owners.reason | grep -q '^no pressure worth explaining' ||
		fail "reason: $(jget "$report" .sockets.owners.reason)"
	[ "$(jget "$report" "$owner")" = null ] || fail "owners without mapping"
	"$TWTUNE" check --processes --no-processes --format json --fail-on none >"$report" ||
		fail "check exited $?"
	[ "$(jget "$report" .sockets.owners.reason)" = "turned off (--no-processes)" ] ||
		fail "--no-processes: $(jget "$report" .sockets.owners)"
	pass "not mapped without pressure, nor with --no-processes"

	"$TWTUNE" check --processes --format json --fail-on none >"$report" || fail "check exited $?"
	got=$(jget "$report" "$owner | \"\(.command) \(.pid) \(.connections) \(.unit)\"")
	[ "$got" = "api-worker $worker 5 $unit" ] ||
		fail "owner of 127.0.0.1:8080 is '$got', expected 'api-worker $worker 5 $unit'"
	[ "$(jget "$report" "$owner | .cgroup")" = "$cgroup" ] ||
		fail "cgroup $(jget "$report" "$owner | .cgroup"), /proc/$worker/cgroup says $cgroup"
	[ "$(jget "$report" '.sockets.owners | "\(.attempted) \(.attributed) \(.not_attributed)"')" = "true 5 0" ] ||
		fail "status: $(jget "$report" .sockets.owners)"
	pass "JSON: api-worker (pid $worker, cgroup $cgroup, unit $unit) holds 5 connections"
	f='.findings[] | select(.id == "outbound-churn-owner") | .summary'
	jget "$report" "$f" | grep -q "^api-worker (pid $worker.*) holds 5 of the 5 live connections to 127.0.0.1:8080, where this host leaves 595 TIME_WAIT" ||
		fail "finding: $(jget "$report" "$f")"
	pass "finding: $(jget "$report" "$f")"

	"$TWTUNE" check --processes --fail-on none >"$report" || fail "check exited $?"
	grep -q "^    owners: api-worker (pid $worker[,)].* 5 connections$" "$report" ||
		fail "text report: $(cat "$report")"
	"$TWTUNE" check --processes --format prometheus --fail-on none >"$report" ||
		fail "check exited $?"
	grep -q "^twtune_destination_owner_connections{destination=\"127.0.0.1:8080\",command=\"api-worker\",pid=\"$worker\",unit=\"[^\"]*\"} 5$" "$report" ||
		fail "prometheus: $(grep owner "$report")"
	pass "text and Prometheus name it too"

	if command -v setpriv >/dev/null 2>&1; then
		setpriv --reuid=65534 --regid=65534 --clear-groups \
			"$TWTUNE" check --processes --format json --fail-on none >"$report" ||
			fail "unprivileged check exited $?"
		[ "$(jget "$report" '.sockets.owners | "\(.attributed) \(.not_attributed)"')" = "0 5" ] ||
			fail "unprivileged: $(jget "$report" .sockets.owners)"
		[ "$(jget "$report" .sockets.owners.processes_unreadable)" -ge 1 ] ||
			fail "no unreadable process counted"
		jget "$report" .sockets.owners.not_attributed_reason | grep -q '^5 belong to other users.*EACCES' ||
			fail "reason: $(jget "$report" .sockets.owners.not_attributed_reason)"
		pass "unprivileged: $(jget "$report" .sockets.owners.not_attributed_reason)"
	else
		echo "note: no setpriv: the unprivileged check is left out"
	fi
	;;
pressure)
	# 600 of 1000 ports toward 127.0.0.1:8080: connect() pressure 60%
	ns_sysctl net.ipv4.ip_local_port_range "40000 40999"
	named_storm api-worker --port 8080 --count 600 --hold 5 --close client
	[ "$STORM_OUT" = "opened 600 failed 0" ] || fail "storm: $STORM_OUT"
	worker=$pid
	"$TWTUNE" check --sample 3 --format json --fail-on none >"$report" &
	check=$!
	sleep 1
	named_storm late-worker --port 8081 --count 20 --hold 4 --close client
	late=$pid
	wait "$check" || fail "check exited $?"
	[ "$(jget "$report" .sockets.owners.reason)" = "connect() pressure 60% >= 20%" ] ||
		fail "not mapped under pressure: $(jget "$report" .sockets.owners)"
	[ "$(jget "$report" "$owner | \"\(.command) \(.pid) \(.connections) \(.new_sockets)\"")" = "api-worker $worker 5 0" ] ||
		fail "api-worker: $(jget "$report" "$owner")"
	late_owner='.sockets.top_destinations[] | select(.port == 8081) | .owners[0]'
	[ "$(jget "$report" "$late_owner | \"\(.command) \(.pid) \(.connections) \(.new_sockets)\"")" = "late-worker $late 4 4" ] ||
		fail "late-worker: $(jget "$report" "$late_owner")"
	rate=$(jget "$report" "$late_owner | .new_per_second")
	interval=$(jget "$report" .sockets.owners.interval)
	awk -v r="$rate" -v i="$interval" 'BEGIN { exit !(i >= 3 && r > 0 && r * i > 3.9 && r * i < 4.1) }' ||
		fail "late-worker's rate $rate/s over $interval s"
	pass "mapped under pressure; with --sample, late-worker's 4 new sockets ($rate/s over $interval s)"
	;;
esac
