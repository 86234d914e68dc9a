#!/bin/sh
# SPDX-License-Identifier: MIT
# Boot one sysctl.d tree for real, for the differential test:
#   unshare -m -n --propagation private sh apply_tree.sh TREE OUT KEYS
# TREE is laid out like / (etc/sysctl.d, run/sysctl.d, usr/local/lib/sysctl.d,
# usr/lib/sysctl.d); KEYS a file of the keys twtune knows, one a line: KEY /proc/sys/PATH. It
# must run in a mount and network namespace of its own, and refuses
# otherwise: it mounts the tree's directories over the system's, so that
# /lib/systemd/systemd-sysctl reads exactly the tree, and that writes only
# this namespace's /proc/sys/net. Into OUT go:
#   before.txt, after.txt  PATH:VALUE, each known key as `cat /proc/sys/...`
#                          prints it (one line: every key twtune knows prints
#                          one), before and after systemd-sysctl (no line:
#                          the key is absent)
#   lint.json, lint.err    twtune lint --format json --root TREE (prediction)
#   sysctl.err, sysctl.rc  what systemd-sysctl logged (debug) and its status
#   check.json, check.err  twtune check --sysctl-root TREE --format json
set -u
tree=$1
out=$2
keys=$3
: "${TWTUNE:?TWTUNE must point at the built twtune}"
: "${SYSTEMD_SYSCTL:=/lib/systemd/systemd-sysctl}"

die() {
	echo "apply_tree.sh: $*" >&2
	exit 3
}

# pid 1 is the host's init (there is no PID namespace here): sharing its
# mount or network namespace means this is the host.
for ns in mnt net; do
	[ "$(readlink "/proc/self/ns/$ns")" != "$(readlink "/proc/1/ns/$ns")" ] ||
		die "not in a private $ns namespace; run me under unshare -m -n"
done
case "$tree" in
/*) ;;
*) die "TREE must be an absolute path" ;;
esac
case "$tree" in
/run/*) die "TREE must not be under /run (a tmpfs hides it here)" ;;
esac
mkdir -p "$out/empty" || die "cannot write $out"

# /run/sysctl.d usually does not exist: a private /run gives it a place.
mount -t tmpfs twtune-differential /run || die "cannot mount a private /run"
mkdir /run/sysctl.d
bind() {
	mount --bind "$1" "$2" || die "cannot bind $1 over $2"
}
bind "$tree/etc/sysctl.d" /etc/sysctl.d
bind "$tree/run/sysctl.d" /run/sysctl.d
bind "$tree/usr/lib/sysctl.d" /usr/lib/sysctl.d
# /usr/local/lib/sysctl.d is rarely there; /usr/local/lib then gives way to
# the tree's, which holds only sysctl.d.
if [ -d /usr/local/lib/sysctl.d ]; then
	bind "$tree/usr/local/lib/sysctl.d" /usr/local/lib/sysctl.d
elif [ -d /usr/local/lib ]; then
	bind "$tree/usr/local/lib" /usr/local/lib
else
	die "no /usr/local/lib to mount the tree's over"
fi
# Where /lib is a directory of its own (no merged /usr), systemd built with
# split-usr reads /lib/sysctl.d too: it sees nothing there. On Debian 12
# /lib links to /usr/lib and this is the directory bound above.
if [ -d /lib/sysctl.d ] && [ ! /lib/sysctl.d -ef /usr/lib/sysctl.d ]; then
	bind "$out/empty" /lib/sysctl.d
fi

# One process reads them all (a fork per key would be most of the run's
# time), and with a block read: a read of /proc/sys at an offset past 0,
# as a shell's byte-wise `read` makes, returns nothing (proc_dointvec).
paths=
while read -r key path; do
	paths="$paths $path"
done <"$keys"
read_keys() {
	# shellcheck disable=SC2086 # the paths, split on purpose
	grep -a -H -s '' $paths >"$1"
}

read_keys "$out/before.txt"
"$TWTUNE" lint --format json --root "$tree" >"$out/lint.json" 2>"$out/lint.err"
echo $? >"$out/lint.rc"
SYSTEMD_LOG_LEVEL=debug SYSTEMD_LOG_TARGET=console SYSTEMD_LOG_COLOR=0 \
	"$SYSTEMD_SYSCTL" >"$out/sysctl.out" 2>"$out/sysctl.err"
echo $? >"$out/sysctl.rc"
read_keys "$out/after.txt"
"$TWTUNE" check --sysctl-root "$tree" --format json --no-processes \
	>"$out/check.json" 2>"$out/check.err"
echo $? >"$out/check.rc"
exit 0
