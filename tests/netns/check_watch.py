#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# Watches backends' health through `xvsctl list --json` for the check tests: when did each
# reach a state, measured from a given start, all polled together so that one backend's
# wait does not delay another's measurement.
"""Usage: check_watch.py XVSCTL SOCK STATE START_MS LIMIT_S SERVICE/ADDRESS...

STATE up means state "up" with check result "ok" (a backend starts up before its first
check); any other STATE is compared with "state" alone. Prints one line per target:
"SERVICE/ADDRESS MS" (milliseconds from START_MS, the epoch time in ms at which the
server stopped or started) or "SERVICE/ADDRESS never: STATE, RESULT: DETAIL" when LIMIT_S
passed first. Exits 0 when every target got there.
"""

import json
import subprocess
import sys
import time


def backends(xvsctl, sock):
    try:
        out = subprocess.run([xvsctl, "-s", sock, "list", "--json"], capture_output=True,
                             timeout=5, check=True).stdout
        document = json.loads(out)
    except (subprocess.SubprocessError, ValueError):
        return {}
    found = {}
    for service in document.get("services", []):
        for backend in service.get("backends", []):
            check = backend.get("check") or {}
            found[service["name"] + "/" + backend["address"]] = (
                backend.get("state"), check.get("result"), check.get("detail"))
    return found


def reached(state, seen):
    if seen is None:
        return False
    if state == "up":
        return seen[0] == "up" and seen[1] == "ok"
    return seen[0] == state


def main():
    xvsctl, sock, state, start_ms, limit = sys.argv[1:6]
    targets = sys.argv[6:]
    deadline = time.monotonic() + float(limit)
    times, last = {}, {}
    while len(times) < len(targets) and time.monotonic() < deadline:
        now_ms = time.time() * 1000
        found = backends(xvsctl, sock)
        for target in targets:
            last[target] = found.get(target, last.get(target))
            if target not in times and reached(state, found.get(target)):
                times[target] = int(now_ms - int(start_ms))
        time.sleep(0.02)
    for target in targets:
        if target in times:
            print("%s %d" % (target, times[target]))
        else:
            print("%s never: %s, %s: %s" % ((target,) + tuple(last.get(target) or ("?",) * 3)))
    return 0 if len(times) == len(targets) else 1


if __name__ == "__main__":
    sys.exit(main())
