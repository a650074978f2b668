#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# Backend server for the lab: answers every UDP datagram and every TCP request line
# with "NAME PAYLOAD", so a client can tell which backend served it.
"""Usage: echo_server.py --name b1 --address 10.0.1.100 [--address fd00:1::100 ...]
                         --udp-port 53 --tcp-port 80 [--pidfile FILE]

UDP: each datagram is answered with b"NAME " + datagram.
TCP: each connection reads one line (up to b"\\n", EOF, 4 KiB or 5 s), answers
b"NAME " + line and closes. Each --address (IPv4 or IPv6) gets both sockets; the pid
file is written once all of them are bound.
"""

import argparse
import os
import signal
import socket
import sys
import threading

MAX_REQUEST = 4096
CONNECTION_TIMEOUT = 5.0


def serve_udp(sock, name):
    while True:
        data, peer = sock.recvfrom(65535)
        try:
            sock.sendto(name + b" " + data, peer)
        except OSError as err:
            print(f"udp reply to {peer}: {err}", file=sys.stderr)


def handle_tcp(conn, name):
    with conn:
        conn.settimeout(CONNECTION_TIMEOUT)
        request = b""
        try:
            while b"\n" not in request and len(request) < MAX_REQUEST:
                chunk = conn.recv(MAX_REQUEST)
                if not chunk:
                    break
                request += chunk
            conn.sendall(name + b" " + request)
        except OSError as err:
            print(f"tcp connection: {err}", file=sys.stderr)


def serve_tcp(sock, name):
    while True:
        conn, _ = sock.accept()
        threading.Thread(target=handle_tcp, args=(conn, name), daemon=True).start()


def main():
    parser = argparse.ArgumentParser(description="lab backend echo server")
    parser.add_argument("--name", required=True)
    parser.add_argument("--address", required=True, action="append")
    parser.add_argument("--udp-port", type=int, default=53)
    parser.add_argument("--tcp-port", type=int, default=80)
    parser.add_argument("--pidfile")
    args = parser.parse_args()
    name = args.name.encode()

    udp_sockets, tcp_sockets = [], []
    for address in args.address:
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        udp = socket.socket(family, socket.SOCK_DGRAM)
        udp.bind((address, args.udp_port))
        udp_sockets.append(udp)
        tcp = socket.socket(family, socket.SOCK_STREAM)
        tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        tcp.bind((address, args.tcp_port))
        tcp.listen(128)
        tcp_sockets.append(tcp)

    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    if args.pidfile:
        tmp = args.pidfile + ".tmp"
        with open(tmp, "w") as f:
            f.write(f"{os.getpid()}\n")
        os.rename(tmp, args.pidfile)

    for udp in udp_sockets:
        threading.Thread(target=serve_udp, args=(udp, name), daemon=True).start()
    for tcp in tcp_sockets[1:]:
        threading.Thread(target=serve_tcp, args=(tcp, name), daemon=True).start()
    serve_tcp(tcp_sockets[0], name)


if __name__ == "__main__":
    main()
