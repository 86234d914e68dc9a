#!/bin/sh
# SPDX-License-Identifier: MIT
# Metrics on a schedule, for real: check --format prometheus --output FILE
# in a throwaway namespace under a storm writes FILE atomically (a new
# inode each time, mode 0644, no temporary file left), the exposition
# passes promtool's check, always with twtune_up and twtune_info, also when
# the rules cannot be loaded (twtune_up 0, reason "rules"); the metrics
# service and timer pass systemd-analyze verify, and the service's own
# ExecStart command, pointed at a temporary textfile directory, works.
. "${TEST_SRCDIR:-.}/integration/lib.sh"

command -v promtool >/dev/null 2>&1 ||
	skip "promtool is not installed (Debian's prometheus package; contrib/setup.sh installs it)"
command -v systemd-analyze >/dev/null 2>&1 || skip "systemd-analyze is not installed"
[ -x "$TWSTORM" ] || fail "TWSTORM=$TWSTORM is not built"
in_throwaway_netns
work=$(mktemp -d)
trap 'stop_storms; rm -rf "$work"' EXIT
prom="$work/textfile/twtune.prom"
mkdir "$work/textfile"

lint_metrics() {
	promtool check metrics <"$1" >"$work/promtool" 2>&1 ||
		fail "promtool check metrics: $(cat "$work/promtool")"
}

start_storm --port 8080 --count 300 --close client
"$TWTUNE" check --format prometheus --fail-on none --output "$prom" || fail "check --output exited $?"
lint_metrics "$prom"
grep -qx 'twtune_up 1' "$prom" && grep -q '^twtune_info{version="[0-9.]*",kernel="[^"]*"} 1$' "$prom" ||
	fail "no twtune_up 1 or twtune_info: $(head -20 "$prom")"
grep -q '^twtune_time_wait_sockets{direction="outbound"} 300$' "$prom" || fail "the storm is not in the metrics"
[ "$(stat -c %a "$prom")" = 644 ] || fail "mode $(stat -c %a "$prom")"
pass "check --output: promtool-clean exposition with twtune_up 1, twtune_info, the storm, mode 0644"

before=$(stat -c %i "$prom")
"$TWTUNE" check --format prometheus --fail-on none --output "$prom" || fail "second check exited $?"
[ "$(stat -c %i "$prom")" != "$before" ] || fail "the file was rewritten in place, not replaced"
[ "$(ls -A "$work/textfile")" = twtune.prom ] || fail "left behind: $(ls -A "$work/textfile")"
pass "a second run replaces the file by rename (new inode), nothing left beside it"

mkdir "$work/no-rules"
status=0
"$TWTUNE" --rules "$work/no-rules" check --format prometheus --output "$prom" 2>"$work/err" || status=$?
[ "$status" -eq 3 ] || fail "check without rules exited $status, expected 3"
lint_metrics "$prom"
grep -qx 'twtune_up{reason="rules"} 0' "$prom" && grep -q '^twtune_info{' "$prom" ||
	fail "without rules: $(cat "$prom")"
pass "rules that cannot be loaded: exit 3, and a scrape sees twtune_up{reason=\"rules\"} 0"

status=0
"$TWTUNE" check --format prometheus --output "$work/missing/twtune.prom" 2>"$work/err" || status=$?
[ "$status" -eq 3 ] && grep -q "missing/twtune.prom" "$work/err" || fail "into a missing directory: exit $status: $(cat "$work/err")"
pass "a missing directory: exit 3, the path named"

units="$work/units"
mkdir "$units"
service="$(dirname "$TWTUNE")/twtune-metrics.service"
[ -f "$service" ] || fail "no built $service"
# the installed service runs the installed twtune; verify runs it as built
sed "s|^ExecStart=[^ ]*/twtune |ExecStart=$TWTUNE |" "$service" >"$units/twtune-metrics.service"
cp "$TEST_SRCDIR/../contrib/systemd/twtune-metrics.timer" "$units/"
systemd-analyze verify --man=no "$units/twtune-metrics.service" "$units/twtune-metrics.timer" \
	>"$work/verify" 2>&1 || fail "systemd-analyze verify: $(cat "$work/verify")"
[ ! -s "$work/verify" ] || fail "systemd-analyze verify: $(cat "$work/verify")"
pass "systemd-analyze verify: the service and the timer, no complaint"

textfiledir=$(sed -n 's/^ReadWritePaths=\([^-].*\)$/\1/p' "$service")
command=$(sed -n 's/^ExecStart=//p' "$units/twtune-metrics.service" | sed "s|$textfiledir|$work/textfile|g")
rm -f "$prom"
sh -c "$command" || fail "the service's command exited $?: $command"
lint_metrics "$prom"
pass "the service's ExecStart, into a temporary textfile directory: $(wc -l <"$prom") lines"
