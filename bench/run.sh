#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The xvs benchmark (issue 9): xvs against a bare XDP forwarder and the nftables
# DNAT path on one netns/veth topology; `--smoke` only checks every path delivers.
#
# Usage: bench/run.sh [--smoke]     (root; `make bench` runs the full version)
# Environment: BENCH_REPS (3), BENCH_SECONDS (4, per pps run), BENCH_SECTIONS
# ("main backends services flows memory").
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
SMOKE=0
[ "${1:-}" = --smoke ] && SMOKE=1
REPS=${BENCH_REPS:-3}
PPS_SECONDS=${BENCH_SECONDS:-4}
LATENCY_SECONDS=2
CRR_SECONDS=2
SECTIONS=${BENCH_SECTIONS:-main backends services flows memory}
BENCH_BIN=$ROOT/build/bench
XVS_PASS_OBJ=$ROOT/build/bpf/xvs_pass.bpf.o
XVSD=$ROOT/build/xvsd
XVSCTL=$ROOT/build/xvsctl
BENCH_PREFIX=xb$$
BENCH_RUN_DIR=/run/xvs-bench-$$
HZ=$(getconf CLK_TCK)

if [ "$(id -u)" != 0 ]; then
	echo "bench: must run as root (network namespaces, XDP)" >&2
	exit 1
fi
make --no-print-directory -s all bench-build build/bpf/xvs_pass.bpf.o >/dev/null
for tool in nft nftlb ethtool python3; do
	command -v $tool >/dev/null || { echo "bench: $tool is missing; run scripts/deps.sh" >&2; exit 1; }
done
BENCH_TMP=$(mktemp -d /tmp/xvs-bench.XXXXXX)
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

# record SECTION PATH PARAM METRIC VALUE
record() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$RAW"; }
log() { echo "bench: $*" >&2; }

# Lowest idle share (percent) of any CPU over one second.
idle_percent() {
	local a b
	a=$(grep '^cpu[0-9]' /proc/stat)
	sleep 1
	b=$(grep '^cpu[0-9]' /proc/stat)
	paste <(echo "$a") <(echo "$b") | awk '{
		n = (NF - 2) / 2; busy = 0; total = 0
		for (i = 2; i <= n + 1; i++) { d = $(i + n + 1) - $i; total += d; if (i != 5 && i != 6) busy += d }
		idle = total ? 100 * (total - busy) / total : 100
		if (NR == 1 || idle < min) min = idle
	} END { printf "%.0f\n", min }'
}

# CPU ticks (utime + stime) of every ksoftirqd: softirq work the sender did
# not do itself.
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

LOAD_DST=$BENCH_VIP
COUNT_AT=(sink eth0)

# path_up PATH BACKENDS SERVICES: sets LOAD_DST and where delivered packets are counted.
path_up() {
	local path=$1 backends=${2:-2} services=${3:-1}
	LOAD_DST=$BENCH_VIP
	COUNT_AT=(sink eth0)
	case $path in
	gen-only)
		lb_programs "$BENCH_BIN/sink.bpf.o" "$XVS_PASS_OBJ"
		COUNT_AT=(lb eth0)
		;;
	route) LOAD_DST=$(backend_ip 0) ;;
	fwd)
		in_ns lb "$BENCH_BIN/xdpload" fwd eth0 eth1 "$BENCH_VIP" "$backends" "$SINK_MAC" \
			"$BENCH_BIN/fwd.bpf.o"
		;;
	xvs-*)
		xvs_up "${path#xvs-}" "$backends" "$services" rr
		;;
	nft-jhash) nft_up "$backends" "$services" ;;
	nftlb) nftlb_up "$backends" ;;
	*) return 1 ;;
	esac
}

path_down() {
	case $1 in
	gen-only | fwd) lb_programs "$XVS_PASS_OBJ" "$XVS_PASS_OBJ" ;;
	xvs-*) xvs_down ;;
	nft-jhash) nft_down ;;
	nftlb) nftlb_down ;;
	esac
}

