#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# End-to-end test of mode tun (L3 DSR): backends on another subnet behind the router
# decapsulate with xvs_decap (no ipip module needed) and answer the client directly,
# over IPv4 in IPv4, IPv6 in IPv6 (fd00:1::100 -> fd00:2::/64) and IPv4 in IPv6
# (10.0.1.101); then `xvsctl doctor tun|dr` on a good and a broken backend.
#
#  xtPID-client 10.0.0.2 ---- xtPID-router 10.0.0.1 | eth1 10.0.1.1 | br2 10.0.2.1
#                              route VIP/32 via 10.0.1.2 |             |
#                      xtPID-switch br0 --- xtPID-lb 10.0.1.2   +------+------+
#                      (the lab's DR backends b1..b3 are there  |             |
#                       too; b1 serves the dr doctor case)     xtPID-t1      xtPID-t2
#                                                              10.0.2.11     10.0.2.12
#                      xvsd on lb eth0: service VIP mode tun   xvs_decap on eth0,
#                      -> IPIP via router 10.0.1.1              VIP on lo, echo servers
#
# Run as root from the repo root; XVSD and XVSCTL override the binaries.
# Prints PASS:/FAIL: netns/tun/NAME lines, or SKIP: netns/tun: REASON.
set -euo pipefail

NETNS_TEST=netns/tun
# shellcheck source=tests/netns/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VIP=10.0.1.100
VIP6=$LAB_VIP6       # IPv6 in IPv6
VIP46=10.0.1.101     # IPv4 in IPv6
TUN_BACKENDS=(t1 t2)
declare -A TUN_ADDR=([t1]=10.0.2.11 [t2]=10.0.2.12)
declare -A TUN_ADDR6=([t1]=fd00:2::11 [t2]=fd00:2::12)

require_netns
for bin in "$XVSD" "$XVSCTL"; do
	[ -x "$bin" ] || { fail setup "$bin is not built"; exit 1; }
done
[ -f "$XVS_PASS_OBJ" ] || { fail setup "$XVS_PASS_OBJ is not built"; exit 1; }

NETNS_PREFIX=xt$$
NETNS_TMP=$(mktemp -d /tmp/xvs-netns-tun.XXXXXX)
P=$NETNS_PREFIX
RUN=$NETNS_TMP/run
SOCK=$RUN/xvsd.sock

tun_cleanup() {
	local b pid
	for b in "${TUN_BACKENDS[@]}"; do
		pid=$(cat "$NETNS_TMP/$b-server.pid" 2>/dev/null) || pid=
		[ -n "$pid" ] && lab_stop_pid "$P-$b" "$pid"
		ip netns del "$P-$b" 2>/dev/null || true
	done
	netns_cleanup
}
trap tun_cleanup EXIT
trap 'fail internal "line $LINENO: \"$BASH_COMMAND\" failed"' ERR

if ! LAB_ECHO_SERVERS=0 "$NETNS_ROOT/scripts/lab.sh" up "$P" 2>"$NETNS_TMP/lab.log"; then
	fail setup "lab: $(cat "$NETNS_TMP/lab.log")"
	exit 1
fi

# The backend subnet: a bridge in the router, one veth per backend.
ip -n "$P-router" link add br2 type bridge
ip -n "$P-router" addr add 10.0.2.1/24 dev br2
ip -n "$P-router" addr add fd00:2::1/64 dev br2 nodad
ip -n "$P-router" link set br2 up
ip -n "$P-router" route add "$VIP46/32" via 10.0.1.2
lab_sysctl "$P-router" net.ipv4.conf.all.rp_filter=0
for b in "${TUN_BACKENDS[@]}"; do
	ns=$P-$b
	ip netns add "$ns"
	ip -n "$ns" link set lo up
	lab_sysctl "$ns" net.ipv6.conf.all.accept_dad=0
	lab_sysctl "$ns" net.ipv6.conf.default.accept_dad=0
	lab_veth "$P-router" "r-$b" "$ns" eth0
	ip -n "$P-router" link set "r-$b" master br2
	ip -n "$P-router" link set "r-$b" up
	lab_sysctl "$ns" net.ipv4.conf.all.arp_ignore=1
	lab_sysctl "$ns" net.ipv4.conf.all.arp_announce=2
	ip -n "$ns" addr add "$VIP/32" dev lo
	ip -n "$ns" addr add "$VIP46/32" dev lo
	ip -n "$ns" addr add "$VIP6/128" dev lo nodad
	ip -n "$ns" addr add "${TUN_ADDR[$b]}/24" dev eth0
	ip -n "$ns" addr add "${TUN_ADDR6[$b]}/64" dev eth0 nodad
	ip -n "$ns" link set eth0 up
	ip -n "$ns" route add default via 10.0.2.1
	ip -n "$ns" -6 route add default via fd00:2::1
	if ! ip netns exec "$ns" "$XVSCTL" decap attach eth0 >"$NETNS_TMP/decap-$b.log" 2>&1; then
		fail setup "decap attach on $b: $(cat "$NETNS_TMP/decap-$b.log")"
		exit 1
	fi
	ip netns exec "$ns" python3 "$NETNS_DIR/echo_server.py" --name "$b" --address "$VIP" \
		--address "$VIP46" --address "$VIP6" --udp-port "$LAB_UDP_PORT" --tcp-port "$LAB_TCP_PORT" \
		--pidfile "$NETNS_TMP/$b-server.pid" >"$NETNS_TMP/$b-server.log" 2>&1 </dev/null &
