#!/bin/sh
# SPDX-License-Identifier: MIT
# The Debian package: built from the tree's files with dpkg-buildpackage
# (-b -us -uc, as a maintainer would; its tests are skipped with nocheck,
# since the whole suite is what runs this), lintian-clean of errors, holding
# what make install puts in place, and working as installed: the packaged
# binary, in a throwaway mount and network namespace where the package's
# /usr/share is mounted over the host's, judges with its own rules and
# profiles. Nothing is installed on the host.
. "${TEST_SRCDIR:-.}/integration/lib.sh"

command -v dpkg-buildpackage >/dev/null 2>&1 && [ -x /usr/bin/dh ] ||
	skip "dpkg-buildpackage or debhelper is not installed (contrib/setup.sh installs them)"
top=$(cd "$TEST_SRCDIR/.." && pwd)
command -v git >/dev/null 2>&1 && git -C "$top" rev-parse --git-dir >/dev/null 2>&1 ||
	skip "not a git checkout: the package is built from the tree's tracked files"
[ "$(id -u)" -eq 0 ] || skip "needs root for the namespace that runs the packaged binary"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/src"
# the tracked files as they are now (a fresh copy: the package build must
# not clean the tree the suite is running in)
(cd "$top" && git ls-files -z | xargs -0 cp --parents -t "$work/src") || fail "cannot copy the tree"

(cd "$work/src" && DEB_BUILD_OPTIONS="nocheck parallel=2" dpkg-buildpackage -b -us -uc) \
	>"$work/build.log" 2>&1 || fail "dpkg-buildpackage failed: $(tail -20 "$work/build.log")"
deb=$(ls "$work"/twtune_*_*.deb)
pass "dpkg-buildpackage -b -us -uc: $(basename "$deb")"

dpkg-deb -c "$deb" | awk '{ print $6 }' >"$work/contents"
for f in ./usr/bin/twtune ./usr/share/man/man1/twtune.1.gz ./usr/share/man/man5/twtune.rules.5.gz \
	./usr/share/man/man5/twtune.profile.5.gz ./usr/share/bash-completion/completions/twtune \
	./usr/share/twtune/profiles/server.profile ./usr/share/doc/twtune/copyright \
	./usr/share/ansible/collections/ansible_collections/twtune/twtune/plugins/modules/twtune.py \
	./lib/systemd/system/twtune-metrics.service ./lib/systemd/system/twtune-metrics.timer; do
	grep -qx "$f" "$work/contents" || fail "the package lacks $f"
done
rules=$(grep -c '^\./usr/share/twtune/rules/.*\.rule$' "$work/contents")
[ "$rules" -eq "$(ls "$top"/rules/*.rule | wc -l)" ] || fail "the package holds $rules rules"
dpkg-deb -e "$deb" "$work/control"
# dh_installsystemd --no-enable --no-start: nothing is started, and the
# timer is enabled again only where the admin had enabled it
if [ -f "$work/control/postinst" ]; then
	! grep -q 'deb-systemd-invoke' "$work/control/postinst" ||
		fail "the package starts the metrics units: $(cat "$work/control/postinst")"
	enables=$(grep -c "deb-systemd-helper enable" "$work/control/postinst")
	guarded=$(grep -A2 "was-enabled 'twtune-metrics" "$work/control/postinst" | grep -c "deb-systemd-helper enable")
	[ "$enables" -eq "$guarded" ] ||
		fail "the package enables the metrics timer: $(cat "$work/control/postinst")"
fi
pass "the package holds the binary, $rules rules, the profiles, manual pages, completion, collection and the metrics units (not enabled)"

if command -v lintian >/dev/null 2>&1; then
	lintian --fail-on error "$deb" >"$work/lintian.log" 2>&1 ||
		fail "lintian reports errors: $(cat "$work/lintian.log")"
	pass "lintian: no errors ($(grep -c '^W:' "$work/lintian.log") warnings)"
else
	[ "${CI:-}" != true ] || fail "lintian is not installed (contrib/setup.sh installs it)"
fi

mkdir "$work/root"
dpkg -x "$deb" "$work/root"
zcat "$work/root/usr/share/man/man1/twtune.1.gz" | grep -q '^\.IR* /usr/share/twtune/rules' &&
	! zcat "$work/root/usr/share/man/man1/twtune.1.gz" | grep -q 'datadir' ||
	fail "the packaged twtune(1) does not name /usr/share/twtune"
env -u TWTUNE_RULES -u TWTUNE_PROFILES unshare -m -n sh -c '
	mount --bind "$1/usr/share" /usr/share || exit 90
	"$1/usr/bin/twtune" rules --format json >"$2/rules.json" || exit 91
	"$1/usr/bin/twtune" check --format json >"$2/check.json"
' packaged "$work/root" "$work" || [ $? -le 2 ] || fail "the packaged twtune failed: $(cat "$work/check.json" "$work/rules.json" 2>&1 | head -c 600)"
[ "$(jq length "$work/rules.json")" -eq "$rules" ] &&
	jq -r '.[].file' "$work/rules.json" | grep -qx /usr/share/twtune/rules/tw-recycle-enabled.rule ||
	fail "the packaged twtune does not load its installed rules: $(head -c 400 "$work/rules.json")"
[ "$(jget "$work/check.json" .status)" = ok ] ||
	fail "the packaged twtune's check of an empty namespace: $(head -c 600 "$work/check.json")"
pass "the packaged twtune loads its $rules installed rules and checks a namespace (status ok)"
