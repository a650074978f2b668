# SPDX-License-Identifier: GPL-2.0-only
# Shared by the VRRP netns tests (test_vrrp*.sh): nodes on one bridge, an xvsd per node
# with its own run_dir and configuration, states and VIPs read back. Source it after lib.sh.
# shellcheck shell=bash disable=SC2034  # variables here are used by the sourcing script
#
#            vrPID-sw: br0 (no multicast snooping)
#        |            |             |            |             |
#   vrPID-n1      vrPID-n2      vrPID-c      vrPID-gw      (other nodes as asked)
#   10.77.0.1     10.77.0.2     10.77.0.10   10.77.0.254
#   fd77::1       fd77::2       fd77::10     fd77::254
#   xvsd + TCP echo server on port 80 (answers "n1 ..." / "n2 ...")

VR_VERIFY=$NETNS_DIR/vrrp_verify.py
# The system's python: starts in 20 ms where a version manager's shim may take 500.
VR_PYTHON=python3
[ -x /usr/bin/python3 ] && VR_PYTHON=/usr/bin/python3
declare -A VR_ADDRESS=([n1]=1 [n2]=2 [n3]=3 [c]=10 [gw]=254)
VR_NODES=()

vr_v4() { echo "10.77.0.${VR_ADDRESS[$1]}"; }
vr_v6() { echo "fd77::${VR_ADDRESS[$1]}"; }

# vr_begin: netns_begin with this file's cleanup.
vr_begin() {
	netns_begin vr vr_cleanup
}

# vr_lab_up NODE...: the switch and NODEs (n1, n2, n3, c, gw), each with eth0 on br0.
vr_lab_up() {
	local node
	lab_ns_add "$P-sw"
	ip -n "$P-sw" link add br0 type bridge mcast_snooping 0
	ip -n "$P-sw" link set br0 up
	for node in "$@"; do
		lab_ns_add "$P-$node"
		VR_NODES+=("$node")
		ip -n "$P-$node" link add eth0 type veth peer name "p$node" netns "$P-sw"
		lab_no_offload "$P-$node" eth0
		ip -n "$P-sw" link set "p$node" master br0 up
		ip -n "$P-$node" link set eth0 up
		ip -n "$P-$node" addr add "$(vr_v4 "$node")/24" dev eth0
		ip -n "$P-$node" addr add "$(vr_v6 "$node")/64" dev eth0 nodad
	done
}

# vr_conf NODE [LINE...]: the global block of NODE's xvsd on stdout.
vr_conf_head() {
	local node=$1
	printf 'global {\n    node %s\n    run_dir %s\n    api unix %s\n}\n' "$node" \
		"$NETNS_TMP/$node" "$NETNS_TMP/$node/xvsd.sock"
}

# vr_vrrp NAME LINE...: a vrrp block on stdout (interface eth0).
vr_vrrp() {
	local name=$1 line
	shift
	printf '\nvrrp %s {\n    interface eth0\n' "$name"
	for line in "$@"; do
		printf '    %s\n' "$line"
	done
	printf '}\n'
}

vr_sock() { echo "$NETNS_TMP/$1/xvsd.sock"; }

# vr_json NODE: xvsctl vrrp --json of NODE into $NETNS_TMP/NODE.json.
vr_json() {
	"$XVSCTL" -s "$(vr_sock "$1")" vrrp --json >"$NETNS_TMP/$1.json" 2>/dev/null
}

# vr_is NODE NAME FAMILY STATE: succeeds when NODE's router is in STATE.
vr_is() {
	vr_json "$1" && "$VR_PYTHON" "$VR_VERIFY" state "$NETNS_TMP/$1.json" "$2" "$3" "$4" >/dev/null
}

# vr_field NODE NAME FAMILY KEY...: prints a field of NODE's router.
vr_field() {
	local node=$1
	shift
	vr_json "$node" && "$VR_PYTHON" "$VR_VERIFY" field "$NETNS_TMP/$node.json" "$@"
}

# vr_has NODE ADDRESS: ADDRESS is on NODE's eth0. vr_owns: the same, saying what is there
# when it is not (for vr_check).
vr_has() {
	local list
	# Not "ip | grep -q": grep may leave first, and pipefail then sees ip's SIGPIPE.
	list=$(ip -n "$P-$1" -o addr show dev eth0)
	grep -q " ${2}/" <<<"$list"
}
vr_lacks() { ! vr_has "$@"; }
vr_owns() {
	vr_has "$@" && return 0
	echo "$1 has no $2:" $(ip -n "$P-$1" -o addr show dev eth0 | awk '{print $4}')
	return 1
}

