#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Health check sip against real Kamailio servers, over UDP and over TCP: every backend
# up; Kamailio on b1 stopped -> b1 down within fall x interval + timeout and OPTIONS to
# the VIP avoid it; Kamailio started again -> up after rise; a server answering 503
# ("overloaded") keeps its backends down.
#
#  hkPID-client  10.0.0.2 ---- hkPID-router ---- hkPID-switch br0
#   (OPTIONS to VIP:5060)                            |
#                  +-------------------+-------------+-----+-------------------+
#                  |                   |                   |                   |
#            hkPID-lb 10.0.1.2   hkPID-b1 .11        hkPID-b2 .12        hkPID-b3 .13
#            xvsd (XDP, dr):     VIP 10.0.1.100 on lo; Kamailio on VIP:5060 and its own
#            sip-udp, sip-tcp    address :5060 (UDP, TCP): OPTIONS -> "200 NAME alive";
#            checks from .2      its own address :5070 (UDP): 503 to everything;
#            (fd00:1::2)         sip6: the same over IPv6, [fd00:1::100]:5060 UDP
#
# Run as root from the repo root; XVSD and XVSCTL override the binaries.
# Prints PASS:/FAIL: netns/check_sip/NAME lines, or SKIP: netns/check_sip: REASON.
set -euo pipefail

NETNS_TEST=netns/check_sip
# shellcheck source=tests/netns/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/netns/check_lib.sh
. "$NETNS_DIR/check_lib.sh"

VIP=$LAB_VIP
REQUESTS=9
KAMAILIO_MODULES=/usr/lib/$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)/kamailio/modules

require_netns
command -v kamailio >/dev/null || skip "kamailio is not installed (scripts/deps.sh installs it)"
[ -f "$KAMAILIO_MODULES/sl.so" ] || skip "kamailio's sl module is not in $KAMAILIO_MODULES"
netns_begin hk
LAB_ECHO_SERVERS=0 netns_lab_up
mapfile -t ADDRESSES < <(addresses_of LAB_BACKEND_ADDR "${LAB_BACKENDS[@]}" | tr ' ' '\n')
B1=${LAB_BACKEND_ADDR[b1]}
mapfile -t ADDRESSES6 < <(addresses_of LAB_BACKEND_ADDR6 "${LAB_BACKENDS[@]}" | tr ' ' '\n')
B1_6=${LAB_BACKEND_ADDR6[b1]}

# kamailio_start NODE: Kamailio in the foreground (-DD), logging to stderr (-E), with its
# pid file and runtime directory in $NETNS_TMP/NODE; no control modules (no fifo, no ctl
# socket), small memory pools.
kamailio_start() {
	local b=$1 dir=$NETNS_TMP/$1 address=${LAB_BACKEND_ADDR[$1]} address6=${LAB_BACKEND_ADDR6[$1]}
	mkdir -p "$dir"
	cat >"$dir/kamailio.cfg" <<EOF
#!KAMAILIO
debug=2
log_stderror=yes
children=1
tcp_children=1
auto_aliases=no
server_header="Server: xvs-lab-$b"
listen=udp:$VIP:5060
listen=udp:$address:5060
listen=tcp:$VIP:5060
listen=tcp:$address:5060
listen=udp:$address:5070
listen=udp:[$LAB_VIP6]:5060
listen=udp:[$address6]:5060
mpath="$KAMAILIO_MODULES/"
loadmodule "sl.so"

request_route {
	if (dst_port == 5070) {
		sl_send_reply("503", "Overloaded");
		exit;
	}
	if (method == "OPTIONS") {
		sl_send_reply("200", "$b alive");
		exit;
	}
	sl_send_reply("405", "Method Not Allowed");
	exit;
}
EOF
	ip netns exec "$P-$b" kamailio -DD -E -f "$dir/kamailio.cfg" -P "$dir/kamailio.pid" \
		-Y "$dir" -m 16 -M 4 >"$dir/kamailio.log" 2>&1 </dev/null &
	server_started "$b" kamailio $!
}

