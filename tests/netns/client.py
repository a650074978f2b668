#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# Lab client: sends UDP requests and TCP connections to a VIP and prints, as JSON,
# which backend answered each one, in order. Bounded by per-request and total deadlines.
"""Usage: client.py --vip 10.0.1.100 [--udp N] [--udp-flow M] [--tcp N] ...

Every UDP request of --udp uses its own socket bound to a distinct source port (a new
flow each); the --udp-flow requests all share one socket, hence one flow; each --tcp
connection also binds a distinct source port. Source ports are allocated upwards from
--port-base (random in 20000..29000 by default, below the ephemeral range), so no
request reuses a flow the balancer may still remember from an earlier run.

Output: {"udp": [REQ...], "udp_flow": [REQ...], "tcp": [REQ...], "failures": N}
with REQ = {"sport": PORT, "backend": "b1" | null, "error": null | "..."}.
"""

import argparse
import json
import random
import socket
import sys
import time


class Client:
    def __init__(self, args):
        self.args = args
        self.family = socket.AF_INET6 if ":" in args.vip else socket.AF_INET
        self.any_address = "::" if self.family == socket.AF_INET6 else "0.0.0.0"
        self.deadline = time.monotonic() + args.deadline
        self.next_port = args.port_base
        self.failures = 0

    def remaining(self):
        return min(self.args.timeout, self.deadline - time.monotonic())

    def bind_fresh(self, sock):
        """Binds sock to the next free source port."""
        while self.next_port < 65536:
            port = self.next_port
            self.next_port += 1
            try:
                sock.bind((self.any_address, port))
                return port
            except OSError:
                continue
        raise OSError("no source port left")

    def result(self, sport, payload, reply, error):
        backend = None
        if error is None:
            name, _, echoed = reply.partition(b" ")
            if echoed != payload:
                error = f"reply {reply[:64]!r} does not echo the request"
            else:
                backend = name.decode(errors="replace")
        if error is not None:
            self.failures += 1
        return {"sport": sport, "backend": backend, "error": error}

    def udp_exchange(self, sock, sport, payload):
        timeout = self.remaining()
        if timeout <= 0:
            return self.result(sport, payload, None, "total deadline passed")
        try:
            sock.settimeout(timeout)
            sock.sendto(payload, (self.args.vip, self.args.udp_port))
            reply, _ = sock.recvfrom(65535)
            return self.result(sport, payload, reply, None)
        except OSError as err:
            return self.result(sport, payload, None, f"udp: {err or 'timeout'}")

    def udp_fresh(self, count):
        results = []
        for i in range(count):
            with socket.socket(self.family, socket.SOCK_DGRAM) as sock:
                sport = self.bind_fresh(sock)
                payload = f"udp {i} from port {sport}".encode()
                results.append(self.udp_exchange(sock, sport, payload))
        return results

    def udp_flow(self, count):
        results = []
        if count == 0:
            return results
        with socket.socket(self.family, socket.SOCK_DGRAM) as sock:
            sport = self.bind_fresh(sock)
            for i in range(count):
                payload = f"flow {i} from port {sport}".encode()
                results.append(self.udp_exchange(sock, sport, payload))
        return results

    def tcp_one(self, i):
        with socket.socket(self.family, socket.SOCK_STREAM) as sock:
            sport = self.bind_fresh(sock)
            payload = f"tcp {i} from port {sport}\n".encode()
            timeout = self.remaining()
            if timeout <= 0:
                return self.result(sport, payload, None, "total deadline passed")
            try:
                sock.settimeout(timeout)
                sock.connect((self.args.vip, self.args.tcp_port))
                sock.sendall(payload)
                reply = b""
                while True:
                    timeout = self.remaining()
                    if timeout <= 0:
                        raise OSError("deadline while reading")
                    sock.settimeout(timeout)
                    chunk = sock.recv(4096)
                    if not chunk:
                        break
                    reply += chunk
                return self.result(sport, payload, reply, None)
            except OSError as err:
                return self.result(sport, payload, None, f"tcp: {err or 'timeout'}")

    def tcp(self, count):
        return [self.tcp_one(i) for i in range(count)]


def main():
    parser = argparse.ArgumentParser(description="lab client")
    parser.add_argument("--vip", required=True)
    parser.add_argument("--udp-port", type=int, default=53)
    parser.add_argument("--tcp-port", type=int, default=80)
    parser.add_argument("--udp", type=int, default=0, help="requests, a new flow each")
    parser.add_argument("--udp-flow", type=int, default=0, help="requests on one flow")
    parser.add_argument("--tcp", type=int, default=0, help="connections")
    parser.add_argument("--timeout", type=float, default=1.0, help="per request, seconds")
    parser.add_argument("--deadline", type=float, default=60.0, help="total, seconds")
    parser.add_argument("--port-base", type=int, default=random.randrange(20000, 29000))
    args = parser.parse_args()

    client = Client(args)
    output = {
        "udp": client.udp_fresh(args.udp),
        "udp_flow": client.udp_flow(args.udp_flow),
        "tcp": client.tcp(args.tcp),
    }
    output["failures"] = client.failures
    json.dump(output, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
