#!/bin/sh
# SPDX-License-Identifier: MIT
# The layers point one way (HACKING.md): each folder of src/ includes only
# the folders below it, nothing outside src/inspect/ touches /proc or
# netlink, and no command includes another command's header.
set -u
: "${TEST_SRCDIR:=tests}"
src=$(cd "$TEST_SRCDIR/../src" && pwd)
bad=0

complain() {
	echo "$*"
	bad=$((bad + 1))
}

# FOLDER: the folders its files may include from
allowed() {
	case $1 in
	common) echo "" ;;
	inspect) echo "common" ;;
	engine) echo "common inspect" ;;
	sysctld) echo "common" ;;
	lint) echo "common inspect engine sysctld" ;;
	apply) echo "common inspect engine sysctld" ;;
	check) echo "common inspect engine sysctld lint apply" ;;
	report) echo "common inspect engine sysctld lint apply check" ;;
	*) echo "?" ;;
	esac
}

for dir in "$src"/*/; do
	layer=$(basename "$dir")
	ok=$(allowed "$layer")
	[ "$ok" != "?" ] || { complain "src/$layer/: a folder the layering does not know"; continue; }
	for f in "$dir"*.[ch]; do
		[ -f "$f" ] || continue
		for used in $(sed -n 's/^#include "\([a-z_]*\)\/.*/\1/p' "$f" | sort -u); do
			[ "$used" = "$layer" ] && continue
			case " $ok " in
			*" $used "*) ;;
			*) complain "src/$layer/$(basename "$f") includes from src/$used/, above it" ;;
			esac
		done
		# the top level (commands, cli) is above every folder
		if grep -q '^#include "\(cli\|cmd_[a-z_]*\)\.h"' "$f"; then
			complain "src/$layer/$(basename "$f") includes a command-line header"
		fi
	done
done

for f in $(find "$src" -name '*.[ch]' ! -path "$src/inspect/*" | sort); do
	rel=${f#"$src"/}
	# code, not comments or messages: a string that starts with /proc, or
	# the netlink API
	if grep -n '"/proc\|<linux/netlink\.h>\|<netlink/\|nl_socket_\|NETLINK_[A-Z]' "$f" >/dev/null; then
		complain "src/$rel reads /proc or netlink outside src/inspect/: $(grep -n '"/proc\|<linux/netlink\.h>\|<netlink/\|nl_socket_\|NETLINK_[A-Z]' "$f" | head -n 1)"
	fi
done

for f in "$src"/cmd_*.c; do
	if grep -q '^#include "cmd_' "$f"; then
		complain "src/$(basename "$f") includes another command's header"
	fi
done

if [ "$bad" -ne 0 ]; then
	echo "FAIL: $bad layering problem(s)"
	exit 1
fi
echo "ok - src/ layers point one way"
