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
for bin in "$XVSD" "$XVSCTL"; do
	[ -x "$bin" ] || { fail setup "$bin is not built"; exit 1; }
done
[ -f "$XVS_PASS_OBJ" ] || { fail setup "$XVS_PASS_OBJ is not built"; exit 1; }

NETNS_PREFIX=xs$$
NETNS_TMP=$(mktemp -d /tmp/xvs-netns-sip.XXXXXX)
trap netns_cleanup EXIT
trap 'fail internal "line $LINENO: \"$BASH_COMMAND\" failed"' ERR
P=$NETNS_PREFIX
RUN=$NETNS_TMP/run
SOCK=$RUN/xvsd.sock
STATE=$(lab_state_dir "$P")

# The echo servers stay (UDP 53); port 5060 is free for the SIP servers.
if ! "$NETNS_ROOT/scripts/lab.sh" up "$P" 2>"$NETNS_TMP/lab.log"; then
	fail setup "lab: $(cat "$NETNS_TMP/lab.log")"
	exit 1
fi
ip -n "$P-client" addr add "$SECOND_CLIENT/24" dev eth0

for b in "${LAB_BACKENDS[@]}"; do
	ip netns exec "$P-$b" python3 "$NETNS_DIR/sip_server.py" --name "$b" --address "$VIP" \
		--log "$NETNS_TMP/$b-sip.jsonl" --pidfile "$STATE/$b-sip.pid" \
		>"$NETNS_TMP/$b-sip.log" 2>&1 </dev/null &
done
for b in "${LAB_BACKENDS[@]}"; do
	if ! wait_until 10 test -s "$STATE/$b-sip.pid"; then
		fail setup "sip_server on $b did not start: $(cat "$NETNS_TMP/$b-sip.log")"
		exit 1
	fi
done

cat >"$NETNS_TMP/xvs.conf" <<EOF
global {
    node $P-lb
    run_dir $RUN
    api unix $SOCK
}

interface eth0 {
    xdp auto
}

service sip {
    vip $VIP
    port 5060
    proto udp
    mode dr
    scheduler rr
    persistence sip-callid 2m
    backend ${LAB_BACKEND_ADDR[b1]}
    backend ${LAB_BACKEND_ADDR[b2]}
    backend ${LAB_BACKEND_ADDR[b3]}
}

service dns {
    vip $VIP
    port 53
    proto udp
    mode dr
    scheduler rr
    persistence 1m mask 24
    backend ${LAB_BACKEND_ADDR[b1]}
    backend ${LAB_BACKEND_ADDR[b2]}
    backend ${LAB_BACKEND_ADDR[b3]}
}
EOF

xvsd_start "$P" "$NETNS_TMP/xvs.conf" "$NETNS_TMP/xvsd.log"
if ! xvsd_wait_ready "$SOCK" 30; then
	fail ready "xvsd not ready within 30 s: $(tail -n 5 "$NETNS_TMP/xvsd.log")"
	exit 1
fi
pass ready

check() {
	local name=$1 out
	shift
	if out=$(python3 "$NETNS_DIR/sip_verify.py" "$@" 2>&1); then
		pass "$name"
	else
		fail "$name" "$out"
	fi
}

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
"$XVSCTL" -s "$SOCK" list --json >"$NETNS_TMP/list.json" 2>"$NETNS_TMP/list.log" || true
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

xvsd_stop 10
if [ "$XVSD_STATUS" != 0 ]; then
	fail stop "xvsd exit status $XVSD_STATUS after SIGTERM: $(tail -n 5 "$NETNS_TMP/xvsd.log")"
else
	left=
	for b in "${LAB_BACKENDS[@]}"; do
		pid=$(cat "$STATE/$b-sip.pid" 2>/dev/null || true)
		lab_stop_pid "$P-$b" "$pid"
		[ -n "$pid" ] && pid_alive "$pid" && left+="sip_server/$b "
	done
	if [ -n "$left" ]; then
		fail stop "still running: $left"
	else
		pass stop
	fi
fi

if [ "$NETNS_FAILED" -ne 0 ]; then
	echo "# xvsd log: $(tail -n 3 "$NETNS_TMP/xvsd.log" | tr '\n' ' ')" >&2
	exit 1
fi
