#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# Lab client for test_sip.sh: SIP calls whose every message leaves from its own source
# port, and UDP probes from a chosen source address; prints who answered, as JSON.
"""Usage: sip_client.py calls --vip 10.0.1.100 --calls N [--port-base P] [--trunk-port P]
          sip_client.py probe --vip 10.0.1.100 --source 10.0.0.3 --count N [--port 53]

calls: for each call an INVITE, an ACK and a BYE, each from a new socket (a new source
port, so a new flow for the balancer), with compact and long Call-ID forms mixed. The
INVITE and the BYE wait for the 200 OK, whose Server header names the backend.
Output: {"messages": [{"callid", "method", "sport", "backend", "error"}...]}
With --trunk-port, every message of every call leaves from that one port over one
socket instead: a trunk between two proxies, all calls on one 5-tuple.

probe: N UDP datagrams to the echo servers, each from a new port bound to --source.
Output: {"udp": [{"sport", "backend", "error"}...]}
"""

import argparse
import json
import random
import re
import socket
import sys

SERVER = re.compile(rb"\r\nServer: xvs-lab-([A-Za-z0-9]+)\r\n")


def fresh_socket(source, port):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((source, port))
    sock.settimeout(1.0)
    return sock


def message(method, vip, sport, callid, compact, cseq):
    callid_header = f"i: {callid}" if compact else f"Call-ID: {callid}"
    return (f"{method} sip:service@{vip}:5060 SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP 10.0.0.2:{sport};branch=z9hG4bK-{callid}-{method}\r\n"
            f"From: sipp <sip:client@10.0.0.2>;tag={callid}\r\n"
            f"To: service <sip:service@{vip}:5060>\r\n"
            f"{callid_header}\r\n"
            f"CSeq: {cseq} {method}\r\n"
            f"Max-Forwards: 70\r\n"
            f"Content-Length: 0\r\n\r\n").encode()


def send(args, port, payload, want_reply, trunk=None):
    sock = trunk or fresh_socket(args.source, port)
    try:
        sock.sendto(payload, (args.vip, args.port))
        if not want_reply:
            return None, None
        data, _ = sock.recvfrom(65535)
        return data, None
    except OSError as err:
        return None, str(err)
    finally:
        if not trunk:
            sock.close()


def calls(args):
    messages, port = [], args.port_base
    trunk = fresh_socket(args.source, args.trunk_port) if args.trunk_port else None
    if trunk:
        port = args.trunk_port
    for call in range(args.calls):
        callid = f"{random.getrandbits(48):012x}-{call}@xvs-lab"
        for number, method in enumerate(("INVITE", "ACK", "BYE")):
            payload = message(method, args.vip, port, callid, (call + number) % 2 == 1,
                              2 if method == "BYE" else 1)
            data, error = send(args, port, payload, method != "ACK", trunk)
            backend = None
            if data is not None:
                match = SERVER.search(data)
                backend = match.group(1).decode() if match else None
                if not match:
                    error = f"no Server header in {data[:40]!r}"
            messages.append({"callid": callid, "method": method, "sport": port,
                             "backend": backend, "error": error})
            if not trunk:
                port += 1
    if trunk:
        trunk.close()
    return {"messages": messages}


def probe(args):
    requests, port = [], args.port_base
    for _ in range(args.count):
        data, error = send(args, port, b"probe", True)
        backend = data.split(b" ", 1)[0].decode() if data else None
        requests.append({"sport": port, "backend": backend, "error": error})
        port += 1
    return {"udp": requests}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=("calls", "probe"))
    parser.add_argument("--vip", required=True)
    parser.add_argument("--source", default="0.0.0.0")
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument("--calls", type=int, default=6)
    parser.add_argument("--count", type=int, default=10)
    parser.add_argument("--port-base", type=int, default=random.randrange(10000, 19000))
    parser.add_argument("--trunk-port", type=int, default=None)
    args = parser.parse_args()
    if args.port is None:
        args.port = 5060 if args.command == "calls" else 53
    result = calls(args) if args.command == "calls" else probe(args)
    json.dump(result, sys.stdout)
    print()


if __name__ == "__main__":
    main()
