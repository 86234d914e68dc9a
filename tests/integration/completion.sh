#!/bin/sh
# SPDX-License-Identifier: MIT
# The bash completion (contrib/completion/twtune), driven as bash drives
# it: bash-completion loaded, COMP_WORDS/COMP_CWORD set, _twtune called,
# COMPREPLY read. Commands and options come from twtune's own help,
# profile names and rule ids from the tree's files.
. "${TEST_SRCDIR:-.}/integration/lib.sh"

command -v bash >/dev/null 2>&1 || skip "bash is not installed"
lib=/usr/share/bash-completion/bash_completion
[ -r "$lib" ] || skip "bash-completion is not installed (contrib/setup.sh installs it)"
script="$TEST_SRCDIR/../contrib/completion/twtune"

# complete WORDS...: the candidates for the last word, sorted, one line
complete_words() {
	bash -c '
		. "$1"; . "$2"; shift 2
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_twtune
		printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "
	' completion "$lib" "$script" "$@"
}

expect() {
	what=$1
	want=$2
	shift 2
	got=$(complete_words "$@")
	[ "$got" = "$want" ] || fail "$what: got '$got', expected '$want'"
	pass "$what: $want"
}

rules="--rules $TEST_SRCDIR/../rules"
profiles="--profiles $TEST_SRCDIR/../profiles"

expect "commands" "apply check explain help history lint profiles rollback rules " "$TWTUNE" ""
expect "commands after a global option" "check " "$TWTUNE" --kernel 6.1 ch
expect "check's options" "--fail-on --format " "$TWTUNE" check --f
expect "apply's --format" "json text " "$TWTUNE" apply --format ""
expect "check's --format" "json prometheus text " "$TWTUNE" check --format ""
expect "lint's --format" "codequality github json sarif text " "$TWTUNE" lint --format ""
expect "--fail-on" "critical info none warning " "$TWTUNE" check --fail-on ""
# shellcheck disable=SC2086 # $profiles: an option and its directory
expect "profile names" "client-heavy kernel-defaults nat-gateway server " \
	"$TWTUNE" $profiles apply --profile ""
# shellcheck disable=SC2086
expect "rule ids" "tw-recycle-enabled tw-recycle-with-nat " "$TWTUNE" $rules explain tw-rec
# shellcheck disable=SC2086
expect "profiles NAME" "server " "$TWTUNE" $profiles profiles se
