#!/bin/sh
# SPDX-License-Identifier: MIT
# Every fixed tree under tests/data/sysctld-regressions/: twtune lint's
# "boot" prediction, made in a fresh network namespace (where the keys hold
# the kernel's defaults, as at boot), must name for each key the value
# Debian 12's systemd-sysctl 252 left there (the tree's expected.json,
# recorded by record.sh on Linux 6.18).
. "$TEST_SRCDIR/integration/lib.sh"

need_jq
[ "$(id -u)" -eq 0 ] || skip "needs root for throwaway network namespaces"
unshare -n true 2>/dev/null || skip "unshare -n is not permitted here"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
trees=0
for tree in "$TEST_SRCDIR"/data/sysctld-regressions/*/; do
	name=$(basename "$tree")
	unshare -n "$TWTUNE" lint --root "$tree" --format json --fail-on none >"$work/out.json" 2>"$work/err" ||
		fail "$name: lint failed: $(cat "$work/err")"
	jq -e --slurpfile expected "$tree/expected.json" '
		[.boot[] | select($expected[0][.key] != null)
		 | select(.result != $expected[0][.key])] | length == 0' "$work/out.json" >/dev/null ||
		fail "$name: $(jq -c --slurpfile expected "$tree/expected.json" '[.boot[] | select(.result != $expected[0][.key]) | {key, result, expected: $expected[0][.key], reason}]' "$work/out.json")"
	trees=$((trees + 1))
done
[ "$trees" -gt 0 ] || fail "no regression trees found"
pass "$trees regression trees: the predicted values are what systemd-sysctl 252 left"
