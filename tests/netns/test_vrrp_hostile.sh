#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Hostile and wrong VRRP adverts (built with scapy, each claiming priority 254): wrong
# vrid, version, type, checksum, TTL, address count, truncated, version 2 with an
# authentication type or another interval, a stranger to a unicast instance. Each is
# dropped and counted under its reason, and no instance moves. A valid advert of lower
# priority (another master, as after a split brain) makes the master announce again.
#
#            vrPID-sw: br0
#        |                                   |
#   vrPID-n1 10.77.0.1                        vrPID-c 10.77.0.10
#   xvsd, alone, master of:                   scapy (/usr/bin/python3)
#     m   vrid 10, v3, multicast, VIP 10.77.0.100
#     u   vrid 20, v3, unicast_peer 10.77.0.2, VIP 10.77.0.101
#     old vrid 30, v2, advert 1s, VIP 10.77.0.103
#
# Run as root from the repo root; XVSD and XVSCTL override the binaries.
set -euo pipefail

NETNS_TEST=netns/vrrp_hostile
# shellcheck source=tests/netns/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/netns/vrrp_lib.sh
. "$NETNS_DIR/vrrp_lib.sh"

COUNT=5

require_netns
/usr/bin/python3 -c 'import scapy' 2>/dev/null || skip "python3-scapy is not installed"
vr_begin
vr_lab_up n1 c

{
	vr_conf_head n1
	vr_vrrp m "vrid 10" "advert 100ms" "vip 10.77.0.100/24"
	vr_vrrp u "vrid 20" "advert 100ms" "unicast_peer $(vr_v4 n2)" "vip 10.77.0.101/24"
	vr_vrrp old "vrid 30" "version 2" "advert 1s" "vip 10.77.0.103/24"
} >"$NETNS_TMP/n1.conf"

all_master() { vr_is n1 m ipv4 master && vr_is n1 u ipv4 master && vr_is n1 old ipv4 master; }

vr_start n1
vr_wait_check all-master 8 all_master
before_m=$(vr_field n1 m ipv4 counters transitions || echo x)
before_u=$(vr_field n1 u ipv4 counters transitions || echo x)
before_old=$(vr_field n1 old ipv4 counters transitions || echo x)

# inject COUNT CASE,VRID,VIP[,DST_MAC,DST_IP]...: adverts from the client, in one scapy run.
inject() {
	ip netns exec "$P-c" /usr/bin/python3 "$NETNS_DIR/vrrp_inject.py" eth0 "$@"
}

specs=()
for case in vrid version checksum ttl truncated address_count type; do
	specs+=("$case,10,10.77.0.100")
done
specs+=(auth,30,10.77.0.103 interval,30,10.77.0.103)
specs+=("peer,20,10.77.0.101,$(mac_of "$P-n1" eth0),$(vr_v4 n1)")
inject "$COUNT" "${specs[@]}"

# dropped_is NAME REASON: NAME counted exactly COUNT adverts dropped for REASON.
dropped_is() {
	[ "$(vr_field n1 "$1" ipv4 counters adverts_dropped "$2")" = "$COUNT" ]
}
for reason in vrid version checksum ttl truncated address_count type; do
	vr_wait_check "dropped-$reason" 3 dropped_is m "$reason"
done
vr_wait_check dropped-auth 3 dropped_is old auth
vr_wait_check dropped-interval 3 dropped_is old interval
vr_wait_check dropped-unknown-peer 3 dropped_is u unknown_peer
# The other instances on the link saw the same packets but left them to m.
vr_check others-leave-m-alone [ "$(vr_field n1 u ipv4 counters adverts_dropped checksum)" = 0 ]
vr_check no-adverts-accepted [ "$(vr_field n1 m ipv4 counters adverts_received)" = 0 ]
metrics=$(curl -sf --unix-socket "$(vr_sock n1)" http://localhost/metrics || true)
vr_check metrics-drops grep -q \
	"^xvs_vrrp_adverts_dropped_total{instance=\"m\",family=\"ipv4\",reason=\"checksum\"} $COUNT\$" \
	<<<"$metrics"

vr_check no-flap-m [ "$(vr_field n1 m ipv4 counters transitions)" = "$before_m" ]
vr_check no-flap-u [ "$(vr_field n1 u ipv4 counters transitions)" = "$before_u" ]
vr_check no-flap-old [ "$(vr_field n1 old ipv4 counters transitions)" = "$before_old" ]
vr_check still-master all_master
vr_check still-owns vr_owns n1 10.77.0.100

# Split brain heals: a lower master appears; ours stays master and announces again.
announced=$(vr_field n1 m ipv4 counters announcements || echo 0)
inject 1 lower,10,10.77.0.100
vr_wait_check heal-reannounce 3 test "$(vr_field n1 m ipv4 counters announcements)" -gt "$announced"
vr_check heal-stays-master vr_is n1 m ipv4 master
vr_check heal-counted [ "$(vr_field n1 m ipv4 counters adverts_received)" = 1 ]
vr_check daemon-alive pid_alive "$(vr_pid n1)"

vr_kill n1 TERM
netns_finish
