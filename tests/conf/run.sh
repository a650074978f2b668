#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Checks "xvsd -t" against the configuration files here: each good/*.conf must
# pass silently, each bad/NAME.conf must fail with exactly bad/NAME.err on stderr.
set -u

cd "$(dirname "$0")/../.." || exit 1
XVSD=${XVSD:-build/xvsd}
failures=0
output=$(mktemp)
trap 'rm -f "$output"' EXIT

for file in tests/conf/good/*.conf; do
	name=$(basename "$file" .conf)
	"$XVSD" -t -f "$file" >/dev/null 2>"$output"
	status=$?
	if [ "$status" -eq 0 ] && [ ! -s "$output" ]; then
		echo "PASS: conf/good/$name"
	else
		echo "FAIL: conf/good/$name: exit status $status, stderr:"
		sed 's/^/    /' "$output"
		failures=$((failures + 1))
	fi
done

for file in tests/conf/bad/*.conf; do
	name=$(basename "$file" .conf)
	expected=${file%.conf}.err
	"$XVSD" -t -f "$file" >/dev/null 2>"$output"
	status=$?
	if [ ! -f "$expected" ]; then
		echo "FAIL: conf/bad/$name: $expected is missing"
	elif [ "$status" -eq 0 ]; then
		echo "FAIL: conf/bad/$name: exit status 0, expected failure"
	elif ! diff -u "$expected" "$output" >/dev/null; then
		echo "FAIL: conf/bad/$name: stderr differs from $expected:"
		diff -u --label expected --label actual "$expected" "$output" | sed 's/^/    /'
	else
		echo "PASS: conf/bad/$name"
		continue
	fi
	failures=$((failures + 1))
done

[ "$failures" -eq 0 ]
