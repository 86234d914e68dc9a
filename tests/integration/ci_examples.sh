#!/bin/sh
# SPDX-License-Identifier: MIT
# The CI examples of contrib/ci/, run as their jobs run them: every
# "twtune lint" command each one holds, exactly as written, from the top of
# a sample configuration repository (config/ laid out like /). The paths
# must be the repository's (config/etc/sysctl.d/...), each format well
# formed (SARIF checked against 2.1.0's required members, GitHub workflow
# commands, GitLab Code Quality's required keys), and the exit statuses
# those of the --fail-on each job gives.
. "${TEST_SRCDIR:-.}/integration/lib.sh"
need_jq

examples="$TEST_SRCDIR/../contrib/ci"
repo=$(mktemp -d)
trap 'rm -rf "$repo"' EXIT
mkdir -p "$repo/config/etc/sysctl.d" "$repo/config/usr/lib/sysctl.d"
printf 'net.ipv4.tcp_tw_recycle = 1\nnet.ipv4.tcp_fin_timeout = 30\n' >"$repo/config/etc/sysctl.d/60-legacy.conf"
printf 'net.ipv4.tcp_tw_reuse = 1\nnet.ipv4.tcp_timestamps = 0\n' >"$repo/config/usr/lib/sysctl.d/50-vendor.conf"

# every "twtune lint ..." line of FILE, its YAML prefix ("run: ", "- ") cut
commands() {
	sed -n 's/^[[:space:]]*\(run:[[:space:]]*\|-[[:space:]]*\)\{0,1\}\(twtune lint .*\)$/\2/p' "$1"
}

# run COMMAND (a line of an example) in the repository, twtune being the
# program under test; $status is its exit status, what it printed (unless
# the command redirects it) is in $repo/stdout
run() {
	status=0
	(cd "$repo" && twtune() { "$TWTUNE" "$@"; } && eval "$1") >"$repo/stdout" || status=$?
}

sarif_ok() {
	jq -e '
		.version == "2.1.0" and (.runs | length) == 1 and
		(.runs[0].tool.driver.name | type) == "string" and
		all(.runs[0].results[];
			(.message.text | type) == "string" and (.ruleId | type) == "string" and
			(.locations[0].physicalLocation.artifactLocation.uri | startswith("config/")) and
			.locations[0].physicalLocation.artifactLocation.uriBaseId == "SRCROOT") and
		(.runs[0].originalUriBaseIds.SRCROOT.uri | startswith("file:///"))' "$1" >/dev/null
}

codequality_ok() {
	jq -e 'type == "array" and length > 0 and all(.[];
		(.description | type) == "string" and (.check_name | type) == "string" and
		(.fingerprint | type) == "string" and
		(.severity | IN("info", "minor", "major", "critical", "blocker")) and
		(.location.path | startswith("config/")) and (.location.lines.begin | type) == "number")
		and ([.[].fingerprint] | unique | length) == length' "$1" >/dev/null
}

checked=0
for example in github-code-scanning.yml github-annotations.yml gitlab-ci.yml; do
	[ -f "$examples/$example" ] || fail "no contrib/ci/$example"
	commands "$examples/$example" >"$repo/commands"
	[ -s "$repo/commands" ] || fail "$example holds no twtune lint command"
	while IFS= read -r command; do
		run "$command"
		case "$command" in
		*"--format sarif"*)
			out=$(echo "$command" | sed 's/.*> *//')
			[ "$status" -eq 0 ] || fail "$example: '$command' exited $status"
			sarif_ok "$repo/$out" || fail "$example: $out is not the SARIF code scanning needs: $(head -c 600 "$repo/$out")"
			;;
		*"--format codequality"*)
			out=$(echo "$command" | sed 's/.*> *//')
			[ "$status" -eq 0 ] || fail "$example: '$command' exited $status"
			codequality_ok "$repo/$out" || fail "$example: $out is not a Code Quality report: $(head -c 600 "$repo/$out")"
			;;
		*"--format github"*)
			[ "$status" -eq 1 ] || fail "$example: '$command' exited $status, expected 1 (--fail-on warning)"
			cp "$repo/stdout" "$repo/annotations"
			grep -q '^::warning file=config/usr/lib/sysctl.d/50-vendor.conf,line=2,title=tw-reuse-without-timestamps::' "$repo/annotations" &&
				! grep -v '^::\(error\|warning\|notice\) file=config/[^,]*,line=[0-9]*,title=[a-z-]*::' "$repo/annotations" | grep -q . ||
				fail "$example: annotations: $(cat "$repo/annotations")"
			;;
		*)
			[ "$status" -eq 1 ] || fail "$example: '$command' exited $status, expected 1"
			grep -q '^config/usr/lib/sysctl.d/50-vendor.conf:2: warning: ' "$repo/stdout" ||
				fail "$example: '$command' printed: $(cat "$repo/stdout")"
			;;
		esac
		checked=$((checked + 1))
		pass "$example: $command"
	done <"$repo/commands"
done
[ "$checked" -eq 4 ] || fail "ran $checked commands of the examples, expected 4"
