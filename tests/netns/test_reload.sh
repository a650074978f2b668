#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Reload, runtime backend overrides and restart without loss, end to end: long-lived
# TCP and UDP flows through xvsd while it reloads, is told to drain or disable a
# backend, is killed with SIGKILL and started again, and finally stops cleanly.
#
#  xrPID-client 10.0.0.2 -- xrPID-router -- xrPID-switch br0 -+- xrPID-lb 10.0.1.2 (xvsd)
#   stream.py tcp/udp                                          +- xrPID-b1..b3 .11-.13
#                                                                 echo_server.py 53, 80
#                                                                 stream.py server 8080
#
# xvsd runs with nsenter --net (not ip netns exec) so that the bpffs it mounts on
# RUN_DIR/bpf is in this shell's mount namespace and outlives a killed daemon.
# Prints PASS:/FAIL: netns/reload/NAME lines, or SKIP: netns/reload: REASON.
set -euo pipefail

NETNS_TEST=netns/reload
# shellcheck source=tests/netns/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VIP=10.0.1.100
STREAM_PORT=8080

require_netns
command -v nsenter >/dev/null || skip "nsenter is not installed"

# Runs without errexit: a dead daemon (kill fails) must not cut the cleanup short.
cleanup() {
	set +e
	touch "$NETNS_TMP/stop" 2>/dev/null
	if [ -n "${XVSD_PID:-}" ]; then
		kill -KILL "$XVSD_PID" 2>/dev/null
		wait "$XVSD_PID" 2>/dev/null
	fi
	NETNS_TMP_KEPT=$NETNS_TMP
	NETNS_TMP='' netns_cleanup
	umount "$RUN/bpf" 2>/dev/null
	[ "${NETNS_KEEP_TMP:-0}" = 1 ] || rm -rf "$NETNS_TMP_KEPT"
}
netns_begin xr cleanup
netns_lab_up
state=$(lab_state_dir "$P")
for b in "${LAB_BACKENDS[@]}"; do
	ip netns exec "$P-$b" python3 "$NETNS_DIR/stream.py" server --name "$b" \
		--address "$VIP" --port "$STREAM_PORT" --pidfile "$state/$b-stream.pid" \
		>"$NETNS_TMP/$b-stream.log" 2>&1 </dev/null &
done
for b in "${LAB_BACKENDS[@]}"; do
	wait_pidfile 10 "$state/$b-stream.pid" "stream server $b" "$NETNS_TMP/$b-stream.log"
done

# conf FILE TCP_BACKENDS [EXTRA GLOBAL LINE]
conf() {
	local file=$1 backends=$2 extra=${3:-}
	{
		printf 'global {\n    run_dir %s\n    timeout udp 30s\n    %s\n}\n' "$RUN" "$extra"
		printf 'interface eth0 {\n    xdp auto\n}\n'
		# shellcheck disable=SC2086  # backends: node names separated by spaces
		conf_service web "$VIP" 80 tcp dr "$(addresses_of LAB_BACKEND_ADDR $backends)" \
			"removed_backend reschedule"
		conf_service stream "$VIP" "$STREAM_PORT" tcp dr "$(addresses_of LAB_BACKEND_ADDR b1 b2)"
		conf_service dns "$VIP" 53 udp dr "$(addresses_of LAB_BACKEND_ADDR "${LAB_BACKENDS[@]}")"
	} >"$file"
}
CONF=$NETNS_TMP/xvs.conf
conf "$CONF" "b1 b2"

start_xvsd() {
	nsenter --net="/run/netns/$P-lb" "$XVSD" -f "$CONF" >>"$NETNS_TMP/xvsd.log" 2>&1 </dev/null &
	XVSD_PID=$!
	echo "$XVSD_PID" >"$state/lb-xvsd.pid"
}
ctl() { "$XVSCTL" -s "$SOCK" "$@"; }
start_xvsd
xvsd_check_ready 30

