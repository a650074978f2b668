#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# Checks for test_sip.sh: reads the SIP servers' logs, the clients' JSON and
# xvsctl list --json; exits non-zero with a one-line reason when a check fails.
"""Usage: sip_verify.py answered CALLS_JSON COUNT
          sip_verify.py sticky NAME=LOG...
          sip_verify.py spread CALLS NAME=LOG...
          sip_verify.py trunk CALLS_JSON BACKENDS
          sip_verify.py probe COUNT PROBE_JSON...
          sip_verify.py counters LIST_JSON SERVICE NAME=ADDRESS=LOG...
"""

import json
import sys


def die(message):
    print(message)
    sys.exit(1)


def read_logs(specs):
    """NAME=LOG... -> {name: [message...]}"""
    logs = {}
    for spec in specs:
        name, path = spec.split("=", 1)
        with open(path) as f:
            logs[name] = [json.loads(line) for line in f if line.strip()]
    return logs


def calls_by_backend(logs):
    """{callid: set of backends that received a message of it}"""
    where = {}
    for name, messages in logs.items():
        for m in messages:
            if m["callid"]:
                where.setdefault(m["callid"], set()).add(name)
    return where


def cmd_answered(path, count):
    with open(path) as f:
        messages = json.load(f)["messages"]
    bad = [m for m in messages if m["error"] or (m["method"] != "ACK" and not m["backend"])]
    if len(messages) != int(count) or bad:
        die(f"{len(messages)} messages of {count}; failed: {bad[:3]}")
    for m in messages:
        others = {n["backend"] for n in messages
                  if n["callid"] == m["callid"] and n["backend"]}
        if len(others) != 1:
            die(f"call {m['callid']} answered by {sorted(others)}")


def cmd_sticky(*specs):
    where = calls_by_backend(read_logs(specs))
    split = {c: sorted(b) for c, b in where.items() if len(b) > 1}
    if not where or split:
        die(f"{len(split)} of {len(where)} calls reached several backends: "
            f"{list(split.items())[:3]}")


def cmd_spread(calls, *specs):
    logs = read_logs(specs)
    where = calls_by_backend(logs)
    per_backend = {name: sum(1 for b in where.values() if name in b) for name in logs}
    if len(where) != int(calls):
        die(f"{len(where)} calls seen, {calls} made")
    idle = [name for name, n in per_backend.items() if n == 0]
    if idle:
        die(f"no call reached {idle}: {per_backend}")


def cmd_trunk(path, backends):
    """The calls of one client (answered, each by one backend) reached BACKENDS backends."""
    with open(path) as f:
        messages = json.load(f)["messages"]
    sports = {m["sport"] for m in messages}
    used = {m["backend"] for m in messages if m["backend"]}
    if len(sports) != 1:
        die(f"trunk messages left from {len(sports)} source ports")
    if len(used) != int(backends):
        die(f"trunk calls reached {sorted(used)}, want {backends} backends")


def cmd_probe(count, *paths):
    requests = []
    for path in paths:
        with open(path) as f:
            requests += json.load(f)["udp"]
    backends = {r["backend"] for r in requests}
    bad = [r for r in requests if r["error"] or not r["backend"]]
    if len(requests) != int(count) or bad:
        die(f"{len(requests)} probes of {count}; failed: {bad[:3]}")
    if len(backends) != 1:
        die(f"one /24 reached several backends: {sorted(backends)}")


def cmd_counters(list_json, service_name, *specs):
    with open(list_json) as f:
        services = {s["name"]: s for s in json.load(f)["services"]}
    service = services.get(service_name)
    if service is None:
        die(f"service {service_name} missing from xvsctl list --json")
    problems, total = [], {"in_packets": 0, "conns": 0}
    for spec in specs:
        name, address, path = spec.split("=", 2)
        messages = read_logs([f"{name}={path}"])[name]
        want = {"in_packets": len(messages), "conns": len({m["peer"] for m in messages})}
        backend = next((b for b in service["backends"] if b["address"] == address), None)
        if backend is None:
            problems.append(f"backend {address} missing")
            continue
        for field, value in want.items():
            total[field] += value
            if backend["stats"].get(field) != value:
                problems.append(f"{name} {field} is {backend['stats'].get(field)}, "
                                f"its server got {value}")
    for field, value in total.items():
        if service["stats"].get(field) != value:
            problems.append(f"{service_name} {field} is {service['stats'].get(field)}, "
                            f"servers got {value}")
    if problems:
        die("; ".join(problems[:6]))


COMMANDS = {"answered": cmd_answered, "sticky": cmd_sticky, "spread": cmd_spread,
            "trunk": cmd_trunk,
            "probe": cmd_probe, "counters": cmd_counters}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        die(__doc__)
    COMMANDS[sys.argv[1]](*sys.argv[2:])
