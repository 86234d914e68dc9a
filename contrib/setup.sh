#!/bin/sh
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
# supports; without recommends, so not the whole `ansible` bundle).
packages="build-essential autoconf automake pkgconf libnl-3-dev libnl-nf-3-dev
	libnl-idiag-3-dev libjansson-dev libcap-dev libcmocka-dev iproute2 util-linux
	nftables procps jq clang-format ansible-core"

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
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
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

status=0
make -j"$jobs" check || status=$?

# One plain line for CI, from the harness's own totals in test-suite.log.
if [ -f test-suite.log ]; then
	awk -F': ' '
		/^# PASS:/  { pass = $2 }
		/^# SKIP:/  { skip = $2 }
		/^# XFAIL:/ { xfail = $2 }
		/^# FAIL:/  { fail += $2 }
		/^# XPASS:/ { fail += $2 }
		/^# ERROR:/ { fail += $2 }
		END { printf "%d passed, %d failed, %d skipped\n", pass + xfail, fail, skip }
	' test-suite.log
else
	echo "0 passed, 1 failed, 0 skipped"
	status=1
fi
exit "$status"
