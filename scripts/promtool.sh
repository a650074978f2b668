#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Prints the path of a promtool binary, taken from Debian's prometheus package
# without installing it (no service is started): unpacked once into build/tools.
set -euo pipefail
cd "$(dirname "$0")/.."
if command -v promtool >/dev/null; then
	command -v promtool
	exit 0
fi
tools=$PWD/build/tools
if [ ! -x "$tools/usr/bin/promtool" ]; then
	download=$(mktemp -d)
	chmod 755 "$download" # apt's _apt user writes here
	(cd "$download" && apt-get download -qq prometheus >/dev/null 2>&1)
	mkdir -p "$tools"
	dpkg -x "$download"/prometheus_*.deb "$tools"
	rm -rf "$download"
fi
echo "$tools/usr/bin/promtool"
