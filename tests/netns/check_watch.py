#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# Watches backends' health through `xvsctl list --json` for the check tests: when each
# reached a state, measured from a given start, and (with --hold) whether it stayed there;
# every target polled by one xvsctl call, so one wait does not delay another's measurement.
"""Usage: check_watch.py [--hold S] [--result NAME] XVSCTL SOCK STATE START_MS LIMIT_S
                        SERVICE/ADDRESS...

STATE up means state "up" with check result "ok" (a backend starts up before its first
check); any other STATE is compared with "state" alone, and with --result the check
result must be NAME too. Prints one line per target: "SERVICE/ADDRESS MS STATE, RESULT:
DETAIL" (MS: milliseconds from START_MS, the epoch time in ms at which the server stopped
or started) or "SERVICE/ADDRESS never STATE, RESULT: DETAIL" when LIMIT_S passed first.
With --hold S, once all got there they must stay so for S seconds more: a target that
leaves is printed as "SERVICE/ADDRESS left STATE, RESULT: DETAIL". Exits 0 when every
target got there (and stayed).
"""

import argparse
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


def reached(args, seen):
    if seen is None:
        return False
    if args.state == "up":
        return seen[0] == "up" and seen[1] == "ok"
    return seen[0] == args.state and args.result in (None, seen[1])


def says(seen):
    return "%s, %s: %s" % tuple(seen or ("?", "?", "?"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--hold", type=float, default=0)
    parser.add_argument("--result")
    for name in ("xvsctl", "sock", "state", "start_ms", "limit"):
        parser.add_argument(name)
    parser.add_argument("targets", nargs="+")
    args = parser.parse_args()
    deadline = time.monotonic() + float(args.limit)
    times, last, left = {}, {}, {}
    while len(times) < len(args.targets) and time.monotonic() < deadline:
        now_ms = time.time() * 1000
        found = backends(args.xvsctl, args.sock)
        for target in args.targets:
            last[target] = found.get(target, last.get(target))
            if target not in times and reached(args, found.get(target)):
                times[target] = int(now_ms - int(args.start_ms))
        time.sleep(0.02)
    hold_end = time.monotonic() + args.hold
    while args.hold and len(times) == len(args.targets) and not left:
        found = backends(args.xvsctl, args.sock)
        for target in args.targets:
            last[target] = found.get(target)
            if not reached(args, last[target]):
                left[target] = last[target]
        if time.monotonic() >= hold_end:
            break
        time.sleep(0.1)
    for target in args.targets:
        if target in left:
            print("%s left %s" % (target, says(left[target])))
        elif target in times:
            print("%s %d %s" % (target, times[target], says(last.get(target))))
        else:
            print("%s never %s" % (target, says(last.get(target))))
    return 0 if len(times) == len(args.targets) and not left else 1


if __name__ == "__main__":
    sys.exit(main())
