#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# Helpers of test_health.sh: the daemon's API over its Unix socket (poll a backend's
# state with a deadline, time requests), UDP/TCP probes through the VIP, and hostile
# check targets. Every wait is bounded.
"""Usage:
  health_tool.py wait SOCK SERVICE ADDRESS STATE SECONDS [SINCE]
                                                           prints the seconds it took, from
                                                           SINCE: now, a time, kill:PID (kills
                                                           it) or file:PATH (its mtime)
  health_tool.py field SOCK SERVICE ADDRESS EXPR           EXPR over backend b
  health_tool.py status SOCK EXPR                          EXPR over /api/v1/status s
  health_tool.py latency SOCK COUNT SECONDS                COUNT GETs spread over SECONDS;
                                                           prints the slowest in ms
  health_tool.py udp VIP PORT SPORT                        the backend that answers ("none")
  health_tool.py flows PROTO VIP PORT COUNT                backends of COUNT new flows: b1:3 ...
  health_tool.py blast VIP PORT COUNT                      COUNT datagrams, new flows, no wait
  health_tool.py hostile ADDRESS BASE PIDFILE              hostile TCP servers on BASE..BASE+5,
                                                           junk datagrams on BASE+52 (UDP)
"""

import collections
import http.client
import json
import os
import socket
import sys
import threading
import time


class UnixHTTP(http.client.HTTPConnection):
    def __init__(self, path, timeout):
        super().__init__("localhost", timeout=timeout)
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.path)


def api(sock, path, timeout=5.0):
    conn = UnixHTTP(sock, timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return json.loads(response.read())
    finally:
        conn.close()


def backend(sock, service, address):
    document = api(sock, "/api/v1/services/" + service)
    for b in document["backends"]:
        if b["address"] == address:
            return b
    raise SystemExit(f"no backend {address} in {service}")


def cmd_wait(sock, service, address, state, seconds, since=None):
    """Polls every 50 ms until the backend is in state. Timed from since: a wall clock
    time; "kill:PID": after the first poll this kills PID (SIGKILL) and times from then;
    "file:PATH": from PATH's modification time once it exists (a server's pid file)."""
    start = time.time()
    if since and since.startswith("kill:"):
        backend(sock, service, address)
        start = time.time()
        os.kill(int(since[5:]), 9)
    elif since and since.startswith("file:"):
        start = None
    elif since:
        start = float(since)
    begun = time.time()
    last = None
    while time.time() < (start or begun) + float(seconds):
        try:
            last = backend(sock, service, address)
            if start is None and os.path.exists(since[5:]):
                start = os.path.getmtime(since[5:])
            if start is not None and last["state"] == state:
                print(f"{time.time() - start:.2f}")
                return 0
        except (OSError, ValueError, KeyError) as err:
            last = str(err)
        time.sleep(0.05)
    print(f"not {state} within {seconds} s: {json.dumps(last)}")
    return 1


def cmd_field(sock, service, address, expr):
    b = backend(sock, service, address)
    print(eval(expr, {}, {"b": b}))
    return 0


def cmd_status(sock, expr):
    s = api(sock, "/api/v1/status")
    print(eval(expr, {}, {"s": s}))
    return 0


def cmd_latency(sock, count, seconds):
    slowest = 0.0
    pause = float(seconds) / int(count)
    for _ in range(int(count)):
        start = time.monotonic()
        api(sock, "/api/v1/services", timeout=10.0)
        slowest = max(slowest, time.monotonic() - start)
        time.sleep(pause)
    print(f"{slowest * 1000:.1f}")
    return 0


def family_of(address):
    return socket.AF_INET6 if ":" in address else socket.AF_INET


def udp_ask(vip, port, sport):
    with socket.socket(family_of(vip), socket.SOCK_DGRAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("", sport))
        s.settimeout(1.0)
        s.sendto(b"probe", (vip, port))
        try:
            return s.recv(1000).split(b" ")[0].decode()
        except socket.timeout:
            return "none"


def tcp_ask(vip, port):
    try:
        with socket.create_connection((vip, port), timeout=2.0) as s:
            s.sendall(b"probe\n")
            return s.recv(1000).split(b" ")[0].decode() or "none"
    except OSError:
        return "none"


def cmd_udp(vip, port, sport):
    print(udp_ask(vip, int(port), int(sport)))
    return 0


def cmd_flows(proto, vip, port, count):
    seen = collections.Counter()
    base = 30000 + os.getpid() % 20000
    for i in range(int(count)):
        if proto == "udp":
            seen[udp_ask(vip, int(port), base + i)] += 1
        else:
            seen[tcp_ask(vip, int(port))] += 1
    print(" ".join(f"{k}:{v}" for k, v in sorted(seen.items())))
    return 0


def cmd_blast(vip, port, count):
    with socket.socket(family_of(vip), socket.SOCK_DGRAM) as s:
        for i in range(int(count)):
            s.sendto(b"probe", (vip, int(port)))
    return 0


# Hostile servers: each accepts and misbehaves in its own way.
def garbage(conn):
    conn.sendall(b"\x00\xff\xfe garbage \x01\x02\r\n\r\n\x00")
    time.sleep(0.2)


def oversized(conn):
    conn.sendall(b"HTTP/1.1 200 OK\r\nX-Filler: ")
    chunk = b"x" * 65536
    for _ in range(16):  # 1 MiB, headers never end
        conn.sendall(chunk)


def slowloris(conn):
    conn.sendall(b"HTTP/1.1 200 OK\r\n")
    for _ in range(600):  # one byte every 50 ms, 30 s at most
        conn.sendall(b"X")
        time.sleep(0.05)


def wrong_protocol(conn):
    conn.sendall(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")
    time.sleep(2)


def silent(conn):
    time.sleep(30)


def reset(conn):
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")


HOSTILE = [garbage, oversized, slowloris, wrong_protocol, silent, reset]


def serve(sock, behaviour):
    while True:
        conn, _ = sock.accept()

        def run(c=conn):
            try:
                c.recv(4096)
                behaviour(c)
            except OSError:
                pass
            finally:
                c.close()
        threading.Thread(target=run, daemon=True).start()


def junk_datagrams(sock):
    """Every datagram is answered with three of junk."""
    while True:
        data, peer = sock.recvfrom(65535)
        for size in (3, 40, 700):
            sock.sendto(os.urandom(size), peer)


def cmd_hostile(address, base, pidfile):
    udp = socket.socket(family_of(address), socket.SOCK_DGRAM)
    udp.bind((address, int(base) + 52))
    threading.Thread(target=junk_datagrams, args=(udp,), daemon=True).start()
    for offset, behaviour in enumerate(HOSTILE):
        s = socket.socket(family_of(address), socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((address, int(base) + offset))
        s.listen(64)
        threading.Thread(target=serve, args=(s, behaviour), daemon=True).start()
    with open(pidfile + ".tmp", "w") as f:
        f.write(f"{os.getpid()}\n")
    os.rename(pidfile + ".tmp", pidfile)
    while True:
        time.sleep(3600)


COMMANDS = {
    "wait": cmd_wait, "field": cmd_field, "status": cmd_status, "latency": cmd_latency,
    "udp": cmd_udp, "flows": cmd_flows, "blast": cmd_blast, "hostile": cmd_hostile,
}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(__doc__)
    sys.exit(COMMANDS[sys.argv[1]](*sys.argv[2:]))
