#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# A nat pair under VRRP: one block holds the clients' VIP on eth0 and the backends'
# gateway on eth1 (vip ... interface eth1), so both move together. The client is
# answered through the master; (1) kill -9 of the master (its links go with it): the
# peer takes both addresses, announces each on its own link, and answers (its service
# counters move); (2) method link, the master's internal link loses its carrier: fault,
# the peer takes both, traffic flows through it while the old master stays out;
# (3) a VIP's interface that is missing, or deleted, is a fault until it is there.
#
#                        vnPID-sw: br0 (clients' side)
#          |  pn1                  |  pn2                  |  pc
#   eth0 10.77.0.1          eth0 10.77.0.2           vnPID-c 10.77.0.10
#   vnPID-n1 xvsd prio 150  vnPID-n2 xvsd prio 100   client (UDP and TCP)
#   eth1 10.78.0.1          eth1 10.78.0.2
#          |  in1                  |  in2
#                        vnPID-isw: br0 (backends' side)
#                                  |  ib
#                        vnPID-b 10.78.0.11, default via 10.78.0.254
#                        echo server: UDP 5353, TCP 80, answers "b ..."
#   Master: VIP 10.77.0.100/24 (and fd77::100/64) on eth0, gateway VIP 10.78.0.254/24
#   on eth1; services udp 10.77.0.100:5353 and tcp :80, mode nat, backend 10.78.0.11.
#
# Run as root from the repo root; XVSD and XVSCTL override the binaries.
set -euo pipefail

NETNS_TEST=netns/vrrp_nat
# shellcheck source=tests/netns/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/netns/vrrp_lib.sh
. "$NETNS_DIR/vrrp_lib.sh"

VIP=10.77.0.100
VIP6=fd77::100       # on eth0 only: its router tracks eth1 all the same (the block's links)
GATEWAY=10.78.0.254
BACKEND=10.78.0.11
ADVERT_MS=100
# 3 x advert + skew of priority 100
TAKEOVER_MS=$((3 * ADVERT_MS + (256 - 100) * ADVERT_MS / 256))

require_netns
netns_begin vn vr_cleanup
vr_lab_up n1 n2 c

# The backends' side: a second switch, eth1 on each node, the backend.
lab_ns_add "$P-isw"
lab_ns_add "$P-b"
VR_NODES+=(isw b)
ip -n "$P-isw" link add br0 type bridge mcast_snooping 0
ip -n "$P-isw" link set br0 up
for node in n1 n2; do
	lab_veth "$P-$node" eth1 "$P-isw" "i$node"
	ip -n "$P-isw" link set "i$node" master br0 up
	ip -n "$P-$node" addr add "10.78.0.${VR_ADDRESS[$node]}/24" dev eth1
	ip -n "$P-$node" link set eth1 up
done
lab_veth "$P-b" eth0 "$P-isw" ib
ip -n "$P-isw" link set ib master br0 up
ip -n "$P-b" addr add "$BACKEND/24" dev eth0
ip -n "$P-b" link set eth0 up
ip -n "$P-b" route add default via "$GATEWAY"
# Frames an XDP program redirects into a veth reach the other end only when an XDP
# program runs there too: the switch ports of the nodes.
for port in pn1 pn2; do
	ip -n "$P-sw" link set dev "$port" xdpdrv obj "$XVS_PASS_OBJ" sec xdp
done
for port in in1 in2; do
	ip -n "$P-isw" link set dev "$port" xdpdrv obj "$XVS_PASS_OBJ" sec xdp
done
ip netns exec "$P-b" "$VR_PYTHON" "$NETNS_DIR/echo_server.py" --name b --address 0.0.0.0 \
	--udp-port 5353 --tcp-port 80 --pidfile "$NETNS_TMP/b-server.pid" \
	>"$NETNS_TMP/b-server.log" 2>&1 &
wait_pidfile 10 "$NETNS_TMP/b-server.pid" "echo server on b" "$NETNS_TMP/b-server.log"

for node in n1 n2; do
	priority=150
	[ "$node" = n2 ] && priority=100
	{
		vr_conf_head "$node"
		printf '\ninterface eth0 {\n    xdp auto\n}\ninterface eth1 {\n    xdp auto\n}\n'
		vr_vrrp nat_pair "priority $priority" "advert ${ADVERT_MS}ms" "method link" \
			"vip $VIP/24" "vip $GATEWAY/24 interface eth1" "vip $VIP6/64"
		printf '\nservice echo_udp {\n    vip %s\n    port 5353\n    proto udp\n    mode nat\n    backend %s\n}\n' \
			"$VIP" "$BACKEND"
		printf '\nservice echo_tcp {\n    vip %s\n    port 80\n    proto tcp\n    mode nat\n    backend %s\n}\n' \
			"$VIP" "$BACKEND"
	} >"$NETNS_TMP/$node.conf"
