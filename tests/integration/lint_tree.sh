#!/bin/sh
# SPDX-License-Identifier: MIT
# twtune lint on a configuration tree laid out like / (--root), as a CI job
# on a configuration repository runs it: the JSON findings must be exactly
# the expected ones; every format is well formed; exit statuses follow
# --fail-on; broken files (binary, an enormous line, unreadable) are named
# and the others still linted, exit 2. No privilege needed.
. "${TEST_SRCDIR:-.}/integration/lib.sh"
need_jq

expected="$TEST_SRCDIR/data/lint-tree.expected.json"
work=$(mktemp -d)
out="$work/out"
err="$work/err"
trap 'rm -rf "$work"' EXIT
# The tree is copied and completed here: its /dev/null mask cannot travel in
# a release tarball (automake's tar follows symlinks).
tree="$work/lint-tree"
cp -r "$TEST_SRCDIR/data/lint-tree" "$tree"
chmod -R u+w "$tree"
ln -s /dev/null "$tree/etc/sysctl.d/60-legacy-tuning.conf"
# As a CI job runs it, from the repository's top, with the tree's path
# relative to it: findings name files by that path (lint-tree/etc/...), so
# that annotations and code scanning land on the repository's files.
cd "$work"
tree=lint-tree

lint() {
	status=0
	"$TWTUNE" "$@" >"$out" 2>"$err" || status=$?
}

lint --kernel 6.1 lint --root "$tree" --format json
[ "$status" -eq 1 ] || fail "lint --root: exit $status, expected 1: $(cat "$err")"
jq -S '[.findings[] | {file, line, key, severity, id}]' "$out" >"$work/got.json"
diff -u "$expected" "$work/got.json" >"$work/diff" || fail "findings differ from the expected ones:
$(cat "$work/diff")"
pass "lint --root: the $(jq length "$expected") expected findings, exactly"
[ "$(jget "$out" '[.findings[] | select(.message == "" or .message == null)] | length')" -eq 0 ] ||
	fail "a finding without a message"
[ "$(jget "$out" '.summary.files | length')" -eq 5 ] || fail "summary.files: $(jget "$out" .summary.files)"
[ "$(jget "$out" '[.findings[] | select(.file | test("60-legacy"))] | length')" -eq 0 ] ||
	fail "the file masked by a /dev/null link was read"
jget "$out" '.summary.skipped_rules[]' | grep -qx inbound-time-wait-dominant ||
	fail "rules needing live facts are not listed as skipped"
pass "masked file not read; rules needing live facts listed once as skipped"

lint --kernel 6.1 lint --root "$tree"
grep -q '^lint-tree/etc/sysctl.d/80-site.conf:4: warning: tcp_timestamps = 0 turns off every kind of TIME_WAIT reuse (tcp_tw_reuse = 1' "$out" ||
	fail "text format: $(head -n 3 "$out")"
tail -n 1 "$out" | grep -Eq '^0 critical, 7 warning, 5 info in 5 files; 7 rules need live facts .*; 1 assignment of keys twtune does not judge \(kernel/pid_max\) only read$' ||
	fail "summary line: $(tail -n 1 "$out")"
pass "text: FILE:LINE: severity: message [ID], and one summary line"

lint --kernel 6.1 lint --root "$tree" --fail-on critical
[ "$status" -eq 0 ] || fail "--fail-on critical: exit $status"
lint lint --kernel 4.9 --root "$tree" --fail-on critical --format json
[ "$status" -eq 1 ] || fail "4.9 with --fail-on critical: exit $status"
[ "$(jget "$out" '[.findings[] | select(.id == "tw-recycle-enabled" and .severity == "critical" and .file == "lint-tree/usr/local/lib/sysctl.d/95-recycle.conf")] | length')" -eq 1 ] ||
	fail "4.9: tcp_tw_recycle = 1 is not the critical rule: $(jget "$out" '[.findings[].id]')"
[ "$(jget "$out" '[.findings[] | select(.id == "not-on-kernel" and .key == "net.ipv4.tcp_tw_recycle")] | length')" -eq 0 ] ||
	fail "4.9: tcp_tw_recycle reported as missing"
pass "--kernel 4.9 (after the command): tcp_tw_recycle = 1 is critical"

lint --kernel 6.1 lint --root "$tree" --format sarif
[ "$(jget "$out" .version)" = 2.1.0 ] && [ "$(jget "$out" '.runs[0].tool.driver.name')" = twtune ] ||
	fail "sarif header"
[ "$(jget "$out" '.runs[0].results | length')" -eq "$(jq length "$expected")" ] || fail "sarif results"
[ "$(jget "$out" '[.runs[0] as $r | $r.results[] | select($r.tool.driver.rules[.ruleIndex].id != .ruleId)] | length')" -eq 0 ] ||
	fail "sarif ruleIndex does not point at the rule"
[ "$(jget "$out" '.runs[0].results[0].locations[0].physicalLocation | "\(.artifactLocation.uriBaseId)/\(.artifactLocation.uri):\(.region.startLine)"')" = "SRCROOT/lint-tree/etc/sysctl.d/80-site.conf:4" ] ||
	fail "sarif location: $(jget "$out" '.runs[0].results[0].locations[0]')"
