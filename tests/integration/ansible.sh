#!/bin/sh
# SPDX-License-Identifier: MIT
# The Ansible collection (contrib/ansible) with the real ansible-playbook,
# connection local, against a throwaway network namespace: the whole
# playbook run happens inside it, so the module's twtune inherits it.
# Ansible's verdict for each task (ok, changed, failed) is read from a
# JSON line per result (tests/integration/ansible/twtune_results.py); the
# kernel's values with sysctl(8). State, sysctl.d, Ansible's home and
# temporary directories are temporary: nothing is written to the host's
# /etc, /var/lib or ~/.ansible.
#
# Scenarios: docs (the module's documentation against its code, the
# collection's metadata), module (the module against a stand-in for
# twtune: arguments, and every kind of answer), netns (the netns and
# persist options), play (the real twtune: apply twice, check mode, diff
# mode, rollback, failures).
. "${TEST_SRCDIR:-.}/integration/lib.sh"
need_jq
command -v ansible-playbook >/dev/null 2>&1 ||
	skip "ansible-playbook is not installed (contrib/setup.sh installs ansible-core)"
command -v sysctl >/dev/null 2>&1 || skip "sysctl (procps) is not installed (contrib/setup.sh installs it)"

collections="$TEST_SRCDIR/../contrib/ansible"
collection="$collections/ansible_collections/twtune/twtune"
module="$collection/plugins/modules/twtune.py"

scenario=${1:-}
if [ -z "$scenario" ]; then
	sh "$0" docs || exit $?
	sh "$0" module || exit $?
	sh "$0" netns || exit $?
	exec sh "$0" play
fi
# apply's lock lives in /run/twtune: the play gets a private /run.
case "$scenario" in
docs | module) ;;
play | netns) in_throwaway_netns_and_run "$scenario" ;;
*) fail "unknown scenario $scenario" ;;
esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
had_dot_ansible=$([ -e "$HOME/.ansible" ] && echo yes || echo no)

# Ansible's own files go to $work; no ansible.cfg of the host or of the
# current directory is read.
mkdir "$work/home" "$work/tmp" "$work/remote-tmp"
: >"$work/ansible.cfg"
printf 'localhost ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n' >"$work/inventory"
ANSIBLE_CONFIG="$work/ansible.cfg"
ANSIBLE_HOME="$work/home"
ANSIBLE_LOCAL_TEMP="$work/tmp"
ANSIBLE_REMOTE_TEMP="$work/remote-tmp"
ANSIBLE_INVENTORY="$work/inventory"
ANSIBLE_COLLECTIONS_PATH="$collections"
ANSIBLE_CALLBACK_PLUGINS="$TEST_SRCDIR/integration/ansible"
ANSIBLE_CALLBACKS_ENABLED=twtune_results
ANSIBLE_NOCOLOR=1
ANSIBLE_LOCALHOST_WARNING=false
PYTHONDONTWRITEBYTECODE=1
TWTUNE_RESULTS="$work/results.jsonl"
export ANSIBLE_CONFIG ANSIBLE_HOME ANSIBLE_LOCAL_TEMP ANSIBLE_REMOTE_TEMP ANSIBLE_INVENTORY \
	ANSIBLE_COLLECTIONS_PATH ANSIBLE_CALLBACK_PLUGINS ANSIBLE_CALLBACKS_ENABLED ANSIBLE_NOCOLOR \
	ANSIBLE_LOCALHOST_WARNING PYTHONDONTWRITEBYTECODE TWTUNE_RESULTS
# The module finds twtune on PATH, as on a managed host.
PATH="$(dirname "$TWTUNE"):$PATH"
export PATH

