#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Connection table upkeep at conn_table 1m: the reaper deletes a million expired
# flows in steps while the API keeps answering, gives every count back, and a reload
# or SIGTERM in the middle of a pass is harmless; GET /api/v1/conns is streamed in
# steps (it sees flows added while it is being read). Flows are written straight into
# the pinned conns map (bench/xdpload conns-add): no traffic is needed. xvsd runs with
# nsenter --net (not ip netns exec) so that the bpffs it mounts on RUN_DIR/bpf is in this
# shell's mount namespace, where xdpload finds the maps.
#
#   ${P}-lb [eth0 10.8.0.1/24] ---- veth ---- [peer0 10.8.0.2/24] ${P}-peer
#   xvsd: service dns 10.8.0.100:53/udp dr -> 10.8.0.2 (answers ARP, nothing else)
#
set -u
cd "$(dirname "$0")/../.." || exit 1
NETNS_TEST=netns/upkeep
. tests/netns/lib.sh

XDPLOAD=build/bench/xdpload
PROBE=tests/netns/upkeep_probe.py
LIVE=20000
EXPIRED=1000000

require_netns
command -v nsenter >/dev/null || skip "nsenter is not installed"
[ -x "$XDPLOAD" ] || { fail setup "$XDPLOAD is not built"; exit 1; }

cleanup() {
	set +e
	if [ -n "${XVSD_PID:-}" ] && pid_alive "$XVSD_PID"; then
		kill -TERM "$XVSD_PID"
		wait "$XVSD_PID"
	fi
	umount "$RUN/bpf" 2>/dev/null
	ip netns del "$P-lb" 2>/dev/null
	ip netns del "$P-peer" 2>/dev/null
	rm -rf "$NETNS_TMP"
}
netns_begin ct cleanup

ip netns add "$P-lb"
ip netns add "$P-peer"
ip -n "$P-lb" link add eth0 type veth peer name peer0
ip -n "$P-lb" link set peer0 netns "$P-peer"
ip -n "$P-lb" addr add 10.8.0.1/24 dev eth0
ip -n "$P-peer" addr add 10.8.0.2/24 dev peer0
ip -n "$P-lb" link set eth0 up
ip -n "$P-peer" link set peer0 up

cat >"$NETNS_TMP/xvs.conf" <<CONF
global {
    run_dir $RUN
    api unix $SOCK
    conn_table 1m
}
interface eth0 {
    xdp auto
}
service dns {
    vip 10.8.0.100
    port 53
    proto udp
    mode dr
    scheduler rr
    backend 10.8.0.2
}
CONF

probe() { python3 "$PROBE" "$@"; }
add_flows() { "$XDPLOAD" conns-add "$RUN/bpf" "$@" >/dev/null; }

# The table as the API shows it: "ENTRIES INACTIVE ACTIVE" of the last pass and the backend.
table_counts() {
	local status services
	status=$(curl -s --max-time 5 --unix-socket "$SOCK" http://localhost/api/v1/status) ||
		return 1
	services=$(curl -s --max-time 5 --unix-socket "$SOCK" http://localhost/api/v1/services) ||
		return 1
	python3 -c '
import json, sys
status, services = json.loads(sys.argv[1]), json.loads(sys.argv[2])
backend = services["services"][0]["backends"][0]
print(status["conn_table_entries"], backend["inactive_conns"], backend["active_conns"])
' "$status" "$services"
}
counts_are() { [ "$(table_counts)" = "$1" ]; }

xvsd_start_here() {
	nsenter --net="/run/netns/$P-lb" "$XVSD" -f "$NETNS_TMP/xvs.conf" >"$NETNS_TMP/xvsd.log" \
		2>&1 </dev/null &
	XVSD_PID=$!
}
xvsd_start_here
if ! xvsd_wait_ready "$SOCK" 60; then
	fail ready "xvsd not ready: $(tail -n 5 "$NETNS_TMP/xvsd.log")"
	exit 1
fi
pass ready

# Live flows: kept, and counted once.
add_flows "$LIVE" 0 0
if wait_until 30 counts_are "$LIVE $LIVE 0"; then
	pass live_kept
else
	fail live_kept "expected \"$LIVE $LIVE 0\" (entries, inactive, active), got \"$(table_counts)\""
fi

# A million expired flows: the pass that deletes them runs in steps, and the API
# answers between them; afterwards the live flows alone are left, counted exactly.
add_flows "$EXPIRED" 600 100000
if out=$(probe watch "$SOCK" 30); then
	pass answered_during_pass
else
	fail answered_during_pass "$out"
fi
if wait_until 60 counts_are "$LIVE $LIVE 0"; then
	pass expired_counts_returned
else
	fail expired_counts_returned "expected \"$LIVE $LIVE 0\", got \"$(table_counts)\""
fi

# Listing: the limit, then the whole table read slowly while flows are added.
if out=$(probe count "$SOCK" 5) && [ "$out" = "200 5 true" ]; then
	pass listing_limit
else
	fail listing_limit "limit=5 gave \"$out\" (expected \"200 5 true\")"
fi
if out=$(probe stalled-listing "$SOCK" "$LIVE" \
	"$XDPLOAD" conns-add "$RUN/bpf" 5000 0 3000000); then
	pass listing_streamed
else
	fail listing_streamed "$out"
fi
if wait_until 30 counts_are "$((LIVE + 5000)) $((LIVE + 5000)) 0"; then
	pass listing_added_counted
else
	fail listing_added_counted "got \"$(table_counts)\""
fi
LIVE=$((LIVE + 5000))

# A reload in the middle of a pass: the pass goes on, the counts stay exact.
add_flows "$EXPIRED" 600 1000000
if probe running "$SOCK" 30 && "$XVSCTL" -s "$SOCK" reload >/dev/null &&
	wait_until 60 counts_are "$LIVE $LIVE 0"; then
	pass reload_during_pass
else
	fail reload_during_pass "got \"$(table_counts)\": $(tail -n 3 "$NETNS_TMP/xvsd.log")"
fi

# SIGTERM in the middle of a pass: a clean stop (the sanitizer build reports leaks
# and errors in the log).
add_flows "$EXPIRED" 600 2000000
if ! probe running "$SOCK" 30; then
	fail stop_during_pass "no pass seen running"
else
	xvsd_stop 20
	if [ "$XVSD_STATUS" != 0 ]; then
		fail stop_during_pass "exit status $XVSD_STATUS: $(tail -n 5 "$NETNS_TMP/xvsd.log")"
	elif grep -q -E "Sanitizer|runtime error" "$NETNS_TMP/xvsd.log"; then
		fail stop_during_pass "$(grep -m 3 -E "Sanitizer|runtime error" "$NETNS_TMP/xvsd.log")"
	elif [ -e "$RUN/bpf/conns" ]; then
		fail stop_during_pass "the pinned conns map is still there"
	else
		pass stop_during_pass
	fi
fi
XVSD_PID=
netns_finish
