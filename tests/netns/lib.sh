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

# netns_begin LETTERS [CLEANUP]: the common start of a test, after its own SKIP checks:
# FAIL setup and exit unless xvsd, xvsctl and xvs_pass are built; sets NETNS_PREFIX and P
# (LETTERS and the pid: unique per test), NETNS_TMP (/tmp/xvs-netns-NAME.XXXXXX), RUN and
# SOCK; the EXIT trap runs CLEANUP (netns_cleanup), the ERR trap says where errexit hit.
netns_begin() {
	local letters=$1 cleanup=${2:-netns_cleanup} bin
	for bin in "$XVSD" "$XVSCTL"; do
		[ -x "$bin" ] || { fail setup "$bin is not built"; exit 1; }
	done
	[ -f "$XVS_PASS_OBJ" ] || { fail setup "$XVS_PASS_OBJ is not built"; exit 1; }
	NETNS_PREFIX=$letters$$
	P=$NETNS_PREFIX
	NETNS_TMP=$(mktemp -d "/tmp/xvs-netns-${NETNS_TEST#netns/}.XXXXXX")
	RUN=$NETNS_TMP/run
	SOCK=$RUN/xvsd.sock
	# shellcheck disable=SC2064  # the name of the cleanup function, now
	trap "$cleanup" EXIT
	# errexit would end the test silently: say where.
	trap 'fail internal "line $LINENO: \"$BASH_COMMAND\" failed"' ERR
}

# netns_lab_up: scripts/lab.sh up $P, as its own process so that errexit holds inside it;
# FAIL setup and exit when it fails. LAB_ECHO_SERVERS=0 netns_lab_up: no echo servers.
netns_lab_up() {
	if ! "$NETNS_ROOT/scripts/lab.sh" up "$P" 2>"$NETNS_TMP/lab.log"; then
		fail setup "lab: $(cat "$NETNS_TMP/lab.log")"
		exit 1
	fi
}

# netns_finish: a test's last line; exits 1, with the xvsd log's last lines on stderr,
# when anything failed.
netns_finish() {
	if [ "$NETNS_FAILED" -ne 0 ]; then
		echo "# xvsd log: $(tail -n 3 "$NETNS_TMP/xvsd.log" 2>/dev/null | tr '\n' ' ')" >&2
		exit 1
	fi
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

# xvsd_check_ready SECONDS: PASS ready once xvsd_wait_ready succeeds, else FAIL ready
# (why, and the log's last lines) and exit.
xvsd_check_ready() {
	local limit=$1 why status=0
	if xvsd_wait_ready "$SOCK" "$limit"; then
		pass ready
		return 0
	fi
	if pid_alive "$XVSD_PID"; then
		why="not ready (every backend up) within $limit s"
	else
		wait "$XVSD_PID" || status=$?
		why="exited with status $status"
	fi
	fail ready "xvsd $why: $(tail -n 5 "$NETNS_TMP/xvsd.log")"
	exit 1
}

# xvsd_up SECONDS: xvsd with $NETNS_TMP/xvs.conf in $P-lb, logging to $NETNS_TMP/xvsd.log;
# then xvsd_check_ready SECONDS.
xvsd_up() {
	xvsd_start "$P" "$NETNS_TMP/xvs.conf" "$NETNS_TMP/xvsd.log"
	xvsd_check_ready "$1"
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

# link_xdp NS [DEV]: prints yes or no: whether an XDP program is attached to DEV (or to
# any link of NS); error when ip fails, so a negative check cannot pass on an ip error.
# The output is read whole before matching: "ip | grep -q" under pipefail can fail on
# ip's SIGPIPE when grep leaves at the first match.
link_xdp() {
	local links
	links=$(ip -n "$1" link show ${2:+dev "$2"} 2>&1) || { echo error; return 0; }
	case $links in *xdp*) echo yes ;; *) echo no ;; esac
}

