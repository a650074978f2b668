#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# A/B cost of the data plane of two xvsd builds on the benchmark topology, for
# changes to bpf/: interleaved repetitions, medians (docs/performance.md).
#
# Usage: bench/ab.sh XVSD_A XVSD_B [MODES]    (root; MODES default "dr nat";
# also nat-reply and snat-reply: the reply direction, backend -> client)
# Environment: AB_REPS (5), AB_SECONDS (3, per load run), AB_COUNT (test_run
# calls, 20000), AB_BACKENDS (2).
# Per build and mode: xdpload test-run figures (hot repeat, single calls, 1,000
# tracked flows cycled, new flows), bpf_stats ns/run of xvs_lb under the
# generator's load (1 thread, 1,000 flows), and the bench's ns/pkt (sender +
# ksoftirqd CPU per delivered packet, gen-only not subtracted). The reply
# modes run with one backend: 1,000 flows made by a 1-second generator run,
# then xdpload test-run-reply on the balancer's eth1 (reply_first: a flow's
# first reply, reply_single and reply_cold: later ones), and for nat-reply
# bpf_stats of xvs_lb while the sink sends the flows' replies (gen -r).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
if [ $# -lt 2 ] || [ "$(id -u)" != 0 ]; then
	echo "usage: bench/ab.sh XVSD_A XVSD_B [MODES] (as root)" >&2
	exit 2
fi
AB_XVSD=("$(realpath "$1")" "$(realpath "$2")")
MODES=${3:-dr nat}
REPS=${AB_REPS:-5}
SECONDS_LOAD=${AB_SECONDS:-3}
COUNT=${AB_COUNT:-20000}
BACKENDS=${AB_BACKENDS:-2}
BENCH_BIN=$ROOT/build/bench
XVS_PASS_OBJ=$ROOT/build/bpf/xvs_pass.bpf.o
XVSCTL=$ROOT/build/xvsctl
BENCH_PREFIX=xa$$
BENCH_RUN_DIR=/run/xvs-ab-$$
HZ=$(getconf CLK_TCK)
make --no-print-directory -s all bench-build build/bpf/xvs_pass.bpf.o >/dev/null
BENCH_TMP=$(mktemp -d /tmp/xvs-ab.XXXXXX)
RAW=$BENCH_TMP/raw.tsv
: >"$RAW"
XVSD_PID=
# shellcheck source=bench/topology.sh
. "$ROOT/bench/topology.sh"

cleanup() {
	xvs_down 2>/dev/null || true
	topology_down
	rm -rf "$BENCH_TMP" "$BENCH_RUN_DIR"
}
trap cleanup EXIT

ksoftirqd_ticks() {
	local pid total=0 stat
	for pid in $(pgrep -x 'ksoftirqd/[0-9]*'); do
		stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
		stat=${stat##*) }
		# shellcheck disable=SC2086
		set -- $stat
		total=$((total + ${12} + ${13}))
	done
	echo "$total"
}

record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$RAW"; }

# reply_run MODE(nat-reply|snat-reply) BUILD: the reply direction.
reply_run() {
	local mode=$1 build=$2 out key stats_pid
	xvs_up "${mode%-reply}" 1 1 rr
	in_ns gen "$BENCH_BIN/gen" -i eth0 -m "$LB0_MAC" -s 10.0.0.2 -d "$BENCH_VIP" \
		-S 10000 -f 1000 -t 1 -T 1 -c 1 >/dev/null
	out=$(in_ns lb "$BENCH_BIN/xdpload" test-run-reply eth1 "$COUNT")
	for key in reply_first_ns reply_single_ns reply_cold_ns; do
		record "$mode" "$build" "$key" "$(sed -n "s/.*$key=\([0-9.]*\).*/\1/p" <<<"$out")"
	done
	if [ "$mode" = nat-reply ]; then
		(sleep 0.5; in_ns lb "$BENCH_BIN/xdpload" prog-stats eth1 \
			"$((SECONDS_LOAD - 1))" >"$BENCH_TMP/stats") &
		stats_pid=$!
		in_ns sink "$BENCH_BIN/gen" -i eth0 -m "$LB1_MAC" -s "$(backend_ip 0)" -S 9000 \
			-d 10.0.0.2 -p 10000 -f 1000 -r -t "$SECONDS_LOAD" -T 1 -c 1 >/dev/null
		wait "$stats_pid"
		record "$mode" "$build" load_ns_per_run \
			"$(sed -n 's/.*ns_per_run=\([0-9.]*\).*/\1/p' "$BENCH_TMP/stats")"
	fi
	xvs_down
}

# one_run MODE BUILD(a|b): records test_run, bpf_stats and ns/pkt figures.
one_run() {
	local mode=$1 build=$2 out c0 c1 k0 k1 cpu_ns delivered key stats_pid
	XVSD=${AB_XVSD[0]}
	[ "$build" = b ] && XVSD=${AB_XVSD[1]}
	case $mode in
	*-reply) reply_run "$mode" "$build"; return ;;
	esac
	xvs_up "$mode" "$BACKENDS" 1 rr
	out=$(in_ns lb "$BENCH_BIN/xdpload" test-run eth0 "$BENCH_VIP" "$COUNT")
	for key in tracked_repeat_ns tracked_single_ns flows_single_ns cold_single_ns new_single_ns; do
		printf '%s\t%s\t%s\t%s\n' "$mode" "$build" "$key" \
			"$(sed -n "s/.*$key=\([0-9.]*\).*/\1/p" <<<"$out")" >>"$RAW"
	done
	c0=$(in_ns sink "$BENCH_BIN/xdpload" count eth0)
	k0=$(ksoftirqd_ticks)
	(sleep 0.5; in_ns lb "$BENCH_BIN/xdpload" prog-stats eth0 "$((SECONDS_LOAD - 1))" \
		>"$BENCH_TMP/stats") &
	stats_pid=$!
	out=$(in_ns gen "$BENCH_BIN/gen" -i eth0 -m "$LB0_MAC" -s 10.0.0.2 -d "$BENCH_VIP" \
		-f 1000 -t "$SECONDS_LOAD" -T 1 -c 1)
	wait "$stats_pid"
	sleep 0.2
	k1=$(ksoftirqd_ticks)
	c1=$(in_ns sink "$BENCH_BIN/xdpload" count eth0)
	cpu_ns=$(sed -n 's/.*cpu_ns=\([0-9]*\).*/\1/p' <<<"$out")
	delivered=$((c1 - c0))
	printf '%s\t%s\t%s\t%s\n' "$mode" "$build" load_ns_per_run \
		"$(sed -n 's/.*ns_per_run=\([0-9.]*\).*/\1/p' "$BENCH_TMP/stats")" >>"$RAW"
	printf '%s\t%s\t%s\t%s\n' "$mode" "$build" ns_per_packet \
		"$(awk -v c="$cpu_ns" -v k=$((k1 - k0)) -v hz="$HZ" -v d="$delivered" \
			'BEGIN { if (d > 0) printf "%.0f", (c + k * 1e9 / hz) / d }')" >>"$RAW"
	xvs_down
}

topology_up
for rep in $(seq 1 "$REPS"); do
	for mode in $MODES; do
		# ABBA order, so neither build always runs first.
		if [ $((rep % 2)) = 1 ]; then order="a b"; else order="b a"; fi
		for build in $order; do
			echo "ab: rep $rep/$REPS $mode $build" >&2
			one_run "$mode" "$build"
		done
	done
done

python3 - "$RAW" <<'EOF'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    mode, build, key, value = line.rstrip("\n").split("\t")
    if value:
        rows.setdefault((mode, key), {}).setdefault(build, []).append(float(value))
print(f"{'mode':6} {'metric':20} {'A median':>10} {'B median':>10} {'B-A':>8} {'B/A':>6} {'A min':>7} {'B min':>7}   (A, B: every run)")
for (mode, key), builds in rows.items():
    a, b = statistics.median(builds.get("a", [0])), statistics.median(builds.get("b", [0]))
    ratio = b / a if a else 0
    runs = " ".join(f"{v:.0f}" for v in builds.get("a", [])) + " | " + \
        " ".join(f"{v:.0f}" for v in builds.get("b", []))
    amin, bmin = min(builds.get("a", [0])), min(builds.get("b", [0]))
    print(f"{mode:6} {key:20} {a:10.0f} {b:10.0f} {b - a:8.0f} {ratio:6.2f} {amin:7.0f} {bmin:7.0f}   ({runs})")
EOF
