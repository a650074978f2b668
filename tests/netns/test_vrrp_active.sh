#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Active-active VRRP with both address families: two instances on one interface with
# mirrored priorities, each with an IPv4 and an IPv6 VIP (so four virtual routers; a
# multicast, b unicast between the nodes), so both nodes carry traffic; when one node dies the other owns every VIP, announced by
# gratuitous ARP and unsolicited neighbour advertisements. A reload that changes one
# instance restarts it and leaves the other running.
#
#            vrPID-sw: br0
#        |                       |                       |
#   vrPID-n1 10.77.0.1 fd77::1   vrPID-n2 10.77.0.2 fd77::2   vrPID-c 10.77.0.10 fd77::10
#   a: priority 150  b: 100      a: priority 100  b: 150      client, tcpdump
#   echo server :80              echo server :80
#   a: 10.77.0.101/24 fd77::101/64 (n1's)   b: 10.77.0.102/24 fd77::102/64 (n2's)
#
# Run as root from the repo root; XVSD and XVSCTL override the binaries.
set -euo pipefail

NETNS_TEST=netns/vrrp_active
# shellcheck source=tests/netns/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/netns/vrrp_lib.sh
. "$NETNS_DIR/vrrp_lib.sh"

A4=10.77.0.101
A6=fd77::101
B4=10.77.0.102
B6=fd77::102

require_netns
vr_begin
vr_lab_up n1 n2 c

# node_conf NODE PRIORITY_A PRIORITY_B [EXTRA_B_LINE]: a multicast, b unicast to the
# other node (IPv4, and IPv6 global addresses).
node_conf() {
	local node=$1 a=$2 b=$3 other=n1
	shift 3
	[ "$node" = n1 ] && other=n2
	{
		vr_conf_head "$node"
		vr_vrrp a "priority $a" "advert 100ms" "vip $A4/24" "vip $A6/64"
		vr_vrrp b "priority $b" "advert 100ms" "vip $B4/24" "vip $B6/64" \
			"unicast_peer $(vr_v4 "$other")" "unicast_peer $(vr_v6 "$other")" "$@"
	} >"$NETNS_TMP/$node.conf"
}
node_conf n1 150 100
node_conf n2 100 150
vr_server n1
vr_server n2

masters() {
	local node=$1 name family
	shift
	for name in "$@"; do
		for family in ipv4 ipv6; do
			vr_is "$node" "$name" "$family" master || return 1
		done
	done
}

vr_start n1 n2
vr_wait_check n1-master-of-a 8 masters n1 a
vr_wait_check n2-master-of-b 8 masters n2 b
vr_check n1-owns-a vr_owns n1 "$A6"
vr_check n2-owns-b vr_owns n2 "$B4"
vr_check n1-lacks-b vr_lacks n1 "$B6"
vr_check client-a4-n1 vr_reach "$A4" n1
vr_check client-a6-n1 vr_reach "$A6" n1
vr_check client-b4-n2 vr_reach "$B4" n2
vr_check client-b6-n2 vr_reach "$B6" n2
vrid_a=$(vr_field n1 a ipv4 vrid || true)
vrid_b=$(vr_field n1 b ipv4 vrid || true)
vr_check automatic-vrids-differ [ "${vrid_a:-x}" != "${vrid_b:-x}" ]
vrid_n2=$(vr_field n2 a ipv6 vrid || true)
vr_check automatic-vrid-same-on-both-nodes [ "$vrid_a" = "$vrid_n2" ]
drops=$(vr_field n1 a ipv4 counters adverts_dropped vrid || echo x)
vr_check no-vrid-drops-between-instances [ "$drops" = 0 ]
vr_check b-is-unicast [ "$(vr_field n1 b ipv6 mode)" = unicast ]
received=$(vr_field n1 b ipv6 counters adverts_received || echo 0)
vr_check unicast-ipv6-adverts-heard [ "$received" -gt 0 ]
vr_check unicast-ipv6-master-address [ "$(vr_field n1 b ipv6 master)" = "$(vr_v6 n2)" ]
drops=$(vr_field n1 b ipv6 counters adverts_dropped unknown_peer || echo x)
vr_check unicast-no-unknown-peer [ "$drops" = 0 ]

# n2 dies: n1 owns every VIP, and says so (ARP and ND).
capture_must_start takeover "$P-c" eth0 arp or icmp6
ip -n "$P-n2" link set eth0 down
kill -KILL "$(vr_pid n2)"
vr_wait_check n1-master-of-all 3 masters n1 a b
vr_check n1-owns-b4 vr_owns n1 "$B4"
vr_check n1-owns-b6 vr_owns n1 "$B6"
vr_check client-b4-n1 vr_reach "$B4" n1 5
vr_check client-b6-n1 vr_reach "$B6" n1 5
vr_check client-a6-still-n1 vr_reach "$A6" n1
capture_stop takeover
mac=$(mac_of "$P-n1" eth0)
vr_check garp-b4 "$VR_PYTHON" "$VR_VERIFY" garp "$NETNS_TMP/takeover.pcap" "$B4" "$mac"
vr_check unsolicited-na-b6 "$VR_PYTHON" "$VR_VERIFY" na "$NETNS_TMP/takeover.pcap" "$B6" "$mac"
vr_kill n2 KILL

# Reload: b changes (preempt_delay), a does not; a keeps its state, b restarts.
transitions_a=$(vr_field n1 a ipv4 counters transitions || echo x)
node_conf n1 150 100 "preempt_delay 1s"
kill -HUP "$(vr_pid n1)"
vr_wait_check reload-restarts-b 3 test "$(vr_field n1 b ipv4 preempt_delay_ms)" = 1000
vr_wait_check reload-b-master-again 3 masters n1 b
vr_check reload-keeps-a [ "$(vr_field n1 a ipv4 counters transitions || true)" = "$transitions_a" ]
vr_check reload-a-still-owns vr_owns n1 "$A4"

vr_kill n1 TERM
for vip in "$A4" "$A6" "$B4" "$B6"; do
	vr_lacks n1 "$vip" || fail left-clean "$vip still on n1 after SIGTERM"
done
[ "$NETNS_FAILED" -ne 0 ] || pass left-clean
netns_finish
