#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# VRRP failover between two xvsd nodes (version 3, IPv4, multicast, 200 ms adverts): the
# master dies (kill -9, link gone) and the backup owns the VIP within 3 x advert + skew,
# announces it by gratuitous ARP, and the client reaches the service on the VIP again;
# the first node returns and preempts; SIGTERM makes a master send priority 0 so the
# backup takes over without waiting; notify runs on every transition; metrics follow.
#
#            vrPID-sw: br0
#        |                  |                  |
#   vrPID-n1 10.77.0.1  vrPID-n2 10.77.0.2  vrPID-c 10.77.0.10
#   xvsd priority 150   xvsd priority 100   client, tcpdump
#   echo server :80     echo server :80
#   VIP 10.77.0.100/24 on the master
#
# Run as root from the repo root; XVSD and XVSCTL override the binaries.
set -euo pipefail

NETNS_TEST=netns/vrrp
# shellcheck source=tests/netns/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/netns/vrrp_lib.sh
. "$NETNS_DIR/vrrp_lib.sh"

VIP=10.77.0.100
ADVERT_MS=200
# 3 x advert + skew of priority 100: (256 - 100) * 200 / 256 ms
TAKEOVER_MS=$((3 * ADVERT_MS + (256 - 100) * ADVERT_MS / 256))

require_netns
vr_begin
vr_lab_up n1 n2 c

cat >"$NETNS_TMP/notify.sh" <<EOF
#!/bin/sh
echo "\$*" >>"$NETNS_TMP/notify.log"
EOF
chmod +x "$NETNS_TMP/notify.sh"
for node in n1 n2; do
	priority=150
	[ "$node" = n2 ] && priority=100
	{
		vr_conf_head "$node"
		vr_vrrp vi_1 "priority $priority" "advert ${ADVERT_MS}ms" "vip $VIP/24" \
			"notify \"$NETNS_TMP/notify.sh $node\""
	} >"$NETNS_TMP/$node.conf"
	vr_server "$node"
done

# vr_wait_ms LIMIT_MS COMMAND...: polls every 10 ms; prints the milliseconds it took.
vr_wait_ms() {
	local limit=$1 start now
	shift
	start=$(vr_ms)
	until "$@"; do
		now=$(vr_ms)
		[ $((now - start)) -le "$limit" ] || return 1
		sleep 0.01
	done
	echo $(($(vr_ms) - start))
}

vr_start n1
vr_wait_check n1-master 5 vr_is n1 vi_1 ipv4 master
vr_check n1-owns-vip vr_owns n1 "$VIP"
vr_start n2
vr_wait_check n2-backup 5 vr_is n2 vi_1 ipv4 backup
vr_check n2-lacks-vip vr_lacks n2 "$VIP"
vr_check client-reaches-n1 vr_reach "$VIP" n1

# The master dies: its daemon is killed and its link goes with it.
capture_must_start failover "$P-c" eth0 arp or ip proto 112
ip -n "$P-n1" link set eth0 down
kill -KILL "$(vr_pid n1)"
# Polling adds up to 10 ms per round and a scheduler's delays: 500 ms of slack.
if took=$(vr_wait_ms $((TAKEOVER_MS + 500)) vr_has n2 "$VIP"); then
	echo "# takeover after kill -9: $took ms (3 x advert + skew = $TAKEOVER_MS ms)"
	pass takeover-in-time
else
	fail takeover-in-time "n2 has no $VIP $((TAKEOVER_MS + 500)) ms after kill -9 of n1"
fi
vr_wait_check n2-master 3 vr_is n2 vi_1 ipv4 master
vr_check client-reaches-n2 vr_reach "$VIP" n2 5
capture_stop failover
vr_check garp-seen "$VR_PYTHON" "$VR_VERIFY" garp "$NETNS_TMP/failover.pcap" "$VIP" \
	"$(mac_of "$P-n2" eth0)"
vr_wait_check notify-master 3 grep -qx "n2 vi_1 master ipv4" "$NETNS_TMP/notify.log"
metrics=$(curl -sf --unix-socket "$(vr_sock n2)" http://localhost/metrics || true)
vr_check metrics-state grep -q '^xvs_vrrp_state{instance="vi_1",family="ipv4"} 2$' <<<"$metrics"
vr_check metrics-sent grep -qE '^xvs_vrrp_adverts_sent_total\{instance="vi_1",family="ipv4"\} [1-9]' \
	<<<"$metrics"
vr_kill n1 KILL

# n1 comes back (its VIP still on eth0 from the killed daemon) and preempts.
ip -n "$P-n1" link set eth0 up
vr_start n1
vr_wait_check n1-preempts 5 vr_is n1 vi_1 ipv4 master
vr_wait_check n2-back-to-backup 3 vr_is n2 vi_1 ipv4 backup
vr_wait_check n2-releases-vip 3 vr_lacks n2 "$VIP"
vr_check client-reaches-n1-again vr_reach "$VIP" n1 5
reason=$(vr_field n2 vi_1 ipv4 last_transition reason || true)
vr_check n2-reason [ "$reason" = "higher priority master" ]

# SIGTERM: the master says priority 0, the backup does not wait for master down.
capture_must_start resign "$P-c" eth0 ip proto 112
vr_kill n1 TERM
vr_wait_check n2-takes-over 3 vr_is n2 vi_1 ipv4 master
reason=$(vr_field n2 vi_1 ipv4 last_transition reason || true)
vr_check resign-fast [ "$reason" = "master resigned" ]
capture_stop resign
vr_check priority-0-advert "$VR_PYTHON" "$VR_VERIFY" advert "$NETNS_TMP/resign.pcap" \
	"$(vr_v4 n1)" 0
vr_check n1-left-clean vr_lacks n1 "$VIP"
vr_check notify-stop grep -qx "n1 vi_1 init ipv4" "$NETNS_TMP/notify.log"

vr_kill n2 TERM
vr_check n2-left-clean vr_lacks n2 "$VIP"
netns_finish