[ "$(jget "$out" '.runs[0].originalUriBaseIds.SRCROOT.uri')" = "file://$work/" ] ||
	fail "sarif SRCROOT: $(jget "$out" '.runs[0].originalUriBaseIds')"
# what SARIF 2.1.0 requires of each rule and result, and the help code
# scanning shows
[ "$(jget "$out" '[.runs[0].tool.driver.rules[] | select((.id | type) != "string" or (.help.text | type) != "string" or (.help.markdown | type) != "string" or (.helpUri | test("^https://")) != true)] | length')" -eq 0 ] ||
	fail "sarif rules without help or helpUri: $(jget "$out" '.runs[0].tool.driver.rules[0]')"
[ "$(jget "$out" '[.runs[0].results[] | select((.message.text | type) != "string" or (.locations | length) != 1)] | length')" -eq 0 ] ||
	fail "sarif results without a message or location"
jget "$out" '.runs[0].tool.driver.informationUri' | grep -q '^https://' || fail "sarif informationUri"
pass "sarif 2.1.0: results, rule indexes, SRCROOT-relative locations, rule help"

lint --kernel 6.1 lint --root "$tree" --format github
grep -qx '::warning file=lint-tree/etc/sysctl.d/80-site.conf,line=6,title=duplicate-key::net.ipv4.tcp_max_tw_buckets is set again (line 5 set it to 262144)' "$out" ||
	fail "github: $(head -n 3 "$out")"
grep -q '^::notice file=lint-tree/usr/lib/sysctl.d/70-ports.conf,line=2,title=overridden::' "$out" || fail "github notice"
pass "github workflow commands"

# Broken input: named, the rest still linted, exit 2.
cp -a "$tree" tree
printf 'net.ipv4.tcp_tw_reuse = 1\0\0binary\n' >"$work/tree/etc/sysctl.d/85-binary.conf"
awk 'BEGIN { printf "net.ipv4.tcp_fin_timeout = "; for (i = 0; i < 100000; i++) printf "9"; printf "\nnet.ipv4.tcp_tw_reuse = 7\n" }' \
	>"$work/tree/etc/sysctl.d/86-huge.conf"
ln -s nowhere.conf "$work/tree/etc/sysctl.d/87-dangling.conf"
lint --kernel 6.1 lint --root ./tree --format json
[ "$status" -eq 2 ] || fail "broken input: exit $status, expected 2"
# only the dangling link is unreadable; NUL bytes and a 100,000-byte line
# are applied by systemd-sysctl 252 as it splits them: warnings
grep -q "87-dangling.conf" "$err" || fail "stderr does not name 87-dangling.conf: $(cat "$err")"
[ "$(jget "$out" '[.findings[] | select(.id == "unreadable" and (.file | endswith("87-dangling.conf")))] | length')" -eq 1 ] ||
	fail "no unreadable finding for 87-dangling.conf"
for f in 85-binary.conf 86-huge.conf; do
	[ "$(jget "$out" "[.findings[] | select(.id == \"unreadable\" and (.file | endswith(\"$f\")))] | length")" -eq 0 ] ||
		fail "$f called unreadable"
	[ "$(jget "$out" "[.findings[] | select(.id == \"odd-bytes\" and (.file | endswith(\"$f\")))] | length")" -eq 1 ] ||
		fail "no odd-bytes warning for $f"
done
# the 100,000 nines: more seconds than the kernel's jiffies hold, refused
[ "$(jget "$out" '[.findings[] | select(.file == "tree/etc/sysctl.d/86-huge.conf" and .line == 1 and .id == "invalid-value")] | length')" -eq 1 ] ||
	fail "the enormous value was not judged"
[ "$(jget "$out" '[.findings[] | select(.file == "tree/etc/sysctl.d/86-huge.conf" and .line == 2 and .id == "invalid-value")] | length')" -eq 1 ] ||
	fail "the line after the enormous one was not linted"
[ "$(jget "$out" '[.findings[] | select(.id == "duplicate-key")] | length')" -eq 1 ] ||
	fail "the other files were not linted"
pass "NUL bytes and an enormous line applied with warnings, a dangling link unreadable, exit 2"

lint lint --format yaml
[ "$status" -eq 2 ] && grep -q "unknown format 'yaml'" "$err" || fail "lint --format yaml: exit $status"
lint lint --root "$tree" "$tree/etc/sysctl.d"
[ "$status" -eq 2 ] || fail "--root with PATHs: exit $status"
pass "usage errors exit 2"

# Explicit paths: a directory as one sysctl.d directory (its /dev/null link
# contributes nothing), and a file.
lint --kernel 6.1 lint --format json "$tree/etc/sysctl.d" "$tree/run/sysctl.d/90-runtime.conf"
[ "$status" -eq 1 ] && [ "$(jget "$out" '.summary.files | length')" -eq 2 ] ||
	fail "paths: exit $status, files $(jget "$out" .summary.files)"
pass "explicit paths: a directory and a file"
