# SPDX-License-Identifier: GPL-2.0-only
# In the test VM: the BPF fixtures (BPF_PROG_TEST_RUN) load and pass on this kernel.
# Their lines are theirs (PASS: bpf/...); a fixture that fails without one is a FAIL.
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=0
for fixture in /build/tests/bpf/test_*; do
	[ -x "$fixture" ] || continue
	# The guest's clock (CLOCK_MONOTONIC, bpf_ktime_get_ns) counts from its boot:
	# cases that age entries need a few seconds of it (tests/bpf/lb_fixture.h).
	echo "# $(basename "$fixture"): from $(cut -d' ' -f1 /proc/uptime) s of uptime"
	"$fixture" >/tmp/fixture.log 2>&1
	status=$?
	grep -E '^(PASS|FAIL|SKIP): ' /tmp/fixture.log
	# The loader's words (verifier log) when something failed, for the console log.
	grep -q '^FAIL: ' /tmp/fixture.log && grep -vE '^(PASS|FAIL|SKIP): ' /tmp/fixture.log |
		tail -n "${VM_LOG_LINES:-40}" | sed 's/^/# /'
	if [ "$status" != 0 ] && ! grep -q '^FAIL: ' /tmp/fixture.log; then
		echo "FAIL: bpf/$(basename "$fixture"): exit status $status: $(tail -n 3 /tmp/fixture.log | tr '\n' ' ')"
	fi
done
