#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Health checks end to end with real servers: udp, tcp (connect and send) and exec
# checks; a stopped server takes its backend down within fall x interval + timeout and
# traffic avoids it, its UDP flow moves at once, a TCP flow whose check fails stays;
# the server back -> up after rise; a service with every backend down drops (or, with
# "no_backend pass", passes) new flows, counted; exec's environment, timeout and kill;
# reload keeps health state; state, counters and /metrics (promtool) show it all.
#
#  hcPID-client 10.0.0.2 -- hcPID-router -- hcPID-switch br0 -+- hcPID-lb 10.0.1.2 (xvsd)
#   stream.py tcp/udp, probes                                  +- hcPID-b1..b3 .11-.13
#                                                                 echo_server.py 53/udp
#                                                                 80/tcp (VIP + own addr)
#                                                                 stream.py 8080 (VIP)
#                                                                 socat 8081 (own addr:
#                                                                 the stream's check)
#
# Prints PASS:/FAIL: netns/health/NAME lines, or SKIP: netns/health: REASON.
set -euo pipefail

NETNS_TEST=netns/health
# shellcheck source=tests/netns/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VIP=10.0.1.100
# Every check: interval 300 ms, timeout 200 ms, rise 2, fall 2.
TIMING="interval 300ms timeout 200ms rise 2 fall 2"
# fall x interval + timeout = 0.8 s, rise x interval + timeout = 0.8 s; plus a margin
# for a shared machine and the 50 ms polling.
DOWN_WITHIN=1.5
UP_WITHIN=1.5

require_netns
command -v socat >/dev/null || skip "socat is not installed"
command -v nsenter >/dev/null || skip "nsenter is not installed"

# Without errexit: a dead daemon must not cut the cleanup short; the bpffs xvsd mounts on
# RUN_DIR/bpf (nsenter keeps it in this mount namespace, for the restart) goes too.
cleanup() {
	set +e
	if [ -n "${XVSD_PID:-}" ]; then
		kill -KILL "$XVSD_PID" 2>/dev/null
		wait "$XVSD_PID" 2>/dev/null
	fi
	NETNS_TMP_KEPT=$NETNS_TMP
	NETNS_TMP='' netns_cleanup
	umount "$RUN/bpf" 2>/dev/null
	[ "${NETNS_KEEP_TMP:-0}" = 1 ] || rm -rf "$NETNS_TMP_KEPT"
}
netns_begin hc cleanup
LAB_ECHO_SERVERS=0 netns_lab_up
state=$(lab_state_dir "$P")
tool() { python3 "$NETNS_DIR/health_tool.py" "$@"; }
in_client() { ip netns exec "$P-client" "$@"; }
ctl() { "$XVSCTL" -s "$SOCK" "$@"; }
addr() { echo "${LAB_BACKEND_ADDR[$1]}"; }

echo_start() {
	rm -f "$state/$1-echo.pid"
	# A subshell: not a job of this shell, so its kill is not reported.
	(ip netns exec "$P-$1" python3 "$NETNS_DIR/echo_server.py" --name "$1" --address "$VIP" \
		--address "$(addr "$1")" --udp-port 53 --tcp-port 80 --pidfile "$state/$1-echo.pid" \
		>>"$NETNS_TMP/$1-echo.log" 2>&1 </dev/null &)
	wait_pidfile 10 "$state/$1-echo.pid" "echo server $1" "$NETNS_TMP/$1-echo.log"
}
# The stream service's check target: a TCP listener on the backend's own address.
probe_start() {
	(ip netns exec "$P-$1" socat TCP-LISTEN:8081,bind="$(addr "$1")",reuseaddr,fork \
		SYSTEM:true >>"$NETNS_TMP/$1-probe.log" 2>&1 </dev/null &
	echo $! >"$state/$1-probe.pid")
}
server_stop() { lab_stop_pid "$P-$1" "$(cat "$state/$1-$2.pid")"; }

for b in "${LAB_BACKENDS[@]}"; do
	# Every check of a stopped UDP server gets its port unreachable (not 1/s).
	ip netns exec "$P-$b" sysctl -qw net.ipv4.icmp_ratelimit=0
	echo_start "$b"
	ip netns exec "$P-$b" python3 "$NETNS_DIR/stream.py" server --name "$b" --address "$VIP" \
		--port 8080 --pidfile "$state/$b-stream.pid" >"$NETNS_TMP/$b-stream.log" 2>&1 </dev/null &
	probe_start "$b"
done
for b in "${LAB_BACKENDS[@]}"; do
	wait_pidfile 10 "$state/$b-stream.pid" "stream server $b" "$NETNS_TMP/$b-stream.log"