# xvsd_check_stop NAME [detach]: xvsd_stop 10; FAIL NAME unless xvsd exited with status 0
# and (with detach) left no XDP program on lb eth0. Returns 1 after a FAIL: the caller says
# PASS, after checks of its own if it has any.
xvsd_check_stop() {
	local name=$1 detach=${2:-}
	xvsd_stop 10
	if [ "$XVSD_STATUS" != 0 ]; then
		fail "$name" "xvsd exit status $XVSD_STATUS after SIGTERM: $(tail -n 5 "$NETNS_TMP/xvsd.log")"
		return 1
	fi
	if [ "$detach" = detach ] && [ "$(link_xdp "$P-lb" eth0)" != no ]; then
		fail "$name" "an XDP program is still attached to lb eth0 after xvsd exited"
		return 1
	fi
}

# xvsd_save_list: xvsctl list --json into $NETNS_TMP/list.json, its errors into list.log.
xvsd_save_list() {
	"$XVSCTL" -s "$SOCK" list --json >"$NETNS_TMP/list.json" 2>"$NETNS_TMP/list.log" || true
}

# xvsd_list_saved NAME: succeeds when xvsd_save_list saved a document, else FAIL NAME.
xvsd_list_saved() {
	[ -s "$NETNS_TMP/list.json" ] && return 0
	fail "$1" "xvsctl list --json failed: $(cat "$NETNS_TMP/list.log")"
	return 1
}

# The configuration file, on stdout: xvsd_conf_head IFACE... writes the global section
# (node $P-lb, run_dir, api unix $SOCK) and an "xdp auto" section for each IFACE;
# conf_service NAME VIP PORT PROTO MODE BACKENDS [LINE...] a service with
# scheduler rr, the extra LINEs (persistence, snat...) and a backend line for each address
# of BACKENDS (separated by spaces).
xvsd_conf_head() {
	local ifname
	printf 'global {\n    node %s\n    run_dir %s\n    api unix %s\n}\n' "$P-lb" "$RUN" "$SOCK"
	for ifname in "$@"; do
		printf '\ninterface %s {\n    xdp auto\n}\n' "$ifname"
	done
}

conf_service() {
	local name=$1 vip=$2 port=$3 proto=$4 mode=$5 backends=$6 line b
	shift 6
	printf '\nservice %s {\n    vip %s\n    port %s\n    proto %s\n    mode %s\n    scheduler rr\n' \
		"$name" "$vip" "$port" "$proto" "$mode"
	for line in "$@"; do
		printf '    %s\n' "$line"
	done
	for b in $backends; do
		printf '    backend %s\n' "$b"
	done
	printf '}\n'
}

# addresses_of ARRAY NODE...: ARRAY's values for the NODEs, in that order, separated by
# spaces (ARRAY is an associative array such as LAB_BACKEND_ADDR).
addresses_of() {
	local -n addresses_of_map=$1
	local node out=()
	shift
	for node in "$@"; do
		out+=("${addresses_of_map[$node]}")
	done
	echo "${out[*]}"
}

# pairs_of ARRAY NODE...: a line NODE=VALUE for each NODE (for mapfile).
pairs_of() {
	local -n pairs_of_map=$1
	local node
	shift
	for node in "$@"; do
		echo "$node=${pairs_of_map[$node]}"
	done
}

# macs_of NODE...: a line NODE=MAC for each NODE, MAC that of eth0 in $P-NODE.
macs_of() {
	local node
	for node in "$@"; do
		echo "$node=$(mac_of "$P-$node" eth0)"
	done
}

# check_py SCRIPT NAME ARGS...: PASS NAME when python3 SCRIPT ARGS succeeds, else FAIL NAME
# with its output. check NAME ARGS...: the same with verify.py.
check_py() {
	local script=$1 name=$2 out
	shift 2
	if out=$(python3 "$script" "$@" 2>&1); then
		pass "$name"
	else
		fail "$name" "$out"
	fi
}

check() { check_py "$NETNS_DIR/verify.py" "$@"; }

# client_run NAME SECONDS OUT ARGS...: client.py ARGS in $P-client within SECONDS, its
# JSON into OUT, its stderr appended to $NETNS_TMP/client.log; FAIL NAME and return 1
# when it fails.
client_run() {
	local name=$1 limit=$2 out=$3
	shift 3
	ip netns exec "$P-client" timeout "$limit" python3 "$NETNS_DIR/client.py" "$@" \
		>"$out" 2>>"$NETNS_TMP/client.log" && return 0
	fail "$name" "client.py failed: $(tail -n 3 "$NETNS_TMP/client.log")"
	return 1
}

