#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Persistence end to end: SIP Call-ID affinity with real SIP (sipp as the user agent
# client, one socket per call; sip_client.py sending INVITE/ACK/BYE each from its own
# source port; and all calls over one socket, a trunk) to sip_server.py on every backend,
# and source-IP affinity (mask 24) over UDP 53 to the lab's echo servers.
#
#  xsPID-client  10.0.0.2, 10.0.0.3 ---- xsPID-router ---- xsPID-switch br0
#   (sipp uac, sip_client.py)                               |
#                          +------------------+-------------+---+---------------+
#                          |                  |                 |               |
#                    xsPID-lb 10.0.1.2   xsPID-b1 .11      xsPID-b2 .12    xsPID-b3 .13
#                    xvsd (XDP): sip udp/5060 persistence sip-callid, dns udp/53
#                    persistence mask 24    VIP 10.0.1.100 on lo: sip_server.py on
#                                           VIP:5060, echo_server.py on VIP:53
#
# Run as root from the repo root; XVSD and XVSCTL override the binaries.
# Prints PASS:/FAIL: netns/sip/NAME lines, or SKIP: netns/sip: REASON.
set -euo pipefail

NETNS_TEST=netns/sip
# shellcheck source=tests/netns/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VIP=$LAB_VIP
SIPP_CALLS=9
CLIENT_CALLS=6
TRUNK_CALLS=6
PROBES=12
SECOND_CLIENT=10.0.0.3

require_netns
command -v sipp >/dev/null || skip "sipp is not installed (scripts/deps.sh installs sip-tester)"
netns_begin xs
STATE=$(lab_state_dir "$P")

# The echo servers stay (UDP 53); port 5060 is free for the SIP servers.
netns_lab_up
ip -n "$P-client" addr add "$SECOND_CLIENT/24" dev eth0

for b in "${LAB_BACKENDS[@]}"; do
	ip netns exec "$P-$b" python3 "$NETNS_DIR/sip_server.py" --name "$b" --address "$VIP" \
		--log "$NETNS_TMP/$b-sip.jsonl" --pidfile "$STATE/$b-sip.pid" \
		>"$NETNS_TMP/$b-sip.log" 2>&1 </dev/null &
done
for b in "${LAB_BACKENDS[@]}"; do
	wait_pidfile 10 "$STATE/$b-sip.pid" "sip_server on $b" "$NETNS_TMP/$b-sip.log"
done

{
	xvsd_conf_head eth0
	conf_service sip "$VIP" 5060 udp dr "$(addresses_of LAB_BACKEND_ADDR "${LAB_BACKENDS[@]}")" \
		"persistence sip-callid 2m"
	conf_service dns "$VIP" 53 udp dr "$(addresses_of LAB_BACKEND_ADDR "${LAB_BACKENDS[@]}")" \
		"persistence 1m mask 24"
} >"$NETNS_TMP/xvs.conf"
xvsd_up 30

check() { check_py "$NETNS_DIR/sip_verify.py" "$@"; }

# --- sipp: the stock UAC scenario (INVITE, 200, ACK, BYE, 200), one socket per call.
mkdir -p "$NETNS_TMP/sipp"
if (cd "$NETNS_TMP/sipp" && ip netns exec "$P-client" timeout 60 sipp -sn uac "$VIP:5060" \
	-i 10.0.0.2 -p 5070 -t un -m "$SIPP_CALLS" -r 10 -d 100 -timeout 40s -nostdin -max_socket 100 \
	-trace_err -trace_stat >sipp.out 2>&1 </dev/null); then
	pass sipp-calls
else
	fail sipp-calls "sipp: $(tail -n 5 "$NETNS_TMP/sipp/sipp.out" | tr '\n' ' ')"
fi

# --- hand-built calls: every message from its own source port (a new flow each)
ip netns exec "$P-client" python3 "$NETNS_DIR/sip_client.py" calls --vip "$VIP" \
	--calls "$CLIENT_CALLS" >"$NETNS_TMP/calls.json" 2>"$NETNS_TMP/calls.log" || true
check client-calls-answered answered "$NETNS_TMP/calls.json" "$((3 * CLIENT_CALLS))"

logs=()
for b in "${LAB_BACKENDS[@]}"; do
	logs+=("$b=$NETNS_TMP/$b-sip.jsonl")
done
check callid-one-backend sticky "${logs[@]}"
check calls-spread spread "$((SIPP_CALLS + CLIENT_CALLS))" "${logs[@]}"

# --- source-IP persistence, mask 24: two addresses of one /24, fresh ports each
for source in 10.0.0.2 "$SECOND_CLIENT"; do
	ip netns exec "$P-client" python3 "$NETNS_DIR/sip_client.py" probe --vip "$VIP" \
		--source "$source" --count "$PROBES" >"$NETNS_TMP/probe-$source.json" \
		2>"$NETNS_TMP/probe.log" || true
done
check source-mask24-one-backend probe "$((2 * PROBES))" "$NETNS_TMP"/probe-*.json

# --- counters: each backend's flows and packets are what its server received
xvsd_save_list
addresses=()
for b in "${LAB_BACKENDS[@]}"; do
	addresses+=("$b=${LAB_BACKEND_ADDR[$b]}=$NETNS_TMP/$b-sip.jsonl")
done
check sip-counters counters "$NETNS_TMP/list.json" sip "${addresses[@]}"

# --- a trunk: every call over one socket, 10.0.0.2:5060 to VIP:5060 (one 5-tuple);
# after the counters check, whose conns are one per source port
ip netns exec "$P-client" python3 "$NETNS_DIR/sip_client.py" calls --vip "$VIP" \
	--calls "$TRUNK_CALLS" --trunk-port 5060 >"$NETNS_TMP/trunk.json" \
	2>"$NETNS_TMP/trunk.log" || true
check trunk-calls-answered answered "$NETNS_TMP/trunk.json" "$((3 * TRUNK_CALLS))"
check trunk-calls-spread trunk "$NETNS_TMP/trunk.json" "${#LAB_BACKENDS[@]}"
check trunk-callid-one-backend sticky "${logs[@]}"

if xvsd_check_stop stop; then
	left=$(stop_backend_servers sip sip_server)
	if [ -n "$left" ]; then
		fail stop "still running: $left"
	else
		pass stop
	fi
fi
netns_finish
