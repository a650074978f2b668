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

tun_cleanup() {
	local b pid
	for b in "${TUN_BACKENDS[@]}"; do
		pid=$(cat "$NETNS_TMP/$b-server.pid" 2>/dev/null) || pid=
		[ -n "$pid" ] && lab_stop_pid "$P-$b" "$pid"
		ip netns del "$P-$b" 2>/dev/null || true
	done
	netns_cleanup
}
netns_begin xt tun_cleanup
LAB_ECHO_SERVERS=0 netns_lab_up

# The backend subnet: a bridge in the router, one veth per backend.
ip -n "$P-router" link add br2 type bridge
ip -n "$P-router" addr add 10.0.2.1/24 dev br2
ip -n "$P-router" addr add fd00:2::1/64 dev br2 nodad
ip -n "$P-router" link set br2 up
ip -n "$P-router" route add "$VIP46/32" via 10.0.1.2
lab_sysctl "$P-router" net.ipv4.conf.all.rp_filter=0
for b in "${TUN_BACKENDS[@]}"; do
	ns=$P-$b
	lab_ns_add "$ns"
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
	wait_pidfile 15 "$NETNS_TMP/$b-server.pid" "echo server on $b" "$NETNS_TMP/$b-server.log"
done
pass decap-attach

{
	xvsd_conf_head eth0
	conf_service dns "$VIP" "$LAB_UDP_PORT" udp tun "$(addresses_of TUN_ADDR "${TUN_BACKENDS[@]}")"
	conf_service web "$VIP" "$LAB_TCP_PORT" tcp tun "$(addresses_of TUN_ADDR "${TUN_BACKENDS[@]}")"
	# IPv6 in IPv6 (VIP6) and IPv4 in IPv6 (VIP46): UDP and TCP each.
	for vip in "$VIP6" "$VIP46"; do
		conf_service "udp-${vip//[.:]/-}" "$vip" "$LAB_UDP_PORT" udp tun \
			"$(addresses_of TUN_ADDR6 "${TUN_BACKENDS[@]}")"
		conf_service "tcp-${vip//[.:]/-}" "$vip" "$LAB_TCP_PORT" tcp tun \
			"$(addresses_of TUN_ADDR6 "${TUN_BACKENDS[@]}")"
	done
} >"$NETNS_TMP/xvs.conf"
xvsd_up 30

# Tunnelled requests cross br2 as IPIP; replies from the VIP must never cross
# the router's LAN port (they would if they went back through the balancer).
from_vips=(src host "$VIP" or src host "$VIP46" or src host "$VIP6")
capture_must_start tunnel "$P-router" br2 ip proto 4 or ip6 proto 4 or ip6 proto 41
capture_must_start lan "$P-router" eth1 "${from_vips[@]}"
capture_must_start replies "$P-router" br2 "${from_vips[@]}"

client_run client 120 "$NETNS_TMP/client.json" --vip "$VIP" --udp-port "$LAB_UDP_PORT" \
	--tcp-port "$LAB_TCP_PORT" --udp 20 --udp-flow 6 --tcp 20 --timeout 2 --deadline 90 || exit 1
for vip in "$VIP6" "$VIP46"; do
	client_run client 120 "$NETNS_TMP/client-$vip.json" --vip "$vip" --udp-port "$LAB_UDP_PORT" \
		--tcp-port "$LAB_TCP_PORT" --udp 10 --tcp 10 --timeout 2 --deadline 60 || exit 1
done
sleep 0.5
for name in tunnel lan replies; do
	capture_stop "$name"
done

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

check_checksums -6 "${TUN_BACKENDS[@]}" client

xvsd_check_stop sigterm && pass sigterm

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

netns_finish
