#!/bin/sh
# SPDX-License-Identifier: MIT
# Nothing twtune reads can make root do what twtune would not, on a real
# kernel in a throwaway namespace with a private /run: forged journal
# records (a key twtune never writes, a value with a second line in it, a
# persisted file of another name, directory or mode), an interrupted run
# forged with such a record, state directories others could write, and a
# FIFO where the persisted file goes. Each is refused or skipped with the
# path and the reason named, and the host is left byte for byte as it was.
. "${TEST_SRCDIR:-.}/integration/lib.sh"
need_jq
command -v sysctl >/dev/null 2>&1 || skip "sysctl (procps) is not installed (contrib/setup.sh installs it)"
command -v timeout >/dev/null 2>&1 || skip "timeout (coreutils) is not installed"
in_throwaway_netns_and_run

apply_workdir
ns="net:[$(stat -L -c %i /proc/self/ns/net)]" # as the journal names it

# The host as root sees it: the knobs, forwarding, and every file under
# the work directory (sysctl.d, the place a forged record points at).
host() {
	snapshot
	printf 'ip_forward = %s\n' "$(sysctl -n net.ipv4.ip_forward)"
	find "$work" \( -path "$state" -o -path "$out" -o -path "$err" \) -prune -o -print | sort |
	while read -r f; do
		printf '%s %s\n' "$f" "$(stat -c %a "$f")"
		[ -f "$f" ] && md5sum <"$f"
	done
}

# A committed apply record, as twtune writes one, with CHANGES and PERSIST
# spliced in (JSON text).
forge() { # ID STATUS CHANGES PERSIST
	mkdir -p "$state/journal"
	chmod 700 "$state" "$state/journal"
	cat >"$state/journal/$1.json" <<EOF
{"id": "$1", "kind": "apply", "status": "$2", "time": "2026-12-01T00:00:00Z",
 "namespace": "$ns", "proc_root": "/proc", "source": "profile forged", "target": null,
 "rolled_back_by": null, "changes": $3, "persist": $4, "message": ""}
EOF
	chmod 600 "$state/journal/$1.json"
}
b64() { printf '%s' "$1" | base64 -w0; }

rollback() {
	status=0
	"$TWTUNE" rollback --state-dir "$state" --sysctl-d "$sysd" --format json "$@" >"$out" 2>"$err" ||
		status=$?
}

ns_sysctl net.ipv4.ip_forward 0
ns_sysctl net.ipv4.tcp_tw_reuse 0
before=$(host)

# 1. forwarding is never a key twtune writes, whatever the journal says
forge 20261201T000001.000001Z committed \
	'[{"key": "net.ipv4.ip_forward", "old": "1", "new": "0", "state": null}]' null
rollback 20261201T000001.000001Z
[ "$status" -eq 2 ] && [ "$(jget "$out" .status)" = refused ] &&
	grep -q 'cannot be used: .*20261201T000001.000001Z.json: net.ipv4.ip_forward is not a key or value twtune ever writes' "$err" ||
	fail "forwarding record: exit $status: $(cat "$err")"
[ "$(host)" = "$before" ] || fail "forwarding record changed the host: $(host)"
pass "a record turning forwarding on: refused, named, nothing changed"

# 2. a value with a second line in it
forge 20261201T000002.000001Z committed \
	'[{"key": "net.ipv4.tcp_tw_reuse", "old": "1\nnet.ipv4.ip_forward=1", "new": "0", "state": null}]' null
rollback 20261201T000002.000001Z
[ "$status" -eq 2 ] && grep -q 'the old value of net.ipv4.tcp_tw_reuse: .*control character' "$err" ||
	fail "two-line value: exit $status: $(cat "$err")"
[ "$(host)" = "$before" ] || fail "two-line value changed the host"
pass "a value with a second line: refused, named, nothing changed"

# 3. a persisted file of another name, setuid, with a script in it
mkdir -p "$work/evil"
forge 20261201T000003.000001Z committed \
	'[{"key": "net.ipv4.tcp_tw_reuse", "old": "1", "new": "0", "state": null}]' \
	"{\"dir\": \"$work/evil\", \"name\": \"evil.sh\", \"old_base64\": \"$(b64 '#!/bin/sh
id > /tmp/owned
')\", \"new_base64\": null, \"mode\": 2541}"
before=$(host)
rollback 20261201T000003.000001Z
[ "$status" -eq 2 ] && grep -q "the persisted file is 'evil.sh', not twtune's 90-twtune.conf" "$err" ||
	fail "evil.sh record: exit $status: $(cat "$err")"
[ ! -e "$work/evil/evil.sh" ] && [ "$(host)" = "$before" ] || fail "evil.sh record wrote: $(ls -l "$work/evil")"
pass "a record naming another file: refused, nothing written"

