#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# End-to-end test of one service with an IPv4 and an IPv6 VIP (mode dr, scheduler rr):
# each family is scheduled over the backends of its own family, the counters and the
# service's state cover both, a family whose backends are all disabled takes the
# service down while the other family keeps answering, and a restart after SIGKILL
# adopts the two tables (the IPv6 VIP's entry points into the second half of the
# service's region), and reloads between one and two tables.
#
#  dsPID-client  10.0.0.2 fd00::2 ---- dsPID-router ---- dsPID-switch br0
#   (client.py)                                             |
#                          +----------------+---------------+---------------+
#                          |                |               |               |
#                     dsPID-lb        dsPID-b1         dsPID-b2        dsPID-b3
#                     xvsd, XDP       10.0.1.11        10.0.1.12       fd00:1::13
#                     on eth0         (the IPv4 VIP's backends)        (the IPv6 VIP's)
#
# service dual: vip 10.0.1.100 and fd00:1::100, UDP 53 and a TCP twin on 80.
#
# Run as root from the repo root; XVSD and XVSCTL override the binaries.
# Prints PASS:/FAIL: netns/dual_stack/NAME lines, or SKIP: netns/dual_stack: REASON.
set -euo pipefail

NETNS_TEST=netns/dual_stack
# shellcheck source=tests/netns/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

V4_FLOWS=8
V6_FLOWS=6
TCP_CONNECTIONS=6

# xvsd runs with nsenter --net (not ip netns exec) so that the bpffs it mounts on
# RUN_DIR/bpf is in this shell's mount namespace and outlives a killed daemon.
start_xvsd() {
	nsenter --net="/run/netns/$P-lb" "$XVSD" -f "$NETNS_TMP/xvs.conf" \
		>>"$NETNS_TMP/xvsd.log" 2>&1 </dev/null &
	XVSD_PID=$!
	echo "$XVSD_PID" >"$(lab_state_dir "$P")/lb-xvsd.pid"
}

cleanup() {
	set +e
	if [ -n "${XVSD_PID:-}" ]; then
		kill -KILL "$XVSD_PID" 2>/dev/null
		wait "$XVSD_PID" 2>/dev/null
	fi
	umount "$RUN/bpf" 2>/dev/null
	netns_cleanup
}

require_netns
netns_begin ds cleanup
netns_lab_up

B1=${LAB_BACKEND_ADDR[b1]}
B2=${LAB_BACKEND_ADDR[b2]}
B3=${LAB_BACKEND_ADDR6[b3]}
{
	xvsd_conf_head eth0
	conf_service dual "$LAB_VIP" "$LAB_UDP_PORT" udp dr "$B1 $B2 $B3" "vip $LAB_VIP6"
	conf_service dual-tcp "$LAB_VIP" "$LAB_TCP_PORT" tcp dr "$B1 $B2 $B3" "vip $LAB_VIP6"
} >"$NETNS_TMP/xvs.conf"
start_xvsd
xvsd_check_ready 30

# run_both TAG: V4_FLOWS UDP flows and TCP_CONNECTIONS connections to the IPv4 VIP,
# V6_FLOWS and TCP_CONNECTIONS to the IPv6 VIP; client.py's JSON in TAG-4.json, TAG-6.json.
run_both() {
	client_run "$1-ipv4" 60 "$NETNS_TMP/$1-4.json" --vip "$LAB_VIP" \
		--udp-port "$LAB_UDP_PORT" --tcp-port "$LAB_TCP_PORT" --udp "$V4_FLOWS" \
		--tcp "$TCP_CONNECTIONS" --timeout 2 --deadline 45 &&
		client_run "$1-ipv6" 60 "$NETNS_TMP/$1-6.json" --vip "$LAB_VIP6" \
			--udp-port "$LAB_UDP_PORT" --tcp-port "$LAB_TCP_PORT" --udp "$V6_FLOWS" \
			--tcp "$TCP_CONNECTIONS" --timeout 2 --deadline 45
}

if run_both first; then
	check ipv4-to-ipv4-backends rr udp "$NETNS_TMP/first-4.json" b1 b2
	check ipv4-tcp-to-ipv4-backends rr tcp "$NETNS_TMP/first-4.json" b1 b2
	check ipv6-to-ipv6-backend rr udp "$NETNS_TMP/first-6.json" b3
	check ipv6-tcp-to-ipv6-backend rr tcp "$NETNS_TMP/first-6.json" b3
fi
check_checksums -6 b1 b2 b3 client

# One service in the listing, both VIPs, each backend's connections from its family.
xvsd_save_list
if xvsd_list_saved listing; then
	check_py /dev/stdin listing "$NETNS_TMP/list.json" "$LAB_VIP" "$LAB_VIP6" \
		"$B1,$B2" "$B3" "$V4_FLOWS" "$V6_FLOWS" <<'EOF'
import ipaddress, json, sys
listing, vip4, vip6, v4, v6, flows4, flows6 = sys.argv[1:]
canon = lambda a: str(ipaddress.ip_address(a.strip("[]")))
services = {s["name"]: s for s in json.load(open(listing))["services"]}
s = services.get("dual")
if s is None:
    sys.exit("service dual missing")
vips = sorted(canon(v) for v in s["vips"])
if vips != sorted([canon(vip4), canon(vip6)]):
    sys.exit(f"vips {vips}")
conns = {canon(b["address"]): b["stats"]["conns"] for b in s["backends"]}
got4 = sum(conns.get(canon(a), 0) for a in v4.split(","))
got6 = conns.get(canon(v6), 0)
if (got4, got6) != (int(flows4), int(flows6)):
    sys.exit(f"connections IPv4 backends {got4}, IPv6 backend {got6}; "
             f"sent {flows4} and {flows6} flows")
