#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# End-to-end test of mode dr with scheduler rr: real UDP and TCP traffic from a client
# through xvsd's XDP data plane to three backends, replies straight back to the client.
#
#  xdPID-client   10.0.0.2 ---- xdPID-router 10.0.0.1 | 10.0.1.1 (eth1: capture replies)
#   (client.py,                  route 10.0.1.100/32 via 10.0.1.2
#    capture requests)                 |
#                          xdPID-switch br0 ------+---------------+---------------+
#                                |                |               |               |
#                          xdPID-lb 10.0.1.2   xdPID-b1 .11    xdPID-b2 .12    xdPID-b3 .13
#                          xvsd, XDP on eth0   VIP 10.0.1.100 on lo, echo_server.py
#                                              UDP 53 (service dns), TCP 80 (service web)
#
# Run as root from the repo root; XVSD and XVSCTL override the binaries.
# Prints PASS:/FAIL: netns/dr/NAME lines, or SKIP: netns/dr: REASON.
set -euo pipefail

NETNS_TEST=netns/dr
# shellcheck source=tests/netns/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VIP=10.0.1.100
UDP_REQUESTS=30
FLOW_REQUESTS=10
TCP_CONNECTIONS=30
MARKER_PORT=9

require_netns
netns_begin xd
netns_lab_up

{
	xvsd_conf_head eth0
	conf_service dns "$VIP" "$LAB_UDP_PORT" udp dr "$(addresses_of LAB_BACKEND_ADDR "${LAB_BACKENDS[@]}")"
	conf_service web "$VIP" "$LAB_TCP_PORT" tcp dr "$(addresses_of LAB_BACKEND_ADDR "${LAB_BACKENDS[@]}")"
} >"$NETNS_TMP/xvs.conf"
xvsd_up 30

# Requests are captured where the client sends them, replies on the router's LAN port.
capture_must_start client "$P-client" eth0 ip and dst host "$VIP"
capture_must_start router "$P-router" eth1 ip and src host "$VIP"

client_run client 120 "$NETNS_TMP/client.json" --vip "$VIP" --udp-port "$LAB_UDP_PORT" \
	--tcp-port "$LAB_TCP_PORT" --udp "$UDP_REQUESTS" --udp-flow "$FLOW_REQUESTS" \
	--tcp "$TCP_CONNECTIONS" --timeout 2 --deadline 90 || exit 1
capture_flush_dr "$VIP" 10.0.0.2 "$MARKER_PORT"
xvsd_save_list

check udp-rr rr udp "$NETNS_TMP/client.json" "${LAB_BACKENDS[@]}"
check udp-flow flow udp_flow "$NETNS_TMP/client.json"
check tcp-rr rr tcp "$NETNS_TMP/client.json" "${LAB_BACKENDS[@]}"

mapfile -t macs < <(macs_of "${LAB_BACKENDS[@]}")
check direct-return direct "$NETNS_TMP/client.json" "$NETNS_TMP/router.pcap" "$VIP" \
	"$(mac_of "$P-lb" eth0)" "${macs[@]}"

mapfile -t addresses < <(pairs_of LAB_BACKEND_ADDR "${LAB_BACKENDS[@]}")
if xvsd_list_saved counters; then
	check counters counters "$NETNS_TMP/client.json" "$NETNS_TMP/client.pcap" \
		"$NETNS_TMP/list.json" "$VIP" "dns:udp:$LAB_UDP_PORT" "web:tcp:$LAB_TCP_PORT" \
		"${addresses[@]}"
fi

check_checksums "${LAB_BACKENDS[@]}" client

# The kernel forgetting the backends' MACs must not stop traffic to them.
ip -n "$P-lb" neigh flush dev eth0
client_run neighbour-flush 60 "$NETNS_TMP/client-flush.json" --vip "$VIP" \
	--udp-port "$LAB_UDP_PORT" --tcp-port "$LAB_TCP_PORT" --udp 6 --tcp 3 --timeout 2 \
	--deadline 30 && check neighbour-flush all-answered "$NETNS_TMP/client-flush.json"

xvsd_check_stop sigterm detach && pass sigterm
netns_finish
