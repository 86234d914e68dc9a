# SPDX-License-Identifier: MIT
# Shared by twtune's integration tests; sourced, not run.
#
# Tests that need root re-run themselves inside a throwaway network
# namespace (unshare -n), so nothing they do reaches the host's own
# sysctls or sockets. Where that is impossible they SKIP (exit 77).

: "${TWTUNE:?TWTUNE must point at the built twtune (make check sets it)}"
: "${TWSTORM:=}"
: "${TEST_SRCDIR:=.}"

skip() {
	echo "SKIP: $*"
	exit 77
}

fail() {
	echo "FAIL: $*"
	exit 1
}

pass() {
	echo "ok - $*"
}

need_jq() {
	command -v jq >/dev/null 2>&1 || skip "jq is not installed (contrib/setup.sh installs it)"
}

# Re-execute the calling script in a new network namespace, once. Inside,
# bring loopback up. Scenario arguments are passed through.
in_throwaway_netns() {
	if [ "${TWTUNE_TEST_NETNS:-}" = "$$" ]; then
		ip link set lo up || fail "cannot bring lo up in the test namespace"
		return 0
	fi
	[ "$(id -u)" -eq 0 ] || skip "needs root for a throwaway network namespace"
	command -v unshare >/dev/null 2>&1 || skip "unshare is not installed"
	command -v ip >/dev/null 2>&1 || skip "ip (iproute2) is not installed"
	unshare -n true 2>/dev/null || skip "unshare -n is not permitted here"
	# The child's PID is not known in advance: mark with a wrapper that
	# sets the variable to the shell's own PID once inside.
	exec unshare -n sh -c 'TWTUNE_TEST_NETNS=$$ exec sh "$0" "$@"' "$0" "$@"
}

# Like in_throwaway_netns, with a private mount namespace too and a fresh
# tmpfs on /run, so that `ip netns add` names live and die with the test
# and the host's /run (its /run/netns) is never touched.
in_throwaway_netns_and_run() {
	if [ "${TWTUNE_TEST_NETNS:-}" = "$$" ]; then
		mount -t tmpfs twtune-test /run || fail "cannot mount a private /run"
		ip link set lo up || fail "cannot bring lo up in the test namespace"
		return 0
	fi
	[ "$(id -u)" -eq 0 ] || skip "needs root for throwaway namespaces"
	command -v unshare >/dev/null 2>&1 || skip "unshare is not installed"
	command -v ip >/dev/null 2>&1 || skip "ip (iproute2) is not installed"
	# In a chroot "/" is no mount point: unshare -m cannot make it private
	# and "ip netns exec" cannot make it a slave; such a runner skips.
	unshare -m -n true 2>/dev/null || skip "unshare -m -n is not permitted here (a chroot?)"
	exec unshare -m -n sh -c 'TWTUNE_TEST_NETNS=$$ exec sh "$0" "$@"' "$0" "$@"
}

# A test of several scenarios runs itself once per scenario, each in a
# namespace of its own: "in_scenarios "${1:-}" a b" runs "$0 a" and "$0 b"
# and exits with the first failure; given a scenario, it sets $scenario and
# enters a throwaway namespace for it. "in_scenarios --private-run ..."
# gives each a private /run too: for tests of apply and rollback, whose
# lock lives in /run/twtune.
in_scenarios() {
	enter=in_throwaway_netns
	if [ "$1" = --private-run ]; then
		enter=in_throwaway_netns_and_run
		shift
	fi
	scenario=$1
	shift
	if [ -z "$scenario" ]; then
		for s in "$@"; do
			sh "$0" "$s" || exit $?
		done
		exit 0
	fi
	$enter "$scenario"
}

# A gateway between a client and a server, in three namespaces joined by
# veth pairs: twt-cli (NET.1.2) -- (NET.1.1) twt-gw (NET.2.1) -- twt-srv
# (NET.2.2), the client routed through the gateway, which forwards. NET
# is the first two octets ("10.77"). The names live in the private /run of
# in_throwaway_netns_and_run.
gateway_namespaces() {
	for n in cli gw srv; do
		ip netns add "twt-$n" || fail "ip netns add twt-$n"
		ip -n "twt-$n" link set lo up
	done
	ip link add veth-c type veth peer name veth-gc || skip "veth is not available"
	ip link set veth-c netns twt-cli
	ip link set veth-gc netns twt-gw
	ip link add veth-s type veth peer name veth-gs
	ip link set veth-s netns twt-srv
	ip link set veth-gs netns twt-gw
	ip -n twt-cli addr add "$1.1.2/24" dev veth-c
	ip -n twt-gw addr add "$1.1.1/24" dev veth-gc
	ip -n twt-gw addr add "$1.2.1/24" dev veth-gs
	ip -n twt-srv addr add "$1.2.2/24" dev veth-s
	for pair in cli:veth-c gw:veth-gc gw:veth-gs srv:veth-s; do
		ip -n "twt-${pair%%:*}" link set "${pair#*:}" up
	done
	ip -n twt-cli route add default via "$1.1.1"
	ip netns exec twt-gw sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward' ||
		fail "cannot turn forwarding on in the gateway"
}

