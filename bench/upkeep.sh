#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Connection table upkeep at conn_table 1m: how long the reaper's passes take and how
# late status requests polled every 10 ms meanwhile are answered (how long the event loop
# was held), with 0, 100k and 1M live flows and while it deletes 1M expired ones; how long GET /api/v1/conns takes (10k and the whole
# table) and how late a status request made meanwhile is answered. Flows are written
# into the pinned conns map (xdpload conns-add). Figures only: nothing asserted.
#
#  ukPID-lb [eth0 10.8.0.1/24] ==veth== [peer0 10.8.0.2/24] ukPID-peer
#
# Usage: bench/upkeep.sh   (root; XVSD=... to measure another build)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
XVSD=${XVSD:-$ROOT/build/xvsd}
XDPLOAD=$ROOT/build/bench/xdpload
P=uk$$
TMP=$(mktemp -d /tmp/xvs-upkeep.XXXXXX)
XVSD_PID=

[ "$(id -u)" = 0 ] || { echo "upkeep: must run as root" >&2; exit 1; }
make --no-print-directory -s all build/bench/xdpload >/dev/null

cleanup() {
	set +e
	[ -n "$XVSD_PID" ] && kill -TERM "$XVSD_PID" 2>/dev/null && wait "$XVSD_PID" 2>/dev/null
	umount "$TMP/run/bpf" 2>/dev/null
	ip netns del "$P-lb" 2>/dev/null
	ip netns del "$P-peer" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

ip netns add "$P-lb"
ip netns add "$P-peer"
ip -n "$P-lb" link add eth0 type veth peer name peer0
ip -n "$P-lb" link set peer0 netns "$P-peer"
ip -n "$P-lb" addr add 10.8.0.1/24 dev eth0
ip -n "$P-peer" addr add 10.8.0.2/24 dev peer0
ip -n "$P-lb" link set eth0 up
ip -n "$P-peer" link set peer0 up
cat >"$TMP/xvs.conf" <<CONF
global {
    run_dir $TMP/run
    api unix $TMP/run/xvsd.sock
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
    backend 10.8.0.2
}
CONF
# nsenter --net: the bpffs xvsd mounts on run/bpf stays in this mount namespace, where
# xdpload finds the pinned maps.
nsenter --net="/run/netns/$P-lb" "$XVSD" -f "$TMP/xvs.conf" >"$TMP/xvsd.log" 2>&1 </dev/null &
XVSD_PID=$!
SOCK=$TMP/run/xvsd.sock
for _ in $(seq 1 300); do
	curl -s --max-time 2 --unix-socket "$SOCK" http://localhost/api/v1/status >/dev/null 2>&1 && break
	sleep 0.1
done
add() { "$XDPLOAD" conns-add "$TMP/run/bpf" "$@" >/dev/null; }

cat >"$TMP/probe.py" <<'PY'
import http.client, json, re, socket, sys, threading, time
sock = sys.argv[1]
class Unix(http.client.HTTPConnection):
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX); self.sock.settimeout(120); self.sock.connect(sock)
def get(path):
    c = Unix("localhost"); c.request("GET", path); body = c.getresponse().read(); c.close(); return body
def status():
    return json.loads(get("/api/v1/status"))
def turns():
    """xvs_event_loop_turn_seconds buckets (None from a build without it)."""
    out = {}
    for line in get("/metrics").decode().splitlines():
        m = re.match(r'xvs_event_loop_turn_seconds_bucket\{le="([^"]+)"\} (\d+)', line)
        if m:
            out[float(m.group(1)) if m.group(1) != "+Inf" else float("inf")] = int(m.group(2))
    return out or None
def turns_text(before, after):
    if before is None:
        return "loop turns: n/a (build without xvs_event_loop_turn_seconds)"
    bounds = sorted(after)
    counts = {b: after[b] - before.get(b, 0) for b in bounds}   # cumulative
    total = counts[bounds[-1]]
    p99 = next(b for b in bounds if counts[b] >= 0.99 * total)
    longest = next(b for b in bounds if counts[b] >= total)
    return f"loop turns {total}: p99 <= {p99*1e3:g} ms, longest <= {longest*1e3:g} ms"
def measure(label, min_expired="0"):
    """Waits for a whole pass that began after now (and, with min_expired, for a pass
    that deleted that many), polling the status every 20 ms."""
    start = time.monotonic(); before = turns(); worst = 0.0
    scan = status().get("conn_table_scan")
    if scan is None:
        while time.monotonic() - start < 6:
            t = time.monotonic(); status(); worst = max(worst, time.monotonic() - t); time.sleep(0.02)
        print(f"{label}: status latency max {worst*1e3:.1f} ms over 6 s"); return
    passes = {}
    while time.monotonic() - start < 120:
        t = time.monotonic(); d = status(); worst = max(worst, time.monotonic() - t)
        s = d["conn_table_scan"]
        if not s["running"] and s["passes"] > scan["passes"]:
            passes[s["passes"]] = (s["last_pass_us"], s["expired"], d["conn_table_entries"])
        if (s["passes"] >= scan["passes"] + 2 and s["passes"] in passes and
                max(p[1] for p in passes.values()) >= int(min_expired)):
            break
        time.sleep(0.02)
    number = max(passes, key=lambda n: (passes[n][1], n))
    took, expired, entries = passes[number]
    print(f"{label}: pass {took/1e3:.1f} ms (reaper thread), expired {expired}, entries {entries}; "
          f"{turns_text(before, turns())}; status latency max {worst*1e3:.1f} ms")
def listing(limit):
    done = False; worst = 0.0; polls = 0
    def poll():
        nonlocal worst, polls
        while not done:
            t = time.monotonic(); get("/api/v1/status"); worst = max(worst, time.monotonic() - t); polls += 1
            time.sleep(0.02)
    before = turns()
    thread = threading.Thread(target=poll); thread.start()
    t = time.monotonic(); body = get(f"/api/v1/conns?limit={limit}"); took = time.monotonic() - t
    done = True; thread.join()
    count = len(json.loads(body)["conns"])
    print(f"GET /api/v1/conns?limit={limit}: {count} conns, {len(body)/1e6:.1f} MB in {took*1e3:.0f} ms; "
          f"{turns_text(before, turns())}; status meanwhile: {polls} answers, latency max {worst*1e3:.1f} ms")
{"measure": measure, "listing": listing}[sys.argv[2]](*sys.argv[3:])
PY
measure() { python3 "$TMP/probe.py" "$SOCK" measure "$@"; }
listing() { python3 "$TMP/probe.py" "$SOCK" listing "$@"; }

echo "connection table upkeep, conn_table 1m ($XVSD)"
measure "0 live"
# Last seen 297 s ago: they expire (UDP 5 min + 1 s grace) a few seconds from now, all
# in the same pass.
add 1000000 297 2000000
measure "1M expired being deleted" 900000
measure "0 live (after)"
add 100000 0 0
measure "100k live"
add 900000 0 100000
measure "1M live"
listing 10000
listing 10000000
