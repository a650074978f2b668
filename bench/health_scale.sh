#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Health-check engine at scale: xvsd with 500 backends (two services of 250), each
# checked by tcp connect every second, for BENCH_SECONDS (30). Prints how late checks
# started (p50, p99 from xvs_health_check_lateness_seconds, max from /api/v1/status),
# the runs started and skipped against the 500 x seconds expected, and xvsd's CPU
# (utime + stime from /proc/PID/stat) over the window. Figures only: nothing asserted.
# CONN_TABLE (default 1m) sizes the connection table; CONNS_LIVE=N adds N live flows.
#
#  hcsPID-lb (xvsd, 10.9.0.1/16) ==veth== hcsPID-srv (10.9.1.1..250, 10.9.2.1..250 /16:
#                                                      one listener on port 80, accept+close)
#
# Usage: bench/health_scale.sh   (root; builds build/xvsd if needed; XVSD=... another build)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
SECONDS_RUN=${BENCH_SECONDS:-30}
PER_SERVICE=250
P=hcs$$
TMP=$(mktemp -d /tmp/xvs-health-scale.XXXXXX)
XVSD=${XVSD:-$ROOT/build/xvsd}
HZ=$(getconf CLK_TCK)
XVSD_PID=
SERVER_PID=

[ "$(id -u)" = 0 ] || { echo "health_scale: must run as root" >&2; exit 1; }
make --no-print-directory -s all >/dev/null

cleanup() {
	set +e
	[ -n "$XVSD_PID" ] && kill -TERM "$XVSD_PID" 2>/dev/null && wait "$XVSD_PID" 2>/dev/null
	[ -n "$SERVER_PID" ] && kill -TERM "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
	umount "$TMP/run/bpf" 2>/dev/null
	ip netns del "$P-lb" 2>/dev/null
	ip netns del "$P-srv" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

ip netns add "$P-lb"
ip netns add "$P-srv"
ip link add hcs-lb netns "$P-lb" type veth peer name hcs-srv netns "$P-srv"
ip -n "$P-lb" addr add 10.9.0.1/16 dev hcs-lb
ip -n "$P-lb" link set hcs-lb up
ip -n "$P-lb" link set lo up
ip -n "$P-srv" link set hcs-srv up
ip -n "$P-srv" link set lo up
{
	for s in 1 2; do
		for i in $(seq 1 $PER_SERVICE); do
			echo "addr add 10.9.$s.$i/16 dev hcs-srv"
		done
	done
} | ip -n "$P-srv" -batch -

# One listener for every address: accept and close (a tcp check is the connect).
ip netns exec "$P-srv" python3 -c '
import selectors, socket
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("0.0.0.0", 80))
server.listen(1024)
while True:
    conn, _ = server.accept()
    conn.close()' &
SERVER_PID=$!

{
	printf "global {\n    run_dir %s/run\n    api unix %s/run/xvsd.sock\n    conn_table ${CONN_TABLE:-1m}\n}\n" "$TMP" "$TMP"
	for s in 1 2; do
		printf 'service scale%s {\n    vip 10.9.0.%s\n    port 80\n    proto tcp\n    mode dr\n' \
			"$s" $((100 + s))
		printf '    check tcp interval 1s timeout 500ms rise 2 fall 3\n'
		for i in $(seq 1 $PER_SERVICE); do
			printf '    backend 10.9.%s.%s\n' "$s" "$i"
		done
		printf '}\n'
	done
} >"$TMP/xvs.conf"
# nsenter --net: the bpffs xvsd mounts on run/bpf stays in this mount namespace, where
# xdpload (CONNS_LIVE) finds the pinned maps.
nsenter --net="/run/netns/$P-lb" "$XVSD" -f "$TMP/xvs.conf" >"$TMP/xvsd.log" 2>&1 </dev/null &
XVSD_PID=$!
SOCK=$TMP/run/xvsd.sock

api() { curl -s --max-time 5 --unix-socket "$SOCK" "http://localhost$1"; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$XVSD_PID/stat"; }
for _ in $(seq 1 100); do
	api /api/v1/status >/dev/null 2>&1 && break
	sleep 0.1
done
# CONNS_LIVE=N: N live flows in the connection table (written into the pinned map) for
# the reaper's passes to read while the checks run.
if [ "${CONNS_LIVE:-0}" -gt 0 ]; then
	make --no-print-directory -s build/bench/xdpload >/dev/null
	"$ROOT/build/bench/xdpload" conns-add "$TMP/run/bpf" "$CONNS_LIVE" 0 0 \
		>/dev/null
fi
# Warm-up: the first round (spread over one interval), then the window.
sleep 2
api /metrics >"$TMP/metrics.before"
api /api/v1/status >"$TMP/status.before"
ticks_before=$(cpu_ticks)
start=$(date +%s.%N)
sleep "$SECONDS_RUN"
ticks_after=$(cpu_ticks)
end=$(date +%s.%N)
api /metrics >"$TMP/metrics.after"
api /api/v1/status >"$TMP/status.after"
api /api/v1/services >"$TMP/services.json"

python3 - "$TMP" "$start" "$end" "$ticks_before" "$ticks_after" "$HZ" "$((2 * PER_SERVICE))" <<'PY'
import json, re, sys
tmp, start, end, t0, t1, hz, backends = sys.argv[1:]
elapsed = float(end) - float(start)
def buckets(path):
    out = {}
    for line in open(path):
        m = re.match(r'xvs_health_check_lateness_seconds_bucket\{le="([^"]+)"\} (\d+)', line)
        if m:
            out[m.group(1)] = int(m.group(2))
    return out
b0, b1 = buckets(f"{tmp}/metrics.before"), buckets(f"{tmp}/metrics.after")
bounds = sorted((float(k) if k != "+Inf" else float("inf"), b1[k] - b0.get(k, 0)) for k in b1)
total = bounds[-1][1]
def quantile(q):
    for bound, count in bounds:
        if count >= q * total:
            return bound
    return float("inf")
s0 = json.load(open(f"{tmp}/status.before"))["health"]
s1 = json.load(open(f"{tmp}/status.after"))["health"]
services = json.load(open(f"{tmp}/services.json"))["services"]
up = sum(b["state"] == "up" for s in services for b in s["backends"])
cpu = (int(t1) - int(t0)) / int(hz)
started = s1["started"] - s0["started"]
print(f"health checks: {backends} backends, tcp connect every 1 s, {elapsed:.1f} s window")
print(f"  runs started {started} (expected {int(backends) * elapsed:.0f}), skipped {s1['skipped'] - s0['skipped']}, backends up {up}")
print(f"  start lateness: p50 <= {quantile(0.5) * 1e3:.3f} ms, p99 <= {quantile(0.99) * 1e3:.3f} ms "
      f"(bucket bounds), max {s1['lateness_max_us'] / 1e3:.3f} ms (whole run), "
      f"mean {(s1['lateness_sum_us'] - s0['lateness_sum_us']) / max(started, 1) / 1e3:.3f} ms")
print(f"  xvsd CPU: {cpu:.2f} s in {elapsed:.1f} s = {100 * cpu / elapsed:.1f} % of one core "
      f"({1e6 * cpu / max(started, 1):.1f} us per check)")
PY
