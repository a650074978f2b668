#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Every configuration in examples/ passes `xvsd -t`: exit 0 and "FILE: configuration ok".
# Needs no namespaces or root; it lives here because tests/run.sh runs tests/netns/ with
# the daemon it tests (XVSD).
# Prints PASS:/FAIL: netns/examples/FILE lines.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT" || exit 1
XVSD=${XVSD:-build/xvsd}
failed=0

if [ ! -x "$XVSD" ]; then
	echo "FAIL: netns/examples/setup: $XVSD is not built"
	exit 1
fi

found=0
for file in examples/*.conf; do
	[ -e "$file" ] || continue
	found=1
	name=$(basename "$file" .conf)
	status=0
	out=$("$XVSD" -t -f "$file" 2>&1) || status=$?
	if [ "$status" = 0 ] && [ "$out" = "$file: configuration ok" ]; then
		echo "PASS: netns/examples/$name"
	else
		echo "FAIL: netns/examples/$name: exit status $status: $(echo "$out" | head -n 3 | tr '\n' ' ')"
		failed=1
	fi
done
if [ "$found" = 0 ]; then
	echo "FAIL: netns/examples/setup: no examples/*.conf"
	failed=1
fi
exit "$failed"