done

# vn_has NODE DEV ADDRESS: ADDRESS is on NODE's DEV.
vn_has() {
	local list
	list=$(ip -n "$P-$1" -o addr show dev "$2" 2>/dev/null) || return 1
	grep -q " ${3}/" <<<"$list"
}
# vn_holds NODE: both addresses on NODE, each on its interface. vn_free: neither.
vn_holds() { vn_has "$1" eth0 "$VIP" && vn_has "$1" eth1 "$GATEWAY"; }
vn_free() { ! vn_has "$1" eth0 "$VIP" && ! vn_has "$1" eth1 "$GATEWAY"; }
vn_where() {
	echo "$1:" $(ip -n "$P-$1" -o addr show | awk '$2 ~ /^eth/ {print $2, $4}')
}
vn_check_holds() { vn_holds "$1" || { vn_where "$1"; return 1; }; }

# vn_udp_in NODE: in_packets of NODE's echo_udp service.
vn_udp_in() {
	"$XVSCTL" -s "$(vr_sock "$1")" list --json 2>/dev/null | "$VR_PYTHON" -c '
import json, sys
d = {s["name"]: s for s in json.load(sys.stdin)["services"]}
print(d["echo_udp"]["stats"]["in_packets"])' 2>/dev/null || echo -1
}

# vn_udp SECONDS: the client's UDP requests to the VIP until the backend answers;
# prints the wall clock (ms) of the first answer.
vn_udp() {
	ip netns exec "$P-c" "$VR_PYTHON" "$VR_VERIFY" udp "$VIP" 5353 b "$1"
}

vr_start n1 n2
vr_wait_check n1-master 10 vr_is n1 nat_pair ipv4 master
vr_wait_check n1-master-ipv6 5 vr_is n1 nat_pair ipv6 master
vr_wait_check n2-backup 5 vr_is n2 nat_pair ipv4 backup
vr_wait_check n1-holds-both 3 vn_check_holds n1
vr_check n2-holds-none vn_free n2
interfaces=$(vr_field n1 nat_pair ipv4 vip_interfaces || true)
vr_check api-vip-interfaces grep -q "'interface': 'eth1'" <<<"$interfaces"
table=$("$XVSCTL" -s "$(vr_sock n1)" vrrp 2>&1 || true)
vr_check xvsctl-shows-interface grep -q "$VIP/24,$GATEWAY/24@eth1" <<<"$table"
vr_check client-udp-through-n1 vn_udp 5
vr_check client-tcp-through-n1 vr_reach "$VIP" b 5
n1_in=$(vn_udp_in n1)
vr_check n1-forwarded [ "$n1_in" -gt 0 ]

# (1) The master dies: kill -9 (no priority 0), then its links go with it.
capture_must_start internal "$P-b" eth0 arp
n2_in=$(vn_udp_in n2)
killed=$(vr_ms)
kill -KILL "$(vr_pid n1)"
ip -n "$P-n1" link set eth0 down
ip -n "$P-n1" link set eth1 down
if answered=$(vn_udp 5); then
	echo "# kill -9 of the master: first UDP answer through n2 after $((answered - killed)) ms" \
		"(3 x advert + skew = $TAKEOVER_MS ms)"
	pass kill-client-answered
else
	fail kill-client-answered "$answered"
fi
held=$(vr_ms)
vr_check kill-n2-holds-both vn_check_holds n2
echo "# kill -9 of the master: n2 held both addresses by $((held - killed)) ms (polled after the answer)"
vr_check kill-n2-master vr_is n2 nat_pair ipv4 master
vr_wait_check kill-n2-holds-ipv6 3 vn_has n2 eth0 "$VIP6"
vr_check kill-n2-forwarded [ "$(vn_udp_in n2)" -gt "$n2_in" ]
vr_check kill-client-tcp vr_reach "$VIP" b 5
capture_stop internal
vr_check kill-garp-on-internal "$VR_PYTHON" "$VR_VERIFY" garp "$NETNS_TMP/internal.pcap" \
	"$GATEWAY" "$(mac_of "$P-n2" eth1)"
