#!/bin/sh
# SPDX-License-Identifier: MIT
# Every C file of the tree is formatted as .clang-format says, by the
# clang-format of Debian 12 (version 14): another version lays some
# constructs out differently, so it cannot judge. contrib/setup.sh
# installs it. To fix a file: clang-format -i FILE.
set -u
: "${TEST_SRCDIR:=tests}"
top=$(cd "$TEST_SRCDIR/.." && pwd)

command -v clang-format >/dev/null 2>&1 ||
	{ echo "SKIP: clang-format is not installed (contrib/setup.sh installs it)"; exit 77; }
version=$(clang-format --version | sed -n 's/.*version \([0-9][0-9]*\)\..*/\1/p')
[ "$version" = 14 ] ||
	{ echo "SKIP: clang-format $version here; the format is Debian 12's clang-format 14"; exit 77; }

files=$(find "$top/src" "$top/tests" -name '*.[ch]' | sort)
[ -n "$files" ] || { echo "FAIL: no C files under $top/src"; exit 1; }
bad=0
for f in $files; do
	if ! clang-format --style=file --dry-run --Werror "$f" >/dev/null 2>&1; then
		echo "not formatted: ${f#"$top"/} (clang-format -i ${f#"$top"/})"
		bad=$((bad + 1))
	fi
done
n=$(echo "$files" | wc -l)
if [ "$bad" -ne 0 ]; then
	echo "FAIL: $bad of $n C files differ from .clang-format"
	exit 1
fi
echo "ok - $n C files formatted"
