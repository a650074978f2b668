#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# VRRP transition methods: with method link+gw, the master that loses its carrier, or
# whose gateway stops answering (IPv4 and IPv6 probes), or the address it sends from,
# enters FAULT, gives up its VIPs
# (priority 0, so the backup takes over at once) while adverts still reach it, and takes
# them back once the fault clears (preempt).
#
#            vrPID-sw: br0 (port pn1 goes down for the link test)
#        |                |                |                |
#   vrPID-n1          vrPID-n2          vrPID-c         vrPID-gw
#   10.77.0.1 fd77::1 10.77.0.2 fd77::2 10.77.0.10      10.77.0.254 fd77::254
#   xvsd prio 150     xvsd prio 100     client          answers pings; blackhole
#   VIPs 10.77.0.100/24, fd77::100/64 on the master     routes to n1 = "unreachable"
#
# Run as root from the repo root; XVSD and XVSCTL override the binaries.
set -euo pipefail

NETNS_TEST=netns/vrrp_track
# shellcheck source=tests/netns/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/netns/vrrp_lib.sh
. "$NETNS_DIR/vrrp_lib.sh"

VIP4=10.77.0.100
VIP6=fd77::100

require_netns
vr_begin
vr_lab_up n1 n2 c gw

for node in n1 n2; do
	priority=150
	[ "$node" = n2 ] && priority=100
	{
		vr_conf_head "$node"
		vr_vrrp vi_1 "priority $priority" "advert 100ms" "method link+gw" \
			"gateway $(vr_v4 gw)" "gateway $(vr_v6 gw)" "vip $VIP4/24" "vip $VIP6/64"
	} >"$NETNS_TMP/$node.conf"
done

both_master() { vr_is "$1" vi_1 ipv4 master && vr_is "$1" vi_1 ipv6 master; }
both_in() { vr_is "$1" vi_1 ipv4 "$2" && vr_is "$1" vi_1 ipv6 "$2"; }

vr_start n1 n2
vr_wait_check n1-master 8 both_master n1
vr_wait_check n2-backup 5 both_in n2 backup
probes=$(vr_field n1 vi_1 ipv6 counters probes_answered || echo 0)
vr_check n1-probes-answered [ "$probes" -gt 0 ]

# Link: n1's switch port goes down, so n1's eth0 loses its carrier.
ip -n "$P-sw" link set pn1 down
vr_wait_check link-fault 3 both_in n1 fault
faults=$(vr_field n1 vi_1 ipv4 faults || true)
vr_check link-fault-reason grep -q link <<<"$faults"
vr_wait_check link-n2-master 3 both_master n2
vr_check link-n1-released vr_lacks n1 "$VIP4"
vr_check link-n2-owns vr_owns n2 "$VIP6"
ip -n "$P-sw" link set pn1 up
vr_wait_check link-recovered 5 both_master n1
vr_wait_check link-n2-backup 3 both_in n2 backup

# Gateway: the gateway stops answering n1 (only n1); adverts between n1 and n2 still flow.
received=$(vr_field n1 vi_1 ipv4 counters adverts_received || echo 0)
ip -n "$P-gw" route add blackhole "$(vr_v4 n1)/32"
ip -n "$P-gw" -6 route add blackhole "$(vr_v6 n1)/128"
vr_wait_check gw-fault 5 both_in n1 fault
faults=$(vr_field n1 vi_1 ipv6 faults || true)
vr_check gw-fault-reason grep -q gateway <<<"$faults"
vr_wait_check gw-n2-master 3 both_master n2
reason=$(vr_field n2 vi_1 ipv4 last_transition reason || true)
vr_check gw-fault-resigns [ "$reason" = "master resigned" ]
vr_check gw-n1-released vr_lacks n1 "$VIP4"
sleep 0.5
later=$(vr_field n1 vi_1 ipv4 counters adverts_received || echo 0)
vr_check gw-adverts-still-flow [ "$later" -gt "$received" ]
vr_check gw-still-fault both_in n1 fault
ip -n "$P-gw" route del blackhole "$(vr_v4 n1)/32"
ip -n "$P-gw" -6 route del blackhole "$(vr_v6 n1)/128"
vr_wait_check gw-recovered 5 both_master n1
vr_wait_check gw-n2-backup 3 both_in n2 backup
vr_check gw-n1-owns vr_owns n1 "$VIP6"

# The address adverts leave from goes (rtnetlink address notifications): fault, and back.
ip -n "$P-n1" addr del "$(vr_v4 n1)/24" dev eth0
vr_wait_check address-fault 3 vr_is n1 vi_1 ipv4 fault
faults=$(vr_field n1 vi_1 ipv4 faults || true)
vr_check address-fault-reason grep -q address <<<"$faults"
vr_wait_check address-n2-master 3 vr_is n2 vi_1 ipv4 master
vr_check address-ipv6-unmoved vr_is n1 vi_1 ipv6 master
ip -n "$P-n1" addr add "$(vr_v4 n1)/24" dev eth0
vr_wait_check address-recovered 5 vr_is n1 vi_1 ipv4 master
vr_check address-source [ "$(vr_field n1 vi_1 ipv4 address)" = "$(vr_v4 n1)" ]

vr_kill n1 TERM
vr_kill n2 TERM
vr_check left-clean vr_lacks n2 "$VIP4"
netns_finish