done

# exec: up while DIR/up-ADDRESS exists; it also leaves its environment in DIR/env-ADDRESS.
EXEC_DIR=$NETNS_TMP/exec
mkdir -p "$EXEC_DIR"
touch "$EXEC_DIR/up-$(addr b1)"
conf() {
	xvsd_conf_head eth0
	conf_service dns "$VIP" 53 udp dr "$(addresses_of LAB_BACKEND_ADDR b1 b2 b3)" \
		"check udp send \"health\" $TIMING"
	conf_service web "$VIP" 80 tcp dr "$(addresses_of LAB_BACKEND_ADDR b1 b2 b3)" \
		"check tcp send \"health\\n\" $TIMING"
	conf_service stream "$VIP" 8080 tcp dr "$(addresses_of LAB_BACKEND_ADDR $1)" \
		"check tcp port 8081 $TIMING" ${STREAM_POLICY:+"$STREAM_POLICY"}
	conf_service cmd "$VIP" 54 udp dr "$(addresses_of LAB_BACKEND_ADDR b1 b2)" \
		"check exec \"test -e $EXEC_DIR/up-\$XVS_BACKEND_ADDRESS && env >$EXEC_DIR/env-\$XVS_BACKEND_ADDRESS\" interval 400ms timeout 300ms rise 1 fall 1"
	[ "${2:-}" = without_slow ] ||
		conf_service slow "$VIP" 57 udp dr "$(addr b3)" \
			"check exec \"sleep 31.4159\" interval 400ms timeout 150ms"
	conf_service dark "$VIP" 55 udp dr "$(addresses_of LAB_BACKEND_ADDR b1 b2)" \
		"check exec false $TIMING"
	conf_service darkpass "$VIP" 56 udp dr "$(addresses_of LAB_BACKEND_ADDR b1 b2)" \
		"check exec false $TIMING" "no_backend pass"
}
conf "b1 b2" >"$NETNS_TMP/xvs.conf"
start_xvsd() {
	nsenter --net="/run/netns/$P-lb" "$XVSD" -f "$NETNS_TMP/xvs.conf" >>"$NETNS_TMP/xvsd.log" 2>&1 </dev/null &
	XVSD_PID=$!
	echo "$XVSD_PID" >"$state/lb-xvsd.pid"
}
start_xvsd

# ready: every checked backend up (b2 of cmd and the dark ones down: their first check).
ready=1
for s in dns web; do
	for b in b1 b2 b3; do
		tool wait "$SOCK" "$s" "$(addr "$b")" up 10 >/dev/null || ready=0
	done
done
for s in stream cmd; do
	tool wait "$SOCK" "$s" "$(addr b1)" up 10 >/dev/null || ready=0
done
if [ $ready = 1 ] && tool wait "$SOCK" cmd "$(addr b2)" down 5 >/dev/null &&
	tool wait "$SOCK" dark "$(addr b1)" down 5 >/dev/null; then
	pass ready
else
	fail ready "$(ctl list 2>&1) $(tail -n 5 "$NETNS_TMP/xvsd.log")"
	exit 1
fi

# A long UDP flow (one source port) and a long TCP connection through the VIP.
stream_start() {
	in_client python3 "$NETNS_DIR/stream.py" "$2" --vip "$VIP" --port "$3" \
		--status "$NETNS_TMP/$1.json" --stop "$NETNS_TMP/stop" \
		>"$NETNS_TMP/$1.log" 2>&1 </dev/null &
	echo $! >"$NETNS_TMP/$1.pid"
}
stream_field() {
	python3 -c 'import json, sys; s = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' \
		"$NETNS_TMP/$1.json" "$2" 2>/dev/null
}
# answered_by NAME BACKEND COUNT: BACKEND answered NAME's stream COUNT times or more.
answered_by() { [ "$(stream_field "$1" "s['backends'].get('$2', 0)")" -ge "$3" ] 2>/dev/null; }
answered_more() { [ "$(stream_field "$1" "s['answered']")" -ge "$2" ] 2>/dev/null; }
stream_start udp udp 53
stream_start tcp tcp 8080
if wait_until 10 answered_more udp 10 && wait_until 10 answered_more tcp 10; then
	pass streams_start
else
	fail streams_start "$(cat "$NETNS_TMP/udp.log" "$NETNS_TMP/tcp.log")"
	exit 1
fi
udp_backend=$(stream_field udp "next(iter(s['backends']))")
tcp_backend=$(stream_field tcp "next(iter(s['backends']))")

