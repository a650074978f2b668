# SPDX-License-Identifier: GPL-2.0-only
# In the test VM: the BPF fixtures (BPF_PROG_TEST_RUN) load and pass on this kernel.
# Their lines are theirs (PASS: bpf/...); a fixture that fails without one is a FAIL.
# Cases listed in known-failures-6.1 (open data plane bugs on 6.1) report SKIP while
# they fail, and FAIL once they pass (so the list shrinks with the fixes).
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=0
known=/tests/known-failures-6.1
is_known() { grep -qxF "$1" "$known" 2>/dev/null; }
for fixture in /build/tests/bpf/test_*; do
	[ -x "$fixture" ] || continue
	"$fixture" >/tmp/fixture.log 2>&1
	status=$?
	grep -E '^(PASS|FAIL|SKIP): ' /tmp/fixture.log | while IFS= read -r line; do
		name=${line#*: }
		name=${name%%: *}
		case $line in
		FAIL:*) is_known "$name" && line="SKIP: $name: known failure on $(uname -r) (tests/vm/known-failures-6.1): ${line#FAIL: $name: }" ;;
		PASS:*) is_known "$name" && line="FAIL: $name: passes now: remove it from tests/vm/known-failures-6.1" ;;
		esac
		echo "$line"
	done | awk '!/^SKIP:/ || !seen[$2]++'
	# The loader's words (verifier log) when something failed, for the console log.
	grep -q '^FAIL: ' /tmp/fixture.log && grep -vE '^(PASS|FAIL|SKIP): ' /tmp/fixture.log |
		tail -n "${VM_LOG_LINES:-40}" | sed 's/^/# /'
	if [ "$status" != 0 ] && ! grep -q '^FAIL: ' /tmp/fixture.log; then
		echo "FAIL: bpf/$(basename "$fixture"): exit status $status: $(tail -n 3 /tmp/fixture.log | tr '\n' ' ')"
	fi
done
