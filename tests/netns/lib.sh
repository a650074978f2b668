# SPDX-License-Identifier: GPL-2.0-only
# Shared helpers for the netns end-to-end tests: result lines, the lab (scripts/lab.sh),
# starting and stopping xvsd, packet captures and bounded waits. Source it; don't run it.
# shellcheck shell=bash disable=SC2034  # variables here are used by the sourcing script

NETNS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
NETNS_DIR=$NETNS_ROOT/tests/netns
# shellcheck source=scripts/lab.sh
. "$NETNS_ROOT/scripts/lab.sh"

XVSD=${XVSD:-build/xvsd}
XVSCTL=${XVSCTL:-build/xvsctl}

NETNS_TEST=${NETNS_TEST:-netns}
NETNS_FAILED=0
NETNS_PASSED=0

pass() {
	echo "PASS: $NETNS_TEST/$1"
	NETNS_PASSED=$((NETNS_PASSED + 1))
}

# fail NAME DETAILS: details are folded onto the one result line.
fail() {
	local name=$1
	shift
	echo "FAIL: $NETNS_TEST/$name: $(echo "$*" | tr '\n' ' ' | sed 's/  */ /g; s/ $//')"
	NETNS_FAILED=$((NETNS_FAILED + 1))
}

skip() {
	echo "SKIP: $NETNS_TEST: $*"
	exit 0
}

# Prints SKIP and exits unless this process can make network namespaces.
require_netns() {
	local probe="xvsprobe$$"
	[ "$(id -u)" = 0 ] || skip "needs root"
	command -v ip >/dev/null || skip "ip (iproute2) is not installed"
	ip netns add "$probe" 2>/dev/null || skip "cannot create network namespaces"
	ip netns del "$probe"
	command -v python3 >/dev/null || skip "python3 is not installed"
	command -v tcpdump >/dev/null || skip "tcpdump is not installed"
}

# wait_until SECONDS COMMAND...: polls COMMAND every 0.1 s until it succeeds;
# returns 1 when SECONDS pass first.
wait_until() {
	local limit=$1 deadline
	shift
	deadline=$((SECONDS + limit))
	until "$@"; do
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.1
	done
}

not_alive() { ! pid_alive "$1"; }

# xvsd_start PREFIX CONF LOG: runs $XVSD -f CONF in the lb namespace in the
# background and records its pid in XVSD_PID and in the lab state, so that
# lab_down stops it when the test cannot.
xvsd_start() {
	local p=$1 conf=$2 log=$3
	ip netns exec "$p-lb" "$XVSD" -f "$conf" >"$log" 2>&1 </dev/null &
	XVSD_PID=$!
	echo "$XVSD_PID" >"$(lab_state_dir "$p")/lb-xvsd.pid"
}

# Succeeds when xvsd answers on SOCK and every backend of every service is up.
xvsd_ready() {
	local sock=$1 json
	json=$("$XVSCTL" -s "$sock" list --json 2>/dev/null) || return 1
	python3 -c '
import json, sys
services = json.load(sys.stdin)["services"]
sys.exit(0 if services and all(b["state"] == "up" for s in services for b in s["backends"]) else 1)
' <<<"$json" 2>/dev/null
}

# xvsd_wait_ready SOCK SECONDS: also fails at once when xvsd exits.
xvsd_wait_ready() {
	local sock=$1 limit=$2 deadline
	deadline=$((SECONDS + limit))
	until xvsd_ready "$sock"; do
		pid_alive "$XVSD_PID" || return 1
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.1
	done
}

# xvsd_stop SECONDS: SIGTERM, then waits; sets XVSD_STATUS to the exit status, or to
# "timeout" (and kills it) when it outlives the deadline.
xvsd_stop() {
	local limit=$1
	XVSD_STATUS=
	kill -TERM "$XVSD_PID" 2>/dev/null || true
	if wait_until "$limit" not_alive "$XVSD_PID"; then
		XVSD_STATUS=0
		wait "$XVSD_PID" || XVSD_STATUS=$?
	else
		XVSD_STATUS=timeout
		kill -KILL "$XVSD_PID" 2>/dev/null || true
		wait "$XVSD_PID" 2>/dev/null || true
	fi
}

# capture_start NAME NS DEV FILTER...: tcpdump into $NETNS_TMP/NAME.pcap, in the
# background, packet-buffered; returns once tcpdump listens.
capture_start() {
	local name=$1 ns=$2 dev=$3 pid
	shift 3
	ip netns exec "$ns" tcpdump -i "$dev" -n -s 256 -U --immediate-mode -Z root \
		-w "$NETNS_TMP/$name.pcap" "$@" >"$NETNS_TMP/$name.tcpdump.log" 2>&1 </dev/null &
	pid=$!
	echo "$pid" >"$NETNS_TMP/$name.tcpdump.pid"
	# -s: the background shell may not have created the log yet.
	wait_until 10 grep -qs "listening on" "$NETNS_TMP/$name.tcpdump.log"
}

# capture_stop NAME: SIGINT, bounded wait.
capture_stop() {
	local name=$1 pid
	pid=$(cat "$NETNS_TMP/$name.tcpdump.pid" 2>/dev/null) || return 0
	kill -INT "$pid" 2>/dev/null || true
	wait_until 5 not_alive "$pid" || kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	rm -f "$NETNS_TMP/$name.tcpdump.pid"
}

# mac_of NS DEV
mac_of() {
	ip -n "$1" -o link show "$2" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'
}

# Cleanup for tests: captures, then the lab (which stops xvsd and the servers),
# then the temp dir. Call from the test's EXIT trap.
netns_cleanup() {
	local f
	if [ -n "${NETNS_TMP:-}" ]; then
		for f in "$NETNS_TMP"/*.tcpdump.pid; do
			[ -e "$f" ] && capture_stop "$(basename "$f" .tcpdump.pid)"
		done
	fi
	[ -n "${NETNS_PREFIX:-}" ] && lab_down "$NETNS_PREFIX"
	if [ -n "${NETNS_TMP:-}" ]; then
		if [ "${NETNS_KEEP_TMP:-0}" = 1 ]; then
			echo "# kept $NETNS_TMP" >&2
		else
			rm -rf "$NETNS_TMP"
		fi
	fi
}