# Stop the UDP flow's backend server: down within fall x interval + timeout.
# The tool kills it once it polls, and times from the kill.
if took=$(tool wait "$SOCK" dns "$(addr "$udp_backend")" down "$DOWN_WITHIN" \
	"kill:$(cat "$state/$udp_backend-echo.pid")"); then
	echo "# down ${took} s after the server stopped (at most $DOWN_WITHIN)" >&2
	pass udp_down
else
	fail udp_down "$took"
fi
result=$(tool field "$SOCK" dns "$(addr "$udp_backend")" "b['check']['result']")
[ "$result" = refused ] && pass udp_result_refused || fail udp_result_refused "$result"
tool wait "$SOCK" web "$(addr "$udp_backend")" down "$DOWN_WITHIN" >/dev/null &&
	pass tcp_down || fail tcp_down "web $(addr "$udp_backend") not down"

# The flow moved at once (down_backend reschedule, the UDP default) to a live backend.
moved() {
	local b
	for b in "${LAB_BACKENDS[@]}"; do
		[ "$b" != "$udp_backend" ] && answered_by udp "$b" 5 && return 0
	done
	return 1
}
wait_until 5 moved && pass udp_flow_moved || fail udp_flow_moved "$(cat "$NETNS_TMP/udp.json")"

# New flows avoid it, every one answered.
flows=$(in_client python3 "$NETNS_DIR/health_tool.py" flows udp "$VIP" 53 8)
if ! grep -q "$udp_backend\|none" <<<"$flows"; then pass udp_avoids; else fail udp_avoids "$flows"; fi
flows=$(in_client python3 "$NETNS_DIR/health_tool.py" flows tcp "$VIP" 80 6)
if ! grep -q "$udp_backend\|none" <<<"$flows"; then pass tcp_avoids; else fail tcp_avoids "$flows"; fi

# Logged with service, backend, old -> new and reason; counted.
if grep -q "service dns: backend $(addr "$udp_backend"):53: up -> down (refused" "$NETNS_TMP/xvsd.log"; then
	pass logged
else
	fail logged "$(grep -i 'down' "$NETNS_TMP/xvsd.log" | tail -n 3)"
fi
counted=$(tool field "$SOCK" dns "$(addr "$udp_backend")" \
	"b['check']['state_changes'] >= 1 and b['check']['failed'] >= 2 and b['check']['failures'] >= 2 and b['since'] != ''")
[ "$counted" = True ] && pass counted || fail counted "$(tool field "$SOCK" dns "$(addr "$udp_backend")" b)"

# /metrics: valid for promtool, the backend's gauge 0, results by name, the histogram.
ctl list >"$NETNS_TMP/list.txt" 2>&1 || true
if grep -q -- "-> $(addr "$udp_backend"):53 .* down .* udp refused" "$NETNS_TMP/list.txt"; then
	pass list_shows_check
else
	fail list_shows_check "$(cat "$NETNS_TMP/list.txt")"
fi
curl -s --unix-socket "$SOCK" http://localhost/metrics >"$NETNS_TMP/metrics.txt"
label="service=\"dns\",backend=\"$(addr "$udp_backend"):53\""
if grep -q "^xvs_backend_up{$label} 0$" "$NETNS_TMP/metrics.txt" &&
	grep -q "^xvs_health_checks_total{$label,result=\"refused\"} [1-9]" "$NETNS_TMP/metrics.txt" &&
	grep -q "^xvs_health_check_duration_seconds_count{$label} [1-9]" "$NETNS_TMP/metrics.txt" &&
	grep -q '^xvs_service_up{service="dark"} 0$' "$NETNS_TMP/metrics.txt"; then
	pass metrics
else
	fail metrics "$(grep "$label\|service_up" "$NETNS_TMP/metrics.txt" | head -n 12)"
fi
if out=$(bash "$NETNS_ROOT/scripts/promtool.sh" check metrics <"$NETNS_TMP/metrics.txt" 2>&1); then
	pass promtool
else
	fail promtool "$out"
fi

# The server back: up after rise, and new flows reach it again.
# Timed from when it listens (its pid file is written once its sockets are bound), by
# a poller started before it.
rm -f "$state/$udp_backend-echo.pid"
tool wait "$SOCK" dns "$(addr "$udp_backend")" up 30 "file:$state/$udp_backend-echo.pid" \
	>"$NETNS_TMP/up.took" &
