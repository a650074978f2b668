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
netns_begin x6
netns_lab_up

{
	xvsd_conf_head eth0
	conf_service dns6 "$VIP" "$LAB_UDP_PORT" udp dr "$(addresses_of LAB_BACKEND_ADDR6 "${LAB_BACKENDS[@]}")"
	conf_service web6 "$VIP" "$LAB_TCP_PORT" tcp dr "$(addresses_of LAB_BACKEND_ADDR6 "${LAB_BACKENDS[@]}")"
	conf_service dns4 "$VIP4" "$LAB_UDP_PORT" udp dr "$(addresses_of LAB_BACKEND_ADDR "${LAB_BACKENDS[@]}")"
} >"$NETNS_TMP/xvs.conf"
xvsd_up 30

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
capture_must_start client "$P-client" eth0 "(ip6 and dst host $VIP) or (ip and dst host $VIP4)"
capture_must_start router "$P-router" eth1 ip6 and src host "$VIP"

client_run client 120 "$NETNS_TMP/client.json" --vip "$VIP" --udp-port "$LAB_UDP_PORT" \
	--tcp-port "$LAB_TCP_PORT" --udp "$UDP_REQUESTS" --udp-flow "$FLOW_REQUESTS" \
	--tcp "$TCP_CONNECTIONS" --timeout 2 --deadline 90 || exit 1
client_run client 60 "$NETNS_TMP/client4.json" --vip "$VIP4" --udp-port "$LAB_UDP_PORT" \
	--udp "$V4_REQUESTS" --timeout 2 --deadline 30 || exit 1
capture_flush_dr "$VIP" fd00::2 "$MARKER_PORT"
xvsd_save_list

check udp-rr rr udp "$NETNS_TMP/client.json" "${LAB_BACKENDS[@]}"
check udp-flow flow udp_flow "$NETNS_TMP/client.json"
check tcp-rr rr tcp "$NETNS_TMP/client.json" "${LAB_BACKENDS[@]}"
check ipv4-alongside rr udp "$NETNS_TMP/client4.json" "${LAB_BACKENDS[@]}"

mapfile -t macs < <(macs_of "${LAB_BACKENDS[@]}")
check direct-return direct "$NETNS_TMP/client.json" "$NETNS_TMP/router.pcap" "$VIP" \
	"$(mac_of "$P-lb" eth0)" "${macs[@]}"

mapfile -t addresses6 < <(pairs_of LAB_BACKEND_ADDR6 "${LAB_BACKENDS[@]}")
mapfile -t addresses4 < <(pairs_of LAB_BACKEND_ADDR "${LAB_BACKENDS[@]}")
if xvsd_list_saved counters; then
	check counters counters "$NETNS_TMP/client.json" "$NETNS_TMP/client.pcap" \
		"$NETNS_TMP/list.json" "$VIP" "dns6:udp:$LAB_UDP_PORT" "web6:tcp:$LAB_TCP_PORT" \
		"${addresses6[@]}"
	check ipv4-counters counters "$NETNS_TMP/client4.json" "$NETNS_TMP/client.pcap" \
		"$NETNS_TMP/list.json" "$VIP4" "dns4:udp:$LAB_UDP_PORT" "${addresses4[@]}"
fi

check_checksums -6 "${LAB_BACKENDS[@]}" client

# The kernel forgetting the backends' MACs must not stop traffic to them.
ip -n "$P-lb" -6 neigh flush dev eth0
client_run neighbour-flush 60 "$NETNS_TMP/client-flush.json" --vip "$VIP" \
	--udp-port "$LAB_UDP_PORT" --tcp-port "$LAB_TCP_PORT" --udp 6 --tcp 3 --timeout 2 \
	--deadline 30 && check neighbour-flush all-answered "$NETNS_TMP/client-flush.json"

# The router never learnt a MAC for the VIP: it routes it to the balancer.
if neigh=$(ip -n "$P-router" -6 neigh show to "$VIP") && [ -z "$neigh" ]; then
	pass router-no-vip-neighbour
else
	fail router-no-vip-neighbour "router neighbour entry for $VIP: $neigh"
fi

xvsd_check_stop sigterm detach && pass sigterm
netns_finish
