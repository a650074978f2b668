#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# End-to-end test of mode dr over IPv6 with scheduler rr: real UDP and TCP traffic from a
# client through xvsd's XDP data plane to three backends, replies straight back; plus an
# IPv4 service in the same configuration, and a check that no backend answers neighbour
# solicitations for the VIP it holds on lo.
#
#  x6PID-client  fd00::2 ---- x6PID-router fd00::1 | fd00:1::1 (eth1: capture replies,
#   (client.py,                 route fd00:1::100/128 via fd00:1::2     solicit the VIP)
#    capture requests)                 |
#                          x6PID-switch br0 ------+----------------+----------------+
#                                |                |                |                |
#                          x6PID-lb fd00:1::2  x6PID-b1 ::11    x6PID-b2 ::12    x6PID-b3 ::13
#                          xvsd, XDP on eth0   VIPs fd00:1::100 and 10.0.1.100 on lo,
#                                              echo_server.py: UDP 53 (dns6, dns4), TCP 80 (web6)
#
# Run as root from the repo root; XVSD and XVSCTL override the binaries.
# Prints PASS:/FAIL: netns/dr6/NAME lines, or SKIP: netns/dr6: REASON.
set -euo pipefail

NETNS_TEST=netns/dr6
# shellcheck source=tests/netns/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VIP=$LAB_VIP6
VIP4=$LAB_VIP
UDP_REQUESTS=30
FLOW_REQUESTS=10
TCP_CONNECTIONS=30
V4_REQUESTS=3
MARKER_PORT=9

require_netns
for bin in "$XVSD" "$XVSCTL"; do
	[ -x "$bin" ] || { fail setup "$bin is not built"; exit 1; }
done
[ -f "$XVS_PASS_OBJ" ] || { fail setup "$XVS_PASS_OBJ is not built"; exit 1; }

NETNS_PREFIX=x6$$
NETNS_TMP=$(mktemp -d /tmp/xvs-netns-dr6.XXXXXX)
trap netns_cleanup EXIT
# errexit would end the test silently: say where.
trap 'fail internal "line $LINENO: \"$BASH_COMMAND\" failed"' ERR
P=$NETNS_PREFIX
RUN=$NETNS_TMP/run
SOCK=$RUN/xvsd.sock

# lab.sh runs as its own process so that errexit holds inside it.
if ! "$NETNS_ROOT/scripts/lab.sh" up "$P" 2>"$NETNS_TMP/lab.log"; then
	fail setup "lab: $(cat "$NETNS_TMP/lab.log")"
	exit 1
fi

backend_lines() {
	local -n addresses=$1
	local b
	for b in "${LAB_BACKENDS[@]}"; do
		echo "    backend ${addresses[$b]}"
	done
}

cat >"$NETNS_TMP/xvs.conf" <<EOF
global {
    node $P-lb
    run_dir $RUN
    api unix $SOCK
}

interface eth0 {
    xdp auto
}

service dns6 {
    vip $VIP
    port $LAB_UDP_PORT
    proto udp
    mode dr
    scheduler rr
$(backend_lines LAB_BACKEND_ADDR6)
}

service web6 {
    vip $VIP
    port $LAB_TCP_PORT
    proto tcp
    mode dr
    scheduler rr
$(backend_lines LAB_BACKEND_ADDR6)
}

service dns4 {
    vip $VIP4
    port $LAB_UDP_PORT
    proto udp
    mode dr
    scheduler rr
$(backend_lines LAB_BACKEND_ADDR)
}
EOF

xvsd_start "$P" "$NETNS_TMP/xvs.conf" "$NETNS_TMP/xvsd.log"
if ! xvsd_wait_ready "$SOCK" 30; then
	if pid_alive "$XVSD_PID"; then
		why="not ready (every backend up) within 30 s"
	else
		status=0
		wait "$XVSD_PID" || status=$?
		why="exited with status $status"
	fi
	fail ready "xvsd $why: $(tail -n 5 "$NETNS_TMP/xvsd.log")"
	exit 1
fi
pass ready

