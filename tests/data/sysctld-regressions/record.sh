#!/bin/sh
# SPDX-License-Identifier: MIT
# Record TREE/expected.json: what Debian 12's systemd-sysctl (252) leaves in
# the keys twtune knows after applying TREE's four sysctl.d directories, in
# a throwaway network and mount namespace (never the host's). Needs root.
#   sh record.sh TREE...
set -eu
keys="ip_local_port_range ip_local_reserved_ports ip_unprivileged_port_start tcp_fin_timeout
tcp_max_tw_buckets tcp_timestamps tcp_tw_reuse tcp_tw_reuse_delay"
for tree in "$@"; do
	tree=$(cd "$tree" && pwd)
	unshare -n -m sh -eu -c '
		tree=$1; keys=$2
		mount --make-rprivate /
		# mount points that Debian 12 lacks: tmpfs in this namespace only
		mount -t tmpfs none /run
		mount -t tmpfs none /usr/local/lib
		mkdir -p /run/sysctl.d /usr/local/lib/sysctl.d
		for d in etc run usr/local/lib usr/lib; do
			mount --bind "$tree/$d/sysctl.d" "/$d/sysctl.d"
		done
		/lib/systemd/systemd-sysctl >/dev/null 2>&1 || true
		first=1
		printf "{"
		for k in $keys; do
			[ -e /proc/sys/net/ipv4/$k ] || continue
			[ $first -eq 1 ] || printf ","
			first=0
			printf "\n  \"net.ipv4.%s\": \"%s\"" "$k" "$(sed "s/\t/\\\\t/g" /proc/sys/net/ipv4/$k)"
		done
		printf "\n}\n"
	' sh "$tree" "$keys" >"$tree/expected.json"
done
