# SPDX-License-Identifier: GPL-2.0-only
# The benchmark's namespaces and the paths under test (sourced by bench/run.sh):
# one generator, one balancer, one sink, and a function to set up each path.
# shellcheck shell=bash
#
#  $P-gen   eth0 10.0.0.2/24, default via 10.0.0.1; gen and pingpong clients
#     |
#  $P-lb    eth0 10.0.0.1/24 | eth1 10.1.255.254/16; forwarding, rp_filter 0,
#     |     permanent neighbours for every backend (10.1.0.1 ... ) -> sink's MAC
#  $P-sink  eth0 10.1.255.253/16 running bench_sink (counts and drops UDP to ports
#           9000-10999, passes the rest); 10.1.0.0/21 local (any backend address),
#           VIP 10.9.0.100 on lo (dr, tun: xvs_decap via sink_decap), pingpong servers on CPU 1
#
# Every lb interface always has an XDP program in native mode (xvs_lb, the
# forwarder, bench_sink or xvs_pass) so the veth receive path is the same on
# every path, and frames redirected into eth1 reach the sink.

BENCH_VIP=10.9.0.100
BENCH_LB_BACKSIDE=10.1.255.254
BENCH_UDP_LATENCY_PORT=7000
BENCH_TCP_PORT=8080

bench_ns() { echo "$BENCH_PREFIX-$1"; }
in_ns() {
	local ns
	ns=$(bench_ns "$1")
	shift
	ip netns exec "$ns" "$@"
}

# Backend number i (0-based) lives at 10.1.(i/250).(i%250+1).
backend_ip() { echo "10.1.$(($1 / 250)).$(($1 % 250 + 1))"; }

