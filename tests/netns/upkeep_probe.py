#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# Talks to xvsd's API while it keeps its connection table: watches a reaper pass
# through /api/v1/status, and reads /api/v1/conns slowly while the table changes.
import http.client
import json
import socket
import subprocess
import sys
import time


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout=10):
        super().__init__("localhost", timeout=timeout)
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.path)


def get(sock, path):
    conn = UnixConnection(sock)
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, json.loads(body)


def watch(sock, seconds):
    """Polls the status until two answers fall inside one running pass: the
    API was answered while the reaper walked the table."""
    deadline = time.monotonic() + float(seconds)
    seen = {}
    answers = 0
    while time.monotonic() < deadline:
        status, document = get(sock, "/api/v1/status")
        answers += 1
        scan = document["conn_table_scan"]
        if status == 200 and scan["running"]:
            seen[scan["passes"]] = seen.get(scan["passes"], 0) + 1
            if seen[scan["passes"]] >= 2:
                print(f"pass {scan['passes'] + 1}: answered twice while it ran "
                      f"({answers} answers)")
                return 0
        time.sleep(0.005)
    print(f"no two answers inside one pass in {seconds} s ({answers} answers, seen {seen})")
    return 1


def running(sock, seconds):
    """Waits until a pass is under way."""
    deadline = time.monotonic() + float(seconds)
    while time.monotonic() < deadline:
        if get(sock, "/api/v1/status")[1]["conn_table_scan"]["running"]:
            return 0
        time.sleep(0.005)
    return 1


def stalled_listing(sock, expected_before, *command):
    """Starts a full listing, reads a little, runs command (which adds flows)
    and asks for the status on another connection, then reads the rest: a
    listing read in steps while the client reads includes flows added after
    it began; one built at once holds only those there before."""
    conn = UnixConnection(sock, timeout=30)
    conn.request("GET", "/api/v1/conns?limit=10000000")
    response = conn.getresponse()
    first = response.read(1024)
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    status, _ = get(sock, "/api/v1/status")
    if status != 200:
        print(f"status answered {status} during the listing")
        return 1
    document = json.loads(first + response.read())
    conn.close()
    count = len(document["conns"])
    print(f"listing: {count} connections (table had {expected_before} when it began), "
          f"truncated {document['truncated']}")
    return 0 if count > int(expected_before) and not document["truncated"] else 1


def count_of(sock, limit):
    status, document = get(sock, f"/api/v1/conns?limit={limit}")
    print(status, len(document["conns"]), str(document["truncated"]).lower())
    return 0


def main(argv):
    commands = {"watch": watch, "running": running, "stalled-listing": stalled_listing,
                "count": count_of}
    if len(argv) < 3 or argv[1] not in commands:
        print("usage: upkeep_probe.py (watch|running) SOCK SECONDS | "
              "stalled-listing SOCK EXPECTED COMMAND... | count SOCK LIMIT", file=sys.stderr)
        return 2
    return commands[argv[1]](*argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