waiter=$!
echo_start "$udp_backend"
wait "$waiter" || true
took=$(cat "$NETNS_TMP/up.took")
if python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) <= float(sys.argv[2]) else 1)' \
	"$took" "$UP_WITHIN" 2>/dev/null; then
	echo "# up ${took} s after the server started (at most $UP_WITHIN)" >&2
	pass udp_up
else
	fail udp_up "$took"
fi
flows=$(in_client python3 "$NETNS_DIR/health_tool.py" flows udp "$VIP" 53 9)
grep -q "$udp_backend:3" <<<"$flows" && ! grep -q none <<<"$flows" &&
	pass udp_back_in_rotation || fail udp_back_in_rotation "$flows"

# TCP: the stream's check fails (its listener stops) but the connection stays on its
# backend (down_backend keep, the TCP default) while new connections avoid it.
kill -KILL "$(cat "$state/$tcp_backend-probe.pid")"
before=$(stream_field tcp "s['answered']")
if tool wait "$SOCK" stream "$(addr "$tcp_backend")" down "$DOWN_WITHIN" >/dev/null &&
	wait_until 5 answered_by tcp "$tcp_backend" $((before + 10)) &&
	[ "$(stream_field tcp "len(s['backends'])")" = 1 ]; then
	pass tcp_flow_kept
else
	fail tcp_flow_kept "$(cat "$NETNS_TMP/tcp.json" "$NETNS_TMP/tcp.log")"
fi
flows=$(in_client python3 "$NETNS_DIR/health_tool.py" flows tcp "$VIP" 8080 4)
if ! grep -q "$tcp_backend\|none" <<<"$flows"; then pass tcp_new_avoid; else fail tcp_new_avoid "$flows"; fi

# Reload: b3 joins the stream service; the backend whose check fails stays down (its
# state is kept, its check counters go on), b3 is checked and comes up.
checks_before=$(tool field "$SOCK" stream "$(addr "$tcp_backend")" "b['check']['checks']")
conf "b1 b2 b3" >"$NETNS_TMP/xvs.conf"
out=$(ctl reload 2>&1) || true
after=$(tool field "$SOCK" stream "$(addr "$tcp_backend")" "b['state'] + ' ' + str(b['check']['checks'])")
if [ "$out" = "reload: ok" ] && [ "${after% *}" = down ] && [ "${after#* }" -ge "$checks_before" ] &&
	tool wait "$SOCK" stream "$(addr b3)" up 5 >/dev/null; then
	pass reload_keeps_state
else
	fail reload_keeps_state "$out / $after / checks before $checks_before"
fi
probe_start "$tcp_backend"
tool wait "$SOCK" stream "$(addr "$tcp_backend")" up "$UP_WITHIN" >/dev/null &&
	pass tcp_check_back || fail tcp_check_back "$(tool field "$SOCK" stream "$(addr "$tcp_backend")" b)"

# down_backend reschedule on TCP: a connection whose backend fails its check moves at its
# next packet; the new backend does not know it and resets it (the client reconnects).
STREAM_POLICY="down_backend reschedule" conf "b1 b2 b3" >"$NETNS_TMP/xvs.conf"
out=$(ctl reload 2>&1) || true
stream_start tcp2 tcp 8080
if [ "$out" = "reload: ok" ] && wait_until 10 answered_more tcp2 10; then
	moved_backend=$(stream_field tcp2 "next(iter(s['backends']))")
	kill -KILL "$(cat "$state/$moved_backend-probe.pid")"
	stream_reset() { stream_field tcp2 "s['error']" | grep -qi 'reset'; }
	if tool wait "$SOCK" stream "$(addr "$moved_backend")" down "$DOWN_WITHIN" >/dev/null &&
		wait_until 5 stream_reset; then
		pass tcp_flow_reset
	else
		fail tcp_flow_reset "$(cat "$NETNS_TMP/tcp2.json")"
	fi
	probe_start "$moved_backend"
else
	fail tcp_flow_reset "reload: $out; $(cat "$NETNS_TMP/tcp2.log")"
fi
touch "$NETNS_TMP/stop"

# exec: the environment; a file appears -> up (rise 1), disappears -> down (fall 1).
env_file=$EXEC_DIR/env-$(addr b1)
# The check rewrites the file every 400 ms: read it whole, retry a torn read.
env_ok() {
	local env
	env=$(cat "$env_file" 2>/dev/null)
	grep -qx "XVS_SERVICE=cmd" <<<"$env" && grep -qx "XVS_BACKEND_ADDRESS=$(addr b1)" <<<"$env" &&
		grep -qx "XVS_BACKEND_PORT=54" <<<"$env"
}
if wait_until 2 env_ok; then
	pass exec_environment