# playbook NAME [ansible-playbook options]: run $work/NAME.yml; its exit
# status in $status, its output in $work/NAME.log, its task results (one
# JSON object a line: task, outcome, result) in $work/NAME.jsonl.
playbook() {
	name=$1
	shift
	: >"$TWTUNE_RESULTS"
	status=0
	ansible-playbook "$@" "$work/$name.yml" >"$work/$name.log" 2>&1 || status=$?
	cp "$TWTUNE_RESULTS" "$work/$name.jsonl"
	last=$name
}
# keep NAME: keep the last run's log and results as NAME's, to look at later.
keep() {
	cp "$work/$last.jsonl" "$work/$1.jsonl"
	cp "$work/$last.log" "$work/$1.log"
}
# res [TASK] EXPR: jq EXPR over the result of TASK (default: the only one)
# of the last playbook run: .outcome is ok, changed, failed or skipped.
res() {
	if [ $# -eq 2 ]; then
		jq -r --arg t "$1" "select(.task == \$t) | $2" "$work/$last.jsonl"
	else
		jq -r -s ".[0] | $1" "$work/$last.jsonl"
	fi
}
# recap KEY: the count Ansible's PLAY RECAP gives for localhost.
recap() {
	sed -n "s/^localhost *:.* $1=\([0-9]*\).*/\1/p" "$work/$last.log"
}
show() {
	echo "--- $work/$last.log"
	cat "$work/$last.log"
	echo "--- results"
	cat "$work/$last.jsonl"
}
expect() {
	[ "$status" -eq "$1" ] || {
		show
		fail "$2: ansible-playbook exited $status, not $1"
	}
}

# Nothing may have gone to ~/.ansible; called last in each scenario.
home_untouched() {
	[ "$had_dot_ansible" = yes ] || [ ! -e "$HOME/.ansible" ] || fail "ansible wrote $HOME/.ansible"
}

# ---------------------------------------------------------------- docs
if [ "$scenario" = docs ]; then
	# DOCUMENTATION, EXAMPLES and RETURN parse; the documented options are
	# the argument spec's, with the same types, defaults and choices; the
	# examples use only those options.
	/usr/bin/python3 - "$module" >"$work/out" 2>&1 <<'PY' || fail "module documentation: $(cat "$work/out")"
import importlib.util
import sys

import yaml

spec = importlib.util.spec_from_file_location("twtune_module", sys.argv[1])
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
doc = yaml.safe_load(mod.DOCUMENTATION)
examples = yaml.safe_load(mod.EXAMPLES)
returns = yaml.safe_load(mod.RETURN)
problems = []
if doc.get("module") != "twtune":
    problems.append("module: %r" % doc.get("module"))
documented, coded = doc["options"], mod.ARGUMENT_SPEC
if set(documented) != set(coded):
    problems.append("options: documented %s, coded %s" % (sorted(documented), sorted(coded)))
for name in set(documented) & set(coded):
    d, c = documented[name], coded[name]
    for field in ("type", "default", "choices", "required"):
        if d.get(field) != c.get(field):
            problems.append("%s.%s: documented %r, coded %r" % (name, field, d.get(field), c.get(field)))
    if not d.get("description"):
        problems.append("%s: no description" % name)
for task in examples:
    args = task.get("twtune.twtune.twtune")
    if not isinstance(args, dict) or not task.get("name"):
        problems.append("example %r" % task.get("name"))
        continue
    problems += ["example %r: unknown option %s" % (task["name"], k) for k in args if k not in coded]
for key in ("status", "transaction", "changes", "skipped_keys", "warnings", "notes", "persisted", "message"):
    if key not in returns or not returns[key].get("description") or "returned" not in returns[key]:
        problems.append("RETURN lacks %s" % key)
for key in mod.PASSED_ON:
    if key not in returns:
        problems.append("RETURN lacks %s, which the module returns" % key)
print("\n".join(problems))
sys.exit(1 if problems else 0)
PY
	pass "the module's documentation and argument spec agree; examples and returns parse"

	ansible-doc twtune.twtune.twtune >"$work/out" 2>"$work/err" || fail "ansible-doc: $(cat "$work/err")"
	grep -q '^> TWTUNE.TWTUNE.TWTUNE' "$work/out" && grep -q '^OPTIONS' "$work/out" &&
		grep -q '^EXAMPLES' "$work/out" && grep -q '^RETURN VALUES' "$work/out" ||
		fail "ansible-doc rendered: $(cat "$work/out")"
	! grep -qi 'warning\|error' "$work/err" || fail "ansible-doc: $(cat "$work/err")"
	ansible-doc -l twtune.twtune >"$work/out" 2>"$work/err" && grep -q '^twtune.twtune.twtune ' "$work/out" ||
		fail "ansible-doc -l: $(cat "$work/out" "$work/err")"
	pass "ansible-doc twtune.twtune.twtune renders, and lists it"

	version=$("$TWTUNE" --version | awk '{ print $NF; exit }')
	grep -qx "version: $version" "$collection/galaxy.yml" || fail "galaxy.yml's version is not twtune's $version"
	grep -q '^requires_ansible: ">=2.14.0"' "$collection/meta/runtime.yml" || fail "meta/runtime.yml"
	(cd "$collection" && ansible-galaxy collection build --output-path "$work" .) >"$work/out" 2>&1 ||
		fail "ansible-galaxy collection build: $(cat "$work/out")"
	tar tzf "$work/twtune-twtune-$version.tar.gz" | grep -qx 'plugins/modules/twtune.py' ||
		fail "the built collection lacks the module"
	pass "galaxy.yml carries twtune's version ($version) and builds"
	home_untouched
	exit 0
fi

# ---------------------------------------------------------------- module
# The module's side of the contract, with a stand-in for twtune that
# prints what the task's environment names and logs its arguments: the
# command line each option makes, and how each answer (JSON or not, exit
# status, the diff) becomes Ansible's result. Needs no root.
if [ "$scenario" = module ]; then
	stub="$work/stub"
	mkdir "$stub"
	cat >"$stub/twtune" <<'STUB'
#!/bin/sh
printf '%s\n' "$*" >>"$STUB_LOG"
for a in "$@"; do
	[ "$a" = history ] && exec cat "$STUB_HISTORY"
done
[ -z "${STUB_ERR:-}" ] || printf '%s\n' "$STUB_ERR" >&2
cat "$STUB_OUT"
exit "${STUB_RC:-0}"
STUB
	chmod +x "$stub/twtune"
	cat >"$stub/check-diff.json" <<'JSON'
{"changed": true, "check_mode": true, "transaction": null, "status": "check", "source": "profile client-heavy",
 "changes": [{"key": "net.ipv4.tcp_tw_reuse", "old": "0", "new": "1"},
             {"key": "net.ipv4.ip_local_port_range", "old": "32768 60999", "new": "1024 65535"}],
 "skipped": [{"key": "net.ipv4.ip_local_reserved_ports", "reason": "no listener to reserve"}],
 "persisted": "/srv/sysctl.d/90-twtune.conf",
 "warnings": ["/srv/sysctl.d/95-local.conf:1 sets net.ipv4.tcp_tw_reuse = 0 and is applied after 90-twtune.conf"],
 "recovered": ["20261101T000000.000001Z"], "notes": ["a note"], "message": null,
 "diff": {"path": "/srv/sysctl.d/90-twtune.conf", "before": null,
          "after": "net.ipv4.tcp_tw_reuse = 1\nnet.ipv4.ip_local_port_range = 1024 65535\n"}}
JSON
	cat >"$stub/unchanged.json" <<'JSON'
{"changed": false, "check_mode": false, "transaction": null, "status": "unchanged", "source": "recommended",
 "changes": [], "skipped": [], "persisted": null, "warnings": [], "recovered": [], "notes": [], "message": null,
 "diff": null}
JSON
	cat >"$stub/not-restored.json" <<'JSON'
{"changed": false, "check_mode": false, "transaction": "20261101T000000.000002Z", "status": "failed",
 "source": "profile server", "changes": [{"key": "net.ipv4.tcp_fin_timeout", "old": "60", "new": "30"}],
 "skipped": [], "persisted": null, "warnings": [], "recovered": [], "notes": [],
 "message": "writing net.ipv4.tcp_max_tw_buckets failed; net.ipv4.tcp_fin_timeout could not be restored: it is 30, was 60",
 "diff": null}
JSON
	cat >"$stub/refused.json" <<'JSON'
{"changed": false, "check_mode": false, "transaction": null, "status": "refused", "source": "profile server",
 "changes": [], "skipped": [], "persisted": null, "warnings": [], "recovered": [], "notes": [],
 "message": "another twtune apply or rollback is running (lock /var/lib/twtune/lock); nothing was changed",
 "diff": null}
JSON
	cat >"$stub/rollback.json" <<'JSON'
{"changed": true, "check_mode": false, "transaction": "20261101T000000.000009Z", "status": "committed",
 "source": "rollback of A2", "changes": [{"key": "net.ipv4.tcp_tw_reuse", "old": "1", "new": "0"}],
 "skipped": [], "persisted": "/srv/sysctl.d/90-twtune.conf", "warnings": [], "recovered": [], "notes": [],
 "message": null,
 "diff": {"path": "/srv/sysctl.d/90-twtune.conf", "before": "net.ipv4.tcp_tw_reuse = 1\n", "after": null}}
JSON
	printf 'this is not JSON\n' >"$stub/garbage.txt"
	: >"$stub/empty.txt"
	printf '[]\n' >"$stub/history-empty.json"
	cat >"$stub/history.json" <<'JSON'
[{"id": "A1", "kind": "apply", "status": "committed", "source": "profile server", "rolled_back_by": "R1"},
 {"id": "R1", "kind": "rollback", "status": "committed", "source": "rollback of A1", "rolled_back_by": null},
 {"id": "A2", "kind": "apply", "status": "committed", "source": "profile server", "rolled_back_by": null},
 {"id": "A3", "kind": "apply", "status": "rolled-back", "source": "profile server", "rolled_back_by": null}]
JSON
	jq '.[2].rolled_back_by = "R2"' "$stub/history.json" >"$stub/history-undone.json"

	# task NAME ENV... -- OPTIONS...: one task of the stub play.
	: >"$work/module.yml.tasks"
	task() {
		name=$1
		shift
		printf '    - name: %s\n      ignore_errors: true\n      environment:\n' "$name"
		printf '        STUB_LOG: %s/%s.args\n' "$stub" "$(echo "$name" | tr ' ,' '__')"
		while [ "$1" != -- ]; do
			printf '        %s\n' "$1"
			shift
		done
		shift
		printf '      twtune.twtune.twtune:\n        twtune: %s/twtune\n' "$stub"
		for o in "$@"; do printf '        %s\n' "$o"; done
	}
	args() {
		cat "$stub/$(echo "$1" | tr ' ,' '__').args"
	}
	{
		printf -- '- name: The module against a stand-in\n  hosts: localhost\n  gather_facts: false\n  tasks:\n'
		task "check and diff" "STUB_OUT: $stub/check-diff.json" -- \
			"profile: client-heavy" "force: true" "sysctl_d: /srv/sysctl.d" "state_dir: /srv/state" "netns: blue"
		printf '      check_mode: true\n      diff: true\n'
		task "unchanged" "STUB_OUT: $stub/unchanged.json" -- "recommended: true" "persist: false"
		printf '      diff: true\n'
		task "not restored" "STUB_OUT: $stub/not-restored.json" "STUB_RC: 3" -- "profile: server"
		task "refused" "STUB_OUT: $stub/refused.json" "STUB_RC: 2" -- "profile: server"
		task "not JSON" "STUB_OUT: $stub/garbage.txt" "STUB_ERR: a word on stderr" -- "profile: server"
		task "usage error" "STUB_OUT: $stub/empty.txt" "STUB_RC: 2" \
			"STUB_ERR: \"twtune: unknown option '--diff'\"" -- "profile: server"
		task "rollback, the last" "STUB_OUT: $stub/rollback.json" "STUB_HISTORY: $stub/history.json" -- \
			"state: rolled_back" "sysctl_d: /srv/sysctl.d" "state_dir: /srv/state"
		printf '      diff: true\n'
		task "rollback, the last, undone" "STUB_HISTORY: $stub/history-undone.json" -- "state: rolled_back"
		task "rollback A1, undone" "STUB_HISTORY: $stub/history.json" -- "state: rolled_back" "transaction: A1"
		task "rollback, empty journal" "STUB_HISTORY: $stub/history-empty.json" -- "state: rolled_back"
		task "rollback elsewhere" "STUB_OUT: $stub/refused.json" "STUB_RC: 2" \
			"STUB_HISTORY: $stub/history-empty.json" -- "state: rolled_back" "transaction: Z9"
	} >"$work/module.yml"
	playbook module
	expect 0 "the stub play (errors ignored)"

	t="check and diff"
	[ "$(args "$t")" = "--netns blue apply --profile client-heavy --force --sysctl-d /srv/sysctl.d --state-dir /srv/state --check --diff --format json" ] ||
		fail "$t: twtune ran with: $(args "$t")"
	[ "$(res "$t" .outcome)" = changed ] && [ "$(res "$t" .result.status)" = check ] &&
		[ "$(res "$t" '.result.skipped_keys[0].key')" = net.ipv4.ip_local_reserved_ports ] &&
		[ "$(res "$t" '.result.recovered[0]')" = 20261101T000000.000001Z ] &&
		[ "$(res "$t" '.result.notes[0]')" = "a note" ] &&
		[ "$(res "$t" .result.persisted)" = /srv/sysctl.d/90-twtune.conf ] || fail "$t: $(res "$t" .result)"
	[ "$(res "$t" '.result.diff[0] | [.before_header, .after_header] | join(",")')" = "network namespace blue,network namespace blue" ] &&
		[ "$(res "$t" '.result.diff[0].before')" = "net.ipv4.tcp_tw_reuse = 0
net.ipv4.ip_local_port_range = 32768 60999" ] &&
		[ "$(res "$t" '.result.diff[0].after')" = "net.ipv4.tcp_tw_reuse = 1
net.ipv4.ip_local_port_range = 1024 65535" ] ||
		fail "$t: the keys' diff: $(res "$t" '.result.diff[0]')"
	[ "$(res "$t" '.result.diff[1] | [.before_header, .after_header, .before] | join(",")')" = "/srv/sysctl.d/90-twtune.conf (absent),/srv/sysctl.d/90-twtune.conf," ] &&
		[ "$(res "$t" '.result.diff[1].after')" = "net.ipv4.tcp_tw_reuse = 1
net.ipv4.ip_local_port_range = 1024 65535" ] || fail "$t: the file's diff: $(res "$t" '.result.diff[1]')"
	grep -q '^+++ after: /srv/sysctl.d/90-twtune.conf$' "$work/$last.log" &&
		grep -q '^+net.ipv4.ip_local_port_range = 1024 65535$' "$work/$last.log" ||
		fail "$t: ansible-playbook showed no diff"
	grep -q 'WARNING.*95-local.conf:1 sets net.ipv4.tcp_tw_reuse = 0' "$work/$last.log" ||
		fail "$t: twtune's warning is no Ansible warning: $(cat "$work/$last.log")"
	pass "$t: options to arguments; the keys' and the file's diff; warnings, notes, skipped_keys, recovered"

	t=unchanged
	[ "$(args "$t")" = "apply --recommended --no-persist --diff --format json" ] && [ "$(res "$t" .outcome)" = ok ] &&
		[ "$(res "$t" '.result.diff | length')" = 0 ] || fail "$t: $(args "$t"): $(res "$t" .result)"
	pass "recommended, persist: false: --recommended --no-persist; unchanged is ok"

	t="not restored"
	[ "$(res "$t" .outcome)" = failed ] && [ "$(res "$t" .result.changed)" = true ] &&
		[ "$(res "$t" .result.rc)" = 3 ] && [ "$(res "$t" .result.status)" = failed ] &&
		res "$t" .result.msg | grep -q 'could not be restored: it is 30, was 60' || fail "$t: $(res "$t" .result)"
	pass "exit 3: failed and changed, twtune's message in msg"
	t=refused
	[ "$(res "$t" .outcome)" = failed ] && [ "$(res "$t" .result.changed)" = false ] &&
		[ "$(res "$t" .result.status)" = refused ] && res "$t" .result.msg | grep -q '^another twtune apply' ||
		fail "$t: $(res "$t" .result)"
	pass "exit 2 with JSON: failed, not changed, the JSON's message in msg"
	t="not JSON"
	[ "$(res "$t" .outcome)" = failed ] && res "$t" .result.msg | grep -q 'printed no JSON object: a word on stderr' ||
		fail "$t: $(res "$t" .result)"
	t="usage error"
	[ "$(res "$t" .outcome)" = failed ] && [ "$(res "$t" .result.msg)" = "twtune: unknown option '--diff'" ] ||
		fail "$t: $(res "$t" .result)"
	pass "no JSON on stdout: failed with stderr in msg, exit 0 included"

	t="rollback, the last"
	[ "$(args "$t")" = "history --state-dir /srv/state --format json
rollback --sysctl-d /srv/sysctl.d --state-dir /srv/state --diff --format json A2" ] || fail "$t: twtune ran with: $(args "$t")"
	[ "$(res "$t" .outcome)" = changed ] && [ "$(res "$t" '.result.diff[0].after')" = "net.ipv4.tcp_tw_reuse = 0" ] &&
		[ "$(res "$t" '.result.diff[1].after_header')" = "/srv/sysctl.d/90-twtune.conf (absent)" ] ||
		fail "$t: $(res "$t" .result)"
	pass "$t: the last committed apply (A2; not the failed A3) by id, after the options; its diff"
	t="rollback, the last, undone"
	[ "$(args "$t")" = "history --format json" ] && [ "$(res "$t" .outcome)" = ok ] &&
		res "$t" .result.message | grep -q 'A2 was rolled back already, by R2' || fail "$t: $(args "$t"): $(res "$t" .result)"
	t="rollback A1, undone"
	[ "$(args "$t")" = "history --format json" ] && [ "$(res "$t" .outcome)" = ok ] &&
		[ "$(res "$t" .result.source)" = "rollback of A1" ] || fail "$t: $(res "$t" .result)"
	t="rollback, empty journal"
	[ "$(res "$t" .outcome)" = ok ] && res "$t" .result.message | grep -q '^nothing to roll back' ||
		fail "$t: $(res "$t" .result)"
	pass "rollback of what is undone already, or of nothing: ok, twtune rollback not run"
	t="rollback elsewhere"
	[ "$(args "$t" | tail -n 1)" = "rollback --format json Z9" ] && [ "$(res "$t" .outcome)" = failed ] ||
		fail "$t: $(args "$t"): $(res "$t" .result)"
	pass "a transaction this namespace's journal lacks: left to twtune to refuse"
	home_untouched
	exit 0
fi

# ---------------------------------------------------------------- the kernel
state="$work/state"
sysd="$work/sysctl.d"
mkdir -p "$sysd" "$state"
conf="$sysd/90-twtune.conf"
knobs="net.ipv4.tcp_tw_reuse net.ipv4.ip_local_port_range net.ipv4.ip_local_reserved_ports
	net.ipv4.tcp_max_tw_buckets net.ipv4.tcp_fin_timeout net.ipv4.tcp_timestamps"
snapshot() {
	for k in $knobs; do printf '%s = %s\n' "$k" "$(sysctl -n "$k")"; done
}
journal_count() {
	ls "$state/journal" 2>/dev/null | wc -l
}
file_sum() {
	if [ -e "$conf" ]; then md5sum <"$conf"; else echo none; fi
}

# One task, the play the fleet runs every hour.
cat >"$work/apply.yml" <<EOF
- name: TIME_WAIT knobs
  hosts: localhost
  gather_facts: false
  tasks:
    - name: client-heavy
      twtune.twtune.twtune:
        profile: client-heavy
        force: true
        sysctl_d: $sysd
        state_dir: $state
EOF
cat >"$work/rollback.yml" <<EOF
- name: Undo
  hosts: localhost
  gather_facts: false
  tasks:
    - name: rollback
      twtune.twtune.twtune:
        state: rolled_back
        sysctl_d: $sysd
        state_dir: $state
        transaction: "{{ txn | default(omit) }}"
EOF

# ---------------------------------------------------------------- netns
if [ "$scenario" = netns ]; then
	ip netns add twtest || fail "ip netns add"
	ns_sysctl net.ipv4.tcp_tw_reuse 0
	ip netns exec twtest sysctl -q -w net.ipv4.tcp_tw_reuse=0 || fail "ip netns exec twtest sysctl"
	cat >"$work/netns.yml" <<EOF
- name: A named namespace, running kernel only
  hosts: localhost
  gather_facts: false
  tasks:
    - name: apply in twtest
      twtune.twtune.twtune:
        netns: twtest
        profile: client-heavy
        force: true
        persist: false
        state_dir: $state
EOF
	playbook netns
	expect 0 "netns"
	[ "$(res .outcome)" = changed ] && [ "$(res .result.persisted)" = null ] ||
		fail "netns: $(res .result)"
	[ "$(ip netns exec twtest sysctl -n net.ipv4.tcp_tw_reuse)" = 1 ] ||
		fail "twtest's tcp_tw_reuse is $(ip netns exec twtest sysctl -n net.ipv4.tcp_tw_reuse)"
	[ "$(sysctl -n net.ipv4.tcp_tw_reuse)" = 0 ] || fail "the namespace the play ran in was changed"
	[ -z "$(ls "$sysd")" ] || fail "persist: false wrote $(ls "$sysd")"
	pass "netns: twtest changed, the play's own namespace not; persist: false wrote no file"

	# The play's own namespace has no apply of its own in the journal.
	playbook rollback
	expect 0 "rollback outside twtest"
	[ "$(res .outcome)" = ok ] && res .result.message | grep -q 'nothing to roll back' ||
		fail "rollback outside twtest: $(res .result)"
	cat >"$work/rollback-twtest.yml" <<EOF
- name: Undo in twtest
  hosts: localhost
  gather_facts: false
  tasks:
    - name: rollback in twtest
      twtune.twtune.twtune:
        state: rolled_back
        netns: twtest
        state_dir: $state
EOF
	playbook rollback-twtest
	expect 0 "rollback in twtest"
	[ "$(res .outcome)" = changed ] && [ "$(ip netns exec twtest sysctl -n net.ipv4.tcp_tw_reuse)" = 0 ] ||
		fail "rollback in twtest: $(res .result)"
	pass "netns: rollback finds the apply of twtest only, and undoes it there"
	ip netns delete twtest
	home_untouched
	exit 0
fi

# ---------------------------------------------------------------- play
ns_sysctl net.ipv4.tcp_tw_reuse 0
ns_sysctl net.ipv4.ip_local_port_range "40000 40999"
before=$(snapshot)

# Run 1 changes, run 2 does not.
playbook apply
expect 0 "run 1"
[ "$(res .outcome)" = changed ] && [ "$(res .result.status)" = committed ] ||
	fail "run 1: $(res .result)"
[ "$(recap changed)" = 1 ] || fail "run 1: PLAY RECAP says changed=$(recap changed)"
[ "$(res '.result.changes[] | select(.key == "net.ipv4.tcp_tw_reuse") | .old + " -> " + .new')" = "0 -> 1" ] ||
	fail "run 1 changes: $(res .result.changes)"
res '.result.notes[]' | grep -q -- '--force: applying profile client-heavy' || fail "run 1 notes: $(res .result.notes)"
[ "$(sysctl -n net.ipv4.tcp_tw_reuse)" = 1 ] || fail "sysctl: tcp_tw_reuse is $(sysctl -n net.ipv4.tcp_tw_reuse)"
grep -qx 'net.ipv4.tcp_tw_reuse = 1' "$conf" && [ "$(res .result.persisted)" = "$conf" ] ||
	fail "run 1 persisted: $(res .result.persisted)"
txn1=$(res .result.transaction)
[ "$txn1" != null ] || fail "run 1 has no transaction"
[ "$(res .result.rc)" = 0 ] && res .result.cmd | grep -q '"--format"' || fail "run 1 rc, cmd: $(res .result)"
pass "run 1: changed, committed ($txn1), tcp_tw_reuse 0 -> 1, persisted"

sum=$(file_sum)
journals=$(journal_count)
playbook apply
expect 0 "run 2"
[ "$(res .outcome)" = ok ] && [ "$(res .result.status)" = unchanged ] && [ "$(res .result.transaction)" = null ] ||
	fail "run 2: $(res .result)"
[ "$(recap changed)" = 0 ] && [ "$(recap ok)" = 1 ] || fail "run 2: PLAY RECAP $(grep '^localhost' "$work/$last.log")"
[ "$(file_sum)" = "$sum" ] && [ "$(journal_count)" -eq "$journals" ] || fail "run 2 wrote something"
pass "run 2: ok, not changed, nothing written"

# Drift: check mode reports it and changes nothing.
sysctl -w net.ipv4.tcp_tw_reuse=0 >/dev/null || fail "sysctl -w"
playbook apply --check
expect 0 "check mode"
[ "$(res .outcome)" = changed ] && [ "$(res .result.status)" = check ] && [ "$(res .result.transaction)" = null ] ||
	fail "check mode: $(res .result)"
[ "$(res '[.result.changes[] | .key + " " + .old + " -> " + .new] | join(",")')" = "net.ipv4.tcp_tw_reuse 0 -> 1" ] ||
	fail "check mode changes: $(res .result.changes)"
[ "$(sysctl -n net.ipv4.tcp_tw_reuse)" = 0 ] || fail "check mode changed tcp_tw_reuse"
[ "$(file_sum)" = "$sum" ] && [ "$(journal_count)" -eq "$journals" ] || fail "check mode wrote something"
pass "--check after sysctl -w tcp_tw_reuse=0: changed, and tcp_tw_reuse stays 0"

# Someone edits the persisted file too: diff mode shows both.
sed -i 's/^net.ipv4.tcp_tw_reuse = 1$/net.ipv4.tcp_tw_reuse = 0/' "$conf"
edited=$(file_sum)
playbook apply --check --diff
expect 0 "check and diff mode"
keep check-diff
[ "$(res .outcome)" = changed ] && [ "$(res .result.status)" = check ] || fail "--check --diff: $(res .result)"
[ "$(res '.result.diff[0].before_header')" = "running kernel" ] &&
	[ "$(res '.result.diff[0].before')" = "net.ipv4.tcp_tw_reuse = 0" ] &&
	[ "$(res '.result.diff[0].after')" = "net.ipv4.tcp_tw_reuse = 1" ] ||
	fail "--check --diff: the keys' diff: $(res .result.diff)"
grep -q '^-net.ipv4.tcp_tw_reuse = 0' "$work/$last.log" && grep -q '^+net.ipv4.tcp_tw_reuse = 1' "$work/$last.log" ||
	fail "--check --diff: ansible-playbook shows no diff: $(cat "$work/$last.log")"
[ "$(sysctl -n net.ipv4.tcp_tw_reuse)" = 0 ] && [ "$(file_sum)" = "$edited" ] || fail "--check --diff changed something"
pass "--check --diff: the key's diff (0 -> 1), shown by ansible-playbook, nothing changed"

playbook apply --diff
expect 0 "diff mode"
keep diff
[ "$(res .outcome)" = changed ] && [ "$(res .result.status)" = committed ] || fail "--diff: $(res .result)"
[ "$(res '.result.diff[0].before')" = "net.ipv4.tcp_tw_reuse = 0" ] &&
	[ "$(res '.result.diff[0].after')" = "net.ipv4.tcp_tw_reuse = 1" ] || fail "--diff: $(res .result.diff)"
[ "$(sysctl -n net.ipv4.tcp_tw_reuse)" = 1 ] && grep -qx 'net.ipv4.tcp_tw_reuse = 1' "$conf" ||
	fail "--diff did not apply"
txn5=$(res .result.transaction)
pass "--diff: applied ($txn5), with the key's diff"
playbook apply --diff
expect 0 "diff mode, nothing to do"
[ "$(res .outcome)" = ok ] && [ "$(res '.result.diff | length')" = 0 ] || fail "--diff, unchanged: $(res .result)"
pass "--diff with nothing to change: ok, an empty diff"

# Rollback: check mode, the last apply, idempotence, an older transaction.
playbook rollback --check
expect 0 "rollback --check"
[ "$(res .outcome)" = changed ] && [ "$(res .result.status)" = check ] &&
	[ "$(res .result.source)" = "rollback of $txn5" ] || fail "rollback --check: $(res .result)"
[ "$(sysctl -n net.ipv4.tcp_tw_reuse)" = 1 ] || fail "rollback --check changed tcp_tw_reuse"
pass "rollback in check mode: would undo $txn5, nothing changed"

playbook rollback
expect 0 "rollback"
[ "$(res .outcome)" = changed ] && [ "$(res .result.source)" = "rollback of $txn5" ] || fail "rollback: $(res .result)"
[ "$(sysctl -n net.ipv4.tcp_tw_reuse)" = 0 ] && [ "$(file_sum)" = "$edited" ] ||
	fail "rollback of $txn5: tcp_tw_reuse $(sysctl -n net.ipv4.tcp_tw_reuse), file $(cat "$conf")"
pass "rollback: the last apply ($txn5) undone, value and file as they were before it"

playbook rollback
expect 0 "rollback again"
[ "$(res .outcome)" = ok ] && [ "$(res .result.status)" = unchanged ] &&
	res .result.message | grep -q "$txn5 was rolled back already" || fail "rollback again: $(res .result)"
[ "$(sysctl -n net.ipv4.ip_local_port_range | tr '\t' ' ')" != "40000 40999" ] ||
	fail "rollback again went on to undo $txn1"
pass "rollback again: ok, not changed; $txn1 left alone"

playbook rollback -e "txn=$txn1"
expect 0 "rollback of run 1"
[ "$(res .outcome)" = changed ] && [ "$(res .result.source)" = "rollback of $txn1" ] ||
	fail "rollback of $txn1: $(res .result)"
[ "$(snapshot)" = "$before" ] || fail "rollback of $txn1: values differ from before run 1: $(snapshot)"
[ ! -e "$conf" ] || fail "rollback of $txn1: the file run 1 created is still there"
playbook rollback -e "txn=$txn1"
expect 0 "rollback of run 1 again"
[ "$(res .outcome)" = ok ] || fail "rollback of $txn1 again: $(res .result)"
pass "rollback of run 1 ($txn1): every value as before run 1, file removed; again: ok"

# Failures: twtune's message in msg, nothing changed.
cat >"$work/fail.yml" <<EOF
- name: Failures
  hosts: localhost
  gather_facts: false
  tasks:
    - name: unknown profile
      twtune.twtune.twtune:
        profile: no-such-profile
        sysctl_d: $sysd
        state_dir: $state
EOF
playbook fail
expect 2 "unknown profile"
[ "$(res .outcome)" = failed ] && res .result.msg | grep -q "no profile 'no-such-profile'" ||
	fail "unknown profile: $(res .result)"
[ "$(recap failed)" = 1 ] || fail "unknown profile: PLAY RECAP $(grep '^localhost' "$work/$last.log")"
[ "$(snapshot)" = "$before" ] && [ ! -e "$conf" ] || fail "a refused run changed something"
keep refused
pass "profile: no-such-profile fails with twtune's message"

cat >"$work/misuse.yml" <<EOF
- name: What the module refuses or reports as failed
  hosts: localhost
  gather_facts: false
  tasks:
    - name: profile and recommended
      twtune.twtune.twtune: {profile: server, recommended: true, state_dir: $state}
      ignore_errors: true
    - name: neither
      twtune.twtune.twtune: {state_dir: $state}
      ignore_errors: true
    - name: rollback with a profile
      twtune.twtune.twtune: {state: rolled_back, profile: server, persist: false, state_dir: $state}
      ignore_errors: true
    - name: no such program
      twtune.twtune.twtune: {profile: server, twtune: $work/no/twtune, state_dir: $state}
      ignore_errors: true
    - name: no sysctl.d directory
      twtune.twtune.twtune: {profile: server, force: true, sysctl_d: $work/no-such-dir, state_dir: $state}
      ignore_errors: true
    - name: a write fails
      twtune.twtune.twtune: {profile: client-heavy, force: true, sysctl_d: $sysd, state_dir: $state, twtune: $TWTUNE}
      environment: {TWTUNE_TEST_FAULT: "write:2"}
      ignore_errors: true
    - name: recommended, check mode
      twtune.twtune.twtune: {recommended: true, sysctl_d: $sysd, state_dir: $state}
      check_mode: true
EOF
playbook misuse
expect 0 "misuse (errors ignored)"
for t in "profile and recommended:mutually exclusive" "neither:needs profile or recommended=true" \
	"rollback with a profile:profile, persist=false: only for state=applied" \
	"no such program:is not an executable file" \
	"no sysctl.d directory:cannot write the sysctl.d directory $work/no-such-dir" \
	"a write fails:Every change was undone and read back"; do
	task=${t%%:*}
	[ "$(res "$task" .outcome)" = failed ] && res "$task" .result.msg | grep -qF -- "${t#*:}" ||
		fail "$task: $(res "$task" .result)"
done
[ "$(res 'a write fails' .result.status)" = rolled-back ] && [ "$(res 'a write fails' .result.rc)" = 1 ] &&
	[ "$(res 'a write fails' .result.changed)" = false ] || fail "a write fails: $(res 'a write fails' .result)"
case "$(res 'recommended, check mode' .outcome)" in ok | changed) ;; *) false ;; esac &&
	[ "$(res 'recommended, check mode' .result.status)" = check ] ||
	fail "recommended in check mode: $(res 'recommended, check mode' .result)"
[ "$(snapshot)" = "$before" ] && [ ! -e "$conf" ] || fail "the failed tasks changed something: $(snapshot)"
pass "option errors, a missing program or directory, a failed write: failed with the reason, nothing changed"

home_untouched

# Last, what rests on three later parts of twtune's side: its JSON object
# on a refusal too, the whole sysctl.d file in it with --diff ("diff"),
# and rollback --diff. Above, the same runs were checked for what holds
# without them.
last=refused
[ "$(res .result.status)" = refused ] && [ "$(res .result.rc)" = 2 ] ||
	fail "a refused run carries twtune's JSON (status refused, rc 2): $(res .result)"
pass "a refused run: status refused, rc 2, from twtune's JSON"
last=check-diff
[ "$(res '.result.diff | length')" = 2 ] && [ "$(res '.result.diff[1].before_header')" = "$conf" ] &&
	res '.result.diff[1].before' | grep -qx 'net.ipv4.tcp_tw_reuse = 0' &&
	res '.result.diff[1].after' | grep -qx 'net.ipv4.tcp_tw_reuse = 1' &&
	res '.result.diff[1].after' | grep -qx 'net.ipv4.ip_local_port_range = .*' ||
	fail "--check --diff: the sysctl.d file's diff: $(res .result.diff)"
grep -q "^+++ after: $conf" "$work/check-diff.log" || fail "--check --diff: ansible-playbook shows no file diff"
last=diff
[ "$(res '.result.diff | length')" = 2 ] && [ "$(res '.result.diff[1].after_header')" = "$conf" ] &&
	res '.result.diff[1].after' | grep -qx 'net.ipv4.tcp_tw_reuse = 1' ||
	fail "--diff: the sysctl.d file's diff: $(res .result.diff)"
pass "--diff: the sysctl.d file before and after, whole"

playbook apply
expect 0 "apply before rollback --diff"
playbook rollback --check --diff
expect 0 "rollback --check --diff"
[ "$(res .outcome)" = changed ] &&
	[ "$(res '.result.diff[0].before' | grep -c '^net.ipv4.tcp_tw_reuse = 1$')" = 1 ] &&
	[ "$(res '.result.diff[0].after' | grep -c '^net.ipv4.tcp_tw_reuse = 0$')" = 1 ] &&
	[ "$(res '.result.diff[1].after_header')" = "$conf (absent)" ] && [ "$(res '.result.diff[1].after')" = "" ] ||
	fail "rollback --check --diff: $(res .result.diff)"
[ -e "$conf" ] && [ "$(sysctl -n net.ipv4.tcp_tw_reuse)" = 1 ] || fail "rollback --check --diff changed something"
pass "rollback --check --diff: the keys back, and the file it would remove"
playbook rollback
expect 0 "the last rollback"
[ "$(snapshot)" = "$before" ] || fail "the last rollback: $(snapshot)"
home_untouched