if s["stats"]["conns"] != int(flows4) + int(flows6) or s["state"] != "up":
    sys.exit(f"service conns {s['stats']['conns']} state {s['state']}")
EOF
fi

# service_state NAME: the service's state in xvsctl list --json.
service_state() {
	"$XVSCTL" -s "$SOCK" list --json | python3 -c '
import json, sys
print(next(s["state"] for s in json.load(sys.stdin)["services"] if s["name"] == sys.argv[1]))
' "$1"
}

# The IPv6 backend disabled: the IPv6 VIP has no backend left, so the service is down
# (and IPv6 flows are dropped, counted), while IPv4 keeps its backends.
# no_backend_drops: the data plane's no_backend drop counter (GET /api/v1/status).
no_backend_drops() {
	curl -s --unix-socket "$SOCK" http://xvsd/api/v1/status |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["drops"]["no_backend"])'
}

disabled=ok
"$XVSCTL" -s "$SOCK" backend dual "$B3" disable >"$NETNS_TMP/disable.log" 2>&1 ||
	disabled="xvsctl failed: $(cat "$NETNS_TMP/disable.log")"
drops_before=$(no_backend_drops)
state=$(service_state dual)
if client_run disabled-ipv4 60 "$NETNS_TMP/disabled-4.json" --vip "$LAB_VIP" \
	--udp-port "$LAB_UDP_PORT" --udp 4 --timeout 2 --deadline 30; then
	check disabled-ipv4-answers rr udp "$NETNS_TMP/disabled-4.json" b1 b2
fi
ip netns exec "$P-client" timeout 20 python3 "$NETNS_DIR/client.py" --vip "$LAB_VIP6" \
	--udp-port "$LAB_UDP_PORT" --udp 2 --timeout 1 --deadline 10 \
	>"$NETNS_TMP/disabled-6.json" 2>>"$NETNS_TMP/client.log" || true
drops_after=$(no_backend_drops)
answered6=$(python3 -c '
import json, sys
print(sum(1 for r in json.load(open(sys.argv[1])).get("udp", []) if r.get("backend")))
' "$NETNS_TMP/disabled-6.json" 2>/dev/null || echo error)
if [ "$disabled" != ok ] || [ "$state" != down ] || [ "$answered6" != 0 ] ||
	[ "$drops_after" -lt $((drops_before + 2)) ]; then
	fail ipv6-disabled "disable: $disabled, state $state, IPv6 answers $answered6," \
		"no_backend drops $drops_before -> $drops_after"
else
	pass ipv6-disabled
fi
"$XVSCTL" -s "$SOCK" backend dual "$B3" enable >/dev/null
if wait_until 10 sh -c "[ \"\$(\"$XVSCTL\" -s '$SOCK' list --json | python3 -c 'import json,sys; print(next(s[\"state\"] for s in json.load(sys.stdin)[\"services\"] if s[\"name\"] == \"dual\"))')\" = up ]"; then
	pass enabled-up
else
	fail enabled-up "service dual not up again after enable"
fi

# SIGKILL and a new xvsd: it adopts the pinned maps, both tables included.
kill -KILL "$XVSD_PID"
wait "$XVSD_PID" 2>/dev/null || true
start_xvsd
if xvsd_wait_ready "$SOCK" 30 && grep -q 'adopted 2 services' "$NETNS_TMP/xvsd.log"; then
	pass adopted
else
	fail adopted "$(tail -n 5 "$NETNS_TMP/xvsd.log")"
fi
if run_both adopted; then
	check adopted-ipv4 rr udp "$NETNS_TMP/adopted-4.json" b1 b2
	check adopted-ipv6 rr udp "$NETNS_TMP/adopted-6.json" b3
	check adopted-ipv6-tcp rr tcp "$NETNS_TMP/adopted-6.json" b3
fi

# Reloads that change the layout: IPv4 only (one table), then both again (two
# tables in a new region, while the old one may still be read).
reload_with() {
	{
		xvsd_conf_head eth0
		conf_service dual "$LAB_VIP" "$LAB_UDP_PORT" udp dr "$1" ${2:+"vip $2"}
		conf_service dual-tcp "$LAB_VIP" "$LAB_TCP_PORT" tcp dr "$B1 $B2 $B3" "vip $LAB_VIP6"
	} >"$NETNS_TMP/xvs.conf"
	[ "$("$XVSCTL" -s "$SOCK" reload 2>&1)" = "reload: ok" ]
}
if reload_with "$B1 $B2" &&
	client_run reload-single 60 "$NETNS_TMP/single-4.json" --vip "$LAB_VIP" \
		--udp-port "$LAB_UDP_PORT" --udp 4 --timeout 2 --deadline 30; then
	check reload-single-ipv4 rr udp "$NETNS_TMP/single-4.json" b1 b2
else
	fail reload-single "$(tail -n 3 "$NETNS_TMP/xvsd.log")"
fi
if reload_with "$B1 $B2 $B3" "$LAB_VIP6" && run_both reload-dual; then
	check reload-dual-ipv4 rr udp "$NETNS_TMP/reload-dual-4.json" b1 b2
	check reload-dual-ipv6 rr udp "$NETNS_TMP/reload-dual-6.json" b3
else
	fail reload-dual "$(tail -n 3 "$NETNS_TMP/xvsd.log")"
fi

xvsd_check_stop sigterm detach && pass sigterm
if grep -q " $RUN/bpf " /proc/mounts; then fail unmounted "bpffs still mounted"; else pass unmounted; fi
netns_finish
