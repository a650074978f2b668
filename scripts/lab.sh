#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The xvs lab: network namespaces for a client, a router, a bridge, the balancer
# and three DR backends running echo servers. Used by `make demo` and tests/netns/.
# Dual stack: every address below has an IPv6 twin in brackets.
#
#  ${P}-client   eth0 10.0.0.2/24 [fd00::2/64], default via 10.0.0.1 [fd00::1]
#      |
#  ${P}-router   eth0 10.0.0.1/24 [fd00::1/64] | eth1 10.0.1.1/24 [fd00:1::1/64],
#      |         forwarding on for both; route 10.0.1.100/32 via 10.0.1.2 and
#      |         [fd00:1::100/128 via fd00:1::2] (the VIPs go to the balancer)
#  ${P}-switch   br0 = sw-router + sw-lb + sw-b1 + sw-b2 + sw-b3, no multicast snooping
#      |                  (sw-lb runs xvs_pass: XDP_TX frames from lb eth0 need it)
#      +-- ${P}-lb       eth0 10.0.1.2/24 [fd00:1::2/64], default via 10.0.1.1
#      |                 [fd00:1::1] (xvsd attaches here)
#      +-- ${P}-b1..b3   eth0 10.0.1.11..13/24 [fd00:1::11..13/64], default via
#                        10.0.1.1 [fd00:1::1], VIPs 10.0.1.100/32 [fd00:1::100/128] on
#                        lo, arp_ignore=1, arp_announce=2; echo_server.py serving UDP 53
#                        and TCP 80 on both VIPs, answering with its name
#
# IPv6 addresses skip duplicate address detection (nodad, accept_dad=0 for the
# link-local ones) so that they are usable at once. IPv6 needs no arp_ignore twin: Linux
# answers a neighbour solicitation only for an address on the interface it arrived on,
# so the backends never answer for the VIP on lo (test_dr6.sh checks this).
#
# Usage: lab.sh up PREFIX | lab.sh down PREFIX | lab.sh status PREFIX
# LAB_ECHO_SERVERS=0 leaves the backends without echo servers (for tests that run
# servers of their own on the VIPs' ports).
# State (pid files, logs) lives in /run/xvs-lab/PREFIX; `down` stops every process
# whose pid file is there (the servers, and xvsd when the caller wrote lb-xvsd.pid),
# then any process left in the lab's namespaces, then deletes the namespaces.
set -euo pipefail

LAB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
XVS_PASS_OBJ=${XVS_PASS_OBJ:-$LAB_ROOT/build/bpf/xvs_pass.bpf.o}
ECHO_SERVER=$LAB_ROOT/tests/netns/echo_server.py

LAB_VIP=10.0.1.100
LAB_VIP6=fd00:1::100
LAB_UDP_PORT=53
LAB_TCP_PORT=80
LAB_BACKENDS=(b1 b2 b3)
declare -A LAB_BACKEND_ADDR=([b1]=10.0.1.11 [b2]=10.0.1.12 [b3]=10.0.1.13)
declare -A LAB_BACKEND_ADDR6=([b1]=fd00:1::11 [b2]=fd00:1::12 [b3]=fd00:1::13)
LAB_ECHO_SERVERS=${LAB_ECHO_SERVERS:-1}

lab_log() { echo "lab: $*" >&2; }

# Succeeds while pid $1 runs (a zombie waiting for its parent does not count).
pid_alive() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ]
}

lab_state_dir() { echo "/run/xvs-lab/$1"; }

# Where `ip netns add` puts the names. Asking the kernel instead (`ip netns list`) prints
# "Peer netns reference is invalid" while another lab's namespace is being deleted.
lab_ns_exists() { [ -e "/run/netns/$1" ]; }

lab_namespaces() {
	local p=$1 n
	for n in client router switch lb "${LAB_BACKENDS[@]}"; do
		echo "$p-$n"
	done
}

# Runs a command inside namespace $1.
lab_in() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

# Veth offloads leave CHECKSUM_PARTIAL packets that XDP sees and would forward
# with a wrong checksum: turn them off on every end.
lab_no_offload() {
	ip netns exec "$1" ethtool -K "$2" tx off rx off >/dev/null 2>&1 ||
		lab_log "warning: ethtool -K $2 tx off failed in $1"
}

