#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# xvsd and xvsctl as an operator meets them: start-up errors, the single
# instance lock, the API's documents and errors, and a clean stop.
#
#   ${P}-lb [eth0 10.8.0.1/24] ---- veth ---- [peer0 10.8.0.2/24] ${P}-peer
#
set -u
cd "$(dirname "$0")/../.." || exit 1
XVSD=${XVSD:-build/xvsd}
XVSCTL=${XVSCTL:-build/xvsctl}
for binary in "$XVSD" "$XVSCTL"; do
	if [ ! -x "$binary" ]; then
		echo "FAIL: netns/cli: $binary is not built"
		exit 1
	fi
done
P=xc$$
dir=$(mktemp -d /tmp/xvs-cli.XXXXXX)
failures=0

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: netns/cli: not root"
	exit 0
fi

cleanup() {
	if [ -f "$dir/pid" ]; then
		kill "$(cat "$dir/pid")" 2>/dev/null
		wait "$(cat "$dir/pid")" 2>/dev/null
	fi
	ip netns del "$P-lb" 2>/dev/null
	ip netns del "$P-peer" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT

pass() { echo "PASS: netns/cli/$1"; }
fail() { echo "FAIL: netns/cli/$1: $2"; failures=$((failures + 1)); }
in_lb() { ip netns exec "$P-lb" "$@"; }
ctl() { in_lb "$XVSCTL" -s "$dir/run/xvsd.sock" "$@"; }

# Polls a command until it succeeds or the deadline (seconds) passes.
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -ge $deadline ] && return 1
		sleep 0.1
	done
}

ip netns add "$P-lb"
ip netns add "$P-peer"
ip -n "$P-lb" link add eth0 type veth peer name peer0
ip -n "$P-lb" link set peer0 netns "$P-peer"
ip -n "$P-lb" addr add 10.8.0.1/24 dev eth0
ip -n "$P-peer" addr add 10.8.0.2/24 dev peer0
ip -n "$P-lb" link set eth0 up
ip -n "$P-peer" link set peer0 up

cat >"$dir/xvs.conf" <<CONF
global {
    run_dir $dir/run
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
    backend 10.8.0.3    # nobody answers ARP for this one
}
CONF
sed 's/interface eth0/interface nosuch0/' "$dir/xvs.conf" >"$dir/missing-if.conf"

# A missing interface: a clear error, non-zero exit, nothing left attached.
out=$(in_lb "$XVSD" -f "$dir/missing-if.conf" 2>&1)
status=$?
if [ $status -ne 0 ] && grep -q 'interface nosuch0: does not exist' <<<"$out"; then
	pass missing_interface
else
	fail missing_interface "exit $status, output: $out"
fi

ip netns exec "$P-lb" "$XVSD" -f "$dir/xvs.conf" 2>"$dir/xvsd.log" &
echo $! >"$dir/pid"
if wait_for 20 ctl list; then pass start; else fail start "API did not answer: $(cat "$dir/xvsd.log")"; fi

# One daemon per run_dir.
out=$(in_lb "$XVSD" -f "$dir/xvs.conf" 2>&1)
status=$?
if [ $status -ne 0 ] && grep -q "another xvsd (pid $(cat "$dir/pid")) is running" <<<"$out"; then
	pass single_instance
else
	fail single_instance "exit $status, output: $out"
fi

# The resolvable backend comes up, the other stays down with a reason.
up_and_down() {
	ctl list --json | python3 -c '
import json, sys
s = json.load(sys.stdin)["services"][0]
b = {x["address"]: x for x in s["backends"]}
sys.exit(0 if s["state"] == "up" and b["10.8.0.2"]["state"] == "up"
         and b["10.8.0.3"]["state"] == "down" and "problem" in b["10.8.0.3"] else 1)'
}
if wait_for 10 up_and_down; then pass backend_states; else fail backend_states "$(ctl list --json)"; fi

