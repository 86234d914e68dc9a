#!/bin/sh
# SPDX-License-Identifier: MIT
# Set up twtune on a Debian 12 machine, as root, from a fresh clone:
#   contrib/setup.sh run    install what is missing, build, run `twtune check`
#   contrib/setup.sh test   install what is missing, build, run the test suite
# `.ci/run` runs `contrib/setup.sh test`; nothing else prepares a CI machine.
set -eu

mode=${1:-run}
case "$mode" in
run | test) ;;
*)
	echo "usage: contrib/setup.sh run|test" >&2
	exit 2
	;;
esac

cd "$(dirname "$0")/.."

# Build tools and libraries, plus what the integration tests drive:
# iproute2 (ip, ss) and util-linux (unshare, setpriv) for namespaces,
# nftables for the NAT gateway test, procps (sysctl) to check what apply
# wrote, jq to read twtune's JSON, clang-format for the style test, and
# ansible-core, because the Ansible collection's test runs the real
# ansible-playbook (Debian 12's is 2.14, the oldest the collection
# supports; without recommends, so not the whole `ansible` bundle), and
# clang, whose libFuzzer (clang 14 ships it) the fuzz targets that
# `make check` runs are built with (tests/fuzz/), and bash-completion,
# which the completion's test drives, and debhelper and lintian, with
# which tests/integration/debian.sh builds and checks the Debian package,
# prometheus for promtool (the exposition format's checker) and systemd
# for systemd-analyze, which the metrics test runs, and whose
# systemd-sysctl the differential test (tests/differential/) applies random
# sysctl.d trees with, python3 being what that test's generator and runner
# are written in.
packages="build-essential autoconf automake pkgconf libnl-3-dev libjansson-dev
	libcap-dev libcmocka-dev iproute2 util-linux nftables procps jq clang-format
	ansible-core clang bash-completion debhelper lintian prometheus systemd python3"

missing=""
for p in $packages; do
	if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
		missing="$missing $p"
	fi
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "contrib/setup.sh: missing packages:$missing; run this as root to install them" >&2
		exit 1
	fi
	echo "contrib/setup.sh: installing$missing"
	# A fresh cloud machine runs unattended-upgrades at boot and holds
	# apt's locks for a while: wait for them (at most 10 minutes) rather
	# than fail. DPkg::Lock::Timeout covers dpkg's lock (apt 1.9.11+); the
	# package lists' lock is waited for by retrying the update.
	tries=0
	until apt-get -q -o DPkg::Lock::Timeout=600 update; do
		tries=$((tries + 1))
		if [ "$tries" -ge 60 ]; then
			echo "contrib/setup.sh: apt-get update kept failing for 10 minutes (another apt holding its lock?)" >&2
			exit 1
		fi
		echo "contrib/setup.sh: apt-get update failed; another apt may hold its lock; retrying in 10 s" >&2
		sleep 10
	done
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		-o DPkg::Lock::Timeout=600 $missing
fi

jobs=$(nproc 2>/dev/null || echo 2)
autoreconf -fi
./configure --enable-werror
make -j"$jobs"

if [ "$mode" = run ]; then
	# Not installed: the rules come from this tree. check exits 1 or 2
	# when it has findings, which is an answer, not a failed set-up.
	status=0
	./twtune --rules "$PWD/rules" check || status=$?
	[ "$status" -le 2 ] || exit "$status"
	exit 0
fi

# The suite must never touch the host: its tests work in throwaway
# namespaces and temporary directories. What the host persists and its
# own TIME_WAIT knobs are compared before and after, and a difference
# fails the run, naming it.
host_state() {
	for f in /etc/sysctl.d/* /var/lib/twtune /run/twtune; do
		[ -e "$f" ] || [ -L "$f" ] || continue
		printf '%s %s\n' "$f" "$(ls -ld --time-style=+%s "$f" | awk '{print $1, $6}')"
		[ -f "$f" ] && cksum <"$f"
	done
	for k in net.ipv4.tcp_tw_reuse net.ipv4.ip_local_port_range \
		net.ipv4.ip_local_reserved_ports net.ipv4.tcp_max_tw_buckets \
		net.ipv4.tcp_fin_timeout net.ipv4.tcp_timestamps; do
		printf '%s = %s\n' "$k" "$(cat "/proc/sys/$(echo "$k" | tr . /)" 2>/dev/null)"
	done
}
before=$(mktemp)
after=$(mktemp)
trap 'rm -f "$before" "$after"' EXIT
host_state >"$before"

status=0
make -j"$jobs" check || status=$?
# The unit tests again under ASan and UBSan, in a build of their own
# (build-san/, Makefile.am says why); the fuzz targets ran in `make check`.
make -j"$jobs" check-sanitizers || status=1

host_state >"$after"
if ! cmp -s "$before" "$after"; then
	echo "contrib/setup.sh: the test suite changed the host (its /etc/sysctl.d, /var/lib/twtune, /run/twtune or TIME_WAIT knobs):" >&2
	diff "$before" "$after" >&2 || true
	status=1
fi

# One plain line for CI, from the harness's own totals: the suite's
# test-suite.log (unit, integration, style and fuzz runs) and the sanitized
# unit tests' build-san/build/test-suite.log, added up. A log that is
# missing is a run that did not finish, counted as one failure.
present=""
missing=0
for log in test-suite.log build-san/build/test-suite.log; do
	if [ -f "$log" ]; then
		present="$present $log"
	else
		echo "contrib/setup.sh: no $log: that run did not finish" >&2
		missing=$((missing + 1))
		status=1
	fi
done
# shellcheck disable=SC2086 # $present: the logs, split on purpose
awk -F': ' -v missing="$missing" '
	/^# PASS:/  { pass += $2 }
	/^# SKIP:/  { skip += $2 }
	/^# XFAIL:/ { xfail += $2 }
	/^# FAIL:/  { fail += $2 }
	/^# XPASS:/ { fail += $2 }
	/^# ERROR:/ { fail += $2 }
	END { printf "%d passed, %d failed, %d skipped\n", pass + xfail, fail + missing, skip }
' $present /dev/null
# On CI every test must run: a skip there means a missing tool or a
# runner without namespaces, and is a failure of the set-up.
# shellcheck disable=SC2086
if [ "${CI:-}" = true ] && cat $present /dev/null | grep -q '^# SKIP: *[1-9]'; then
	echo "contrib/setup.sh: tests skipped on CI (see the SKIP lines of the test logs):" >&2
	grep -h '^SKIP' tests/*/*.log tests/*/*/*.log build-san/build/tests/*/*.log 2>/dev/null |
		sort -u >&2 || true
	status=1
fi
exit "$status"