bench_mac() { ip -n "$(bench_ns "$1")" -o link show "$2" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'; }

topology_up() {
	local n
	for n in gen lb sink; do
		ip netns add "$(bench_ns $n)"
		ip -n "$(bench_ns $n)" link set lo up
	done
	ip -n "$(bench_ns gen)" link add eth0 type veth peer name eth0 netns "$(bench_ns lb)"
	ip -n "$(bench_ns lb)" link add eth1 type veth peer name eth0 netns "$(bench_ns sink)"
	# Partial checksums would leave XDP-forwarded packets with bad checksums.
	in_ns gen ethtool -K eth0 tx off rx off >/dev/null
	in_ns lb ethtool -K eth0 tx off rx off >/dev/null
	in_ns lb ethtool -K eth1 tx off rx off >/dev/null
	in_ns sink ethtool -K eth0 tx off rx off >/dev/null

	ip -n "$(bench_ns gen)" addr add 10.0.0.2/24 dev eth0
	ip -n "$(bench_ns gen)" link set eth0 up
	ip -n "$(bench_ns gen)" route add default via 10.0.0.1

	in_ns lb sysctl -qw net.ipv4.ip_forward=1
	for n in all default; do
		in_ns lb sysctl -qw "net.ipv4.conf.$n.rp_filter=0"
		in_ns sink sysctl -qw "net.ipv4.conf.$n.rp_filter=0"
	done
	ip -n "$(bench_ns lb)" addr add 10.0.0.1/24 dev eth0
	ip -n "$(bench_ns lb)" addr add "$BENCH_LB_BACKSIDE/16" dev eth1
	ip -n "$(bench_ns lb)" link set eth0 up
	ip -n "$(bench_ns lb)" link set eth1 up
	in_ns lb sysctl -qw net.ipv4.conf.eth0.rp_filter=0 net.ipv4.conf.eth1.rp_filter=0

	ip -n "$(bench_ns sink)" addr add 10.1.255.253/16 dev eth0
	ip -n "$(bench_ns sink)" addr add "$BENCH_VIP/32" dev lo
	ip -n "$(bench_ns sink)" link set eth0 up
	ip -n "$(bench_ns sink)" route add local 10.1.0.0/21 dev lo
	ip -n "$(bench_ns sink)" route add default via 10.1.255.254
	in_ns sink sysctl -qw net.ipv4.conf.eth0.rp_filter=0 net.ipv4.conf.lo.rp_filter=0
	# Mode tun: tunl0 decapsulates where the kernel has ipip (else sink_decap).
	modprobe ipip 2>/dev/null || true
	if ip -n "$(bench_ns sink)" link show tunl0 >/dev/null 2>&1; then
		ip -n "$(bench_ns sink)" link set tunl0 up
		in_ns sink sysctl -qw net.ipv4.conf.tunl0.rp_filter=0
	fi

	# Static neighbours: no ARP during a run, and every backend resolves.
	GEN_MAC=$(bench_mac gen eth0)
	LB0_MAC=$(bench_mac lb eth0)
	LB1_MAC=$(bench_mac lb eth1)
	SINK_MAC=$(bench_mac sink eth0)
	ip -n "$(bench_ns gen)" neigh replace 10.0.0.1 lladdr "$LB0_MAC" dev eth0 nud permanent
	ip -n "$(bench_ns sink)" neigh replace 10.1.255.254 lladdr "$LB1_MAC" dev eth0 nud permanent
	ip -n "$(bench_ns lb)" neigh replace 10.0.0.2 lladdr "$GEN_MAC" dev eth0 nud permanent
	for ((n = 0; n < 1024; n++)); do
		echo "neigh replace $(backend_ip $n) lladdr $SINK_MAC dev eth1 nud permanent"
	done | ip -n "$(bench_ns lb)" -batch -

	in_ns sink "$BENCH_BIN/xdpload" attach eth0 "$BENCH_BIN/sink.bpf.o"
	# nat/snat replies leave the balancer by XDP redirect into eth0; a veth
	# delivers redirected frames only when its peer runs a native XDP program.
	in_ns gen "$BENCH_BIN/xdpload" attach eth0 "$XVS_PASS_OBJ"
	lb_programs "$XVS_PASS_OBJ" "$XVS_PASS_OBJ"
}

# sink_decap (on | off): mode tun's backend decapsulation for the round-trip
# runs. This kernel has no ipip module, so the sink runs xvs_decap
# (`xvsctl decap attach eth0`, as a tun backend would) instead of bench_sink
# while the pingpong clients run; the load runs count with bench_sink.
sink_decap() {
	if [ "$1" = on ]; then
		in_ns sink "$BENCH_BIN/xdpload" detach eth0
		in_ns sink "$XVSCTL" decap attach eth0 >/dev/null
	else
		in_ns sink "$XVSCTL" decap detach eth0 >/dev/null
		in_ns sink "$BENCH_BIN/xdpload" attach eth0 "$BENCH_BIN/sink.bpf.o"
	fi
}

topology_down() {
	local n pid
	for n in gen lb sink; do
		ip netns list | grep -q "^$(bench_ns $n)\( \|$\)" || continue
		for pid in $(ip netns pids "$(bench_ns $n)" 2>/dev/null); do
			kill -TERM "$pid" 2>/dev/null || true
		done
	done
	sleep 0.3
	for n in gen lb sink; do
		ip netns list | grep -q "^$(bench_ns $n)\( \|$\)" || continue
		for pid in $(ip netns pids "$(bench_ns $n)" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null || true
		done
		ip netns del "$(bench_ns $n)" 2>/dev/null || true
	done
}

# lb_programs OBJ_ETH0 OBJ_ETH1: replaces the XDP programs on the balancer.
lb_programs() {
	in_ns lb "$BENCH_BIN/xdpload" attach eth0 "$1"
	in_ns lb "$BENCH_BIN/xdpload" attach eth1 "$2"
}

lb_detach() {
	in_ns lb "$BENCH_BIN/xdpload" detach eth0 || true
	in_ns lb "$BENCH_BIN/xdpload" detach eth1 || true
}

# Service s (0-based) of the load: UDP VIP:9000+s.
xvs_conf() {
	local mode=$1 backends=$2 services=$3 scheduler=$4 s b
	cat <<CONF
global {
    node bench
    run_dir $BENCH_RUN_DIR
    api unix $BENCH_RUN_DIR/xvsd.sock
    conn_table ${BENCH_CONN_TABLE:-1m}
    timeout udp 10m
}
interface eth0 {
    xdp native
}
interface eth1 {
    xdp native
}
CONF
	# snat: the balancer's own address toward the backends is the source.
	local extra=
	[ "$mode" = snat ] && extra="    snat $BENCH_LB_BACKSIDE\n"
	for ((s = 0; s < services; s++)); do
		printf 'service load%d {\n    vip %s\n    port %d\n    proto udp\n    mode %s\n    scheduler %s\n    check none\n'"$extra" \
			"$s" "$BENCH_VIP" $((9000 + s)) "$mode" "$scheduler"
		for ((b = 0; b < backends; b++)); do
			echo "    backend $(backend_ip $(((s * backends + b) % 1024)))"
		done
		echo "}"
	done
	for s in "udp $BENCH_UDP_LATENCY_PORT latency" "tcp $BENCH_TCP_PORT web"; do
		set -- $s
		printf 'service %s {\n    vip %s\n    port %d\n    proto %s\n    mode %s\n    scheduler rr\n    check none\n'"$extra"'    backend %s\n    backend %s\n}\n' \
			"$3" "$BENCH_VIP" "$2" "$1" "$mode" "$(backend_ip 0)" "$(backend_ip 1)"
	done
}

# Succeeds when mode validates with this build of xvsd (xvsd -t).
xvs_mode_built() {
	xvs_conf "$1" 2 1 "${2:-rr}" >"$BENCH_TMP/check.conf"
	"$XVSD" -t -f "$BENCH_TMP/check.conf" >/dev/null 2>&1
}

xvsd_ready() {
	"$XVSCTL" -s "$BENCH_RUN_DIR/xvsd.sock" list --json 2>/dev/null | python3 -c '
import json, sys
s = json.load(sys.stdin)["services"]
sys.exit(0 if s and all(b["state"] == "up" for x in s for b in x["backends"]) else 1)' 2>/dev/null
}

xvs_up() {
	local deadline
	xvs_conf "$@" >"$BENCH_TMP/xvs.conf"
	lb_detach
	# Not through in_ns: $! must be xvsd itself (ip netns exec execs it).
	ip netns exec "$(bench_ns lb)" "$XVSD" -f "$BENCH_TMP/xvs.conf" >"$BENCH_TMP/xvsd.log" 2>&1 </dev/null &
	XVSD_PID=$!
	deadline=$((SECONDS + 30))
	until xvsd_ready; do
		if ! kill -0 "$XVSD_PID" 2>/dev/null || [ $SECONDS -ge $deadline ]; then
			echo "bench: xvsd did not come up: $(tail -5 "$BENCH_TMP/xvsd.log")" >&2
			return 1
		fi
		sleep 0.1
	done
}

xvs_down() {
	[ -n "${XVSD_PID:-}" ] || return 0
	kill -TERM "$XVSD_PID" 2>/dev/null || true
	wait "$XVSD_PID" 2>/dev/null || true
	XVSD_PID=
	lb_programs "$XVS_PASS_OBJ" "$XVS_PASS_OBJ"
}

# The nftables path as written by hand: a verdict map from VIP . port to one
# chain per service, each dnat to jhash ip saddr . sport mod N over its backends.
nft_rules() {
	local backends=$1 services=$2 s b
	echo "table ip xvsbench {"
	for ((s = 0; s < services + 2; s++)); do
		local proto=udp
		[ $s -eq $((services + 1)) ] && proto=tcp
		local n=$backends
		[ $s -ge "$services" ] && n=2
		printf '  chain svc%d {\n    dnat to jhash ip saddr . %s sport mod %d map {' "$s" "$proto" "$n"
		for ((b = 0; b < n; b++)); do
			[ $b -gt 0 ] && printf ','
			printf ' %d : %s' "$b" "$(backend_ip $(((s * backends + b) % 1024)))"
		done
		printf ' }\n  }\n'
	done
	echo "  chain prerouting {"
	echo "    type nat hook prerouting priority dstnat; policy accept;"
	printf '    ip daddr . meta l4proto . th dport vmap {'
	for ((s = 0; s < services; s++)); do
		printf ' %s . udp . %d : jump svc%d,' "$BENCH_VIP" $((9000 + s)) "$s"
	done
	printf ' %s . udp . %d : jump svc%d,' "$BENCH_VIP" "$BENCH_UDP_LATENCY_PORT" "$services"
	printf ' %s . tcp . %d : jump svc%d }\n' "$BENCH_VIP" "$BENCH_TCP_PORT" $((services + 1))
	echo "  }"
	echo "}"
}

nft_up() {
	nft_rules "$@" >"$BENCH_TMP/rules.nft"
	in_ns lb nft -f "$BENCH_TMP/rules.nft"
}

nft_down() { in_ns lb nft flush ruleset; }

# nftlb's own rules (Debian's nftlb, -e: apply the file and exit), one farm per
# service: dnat mode, hash of source address and port, like the hand-written path.
nftlb_conf() {
	local backends=$1 f b first=1
	echo '{ "farms": ['
	for f in "load udp 9000 $backends" "latency udp $BENCH_UDP_LATENCY_PORT 2" "web tcp $BENCH_TCP_PORT 2"; do
		set -- $f
		[ $first = 1 ] || echo ','
		first=0
		printf '{ "name": "%s", "family": "ipv4", "virtual-addr": "%s", "virtual-ports": "%s", "protocol": "%s", "mode": "dnat", "scheduler": "hash", "sched-param": "srcip srcport", "iface": "eth0", "oface": "eth1", "state": "up", "backends": [' \
			"$1" "$BENCH_VIP" "$3" "$2"
		for ((b = 0; b < $4; b++)); do
			[ $b -gt 0 ] && printf ','
			printf '{ "name": "b%d", "ip-addr": "%s", "state": "up" }' "$b" "$(backend_ip $b)"
		done
		printf '] }\n'
	done
	echo '] }'
}

nftlb_up() {
	nftlb_conf "$@" >"$BENCH_TMP/nftlb.json"
	in_ns lb nftlb -e -c "$BENCH_TMP/nftlb.json" >"$BENCH_TMP/nftlb.log" 2>&1
}

nftlb_down() { in_ns lb nft flush ruleset; }