delivered_count() { in_ns "${COUNT_AT[0]}" "$BENCH_BIN/xdpload" count "${COUNT_AT[1]}"; }

# measure SECTION PATH PARAM THREADS [DPORTS [SECONDS]]: one generator run.
# One thread runs on CPU 1 (cost); two on CPUs 0 and 1 (peak rate).
measure() {
	local section=$1 path=$2 param=$3 threads=$4 dports=${5:-1} seconds=${6:-$PPS_SECONDS}
	local idle c0 c1 k0 k1 out sent cpu_ns wall delivered cpu=1
	[ "$threads" -gt 1 ] && cpu=0
	if [ $SMOKE = 0 ]; then
		idle=$(idle_percent)
		record "$section" "$path" "$param" idle "$idle"
	fi
	c0=$(delivered_count)
	k0=$(ksoftirqd_ticks)
	out=$(in_ns gen "$BENCH_BIN/gen" -i eth0 -m "$LB0_MAC" -s 10.0.0.2 -d "$LOAD_DST" \
		-P "$dports" -f 1000 -t "$seconds" -T "$threads" -c $cpu)
	sleep 0.2
	k1=$(ksoftirqd_ticks)
	c1=$(delivered_count)
	sent=$(sed -n 's/.*sent=\([0-9]*\).*/\1/p' <<<"$out")
	wall=$(sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' <<<"$out")
	cpu_ns=$(sed -n 's/.*cpu_ns=\([0-9]*\).*/\1/p' <<<"$out")
	delivered=$((c1 - c0))
	LAST_DELIVERED=$delivered
	record "$section" "$path" "$param" "sent_pps_t$threads" "$(awk -v s="$sent" -v w="$wall" 'BEGIN { printf "%.0f", s / w }')"
	record "$section" "$path" "$param" "pps_t$threads" "$(awk -v s="$delivered" -v w="$wall" 'BEGIN { printf "%.0f", s / w }')"
	if [ "$threads" = 1 ] && [ "$delivered" -gt 0 ]; then
		record "$section" "$path" "$param" ns_per_packet "$(awk -v c="$cpu_ns" -v k=$((k1 - k0)) -v hz="$HZ" -v d="$delivered" \
			'BEGIN { printf "%.0f", (c + k * 1e9 / hz) / d }')"
	fi
}

# latency_and_crr PATH: UDP round trips and TCP connections through the path
# (client on CPU 0 in gen, servers on CPU 1 in sink).
latency_and_crr() {
	local path=$1 dst=$BENCH_VIP out
	[ "$path" = route ] && dst=$(backend_ip 0)
	[ "$path" = xvs-tun ] && sink_decap on
	out=$(in_ns gen "$BENCH_BIN/pingpong" udp-client "$dst" "$BENCH_UDP_LATENCY_PORT" 0 "$LATENCY_SECONDS") || true
	record main "$path" - rtt_p50_us "$(sed -n 's/.*rtt_p50_us=\([0-9.na]*\).*/\1/p' <<<"$out")"
	record main "$path" - rtt_p99_us "$(sed -n 's/.*rtt_p99_us=\([0-9.na]*\).*/\1/p' <<<"$out")"
	out=$(in_ns gen "$BENCH_BIN/pingpong" tcp-client "$dst" "$BENCH_TCP_PORT" 0 "$CRR_SECONDS") || true
	record main "$path" - tcp_conns_per_s "$(sed -n 's/.*conns_per_s=\([0-9]*\).*/\1/p' <<<"$out")"
	[ "$path" = xvs-tun ] && sink_decap off
	return 0
}

servers_start() {
	ip netns exec "$(bench_ns sink)" "$BENCH_BIN/pingpong" udp-server "$BENCH_UDP_LATENCY_PORT" 1 \
		>"$BENCH_TMP/udp-server.log" 2>&1 </dev/null &
	ip netns exec "$(bench_ns sink)" "$BENCH_BIN/pingpong" tcp-server "$BENCH_TCP_PORT" 1 \
		>"$BENCH_TMP/tcp-server.log" 2>&1 </dev/null &
}

PATHS=(gen-only route fwd xvs-dr)
if xvs_mode_built tun; then
	PATHS+=(xvs-tun)
else
	record na xvs-tun - reason "n/a (not built yet)"
fi
for mode in nat snat; do
	xvs_mode_built $mode && PATHS+=("xvs-$mode") || record na "xvs-$mode" - reason "n/a (not built yet)"
done
PATHS+=(nft-jhash nftlb)

topology_up
servers_start

if [ $SMOKE = 1 ]; then
	failed=0
	for path in "${PATHS[@]}"; do
		if path_up "$path" 2 1 && measure smoke "$path" - 1 1 1 && [ "$LAST_DELIVERED" -gt 0 ]; then
			echo "PASS: bench/smoke/$path"
		else
			echo "FAIL: bench/smoke/$path: no packets delivered"
			failed=1
		fi
		path_down "$path" || true
	done
	exit $failed
fi

start=$SECONDS
record env - - kernel "$(uname -r)"
record env - - cpus "$(nproc)"
record env - - reps "$REPS"
record env - - seconds "$PPS_SECONDS"
record env - - xvsd_version "$("$XVSD" -V 2>&1 | head -1)"
for rep in $(seq 1 "$REPS"); do
	if [[ " $SECTIONS " == *" main "* ]]; then
		for path in "${PATHS[@]}"; do
			log "rep $rep/$REPS main $path"
			if ! path_up "$path" 2 1; then
				record na "$path" - reason "n/a (failed to start: see xvsd's error above)"
				path_down "$path" || true
				continue
			fi
			measure main "$path" - 1
			measure main "$path" - 2
			[ "$path" = gen-only ] || latency_and_crr "$path"
			path_down "$path"
		done
		in_ns sink nstat -az UdpInCsumErrors | awk '$1 == "UdpInCsumErrors" { print $2 }' |
			while read -r n; do record main - - udp_csum_errors "$n"; done
	fi
	if [[ " $SECTIONS " == *" backends "* ]]; then
		for backends in 2 64 256 1024; do
			for path in fwd xvs-dr nft-jhash; do
				log "rep $rep/$REPS backends=$backends $path"
				path_up "$path" "$backends" 1
				measure backends "$path" "$backends" 1
				path_down "$path"
			done
		done
	fi
	if [[ " $SECTIONS " == *" services "* ]]; then
		for services in 1 1000; do
			for path in xvs-dr nft-jhash; do
				log "rep $rep/$REPS services=$services $path"
				path_up "$path" 2 "$services"
				measure services "$path" "$services" 1 "$services"
				path_down "$path"
			done
		done
	fi
	if [[ " $SECTIONS " == *" flows "* ]]; then
		log "rep $rep/$REPS flows xvs-dr"
		path_up xvs-dr 2 1
		measure flows xvs-dr 1k 1 1
		in_ns lb "$BENCH_BIN/xdpload" conns-fill eth0 1000000 >/dev/null
		measure flows xvs-dr 1M 1 1
		path_down xvs-dr
	fi
done
if [[ " $SECTIONS " == *" memory "* ]]; then
	for size in 64k 1m; do
		BENCH_CONN_TABLE=$size path_up xvs-dr 2 1
		read -r memlock entries < <(in_ns lb "$BENCH_BIN/xdpload" conns-memlock eth0)
		record memory xvs-dr "$entries" memlock "$memlock"
		path_down xvs-dr
	done
	record memory nf_conntrack - objsize "$(awk '$1 == "nf_conntrack" { print $4 }' /proc/slabinfo)"
fi
record env - - duration_s $((SECONDS - start))

stamp=$(date -u +%Y%m%d-%H%M%S)
mkdir -p bench/results
cp "$RAW" "bench/results/$stamp.tsv"
python3 bench/report.py "bench/results/$stamp.tsv" bench/results | tee "bench/results/$stamp.txt"
cp "bench/results/$stamp.txt" bench/results/latest.txt
echo "bench: results in bench/results/$stamp.txt (raw: $stamp.tsv), bench/results/latest.txt" >&2
