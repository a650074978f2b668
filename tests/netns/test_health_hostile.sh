#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Hostile check replies: a backend answering http checks with garbage, 1 MiB of headers
# that never end, a slow-loris drip, another protocol, silence or a reset, and dns checks
# with junk datagrams. Each check fails with its own result, counted in the API and
# /metrics, while the API keeps answering promptly (its slowest request is measured
# during the attack) and the healthy backend next to them stays up.
#
#  hhPID-lb 10.0.1.2 (xvsd) -- hhPID-switch br0 -- hhPID-b1 10.0.1.11: health_tool.py
#                                                  hostile 9001..9006 (tcp), junk 9053 (udp)
#                                               -- hhPID-b2 10.0.1.12: echo_server.py 80
#  (the lab's client and router are there, unused)
#
# Prints PASS:/FAIL: netns/health_hostile/NAME lines, or SKIP: netns/health_hostile: REASON.
set -euo pipefail

NETNS_TEST=netns/health_hostile
# shellcheck source=tests/netns/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VIP=10.0.1.100
# A long timeout: a check that blocked the daemon would stall the API for seconds.
TIMING="interval 3s timeout 2s rise 1 fall 1"

require_netns
netns_begin hh
LAB_ECHO_SERVERS=0 netns_lab_up
state=$(lab_state_dir "$P")
tool() { python3 "$NETNS_DIR/health_tool.py" "$@"; }
B1=${LAB_BACKEND_ADDR[b1]}
B2=${LAB_BACKEND_ADDR[b2]}

(ip netns exec "$P-b1" python3 "$NETNS_DIR/health_tool.py" hostile "$B1" 9001 \
	"$state/b1-hostile.pid" >"$NETNS_TMP/hostile.log" 2>&1 </dev/null &)
(ip netns exec "$P-b2" python3 "$NETNS_DIR/echo_server.py" --name b2 --address "$B2" \
	--udp-port 53 --tcp-port 80 --pidfile "$state/b2-echo.pid" >"$NETNS_TMP/b2.log" 2>&1 </dev/null &)
wait_pidfile 10 "$state/b1-hostile.pid" "hostile servers" "$NETNS_TMP/hostile.log"
wait_pidfile 10 "$state/b2-echo.pid" "echo server" "$NETNS_TMP/b2.log"

# One service per behaviour, each checking b1 on its port, and a healthy one on b2.
names=(garbage oversized slowloris wrong_protocol silent reset)
expected=(garbage oversized timeout garbage timeout closed)
{
	xvsd_conf_head eth0
	for i in "${!names[@]}"; do
		conf_service "${names[$i]}" "$VIP" $((8001 + i)) tcp dr "$B1" \
			"check http path /health $TIMING" | sed "s/backend $B1/backend $B1 check_port $((9001 + i))/"
	done
	conf_service junk "$VIP" 8053 udp dr "$B1" "check dns query example.org port 9053 $TIMING"
	conf_service healthy "$VIP" 80 tcp dr "$B2" "check tcp send \"ok\\n\" interval 300ms timeout 200ms"
} >"$NETNS_TMP/xvs.conf"
xvsd_start "$P" "$NETNS_TMP/xvs.conf" "$NETNS_TMP/xvsd.log"
if tool wait "$SOCK" healthy "$B2" up 10 >/dev/null; then
	pass ready
else
	fail ready "$(tail -n 5 "$NETNS_TMP/xvsd.log")"
	exit 1
fi

# The API during the attack: 30 requests over 3 s (the first checks run then).
slowest=$(tool latency "$SOCK" 30 3)
echo "# API: slowest of 30 requests during the attack: $slowest ms" >&2
if python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) < 1000 else 1)' "$slowest"; then
	pass api_prompt
else
	fail api_prompt "slowest request $slowest ms"
fi

# Each hostile backend down with its own result.
for i in "${!names[@]}"; do
	name=${names[$i]}
	if tool wait "$SOCK" "$name" "$B1" down 8 >/dev/null; then
		result=$(tool field "$SOCK" "$name" "$B1" "b['check']['result']")
		if [ "$result" = "${expected[$i]}" ]; then
			pass "$name"
		else
			fail "$name" "result $result, expected ${expected[$i]}: $(tool field "$SOCK" "$name" "$B1" "b['check']")"
		fi
	else
		fail "$name" "not down: $(tool field "$SOCK" "$name" "$B1" "b['check']")"
	fi
done
# The slow-loris check ended at its timeout, not when the drip ended (30 s).
latency=$(tool field "$SOCK" slowloris "$B1" "int(b['check']['latency_ms'])")
[ "$latency" -ge 1900 ] && [ "$latency" -le 2600 ] && pass slowloris_ends_at_timeout ||
	fail slowloris_ends_at_timeout "${latency} ms"

# dns answered with junk datagrams: garbage (or a timeout when every one was ignored as
# not a reply to this query), never up.
if tool wait "$SOCK" junk "$B1" down 8 >/dev/null; then
	result=$(tool field "$SOCK" junk "$B1" "b['check']['result']")
	case $result in
	garbage | timeout) pass junk_datagrams ;;
	*) fail junk_datagrams "$result" ;;
	esac
else
	fail junk_datagrams "not down: $(tool field "$SOCK" junk "$B1" "b['check']")"
fi

# Counted by result name in /metrics, and the healthy backend never went down.
curl -s --unix-socket "$SOCK" http://localhost/metrics >"$NETNS_TMP/metrics.txt"
missing=
for i in "${!names[@]}"; do
	grep -q "^xvs_health_checks_total{service=\"${names[$i]}\",backend=\"$B1:$((8001 + i))\",result=\"${expected[$i]}\"} [1-9]" \
		"$NETNS_TMP/metrics.txt" || missing+=" ${names[$i]}"
done
[ -z "$missing" ] && pass counted || fail counted "no count for:$missing"
changes=$(tool field "$SOCK" healthy "$B2" "b['state'] + ' ' + str(b['check']['state_changes'])")
[ "$changes" = "up 0" ] && pass healthy_stays_up || fail healthy_stays_up "$changes"
slowest=$(tool latency "$SOCK" 20 2)
echo "# API: slowest of 20 requests in the second round: $slowest ms" >&2

if xvsd_check_stop stop; then
	if grep -q "AddressSanitizer\|runtime error" "$NETNS_TMP/xvsd.log"; then
		fail stop "sanitizer report in the log"
	else
		pass stop
	fi
fi
netns_finish
