#!/bin/sh
# SPDX-License-Identifier: MIT
# Every rule and profile file in the tree is installed: each rules/*.rule
# is listed in dist_rules_DATA and each profiles/*.profile in
# dist_profiles_DATA of Makefile.am. The tests read the source tree, so a
# file left out of the lists would pass them and be missing from every
# installed twtune and package.
top=${TEST_SRCDIR:-.}/..
status=0
for f in "$top"/rules/*.rule "$top"/profiles/*.profile; do
	rel=${f#"$top"/}
	grep -q "^	$rel\( \\\\\)\?\$" "$top/Makefile.am" || {
		echo "FAIL: $rel is not listed in Makefile.am (dist_rules_DATA / dist_profiles_DATA)"
		status=1
	}
done
[ "$status" -eq 0 ] && echo "ok - every rule and profile file is installed"

# Every fact a rule can name is a token of the fuzzers' dictionaries for
# expressions and rule files, so the fuzzers reach the code behind it.
if [ -x "${TWTUNE:-}" ]; then
	facts=$("$TWTUNE" rules --facts | awk '{ print $1 }')
	[ -n "$facts" ] || { echo "FAIL: twtune rules --facts listed nothing"; exit 1; }
	for dict in "$top/tests/fuzz/expr.dict" "$top/tests/fuzz/rules.dict"; do
		for fact in $facts; do
			grep -qxF "\"$fact\"" "$dict" || {
				echo "FAIL: fact $fact is not in ${dict#"$top"/}"
				status=1
			}
		done
	done
	[ "$status" -eq 0 ] && echo "ok - every fact is in the fuzz dictionaries"
else
	echo "FAIL: TWTUNE is not set to the built twtune"
	status=1
fi
exit "$status"