# vr_launch NODE: xvsd with $NETNS_TMP/NODE.conf in NODE, its pid in $NETNS_TMP/NODE.pid.
vr_launch() {
	local node=$1
	mkdir -p "$NETNS_TMP/$node"
	# From a subshell: not a job of this shell, so kill -9 prints no "Killed".
	(
		ip netns exec "$P-$node" "$XVSD" -f "$NETNS_TMP/$node.conf" \
			>>"$NETNS_TMP/$node.log" 2>&1 </dev/null &
		echo $! >"$NETNS_TMP/$node.pid"
	)
}

# vr_wait_up NODE...: waits (60 s at most: loading the data plane takes seconds, more on
# a busy machine) for each NODE's API; FAIL setup and exit when one does not come up.
vr_wait_up() {
	local node
	for node in "$@"; do
		wait_until 60 vr_json "$node" && continue
		fail setup "xvsd on $node did not start: $(tail -n 5 "$NETNS_TMP/$node.log")"
		exit 1
	done
}

# vr_start NODE...: vr_launch each NODE (all at once), then vr_wait_up.
vr_start() {
	local node
	for node in "$@"; do
		vr_launch "$node"
	done
	vr_wait_up "$@"
}

vr_pid() { cat "$NETNS_TMP/$1.pid" 2>/dev/null; }

# vr_kill NODE SIGNAL: signals NODE's xvsd and waits (10 s) for it to end.
vr_kill() {
	local pid
	pid=$(vr_pid "$1")
	[ -n "$pid" ] || return 0
	kill "-$2" "$pid" 2>/dev/null || true
	wait_until 10 not_alive "$pid" || kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	rm -f "$NETNS_TMP/$1.pid"
}

# vr_server NODE: the TCP echo server on port 80 of NODE (any address; "::" takes IPv4 too), answering "NODE ...".
vr_server() {
	local node=$1
	ip netns exec "$P-$node" "$VR_PYTHON" "$NETNS_DIR/echo_server.py" --name "$node" \
		--address :: --udp-port 5353 --tcp-port 80 \
		--pidfile "$NETNS_TMP/$node-server.pid" >"$NETNS_TMP/$node-server.log" 2>&1 &
	wait_pidfile 10 "$NETNS_TMP/$node-server.pid" "echo server on $node" \
		"$NETNS_TMP/$node-server.log"
}

# vr_reach VIP NAME [SECONDS]: the client's TCP request to VIP:80 is answered by NAME.
vr_reach() {
	ip netns exec "$P-c" "$VR_PYTHON" "$VR_VERIFY" reach "$1" 80 "$2" "${3:-3}"
}

# vr_check NAME COMMAND...: PASS NAME when COMMAND succeeds, else FAIL NAME with its output.
vr_check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		pass "$name"
	else
		fail "$name" "$out"
	fi
}

# vr_wait_check NAME SECONDS COMMAND...: PASS NAME once COMMAND succeeds within SECONDS.
vr_wait_check() {
	local name=$1 limit=$2
	shift 2
	if wait_until "$limit" "$@"; then
		pass "$name"
	else
		fail "$name" "not within $limit s: $*; $(tail -n 3 "$NETNS_TMP"/n*.log 2>/dev/null)"
	fi
}

# Milliseconds since an arbitrary start, for the figures the tests print.
vr_ms() { echo $(($(date +%s%N) / 1000000)); }

vr_cleanup() {
	local f pid node
	if [ "$NETNS_FAILED" -ne 0 ] && [ -n "${NETNS_TMP:-}" ]; then
		for f in "$NETNS_TMP"/n*.log; do
			[ -e "$f" ] && echo "# $(basename "$f"): $(tail -n 8 "$f" | tr '\n' '|')" >&2
		done
	fi
	if [ -n "${NETNS_TMP:-}" ]; then
		for f in "$NETNS_TMP"/*.tcpdump.pid; do
			[ -e "$f" ] && capture_stop "$(basename "$f" .tcpdump.pid)"
		done
		for f in "$NETNS_TMP"/*.pid; do
			[ -e "$f" ] || continue
			pid=$(cat "$f" 2>/dev/null || true)
			[ -n "$pid" ] && pid_alive "$pid" && kill -TERM "$pid" 2>/dev/null
		done
		for f in "$NETNS_TMP"/*.pid; do
			[ -e "$f" ] || continue
			pid=$(cat "$f" 2>/dev/null || true)
			[ -n "$pid" ] && { wait_until 5 not_alive "$pid" || kill -KILL "$pid" 2>/dev/null; }
		done
	fi
	if [ -n "${NETNS_PREFIX:-}" ]; then
		for node in "${VR_NODES[@]}" sw; do
			lab_ns_exists "$P-$node" && ip netns del "$P-$node" 2>/dev/null
		done
	fi
	if [ -n "${NETNS_TMP:-}" ]; then
		if [ "${NETNS_KEEP_TMP:-0}" = 1 ]; then
			echo "# kept $NETNS_TMP" >&2
		else
			rm -rf "$NETNS_TMP"
		fi
	fi
	return 0
}
