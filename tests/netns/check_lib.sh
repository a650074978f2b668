# SPDX-License-Identifier: GPL-2.0-only
# Helpers for the health-check tests (test_check_*.sh): a backend's state from the API,
# waits on it, the down/up timings after a server stops and starts, and "traffic through
# the VIP avoids a backend". Source it after lib.sh; don't run it.
# shellcheck shell=bash

# Every check in these tests: fast enough for a test, slow enough for a shared box.
CHECK_INTERVAL_MS=300
CHECK_TIMEOUT_MS=200
CHECK_RISE=2
CHECK_FALL=2
CHECK_TIMING="interval ${CHECK_INTERVAL_MS}ms timeout ${CHECK_TIMEOUT_MS}ms rise $CHECK_RISE fall $CHECK_FALL"
# What the API polling and a loaded 2-core machine add to a state change.
CHECK_SLACK_MS=1500

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# backend_field SERVICE ADDRESS FIELD: the backend's FIELD in `xvsctl list --json`; FIELD
# may name a member of an object: check.result.
backend_field() {
	"$XVSCTL" -s "$SOCK" list --json 2>/dev/null | python3 2>/dev/null -c '
import json, sys
service, address, field = sys.argv[1:4]
for s in json.load(sys.stdin)["services"]:
    if s["name"] == service:
        for b in s["backends"]:
            if b["address"] == address:
                value = b
                for key in field.split("."):
                    value = value.get(key) if isinstance(value, dict) else None
                print(json.dumps(value) if isinstance(value, (dict, list)) else value)
                sys.exit(0)
sys.exit(1)' "$1" "$2" "$3"
}

backend_state() { backend_field "$1" "$2" state; }

# health_watch ARGS...: check_watch.py with this test's xvsctl and socket (see there).
health_watch() {
	local options=()
	while [ "${1:0:2}" = -- ]; do
		options+=("$1" "$2")
		shift 2
	done
	python3 "$NETNS_DIR/check_watch.py" "${options[@]}" "$XVSCTL" "$SOCK" "$@"
}

# targets SERVICE ADDRESS...: SERVICE/ADDRESS for each ADDRESS.
targets() {
	local service=$1 address
	shift
	for address in "$@"; do
		echo "$service/$address"
	done
}

# check_backends_up NAME SECONDS SERVICE ADDRESS...: PASS NAME once all are up with a
# check result ok, else FAIL NAME with each backend's state and exit (nothing else can
# be tested then).
check_backends_up() {
	local name=$1 limit=$2 service=$3 out
	shift 3
	if out=$(health_watch up "$(now_ms)" "$limit" $(targets "$service" "$@")); then
		pass "$name"
		return 0
	fi
	fail "$name" "$service not up within $limit s: $out; xvsd: $(tail -n 3 "$NETNS_TMP/xvsd.log")"
	exit 1
}

# check_stays_down NAME SECONDS SERVICE RESULT ADDRESS...: PASS NAME when every ADDRESS
# goes down (within 5 s: the first result decides) with the check result RESULT and stays
# so for SECONDS more, else FAIL NAME.
check_stays_down() {
	local name=$1 hold=$2 service=$3 result=$4 out
	shift 4
	if out=$(health_watch --hold "$hold" --result "$result" down "$(now_ms)" 5 \
		$(targets "$service" "$@")); then
		echo "# $name: $(echo "$out" | head -n 1)"
		pass "$name"
	else
		fail "$name" "expected down, $result: $(echo "$out" | tr '\n' ' ')"
	fi
}

# check_transitions NAME START_MS STATE BOUND_MS SERVICE/ADDRESS...: PASS NAME when every
# backend reaches STATE within BOUND_MS + slack of START_MS (the time, in ms, at which its
# server stopped or started), else FAIL NAME. Prints the measured delays.
check_transitions() {
	local name=$1 start=$2 state=$3 bound=$4 limit out status=0 target ms late=
	shift 4
	limit=$(((bound + CHECK_SLACK_MS) / 1000 + 5))
	out=$(health_watch "$state" "$start" "$limit" "$@") || status=$?
	echo "# $name ($state, bound $bound ms + slack $CHECK_SLACK_MS ms): $(echo "$out" | tr '\n' ' ')"
	if [ "$status" != 0 ]; then
		fail "$name" "not $state within $limit s: $(echo "$out" | tr '\n' ' ')"
		return 0
	fi
	while read -r target ms _; do
		[ "$ms" -le $((bound + CHECK_SLACK_MS)) ] || late+="$target after $ms ms "
	done <<<"$out"
	if [ -n "$late" ]; then
		fail "$name" "$state too late: $late(bound $bound ms + $CHECK_SLACK_MS ms)"
	else
		pass "$name"
	fi
}

# The bounds of the tests' timing: down within fall x interval + timeout, up within
# rise x interval (+ timeout for the last check's own time).
CHECK_DOWN_BOUND_MS=$((CHECK_FALL * CHECK_INTERVAL_MS + CHECK_TIMEOUT_MS))
CHECK_UP_BOUND_MS=$((CHECK_RISE * CHECK_INTERVAL_MS + CHECK_TIMEOUT_MS))

# check_answers NAME AVOID FILE: FILE holds one answering backend name per line (or an
# error line); PASS NAME when every line names a backend other than AVOID (empty: any
# backend) and every backend but AVOID answered, else FAIL NAME.
check_answers() {
	local name=$1 avoid=$2 file=$3 out
	if out=$(python3 - "$avoid" "$file" "${LAB_BACKENDS[@]}" <<'EOF_PY'
import sys
avoid, path, backends = sys.argv[1], sys.argv[2], sys.argv[3:]
answers = [line.strip() for line in open(path)]
expected = [b for b in backends if b != avoid]
bad = [a for a in answers if a not in expected]
if not answers or bad:
    sys.exit(f"{len(bad)} of {len(answers)} answers not from {expected}: {bad[:3]}")
missing = sorted(set(expected) - set(answers))
if missing:
    sys.exit(f"no answer from {missing} in {len(answers)}: {answers}")
EOF_PY
	); then
		pass "$name"
	else
		fail "$name" "$out"
	fi
}

# server_started NODE WHAT PID: records PID as NODE-WHAT.pid in the lab state, so that
# lab_down stops the server when the test cannot.
server_started() {
	echo "$3" >"$(lab_state_dir "$P")/$1-$2.pid"
}

# stop_server NODE WHAT: stops the server recorded as NODE-WHAT.pid and waits for it to
# exit; sets STOPPED_MS to the time of the signal (a server may close its sockets any time
# after it, so delays measured from it are upper bounds).
stop_server() {
	local node=$1 what=$2 pid
	pid=$(cat "$(lab_state_dir "$P")/$node-$what.pid" 2>/dev/null || true)
	if [ -z "$pid" ]; then
		fail setup "no pid for $what on $node"
		exit 1
	fi
	STOPPED_MS=$(now_ms)
	kill -TERM "$pid" 2>/dev/null || true
	wait_until 10 not_alive "$pid" || kill -KILL "$pid" 2>/dev/null || true
	wait_until 5 not_alive "$pid" || true
	wait "$pid" 2>/dev/null || true
	rm -f "$(lab_state_dir "$P")/$node-$what.pid"
}
