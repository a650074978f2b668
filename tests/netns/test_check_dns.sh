#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Health check dns against real dnsmasq servers, over UDP and over TCP: every backend
# up; dnsmasq on b1 stopped -> b1 down within fall x interval + timeout and queries to
# the VIP avoid it; dnsmasq started again -> up after rise; a query the servers refuse
# keeps its backends down.
#
#  hkPID-client  10.0.0.2 ---- hkPID-router ---- hkPID-switch br0
#   (dig to VIP:53)                                  |
#                  +-------------------+-------------+-----+-------------------+
#                  |                   |                   |                   |
#            hkPID-lb 10.0.1.2   hkPID-b1 .11        hkPID-b2 .12        hkPID-b3 .13
#            xvsd (XDP, dr):     VIP 10.0.1.100 on lo; dnsmasq on VIP:53 and its own
#            dns-udp, dns-tcp    address :53 (UDP, TCP): check.test A 192.0.2.1,
#            checks from .2      TXT who.lab = the backend's name, nothing else
#
# Run as root from the repo root; XVSD and XVSCTL override the binaries.
# Prints PASS:/FAIL: netns/check_dns/NAME lines, or SKIP: netns/check_dns: REASON.
set -euo pipefail

NETNS_TEST=netns/check_dns
# shellcheck source=tests/netns/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/netns/check_lib.sh
. "$NETNS_DIR/check_lib.sh"

VIP=$LAB_VIP
QUERIES=9

require_netns
for tool in dnsmasq dig; do
	command -v "$tool" >/dev/null || skip "$tool is not installed (scripts/deps.sh installs it)"
done
netns_begin hk
LAB_ECHO_SERVERS=0 netns_lab_up
mapfile -t ADDRESSES < <(addresses_of LAB_BACKEND_ADDR "${LAB_BACKENDS[@]}" | tr ' ' '\n')
B1=${LAB_BACKEND_ADDR[b1]}

dnsmasq_start() {
	local b=$1
	ip netns exec "$P-$b" dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv \
		--no-hosts --bind-interfaces --listen-address="$VIP" \
		--listen-address="${LAB_BACKEND_ADDR[$b]}" --port=53 \
		--address=/check.test/192.0.2.1 --txt-record="who.lab,$b" --user=root --group=root \
		--pid-file="$NETNS_TMP/$b-dnsmasq.pid" --log-facility=- \
		>"$NETNS_TMP/$b-dnsmasq.log" 2>&1 </dev/null &
	server_started "$b" dnsmasq $!
}

dnsmasq_answers() {
	[ "$(ip netns exec "$P-lb" dig +short +time=1 +tries=1 TXT who.lab "@${LAB_BACKEND_ADDR[$1]}" \
		2>/dev/null)" = "\"$1\"" ]
}

dnsmasq_wait() {
	wait_until 15 dnsmasq_answers "$1" && return 0
	fail setup "dnsmasq on $1 does not answer: $(tail -n 3 "$NETNS_TMP/$1-dnsmasq.log")"
	exit 1
}

for b in "${LAB_BACKENDS[@]}"; do
	dnsmasq_start "$b"
done
for b in "${LAB_BACKENDS[@]}"; do
	dnsmasq_wait "$b"
done

backends=${ADDRESSES[*]}
{
	xvsd_conf_head eth0
	conf_service dns-udp "$VIP" 53 udp dr "$backends" "check dns query check.test $CHECK_TIMING"
	conf_service dns-tcp "$VIP" 53 tcp dr "$backends" "check dns query check.test. $CHECK_TIMING"
	# The servers refuse names they do not know (no upstream): these stay down.
	conf_service dns-refused "$VIP" 5353 udp dr "$backends" \
		"check dns port 53 query unknown.test $CHECK_TIMING"
} >"$NETNS_TMP/xvs.conf"
xvsd_start "$P" "$NETNS_TMP/xvs.conf" "$NETNS_TMP/xvsd.log"

check_backends_up dns-udp-up 30 dns-udp "${ADDRESSES[@]}"
check_backends_up dns-tcp-up 10 dns-tcp "${ADDRESSES[@]}"
check_stays_down dns-refused 3 dns-refused status "${ADDRESSES[@]}"

# queries FILE [+tcp]: QUERIES queries for TXT who.lab to the VIP, each from a new
# source port; a line per answer.
queries() {
	local file=$1 i answer
	shift
	: >"$file"
	for ((i = 0; i < QUERIES; i++)); do
		answer=$(ip netns exec "$P-client" dig +short +time=1 +tries=1 "$@" TXT who.lab \
			"@$VIP" 2>&1 | head -n 1 | tr -d '"') || true
		echo "${answer:-no answer}" >>"$file"
	done
}

queries "$NETNS_TMP/before.txt"
check_answers traffic-all "" "$NETNS_TMP/before.txt"

stop_server b1 dnsmasq
check_transitions down "$STOPPED_MS" down "$CHECK_DOWN_BOUND_MS" "dns-udp/$B1" "dns-tcp/$B1"
queries "$NETNS_TMP/udp-down.txt"
check_answers udp-traffic-avoids-down "b1" "$NETNS_TMP/udp-down.txt"
queries "$NETNS_TMP/tcp-down.txt" +tcp
check_answers tcp-traffic-avoids-down "b1" "$NETNS_TMP/tcp-down.txt"

dnsmasq_start b1
dnsmasq_wait b1
STARTED_MS=$(now_ms)
check_transitions up-again "$STARTED_MS" up "$CHECK_UP_BOUND_MS" "dns-udp/$B1" "dns-tcp/$B1"
queries "$NETNS_TMP/after.txt"
check_answers traffic-back "" "$NETNS_TMP/after.txt"

if xvsd_check_stop stop detach; then
	for b in "${LAB_BACKENDS[@]}"; do
		stop_server "$b" dnsmasq
	done
	pass stop
fi
netns_finish
