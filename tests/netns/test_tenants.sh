#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# End-to-end test of tenants (service "namespace"): two tenants with the SAME addresses
# on one xvsd, each client reaches only its own tenant's backends (nat, UDP and TCP, the
# same client ports in both; tenant b added by a reload), tcp health checks inside each
# namespace, counters per service, clean checksums, a reload that removes one tenant leaves the other's flows on their backends (and its namespace as
# found), a SIGKILLed xvsd leaves the tenant forwarding and the next one adopts it,
# SIGTERM leaves no XDP, pins or mounts behind.
#
#  tnPID-lb: xvsd (its own namespace has no interface and no service), started with
#  nsenter --net so that the bpffs it mounts on RUN_DIR/bpf outlives a killed daemon
#
#  tnPID-ca 10.0.0.2 ---- eth0 tnPID-a eth1 10.0.1.1 ---- tnPID-ba 10.0.1.11 "a-b1"
#   default via 10.0.0.1  10.0.0.1                          10.0.1.12 "a-b2"
#                        xvs_lb (tenant a) on eth0+eth1    echo servers :53 udp, :80 tcp
#  tnPID-cb 10.0.0.2 ---- eth0 tnPID-b eth1 10.0.1.1 ---- tnPID-bb 10.0.1.11 "b-b1"
#                        xvs_lb (tenant b) on eth0+eth1    10.0.1.12 "b-b2"
#  VIP 10.0.1.100 in both tenants (mode nat; backends route back via 10.0.1.1).
#
# Run as root from the repo root. Prints PASS:/FAIL: netns/tenants/NAME lines.
set -euo pipefail

NETNS_TEST=netns/tenants
# shellcheck source=tests/netns/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VIP=10.0.1.100
TENANTS=(a b)
NAMESPACES=(lb a b ca cb ba bb)

require_netns
command -v nsenter >/dev/null || skip "nsenter is not installed"