# The service document carries SPEC's fields.
fields=$(ctl list --json | python3 -c '
import json, sys
s = json.load(sys.stdin)["services"][0]
need = ["name", "vips", "port", "proto", "namespace", "mode", "scheduler", "state", "since", "stats", "rates", "backends"]
bneed = ["address", "port", "weight", "state", "active_conns", "inactive_conns", "stats"]
missing = [k for k in need if k not in s] + [k for k in bneed if k not in s["backends"][0]]
missing += [k for k in ["conns", "in_packets", "out_packets", "in_bytes", "out_bytes"] if k not in s["stats"]]
missing += [k for k in ["cps", "in_pps", "out_pps", "in_bps", "out_bps"] if k not in s["rates"]]
print(" ".join(missing))
assert (s["name"], s["vips"], s["port"], s["proto"], s["namespace"], s["mode"], s["scheduler"]) == \
    ("dns", ["10.8.0.100"], 53, "udp", "", "dr", "rr"), s')
if [ $? -eq 0 ] && [ -z "$fields" ]; then pass json_fields; else fail json_fields "missing: $fields"; fi

out=$(ctl list)
if grep -q '^dns  *UDP  *10.8.0.100:53  *dr  *rr  *up' <<<"$out" &&
	grep -q -- '-> 10.8.0.3:53 .* down' <<<"$out"; then
	pass list_table
else
	fail list_table "$out"
fi
out=$(ctl list --stats)
if grep -q 'InPkts' <<<"$out" && grep -q -- '-> 10.8.0.2:53' <<<"$out"; then
	pass list_stats
else
	fail list_stats "$out"
fi
if ctl conns --json | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if d["conns"] == [] and d["truncated"] is False else 1)'; then
	pass conns_empty
else
	fail conns_empty "$(ctl conns --json)"
fi
out=$(ctl version)
if grep -q '^xvsctl ' <<<"$out" && grep -q '^xvsd ' <<<"$out"; then pass version; else fail version "$out"; fi

# Errors: one line "xvsctl: ..." and exit 1.
check_error() {
	local name=$1 pattern=$2
	shift 2
	out=$("$@" 2>&1 >/dev/null)
	status=$?
	if [ $status -eq 1 ] && [ "$(wc -l <<<"$out")" -eq 1 ] && grep -q "^xvsctl: $pattern" <<<"$out"; then
		pass "$name"
	else
		fail "$name" "exit $status, stderr: $out"
	fi
}
check_error error_unknown_command 'unknown command "frobnicate"' ctl frobnicate
check_error error_unknown_service 'no such service' ctl conns nosuch 2>/dev/null
check_error error_bad_option 'usage: xvsctl list' ctl list --bogus
check_error error_no_daemon 'cannot reach xvsd at /nonexistent.sock' in_lb "$XVSCTL" -s /nonexistent.sock list
check_error error_backend_usage 'usage: xvsctl backend' ctl backend dns
check_error error_backend_verb 'usage: xvsctl backend' ctl backend dns 10.8.0.2 frobnicate
check_error error_backend_weight 'backend: invalid weight "x"' ctl backend dns 10.8.0.2 weight x
check_error error_backend_service 'no such service' ctl backend nosuch 10.8.0.2 drain
check_error error_backend_address 'no such backend' ctl backend dns 10.8.0.9 drain
check_error error_backend_port 'no such backend' ctl backend dns 10.8.0.2:54 drain
check_error error_reload_args 'usage: xvsctl reload' ctl reload now