# The router asks the LAN who has the VIP: nobody may answer (the backends hold it on lo,
# the balancer not at all). Asking for b1's own address proves the probe itself works.
if ! own=$(ip netns exec "$P-router" python3 "$NETNS_DIR/verify.py" solicit eth1 \
	"${LAB_BACKEND_ADDR6[b1]}" 2); then
	fail ndp-vip-silent "probe: no answer for b1's own address: $own"
elif [ "$own" != "$(mac_of "$P-b1" eth0)" ]; then
	fail ndp-vip-silent "probe: b1's address answered by $own, not b1"
elif answer=$(ip netns exec "$P-router" python3 "$NETNS_DIR/verify.py" solicit eth1 "$VIP" 1); then
	fail ndp-vip-silent "$answer answered a neighbour solicitation for the VIP $VIP"
else
	pass ndp-vip-silent
fi

# Requests are captured where the client sends them, replies on the router's LAN port.
if ! capture_start client "$P-client" eth0 "(ip6 and dst host $VIP) or (ip and dst host $VIP4)" ||
	! capture_start router "$P-router" eth1 ip6 and src host "$VIP"; then
	fail setup "tcpdump did not start: $(cat "$NETNS_TMP"/*.tcpdump.log)"
	exit 1
fi

if ! ip netns exec "$P-client" timeout 120 python3 "$NETNS_DIR/client.py" --vip "$VIP" \
	--udp-port "$LAB_UDP_PORT" --tcp-port "$LAB_TCP_PORT" --udp "$UDP_REQUESTS" \
	--udp-flow "$FLOW_REQUESTS" --tcp "$TCP_CONNECTIONS" --timeout 2 --deadline 90 \
	>"$NETNS_TMP/client.json" 2>"$NETNS_TMP/client.log"; then
	fail client "client.py failed: $(tail -n 3 "$NETNS_TMP/client.log")"
	exit 1
fi
if ! ip netns exec "$P-client" timeout 60 python3 "$NETNS_DIR/client.py" --vip "$VIP4" \
	--udp-port "$LAB_UDP_PORT" --udp "$V4_REQUESTS" --timeout 2 --deadline 30 \
	>"$NETNS_TMP/client4.json" 2>>"$NETNS_TMP/client.log"; then
	fail client "client.py (IPv4) failed: $(tail -n 3 "$NETNS_TMP/client.log")"
	exit 1
fi

# Flush the captures: wait for the client's TCP sockets to finish closing, then send a
# marker through each capture point (every packet before it is then in the file).
no_tcp_sockets() { [ -z "$(ip netns exec "$P-client" ss -Htan 2>/dev/null)" ]; }
wait_until 10 no_tcp_sockets || true
ip netns exec "$P-client" python3 -c "import socket; socket.socket(socket.AF_INET6, \
socket.SOCK_DGRAM).sendto(b'marker', ('$VIP', $MARKER_PORT))" || true
ip netns exec "$P-b1" python3 -c "import socket; s = socket.socket(socket.AF_INET6, \
socket.SOCK_DGRAM); s.bind(('$VIP', 0)); s.sendto(b'marker', ('fd00::2', $MARKER_PORT))" || true
for name in client router; do
	wait_until 10 python3 "$NETNS_DIR/verify.py" marker "$NETNS_TMP/$name.pcap" "$MARKER_PORT" ||
		echo "# warning: marker not seen in the $name capture" >&2
	capture_stop "$name"
done

"$XVSCTL" -s "$SOCK" list --json >"$NETNS_TMP/list.json" 2>"$NETNS_TMP/list.log" || true

# check NAME verify.py ARGS...: one result line from one verify.py subcommand.
check() {
	local name=$1 out
	shift
	if out=$(python3 "$NETNS_DIR/verify.py" "$@" 2>&1); then
		pass "$name"
	else
		fail "$name" "$out"
	fi
}