else
	fail exec_environment "$(grep XVS_ "$env_file" 2>&1)"
fi
touch "$EXEC_DIR/up-$(addr b2)"
rm "$EXEC_DIR/up-$(addr b1)"
if tool wait "$SOCK" cmd "$(addr b2)" up 1.5 >/dev/null && tool wait "$SOCK" cmd "$(addr b1)" down 1.5 >/dev/null; then
	pass exec_up_down
else
	fail exec_up_down "$(ctl list 2>&1 | grep -A2 '^cmd')"
fi
detail=$(tool field "$SOCK" cmd "$(addr b1)" "b['check']['result'] + ' ' + b['check']['detail']")
[ "$detail" = "exit exit status 1" ] && pass exec_exit_result || fail exec_exit_result "$detail"

# exec past its timeout: result timeout, and no process of it is left behind.
# [.]: grep's own command line must not match.
sleepers() { grep -l '31[.]4159' /proc/[0-9]*/cmdline 2>/dev/null | wc -l; }
no_sleepers() { [ "$(sleepers)" = 0 ]; }
result=$(tool field "$SOCK" slow "$(addr b3)" "b['check']['result'] + ' ' + b['check']['detail']")
if [ "$result" = "timeout killed after 150 ms" ]; then pass exec_timeout; else fail exec_timeout "$result"; fi

# Every backend down: the service is down and new flows are dropped and counted...
drops() { tool status "$SOCK" "s['drops']['no_backend']"; }
passes() { tool status "$SOCK" "s['passes']['no_backend']"; }
service_state=$(ctl list --json | python3 -c '
import json, sys
print(" ".join(s["state"] for s in json.load(sys.stdin)["services"] if s["name"].startswith("dark")))')
drops_before=$(drops) passes_before=$(passes)
in_client python3 "$NETNS_DIR/health_tool.py" blast "$VIP" 55 50
dropped_more() { [ "$(drops)" -ge $((drops_before + 50)) ]; }
if [ "$service_state" = "down down" ] && wait_until 3 dropped_more; then
	pass all_down_drops
else
	fail all_down_drops "states $service_state, drops $drops_before -> $(drops)"
fi
# ... or, with no_backend pass, handed to the kernel (counted as passes).
drops_before=$(drops)
in_client python3 "$NETNS_DIR/health_tool.py" blast "$VIP" 56 50
passed_more() { [ "$(passes)" -ge $((passes_before + 50)) ]; }
if wait_until 3 passed_more && [ "$(drops)" = "$drops_before" ]; then
	pass all_down_passes
else
	fail all_down_passes "passes $passes_before -> $(passes), drops $drops_before -> $(drops)"
fi

wait_until 3 no_sleepers && pass exec_killed || fail exec_killed "$(sleepers) sleep processes left"

# A restart that adopts the pinned data plane re-checks, starting from the state the
# previous daemon left: the dark backends stay down (no "up -> down" again), the dns
# ones stay up (no "down -> up"). The slow service goes first (a reload stops its check
# and kills the command): a daemon killed with SIGKILL cannot kill its commands.
conf "b1 b2 b3" without_slow >"$NETNS_TMP/xvs.conf"
out=$(ctl reload 2>&1) || true
if [ "$out" = "reload: ok" ] && wait_until 3 no_sleepers; then
	pass reload_stops_exec
else
	fail reload_stops_exec "$out, $(sleepers) sleep processes"
fi
kill -KILL "$XVSD_PID"
wait "$XVSD_PID" 2>/dev/null || true
mv "$NETNS_TMP/xvsd.log" "$NETNS_TMP/xvsd-first.log"
start_xvsd
checked_again() { [ "$(tool field "$SOCK" dark "$(addr b1)" "b['check']['checks']" 2>/dev/null)" -ge 2 ] 2>/dev/null; }
if wait_until 10 checked_again && grep -q adopted "$NETNS_TMP/xvsd.log" &&
	[ "$(tool field "$SOCK" dark "$(addr b1)" "b['state']")" = down ] &&
	[ "$(tool field "$SOCK" dns "$(addr b2)" "b['state']")" = up ] &&
	! grep -q "dark: backend .*up -> down\|dns: backend .*down -> up" "$NETNS_TMP/xvsd.log"; then
	pass adopted_state_kept
else
	fail adopted_state_kept "$(grep -i 'adopt\|->' "$NETNS_TMP/xvsd.log" | head -n 5)"
fi
if xvsd_check_stop stop; then
	wait_until 3 no_sleepers && pass stop || fail stop "exec children left after the stop"
fi
netns_finish