# Creates a veth pair: $2 in namespace $1, $4 in namespace $3.
lab_veth() {
	ip -n "$1" link add "$2" type veth peer name "$4" netns "$3"
	lab_no_offload "$1" "$2"
	lab_no_offload "$3" "$4"
}

lab_sysctl() {
	ip netns exec "$1" sysctl -qw "$2" >/dev/null
}

# Adds namespace $1 with lo up.
lab_ns_add() {
	ip netns add "$1"
	ip -n "$1" link set lo up
	# Interfaces made from now on inherit "default": no DAD on link-local addresses.
	lab_sysctl "$1" net.ipv6.conf.all.accept_dad=0
	lab_sysctl "$1" net.ipv6.conf.default.accept_dad=0
}

# Succeeds when a namespace named PREFIX-* exists (a lab with prefix $1, or part of one).
lab_prefix_in_use() { compgen -G "/run/netns/$1-*" >/dev/null; }

lab_up() {
	local p=$1 state ns b addr deadline
	state=$(lab_state_dir "$p")
	if [ ! -f "$XVS_PASS_OBJ" ]; then
		lab_log "$XVS_PASS_OBJ is missing; run: make build/bpf/xvs_pass.bpf.o"
		return 1
	fi
	mkdir -p "$state"

	for ns in $(lab_namespaces "$p"); do
		lab_ns_add "$ns"
	done

	lab_veth "$p-client" eth0 "$p-router" eth0
	# Without a multicast querier in the lab, snooping only adds ways for neighbour
	# solicitations to go astray.
	ip -n "$p-switch" link add br0 type bridge mcast_snooping 0
	lab_veth "$p-switch" sw-router "$p-router" eth1
	lab_veth "$p-switch" sw-lb "$p-lb" eth0
	for b in "${LAB_BACKENDS[@]}"; do
		lab_veth "$p-switch" "sw-$b" "$p-$b" eth0
	done
	for ns in router lb "${LAB_BACKENDS[@]}"; do
		ip -n "$p-switch" link set "sw-$ns" master br0
		ip -n "$p-switch" link set "sw-$ns" up
	done
	ip -n "$p-switch" link set br0 up
	# Frames that lb's XDP program transmits into its veth reach this end only
	# when it runs an XDP program too.
	ip -n "$p-switch" link set dev sw-lb xdpdrv obj "$XVS_PASS_OBJ" sec xdp

	# Client.
	ip -n "$p-client" addr add 10.0.0.2/24 dev eth0
	ip -n "$p-client" addr add fd00::2/64 dev eth0 nodad
	ip -n "$p-client" link set eth0 up
	ip -n "$p-client" route add default via 10.0.0.1
	ip -n "$p-client" -6 route add default via fd00::1

	# Router.
	lab_sysctl "$p-router" net.ipv4.ip_forward=1
	lab_sysctl "$p-router" net.ipv6.conf.all.forwarding=1
	ip -n "$p-router" addr add 10.0.0.1/24 dev eth0
	ip -n "$p-router" addr add fd00::1/64 dev eth0 nodad
	ip -n "$p-router" addr add 10.0.1.1/24 dev eth1
	ip -n "$p-router" addr add fd00:1::1/64 dev eth1 nodad
	ip -n "$p-router" link set eth0 up
	ip -n "$p-router" link set eth1 up
	ip -n "$p-router" route add "$LAB_VIP/32" via 10.0.1.2
	ip -n "$p-router" -6 route add "$LAB_VIP6/128" via fd00:1::2

	# Balancer: no VIP here, its XDP program takes the VIP traffic.
	ip -n "$p-lb" addr add 10.0.1.2/24 dev eth0
	ip -n "$p-lb" addr add fd00:1::2/64 dev eth0 nodad
	ip -n "$p-lb" link set eth0 up
	ip -n "$p-lb" route add default via 10.0.1.1
	ip -n "$p-lb" -6 route add default via fd00:1::1

	# Backends: the VIP on lo, never answered for or announced on eth0.
	for b in "${LAB_BACKENDS[@]}"; do
		ns=$p-$b
		addr=${LAB_BACKEND_ADDR[$b]}
		lab_sysctl "$ns" net.ipv4.conf.all.arp_ignore=1
		lab_sysctl "$ns" net.ipv4.conf.all.arp_announce=2
		lab_sysctl "$ns" net.ipv4.conf.eth0.arp_ignore=1
		lab_sysctl "$ns" net.ipv4.conf.eth0.arp_announce=2
		ip -n "$ns" addr add "$LAB_VIP/32" dev lo
		ip -n "$ns" addr add "$LAB_VIP6/128" dev lo nodad
		ip -n "$ns" addr add "$addr/24" dev eth0
		ip -n "$ns" addr add "${LAB_BACKEND_ADDR6[$b]}/64" dev eth0 nodad
		ip -n "$ns" link set eth0 up
		ip -n "$ns" route add default via 10.0.1.1
		ip -n "$ns" -6 route add default via fd00:1::1
		[ "$LAB_ECHO_SERVERS" = 1 ] || continue
		ip netns exec "$ns" python3 "$ECHO_SERVER" --name "$b" --address "$LAB_VIP" \
			--address "$LAB_VIP6" --udp-port "$LAB_UDP_PORT" --tcp-port "$LAB_TCP_PORT" \
			--pidfile "$state/$b-server.pid" >"$state/$b-server.log" 2>&1 </dev/null &
	done
	[ "$LAB_ECHO_SERVERS" = 1 ] || return 0

	# The servers write their pid file once their sockets are bound.
	deadline=$((SECONDS + 15))
	for b in "${LAB_BACKENDS[@]}"; do
		while [ ! -s "$state/$b-server.pid" ]; do
			if [ $SECONDS -ge $deadline ]; then
				lab_log "echo server on $b did not start: $(cat "$state/$b-server.log")"
				return 1
			fi
			sleep 0.1
		done
	done
}