# options NS ADDRESS [COUNT]: COUNT OPTIONS requests over UDP, each from a new socket;
# prints the backend name of each "200 NAME alive" reply, or what went wrong.
options() {
	ip netns exec "$1" python3 - "$2" "${3:-1}" <<'EOF_PY'
import random, re, socket, sys
address, count = sys.argv[1], int(sys.argv[2])
for i in range(count):
    call = "%016x" % random.getrandbits(64)
    request = ("OPTIONS sip:%s:5060 SIP/2.0\r\n"
               "Via: SIP/2.0/UDP client.invalid;branch=z9hG4bK%s;rport\r\n"
               "Max-Forwards: 70\r\nFrom: <sip:test@client.invalid>;tag=%s\r\n"
               "To: <sip:%s>\r\nCall-ID: %s\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
               % (address, call, call[:8], address, call))
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(1)
    try:
        sock.sendto(request.encode(), (address, 5060))
        reply = sock.recv(4096).decode(errors="replace")
        match = re.match(r"SIP/2\.0 200 (\S+) alive\r\n", reply)
        print(match.group(1) if match else "bad reply: " + reply.split("\r\n")[0])
    except OSError as error:
        print("no answer: %s" % error)
    finally:
        sock.close()
EOF_PY
}

kamailio_answers() { [ "$(options "$P-lb" "${LAB_BACKEND_ADDR[$1]}")" = "$1" ]; }

kamailio_wait() {
	wait_until 15 kamailio_answers "$1" && return 0
	fail setup "kamailio on $1 does not answer: $(tail -n 3 "$NETNS_TMP/$1/kamailio.log")"
	exit 1
}

for b in "${LAB_BACKENDS[@]}"; do
	kamailio_start "$b"
done
for b in "${LAB_BACKENDS[@]}"; do
	kamailio_wait "$b"
done

backends=${ADDRESSES[*]}
{
	xvsd_conf_head eth0
	conf_service sip-udp "$VIP" 5060 udp dr "$backends" "check sip $CHECK_TIMING"
	conf_service sip-tcp "$VIP" 5060 tcp dr "$backends" "check sip $CHECK_TIMING"
	conf_service sip-overloaded "$VIP" 5070 udp dr "$backends" "check sip $CHECK_TIMING"
	# IPv6: the request URI is sip:[ADDRESS]:5060.
	conf_service sip6 "$LAB_VIP6" 5060 udp dr "${ADDRESSES6[*]}" "check sip $CHECK_TIMING"
} >"$NETNS_TMP/xvs.conf"
xvsd_start "$P" "$NETNS_TMP/xvs.conf" "$NETNS_TMP/xvsd.log"

check_backends_up sip-udp-up 30 sip-udp "${ADDRESSES[@]}"
check_backends_up sip-tcp-up 10 sip-tcp "${ADDRESSES[@]}"
check_backends_up sip6-up 10 sip6 "${ADDRESSES6[@]}"
check_stays_down sip-503 3 sip-overloaded status "${ADDRESSES[@]}"

options "$P-client" "$VIP" "$REQUESTS" >"$NETNS_TMP/before.txt"
check_answers traffic-all "" "$NETNS_TMP/before.txt"

stop_server b1 kamailio
check_transitions down "$STOPPED_MS" down "$CHECK_DOWN_BOUND_MS" "sip-udp/$B1" "sip-tcp/$B1" \
	"sip6/$B1_6"
options "$P-client" "$VIP" "$REQUESTS" >"$NETNS_TMP/down.txt"
check_answers traffic-avoids-down "b1" "$NETNS_TMP/down.txt"

kamailio_start b1
kamailio_wait b1
STARTED_MS=$(now_ms)
check_transitions up-again "$STARTED_MS" up "$CHECK_UP_BOUND_MS" "sip-udp/$B1" "sip-tcp/$B1" \
	"sip6/$B1_6"
options "$P-client" "$VIP" "$REQUESTS" >"$NETNS_TMP/after.txt"
check_answers traffic-back "" "$NETNS_TMP/after.txt"

if xvsd_check_stop stop detach; then
	for b in "${LAB_BACKENDS[@]}"; do
		stop_server "$b" kamailio
	done
	pass stop
fi
netns_finish