check udp-rr rr udp "$NETNS_TMP/client.json" "${LAB_BACKENDS[@]}"
check udp-flow flow udp_flow "$NETNS_TMP/client.json"
check tcp-rr rr tcp "$NETNS_TMP/client.json" "${LAB_BACKENDS[@]}"
check ipv4-alongside rr udp "$NETNS_TMP/client4.json" "${LAB_BACKENDS[@]}"

macs=()
for b in "${LAB_BACKENDS[@]}"; do
	macs+=("$b=$(mac_of "$P-$b" eth0)")
done
check direct-return direct "$NETNS_TMP/client.json" "$NETNS_TMP/router.pcap" "$VIP" \
	"$(mac_of "$P-lb" eth0)" "${macs[@]}"

addresses6=() addresses4=()
for b in "${LAB_BACKENDS[@]}"; do
	addresses6+=("$b=${LAB_BACKEND_ADDR6[$b]}")
	addresses4+=("$b=${LAB_BACKEND_ADDR[$b]}")
done
if [ -s "$NETNS_TMP/list.json" ]; then
	check counters counters "$NETNS_TMP/client.json" "$NETNS_TMP/client.pcap" \
		"$NETNS_TMP/list.json" "$VIP" "dns6:udp:$LAB_UDP_PORT" "web6:tcp:$LAB_TCP_PORT" \
		"${addresses6[@]}"
	check ipv4-counters counters "$NETNS_TMP/client4.json" "$NETNS_TMP/client.pcap" \
		"$NETNS_TMP/list.json" "$VIP4" "dns4:udp:$LAB_UDP_PORT" "${addresses4[@]}"
else
	fail counters "xvsctl list --json failed: $(cat "$NETNS_TMP/list.log")"
fi

# IPv6 UDP has its own counter in snmp6; IPv6 TCP counts in the shared Tcp line of snmp.
csum_errors=
for ns in "${LAB_BACKENDS[@]}" client; do
	out=$(ip netns exec "$P-$ns" cat /proc/net/snmp | python3 "$NETNS_DIR/verify.py" csum "$ns" 2>&1) ||
		csum_errors+="$out; "
	out=$(ip netns exec "$P-$ns" cat /proc/net/snmp6 | python3 "$NETNS_DIR/verify.py" csum6 "$ns" 2>&1) ||
		csum_errors+="$out; "
done
if [ -z "$csum_errors" ]; then
	pass checksums
else
	fail checksums "$csum_errors"
fi

# The kernel forgetting the backends' MACs must not stop traffic to them.
ip -n "$P-lb" -6 neigh flush dev eth0
if ! ip netns exec "$P-client" timeout 60 python3 "$NETNS_DIR/client.py" --vip "$VIP" \
	--udp-port "$LAB_UDP_PORT" --tcp-port "$LAB_TCP_PORT" --udp 6 --tcp 3 --timeout 2 \
	--deadline 30 >"$NETNS_TMP/client-flush.json" 2>>"$NETNS_TMP/client.log"; then
	fail neighbour-flush "client.py failed: $(tail -n 3 "$NETNS_TMP/client.log")"
else
	check neighbour-flush all-answered "$NETNS_TMP/client-flush.json"
fi

# The router never learnt a MAC for the VIP: it routes it to the balancer.
if neigh=$(ip -n "$P-router" -6 neigh show to "$VIP") && [ -z "$neigh" ]; then
	pass router-no-vip-neighbour
else
	fail router-no-vip-neighbour "router neighbour entry for $VIP: $neigh"
fi

xvsd_stop 10
if [ "$XVSD_STATUS" != 0 ]; then
	fail sigterm "xvsd exit status $XVSD_STATUS after SIGTERM: $(tail -n 5 "$NETNS_TMP/xvsd.log")"
elif ip -n "$P-lb" link show eth0 | grep -q xdp; then
	fail sigterm "an XDP program is still attached to lb eth0 after xvsd exited"
else
	pass sigterm
fi

if [ "$NETNS_FAILED" -ne 0 ]; then
	echo "# xvsd log: $(tail -n 3 "$NETNS_TMP/xvsd.log" | tr '\n' ' ')" >&2
	exit 1
fi
