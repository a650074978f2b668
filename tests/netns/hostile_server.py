#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# A server that answers health checks wrongly, for test_check_hostile.sh: each mode is one
# way a backend can lie, stall or speak another protocol.
"""Usage: hostile_server.py --address A --port P --proto udp|tcp --mode MODE --pidfile F

Modes:
  http-as-dns      UDP: answers every datagram with an HTTP response
  dns-stale        UDP: answers DNS queries with the id plus one (a late reply)
  radius-forged    UDP: answers Status-Server with Access-Accept of the right id whose
                   Response Authenticator is random (made without the secret)
  sip-binary       UDP: answers with random bytes
  sip-request      UDP: answers with a SIP request instead of a response
  http-slowloris   TCP: sends "HTTP/1.1 200 OK\\r\\n" then one header byte every 50 ms
  http-endless     TCP: sends a status line and then header lines without end
  http-dns         TCP: answers an HTTP request with a DNS message over TCP
"""

import argparse
import os
import socket
import struct
import threading
import time


def datagram_reply(mode, data):
    if mode == "http-as-dns":
        return b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
    if mode == "dns-stale" and len(data) >= 12:
        (query_id,) = struct.unpack("!H", data[:2])
        return struct.pack("!HHHHHH", (query_id + 1) & 0xFFFF, 0x8180, 1, 0, 0, 0) + data[12:]
    if mode == "radius-forged" and len(data) >= 20:
        return bytes([2, data[1], 0, 20]) + os.urandom(16)
    if mode == "sip-binary":
        return os.urandom(64)
    if mode == "sip-request":
        return b"OPTIONS sip:x SIP/2.0\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\n\r\n"
    return None


def serve_udp(sock, mode):
    while True:
        data, peer = sock.recvfrom(65535)
        reply = datagram_reply(mode, data)
        if reply is not None:
            sock.sendto(reply, peer)


def stream(conn, mode):
    try:
        conn.recv(4096)
        if mode == "http-slowloris":
            conn.sendall(b"HTTP/1.1 200 OK\r\n")
            for _ in range(2000):
                conn.sendall(b"X")
                time.sleep(0.05)
        elif mode == "http-endless":
            conn.sendall(b"HTTP/1.1 200 OK\r\n")
            line = b"X-Padding: " + b"a" * 1000 + b"\r\n"
            for _ in range(1000):
                conn.sendall(line)
        elif mode == "http-dns":
            message = struct.pack("!HHHHHH", 0x1234, 0x8180, 1, 0, 0, 0) + b"\x00\x00\x02\x00\x01"
            conn.sendall(struct.pack("!H", len(message)) + message)
    except OSError:
        pass
    finally:
        conn.close()


def serve_tcp(sock, mode):
    sock.listen(64)
    while True:
        conn, _ = sock.accept()
        threading.Thread(target=stream, args=(conn, mode), daemon=True).start()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--address", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--proto", choices=["udp", "tcp"], required=True)
    parser.add_argument("--mode", required=True)
    parser.add_argument("--pidfile", required=True)
    args = parser.parse_args()
    family = socket.AF_INET6 if ":" in args.address else socket.AF_INET
    kind = socket.SOCK_DGRAM if args.proto == "udp" else socket.SOCK_STREAM
    sock = socket.socket(family, kind)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.address, args.port))
    with open(args.pidfile, "w") as pidfile:
        pidfile.write("%d\n" % os.getpid())
    if args.proto == "udp":
        serve_udp(sock, args.mode)
    else:
        serve_tcp(sock, args.mode)


if __name__ == "__main__":
    main()
