#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Runs every test (unit, configuration, BPF fixtures, network namespaces) and
# ends with one line "N passed, N failed". Tests print PASS:/FAIL:/SKIP: lines.
set -u
cd "$(dirname "$0")/.." || exit 1

# Debian's own tools first: the tests use Debian's python3 and its python3-* packages
# (scapy), which a python3 earlier on PATH (a pyenv shim, a venv) may lack; a shim
# also costs ~0.1 s per start, and the tests start python3 hundreds of times.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin${PATH:+:$PATH}

export XVSD=${XVSD:-build/san/xvsd}
export XVSCTL=${XVSCTL:-build/san/xvsctl}
# Sanitizers: stop at the first error, report leaks.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

passed=0 failed=0 skipped=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Runs one test program, echoes its output and counts its PASS/FAIL/SKIP
# lines; a program that fails without saying which case failed counts once.
run() {
	local name=$1
	shift
	local start=$SECONDS status p f s
	echo "== $name"
	"$@" >"$log" 2>&1
	status=$?
	cat "$log"
	p=$(grep -c '^PASS: ' "$log")
	f=$(grep -c '^FAIL: ' "$log")
	s=$(grep -c '^SKIP: ' "$log")
	if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL: $name: exit status $status"
		f=1
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	echo "-- $name: $p passed, $f failed ($((SECONDS - start)) s)"
}

for t in build/tests/unit/test_*; do
	[ -x "$t" ] && run "unit/$(basename "$t")" "$t"
done
run conf bash tests/conf/run.sh
for t in build/tests/bpf/test_*; do
	[ -x "$t" ] && run "bpf/$(basename "$t")" "$t"
done
# Each fuzzer briefly, seeded with tests/fuzz/corpus/NAME for fuzz_NAME when
# there is one, else with the configuration corpus; FUZZ_SECONDS longer for a
# real run.
fuzz() {
	local fuzzer=$1 corpus seeds
	corpus=$(mktemp -d)
	seeds=tests/fuzz/corpus/$(basename "$fuzzer" | sed 's/^fuzz_//')
	if [ -d "$seeds" ]; then
		cp "$seeds"/* "$corpus"/
	else
		cp tests/conf/good/*.conf tests/conf/bad/*.conf "$corpus"/
	fi
	if "$fuzzer" -max_total_time="${FUZZ_SECONDS:-10}" -max_len=4096 -timeout=5 \
		-artifact_prefix="$corpus/" "$corpus" >"$corpus/log" 2>&1; then
		echo "PASS: fuzz/$(basename "$fuzzer"): $(grep -o 'Done [0-9]* runs' "$corpus/log")"
	else
		tail -40 "$corpus/log"
		echo "FAIL: fuzz/$(basename "$fuzzer"): crash, leak or timeout (log above)"
	fi
	rm -rf "$corpus"
}
for t in build/fuzz/fuzz_*; do
	[ -x "$t" ] && run "fuzz/$(basename "$t")" fuzz "$t"
done
for t in tests/netns/test_*.sh; do
	[ -f "$t" ] && run "netns/$(basename "$t" .sh)" bash "$t"
done
# Debian 12's 6.1 kernel under qemu (make test-vm): VM_TESTS=0 leaves it out.
[ "${VM_TESTS:-1}" = 1 ] && run vm bash tests/vm/run.sh

echo
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