# 4. twtune's file name, in a directory it is not configured for, setuid:
# the directory is never taken from the record
forge 20261201T000004.000001Z committed \
	'[{"key": "net.ipv4.tcp_tw_reuse", "old": "1", "new": "0", "state": null}]' \
	"{\"dir\": \"$work/evil\", \"name\": \"90-twtune.conf\", \"old_base64\": \"$(b64 'kernel.core_pattern = |/tmp/x
')\", \"new_base64\": null, \"mode\": 2541}"
rollback 20261201T000004.000001Z
[ "$status" -eq 2 ] && grep -q "persisted to $work/evil, not to $sysd; run rollback with --sysctl-d $work/evil" "$err" ||
	fail "other directory: exit $status: $(cat "$err")"
[ "$(host)" = "$before" ] || fail "other directory record wrote: $(host)"
pass "a record of another directory: refused, the --sysctl-d to use named"

# ... and in the configured one, its setuid mode is capped at 0644
forge 20261201T000005.000001Z committed \
	'[{"key": "net.ipv4.tcp_tw_reuse", "old": "1", "new": "0", "state": null}]' \
	"{\"dir\": \"$sysd\", \"name\": \"90-twtune.conf\", \"old_base64\": \"$(b64 'net.ipv4.tcp_tw_reuse = 1
')\", \"new_base64\": null, \"mode\": 2541}"
rollback 20261201T000005.000001Z
[ "$status" -eq 0 ] || fail "a well-formed record: exit $status: $(cat "$err")"
[ "$(stat -c %a "$sysd/90-twtune.conf")" = 644 ] && [ "$(sysctl -n net.ipv4.tcp_tw_reuse)" = 1 ] ||
	fail "restored with mode $(stat -c %a "$sysd/90-twtune.conf")"
pass "a well-formed record with mode 04755: restored as 0644"
rm -f "$sysd/90-twtune.conf" "$state"/journal/*
ns_sysctl net.ipv4.tcp_tw_reuse 0

# 5. an interrupted run forged with a key twtune never writes: any later
# apply, even one that changes nothing, skips it and says so
forge 20261201T000006.000001Z pending \
	'[{"key": "net.ipv4.ip_forward", "old": "1", "new": "0", "state": null}]' null
before=$(host)
status=0
"$TWTUNE" apply --state-dir "$state" --no-persist --profile kernel-defaults --format json >"$out" 2>"$err" ||
	status=$?
[ "$status" -eq 0 ] && jq -e '.notes[] | select(test("journal: skipped .*20261201T000006.000001Z.json"))' "$out" >/dev/null ||
	fail "forged pending record: exit $status: $(cat "$out" "$err")"
[ "$(sysctl -n net.ipv4.ip_forward)" = 0 ] || fail "the forged pending record was executed"
[ "$(jget "$out" '.recovered | length')" = 0 ] || fail "recovered: $(jget "$out" .recovered)"
pass "a forged interrupted run: skipped and said, never executed"
rm -f "$state"/journal/*

# 6. state directories root cannot trust
before=$(host)
chmod 777 "$state"
apply --profile kernel-defaults
[ "$status" -eq 2 ] && grep -q "$state is writable by group or others (mode 0777)" "$err" ||
	fail "world-writable state dir: exit $status: $(cat "$err")"
chmod 700 "$state"
chown 65534 "$state"
apply --profile kernel-defaults
[ "$status" -eq 2 ] && grep -q "$state belongs to uid 65534" "$err" || fail "foreign state dir: exit $status: $(cat "$err")"
chown 0 "$state"
mv "$state/journal" "$work/journal-elsewhere"
ln -s "$work/journal-elsewhere" "$state/journal"
apply --profile kernel-defaults
[ "$status" -eq 2 ] && grep -q "$state/journal is a symlink, not a directory" "$err" ||
	fail "symlinked journal: exit $status: $(cat "$err")"
rm "$state/journal"
mv "$work/journal-elsewhere" "$state/journal"
[ "$(host)" = "$before" ] || fail "a refused state directory changed the host"
pass "state directories others could write, or not root's, or symlinked: refused, named"

# 7. a FIFO where the persisted file goes: refused at once
mkfifo "$sysd/90-twtune.conf"
before=$(snapshot)
status=0
timeout 10 "$TWTUNE" apply --state-dir "$state" --sysctl-d "$sysd" --profile client-heavy --force \
	>"$out" 2>"$err" || status=$?
[ "$status" -eq 2 ] && grep -q "90-twtune.conf is a FIFO, not a regular file" "$err" ||
	fail "FIFO target: exit $status: $(cat "$err")"
[ "$(snapshot)" = "$before" ] || fail "FIFO target: a key was changed: $(snapshot)"
rm "$sysd/90-twtune.conf"
pass "a FIFO for the persisted file: refused at once, nothing changed"
