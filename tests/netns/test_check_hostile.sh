#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Health-check protocols against backends that lie, stall or speak another protocol
# (hostile_server.py on b1): HTTP to a DNS check, stale DNS ids, a RADIUS reply forged
# without the secret, binary and request-shaped SIP replies, a slow-loris and an endless
# HTTP response, DNS to an HTTP check. Each keeps its backend down with the right
# reason, while a good backend (b2) checked alongside stays up and xvsd keeps answering.
#
#  hkPID-lb 10.0.1.2 ---- hkPID-switch br0 ----+----------------------+
#  xvsd, one service per case                  |                      |
#                                      hkPID-b1 10.0.1.11      hkPID-b2 10.0.1.12
#                                      hostile_server.py       python3 http.server :80
#                                      on one port per mode    (the control backend)
#
# Run as root from the repo root; XVSD and XVSCTL override the binaries.
# Prints PASS:/FAIL: netns/check_hostile/NAME lines, or SKIP: netns/check_hostile: REASON.
set -euo pipefail

NETNS_TEST=netns/check_hostile
# shellcheck source=tests/netns/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/netns/check_lib.sh
. "$NETNS_DIR/check_lib.sh"

VIP=$LAB_VIP

require_netns
netns_begin hk
STATE=$(lab_state_dir "$P")
LAB_ECHO_SERVERS=0 netns_lab_up
B1=${LAB_BACKEND_ADDR[b1]}
B2=${LAB_BACKEND_ADDR[b2]}

# NAME PORT PROTO MODE CHECK REASON: one hostile case; REASON is the failure the check
# must report (the engine's name for it: timeout, garbage, status, oversized).
CASES=(
	"dns-gets-http 5301 udp http-as-dns dns timeout"
	"dns-stale-id 5302 udp dns-stale dns timeout"
	"radius-forged 1812 udp radius-forged radius status"
	"sip-binary 5060 udp sip-binary sip garbage"
	"sip-request 5061 udp sip-request sip garbage"
	"http-slowloris 8001 tcp http-slowloris http timeout"
	"http-endless 8002 tcp http-endless http oversized"
	"http-gets-dns 8003 tcp http-dns http garbage"
)

for case in "${CASES[@]}"; do
	read -r name port proto mode _ _ <<<"$case"
	ip netns exec "$P-b1" python3 "$NETNS_DIR/hostile_server.py" --address "$B1" --port "$port" \
		--proto "$proto" --mode "$mode" --pidfile "$STATE/b1-$name.pid" \
		>"$NETNS_TMP/$name.log" 2>&1 </dev/null &
done
for case in "${CASES[@]}"; do
	read -r name _ <<<"$case"
	wait_pidfile 10 "$STATE/b1-$name.pid" "hostile server $name" "$NETNS_TMP/$name.log"
done
ip netns exec "$P-b2" python3 -m http.server --bind "$B2" 80 >"$NETNS_TMP/b2-http.log" 2>&1 </dev/null &
server_started b2 http $!

{
	xvsd_conf_head eth0
	conf_service control "$VIP" 80 tcp dr "$B2" "check http $CHECK_TIMING"
	for case in "${CASES[@]}"; do
		read -r name port proto _ check _ <<<"$case"
		case $check in
		dns) options="query check.test" ;;
		radius) options="secret \"testing123\"" ;;
		*) options="" ;;
		esac
		conf_service "$name" "$VIP" "$port" "$proto" dr "$B1" "check $check $options $CHECK_TIMING"
	done
} >"$NETNS_TMP/xvs.conf"
xvsd_start "$P" "$NETNS_TMP/xvs.conf" "$NETNS_TMP/xvsd.log"

check_backends_up control-up 30 control "$B2"
for case in "${CASES[@]}"; do
	read -r name _ _ _ _ result <<<"$case"
	check_stays_down "$name" 1 "$name" "$result" "$B1"
done

# Meanwhile the control backend stays up and the API answers promptly (curl's own
# measure of the request, without process start-up).
slowest=0
for ((i = 0; i < 10; i++)); do
	seconds=$(curl -s -o /dev/null -w '%{time_total}' --max-time 5 --unix-socket "$SOCK" \
		http://xvsd/api/v1/services) || seconds=5
	ms=$(python3 -c 'import sys; print(int(float(sys.argv[1]) * 1000))' "$seconds")
	[ "$ms" -gt "$slowest" ] && slowest=$ms
	sleep 0.2
done
state=$(backend_state control "$B2" || echo '?')
echo "# slowest API answer while hostile checks ran: $slowest ms"
if [ "$state" != up ]; then
	fail control-stays-up "control backend is $state"
elif [ "$slowest" -gt 1000 ]; then
	fail control-stays-up "the API took $slowest ms to answer"
else
	pass control-stays-up
fi

if xvsd_check_stop stop detach; then
	pass stop
fi
netns_finish