# web_backends N: the backends that answer N new TCP connections to port 80, sorted
# and counted ("b1 b2 b1" -> "b1:2 b2:1").
web_backends() {
	ip netns exec "$P-client" python3 -c '
import socket, sys, collections
seen = collections.Counter()
for i in range(int(sys.argv[2])):
    s = socket.create_connection((sys.argv[1], 80), timeout=3)
    s.sendall(b"hi\n")
    seen[s.recv(100).split(b" ")[0].decode()] += 1
    s.close()
print(" ".join(f"{k}:{v}" for k, v in sorted(seen.items())))' "$VIP" "$1"
}

# stream_start NAME MODE PORT: a long-lived flow from the client.
stream_start() {
	ip netns exec "$P-client" python3 "$NETNS_DIR/stream.py" "$2" --vip "$VIP" --port "$3" \
		--status "$NETNS_TMP/$1.json" --stop "$NETNS_TMP/stop" \
		>"$NETNS_TMP/$1.log" 2>&1 </dev/null &
	echo $! >"$NETNS_TMP/$1.pid"
}
# stream_field NAME EXPR: a Python expression over the status document s.
stream_field() {
	python3 -c 'import json, sys; s = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' \
		"$NETNS_TMP/$1.json" "$2" 2>/dev/null
}
answered() { stream_field "$1" 's["answered"]'; }
# advanced NAME: succeeds once NAME answered 10 more lines than when last called.
advanced_from() { [ "$(answered "$1")" -ge $(($2 + 10)) ] 2>/dev/null; }

stream_start tcp tcp "$STREAM_PORT"
stream_start udp udp 53
if wait_until 10 advanced_from tcp 0 && wait_until 10 advanced_from udp 0; then
	pass streams_start
else
	fail streams_start "$(cat "$NETNS_TMP"/tcp.log "$NETNS_TMP"/udp.log)"
fi

# Reload that changes another service (web gets b3) and a timeout: the stream lives on.
dist=$(web_backends 6)
[ "$dist" = "b1:3 b2:3" ] && pass rr_before || fail rr_before "$dist"
before=$(answered tcp)
conf "$CONF" "b1 b2 b3"
sed -i 's/timeout udp 30s/timeout udp 40s/' "$CONF"
if out=$(ctl reload 2>&1); then pass reload_ok; else fail reload_ok "$out"; fi
wait_until 10 xvsd_ready "$SOCK" || true
dist=$(web_backends 6)
[ "$dist" = "b1:2 b2:2 b3:2" ] && pass rr_backend_added || fail rr_backend_added "$dist"
if wait_until 10 advanced_from tcp "$before" && [ -z "$(stream_field tcp 's["error"] or ""')" ]; then
	pass stream_survives_reload
else
	fail stream_survives_reload "$(cat "$NETNS_TMP/tcp.json" "$NETNS_TMP/tcp.log")"
fi