# check_checksums [-6] NODE...: PASS checksums when /proc/net/snmp (with -6 snmp6 too)
# counts no checksum error in any $P-NODE, else FAIL checksums with what verify.py said.
# IPv6 UDP has its own counter in snmp6; IPv6 TCP counts in the shared Tcp line of snmp.
check_checksums() {
	local six=0 node out errors=
	if [ "$1" = -6 ]; then
		six=1
		shift
	fi
	for node in "$@"; do
		out=$(ip netns exec "$P-$node" cat /proc/net/snmp | python3 "$NETNS_DIR/verify.py" csum "$node" 2>&1) ||
			errors+="$out; "
		[ "$six" = 1 ] || continue
		out=$(ip netns exec "$P-$node" cat /proc/net/snmp6 | python3 "$NETNS_DIR/verify.py" csum6 "$node" 2>&1) ||
			errors+="$out; "
	done
	if [ -z "$errors" ]; then
		pass checksums
	else
		fail checksums "$errors"
	fi
}

# wait_pidfile SECONDS PIDFILE WHAT LOG: FAIL setup (with LOG) and exit unless PIDFILE is
# written within SECONDS (servers write theirs once their sockets are bound).
wait_pidfile() {
	wait_until "$1" test -s "$2" && return 0
	fail setup "$3 did not start: $(cat "$4" 2>/dev/null)"
	exit 1
}

# stop_backend_servers WHAT LABEL: stops the process of every lab backend whose pid is in
# the lab state as NODE-WHAT.pid; prints "LABEL/NODE " for each one still running.
stop_backend_servers() {
	local what=$1 label=$2 b pid
	for b in "${LAB_BACKENDS[@]}"; do
		pid=$(cat "$(lab_state_dir "$P")/$b-$what.pid" 2>/dev/null || true)
		lab_stop_pid "$P-$b" "$pid"
		if [ -n "$pid" ] && pid_alive "$pid"; then
			echo -n "$label/$b "
		fi
	done
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

# capture_must_start NAME NS DEV FILTER...: capture_start, or FAIL setup and exit.
capture_must_start() {
	capture_start "$@" && return 0
	fail setup "tcpdump did not start: $(cat "$NETNS_TMP"/*.tcpdump.log)"
	exit 1
}

# send_marker NS DST PORT [FROM]: one UDP datagram "marker" from NS to DST:PORT, sent from
# address FROM when given; a capture that holds it holds every packet sent before it.
send_marker() {
	ip netns exec "$1" python3 -c '
import socket, sys
dst, port, src = sys.argv[1], int(sys.argv[2]), sys.argv[3]
s = socket.socket(socket.AF_INET6 if ":" in dst else socket.AF_INET, socket.SOCK_DGRAM)
if src:
    s.bind((src, 0))
s.sendto(b"marker", (dst, port))' "$2" "$3" "${4:-}" || true
}

# capture_stop_marked NAME PORT: waits (10 s at most) for the marker to PORT in NAME's
# capture, then stops it.
capture_stop_marked() {
	wait_until 10 python3 "$NETNS_DIR/verify.py" marker "$NETNS_TMP/$1.pcap" "$2" ||
		echo "# warning: marker not seen in the $1 capture" >&2
	capture_stop "$1"
}

no_tcp_sockets() { [ -z "$(ip netns exec "$1" ss -Htan 2>/dev/null)" ]; }

# capture_flush_dr VIP CLIENT_ADDRESS PORT: flushes and stops the captures "client" (the
# client's requests) and "router" (the replies on the router's LAN port): once the client's
# TCP sockets have closed, a marker through each.
capture_flush_dr() {
	local vip=$1 client=$2 port=$3 name
	wait_until 10 no_tcp_sockets "$P-client" || true
	send_marker "$P-client" "$vip" "$port"
	send_marker "$P-b1" "$client" "$port" "$vip"
	for name in client router; do
		capture_stop_marked "$name" "$port"
	done
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
