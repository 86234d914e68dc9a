#!/bin/sh
# SPDX-License-Identifier: MIT
# Rule files as users meet them: listing and explaining the shipped rules,
# a rules directory with a broken or dangerous rule (check refuses to judge
# with it and names file:line:column), and overrides. No privilege needed.
. "${TEST_SRCDIR:-.}/integration/lib.sh"
need_jq

out=$(mktemp)
err=$(mktemp)
dir=$(mktemp -d)
trap 'rm -rf "$out" "$err" "$dir"' EXIT
shipped="$TWTUNE_RULES"
data="$TEST_SRCDIR/data"

"$TWTUNE" rules --format json >"$out" || fail "rules exited $?"
[ "$(jget "$out" length)" -ge 14 ] || fail "fewer than 14 shipped rules"
for id in tw-recycle-enabled tw-recycle-with-nat tw-reuse-for-outbound-pressure tw-reuse-on-inbound-host \
	tw-reuse-without-timestamps port-range-narrow port-range-parity listening-in-ephemeral-range \
	tw-buckets-near-limit fin-timeout-lowered inbound-time-wait-dominant outbound-concentrated \
	loopback-upstream-churn conntrack-near-full; do
	[ "$(jget "$out" "map(select(.id == \"$id\")) | length")" -eq 1 ] || fail "rule $id is not shipped"
done
pass "rules: the 14 shipped rules"

"$TWTUNE" explain tw-recycle-enabled >"$out" || fail "explain exited $?"
grep -q '^tw-recycle-enabled (critical)$' "$out" && grep -q 'Linux 4.12' "$out" &&
	grep -q 'net.ipv4.tcp_tw_recycle = 0' "$out" || fail "explain: $(cat "$out")"
pass "explain tw-recycle-enabled"
status=0
"$TWTUNE" explain no-such-rule >"$out" 2>"$err" || status=$?
[ "$status" -eq 2 ] && grep -q "no rule 'no-such-rule'" "$err" || fail "explain unknown: exit $status"
pass "explain no-such-rule -> exit 2"

# An empty rules directory judges nothing: check must not say "ok" (it
# did, exit 0); it refuses as for an unreadable one, naming the directory.
for format in text json; do
	status=0
	"$TWTUNE" --rules "$dir" --proc "$data/proc-client-6.1" check --format $format >"$out" 2>"$err" ||
		status=$?
	[ "$status" -eq 3 ] || fail "empty rules directory ($format): exit $status, expected 3"
	grep -q "$dir: no \*.rule files there: nothing would be judged" "$err" ||
		fail "empty rules directory ($format): not named: $(cat "$err")"
	[ ! -s "$out" ] || fail "empty rules directory ($format): a report was printed: $(head -n 3 "$out")"
done
pass "empty rules directory: exit 3, directory named, no report"

# A broken rule: check refuses to judge (exit 3) and says where.
cp "$shipped"/*.rule "$dir"/
cat >"$dir/zz-broken.rule" <<'RULE'
[rule zz-broken]
severity = warning
title    = broken on purpose
when     = sockets.time_wait > 10 &&
           sockets.tw > 3
RULE
status=0
"$TWTUNE" --rules "$dir" --proc "$data/proc-client-6.1" check >"$out" 2>"$err" || status=$?
[ "$status" -eq 3 ] || fail "broken rule: exit $status, expected 3"
grep -q "zz-broken.rule:5:12: rule zz-broken: when: unknown fact 'sockets.tw'" "$err" ||
	fail "broken rule: no file:line:column: $(cat "$err")"
[ ! -s "$out" ] || fail "broken rule: a report was printed anyway"
pass "broken rule: exit 3, $(head -n 1 "$err")"

# A rule that would enable tcp_tw_recycle is refused at load time.
rm "$dir/zz-broken.rule"
cat >"$dir/zz-recycle.rule" <<'RULE'
[rule zz-recycle]
severity  = info
title     = the folk remedy
when      = sockets.time_wait > 0
recommend = net.ipv4.tcp_tw_recycle 1
RULE
status=0
"$TWTUNE" --rules "$dir" --proc "$data/proc-client-6.1" check >"$out" 2>"$err" || status=$?
[ "$status" -eq 3 ] && grep -q "rule zz-recycle: recommends net.ipv4.tcp_tw_recycle = 1; twtune never sets it" "$err" ||
	fail "recycle rule: exit $status: $(cat "$err")"
pass "a rule setting tcp_tw_recycle=1 is refused"

# So is tcp_tw_reuse=1 without the outbound-heavy requirement.
cat >"$dir/zz-recycle.rule" <<'RULE'
[rule zz-reuse]
severity  = info
title     = reuse for everyone
when      = net.ipv4.tcp_timestamps != 0 || classification == "outbound-heavy"
recommend = net.ipv4.tcp_tw_reuse 1
RULE
status=0
"$TWTUNE" --rules "$dir" --proc "$data/proc-client-6.1" check >"$out" 2>"$err" || status=$?
[ "$status" -eq 3 ] && grep -q 'rule zz-reuse: recommends net.ipv4.tcp_tw_reuse = 1, but its condition does not require' "$err" ||
	fail "reuse rule: exit $status: $(cat "$err")"
pass "a rule offering tcp_tw_reuse=1 to any host is refused"