# Removing a backend by reload takes it out of rr.
conf "$CONF" "b2 b3"
sed -i 's/timeout udp 30s/timeout udp 40s/' "$CONF"
ctl reload >/dev/null 2>&1 || true
dist=$(web_backends 6)
[ "$dist" = "b2:3 b3:3" ] && pass rr_backend_removed || fail rr_backend_removed "$dist"
ids=$(ctl list --json | python3 -c '
import json, sys
d = {s["name"]: s for s in json.load(sys.stdin)["services"]}
print(len(d["web"]["backends"]), d["stream"]["state"])')
[ "$ids" = "2 up" ] && pass list_after_reload || fail list_after_reload "$ids"

# A bad file: errors back, the old configuration keeps serving.
cp "$CONF" "$NETNS_TMP/good.conf"
printf 'service broken {\n    vip %s\n    port 99\n    proto tcp\n    mode dr\n    scheduler rr\n    backend 10.0.1.300\n}\n' "$VIP" >>"$CONF"
out=$(ctl reload 2>&1) && status=0 || status=$?
if [ "$status" = 1 ] && grep -q "xvs.conf:.*: error: invalid backend \"10.0.1.300\"" <<<"$out"; then
	pass bad_reload_errors
else
	fail bad_reload_errors "exit $status: $out"
fi
code=$(curl -s --max-time 5 --unix-socket "$SOCK" -o "$NETNS_TMP/body" -w '%{http_code}' \
	-X POST http://xvsd/api/v1/reload)
if [ "$code" = 400 ] && python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["error"] and any(": error: invalid backend" in e for e in d["errors"]), d' "$NETNS_TMP/body"; then
	pass bad_reload_api
else
	fail bad_reload_api "$code $(cat "$NETNS_TMP/body")"
fi
dist=$(web_backends 4)
[ "$dist" = "b2:2 b3:2" ] && pass bad_reload_keeps_serving || fail bad_reload_keeps_serving "$dist"
if ctl list --json | python3 -c '
import json, sys
names = [s["name"] for s in json.load(sys.stdin)["services"]]
sys.exit(0 if "broken" not in names else 1)' && "$XVSCTL" -s "$SOCK" version >/dev/null &&
	curl -s --unix-socket "$SOCK" http://xvsd/api/v1/status | python3 -c '
import json, sys
r = json.load(sys.stdin)["last_reload"]
assert r["result"] == "failed" and r["errors"] and r["time"], r'; then
	pass status_last_reload_failed
else
	fail status_last_reload_failed "$(curl -s --unix-socket "$SOCK" http://xvsd/api/v1/status)"
fi
# SIGHUP reloads too, and a conn_table change is refused with a clear error.
cp "$NETNS_TMP/good.conf" "$CONF"
sed -i 's|timeout udp 40s|timeout udp 40s\n    conn_table 64k|' "$CONF"
out=$(ctl reload 2>&1) && status=0 || status=$?
if [ "$status" = 1 ] && grep -q 'conn_table cannot change on reload' <<<"$out"; then
	pass reload_conn_table_refused
else
	fail reload_conn_table_refused "exit $status: $out"
fi
cp "$NETNS_TMP/good.conf" "$CONF"
kill -HUP "$XVSD_PID"
if wait_until 10 sh -c "curl -s --unix-socket '$SOCK' http://xvsd/api/v1/status | grep -q '\"result\":\"ok\"'"; then
	pass sighup_reload
else
	fail sighup_reload "$(tail -n 3 "$NETNS_TMP/xvsd.log")"
fi

# Runtime overrides: drain, disable, enable, weight.
backend_doc() {
	ctl list --json | python3 -c '
import json, sys
d = {s["name"]: s for s in json.load(sys.stdin)["services"]}
b = [x for x in d["web"]["backends"] if x["address"] == sys.argv[1]][0]
print(b["state"], b["weight"])' "$1"
}
B2=${LAB_BACKEND_ADDR[b2]}
ctl backend web "$B2" drain
[ "$(backend_doc "$B2")" = "drain 1" ] || fail backend_drain_state "$(backend_doc "$B2")"
dist=$(web_backends 4)
[ "$dist" = "b3:4" ] && pass backend_drain || fail backend_drain "$dist"
ctl backend web "$B2:80" disable
[ "$(backend_doc "$B2")" = "disabled 1" ] && pass backend_disable_state ||
	fail backend_disable_state "$(backend_doc "$B2")"
dist=$(web_backends 4)
[ "$dist" = "b3:4" ] && pass backend_disable || fail backend_disable "$dist"
ctl backend web "$B2" enable
wait_until 5 sh -c "[ \"\$('$XVSCTL' -s '$SOCK' list --json | grep -c '\"disabled\"')\" = 0 ]" || true
[ "$(backend_doc "$B2")" = "up 1" ] && pass backend_enable_state ||
	fail backend_enable_state "$(backend_doc "$B2")"
dist=$(web_backends 4)
[ "$dist" = "b2:2 b3:2" ] && pass backend_enable || fail backend_enable "$dist"
ctl backend web "$B2" weight 5
[ "$(backend_doc "$B2")" = "up 5" ] && pass backend_weight || fail backend_weight "$(backend_doc "$B2")"
ctl backend web "$B2" enable

# kill -9 under traffic, then a new xvsd adopts the pinned state.
stats_in() {
	ctl list --json | python3 -c '
import json, sys
d = {s["name"]: s for s in json.load(sys.stdin)["services"]}
print(d["stream"]["stats"]["in_packets"])'
}
packets=$(stats_in)
udp_backends=$(stream_field udp 'sorted(s["backends"])')
before=$(answered tcp)
kill -KILL "$XVSD_PID"
wait "$XVSD_PID" 2>/dev/null || true
if wait_until 10 advanced_from tcp "$before"; then
	pass forwards_without_daemon
else
	fail forwards_without_daemon "$(cat "$NETNS_TMP/tcp.json")"
fi
start_xvsd
if wait_until 30 xvsd_ready "$SOCK"; then pass restart; else fail restart "$(tail -n 5 "$NETNS_TMP/xvsd.log")"; fi
before=$(answered tcp)
if wait_until 10 advanced_from tcp "$before" && [ -z "$(stream_field tcp 's["error"] or ""')" ]; then
	pass stream_survives_restart
else
	fail stream_survives_restart "$(cat "$NETNS_TMP/tcp.json" "$NETNS_TMP/tcp.log")"
fi
before=$(answered udp)
wait_until 10 advanced_from udp "$before" || true
after=$(stream_field udp 'sorted(s["backends"])')
[ "$after" = "$udp_backends" ] && pass udp_flow_keeps_backend ||
	fail udp_flow_keeps_backend "$udp_backends then $after"
now=$(stats_in)
[ "$now" -gt "$packets" ] && pass counters_continue || fail counters_continue "$packets then $now"
grep -q 'adopted' "$NETNS_TMP/xvsd.log" && pass adopted_log || fail adopted_log "$(tail -n 5 "$NETNS_TMP/xvsd.log")"
out=$(nsenter --net="/run/netns/$P-lb" "$XVSD" -f "$CONF" 2>&1) && status=0 || status=$?
[ "$status" != 0 ] && grep -q 'another xvsd' <<<"$out" && pass single_instance ||
	fail single_instance "$status $out"

# The file changed while no daemon ran: applied as a reload against the adopted state.
kill -KILL "$XVSD_PID"
wait "$XVSD_PID" 2>/dev/null || true
conf "$CONF" "b3"
start_xvsd
if wait_until 30 xvsd_ready "$SOCK"; then
	dist=$(web_backends 3)
	[ "$dist" = "b3:3" ] && pass restart_changed_file || fail restart_changed_file "$dist"
else
	fail restart_changed_file "$(tail -n 5 "$NETNS_TMP/xvsd.log")"
fi
before=$(answered tcp)
if wait_until 10 advanced_from tcp "$before" && [ -z "$(stream_field tcp 's["error"] or ""')" ]; then
	pass stream_survives_second_restart
else
	fail stream_survives_second_restart "$(cat "$NETNS_TMP/tcp.json" "$NETNS_TMP/tcp.log")"
fi

# A clean stop: streams end, then SIGTERM leaves no XDP, pins or mounts behind.
touch "$NETNS_TMP/stop"
for f in tcp udp; do
	wait "$(cat "$NETNS_TMP/$f.pid")" && pass "stream_$f" || fail "stream_$f" "$(cat "$NETNS_TMP/$f.json")"
done
xvsd_stop 10
[ "$XVSD_STATUS" = 0 ] && pass stop_status || fail stop_status "$XVSD_STATUS"
XVSD_PID=
[ "$(link_xdp "$P-lb" eth0)" != no ] && fail stop_detach "XDP still attached" || pass stop_detach
grep -q " $RUN/bpf " /proc/mounts && fail stop_unmount "bpffs still mounted" || pass stop_unmount
[ -e "$RUN/bpf" ] && fail stop_unpin "$(ls -A "$RUN/bpf")" || pass stop_unpin

netns_finish
