#!/bin/sh
# SPDX-License-Identifier: MIT
# The command-line frame: help, version, usage errors (exit 2, message on
# stderr naming the culprit), and --sample. No privilege needed.
. "${TEST_SRCDIR:-.}/integration/lib.sh"
need_jq

out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

# expect STATUS PATTERN-ON-STDERR ARGS...
expect_usage() {
	want=$1
	pattern=$2
	shift 2
	status=0
	"$TWTUNE" "$@" >"$out" 2>"$err" || status=$?
	[ "$status" -eq "$want" ] || fail "twtune $*: exit $status, expected $want"
	grep -q -- "$pattern" "$err" || fail "twtune $*: stderr lacks '$pattern': $(cat "$err")"
	[ ! -s "$out" ] || fail "twtune $*: a usage error printed on stdout"
	pass "twtune $* -> exit $want"
}

"$TWTUNE" --help >"$out" || fail "--help exit $?"
grep -q '^Usage: twtune' "$out" || fail "--help lacks usage"
grep -q 'check' "$out" || fail "--help lacks the command list"
pass "--help"
"$TWTUNE" --version >"$out" || fail "--version exit $?"
grep -Eq '^twtune [0-9]+\.[0-9]+\.[0-9]+$' "$out" || fail "--version: $(cat "$out")"
pass "--version"
"$TWTUNE" help check >"$out" || fail "help check exit $?"
grep -q -- '--sample SECONDS' "$out" || fail "help check lacks --sample"
"$TWTUNE" check --help >"$err" || fail "check --help exit $?"
cmp -s "$out" "$err" || fail "'help check' and 'check --help' differ"
pass "help check"

expect_usage 2 "unknown command 'frobnicate'" frobnicate
expect_usage 2 "unknown option '--frobnicate'" --frobnicate check
expect_usage 2 "unknown option '--frobnicate'" check --frobnicate
expect_usage 2 "Usage: twtune" # no command at all
expect_usage 2 "needs an argument" --proc
expect_usage 2 "'banana' is not a kernel version" --kernel banana check
expect_usage 2 "'5.5.5.5' is not a kernel version" --kernel 5.5.5.5 check
expect_usage 2 "'0x5' is not written in plain decimal digits (expected 1 to 4194304)" --netns-pid 0x5 check
expect_usage 2 "'0' is out of range (expected 1 to 4194304)" --netns-pid 0 check
expect_usage 2 "--proc /nonexistent/twtune: No such file or directory" --proc /nonexistent/twtune check
expect_usage 2 "unknown format 'yaml'" check --format yaml
expect_usage 2 "'-1' is not a number of seconds" check --sample -1
expect_usage 2 "'soon' is not a number of seconds" check --sample soon
# the message states the range the parser keeps; hex and exponents are not decimal
expect_usage 2 "'0' is not a number of seconds more than 0 and at most 3600" check --sample 0
expect_usage 2 "'0x5' is not a number of seconds more than 0 and at most 3600" check --sample 0x5
expect_usage 2 "'1e1' is not a number of seconds" check --sample 1e1
expect_usage 2 "'3601' is not a number of seconds more than 0 and at most 3600" check --sample 3601
expect_usage 2 "unexpected argument 'extra'" check extra
# options after an operand are read as options, in every command
expect_usage 2 "rollback takes at most one transaction id" rollback one two --check
expect_usage 2 "unknown format 'yaml'" rollback some-id --format yaml
expect_usage 2 "unknown format 'yaml'" profiles server --format yaml
expect_usage 2 "unknown command 'nope'" help nope

# --sample takes two readings and reports rates; no progress on a pipe.
"$TWTUNE" check --fail-on none --format json --sample 0.5 >"$out" 2>"$err" || fail "--sample exit $?"
[ "$(jget "$out" .counters.rates.sampled)" = true ] || fail "--sample: rates not sampled"
interval=$(jget "$out" .counters.rates.interval)
awk -v i="$interval" 'BEGIN { exit !(i >= 0.5 && i < 5) }' || fail "--sample: interval $interval"
jget "$out" '.counters.rates.per_second.active_opens' >/dev/null
! grep -q 'sampling' "$err" || fail "--sample: progress printed to a pipe"
pass "--sample 0.5: interval $interval s"
