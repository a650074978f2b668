#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# What `make demo` runs after building: the lab (scripts/lab.sh), xvsd with
# examples/demo.conf, client traffic to the VIP, and a report. KEEP=1 leaves it running.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=tests/netns/lib.sh
. tests/netns/lib.sh

PREFIX=xvsdemo
CONF=${CONF:-examples/demo.conf}
UDP_REQUESTS=${UDP_REQUESTS:-60}
TCP_CONNECTIONS=${TCP_CONNECTIONS:-30}
KEEP=${KEEP:-0}
VIP=$LAB_VIP
STATE=$(lab_state_dir "$PREFIX")

say() { printf '\n== %s\n' "$*"; }
die() {
	echo "demo: $*" >&2
	exit 1
}

[ "$(id -u)" = 0 ] || die "must run as root (it creates network namespaces)"
for bin in "$XVSD" "$XVSCTL" "$XVS_PASS_OBJ"; do
	[ -e "$bin" ] || die "$bin is missing; run: make all $XVS_PASS_OBJ"
done
if lab_prefix_in_use "$PREFIX"; then
	die "a demo lab is running already; stop it with: scripts/lab.sh down $PREFIX"
fi
SOCK=$(awk '$1 == "api" && $2 == "unix" { print $3 }' "$CONF")
[ -n "$SOCK" ] || SOCK=$(awk '$1 == "run_dir" { print $2 "/xvsd.sock" }' "$CONF")
[ -n "$SOCK" ] || SOCK=/run/xvs/xvsd.sock

kept=0
cleanup() {
	local status=$?
	[ "$kept" = 1 ] && return
	if [ -n "${XVSD_PID:-}" ] && pid_alive "$XVSD_PID"; then
		xvsd_stop 10
		[ "$XVSD_STATUS" = 0 ] || echo "demo: xvsd stopped with status $XVSD_STATUS" >&2
	fi
	if [ $status -ne 0 ] && [ -s "$STATE/xvsd.log" ]; then
		echo "demo: last lines of the xvsd log:" >&2
		tail -n 10 "$STATE/xvsd.log" >&2
	fi
	lab_down "$PREFIX"
}
trap cleanup EXIT

say "Lab $PREFIX: client 10.0.0.2 -> router -> bridge -> lb 10.0.1.2 (xvsd, XDP) + b1..b3 10.0.1.11-13"
scripts/lab.sh up "$PREFIX"
echo "namespaces: $(lab_namespaces "$PREFIX" | tr '\n' ' ')"

say "Starting xvsd -f $CONF in $PREFIX-lb"
# In its own session so that, with KEEP=1, it outlives this terminal.
setsid ip netns exec "$PREFIX-lb" "$XVSD" -f "$CONF" >"$STATE/xvsd.log" 2>&1 </dev/null &
XVSD_PID=$!
echo "$XVSD_PID" >"$STATE/lb-xvsd.pid"
if ! xvsd_wait_ready "$SOCK" 30; then
	die "xvsd did not become ready (all backends up) within 30 s"
fi
echo "xvsd pid $XVSD_PID ready; services:"
"$XVSCTL" -s "$SOCK" list --json | python3 -c '
import json, sys
for s in json.load(sys.stdin)["services"]:
    vips = ",".join(s["vips"])
    print("  %-5s %s:%s/%s mode %s scheduler %s, %d backends %s" % (s["name"], vips, s["port"],
          s["proto"], s["mode"], s["scheduler"], len(s["backends"]), s["state"]))'

say "Client: $UDP_REQUESTS UDP requests to $VIP:$LAB_UDP_PORT, $TCP_CONNECTIONS TCP connections to $VIP:$LAB_TCP_PORT"
ip netns exec "$PREFIX-client" timeout 120 python3 tests/netns/client.py --vip "$VIP" \
	--udp-port "$LAB_UDP_PORT" --tcp-port "$LAB_TCP_PORT" --udp "$UDP_REQUESTS" \
	--tcp "$TCP_CONNECTIONS" --timeout 2 --deadline 90 >"$STATE/client.json"
python3 - "$STATE/client.json" "${LAB_BACKENDS[@]}" <<'EOF'
import json, sys
result = json.load(open(sys.argv[1]))
names = sys.argv[2:]
addresses = {"b1": "10.0.1.11", "b2": "10.0.1.12", "b3": "10.0.1.13"}
def count(key, name):
    return sum(1 for r in result[key] if r["backend"] == name)
print(f"{'backend':<18}{'UDP answers':>12}{'TCP answers':>13}")
for name in names:
    print(f"{name + ' ' + addresses.get(name, ''):<18}{count('udp', name):>12}{count('tcp', name):>13}")
print(f"{'no answer':<18}{count('udp', None):>12}{count('tcp', None):>13}")
order = ",".join(r["backend"] or "-" for r in result["udp"][:9])
print(f"first UDP answers in order: {order} ...")
EOF

say "xvsctl -s $SOCK list --stats"
"$XVSCTL" -s "$SOCK" list --stats

failures=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["failures"])' \
	"$STATE/client.json")
if [ "$KEEP" = 1 ]; then
	kept=1
	say "Left running (KEEP=1)"
	echo "try:      ip netns exec $PREFIX-client python3 tests/netns/client.py --vip $VIP --udp 6 --tcp 3"
	echo "          build/xvsctl -s $SOCK list --stats     (xvsd log: $STATE/xvsd.log)"
	echo "stop it:  scripts/lab.sh down $PREFIX            (stops xvsd and removes the lab)"
else
	say "Stopping xvsd and removing the lab"
	xvsd_stop 10
	echo "xvsd exit status: $XVSD_STATUS"
fi
if [ "$failures" != 0 ]; then
	die "$failures requests got no answer"
fi