announced=$(vr_field n2 nat_pair ipv4 counters announcements || echo 0)
vr_check kill-announced-both [ "$announced" -ge 2 ]
vr_kill n1 KILL

# n1 comes back (its addresses still there from the killed daemon) and preempts.
ip -n "$P-n1" link set eth0 up
ip -n "$P-n1" link set eth1 up
vr_start n1
vr_wait_check back-n1-master 10 vr_is n1 nat_pair ipv4 master
vr_wait_check back-n2-backup 3 vr_is n2 nat_pair ipv4 backup
vr_wait_check back-n2-released 3 vn_free n2
vr_check back-n1-holds-both vn_check_holds n1
vr_check back-client-through-n1 vn_udp 5

# (2) method link: the master's internal link loses its carrier (switch port down).
n2_in=$(vn_udp_in n2)
cut=$(vr_ms)
ip -n "$P-isw" link set in1 down
if answered=$(vn_udp 5); then
	echo "# internal link of the master down: first UDP answer through n2 after" \
		"$((answered - cut)) ms"
	pass link-client-answered
else
	fail link-client-answered "$answered"
fi
vr_wait_check link-n1-fault 3 vr_is n1 nat_pair ipv4 fault
vr_wait_check link-n1-fault-ipv6 3 vr_is n1 nat_pair ipv6 fault
vr_wait_check link-n2-holds-ipv6 3 vn_has n2 eth0 "$VIP6"
faults=$(vr_field n1 nat_pair ipv4 faults || true)
vr_check link-fault-reason grep -q link <<<"$faults"
links=$(vr_field n1 nat_pair ipv4 links || true)
vr_check link-api-says-eth1 grep -q "'interface': 'eth1', 'present': True, 'carrier': False" \
	<<<"$links"
vr_wait_check link-n2-master 3 vr_is n2 nat_pair ipv4 master
vr_check link-n2-holds-both vn_check_holds n2
vr_wait_check link-n1-released 3 vn_free n1
vr_check link-n2-forwarded [ "$(vn_udp_in n2)" -gt "$n2_in" ]
# From now on every request goes through n2: n1 (alive, in fault) forwards none.
n1_in=$(vn_udp_in n1)
n2_in=$(vn_udp_in n2)
vr_check link-client-udp vn_udp 3
vr_check link-client-tcp vr_reach "$VIP" b 5
vr_check link-n2-forwards [ "$(vn_udp_in n2)" -gt "$n2_in" ]
vr_check link-n1-idle [ "$(vn_udp_in n1)" -eq "$n1_in" ]
ip -n "$P-isw" link set in1 up
vr_wait_check link-recovered 5 vr_is n1 nat_pair ipv4 master
vr_wait_check link-n1-holds-both 3 vn_check_holds n1
vr_wait_check link-n1-holds-ipv6 3 vn_has n1 eth0 "$VIP6"

# (3) A VIP on an interface that is not there is a fault (reason interface) until it
# comes: n2 alone, reloaded with a third VIP on eth9; eth9 comes, goes and comes back.
vr_kill n1 TERM
vr_wait_check alone-n2-master 3 vr_is n2 nat_pair ipv4 master
sed -i "s|^    vip $GATEWAY/24 interface eth1\$|&\n    vip 10.79.0.1/24 interface eth9|" \
	"$NETNS_TMP/n2.conf"
vr_check reload-accepted "$XVSCTL" -s "$(vr_sock n2)" reload
vr_wait_check missing-fault 3 vr_is n2 nat_pair ipv4 fault
faults=$(vr_field n2 nat_pair ipv4 faults || true)
vr_check missing-fault-reason grep -q interface <<<"$faults"
vr_wait_check missing-released 3 vn_free n2
ip -n "$P-n2" link add eth9 type veth peer name eth9peer
ip -n "$P-n2" link set eth9peer up
ip -n "$P-n2" link set eth9 up
vr_wait_check appeared-master 5 vr_is n2 nat_pair ipv4 master
vr_wait_check appeared-holds-all 3 vn_has n2 eth9 10.79.0.1
vr_check appeared-holds-both vn_check_holds n2
ip -n "$P-n2" link del eth9
vr_wait_check deleted-fault 3 vr_is n2 nat_pair ipv4 fault
vr_wait_check deleted-released 3 vn_free n2

vr_kill n2 TERM
vr_check left-clean vn_free n2
netns_finish
