#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# VRRP interoperation with keepalived (Debian package) as the peer, VRRPv3 (200 ms) and
# VRRPv2 (1 s): keepalived master -> xvsd backup (adverts accepted, none dropped);
# keepalived dies -> xvsd takes over; keepalived returns with a lower priority and stays
# backup; xvsd stops (priority 0) -> keepalived takes over at once.
#
#            vrPID-sw: br0
#        |                            |
#   vrPID-n1 10.77.0.1                vrPID-n2 10.77.0.2
#   keepalived (foreground, -P)       xvsd
#   VIP 10.77.0.100/24 on the master, vrid 51
#
# Run as root from the repo root; XVSD and XVSCTL override the binaries.
set -euo pipefail

NETNS_TEST=netns/vrrp_keepalived
# shellcheck source=tests/netns/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/netns/vrrp_lib.sh
. "$NETNS_DIR/vrrp_lib.sh"

VIP=10.77.0.100
VRID=51

require_netns
command -v keepalived >/dev/null || skip "keepalived is not installed (scripts/deps.sh)"
vr_begin
vr_lab_up n1 n2

# keepalived_start VERSION PRIORITY ADVERT_SECONDS: keepalived in n1, in the foreground
# with its own pid files; its parent's pid in $NETNS_TMP/keepalived.pid (cleanup stops it).
keepalived_start() {
	local version=$1 priority=$2 advert=$3 conf=$NETNS_TMP/keepalived.conf
	cat >"$conf" <<EOF
global_defs {
    router_id n1
    vrrp_version $version
}
vrrp_instance vi_1 {
    state BACKUP
    interface eth0
    virtual_router_id $VRID
    priority $priority
    advert_int $advert
    virtual_ipaddress {
        $VIP/24
    }
}
EOF
	: >"$NETNS_TMP/keepalived.log"
	(
		ip netns exec "$P-n1" keepalived --dont-fork --log-console --log-detail \
			--dont-respawn --vrrp --use-file "$conf" \
			--pid "$NETNS_TMP/keepalived.pid" --vrrp_pid "$NETNS_TMP/keepalived-vrrp.pid" \
			--checkers_pid "$NETNS_TMP/keepalived-checkers.pid" \
			>>"$NETNS_TMP/keepalived.log" 2>&1 </dev/null &
	)
	if ! wait_until 10 grep -q "Entering BACKUP STATE" "$NETNS_TMP/keepalived.log"; then
		fail setup "keepalived did not start: $(tail -n 5 "$NETNS_TMP/keepalived.log")"
		exit 1
	fi
}

# keepalived_kill SIGNAL: its VRRP process and its parent.
keepalived_kill() {
	local f pid
	for f in keepalived-vrrp keepalived; do
		pid=$(cat "$NETNS_TMP/$f.pid" 2>/dev/null || true)
		[ -n "$pid" ] && kill "-$1" "$pid" 2>/dev/null || true
	done
	for f in keepalived-vrrp keepalived; do
		pid=$(cat "$NETNS_TMP/$f.pid" 2>/dev/null || true)
		[ -n "$pid" ] && { wait_until 10 not_alive "$pid" || kill -KILL "$pid" 2>/dev/null || true; }
		rm -f "$NETNS_TMP/$f.pid"
	done
}

no_drops() {
	local reason
	for reason in truncated ttl version type checksum auth address_count vrid unknown_peer interval; do
		[ "$(vr_field n2 vi_1 ipv4 counters adverts_dropped "$reason")" = 0 ] ||
			{ echo "dropped for $reason: $(vr_field n2 vi_1 ipv4 counters adverts_dropped)"; return 1; }
	done
}

# interop VERSION ADVERT_MS: the four steps for one VRRP version.
interop() {
	local version=$1 ms=$2 seconds wait received
	seconds=$(awk "BEGIN { print $ms / 1000 }")
	wait=$((ms * 4 / 1000 + 3))
	{
		vr_conf_head n2
		vr_vrrp vi_1 "vrid $VRID" "version $version" "priority 100" "advert ${ms}ms" "vip $VIP/24"
	} >"$NETNS_TMP/n2.conf"

	keepalived_start "$version" 150 "$seconds"
	wait_until "$wait" vr_has n1 "$VIP" || true
	vr_start n2
	vr_wait_check "v$version-xvsd-backup" "$wait" vr_is n2 vi_1 ipv4 backup
	sleep 1
	received=$(vr_field n2 vi_1 ipv4 counters adverts_received || echo 0)
	vr_check "v$version-keepalived-master" grep -q "Entering MASTER STATE" "$NETNS_TMP/keepalived.log"
	vr_check "v$version-adverts-accepted" [ "$received" -gt 0 ]
	vr_check "v$version-none-dropped" no_drops
	vr_check "v$version-master-address" [ "$(vr_field n2 vi_1 ipv4 master)" = "$(vr_v4 n1)" ]
	vr_check "v$version-still-backup" vr_is n2 vi_1 ipv4 backup

	# keepalived dies (and, like a dead node, so does its VIP): xvsd takes over.
	keepalived_kill KILL
	ip -n "$P-n1" addr del "$VIP/24" dev eth0 2>/dev/null || true
	vr_wait_check "v$version-xvsd-takes-over" "$wait" vr_is n2 vi_1 ipv4 master
	vr_check "v$version-xvsd-owns" vr_owns n2 "$VIP"

	# keepalived returns below xvsd's priority: it stays backup.
	keepalived_start "$version" 50 "$seconds"
	sleep $((ms * 5 / 1000 + 1))
	vr_check "v$version-keepalived-stays-backup" \
		bash -c "! grep -q 'Entering MASTER STATE' '$NETNS_TMP/keepalived.log'"
	vr_check "v$version-xvsd-stays-master" vr_is n2 vi_1 ipv4 master
	vr_check "v$version-keepalived-no-vip" vr_lacks n1 "$VIP"

	# xvsd stops: priority 0, keepalived takes over without waiting.
	vr_kill n2 TERM
	vr_wait_check "v$version-keepalived-takes-over" 3 grep -q "Entering MASTER STATE" \
		"$NETNS_TMP/keepalived.log"
	vr_check "v$version-priority-0-seen" grep -q "priority 0 advertisement" \
		"$NETNS_TMP/keepalived.log"
	vr_wait_check "v$version-keepalived-owns" 3 vr_has n1 "$VIP"
	keepalived_kill TERM
	ip -n "$P-n1" addr del "$VIP/24" dev eth0 2>/dev/null || true
}

interop 3 200
interop 2 1000
netns_finish
