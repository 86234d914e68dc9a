#!/bin/sh
# SPDX-License-Identifier: MIT
# One fuzz target's run: `make check` runs it for each tests/fuzz/NAME.fuzz
# (the target's libFuzzer flags, one a line), and so can a person:
#
#   tests/fuzz/run.sh tests/fuzz/NAME.fuzz              # as make check: 5 s
#   FUZZ_SECONDS=600 tests/fuzz/run.sh tests/fuzz/NAME.fuzz
#   FUZZ_RUNS=1000000 tests/fuzz/run.sh tests/fuzz/NAME.fuzz
#
# from the build directory, after `make fuzz`. It runs tests/fuzz/fuzz_NAME
# on a copy of its seed corpus (tests/fuzz/corpus/NAME/, every file of it
# first, so a reproducer kept there is replayed each time), with
# tests/fuzz/NAME.dict when there is one, for FUZZ_SECONDS (5) or
# FUZZ_RUNS executions. A crash, a sanitizer report, a leak or an input
# slower than 10 s fails it; the input is kept in the build directory as
# tests/fuzz/NAME-crash-... (libFuzzer says which), to be replayed with
# tests/fuzz/fuzz_NAME FILE. SKIP (77) when the target was not built
# because configure found no compiler for it.
set -u

spec=${1:?usage: run.sh tests/fuzz/NAME.fuzz}
name=$(basename "$spec" .fuzz)
here=$(cd "$(dirname "$spec")" && pwd)
targets=${FUZZ_TARGET_DIR:-tests/fuzz}
target=$targets/fuzz_$name
seconds=${FUZZ_SECONDS:-5}
runs=${FUZZ_RUNS:--1}

if [ ! -x "$target" ]; then
	echo "SKIP: $target is not built: configure found no clang that builds libFuzzer" \
		"targets (apt-get install clang, ./configure, make fuzz)"
	exit 77
fi
[ -d "$here/corpus/$name" ] || { echo "FAIL: no seed corpus $here/corpus/$name"; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/twtune-fuzz-$name.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus"
cp "$here/corpus/$name"/* "$work/corpus/"

# The flags NAME.fuzz lists; a dictionary is named relative to it.
set --
while read -r flag; do
	case $flag in
	'' | '#'*) ;;
	-dict=*) set -- "$@" "-dict=$here/${flag#-dict=}" ;;
	*) set -- "$@" "$flag" ;;
	esac
done <"$spec"

# libFuzzer's own exit status for a crash is 77, automake's SKIP: 1 here.
"$target" "$@" -max_total_time="$seconds" -runs="$runs" -timeout=10 -rss_limit_mb=2048 \
	-error_exitcode=1 -timeout_exitcode=1 -print_final_stats=1 \
	-artifact_prefix="$targets/$name-" "$work/corpus" >"$work/log" 2>&1
status=$?
cat "$work/log"
stat() { sed -n "s/^stat::$1: *//p" "$work/log"; }
if [ "$status" -ne 0 ]; then
	echo "FAIL: fuzz_$name exited $status (the input that failed is named above)"
	exit 1
fi
echo "ok - fuzz_$name: $(stat number_of_executed_units) runs," \
	"$(stat average_exec_per_sec)/s, $(ls "$work/corpus" | wc -l) inputs in the corpus, no crash"