done
for b in "${TUN_BACKENDS[@]}"; do
	wait_until 15 test -s "$NETNS_TMP/$b-server.pid" ||
		{ fail setup "echo server on $b: $(cat "$NETNS_TMP/$b-server.log")"; exit 1; }
done
pass decap-attach

cat >"$NETNS_TMP/xvs.conf" <<EOF
global {
    node $P-lb
    run_dir $RUN
    api unix $SOCK
}

interface eth0 {
    xdp auto
}

service dns {
    vip $VIP
    port $LAB_UDP_PORT
    proto udp
    mode tun
    scheduler rr
    backend ${TUN_ADDR[t1]}
    backend ${TUN_ADDR[t2]}
}

service web {
    vip $VIP
    port $LAB_TCP_PORT
    proto tcp
    mode tun
    scheduler rr
    backend ${TUN_ADDR[t1]}
    backend ${TUN_ADDR[t2]}
}
EOF
# IPv6 in IPv6 (VIP6) and IPv4 in IPv6 (VIP46): UDP and TCP each.
for vip in "$VIP6" "$VIP46"; do
	for proto in udp tcp; do
		port=$LAB_UDP_PORT
		[ "$proto" = tcp ] && port=$LAB_TCP_PORT
		cat >>"$NETNS_TMP/xvs.conf" <<EOF

service ${proto}-${vip//[.:]/-} {
    vip $vip
    port $port
    proto $proto
    mode tun
    scheduler rr
    backend ${TUN_ADDR6[t1]}
    backend ${TUN_ADDR6[t2]}
}
EOF
	done
done

xvsd_start "$P" "$NETNS_TMP/xvs.conf" "$NETNS_TMP/xvsd.log"
if ! xvsd_wait_ready "$SOCK" 30; then
	fail ready "xvsd not ready: $(tail -n 5 "$NETNS_TMP/xvsd.log")"
	exit 1
fi
pass ready

# Tunnelled requests cross br2 as IPIP; replies from the VIP must never cross
# the router's LAN port (they would if they went back through the balancer).
from_vips=(src host "$VIP" or src host "$VIP46" or src host "$VIP6")
if ! capture_start tunnel "$P-router" br2 ip proto 4 or ip6 proto 4 or ip6 proto 41 ||
	! capture_start lan "$P-router" eth1 "${from_vips[@]}" ||
	! capture_start replies "$P-router" br2 "${from_vips[@]}"; then
	fail setup "tcpdump did not start: $(cat "$NETNS_TMP"/*.tcpdump.log)"
	exit 1
fi

if ! ip netns exec "$P-client" timeout 120 python3 "$NETNS_DIR/client.py" --vip "$VIP" \
	--udp-port "$LAB_UDP_PORT" --tcp-port "$LAB_TCP_PORT" --udp 20 --udp-flow 6 --tcp 20 \
	--timeout 2 --deadline 90 >"$NETNS_TMP/client.json" 2>"$NETNS_TMP/client.log"; then
	fail client "client.py failed: $(tail -n 3 "$NETNS_TMP/client.log")"
	exit 1
fi
for vip in "$VIP6" "$VIP46"; do
	if ! ip netns exec "$P-client" timeout 120 python3 "$NETNS_DIR/client.py" --vip "$vip" \
		--udp-port "$LAB_UDP_PORT" --tcp-port "$LAB_TCP_PORT" --udp 10 --tcp 10 \
		--timeout 2 --deadline 60 >"$NETNS_TMP/client-$vip.json" 2>>"$NETNS_TMP/client.log"; then
		fail client "client.py ($vip) failed: $(tail -n 3 "$NETNS_TMP/client.log")"
		exit 1
	fi