# Stops pid $2 if it still runs inside namespace $1 (so a recycled pid is never hit):
# SIGTERM, then SIGKILL after a deadline.
lab_stop_pid() {
	local ns=$1 pid=$2 deadline
	[ -n "$pid" ] && pid_alive "$pid" || return 0
	[ "$(ip netns identify "$pid" 2>/dev/null)" = "$ns" ] || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	deadline=$((SECONDS + 5))
	while pid_alive "$pid" && [ $SECONDS -lt $deadline ]; do
		sleep 0.1
	done
	if pid_alive "$pid"; then
		lab_log "pid $pid in $ns ignored SIGTERM; killing it"
		kill -KILL "$pid" 2>/dev/null || true
	fi
}

lab_down() {
	local p=$1 state f name ns pid
	state=$(lab_state_dir "$p")
	# Pid files are named NODE-WHAT.pid, NODE being the namespace suffix.
	if [ -d "$state" ]; then
		for f in "$state"/*.pid; do
			[ -e "$f" ] || continue
			name=$(basename "$f" .pid)
			lab_stop_pid "$p-${name%%-*}" "$(cat "$f" 2>/dev/null || true)"
		done
	fi
	for ns in $(lab_namespaces "$p"); do
		lab_ns_exists "$ns" || continue
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			lab_stop_pid "$ns" "$pid"
		done
		ip netns del "$ns" 2>/dev/null || lab_log "could not delete namespace $ns"
	done
	rm -rf "$state"
}

lab_status() {
	local p=$1 ns
	for ns in $(lab_namespaces "$p"); do
		if lab_ns_exists "$ns"; then
			echo "$ns: up, $(ip netns pids "$ns" | wc -l) process(es)"
		else
			echo "$ns: absent"
		fi
	done
}

# When sourced, only the functions and constants above are defined.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	if [ $# -ne 2 ] || ! [[ $2 =~ ^[A-Za-z0-9_]{1,12}$ ]]; then
		echo "usage: $0 up|down|status PREFIX   (PREFIX: 1-12 letters, digits or _)" >&2
		exit 2
	fi
	if [ "$(id -u)" != 0 ]; then
		echo "lab.sh: must run as root" >&2
		exit 1
	fi
	case $1 in
	up)
		if lab_prefix_in_use "$2"; then
			lab_log "namespaces named $2-* exist already; to remove them: $0 down $2"
			exit 1
		fi
		# A half-built lab is torn down again (errexit inside lab_up lands here).
		# shellcheck disable=SC2154  # rc is set inside the trap
		trap 'rc=$?; trap - EXIT; lab_down "$2"; exit $rc' EXIT
		lab_up "$2"
		trap - EXIT
		;;
	down) lab_down "$2" ;;
	status) lab_status "$2" ;;
	*)
		echo "usage: $0 up|down|status PREFIX" >&2
		exit 2
		;;
	esac
fi
