#!/bin/sh
# SPDX-License-Identifier: MIT
# lint's prediction of boot and check's drift against the real thing:
# random sysctl.d trees (fixed seeds, so a failure reproduces) and every
# regression tree under tests/data/sysctld-regressions/, each applied by
# Debian 12's own /lib/systemd/systemd-sysctl in a throwaway mount and
# network namespace with the tree mounted over the sysctl.d directories
# (tests/differential/run says what is asserted). The host's directories
# and sysctls are never touched: after the run it must show no mount left.
# The long run, by hand: tests/differential/run --trees 2000 --seed S
# --jobs 2 --keep DIR (its header says more).
. "${TEST_SRCDIR:-.}/integration/lib.sh"

: "${SYSTEMD_SYSCTL:=/lib/systemd/systemd-sysctl}"
[ "$(id -u)" -eq 0 ] || skip "needs root to mount sysctl.d trees in a namespace"
command -v unshare >/dev/null 2>&1 || skip "unshare is not installed"
unshare -m -n --propagation private true 2>/dev/null ||
	skip "unshare -m -n is not permitted here (a chroot?)"
[ -x "$SYSTEMD_SYSCTL" ] || skip "no $SYSTEMD_SYSCTL (contrib/setup.sh installs systemd)"
command -v python3 >/dev/null 2>&1 || fail "python3 is missing (contrib/setup.sh installs it)"
export SYSTEMD_SYSCTL

trees=${TWTUNE_DIFFERENTIAL_TREES:-120}
seed=${TWTUNE_DIFFERENTIAL_SEED:-1}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
findmnt -rn -o TARGET,SOURCE | sort >"$work/mounts.before"

# TWTUNE_DIFFERENTIAL_KEEP=DIR keeps each disagreeing tree there.
set -- --quiet --jobs 2 --trees "$trees" --seed "$seed"
[ -d "$TEST_SRCDIR/data/sysctld-regressions" ] &&
	set -- "$@" --replay "$TEST_SRCDIR/data/sysctld-regressions"
[ -n "${TWTUNE_DIFFERENTIAL_KEEP:-}" ] && set -- "$@" --keep "$TWTUNE_DIFFERENTIAL_KEEP"
status=0
python3 "$TEST_SRCDIR/differential/run" "$@" >"$work/out" 2>&1 || status=$?
cat "$work/out"

findmnt -rn -o TARGET,SOURCE | sort >"$work/mounts.after"
diff "$work/mounts.before" "$work/mounts.after" >"$work/mounts.diff" ||
	fail "the mounts of the host changed during the run: $(cat "$work/mounts.diff")"
pass "no mount left on the host"
case $status in
0) pass "$trees random trees (seeds $seed-$((seed + trees - 1))) and the regression trees agree with systemd-sysctl" ;;
1) fail "disagreements with systemd-sysctl (above; tests/differential/run --tree DIR replays one)" ;;
*) fail "the differential harness failed (exit $status)" ;;
esac
