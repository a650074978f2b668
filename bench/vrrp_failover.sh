#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# VRRP takeover time: ROUNDS failovers (default 20) at advert 1 s and at 100 ms between
# two xvsd nodes; each round the master dies (link down, kill -9) and a client measures
# the time from then to the first answer of the new master on the VIP (a UDP echo every
# 5 ms) and to its first gratuitous ARP. Prints median and worst; asserts nothing.
#
# Usage: bench/vrrp_failover.sh [ROUNDS]   (root; not part of `make test`)
# Environment: XVSD, XVSCTL (default build/xvsd, build/xvsctl), VRRP_ADVERTS ("1s 100ms").
#
# Topology: tests/netns/vrrp_lib.sh (n1, n2 and a client c on one bridge); priorities
# 150 and 100 with preempt no, so the killed node comes back as backup and the next
# round kills the other one.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
ROUNDS=${1:-20}
ADVERTS=${VRRP_ADVERTS:-1s 100ms}
NETNS_TEST=vrrp_failover
XVSD=${XVSD:-build/xvsd}
XVSCTL=${XVSCTL:-build/xvsctl}
# shellcheck source=tests/netns/lib.sh
. tests/netns/lib.sh
# shellcheck source=tests/netns/vrrp_lib.sh
. tests/netns/vrrp_lib.sh

VIP=10.77.0.100
[ "$(id -u)" = 0 ] || { echo "bench: must run as root" >&2; exit 1; }
vr_begin
vr_lab_up n1 n2 c
vr_server n1
vr_server n2

# configure ADVERT: both nodes' files.
configure() {
	local node priority
	for node in n1 n2; do
		priority=150
		[ "$node" = n2 ] && priority=100
		{
			vr_conf_head "$node"
			vr_vrrp vi_1 "priority $priority" "advert $1" "preempt no" "vip $VIP/24"
		} >"$NETNS_TMP/$node.conf"
	done
}

# round MASTER BACKUP SECONDS: one failover; appends "ANSWER_MS GARP_MS" to rounds.txt.
round() {
	local master=$1 backup=$2 limit=$3 answer garp line
	coproc PROBE { ip netns exec "$P-c" "$VR_PYTHON" bench/vrrp_probe.py eth0 "$VIP" 5353 \
		"$backup" "$(mac_of "$P-$backup" eth0)" "$limit"; }
	read -r line <&"${PROBE[0]}"
	local start
	start=$(date +%s%N)
	ip -n "$P-$master" link set eth0 down
	kill -KILL "$(vr_pid "$master")"
	echo "$start" >&"${PROBE[1]}"
	read -r _ answer <&"${PROBE[0]}"
	read -r _ garp <&"${PROBE[0]}"
	wait "$PROBE_PID" 2>/dev/null || true
	[ "$answer" = - ] || answer=$((answer / 1000000))
	[ "$garp" = - ] || garp=$((garp / 1000000))
	echo "$answer $garp" >>"$NETNS_TMP/rounds.txt"
	echo "  round: $master -> $backup: answer after $answer ms, gratuitous ARP after $garp ms"
	# The dead node returns, as backup (preempt no).
	vr_kill "$master" KILL
	ip -n "$P-$master" link set eth0 up
	vr_start "$master"
	wait_until 15 vr_is "$master" vi_1 ipv4 backup
}

# summary ADVERT: median and worst of rounds.txt.
summary() {
	"$VR_PYTHON" - "$1" "$NETNS_TMP/rounds.txt" <<'EOF'
import statistics, sys
rows = [line.split() for line in open(sys.argv[2])]
for column, what in ((0, "VIP answers on the backup"), (1, "gratuitous ARP seen")):
    values = [int(r[column]) for r in rows if r[column] != "-"]
    missed = len(rows) - len(values)
    if values:
        print("advert %-5s %-26s median %5d ms  worst %5d ms  (%d rounds%s)" % (
            sys.argv[1], what, statistics.median(values), max(values), len(values),
            ", %d not seen" % missed if missed else ""))
    else:
        print("advert %-5s %-26s not seen in %d rounds" % (sys.argv[1], what, missed))
EOF
}

results=()
for advert in $ADVERTS; do
	configure "$advert"
	: >"$NETNS_TMP/rounds.txt"
	vr_start n1
	wait_until 15 vr_is n1 vi_1 ipv4 master
	vr_start n2
	wait_until 15 vr_is n2 vi_1 ipv4 backup
	echo "advert $advert: $ROUNDS failovers"
	master=n1 backup=n2
	for ((i = 0; i < ROUNDS; i++)); do
		round "$master" "$backup" 15
		read -r master backup <<<"$backup $master"
	done
	results+=("$(summary "$advert")")
	vr_kill n1 TERM
	vr_kill n2 TERM
done
echo
echo "VRRP takeover after kill -9 of the master (link down), $ROUNDS rounds each:"
printf '%s\n' "${results[@]}"