# For tests of apply: temporary state and sysctl.d directories (the host's
# /var/lib and /etc are never touched), removed with any storms on exit.
apply_workdir() {
	work=$(mktemp -d)
	state="$work/state"
	sysd="$work/sysctl.d"
	mkdir -p "$sysd"
	out="$work/out"
	err="$work/err"
	trap 'stop_storms; rm -rf "$work"' EXIT
}

# The knobs apply's tests compare, as sysctl(8) reads them.
apply_knobs="net.ipv4.tcp_tw_reuse net.ipv4.ip_local_port_range net.ipv4.ip_local_reserved_ports
	net.ipv4.tcp_max_tw_buckets net.ipv4.tcp_fin_timeout net.ipv4.tcp_timestamps"
snapshot() {
	for k in $apply_knobs; do printf '%s = %s\n' "$k" "$(sysctl -n "$k")"; done
}

# twtune apply into the work directories; $status is its exit status,
# $out and $err what it printed.
apply() {
	status=0
	"$TWTUNE" apply --state-dir "$state" --sysctl-d "$sysd" "$@" >"$out" 2>"$err" || status=$?
}

# Write a sysctl of the test namespace; never used outside one.
ns_sysctl() {
	[ "${TWTUNE_TEST_NETNS:-}" = "$$" ] || fail "ns_sysctl outside the throwaway namespace"
	printf '%s\n' "$2" >"/proc/sys/$(echo "$1" | tr . /)" || fail "cannot set $1=$2"
}

# jq over a file; a JSON null prints "null". Called inside $(...), so a jq
# error can only be reported, and the caller's comparison then fails.
jget() {
	jq -r "$2" "$1" || echo "jq error: $2 on $1" >&2
}

# Is A within TOL of B (integers)?
near() {
	[ "$1" -ge $(($2 - $3)) ] && [ "$1" -le $(($2 + $3)) ]
}

# Start a twstorm that keeps its listeners (and --hold connections) until
# stop_storms; its first line of output goes into $STORM_OUT.
STORM_PIDS=""
start_storm() {
	out=$(mktemp "${TMPDIR:-/tmp}/twtune-test.XXXXXX")
	"$TWSTORM" --wait "$@" >"$out" &
	pid=$!
	STORM_PIDS="$STORM_PIDS $pid"
	tries=0
	while ! grep -q '^ready$' "$out"; do
		tries=$((tries + 1))
		[ $tries -lt 600 ] || fail "twstorm $* did not get ready: $(cat "$out")"
		kill -0 "$pid" 2>/dev/null || fail "twstorm $* exited: $(cat "$out")"
		sleep 0.1
	done
	STORM_OUT=$(head -n 1 "$out")
	rm -f "$out"
}

# A twstorm --serve in network namespace NS on ADDR:PORT, stopped with the
# storms; returns once it listens.
serve_in() {
	ready=$(mktemp "${TMPDIR:-/tmp}/twtune-test.XXXXXX")
	ip netns exec "$1" "$TWSTORM" --serve --addr "$2" --port "$3" >"$ready" &
	STORM_PIDS="$STORM_PIDS $!"
	tries=0
	until grep -q '^ready$' "$ready"; do
		tries=$((tries + 1))
		[ $tries -lt 100 ] || fail "the server on $2:$3 in $1 did not start"
		sleep 0.1
	done
	rm -f "$ready"
}

# Wait until this namespace holds COUNT TIME_WAIT sockets: a client that
# closed first waits in FIN_WAIT2 for the server's FIN.
await_time_wait() {
	tries=0
	until [ "$(ss -Htan state time-wait | wc -l)" -ge "$1" ]; do
		tries=$((tries + 1))
		[ $tries -lt 100 ] ||
			fail "fewer than $1 sockets reached TIME_WAIT: $(ss -Htan | awk '{print $1}' | sort | uniq -c | tr '\n' ' ')"
		sleep 0.1
	done
}

stop_storms() {
	for p in $STORM_PIDS; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	STORM_PIDS=""
}
