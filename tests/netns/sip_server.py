#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# A minimal SIP UAS for the lab's backends: answers requests with 200 OK (ACK with
# nothing) and logs, one JSON line per message, which Call-ID reached this backend.
"""Usage: sip_server.py --name b1 --address 10.0.1.100 [--port 5060] --log FILE
                        [--pidfile FILE]

Each received datagram is logged as {"name", "method", "callid", "peer"}; the 200 OK
copies Via, From, To (adding a tag), Call-ID and CSeq, and names the backend in a
Server header so that a client can tell who answered. The pid file is written once
the socket is bound.
"""

import argparse
import json
import os
import re
import socket
import sys

HEADER = re.compile(rb"^([A-Za-z-]+)[ \t]*:[ \t]*(.*?)[ \t]*$")
COMPACT = {b"i": b"call-id", b"v": b"via", b"f": b"from", b"t": b"to"}


def parse(data):
    """Returns (first line, [(lowercase name, value)...]) of a SIP message's headers."""
    head = data.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    lines = head.replace(b"\r\n", b"\n").split(b"\n")
    headers = []
    for line in lines[1:]:
        match = HEADER.match(line)
        if match:
            name = match.group(1).lower()
            headers.append((COMPACT.get(name, name), match.group(2)))
    return lines[0], headers


def reply(first, headers, name):
    out = [b"SIP/2.0 200 OK"]
    for header, value in headers:
        if header == b"to" and b";tag=" not in value:
            value += b";tag=" + name
        if header in (b"via", b"from", b"to", b"call-id", b"cseq"):
            out.append(header.title().replace(b"Cseq", b"CSeq").replace(b"Call-Id", b"Call-ID")
                       + b": " + value)
    out += [b"Server: xvs-lab-" + name, b"Content-Length: 0", b"", b""]
    return b"\r\n".join(out)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--name", required=True)
    parser.add_argument("--address", required=True)
    parser.add_argument("--port", type=int, default=5060)
    parser.add_argument("--log", required=True)
    parser.add_argument("--pidfile")
    args = parser.parse_args()

    family = socket.AF_INET6 if ":" in args.address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    sock.bind((args.address, args.port))
    if args.pidfile:
        with open(args.pidfile, "w") as f:
            f.write(f"{os.getpid()}\n")
    name = args.name.encode()
    with open(args.log, "a") as log:
        while True:
            data, peer = sock.recvfrom(65535)
            first, headers = parse(data)
            method = first.split(b" ", 1)[0].decode(errors="replace")
            callid = next((v for h, v in headers if h == b"call-id"), b"").decode(
                errors="replace")
            log.write(json.dumps({"name": args.name, "method": method, "callid": callid,
                                  "peer": f"{peer[0]}:{peer[1]}"}) + "\n")
            log.flush()
            if method in ("ACK", "SIP/2.0") or not callid:
                continue
            try:
                sock.sendto(reply(first, headers, name), peer)
            except OSError as err:
                print(f"sip_server: reply to {peer}: {err}", file=sys.stderr)


if __name__ == "__main__":
    main()