done
sleep 0.5
for name in tunnel lan replies; do
	capture_stop "$name"
done

check() {
	local name=$1 out
	shift
	if out=$(python3 "$NETNS_DIR/verify.py" "$@" 2>&1); then
		pass "$name"
	else
		fail "$name" "$out"
	fi
}

check udp-rr rr udp "$NETNS_TMP/client.json" "${TUN_BACKENDS[@]}"
check udp-flow flow udp_flow "$NETNS_TMP/client.json"
check tcp-rr rr tcp "$NETNS_TMP/client.json" "${TUN_BACKENDS[@]}"
check udp6-rr rr udp "$NETNS_TMP/client-$VIP6.json" "${TUN_BACKENDS[@]}"
check tcp6-rr rr tcp "$NETNS_TMP/client-$VIP6.json" "${TUN_BACKENDS[@]}"
check udp4in6-rr rr udp "$NETNS_TMP/client-$VIP46.json" "${TUN_BACKENDS[@]}"
check tcp4in6-rr rr tcp "$NETNS_TMP/client-$VIP46.json" "${TUN_BACKENDS[@]}"

packets() { tcpdump -r "$1" -n 2>/dev/null | wc -l; }
tunnelled=$(packets "$NETNS_TMP/tunnel.pcap")
via_lan=$(packets "$NETNS_TMP/lan.pcap")
direct=$(packets "$NETNS_TMP/replies.pcap")
if [ "$tunnelled" -gt 0 ] && [ "$via_lan" -eq 0 ] && [ "$direct" -gt 0 ]; then
	pass direct-return
else
	fail direct-return "IPIP packets on br2: $tunnelled; replies on br2: $direct;" \
		"replies on the LAN port (must be 0): $via_lan"
fi

csum_errors=
for ns in "${TUN_BACKENDS[@]}" client; do
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

xvsd_stop 10
if [ "$XVSD_STATUS" = 0 ]; then
	pass sigterm
else
	fail sigterm "xvsd exit status $XVSD_STATUS"
fi

# doctor: t1 is set up right; t2 answers ARP for the VIP.
if out=$(ip netns exec "$P-t1" "$XVSCTL" doctor tun "$VIP" 2>&1); then
	pass doctor-tun-ok
else
	fail doctor-tun-ok "exit status non-zero: $out"
fi
if out=$(ip netns exec "$P-t1" "$XVSCTL" doctor tun "$VIP6" 2>&1); then
	pass doctor-tun6-ok
else
	fail doctor-tun6-ok "exit status non-zero: $out"
fi
lab_sysctl "$P-t2" net.ipv4.conf.all.arp_ignore=0
status=0
out=$(ip netns exec "$P-t2" "$XVSCTL" doctor tun "$VIP" 2>&1) || status=$?
if [ "$status" = 1 ] && grep -q '^fix: sysctl -w net.ipv4.conf.all.arp_ignore=1' <<<"$out"; then
	pass doctor-tun-broken
else
	fail doctor-tun-broken "status $status: $out"
fi
ip netns exec "$P-t2" "$XVSCTL" decap detach eth0 >/dev/null
status=0
out=$(ip netns exec "$P-t2" "$XVSCTL" doctor tun "$VIP" 2>&1) || status=$?
if [ "$status" = 1 ] && grep -q '^fix: xvsctl decap attach eth0' <<<"$out"; then
	pass doctor-tun-no-decap
else
	fail doctor-tun-no-decap "status $status: $out"
fi
# dr: the lab's b1 holds the VIP on lo with the ARP settings.
if out=$(ip netns exec "$P-b1" "$XVSCTL" doctor dr "$VIP" 2>&1); then
	pass doctor-dr-ok
else
	fail doctor-dr-ok "$out"
fi
ip -n "$P-b1" addr del "$VIP/32" dev lo
status=0
out=$(ip netns exec "$P-b1" "$XVSCTL" doctor dr "$VIP" 2>&1) || status=$?
if [ "$status" = 1 ] && grep -q "^fix: ip addr add $VIP/32 dev lo" <<<"$out"; then
	pass doctor-dr-no-vip
else
	fail doctor-dr-no-vip "status $status: $out"
fi

[ "$NETNS_FAILED" -eq 0 ] || exit 1
