#!/bin/sh
# SPDX-License-Identifier: MIT
# The applier on a real kernel: a throwaway namespace's /proc/sys/net,
# checked with sysctl(8). apply client-heavy, apply again (nothing
# changes, nothing is written), rollback (every value exactly as before),
# kill -9 in the middle of a transaction and recover, refusals (profile
# requirements, privilege, the lock), check mode, overrides at boot.
# State and sysctl.d directories are temporary: the host's /etc and
# /var/lib are never touched.
. "${TEST_SRCDIR:-.}/integration/lib.sh"
need_jq
[ -x "$TWSTORM" ] || fail "TWSTORM=$TWSTORM is not built"
command -v sysctl >/dev/null 2>&1 || skip "sysctl (procps) is not installed (contrib/setup.sh installs it)"

in_scenarios --private-run "${1:-}" client server mixed

apply_workdir
journal_count() {
	ls "$state/journal" 2>/dev/null | wc -l
}

ns_sysctl net.ipv4.tcp_tw_reuse 0
ns_sysctl net.ipv4.ip_local_port_range "40000 40999"

case "$scenario" in
client)
	start_storm --port 8080 --count 600 --close client
	before=$(snapshot)

	apply --profile client-heavy --check --format json
	[ "$status" -eq 0 ] && [ "$(jget "$out" .changed)" = true ] && [ "$(jget "$out" .check_mode)" = true ] ||
		fail "check mode: exit $status, $(cat "$out")"
	[ "$(snapshot)" = "$before" ] && [ "$(journal_count)" -eq 0 ] && [ ! -e "$sysd/90-twtune.conf" ] ||
		fail "check mode changed something"
	pass "apply --check: the plan, nothing changed"

	apply --profile client-heavy --format json
	[ "$status" -eq 0 ] || fail "apply client-heavy: exit $status: $(cat "$err")"
	[ "$(jget "$out" .changed)" = true ] && [ "$(jget "$out" .status)" = committed ] || fail "apply: $(cat "$out")"
	[ "$(sysctl -n net.ipv4.tcp_tw_reuse)" = 1 ] || fail "sysctl: tcp_tw_reuse is $(sysctl -n net.ipv4.tcp_tw_reuse)"
	[ "$(sysctl -n net.ipv4.ip_local_port_range | tr '\t' ' ')" = "40000 65535" ] ||
		fail "sysctl: range is $(sysctl -n net.ipv4.ip_local_port_range)"
	grep -qx 'net.ipv4.tcp_tw_reuse = 1' "$sysd/90-twtune.conf" &&
		grep -qx 'net.ipv4.ip_local_port_range = 40000 65535' "$sysd/90-twtune.conf" ||
		fail "persisted file: $(cat "$sysd/90-twtune.conf")"
	[ "$(jget "$out" .persisted)" = "$sysd/90-twtune.conf" ] || fail "persisted path"
	txn=$(jget "$out" .transaction)
	pass "apply client-heavy: tcp_tw_reuse 0 -> 1, range 40000 40999 -> 40000 65535, persisted ($txn)"

	sum=$(md5sum "$sysd/90-twtune.conf")
	journals=$(journal_count)
	apply --profile client-heavy --format json
	[ "$status" -eq 0 ] && [ "$(jget "$out" .changed)" = false ] && [ "$(jget "$out" .transaction)" = null ] ||
		fail "second apply: exit $status: $(cat "$out")"
	[ "$(md5sum "$sysd/90-twtune.conf")" = "$sum" ] && [ "$(journal_count)" -eq "$journals" ] ||
		fail "second apply wrote something"
	pass "apply again: changed=false, no journal, file untouched"

	# In the order twtune(1) shows, options after the id (this was "rollback
	# takes at most one transaction id").
	"$TWTUNE" rollback "$txn" --state-dir "$state" --sysctl-d "$sysd" --check --format json >"$out" 2>"$err" ||
		fail "rollback ID --state-dir DIR --check: $(cat "$err")"
	[ "$(jget "$out" .check_mode)" = true ] && [ "$(jget "$out" .changed)" = true ] ||
		fail "rollback ID --state-dir DIR --check: $(cat "$out")"
	[ "$(md5sum "$sysd/90-twtune.conf")" = "$sum" ] || fail "rollback --check changed the file"
	pass "rollback ID --state-dir DIR --check --format json: options after the id are read"

	"$TWTUNE" rollback --state-dir "$state" --sysctl-d "$sysd" --format json >"$out" 2>"$err" || fail "rollback: $(cat "$err")"
	[ "$(jget "$out" .changed)" = true ] || fail "rollback: $(cat "$out")"
	[ "$(snapshot)" = "$before" ] || fail "rollback: values differ: $(snapshot)"
	[ ! -e "$sysd/90-twtune.conf" ] || fail "rollback: the file it created is still there"
	"$TWTUNE" history --state-dir "$state" --format json >"$out" || fail "history"
	[ "$(jget "$out" "map(select(.id == \"$txn\"))[0].rolled_back_by != null")" = true ] ||
		fail "history: $txn not marked rolled back"
	pass "rollback: every value exactly as before, file removed, history says so"

	# kill -9 between the first and the second write.
	TWTUNE_TEST_PAUSE=after-write:1 "$TWTUNE" apply --state-dir "$state" --sysctl-d "$sysd" \
		--profile client-heavy >"$out" 2>"$err" &
	victim=$!
	tries=0
	until grep -q 'test pause after-write' "$err"; do
		tries=$((tries + 1))
		[ $tries -lt 100 ] || fail "apply never paused: $(cat "$err")"
		sleep 0.1
	done
	# meanwhile the lock is held: a second apply waits, then refuses
	apply --profile client-heavy
	[ "$status" -eq 2 ] && grep -q 'another twtune apply or rollback is running' "$err" ||
		fail "a second apply while the lock is held: exit $status: $(cat "$err")"
	pass "a second apply during the first: exit 2, the lock named"
	kill -9 "$victim"
	wait "$victim" 2>/dev/null || true
	[ "$(sysctl -n net.ipv4.tcp_tw_reuse)" = 1 ] || fail "the killed apply did not write its first key"
	"$TWTUNE" check --state-dir "$state" --fail-on none --format json >"$out" 2>"$err" || true
	grep -q 'was interrupted' "$err" && [ "$(jget "$out" '.interrupted_transactions | length')" -eq 1 ] ||
		fail "check does not notice the interrupted transaction: $(cat "$err")"
	pass "kill -9 after the first write: check notices the interrupted transaction"
	apply --profile client-heavy --format json
	[ "$status" -eq 0 ] && [ "$(jget "$out" '.recovered | length')" -eq 1 ] || fail "recovery: $(cat "$out") $(cat "$err")"
	grep -q "tcp_tw_reuse restored to '0'" "$err" || fail "recovery did not say what it undid: $(cat "$err")"
	[ "$(sysctl -n net.ipv4.tcp_tw_reuse)" = 1 ] && [ "$(jget "$out" '.changes | length')" -eq 2 ] ||
		fail "after recovery the apply did not set both keys: $(cat "$out")"
	pass "the next apply undid the interrupted one first, then applied"
	"$TWTUNE" rollback --state-dir "$state" --sysctl-d "$sysd" >/dev/null 2>&1 || fail "rollback after recovery"
	[ "$(snapshot)" = "$before" ] || fail "after recovery and rollback: $(snapshot)"

	# A later sysctl.d file would undo the setting at boot: said so.
	printf 'net.ipv4.tcp_tw_reuse = 0\n' >"$sysd/95-local.conf"
	apply --profile client-heavy --format json
	[ "$status" -eq 0 ] || fail "apply with an override: exit $status"
	jget "$out" '.warnings[]' | grep -q "95-local.conf:1 sets net.ipv4.tcp_tw_reuse = 0 and is applied after 90-twtune.conf" ||
		fail "no warning about 95-local.conf: $(jget "$out" .warnings)"
	pass "a later file overriding a key at boot is named"
	"$TWTUNE" rollback --state-dir "$state" --sysctl-d "$sysd" >/dev/null 2>&1 || fail "rollback"
	# ... read as the kernel reads it: 01 is the 1 wanted; 3 is refused,
	# and then systemd-sysctl never writes ours either
	printf 'net.ipv4.tcp_tw_reuse = 01\n' >"$sysd/95-local.conf"
	apply --profile client-heavy --format json
	[ "$status" -eq 0 ] && [ "$(jget "$out" '[.warnings[] | select(test("95-local"))] | length')" = 0 ] ||
		fail "01 is 1 to the kernel, no override: $(jget "$out" .warnings)"
	"$TWTUNE" rollback --state-dir "$state" --sysctl-d "$sysd" >/dev/null 2>&1 || fail "rollback"
	printf 'net.ipv4.tcp_tw_reuse = 3\n' >"$sysd/95-local.conf"
	apply --profile client-heavy --format json
	jget "$out" '.warnings[]' | grep -q "95-local.conf:1 sets net.ipv4.tcp_tw_reuse = 3 and is applied after 90-twtune.conf: systemd-sysctl writes only that last assignment and the kernel refuses '3'.*keeps its default, not 1" ||
		fail "no warning about a refused override: $(jget "$out" .warnings)"
	"$TWTUNE" rollback --state-dir "$state" --sysctl-d "$sysd" >/dev/null 2>&1 || fail "rollback"
	printf 'net.ipv4.ip_local_port_range = 040000 65535\n' >"$sysd/95-local.conf"
	apply --profile client-heavy --format json
	jget "$out" '.warnings[]' | grep -q "95-local.conf:1 sets net.ipv4.ip_local_port_range = 040000 65535 and is applied after 90-twtune.conf: at boot net.ipv4.ip_local_port_range would be 16384 65535" ||
		fail "no warning about an octal port range: $(jget "$out" .warnings)"
	pass "a later file's value read as the kernel reads it: 01 is no override, 3 is refused, 040000 is 16384"
	"$TWTUNE" rollback --state-dir "$state" --sysctl-d "$sysd" >/dev/null 2>&1 || fail "rollback"
	rm "$sysd/95-local.conf"

	# Without privilege: refused before anything is written.
	if command -v setpriv >/dev/null 2>&1; then
		chmod 755 "$work"
		status=0
		setpriv --reuid 65534 --regid 65534 --clear-groups --inh-caps=-all \
			"$TWTUNE" apply --state-dir "$work/nobody" --sysctl-d "$sysd" --profile client-heavy \
			>"$out" 2>"$err" || status=$?
		[ "$status" -eq 2 ] && grep -q 'needs CAP_NET_ADMIN' "$err" || fail "unprivileged: exit $status: $(cat "$err")"
		[ "$(snapshot)" = "$before" ] || fail "unprivileged apply changed something"
		pass "unprivileged: exit 2, CAP_NET_ADMIN named, nothing changed"
	fi

	# kernel-defaults returns the knobs to this kernel's own values.
	status=0
	"$TWTUNE" apply --state-dir "$state" --no-persist --profile kernel-defaults >"$out" 2>"$err" || status=$?
	[ "$status" -eq 0 ] || fail "kernel-defaults: exit $status: $(cat "$err")"
	[ "$(sysctl -n net.ipv4.tcp_tw_reuse)" = 2 ] && [ "$(sysctl -n net.ipv4.ip_local_port_range | tr '\t' ' ')" = "32768 60999" ] ||
		fail "kernel-defaults: $(snapshot)"
	pass "kernel-defaults: tcp_tw_reuse 2, range 32768 60999"

	# The kernel checks ip_unprivileged_port_start and ip_local_port_range
	# against each other's current value: lowering both only works start
	# first, and the rollback only in the reverse order.
	mkdir "$work/profiles"
	cat >"$work/profiles/low-ports.profile" <<'PROFILE'
[profile low-ports]
title = a range starting below 1024
set   = net.ipv4.ip_local_port_range 1000 65535
set   = net.ipv4.ip_unprivileged_port_start 900
PROFILE
	status=0
	"$TWTUNE" --profiles "$work/profiles" apply --state-dir "$state" --no-persist --profile low-ports \
		>"$out" 2>"$err" || status=$?
	[ "$status" -eq 0 ] && [ "$(sysctl -n net.ipv4.ip_unprivileged_port_start)" = 900 ] &&
		[ "$(sysctl -n net.ipv4.ip_local_port_range | tr '\t' ' ')" = "1000 65535" ] ||
		fail "lowering start and range together: exit $status: $(cat "$err")"
	"$TWTUNE" rollback --state-dir "$state" --sysctl-d "$sysd" >"$out" 2>"$err" || fail "rollback of low-ports: $(cat "$err")"
	[ "$(sysctl -n net.ipv4.ip_unprivileged_port_start)" = 1024 ] &&
		[ "$(sysctl -n net.ipv4.ip_local_port_range | tr '\t' ' ')" = "32768 60999" ] ||
		fail "rollback of low-ports: $(snapshot)"
	pass "start and range lowered together (start first), and rolled back"
	;;
server)
	start_storm --port 8081 --count 600 --close server
	before=$(snapshot)
	apply --profile client-heavy
	[ "$status" -eq 2 ] && grep -q 'profile client-heavy requires' "$err" && grep -q 'inbound-heavy' "$err" ||
		fail "client-heavy on an inbound-heavy host: exit $status: $(cat "$err")"
	[ "$(snapshot)" = "$before" ] && [ "$(journal_count)" -eq 0 ] || fail "a refused apply changed something"
	pass "client-heavy on an inbound-heavy host: refused, says why, nothing changed"
	apply --profile client-heavy --force --format json
	[ "$status" -eq 0 ] && jget "$out" '.notes[]' | grep -q -- '--force: applying profile client-heavy' ||
		fail "--force: exit $status: $(cat "$out")"
	pass "--force applies it and says so"
	"$TWTUNE" rollback --state-dir "$state" --sysctl-d "$sysd" >/dev/null 2>&1 || fail "rollback"
	apply --recommended --format json
	[ "$status" -eq 0 ] || fail "apply --recommended: exit $status: $(cat "$err")"
	[ "$(jget "$out" '[.changes[] | select(.key == "net.ipv4.tcp_tw_reuse" and .new == "1")] | length')" -eq 0 ] ||
		fail "--recommended set tcp_tw_reuse=1 on an inbound-heavy host"
	pass "apply --recommended on an inbound-heavy host: no tcp_tw_reuse=1"
	;;
mixed)
	# A host that serves and also connects out, with the reuse it needs:
	# the server profile refuses it and says why; forced, it keeps reuse.
	ns_sysctl net.ipv4.tcp_tw_reuse 1
	start_storm --port 8080 --count 500 --close client
	start_storm --port 8081 --count 400 --close server
	before=$(snapshot)
	apply --profile server
	[ "$status" -eq 2 ] && grep -q 'it is mixed' "$err" &&
		grep -q 'Why: a mixed host also makes many outbound connections' "$err" ||
		fail "server on a mixed host: exit $status: $(cat "$err")"
	[ "$(snapshot)" = "$before" ] && [ "$(journal_count)" -eq 0 ] || fail "a refused apply changed something"
	pass "server on a mixed host: refused, says why, nothing changed"
	apply --profile server --force --format json
	[ "$status" -eq 0 ] || fail "server --force: exit $status: $(cat "$err")"
	[ "$(sysctl -n net.ipv4.tcp_tw_reuse)" = 1 ] &&
		[ "$(jget "$out" '[.changes[] | select(.key == "net.ipv4.tcp_tw_reuse")] | length')" -eq 0 ] ||
		fail "server --force touched tcp_tw_reuse: $(jget "$out" .changes)"
	pass "server --force on a mixed host: tcp_tw_reuse stays 1"
	;;
esac