tenants_cleanup() {
	local f ns
	for f in "$NETNS_TMP"/*.pid; do
		[ -e "$f" ] || continue
		ns=$(basename "$f" .pid)
		lab_stop_pid "$P-${ns%%-*}" "$(cat "$f")"
	done
	[ -n "${XVSD_PID:-}" ] && pid_alive "$XVSD_PID" && xvsd_stop 10
	for ns in "${NAMESPACES[@]}"; do
		ip netns del "$P-$ns" 2>/dev/null || true
	done
	if [ -n "${RUN:-}" ] && grep -q " $RUN/bpf " /proc/mounts; then
		umount "$RUN/bpf" || true
	fi
	rm -rf "$(lab_state_dir "$P")"
	NETNS_PREFIX='' netns_cleanup
}
netns_begin tn tenants_cleanup

mkdir -p "$(lab_state_dir "$P")"
for ns in "${NAMESPACES[@]}"; do
	lab_ns_add "$P-$ns"
done
for t in "${TENANTS[@]}"; do
	lab_veth "$P-c$t" eth0 "$P-$t" eth0
	lab_veth "$P-$t" eth1 "$P-b$t" eth0
	ip -n "$P-c$t" addr add 10.0.0.2/24 dev eth0
	ip -n "$P-$t" addr add 10.0.0.1/24 dev eth0
	ip -n "$P-$t" addr add 10.0.1.1/24 dev eth1
	ip -n "$P-b$t" addr add 10.0.1.11/24 dev eth0
	ip -n "$P-b$t" addr add 10.0.1.12/24 dev eth0
	for ns in "c$t" "$t" "b$t"; do
		ip -n "$P-$ns" link set eth0 up
	done
	ip -n "$P-$t" link set eth1 up
	ip -n "$P-c$t" route add default via 10.0.0.1
	ip -n "$P-b$t" route add default via 10.0.1.1
	# Frames XDP sends into a veth arrive only where an XDP program runs.
	ip -n "$P-c$t" link set dev eth0 xdpdrv obj "$XVS_PASS_OBJ" sec xdp
	ip -n "$P-b$t" link set dev eth0 xdpdrv obj "$XVS_PASS_OBJ" sec xdp
	for b in 1 2; do
		ip netns exec "$P-b$t" python3 "$ECHO_SERVER" --name "$t-b$b" --address "10.0.1.1$b" \
			--udp-port 53 --tcp-port 80 --pidfile "$NETNS_TMP/b$t-server$b.pid" \
			>"$NETNS_TMP/b$t-server$b.log" 2>&1 </dev/null &
	done
done
for t in "${TENANTS[@]}"; do
	for b in 1 2; do
		wait_pidfile 15 "$NETNS_TMP/b$t-server$b.pid" "echo server $t-b$b" \
			"$NETNS_TMP/b$t-server$b.log"
	done
done

# tenant_conf T...: the interfaces and services of tenants T, after the global section.
tenant_conf() {
	local t
	xvsd_conf_head
	for t in "$@"; do
		printf '\ninterface eth0 {\n    namespace %s\n}\n' "$P-$t"
		printf '\ninterface eth1 {\n    namespace %s\n}\n' "$P-$t"
		conf_service "dns-$t" "$VIP" 53 udp nat "10.0.1.11 10.0.1.12" "namespace $P-$t"
		# Its health checks connect from inside the namespace too.
		conf_service "web-$t" "$VIP" 80 tcp nat "10.0.1.11 10.0.1.12" "namespace $P-$t" \
			"check tcp interval 1s timeout 500ms rise 1"
	done
}

start_xvsd() {
	nsenter --net="/run/netns/$P-lb" "$XVSD" -f "$NETNS_TMP/xvs.conf" \
		>>"$NETNS_TMP/xvsd.log" 2>&1 </dev/null &
	XVSD_PID=$!
}

# client_same_ports T NAME: T's client again from the first run's source ports (UDP).
client_same_ports() {
	ip netns exec "$P-c$1" timeout 30 python3 "$NETNS_DIR/client.py" --vip "$VIP" --udp 6 \
		--port-base "$PORT_BASE" >"$NETNS_TMP/$2.json" 2>>"$NETNS_TMP/client.log" || true
}

# A namespace that does not exist is an error naming it, and xvsd exits.
{
	xvsd_conf_head
	printf '\ninterface eth0 {\n    namespace %s\n}\n' "$P-none"
} >"$NETNS_TMP/missing.conf"
status=0
ip netns exec "$P-lb" timeout 20 "$XVSD" -f "$NETNS_TMP/missing.conf" >"$NETNS_TMP/missing.log" 2>&1 ||
	status=$?
if [ "$status" = 1 ] && grep -q "namespace $P-none: does not exist" "$NETNS_TMP/missing.log"; then
	pass missing_namespace
else
	fail missing_namespace "status $status: $(tail -n 3 "$NETNS_TMP/missing.log")"
fi

# Tenant a from the start, tenant b added by a reload.
tenant_conf a >"$NETNS_TMP/xvs.conf"
start_xvsd
xvsd_check_ready 30
tenant_conf a b >"$NETNS_TMP/xvs.conf"
out=$("$XVSCTL" -s "$SOCK" reload 2>&1) || true
if [ "$out" = "reload: ok" ] && xvsd_wait_ready "$SOCK" 30 &&
	[ "$(link_xdp "$P-b" eth1)" = yes ]; then
	pass reload_adds_tenant
else
	fail reload_adds_tenant "$out: $(tail -n 3 "$NETNS_TMP/xvsd.log")"
fi

# Both clients use the same source ports: identical 5-tuples in both tenants.
PORT_BASE=$((20000 + RANDOM % 9000))
for t in "${TENANTS[@]}"; do
	ip netns exec "$P-c$t" timeout 30 python3 "$NETNS_DIR/client.py" --vip "$VIP" --udp 6 \
		--tcp 4 --port-base "$PORT_BASE" >"$NETNS_TMP/client-$t.json" 2>>"$NETNS_TMP/client.log" ||
		fail "client_$t" "client.py failed: $(tail -n 3 "$NETNS_TMP/client.log")"
done

# own_backends T FILE: every request of FILE was answered by T's backends, both used.
own_backends() {
	python3 - "$1" "$2" <<'EOF'
import json, sys
tenant, path = sys.argv[1], sys.argv[2]
result = json.load(open(path))
requests = result["udp"] + result["tcp"]
names = [r["backend"] for r in requests]
assert result["failures"] == 0 and len(requests) == 10, f"failures: {requests}"
assert all(n in (f"{tenant}-b1", f"{tenant}-b2") for n in names), f"answered by {names}"
assert len(set(names)) == 2, f"one backend only: {names}"
EOF
}
for t in "${TENANTS[@]}"; do
	if out=$(own_backends "$t" "$NETNS_TMP/client-$t.json" 2>&1); then
		pass "own_backends_$t"
	else
		fail "own_backends_$t" "$out"
	fi
done

# Counters per service, and the connection table holds the same client ports twice.
# The web backends' first tcp checks may not have run yet (a backend starts up, before
# its first result): wait for them, bounded, before the listing is read.
web_checked() {
	"$XVSCTL" -s "$SOCK" list --json 2>/dev/null | python3 -c '
import json, sys
services = json.load(sys.stdin)["services"]
sys.exit(0 if all((b.get("check") or {}).get("successes", 0) >= 1
                  for s in services if s["name"].startswith("web-") for b in s["backends"])
         else 1)'
}
wait_until 15 web_checked || true
xvsd_save_list
"$XVSCTL" -s "$SOCK" conns --json >"$NETNS_TMP/conns.json" 2>>"$NETNS_TMP/list.log" || true
if xvsd_list_saved counters; then
	check_py /dev/stdin counters "$NETNS_TMP/list.json" "$NETNS_TMP/conns.json" "$P" <<'EOF'
import json, sys
services = {s["name"]: s for s in json.load(open(sys.argv[1]))["services"]}
conns = json.load(open(sys.argv[2]))["conns"]
prefix = sys.argv[3]
for t in "ab":
    for name, count in ((f"dns-{t}", 6), (f"web-{t}", 4)):
        s = services[name]
        assert s["namespace"] == f"{prefix}-{t}", (name, s["namespace"])
        st = s["stats"]
        assert st["conns"] == count and st["in_packets"] >= count and st["out_packets"] >= count, (name, st)
    # The tcp checks of web-T reached T's backends from inside T's namespace.
    for b in services[f"web-{t}"]["backends"]:
        check = b.get("check") or {}
        assert check.get("result") == "ok" and check.get("successes", 0) >= 1, (t, b)
ports = {}
for c in conns:
    assert c["namespace"] == f"{prefix}-{c['service'][-1]}", c
    ports.setdefault((c["proto"], c["client"]), set()).add(c["service"][-1])
both = [k for k, v in ports.items() if v == {"a", "b"}]
assert len(both) == 10, f"flows tracked in both tenants: {len(both)} of 10; {ports}"
EOF
fi
# The status names every attachment with its namespace.
curl -s --max-time 5 --unix-socket "$SOCK" http://xvsd/api/v1/status >"$NETNS_TMP/status.json" || true
check_py /dev/stdin status_xdp "$NETNS_TMP/status.json" "$P" <<'EOF'
import json, sys
xdp = json.load(open(sys.argv[1]))["xdp"]
got = sorted((a["namespace"], a["interface"]) for a in xdp)
want = sorted((f"{sys.argv[2]}-{t}", i) for t in "ab" for i in ("eth0", "eth1"))
assert got == want, got
EOF
out=$("$XVSCTL" -s "$SOCK" list)
if grep -q "^dns-a  *UDP  *$VIP:53  *nat  *rr  *up  *namespace $P-a" <<<"$out"; then
	pass list_namespace
else
	fail list_namespace "$out"
fi
check_checksums ca cb ba bb

# A reload naming a namespace that does not exist fails and changes nothing.
{
	tenant_conf a b
	printf '\ninterface eth0 {\n    namespace %s\n}\n' "$P-none"
} >"$NETNS_TMP/xvs.conf"
out=$("$XVSCTL" -s "$SOCK" reload 2>&1) || true
count=$("$XVSCTL" -s "$SOCK" list --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["services"]))')
if grep -q "namespace $P-none: does not exist" <<<"$out" && [ "$count" = 4 ] &&
	[ "$(link_xdp "$P-b" eth0)" = yes ]; then
	pass reload_missing_namespace
else
	fail reload_missing_namespace "$out; $count services"
fi

# Reload without tenant b: tenant a's flows stay on their backends; b has no XDP and
# its forwarding sysctls are as found.
tenant_conf a >"$NETNS_TMP/xvs.conf"
out=$("$XVSCTL" -s "$SOCK" reload 2>&1) || true
forwarding=$(ip netns exec "$P-b" sysctl -n net.ipv4.conf.eth0.forwarding \
	net.ipv4.conf.eth1.forwarding | tr '\n' ' ')
if [ "$out" = "reload: ok" ] && [ "$(link_xdp "$P-b")" = no ] &&
	[ "$(link_xdp "$P-a" eth0)" = yes ] && [ "$forwarding" = "0 0 " ]; then
	pass reload_removes_tenant
else
	fail reload_removes_tenant "$out; b: $(ip -n "$P-b" -o link show | grep -c xdp) XDP," \
		"forwarding $forwarding"
fi

# flows_kept NAME FILE: FILE's answers came from the first run's backends, port by port,
# and dns-a counted no new connection.
flows_kept() {
	xvsd_save_list
	check_py /dev/stdin "$1" "$NETNS_TMP/client-a.json" "$2" "$NETNS_TMP/list.json" <<'EOF'
import json, sys
first, again = (json.load(open(p)) for p in sys.argv[1:3])
services = {s["name"]: s for s in json.load(open(sys.argv[3]))["services"]}
assert again["failures"] == 0, again
was = {r["sport"]: r["backend"] for r in first["udp"]}
now = {r["sport"]: r["backend"] for r in again["udp"]}
assert was == now, f"before {was}, after {now}"
assert set(services) == {"dns-a", "web-a"}, sorted(services)
assert services["dns-a"]["stats"]["conns"] == 6, services["dns-a"]["stats"]
EOF
}
client_same_ports a client-a2
flows_kept flows_kept "$NETNS_TMP/client-a2.json"

# SIGKILL: tenant a keeps forwarding; the next xvsd adopts its tenant and flows.
kill -KILL "$XVSD_PID"
wait "$XVSD_PID" 2>/dev/null || true
client_same_ports a client-a3
check_py /dev/stdin forwards_without_daemon "$NETNS_TMP/client-a.json" \
	"$NETNS_TMP/client-a3.json" <<'EOF'
import json, sys
first, again = (json.load(open(p)) for p in sys.argv[1:3])
assert again["failures"] == 0, again
assert {r["sport"]: r["backend"] for r in first["udp"]} == \
    {r["sport"]: r["backend"] for r in again["udp"]}, again
EOF
start_xvsd
xvsd_check_ready 30
if grep -q "namespace $P-a: adopted tenant" "$NETNS_TMP/xvsd.log" &&
	grep -q "interface eth0 in namespace $P-a: adopted the pinned XDP link" "$NETNS_TMP/xvsd.log"; then
	pass adopted
else
	fail adopted "$(tail -n 5 "$NETNS_TMP/xvsd.log")"
fi
client_same_ports a client-a4
flows_kept flows_kept_restart "$NETNS_TMP/client-a4.json"

# SIGTERM: no XDP in either namespace, nothing pinned or mounted.
if xvsd_check_stop stop; then
	left=$(for t in "${TENANTS[@]}"; do ip -n "$P-$t" -o link show | grep xdp || true; done)
	if [ -n "$left" ]; then
		fail stop "XDP left: $left"
	elif grep -q " $RUN/bpf " /proc/mounts || [ -e "$RUN/bpf" ]; then
		fail stop "$RUN/bpf left behind"
	else
		pass stop
	fi
fi
netns_finish
