# SPDX-License-Identifier: MIT
# bench/lib.sh: what the benchmarks share. Sourced, not run.

# measure NAME COMMAND: RUNS runs of COMMAND under GNU time (/usr/bin/time);
# prints the median and best wall time and the peak RSS. A command that
# exits non-zero is still measured (lint and check exit 1 on findings).
measure() {
	local name=$1 cmd=$2 log
	log=$(mktemp)
	for _ in $(seq "$runs"); do
		/usr/bin/time -f '%e %M' -a -o "$log" sh -c "$cmd" >/dev/null 2>&1 || true
	done
	grep -v '^Command' "$log" | sort -n | awk -v name="$name" -v runs="$runs" '
		{ wall[NR] = $1; if ($2 > rss) rss = $2 }
		END {
			printf "%-40s median %6.3f s   best %6.3f s   peak RSS %6.1f MiB   (%d runs)\n",
				name, wall[int((NR + 1) / 2)], wall[1], rss / 1024, runs
		}'
	rm -f "$log"
}

need_gnu_time() {
	[ -x /usr/bin/time ] && return 0
	if [ "$(id -u)" -eq 0 ]; then
		apt-get install -y -q time >/dev/null # GNU time, for peak RSS
	else
		echo "$0: needs GNU time (apt-get install time)" >&2
		exit 1
	fi
}