# xvsctl backend: each override shows in list --json.
backend_state() {
	ctl list --json | python3 -c '
import json, sys
b = [x for x in json.load(sys.stdin)["services"][0]["backends"] if x["address"] == "10.8.0.2"][0]
print(b["state"], b["weight"])'
}
# xvs_backend_up of 10.8.0.2 in /metrics.
backend_up_metric() {
	in_lb curl -s --max-time 5 --unix-socket "$dir/run/xvsd.sock" http://xvsd/metrics |
		sed -n 's/^xvs_backend_up{service="dns",backend="10.8.0.2:53"} //p'
}
for step in "weight 3:up 3:1" "drain:drain 3:1" "disable:disabled 3:0" "enable:up 1:1"; do
	verb=${step%%:*} expected=${step#*:}
	up=${expected##*:} expected=${expected%:*}
	# shellcheck disable=SC2086  # the verb and its argument are two words
	if ctl backend dns 10.8.0.2:53 $verb && [ "$(backend_state)" = "$expected" ] &&
		[ "$(backend_up_metric)" = "$up" ]; then
		pass "backend_${verb%% *}"
	else
		fail "backend_${verb%% *}" "$(backend_state), xvs_backend_up $(backend_up_metric)"
	fi
done
# xvsctl reload: the same file applies as no change.
out=$(ctl reload)
if [ "$out" = "reload: ok" ] && ctl list --json | grep -q '"10.8.0.2"'; then
	pass reload
else
	fail reload "$out"
fi

# The API answers bad requests with a status and a JSON error.
api() { in_lb curl -s --max-time 5 --unix-socket "$dir/run/xvsd.sock" -o "$dir/body" -w '%{http_code}' "$@"; }
code=$(api http://xvsd/api/v1/nope)
if [ "$code" = 404 ] && grep -q '"error"' "$dir/body"; then pass api_404; else fail api_404 "$code $(cat "$dir/body")"; fi
code=$(api http://xvsd/api/v1/services/nosuch)
if [ "$code" = 404 ] && grep -q 'no such service' "$dir/body"; then pass api_no_service; else fail api_no_service "$code"; fi
code=$(api -X DELETE http://xvsd/api/v1/services)
if [ "$code" = 405 ] && grep -q '"error"' "$dir/body"; then pass api_405; else fail api_405 "$code"; fi
code=$(api 'http://xvsd/api/v1/conns?limit=zero')
if [ "$code" = 400 ]; then pass api_bad_limit; else fail api_bad_limit "$code"; fi
code=$(api http://xvsd/api/v1/status)
if [ "$code" = 200 ] && python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["config_file"].endswith("xvs.conf") and d["uptime_seconds"] >= 0
assert set(d["drops"]) >= {"no_backend", "conn_table_full", "malformed"}, d
assert set(d["passes"]) >= {"not_ip", "no_service", "fragment", "unsupported"}, d
assert set(d["persistence"]) == {"hit", "new", "table_full", "no_callid"}, d' "$dir/body"; then
	pass api_status
else
	fail api_status "$code $(cat "$dir/body")"
fi
# /metrics: valid exposition format (promtool) with SPEC's names.
code=$(api http://xvsd/metrics)
promtool=$(bash scripts/promtool.sh 2>/dev/null)
if [ "$code" != 200 ]; then
	fail metrics "HTTP $code"
elif [ -z "$promtool" ] || ! lint=$("$promtool" check metrics <"$dir/body" 2>&1); then
	fail metrics "promtool ($promtool): $lint"
else
	missing=""
	for name in 'xvs_service_connections_total{service="dns"}' \
		'xvs_service_packets_total{service="dns",direction="in"}' \
		'xvs_service_bytes_total{service="dns",direction="out"}' \
		'xvs_backend_packets_total{service="dns",backend="10.8.0.2:53",direction="in"}' \
		'xvs_backend_up{service="dns",backend="10.8.0.2:53"} 1' \
		'xvs_backend_up{service="dns",backend="10.8.0.3:53"} 0' \
		'xvs_backend_active_connections{service="dns",backend="10.8.0.2:53"}' \
		'xvs_conn_table_capacity 1048576' 'xvs_conn_table_entries' \
		'xvs_drops_total{reason="conn_table_full"}' 'xvs_passes_total{reason="no_service"}' \
		'xvs_persistence_events_total{event="hit"}'; do
		grep -qF "$name" "$dir/body" || missing="$missing $name"
	done
	if [ -z "$missing" ]; then pass metrics; else fail metrics "missing:$missing"; fi
fi
# PATCH and POST: status codes and JSON errors for every bad request.
patch() { api -X PATCH -H 'Content-Type: application/json' "$@"; }
check_api() {
	local name=$1 want=$2 pattern=$3 code
	shift 3
	code=$("$@")
	if [ "$code" = "$want" ] && grep -q "$pattern" "$dir/body"; then
		pass "$name"
	else
		fail "$name" "$code $(head -c 300 "$dir/body")"
	fi
}
B=http://xvsd/api/v1/services/dns/backends
check_api api_patch_weight 200 '"weight":2' patch -d '{"weight": 2}' "$B/10.8.0.2:53"
check_api api_patch_state 200 '"state":"drain"' patch -d '{"state": "drain"}' "$B/10.8.0.2"
check_api api_patch_enable 200 '"state":"up"' patch -d '{"state":"enabled"}' "$B/10.8.0.2"
check_api api_patch_not_json 400 'not a JSON object' patch -d '{"weight": ' "$B/10.8.0.2"
check_api api_patch_array 400 'not a JSON object' patch -d '[1]' "$B/10.8.0.2"
check_api api_patch_empty 400 '"error"' patch "$B/10.8.0.2"
check_api api_patch_member 400 'unknown member' patch -d '{"wieght": 1}' "$B/10.8.0.2"
check_api api_patch_range 400 'weight must be' patch -d '{"weight": 70000}' "$B/10.8.0.2"
check_api api_patch_state_bad 400 'state must be' patch -d '{"state": "up"}' "$B/10.8.0.2"
check_api api_patch_address 400 'invalid backend' patch -d '{"weight": 1}' "$B/10.8.0.300"
check_api api_patch_backend 404 'no such backend' patch -d '{"weight": 1}' "$B/10.8.0.9"
check_api api_patch_service 404 'no such service' patch -d '{"weight": 1}' \
	http://xvsd/api/v1/services/nosuch/backends/10.8.0.2
check_api api_patch_name 400 'invalid service name' patch -d '{"weight": 1}' \
	'http://xvsd/api/v1/services/a%20b/backends/10.8.0.2'
check_api api_backend_get 405 'use PATCH' api "$B/10.8.0.2"
check_api api_reload_get 405 'use POST' api http://xvsd/api/v1/reload
head -c 100000 /dev/zero | tr '\0' ' ' >"$dir/big"
check_api api_patch_too_large 413 'too large' patch --data-binary "@$dir/big" "$B/10.8.0.2"
check_api api_reload 200 '"result":"ok"' api -X POST http://xvsd/api/v1/reload
check_api api_status_reload 200 '"last_reload":{"time":"[^"]*","result":"ok","errors":\[\]}' \
	api http://xvsd/api/v1/status
# A slow client (half a request, then silence) does not stall the others.
in_lb bash -c "(printf 'PATCH /api/v1/services/dns/backends/10.8.0.2 HTTP/1.1\r\nHost: x\r\n'; sleep 3) | timeout 5 socat - UNIX-CONNECT:$dir/run/xvsd.sock" >/dev/null 2>&1 &
slow=$!
sleep 0.5
if timeout 2 "$XVSCTL" -s "$dir/run/xvsd.sock" list >/dev/null 2>&1; then
	pass api_slow_client
else
	fail api_slow_client "no answer while a slow client is connected"
fi
wait $slow 2>/dev/null
# A garbage request does not hurt the daemon.
in_lb bash -c "printf 'GARBAGE\r\n\r\n' | timeout 5 socat - UNIX-CONNECT:$dir/run/xvsd.sock" >/dev/null 2>&1
if ctl list >/dev/null; then pass api_garbage; else fail api_garbage "daemon stopped answering"; fi
# The socket is root-only.
mode=$(stat -c %a "$dir/run/xvsd.sock")
if [ "$mode" = 600 ]; then pass socket_mode; else fail socket_mode "mode $mode"; fi

# SIGTERM: exit 0, XDP gone, socket removed.
pid=$(cat "$dir/pid")
kill -TERM "$pid"
wait "$pid"
status=$?
rm -f "$dir/pid"
if [ $status -eq 0 ]; then pass stop_status; else fail stop_status "exit $status: $(tail -5 "$dir/xvsd.log")"; fi
if ip -n "$P-lb" link show eth0 | grep -q xdp; then fail stop_detach "XDP still attached"; else pass stop_detach; fi
if [ -e "$dir/run/xvsd.sock" ]; then fail stop_socket "socket left behind"; else pass stop_socket; fi
# run_dir was created by xvsd, so it goes too (lock file included).
if [ -e "$dir/run" ]; then fail stop_run_dir "left behind: $(ls -A "$dir/run")"; else pass stop_run_dir; fi

[ $failures -eq 0 ]
